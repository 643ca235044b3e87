"""test_receipt_rotation.py -- the receipt signing key rotated on a running
stack the way an operator does it (docs/OPERATIONS.md, "Rotating the receipt
signing key"), end to end (range receipt_rotation of tests/ranges.tsv: rows of
identity.pns, two per run).

1. Before: a PNS registers; the QR code of its bukti.pdf (pdftoppm + zbarimg)
   carries the active kid and verifies.
2. Rotation: the rotation commands of docs/OPERATIONS.md run as written (a new
   seed from pupns-ctl keygen in secrets.env, the old public key moved to
   PUPNS_RECEIPT_OLD_PUBLIC_KEYS, every receipt instance restarted with
   svc.sh). /api/v1/bukti/kunci lists both kids; the old receipt's QR still
   verifies, online and offline (PyNaCl with the published key), and its
   stored PDF downloads byte-identical with the same ETag (304 on it); a new
   registration's QR carries the new kid and verifies; a payload signed by a
   key never listed is kunci_tidak_dikenal; one byte changed in either
   receipt is tanda_tangan_tidak_valid; a retired-key list whose kid does not
   match its key stops the service at start.
3. Retirement: the old key removed from the list (the OPERATIONS.md command):
   the old receipt's QR answers kunci_tidak_dikenal, the new one still verifies.
4. Always (finally, also on failure or SIGTERM): the original secrets.env is
   put back and the receipt instances restarted with it; /bukti/kunci is as
   before and the first receipt verifies again. tests/integration/
   test_receipt_rotation.sh also restores from the backup if this process dies.
Needs BASE_URL, PG_PORT, PUPNS_REDIS_URL, STATE_DIR, STACK_BASE, TOP, BIN_DIR."""
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import nacl.signing

TOP = os.environ["TOP"]
sys.path.insert(0, os.path.join(TOP, "tests/e2e"))
import pupns_client as pc  # noqa: E402

T = pc.Tap()
STATE_DIR = os.environ["STATE_DIR"]
BIN_DIR = os.environ.get("BIN_DIR", os.path.join(TOP, "build/asan/bin"))
SECRETS = os.path.join(STATE_DIR, "secrets.env")
BACKUP = SECRETS + ".rotation-backup"   # test_receipt_rotation.sh restores from it if we die
OLD_KEYS_FILE = os.path.join(STATE_DIR, "secrets", "PUPNS_RECEIPT_OLD_PUBLIC_KEYS")
SVC = os.path.join(TOP, "infra/stack/svc.sh")
OPERATIONS = os.path.join(TOP, "docs/OPERATIONS.md")
PG = ["psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns"]
PASSWORD = "Rahasia#Malang75"
ART = tempfile.mkdtemp(prefix="rotation-", dir=STATE_DIR)


def sql(q):
    return subprocess.run(PG + ["-c", q], capture_output=True, text=True, check=True).stdout.strip()


def get(path, token=None, headers=None, timeout=30):
    """pc.get_bytes, with no connection (a receipt instance restarting) as status 0."""
    try:
        return pc.get_bytes(path, token, headers, timeout)
    except OSError as e:
        return 0, str(e).encode(), {}


def kunci():
    s, b, _ = get("/api/v1/bukti/kunci", timeout=10)
    try:
        return json.loads(b) if s == 200 else None
    except ValueError:
        return None


def kids(k):
    """{kid: status} of a /bukti/kunci answer."""
    return {e["kid"]: e["status"] for e in (k or {}).get("keys", [])}


def verify(q, timeout=60.0):
    """The verdict on q; retries while the receipt service is (re)starting (5xx)."""
    t0 = time.time()
    while True:
        s, b, _ = get("/api/v1/bukti/verifikasi?q=" + q, timeout=10)
        if s == 200:
            return json.loads(b)
        if time.time() - t0 > timeout:
            return {"status": s, "body": b[:200].decode("utf-8", "replace")}
        time.sleep(0.3)


def kid_of(pk):
    """keys.h: the first 4 bytes of BLAKE2b-256 of the public key, hex."""
    return hashlib.blake2b(pk, digest_size=32).digest()[:4].hex()


def verify_offline(q, published):
    """What a regional office does with /bukti/kunci and any Ed25519 library."""
    body, _, sig = q.rpartition(".")
    kid = body.split(".")[4]
    pk = {e["kid"]: e["public_key"] for e in published["keys"]}.get(kid)
    if not pk:
        return False
    try:
        nacl.signing.VerifyKey(bytes.fromhex(pk)).verify(body.encode(), base64.urlsafe_b64decode(sig + "=="))
        return True
    except Exception:  # nacl.exceptions.BadSignatureError, binascii.Error
        return False


def secrets_value(name, path=SECRETS):
    with open(path) as f:
        for line in f:
            if line.startswith(name + "="):
                return line.rstrip("\n").split("=", 1)[1]
    return None


def receipt_instances():
    out = subprocess.run([SVC, "list", "receipt"], capture_output=True, text=True, check=False).stdout
    return [line.split()[1] for line in out.splitlines() if line.split()[:1] == ["receipt"]] or ["1"]


def wait_keys(want, timeout=90.0):
    """Waits until /bukti/kunci answers exactly `want` ({kid: status}): the
    restarted instances serve requests with the new keys."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        k = kunci()
        if k and kids(k) == want:
            return k
        time.sleep(0.3)
    return kunci()


def ops_block(marker):
    """The ```sh block after <!-- marker --> in docs/OPERATIONS.md."""
    text = open(OPERATIONS, encoding="utf-8").read()
    m = re.search(r"<!-- " + re.escape(marker) + r" -->\s*```sh\n(.*?)```", text, re.S)
    return m.group(1) if m else None


def run_ops(script):
    """Runs an operator's commands in bash from the checkout, in this stack's environment."""
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=TOP, capture_output=True, text=True,
                       timeout=300, check=False)
    return r.returncode, r.stdout + r.stderr


def register_and_login(nip):
    s, b = pc.register(nip)
    if s != 201:
        return None
    s, login, _ = pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": PASSWORD})
    return {"nip": nip, "no": b["no_registrasi"], "token": login["token"]} if s == 200 else None


def bukti(p, headers=None, timeout=60.0):
    t0 = time.time()
    while True:
        s, body, h = get(f"/api/v1/registrasi/{p['no']}/bukti.pdf", p["token"], headers)
        if s in (200, 304) or time.time() - t0 > timeout:
            return s, body, h
        time.sleep(0.3)


def qr_codes(pdf, name):
    path = os.path.join(ART, name)
    with open(path + ".pdf", "wb") as f:
        f.write(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", path + ".pdf", path], check=False,
                   capture_output=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", path + ".png"],
                         capture_output=True, text=True, check=False).stdout
    return [c for c in out.splitlines() if c]


def change_one(q, pos):
    """q with the character at pos replaced by another of its class, so the
    payload stays well-formed and only the signature can refuse it."""
    c = q[pos]
    if c.isdigit():
        r = "7" if c != "7" else "8"
    elif c.isalpha() and c.isupper():
        r = "K" if c != "K" else "M"
    else:
        r = "k" if c != "k" else "m"
    return q[:pos] + r + q[pos + 1:]


def forged(no, nip, issued):
    """A payload in the receipt format signed by a key the service never had."""
    sk = nacl.signing.SigningKey.generate()
    body = f"PUPNS1.{no}.{nip}.{issued}.{kid_of(bytes(sk.verify_key))}"
    sig = base64.urlsafe_b64encode(sk.sign(body.encode()).signature).decode().rstrip("=")
    return body + "." + sig


def person_of(p):
    r = sql(f"SELECT p.nama, i.nama FROM identity.pns p JOIN identity.instansi i ON i.kode = p.instansi_kode"
            f" WHERE p.nip = '{p['nip']}'")
    return r.split("|") if r else [None, None]


def log_size(inst="1"):
    try:
        return os.path.getsize(os.path.join(STATE_DIR, "logs", f"receipt-{inst}.log"))
    except OSError:
        return 0


def log_since(offset, inst="1"):
    with open(os.path.join(STATE_DIR, "logs", f"receipt-{inst}.log"), errors="replace") as f:
        f.seek(offset)
        return f.read()


# ---- the stack as we found it ---------------------------------------------
original_kunci = kunci()
original_kids = kids(original_kunci)
had_old_keys_file = os.path.exists(OLD_KEYS_FILE)
instances = receipt_instances()


def restore():
    """Puts the original secrets.env back and restarts the receipt instances with it."""
    if not os.path.exists(BACKUP):
        return
    os.replace(BACKUP, SECRETS)
    if not had_old_keys_file and os.path.exists(OLD_KEYS_FILE):
        os.unlink(OLD_KEYS_FILE)
    for i in instances:
        subprocess.run([SVC, "start", "receipt", i], check=False, capture_output=True)
    back = wait_keys(original_kids)
    T.ok(back == original_kunci, "restored: the receipt service runs with its original key again "
         "(/bukti/kunci as before the test)", (back, original_kunci))


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGHUP, on_signal)

# Two rows of the range; RECEIPT_ROTATION_SKIP rows further on a stack that ran the test before.
first_row, last_row = pc.row_range("receipt_rotation")
offset = first_row - 1 + int(os.environ.get("RECEIPT_ROTATION_SKIP", "0"))
nips = sql(f"SELECT nip FROM identity.pns ORDER BY nip OFFSET {offset} LIMIT 2").split()
nips = nips if offset + 2 <= last_row else []
old_p = new_p = None
q_old = None
try:
    shutil.copy2(SECRETS, BACKUP)  # mode 0600 kept; restore() puts it back
    # ---- 1. a receipt signed with the key of today --------------------------
    T.ok(len(nips) == 2 and original_kunci and [s for s in original_kids.values()].count("aktif") == 1,
         f"rows {offset + 1}-{offset + 2} of identity.pns and one active key ({original_kids})", (nips, original_kunci))
    seed_a = secrets_value("PUPNS_RECEIPT_SIGNING_KEY")
    kid_a = next(k for k, s in original_kids.items() if s == "aktif")
    pk_a = bytes(nacl.signing.SigningKey(bytes.fromhex(seed_a)).verify_key)
    T.ok(kid_of(pk_a) == kid_a, f"the published active kid {kid_a} is that of secrets.env's seed", kid_of(pk_a))
    old_p = register_and_login(nips[0])
    T.ok(old_p is not None, f"registered {nips[0]} before the rotation")
    s, pdf_old, h_old = bukti(old_p)
    T.ok(s == 200 and pdf_old[:5] == b"%PDF-" and h_old.get("ETag"), "its bukti.pdf is served", (s, pdf_old[:120]))
    codes = qr_codes(pdf_old, "old")
    T.ok(len(codes) == 2 and codes[0] == codes[1], "its two QR codes decode to one payload", codes)
    q_old = codes[0] if codes else "x"
    nama, instansi = person_of(old_p)
    v = verify(q_old)
    T.ok(q_old.split(".")[4:5] == [kid_a] and v.get("valid") is True and v.get("kid") == kid_a
         and v.get("nama") == nama and v.get("instansi") == instansi,
         f"it carries kid {kid_a} and verifies, with Nama and Instansi", v)

    # ---- 2. rotation, as docs/OPERATIONS.md says -----------------------------
    rotate = ops_block("receipt-key-rotate")
    T.ok(rotate is not None, "docs/OPERATIONS.md has the rotation commands (<!-- receipt-key-rotate -->)")
    mark = {i: log_size(i) for i in instances}
    rc, out = run_ops(rotate or "false")
    T.ok(rc == 0, "the rotation commands ran", out[-1500:])
    seed_b = secrets_value("PUPNS_RECEIPT_SIGNING_KEY")
    pk_b = bytes(nacl.signing.SigningKey(bytes.fromhex(seed_b)).verify_key)
    kid_b = kid_of(pk_b)
    old_list = secrets_value("PUPNS_RECEIPT_OLD_PUBLIC_KEYS") or ""
    T.ok(seed_b != seed_a and f"{kid_a}:{pk_a.hex()}" in old_list.split(","),
         f"secrets.env: a new seed (kid {kid_b}), {kid_a}:<its public key> in PUPNS_RECEIPT_OLD_PUBLIC_KEYS", old_list)
    T.ok(os.stat(SECRETS).st_mode & 0o077 == 0, "secrets.env is still readable by its owner only",
         oct(os.stat(SECRETS).st_mode))
    want = dict(original_kids)
    want.update({kid_a: "lama", kid_b: "aktif"})
    pub = wait_keys(want)
    T.ok(kids(pub) == want, f"/bukti/kunci lists {kid_b} aktif and {kid_a} lama", pub)
    T.ok(pub and all(kid_of(bytes.fromhex(e["public_key"])) == e["kid"] for e in pub["keys"]),
         "every published kid is derived from its public key")
    logs = "".join(log_since(mark[i], i) for i in instances)
    T.ok(f"signing receipts with key {kid_b} ({len(want) - 1} retired keys still verify)" in logs,
         "the restarted service logs the new kid and how many retired keys it keeps", logs[-600:])
    T.ok(seed_b not in logs and seed_a not in logs, "neither seed appears in its log")
    pids = [open(os.path.join(STATE_DIR, "pids", f"receipt-{i}.pid")).read().strip() for i in instances]
    environ = b"".join(open(f"/proc/{pid}/environ", "rb").read() for pid in pids)
    T.ok(seed_b.encode() not in environ and b"PUPNS_RECEIPT_SIGNING_KEY_FILE=" in environ,
         "the new seed reaches the process as a file, not in its environment")

    v = verify(q_old)
    T.ok(v.get("valid") is True and v.get("kid") == kid_a and v.get("nama") == nama,
         f"the old receipt's QR ({kid_a}) still verifies", v)
    T.ok(verify_offline(q_old, pub), "and offline, with the published key of its kid")
    s, pdf2, h2 = bukti(old_p)
    T.ok(s == 200 and pdf2 == pdf_old and h2.get("ETag") == h_old.get("ETag"),
         f"its stored bukti.pdf downloads byte-identical, same ETag {h_old.get('ETag')}",
         (s, len(pdf2), len(pdf_old), h2.get("ETag")))
    s, _, h3 = bukti(old_p, {"If-None-Match": h_old.get("ETag")})
    T.ok(s == 304, "a revalidation with its ETag is still 304", s)
    T.ok(qr_codes(pdf2, "old-after") == [q_old, q_old], "its QR code is unchanged (not re-signed)")

    new_p = register_and_login(nips[1])
    T.ok(new_p is not None, f"registered {nips[1]} after the rotation")
    s, pdf_new, _ = bukti(new_p)
    codes = qr_codes(pdf_new, "new") if s == 200 else []
    q_new = codes[0] if codes else "x"
    T.ok(len(codes) == 2 and codes[0] == codes[1] and q_new.split(".")[4:5] == [kid_b],
         f"the new receipt's QR codes carry the new kid {kid_b}", codes)
    nama_b, instansi_b = person_of(new_p)
    v = verify(q_new)
    T.ok(v.get("valid") is True and v.get("kid") == kid_b and v.get("nama") == nama_b
         and v.get("instansi") == instansi_b, "it verifies, with Nama and Instansi", v)
    T.ok(verify_offline(q_new, pub), "and offline")

    no, nip, issued = q_new.split(".")[1:4] if q_new != "x" else ("ABCDEFGH", nips[1], "0")
    v = verify(forged(no, nip, issued))
    T.ok(v.get("valid") is False and v.get("alasan") == "kunci_tidak_dikenal",
         "a payload signed by a key not on the list -> kunci_tidak_dikenal", v)
    for q, name in ((q_new, "new"), (q_old, "old")):
        if q == "x":
            continue
        sig_at = q.rindex(".") + 20
        for pos, what in ((8, "registration number"), (18, "NIP"), (q.index(".", 26) + 3, "issue time"),
                          (sig_at, "signature")):
            t = change_one(q, pos)
            v = verify(t)
            T.ok(t != q and v.get("valid") is False and v.get("alasan") == "tanda_tangan_tidak_valid",
                 f"{name} receipt, one byte of the {what} changed -> tanda_tangan_tidak_valid", (t, v))

    # A retired key listed under the wrong kid: the service refuses to start
    # (rather than start and forget the receipts of that key).
    env = {"PATH": os.environ["PATH"], "PUPNS_RECEIPT_SIGNING_KEY": seed_b,
           "PUPNS_RECEIPT_OLD_PUBLIC_KEYS": f"{'0' * 8 if kid_a != '0' * 8 else '1' * 8}:{pk_a.hex()}",
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
    r = subprocess.run([os.path.join(BIN_DIR, "pupns-receipt")], env=env, capture_output=True, text=True,
                       timeout=60, check=False)
    T.ok(r.returncode == 2 and f"its kid is {kid_a}" in r.stdout + r.stderr and seed_b not in r.stdout + r.stderr,
         "a retired key under a kid that is not its own stops the service at start (exit 2, says which)",
         (r.returncode, (r.stdout + r.stderr)[-400:]))

    # ---- 3. the old key retired for good -------------------------------------
    retire = ops_block("receipt-key-retire")
    T.ok(retire is not None, "docs/OPERATIONS.md has the retirement command (<!-- receipt-key-retire -->)")
    rc, out = run_ops(re.sub(r"(?m)^kid=\S+", f"kid={kid_a}", retire or "false"))
    T.ok(rc == 0 and f"{kid_a}:" not in (secrets_value("PUPNS_RECEIPT_OLD_PUBLIC_KEYS") or ""),
         f"the retirement command ran: {kid_a} is off the list", out[-1500:])
    want.pop(kid_a)
    pub = wait_keys(want)
    T.ok(kids(pub) == want, f"/bukti/kunci lists {sorted(want)} only", pub)
    v = verify(q_old)
    T.ok(v.get("valid") is False and v.get("alasan") == "kunci_tidak_dikenal",
         f"the old receipt's QR, its key {kid_a} removed -> kunci_tidak_dikenal", v)
    v = verify(q_new)
    T.ok(v.get("valid") is True and v.get("kid") == kid_b, "the new receipt still verifies", v)
except BaseException as e:
    T.ok(False, f"the test stopped early: {e!r}")
    raise
finally:
    # ---- 4. the stack as we found it ----------------------------------------
    restore()
    if q_old:
        v = verify(q_old)
        T.ok(v.get("valid") is True and v.get("kid") == kid_a, "the first receipt verifies again", v)
    shutil.rmtree(ART, ignore_errors=True)
    print(f"1..{T.n}")
