"""test_notify.py -- the notify service against the real stack: Kafka, its
PostgreSQL schema and the stack's SMTP sink (STARTTLS, Maildir).

Notices of every type are produced with kcat (tokens sealed to the stack's
notify key with python3-nacl, names with markup and non-ASCII letters):
each arrives once in the Maildir with its Message-ID, X-PUPNS-Event-Id and
X-PUPNS-Type, over TLS, as multipart/alternative with a text and an HTML
part, the recipient's name decoded from RFC 2047, the HTML escaped, and a
link whose token is the sealed one (Cetak: PUBLIC_URL/akun). The same
notices again (same event ids) give no second mail. A recipient the sink
refuses (550) is tried PUPNS_NOTIFY_REFUSED_ATTEMPTS times, then dead-
lettered with its event and counted as failed, while the notice behind it
on the same key is delivered. A token sealed to another key is dead-
lettered without a mail. No token (opened or sealed) is in notify's logs
or its schema. Then, when the registration service writes welcome notices
(issue 11), one real registration (a PNS row of the test's own) gets its
welcome mail with a verification link that works once; then lupa kata kunci
by mail gives a reset_link mail whose token sets a new password, and a
password_reset mail follows. Needs the variables of tests/run.sh."""
import os
import random
import subprocess
import sys
import time
import base64

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import notify_lib as nl  # noqa: E402

T = nl.Tap()
T.ok(nl.notify_ready(), "notify is ready on its health port")
before = nl.metrics()

NAME = "Ḥusayn ʿAbd <b>al-Raḥmān</b> & O'Connor"
run = random.randrange(10 ** 6)
nip = f"19800101200501{run % 10000:04d}"  # synthetic: notify needs no master data
sent = {}  # event id -> (kind, envelope, token)
for kind in nl.TYPES:
    eid, ev, tok = nl.notice(kind, nip, NAME, f"pns.{kind}.{run}@example.go.id")
    sent[eid] = (kind, ev, tok)
nl.produce([v[1] for v in sent.values()])
got = nl.wait_mails(sent, timeout=120)
T.ok(set(sent) <= set(got), "a mail for every notice type", f"missing: {[sent[e][0] for e in set(sent) - set(got)]}")

for eid, (kind, ev, tok) in sent.items():
    ms = got.get(eid, [])
    if not T.ok(len(ms) == 1, f"{kind}: exactly one mail", f"{len(ms)} mails"):
        continue
    m = ms[0]
    d = ev["data"]
    rcpt = d["old_email"] if kind == "email_changed" else d["email"]
    T.ok(str(m["Message-ID"]).startswith(f"<{eid}@") and str(m["X-PUPNS-Type"]) == ev["type"],
         f"{kind}: Message-ID <event id@...> and X-PUPNS-Type", f"{m['Message-ID']} {m['X-PUPNS-Type']}")
    to = nl.to_header(m)
    T.ok(to == (NAME, rcpt),
         f"{kind}: To is the name (RFC 2047 decoded) and the {'old ' if kind == 'email_changed' else ''}address",
         f"{m['To']!r}")
    T.ok(str(m["X-Sink-Envelope-To"]) == rcpt, f"{kind}: the envelope recipient is the same address")
    T.ok(str(m["X-Sink-TLS"]).startswith("TLS"), f"{kind}: sent over STARTTLS (certificate checked against the CA file)",
         str(m["X-Sink-TLS"]))
    T.ok(m.get_content_type() == "multipart/alternative" and [p.get_content_type() for p in m.iter_parts()]
         == ["text/plain", "text/html"], f"{kind}: multipart/alternative of text/plain and text/html")
    text, html = nl.parts(m)
    T.ok(text and html and NAME in text and "&lt;b&gt;al-Raḥmān&lt;/b&gt; &amp; O&#39;Connor" in html
         and "<b>al-" not in html, f"{kind}: the name as it is in the text, escaped in the HTML")
    T.ok(m["Subject"] and "e-PUPNS" in str(m["Subject"]), f"{kind}: an Indonesian subject", str(m["Subject"]))
    if tok:
        path = nl.LINK_TYPES[kind]
        T.ok(nl.link_token(text, path) == tok, f"{kind}: the text's link carries the sealed token ({path}#t=)")
        T.ok(f'href="{nl.PUBLIC_URL}{path}#t={tok}"' in html, f"{kind}: the HTML link carries it too")
    if kind in ("welcome", "status_mail"):
        T.ok(f"{nl.PUBLIC_URL}/akun\n" in text and f'href="{nl.PUBLIC_URL}/akun"' in html,
             f"{kind}: the Cetak link {nl.PUBLIC_URL}/akun")

# ---- the same notices again: no second mail ----------------------------------
nl.produce([v[1] for v in sent.values()])
probe_id, probe, _ = nl.notice("password_reset", nip, "Penanda", f"penanda.{run}@example.go.id")
nl.produce([probe])  # same key, behind the repeats: once it is mailed, they were handled
got = nl.wait_mails([probe_id], timeout=120)
T.ok(probe_id in got and all(len(got.get(e, [])) == 1 for e in sent),
     "notices delivered again (same event ids) give no second mail",
     str({sent[e][0]: len(got.get(e, [])) for e in sent}))
rows = nl.sql("SELECT count(*) FROM notify.mail WHERE state = 'sent' AND event_id IN ("
              + ",".join(f"'{e}'" for e in sent) + ")")
T.ok(rows == str(len(sent)), "notify.mail remembers every event id as sent", rows)

# ---- a recipient the server refuses for good ---------------------------------
bad_id, bad, _ = nl.notice("status_mail", nip, "Tidak Terkirim", f"pns.{run}@ditolak.example")
after_id, after, _ = nl.notice("password_reset", nip, "Sesudahnya", f"sesudah.{run}@example.go.id")
nl.produce([bad, after])
got = nl.wait_mails([after_id], timeout=120)
T.ok(after_id in got, "the notice behind a refused one (same key, same partition) is still mailed")
T.ok(bad_id not in got, "no mail for the refused address")
dl = nl.deadletters_of([bad_id], timeout=60)
T.ok(bad_id in dl and dl[bad_id].get("topic") == nl.TOPIC and dl[bad_id].get("type") == bad["type"],
     "the refused notice is a dead letter on pupns.deadletter (its whole event, for a replay)", str(dl.get(bad_id)))
row = nl.sql(f"SELECT state, attempts, last_error LIKE '%550%' FROM notify.mail WHERE event_id = '{bad_id}'")
T.ok(row.startswith("failed|3|t"), "notify.mail: failed after 3 attempts (PUPNS_NOTIFY_REFUSED_ATTEMPTS), the 550 kept",
     row)

# ---- a token notify cannot open -----------------------------------------------
from nacl.public import PrivateKey, SealedBox  # noqa: E402

other = PrivateKey.generate().public_key
forged_id, forged, _ = nl.notice("reset_link", nip, "Kunci Lain", f"lain.{run}@example.go.id")
forged["data"]["token_sealed"] = base64.b64encode(SealedBox(other).encrypt(b"x" * 43)).decode()
nl.produce([forged])
dl = nl.deadletters_of([forged_id], timeout=60)
T.ok(forged_id in dl and forged_id not in nl.mails(), "a token sealed to another key: dead letter, no mail")

m = nl.metrics()
delta = {k: m.get(k, 0) - before.get(k, 0) for k in m}
T.ok(all(delta.get((k, "sent"), 0) >= 1 for k in nl.TYPES), "pupns_notify_mails_total{result=sent} counted every type",
     str(delta))
T.ok(delta.get(("status_mail", "failed"), 0) >= 1 and delta.get(("status_mail", "retrying"), 0) >= 2,
     "the refused mail counted: retrying twice, then failed", str(delta))
T.ok(delta.get("deadletters", 0) >= 2, "pupns_deadletter_total{topic=notices} counted both dead letters")

# ---- a real registration, when the registration service writes notices -------
def own_pns():
    """A PNS row of this test's own (a copy of the first row's unit, a free NIP),
    so no other test's NIP rows are taken. Its NIP (born 31 Dec 2006, TMT
    January 2025) sorts after every seeded one: the other tests number their
    rows ORDER BY nip, and a row inserted before them shifted every later
    test's rows by one (test_verifier then met a NIP test_fault_overload
    had registered)."""
    import pupns_client  # noqa: E402 - for the row it copies (tests/ranges.tsv)
    row = pupns_client.row_range("notify_unit")[0]
    for _ in range(50):
        cand = f"20061231202501{random.choice('12')}{random.randrange(1, 1000):03d}"
        if nl.sql(f"SELECT count(*) FROM identity.pns WHERE nip = '{cand}'") == "0":
            nl.sql("INSERT INTO identity.pns SELECT '%s', 'Uji Notify', tempat_lahir, DATE '2006-12-31', %s,"
                   " DATE '2025-01-01', instansi_kode, unit_kerja_kode FROM identity.pns ORDER BY nip OFFSET %d LIMIT 1"
                   % (cand, cand[14], row - 1))
            return cand
    return None


writes_notices = "PC_TYPE_REG_NOTICE_WELCOME" in open(os.path.join(nl.TOP, "services/registration/submit.c")).read()
if not writes_notices:
    T.ok(True, "a real registration's welcome mail # SKIP the registration service writes no notices yet")
else:
    import pupns_client as pc  # noqa: E402

    reg_nip = own_pns()
    addr = f"daftar.{run}@example.go.id"
    status, body = None, None
    for _ in range(3):
        st, b, _ = pc.start(reg_nip, email=addr)
        if st != 200:
            status, body = st, b
            break
        cid, ans = pc.captcha()
        status, body, _ = pc.call("POST", "/api/v1/registrasi", pc.form(b["token"], cid, ans))
        if status < 500:
            break
    if T.ok(status == 201, f"a real registration through the gateway ({reg_nip})", f"{status} {body}"):
        end, mail = time.time() + 120, None
        while time.time() < end and not mail:
            for ms in nl.mails().values():
                if str(ms[0]["X-PUPNS-Type"]) == nl.PREFIX + "welcome.v1" and nl.to_header(ms[0])[1] == addr:
                    mail = ms[0]
            time.sleep(0.5)
        T.ok(mail is not None, "its welcome mail arrives")
        if mail:
            text, html = nl.parts(mail)
            token = nl.link_token(text, "/akun/verifikasi-email")
            T.ok(token and (body or {}).get("no_registrasi", "?") in text and f"{nl.PUBLIC_URL}/akun\n" in text,
                 "with the number, the Cetak link and a verification link")
            st, b, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": token or "x"})
            T.ok(st == 200, "the link's token verifies the address", f"{st} {b}")
            st, b, _ = pc.call("POST", "/api/v1/email/verifikasi", {"token": token or "x"})
            T.ok(st == 400, "a second use of the link is refused", f"{st} {b}")
            tokens_extra = [token] if token else []

            def mail_of(kind, after=()):
                end = time.time() + 120
                while time.time() < end:
                    for e, ms in nl.mails().items():
                        if (e not in after and str(ms[0]["X-PUPNS-Type"]) == nl.PREFIX + kind + ".v1"
                                and nl.to_header(ms[0])[1] == addr):
                            return e, ms[0]
                    time.sleep(0.5)
                return None, None

            # Lupa kata kunci by mail, now that the address is verified.
            cid, ans = pc.captcha()
            st, b, _ = pc.call("POST", "/api/v1/kata-kunci/lupa", {"nip": reg_nip, "captcha_id": cid, "captcha_jawaban": ans})
            T.ok(st == 202, "lupa kata kunci for the verified address", f"{st} {b}")
            rid, rmail = mail_of("reset_link")
            rtoken = nl.link_token(nl.parts(rmail)[0], "/akun/kata-kunci-baru") if rmail else None
            T.ok(rtoken is not None, "the reset_link mail arrives with its link")
            tokens_extra.append(rtoken or "")
            st, b, _ = pc.call("POST", "/api/v1/kata-kunci/baru",
                               {"token": rtoken or "x", "kata_kunci": "Baru#Malang2026", "konfirmasi": "Baru#Malang2026"})
            T.ok(st == 200, "its token sets a new password", f"{st} {b}")
            pid, pmail = mail_of("password_reset")
            T.ok(pmail is not None and "melalui tautan yang dikirim ke email anda" in (nl.parts(pmail)[0] or ""),
                 "and the password_reset mail tells the owner it was done by the mailed link")

# ---- no secret in the logs or at rest ----------------------------------------
logs = nl.notify_logs()
tokens = globals().get('tokens_extra', []) + [t for _, _, t in sent.values() if t] + [v[1]["data"]["token_sealed"] for v in sent.values()
                                                  if "token_sealed" in v[1]["data"]]
T.ok(logs and not [t for t in tokens if t in logs], "no token, opened or sealed, in notify's logs",
     f"{sum(t in logs for t in tokens)} found")
dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns",
                       "-n", "notify", "--data-only"], capture_output=True, text=True).stdout
T.ok("COPY notify.mail" in dump and not [t for t in tokens if t in dump], "no token in the notify schema")
T.done()
