#!/usr/bin/env bash
# test_proto.sh -- what the services really put on Kafka validates against
# proto/, and libcommon/contract.h names the topics and types proto/ lists.
#
# Makes traffic through the gateway covering every implemented flow (look-ups,
# captcha issue and check, registration of one fresh NIP of range proto
# (tests/ranges.tsv) and a refused second attempt, login, the owner's view, logout),
# then reads every topic of proto/topics.json with kcat from the moment the
# traffic started (the per-instance reply topic: the gateway's, from /readyz)
# and validates every message against envelope.schema.json and the schema of
# its type, proto/schemas/<type without "id.go.bkn.pupns.">.json.
# Needs BASE_URL, PUPNS_KAFKA_BROKERS, PUPNS_REDIS_URL, NIPS_FILE, TOP.
source "$(dirname "$0")/../lib.sh"
exec /usr/bin/python3 - "$TOP" <<'PY'
import json
import os
import re
import subprocess
import sys
import time
import uuid

import jsonschema

top = sys.argv[1]
proto = f"{top}/proto"
sys.path.insert(0, f"{top}/tests/e2e")
import pupns_client as pc  # noqa: E402
import correction_client as cc  # noqa: E402

pc.BASE = os.environ["BASE_URL"]
brokers = os.environ["PUPNS_KAFKA_BROKERS"]
PREFIX = "id.go.bkn.pupns."
n = 0


def tap(ok, name, why=""):
    global n
    n += 1
    print(("ok" if ok else "not ok") + f" {n} - {name}" + (f"\n#   {why}" if why and not ok else ""), flush=True)
    return ok


def skip(name, why):
    global n
    n += 1
    print(f"ok {n} - {name} # SKIP {why}", flush=True)


# ---- traffic ---------------------------------------------------------------
t0 = int(time.time() * 1000)
s, ready, _ = pc.call("GET", "/readyz")
reply_topic = (ready or {}).get("reply_topic", "")
tap(s == 200 and reply_topic.startswith("pupns.gateway.replies."), f"the gateway names its reply topic ({reply_topic})", ready)
for nip, want in (("197501022014071003", 200), ("199001012015011999", 404)):
    s, b, _ = pc.call("GET", "/api/v1/pns/" + nip)
    tap(s == want, f"look-up of {nip} -> {want}", (s, b))

candidates = pc.range_nips("proto")
nip = token = None
for cand in candidates:
    s, b, _ = pc.start(cand)
    if s == 200:
        nip, token = cand, b["token"]
        break
no = ""
if tap(nip is not None, f"a NIP not registered yet, of range proto ({nip})", "all taken: use a fresh stack"):
    cid, _ = pc.captcha()
    s, b, _ = pc.call("POST", "/api/v1/registrasi", pc.form(token, cid, "XXXXXXX"))
    tap(s == 400 and [e["code"] for e in b.get("errors", [])] == ["captcha_salah"], "a wrong captcha answer is checked and refused", (s, b))
    cid, ans = pc.captcha()
    s, reg, _ = pc.call("POST", "/api/v1/registrasi", pc.form(token, cid, ans))
    no = (reg or {}).get("no_registrasi", "")
    tap(s == 201 and no, f"{nip} registers ({no})", (s, reg))
    cid, ans = pc.captcha()
    s, b, _ = pc.call("POST", "/api/v1/registrasi", pc.form(token, cid, ans))
    tap(s == 409, "a second registration is refused (registration.rejected.v1)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": "bukan-kata-kuncinya"})
    tap(s == 401, "a wrong password is denied", (s, b))
    s, sess, _ = pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": "Rahasia#Malang75"})
    tap(s == 200, "login", (s, sess))
    bearer = {"Authorization": "Bearer " + (sess or {}).get("token", "-" * 43)}
    s, b, _ = pc.call("GET", "/api/v1/registrasi/" + no, headers=bearer)
    tap(s == 200 and b == reg, "the owner reads the registration", (s, b))
    for _ in range(60):  # receipt.document.*: 202 until the receipt service has the event
        s, _, _ = pc.call("GET", f"/api/v1/registrasi/{no}/bukti.pdf", headers=bearer)
        if s != 202:
            break
        time.sleep(0.25)
    tap(s == 200, "the owner fetches the Bukti Registrasi (receipt.document.*)", s)
    s, b, _ = pc.call("GET", "/api/v1/bukti/kunci")
    tap(s == 200, "the receipts' public keys (receipt.keys.*)", (s, b))
    s, b, _ = pc.call("GET", "/api/v1/bukti/verifikasi?q=PUPNS1.bukan")
    tap(s == 200 and b.get("valid") is False, "a QR payload is checked (receipt.verify.*)", (s, b))
    # Recovery and the own account (issue 11): every command, the account
    # query and the six notices (the welcome notice came with the registration).
    pg = ["psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns"]
    s, b, _ = pc.call("GET", "/api/v1/akun", headers=bearer)
    tap(s == 200, "the own account (registration.account.*)", (s, b))
    def with_captcha(body):
        cid, ans = pc.captcha()
        return dict(body, captcha_id=cid, captcha_jawaban=ans)
    s, b, _ = pc.call("POST", "/api/v1/kata-kunci/reset", with_captcha({"nip": nip, "no_registrasi": no, "jawaban": "salah",
                      "kata_kunci": "Baru#Sekali2026", "konfirmasi": "Baru#Sekali2026"}))
    tap(s == 401, "a wrong reset by answer (registration.password.reset.*)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/kata-kunci/baru", {"token": "A" * 43, "kata_kunci": "Baru#Sekali2026", "konfirmasi": "Baru#Sekali2026"})
    tap(s == 400, "an unknown reset link (registration.password.token_reset.*)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": "A" * 43})
    tap(s == 400, "an unknown verification link (registration.email.verify.*)", (s, b))
    subprocess.run(pg + ["-c", f"UPDATE registration.account SET email_verified_at = now() WHERE nip = '{nip}'"], check=True)
    s, b, _ = pc.call("POST", "/api/v1/kata-kunci/lupa", with_captcha({"nip": nip}))
    tap(s == 202, "lupa for a verified address (registration.password.forgot.*, reset_link)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/status", with_captcha({"nip": nip, "nama_ibu_kandung": "Siti Aminah", "jawaban": "SD Negeri 3 Klojen"}))
    tap(s == 200 and b.get("dikirim_ke_email") is True, "cek status, mailed (registration.status.check.*, status.mail.*, status_mail)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/akun/email", {"email": "proto.baru@example.go.id"}, headers=bearer)
    tap(s == 202, "an address change (registration.email.change.*, email_verification, email_changed)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/akun/email/kirim-ulang", headers=bearer)
    tap(s == 429, "a new link too soon (registration.email.resend.*)", (s, b))
    s, b, _ = pc.call("POST", "/api/v1/akun/kata-kunci", {"kata_kunci_lama": "Rahasia#Malang75", "kata_kunci": "Ganti#Sendiri2026",
                      "konfirmasi": "Ganti#Sendiri2026"}, headers=bearer)
    tap(s == 200, "a password change (registration.password.change.*, password_reset)", (s, b))
    s, b, _ = pc.call("GET", f"/api/v1/pns/{nip}/koreksi", headers=bearer)
    tap(s == 200, "the owner's correction reports (identity.correction.list.*)", (s, b))
    s, _, _ = pc.call("POST", "/api/v1/auth/logout", headers=bearer)
    tap(s == 204, "logout", s)
    # Reports need step 2's flow token (still valid) and a captcha (correction_client.py).
    s, b, _ = cc.report(nip, {"field": "nama", "usulan": "NAMA YANG BENAR"}, token=token)
    tap(s == 201, "a correction report (identity.correction.*)", (s, b))
    # What the verifier service sends to identity, planted with kcat: the
    # replies come to the gateway's reply topic (late replies it ignores).
    def plant(topic, type_, key, data):
        ev = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/pupns/test/proto", "type": PREFIX + type_,
              "datacontenttype": "application/json", "replyto": reply_topic, "deadline_ms": 30000, "data": data}
        r = subprocess.run(["kcat", "-P", "-b", brokers, "-t", topic, "-k", key], input=json.dumps(ev),
                           capture_output=True, text=True, timeout=30)
        return r.returncode == 0
    s2, b2, _ = cc.report(nip, {"field": "nama", "usulan": "NAMA LAIN"}, token=token)
    unit = pc.call("GET", f"/api/v1/pns/{nip}")[1]["unit_kerja"]["kode"]
    tap(s2 == 201 and all([
        plant("pupns.identity.requests", "identity.unit.get.v1", unit, {"unit_kerja_kode": unit}),
        plant("pupns.identity.requests", "identity.unit.members.v1", unit, {"unit_kerja_kode": unit, "limit": 5}),
        plant("pupns.identity.commands", "identity.correction.resolve.v1", nip,
              {"command_id": str(uuid.uuid4()), "correction_id": b["id"], "decision": "accept", "resolved_by": "proto"}),
        plant("pupns.identity.commands", "identity.correction.resolve.v1", nip,
              {"command_id": str(uuid.uuid4()), "correction_id": b2["id"], "decision": "reject", "reason": "tidak sesuai",
               "resolved_by": "proto"})]),
        "unit queries and both outcomes of a report (identity.unit.*, identity.correction.resolve.*, corrected, rejected)")
    # The verifier (issue 10): its logins, operations and unit status, and
    # every event of pupns.verifier.events, from this NIP's receipt.
    sys.path.insert(0, f"{top}/tests/integration")
    import verifier_helpers as vh  # noqa: E402
    inst = pc.call("GET", f"/api/v1/pns/{nip}")[1]["instansi"]["kode"]
    t1 = vh.login(vh.add_user("proto-v1", "verifikator1", units=[unit]))
    t2 = vh.login(vh.add_user("proto-v2", "verifikator2", instansi=[inst]))
    known = False
    for _ in range(240):  # the verifier learns the registration from its event
        s, b = vh.api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?q={nip}", t1)
        known = s == 200 and any(i.get("nip") == nip and i.get("state") == "registered" for i in b.get("items", []))
        if known:
            break
        time.sleep(0.25)
    steps = [known]
    steps.append(vh.api("GET", f"/api/v1/unit-kerja/{unit}/status")[0] == 200)
    steps.append(vh.api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": no})[0] == 201)
    steps.append(vh.api("DELETE", f"/api/v1/verifikator/tanda-terima/{no}", t1)[0] == 200)
    steps.append(vh.api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": no})[0] == 201)
    s, bt = vh.api("POST", "/api/v1/verifikator/batch", t1, {"unit_kerja_kode": unit, "kirim": True})
    steps.append(s == 201)
    bid = (bt or {}).get("id", 0)
    steps.append(vh.api("POST", f"/api/v1/verifikator/batch/{bid}/kembalikan", t2, {"alasan": "Tanda tangan belum ada"})[0] == 200)
    steps.append(vh.api("POST", f"/api/v1/verifikator/batch/{bid}/kirim", t1)[0] == 200)
    s, acc = vh.api("POST", f"/api/v1/verifikator/batch/{bid}/terima", t2)
    steps.append(s == 200)
    tap(all(steps), "the verifier path: login, operations, unit status; mark, undo, mark, batch submitted, returned, "
        "resubmitted, accepted (verifier.*, receipt.received/unmarked, batch.*, unit.activated)", (steps, acc))

# A message no service can read: the captcha service dead-letters it (deadletter.v1).
kc = subprocess.run(["kcat", "-P", "-b", brokers, "-t", "pupns.captcha.requests", "-k", "test-proto"],
                    input="not a cloudevent", capture_output=True, text=True, timeout=30)
tap(kc.returncode == 0, "a poison message is produced", kc.stderr)
time.sleep(1)  # the dead letter is written once the captcha service has read it

# ---- capture ---------------------------------------------------------------
topics = json.load(open(f"{proto}/topics.json"))["topics"]


def capture(topic):
    """Every message of topic since t0: [(key, value)]."""
    r = subprocess.run(["kcat", "-C", "-b", brokers, "-t", topic, "-o", f"s@{t0}", "-e", "-q", "-J"],
                       capture_output=True, text=True, timeout=60)
    msgs = []
    for line in r.stdout.splitlines():
        if line.strip():
            m = json.loads(line)
            msgs.append((m.get("key"), m.get("payload")))
    return msgs


def events_arrived():
    got = set()
    for topic in ("pupns.registration.events", "pupns.identity.events"):
        for key, payload in capture(topic):
            try:
                m = json.loads(payload)
            except (TypeError, ValueError):
                continue
            if m.get("subject") == nip:
                got.add(m.get("type"))
    return {PREFIX + "registration.completed.v1", PREFIX + "registration.rejected.v1",
            PREFIX + "identity.correction.requested.v1", PREFIX + "identity.corrected.v1",
            PREFIX + "identity.correction.rejected.v1"} <= got


if nip:  # the outbox relays publish shortly after the commit
    deadline = time.time() + 20
    while not events_arrived() and time.time() < deadline:
        time.sleep(0.2)
    tap(events_arrived(), f"the outboxes published {nip}'s completed, rejected and correction events")

captured = {}  # topic name -> [(key, value)]
for t in topics:
    name = reply_topic if t.get("per_instance") else t["name"]
    captured[name] = capture(name) if name else []

# ---- validation --------------------------------------------------------------
env = json.load(open(f"{proto}/envelope.schema.json"))
schemas = {}


def schema_of(type_):
    """The schema of a type by the file-name rule, or None."""
    if type_ not in schemas:
        path = f"{proto}/schemas/{type_[len(PREFIX):]}.json" if type_.startswith(PREFIX) else None
        schemas[type_] = json.load(open(path)) if path and os.path.exists(path) else None
    return schemas[type_]


header = open(f"{top}/libcommon/contract.h").read()
contract_types = re.findall(r'#define PC_TYPE_\w+\s+"([^"]+)"', header)
seen_types = set()
for t in topics:
    name = reply_topic if t.get("per_instance") else t["name"]
    # The poison planted above is no contract message: its dead letter is.
    msgs = [(k, v) for k, v in captured.get(name, []) if k != "test-proto" or name != "pupns.captcha.requests"]
    if not msgs:
        tap(False, f"messages captured from {name}", "the traffic above should have produced some")
        continue
    bad = []
    for key, payload in msgs:
        try:
            m = json.loads(payload)
            jsonschema.validate(m, env)
            schema = schema_of(m["type"])
            if schema is None:
                raise ValueError(f"{m['type']}: no schema file proto/schemas/{m['type'][len(PREFIX):]}.json")
            jsonschema.validate(m["data"], schema)
            seen_types.add(m["type"])
        except Exception as e:  # noqa: BLE001 - every failure is reported
            what = m.get("type", "?") if isinstance(m, dict) else "?"
            bad.append(f"{what}: {str(e).splitlines()[0]}")
    tap(not bad, f"all {len(msgs)} messages captured from {name} validate against proto/",
        "; ".join(sorted(set(bad))[:5]))
    parsed = []
    for _, p in msgs:
        try:
            parsed.append(json.loads(p))
        except (TypeError, ValueError):
            parsed.append({})
    if t.get("per_instance"):
        tap(all("correlationid" in m for m in parsed), f"every reply on {name} carries correlationid")
    elif name.endswith(".events") or name.endswith(".notices"):
        wrong = [m.get("id") for (k, _), m in zip(msgs, parsed) if not m.get("subject") or k != m.get("subject")
                 or "replyto" in m or "correlationid" in m]
        tap(not wrong, f"every event on {name} has subject = Kafka key and no request/reply attributes", wrong[:3])
    elif name == "pupns.deadletter":
        wrong = [m.get("id") for (k, _), m in zip(msgs, parsed) if k and k != m.get("subject")]
        tap(not wrong, f"every record on {name} keeps the original key as key and subject", wrong[:3])
    else:
        tap(all("replyto" in m and "deadline_ms" in m for m in parsed), f"every request on {name} carries replyto and deadline_ms")
    # The topic's entry in topics.json names every type seen on it, in its
    # flows or schema text (a glob such as registration.*.v1 names nothing).
    listed = re.findall(r"[a-z_]+(?:\.[a-z_]+)*\.v[0-9]+", t.get("flows", "") + " " + t.get("schema", ""))
    listed = {x[len(PREFIX):] if x.startswith(PREFIX) else x for x in listed}
    unlisted = sorted({m.get("type", "")[len(PREFIX):] for m in parsed if m.get("type", "")[len(PREFIX):] not in listed})
    tap(not unlisted, f"topics.json lists every type seen on {t['name']}", ", ".join(unlisted))

missing = [c for c in contract_types if c not in seen_types]
tap(not missing, "the traffic covered every type in contract.h", ", ".join(missing))

# ---- contract.h against proto/ -----------------------------------------------
names = {t["name"] for t in topics}
consts = re.findall(r'#define PC_TOPIC_\w+\s+"([^"]+)"', header)
tap(all(c in names or any(t["name"].startswith(c) for t in topics) for c in consts),
    "every topic in contract.h is listed in topics.json",
    ", ".join(c for c in consts if c not in names and not any(t["name"].startswith(c) for t in topics)))
no_schema = [c for c in contract_types if schema_of(c) is None]
tap(not no_schema, "every type in contract.h has a schema", ", ".join(no_schema))
files = sorted(f[:-5] for f in os.listdir(f"{proto}/schemas") if f.endswith(".json"))
stray = [f for f in files if PREFIX + f not in contract_types]
tap(not stray, "every schema file is a type in contract.h", ", ".join(stray))
PY
