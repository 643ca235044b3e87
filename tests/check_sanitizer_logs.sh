#!/usr/bin/env bash
# check_sanitizer_logs.sh LOG_DIR -- one TAP line per service log: no ASan,
# LeakSanitizer or UBSan report was written while the stack ran and stopped.
source "$(dirname "$0")/lib.sh"
for log in "$1"/*.log; do
    [ -f "$log" ] || continue
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
        tap_fail "no sanitizer report in $(basename "$log")" "$(grep -m3 -E 'ERROR: |runtime error:' "$log")"
    else
        tap_ok "no sanitizer report in $(basename "$log")"
    fi
done
