"""test_scale_out.py -- two instances each of identity, registration and the
gateway on one stack share the work: look-ups and registrations through
both gateways are all answered, and each service instance served some of
them (their own /metrics say so). Instances join with incremental
(cooperative-sticky) rebalances, so the first instance keeps serving while
the second one joins. NIPs: NIPS_FILE lines 401-440 (registrations)."""
import concurrent.futures as cf
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402

t = pc.Tap()
top, base = os.environ["TOP"], int(os.environ["STACK_BASE"])
port1 = int(os.environ["PUPNS_HTTP_PORT"])
port2 = port1 + 1
svc = os.path.join(top, "infra", "stack", "svc.sh")
gw2 = f"http://127.0.0.1:{port2}"


def metric(port, name):
    """Sum of a metric's series on a health port (0 when absent)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return -1
    return sum(float(m) for m in re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M))


def ready(url):
    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def start(name, inst, extra=None):
    env = dict(os.environ, **(extra or {}))
    subprocess.run([svc, "start", name, str(inst)], env=env, check=False)


# Look-ups keep flowing through gateway 1 from before the second instances
# start until 5 s after they are ready, so they span the rebalances.
nips = pc.range_nips("scale_out_lookups")
stop_flag = []
def keep_looking(k):
    out = []
    while not stop_flag:
        out.append(pc.call("GET", "/api/v1/pns/" + nips[(len(out) * 7 + k) % len(nips)])[0])
    return out
with cf.ThreadPoolExecutor(4) as pool:
    loops = [pool.submit(keep_looking, k) for k in range(4)]
    time.sleep(1)
    start("identity", 2)
    start("registration", 2)
    start("gateway", 2, {"PUPNS_HTTP_PORT": str(port2)})
    t.ok(ready(f"http://127.0.0.1:{base + 21}/readyz"), "identity instance 2 is ready (health port base+21)")
    t.ok(ready(f"http://127.0.0.1:{base + 23}/readyz"), "registration instance 2 is ready (health port base+23)")
    t.ok(ready(gw2 + "/readyz"), "gateway instance 2 is ready")
    time.sleep(5)
    stop_flag.append(1)
    during = [s for f in loops for s in f.result()]
counts = {s: during.count(s) for s in set(during)}
print(f"# look-ups while the second instances joined: {counts}")
t.ok(all(s in (200, 503, 504) for s in during), "look-ups during the join are answered or shed, never 500", counts)
time.sleep(3)  # the incremental rebalance settles

before = (metric(base + 11, "identity_requests_total"), metric(base + 21, "identity_requests_total"))
def both(n):
    return pc.call("GET", "/api/v1/pns/" + n)[0], pc.call("GET", "/api/v1/pns/" + n, base=gw2)[0]
with cf.ThreadPoolExecutor(12) as pool:
    got = [s for pair in pool.map(both, nips) for s in pair]
t.ok(got.count(200) == len(got), f"{len(got)} look-ups through both gateways all answered",
     {s: got.count(s) for s in set(got)})
after = (metric(base + 11, "identity_requests_total"), metric(base + 21, "identity_requests_total"))
print(f"# look-ups served: identity-1 {after[0] - before[0]:.0f}, identity-2 {after[1] - before[1]:.0f}")
t.ok(after[0] > before[0] and after[1] > before[1], "both identity instances served look-ups")

regs = pc.range_nips("scale_out_registrations")
# Commands and queries (a rerun finds the NIPs registered at step 2's query).
reg_before = (metric(base + 13, "pupns_serve_messages_total"), metric(base + 23, "pupns_serve_messages_total"))
with cf.ThreadPoolExecutor(8) as pool:
    res = list(pool.map(lambda ix: pc.register(ix[1], base=gw2 if ix[0] % 2 else None), enumerate(regs)))
statuses = [s for s, _ in res]
t.ok(all(s in (201, 409) for s in statuses), f"{len(regs)} registrations over both gateways: 201 (or 409 if rerun)",
     {s: statuses.count(s) for s in set(statuses)})
reg_after = (metric(base + 13, "pupns_serve_messages_total"), metric(base + 23, "pupns_serve_messages_total"))
print(f"# commands and queries handled: registration-1 {reg_after[0] - reg_before[0]:.0f}, "
      f"registration-2 {reg_after[1] - reg_before[1]:.0f}")
t.ok(reg_after[0] > reg_before[0] and reg_after[1] > reg_before[1], "both registration instances handled commands or queries")

for name in ("gateway", "registration", "identity"):
    subprocess.run([svc, "stop", name, "2"], check=False)
time.sleep(2)
with cf.ThreadPoolExecutor(8) as pool:
    after_stop = list(pool.map(lambda n: pc.call("GET", "/api/v1/pns/" + n)[0], nips[:100]))
t.ok(after_stop.count(200) == len(after_stop), "after the second instances stop, instance 1 answers every look-up",
     {s: after_stop.count(s) for s in set(after_stop)})
print(f"1..{t.n}")
