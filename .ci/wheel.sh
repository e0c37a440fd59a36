#!/usr/bin/env bash
# A sandbox without Rust: builds the `epoint` binary into a Python wheel with maturin
# (python/pyproject.toml, bin bindings), installs it into a clean virtualenv, and runs the
# other-language flows (.ci/flows.sh) against the sandbox started from that wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/.ci/work
MATURIN_VERSION=1.16.0
if [ "$("$WORK/maturin/bin/maturin" --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ]; then
  rm -rf "$WORK/maturin"
  python3 -m venv "$WORK/maturin"
  "$WORK/maturin/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi
rm -rf "$WORK/wheels" "$WORK/wheel-venv"
(cd python && "$WORK/maturin/bin/maturin" build --release --quiet --out "$WORK/wheels")
python3 -m venv "$WORK/wheel-venv"
"$WORK/wheel-venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$WORK"/wheels/*.whl
echo "wheel: $(ls "$WORK"/wheels) installed; $("$WORK/wheel-venv/bin/epoint" --version 2>/dev/null || echo epoint)"
EPOINT_WHEEL_VENV="$WORK/wheel-venv" bash .ci/flows.sh
