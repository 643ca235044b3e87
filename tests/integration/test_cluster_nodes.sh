#!/usr/bin/env bash
# test_cluster_nodes.sh -- the three-node KRaft cluster of the stack under
# test: every node a broker, internal topics replicated, one node SIGKILLed
# and restarted while the services keep running. Skipped on a single node.
# Needs TOP, STACK_NAME, STACK_BASE, BASE_URL (tests/run.sh exports them).
set -uo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/infra/stack/env.sh"
echo "TAP version 13"

if [ "$(kafka_nodes)" != 3 ]; then
    tap_skip "three-node cluster" "this stack has $(kafka_nodes) Kafka node(s)"
    exit 0
fi
meta() { kcat -b "$PUPNS_KAFKA_BROKERS" -L -m 5 "$@" 2>/dev/null; }
# partitions TOPIC: "leader replicas isrs" per partition
partitions() { meta -t "$1" | sed -n 's/^ *partition [0-9]*, leader \(-\?[0-9]*\), replicas: \([0-9,]*\), isrs: \([0-9,]*\).*/\1 \2 \3/p'; }
nips=$(range_nips cluster_nodes 2>/dev/null); [ -n "$nips" ] || nips=197501022014071003
# lookups_ok SECONDS: every NIP of the list answers 200 within SECONDS (each
# one retried: a 503 of the gateway's backpressure or a 504 during failover
# is an answer to retry, not a failure).
lookups_ok() {
    local end=$((SECONDS + $1)) n
    for n in $nips; do
        until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE_URL/api/v1/pns/$n")" = 200 ]; do
            [ $SECONDS -lt $end ] || return 1; sleep 0.3
        done
    done
}
retry() { local s=$1; shift; local end=$((SECONDS + s)); until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.5; done; }

is "$(tr ',' '\n' <<<"$PUPNS_KAFKA_BROKERS" | wc -l)" 3 "PUPNS_KAFKA_BROKERS lists three brokers"
for b in ${PUPNS_KAFKA_BROKERS//,/ }; do
    is "$(kcat -b "$b" -L -m 5 2>/dev/null | sed -n 's/^ \([0-9]*\) brokers:.*/\1/p')" 3 "broker $b sees 3 brokers"
done
for n in 1 2 3; do
    pid=$(cat "$STATE_DIR/kafka-$n/pid" 2>/dev/null)
    check "node $n runs with a heap of at most 512 MB" grep -qz -- '^-Xmx512m$' "/proc/$pid/cmdline"
done
off=$(partitions __consumer_offsets)
check "__consumer_offsets exists" test -n "$off"
is "$(awk '{ if (split($2, a, ",") != 3 || split($3, b, ",") != 3) bad++ } END { print bad + 0 }' <<<"$off")" 0 \
    "__consumer_offsets: 3 replicas, 3 in sync, every partition"
check "lookups answer before the fault" lookups_ok 60

# The leader of the first identity request partition goes down hard.
victim=$(kafka_leader pupns.identity.requests 0)
rf=$(partitions pupns.identity.requests | head -1 | awk '{ print split($2, a, ",") }')
echo "# victim: node $victim (leader of pupns.identity.requests/0, replication factor ${rf:-?})"
vpid=$(cat "$STATE_DIR/kafka-$victim/pid")
t0=$(date +%s.%N)
kafka_kill "$victim" 2>/dev/null
check "node $victim is gone after SIGKILL" bash -c "! kill -0 $vpid"
no_victim_leader() { ! partitions __consumer_offsets | awk -v v="$victim" '$1 == v || $1 == -1 { f = 1 } END { exit !f }'; }
check "__consumer_offsets elects new leaders within 30 s" retry 30 no_victim_leader
echo "# leaders moved off node $victim after $(echo "$(date +%s.%N) - $t0" | bc) s"
if [ "${rf:-1}" -ge 2 ]; then
    check "lookups answer while node $victim is down (request topic RF $rf)" lookups_ok 60
    echo "# lookups of $(wc -w <<<"$nips") NIPs all answered again $(echo "$(date +%s.%N) - $t0" | bc) s after the kill"
else
    tap_skip "lookups while node $victim is down" "pupns.identity.requests has replication factor ${rf:-1}"
fi

t1=$(date +%s.%N)
check "node $victim restarts and every partition is back in sync" kafka_start "$victim"
echo "# node $victim back with full ISR after $(echo "$(date +%s.%N) - $t1" | bc) s"
for b in ${PUPNS_KAFKA_BROKERS//,/ }; do
    is "$(kcat -b "$b" -L -m 5 2>/dev/null | sed -n 's/^ \([0-9]*\) brokers:.*/\1/p')" 3 "broker $b sees 3 brokers again"
done

# Every service process outlived the fault (a dead one is restarted for the next tests).
for p in "$STATE_DIR"/pids/*.pid; do
    [ -e "$p" ] || continue
    b=${p##*/}; b=${b%.pid}
    if kill -0 "$(cat "$p")" 2>/dev/null; then tap_ok "$b survived the broker fault"
    else tap_fail "$b survived the broker fault" "see $STATE_DIR/logs/$b.log"; "$TOP/infra/stack/svc.sh" start "${b%-*}" "${b##*-}"; fi
done
check "lookups answer after the restart" lookups_ok 60
echo "1..$TAP_N"
