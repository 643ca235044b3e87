"""test_notify_crash.py -- notify SIGKILLed in the middle of a stream of 200
notices: none is lost, none mailed twice.

The first 100 notices are produced; once 20 of their mails have arrived,
notify is SIGKILLed (some of the 100 are then mailed, some not, some maybe
half-way through their SMTP transaction); the other 100 are produced while
it is dead, so the kill is mid-stream whatever the machine's speed. After a
restart all 200 must arrive. A second copy is allowed only where no client
can avoid one: a mail whose server 250 arrived in the instant before the
kill, before notify's 'sent' row reached PostgreSQL (deliver.c). Such a copy
must be the last mail a worker sent before the kill (at most one per
worker); any other duplicate fails, and the number of copies is reported.
Needs the variables of tests/run.sh."""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import notify_lib as nl  # noqa: E402

WORKERS = int(os.environ.get("PUPNS_NOTIFY_WORKERS", "2"))
T = nl.Tap()
T.ok(nl.notify_ready(), "notify is ready")
run = random.randrange(10 ** 6)
first, second = {}, {}
for i in range(200):
    kind = nl.TYPES[i % len(nl.TYPES)]
    nip = f"19820303200703{(run + i) % 10000:04d}"
    eid, ev, _ = nl.notice(kind, nip, f"Pegawai Crash {i}", f"crash.{run}.{i}@example.go.id")
    (first if i < 100 else second)[eid] = ev
ids = set(first) | set(second)


def ours():
    """{file name: event id} of this test's mails now in the Maildir."""
    out = {}
    for name in os.listdir(nl.MAIL_NEW):
        try:
            with open(os.path.join(nl.MAIL_NEW, name), "rb") as f:
                head = f.read(4096).decode("ascii", "replace")
        except OSError:
            continue
        m = re.search(r"^X-PUPNS-Event-Id: (\S+)", head, re.M)
        if m and m.group(1) in ids:
            out[name] = m.group(1)
    return out


def order(name):
    """Delivery order of a Maildir file: the sink names them <seconds>.M<microseconds>P<pid>Q<n>."""
    m = re.match(r"(\d+)\.M(\d+)P", name)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


nl.produce(list(first.values()))
end = time.time() + 120
while time.time() < end and len(ours()) < 20:
    time.sleep(0.02)
r = nl.svc("kill", "notify")
T.ok(r.returncode == 0, "notify SIGKILLed mid-stream", r.stderr)
time.sleep(1)  # a message whose data reached the sink before the kill is stored by now
at_kill = ours()
T.ok(20 <= len(at_kill) < 200, f"{len(at_kill)} of the first 100 were mailed before the kill")
nl.produce(list(second.values()))
r = nl.svc("start", "notify")
T.ok(r.returncode == 0 and nl.notify_ready(), "notify restarted", r.stderr)

got = nl.wait_mails(ids, timeout=240, settle=5)
lost = [e for e in ids if e not in got]
T.ok(not lost, "none of the 200 lost", f"{len(lost)} lost")
copies = {e: sorted(m["X-Test-File"] for m in ms) for e, ms in got.items() if e in ids and len(ms) > 1}
last_before = sorted(at_kill, key=order)[-WORKERS:]
explained = {e for e, files in copies.items() if sorted(files, key=order)[0] in last_before}
T.ok(not (set(copies) - explained),
     "none twice, except a mail whose 250 came in the instant before the kill (its first copy among the "
     f"last {WORKERS} mailed before it)", f"unexplained copies: {sorted(set(copies) - explained)}")
T.note(f"copies in the 250-to-commit window: {len(explained)}")
rows = nl.sql("SELECT count(*) FROM notify.mail WHERE state = 'sent' AND event_id IN ("
              + ",".join(f"'{e}'" for e in ids) + ")")
T.ok(rows == "200", "notify.mail: all 200 sent", rows)
T.done()
