#!/usr/bin/env bash
# test_restart.sh -- the identity service is killed (SIGKILL) and restarted
# while clients look up NIPs; a client that retries loses no request.
source "$(dirname "$0")/../lib.sh"
out=$(mktemp -d)
range_nips restart >"$out/nips"

lookup() { # one client: retries timeouts and 5xx, then records what it got
    curl -s -o "$2/$1.json" -w '%{http_code}' --retry 20 --retry-delay 1 --retry-all-errors \
        --max-time 60 "$BASE_URL/api/v1/pns/$1" >"$2/$1.code"
}
export -f lookup
export BASE_URL
xargs -P 16 -I{} bash -c 'lookup {} '"$out" <"$out/nips" &
load=$!
sleep 1
"$TOP/infra/stack/svc.sh" kill identity
sleep 1
"$TOP/infra/stack/svc.sh" start identity
wait $load

good=0; bad=0
while read -r nip; do
    if [ "$(cat "$out/$nip.code" 2>/dev/null)" = 200 ] && grep -q "\"nip\":\"$nip\"" "$out/$nip.json"; then
        good=$((good + 1))
    else
        bad=$((bad + 1))
    fi
done <"$out/nips"
echo "# $good answered correctly, $bad not, of $(wc -l <"$out/nips")"
is "$bad" 0 "every look-up completes across an identity crash and restart"
check "the identity service is running again" kill -0 "$(cat "$STATE_DIR/pids/identity-1.pid")"
rm -rf "$out"

# PostgreSQL restarts under the services: their connections come back.
"$TOP/infra/stack/stack.sh" pg-restart "$STACK_NAME" "$STACK_BASE" 2>/dev/null
ok=0
for _ in $(seq 50); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/api/v1/pns/$(range_nips restart 1)")
    [ "$code" = 200 ] && { ok=1; break; }
    sleep 0.2
done
is "$ok" 1 "look-ups work again after PostgreSQL restarts"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"nip":"'"$(range_nips restart 3)"'","email":"pns@example.go.id"}' "$BASE_URL/api/v1/registrasi/mulai")
is "$code" 200 "registration queries work again after PostgreSQL restarts"
