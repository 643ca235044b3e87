"""test_verifier.py -- the verification path end to end, on the real stack.

30 PNS (rows 3001-3030) are moved into an empty unit and register through
the gateway. Verifikator 1 of the unit sees them with their states and
counts, marks 20 receipts by the typed number (in lower case, with spaces;
a typo is refused by the check symbol, with its Indonesian message) and 10
by their QR payload (one read from the printed PDF with zbarimg, a tampered
one refused), undoes one mark and marks it again, batches all 30 and
submits them. Verifikator 2 of the BKD returns the batch with a reason;
Verifikator 1 takes one receipt out and resubmits; Verifikator 2 accepts:
the unit is not active yet (one received receipt is outstanding); a second
batch with it is accepted and activates the unit. The public unit status,
the PNS's state route (verifier.pns.state.v1), the events on
pupns.verifier.events (each once, keyed and tagged by instansi) and the
audit log (who, what, from which address; not editable by the service's
role) show it."""
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifier_helpers as vh  # noqa: E402
from verifier_helpers import api, pc  # noqa: E402

T = pc.Tap()
T0 = int(time.time() * 1000) - 1000

nips = vh.range_rows("verifier")
(unit, inst), = vh.empty_units("a1-path", 1)
vh.move(nips, unit, inst)
T.ok(len(nips) == 30, f"30 NIPs of rows 3001-3030 moved into the empty unit {unit} ({inst})")

v1 = vh.add_user("v1path", "verifikator1", units=[unit])
v2 = vh.add_user("v2path", "verifikator2", instansi=[inst])
adm = vh.add_user("adminpath", "admin")
t1, t2, ta = vh.login(v1), vh.login(v2), vh.login(adm)
s, b = api("GET", "/api/v1/verifikator/sesi", t1)
T.ok(s == 200 and b["akun"]["peran"] == "verifikator1" and b["akun"]["unit_kerja"] == [unit],
     "Verifikator 1 logs in; the session names its role and unit", (s, b))

# ---- before anyone registers: the roster from identity -----------------------
s, b = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?limit=1000", t1)
if s == 404:
    T.ok(True, "the unit is unknown before any registration when identity's roster is not there yet # SKIP roster")
else:
    T.ok(s == 200 and b["roster"] is True and b["counts"]["not_registered"] == 30,
         "before registration the roster (identity.unit.members) lists 30 PNS not registered", (s, b and b.get("counts")))

regs = vh.register_all(nips)
T.ok(len(regs) == 30, f"30 PNS registered through the gateway ({len(regs)})")
b = vh.wait_registered(t1, unit, 30)
c = (b or {}).get("counts", {})
T.ok(c.get("registered") == 30 and c.get("total") == 30 and c.get("not_registered") == 0,
     "the verifier learned the 30 registrations from registration.completed", c)
T.ok(all(i["no_registrasi"] == regs[i["nip"]] for i in b["items"]), "each with its registration number")

# Filters and search.
name = b["items"][3]["nama"]
s, f = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?q={urllib.request.quote(name.split()[0].lower())}", t1)
T.ok(s == 200 and any(i["nip"] == b["items"][3]["nip"] for i in f["items"]) and f["counts"]["total"] == 30,
     "search by part of the name (case-insensitive); counts stay those of the unit", (s, f and f.get("total")))
s, f = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?q={nips[5][:14]}", t1)
T.ok(s == 200 and nips[5] in [i["nip"] for i in f["items"]], "search by NIP prefix", (s, f and f.get("total")))
s, f = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?status=bogus", t1)
T.ok(s == 400 and f["code"] == "status_tidak_valid", "an unknown state filter is a 400", (s, f))

# ---- marks -------------------------------------------------------------------
typed, by_qr = nips[:20], nips[20:]
no0 = regs[typed[0]]
alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
typo = no0[:3] + alphabet[(alphabet.index(no0[3]) + 1) % 31] + no0[4:]
s, e = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": typo})
T.ok(s == 400 and e["code"] == "no_registrasi_salah_ketik" and "salah ketik" in e["detail"],
     f"a typo ({typo} for {no0}) is caught by the check symbol, with a clear message", (s, e))
swapped = no0[:2] + no0[3] + no0[2] + no0[4:]
if swapped != no0:
    s, e = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": swapped})
    T.ok(s == 400 and e["code"] == "no_registrasi_salah_ketik", "two swapped characters are caught too", (s, e))
s, e = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": no0[:7] + "0"})
T.ok(s == 400 and e["code"] == "no_registrasi_tidak_valid" and "0/O" in e["detail"],
     "a character outside the alphabet (0) is named", (s, e))
s, e = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": "ABC"})
T.ok(s == 400 and e["code"] == "no_registrasi_tidak_valid", "a short number is a 400", (s, e))

marked = 0
for i, nip in enumerate(typed):
    no = regs[nip]
    shown = no.lower() if i % 3 == 0 else (no[:4] + " " + no[4:] if i % 3 == 1 else no)
    s, m = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": shown})
    marked += s == 201 and m["nip"] == nip and m["metode"] == "ketik" and m["baru"] is True
T.ok(marked == 20, f"20 receipts marked by the typed number (lower case, with a space) ({marked})")
s, m = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": regs[typed[1]]})
T.ok(s == 200 and m["baru"] is False and m["diterima_oleh"] == v1, "marking again changes nothing (200, baru false)", (s, m))

# One QR payload from the printed receipt itself.
pdf_nip = by_qr[0]
s, login, _ = pc.call("POST", "/api/v1/auth/login", {"nip": pdf_nip, "kata_kunci": "Rahasia#Malang75"})
pns_token = login.get("token") if s == 200 else None
pdf_q = None
for _ in range(40):
    req = urllib.request.Request(pc.BASE + f"/api/v1/registrasi/{regs[pdf_nip]}/bukti.pdf",
                                 headers={"Authorization": f"Bearer {pns_token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            if r.status == 200:
                open("/tmp/verifier-bukti.pdf", "wb").write(r.read())
                subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "/tmp/verifier-bukti.pdf",
                                "/tmp/verifier-bukti"], check=False)
                out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable",
                                      "/tmp/verifier-bukti.png"], capture_output=True, text=True).stdout.split()
                pdf_q = out[0] if out else None
                break
    except Exception:  # 202 while the receipt is rendered: urllib raises nothing, but be safe
        pass
    time.sleep(0.5)
T.ok(pdf_q and pdf_q.startswith(f"PUPNS1.{regs[pdf_nip]}."), "the QR code read from the printed Bukti Registrasi", pdf_q)
tampered = (pdf_q or "PUPNS1.x")[:-3] + ("AAA" if not (pdf_q or "").endswith("AAA") else "BBB")
s, e = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"qr": tampered})
T.ok(s == 422 and e["code"] == "qr_tidak_valid", "a tampered QR payload is refused (422)", (s, e))
qr_ok = 0
for nip in by_qr:
    q = pdf_q if nip == pdf_nip else vh.wait_qr(regs[nip])
    s, m = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"qr": q})
    qr_ok += s == 201 and m["nip"] == nip and m["metode"] == "qr"
T.ok(qr_ok == 10, f"10 receipts marked by their verified QR payload ({qr_ok})")

# Undo, and mark again.
s, u = api("DELETE", f"/api/v1/verifikator/tanda-terima/{regs[typed[2]]}", t1)
T.ok(s == 200 and u["state"] == "registered", "a mark is undone before sending", (s, u))
s, u = api("DELETE", f"/api/v1/verifikator/tanda-terima/{regs[typed[2]]}", t1)
T.ok(s == 404 and u["code"] == "tanda_terima_tidak_ditemukan", "undoing it twice: 404", (s, u))
s, m = api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": regs[typed[2]]})
T.ok(s == 201, "and marked again", (s, m))
s, b = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?status=receipt_received&limit=1000", t1)
T.ok(s == 200 and b["counts"]["receipt_received"] == 30 and b["total"] == 30, "30 receipts received", b and b.get("counts"))

# ---- batch, return, resubmission, acceptance ------------------------------------
s, bt = api("POST", "/api/v1/verifikator/batch", t1, {"unit_kerja_kode": unit})
T.ok(s == 201 and bt["state"] == "draft" and bt["jumlah"] == 30, "a draft batch of the 30 received receipts", (s, bt))
bid = bt["id"]
s, e = api("POST", "/api/v1/verifikator/batch", t1, {"unit_kerja_kode": unit})
T.ok(s == 409 and e["code"] == "tidak_ada_tanda_terima", "no second batch: every receipt is in one already", (s, e))
s, e = api("POST", f"/api/v1/verifikator/batch/{bid}/terima", t2)
T.ok(s == 409, "a draft cannot be accepted", (s, e))
s, bt = api("POST", f"/api/v1/verifikator/batch/{bid}/kirim", t1)
T.ok(s == 200 and bt["state"] == "submitted" and bt["pengiriman"] == 1, "submitted to Verifikator 2", (s, bt))
s, e = api("DELETE", f"/api/v1/verifikator/tanda-terima/{regs[typed[0]]}", t1)
T.ok(s == 409 and e["code"] == "sudah_dikirim", "a mark cannot be undone once its batch is sent", (s, e))
s, lst = api("GET", "/api/v1/verifikator/batch?status=submitted", t2)
T.ok(s == 200 and bid in [x["id"] for x in lst["items"]], "Verifikator 2 sees it among the submitted batches of its BKD")
s, b = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?status=in_batch", t2)
T.ok(s == 200 and b["counts"]["in_batch"] == 30, "30 PNS in a batch (Verifikator 2 may read the unit)", b and b.get("counts"))
s, e = api("POST", f"/api/v1/verifikator/batch/{bid}/kembalikan", t2, {"alasan": "x"})
T.ok(s == 400 and e["code"] == "alasan_tidak_valid", "a return needs a reason", (s, e))
reason = f"Tanda terima {typed[5]} tidak terbaca, mohon diperiksa"
s, bt = api("POST", f"/api/v1/verifikator/batch/{bid}/kembalikan", t2, {"alasan": reason})
T.ok(s == 200 and bt["state"] == "returned" and bt["alasan_pengembalian"] == reason, "Verifikator 2 returns it with a reason",
     (s, bt))
s, bt = api("POST", f"/api/v1/verifikator/batch/{bid}/ubah", t1, {"hapus": [typed[5]]})
T.ok(s == 200 and bt["jumlah"] == 29 and bt["dihapus"] == 1, "Verifikator 1 takes the unreadable receipt out", (s, bt))
s, bt = api("POST", f"/api/v1/verifikator/batch/{bid}/kirim", t1)
T.ok(s == 200 and bt["state"] == "submitted" and bt["pengiriman"] == 2, "and resubmits (second submission)", (s, bt))
s, bt = api("POST", f"/api/v1/verifikator/batch/{bid}/terima", t2)
T.ok(s == 200 and bt["state"] == "accepted" and bt["unit_aktif"] is False and bt["unit_diaktifkan"] is False,
     "accepted; the unit is not active yet: one received receipt is outstanding", (s, bt))
s, st = pc.call("GET", f"/api/v1/unit-kerja/{unit}/status")[:2]
T.ok(s == 200 and st["aktif"] is False and st["pns_diterima"] == 29, "GET /unit-kerja/{kode}/status: not active, 29 accepted",
     (s, st))
s, bt2 = api("POST", "/api/v1/verifikator/batch", t1, {"unit_kerja_kode": unit, "kirim": True})
T.ok(s == 201 and bt2["state"] == "submitted" and [i["nip"] for i in bt2["items"]] == [typed[5]],
     "a second batch with the remaining receipt, submitted at once", (s, bt2))
s, bt2 = api("POST", f"/api/v1/verifikator/batch/{bt2['id']}/terima", t2)
T.ok(s == 200 and bt2["unit_aktif"] is True and bt2["unit_diaktifkan"] is True,
     "accepting the last outstanding batch activates the unit", (s, bt2))
s, e = api("POST", f"/api/v1/verifikator/batch/{bid}/terima", t2)
T.ok(s == 409 and e["code"] == "status_batch_tidak_sesuai", "an accepted batch cannot be accepted again", (s, e))
s, st = pc.call("GET", f"/api/v1/unit-kerja/{unit}/status")[:2]
T.ok(s == 200 and st["aktif"] is True and st["pns_diterima"] == 30 and st["batch_terbuka"] == 0,
     "the unit is active for the data-update stage", (s, st))
s, b = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?limit=1000", t1)
T.ok(s == 200 and b["counts"]["accepted"] == 30 and b["unit_kerja"]["aktif"] is True, "all 30 accepted", b and b.get("counts"))

# ---- the PNS sees it ---------------------------------------------------------------
stt = vh.pns_state(pdf_nip)
T.ok(stt and stt.get("state") == "accepted" and stt.get("unit_active") is True,
     "verifier.pns.state.v1: the PNS's state is accepted and their unit active", stt)
unknown = vh.pns_state("199001012015011999")
T.ok(unknown and unknown.get("state") == "registered" and unknown.get("unit_active") is False,
     "a NIP the verifier never saw: registered, unit not active", unknown)
s, akun, _ = pc.call("GET", "/api/v1/akun", headers={"Authorization": f"Bearer {pns_token}"})
if s == 404 or s == 405:
    T.ok(True, "GET /api/v1/akun shows it # SKIP the account page (issue 11) is not there")
else:
    flat = str(akun)
    T.ok(s == 200 and "accepted" in flat and "True" in flat, "GET /api/v1/akun shows the state and the unit's activation",
         (s, akun))
s, e = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns", pns_token)
T.ok(s == 401, "the PNS's token opens no verifier endpoint", (s, e))
s, e, _ = pc.call("GET", f"/api/v1/registrasi/{regs[pdf_nip]}", headers={"Authorization": f"Bearer {t1}"})
T.ok(s == 401, "a verifier's token opens no PNS endpoint", (s, e))

# ---- events -------------------------------------------------------------------------
evs = []
for _ in range(40):
    evs = [ev for k, ev in vh.events(inst, T0) if ev["data"].get("unit_kerja", {}).get("kode") == unit]
    if any(ev["type"].endswith("unit.activated.v1") for ev in evs):
        break
    time.sleep(0.5)
types = [ev["type"].replace("id.go.bkn.pupns.", "") for ev in evs]
ids = [ev["id"] for ev in evs]
T.ok(len(set(ids)) == len(ids), f"each event once ({len(ids)} events)", types)
want = {"receipt.received.v1": 31, "receipt.unmarked.v1": 1, "batch.submitted.v1": 3, "batch.returned.v1": 1,
        "batch.accepted.v1": 2, "unit.activated.v1": 1}
got = {t: types.count(t) for t in want}
T.ok(got == want, "receipt.received x31 (one undone, marked again), receipt.unmarked, batch.submitted x3, "
     "batch.returned, batch.accepted x2, unit.activated", got)
T.ok(all(ev.get("instansi") == inst for ev in evs), "every event carries the instansi extension attribute")
T.ok(all(k == inst for k, ev in vh.events(inst, T0)), "keyed by the instansi kode")
T.ok(all(ev["specversion"] == "1.0" and ev["source"].startswith("/pupns/verifier/") for ev in evs), "CloudEvents from the verifier")

# ---- audit --------------------------------------------------------------------------
s, a = api("GET", f"/api/v1/verifikator/audit?username={v1}&limit=1000", ta)
acts = [x["aksi"] for x in (a or {}).get("items", [])]
T.ok(s == 200 and acts.count("tanda_terima") == 31 and "batal_tanda_terima" in acts and "buat_batch" in acts
     and "kirim_batch" in acts and "ubah_batch" in acts and "login" in acts, "admin reads Verifikator 1's actions", acts[:12])
T.ok(all(x["alamat"] == "127.0.0.1" and re.match(r"\d{4}-\d\d-\d\dT", x["at"]) for x in a["items"]),
     "each with when and from which address")
s, a = api("GET", f"/api/v1/verifikator/audit?username={v2}", ta)
acts = [x["aksi"] for x in (a or {}).get("items", [])]
T.ok(s == 200 and "kembalikan_batch" in acts and acts.count("terima_batch") == 2 and "aktifkan_unit" in acts,
     "and Verifikator 2's returns, accepts and the activation", acts)
s, e = api("GET", "/api/v1/verifikator/audit", t1)
T.ok(s == 403, "Verifikator 1 cannot read the audit log", (s, e))
r = subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "pupns_verifier", "-d", "pupns",
                    "-c", "UPDATE verifier.audit SET username = 'x'"], capture_output=True, text=True)
T.ok(r.returncode != 0 and "permission denied" in r.stderr, "the service's own role cannot change the audit log", r.stderr)
r = subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "pupns_verifier", "-d", "pupns",
                    "-c", "DELETE FROM verifier.audit"], capture_output=True, text=True)
T.ok(r.returncode != 0 and "permission denied" in r.stderr, "nor delete from it", r.stderr)
print(f"1..{T.n}")
