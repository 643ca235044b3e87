"""test_verifier_race.py -- two Verifikator 1 of one unit at once: marking
the same receipt at the same moment gives one mark (one 201, the other
200 "already marked" naming who), one receipt.received event; creating a
batch at the same moment puts each receipt in exactly one batch (the
database's UNIQUE rule, whatever the order). Rows 3201-3210, moved into an
empty unit of their own."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifier_helpers as vh  # noqa: E402
from verifier_helpers import api, pc, sql  # noqa: E402

T = pc.Tap()
T0 = int(time.time() * 1000) - 1000
nips = vh.range_rows("verifier_race")
(unit, inst), = vh.empty_units("a1-race", 1)
vh.move(nips, unit, inst)
regs = vh.register_all(nips)
ta = vh.login(vh.add_user("v1race1", "verifikator1", units=[unit]))
tb = vh.login(vh.add_user("v1race2", "verifikator1", units=[unit]))
vh.wait_registered(ta, unit, 10)
T.ok(len(regs) == 10, f"10 PNS registered in {unit}")


def at_once(calls):
    """Runs the calls in threads released together; their results in order."""
    out = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def run(i):
        gate.wait()
        out[i] = calls[i]()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


one_mark = 0
for i, nip in enumerate(nips):
    body = {"no_registrasi": regs[nip]}
    q = {"qr": vh.wait_qr(regs[nip])} if i % 2 else body  # half of them: one typed, one by QR
    res = at_once([lambda: api("POST", "/api/v1/verifikator/tanda-terima", ta, body, retry=False),
                   lambda: api("POST", "/api/v1/verifikator/tanda-terima", tb, q, retry=False)])
    codes = sorted(s for s, _ in res)
    firsts = [b for s, b in res if s == 201]
    ok = codes == [200, 201] and all(b["diterima_oleh"] == firsts[0]["diterima_oleh"] for s, b in res)
    one_mark += ok
    if not ok:
        T.ok(False, f"receipt {regs[nip]} marked by both at once", res)
T.ok(one_mark == 10, f"10 receipts each marked by two verifiers at once: one 201 and one 200 each ({one_mark})")
rows = sql("SELECT count(*), count(DISTINCT nip) FROM verifier.receipt_mark WHERE unit_kerja_kode = :'v1';", unit)
T.ok(rows == [["10", "10"]], "one mark per receipt in the database", rows)

res = at_once([lambda: api("POST", "/api/v1/verifikator/batch", ta, {"unit_kerja_kode": unit}, retry=False),
               lambda: api("POST", "/api/v1/verifikator/batch", tb, {"unit_kerja_kode": unit}, retry=False)])
made = [b for s, b in res if s == 201]
others = [(s, b.get("code")) for s, b in res if s != 201]
T.ok(made and sum(b["jumlah"] for b in made) == 10 and all(o == (409, "tidak_ada_tanda_terima") for o in others),
     f"two batches created at once: {len(made)} made, holding the 10 receipts between them", res)
rows = sql("SELECT count(*), count(DISTINCT bi.nip) FROM verifier.batch_item bi JOIN verifier.batch b ON b.id = bi.batch_id"
           " WHERE b.unit_kerja_kode = :'v1';", unit)
T.ok(rows == [["10", "10"]], "each receipt in exactly one batch", rows)

# Both submit the one batch at once: one submission.
bid = made[0]["id"]
res = at_once([lambda: api("POST", f"/api/v1/verifikator/batch/{bid}/kirim", ta, retry=False),
               lambda: api("POST", f"/api/v1/verifikator/batch/{bid}/kirim", tb, retry=False)])
T.ok(sorted(s for s, _ in res) == [200, 409], "the same batch submitted by both at once: one submission, one 409", res)

evs = []
for _ in range(40):
    evs = [ev for _, ev in vh.events(inst, T0) if ev["data"].get("unit_kerja", {}).get("kode") == unit]
    if sum(ev["type"].endswith("batch.submitted.v1") for ev in evs) >= 1:
        break
    time.sleep(0.5)
rec = [ev["data"]["nip"] for ev in evs if ev["type"].endswith("receipt.received.v1")]
T.ok(sorted(rec) == sorted(nips), "one receipt.received event per receipt", sorted(rec))
T.ok(sum(ev["type"].endswith("batch.submitted.v1") for ev in evs) == 1, "one batch.submitted event")
print(f"1..{T.n}")
