"""test_feed.py -- pupns-ctl feed, the reference consumer of a regional office.

Region R is the instansi with the most PNS among rows 3931-4000; events are
made for its PNS and for PNS of other instansi (correction reports and their
outcomes on pupns.identity.events, a registration on
pupns.registration.events), in three phases: while a first feed runs (started
--from-beginning), while no feed runs (the first one stopped with SIGTERM),
and while a second feed runs (started without options: it reads on). Then:
every printed line is one CloudEvent of region R (instansi attribute, or
data.instansi.kode); each of the test's events of R was printed exactly once
across the two runs, none of another region's; the second run repeated
nothing of the first; a third run with --from-beginning prints them all
again, once each, and a fourth prints none of them (the third committed).
When pupns.verifier.events exists, its events are read too (verifier tests
cover their content). Needs BASE_URL, PG_PORT, BIN_DIR, TOP, PUPNS_REDIS_URL,
PUPNS_KAFKA_BROKERS."""
import atexit
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identity_helpers as ih  # noqa: E402
from identity_helpers import pc  # noqa: E402

T = pc.Tap()
rows = ih.nips_by_row(3931, 4000)
by_inst = collections.defaultdict(list)
for nip in rows:
    by_inst[ih.instansi_of(nip)[0]].append(nip)
region = max(sorted(by_inst), key=lambda k: len(by_inst[k]))
mine = by_inst[region][:3]
others = [n for k in sorted(by_inst) if k != region for n in by_inst[k]][:3]
T.ok(mine and len(others) == 3, f"region {region}: {len(mine)} PNS of it, {len(others)} of others", (mine, others))
tmp = tempfile.mkdtemp(prefix="feed-")
expected = {}   # (type, key) of the test's events of region R -> phase
foreign = {}     # (type, key) of the test's events of other regions -> phase
running = []


@atexit.register
def stop_feeds():
    for proc in running:
        if proc.poll() is None:
            proc.kill()


def feed(name, *args):
    out = open(os.path.join(tmp, name + ".out"), "w")
    err = open(os.path.join(tmp, name + ".err"), "w")
    env = dict(os.environ, PUPNS_LOG_LEVEL="info")
    proc = subprocess.Popen([ih.CTL, "feed", "--instansi", region, *args], stdout=out, stderr=err, env=env)
    running.append(proc)
    return proc


def lines(name):
    with open(os.path.join(tmp, name + ".out")) as f:
        return [line for line in f.read().splitlines() if line]


def ident(ev):
    """The test's name for an event: (type, correction id or NIP)."""
    d = ev.get("data", {})
    return ev.get("type", "")[len(ih.PREFIX):], d.get("correction_id") or d.get("nip")


def ours(name):
    """Counter of the test's events (of any region) printed by run `name`."""
    c = collections.Counter()
    for line in lines(name):
        key = ident(json.loads(line))
        if key in expected or key in foreign:
            c[key] += 1
    return c


def wait_for(name, keys, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if set(keys) <= set(ours(name)):
            return True
        time.sleep(0.3)
    return False


def make_events(phase, n):
    """Correction reports (and outcomes) for region R's PNS and the others'."""
    for i in range(n):
        for who in (mine[i % len(mine)], others[i % len(others)]):
            s, r = ih.report(who, "nama", f"NAMA FASE {phase} NO {i}")
            if s != 201:
                T.ok(False, f"report for {who} (phase {phase})", (s, r))
                continue
            dest = expected if who in mine else foreign
            dest[("identity.correction.requested.v1", r["id"])] = phase
            if i % 3 == 1:
                x = ih.resolve(r["id"], "reject", reason=f"ditolak fase {phase}")
                if x and x.get("status") == "ok":
                    dest[("identity.correction.rejected.v1", r["id"])] = phase
            elif i % 3 == 2:
                x = ih.resolve(r["id"], "accept")
                if x and x.get("status") == "ok":
                    dest[("identity.corrected.v1", r["id"])] = phase


def phase_keys(phase):
    return [k for k, p in expected.items() if p == phase]


# ---- phase 1: a first feed runs -------------------------------------------------
f1 = feed("run1", "--from-beginning")
make_events(1, 4)
T.ok(wait_for("run1", phase_keys(1)), f"the first run prints phase 1's {len(phase_keys(1))} events of {region}")
f1.send_signal(signal.SIGTERM)
T.ok(f1.wait(timeout=60) == 0, "SIGTERM: the first run exits 0")

# ---- phase 2: no feed runs --------------------------------------------------------
make_events(2, 3)
s, body = pc.register(mine[0])
T.ok(s in (201, 409), f"{mine[0]} registers (registration.completed of {region})", (s, body))
if s == 201:
    expected[("registration.completed.v1", mine[0])] = 2
s, body = pc.register(others[0])
if s == 201:
    foreign[("registration.completed.v1", others[0])] = 2

# ---- phase 3: the feed started again reads on ------------------------------------
f2 = feed("run2")
make_events(3, 3)
T.ok(wait_for("run2", phase_keys(2) + phase_keys(3)), "the second run prints phases 2 and 3")
f2.send_signal(signal.SIGINT)
T.ok(f2.wait(timeout=60) == 0, "SIGINT: the second run exits 0")

both = ours("run1") + ours("run2")
T.ok(all(both[k] == 1 for k in expected) and set(both) >= set(expected),
     f"each of the test's {len(expected)} events of {region} printed exactly once across the restart",
     {k: both[k] for k in expected if both[k] != 1})
T.ok(not any(k in ours("run2") for k in phase_keys(1)), "the second run repeats nothing of the first")
T.ok(not any(k in foreign for k in both), f"none of the {len(foreign)} events of other regions printed",
     [k for k in both if k in foreign])
bad = []
for name in ("run1", "run2"):
    for line in lines(name):
        ev = json.loads(line)
        region_of = ev.get("instansi") or ev.get("data", {}).get("instansi", {}).get("kode")
        if ev.get("specversion") != "1.0" or not ev.get("id") or region_of != region or "data" not in ev:
            bad.append(line[:200])
T.ok(not bad, f"every printed line is a CloudEvent of {region}, data included", bad[:3])
ids = collections.Counter(json.loads(line)["id"] for name in ("run1", "run2") for line in lines(name)
                          if ident(json.loads(line)) in expected)
T.ok(all(v == 1 for v in ids.values()), "no envelope id printed twice", [k for k, v in ids.items() if v > 1])

# ---- --from-beginning resets; afterwards the group reads on -----------------------
f3 = feed("run3", "--from-beginning", "--idle-exit", "5")
T.ok(f3.wait(timeout=300) == 0, "a third run with --from-beginning ends after 5 s idle")
again = ours("run3")
T.ok(all(again[k] == 1 for k in expected), "it prints every event of the test again, once each",
     {k: again[k] for k in expected if again[k] != 1})
f4 = feed("run4", "--idle-exit", "5")
T.ok(f4.wait(timeout=300) == 0 and not ours("run4"), "a fourth run prints none of them (the third committed)",
     ours("run4"))

f5 = feed("run5", "--from-beginning", "--max", "1")
T.ok(f5.wait(timeout=120) == 0 and len(lines("run5")) == 1, "--max 1 prints one event and stops", lines("run5"))
r = subprocess.run([ih.CTL, "feed", "--instansi", "k35'07"], capture_output=True, text=True)
T.ok(r.returncode == 2, "a malformed instansi kode is a usage error", r.stderr)
print(f"1..{T.n}")
