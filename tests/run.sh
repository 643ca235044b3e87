#!/usr/bin/env bash
# run.sh -- runs every test and prints "N passed, N failed[, N skipped]" last.
#   tests/run.sh [unit|all]     (all: unit tests, then a private stack and
#                                integration and end-to-end tests against it)
# The private stack is .stack/test on ports 25401-25408 (Kafka: three KRaft
# nodes, brokers 25403/25405/25407; PUPNS_KAFKA_NODES=1 for one), gateway on
# 28080, its SMTP sink on 25409 (mails in .stack/test/mail/new), running the
# ASan+UBSan binaries. Exit status is non-zero if anything failed.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
what=${1:-all}
results=$TOP/build/test-results
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0

source "$TOP/tests/tap.sh"
source "$TOP/tests/lib.sh"  # test_range, range_nips, ranges_last (tests/ranges.tsv)

for flavour in rel asan; do
    for t in build/$flavour/tests/test_*; do
        [ -x "$t" ] && run_tap "unit-$flavour-$(basename "$t")" "$t"
    done
done
run_tap fuzz-corpus bash tests/fuzz/run_corpus.sh
run_tap test-ranges /usr/bin/python3 tests/check_ranges.py

if [ "$what" = all ]; then
    export STACK_NAME=test STACK_BASE=25400 PUPNS_HTTP_PORT=28080 BIN_DIR=$TOP/build/asan/bin
    # As many PNS as the highest row of the test data ranges (tests/ranges.tsv).
    export SEED_N=$(ranges_last)
    # The fault tests need the three-node cluster; the whole suite runs on it.
    export PUPNS_KAFKA_NODES=${PUPNS_KAFKA_NODES:-3}
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
    # The tests hammer from one address: the main test gateway has no rate
    # limits; test_rate_limits.sh starts one that has.
    export PUPNS_RATE_LOOKUP=0 PUPNS_RATE_CAPTCHA=0 PUPNS_RATE_REGISTER=0 PUPNS_RATE_LOGIN=0 PUPNS_LOGIN_LOCK_AFTER=0 PUPNS_LOGIN_PAIR_LOCK_AFTER=0
    # A fresh stack every run: tests register NIPs, and must find them free.
    # (Wiped before env.sh is read: the old stack may have another node count.)
    infra/stack/stack.sh wipe "$STACK_NAME" "$STACK_BASE" >/dev/null 2>&1
    source infra/stack/env.sh
    export BASE_URL=http://127.0.0.1:$PUPNS_HTTP_PORT TOP STATE_DIR PG_PORT STACK_BASE
    trap 'infra/stack/run.sh stop >/dev/null 2>&1' EXIT
    if infra/stack/run.sh start >"$results/stack.log" 2>&1; then
        # NIPS_FILE: rows 1..N of identity.pns in NIP order, N the last row
        # of the ranges that read it; line n is row n.
        psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc \
            "SELECT nip FROM identity.pns ORDER BY nip LIMIT $(ranges_last file)" >"$results/nips.txt"
        export NIPS_FILE=$results/nips.txt
        # An itest with a range of its name gets that range's lines as its file.
        for t in build/asan/tests/itest_*; do
            [ -x "$t" ] || continue
            name=$(basename "$t") nips=$NIPS_FILE
            if test_range "$name" >/dev/null 2>&1; then
                nips=$results/$name.nips; range_nips "$name" >"$nips"
            fi
            run_tap "$name" "$t" "$nips"
        done
        for t in tests/integration/*.sh tests/e2e/*.sh; do
            [ -f "$t" ] && run_tap "$(basename "$t" .sh)" bash "$t"
        done
        infra/stack/run.sh stop >/dev/null 2>&1
        run_tap sanitizer-reports bash tests/check_sanitizer_logs.sh "$STATE_DIR/logs"
    else
        failed=$((failed + 1))
        echo "not ok - the test stack did not start:"; tail -20 "$results/stack.log"
    fi
fi

echo
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
