"""test_corrections_resolve.py -- correction reports resolved, end to end.

A PNS (row 3901) files three reports through the gateway; the verifier's
command identity.correction.resolve.v1 (sent here with pupns-ctl call)
accepts the Nama report (identity.pns changes, the look-up shows it), is
idempotent (the same command again: the same answer, no second event;
another command: already_resolved), rejects a report only with a reason,
moves the PNS to another unit kerja on an accepted Instansi report, and is
not_found for an unknown report. The PNS sees every outcome at
GET /api/v1/pns/{nip}/koreksi; another PNS (row 3902) gets 403 there, and
nobody without a session 401. On pupns.identity.events there is exactly one
event per report and outcome, each valid against proto/, keyed by the NIP,
carrying correction_id, nip, instansi, unit_kerja and the `instansi`
extension attribute. Needs BASE_URL, PG_PORT, BIN_DIR, TOP, PUPNS_REDIS_URL,
PUPNS_KAFKA_BROKERS."""
import json
import os
import subprocess
import sys
import time

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identity_helpers as ih  # noqa: E402
from identity_helpers import pc  # noqa: E402

T = pc.Tap()
TOP = os.environ["TOP"]
t0 = int(time.time() * 1000) - 2000
a, b = ih.range_rows("corrections_resolve")
inst_a, unit_a, nama_a = ih.instansi_of(a)
# A unit of another instansi for the Instansi report: the first one by kode.
new_unit, new_inst = ih.sql("SELECT kode, instansi_kode FROM identity.unit_kerja WHERE instansi_kode <> :'v1'"
                            " ORDER BY kode LIMIT 1;", inst_a)[0]


def login(nip):
    s, body = pc.register(nip)
    if s not in (201, 409):
        return None
    s, body, _ = pc.retrying(lambda: pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": "Rahasia#Malang75"}))
    return body.get("token") if s == 200 else None


def koreksi(nip, token):
    headers = {"Authorization": "Bearer " + token} if token else None
    return pc.call("GET", f"/api/v1/pns/{nip}/koreksi", headers=headers)[:2]


# ---- reports ---------------------------------------------------------------
s1, r1 = ih.report(a, "nama", "NAMA SESUAI IJAZAH", "tertulis salah")
s2, r2 = ih.report(a, "instansi", new_unit, "pindah tugas")
s3, r3 = ih.report(a, "nama", "NAMA KELIRU")
T.ok((s1, s2, s3) == (201, 201, 201), "three reports filed", (s1, r1, s2, r2, s3, r3))
id1, id2, id3 = r1["id"], r2["id"], r3["id"]

# ---- resolve ---------------------------------------------------------------
cmd1 = "cmd-" + id1
x = ih.resolve(id1, "accept", command_id=cmd1, reason="sesuai SK")
T.ok(x and x["status"] == "ok" and x["outcome"] == "accepted" and x["correction_id"] == id1,
     "accepting the Nama report is ok", x)
T.ok(ih.instansi_of(a)[2] == "NAMA SESUAI IJAZAH", "the master data holds the new nama")
s, body, _ = pc.call("GET", f"/api/v1/pns/{a}")
T.ok(s == 200 and body["nama"] == "NAMA SESUAI IJAZAH", "the look-up shows the new nama", (s, body))
again = ih.resolve(id1, "accept", command_id=cmd1, reason="sesuai SK")
T.ok(again == x, "the same command again gets the same answer", (again, x))
other = ih.resolve(id1, "reject", reason="berubah pikiran")
T.ok(other == {"status": "already_resolved"}, "another command for a resolved report: already_resolved", other)

x = ih.resolve(id3, "reject")
T.ok(x == {"status": "invalid", "code": "alasan_wajib"}, "a rejection without a reason is invalid", x)
x = ih.resolve(id3, "reject", reason="   ")
T.ok(x == {"status": "invalid", "code": "alasan_wajib"}, "a blank reason is no reason", x)
x = ih.resolve(id3, "reject", reason="<b>x</b>")
T.ok(x and x.get("status") == "invalid", "a reason with markup is invalid", x)
x = ih.resolve(id3, "maybe", reason="x")
T.ok(x == {"status": "invalid", "code": "keputusan_tidak_valid"}, "a decision other than accept/reject is invalid", x)
x = ih.resolve(id3, "reject", reason="Nama sudah sesuai dokumen")
T.ok(x and x["status"] == "ok" and x["outcome"] == "rejected" and x["reason"] == "Nama sudah sesuai dokumen",
     "rejecting with a reason is ok", x)
T.ok(ih.instansi_of(a)[2] == "NAMA SESUAI IJAZAH", "a rejection changes no master data")

x = ih.resolve(id2, "accept", unit_kerja_kode="X999.999")
T.ok(x == {"status": "invalid", "code": "unit_kerja_tidak_dikenal"}, "an Instansi report accepted into no known unit is invalid", x)
x = ih.resolve(id2, "accept")  # the report's proposal is the unit's kode
T.ok(x and x["status"] == "ok" and x["outcome"] == "accepted", "accepting the Instansi report is ok", x)
now = ih.instansi_of(a)
T.ok(now[0] == new_inst and now[1] == new_unit, f"the PNS moved to {new_unit} ({new_inst})", now)

x = ih.resolve("tidak-ada-" + id1, "accept")
T.ok(x == {"status": "not_found"}, "an unknown report is not_found", x)
x = ih.call("pupns.identity.commands", "identity.correction.resolve.v1", a, {"correction_id": id1})
T.ok(x and x.get("status") == "invalid", "a command without its fields is invalid", x)

# ---- the PNS sees the outcomes ----------------------------------------------
ta, tb = login(a), login(b)
T.ok(ta and tb, "both PNS registered and logged in")
s, body = koreksi(a, ta)
got = {k["id"]: k for k in (body or {}).get("koreksi", [])}
# (A stack used before may hold older reports of this NIP: only ours are checked.)
T.ok(s == 200 and body["nip"] == a and set(got) >= {id1, id2, id3}, "the owner lists their three reports", (s, body))
if s == 200 and set(got) >= {id1, id2, id3}:
    T.ok(got[id1]["status"] == "accepted" and got[id1]["alasan"] == "sesuai SK" and got[id1]["resolved_at"],
         "the Nama report: accepted", got[id1])
    T.ok(got[id3]["status"] == "rejected" and got[id3]["alasan"] == "Nama sudah sesuai dokumen",
         "the other: rejected, with the reason", got[id3])
    T.ok(got[id2]["status"] == "accepted" and got[id2]["usulan"] == new_unit, "the Instansi report: accepted", got[id2])
    order = [k["id"] for k in body["koreksi"] if k["id"] in (id1, id2, id3)]
    T.ok(order == [id3, id2, id1], "newest first", order)
    schema = json.load(open(f"{TOP}/proto/schemas/identity.correction.list.reply.v1.json"))
    errs = list(jsonschema.Draft202012Validator(schema).iter_errors({"status": "ok", "koreksi": body["koreksi"]}))
    T.ok(not errs, "the list matches identity.correction.list.reply.v1", errs[:1])
s, body = koreksi(a, tb)
T.ok(s == 403 and body.get("code") == "bukan_pemilik", "another PNS may not read them (403)", (s, body))
s, body = koreksi(b, tb)
T.ok(s == 200 and body == {"nip": b, "koreksi": []}, "a PNS without reports gets an empty list", (s, body))
s, body = koreksi(a, None)
T.ok(s == 401, "no session: 401", (s, body))
s, body = koreksi(a, "bukan-token-yang-sah")
T.ok(s == 401, "a made-up token: 401", (s, body))

# ---- the events ---------------------------------------------------------------
envelope = json.load(open(f"{TOP}/proto/envelope.schema.json"))


def events():
    r = subprocess.run(["kcat", "-C", "-b", os.environ["PUPNS_KAFKA_BROKERS"], "-t", "pupns.identity.events",
                        "-o", f"s@{t0}", "-e", "-q", "-f", "%k\t%s\n"], capture_output=True, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        key, _, payload = line.partition("\t")
        try:
            ev = json.loads(payload)
        except ValueError:
            continue
        if ev.get("subject") == a:
            out.append((key, ev))
    return out


want = {("identity.correction.requested.v1", id1), ("identity.correction.requested.v1", id2),
        ("identity.correction.requested.v1", id3), ("identity.corrected.v1", id1),
        ("identity.correction.rejected.v1", id3), ("identity.corrected.v1", id2)}
deadline = time.time() + 30
while True:
    evs = events()
    seen = [(e["type"][len(ih.PREFIX):], e["data"].get("correction_id")) for _, e in evs]
    if set(seen) >= want or time.time() > deadline:
        break
    time.sleep(0.5)
T.ok(sorted(seen) == sorted(want), "exactly one event per report and per outcome", sorted(seen))
bad = []
for key, e in evs:
    name = e["type"][len(ih.PREFIX):]
    schema = json.load(open(f"{TOP}/proto/schemas/{name}.json"))
    for err in list(jsonschema.Draft202012Validator(envelope).iter_errors(e)) + \
            list(jsonschema.Draft202012Validator(schema).iter_errors(e["data"])):
        bad.append((name, err.message))
    d = e["data"]
    if key != a or d.get("nip") != a or e.get("instansi") != d.get("instansi", {}).get("kode") or \
            not d.get("unit_kerja", {}).get("kode"):
        bad.append((name, "key/nip/instansi/unit_kerja", key, e.get("instansi")))
T.ok(not bad and evs, "every event valid, keyed by NIP, with instansi attribute and unit kerja", bad[:3])
byid = {(e["type"][len(ih.PREFIX):], e["data"]["correction_id"]): e for _, e in evs}
c1 = byid.get(("identity.corrected.v1", id1), {}).get("data", {})
T.ok(c1.get("fields") == {"nama": {"old": nama_a, "new": "NAMA SESUAI IJAZAH"}} and c1.get("instansi", {}).get("kode") == inst_a
     and c1.get("reason") == "sesuai SK" and c1.get("resolved_by") == "verifikator2.test", "corrected: nama old/new", c1)
c2 = byid.get(("identity.corrected.v1", id2), {}).get("data", {})
T.ok(c2.get("fields", {}).get("unit_kerja", {}).get("new", {}).get("kode") == new_unit
     and c2["fields"]["instansi"]["old"]["kode"] == inst_a and c2["fields"]["instansi"]["new"]["kode"] == new_inst,
     "corrected: instansi and unit kerja old/new", c2)
c3 = byid.get(("identity.correction.rejected.v1", id3), {}).get("data", {})
T.ok(c3.get("reason") == "Nama sudah sesuai dokumen" and c3.get("fields", {}).get("nama", {}).get("new") == "NAMA KELIRU",
     "rejected: the reason and what was proposed", c3)
print(f"1..{T.n}")
