"""test_notify_deferred.py -- a recipient the server defers (451, as
greylisting or a full mailbox do) is retried for PUPNS_NOTIFY_DEFERRED_FOR_S
(here 10 s; 15 min by default), not for the day an unreachable server gets,
since it holds up its partition meanwhile: then it is dead-lettered and
counted, and the notice behind it on the same key is mailed. Needs the
variables of tests/run.sh."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import notify_lib as nl  # noqa: E402

T = nl.Tap()
run = random.randrange(10 ** 6)
nip = f"19850606201006{run % 10000:04d}"
try:
    r = nl.svc("start", "notify", env=dict(os.environ, PUPNS_NOTIFY_DEFERRED_FOR_S="10"))
    T.ok(r.returncode == 0 and nl.notify_ready(), "notify with PUPNS_NOTIFY_DEFERRED_FOR_S=10", r.stderr)
    slow_id, slow, _ = nl.notice("reset_link", nip, "Kotak Penuh", f"penuh.{run}@tunda.example")
    next_id, nxt, _ = nl.notice("password_reset", nip, "Berikutnya", f"berikut.{run}@example.go.id")
    nl.produce([slow, nxt])
    got = nl.wait_mails([next_id], timeout=120)
    T.ok(next_id in got, "the notice behind the deferred one is mailed once its retries are spent")
    T.ok(slow_id not in got, "the deferred one is not")
    dl = nl.deadletters_of([slow_id], timeout=60)
    T.ok(slow_id in dl, "it is a dead letter on pupns.deadletter")
    row = nl.sql(f"SELECT state, attempts > 1, last_error LIKE 'deferred:%451%' FROM notify.mail WHERE event_id = '{slow_id}'")
    T.ok(row == "failed|t|t", "notify.mail: failed after several attempts, each a 451 deferral", row)
    m = nl.metrics()
    T.ok(m.get(("reset_link", "retrying"), 0) >= 2 and m.get(("reset_link", "failed"), 0) == 1,
         "counted: retrying, then failed once", str({k: v for k, v in m.items() if isinstance(k, tuple) and v}))
finally:
    r = nl.svc("start", "notify")
T.ok(r.returncode == 0 and nl.notify_ready(), "notify runs with the stack's settings again")
T.done()
