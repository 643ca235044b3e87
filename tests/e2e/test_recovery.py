"""test_recovery.py -- lupa kata kunci, cek status and the verified address, end to end.

Uses the PNS of range "recovery" (tests/ranges.tsv) of identity.pns, read from the
database. Reads the notices the registration service writes to
pupns.registration.notices with kcat and opens their token_sealed with the
notify service's secret key from the stack's secrets file (PyNaCl), as the
notify service would; the tokens are what the links in the mails carry.
Covers: reset by answer (every wrong part gets the very same refusal; the
password policy; the per-NIP lock-out, also for an unregistered NIP;
sessions revoked); the verification link of the welcome notice (used twice:
refused); reset by mail (always the same 202; a link for a verified address
only; used twice: refused; expired: refused; sessions revoked); cek status
(number and state shown for an unverified address, mailed for a verified
one; the same refusal for every wrong part); the address change (a link to
the new address, a notice to the old, old links void, a new link, spacing);
the password change (the other sessions end, the calling one stays).
Needs BASE_URL, PG_PORT, STATE_DIR, PUPNS_KAFKA_BROKERS, PUPNS_REDIS_URL."""
import base64
import email
import email.policy
import json
import os
import re
import subprocess
import sys
import time

import nacl.public

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pupns_client as pc  # noqa: E402

T = pc.Tap()

# Every response of this test is also checked against proto/openapi.yaml
# with openapi_check.py's Checker (loaded without running its main()).
_src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi_check.py")).read()
_ns = {"__name__": "openapi_check", "__file__": "openapi_check.py"}
exec(_src.rsplit("\nmain()", 1)[0], _ns)
CHECK = _ns["Checker"](_ns["yaml"].safe_load(open(os.path.join(os.environ.get("TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")), "proto/openapi.yaml"))), pc.BASE)
MISMATCHES = []
_plain_call = pc.call


def checked_call(method, path, body=None, headers=None, base=None, timeout=60):
    raw = json.dumps(body).encode() if body is not None else None
    status, hdrs, data = CHECK.request(method, path, raw, headers)
    why = CHECK.problems(method, path, raw, headers, status, hdrs, data)
    if why:
        MISMATCHES.append(f"{method} {path} -> {status}: {'; '.join(why)}")
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return status, parsed, hdrs


pc.call = checked_call
PREFIX = "id.go.bkn.pupns.registration."
PG = ["psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns"]
BROKERS = os.environ["PUPNS_KAFKA_BROKERS"]
PW = "Rahasia#Malang75"
IBU = "Siti Aminah"
JAWAB = "SD Negeri 3 Klojen"
T0 = int(time.time() * 1000) - 1000


def sql(q):
    return subprocess.run(PG + ["-c", q], capture_output=True, text=True, check=True).stdout.strip()


def secret_key():
    with open(os.path.join(os.environ["STATE_DIR"], "secrets.env")) as f:
        for line in f:
            if line.startswith("PUPNS_NOTIFY_SECRET_KEY="):
                return nacl.public.PrivateKey(bytes.fromhex(line.split("=", 1)[1].strip()))
    raise SystemExit("no PUPNS_NOTIFY_SECRET_KEY in the stack's secrets file")


BOX = nacl.public.SealedBox(secret_key())


def open_token(notice):
    return BOX.decrypt(base64.b64decode(notice["data"]["token_sealed"])).decode()


def notices(nip, kind):
    """Every notice of type registration.<kind>.v1 about nip since the test began, oldest first."""
    r = subprocess.run(["kcat", "-C", "-b", BROKERS, "-t", "pupns.registration.notices", "-o", f"s@{T0}", "-e",
                        "-q", "-J"], capture_output=True, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        try:
            m = json.loads(json.loads(line)["payload"])
        except (ValueError, KeyError, TypeError):
            continue
        if m.get("subject") == nip and m.get("type") == PREFIX + kind + ".v1":
            out.append(m)
    return out


def wait_notices(nip, kind, count=1, timeout=20):
    """The notices once at least count have arrived (the outbox relays within ~50 ms)."""
    deadline = time.time() + timeout
    got = notices(nip, kind)
    while len(got) < count and time.time() < deadline:
        time.sleep(0.3)
        got = notices(nip, kind)
    return got


def mail_link_token(event_id, timeout=30):
    """The #t= token of the link in the mail the notify service sent for event_id
    (its Maildir under the stack's folder), or None if no such mail came."""
    maildir = os.path.join(os.environ["STATE_DIR"], "mail", "new")
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name in os.listdir(maildir) if os.path.isdir(maildir) else []:
            with open(os.path.join(maildir, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if msg.get("X-PUPNS-Event-Id") != event_id:
                continue
            text = msg.get_body(preferencelist=("plain",)).get_content()
            m = re.search(r"#t=([A-Za-z0-9_-]{43})", text)
            return m.group(1) if m else ""
        time.sleep(0.5)
    return None


def register(nip, address):
    s, b, _ = pc.start(nip, email=address)
    if s != 200:
        return s, b
    cid, ans = pc.captcha()
    s, b, _ = pc.call("POST", "/api/v1/registrasi", pc.form(b["token"], cid, ans, PW))
    return s, b


def login(nip, pw=PW):
    s, b, _ = pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": pw})
    return b["token"] if s == 200 else None


def auth(token):
    return {"Authorization": "Bearer " + (token or "x" * 43)}


def with_captcha(body):
    cid, ans = pc.captcha()
    return dict(body, captcha_id=cid, captcha_jawaban=ans)


def reset(nip, no, jawaban=JAWAB, pw="Baru#Sekali2026", conf=None):
    body = {"nip": nip, "no_registrasi": no, "jawaban": jawaban, "kata_kunci": pw,
            "konfirmasi": pw if conf is None else conf}
    return pc.call("POST", "/api/v1/kata-kunci/reset", with_captcha(body))


def status(nip, ibu=IBU, jawaban=JAWAB):
    return pc.call("POST", "/api/v1/status", with_captcha({"nip": nip, "nama_ibu_kandung": ibu, "jawaban": jawaban}))


def forgot(nip):
    return pc.call("POST", "/api/v1/kata-kunci/lupa", with_captcha({"nip": nip}))


def new_password(token, pw):
    return pc.call("POST", "/api/v1/kata-kunci/baru", {"token": token, "kata_kunci": pw, "konfirmasi": pw})


def session_valid(token):
    return pc.call("GET", "/api/v1/akun", headers=auth(token))[0] == 200


def refusal(resp):
    """What must be identical between refusals: status and the whole problem body."""
    s, b, _ = resp
    return s, json.dumps(b, sort_keys=True)


FIRST, LAST = pc.row_range("recovery")
rows = sql(f"SELECT nip FROM identity.pns ORDER BY nip OFFSET {FIRST - 1} LIMIT {LAST - FIRST + 1}").split()
if len(rows) < LAST - FIRST + 1:
    print(f"1..1\nnot ok 1 - rows {FIRST}-{LAST} of identity.pns exist (SEED_N >= {LAST})")
    sys.exit(0)
# Unregistered NIPs only: a re-run on the same stack goes on with later rows.
free = [n for n in rows if sql(f"SELECT count(*) FROM registration.account WHERE nip = '{n}'") == "0"]
if not T.ok(len(free) >= 12, f"12 unregistered NIPs among rows {FIRST}-{LAST} ({len(free)} free)", "use a fresh stack"):
    sys.exit(0)
A, B, C, D, E, F, G, U = free[:8]  # U is never registered

# ---- reset by answer -------------------------------------------------------
s, reg_a = register(A, "alfa@example.go.id")
T.ok(s == 201, f"{A} registers", (s, reg_a))
no_a = (reg_a or {}).get("no_registrasi", "")
s1, s2 = login(A), login(A)
T.ok(s1 and s2 and session_valid(s1) and session_valid(s2), "two sessions of A are open")

wrong_no = reg_a and sql(f"SELECT no_registrasi FROM registration.account WHERE nip <> '{A}' LIMIT 1")
if not wrong_no:  # no other account yet: register one to borrow a valid number from
    register(G, "gamma@example.go.id")
    wrong_no = sql(f"SELECT no_registrasi FROM registration.account WHERE nip <> '{A}' LIMIT 1")
cases = {
    "an unregistered NIP": reset(U, no_a),
    "another PNS's number": reset(A, wrong_no),
    "a mistyped number": reset(A, "ABCDEFGH"),
    "a wrong answer": reset(A, no_a, jawaban="SD Negeri 4 Klojen"),
}
first = refusal(next(iter(cases.values())))
T.ok(first[0] == 401 and "data_tidak_cocok" in first[1], "a wrong reset is refused with 401 data_tidak_cocok", first)
for what, resp in cases.items():
    T.ok(refusal(resp) == first, f"reset with {what}: the very same refusal", (refusal(resp), first))
T.ok(session_valid(s1), "a refused reset changes nothing (A's session still open)")

s, b, _ = reset(A, no_a, pw="pendek1")
T.ok(s == 400 and [e["field"] for e in b.get("errors", [])] == ["kata_kunci"], "a short new password: 400 on kata_kunci", (s, b))
s, b, _ = reset(A, no_a, pw="Baru#Sekali2026", conf="Baru#Sekali2027")
T.ok(s == 400 and [e["field"] for e in b.get("errors", [])] == ["konfirmasi"], "a confirmation that differs: 400 on konfirmasi", (s, b))
s, b, _ = reset(A, no_a, pw=A + "x")
T.ok(s == 400 and [e["code"] for e in b.get("errors", [])] == ["kata_kunci_nip"], "a password containing the NIP: 400 kata_kunci_nip", (s, b))
s, b, _ = pc.call("POST", "/api/v1/kata-kunci/reset", {"nip": A, "no_registrasi": no_a, "jawaban": JAWAB,
                                                         "kata_kunci": "Baru#Sekali2026", "konfirmasi": "Baru#Sekali2026",
                                                         "captcha_id": "00000000-0000-0000-0000-000000000000",
                                                         "captcha_jawaban": "XXXXX"})
T.ok(s == 400 and [e["field"] for e in b.get("errors", [])] == ["captcha_jawaban"], "a wrong captcha: 400 on captcha_jawaban", (s, b))

# The answer as a person retypes it: other case and spacing, the number in lower case.
s, b, _ = reset(A, " " + no_a.lower() + " ", jawaban="  sd negeri 3   KLOJEN ")
T.ok(s == 200, "reset with the right number and answer (typed loosely) -> 200", (s, b))
T.ok(not session_valid(s1) and not session_valid(s2), "every session of A is revoked after the reset")
T.ok(login(A) is None and login(A, "Baru#Sekali2026"), "the old password no longer logs in, the new one does")
got = wait_notices(A, "password_reset")
T.ok(len(got) == 1 and got[0]["data"]["via"] == "jawaban" and got[0]["data"]["email"] == "alfa@example.go.id",
     "a password_reset.v1 notice (via jawaban) tells the owner", got)

# The serve loop may deliver a command again (a crash before its offset was
# committed): the same message once more changes nothing and mails nothing.
r = subprocess.run(["kcat", "-C", "-b", BROKERS, "-t", "pupns.registration.commands", "-o", f"s@{T0}", "-e", "-q", "-J"],
                   capture_output=True, text=True, timeout=60)
resets = []
for line in r.stdout.splitlines():
    payload = json.loads(line)["payload"]
    m = json.loads(payload)
    if m.get("subject") == A and m.get("type") == "id.go.bkn.pupns.registration.password.reset.v1":
        resets.append(payload)
if T.ok(resets, "the reset command is on pupns.registration.commands"):
    p = subprocess.run(["kcat", "-P", "-b", BROKERS, "-t", "pupns.registration.commands", "-k", A],
                       input=resets[-1], capture_output=True, text=True, timeout=30)
    time.sleep(3)
    T.ok(p.returncode == 0 and len(notices(A, "password_reset")) == 1 and login(A, "Baru#Sekali2026"),
         "the same reset message delivered again: no second notice, the password unchanged", p.stderr)

# ---- per-NIP lock-out, the same for an unregistered NIP ---------------------
s, reg_b = register(B, "beta@example.go.id")
no_b = (reg_b or {}).get("no_registrasi", "")
for _ in range(5):
    last_b = reset(B, no_b, jawaban="salah")
    last_u = reset(U, no_b, jawaban="salah")
T.ok(last_b[0] == 429 and last_u[0] == 429, "5 wrong resets lock the NIP: 429, for a registered and an unregistered NIP alike",
     (last_b[:2], last_u[:2]))
s, b, h = reset(B, no_b)
T.ok(s == 429 and h.get("Retry-After"), "while locked even the right answer is refused (429 with Retry-After)", (s, b))
sql(f"DELETE FROM registration.recovery_throttle WHERE nip IN ('{B}', '{U}')")

# ---- the verification link of the welcome notice ----------------------------
s, reg_c = register(C, "charlie@example.go.id")
no_c = (reg_c or {}).get("no_registrasi", "")
T.ok(s == 201, f"{C} registers", (s, reg_c))
welcome = wait_notices(C, "welcome")
T.ok(len(welcome) == 1, "a welcome.v1 notice follows the registration", welcome)
wd = welcome[0]["data"] if welcome else {}
T.ok(wd.get("no_registrasi") == no_c and wd.get("email") == "charlie@example.go.id" and wd.get("instansi", {}).get("kode")
     and "token" not in wd, "it carries the number, the address, the instansi, and the token only sealed", wd)
vtok = open_token(welcome[0]) if welcome else ""
T.ok(len(vtok) == 43, "its token_sealed opens with the notify secret key (a 43-character token)")
# With the notify service running (make test, make run), the same token is
# in the link of the welcome mail in the stack's Maildir.
if os.path.exists(os.path.join(os.environ["STATE_DIR"], "pids", "notify-1.pid")) and welcome:
    T.ok(mail_link_token(welcome[0]["id"]) == vtok, "the welcome mail's verification link carries that token (notify, Maildir)")
else:
    print(f"ok {T.n + 1} - the welcome mail's verification link carries that token # SKIP no notify service in this stack")
    T.n += 1
exp_days = sql(f"SELECT round(extract(epoch FROM expires_at - created_at) / 86400) FROM registration.email_token "
               f"WHERE nip = '{C}' AND purpose = 'verify'")
T.ok(exp_days == "7", "the verification link is valid 7 days", exp_days)
sc = login(C)
s, akun, _ = pc.call("GET", "/api/v1/akun", headers=auth(sc))
T.ok(s == 200 and akun.get("email_terverifikasi") is False and akun.get("no_registrasi") == no_c
     and akun.get("status") in ("registered", "receipt_received", "in_batch", "accepted")
     and akun.get("status_sumber") in ("verifikator", "registrasi"),
     "GET /api/v1/akun: own data, not verified yet, a state and where it comes from", (s, akun))
s, b, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": vtok})
T.ok(s == 200, "the verification link verifies the address", (s, b))
s, b2, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": vtok})
T.ok(s == 400 and b2.get("code") == "tautan_tidak_berlaku", "the same link used twice is refused (400 tautan_tidak_berlaku)", (s, b2))
s, b3, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": "A" * 43})
T.ok((s, b3.get("detail")) == (400, b2.get("detail")), "an unknown token gets the same answer", (s, b3))
s, akun, _ = pc.call("GET", "/api/v1/akun", headers=auth(sc))
T.ok(s == 200 and akun.get("email_terverifikasi") is True, "GET /api/v1/akun: the address is verified now", akun)
s, b, _ = pc.call("POST", "/api/v1/akun/email/kirim-ulang", headers=auth(sc))
T.ok(s == 409 and b.get("code") == "email_sudah_terverifikasi", "a new link for a verified address: 409", (s, b))

# ---- reset by mail ----------------------------------------------------------
register(D, "delta@example.go.id")  # never verified
accepted = [forgot(n) for n in (C, D, U)]
T.ok(all(r[0] == 202 for r in accepted) and len({json.dumps(r[1], sort_keys=True) for r in accepted}) == 1,
     "lupa: the same 202 for a verified address, an unverified one and an unregistered NIP", [r[:2] for r in accepted])
links = wait_notices(C, "reset_link")
T.ok(len(links) == 1, "a reset_link.v1 notice goes to the verified address only", links)
time.sleep(1)
T.ok(not notices(D, "reset_link") and not notices(U, "reset_link"), "none for the unverified address nor the unknown NIP")
rtok = open_token(links[0]) if links else ""
mins = sql(f"SELECT round(extract(epoch FROM expires_at - created_at) / 60) FROM registration.email_token "
           f"WHERE nip = '{C}' AND purpose = 'reset'")
T.ok(mins == "30", "the reset link is valid 30 minutes", mins)
s, b, _ = new_password(rtok, "pendek")
T.ok(s == 400 and [e["field"] for e in b.get("errors", [])] == ["kata_kunci"], "a weak password from the link: 400 (the link stays usable)", (s, b))
s, b, _ = new_password(rtok, C + "abc")
T.ok(s == 400 and [e["code"] for e in b.get("errors", [])] == ["kata_kunci_nip"], "the service knows the link's NIP: kata_kunci_nip", (s, b))
s, b, _ = new_password(rtok, "Dari#Tautan2026")
T.ok(s == 200, "POST /api/v1/kata-kunci/baru with the link's token sets the new password", (s, b))
T.ok(not session_valid(sc), "the sessions of C are revoked")
T.ok(login(C) is None and login(C, "Dari#Tautan2026"), "the new password logs in, the old does not")
s, used, _ = new_password(rtok, "Lagi#Tautan2026")
T.ok(s == 400 and used.get("code") == "tautan_tidak_berlaku", "the same link used twice is refused", (s, used))
got = wait_notices(C, "password_reset")
T.ok(len(got) == 1 and got[0]["data"]["via"] == "email", "a password_reset.v1 notice (via email)", got)

# Expired: the link's 30 minutes are over (its expiry moved back, as a clock would).
s, reg_e = register(E, "echo@example.go.id")
we = wait_notices(E, "welcome")
pc.call("POST", "/api/v1/email/verifikasi", {"token": open_token(we[0]) if we else ""})
forgot(E)
le = wait_notices(E, "reset_link")
etok = open_token(le[0]) if le else ""
sql(f"UPDATE registration.email_token SET expires_at = now() - interval '1 second' WHERE nip = '{E}' AND purpose = 'reset'")
s, b, _ = new_password(etok, "Dari#Tautan2026")
T.ok(s == 400 and b.get("code") == "tautan_tidak_berlaku" and b.get("detail") == used.get("detail"),
     "an expired link is refused with the same message", (s, b))
T.ok(login(E) is not None, "and the password is unchanged")

# ---- cek status -------------------------------------------------------------
s, b, _ = status(D)
T.ok(s == 200 and b.get("no_registrasi") == sql(f"SELECT no_registrasi FROM registration.account WHERE nip = '{D}'")
     and b.get("status") in ("registered", "receipt_received", "in_batch", "accepted"),
     "cek status (unverified address): the number and the state", (s, b))
T.ok(b.get("dikirim_ke_email") is False and b.get("status_sumber") in ("verifikator", "registrasi"),
     "said where the state comes from; nothing mailed", b)
bad = {"an unregistered NIP": status(U), "a wrong mother's name": status(D, ibu="Siti Aminah Lain"),
       "a wrong answer": status(D, jawaban="salah")}
first = refusal(next(iter(bad.values())))
T.ok(first[0] == 401, "a wrong status check is refused (401)", first)
for what, resp in bad.items():
    T.ok(refusal(resp) == first, f"status check with {what}: the very same refusal", (refusal(resp), first))
s, b, _ = status(C)
T.ok(s == 200 and b == {"dikirim_ke_email": True, "email": "c***@example.go.id"},
     "cek status (verified address): the number is mailed, not shown", (s, b))
sm = wait_notices(C, "status_mail")
T.ok(len(sm) == 1 and sm[0]["data"]["no_registrasi"] == no_c and sm[0]["data"]["state"], "a status_mail.v1 notice with the number and state", sm)

# ---- address change ---------------------------------------------------------
sc = login(C, "Dari#Tautan2026")
s, b, _ = pc.call("POST", "/api/v1/akun/email", {"email": "charlie.baru@example.go.id"}, headers=auth(sc))
T.ok(s == 202 and b.get("email_terverifikasi") is False, "the address changes (202, unverified)", (s, b))
s, akun, _ = pc.call("GET", "/api/v1/akun", headers=auth(sc))
T.ok(akun.get("email") == "charlie.baru@example.go.id" and akun.get("email_terverifikasi") is False,
     "GET /api/v1/akun shows the new, unverified address", akun)
ev = wait_notices(C, "email_verification")
ch = wait_notices(C, "email_changed")
T.ok(len(ev) == 1 and ev[0]["data"]["email"] == "charlie.baru@example.go.id", "email_verification.v1 goes to the new address", ev)
T.ok(len(ch) == 1 and ch[0]["data"]["old_email"] == "charlie@example.go.id" and ch[0]["data"]["email"] == "charlie.baru@example.go.id",
     "email_changed.v1 goes to the old address", ch)
s, b, _ = pc.call("POST", "/api/v1/akun/email", {"email": "bukan-email"}, headers=auth(sc))
T.ok(s == 400, "an invalid address is refused (400)", (s, b))
s, b, _ = pc.call("POST", "/api/v1/akun/email", {"email": "x@example.go.id"})
T.ok(s == 401, "without a session: 401", (s, b))
forgot(C)
time.sleep(1)
T.ok(len(notices(C, "reset_link")) == 1, "no reset link while the new address is unverified")
s, b, h = pc.call("POST", "/api/v1/akun/email/kirim-ulang", headers=auth(sc))
T.ok(s == 429 and h.get("Retry-After"), "a new link at once: 429 with Retry-After", (s, b))
sql(f"UPDATE registration.email_token SET created_at = created_at - interval '2 minutes' WHERE nip = '{C}'")
s, b, _ = pc.call("POST", "/api/v1/akun/email/kirim-ulang", headers=auth(sc))
T.ok(s == 202, "a minute later: 202, a new link", (s, b))
ev = wait_notices(C, "email_verification", 2)
T.ok(len(ev) == 2, "a second email_verification.v1", ev)
s, b, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": open_token(ev[0]) if ev else ""})
T.ok(s == 400, "the first link died with the new one", (s, b))
s, b, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": open_token(ev[-1]) if ev else ""})
s2, akun, _ = pc.call("GET", "/api/v1/akun", headers=auth(sc))
T.ok(s == 200 and akun.get("email_terverifikasi") is True, "the newest link verifies the new address", (s, b, akun))

# ---- password change ---------------------------------------------------------
register(F, "foxtrot@example.go.id")
f1, f2 = login(F), login(F)
s, b, _ = pc.call("POST", "/api/v1/akun/kata-kunci", {"kata_kunci_lama": "salah-sekali", "kata_kunci": "Ganti#Sendiri2026",
                                                      "konfirmasi": "Ganti#Sendiri2026"}, headers=auth(f1))
T.ok(s == 403 and b.get("code") == "kata_kunci_lama_salah", "a wrong old password: 403", (s, b))
s, b, _ = pc.call("POST", "/api/v1/akun/kata-kunci", {"kata_kunci_lama": PW, "kata_kunci": "Ganti#Sendiri2026",
                                                      "konfirmasi": "Ganti#Lain2026"}, headers=auth(f1))
T.ok(s == 400 and [e["field"] for e in b.get("errors", [])] == ["konfirmasi"], "a confirmation that differs: 400", (s, b))
s, b, _ = pc.call("POST", "/api/v1/akun/kata-kunci", {"kata_kunci_lama": PW, "kata_kunci": "Ganti#Sendiri2026",
                                                      "konfirmasi": "Ganti#Sendiri2026"}, headers=auth(f1))
T.ok(s == 200, "the password changes", (s, b))
T.ok(session_valid(f1) and not session_valid(f2), "the session that changed it stays, the other one ends")
T.ok(login(F, "Ganti#Sendiri2026") is not None, "the new password logs in")
got = wait_notices(F, "password_reset")
T.ok(len(got) == 1 and got[0]["data"]["via"] == "ubah", "a password_reset.v1 notice (via ubah)", got)

T.ok(not MISMATCHES, "every response of this test matches proto/openapi.yaml", "; ".join(MISMATCHES[:5]))

# ---- nothing readable at rest ---------------------------------------------------
tokens = sql("SELECT count(*) FROM registration.email_token WHERE token_hash !~ '^[0-9a-f]{64}$'")
T.ok(tokens == "0", "only SHA-256 hashes of the tokens are stored")
print(f"1..{T.n}")
