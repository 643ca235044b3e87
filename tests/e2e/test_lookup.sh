#!/usr/bin/env bash
# test_lookup.sh -- step 1 (Cari) over HTTP: GET /api/v1/pns/{nip} and the
# gateway's health endpoints, against the running test stack.
source "$(dirname "$0")/../lib.sh"

req GET /api/v1/pns/197501022014071003
is "$STATUS" 200 "tutorial NIP is found"
is "$(jget nama)" "AKHMAD SOLEH ARIFIN" "tutorial NIP has the tutorial's name"
is "$(jget instansi.nama)" "Pemerintah Kota Malang" "tutorial NIP is at Pemerintah Kota Malang"
is "$(jget instansi.kode)" "K3573" "instansi carries its code"
check "unit kerja has a code and a name" test -n "$(jget unit_kerja.kode)" -a -n "$(jget unit_kerja.nama)"
is "$(jget nip)" "197501022014071003" "reply echoes the NIP"
case "$CTYPE" in application/json*) tap_ok "look-up answers application/json";; *) tap_fail "look-up answers application/json" "$CTYPE";; esac

# Every way a NIP can be malformed has its own code.
while read -r nip code field; do
    req GET "/api/v1/pns/$nip"
    is "$STATUS $(jget code) $(jget errors.0.field)" "400 $code $field" "NIP $nip is rejected as $code"
done <<'CASES'
19750102201407100 nip_length nip
1975010220140710033 nip_length nip
19750102201407100X nip_not_digits nip
197502302014071003 nip_birth_date tanggal_lahir
197501022014131003 nip_tmt_invalid tmt_cpns
197501021990071003 nip_tmt_before_18 tmt_cpns
197501029999071003 nip_tmt_future tmt_cpns
197501022014073003 nip_gender jenis_kelamin
197501022014071000 nip_serial nomor_urut
CASES
req GET "/api/v1/pns/1975%2001022014071003"
is "$STATUS" 400 "a NIP with a space is rejected"
case "$CTYPE" in application/problem+json*) tap_ok "errors are application/problem+json";; *) tap_fail "errors are application/problem+json" "$CTYPE";; esac
check "error detail is in Indonesian" grep -q "NIP" <<<"$(jget detail)"

req GET /api/v1/pns/199001012015011999
is "$STATUS $(jget code)" "404 nip_tidak_ditemukan" "a valid but unknown NIP is 404"

req GET /healthz
is "$STATUS" 200 "/healthz answers"
req GET /readyz
is "$STATUS $(jget status)" "200 ready" "/readyz is ready"
req GET /metrics
check "/metrics counts requests by route and status" grep -q 'pupns_http_requests_total{route="/api/v1/pns/:nip",method="GET",status="200"}' <<<"$BODY"
check "/metrics has the latency histogram" grep -q 'pupns_http_request_duration_seconds_bucket' <<<"$BODY"
check "/metrics has in-flight Kafka requests" grep -q '^pupns_kafka_inflight_requests ' <<<"$BODY"

# The other services' operator endpoints (instance 1: base+11..13).
for pair in identity:11 captcha:12 registration:13; do
    svc=${pair%%:*}; url=http://127.0.0.1:$((STACK_BASE + ${pair##*:}))
    is "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" 200 "$svc answers /healthz"
    is "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" 200 "$svc is ready (broker and its topic reachable)"
done
check "identity's /metrics counts answered requests" grep -q '^identity_requests_total' <<<"$(curl -s "http://127.0.0.1:$((STACK_BASE + 11))/metrics")"

req GET /api/v1/tidak-ada
is "$STATUS $(jget code)" "404 tidak_ditemukan" "unknown API route is a problem+json 404"
req GET /../../etc/passwd
is "$STATUS" 404 "path traversal finds nothing"
req GET /
is "$STATUS" 200 "the portal's index page is served"
check "the portal is in Bahasa Indonesia" grep -qi "Cari" <<<"$BODY"
req DELETE /api/v1/pns/197501022014071003
check "an unsupported method is a 4xx, never a 5xx" test "$STATUS" -ge 400 -a "$STATUS" -lt 500
long=$(head -c 20000 /dev/zero | tr '\0' '9')
req GET "/api/v1/pns/$long"
check "an absurdly long NIP is a 4xx" test "$STATUS" -ge 400 -a "$STATUS" -lt 500
big=$(head -c 200000 /dev/zero | tr '\0' 'a')
req POST /api/v1/pns/197501022014071003 "{\"x\":\"$big\"}"
is "$STATUS $(jget code)" "413 permintaan_terlalu_besar" "an oversized body is refused with 413"
req GET /healthz
is "$STATUS" 200 "the gateway is still alive after bad input"

# The identity service stops answering: a 504 in bounded time, never a hang.
"$TOP/infra/stack/svc.sh" stop identity
start=$(date +%s%N)
req GET /api/v1/pns/197501022014071003
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$STATUS $(jget code)" "504 layanan_tidak_menjawab" "no identity service: 504"
echo "# 504 came after ${took} ms"
"$TOP/infra/stack/svc.sh" start identity
ok=0
for _ in $(seq 100); do
    req GET /api/v1/pns/197501022014071003
    [ "$STATUS" = 200 ] && { ok=1; break; }
    sleep 0.2
done
is "$ok" 1 "look-ups work again after the identity service restarts"
