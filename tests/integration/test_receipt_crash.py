"""test_receipt_crash.py -- the receipt service's event consumer is idempotent
and crash-safe (NIPS_FILE lines 921-930).

1. A re-delivered registration.completed (the same message produced again
   to pupns.registration.events, three times) renders and stores nothing
   twice: one row per registration, its issue time and signature unchanged,
   the same PDF bytes and ETag, pupns_receipt_events_total{result="duplicate"}
   counts the copies.
2. SIGKILL of the receipt service mid-stream (svc.sh kill receipt 1 while
   events wait for it, start, kill again while it works through them, start):
   every registration ends with exactly one receipt whose event id is the
   event's, every bukti.pdf is served and its QR payload verifies; while the
   service is down a bukti.pdf is 202/503/504, never a 500.
Needs BASE_URL, NIPS_FILE, PG_PORT, PUPNS_KAFKA_BROKERS, STACK_BASE, TOP."""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

TOP = os.environ["TOP"]
sys.path.insert(0, os.path.join(TOP, "tests/e2e"))
import pupns_client as pc  # noqa: E402

T = pc.Tap()
BROKERS = os.environ["PUPNS_KAFKA_BROKERS"]
METRICS = f"http://127.0.0.1:{int(os.environ['STACK_BASE']) + 14}/metrics"
SVC = os.path.join(TOP, "infra/stack/svc.sh")
PG = ["psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns"]
TOPIC = "pupns.registration.events"


def sql(q):
    return subprocess.run(PG + ["-c", q], capture_output=True, text=True, check=True).stdout.strip()


def metric(name, labels):
    try:
        with urllib.request.urlopen(METRICS, timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return None
    m = re.search(r"^" + re.escape(name + "{" + labels + "}") + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def wait_for(fn, timeout=30.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    return fn()


def events_of(nips):
    """Raw registration.completed messages on the topic, by NIP."""
    r = subprocess.run(["kcat", "-C", "-b", BROKERS, "-t", TOPIC, "-o", "beginning", "-e", "-q", "-J"],
                       capture_output=True, text=True, timeout=120, check=False)
    out = {}
    for line in r.stdout.splitlines():
        try:
            m = json.loads(line)
            ev = json.loads(m["payload"])
        except (ValueError, KeyError, TypeError):
            continue
        if m.get("key") in nips and ev.get("type", "").endswith("registration.completed.v1"):
            out.setdefault(m["key"], []).append((m["payload"], ev["id"]))
    return out


def register_and_login(nip):
    s, b = pc.register(nip)
    if s != 201:
        return None
    s, login, _ = pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": "Rahasia#Malang75"})
    return {"nip": nip, "no": b["no_registrasi"], "token": login["token"]} if s == 200 else None


def bukti(p, timeout=30.0):
    t0 = time.time()
    while True:
        s, body, h = pc.get_bytes(f"/api/v1/registrasi/{p['no']}/bukti.pdf", p["token"])
        if s == 200 or time.time() - t0 > timeout:
            return s, body, h
        time.sleep(0.3)


def row(nip):
    return sql(f"SELECT event_id, extract(epoch FROM issued_at)::bigint, signature, created_at"
               f" FROM receipt.document WHERE nip = '{nip}'").splitlines()


nips = pc.range_nips("receipt_crash")

# ---- 1. re-delivery --------------------------------------------------------
first = register_and_login(nips[0])
T.ok(first is not None, f"registered {nips[0]}")
s, pdf1, h1 = bukti(first)
T.ok(s == 200 and pdf1[:5] == b"%PDF-", "its bukti.pdf is served", (s, pdf1[:200]))
before = row(first["nip"])
dup0 = metric("pupns_receipt_events_total", 'result="duplicate"') or 0.0
evs = events_of({first["nip"]}).get(first["nip"], [])
T.ok(len(evs) == 1, "one registration.completed on the topic for it", len(evs))
if evs:
    payload, event_id = evs[0]
    T.ok(len(before) == 1 and before[0].split("|")[0] == event_id, "its receipt row names the event id", before)
    for _ in range(3):
        subprocess.run(["kcat", "-P", "-b", BROKERS, "-t", TOPIC, "-k", first["nip"]], input=payload + "\n",
                       text=True, check=False, timeout=30)
    got = wait_for(lambda: (metric("pupns_receipt_events_total", 'result="duplicate"') or 0) >= dup0 + 3)
    T.ok(got, "the service consumed the three copies and counted them as duplicates",
         (dup0, metric("pupns_receipt_events_total", 'result="duplicate"')))
    after = row(first["nip"])
    T.ok(after == before, "still one row, issue time, signature and creation time unchanged", (before, after))
    s, pdf2, h2 = bukti(first)
    T.ok(s == 200 and pdf2 == pdf1 and h2.get("ETag") == h1.get("ETag"), "the same PDF bytes and ETag afterwards")

# ---- 2. SIGKILL mid-stream -------------------------------------------------
subprocess.run([SVC, "kill", "receipt", "1"], check=False, capture_output=True)
people, lock = [], threading.Lock()


def reg(nip):
    p = register_and_login(nip)
    if p:
        with lock:
            people.append(p)


threads = [threading.Thread(target=reg, args=(n,)) for n in nips[1:]]
for t in threads:
    t.start()
for t in threads:
    t.join()
T.ok(len(people) == len(nips) - 1, f"{len(people)} registrations while the receipt service was down")
if people:
    s, body, _ = pc.get_bytes(f"/api/v1/registrasi/{people[0]['no']}/bukti.pdf", people[0]["token"])
    T.ok(s in (202, 503, 504), f"bukti.pdf while the receipt service is down: {s}, not a 500", body[:200])
subprocess.run([SVC, "start", "receipt", "1"], check=True, capture_output=True)
# Kill it again while it works through the backlog.
stored0 = None
for _ in range(100):
    stored0 = metric("pupns_receipt_events_total", 'result="stored"')
    if stored0:
        break
    time.sleep(0.05)
subprocess.run([SVC, "kill", "receipt", "1"], check=False, capture_output=True)
T.ok(True, f"killed again mid-stream after {int(stored0 or 0)} of {len(people)} receipts stored")
subprocess.run([SVC, "start", "receipt", "1"], check=True, capture_output=True)

all_nips = {p["nip"] for p in people}
for p in people:
    s, pdf, h = bukti(p)
    T.ok(s == 200 and pdf[:5] == b"%PDF-", f"{p['nip']}: bukti.pdf after the crashes", (s, pdf[:200]))
evs = events_of(all_nips)
for p in people:
    rows = row(p["nip"])
    ids = {e[1] for e in evs.get(p["nip"], [])}
    T.ok(len(rows) == 1 and len(ids) == 1 and rows[0].split("|")[0] in ids,
         f"{p['nip']}: exactly one receipt, from its event", (rows, ids))
count = int(sql("SELECT count(*) FROM receipt.document WHERE nip IN (" + ",".join(f"'{n}'" for n in all_nips) + ")"))
T.ok(count == len(people), f"{count} receipts for {len(people)} registrations")
# The QR payload of one of them verifies (the text layer carries no payload: decode the image).
if people:
    p = people[-1]
    s, pdf, _ = bukti(p)
    path = os.path.join(os.environ.get("STATE_DIR", "/tmp"), f"crash-{p['no']}")
    open(path + ".pdf", "wb").write(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", path + ".pdf", path], check=False, capture_output=True)
    q = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", path + ".png"], capture_output=True, text=True,
                       check=False).stdout.split()
    s, vb, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=" + (q[0] if q else "x"))
    T.ok(s == 200 and json.loads(vb).get("valid") is True, "a receipt issued across the crashes verifies", vb[:200])
print(f"1..{T.n}")
