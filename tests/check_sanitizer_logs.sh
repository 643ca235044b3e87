#!/usr/bin/env bash
# check_sanitizer_logs.sh LOG_DIR -- one TAP line per service log: no ASan,
# LeakSanitizer or UBSan report was written while the stack ran and stopped.
source "$(dirname "$0")/lib.sh"
n=0
for log in "$1"/*.log; do
    [ -f "$log" ] || continue
    n=$((n + 1))
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
        tap_fail "no sanitizer report in $(basename "$log")" "$(grep -m3 -E 'ERROR: |runtime error:' "$log")"
    else
        tap_ok "no sanitizer report in $(basename "$log")"
    fi
done
# Reading no log proves nothing.
[ "$n" -gt 0 ] || tap_fail "service logs to check in $1" "none found"
