#!/usr/bin/env bash
# The crate as crates.io would ship it: `cargo package` builds it from its own .crate file (so it
# proves build.rs finds the spec inside the package), then lists what the package holds and its
# size, compressed and not.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo package --locked --allow-dirty
CRATE=$(ls target/package/epoint-az-*.crate | sort -V | tail -n 1)
echo "package: $CRATE, $(stat -c %s "$CRATE") bytes compressed, $(cargo package --list --allow-dirty | wc -l) files"
tar -tzvf "$CRATE" | awk '{ size += $3 } END { printf "package: %d bytes uncompressed\n", size }'
cargo package --list --allow-dirty | awk -F/ '{ print (NF > 1 ? $1 "/" : $1) }' | sort | uniq -c
