#!/usr/bin/env bash
# test_topics_replication.sh -- durable topics on the running stack's
# cluster: every topic of proto/topics.json has replication factor
# min(3, brokers) and min.insync.replicas min(2, that), the gateway's reply
# topic the same factor with min ISR 1; `pupns-ctl topics --check` agrees and
# reports a topic that differs; a gateway that stops cleanly deletes its
# reply topic. On one broker that is RF 1 / min ISR 1, on three RF 3 / 2.
source "$(dirname "$0")/../lib.sh"
ctl="$BIN_DIR/pupns-ctl"
file="$TOP/proto/topics.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# meta TOPIC: "partitions min-replicas min-isrs" of TOPIC, from kcat (not from our code)
meta() {
    kcat -b "$PUPNS_KAFKA_BROKERS" -L -J -t "$1" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
t = json.load(sys.stdin)["topics"][0]
p = t.get("partitions") or []
print(len(p), min((len(x["replicas"]) for x in p), default=0), min((len(x["isrs"]) for x in p), default=0))'
}

brokers=$(kcat -b "$PUPNS_KAFKA_BROKERS" -L -J 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["brokers"]))')
rf=$(( brokers < 3 ? brokers : 3 )); isr=$(( rf < 2 ? rf : 2 ))
echo "# $brokers broker(s): expecting replication factor $rf, min.insync.replicas $isr"

out=$("$ctl" topics --check "$file" 2>"$tmp/err"); rc=$?
is "$rc" 0 "pupns-ctl topics --check: every topic exists as topics.json says, fitted to $brokers broker(s)"
[ "$rc" = 0 ] || echo "#   $(head -3 "$tmp/err")"
grep -q "pupns-ctl: $brokers broker" <<<"$out" && tap_ok "pupns-ctl reads the broker count from the cluster" \
    || tap_fail "pupns-ctl reads the broker count from the cluster" "$(head -1 <<<"$out")"

names=$(/usr/bin/python3 -c 'import json,sys
for t in json.load(open(sys.argv[1]))["topics"]:
    if not t.get("per_instance"): print(t["name"], t["partitions"])' "$file")
bad=""
while read -r name parts; do
    read -r p r i < <(meta "$name")
    [ "$p" = "$parts" ] && [ "$r" = "$rf" ] && [ "$i" = "$rf" ] || bad+=" $name($p partitions, RF $r, ISR $i)"
    grep -q "$name: exists (.*replication factor $rf, min.insync.replicas $isr," <<<"$out" || bad+=" $name(min ISR)"
done <<<"$names"
is "${bad:-none}" none "every topic has $rf replicas in sync and min.insync.replicas $isr (kcat and DescribeConfigs)"
check "the dead-letter topic exists with 6 partitions" test "$(meta pupns.deadletter | cut -d' ' -f1)" = 6

# The running gateway's reply topic: RF by the same rule, min ISR 1.
reply=$(curl -s "$BASE_URL/readyz" | grep -o 'pupns\.gateway\.replies\.[A-Za-z0-9._-]*')
read -r p r i < <(meta "$reply")
is "$p $r" "1 $rf" "the reply topic $reply has 1 partition and replication factor $rf"
cat >"$tmp/reply.json" <<JSON
{"topics": [{"name": "$reply", "partitions": 1, "retention_ms": ${PUPNS_REPLY_RETENTION_MS:-3600000},
             "replication_factor": 3, "min_insync_replicas": 1}]}
JSON
check "the reply topic has min.insync.replicas 1 (pupns-ctl topics --check)" "$ctl" topics --check "$tmp/reply.json"

# A topic that differs from the file is reported, never changed.
t=pupns.itest.mismatch.$$
printf '{"topics": [{"name": "%s", "partitions": 1, "retention_ms": 60000}]}' "$t" >"$tmp/one.json"
printf '{"topics": [{"name": "%s", "partitions": 2, "retention_ms": 60000}]}' "$t" >"$tmp/two.json"
check "pupns-ctl topics creates a new topic" "$ctl" topics "$tmp/one.json"
"$ctl" topics --check "$tmp/two.json" >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 1 "--check fails on a topic that differs from the file"
check "the difference is named" grep -q "1 partitions, wants 2" "$tmp/err"
"$ctl" topics "$tmp/two.json" >/dev/null 2>&1; rc=$?
is "$rc:$(meta "$t" | cut -d' ' -f1)" "0:1" "creating, a differing topic is a warning and is left as it is"

# A gateway that stops cleanly deletes its reply topic.
port3=$((PUPNS_HTTP_PORT + 2))
PUPNS_HTTP_PORT=$port3 "$TOP/infra/stack/svc.sh" start gateway 3 >/dev/null
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port3/readyz" >/dev/null && break; sleep 0.2; done
reply3=$(curl -s "http://127.0.0.1:$port3/readyz" | grep -o 'pupns\.gateway\.replies\.[A-Za-z0-9._-]*')
check "a third gateway made its reply topic ($reply3)" test "$(meta "$reply3" | cut -d' ' -f1)" = 1
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port3/api/v1/pns/$(range_nips topics_replication)")
is "$code" 200 "it answers a look-up"
"$TOP/infra/stack/svc.sh" stop gateway 3 >/dev/null
gone=0
for _ in $(seq 50); do
    kcat -b "$PUPNS_KAFKA_BROKERS" -L -J 2>/dev/null | grep -q "\"topic\":\"$reply3\"" || { gone=1; break; }
    sleep 0.1
done
is "$gone" 1 "a gateway that stops cleanly deletes its reply topic"
check "the first gateway's reply topic is untouched" test "$(meta "$reply" | cut -d' ' -f1)" = 1

echo "1..$TAP_N"
