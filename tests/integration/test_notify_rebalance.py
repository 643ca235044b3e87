"""test_notify_rebalance.py -- a second notify instance joins in the middle
of a stream of 200 notices (100 before, 60 after) and leaves (SIGTERM) as
soon as it has mailed a few; 40 more follow: the
partitions move twice, and every mail arrives exactly once (no SIGKILL, so
no 250-to-commit window: a revoked partition's running mail is finished and
recorded before it moves, the rest is left to the next owner). Needs the
variables of tests/run.sh."""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import notify_lib as nl  # noqa: E402

T = nl.Tap()
T.ok(nl.notify_ready(), "notify instance 1 is ready")
run = random.randrange(10 ** 6)
events = {}
for i in range(200):
    kind = nl.TYPES[i % len(nl.TYPES)]
    eid, ev, _ = nl.notice(kind, f"19840505200905{(run + i) % 10000:04d}", f"Pegawai Pindah {i}",
                           f"rebalance.{run}.{i}@example.go.id")
    events[eid] = ev
ids = set(events)


def arrived():
    n = 0
    for name in os.listdir(nl.MAIL_NEW):
        try:
            with open(os.path.join(nl.MAIL_NEW, name), "rb") as f:
                m = re.search(rb"^X-PUPNS-Event-Id: (\S+)", f.read(4096), re.M)
        except OSError:
            continue
        n += bool(m and m.group(1).decode() in ids)
    return n


def wait_arrived(k, timeout=120):
    end = time.time() + timeout
    while time.time() < end and arrived() < k:
        time.sleep(0.05)
    return arrived()


log2 = os.path.join(nl.STATE_DIR, "logs", "notify-2.log")


def log2_count(pattern):
    if not os.path.exists(log2):
        return 0
    with open(log2, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if pattern(line))


def sent2():
    return log2_count(lambda l: " sent (nip " in l and any(e in l for e in ids))


def wait_for(fn, timeout=120):
    end = time.time() + timeout
    while time.time() < end and not fn():
        time.sleep(0.05)
    return fn()


evs = list(events.values())
nl.produce(evs[:100])
wait_arrived(20)
assigned_before = log2_count(lambda l: "partitions assigned" in l)
r = nl.svc("start", "notify", "2")
T.ok(r.returncode == 0 and wait_for(lambda: log2_count(lambda l: "partitions assigned" in l) > assigned_before),
     "a second instance joins mid-stream and is given partitions", r.stderr)
nl.produce(evs[100:160])
T.ok(wait_for(lambda: sent2() >= 5), "it mails some of them")
at_stop = arrived()
r = nl.svc("stop", "notify", "2")
T.ok(r.returncode == 0, f"and leaves (SIGTERM) when {at_stop} of 160 were mailed", r.stderr)
T.note(f"instance 2 mailed {sent2()}")
nl.produce(evs[160:])  # after it left: instance 1 has every partition again
got = nl.wait_mails(ids, timeout=240, settle=5)
lost = [e for e in ids if e not in got]
twice = [e for e in ids if len(got.get(e, [])) > 1]
T.ok(not lost, "none of the 200 lost", f"{len(lost)} lost")
T.ok(not twice, "none twice", f"{len(twice)} twice")
T.done()
