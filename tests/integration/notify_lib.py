"""notify_lib.py -- helpers of the notify tests: notices produced with kcat
(tokens sealed to the stack's notify key with python3-nacl), the SMTP sink's
Maildir read back with the email package, notify's metrics and logs.

Needs TOP, STATE_DIR, STACK_NAME, STACK_BASE, PG_PORT, PUPNS_KAFKA_BROKERS
(tests/run.sh exports them; env.sh of the stack gives the rest)."""
import base64
import email
import email.header
import email.policy
import glob
import json
import os
import re
import secrets
import subprocess
import time
import urllib.request
import uuid

from nacl.public import PublicKey, SealedBox

TOP = os.environ.get("TOP", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
STATE_DIR = os.environ["STATE_DIR"]
STACK_NAME = os.environ.get("STACK_NAME", "test")
STACK_BASE = int(os.environ.get("STACK_BASE", "25400"))
BROKERS = os.environ["PUPNS_KAFKA_BROKERS"]
MAIL_NEW = os.path.join(STATE_DIR, "mail", "new")
TOPIC = "pupns.registration.notices"
PREFIX = "id.go.bkn.pupns.registration."
TYPES = ["welcome", "email_verification", "email_changed", "reset_link", "password_reset", "status_mail"]
LINK_TYPES = {"welcome": "/akun/verifikasi-email", "email_verification": "/akun/verifikasi-email",
              "reset_link": "/akun/kata-kunci-baru"}
PUBLIC_URL = os.environ.get("PUPNS_PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('PUPNS_HTTP_PORT', '28080')}"
HEALTH = f"http://127.0.0.1:{STACK_BASE + 16}"  # notify instance 1 (svc.sh: base + 10n + 6)
PG = ["psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns"]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        print("TAP version 13", flush=True)

    def ok(self, cond, name, why=""):
        self.n += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {name}", flush=True)
        if not cond:
            self.failed += 1
            for line in str(why).splitlines() or [""]:
                print(f"#   {line}", flush=True)
        return cond

    def note(self, msg):
        print(f"# {msg}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        raise SystemExit(1 if self.failed else 0)


def secrets_env():
    out = {}
    with open(os.path.join(STATE_DIR, "secrets.env"), encoding="utf-8") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            out[k] = v
    return out


def public_key():
    s = secrets_env()
    return PublicKey(bytes.fromhex(s["PUPNS_NOTIFY_PUBLIC_KEY"]))


def seal(token):
    """token_sealed as the registration service makes it: base64(crypto_box_seal)."""
    return base64.b64encode(SealedBox(public_key()).encrypt(token.encode())).decode()


def new_token():
    return secrets.token_urlsafe(32)


def sql(q):
    return subprocess.run(PG + ["-c", q], capture_output=True, text=True, check=True).stdout.strip()


def nips(first_row, count):
    """count NIPs from row first_row (1-based, ORDER BY nip) of identity.pns."""
    return sql(f"SELECT nip FROM identity.pns ORDER BY nip OFFSET {first_row - 1} LIMIT {count}").split()


def notice(kind, nip, nama, email_addr, **extra):
    """(event id, envelope dict, opened token or None) of one notice."""
    eid = str(uuid.uuid4())
    data = {"nip": nip, "nama": nama, "email": email_addr}
    token = None
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if kind == "welcome":
        data.update(no_registrasi="C8Y9GVRP", instansi={"kode": "4011", "nama": "Kabupaten Malang"},
                    unit_kerja={"kode": "4011001", "nama": "Dinas Pendidikan & Kebudayaan"}, created_at=now)
    if kind in LINK_TYPES:
        token = new_token()
        data["token_sealed"] = seal(token)
        data["expires_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1800))
    if kind == "email_changed":
        data["old_email"] = email_addr
        data["email"] = "baru." + email_addr
    if kind == "password_reset":
        data.update(via="jawaban", at=now)
    if kind == "status_mail":
        data.update(no_registrasi="C8Y9GVRP", state="receipt_received")
    data.update(extra)
    ev = {"specversion": "1.0", "id": eid, "source": "/pupns/test/notify", "type": PREFIX + kind + ".v1",
          "time": now, "subject": nip, "datacontenttype": "application/json", "data": data}
    return eid, ev, token


def produce(events):
    """Writes envelopes to the notices topic, keyed by their NIP (kcat, one line each)."""
    lines = "".join(f"{ev['subject']}\t{json.dumps(ev, ensure_ascii=False)}\n" for ev in events)
    subprocess.run(["kcat", "-P", "-b", BROKERS, "-t", TOPIC, "-K", "\t", "-X", "enable.idempotence=true",
                    "-X", "acks=all"], input=lines.encode(), check=True)


def mails():
    """{event id: [parsed message, ...]} of every mail in the sink's Maildir."""
    out = {}
    for p in glob.glob(os.path.join(MAIL_NEW, "*")):
        try:
            with open(p, "rb") as f:
                m = email.message_from_binary_file(f, policy=email.policy.default)
        except OSError:
            continue
        m["X-Test-File"] = os.path.basename(p)
        eid = m.get("X-PUPNS-Event-Id")
        if eid:
            out.setdefault(str(eid), []).append(m)
    return out


def wait_mails(ids, timeout=120, settle=0):
    """Waits until every id has a mail (or timeout); then settle more seconds
    so that a second copy would have shown up. Returns mails()."""
    end = time.time() + timeout
    want = set(ids)
    while time.time() < end:
        got = mails()
        if want <= set(got):
            break
        time.sleep(0.5)
    if settle:
        time.sleep(settle)
    return mails()


def parts(m):
    """(plain text, html) of a multipart/alternative mail, decoded."""
    text = m.get_body(preferencelist=("plain",))
    html = m.get_body(preferencelist=("html",))
    return (text.get_content() if text else None), (html.get_content() if html else None)


def to_header(m):
    """(display name, address) of To, decoded by RFC 2047's rules: whitespace
    between adjacent encoded words is dropped (CPython 3.11's address parser
    puts a space there instead, so the raw header is decoded here)."""
    raw = next((v for k, v in m.raw_items() if k.lower() == "to"), "")
    raw = re.sub(r"\r?\n[ \t]", " ", str(raw))
    lt = raw.rfind("<")
    if lt < 0:
        return "", raw.strip()
    disp = str(email.header.make_header(email.header.decode_header(raw[:lt].strip())))
    if disp.startswith('"') and disp.endswith('"'):
        disp = re.sub(r"\\(.)", r"\1", disp[1:-1])
    return disp, raw[lt + 1:raw.rfind(">")]


def link_token(text, path):
    m = re.search(re.escape(PUBLIC_URL + path) + r"#t=([A-Za-z0-9_.~-]+)", text or "")
    return m.group(1) if m else None


def metrics():
    """{(type, result): value} of pupns_notify_mails_total, and the dead letters of the notices topic."""
    with urllib.request.urlopen(HEALTH + "/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for m in re.finditer(r'^pupns_notify_mails_total\{type="([a-z_]+)",result="([a-z]+)"\} ([0-9.e+]+)$', text, re.M):
        out[(m.group(1), m.group(2))] = float(m.group(3))
    m = re.search(r'^pupns_deadletter_total\{topic="pupns.registration.notices",reason="invalid_data"\} ([0-9.e+]+)$',
                  text, re.M)
    out["deadletters"] = float(m.group(1)) if m else 0.0
    return out


def svc(*args, env=None):
    return subprocess.run([os.path.join(TOP, "infra/stack/svc.sh"), *args], capture_output=True, text=True,
                          env=env or os.environ)


def stack(*args):
    return subprocess.run([os.path.join(TOP, "infra/stack/stack.sh"), args[0], STACK_NAME, str(STACK_BASE), *args[1:]],
                          capture_output=True, text=True)


def notify_ready(timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(HEALTH + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def notify_logs():
    text = ""
    for p in glob.glob(os.path.join(STATE_DIR, "logs", "notify-*.log")):
        with open(p, encoding="utf-8", errors="replace") as f:
            text += f.read()
    return text


def deadletters_of(ids, timeout=30):
    """Dead-letter records (data dicts) in pupns.deadletter whose payload is one of ids' notices."""
    end = time.time() + timeout
    found = {}
    while time.time() < end:
        r = subprocess.run(["kcat", "-C", "-b", BROKERS, "-t", "pupns.deadletter", "-o", "beginning", "-e", "-q"],
                           capture_output=True, check=False)
        for line in r.stdout.decode("utf-8", "replace").splitlines():
            try:
                d = json.loads(line).get("data", {})
                p = json.loads(d.get("payload", "{}"))
            except ValueError:
                continue
            if p.get("id") in ids:
                found[p["id"]] = d
        if set(ids) <= set(found):
            break
        time.sleep(1)
    return found
