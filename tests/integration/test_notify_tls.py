"""test_notify_tls.py -- notify's TLS against real servers: two more SMTP
sinks on the test stack's ports (base+97: STARTTLS with a certificate of its
own, base+98: no TLS at all), notify restarted against each.

- STARTTLS offered, certificate not signed by PUPNS_SMTP_CA_FILE: nothing is
  sent (no fall-back to plain text), attempts are counted as retrying;
  restarted with that server's certificate as the CA file: the same notice
  arrives, over TLS.
- No STARTTLS and PUPNS_SMTP_TLS=required: nothing is sent; with the default
  (try): sent in plain text.
At the end notify runs with the stack's settings again. Needs the variables
of tests/run.sh."""
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import notify_lib as nl  # noqa: E402

T = nl.Tap()
work = tempfile.mkdtemp(prefix="notify-tls-")
tls_port, plain_port = nl.STACK_BASE + 97, nl.STACK_BASE + 98
cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "2", "-subj", "/CN=notify-tls-test", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key, "-out", cert], capture_output=True, check=True)
sink = os.path.join(nl.TOP, "infra/stack/smtp_sink.py")
boxes = {"tls": os.path.join(work, "mail-tls"), "plain": os.path.join(work, "mail-plain")}
procs = [subprocess.Popen(["/usr/bin/python3", sink, "--port", str(tls_port), "--maildir", boxes["tls"],
                           "--cert", cert, "--key", key], stderr=open(os.path.join(work, "tls.log"), "w")),
         subprocess.Popen(["/usr/bin/python3", sink, "--port", str(plain_port), "--maildir", boxes["plain"]],
                          stderr=open(os.path.join(work, "plain.log"), "w"))]
run = random.randrange(10 ** 6)


def box(name):
    """{event id: X-Sink-TLS} of the mails in one of this test's sinks."""
    out = {}
    d = os.path.join(boxes[name], "new")
    for f in os.listdir(d) if os.path.isdir(d) else []:
        head = open(os.path.join(d, f), encoding="ascii", errors="replace").read(4096)
        tls = next((l.split(": ", 1)[1] for l in head.splitlines() if l.startswith("X-Sink-TLS: ")), "?")
        eid = next((l.split(": ", 1)[1] for l in head.splitlines() if l.startswith("X-PUPNS-Event-Id: ")), None)
        if eid:
            out[eid] = tls
    return out


def restart(**env):
    e = dict(os.environ, **env)
    r = nl.svc("start", "notify", env=e)
    return r.returncode == 0 and nl.notify_ready()


def retrying():
    m = nl.metrics()
    return sum(m.get((k, "retrying"), 0) for k in nl.TYPES)


def wait_until(fn, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.3)
    return False


def one_notice(tag):
    eid, ev, _ = nl.notice("password_reset", f"19830404200804{random.randrange(10000):04d}", f"Uji TLS {tag}",
                           f"tls.{tag}.{run}@example.go.id")
    nl.produce([ev])
    return eid


try:
    time.sleep(1)
    # 1. STARTTLS with a certificate the CA file does not vouch for.
    T.ok(restart(PUPNS_SMTP_URL=f"smtp://127.0.0.1:{tls_port}"), "notify against a server whose certificate it does not trust")
    eid = one_notice("ca")
    T.ok(wait_until(lambda: retrying() >= 1), "the attempts fail and are counted as retrying")
    T.ok(eid not in box("tls") and eid not in box("plain"), "nothing was sent (no fall-back to plain text)")
    T.ok(any(eid in l and "not sent" in l and "certificate verification failed" in l for l in nl.notify_logs().splitlines()),
         "the log says the certificate was refused")
    # 2. The server's own certificate as the CA file: the same notice arrives over TLS.
    T.ok(restart(PUPNS_SMTP_URL=f"smtp://127.0.0.1:{tls_port}", PUPNS_SMTP_CA_FILE=cert), "notify trusts that certificate")
    T.ok(wait_until(lambda: eid in box("tls")) and box("tls")[eid].startswith("TLS"),
         "the notice arrives, over STARTTLS", str(box("tls").get(eid)))
    # 3. No STARTTLS offered, TLS required: nothing is sent.
    T.ok(restart(PUPNS_SMTP_URL=f"smtp://127.0.0.1:{plain_port}", PUPNS_SMTP_TLS="required"),
         "notify with PUPNS_SMTP_TLS=required against a server without STARTTLS")
    eid2 = one_notice("req")
    T.ok(wait_until(lambda: retrying() >= 1), "the attempts fail (retrying)")
    T.ok(eid2 not in box("plain"), "nothing was sent in plain text")
    T.ok(any(eid2 in l and "STARTTLS not supported" in l for l in nl.notify_logs().splitlines()),
         "the log says the server offers no STARTTLS")
    # 4. The default (try): sent in plain text.
    T.ok(restart(PUPNS_SMTP_URL=f"smtp://127.0.0.1:{plain_port}"), "notify with the default PUPNS_SMTP_TLS=try")
    T.ok(wait_until(lambda: eid2 in box("plain")) and box("plain")[eid2] == "none",
         "the notice arrives without TLS (none was offered)")
finally:
    ok = restart()
    for p in procs:
        p.terminate()
        p.wait(timeout=10)
T.ok(ok, "notify runs with the stack's settings again")
T.done()
