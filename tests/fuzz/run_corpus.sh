#!/usr/bin/env bash
# run_corpus.sh -- part of `make test` (tests/run.sh): builds the libFuzzer
# targets with clang (make fuzz-build, into build/fuzz/) and runs each over
# its committed seed corpus, every file once, as TAP lines. No fuzzing here:
# that is `make fuzz`. Without clang (or libFuzzer) the build line fails.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
targets=()
for src in tests/fuzz/fuzz_*.c; do n=${src##*/fuzz_}; targets+=("${n%.c}"); done
echo "1..$((${#targets[@]} + 1))"
FUZZ_CC=${FUZZ_CC:-clang}
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
    echo "not ok 1 - $FUZZ_CC is not installed (infra/install-deps.sh installs clang and libclang-rt-14-dev)"
    for i in "${!targets[@]}"; do echo "not ok $((i + 2)) - fuzz_${targets[$i]}: not built"; done
    exit 1
fi
mkdir -p build/fuzz
log=build/fuzz/build.log
if make --no-print-directory FUZZ_CC="$FUZZ_CC" fuzz-build >"$log" 2>&1; then
    echo "ok 1 - $FUZZ_CC builds the ${#targets[@]} fuzz targets into build/fuzz"
else
    echo "not ok 1 - make fuzz-build failed:"; sed 's/^/# /' "$log" | tail -20
    for i in "${!targets[@]}"; do echo "not ok $((i + 2)) - fuzz_${targets[$i]}: not built"; done
    exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
rc=0
for i in "${!targets[@]}"; do
    t=${targets[$i]} n=$((i + 2))
    files=(tests/fuzz/corpus/"$t"/*)
    if [ ! -f "${files[0]}" ]; then
        echo "not ok $n - fuzz_$t: no seed corpus in tests/fuzz/corpus/$t"; rc=1; continue
    fi
    out=$(build/fuzz/fuzz_"$t" -runs=1 "${files[@]}" 2>&1)
    status=$?
    ran=$(grep -c '^Executed ' <<<"$out")
    if [ "$status" -eq 0 ] && [ "$ran" -eq "${#files[@]}" ]; then
        echo "ok $n - fuzz_$t: ${#files[@]} corpus inputs"
    else
        echo "not ok $n - fuzz_$t: exit $status, $ran of ${#files[@]} corpus inputs ran"
        grep -vE '^(Running|Executed|INFO)' <<<"$out" | head -30 | sed 's/^/# /'
        rc=1
    fi
done
exit $rc
