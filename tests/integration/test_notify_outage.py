"""test_notify_outage.py -- the SMTP server down for more than a minute:
notify keeps the mails (the serve loop retries an event without a budget,
with backoff; failed attempts are counted in notify.mail), is SIGKILLed and
restarted in the middle of the outage, and once the sink is back every mail
arrives exactly once. No timing is asserted: the outage's length is what is
being survived. Needs the variables of tests/run.sh."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import notify_lib as nl  # noqa: E402

N = int(os.environ.get("NOTIFY_OUTAGE_MAILS", "40"))
OUTAGE_S = int(os.environ.get("NOTIFY_OUTAGE_S", "65"))

T = nl.Tap()
T.ok(nl.notify_ready(), "notify is ready")
before = nl.metrics()
run = random.randrange(10 ** 6)
events = {}
for i in range(N):
    kind = nl.TYPES[i % len(nl.TYPES)]
    nip = f"19810202200602{(run + i) % 10000:04d}"
    eid, ev, tok = nl.notice(kind, nip, f"Pegawai Uji {i}", f"outage.{run}.{i}@example.go.id")
    events[eid] = ev

try:
    r = nl.stack("smtp-stop")
    T.ok(r.returncode == 0, "the SMTP sink is stopped", r.stderr)
    down_at = time.time()
    nl.produce(list(events.values()))
    # notify tries and fails: retrying is counted (the server refuses connections).
    def retrying_delta():
        m = nl.metrics()
        return sum(m.get((k, "retrying"), 0) - before.get((k, "retrying"), 0) for k in nl.TYPES)

    end = time.time() + 60
    while time.time() < end and retrying_delta() <= 0:
        time.sleep(0.5)
    retrying = retrying_delta()
    T.ok(retrying > 0, f"notify retries while the server is down (retrying +{retrying:.0f})")
    # Half-way: SIGKILL and restart; the attempts so far are in notify.mail, the notices in Kafka.
    time.sleep(max(0, OUTAGE_S / 2 - (time.time() - down_at)))
    r = nl.svc("kill", "notify")
    T.ok(r.returncode == 0, "notify SIGKILLed during the outage", r.stderr)
    r = nl.svc("start", "notify")
    T.ok(r.returncode == 0 and nl.notify_ready(), "notify restarted during the outage", r.stderr)
    pending = nl.sql("SELECT count(*) FROM notify.mail WHERE state = 'pending' AND attempts > 0 AND event_id IN ("
                     + ",".join(f"'{e}'" for e in events) + ")")
    T.ok(int(pending) > 0, f"failed attempts are kept in notify.mail ({pending} notices pending)")
    time.sleep(max(0, OUTAGE_S - (time.time() - down_at)))
    T.ok(not (set(events) & set(nl.mails())), f"nothing arrived during the {OUTAGE_S} s outage")
finally:
    r = nl.stack("smtp-start")
T.ok(r.returncode == 0, "the SMTP sink is back", r.stderr)

got = nl.wait_mails(events, timeout=180, settle=3)
lost = [e for e in events if e not in got]
twice = [e for e in events if len(got.get(e, [])) > 1]
T.ok(not lost, f"all {N} mails arrive after the outage", f"{len(lost)} lost")
T.ok(not twice, "each exactly once", f"{len(twice)} twice")
rows = nl.sql("SELECT count(*) FROM notify.mail WHERE state = 'sent' AND event_id IN ("
              + ",".join(f"'{e}'" for e in events) + ")")
T.ok(rows == str(N), "notify.mail: every one sent", rows)
m = nl.metrics()  # the restarted process's counters
T.ok(sum(m.get((k, "failed"), 0) for k in nl.TYPES) == 0, "none given up (failed 0 since the restart)", str(m))
T.done()
