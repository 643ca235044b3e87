# tap.sh -- sourced by tests/run.sh: runs one test program and counts its
# TAP lines into passed/failed/skipped (which the caller initialises) and
# results (the folder for its log).
# run_tap NAME CMD...: counts the TAP lines of one test program.
run_tap() {
    local name=$1; shift
    local log="$results/$name.log"
    "$@" >"$log" 2>&1
    local rc=$?
    local p f s
    p=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
    s=$(grep -cE '^ok [0-9]+.*# SKIP' "$log" | tr -d ' ')
    f=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
    p=$((p - s))
    # A program that reports nothing, or other than its plan, has not passed.
    local plan reported=$((p + f + s))
    plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | tail -1)
    if [ "$reported" -eq 0 ]; then
        f=1; echo "not ok - $name printed no test results" >>"$log"
    elif [ -n "$plan" ] && [ "$plan" -ne "$reported" ]; then
        f=$((f + 1)); echo "not ok - $name planned $plan tests but reported $reported" >>"$log"
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited with $rc" >>"$log"; fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    printf '%-34s %3d passed %3d failed %3d skipped\n' "$name" "$p" "$f" "$s"
    [ "$f" -eq 0 ] || grep -E '^not ok|^#' "$log" | head -20 | sed 's/^/    /'
}
