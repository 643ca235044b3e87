#!/usr/bin/env bash
# test_harness.sh -- the test runner cannot pass on nothing: a program that
# prints no results, or fewer or more than its TAP plan, or exits non-zero
# after passing lines, counts as failed (tests/tap.sh).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tap.sh"
echo "1..5"
results=$(mktemp -d)
outcome() { # NAME SCRIPT: "passed failed" that run_tap counts for a program
    passed=0 failed=0 skipped=0
    run_tap "$1" bash -c "$2" >/dev/null
    echo "$passed $failed"
}
is "$(outcome silent 'exit 0')" "0 1" "a program that prints nothing and exits 0 fails"
is "$(outcome short 'echo 1..3; echo ok 1 - a; echo ok 2 - b')" "2 1" "fewer results than the plan fail"
is "$(outcome long 'echo 1..1; echo ok 1 - a; echo ok 2 - b')" "2 1" "more results than the plan fail"
is "$(outcome crash 'echo 1..1; echo ok 1 - a; exit 3')" "1 1" "a non-zero exit after passing lines fails"
is "$(outcome good 'echo 1..2; echo ok 1 - a; echo "ok 2 - b # SKIP x"')" "1 0" "a program that keeps its plan passes"
rm -rf "$results"
