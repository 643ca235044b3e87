"""identity_helpers.py -- shared by the identity, corrections and feed tests:
NIPs by row, SQL, and requests straight to a service with `pupns-ctl call`
(what the verifier service sends; the gateway offers no route for them).
Needs PG_PORT, BIN_DIR, TOP and the stack's PUPNS_KAFKA_BROKERS."""
import json
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import pupns_client as pc  # noqa: E402,F401
import correction_client as cc  # noqa: E402

PG = ["psql", "-X", "-q", "-tA", "-F", "|", "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres",
      "-d", "pupns"]
CTL = os.path.join(os.environ.get("BIN_DIR", os.path.join(os.environ.get("TOP", "."), "build/rel/bin")), "pupns-ctl")
PREFIX = "id.go.bkn.pupns."


def sql(q, *args):
    """Rows of q as lists of strings; args are bound as psql variables :'v1', :'v2'..."""
    cmd = list(PG)
    for i, a in enumerate(args, 1):
        cmd += ["-v", f"v{i}={a}"]
    r = subprocess.run(cmd, input=q, capture_output=True, text=True, check=True)
    return [line.split("|") for line in r.stdout.splitlines() if line]


def nips_by_row(first, last):
    """NIPs of rows first..last (1-based, ORDER BY nip): this round's row ranges."""
    return [r[0] for r in sql(f"SELECT nip FROM identity.pns ORDER BY nip OFFSET {first - 1} LIMIT {last - first + 1};")]


def range_rows(name):
    """NIPs of the test data range `name` (tests/ranges.tsv), from the database."""
    return nips_by_row(*pc.row_range(name))


def call(topic, type_, key, data, timeout_ms=20000):
    """The reply data of one request (dict), or None when none came."""
    env = dict(os.environ, PUPNS_LOG_LEVEL="warn")
    r = subprocess.run([CTL, "call", topic, PREFIX + type_, key or "-", json.dumps(data), "--timeout",
                        str(timeout_ms)], capture_output=True, text=True, env=env, timeout=timeout_ms / 1000 + 30)
    return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None


def resolve(correction_id, decision, reason=None, command_id=None, by="verifikator2.test", **extra):
    data = {"command_id": command_id or str(uuid.uuid4()), "correction_id": correction_id, "decision": decision,
            "resolved_by": by, **extra}
    if reason is not None:
        data["reason"] = reason
    return call("pupns.identity.commands", "identity.correction.resolve.v1", correction_id, data)


def report(nip, field="nama", usulan="NAMA YANG BENAR", catatan=""):
    """Files a correction report through the gateway, with a flow token (or
    the owner's session) and a captcha (correction_client.py): (status, body)."""
    s, b, _ = cc.report(nip, {"field": field, "usulan": usulan, "catatan": catatan})
    return s, b


def instansi_of(nip):
    rows = sql("SELECT instansi_kode, unit_kerja_kode, nama FROM identity.pns WHERE nip = :'v1';", nip)
    return rows[0] if rows else None
