"""test_verifier_crash.py -- a SIGKILL of the verifier service loses
nothing. Rows 3221-3260 in an empty unit of their own:
 - 20 PNS register while the verifier is killed; restarted, it knows all 20
   (registration.completed is committed only after its row);
 - a Verifikator 1 marks 20 receipts one after another (0.3 s apart, so the
   stream outlasts the kills), retrying a 5xx as a person would, while the
   verifier is SIGKILLed and restarted twice: every receipt ends marked once, and each mark's receipt.received event is on
   pupns.verifier.events (a crash between publishing and marking the outbox
   row may publish it again with the same envelope id, never another one);
   nothing stays unsent in the outbox. Needs STACK_NAME/STACK_BASE/BIN_DIR."""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifier_helpers as vh  # noqa: E402
from verifier_helpers import api, pc, sql  # noqa: E402

T = pc.Tap()
T0 = int(time.time() * 1000) - 1000
SVC = os.path.join(os.environ.get("TOP", "."), "infra/stack/svc.sh")


def svc(cmd):
    subprocess.run([SVC, cmd, "verifier"], check=False, capture_output=True)


def healthy(deadline_s=60):
    port = int(os.environ["STACK_BASE"]) + 15
    t0 = time.time()
    while time.time() - t0 < deadline_s:
        if subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/readyz"], capture_output=True).returncode == 0:
            return True
        time.sleep(0.3)
    return False


nips = vh.range_rows("verifier_crash")
(unit, inst), = vh.empty_units("a1-crash", 1)
vh.move(nips, unit, inst)
tok = vh.login(vh.add_user("v1crash", "verifikator1", units=[unit]))

first, second = nips[:20], nips[20:]
svc("kill")
regs = vh.register_all(first)
T.ok(len(regs) == 20, "20 PNS registered while the verifier is killed")
svc("start")
T.ok(healthy(), "the verifier is back")
b = vh.wait_registered(tok, unit, 20)
c = (b or {}).get("counts", {})
T.ok(c.get("total", 0) - c.get("not_registered", 0) == 20, "after the restart it knows all 20 registrations", c)

regs.update(vh.register_all(second))
vh.wait_registered(tok, unit, 40)
acked, lock, refused = {}, threading.Lock(), [0]


def marker():
    for nip in second:
        for _ in range(60):
            s, m = api("POST", "/api/v1/verifikator/tanda-terima", tok, {"no_registrasi": regs[nip]}, retry=False)
            if s in (200, 201):
                with lock:
                    acked[nip] = s
                break
            refused[0] += 1
            time.sleep(0.5)  # 5xx while the service is down: try again, as a person would
        time.sleep(0.3)  # the next receipt handed over the desk: the stream outlasts the kills


th = threading.Thread(target=marker)
th.start()
mid_stream = 0
for k in range(2):
    for _ in range(100):
        with lock:
            n = len(acked)
        if n >= 5 * (k + 1) or not th.is_alive():
            break
        time.sleep(0.1)
    mid_stream += th.is_alive()
    svc("kill")
    time.sleep(1)
    svc("start")
    healthy()
th.join(timeout=300)
print(f"# {mid_stream} of 2 kills came while marks were still being made")
print(f"# {refused[0]} mark attempts met the killed verifier (5xx) and were tried again; "
      f"{sum(1 for v in acked.values() if v == 200)} answered 'already marked' (their first attempt had committed)")
T.ok(len(acked) == 20, f"all 20 marks answered across two SIGKILLs ({len(acked)})")
rows = sql("SELECT count(*) FROM verifier.receipt_mark WHERE unit_kerja_kode = :'v1';", unit)
T.ok(rows == [["20"]], "20 marks in the database, one each", rows)
s, b = api("GET", f"/api/v1/verifikator/unit-kerja/{unit}/pns?status=receipt_received&limit=100", tok)
T.ok(s == 200 and sorted(i["nip"] for i in b["items"]) == sorted(second), "the list shows the 20 received", (s, b and b.get("counts")))

evs, unsent = [], None
for _ in range(60):
    unsent = sql("SELECT count(*) FROM verifier.outbox WHERE sent_at IS NULL;")
    evs = [ev for _, ev in vh.events(inst, T0) if ev["type"].endswith("receipt.received.v1")
           and ev["data"].get("unit_kerja", {}).get("kode") == unit]
    if unsent == [["0"]] and len({ev["data"]["nip"] for ev in evs}) == 20:
        break
    time.sleep(0.5)
T.ok(unsent == [["0"]], "nothing left unsent in the outbox", unsent)
by_nip = {}
for ev in evs:
    by_nip.setdefault(ev["data"]["nip"], set()).add(ev["id"])
T.ok(sorted(by_nip) == sorted(second), "a receipt.received event for every mark", sorted(by_nip))
T.ok(all(len(ids) == 1 for ids in by_nip.values()), "one event id per mark (a re-publication keeps its id)",
     {k: len(v) for k, v in by_nip.items() if len(v) != 1})
print(f"1..{T.n}")
