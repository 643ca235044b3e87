#!/usr/bin/python3
"""check_ranges.py -- the test data ranges (tests/ranges.tsv) hold: every test
asks the registry for its rows instead of hard-coding them, no two ranges that
write overlap, every range lies within the rows tests/run.sh seeds.

  check_ranges.py           the registry and the test sources (no stack; run by
                            tests/run.sh before the stack starts)
  check_ranges.py --stack   against the running test stack (PG_PORT, NIPS_FILE;
                            run by tests/integration/test_ranges.sh): the rows
                            exist, NIPS_FILE line n is row n, the tutorial NIP
                            (which tests name directly) is where range
                            "tutorial" says

Every check fails when it found nothing to check. TAP."""
import os
import re
import subprocess
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
REGISTRY = os.path.join(TESTS, "ranges.tsv")
RUN_SH = os.path.join(TESTS, "run.sh")
SCANNED = ("integration", "e2e", "browser")
TUTORIAL_NIP = "197501022014071003"

# A test hard-codes its rows when a line does one of these; each rule has a
# line it must flag and a line of the accessors it must not (self-test).
RULES = [
    ("a literal OFFSET into identity.pns", re.compile(r"\bOFFSET\s+\d"),
     'rows = sql("SELECT nip FROM identity.pns ORDER BY nip OFFSET 3400 LIMIT 300")',
     'OFFSET {first - 1} LIMIT {last - first + 1}'),
    ("the first rows by a literal LIMIT", re.compile(r"ORDER\s+BY\s+(?:\w+\.)?nip\s+LIMIT\s+\d", re.I),
     '" FROM identity.pns ORDER BY nip LIMIT 1"', '"ORDER BY nip OFFSET %d LIMIT 1"'),
    ("a row helper called with literal rows", re.compile(r"\b(?:nips_by_row|fault_nips|nips|testNips)\(\s*\d"),
     "nips = vh.nips_by_row(3001, 3030)", 'nips = vh.range_rows("verifier")'),
    ("NIPS_FILE read directly", re.compile(
        r"""\$\{?NIPS_FILE\b|environ(?:\.get)?\s*[\[(]\s*["']NIPS_FILE|process\.env\.NIPS_FILE"""),
     'nip=$(sed -n 469p "$NIPS_FILE")', "nip=$(range_nips login_window)"),
]
# The accessors themselves, and a presence check, may read NIPS_FILE.
ALLOWED = {
    ("e2e/pupns_client.py", 'with open(os.environ["NIPS_FILE"]) as f:'),
    ("e2e/test_openapi.sh", '[ -n "${NIPS_FILE:-}" ]'),
}
# How a test asks for a range by name.
ASKS = [
    re.compile(r"""\b(?:row_range|range_nips|range_rows|testRange|testNips)\(\s*["']([\w.-]+)["']"""),
    re.compile(r"""(?:^|[\s$(;|&])(?:test_range|range_nips)\s+["']?([A-Za-z_][\w-]*)"""),
]
DEFAULT_ASK = (re.compile(r"\btestNips\(\s*\)"), "browser")  # lib.mjs: testNips() is the browser range

n = 0
failed = False


def tap(ok, name, why=()):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}", flush=True)
    for w in ([] if ok else list(why)[:15]):
        print(f"#   {w}", flush=True)
    failed |= not ok
    return ok


def registry():
    """The ranges (dicts) and the problems of reading them."""
    ranges, bad = [], []
    with open(REGISTRY) as f:
        for i, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            if len(c) != 7:
                bad.append(f"line {i}: {len(c)} columns, want 7 (name first last use from tests note)")
                continue
            name, first, last, use, src, tests, note = c
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                bad.append(f"line {i}: name {name!r} is not lower_snake_case")
            if not (first.isdigit() and last.isdigit() and 1 <= int(first) <= int(last)):
                bad.append(f"line {i}: rows {first}-{last} are not 1 <= first <= last")
                continue
            if use not in ("read", "write"):
                bad.append(f"line {i}: use {use!r} is not read or write")
            if src not in ("file", "db"):
                bad.append(f"line {i}: from {src!r} is not file or db")
            ranges.append({"name": name, "first": int(first), "last": int(last), "use": use, "from": src,
                           "tests": tests.split(), "note": note, "line": i})
    names = [r["name"] for r in ranges]
    bad += [f"name {x} is taken twice" for x in sorted({x for x in names if names.count(x) > 1})]
    return ranges, bad


def sources():
    """(path relative to tests/, text) of every test source file."""
    out = []
    for d in SCANNED:
        for root, dirs, files in os.walk(os.path.join(TESTS, d)):
            dirs[:] = [x for x in dirs if x not in ("node_modules", "__pycache__")]
            for fn in sorted(files):
                if fn.endswith((".py", ".sh", ".mjs", ".c")):
                    path = os.path.join(root, fn)
                    with open(path, errors="replace") as f:
                        out.append((os.path.relpath(path, TESTS), f.read()))
    return sorted(out)


def violations(rel, text):
    found = []
    for ln, line in enumerate(text.splitlines(), 1):
        if any(rel == a and allowed in line for a, allowed in ALLOWED):
            continue
        for what, rx, _, _ in RULES:
            if rx.search(line):
                found.append(f"{rel}:{ln}: {what}: {line.strip()[:110]}")
    return found


def asked(text):
    got = set()
    for rx in ASKS:
        got.update(m.group(1) for m in rx.finditer(text))
    if DEFAULT_ASK[0].search(text):
        got.add(DEFAULT_ASK[1])
    return got


def static():
    ranges, bad = registry()
    tap(ranges and not bad, f"tests/ranges.tsv: {len(ranges)} ranges, each well-formed and named once",
        bad or (["no ranges"] if not ranges else []))

    writes = sorted((r for r in ranges if r["use"] == "write"), key=lambda r: r["first"])
    clashes = [f"{a['name']} {a['first']}-{a['last']} and {b['name']} {b['first']}-{b['last']}"
               for i, a in enumerate(writes) for b in writes[i + 1:] if b["first"] <= a["last"]]
    tap(writes and not clashes, f"no two of the {len(writes)} write ranges overlap", clashes or ["no write ranges"])

    top = max((r["last"] for r in ranges), default=0)
    top_file = max((r["last"] for r in ranges if r["from"] == "file"), default=0)
    run_sh = open(RUN_SH).read()
    why = []
    if not re.search(r"SEED_N=\$\(ranges_last\)", run_sh):
        why.append("tests/run.sh does not seed SEED_N=$(ranges_last)")
    if not re.search(r"LIMIT \$\(ranges_last file\)", run_sh):
        why.append("tests/run.sh does not write NIPS_FILE with LIMIT $(ranges_last file)")
    seed = os.environ.get("SEED_N")
    if seed is not None and (not seed.isdigit() or int(seed) < top):
        why.append(f"SEED_N={seed} seeds fewer rows than the highest range row, {top}")
    # (NIPS_FILE's length is the highest "file" row by construction: run.sh
    # writes LIMIT $(ranges_last file); --stack checks the file itself.)
    tap(top > 0 and not why,
        f"every range lies within the seeded rows (SEED_N {seed or top}, NIPS_FILE {top_file} lines)", why)

    srcs = sources()
    by_path = dict(srcs)
    missing = []
    for r in ranges:
        if r["tests"] in (["reserved"], ["fixed"]):
            print(f"# {r['name']} {r['first']}-{r['last']}: {r['tests'][0]} ({r['note']})")
            continue
        for t in r["tests"]:
            rel = t[len("tests/"):] if t.startswith("tests/") else t
            if rel not in by_path:
                missing.append(f"{r['name']}: {t} does not exist")
            elif rel.endswith(".c"):
                if not re.search(r"range_nips \"\$name\"", run_sh):
                    missing.append(f"{r['name']}: tests/run.sh does not pass the itests their ranges")
            elif r["name"] not in asked(by_path[rel]):
                missing.append(f"{r['name']}: {t} does not ask for it")
    tap(ranges and not missing, "every range's tests exist and ask for it by name", missing)

    names = {r["name"] for r in ranges}
    asks = {(rel, a) for rel, text in srcs for a in asked(text)}
    unknown = sorted(f"{rel} asks for {a!r}, which is not in tests/ranges.tsv" for rel, a in asks
                     if a not in names and a != "name")
    tap(asks and not unknown,
        f"every range the tests ask for ({len(asks)} asks in {len({rel for rel, _ in asks})} files) is registered",
        unknown or ([] if asks else ["no test asks for a range"]))

    selftest = [f"rule '{what}' misses: {bad_line}" for what, rx, bad_line, _ in RULES if not rx.search(bad_line)]
    selftest += [f"rule '{what}' flags the accessor line: {good}" for what, rx, _, good in RULES if rx.search(good)]
    found = [v for rel, text in srcs for v in violations(rel, text)]
    tap(len(srcs) >= 20 and not selftest and not found,
        f"no test hard-codes rows or NIPS_FILE lines ({len(srcs)} files read, {len(RULES)} rules)",
        selftest + found + ([] if len(srcs) >= 20 else [f"only {len(srcs)} test files found"]))
    return ranges


def psql(q):
    r = subprocess.run(["psql", "-X", "-tA", "-h", "127.0.0.1", "-p", os.environ.get("PG_PORT", ""), "-U",
                        "postgres", "-d", "pupns", "-c", q], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else []


def stack(ranges):
    top = max((r["last"] for r in ranges), default=0)
    top_file = max((r["last"] for r in ranges if r["from"] == "file"), default=0)
    count = psql("SELECT count(*) FROM identity.pns")
    tap(count and top and int(count[0]) >= top, f"identity.pns has the {top} rows the ranges need",
        [f"it has {count[0] if count else 'no answer'}"])

    path = os.environ.get("NIPS_FILE", "")
    lines = [x.strip() for x in open(path)] if path and os.path.exists(path) else []
    rows = psql(f"SELECT nip FROM identity.pns ORDER BY nip LIMIT {max(top_file, 1)}")
    diff = [f"line {i}: {a} but row {i} is {b}" for i, (a, b) in enumerate(zip(lines, rows), 1) if a != b]
    tap(top_file and len(lines) >= top_file and len(rows) == top_file and not diff,
        f"NIPS_FILE line n is row n of identity.pns for all {top_file} lines the ranges use",
        diff or [f"NIPS_FILE {path or 'unset'}: {len(lines)} lines, {len(rows)} rows read"])

    before = psql(f"SELECT count(*) FROM identity.pns WHERE nip < '{TUTORIAL_NIP}'")
    row = int(before[0]) + 1 if before and psql(f"SELECT 1 FROM identity.pns WHERE nip = '{TUTORIAL_NIP}'") else 0
    fixed = [(r["first"], r["last"]) for r in ranges if r["name"] == "tutorial" and r["tests"] == ["fixed"]]
    inside = [r["name"] for r in ranges if r["use"] == "write" and r["first"] <= row <= r["last"]]
    if inside:
        print(f"# the tutorial NIP lies in the write range(s) {', '.join(inside)}")
    tap(row and fixed == [(row, row)], f"the tutorial NIP {TUTORIAL_NIP} is row {row}, where range tutorial says",
        [f"range tutorial: {fixed or 'missing (or not fixed)'}" if row else "it is not in identity.pns"])


ranges = static() if "--stack" not in sys.argv else registry()[0]
if "--stack" in sys.argv:
    stack(ranges)
print(f"1..{n}")
sys.exit(1 if failed else 0)
