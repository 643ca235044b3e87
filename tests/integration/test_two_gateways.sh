#!/usr/bin/env bash
# test_two_gateways.sh -- two gateway processes at once, each with its own
# reply topic: concurrent look-ups through both all get their own answers.
source "$(dirname "$0")/../lib.sh"
port2=$((PUPNS_HTTP_PORT + 1))
PUPNS_HTTP_PORT=$port2 "$TOP/infra/stack/svc.sh" start gateway 2
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port2/readyz" >/dev/null && break; sleep 0.2; done
check "second gateway is ready" curl -sf "http://127.0.0.1:$port2/readyz"

out=$(mktemp -d)
range_nips two_gateways >"$out/nips"
one() { # NIP DIR: ask both gateways for it at once
    curl -s --max-time 20 "$BASE_URL/api/v1/pns/$1" >"$2/$1.a" &
    curl -s --max-time 20 "http://127.0.0.1:$PORT2/api/v1/pns/$1" >"$2/$1.b"
    wait
}
export -f one
export BASE_URL PORT2=$port2
xargs -P 12 -I{} bash -c 'one {} '"$out" <"$out/nips"
# A look-up shed (503) or timed out (504) under this load is asked again,
# as a user would; what must never happen is an answer about another NIP.
bad=0 retried=0
while read -r nip; do
    for side in a b; do
        url=$BASE_URL; [ "$side" = b ] && url=http://127.0.0.1:$port2
        if grep -q '"status":50[34]' "$out/$nip.$side"; then
            retried=$((retried + 1))
            sleep 1
            curl -s --max-time 20 "$url/api/v1/pns/$nip" >"$out/$nip.$side"
        fi
        grep -q "\"nip\":\"$nip\"" "$out/$nip.$side" || bad=$((bad + 1))
    done
done <"$out/nips"
echo "# $retried of 600 look-ups were shed or timed out under load and asked again"
is "$bad" 0 "600 concurrent look-ups over two gateways each got their own NIP back"
late=$(curl -s "http://127.0.0.1:$port2/metrics" | awk '/^pupns_kafka_late_replies/ {print $2}')
is "$late" 0 "the second gateway saw no reply meant for the first"
check "the two gateways read different reply topics" test "$(curl -s "$BASE_URL/readyz" | grep -o 'replies[^"]*')" != "$(curl -s "http://127.0.0.1:$port2/readyz" | grep -o 'replies[^"]*')"
"$TOP/infra/stack/svc.sh" stop gateway 2
rm -rf "$out"
