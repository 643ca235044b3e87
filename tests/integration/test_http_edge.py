"""test_http_edge.py -- the gateway's HTTP edge under abuse (loopback only,
bounded): NUL and control bytes in paths, bodies without JSON Content-Type,
HTTP/1.1 without Host, security headers on
every response, and 1,100 slow connections from one address (capped per
address; a client from another address is still served)."""
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
# Not yet: an announced oversized body is refused only after its upload
# (ulfius reads the body before any callback of ours runs); see issue 8.
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
