"""test_feed.py -- pupns-ctl feed, the reference consumer of a regional office.

Region R is the instansi with the most PNS among rows 3931-3960; events are
made for its PNS and for PNS of other instansi (correction reports and their
outcomes on pupns.identity.events, registrations on
pupns.registration.events) and, when the verifier service is there, for
rows 3961-3966 moved into an empty unit of R (their registrations, receipt
marks, a batch submitted and accepted, the unit activated, on
pupns.verifier.events), in three phases: while a first feed runs (started
--from-beginning), while no feed runs (the first one stopped with SIGTERM),
and while a second feed runs (started without options: it reads on), during
which the verifier service is SIGKILLed mid-stream and restarted; then a
feed is SIGKILLed and started again (nothing lost; what it printed after its
last commit may come again, and is counted). During the second run,
messages the feed cannot or need not read are planted on
pupns.verifier.events under one key (so in one partition): not JSON, not a
CloudEvent, larger than the serve loop's limit, an unknown type of another
region, then an unknown type of R: the feed skips the first four, goes on,
and prints the last (it passes every type of its region on), and nothing
reaches pupns.deadletter from it (it runs in the serve loop's observer
mode, without a producer). Every feed runs as the regional principal
(read-only ACLs) when the stack has Kafka authentication. Then:
every printed line is one CloudEvent of region R (instansi attribute, or
data.instansi.kode); each of the test's events of R was printed exactly once
across the two runs, none of another region's; the second run repeated
nothing of the first; a third run with --from-beginning prints them all
again, once each, and a fourth prints none of them (the third committed).
Needs BASE_URL, PG_PORT, BIN_DIR, TOP, STACK_NAME, STACK_BASE,
PUPNS_REDIS_URL, PUPNS_KAFKA_BROKERS."""
import atexit
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identity_helpers as ih  # noqa: E402
from identity_helpers import pc  # noqa: E402

T = pc.Tap()
TOP = os.environ["TOP"]
SVC = os.path.join(TOP, "infra/stack/svc.sh")
rows = ih.range_rows("feed")
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
    if os.environ.get("FEED_KEEP") != "1":  # FEED_KEEP=1 keeps the runs' output to look at
        shutil.rmtree(tmp, ignore_errors=True)


# The feed runs as a regional office does: the regional principal, which
# may read the public event topics and commit its pupns-feed-* groups, and
# write nothing (proto/topics.json "acl"). The stack's kafka-auth file says
# how its principals log in (mTLS: a certificate each; SASL: a password file
# each); a stack without authentication has no principals: the feeds run as
# the environment says.
STATE = os.environ["STATE_DIR"]
REGIONAL_PW = os.path.join(STATE, "kafka-users", "regional")
REGIONAL_CERT = os.path.join(STATE, "kafka-tls", "regional")
try:
    with open(os.path.join(STATE, "kafka-auth")) as f:
        AUTH = f.read().strip()
except OSError:
    AUTH = "none"
REGIONAL = ((AUTH == "sasl" and os.path.isfile(REGIONAL_PW)) or
            (AUTH == "mtls" and os.path.isfile(REGIONAL_CERT + ".pem") and os.path.isfile(REGIONAL_CERT + ".key")))
T.ok(True, "the feeds run as the Kafka principal regional (read-only ACLs)" +
     ("" if REGIONAL else f" # SKIP the stack's Kafka authentication is {AUTH!r}, without a regional principal"))


def feed(name, *args):
    out = open(os.path.join(tmp, name + ".out"), "w")
    err = open(os.path.join(tmp, name + ".err"), "w")
    env = dict(os.environ, PUPNS_LOG_LEVEL="info")
    if REGIONAL and AUTH == "sasl":
        env.update(PUPNS_KAFKA_USERNAME="regional", PUPNS_KAFKA_PASSWORD_FILE=REGIONAL_PW)
        env.pop("PUPNS_KAFKA_PASSWORD", None)
    elif REGIONAL:  # mTLS: the CA and protocol as for everyone, the regional office's certificate
        env.update(PUPNS_KAFKA_SSL_CERTIFICATE_LOCATION=REGIONAL_CERT + ".pem",
                   PUPNS_KAFKA_SSL_KEY_LOCATION=REGIONAL_CERT + ".key")
    proc = subprocess.Popen([ih.CTL, "feed", "--instansi", region, *args], stdout=out, stderr=err, env=env)
    running.append(proc)
    return proc


def lines(name):
    with open(os.path.join(tmp, name + ".out")) as f:
        return [line for line in f.read().splitlines() if line]


def ident(ev):
    """The test's name for an event: (type, correction id, NIP, batch id or unit kode)."""
    d, t = ev.get("data", {}), ev.get("type", "")[len(ih.PREFIX):]
    if t.startswith("batch."):
        return t, d.get("id")
    if t.startswith("unit."):
        return t, d.get("unit_kerja", {}).get("kode")
    return t, d.get("correction_id") or d.get("nip")


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


# ---- messages the feed must pass over (planted as the admin principal) -----------
POISON_KEY = f"feed-test-{os.getpid()}"
UNKNOWN = ih.PREFIX + "feedtest.unknown.v1"
BROKERS = os.environ["PUPNS_KAFKA_BROKERS"]


def envelope(instansi, nip):
    return json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/pupns/test/feed",
                       "type": UNKNOWN, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "instansi": instansi, "datacontenttype": "application/json", "data": {"nip": nip}})


def plant(phase):
    """Not JSON, not a CloudEvent, oversized, an unknown type of another
    region (all skipped), then an unknown type of R (printed), under one key."""
    other = next(k for k in sorted(by_inst) if k != region)
    payloads = [b"\x01\xff{bukan json", b'{"hello":"world"}', b"x" * (300 * 1024),
                envelope(other, POISON_KEY + "-other").encode(), envelope(region, POISON_KEY).encode()]
    ok = True
    for data in payloads:  # one kcat each, no delimiter: a payload is one message whatever it holds
        r = subprocess.run(["kcat", "-P", "-b", BROKERS, "-t", "pupns.verifier.events", "-k", POISON_KEY],
                           input=data, capture_output=True, timeout=60)
        ok = ok and r.returncode == 0
    foreign[("feedtest.unknown.v1", POISON_KEY + "-other")] = phase
    expected[("feedtest.unknown.v1", POISON_KEY)] = phase
    return ok


def dead_letters_of_feed():
    """Dead letters about the planted messages, or written by a pupns-ctl."""
    r = subprocess.run(["kcat", "-C", "-b", BROKERS, "-t", "pupns.deadletter", "-o", "beginning", "-e", "-q"],
                       capture_output=True, timeout=120)
    if r.returncode != 0:  # read nothing: that proves nothing
        return [f"kcat could not read pupns.deadletter to its end: {r.stderr.decode('utf-8', 'replace')[:200]}"]
    found = []
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        d = ev.get("data") or {}
        if str(ev.get("source", "")).startswith("/pupns/ctl/") or str(d.get("key", "")).startswith(POISON_KEY):
            found.append(line[:200])
    return found


# ---- the verifier's part: rows 3961-3966 in an empty unit of region R -------------
verifier = os.path.exists(os.path.join(ih.CTL[:-len("pupns-ctl")], "pupns-verifier"))
vnips, vregs, vunit, t1, t2 = ih.range_rows("feed_verifier"), {}, None, None, None
used = ih.sql("SELECT count(*) FROM registration.account WHERE nip = ANY(string_to_array(:'v1', ','));",
              ",".join(vnips))[0][0] != "0"
if verifier and used:
    verifier = False
    T.ok(True, "the verifier's events # SKIP rows 3961-3966 registered already: this part needs a fresh stack")
elif verifier:
    import verifier_helpers as vh  # noqa: E402
    (vunit, _), = vh.empty_units("a2-feed", 1, instansi=region)
    vh.move(vnips, vunit, region)
    t1 = vh.login(vh.add_user("v1feed", "verifikator1", units=[vunit]))
    t2 = vh.login(vh.add_user("v2feed", "verifikator2", instansi=[region]))


def svc(cmd):
    subprocess.run([SVC, cmd, "verifier"], check=False, capture_output=True)


def verifier_ready(deadline_s=60):
    port = int(os.environ["STACK_BASE"]) + 15
    t0 = time.time()
    while time.time() - t0 < deadline_s:
        if subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/readyz"], capture_output=True).returncode == 0:
            return True
        time.sleep(0.3)
    return False


def mark(nips, phase, kill_after=None):
    """Verifikator 1 marks the receipts (retrying a 5xx as a person would);
    with kill_after, the verifier is SIGKILLed after that many marks and
    restarted while the marks go on."""
    done = 0
    for i, nip in enumerate(nips):
        if kill_after is not None and i == kill_after:
            svc("kill")
            threading.Thread(target=lambda: (time.sleep(1), svc("start")), daemon=True).start()
        for _ in range(120):
            s, m = vh.api("POST", "/api/v1/verifikator/tanda-terima", t1, {"no_registrasi": vregs[nip]}, retry=False)
            if s in (200, 201):
                done += 1
                break
            time.sleep(0.5)
        expected[("receipt.received.v1", nip)] = phase
    return done


# ---- phase 1: a first feed runs -------------------------------------------------
f1 = feed("run1", "--from-beginning")
make_events(1, 4)
if verifier:
    vregs = vh.register_all(vnips)
    for nip in vregs:
        expected[("registration.completed.v1", nip)] = 1
    b = vh.wait_registered(t1, vunit, len(vnips))
    T.ok(len(vregs) == len(vnips) and mark(vnips[:3], 1) == 3,
         f"{len(vnips)} PNS of {vunit} register; 3 receipts marked", b and b.get("counts"))
elif not used:
    T.ok(True, "the verifier's events # SKIP no pupns-verifier in BIN_DIR")
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
if verifier:
    T.ok(mark(vnips[3:4], 2) == 1, "one receipt marked while no feed runs")

# ---- phase 3: the feed started again reads on ------------------------------------
f2 = feed("run2")
T.ok(plant(3), "not JSON, not a CloudEvent, 300 KiB, unknown types: planted on pupns.verifier.events under one key")
make_events(3, 3)
if verifier:
    T.ok(mark(vnips[4:], 3, kill_after=1) == 2, "two more marked, the verifier SIGKILLed after the first of them")
    T.ok(verifier_ready(), "the verifier is back")
    s, bt = vh.api("POST", "/api/v1/verifikator/batch", t1, {"unit_kerja_kode": vunit, "kirim": True})
    T.ok(s == 201 and bt["jumlah"] == len(vnips), "a batch of the six, submitted", (s, bt))
    s, acc = vh.api("POST", f"/api/v1/verifikator/batch/{(bt or {}).get('id')}/terima", t2)
    T.ok(s == 200 and acc.get("unit_diaktifkan") is True, "Verifikator 2 accepts it: the unit is activated", (s, acc))
    if s == 200:
        expected[("batch.submitted.v1", bt["id"])] = 3
        expected[("batch.accepted.v1", bt["id"])] = 3
        expected[("unit.activated.v1", vunit)] = 3
T.ok(wait_for("run2", phase_keys(2) + phase_keys(3)), "the second run prints phases 2 and 3")
f2.send_signal(signal.SIGINT)
T.ok(f2.wait(timeout=60) == 0, "SIGINT: the second run exits 0")
skipped = set()
with open(os.path.join(tmp, "run2.err")) as f:
    for line in f:
        if "skipped #" in line:
            skipped |= {r for r in ("not_json", "bad_envelope", "oversized") if f": {r}" in line}
T.ok(skipped == {"not_json", "bad_envelope", "oversized"} and
     ours("run2")[("feedtest.unknown.v1", POISON_KEY)] == 1,
     "the feed skipped what is not a CloudEvent (logged and counted), went on in that partition and"
     " printed the unknown type of its region", sorted(skipped))
dl = dead_letters_of_feed()
T.ok(not dl, "nothing of the feed on pupns.deadletter (read to its end)", dl[:3])

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

# ---- a feed killed outright loses nothing ---------------------------------------------
# SIGKILL gives the feed no chance to commit: what it printed since its last
# commit (it commits whenever the brokers have nothing more at once) comes
# again. Nothing may be lost; repeats are counted and shown, not forbidden.
fk = feed("run2k")
make_events(4, 2)
T.ok(wait_for("run2k", phase_keys(4)), "a feed started again prints phase 4")
fk.kill()
fk.wait(timeout=60)
make_events(5, 2)
fr = feed("run2r")
T.ok(wait_for("run2r", phase_keys(5)), "after a SIGKILL, started again, it prints phase 5")
fr.send_signal(signal.SIGTERM)
T.ok(fr.wait(timeout=60) == 0, "and stops cleanly")
after_kill = ours("run2k") + ours("run2r")
lost = [k for k in phase_keys(4) + phase_keys(5) if after_kill[k] == 0]
repeated = [k for k in phase_keys(4) if after_kill[k] > 1]
T.ok(not lost and not any(k in after_kill for k in phase_keys(1) + phase_keys(2) + phase_keys(3)),
     f"nothing lost across the SIGKILL, nothing of before it repeated ({len(repeated)} of phase 4 printed"
     " again: printed after the feed's last commit)", lost)

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
