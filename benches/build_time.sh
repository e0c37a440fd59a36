#!/usr/bin/env bash
# Clean-build cost of the crate against a "checked-in baseline": the same crate with the code
# build.rs generates (epoint.rs, operations.rs) committed as source files, build.rs's generation
# and the build-dependencies removed, same runtime dependencies and features.
#
#   benches/build_time.sh [ROUNDS]          # default 3 rounds
#
# Each round builds both from scratch (fresh CARGO_TARGET_DIR), alternating crate, baseline,
# crate, baseline… so that machine load hits both alike; the ratio of the medians is the result.
# What is timed: `cargo build` in debug with default features, i.e. the library (the `epoint-az`
# binary needs the `cli` feature, so it is not built). Dependencies are fetched before timing.
# After each crate build it also times the rebuild after the spec is touched (build.rs reruns,
# the crate recompiles).
#
# Environment: EPOINT_BENCH_JSON=path writes {"crate_s","baseline_s","ratio","rounds",
# "spec_edit_rebuild_s"} there; EPOINT_BENCH_TMP=dir puts the copies and target dirs there
# (default: a fresh temporary directory, removed at the end). CARGO_BUILD_JOBS is respected.
set -euo pipefail
ROUNDS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${EPOINT_BENCH_TMP:-}" ]; then
  mkdir -p "$EPOINT_BENCH_TMP"
  WORK=$(mktemp -d "$EPOINT_BENCH_TMP/build-time.XXXXXX")
else
  WORK=$(mktemp -d)
fi
trap 'rm -rf "$WORK"' EXIT
unset CARGO_TARGET_DIR

# 1. Two copies of the tree as it is now (tracked and untracked files, not target/).
copy_tree() {
  mkdir -p "$1"
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$ROOT" && xargs -0 cp --parents -t "$1" 2>/dev/null || true)
  # Files listed by git but deleted in the work tree are skipped by cp above.
}
copy_tree "$WORK/crate"
copy_tree "$WORK/baseline"

# 2. The baseline: generate once, check the output in as source, drop the generation.
echo "generating the baseline's code once…" >&2
(cd "$WORK/baseline" && CARGO_TARGET_DIR="$WORK/gen-target" cargo build --quiet)
OUT=$(dirname "$(ls "$WORK"/gen-target/debug/build/epoint-*/out/epoint.rs | head -1)")
mkdir -p "$WORK/baseline/src/checked_in"
cp "$OUT/epoint.rs" "$OUT/operations.rs" "$WORK/baseline/src/checked_in/"
rm -rf "$WORK/gen-target"
python3 - "$WORK/baseline" <<'PY'
import pathlib, re, sys
root = pathlib.Path(sys.argv[1])
for src, name in [("src/generated.rs", "epoint.rs"), ("src/operation.rs", "operations.rs")]:
    p = root / src
    text = p.read_text()
    old = f'include!(concat!(env!("OUT_DIR"), "/{name}"));'
    assert old in text, f"{src}: no include of $OUT_DIR/{name}"
    p.write_text(text.replace(old, f'include!("checked_in/{name}");'))
toml = root / "Cargo.toml"
text = toml.read_text()
# Drop the [build-dependencies] table (up to the next table header).
text, n = re.subn(r"(?ms)^\[build-dependencies\]\n.*?(?=^\[)", "", text)
assert n == 1, "no [build-dependencies] table"
toml.write_text(text + '\n')
(root / "build.rs").unlink()
PY

# 3. Everything downloaded before anything is timed.
(cd "$WORK/crate" && cargo fetch --quiet)
(cd "$WORK/baseline" && cargo fetch --quiet)

now() { date +%s.%N; }
# Prints the seconds a clean `cargo build` of $1 takes, in a fresh target dir $2.
clean_build() {
  rm -rf "$2"
  local t0 t1
  t0=$(now)
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --quiet --offline)
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}
spec_rebuild() {
  local t0 t1
  touch "$1/openapi/epoint.yaml"
  t0=$(now)
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --quiet --offline)
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

crate_times=()
baseline_times=()
spec_times=()
for ((i = 1; i <= ROUNDS; i++)); do
  c=$(clean_build "$WORK/crate" "$WORK/target-crate")
  s=$(spec_rebuild "$WORK/crate" "$WORK/target-crate")
  rm -rf "$WORK/target-crate"
  b=$(clean_build "$WORK/baseline" "$WORK/target-baseline")
  rm -rf "$WORK/target-baseline"
  printf 'round %d: crate %.1f s, baseline %.1f s (%.2fx), spec edit rebuild %.2f s\n' \
    "$i" "$c" "$b" "$(echo "$c / $b" | bc -l)" "$s"
  crate_times+=("$c")
  baseline_times+=("$b")
  spec_times+=("$s")
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mc=$(median "${crate_times[@]}")
mb=$(median "${baseline_times[@]}")
ms=$(median "${spec_times[@]}")
ratio=$(echo "$mc / $mb" | bc -l)
printf 'median of %d: crate %.1f s, baseline %.1f s, ratio %.3f; spec edit rebuild %.2f s\n' \
  "$ROUNDS" "$mc" "$mb" "$ratio" "$ms"
if [ -n "${EPOINT_BENCH_JSON:-}" ]; then
  printf '{"crate_s": %.2f, "baseline_s": %.2f, "ratio": %.3f, "rounds": %d, "spec_edit_rebuild_s": %.2f}\n' \
    "$mc" "$mb" "$ratio" "$ROUNDS" "$ms" >"$EPOINT_BENCH_JSON"
fi
