"""test_verifier_receipts.py -- the verifiers of a PNS's unit open that PNS's
receipts (issue 9, item 3): a Verifikator 1 of the unit and a Verifikator 2
of its BKD get the Bukti Registrasi and the Formulir as PDFs; a Verifikator 1
of another unit and a Verifikator 2 of another BKD get 404 (the number is
not confirmed), no session gets 401. NIP: row 3991 (in an empty unit of its
own, like the other verifier tests). TAP."""
import time

import verifier_helpers as vh

pc = vh.pc
T = pc.Tap()
nip = vh.range_rows("verifier_receipts")[0]
(unit, inst), (other_unit, other_inst) = vh.empty_units("receipts-" + vh.RUN, 2)
vh.move([nip], unit, inst)
regs = vh.register_all([nip])
no = regs.get(nip)
T.ok(bool(no), f"a PNS of unit {unit} registered ({no})")
tokens = {
    "Verifikator 1 of the unit": vh.login(vh.add_user("rcpt-v1", "verifikator1", units=[unit])),
    "Verifikator 2 of its BKD": vh.login(vh.add_user("rcpt-v2", "verifikator2", instansi=[inst])),
    "Verifikator 1 of another unit": vh.login(vh.add_user("rcpt-o1", "verifikator1", units=[other_unit])),
    "Verifikator 2 of another BKD": vh.login(vh.add_user("rcpt-o2", "verifikator2", instansi=[other_inst])),
}
want = {"Verifikator 1 of the unit": 200, "Verifikator 2 of its BKD": 200,
        "Verifikator 1 of another unit": 404, "Verifikator 2 of another BKD": 404}


def fetch(doc, token):
    """Status, Content-Type and body of the document; waits out 202 and the
    moment before the verifier has learned the registration."""
    h = {"Authorization": "Bearer " + token} if token else None
    for _ in range(60):
        s, b, hd = pc.call("GET", f"/api/v1/registrasi/{no}/{doc}", headers=h)
        if s not in (202, 503, 504) and not (s == 404 and want.get(who) == 200):
            break
        time.sleep(0.5)
    return s, hd.get("Content-Type", ""), b


for who, token in tokens.items():
    for doc in ("bukti.pdf", "formulir.pdf"):
        s, ctype, b = fetch(doc, token)
        if want[who] == 200:
            T.ok(s == 200 and ctype.startswith("application/pdf"), f"{who} gets the {doc}", (s, ctype))
        else:
            T.ok(s == 404 and b.get("code") == "registrasi_tidak_ditemukan", f"{who} gets 404 for the {doc}", (s, b))
who = "none"
s, _, b = fetch("bukti.pdf", None)
T.ok(s == 401, "without a session: 401", (s, b))
print(f"1..{T.n}")
