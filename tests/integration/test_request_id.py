"""test_request_id.py -- one id finds a request in every log: the gateway's
X-Request-Id travels in each CloudEvent the request causes (the `requestid`
extension), through the services' serve loops and outboxes, and every log
line about it carries it as "rid". NIPs: NIPS_FILE lines 931-940."""
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402
import correction_client as cc  # noqa: E402

t = pc.Tap()
logs = os.path.join(os.environ["STATE_DIR"], "logs")
brokers = os.environ["PUPNS_KAFKA_BROKERS"]


def lines_with(text, service):
    """JSON log lines of every instance of service that contain text."""
    out = []
    for name in sorted(os.listdir(logs)):
        if not name.startswith(service + "-"):
            continue
        with open(os.path.join(logs, name), errors="replace") as f:
            for line in f:
                if text in line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    return out


def events_about(topic, nip, t0):
    r = subprocess.run(["kcat", "-C", "-b", brokers, "-t", topic, "-o", f"s@{t0}", "-e", "-q", "-J"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        read_errors.append(f"{topic}: {r.stderr[:200]}")
    found = []
    for line in r.stdout.splitlines():
        m = json.loads(line)
        try:
            ev = json.loads(m.get("payload") or "")
        except ValueError:
            continue
        if ev.get("subject") == nip:
            found.append(ev)
    return found


read_errors = []
t0 = int(time.time() * 1000) - 1000
nip = None
for cand in pc.range_nips("request_id"):
    s, b, _ = pc.start(cand)
    if s == 200:
        nip, token = cand, b["token"]
        break
t.ok(nip is not None, "a NIP not registered yet (NIPS_FILE lines 931-940)")
rid = "itest-" + uuid.uuid4().hex[:20]
cid, ans = pc.captcha()
s, reg, hdrs = pc.call("POST", "/api/v1/registrasi", pc.form(token, cid, ans), headers={"X-Request-Id": rid})
t.ok(s == 201, f"{nip} registers with X-Request-Id {rid}", (s, reg))
t.ok(hdrs.get("X-Request-Id") == rid, "the gateway answers with the same X-Request-Id", hdrs.get("X-Request-Id"))

rid2 = "itest-" + uuid.uuid4().hex[:20]
s, b, _ = cc.report(nip, {"field": "nama", "usulan": "NAMA YANG BENAR"}, token=token, headers={"X-Request-Id": rid2},
                    attempts=1)  # the step 2 token of the registration above (still valid)
t.ok(s == 201, "a correction report with its own X-Request-Id", (s, b))

# The outbox relays publish shortly after the commit.
completed = corrections = []
for _ in range(100):
    completed = [e for e in events_about("pupns.registration.events", nip, t0)
                 if e["type"].endswith("registration.completed.v1")]
    corrections = events_about("pupns.identity.events", nip, t0)
    if completed and corrections:
        break
    time.sleep(0.2)
t.ok(not read_errors, "the event topics can be read with kcat", read_errors[:2])
t.ok(len(completed) == 1 and completed[0].get("requestid") == rid,
     "the public registration.completed event carries the request id", completed)
t.ok(len(corrections) == 1 and corrections[0].get("requestid") == rid2,
     "the correction.requested event carries its request id", corrections)

about = lines_with(f"registration completed for {nip}", "registration")
t.ok(about and all(line.get("rid") == rid for line in about),
     "the registration service's log line about it carries rid", about)
about = lines_with(f"correction of nama reported for {nip}", "identity")
t.ok(about and all(line.get("rid") == rid2 for line in about),
     "the identity service's log line about the report carries rid", about)
by_rid = {svc: len(lines_with(f'"rid":"{rid}"', svc)) for svc in ("gateway", "registration", "identity", "captcha")}
print(f"# log lines with rid {rid}: {by_rid}")
t.ok(by_rid["registration"] >= 1, "grep for the one id finds the request in the registration service's log", by_rid)
print(f"1..{t.n}")
