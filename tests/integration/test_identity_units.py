"""test_identity_units.py -- identity.unit.members.v1 and identity.unit.get.v1
on pupns.identity.requests (what the verifier service asks), against the
master data in PostgreSQL: a unit paged through by NIP with several page
sizes gives every member once and in order; the summary counts them; bad
requests are "invalid", unknown units "not_found"; look-ups keep working
while unit queries share their consumer. Reads only (the largest unit of a PNS of rows 3901-4000).
Needs PG_PORT, BIN_DIR, BASE_URL and the stack's Kafka."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identity_helpers as ih  # noqa: E402
from identity_helpers import pc  # noqa: E402

T = pc.Tap()
REQ = "pupns.identity.requests"

# The largest unit of a PNS of rows 3901-4000 (this test's rows; read only).
mine = ih.range_rows("identity_units")
nip, unit, instansi = ih.sql("SELECT p.nip, p.unit_kerja_kode, p.instansi_kode FROM identity.pns p"
                             " WHERE p.nip = ANY(string_to_array(:'v1', ','))"
                             " ORDER BY (SELECT count(*) FROM identity.pns q WHERE q.unit_kerja_kode = p.unit_kerja_kode)"
                             " DESC, p.nip LIMIT 1;", ",".join(mine))[0]
want = [r[0] for r in ih.sql("SELECT nip FROM identity.pns WHERE unit_kerja_kode = :'v1' ORDER BY nip;", unit)]
names = dict(ih.sql("SELECT nip, nama FROM identity.pns WHERE unit_kerja_kode = :'v1';", unit))
unit_nama = ih.sql("SELECT nama FROM identity.unit_kerja WHERE kode = :'v1';", unit)[0][0]
inst_nama = ih.sql("SELECT nama FROM identity.instansi WHERE kode = :'v1';", instansi)[0][0]
T.ok(len(want) >= 2, f"unit {unit} has {len(want)} PNS", want)

g = ih.call(REQ, "identity.unit.get.v1", unit, {"unit_kerja_kode": unit})
T.ok(g == {"status": "ok", "unit_kerja": {"kode": unit, "nama": unit_nama},
           "instansi": {"kode": instansi, "nama": inst_nama}, "members_total": len(want)},
     "unit.get names the unit, its instansi and its number of PNS", g)

for limit in (4, 13, 1000):
    seen, after, pages, ok = [], None, 0, True
    while pages <= len(want) + 1:
        data = {"unit_kerja_kode": unit, "limit": limit}
        if after is not None:
            data["after_nip"] = after
        r = ih.call(REQ, "identity.unit.members.v1", unit, data)
        pages += 1
        if not r or r.get("status") != "ok" or len(r["members"]) > limit:
            ok = False
            break
        ok = ok and r["unit_kerja"]["kode"] == unit and r["instansi"]["kode"] == instansi
        ok = ok and all(m["nama"] == names.get(m["nip"]) for m in r["members"])
        seen += [m["nip"] for m in r["members"]]
        after = r["next_after"]
        if after is None:
            break
        ok = ok and after == seen[-1]
    T.ok(ok and seen == want, f"members paged by {limit}: every member once, in NIP order, in {pages} pages",
         (seen, want))

r = ih.call(REQ, "identity.unit.members.v1", unit, {"unit_kerja_kode": unit})
T.ok(r and len(r["members"]) == min(len(want), 100), "members without a limit: a page of at most 100", r)
r = ih.call(REQ, "identity.unit.members.v1", unit, {"unit_kerja_kode": unit, "after_nip": want[-1]})
T.ok(r == {"status": "ok", "unit_kerja": {"kode": unit, "nama": unit_nama},
           "instansi": {"kode": instansi, "nama": inst_nama}, "members": [], "next_after": None},
     "after the last member: an empty last page", r)
r = ih.call(REQ, "identity.unit.members.v1", unit, {"unit_kerja_kode": unit, "after_nip": None, "limit": 1})
T.ok(r and r["members"] == [{"nip": want[0], "nama": names[want[0]]}], "after_nip null: from the first", r)

for bad, why in (({"unit_kerja_kode": unit, "limit": 1001}, "a limit over 1000"),
                 ({"unit_kerja_kode": unit, "limit": 0}, "a limit of 0"),
                 ({"unit_kerja_kode": unit, "limit": "10"}, "a limit that is not a number"),
                 ({"unit_kerja_kode": unit, "after_nip": "19x"}, "a cursor that is not digits"),
                 ({"unit_kerja_kode": "k3507'; --"}, "a kode with quotes"),
                 ({}, "no kode")):
    r = ih.call(REQ, "identity.unit.members.v1", unit, bad)
    T.ok(r == {"status": "invalid"}, f"members with {why} is invalid", r)
for t in ("identity.unit.members.v1", "identity.unit.get.v1"):
    r = ih.call(REQ, t, "X999.999", {"unit_kerja_kode": "X999.999"})
    T.ok(r == {"status": "not_found"}, f"{t} of an unknown unit is not_found", r)

# The same consumer answers look-ups as before.
s, b, _ = pc.call("GET", f"/api/v1/pns/{nip}")
T.ok(s == 200 and b["unit_kerja"]["kode"] == unit, "a NIP look-up beside the unit queries", (s, b))
print(f"1..{T.n}")
