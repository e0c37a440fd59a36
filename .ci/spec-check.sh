#!/usr/bin/env bash
# The spec as a shared contract (validators, linters, other-language generation, vectors). Called by .ci/run; runs on a fresh machine.
#
#   1. openapi-spec-validator: openapi/epoint.yaml is valid OpenAPI 3.0.
#   2. redocly lint (config .ci/spec/redocly.yaml): zero errors AND zero warnings.
#   3. openapi/vectors.json is what .ci/spec/gen_vectors.py computes, and the dependency-free
#      reference check openapi/check_vectors.py accepts every vector.
#   4. TypeScript: openapi-typescript generates types; tsc --noEmit type-checks .ci/spec/usage.ts.
#   5. Python: openapi-python-client generates a client; .ci/spec/py_usage.py imports and uses it.
#
# Tools are installed at pinned versions (.ci/spec/requirements.txt, .ci/spec/package-lock.json)
# into .ci/work/ (gitignored) and reused while the pins do not change. Needs python3 >= 3.11,
# node >= 20.19 and npm, and access to PyPI and npm on the first run.
# Quiet: each step's output goes to .ci/work/logs/<step>.log and is printed only on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/.ci/work
SPEC_DIR=$ROOT/.ci/spec
SPEC=openapi/epoint.yaml
LOGS=$WORK/logs
mkdir -p "$LOGS"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

START=$(date +%s)
SUMMARY=()
now_ms() { date +%s%3N; }

# run NAME CMD...: runs CMD with output to $LOGS/NAME.log; on failure prints the log and exits.
run() {
  local name=$1 t0 rc=0
  shift
  t0=$(now_ms)
  "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  local ms=$(($(now_ms) - t0))
  if [ "$rc" -ne 0 ]; then
    printf 'spec-check: FAILED %s (exit %s, %d ms). Log %s:\n' "$name" "$rc" "$ms" "$LOGS/$name.log" >&2
    sed 's/^/  | /' "$LOGS/$name.log" >&2
    exit 1
  fi
  SUMMARY+=("$(printf '%-24s ok %4d.%d s' "$name" $((ms / 1000)) $((ms % 1000 / 100)))")
}

# ---- tools (pinned; reinstalled only when a pin file changes) -----------------------------------
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

install_python() {
  local want
  want=$(sha256sum "$SPEC_DIR/requirements.txt" | cut -c1-64)
  if ! stamp_ok "$WORK/venv/.stamp" "$want"; then
    rm -rf "$WORK/venv"
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet -r "$SPEC_DIR/requirements.txt"
    echo "$want" >"$WORK/venv/.stamp"
  fi
  "$WORK/venv/bin/python" -c 'import openapi_spec_validator, openapi_python_client, httpx'
}

install_node() {
  local want
  want=$(cat "$SPEC_DIR/package.json" "$SPEC_DIR/package-lock.json" | sha256sum | cut -c1-64)
  if ! stamp_ok "$WORK/node/.stamp" "$want"; then
    rm -rf "$WORK/node"
    mkdir -p "$WORK/node"
    cp "$SPEC_DIR/package.json" "$SPEC_DIR/package-lock.json" "$WORK/node/"
    (cd "$WORK/node" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$WORK/node/.stamp"
  fi
}

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "spec-check: python3 >= 3.11 is required (openapi-python-client)" >&2
  exit 1
}
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "spec-check: node >= 20.19 and npm are required (Redocly CLI, openapi-typescript, tsc)" >&2
  exit 1
}
run "install python tools" install_python
run "install npm tools" install_node
BIN=$WORK/node/node_modules/.bin
PY=$WORK/venv/bin/python

# ---- 1. validity ---------------------------------------------------------------------------------
run "openapi-spec-validator" "$WORK/venv/bin/openapi-spec-validator" "$SPEC"

redocly_lint() {
  # The JSON report carries the totals; any error or (non-ignored) warning fails.
  "$BIN/redocly" lint "$SPEC" --config "$SPEC_DIR/redocly.yaml" --format=stylish || return 1
  "$BIN/redocly" lint "$SPEC" --config "$SPEC_DIR/redocly.yaml" --format=json 2>/dev/null |
    "$PY" -c '
import json, sys
t = json.load(sys.stdin)["totals"]
print(f"redocly totals: {t}")
sys.exit(1 if t["errors"] or t["warnings"] else 0)'
}
run "redocly lint" redocly_lint
REDOCLY_TOTALS=$(grep 'redocly totals' "$LOGS/redocly lint.log" | sed 's/redocly totals: //')

# ---- 2. test vectors ------------------------------------------------------------------------------
run "vectors up to date" python3 "$SPEC_DIR/gen_vectors.py" --check
run "check_vectors.py (python reference signer)" python3 openapi/check_vectors.py
VECTOR_COUNTS=$(sed -n 's/^check_vectors: ok (\(.*\))$/\1/p' "$LOGS/check_vectors.py (python reference signer).log")

# ---- 3. the contract files generated from the spec, and the reference signers ---------------------
run "operations map + callback schema up to date" "$PY" "$SPEC_DIR/gen_contract.py" --check
reference_ts() {
  # The reference signer is compiled beside the generated types, as a team would use it.
  rm -rf "$WORK/ref" && mkdir -p "$WORK/ref/openapi/reference"
  cp openapi/operations.ts "$WORK/ref/openapi/"
  "$BIN/openapi-typescript" "$SPEC" -o "$WORK/ref/openapi/epoint.d.ts"
  cp openapi/reference/*.ts openapi/reference/tsconfig.json "$WORK/ref/openapi/reference/"
  ln -sfn "$WORK/node/node_modules" "$WORK/ref/node_modules"
  "$BIN/tsc" -p "$WORK/ref/openapi/reference/tsconfig.json" --outDir "$WORK/ref/out"
  node "$WORK/ref/out/reference/check-vectors.js" openapi/vectors.json
}
run "typescript reference signer" reference_ts

# ---- 4. TypeScript --------------------------------------------------------------------------------
typescript() {
  rm -rf "$WORK/ts" && mkdir -p "$WORK/ts"
  "$BIN/openapi-typescript" "$SPEC" -o "$WORK/ts/epoint.d.ts"
  "$BIN/tsc" -p "$SPEC_DIR/tsconfig.json"
}
run "typescript (tsc)" typescript

# ---- 5. Python ------------------------------------------------------------------------------------
python_client() {
  rm -rf "$WORK/py" && mkdir -p "$WORK/py"
  # The generator's post-hooks run `ruff` from PATH.
  local out
  out=$(cd "$WORK/py" && PATH="$WORK/venv/bin:$PATH" "$WORK/venv/bin/openapi-python-client" generate \
    --path "$ROOT/$SPEC" --meta none --output-path epoint_client 2>&1)
  echo "$out"
  if grep -qi 'warning' <<<"$out"; then
    echo "openapi-python-client reported warnings (see above)"
    return 1
  fi
  PYTHONPATH="$WORK/py" "$PY" "$SPEC_DIR/py_usage.py" openapi/vectors.json
}
run "python client" python_client

# ---- summary --------------------------------------------------------------------------------------
echo "spec-check: $SPEC passed the shared-contract checks in $(($(date +%s) - START)) s"
printf '  %s\n' "${SUMMARY[@]}"
echo "  redocly: $REDOCLY_TOTALS (ignored = reviewed exceptions in .ci/spec/.redocly.lint-ignore.yaml)"
echo "  vectors: $VECTOR_COUNTS"
echo "  tools: openapi-spec-validator $("$PY" -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))'), openapi-python-client $("$PY" -c 'import importlib.metadata as m; print(m.version("openapi-python-client"))'), @redocly/cli $("$BIN/redocly" --version 2>/dev/null | tail -1), openapi-typescript $(node -p 'require(process.argv[1]).version' "$WORK/node/node_modules/openapi-typescript/package.json"), typescript $("$BIN/tsc" --version | sed 's/Version //')"
