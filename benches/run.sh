#!/usr/bin/env bash
# Measures everything BENCHMARKS.md reports and redraws its pictures, in one run:
#   benches/run.sh            # full: 3 rounds of 3 s per point, and the build-time comparison
#   benches/run.sh --quick    # 1 round of 1 s, no build-time comparison (a smoke run)
#   benches/run.sh --no-build # everything but the build-time comparison (its last result stays)
# Results go to target/bench-results/*.json; benches/report.py turns them into
# benches/img/*.svg and the measured section of BENCHMARKS.md. Needs python3; valgrind is
# optional (instructions per call). Run it on a quiet machine: everything shares 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-results
mkdir -p "$out"
rounds=3 seconds=3 warmup=1 build_time=1
case "${1:-}" in
    --quick) rounds=1 seconds=1 warmup=0.5 build_time=0 ;;
    --no-build) build_time=0 ;;
esac
ulimit -n 8192 2>/dev/null || true  # c=1024 needs more than 1024 descriptors

cargo build --release --example loadgen
loadgen=target/release/examples/loadgen

echo "== signing and callbacks" >&2
EPOINT_BENCH_JSON="$out/signing.json" cargo bench --bench signing

echo "== end to end: crate vs raw reqwest, echo server" >&2
"$loadgen" bench --rounds "$rounds" --seconds "$seconds" --warmup "$warmup" \
    --json "$out/loadgen-echo.json"

echo "== the embedded sandbox as the server" >&2
"$loadgen" bench --sandbox --modes raw,pay,status --rounds "$rounds" --seconds "$seconds" \
    --warmup "$warmup" --json "$out/loadgen-sandbox.json"

if command -v valgrind >/dev/null; then
    echo "== instructions per call (callgrind)" >&2
    "$loadgen" serve > "$out/server.url" &
    server=$!
    trap 'kill $server 2>/dev/null || true' EXIT
    sleep 0.5
    url=$(head -1 "$out/server.url")
    json="{"
    for mode in floor raw pay status; do
        counts=()
        for calls in 1000 3000; do
            valgrind --tool=callgrind --callgrind-out-file=/dev/null "$loadgen" count "$mode" "$calls" "$url" \
                > /dev/null 2> "$out/callgrind.log"
            counts+=("$(grep -o 'Collected : [0-9]*' "$out/callgrind.log" | grep -o '[0-9]*$')")
        done
        per_call=$(( (counts[1] - counts[0]) / 2000 ))
        echo "$mode: $per_call instructions per call" >&2
        json+="\"$mode\": $per_call,"
    done
    echo "${json%,}}" > "$out/instructions.json"
    kill $server 2>/dev/null || true
fi

if [[ $build_time == 1 && -x benches/build_time.sh ]]; then
    echo "== clean build vs checked-in baseline" >&2
    EPOINT_BENCH_JSON="$out/build.json" benches/build_time.sh 3
fi

python3 benches/report.py
