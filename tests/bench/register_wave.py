#!/usr/bin/python3
"""register_wave.py -- a registration wave through the HTTP API.

Phase 1 (not timed): step 2 (flow token) and a captcha for every NIP; the
captcha answers are read from Redis in one pipelined redis-cli call (the
benchmark reads them; the product has no bypass). Phase 2 (timed): every
step-3 submission, CONCURRENCY at a time. Prints one line:
  wave N CONCURRENCY SECONDS REGS_PER_S P50_MS P99_MS FAILURES
and, on stderr, the CPU seconds each process of the stack (BENCH_STATE_DIR,
BENCH_PG_PORT; see cpu.py) and the rest of the machine spent in phase 2."""
import concurrent.futures
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from pupns_client import BASE, REDIS_URL, call, form, start  # noqa: E402

nips = [line.strip() for line in open(sys.argv[1]) if line.strip()]
conc = int(sys.argv[2]) if len(sys.argv) > 2 else 64


def prepare(nip):
    s, b, _ = start(nip)
    if s != 200:
        return None
    s, c, _ = call("POST", "/api/v1/captcha")
    return (nip, b["token"], c["id"]) if s == 201 else None


with concurrent.futures.ThreadPoolExecutor(32) as pool:
    prepared = [p for p in pool.map(prepare, nips) if p]
if len(prepared) < len(nips):
    print(f"prepare: only {len(prepared)} of {len(nips)} got a flow token and a captcha", file=sys.stderr)
gets = "".join(f"GET captcha:{cid}\n" for _, _, cid in prepared)
answers = subprocess.run(["redis-cli", "-u", REDIS_URL], input=gets, capture_output=True, text=True).stdout.split("\n")


local = threading.local()
target = urllib.parse.urlsplit(BASE)


def submit(i):
    """One step-3 submission on this thread's kept-alive connection, as a
    browser would send it (a new connection per request would mostly
    measure thread start-up in the gateway and in this client)."""
    nip, token, cid = prepared[i]
    body = json.dumps(form(token, cid, answers[i]))
    headers = {"Content-Type": "application/json", "Idempotency-Key": "wave-" + nip}
    t0 = time.monotonic()
    for attempt in range(2):
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
        try:
            local.conn.request("POST", "/api/v1/registrasi", body, headers)
            r = local.conn.getresponse()
            r.read()
            return r.status, (time.monotonic() - t0) * 1000
        except (OSError, http.client.HTTPException):
            local.conn.close()
            local.conn = None  # the server closed an idle connection: reconnect once
    return 0, (time.monotonic() - t0) * 1000


# CPU by process of the stack under test (cpu.py; BENCH_STATE_DIR and
# BENCH_PG_PORT name it), the rest of the machine as "other".
sys.path.insert(0, os.path.dirname(__file__))
import cpu  # noqa: E402

stack_procs = cpu.procs(os.environ["BENCH_STATE_DIR"], os.environ["BENCH_PG_PORT"]) \
    if os.environ.get("BENCH_STATE_DIR") else {}
stack_procs["client"] = os.getpid()  # this benchmark's own client


cpu0 = cpu.snapshot(stack_procs)
start_t = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(conc) as pool:
    results = list(pool.map(submit, range(len(prepared))))
elapsed = time.monotonic() - start_t
cpu1 = cpu.snapshot(stack_procs)
print("cpu " + cpu.fmt(cpu.diff(cpu0, cpu1)), file=sys.stderr)
lat = sorted(ms for s, ms in results if s == 201)
fail = sum(1 for s, _ in results if s != 201)
by_status = {}
for s, _ in results:
    by_status[s] = by_status.get(s, 0) + 1
print("statuses " + " ".join(f"{k}={v}" for k, v in sorted(by_status.items())), file=sys.stderr)
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")  # noqa: E731
print(f"wave {len(prepared)} {conc} {elapsed:.2f} {len(lat) / elapsed:.2f} {p(0.50):.1f} {p(0.99):.1f} {fail}")
