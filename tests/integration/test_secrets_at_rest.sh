#!/usr/bin/env bash
# test_secrets_at_rest.sh -- registers a PNS with recognisable secrets, then
# greps every service log, a dump of the whole database and every Kafka
# topic for them: none may appear in plain text.
source "$(dirname "$0")/../lib.sh"
nip=$(sed -n '900p' "$NIPS_FILE")
pw="Sandi-Unik-$RANDOM-Xq"; ibu="Ibunda Unik $RANDOM"; jawab="Jawaban Unik $RANDOM"
out=$(/usr/bin/python3 - "$nip" "$pw" "$ibu" "$jawab" <<'PY'
import sys, os
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "e2e"))
from pupns_client import start, captcha, call, form
nip, pw, ibu, jawab = sys.argv[1:5]
s, b, _ = start(nip)
cid, ans = captcha()
s, b, _ = call("POST", "/api/v1/registrasi", form(b["token"], cid, ans, password=pw, nama_ibu_kandung=ibu, jawaban=jawab))
s2, _, _ = call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": pw})
print(s, s2)
PY
)
is "$out" "201 200" "a PNS with recognisable secrets registers and logs in"
sleep 1
dump=$(mktemp)
pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres pupns >"$dump"
check "the database dump was taken" grep -q "registration.account" "$dump"
# The topics' half must have read something: the command that carried the
# secrets (sealed) is on pupns.registration.commands, keyed by the NIP.
topics_dump=$(mktemp)
kcat_ok=1
for topic in pupns.registration.commands pupns.registration.events pupns.registration.queries; do
    kcat -C -b "$PUPNS_KAFKA_BROKERS" -t "$topic" -o beginning -e -q -f '%k %s\n' >>"$topics_dump" 2>"$topics_dump.err" \
        || { kcat_ok=0; echo "# kcat $topic: $(head -c 300 "$topics_dump.err")"; }
done
is "$kcat_ok" 1 "every registration topic was read"
check "the topics hold the registration command and event of $nip" grep -q "^$nip .*registration.submit.v1" "$topics_dump"
cat "$topics_dump" >>"$dump"
rm -f "$topics_dump" "$topics_dump.err"
logs=$(cat "$STATE_DIR"/logs/*.log 2>/dev/null | wc -l)
check "the service logs were read ($logs lines)" test "$logs" -gt 0
cat "$STATE_DIR"/logs/*.log >>"$dump"
for secret in "$pw" "$ibu" "$jawab" "$(echo "$ibu" | tr a-z A-Z)" "$(echo "$jawab" | tr a-z A-Z)"; do
    if grep -qF "$secret" "$dump"; then tap_fail "'$secret' appears nowhere in logs, tables or topics"
    else tap_ok "'$secret' appears nowhere in logs, tables or topics"; fi
done
rm -f "$dump"
