#!/usr/bin/env bash
# run_fuzz.sh -- `make fuzz`: runs each libFuzzer target (build/fuzz/fuzz_<name>)
# for FUZZ_SECONDS (default 60), FUZZ_JOBS at a time (default 1), starting
# from its committed corpus; the inputs it finds go to build/fuzz/work/<name>/
# (the committed corpus is not changed), crashes to build/fuzz/artifacts/<name>/.
# Prints executions per target and a line per crash; exits non-zero on any.
#   tests/fuzz/run_fuzz.sh [name...]     (default: every target)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
secs=${FUZZ_SECONDS:-60} jobs=${FUZZ_JOBS:-1}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for src in tests/fuzz/fuzz_*.c; do n=${src##*/fuzz_}; targets+=("${n%.c}"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

one() {
    local t=$1 w=build/fuzz/work/$1 a=build/fuzz/artifacts/$1
    mkdir -p "$w/corpus" "$a"
    build/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$a/" "$w/corpus" tests/fuzz/corpus/"$t" >"$w/log" 2>&1
    echo $? >"$w/rc"
}

echo "fuzzing ${#targets[@]} targets, ${secs} s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
    [ -x build/fuzz/fuzz_"$t" ] || { echo "build/fuzz/fuzz_$t is missing (make fuzz-build)"; exit 1; }
    one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

crashes=0
printf '%-22s %12s %8s %10s %6s  %s\n' target executions exec/s corpus cov result
for t in "${targets[@]}"; do
    w=build/fuzz/work/$t
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$w/log" | tail -1 | cut -d' ' -f2)
    n=$(find "$w/corpus" -type f | wc -l)
    rc=$(cat "$w/rc" 2>/dev/null || echo '?')
    result=ok
    if [ "$rc" != 0 ]; then
        result="CRASH (exit $rc)"; crashes=$((crashes + 1))
    fi
    printf '%-22s %12s %8s %10s %6s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$n" "${cov:-?}" "$result"
    if [ "$rc" != 0 ]; then
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz check failed|.*runtime error)' "$w/log" | head -5 | sed 's/^/    /'
        ls "build/fuzz/artifacts/$t/" 2>/dev/null | sed "s|^|    artifact: build/fuzz/artifacts/$t/|"
    fi
done
echo "$crashes of ${#targets[@]} targets crashed (logs: build/fuzz/work/<target>/log)"
[ "$crashes" -eq 0 ]
