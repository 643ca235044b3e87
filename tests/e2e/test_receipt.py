"""test_receipt.py -- Bukti Registrasi and Formulir end to end, with real tools.

Registers PNS from NIPS_FILE lines 901-920 whose master data is first given
awkward names (apostrophes, ʿ, ā, é, ḥ, very long names, the longest
instansi and unit kerja of the master data), then as each owner fetches
bukti.pdf and formulir.pdf and checks them with poppler-utils (pdftotext,
pdffonts, pdfinfo, pdftoppm) and zbarimg: both halves carry the same number
and data, every font is embedded, every word lies inside the page, the QR
code decodes to a payload that /api/v1/bukti/verifikasi accepts (with Nama
and Instansi) and that fails with one byte changed; revocation; another PNS
gets 404, nobody 401; ETag revalidation is 304. The rendered pages are kept
as PNG under build/test-results/receipt/ (RECEIPT_ARTEFACTS) to look at.
Needs BASE_URL, NIPS_FILE, PG_PORT, PUPNS_REDIS_URL, TOP."""
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pupns_client as pc  # noqa: E402

T = pc.Tap()
TOP = os.environ.get("TOP", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
ART = os.environ.get("RECEIPT_ARTEFACTS", os.path.join(TOP, "build/test-results/receipt"))
os.makedirs(ART, exist_ok=True)
PG = ["psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "pupns"]


def sql(q):
    return subprocess.run(PG + ["-c", q], capture_output=True, text=True, check=True).stdout.strip()


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def tool(*args, data=None):
    r = subprocess.run(list(args), input=data, capture_output=True, check=False)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def squash(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", s))


T0 = int(time.time() * 1000)

# ---- awkward master data ----------------------------------------------------
nips = pc.range_nips("receipt")
long_inst = sql("SELECT kode FROM identity.instansi ORDER BY length(nama) DESC, kode LIMIT 1")
long_unit = sql(f"SELECT kode FROM identity.unit_kerja WHERE instansi_kode = {lit(long_inst)}"
                " ORDER BY length(nama) DESC, kode LIMIT 1") if long_inst else ""
names = [
    "Ḥusayn ʿAbd al-Raḥmān",
    "I Gusti Ayu Putu Éléonore O'Connor-Wiraatmadja",
    "Āditya Ñúñez Hadiningrat Kusumawardhani Prawiranegara Soerjosoemarno Tjokroadisoerjo Mangkunegara Notonegoro",
    "MUHAMMAD " * 24,
]
names[3] = names[3].strip()
people = []
for nip, nama in zip(nips, names):
    sets = f"nama = {lit(nama)}"
    if nama.startswith("Āditya") and long_unit:
        sets += f", instansi_kode = {lit(long_inst)}, unit_kerja_kode = {lit(long_unit)}"
    sql(f"UPDATE identity.pns SET {sets} WHERE nip = {lit(nip)}")
    people.append({"nip": nip, "nama": nama})

for p in people:
    s, b = pc.register(p["nip"])
    if not T.ok(s == 201, f"registered {p['nip']} ({p['nama'][:24]}...)", (s, b)):
        sys.exit(1)
    p["no"], p["reg"] = b["no_registrasi"], b
    s, login, _ = pc.call("POST", "/api/v1/auth/login", {"nip": p["nip"], "kata_kunci": "Rahasia#Malang75"})
    T.ok(s == 200, f"logged in {p['nip']}", (s, login))
    p["token"] = login["token"]


def fetch(p, kind, deadline_s=20):
    """Polls until the document is there; 202 (with Retry-After) before."""
    t0, saw202 = time.time(), False
    while True:
        s, body, h = pc.get_bytes(f"/api/v1/registrasi/{p['no']}/{kind}.pdf", p["token"])
        if s == 202:
            saw202 = True
            if not h.get("Retry-After", "").isdigit():
                T.ok(False, "202 has Retry-After", dict(h))
        if s != 202 or time.time() - t0 > deadline_s:
            return s, body, h, saw202
        time.sleep(0.25)


# ---- the documents ---------------------------------------------------------
keys_s, keys_b, _ = pc.get_bytes("/api/v1/bukti/kunci")
keys = json.loads(keys_b) if keys_s == 200 else {}
T.ok(keys_s == 200 and keys.get("alg") == "Ed25519" and keys.get("keys"), "GET /api/v1/bukti/kunci lists Ed25519 keys",
     keys_b[:300])
kids = {k["kid"] for k in keys.get("keys", [])}

for i, p in enumerate(people):
    tag = f"{p['nip']}"
    s, pdf, h, saw202 = fetch(p, "bukti")
    if not T.ok(s == 200, f"{tag}: bukti.pdf 200 for the owner" + (" (after 202)" if saw202 else ""), (s, pdf[:200])):
        continue
    T.ok(pdf[:5] == b"%PDF-", f"{tag}: a PDF")
    T.ok(h.get("Content-Type") == "application/pdf", f"{tag}: Content-Type application/pdf", h.get("Content-Type"))
    T.ok(f'filename="bukti-registrasi-{p["no"]}.pdf"' in h.get("Content-Disposition", ""),
         f"{tag}: Content-Disposition names the file", h.get("Content-Disposition"))
    etag = h.get("ETag", "")
    T.ok(re.fullmatch(r'"r\d+-[0-9a-f]{32}"', etag) is not None and "private" in h.get("Cache-Control", ""),
         f"{tag}: ETag and Cache-Control", (etag, h.get("Cache-Control")))
    s2, body2, h2 = pc.get_bytes(f"/api/v1/registrasi/{p['no']}/bukti.pdf", p["token"], {"If-None-Match": etag})
    T.ok(s2 == 304 and not body2 and h2.get("ETag") == etag, f"{tag}: If-None-Match -> 304", (s2, h2.get("ETag")))
    s3, pdf3, h3 = pc.get_bytes(f"/api/v1/registrasi/{p['no']}/bukti.pdf", p["token"])
    T.ok(s3 == 200 and pdf3 == pdf and h3.get("ETag") == etag, f"{tag}: rendered again, byte-identical ({len(pdf)} bytes)")
    path = os.path.join(ART, f"bukti-{p['no']}.pdf")
    open(path, "wb").write(pdf)

    rc, info = tool("pdfinfo", path)
    T.ok(rc == 0 and re.search(r"Pages:\s+1\n", info) and "595.276 x 841.89" in info, f"{tag}: one A4 page", info[-300:])
    rc, fonts = tool("pdffonts", path)
    rows = [l.split() for l in fonts.splitlines()[2:] if l.strip()]
    T.ok(rc == 0 and rows and all(r[-5] == "yes" for r in rows), f"{tag}: every font embedded ({len(rows)})", fonts)
    rc, text = tool("pdftotext", path, "-")  # reading order: each box's lines together
    T.ok(text.count(p["no"]) == 2 and text.count(p["nip"]) == 2, f"{tag}: both halves carry the number and the NIP",
         text[:400])
    T.ok(squash(text).count(squash(p["nama"])) == 2, f"{tag}: both halves carry the whole name", text[:600])
    inst = p["reg"]["instansi"]["nama"]
    unit = p["reg"]["unit_kerja"]["nama"]
    T.ok(squash(text).count(squash(inst)) >= 2 and squash(text).count(squash(unit)) >= 2,
         f"{tag}: both halves carry instansi and unit kerja")
    T.ok("potong di sini" in text and text.count("Serahkan lembar ini kepada Verifikator 1 di tempat kerja Anda") == 1
         and "WIB" in text, f"{tag}: cut line, the verifier's instruction once, the time in WIB")
    # Every word inside the page, away from its edges.
    rc, bbox = tool("pdftotext", "-bbox", path, "-")
    boxes = [tuple(float(v) for v in m) for m in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', bbox)]
    out = [b for b in boxes if b[0] < 10 or b[1] < 10 or b[2] > 585.3 or b[3] > 831.9]
    T.ok(boxes and not out, f"{tag}: all {len(boxes)} words inside the page", out[:5])
    # The QR codes: both decode to the same payload.
    png = os.path.join(ART, f"bukti-{p['no']}")
    tool("pdftoppm", "-r", "150", "-png", "-singlefile", path, png)
    rc, codes = tool("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png + ".png")
    codes = [c for c in codes.splitlines() if c]
    T.ok(len(codes) == 2 and codes[0] == codes[1] and codes[0].startswith(f"PUPNS1.{p['no']}.{p['nip']}."),
         f"{tag}: two QR codes with the same payload", codes)
    if not codes:
        continue
    q = codes[0]
    T.ok(q.split(".")[4] in kids, f"{tag}: the payload's key id is published")
    s, vb, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=" + urllib.parse.quote(q, safe=""))
    v = json.loads(vb) if s == 200 else {}
    T.ok(s == 200 and v.get("valid") is True and v.get("nama") == p["reg"]["nama"] and v.get("instansi") == inst
         and v.get("no_registrasi") == p["no"], f"{tag}: the QR payload verifies, with Nama and Instansi", vb[:300])
    for pos in (7, 20, 40, len(q) - 10):
        t = q[:pos] + ("B" if q[pos] != "B" else "C") + q[pos + 1:]
        s, vb, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=" + urllib.parse.quote(t, safe=""))
        v = json.loads(vb) if s == 200 else {}
        T.ok(s == 200 and v.get("valid") is False and v.get("alasan") in ("tanda_tangan_tidak_valid", "format_tidak_valid"),
             f"{tag}: one byte changed at {pos} -> invalid ({v.get('alasan')})", vb[:200])
    if i == 0:
        kid = q.split(".")[4]
        other = "0" * 8 if kid != "0" * 8 else "1" * 8
        s, vb, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=" + q.replace(kid, other))
        T.ok(s == 200 and json.loads(vb).get("alasan") == "kunci_tidak_dikenal", "an unknown key id -> kunci_tidak_dikenal",
             vb[:200])
        sql(f"INSERT INTO receipt.revocation (no_registrasi, reason) VALUES ({lit(p['no'])}, 'uji pencabutan')")
        s, vb, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=" + q)
        v = json.loads(vb) if s == 200 else {}
        T.ok(s == 200 and v.get("valid") is False and v.get("alasan") == "registrasi_dicabut",
             "a revoked registration -> registrasi_dicabut", vb[:200])
        sql(f"DELETE FROM receipt.revocation WHERE no_registrasi = {lit(p['no'])}")
        s, vb, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=" + q)
        T.ok(s == 200 and json.loads(vb).get("valid") is True, "valid again once the revocation is gone")

    # The Formulir.
    s, fpdf, fh, _ = fetch(p, "formulir")
    if not T.ok(s == 200 and fpdf[:5] == b"%PDF-" and fh.get("Content-Type") == "application/pdf",
                f"{tag}: formulir.pdf 200 for the owner", (s, fpdf[:200])):
        continue
    T.ok(f'filename="formulir-{p["no"]}.pdf"' in fh.get("Content-Disposition", "") and fh.get("ETag") != etag,
         f"{tag}: formulir's own file name and ETag", (fh.get("Content-Disposition"), fh.get("ETag")))
    fpath = os.path.join(ART, f"formulir-{p['no']}.pdf")
    open(fpath, "wb").write(fpdf)
    rc, fonts = tool("pdffonts", fpath)
    rows = [l.split() for l in fonts.splitlines()[2:] if l.strip()]
    T.ok(rows and all(r[-5] == "yes" for r in rows), f"{tag}: formulir fonts embedded")
    rc, ftext = tool("pdftotext", fpath, "-")
    T.ok(all(w in ftext for w in ("FORMULIR PEMUTAKHIRAN DATA PNS", "Perbaikan", "Verifikator 1", "PNS yang bersangkutan",
                                  p["no"], p["nip"])) and squash(p["nama"]) in squash(ftext),
         f"{tag}: formulir holds the data, the correction column and both signature boxes", ftext[:500])
    rc, bbox = tool("pdftotext", "-bbox", fpath, "-")
    boxes = [tuple(float(v) for v in m) for m in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', bbox)]
    out = [b for b in boxes if b[0] < 10 or b[1] < 10 or b[2] > 585.3 or b[3] > 831.9]
    T.ok(boxes and not out, f"{tag}: formulir words inside the page", out[:5])
    tool("pdftoppm", "-r", "100", "-png", "-singlefile", fpath, os.path.join(ART, f"formulir-{p['no']}"))

# ---- who may see what ------------------------------------------------------
a, b = people[0], people[1]
s, body, _ = pc.get_bytes(f"/api/v1/registrasi/{a['no']}/bukti.pdf", b["token"])
T.ok(s == 404 and b"%PDF" not in body, "another PNS asking for a receipt: 404", (s, body[:200]))
s, body, _ = pc.get_bytes(f"/api/v1/registrasi/{a['no']}/formulir.pdf", b["token"])
T.ok(s == 404, "another PNS asking for a formulir: 404", (s, body[:200]))
s, body, h = pc.get_bytes(f"/api/v1/registrasi/{a['no']}/bukti.pdf")
T.ok(s == 401 and h.get("Content-Type", "").startswith("application/problem+json"), "no session: 401 problem+json",
     (s, body[:200]))
s, body, _ = pc.get_bytes("/api/v1/registrasi/ZZZZZZZZ/bukti.pdf", a["token"])
T.ok(s == 404, "a number that does not exist: 404", (s, body[:200]))
s, body, h = pc.get_bytes("/api/v1/bukti/verifikasi")
T.ok(s == 400 and h.get("Content-Type", "").startswith("application/problem+json"), "verifikasi without q: 400",
     (s, body[:200]))
s, body, _ = pc.get_bytes("/api/v1/bukti/verifikasi?q=bukan-kode")
T.ok(s == 200 and json.loads(body).get("alasan") == "format_tidak_valid", "verifikasi of junk: format_tidak_valid")

# ---- the same responses against proto/openapi.yaml ------------------------
cases = "\n".join([
    "GET /api/v1/bukti/kunci =>200", "GET /api/v1/bukti/verifikasi =>400:q_tidak_valid",
    "GET /api/v1/bukti/verifikasi?q=abc =>200", f"GET /api/v1/registrasi/{a['no']}/bukti.pdf =>401:perlu_login",
    f"GET /api/v1/registrasi/{a['no']}/bukti.pdf Authorization=Bearer%20{a['token']} =>200",
    f"GET /api/v1/registrasi/{a['no']}/formulir.pdf Authorization=Bearer%20{a['token']} =>200",
    f"GET /api/v1/registrasi/{a['no']}/formulir.pdf Authorization=Bearer%20{b['token']} =>404:registrasi_tidak_ditemukan",
]) + "\n"
r = subprocess.run(["/usr/bin/python3", os.path.join(TOP, "tests/e2e/openapi_check.py"), os.path.join(TOP, "proto/openapi.yaml"),
                    pc.BASE], input=cases, capture_output=True, text=True, check=False)
for line in r.stdout.splitlines():
    m = re.match(r"(ok|not ok) \d+ - (.*)", line)
    if m:
        T.ok(m.group(1) == "ok", "openapi: " + m.group(2)[:120])
    elif line.startswith("#"):
        print(line)

# ---- what went over Kafka validates against proto/ ------------------------
try:
    import jsonschema
    s, ready, _ = pc.call("GET", "/readyz")
    reply_topic = (ready or {}).get("reply_topic", "")
    brokers = os.environ["PUPNS_KAFKA_BROKERS"]
    seen = 0
    for topic in ("pupns.receipt.requests", reply_topic):
        out = subprocess.run(["kcat", "-C", "-b", brokers, "-t", topic, "-o", f"s@{T0}", "-e", "-q", "-J"],
                             capture_output=True, text=True, timeout=120, check=False).stdout
        bad = []
        for line in out.splitlines():
            try:
                ev = json.loads(json.loads(line)["payload"])
            except (ValueError, KeyError, TypeError):
                continue
            t = ev.get("type", "")
            if not t.startswith("id.go.bkn.pupns.receipt."):
                continue
            schema = json.load(open(os.path.join(TOP, "proto/schemas", t[len("id.go.bkn.pupns."):] + ".json")))
            try:
                jsonschema.validate(ev.get("data"), schema)
                seen += 1
            except jsonschema.ValidationError as e:
                bad.append((t, str(e)[:200]))
        T.ok(not bad, f"receipt messages on {topic} validate against proto/schemas", bad[:3])
    T.ok(seen > 20, f"{seen} receipt requests and replies checked")
except ImportError:
    print("# python3-jsonschema missing: messages not validated")
print(f"# artefacts: {ART}", flush=True)
print(f"1..{T.n}")
