#!/usr/bin/python3
"""test_fault_overload.py -- a registration wave at three times the measured
capacity: every answer is 201 or 503 with Retry-After (409 for a
duplicate), none is lost, and the stack recovers by itself.

1. Capacity: 32 clients register back to back (below the gateway's bound,
   so nothing is shed) for 10 s or 150 registrations, whichever comes
   first; capacity C = registrations completed per second.
2. Overload: requests are sent open-loop at 3 C per second for T seconds,
   whatever the answers: a 503 puts its NIP back in the queue (the user
   comes back later, with the same form, captcha and Idempotency-Key: a
   shed request used neither), a 201 takes it out. T is 20 s, shortened
   when C is so high that the wave would need more NIPs than the test has:
   T = min(20, (NIPs left - 74) / C), at least 3 s.
3. None lost: every NIP answered 201 has exactly one account and one
   registration.completed event id; every NIP never answered 201 has no
   account (a 503 registered nothing).
4. Recovery: once the wave stops, one fresh registration (its NIP set
   aside before the wave) is sent, and sent again after each Retry-After,
   until 201 (at most 10 tries).

The wave goes through an extra gateway (instance 6, PUPNS_HTTP_PORT+5)
with PUPNS_REG_MAX_INFLIGHT=64 instead of the default 512: the same
admission code, with a bound that keeps the backlog (and with it the NIPs
a wave consumes and the client threads it needs) small enough for this
2-core machine; step 2 and captchas come from the main gateway beforehand.

NIPs: rows 2541-3000 of identity.pns in NIP order (fault_wave.py: no
other test uses them). ~1-1.5 minutes here. Figures are "#" lines; no
timing is asserted. TAP."""
import collections
import concurrent.futures
import os
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import fault_wave as fw  # noqa: E402

env = os.environ
INSTANCE = "6"  # gateways 2, 3 and 8 belong to other tests
PORT = int(env.get("PUPNS_HTTP_PORT", "28080")) + 5
GW = f"http://127.0.0.1:{PORT}"
BOUND = 64
POOL = 460
t = fw.pc.Tap()
PLAN = 11
print(f"1..{PLAN}", flush=True)


def gw_env():
    e = dict(env)
    e.update({"PUPNS_HTTP_PORT": str(PORT), "PUPNS_REG_MAX_INFLIGHT": str(BOUND), "PUPNS_RATE_LOOKUP": "0",
              "PUPNS_RATE_CAPTCHA": "0", "PUPNS_RATE_REGISTER": "0", "PUPNS_RATE_LOGIN": "0",
              "PUPNS_LOGIN_LOCK_AFTER": "0"})
    e.pop("PUPNS_INSTANCE_ID", None)
    return e


def gw_ready():
    for _ in range(150):
        try:
            with urllib.request.urlopen(GW + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return True
        except Exception:  # noqa: BLE001
            pass
        time.sleep(0.2)
    return False


def send(nip, form, log):
    s, b, h = fw.call("POST", "/api/v1/registrasi", form, headers={"Idempotency-Key": "overload-" + nip},
                      timeout=90)
    log.add(nip, s, b, h, ok=(201, 409))
    return s, b, h


nips = fw.range_nips("fault_overload")
t.ok(len(nips) == POOL, f"{POOL} NIPs from identity.pns rows 2541-3000", f"got {len(nips)}")
subprocess.run([fw.SVC, "start", "gateway", INSTANCE], env=gw_env(), check=False)
try:
    if not t.ok(gw_ready(), f"a gateway with PUPNS_REG_MAX_INFLIGHT={BOUND} is ready on {PORT}"):
        sys.exit(1)
    t0 = time.time()
    prepared = fw.prepare_all(nips, threads=16)
    forms = {n: fw.pc.form(tok, cap[0], cap[1], fw.PASSWORD) for n, (tok, cap) in prepared.items()}
    fw.note(f"{len(forms)} forms prepared (step 2 + captcha, main gateway) in {time.time() - t0:.1f} s")
    fw.pc.BASE = GW  # from here on, step 3 goes to the bounded gateway
    queue = collections.deque(forms)
    # step 4's NIP is set aside now: the wave may register every NIP it is
    # given (it ran faster than the measured capacity once and emptied the queue)
    fresh = queue.pop()
    qlock = threading.Lock()
    got201 = {}

    # 1. capacity
    cap_log = fw.Log()
    stop_at = time.time() + 10
    cap_done = [0]

    def closed_loop():
        while time.time() < stop_at:
            with qlock:
                if cap_done[0] >= 150 or not queue:
                    return
                nip = queue.popleft()
            s, b, h = send(nip, forms[nip], cap_log)
            with qlock:
                if s == 201:
                    got201[nip] = b
                    cap_done[0] += 1
                elif s == 409:
                    got201.setdefault(nip, None)
                else:
                    queue.append(nip)
                    if s == 504 or s == 0:  # the captcha may be used: a new one
                        c = fw.new_captcha()
                        forms[nip] = dict(forms[nip], captcha_id=c[0], captcha_jawaban=c[1])

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        for f in [pool.submit(closed_loop) for _ in range(32)]:
            f.result()
    cap_s = time.time() - t0
    capacity = cap_done[0] / cap_s
    fw.note(f"capacity: {cap_done[0]} registrations in {cap_s:.1f} s with 32 clients = {capacity:.1f}/s "
            f"(answers {cap_log.summary()})")
    t.ok(cap_done[0] > 0 and not cap_log.faults, "capacity measured; every answer 201 (or 503 with Retry-After)",
         cap_log.faults[:3])

    # 2. overload: open loop at 3 C
    left = len(queue)
    T = max(3.0, min(20.0, (left - BOUND - 10) / max(capacity, 0.1)))
    rate = 3 * capacity
    fw.note(f"overload: {rate:.1f} requests/s (3 x capacity) for {T:.1f} s, open loop; {left} NIPs left")
    wave_log = fw.Log()
    sent = [0]
    inflight = threading.Semaphore(400)  # client threads; a 503 comes back at once

    def one():
        with qlock:
            nip = queue.popleft() if queue else None
        if nip is None:
            inflight.release()
            return
        try:
            s, b, h = send(nip, forms[nip], wave_log)
            with qlock:
                if s == 201:
                    got201[nip] = b
                elif s == 409:
                    got201.setdefault(nip, None)
                else:
                    queue.append(nip)
            if s == 504 or s == 0:
                c = fw.new_captcha()
                with qlock:
                    forms[nip] = dict(forms[nip], captcha_id=c[0], captcha_jawaban=c[1])
        finally:
            inflight.release()

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(400) as pool:
        i = 0
        while True:
            due = t0 + i / rate
            now = time.time()
            if due - t0 >= T:
                break
            if due > now:
                time.sleep(due - now)
            if not inflight.acquire(timeout=5):
                break
            pool.submit(one)
            sent[0] += 1
            i += 1
        offered_s = time.time() - t0
    wave_s = time.time() - t0
    fw.pc.BASE = env.get("BASE_URL", fw.pc.BASE)
    c = wave_log.counts
    fw.note(f"overload: {sent[0]} requests sent in {offered_s:.1f} s ({sent[0] / offered_s:.1f}/s offered); "
            f"answers {wave_log.summary()}; the last one back after {wave_s:.1f} s")
    fw.note(f"overload: {c.get(201, 0)} registered ({c.get(201, 0) / wave_s:.1f}/s), {c.get(503, 0)} shed")
    t.ok(not wave_log.faults and set(c) <= {201, 409, 503},
         "every answer in the overload is 201 or 503 with Retry-After (409 for a duplicate), never 500 or 504",
         wave_log.faults[:5])
    t.ok(c.get(503, 0) > 0 and c.get(201, 0) > 0, "the gateway shed load (503) and kept registering (201)",
         wave_log.summary())

    # 3. none lost
    registered = [n for n, b in got201.items() if b is not None]
    nos = {b.get("no_registrasi") for b in got201.values() if b}
    t.ok(len(nos) == len(registered), f"every 201 carries its own registration number ({len(registered)})")
    acc = fw.accounts(list(forms))
    bad = [n for n in registered if acc.get(n) != 1]
    t.ok(not bad, f"every NIP answered 201 has exactly one account ({len(registered)} NIPs)", bad[:3])
    ghosts = [n for n in forms if n not in got201 and acc.get(n)]
    t.ok(not ghosts, f"no account for a NIP never answered 201 ({len(forms) - len(got201)} NIPs)", ghosts[:3])
    t.ok(fw.outbox_drained(), "the outbox drains after the overload")
    ev = fw.completed_events(registered)
    bad = [n for n in registered if len(ev.get(n, ())) != 1]
    t.ok(not bad, "exactly one registration.completed event id per registered NIP", bad[:3])

    # 4. recovery: one fresh registration, honouring Retry-After
    fw.pc.BASE = GW
    t0 = time.time()
    tries, s = 0, None
    rec_log = fw.Log()
    while fresh and tries < 10:
        tries += 1
        s, b, h = send(fresh, forms[fresh], rec_log)
        if s != 503 and s != 504:
            break
        if s == 504:
            c = fw.new_captcha()
            forms[fresh] = dict(forms[fresh], captcha_id=c[0], captcha_jawaban=c[1])
        time.sleep(min(fw.retry_after(h) or 1, 30))
    fw.pc.BASE = env.get("BASE_URL", fw.pc.BASE)
    fw.note(f"recovery: a fresh registration got {s} after {tries} tries, {time.time() - t0:.1f} s after the wave "
            f"({rec_log.summary()})")
    t.ok(s == 201 and fw.accounts([fresh]).get(fresh) == 1,
         "the stack recovers by itself: a fresh registration after the wave is 201 within 10 tries", (s, tries))
finally:
    fw.pc.BASE = env.get("BASE_URL", fw.pc.BASE)
    subprocess.run([fw.SVC, "stop", "gateway", INSTANCE], env=gw_env(), check=False)
