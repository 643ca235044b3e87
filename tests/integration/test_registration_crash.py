#!/usr/bin/python3
"""test_registration_crash.py -- the registration service is SIGKILLed during
a burst of 200 registrations and restarted: every one completes exactly once.
Clients retry with the same Idempotency-Key, as a browser retry would. TAP."""
import concurrent.futures
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from pupns_client import Tap, call, captcha, form, range_nips, start  # noqa: E402

t = Tap()
batch = range_nips("registration_crash")
svc = os.path.join(os.environ["TOP"], "infra", "stack", "svc.sh")


def one(nip):
    """Register nip, retrying timeouts and 5xx with the same key."""
    s, b, _ = start(nip)
    if s != 200:
        return nip, s, b
    token, key = b["token"], "crash-" + nip
    for _ in range(30):
        cid, ans = captcha()
        s, b, _ = call("POST", "/api/v1/registrasi", form(token, cid, ans), headers={"Idempotency-Key": key},
                       timeout=90)
        if s < 500:
            return nip, s, b
        time.sleep(0.5)
    return nip, s, b


with concurrent.futures.ThreadPoolExecutor(40) as pool:
    futures = [pool.submit(one, n) for n in batch]
    time.sleep(2.0)
    subprocess.run([svc, "kill", "registration"], check=False)
    time.sleep(1.0)
    subprocess.run([svc, "start", "registration"], check=False)
    results = [f.result() for f in futures]

ok = [r for r in results if r[1] == 201]
t.ok(len(ok) == 200, f"all 200 registrations completed across the crash ({len(ok)})",
     [(n, s) for n, s, _ in results if s != 201][:5])
nos = {b["no_registrasi"] for _, _, b in ok}
t.ok(len(nos) == len(ok), "every registration got its own number")

pg = ["psql", "-X", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns", "-c"]
in_list = ",".join("'%s'" % n for n in batch)
rows = subprocess.run(pg + [f"SELECT count(*), count(DISTINCT nip) FROM registration.account WHERE nip IN ({in_list})"],
                      capture_output=True, text=True).stdout.strip()
t.ok(rows == "200|200", "exactly one account per NIP in the database", rows)

# Every completed event reaches Kafka; duplicates may only repeat an event id.
deadline = time.time() + 30
unsent = "1"
while time.time() < deadline and unsent != "0":
    unsent = subprocess.run(pg + ["SELECT count(*) FROM registration.outbox WHERE sent_at IS NULL"],
                            capture_output=True, text=True).stdout.strip()
    time.sleep(0.5)
t.ok(unsent == "0", "the outbox drains after the restart")
out = subprocess.run(["kcat", "-C", "-b", os.environ["PUPNS_KAFKA_BROKERS"], "-t", "pupns.registration.events",
                      "-o", "beginning", "-e", "-q", "-f", "%s\n"], capture_output=True, text=True).stdout
import json  # noqa: E402
events = [json.loads(line) for line in out.splitlines() if line.strip()]
completed = {}
for e in events:
    if e["type"] == "id.go.bkn.pupns.registration.completed.v1" and e["subject"] in batch:
        completed.setdefault(e["subject"], set()).add(e["id"])
t.ok(len(completed) == 200 and all(len(ids) == 1 for ids in completed.values()),
     "one registration.completed event id per NIP on pupns.registration.events",
     (len(completed), [n for n, ids in completed.items() if len(ids) != 1][:3]))
