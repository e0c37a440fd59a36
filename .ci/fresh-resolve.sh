#!/usr/bin/env bash
# What users build: the newest semver-compatible dependencies, not our Cargo.lock. A copy of the
# checkout gets `cargo update`, then builds and runs clippy (deny warnings) on the default and on
# all features, so a new release of a dependency that deprecates or breaks something shows here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COPY=$(mktemp -d)
trap 'rm -rf "$COPY"' EXIT
git ls-files -z | xargs -0 -I{} cp --parents {} "$COPY"
cd "$COPY"
cargo update 2>&1 | grep -E '^\s+(Updating|Adding|Removing)' || echo "fresh-resolve: Cargo.lock is already the newest resolve"
# The checkout's target directory: unchanged dependencies are not rebuilt.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --workspace --all-targets
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace --all-targets --all-features
cargo clippy --workspace --all-targets --all-features -- -D warnings
echo "fresh-resolve: default and all features build and pass clippy with the newest dependencies"
