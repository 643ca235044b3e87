#!/usr/bin/python3
"""test_registration.py -- steps 2-4 end to end against the running stack:
the flow, every validation error, captcha single use and expiry, duplicate
NIPs, the owner's view, login and the captcha after repeated failures. TAP output."""
import concurrent.futures
import time

from pupns_client import Tap, call, captcha, form, range_nips, redis, register, start
import correction_client as cc

t = Tap()
nip, nip2, nip_conc, nip_lock = range_nips("registration")

# Step 2: validation and the flow token.
s, b, _ = start("12345", "bukan-email")
fields = {e["field"]: e["code"] for e in (b or {}).get("errors", [])}
t.ok(s == 400 and fields.get("nip") == "nip_length" and fields.get("email") == "email_tidak_valid",
     "step 2 reports a bad NIP and a bad email at once", b)
s, b, _ = start("199001012015011999")
t.ok(s == 404 and b["code"] == "nip_tidak_ditemukan", "step 2 rejects an unknown NIP", b)
s, b, _ = call("POST", "/api/v1/registrasi/mulai", None)
t.ok(s == 400 and b["code"] == "json_tidak_valid", "step 2 without a body is a 400", b)
s, b, _ = start(nip)
t.ok(s == 200 and b["token"] and b["pns"]["nip"] == nip, "step 2 gives a flow token and the PNS", b)
token = b["token"]

s, qs, _ = call("GET", "/api/v1/pertanyaan-pengaman")
t.ok(s == 200 and len(qs) >= 5 and all("id" in q and "teks" in q for q in qs), "security questions are listed")

# Step 3: every field error at once (and the captcha consumed).
cid, ans = captcha()
s, b, _ = call("POST", "/api/v1/registrasi", {"token": "x.y", "kata_kunci": "pendek", "konfirmasi_kata_kunci": "lain",
                                               "nama_ibu_kandung": " ", "pertanyaan_id": 99, "jawaban": "",
                                               "captcha_id": cid, "captcha_jawaban": "SALAH"})
codes = {e["field"]: e["code"] for e in (b or {}).get("errors", [])}
want = {"token": "token_tidak_valid", "kata_kunci": "kata_kunci_pendek", "konfirmasi_kata_kunci": "kata_kunci_tidak_sama",
        "nama_ibu_kandung": "nama_ibu_kosong", "pertanyaan_id": "pertanyaan_tidak_valid", "jawaban": "jawaban_kosong",
        "captcha_jawaban": "captcha_salah"}
t.ok(s == 400 and codes == want, "every field error is reported at once, field by field", codes)
t.ok(all(e.get("message") for e in b.get("errors", [])), "every field error has an Indonesian message")
s, b, _ = call("POST", "/api/v1/registrasi", form(token, cid, ans))
t.ok(s == 400 and {e["field"]: e["code"] for e in b["errors"]} == {"captcha_jawaban": "captcha_kedaluwarsa"},
     "a captcha is consumed by the first check, even a wrong one", b)

for pw, code in (("12345678", "kata_kunci_umum"), (nip, "kata_kunci_nip"), ("Password", "kata_kunci_umum")):
    cid, ans = captcha()
    s, b, _ = call("POST", "/api/v1/registrasi", form(token, cid, ans, password=pw))
    got = {e["field"]: e["code"] for e in (b or {}).get("errors", [])}
    t.ok(s == 400 and got.get("kata_kunci") == code, f"password policy: {code}", got)

cid, ans = captcha()
redis("PEXPIRE", "captcha:" + cid, "1")
time.sleep(0.05)
s, b, _ = call("POST", "/api/v1/registrasi", form(token, cid, ans))
t.ok(s == 400 and b["errors"][0]["code"] == "captcha_kedaluwarsa", "an expired captcha is refused", b)
ttl = int(redis("TTL", "captcha:" + captcha()[0]))
t.ok(0 < ttl <= 300, f"captcha answers live in Redis with a TTL ({ttl} s)")

# Step 3 succeeds; step 4 is the answer.
cid, ans = captcha()
s, b, hdrs = call("POST", "/api/v1/registrasi", form(token, cid, ans.lower()))
t.ok(s == 201, "registration succeeds (captcha answer case-insensitive)", b)
no = b.get("no_registrasi", "") if b else ""
t.ok(len(no) == 8 and no.isalnum() and no.isupper() and not set(no) & set("01OIL"),
     f"registration number {no} is 8 unambiguous characters")
t.ok(b.get("nip") == nip and b.get("nama") and b.get("instansi", {}).get("nama") and b.get("created_at"),
     "201 carries NIP, name, instansi and time")
t.ok(hdrs.get("Location") == "/api/v1/registrasi/" + no, "201 has a Location")

s, b, _ = start(nip)
t.ok(s == 409 and b["code"] == "sudah_terdaftar" and "login" in b["detail"], "a registered NIP is refused at step 2 (409)", b)
cid, ans = captcha()
s, b, _ = call("POST", "/api/v1/registrasi", form(token, cid, ans))
t.ok(s == 409 and b["code"] == "sudah_terdaftar", "a second registration with an old token is 409", b)

# Login, the owner's view, logout.
s, b, _ = call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": "Rahasia#Malang75"})
t.ok(s == 200 and b.get("token") and b.get("token_type") == "Bearer", "login with the right password", b)
bearer = {"Authorization": "Bearer " + (b or {}).get("token", "")}
s, b, _ = call("GET", "/api/v1/registrasi/" + no, headers=bearer)
t.ok(s == 200 and b["no_registrasi"] == no and b["nip"] == nip, "the owner reads the registration", b)
s, b, _ = call("GET", "/api/v1/registrasi/" + no)
t.ok(s == 401 and b["code"] == "perlu_login", "without a session it is 401", b)
s, b2 = register(nip2)
t.ok(s == 201, "a second PNS registers", b2)
s, b, _ = call("GET", "/api/v1/registrasi/" + b2.get("no_registrasi", "X"), headers=bearer)
t.ok(s == 404, "another PNS's registration is not visible", b)
s, _, _ = call("POST", "/api/v1/auth/logout", headers=bearer)
t.ok(s == 204, "logout")
s, b, _ = call("GET", "/api/v1/registrasi/" + no, headers=bearer)
t.ok(s == 401, "a logged-out token is refused", b)

# Generic failure message.
s, wrong, _ = call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": "salah-sekali"})
s2, unknown, _ = call("POST", "/api/v1/auth/login", {"nip": "199001012015011999", "kata_kunci": "salah-sekali"})
t.ok(s == 401 and s2 == 401 and wrong["detail"] == unknown["detail"] == "NIP atau kata kunci salah.",
     "unknown NIP and wrong password get the same message")
# No lock-out of the NIP: after five failures a captcha is required, and
# the owner still gets in with the right password and a captcha.
register(nip_lock, password="KataKunci#Lock1")
tries = [call("POST", "/api/v1/auth/login", {"nip": nip_lock, "kata_kunci": "tebak-%d" % i})[:2] for i in range(5)]
t.ok([s for s, _ in tries] == [401] * 5 and not tries[3][1].get("captcha_wajib") and tries[4][1].get("captcha_wajib"),
     "five failures for a NIP: the fifth answer says a captcha is now required", [(s, b.get("code")) for s, b in tries])
s, b, _ = call("POST", "/api/v1/auth/login", {"nip": nip_lock, "kata_kunci": "KataKunci#Lock1"})
t.ok(s == 401 and b.get("code") == "captcha_wajib" and b.get("captcha_wajib") is True and "captcha" in b.get("detail", ""),
     "then even the right password without a captcha gets 401 captcha_wajib (in Indonesian), not a lock-out", b)
cid, ans = captcha()
s, b, _ = call("POST", "/api/v1/auth/login", {"nip": nip_lock, "kata_kunci": "KataKunci#Lock1", "captcha_id": cid,
                                             "captcha_jawaban": "SALAH"})
codes = {e["field"]: e["code"] for e in (b or {}).get("errors", [])}
t.ok(s == 400 and codes.get("captcha_jawaban") == "captcha_salah", "a wrong captcha is a field error", b)
cid, ans = captcha()
s, b, _ = call("POST", "/api/v1/auth/login", {"nip": nip_lock, "kata_kunci": "KataKunci#Lock1", "captcha_id": cid,
                                             "captcha_jawaban": ans})
t.ok(s == 200 and b.get("token"), "the owner logs in with the right password and a solved captcha", b)
s, b, _ = call("POST", "/api/v1/auth/login", {"nip": nip_lock, "kata_kunci": "KataKunci#Lock1"})
t.ok(s == 200, "and the success clears the NIP's failures (no captcha needed next time)", b)

# 50 concurrent registrations of one NIP: exactly one.
tokens = []
for _ in range(50):
    s, b, _ = start(nip_conc)
    tokens.append(b["token"])
caps = [captcha() for _ in range(50)]
with concurrent.futures.ThreadPoolExecutor(50) as pool:
    results = list(pool.map(lambda i: call("POST", "/api/v1/registrasi", form(tokens[i], *caps[i]))[:2], range(50)))
created = [b for s, b in results if s == 201]
t.ok(len(created) == 1 and sum(1 for s, _ in results if s == 409) == 49,
     "50 concurrent registrations of one NIP: exactly one 201, 49 conflicts",
     sorted(s for s, _ in results))

# Correction reports: stored open, announced, registration not blocked.
nip_k = range_nips("registration_corrections")[0]
# Each report carries step 2's flow token and a solved captcha (correction_client.py).
s, b, _ = cc.report(nip_k, {"field": "nama", "usulan": "Budi Santoso, S.Pd.", "catatan": "Gelar belum tercantum"})
t.ok(s == 201 and b["status"] == "terbuka" and b["field"] == "nama" and b["nilai_lama"] and b["usulan"] == "Budi Santoso, S.Pd.",
     "a name correction is stored as an open report with the old value", b)
s, b, _ = cc.report(nip_k, {"field": "instansi", "usulan": "Pemerintah Kota Batu"})
t.ok(s == 201 and b["field"] == "instansi", "an instansi correction is accepted", b)
s, b, _ = call("POST", "/api/v1/pns/12/koreksi", {"field": "umur", "usulan": ""})
got = {e["field"]: e["code"] for e in (b or {}).get("errors", [])}
t.ok(s == 400 and got == {"nip": "nip_length", "field": "bidang_tidak_valid", "usulan": "usulan_kosong"},
     "a bad correction report names every field at fault", got)
for usulan, code, why in (("   ", "usulan_kosong", "a blank proposal"),
                          ("<script>alert(1)</script>", "karakter_tidak_diizinkan", "markup"),
                          ("Budi\u0007Santoso", "karakter_tidak_diizinkan", "a control character")):
    s, b, _ = cc.report(nip_k, {"field": "nama", "usulan": usulan})
    got = {e["field"]: e["code"] for e in (b or {}).get("errors", [])}
    t.ok(s == 400 and got == {"usulan": code}, f"a correction with {why} is refused as not plain text", (s, got))
s, b, _ = cc.report(nip_k, {"field": "nama", "usulan": "Budi", "catatan": "baris\nbaru"})
t.ok(s == 400 and [e["field"] for e in b.get("errors", [])] == ["catatan"], "a note with a control character is refused", b)
s, b, _ = call("POST", "/api/v1/pns/199001012015011999/koreksi", {"field": "nama", "usulan": "X"})
t.ok(s == 401 and b["code"] == "token_wajib", "a correction for an unknown NIP, without a token: 401 as for any", b)
s, b = register(nip_k)
t.ok(s == 201, "a PNS with an open correction can still register", b)
