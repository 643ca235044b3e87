#!/usr/bin/env bash
# test_rate_limits.sh -- a gateway with low limits answers 429 with
# Retry-After once a client address exceeds them (counted in Redis).
source "$(dirname "$0")/../lib.sh"
export MAIN_URL=$BASE_URL
port=$((PUPNS_HTTP_PORT + 2))
PUPNS_HTTP_PORT=$port PUPNS_RATE_LOOKUP=5 PUPNS_RATE_CAPTCHA=3 PUPNS_RATE_REGISTER=2 PUPNS_LOGIN_LOCK_AFTER=3 PUPNS_LOGIN_PAIR_LOCK_AFTER=2 \
    "$TOP/infra/stack/svc.sh" start gateway 3
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
for pattern in 'rate:*' 'fail:*' 'lock:*'; do
    redis-cli -u "$PUPNS_REDIS_URL" --scan --pattern "$pattern" | xargs -r redis-cli -u "$PUPNS_REDIS_URL" DEL >/dev/null
done
BASE_URL=http://127.0.0.1:$port
# Limits count per clock minute: keep each burst inside one window.
fresh_window() { local sec; sec=$(date +%-S); [ "$sec" -lt 50 ] || sleep $((61 - sec)); }
fresh_window
codes=""
for _ in 1 2 3 4 5 6 7; do req GET /api/v1/pns/197501022014071003; codes="$codes $STATUS"; done
is "$codes" " 200 200 200 200 200 429 429" "look-ups over the limit get 429"
hdr=$(curl -s -D - -o /dev/null "$BASE_URL/api/v1/pns/197501022014071003" | tr -d '\r' | awk -F': ' 'tolower($1)=="retry-after" {print $2}')
check "429 carries Retry-After" test "${hdr:-0}" -gt 0
req GET /api/v1/pns/197501022014071003
is "$(jget code)" "terlalu_banyak_permintaan" "429 is a problem+json in Indonesian"
fresh_window
codes=""
for _ in 1 2 3 4; do req POST /api/v1/captcha '{}'; codes="$codes $STATUS"; done
is "$codes" " 201 201 201 429" "captcha issuance is limited"
fresh_window
codes=""
for _ in 1 2 3; do req POST /api/v1/registrasi/mulai '{"nip":"x","email":"y"}'; codes="$codes $STATUS"; done
is "$codes" " 400 400 429" "registration attempts are limited"
# Failed logins from one address across different NIPs: locked after 3.
codes=""
for i in 1 2 3 4; do
    nip=$(range_nips rate_limits_logins "$i")
    req POST /api/v1/auth/login "{\"nip\":\"$nip\",\"kata_kunci\":\"tebakan-$i\"}"; codes="$codes $STATUS"
done
is "$codes" " 401 401 401 429" "failed logins from one address lock it out, across NIPs"
is "$(jget code)" "login_dikunci" "the address lock-out says so in Indonesian"
wait_s=$(redis-cli -u "$PUPNS_REDIS_URL" TTL lock:login:127.0.0.1)
check "the lock lasts 30 s at first" test "$wait_s" -gt 0 -a "$wait_s" -le 30
# A successful login on one's own account does not buy more guesses.
own=$(range_nips rate_limits_own)
reg=$(/usr/bin/python3 - "$own" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "e2e"))
import pupns_client as pc
print(pc.register(sys.argv[1], base=os.environ["MAIN_URL"])[0])
PY
)
check "an own account to log in to ($own: $reg)" test "$reg" = 201 -o "$reg" = 409
redis-cli -u "$PUPNS_REDIS_URL" --scan --pattern '*:login:*' | xargs -r redis-cli -u "$PUPNS_REDIS_URL" DEL >/dev/null
codes=""
for pw in salah-1 salah-2 'Rahasia#Malang75' salah-3 salah-4; do
    nip=$(range_nips rate_limits_guesses "$((1 + ${#codes} / 4))"); [ "$pw" = 'Rahasia#Malang75' ] && nip=$own
    req POST /api/v1/auth/login "{\"nip\":\"$nip\",\"kata_kunci\":\"$pw\"}"; codes="$codes $STATUS"
done
is "$codes" " 401 401 200 401 429" "the address's failures count on across its own successful login"

# Guessing at one NIP slows that NIP from that address only (after
# PUPNS_LOGIN_PAIR_LOCK_AFTER=2 failures), never its owner elsewhere.
redis-cli -u "$PUPNS_REDIS_URL" --scan --pattern '*login*' | xargs -r redis-cli -u "$PUPNS_REDIS_URL" DEL >/dev/null
target=$(range_nips rate_limits_pair)
login_from() {
    curl -s -o /dev/null -w '%{http_code}' --interface "$1" -H 'Content-Type: application/json' \
        -d "{\"nip\":\"$target\",\"kata_kunci\":\"$2\"}" "$BASE_URL/api/v1/auth/login"
}
codes=""; for i in 1 2 3; do codes="$codes $(login_from 127.0.0.3 tebak-$i)"; done
is "$codes" " 401 401 429" "failures for one NIP from one address bring a delay for that pair"
is "$(login_from 127.0.0.4 tebak-4)" 401 "the same NIP from another address is not delayed (its owner can still log in)"
check "the pair's delay is kept per NIP and address" \
    test "$(redis-cli -u "$PUPNS_REDIS_URL" TTL "lock:login-pair:$target@127.0.0.3")" -gt 0

# Failed recovery (reset by answer, issue 11) from one address across NIPs:
# locked after 3 like logins (class "recovery"); captchas from the main gateway.
redis-cli -u "$PUPNS_REDIS_URL" --scan --pattern '*:recovery:*' | xargs -r redis-cli -u "$PUPNS_REDIS_URL" DEL >/dev/null
codes=$(/usr/bin/python3 - "$BASE_URL" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "e2e"))
import pupns_client as pc
nips = pc.range_nips("rate_limits_resets")
out = []
for nip in nips:
    cid, ans = pc.captcha(base=os.environ["MAIN_URL"])
    s, b, _ = pc.call("POST", "/api/v1/kata-kunci/reset", {"nip": nip, "no_registrasi": "C8Y9GVRX", "jawaban": "tebakan",
                      "kata_kunci": "Baru#Sekali2026", "konfirmasi": "Baru#Sekali2026", "captcha_id": cid,
                      "captcha_jawaban": ans}, base=sys.argv[1])
    out.append(f"{s}:{(b or {}).get('code')}")
print(" ".join(out))
PY
)
is "$codes" "401:data_tidak_cocok 401:data_tidak_cocok 401:data_tidak_cocok 429:percobaan_dikunci" \
    "failed resets from one address lock it out, across NIPs"
redis-cli -u "$PUPNS_REDIS_URL" --scan --pattern '*:recovery:*' | xargs -r redis-cli -u "$PUPNS_REDIS_URL" DEL >/dev/null

# A burst of concurrent look-ups from one address: exactly the limit passes
# (before, requests that found the Redis connections busy skipped the limiter).
fresh_window
redis-cli -u "$PUPNS_REDIS_URL" --scan --pattern 'rate:*' | xargs -r redis-cli -u "$PUPNS_REDIS_URL" DEL >/dev/null
burst=$(seq 120 | xargs -P 60 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$BASE_URL/api/v1/pns/197501022014071003" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
echo "# 120 concurrent look-ups against a limit of 5: $burst"
is "$(echo "$burst" | tr ';' '\n' | awk '$2 == 200 {print $1}')" 5 "a concurrent burst gets exactly the limit through"
"$TOP/infra/stack/svc.sh" stop gateway 3

# Without Redis the limits hold in the gateway's own memory.
port4=$((PUPNS_HTTP_PORT + 4))
# (Started directly: the stack scripts always give a service the stack's Redis;
# nothing listens on base+99.)
(
    set -a; source "$STATE_DIR/secrets.env"; set +a
    unset PUPNS_REGISTRATION_SECRET_KEY PUPNS_REGISTRATION_PEPPER
    PUPNS_HTTP_PORT=$port4 PUPNS_REDIS_URL=redis://127.0.0.1:$((STACK_BASE + 99))/0 PUPNS_RATE_LOOKUP=5 \
        PUPNS_LOGIN_LOCK_AFTER=3 PUPNS_INSTANCE_ID=$STACK_NAME-gateway-4 \
        exec "$BIN_DIR/pupns-gateway" >>"$STATE_DIR/logs/gateway-4.log" 2>&1
) &
gw4=$!
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port4/readyz" >/dev/null && break; sleep 0.2; done
BASE_URL=http://127.0.0.1:$port4
fresh_window
codes=""
for _ in 1 2 3 4 5 6 7; do req GET /api/v1/pns/197501022014071003; codes="$codes $STATUS"; done
is "$codes" " 200 200 200 200 200 429 429" "with Redis down, look-ups over the limit still get 429 (counted in memory)"
codes=""
for i in 1 2 3 4; do
    nip=$(range_nips rate_limits_logins_memory "$i")
    req POST /api/v1/auth/login "{\"nip\":\"$nip\",\"kata_kunci\":\"tebakan-$i\"}"; codes="$codes $STATUS"
done
is "$codes" " 401 401 401 429" "with Redis down, failed logins still lock the address out"
kill "$gw4"; wait "$gw4" 2>/dev/null
