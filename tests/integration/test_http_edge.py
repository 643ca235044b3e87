"""test_http_edge.py -- the gateway's HTTP edge under abuse (loopback only,
bounded): NUL and control bytes in paths, bodies without JSON Content-Type,
HTTP/1.1 without Host, what libmicrohttpd refuses itself (problem+json, not
its HTML pages), security headers on
every response, oversized bodies (announced: 413 before the upload; chunked:
413 past the limit), a drip-fed request cut at the receive deadline, and 1,100 slow connections from one address (capped per
address; a client from another address is still served)."""
import json
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import pupns_client as pc  # noqa: E402

t = pc.Tap()
port = int(os.environ["PUPNS_HTTP_PORT"])
nip = "197501022014071003"


def raw(request, source="127.0.0.1", timeout=10):
    """Sends raw bytes; returns (status, headers text, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    s.sendall(request)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
    except OSError:
        pass
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0
    return status, head.decode(errors="replace"), body.decode(errors="replace")


s, h, b = raw(f"GET /api/v1/pns/{nip}%00'%20OR%201=1-- HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
t.ok(s == 400 and "jalur_tidak_valid" in b, "a %00 in the path is refused (400), not truncated", (s, b[:200]))
s, h, b = raw(f"GET /api/v1/pns/{nip}%0a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
t.ok(s == 400, "a percent-encoded control byte in the path is refused", s)
s, h, b = raw(f"GET /api/v1/pns/{nip} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
t.ok(s == 400, "HTTP/1.1 without Host is refused", (s, b[:200]))
body = b'{"nip":"1","email":"a"}'
s, h, b = raw(b"POST /api/v1/registrasi/mulai HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
t.ok(s == 415 and "application/problem+json" in h, "a body that is not application/json gets 415 problem+json", (s, b[:200]))
# What libmicrohttpd refuses itself, before any handler (mhd_errors.h):
# problem+json with the right status and the security headers, never its
# HTML pages.
library = [
    ("a header block past libmicrohttpd's buffer", 431,
     b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 70000 + b"\r\n\r\n"),
    ("a request line past libmicrohttpd's buffer", 414, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("an unknown HTTP version", 505, b"GET / HTTP/2.5\r\nHost: x\r\n\r\n"),
    ("a malformed chunk", 400, b"POST /api/v1/registrasi HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"),
]
for what, want, request in library:
    s, h, b = raw(request)
    try:
        problem = json.loads(b)
    except ValueError:
        problem = {}
    t.ok(s == want and "application/problem+json" in h and problem.get("status") == want and problem.get("title")
         and "content-security-policy:" in h.lower() and "<html" not in b.lower(),
         f"{what}: libmicrohttpd's own {want} is problem+json with the security headers", (s, h[:300], b[:200]))
# An announced oversized body: 413 as soon as the headers are in (the
# client sends no body byte and still gets its answer).
t0 = time.monotonic()
s, h, b = raw(b"POST /api/v1/registrasi HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 50000000\r\n\r\n", timeout=10)
waited = time.monotonic() - t0
t.ok(s == 413 and "application/problem+json" in h and "permintaan_terlalu_besar" in b,
     "a 50 MB Content-Length is answered 413 problem+json before any body is sent", (s, b[:200]))
t.ok("content-security-policy:" in h.lower(), "the early 413 carries the security headers too", h)
print(f"# the early 413 came after {waited * 1000:.0f} ms without a body byte sent")


def chunked(total, piece=8192):
    """A chunked POST of `total` bytes (a JSON object padded with spaces)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"POST /api/v1/registrasi/mulai HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    body = b'{"nip":"197501022014071003","email":"a@b.id"}'
    body += b" " * max(0, total - len(body))
    try:
        for i in range(0, len(body), piece):
            part = body[i:i + piece]
            s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
        s.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the gateway may answer and close before the last chunk
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except OSError:
        pass
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    return (int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0), rest.decode(errors="replace")


s, b = chunked(2 * 1024 * 1024)
t.ok(s == 413 and "permintaan_terlalu_besar" in b, "a 2 MB chunked body is refused with 413 (not cut and processed)",
     (s, b[:200]))
s, b = chunked(200)
t.ok(s != 413 and s != 0 and s < 500, "a small chunked body is still accepted and handled", (s, b[:200]))
s, b = chunked(65536 + 100)
t.ok(s == 413, "valid JSON followed by padding past the 64 KiB limit is refused, not truncated to the JSON", (s, b[:200]))

# A client dripping its headers (one byte a second) is cut at the receive
# deadline (PUPNS_HTTP_RECEIVE_TIMEOUT, 20 s by default), although it never
# stays silent long enough for the idle timeout.
deadline = int(os.environ.get("PUPNS_HTTP_RECEIVE_TIMEOUT", "20"))
drip = socket.create_connection(("127.0.0.1", port), timeout=5)
t0 = time.monotonic()
cut_after = None
for ch in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * (deadline * 3):
    try:
        drip.send(bytes([ch]))
        drip.setblocking(False)
        try:
            if drip.recv(1) == b"":
                raise ConnectionResetError
        except BlockingIOError:
            pass
        drip.setblocking(True)
    except OSError:
        cut_after = time.monotonic() - t0
        break
    time.sleep(1)
drip.close()
t.ok(cut_after is not None, "a client dripping its headers a byte a second is cut by the receive deadline",
     cut_after)
if cut_after is not None:
    print(f"# the drip-fed connection was cut after {cut_after:.1f} s (deadline {deadline} s)")
metrics = raw(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[2]
t.ok('pupns_http_slow_clients_total{phase="receiving"}' in metrics and "pupns_http_refused_early_total" in metrics
     and 'pupns_http_library_errors_total{status="431"}' in metrics,
     "the cut, the early refusals and libmicrohttpd's own refusals are counted in /metrics",
     [line for line in metrics.splitlines() if "slow_clients" in line or "refused_early" in line or "library" in line])
s, h, b = raw(f"GET /api/v1/pns/{nip} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
wanted = ["content-security-policy:", "frame-ancestors 'none'", "referrer-policy:", "x-content-type-options: nosniff"]
t.ok(s == 200 and all(w in h.lower() for w in wanted), "responses carry CSP, frame-ancestors, Referrer-Policy, nosniff",
     h)
t.ok("unsafe-inline" not in h, "the CSP allows no inline code")

# 1,100 slow connections from 127.0.0.2, each a byte of a request line.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
slow, refused = [], 0
for _ in range(1100):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=("127.0.0.2", 0))
        c.sendall(b"G")
        slow.append(c)
    except OSError:
        refused += 1
time.sleep(1)
# The gateway closes what is over the per-address cap: those read EOF.
closed = 0
for c in slow:
    c.setblocking(False)
    try:
        if c.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print(f"# 1100 slow connections from 127.0.0.2: {refused} refused at connect, {closed} closed by the gateway, "
      f"{len(slow) - closed} held open")
t.ok(len(slow) - closed <= 256, "one address holds at most PUPNS_HTTP_MAX_PER_ADDRESS (256) connections",
     len(slow) - closed)
s, _, _ = raw(f"GET /api/v1/pns/{nip} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(), timeout=10)
t.ok(s == 200, "meanwhile a client from another address is served", s)
for c in slow:
    c.close()
print(f"1..{t.n}")
