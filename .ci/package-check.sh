#!/usr/bin/env bash
# The crates as crates.io would ship them: `cargo package --workspace` builds each one from its
# own .crate file (so it proves build.rs finds the spec inside the client's package, and that
# the sandbox and the CLI build against the packaged client), then lists what each package
# holds and its size, compressed and not.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# Verifying a crate that depends on another workspace crate goes through a temporary local
# registry whose sources cargo extracts under $CARGO_HOME/registry/src/<hash of its path>/ and
# never re-extracts for the same name and version: a run from the same path would verify
# against an older package of our own crates. Those extracted copies (never crates.io's) go.
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  case "$dir" in */index.crates.io-*) continue ;; esac
  rm -rf "$dir"epoint-az-[0-9]* "$dir"epoint-az-sandbox-* "$dir"epoint-az-cli-* "$dir"epoint-az-journal-*
done
# For the same reason, compiled artifacts of a registry copy are never rebuilt (a registry
# crate's name and version are taken to fix its contents): drop our crates' fingerprints.
rm -rf "$CARGO_TARGET_DIR"/debug/.fingerprint/epoint-az-*
cargo package --workspace --locked --allow-dirty
for name in epoint-az epoint-az-sandbox epoint-az-cli epoint-az-journal; do
  CRATE=$(ls "$CARGO_TARGET_DIR"/package/"$name"-[0-9]*.crate | sort -V | tail -n 1)
  echo "package: $CRATE, $(stat -c %s "$CRATE") bytes compressed, $(tar -tzf "$CRATE" | grep -vc '/$') files"
  tar -tzvf "$CRATE" | awk '{ size += $3 } END { printf "package: %d bytes uncompressed\n", size }'
  tar -tzf "$CRATE" | grep -v '/$' | cut -d/ -f2- | awk -F/ '{ print (NF > 1 ? $1 "/" : $1) }' | sort | uniq -c
done
