#!/usr/bin/env bash
# The crates as crates.io would ship them: `cargo package --workspace` builds each one from its
# own .crate file (so it proves build.rs finds the spec inside the client's package, and that
# the sandbox and the CLI build against the packaged client), then lists what each package
# holds and its size, compressed and not.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo package --workspace --locked --allow-dirty
for name in epoint-az epoint-az-sandbox epoint-az-cli; do
  CRATE=$(ls "$CARGO_TARGET_DIR"/package/"$name"-[0-9]*.crate | sort -V | tail -n 1)
  echo "package: $CRATE, $(stat -c %s "$CRATE") bytes compressed, $(tar -tzf "$CRATE" | grep -vc '/$') files"
  tar -tzvf "$CRATE" | awk '{ size += $3 } END { printf "package: %d bytes uncompressed\n", size }'
  tar -tzf "$CRATE" | grep -v '/$' | cut -d/ -f2- | awk -F/ '{ print (NF > 1 ? $1 "/" : $1) }' | sort | uniq -c
done
