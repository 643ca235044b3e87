#!/usr/bin/python3
"""test_backpressure.py -- an extra gateway with tiny bounds
(PUPNS_REG_MAX_INFLIGHT=2, PUPNS_QUERY_MAX_INFLIGHT=2) against the running
stack sheds what it cannot take: concurrent registrations, logins, look-ups
and captchas beyond the bound get 503 sistem_sibuk with Retry-After and an
Indonesian problem body, never 500; a shed request sent again after its
Retry-After succeeds (a shed registration had registered nothing: the
retry is 201, not 409). Flow tokens and captchas come from the main test
gateway. Counts only, never timings. TAP."""
import concurrent.futures
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402

PLAN = 14
print(f"1..{PLAN}", flush=True)
t = pc.Tap()
top = os.environ["TOP"]
svc = os.path.join(top, "infra", "stack", "svc.sh")
INSTANCE = "8"  # gateways 2 and 3 belong to test_two_gateways and test_rate_limits
port = int(os.environ.get("PUPNS_HTTP_PORT", "28080")) + 7
BP = f"http://127.0.0.1:{port}"
PASSWORD = "Rahasia#Malang75"
DETAIL = re.compile(r"^Sistem sedang sibuk\. Silakan coba lagi pukul ([01][0-9]|2[0-3]):[0-5][0-9] WIB\.")


def bp_env():
    env = dict(os.environ)
    env.update({"PUPNS_HTTP_PORT": str(port), "PUPNS_REG_MAX_INFLIGHT": "2", "PUPNS_QUERY_MAX_INFLIGHT": "2",
                "PUPNS_RATE_LOOKUP": "0", "PUPNS_RATE_CAPTCHA": "0", "PUPNS_RATE_REGISTER": "0",
                "PUPNS_RATE_LOGIN": "0", "PUPNS_LOGIN_LOCK_AFTER": "0"})
    env.pop("PUPNS_INSTANCE_ID", None)
    return env


def ready():
    for _ in range(150):
        try:
            with urllib.request.urlopen(BP + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def wave(fn, args):
    """Calls fn(arg) for every arg at once (released together); [(arg, (status, body, headers))]."""
    gate = threading.Barrier(len(args))

    def one(a):
        gate.wait(timeout=30)
        return a, fn(a)

    with concurrent.futures.ThreadPoolExecutor(len(args)) as pool:
        return [f.result() for f in [pool.submit(one, a) for a in args]]


def retry_after(headers):
    try:
        return int(headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None


def shed_fault(status, body, headers):
    """Why a 503 is not the documented sistem_sibuk answer, or None."""
    ra = retry_after(headers)
    if ra is None or ra < 1:
        return f"Retry-After {headers.get('Retry-After')!r}"
    if not (headers.get("Content-Type") or "").startswith("application/problem+json"):
        return f"content type {headers.get('Content-Type')}"
    if not isinstance(body, dict) or body.get("code") != "sistem_sibuk" or body.get("status") != 503:
        return f"body {body}"
    if body.get("retry_after") != ra:
        return f"retry_after {body.get('retry_after')} vs header {ra}"
    if not DETAIL.match(body.get("detail", "")):
        return f"detail {body.get('detail')!r}"
    return None


def check_wave(name, results, ok_codes):
    """TAP lines for one wave: allowed statuses, some shed and some served, shed ones well-formed."""
    codes = [r[1][0] for r in results]
    served = sum(c in ok_codes for c in codes)
    shed = [r for r in results if r[1][0] == 503]
    waits = sorted({retry_after(r[1][2]) for r in shed} - {None})
    print(f"# {name}: {len(results)} at once -> {served} served, {len(shed)} shed (503); Retry-After values {waits}",
          flush=True)
    t.ok(all(c in ok_codes or c == 503 for c in codes),
         f"{name}: every answer is {'/'.join(map(str, sorted(ok_codes)))} or 503, none 500",
         sorted(set(codes)))
    faults = [shed_fault(*r[1]) for r in shed]
    faults = [f for f in faults if f]
    t.ok(served > 0 and shed and not faults,
         f"{name}: some shed with 503, Retry-After and the Indonesian problem (sistem_sibuk, retry_after, "
         f"'coba lagi pukul HH:MM WIB'), the rest served",
         f"served {served}, shed {len(shed)}, faults {faults[:3]}")
    return shed


def retry_shed(shed, call, ok_code):
    """Sends each shed request again, one at a time, after waiting its Retry-After."""
    bad = []
    time.sleep(max([retry_after(r[1][2]) or 1 for r in shed] + [1]))
    for arg, _ in shed:
        status = None
        for _ in range(3):
            status, body, headers = call(arg)
            if status != 503:
                break
            time.sleep(retry_after(headers) or 1)
        if status != ok_code:
            bad.append((arg if isinstance(arg, str) else "", status, body))
    return bad


subprocess.run([svc, "start", "gateway", INSTANCE], env=bp_env(), check=False)
try:
    if not t.ok(ready(), f"a gateway with PUPNS_REG_MAX_INFLIGHT=2, PUPNS_QUERY_MAX_INFLIGHT=2 is ready on {port}"):
        for _ in range(PLAN - 1):
            t.ok(False, "skipped: no backpressure gateway")
        sys.exit(1)

    # Registrations: step 2 and captchas on the main gateway, step 3 all at once on the small one.
    forms = {}
    for nip in pc.range_nips("backpressure_registrations"):
        if len(forms) == 30:
            break
        s, b, _ = pc.start(nip)
        if s == 200:
            cid, ans = pc.captcha()
            forms[nip] = pc.form(b["token"], cid, ans, PASSWORD)
    print(f"# {len(forms)} unregistered NIPs of range backpressure_registrations", flush=True)

    def submit(nip):
        return pc.call("POST", "/api/v1/registrasi", forms[nip], base=BP, timeout=90)

    regs = wave(submit, list(forms))
    shed = check_wave("registrations", regs, {201, 409})
    bad = retry_shed(shed, submit, 201)
    t.ok(shed and not bad, f"registrations: all {len(shed)} shed ones, sent again after Retry-After, are 201 "
         "(the refusal had registered nothing and kept the captcha)", bad[:3])
    registered = [nip for nip, r in regs if r[0] == 201] + [nip for nip, _ in shed]

    def login(nip):
        return pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": PASSWORD}, base=BP, timeout=90)

    logins = wave(login, registered[:20])
    shed = check_wave("logins", logins, {200})
    bad = retry_shed(shed, login, 200)
    t.ok(shed and not bad, f"logins: all {len(shed)} shed ones, sent again after Retry-After, are 200", bad[:3])

    def lookup(nip):
        return pc.call("GET", "/api/v1/pns/" + nip, base=BP, timeout=30)

    looks = wave(lookup, pc.range_nips("backpressure_lookups"))
    shed = check_wave("look-ups", looks, {200})
    bad = retry_shed(shed, lookup, 200)
    t.ok(shed and not bad, f"look-ups: all {len(shed)} shed ones, asked again after Retry-After, are 200", bad[:3])

    def new_captcha(_):
        return pc.call("POST", "/api/v1/captcha", base=BP, timeout=30)

    caps = wave(new_captcha, list(range(40)))
    shed = check_wave("captchas", caps, {201})
    bad = retry_shed(shed, new_captcha, 201)
    t.ok(shed and not bad, f"captchas: all {len(shed)} shed ones, asked again after Retry-After, are 201", bad[:3])

    with urllib.request.urlopen(BP + "/metrics", timeout=5) as r:
        metrics = r.read().decode()
    counted = {}
    for line in metrics.splitlines():
        m = re.match(r'^pupns_http_shed_total\{route="([^"]+)",reason="([a-z]+)"\} ([0-9.e+]+)$', line)
        if m:
            counted[m.group(1)] = counted.get(m.group(1), 0) + float(m.group(3))
    for line in metrics.splitlines():
        if line.startswith(("pupns_gateway_drain_rate", "pupns_registration_consumer_lag", "pupns_http_shed_total")):
            print("# " + line, flush=True)
    routes = ["/api/v1/registrasi", "/api/v1/auth/login", "/api/v1/pns/:nip", "/api/v1/captcha"]
    t.ok(all(counted.get(rt, 0) > 0 for rt in routes), "/metrics counts shed requests per route and reason "
         "(pupns_http_shed_total)", counted)
finally:
    subprocess.run([svc, "stop", "gateway", INSTANCE], env=bp_env(), check=False)
