#!/usr/bin/env bash
# The runnable proof for other-language teams: a Python program and a TypeScript program, built
# only from the spec's generated code plus the reference signer, run the whole flow against the
# standalone sandbox (pay → hosted page → verified callback → status → partial refund → status).
# Reuses .ci/spec-check.sh's tools in .ci/work (the generated Python client, node's tsc and
# openapi-typescript), and runs spec-check first when they are missing, so it also runs alone.
# The sandbox comes from the Python
# wheel (built with maturin, installed into a clean virtualenv) when EPOINT_WHEEL_VENV is set by
# .ci/wheel.sh, otherwise from target/debug/epoint (cargo build -p epoint-az-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/.ci/work
BIN=$WORK/node/node_modules/.bin
if [ ! -x "$WORK/venv/bin/python" ] || [ ! -d "$WORK/py" ] || [ ! -x "$BIN/tsc" ] \
  || [ ! -x "$BIN/openapi-typescript" ]; then
  echo "flows: spec-check's tools are missing in .ci/work; running .ci/spec-check.sh first"
  bash .ci/spec-check.sh
fi
if [ -n "${EPOINT_WHEEL_VENV:-}" ]; then
  SANDBOX=("$EPOINT_WHEEL_VENV/bin/epoint" sandbox)
else
  cargo build --quiet -p epoint-az-cli
  SANDBOX=("${CARGO_TARGET_DIR:-$ROOT/target}/debug/epoint" sandbox)
fi
echo "flows: sandbox = ${SANDBOX[*]}"

# Python: the generated client (openapi-python-client, as spec-check generated it) + the signer.
PYTHONPATH="$WORK/py:$ROOT/openapi/reference" timeout 60 "$WORK/venv/bin/python" \
  examples/other-languages/python/flow.py "${SANDBOX[@]}"

# TypeScript: the generated types + operation map + the signer, compiled with tsc, run on node.
rm -rf "$WORK/flow-ts" && mkdir -p "$WORK/flow-ts/openapi/reference"
cp openapi/operations.ts "$WORK/flow-ts/openapi/"
"$BIN/openapi-typescript" openapi/epoint.yaml -o "$WORK/flow-ts/openapi/epoint.d.ts" >/dev/null 2>&1
cp openapi/reference/epoint-signing.ts examples/other-languages/typescript/flow.ts \
  examples/other-languages/typescript/tsconfig.json "$WORK/flow-ts/openapi/reference/"
ln -sfn "$WORK/node/node_modules" "$WORK/flow-ts/node_modules"
"$BIN/tsc" -p "$WORK/flow-ts/openapi/reference/tsconfig.json" --outDir "$WORK/flow-ts/out"
timeout 60 node "$WORK/flow-ts/out/reference/flow.js" "${SANDBOX[@]}"
