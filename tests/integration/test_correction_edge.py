"""test_correction_edge.py -- who may file a correction report, and what it
may hold (issue 8, item 5): POST /api/v1/pns/{nip}/koreksi needs the flow
token of step 2 for that same NIP (or, for a PNS already registered, whom
step 2 refuses, the owner's session) and a solved captcha; it takes plain
text only; and what was sent is stored and published as that same text.

  no token, no session           -> 401 token_wajib (WWW-Authenticate), for a
                                    known and an unknown NIP alike
  a forged token                 -> 401 token_tidak_valid
  another NIP's token            -> 403 token_nip_lain
  another PNS's session          -> 403 bukan_pemilik; a dead session 401 perlu_login
  no / a wrong / a spent captcha -> 400, the error at captcha_jawaban only
  blank, control characters, <script> (with a right captcha)
                                 -> 400 at usulan / catatan only
  a valid report (token; session) -> 201, stored verbatim in identity.koreksi,
                                    exactly one identity.correction.requested
                                    event whose usulan/catatan are the text sent
  over PUPNS_RATE_REGISTER a minute -> 429 (a gateway of its own, instance 8,
                                    PUPNS_HTTP_PORT+8)
Rows: range correction_edge (tests/ranges.tsv). Needs BASE_URL, PG_PORT,
PUPNS_REDIS_URL, PUPNS_KAFKA_BROKERS (KCAT_CONFIG for its credentials), TOP,
PUPNS_HTTP_PORT and the stack's environment (infra/stack/env.sh) for svc.sh."""
import json
import os
import re
import subprocess
import sys
import time

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identity_helpers as ih  # noqa: E402
from identity_helpers import pc  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import correction_client as cc  # noqa: E402

T = pc.Tap()
TOP = os.environ["TOP"]
t0 = int(time.time() * 1000) - 2000
rows = ih.range_rows("correction_edge")


def errors_of(b):
    return {e["field"]: e["code"] for e in (b or {}).get("errors", [])}


def fresh(skip=()):
    """The next NIP of the range that step 2 still accepts (not registered)."""
    for nip in rows:
        if nip not in skip and cc.token_for(nip):
            return nip
    raise SystemExit("every NIP of range correction_edge is registered: use a fresh stack")


a = fresh()
b = fresh({a})
c = fresh({a, b})  # registers below, for the session path
ta, tb = cc.token_for(a), cc.token_for(b)
ok_body = {"field": "nama", "usulan": "NAMA YANG BENAR"}

# ---- who reports ------------------------------------------------------------
s, body, h = cc.report(a, ok_body, token=None, session="", attempts=1)
T.ok(s == 401 and body.get("code") == "token_wajib" and body.get("field") == "token"
     and "email" in body.get("detail", ""), "no token, no session: 401 token_wajib, in Indonesian", (s, body))
T.ok((h.get("Content-Type") or "").startswith("application/problem+json")
     and (h.get("WWW-Authenticate") or "").startswith("Bearer"), "as problem+json with a Bearer challenge",
     dict(h))
s, body, _ = cc.report("199001012015011999", ok_body, token=None, session="", attempts=1)
T.ok(s == 401 and body.get("code") == "token_wajib", "an unknown NIP without a token: the same 401 (nothing learnt)",
     (s, body))
forged = ta[:-2] + ("AA" if not ta.endswith("AA") else "BB")
s, body, _ = cc.report(a, ok_body, token=forged, attempts=1)
T.ok(s == 401 and body.get("code") == "token_tidak_valid", "a forged token: 401 token_tidak_valid", (s, body))
s, body, _ = cc.report(a, ok_body, token="bukan.token", attempts=1)
T.ok(s == 401 and body.get("code") == "token_tidak_valid", "a malformed token: 401 token_tidak_valid", (s, body))
s, body, _ = cc.report(a, ok_body, token=tb, attempts=1)
T.ok(s == 403 and body.get("code") == "token_nip_lain" and body.get("detail"),
     "another NIP's token: 403 token_nip_lain, in Indonesian", (s, body))

# ---- the captcha --------------------------------------------------------------
s, body, _ = cc.report(a, ok_body, token=ta, captcha=False, attempts=1)
T.ok(s == 400 and errors_of(body) == {"captcha_jawaban": "captcha_kosong"}, "no captcha: 400 at captcha_jawaban",
     (s, body))
cid, ans = pc.captcha()
wrong = ("X" if ans[:1].upper() != "X" else "Y") + ans[1:]
s, body, _ = pc.call("POST", f"/api/v1/pns/{a}/koreksi", dict(ok_body, token=ta, captcha_id=cid, captcha_jawaban=wrong))
T.ok(s == 400 and errors_of(body) == {"captcha_jawaban": "captcha_salah"}, "a wrong captcha: 400 captcha_salah", (s, body))
s, body, _ = pc.call("POST", f"/api/v1/pns/{a}/koreksi", dict(ok_body, token=ta, captcha_id=cid, captcha_jawaban=ans))
T.ok(s == 400 and errors_of(body) == {"captcha_jawaban": "captcha_kedaluwarsa"},
     "a captcha already checked once is spent, even with its right answer", (s, body))

# ---- plain text only ---------------------------------------------------------
for field, usulan, catatan, want, why in (
        ("usulan", "   ", "", "usulan_kosong", "a blank proposal"),
        ("usulan", "\u00a0 \u00a0", "", "usulan_kosong", "a proposal of (no-break) spaces"),
        ("usulan", "<script>alert(1)</script>", "", "karakter_tidak_diizinkan", "<script>"),
        ("usulan", "Budi\u0007Santoso", "", "karakter_tidak_diizinkan", "a control character (BEL)"),
        ("usulan", "Budi\u0085Santoso", "", "karakter_tidak_diizinkan", "a C1 control character"),
        ("usulan", "x" * 201, "", "usulan_kosong", "a proposal over 200 characters"),
        ("catatan", "Budi", "baris\nbaru", "karakter_tidak_diizinkan", "a note with a newline"),
        ("catatan", "Budi", "<img src=x onerror=alert(1)>", "karakter_tidak_diizinkan", "a note with markup")):
    s, body, _ = cc.report(a, {"field": "nama", "usulan": usulan, "catatan": catatan}, token=ta)
    T.ok(s == 400 and errors_of(body) == {field: want}, f"{why}: 400 at {field} only ({want})", (s, body))
s, body, _ = cc.report(a, {"field": "umur", "usulan": "x"}, token=ta)
T.ok(s == 400 and errors_of(body) == {"field": "bidang_tidak_valid"}, "a field other than nama/instansi: 400", (s, body))

# ---- valid reports: stored and published as the text sent ---------------------
text = "Budi & Putra \"S.Pd.\" O'Neil &amp; &lt;b&gt; \u00e9\u00e8 \u00a0Jl. Merdeka"
note = "Gelar di ijazah: S.Pd. (bukan S.Pd) & ditulis lengkap; lihat SK 2015/07"
s, r1, _ = cc.report(a, {"field": "nama", "usulan": text, "catatan": note}, token=ta)
T.ok(s == 201 and r1.get("usulan") == text and r1.get("catatan") == note and r1.get("status") == "terbuka",
     "a report with its flow token and captcha: 201, the text echoed verbatim", (s, r1))
id1 = (r1 or {}).get("id", "")
stored = ih.sql("SELECT usulan, catatan, nip FROM identity.koreksi WHERE id = :'v1';", id1)
T.ok(stored == [[text, note, a]], "identity.koreksi holds the same text (no escaping, no markup)", stored)

# The registered PNS: step 2 refuses the NIP, the owner's session stands in.
s, _ = pc.register(c)
s2, sess, _ = pc.retrying(lambda: pc.call("POST", "/api/v1/auth/login", {"nip": c, "kata_kunci": "Rahasia#Malang75"}))
session = (sess or {}).get("token", "")
T.ok(s == 201 and s2 == 200 and session and cc.token_for(c) is None,
     "a registered PNS (step 2 refuses the NIP) logs in", (s, s2))
s, r2, _ = cc.report(c, {"field": "instansi", "usulan": "Pemerintah Kota Batu"}, session=session)
T.ok(s == 201 and r2.get("usulan") == "Pemerintah Kota Batu", "the owner's session instead of a flow token: 201", (s, r2))
id2 = (r2 or {}).get("id", "")
s, body, _ = cc.report(a, ok_body, session=session, attempts=1)
T.ok(s == 403 and body.get("code") == "bukan_pemilik", "a session for another NIP's report: 403 bukan_pemilik", (s, body))
s, body, _ = cc.report(c, ok_body, session="A" * 43, attempts=1)
T.ok(s == 401 and body.get("code") == "perlu_login", "a bearer that is no session: 401 perlu_login", (s, body))
s, lst, _ = pc.call("GET", f"/api/v1/pns/{c}/koreksi", headers={"Authorization": "Bearer " + session})
T.ok(s == 200 and id2 in [k["id"] for k in (lst or {}).get("koreksi", [])], "the owner lists the report (GET unchanged)",
     (s, lst))


# ---- rate-limited with registration attempts -----------------------------------
# A gateway of its own with PUPNS_RATE_REGISTER=2 (instance 8, PUPNS_HTTP_PORT+8):
# the third report of a minute from this address is 429, token or not.
port = int(os.environ["PUPNS_HTTP_PORT"]) + 8
limited = f"http://127.0.0.1:{port}"
svc = os.path.join(TOP, "infra", "stack", "svc.sh")
subprocess.run([svc, "start", "gateway", "8"], env=dict(os.environ, PUPNS_HTTP_PORT=str(port), PUPNS_RATE_REGISTER="2"),
               capture_output=True, check=False)
try:
    for _ in range(150):
        try:
            if pc.call("GET", "/readyz", base=limited, timeout=5)[0] == 200:
                break
        except OSError:  # not listening yet
            pass
        time.sleep(0.2)
    if int(time.time()) % 60 > 50:  # one clock-minute window for the three
        time.sleep(61 - int(time.time()) % 60)
    for key in pc.redis("--scan", "--pattern", "rate:register:*").split():
        pc.redis("DEL", key)
    codes = [pc.call("POST", f"/api/v1/pns/{a}/koreksi", ok_body, base=limited)[0] for _ in range(3)]
    s, body, h = pc.call("POST", f"/api/v1/pns/{a}/koreksi", dict(ok_body, token=ta), base=limited)
    T.ok(codes == [401, 401, 429] and s == 429 and body.get("code") == "terlalu_banyak_permintaan"
         and int(h.get("Retry-After") or 0) > 0, "over PUPNS_RATE_REGISTER a minute: 429 with Retry-After, token or not",
         (codes, s, body))
finally:
    subprocess.run([svc, "stop", "gateway", "8"], capture_output=True, check=False)

# ---- the events ------------------------------------------------------------
def events():
    cmd = ["kcat", "-C", "-b", os.environ["PUPNS_KAFKA_BROKERS"], "-t", "pupns.identity.events", "-o", f"s@{t0}",
           "-e", "-q", "-f", "%k\t%s\n"]
    if os.environ.get("KCAT_CONFIG"):
        cmd[1:1] = ["-F", os.environ["KCAT_CONFIG"]]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        key, _, payload = line.partition("\t")
        try:
            out.append((key, json.loads(payload)))
        except ValueError:
            pass
    return r.returncode, out


deadline = time.time() + 30
while True:
    rc, evs = events()
    mine = [(k, e) for k, e in evs if e.get("subject") in (a, b, c)]
    if len(mine) >= 2 or time.time() > deadline:
        break
    time.sleep(0.5)
T.ok(rc == 0 and evs, "pupns.identity.events can be read (kcat)", (rc, len(evs)))
kinds = sorted((e["type"].rsplit(".", 2)[-2], e["data"].get("correction_id")) for _, e in mine)
T.ok(kinds == sorted([("requested", id1), ("requested", id2)]),
     "exactly one event per valid report; none for a refused one", kinds)
ev1 = next((e for _, e in mine if e["data"].get("correction_id") == id1), {})
T.ok(ev1.get("data", {}).get("usulan") == text and ev1["data"].get("catatan") == note and ev1.get("subject") == a,
     "the event carries the very text sent", ev1.get("data"))
schema = json.load(open(f"{TOP}/proto/schemas/identity.correction.requested.v1.json"))
bad = [err.message for _, e in mine for err in jsonschema.Draft202012Validator(schema).iter_errors(e["data"])]
T.ok(mine and not bad, "the events validate against identity.correction.requested.v1 (plain-text pattern)", bad[:2])
pattern = schema["properties"]["usulan"].get("pattern", "")
T.ok(pattern and not re.search(pattern, "<script>") and not re.search(pattern, "a\nb") and re.search(pattern, text),
     "the schema's usulan pattern refuses markup and control characters", pattern)
print(f"1..{T.n}")
