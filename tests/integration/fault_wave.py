"""fault_wave.py -- shared by the fault tests (test_fault_*.py): registration
waves through the HTTP API as real clients send them, and the exactly-once
checks against PostgreSQL and pupns.registration.events. Stdlib only.

NIPs. The fault waves need 1,500+ fresh NIPs, more than NIPS_FILE has left,
so they take rows of identity.pns in NIP order beyond it, from their ranges
in tests/ranges.tsv (range_nips): fault_broker (500), fault_instances (1,000)
and fault_instances_order (ordering), fault_overload (460).
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402

PASSWORD = "Rahasia#Malang75"
COMPLETED = "id.go.bkn.pupns.registration.completed.v1"
TOP = os.environ.get("TOP", os.path.join(os.path.dirname(__file__), "..", ".."))
SVC = os.path.join(TOP, "infra", "stack", "svc.sh")
STACK = os.path.join(TOP, "infra", "stack", "stack.sh")


def note(msg):
    print("# " + msg, flush=True)


def psql(sql):
    return subprocess.run(["psql", "-X", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres",
                           "-d", "pupns", "-c", sql], capture_output=True, text=True, check=False).stdout.strip()


def fault_nips(first_row, count):
    """Rows first_row..first_row+count-1 (1-based) of identity.pns in NIP order."""
    out = psql(f"SELECT nip FROM identity.pns ORDER BY nip OFFSET {first_row - 1} LIMIT {count}")
    return [n for n in out.splitlines() if n]


def range_nips(name):
    """The NIPs of the test data range `name` (tests/ranges.tsv)."""
    first, last = pc.row_range(name)
    return fault_nips(first, last - first + 1)


def in_list(nips):
    return ",".join("'%s'" % n for n in nips)


def retry_after(headers):
    try:
        return int(headers.get("Retry-After"))
    except (TypeError, ValueError, AttributeError):
        return None


def call(method, path, body=None, headers=None, timeout=60):
    """pc.call, with a connection failure reported as status 0 instead of raised."""
    try:
        return pc.call(method, path, body, headers=headers, timeout=timeout)
    except Exception as e:  # noqa: BLE001 -- refused, reset or timed out: the caller counts it
        return 0, {"error": repr(e)}, {}


def prepare(nip, log=None, attempts=20):
    """Step 2 and a captcha for nip, retrying 5xx after their Retry-After
    (at most 5 s): (token, (captcha id, answer)) or (None, last status).
    Every answer goes to log (a Log) if given."""
    s = 0
    for _ in range(attempts):
        s, b, h = call("POST", "/api/v1/registrasi/mulai", {"nip": nip, "email": "pns@example.go.id"})
        if log:
            log.add(nip, s, b, h, ok=(200, 409))
        if s == 200:
            return b["token"], new_captcha(log)
        if s < 500 and s != 0:
            return None, s
        time.sleep(min(retry_after(h) or 1, 5))
    return None, s


def new_captcha(log=None, attempts=20):
    for _ in range(attempts):
        s, b, h = call("POST", "/api/v1/captcha")
        if log:
            log.add("captcha", s, b, h, ok=(201,))
        if s == 201:
            return b["id"], pc.redis("GET", "captcha:" + b["id"])
        time.sleep(min(retry_after(h) or 1, 5))
    return None, None


def prepare_all(nips, threads=16):
    """{nip: (token, captcha)} for every NIP that step 2 accepted."""
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        res = dict(zip(nips, pool.map(prepare, nips)))
    return {n: r for n, r in res.items() if r[0]}


class Log:
    """Every HTTP answer of a wave: status counts, and faults (a 5xx without Retry-After, a 500)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.faults = []

    def add(self, nip, status, body, headers, ok=(201, 409)):
        with self.lock:
            self.counts[status] = self.counts.get(status, 0) + 1
            allowed = status in ok or (status in (503, 504) and (retry_after(headers) or 0) >= 1)
            if not allowed and len(self.faults) < 20:
                self.faults.append((nip, status, (body or {}).get("code") if isinstance(body, dict) else body,
                                    headers.get("Retry-After") if headers else None))

    def total(self):
        return sum(self.counts.values())

    def summary(self):
        return ", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items()))


def submit(nip, token, cap, log, key=None, attempts=40, max_wait=8):
    """Step 3 for nip as a real client: on 503/504 (or a dropped connection)
    it waits the Retry-After (at most max_wait s) and sends the same form
    again with the same Idempotency-Key and a fresh captcha (a 504 may have
    used the first one). Returns (final status, body, number of 5xx retried)."""
    key = key or "fault-" + nip
    s, b = 0, None
    for i in range(attempts):
        if cap is None or cap[0] is None:
            cap = new_captcha()
        s, b, h = call("POST", "/api/v1/registrasi", pc.form(token, cap[0], cap[1], PASSWORD),
                       headers={"Idempotency-Key": key}, timeout=90)
        log.add(nip, s, b, h)
        if s not in (0, 503, 504):
            return s, b, i
        cap = None
        time.sleep(min(retry_after(h) or 1, max_wait))
    return s, b, attempts


class Wave:
    """Registers every NIP of a list, `threads` at a time, each as a real
    client does: step 2, a captcha, step 3 (with the retries of submit).
    `done` counts finished NIPs, so a fault can be timed by progress."""

    def __init__(self, nips, threads=64):
        self.nips, self.threads = nips, threads
        self.log, self.prep_log = Log(), Log()
        self.done = 0
        self.results = {}
        self.lock = threading.Lock()

    def one(self, nip):
        token, cap = prepare(nip, self.prep_log)
        r = submit(nip, token, cap, self.log) if token else (cap, None, 0)
        with self.lock:
            self.done += 1
            self.results[nip] = r
        return r

    def run(self, during=None):
        """Runs the wave; during() runs beside it in this thread (the fault)."""
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(self.threads) as pool:
            futures = [pool.submit(self.one, n) for n in self.nips]
            if during:
                during()
            for f in futures:
                f.result()
        self.seconds = time.time() - t0
        return self.results

    def wait_done(self, count, timeout):
        end = time.time() + timeout
        while self.done < count and time.time() < end:
            time.sleep(0.1)
        return self.done


def accounts(nips):
    """{nip: number of accounts}"""
    out = psql(f"SELECT nip, count(*) FROM registration.account WHERE nip IN ({in_list(nips)}) GROUP BY nip")
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.splitlines() if "|" in line}


def outbox_drained(timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if psql("SELECT count(*) FROM registration.outbox WHERE sent_at IS NULL") == "0":
            return True
        time.sleep(0.5)
    return False


def completed_events(nips):
    """{nip: set of registration.completed event ids} read from pupns.registration.events."""
    want = set(nips)
    out = subprocess.run(["kcat", "-C", "-b", os.environ["PUPNS_KAFKA_BROKERS"], "-t", "pupns.registration.events",
                          "-o", "beginning", "-e", "-q", "-f", "%s\n"], capture_output=True,
                          encoding="utf-8", errors="replace",
                         timeout=120, check=False).stdout
    ids = {}
    for line in out.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("type") == COMPLETED and e.get("subject") in want:
            ids.setdefault(e["subject"], set()).add(e["id"])
    return ids


def check_exactly_once(t, nips, results, what):
    """The TAP lines every fault test shares: each NIP 201 in the end, one
    account, one registration.completed event id."""
    done = [n for n in nips if results.get(n, (0,))[0] == 201]
    t.ok(len(done) == len(nips), f"{what}: every one of the {len(nips)} registrations ends in 201 ({len(done)})",
         sorted({results.get(n, (0,))[0] for n in nips if n not in done}))
    nos = {results[n][1].get("no_registrasi") for n in done}
    t.ok(len(nos) == len(done), f"{what}: every registration has its own number", f"{len(nos)} numbers")
    acc = accounts(nips)
    bad = [n for n in nips if acc.get(n) != 1]
    t.ok(not bad, f"{what}: exactly one account per NIP in registration.account",
         f"{len(bad)} NIPs without exactly one, e.g. {bad[:3]}")
    t.ok(outbox_drained(), f"{what}: the outbox drains (every event row published)")
    ev = completed_events(nips)
    bad = [n for n in nips if len(ev.get(n, ())) != 1]
    t.ok(not bad, f"{what}: exactly one registration.completed event id per NIP on pupns.registration.events",
         f"{len(bad)} NIPs without exactly one, e.g. {[(n, len(ev.get(n, ()))) for n in bad[:3]]}")
