"""verifier_bench.py -- one BKD's verification at scale: UNITS units of
PER_UNIT PNS each go through marking, batching and acceptance.

The registrations are fed straight into Kafka as registration.completed
events (kcat, the registration service's public contract), not made by
UNITS x PER_UNIT argon2id registrations through the gateway: the bench
measures the verifier, and the registration path has its own bench. Then:
one Verifikator 1 per unit (pupns-ctl user add), THREADS clients marking
every receipt by its typed number through the gateway (marks/s, p50/p99),
each unit's receipts in one batch submitted at once, and Verifikator 2
accepting every batch, each activating its unit (time from the first mark
to the last activation). Prints one JSON object of results.
Needs BASE_URL, PG_PORT, BIN_DIR, PUPNS_KAFKA_BROKERS (KCAT_CONFIG if set)."""
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import verifier_helpers as vh  # noqa: E402
from verifier_helpers import api, sql  # noqa: E402

UNITS = int(os.environ.get("VERIFIER_BENCH_UNITS", "200"))
PER_UNIT = int(os.environ.get("VERIFIER_BENCH_PER_UNIT", "500"))
THREADS = int(os.environ.get("VERIFIER_BENCH_THREADS", "32"))
ALPHA = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
rng = random.Random()
run = uuid.uuid4().hex[:5].upper()
inst = f"X{rng.randrange(1000, 10000)}"  # an instansi kode of the real shape (one letter, digits)


def regno():
    v = [rng.randrange(31) for _ in range(7)]
    s, w = 0, 2
    for x in reversed(v):
        s, w = (s + w * x) % 31, 3 - w
    return "".join(ALPHA[x] for x in v) + ALPHA[(31 - s) % 31]


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


# ---- registrations as events -------------------------------------------------
units = [f"{inst}.{u:03d}" for u in range(1, UNITS + 1)]
people = {}  # unit -> [(nip, no)]
seen_no = set()
base_nip = rng.randrange(10 ** 5, 10 ** 6)
with tempfile.NamedTemporaryFile("w", delete=False, suffix=".jsonl") as f:
    path = f.name
    k = 0
    for u in units:
        people[u] = []
        for _ in range(PER_UNIT):
            k += 1
            nip = f"19{base_nip:06d}{k:010d}"[:18]
            no = regno()
            while no in seen_no:
                no = regno()
            seen_no.add(no)
            people[u].append((nip, no))
            ev = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/pupns/registration/bench",
                  "type": "id.go.bkn.pupns.registration.completed.v1", "time": "2026-12-01T00:00:00.000Z",
                  "subject": nip, "datacontenttype": "application/json",
                  "data": {"no_registrasi": no, "nip": nip, "nama": f"PNS UJI {k}",
                           "instansi": {"kode": inst, "nama": f"Pemerintah Uji {run}"},
                           "unit_kerja": {"kode": u, "nama": f"Unit Uji {u}"},
                           "created_at": "2026-12-01T00:00:00.000Z"}}
            f.write(nip + "\t" + json.dumps(ev) + "\n")
total = UNITS * PER_UNIT
t0 = time.time()
subprocess.run(["kcat", "-P", "-b", os.environ["PUPNS_KAFKA_BROKERS"], "-t", "pupns.registration.events", "-K", "\t",
                "-z", "lz4", "-l", path], check=True)
os.unlink(path)
last, last_t = -1, time.time()
while True:
    n = int(sql("SELECT count(*) FROM verifier.pns WHERE instansi_kode = :'v1';", inst)[0][0])
    if n != last:
        last, last_t = n, time.time()
    # A random number may repeat one of an earlier run on the same stack (the
    # verifier keeps the first): stop once nothing has come for 20 s.
    if n >= total or time.time() - last_t > 20:
        break
    time.sleep(1)
ingest_s = (last_t if n < total else time.time()) - t0
# Mark what the verifier holds (a repeated number keeps its first owner).
people = {u: [] for u in units}
for u, nip, no in sql("SELECT unit_kerja_kode, nip, no_registrasi FROM verifier.pns WHERE instansi_kode = :'v1';", inst):
    people[u].append((nip, no))
total = n
log(f"{n} registration events produced and applied in {ingest_s:.1f} s")

# ---- accounts --------------------------------------------------------------
tokens = {}
for u in units:
    tokens[u] = vh.login(vh.add_user(f"b{u.split('.')[-1]}", "verifikator1", units=[u]))
t2 = vh.login(vh.add_user("bench2", "verifikator2", instansi=[inst]))
log(f"{UNITS} Verifikator 1 and one Verifikator 2 logged in")

# ---- marking ---------------------------------------------------------------
work = [(u, no) for u in units for _, no in people[u]]
rng.shuffle(work)
lat, errors, lock = [], [0], threading.Lock()
idx = [0]


def marker():
    mine = []
    while True:
        with lock:
            if idx[0] >= len(work):
                break
            u, no = work[idx[0]]
            idx[0] += 1
        a = time.perf_counter()
        s, b = api("POST", "/api/v1/verifikator/tanda-terima", tokens[u], {"no_registrasi": no})
        mine.append(time.perf_counter() - a)
        if s not in (200, 201):
            with lock:
                errors[0] += 1
    with lock:
        lat.extend(mine)


mark_t0 = time.time()
ts = [threading.Thread(target=marker) for _ in range(THREADS)]
for t in ts:
    t.start()
for t in ts:
    t.join()
mark_s = time.time() - mark_t0
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
log(f"{len(lat)} marks in {mark_s:.1f} s ({len(lat) / mark_s:.0f}/s), p99 {pct(0.99):.1f} ms, {errors[0]} errors")

# ---- batches and acceptance ---------------------------------------------------
batch_ids, blat, bidx = {}, [], [0]


def batcher():
    while True:
        with lock:
            if bidx[0] >= len(units):
                return
            u = units[bidx[0]]
            bidx[0] += 1
        a = time.perf_counter()
        s, b = api("POST", "/api/v1/verifikator/batch", tokens[u], {"unit_kerja_kode": u, "kirim": True})
        if s != 201:
            # A timed-out create (504) may have committed; its retry then finds
            # nothing left to batch (409): the unit's submitted batch is the one.
            s2, lst = api("GET", f"/api/v1/verifikator/batch?unit_kerja_kode={u}&status=submitted", tokens[u])
            items = (lst or {}).get("items") or []
            b = items[0] if s2 == 200 and items else None
        with lock:
            blat.append(time.perf_counter() - a)
            if b and b.get("id"):
                batch_ids[u] = b["id"]
            else:
                errors[0] += 1


batch_t0 = time.time()
ts = [threading.Thread(target=batcher) for _ in range(min(THREADS, 16))]
for t in ts:
    t.start()
for t in ts:
    t.join()
batch_s = time.time() - batch_t0
alat, activated, aidx = [], [0], [0]
todo = list(batch_ids.items())


def accepter():
    while True:
        with lock:
            if aidx[0] >= len(todo):
                return
            u, bid = todo[aidx[0]]
            aidx[0] += 1
        a = time.perf_counter()
        s, b = api("POST", f"/api/v1/verifikator/batch/{bid}/terima", t2)
        if s != 200:  # a timed-out accept may have committed: its retry is a 409
            s, b = api("GET", f"/api/v1/verifikator/batch/{bid}", t2)
        with lock:
            alat.append(time.perf_counter() - a)
            activated[0] += s == 200 and b.get("state") == "accepted"


acc_t0 = time.time()
ts = [threading.Thread(target=accepter) for _ in range(min(THREADS, 16))]
for t in ts:
    t.start()
for t in ts:
    t.join()
done = time.time()
active = int(sql("SELECT count(*) FROM verifier.unit WHERE instansi_kode = :'v1' AND activated_at IS NOT NULL;", inst)[0][0])
blat.sort()
alat.sort()
res = {
    "units": UNITS, "per_unit": PER_UNIT, "pns": total, "threads": THREADS, "ingest_s": round(ingest_s, 1),
    "events_per_s": round(total / ingest_s), "marks": len(lat), "mark_errors": errors[0],
    "mark_s": round(mark_s, 1), "marks_per_s": round(len(lat) / mark_s), "mark_p50_ms": round(pct(0.5), 1),
    "mark_p99_ms": round(pct(0.99), 1), "batches": len(batch_ids), "batch_s": round(batch_s, 1),
    "batch_p99_ms": round(blat[min(len(blat) - 1, int(0.99 * len(blat)))] * 1000, 1) if blat else None,
    "accept_s": round(done - acc_t0, 1),
    "accept_p99_ms": round(alat[min(len(alat) - 1, int(0.99 * len(alat)))] * 1000, 1) if alat else None,
    "accepted": activated[0], "active_units": active, "errors_after": errors[0], "mark_to_all_active_s": round(done - mark_t0, 1),
}
print(json.dumps(res))
