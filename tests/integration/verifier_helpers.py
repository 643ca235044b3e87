"""verifier_helpers.py -- shared by the verifier tests: units of their own
(empty units of the seed that the test's NIPs are moved into before they
register), verifier accounts (pupns-ctl user add), registrations through the
gateway, API calls with a bearer token, the receipts' QR payloads, and the
events of pupns.verifier.events (kcat).

The seed's 4000 PNS are spread over 22,639 units (the largest has 39), and
no unit has 30 of rows 3001-3400; so each test takes empty units (ordered by
a hash with a salt of its own, so no other test picks the same ones) and
moves its own NIPs (rows 3001-3400) there before they register, as
test_receipt.py gives its NIPs awkward names. Needs BASE_URL, PG_PORT,
BIN_DIR, TOP, PUPNS_KAFKA_BROKERS, PUPNS_REDIS_URL."""
import json
import os
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from identity_helpers import CTL, call, nips_by_row, pc, range_rows, sql  # noqa: E402,F401

PASSWORD = "Verifikasi#2015-Malang"
RUN = uuid.uuid4().hex[:6]  # usernames of this run (a re-run on the same stack adds new ones)


def empty_units(salt, n, instansi=None):
    """n units with no PNS (of one instansi when given, else of n different instansi)."""
    if instansi:
        rows = sql("SELECT u.kode, u.instansi_kode FROM identity.unit_kerja u WHERE u.instansi_kode = :'v1'"
                   " AND NOT EXISTS (SELECT 1 FROM identity.pns p WHERE p.unit_kerja_kode = u.kode)"
                   " ORDER BY md5(u.kode || :'v2') LIMIT " + str(n) + ";", instansi, salt)
        return [tuple(r) for r in rows]
    rows = sql("SELECT DISTINCT ON (md5(u.instansi_kode || :'v1')) u.kode, u.instansi_kode FROM identity.unit_kerja u"
               " WHERE NOT EXISTS (SELECT 1 FROM identity.pns p WHERE p.unit_kerja_kode = u.kode)"
               " AND (SELECT count(*) FROM identity.unit_kerja v WHERE v.instansi_kode = u.instansi_kode) >= 3"
               " ORDER BY md5(u.instansi_kode || :'v1'), md5(u.kode || :'v1') LIMIT " + str(n) + ";", salt)
    return [tuple(r) for r in rows]


def move(nips, unit, instansi):
    """Puts NIPs into unit (master data, before they register)."""
    sql("UPDATE identity.pns SET unit_kerja_kode = :'v1', instansi_kode = :'v2'"
        " WHERE nip = ANY(string_to_array(:'v3', ','));", unit, instansi, ",".join(nips))


def add_user(name, role, units=(), instansi=(), nama=None):
    """Adds a verifier account; returns its username."""
    username = f"{name}.{RUN}"
    args = [CTL, "user", "add", username, "--role", role, "--nama", nama or f"Uji {name}"]
    for u in units:
        args += ["--unit", u]
    for i in instansi:
        args += ["--instansi", i]
    env = dict(os.environ, PUPNS_PG_URL=f"postgresql://pupns_verifier@127.0.0.1:{os.environ['PG_PORT']}/pupns")
    r = subprocess.run(args, input=PASSWORD + "\n", capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"pupns-ctl user add {username}: {r.stderr}")
    return username


def login(username, password=PASSWORD):
    s, b, _ = pc.retrying(lambda: pc.call("POST", "/api/v1/verifikator/login",
                                          {"username": username, "kata_kunci": password}))
    if s != 200:
        raise RuntimeError(f"login {username}: {s} {b}")
    return b["token"]


def api(method, path, token=None, body=None, retry=True):
    """(status, body) of a verifier API call with a bearer token."""
    headers = {"Authorization": "Bearer " + token} if token else None
    f = lambda: pc.call(method, path, body, headers=headers)  # noqa: E731
    s, b, _ = pc.retrying(f) if retry else f()
    return s, b


def register_all(nips, threads=4):
    """Registers NIPs through the gateway; {nip: no_registrasi}. A NIP that is
    registered already (a re-run) keeps its number."""
    out, lock, todo = {}, threading.Lock(), list(nips)

    def work():
        while True:
            with lock:
                if not todo:
                    return
                nip = todo.pop()
            for attempt in range(8):
                s, b = pc.register(nip)
                if s in (201, 409) and b and b.get("no_registrasi"):
                    with lock:
                        out[nip] = b["no_registrasi"]
                    break
                if s == 409:  # registered by an attempt that timed out (504) after committing
                    break
                time.sleep(0.5 * (attempt + 1))  # 503/504 under load: back off as a browser user would

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    # Those whose answer was lost: their number is in the registration's table.
    missing = [n for n in nips if n not in out]
    if missing:
        for nip, no in sql("SELECT nip, no_registrasi FROM registration.account WHERE nip = ANY(string_to_array(:'v1', ','));",
                           ",".join(missing)):
            out[nip] = no
    return out


def wait_registered(token, unit, n, deadline_s=60):
    """Polls the unit's list until n PNS are registered (or further); its last body."""
    t0, b = time.time(), None
    while time.time() - t0 < deadline_s:
        s, b = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?limit=1000", token)
        c = (b or {}).get("counts", {})
        if s == 200 and c.get("total", 0) - c.get("not_registered", 0) >= n:
            return b
        time.sleep(0.3)
    return b


def qr_payload(no):
    """The QR payload of a receipt as the receipt service signed it (what the printed code carries)."""
    rows = sql("SELECT no_registrasi, nip, extract(epoch FROM issued_at)::bigint, key_id, signature"
               " FROM receipt.document WHERE no_registrasi = :'v1';", no)
    if not rows:
        return None
    return "PUPNS1." + ".".join(rows[0])


def wait_qr(no, deadline_s=30):
    t0 = time.time()
    while time.time() - t0 < deadline_s:
        q = qr_payload(no)
        if q:
            return q
        time.sleep(0.3)
    return None


def events(instansi=None, since_ms=0):
    """The events of pupns.verifier.events (of one instansi's key when given) since since_ms:
    a list of (key, envelope dict)."""
    r = subprocess.run(["kcat", "-C", "-b", os.environ["PUPNS_KAFKA_BROKERS"], "-t", "pupns.verifier.events",
                        "-o", f"s@{since_ms}", "-e", "-q", "-f", "%k\t%s\n"],
                       capture_output=True, timeout=120)
    out = []
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        if "\t" not in line:
            continue
        k, v = line.split("\t", 1)
        try:
            ev = json.loads(v)
        except ValueError:
            continue
        if instansi is None or k == instansi:
            out.append((k, ev))
    return out


def pns_state(nip):
    return call("pupns.verifier.requests", "verifier.pns.state.v1", nip, {"nip": nip})
