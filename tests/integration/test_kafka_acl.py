"""test_kafka_acl.py -- Kafka is a trust boundary: the stack's brokers speak
only mutual TLS and refuse a client without a certificate or with one from
another CA, and each service's principal (its certificate's CN) may write
only the topics it owns and read only those it consumes (ACLs from
proto/topics.json, made by pupns-ctl topics). Also: a forged reply from
outside, the attack of issue 8, cannot be produced at all. kcat, TAP."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402

t = pc.Tap()
state = os.environ["STATE_DIR"]
brokers = os.environ["PUPNS_KAFKA_BROKERS"]
tls = os.path.join(state, "kafka-tls")
auth_file = os.path.join(state, "kafka-auth")
auth = open(auth_file).read().strip() if os.path.exists(auth_file) else "none"
if auth != "mtls":
    print(f"ok 1 - Kafka mTLS and ACLs # SKIP this stack's Kafka runs '{auth}', not mutual TLS "
          "(PUPNS_KAFKA_AUTH; a SASL stack moves to mTLS at its next start)")
    print("1..1")
    sys.exit(0)
ca = os.path.join(tls, "ca.pem")


def kcat(cert, *args, data=None, timeout=25, ca_file=ca, protocol="ssl"):
    """kcat with the client certificate cert (a (pem, key) pair, a principal's
    name from the stack, or None: TLS without one); (exit status, output)."""
    cmd = ["kcat", "-F", "/dev/null", "-b", brokers, "-m", "8", "-X", f"security.protocol={protocol}"]
    if protocol == "ssl":
        cmd += ["-X", f"ssl.ca.location={ca_file}"]
    if isinstance(cert, str):
        cert = (os.path.join(tls, cert + ".pem"), os.path.join(tls, cert + ".key"))
    if cert:
        cmd += ["-X", f"ssl.certificate.location={cert[0]}", "-X", f"ssl.key.location={cert[1]}"]
    try:
        r = subprocess.run(cmd + list(args), input=data, capture_output=True, text=True, errors="replace", timeout=timeout)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return 124, (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")


def produce(cert, topic, **kw):
    """(acknowledged?, output) of one message to topic with cert."""
    rc, out = kcat(cert, "-P", "-t", topic, "-k", "acl-test", "-X", "message.timeout.ms=8000",
                   data='{"acl":"test"}\n', **kw)
    return rc == 0 and "ERROR" not in out, out


def consume(cert, topic, group):
    """(could cert read topic as a member of group -- which needs READ on
    both -- from the start?, output); exits at its end."""
    rc, out = kcat(cert, "-C", "-G", group, topic, "-X", "auto.offset.reset=earliest",
                   "-X", "enable.auto.commit=false", "-e", "-q", "-c", "1")
    return rc == 0 and "ERROR" not in out and "authoriz" not in out.lower(), out


def tail(out, n):
    """The end of a tool's output, on one line (a TAP diagnostic)."""
    return out[-n:].replace("\n", " | ")


def handshake_refused(out):
    low = out.lower()
    return any(w in low for w in ("ssl", "handshake", "certificate", "disconnected", "transport"))


def make_cert(workdir, cn, ca_pem=None, ca_key=None):
    """A key and a certificate CN=cn in workdir, signed by (ca_pem, ca_key) or,
    without them, by a new CA of its own; returns (pem, key)."""
    def ossl(*a):
        subprocess.run(["openssl", *a], check=True, capture_output=True, cwd=workdir)
    if not ca_pem:
        ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=PUPNS local Kafka CA impostor", "-keyout", "other-ca.key", "-out", "other-ca.pem")
        ca_pem, ca_key = os.path.join(workdir, "other-ca.pem"), os.path.join(workdir, "other-ca.key")
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", f"/CN={cn}",
         "-keyout", f"{cn}.key", "-out", f"{cn}.csr")
    ossl("x509", "-req", "-in", f"{cn}.csr", "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
         "-out", f"{cn}.pem")
    return os.path.join(workdir, f"{cn}.pem"), os.path.join(workdir, f"{cn}.key")


work = tempfile.mkdtemp(prefix="pupns-acl-")
try:
    # Who may connect at all.
    ok, out = produce(None, "pupns.gateway.replies.test-gateway-1")
    t.ok(not ok and handshake_refused(out),
         "a TLS client without a certificate cannot produce (not even a forged reply to a gateway)", tail(out, 300))
    rc, out = kcat(None, "-L")
    t.ok(rc != 0, "a TLS client without a certificate gets no metadata", tail(out, 200))
    rc, out = kcat(None, "-L", protocol="plaintext", timeout=15)
    t.ok(rc != 0, "a client in clear (no TLS) gets no metadata", tail(out, 200))
    impostor = make_cert(work, "gateway")
    ok, out = produce(impostor, "pupns.captcha.requests")
    t.ok(not ok and handshake_refused(out), "a certificate CN=gateway from another CA is refused at the handshake",
         tail(out, 300))
    rc, out = kcat(impostor, "-L")
    t.ok(rc != 0, "... and gets no metadata", tail(out, 200))
    stranger = make_cert(work, "stranger", os.path.join(tls, "ca.pem"), os.path.join(tls, "ca.key"))
    ok, out = produce(stranger, "pupns.captcha.requests")
    t.ok(not ok and "authoriz" in out.lower(),
         "a certificate of the stack's CA naming no principal of the ACLs may write nothing", tail(out, 300))

    # Each principal: a topic it writes is writable, another's is not. (The
    # allowed writes go where junk is harmless: captcha dead-letters what the
    # gateway sent, nobody but operators reads the dead letters.)
    allowed = [("gateway", "pupns.captcha.requests"), ("registration", "pupns.deadletter"),
               ("identity", "pupns.deadletter"), ("captcha", "pupns.deadletter")]
    refused = [("captcha", "pupns.registration.events"), ("gateway", "pupns.registration.events"),
               ("receipt", "pupns.identity.commands"), ("regional", "pupns.verifier.events"),
               ("notify", "pupns.registration.commands"), ("identity", "pupns.registration.notices"),
               ("regional", "pupns.gateway.replies.test-gateway-1")]
    for user, topic in allowed:
        ok, out = produce(user, topic)
        t.ok(ok, f"{user}'s certificate may write {topic}", tail(out, 300))
    for user, topic in refused:
        ok, out = produce(user, topic)
        t.ok(not ok and "authoriz" in out.lower(), f"{user}'s certificate may not write {topic} (TopicAuthorization)",
             tail(out, 300))

    reads_ok = [("registration", "pupns.registration.commands", "pupns-registration-acl-test"),
                ("regional", "pupns.registration.events", "pupns-feed-acl-test"),
                ("notify", "pupns.registration.notices", "pupns-notify-acl-test")]
    reads_refused = [("gateway", "pupns.registration.commands", "pupns-gateway-acl-test"),
                     ("regional", "pupns.registration.notices", "pupns-feed-acl-test"),
                     ("captcha", "pupns.registration.events", "pupns-captcha-acl-test"),
                     ("regional", "pupns.registration.events", "pupns-registration")]
    for user, topic, group in reads_ok:
        ok, out = consume(user, topic, group)
        t.ok(ok, f"{user}'s certificate may read {topic} in group {group}", tail(out, 300))
    for user, topic, group in reads_refused:
        ok, out = consume(user, topic, group)
        t.ok(not ok, f"{user}'s certificate may not read {topic} in group {group}", tail(out, 300))

    # The stack's keys: private, and every service's certificate its own.
    modes = {f: os.stat(os.path.join(tls, f)).st_mode & 0o777 for f in os.listdir(tls) if f.endswith((".key", ".keypass"))}
    t.ok(modes and all(m == 0o600 for m in modes.values()), f"the {len(modes)} Kafka keys of the stack are mode 0600",
         str({f: oct(m) for f, m in modes.items() if m != 0o600}))
finally:
    shutil.rmtree(work, ignore_errors=True)
print(f"1..{t.n}")
