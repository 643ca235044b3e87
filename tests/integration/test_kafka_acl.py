"""test_kafka_acl.py -- Kafka is a trust boundary: the stack's brokers refuse
clients without credentials or with a wrong password, and each service's
principal may write only the topics it owns and read only those it consumes
(ACLs from proto/topics.json, made by pupns-ctl topics). Also: a forged reply
from outside, the attack of issue 8, cannot be produced at all. kcat, TAP."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402

t = pc.Tap()
state = os.environ["STATE_DIR"]
brokers = os.environ["PUPNS_KAFKA_BROKERS"]
users = os.path.join(state, "kafka-users")
if not os.path.isdir(users):
    print("ok 1 - Kafka ACLs # SKIP this stack runs Kafka without authentication (PUPNS_KAFKA_AUTH=0)")
    print("1..1")
    sys.exit(0)


def kcat(user, password, *args, data=None, timeout=25):
    """kcat as `user` (None: no credentials at all); (exit status, output)."""
    cmd = ["kcat", "-F", "/dev/null", "-b", brokers, "-m", "8"]
    if user:
        cmd += ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
                "-X", f"sasl.username={user}", "-X", f"sasl.password={password}"]
    try:
        r = subprocess.run(cmd + list(args), input=data, capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return 124, (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")


def password(user):
    with open(os.path.join(users, user)) as f:
        return f.read().strip()


def produce(user, topic, pw=None):
    """1 if one message to topic was acknowledged for user."""
    rc, out = kcat(user, pw if pw is not None else (password(user) if user else ""), "-P", "-t", topic, "-k", "acl-test",
                   "-X", "message.timeout.ms=8000", data='{"acl":"test"}\n')
    return rc == 0 and "ERROR" not in out, out


def consume(user, topic, group):
    """1 if user could read topic as a member of group (which needs READ on
    both), from the start; exits at its end."""
    rc, out = kcat(user, password(user), "-C", "-G", group, topic, "-X", "auto.offset.reset=earliest",
                   "-X", "enable.auto.commit=false", "-e", "-q", "-c", "1")
    return rc == 0 and "ERROR" not in out and "authoriz" not in out.lower(), out


ok, out = produce(None, "pupns.gateway.replies.test-gateway-1")
t.ok(not ok, "a client without credentials cannot produce (not even a forged reply to a gateway)", out[-300:])
rc, out = kcat(None, None, "-L")
t.ok(rc != 0, "a client without credentials gets no metadata", out[-200:])
ok, out = produce("gateway", "pupns.captcha.requests", pw="not-the-password")
t.ok(not ok and ("Authentication" in out or "SASL" in out), "a wrong password is refused at login", out[-300:])

# Each principal: a topic it writes is writable, another's is not. (The
# allowed writes go where junk is harmless: captcha dead-letters what the
# gateway sent, nobody but operators reads the dead letters.)
allowed = [("gateway", "pupns.captcha.requests"), ("registration", "pupns.deadletter"),
           ("identity", "pupns.deadletter"), ("captcha", "pupns.deadletter")]
refused = [("captcha", "pupns.registration.events"), ("gateway", "pupns.registration.events"),
           ("receipt", "pupns.identity.commands"), ("regional", "pupns.verifier.events"),
           ("notify", "pupns.registration.commands"), ("identity", "pupns.registration.notices")]
for user, topic in allowed:
    ok, out = produce(user, topic)
    t.ok(ok, f"{user} may write {topic}", out[-300:])
for user, topic in refused:
    ok, out = produce(user, topic)
    t.ok(not ok and "authoriz" in out.lower(), f"{user} may not write {topic}", out[-300:])

reads_ok = [("registration", "pupns.registration.commands", "pupns-registration-acl-test"),
            ("regional", "pupns.registration.events", "pupns-feed-acl-test"),
            ("notify", "pupns.registration.notices", "pupns-notify-acl-test")]
reads_refused = [("gateway", "pupns.registration.commands", "pupns-gateway-acl-test"),
                 ("regional", "pupns.registration.notices", "pupns-feed-acl-test"),
                 ("captcha", "pupns.registration.events", "pupns-captcha-acl-test"),
                 ("regional", "pupns.registration.events", "pupns-registration")]
for user, topic, group in reads_ok:
    ok, out = consume(user, topic, group)
    t.ok(ok, f"{user} may read {topic} in group {group}", out[-300:])
for user, topic, group in reads_refused:
    ok, out = consume(user, topic, group)
    t.ok(not ok, f"{user} may not read {topic} in group {group}", out[-300:])
print(f"1..{t.n}")
