#!/usr/bin/env bash
# test_proto.sh -- what the services really put on Kafka validates against
# proto/, and libcommon/contract.h names the topics and types proto/ lists.
source "$(dirname "$0")/../lib.sh"
out=$(mktemp -d)
# Make some traffic, then read back the request topic and the gateway's reply topic.
for nip in 197501022014071003 199001012015011999; do curl -s "$BASE_URL/api/v1/pns/$nip" >/dev/null; done
reply_topic=$(curl -s "$BASE_URL/readyz" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["reply_topic"])')
kcat -C -b "$PUPNS_KAFKA_BROKERS" -t pupns.identity.requests -o beginning -e -q -f '%s\n' >"$out/requests" 2>/dev/null
kcat -C -b "$PUPNS_KAFKA_BROKERS" -t "$reply_topic" -o beginning -e -q -f '%s\n' >"$out/replies" 2>/dev/null
check "requests were captured" test -s "$out/requests"
check "replies were captured" test -s "$out/replies"

/usr/bin/python3 - "$TOP/proto" "$out" "$TOP/libcommon/contract.h" <<'PY'
import json, re, sys
import jsonschema
proto, out, contract = sys.argv[1:4]
env = json.load(open(f"{proto}/envelope.schema.json"))
schemas = {
    "id.go.bkn.pupns.identity.lookup.v1": json.load(open(f"{proto}/schemas/identity.lookup.v1.json")),
    "id.go.bkn.pupns.identity.lookup.reply.v1": json.load(open(f"{proto}/schemas/identity.lookup.reply.v1.json")),
}
n = 0
def tap(ok, name, why=""):
    global n; n += 1
    print(("ok" if ok else "not ok") + f" {n} - {name}" + (f"\n#   {why}" if why and not ok else ""))
for kind in ("requests", "replies"):
    msgs = [json.loads(l) for l in open(f"{out}/{kind}") if l.strip()]
    bad = []
    for m in msgs:
        try:
            jsonschema.validate(m, env)
            jsonschema.validate(m["data"], schemas[m["type"]])
        except Exception as e:
            bad.append(str(e).splitlines()[0])
    tap(msgs and not bad, f"all {len(msgs)} captured {kind} validate against proto/", "; ".join(bad[:3]))
    if kind == "replies":
        tap(all("correlationid" in m for m in msgs), "every reply carries correlationid")
    else:
        tap(all("replyto" in m and "deadline" in m for m in msgs), "every request carries replyto and deadline")
topics = json.load(open(f"{proto}/topics.json"))["topics"]
names = {t["name"] for t in topics}
header = open(contract).read()
consts = re.findall(r'#define PC_TOPIC_\w+\s+"([^"]+)"', header)
tap(all(c in names or any(t["name"].startswith(c) for t in topics) for c in consts),
    "every topic in contract.h is listed in topics.json")
types = re.findall(r'#define PC_TYPE_\w+\s+"([^"]+)"', header)
tap(all(t in schemas for t in types), "every type in contract.h has a schema")
PY
rm -rf "$out"
