#!/usr/bin/env bash
# test_clock_skew.sh -- services whose clocks are 60 s off still answer:
# request budgets are relative (deadline_ms, measured from receipt), so no
# service compares its clock with the gateway's. Runs identity 60 s ahead
# and captcha 60 s behind (PUPNS_CLOCK_SKEW_MS shifts a process's wall clock:
# its event times and log stamps, as on a host whose NTP is wrong).
# (libfaketime was tried first: under it librdkafka itself misbehaves, since
# it also times some waits by the wall clock.)
source "$(dirname "$0")/../lib.sh"
echo "1..7"
svc="$TOP/infra/stack/svc.sh"
wait_ready() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.2; done; return 1; }

PUPNS_CLOCK_SKEW_MS=60000 "$svc" start identity 1
PUPNS_CLOCK_SKEW_MS=-60000 "$svc" start captcha 1
check "identity (clock +60 s) is ready" wait_ready $((STACK_BASE + 11))
check "captcha (clock -60 s) is ready" wait_ready $((STACK_BASE + 12))
stamp() { grep -h '"ts"' "$STATE_DIR/logs/$1-1.log" | tail -1 | sed 's/.*"ts":"\([^"]*\)".*/\1/'; }
ahead=$(( $(date -d "$(stamp identity)" +%s) - $(date +%s) ))
behind=$(( $(date +%s) - $(date -d "$(stamp captcha)" +%s) ))
echo "# identity's newest log line is stamped ${ahead} s ahead of this clock, captcha's ${behind} s behind"
check "the two services' clocks are off by about a minute" test "$ahead" -ge 50 -a "$behind" -ge 50
nip=$(range_nips clock_skew)
ok=0
for _ in $(seq 20); do
    req GET "/api/v1/pns/$nip"
    [ "$STATUS" = 200 ] && ok=$((ok + 1))
done
is "$ok" 20 "20 look-ups answered by an identity service 60 s ahead"
ok=0
for _ in $(seq 10); do
    req POST /api/v1/captcha '{}'
    [ "$STATUS" = 201 ] && ok=$((ok + 1))
done
is "$ok" 10 "10 captchas issued by a captcha service 60 s behind"
# Back to the true clock for the tests that follow.
"$svc" start identity 1
"$svc" start captcha 1
check "identity is ready again on the true clock" wait_ready $((STACK_BASE + 11))
check "captcha is ready again on the true clock" wait_ready $((STACK_BASE + 12))
