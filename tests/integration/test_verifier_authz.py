"""test_verifier_authz.py -- the verifier API's authorisation matrix: every
endpoint x every principal x the object's scope (own / other) -> the
expected status, run in full (no early exit) and its size printed.

Principals: nobody (no token), a PNS (a PNS's bearer token), Verifikator 1
of unit A, Verifikator 1 of unit B, Verifikator 2 of A's BKD (instansi A),
Verifikator 2 of B's BKD, admin. Units A and B are empty units of two
instansi; rows 3101-3116 are moved into them and register, rows 3117-3120
file correction reports. Rules: no or a PNS token -> 401; a role the
operation is not for, or an object of another unit/BKD -> 403; else the
operation's success status. Each allowed cell of a state-changing
operation gets a fresh object; the denied cells run first, on the same
object, so the allowed cell also shows they changed nothing."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identity_helpers as ih  # noqa: E402
import verifier_helpers as vh  # noqa: E402
from verifier_helpers import api, pc  # noqa: E402

T = pc.Tap()
(ua, ia), (ub, ib) = vh.empty_units("a1-authz", 2)
rows_a, rows_b = vh.range_rows("verifier_authz_a"), vh.range_rows("verifier_authz_b")
corr_a, corr_b = vh.range_rows("verifier_authz_corr_a"), vh.range_rows("verifier_authz_corr_b")
vh.move(rows_a + corr_a, ua, ia)
vh.move(rows_b + corr_b, ub, ib)
regs = vh.register_all(rows_a + rows_b)
T.ok(len(regs) == 18 and ia != ib, f"units A {ua} ({ia}) and B {ub} ({ib}), 18 PNS registered")

P = {
    "v1_a": vh.login(vh.add_user("v1a", "verifikator1", units=[ua])),
    "v1_b": vh.login(vh.add_user("v1b", "verifikator1", units=[ub])),
    "v2_a": vh.login(vh.add_user("v2a", "verifikator2", instansi=[ia])),
    "v2_b": vh.login(vh.add_user("v2b", "verifikator2", instansi=[ib])),
    "admin": vh.login(vh.add_user("adm", "admin")),
}
s, lg, _ = pc.call("POST", "/api/v1/auth/login", {"nip": rows_a[0], "kata_kunci": "Rahasia#Malang75"})
P["pns"] = lg["token"] if s == 200 else "x" * 43
P["nobody"] = None
ORDER = ["nobody", "pns", "v1_a", "v1_b", "v2_a", "v2_b", "admin"]
UNIT = {"A": ua, "B": ub}
INST = {"A": ia, "B": ib}
V1 = {"A": "v1_a", "B": "v1_b"}
V2 = {"A": "v2_a", "B": "v2_b"}
vh.wait_registered(P["v1_a"], ua, 9)
vh.wait_registered(P["v1_b"], ub, 9)

# A pool of registered PNS per scope, taken one by one by the setups.
pool = {"A": list(rows_a), "B": list(rows_b)}


def take(scope):
    return pool[scope].pop()


def marked(scope):
    nip = take(scope)
    s, b = api("POST", "/api/v1/verifikator/tanda-terima", P[V1[scope]], {"no_registrasi": regs[nip]})
    assert s in (200, 201), (s, b)
    return nip


def draft(scope):
    nip = marked(scope)
    s, b = api("POST", "/api/v1/verifikator/batch", P[V1[scope]], {"unit_kerja_kode": UNIT[scope], "nips": [nip]})
    assert s == 201, (s, b)
    return b["id"]


def submitted(scope):
    bid = draft(scope)
    s, b = api("POST", f"/api/v1/verifikator/batch/{bid}/kirim", P[V1[scope]])
    assert s == 200, (s, b)
    return bid


corr_pool = {"A": list(corr_a), "B": list(corr_b)}


def correction(scope):
    nip = corr_pool[scope].pop()
    s, b = ih.report(nip, "nama", "NAMA YANG BENAR SEKALI")
    assert s == 201, (s, b)
    for _ in range(60):
        rows = ih.sql("SELECT id FROM verifier.correction WHERE nip = :'v1' AND status = 'open';", nip)
        if rows:
            return rows[0][0]
        time.sleep(0.25)
    raise RuntimeError(f"the verifier never learned the correction of {nip}")


def reader(scope):
    return {V1[scope], V2[scope], "admin"}


VERIFIERS = {"v1_a", "v1_b", "v2_a", "v2_b", "admin"}
# (name, scope or None, setup(scope) or None, request(obj, scope) -> (method, path, body), allowed principals, status)
ENDPOINTS = [
    ("GET sesi", None, None, lambda o, sc: ("GET", "/api/v1/verifikator/sesi", None), lambda sc: VERIFIERS, 200),
    ("POST logout", None, None, lambda o, sc: ("POST", "/api/v1/verifikator/logout", None), lambda sc: VERIFIERS, 204),
    ("GET unit pns", "A", None, lambda o, sc: ("GET", f"/api/v1/verifikator/unit-kerja/{UNIT[sc]}/pns", None), reader, 200),
    ("GET unit pns", "B", None, lambda o, sc: ("GET", f"/api/v1/verifikator/unit-kerja/{UNIT[sc]}/pns", None), reader, 200),
    ("POST tanda-terima", "A", take, lambda o, sc: ("POST", "/api/v1/verifikator/tanda-terima", {"no_registrasi": regs[o]}),
     lambda sc: {V1[sc]}, 201),
    ("POST tanda-terima", "B", take, lambda o, sc: ("POST", "/api/v1/verifikator/tanda-terima", {"no_registrasi": regs[o]}),
     lambda sc: {V1[sc]}, 201),
    ("DELETE tanda-terima", "A", marked, lambda o, sc: ("DELETE", f"/api/v1/verifikator/tanda-terima/{regs[o]}", None),
     lambda sc: {V1[sc]}, 200),
    ("DELETE tanda-terima", "B", marked, lambda o, sc: ("DELETE", f"/api/v1/verifikator/tanda-terima/{regs[o]}", None),
     lambda sc: {V1[sc]}, 200),
    ("POST batch", "A", marked, lambda o, sc: ("POST", "/api/v1/verifikator/batch", {"unit_kerja_kode": UNIT[sc], "nips": [o]}),
     lambda sc: {V1[sc]}, 201),
    ("POST batch", "B", marked, lambda o, sc: ("POST", "/api/v1/verifikator/batch", {"unit_kerja_kode": UNIT[sc], "nips": [o]}),
     lambda sc: {V1[sc]}, 201),
    ("GET batch", None, None, lambda o, sc: ("GET", "/api/v1/verifikator/batch", None), lambda sc: VERIFIERS, 200),
    ("GET batch?unit", "A", None, lambda o, sc: ("GET", f"/api/v1/verifikator/batch?unit_kerja_kode={UNIT[sc]}", None),
     lambda sc: VERIFIERS - {V1["B" if sc == "A" else "A"]}, 200),
    ("GET batch?unit", "B", None, lambda o, sc: ("GET", f"/api/v1/verifikator/batch?unit_kerja_kode={UNIT[sc]}", None),
     lambda sc: VERIFIERS - {V1["B" if sc == "A" else "A"]}, 200),
    ("GET batch/{id}", "A", draft, lambda o, sc: ("GET", f"/api/v1/verifikator/batch/{o}", None), reader, 200),
    ("GET batch/{id}", "B", draft, lambda o, sc: ("GET", f"/api/v1/verifikator/batch/{o}", None), reader, 200),
    ("POST batch/{id}/ubah", "A", draft, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/ubah", {"tambah_semua": False}),
     lambda sc: {V1[sc]}, 200),
    ("POST batch/{id}/ubah", "B", draft, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/ubah", {"tambah_semua": False}),
     lambda sc: {V1[sc]}, 200),
    ("POST batch/{id}/kirim", "A", draft, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/kirim", None),
     lambda sc: {V1[sc]}, 200),
    ("POST batch/{id}/kirim", "B", draft, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/kirim", None),
     lambda sc: {V1[sc]}, 200),
    ("POST batch/{id}/batal", "A", draft, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/batal", None),
     lambda sc: {V1[sc]}, 200),
    ("POST batch/{id}/batal", "B", draft, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/batal", None),
     lambda sc: {V1[sc]}, 200),
    ("POST batch/{id}/terima", "A", submitted, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/terima", None),
     lambda sc: {V2[sc]}, 200),
    ("POST batch/{id}/terima", "B", submitted, lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/terima", None),
     lambda sc: {V2[sc]}, 200),
    ("POST batch/{id}/kembalikan", "A", submitted,
     lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/kembalikan", {"alasan": "Data tidak lengkap"}),
     lambda sc: {V2[sc]}, 200),
    ("POST batch/{id}/kembalikan", "B", submitted,
     lambda o, sc: ("POST", f"/api/v1/verifikator/batch/{o}/kembalikan", {"alasan": "Data tidak lengkap"}),
     lambda sc: {V2[sc]}, 200),
    ("GET koreksi", None, None, lambda o, sc: ("GET", "/api/v1/verifikator/koreksi", None),
     lambda sc: {"v2_a", "v2_b", "admin"}, 200),
    ("POST koreksi/{id}/putuskan", "A", correction,
     lambda o, sc: ("POST", f"/api/v1/verifikator/koreksi/{o}/putuskan", {"keputusan": "tolak", "alasan": "Tidak sesuai SK"}),
     lambda sc: {V2[sc], "admin"}, 200),
    ("POST koreksi/{id}/putuskan", "B", correction,
     lambda o, sc: ("POST", f"/api/v1/verifikator/koreksi/{o}/putuskan", {"keputusan": "terima"}),
     lambda sc: {V2[sc], "admin"}, 200),
    ("GET audit", None, None, lambda o, sc: ("GET", "/api/v1/verifikator/audit", None), lambda sc: {"admin"}, 200),
    ("GET unit-kerja status", "A", None, lambda o, sc: ("GET", f"/api/v1/unit-kerja/{UNIT[sc]}/status", None),
     lambda sc: set(ORDER), 200),
    ("GET unit-kerja status", "B", None, lambda o, sc: ("GET", f"/api/v1/unit-kerja/{UNIT[sc]}/status", None),
     lambda sc: set(ORDER), 200),
]

cells = failures = 0
for name, scope, setup, request, allowed_of, ok_status in ENDPOINTS:
    allowed = allowed_of(scope)
    public = allowed == set(ORDER)
    order = [p for p in ORDER if p not in allowed] + [p for p in ORDER if p in allowed]
    obj = None
    used = False
    for who in order:
        if who in allowed and setup and used and not name.startswith("GET"):
            obj = setup(scope)  # a fresh object for every further allowed principal of a change
        elif obj is None and setup:
            obj = setup(scope)
        token = P[who]
        if name == "POST logout" and who in VERIFIERS:
            token = vh.login(vh.add_user(f"lo{who}", "admin") if who == "admin" else
                             vh.add_user(f"lo{who}", "verifikator1" if who.startswith("v1") else "verifikator2",
                                         units=[UNIT[who[-1].upper()]] if who.startswith("v1") else (),
                                         instansi=[INST[who[-1].upper()]] if who.startswith("v2") else ()))
        method, path, body = request(obj, scope)
        if who in allowed:
            want = ok_status
            used = True
        else:
            want = 401 if who in ("nobody", "pns") and not public else 403
        s, b = api(method, path, token, body, retry=False)
        cells += 1
        scope_txt = "" if scope is None else (" own" if who in (V1[scope], V2[scope]) else
                                               " other" if who in VERIFIERS - {"admin"} else "") + f" [{scope}]"
        good = T.ok(s == want, f"{name}{scope_txt} as {who} -> {want}", (s, b))
        failures += not good

print(f"# authorisation matrix: {cells} cells ({len(ENDPOINTS)} endpoint x scope rows x {len(ORDER)} principals),"
      f" {failures} failed")
T.ok(cells == len(ENDPOINTS) * len(ORDER), f"the matrix ran in full: {cells} cells")
print(f"1..{T.n}")
