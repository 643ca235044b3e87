"""pupns_client.py -- a small test client for the PUPNS gateway (stdlib only).

Captcha answers are read from Redis (`captcha:<id>`), as a test may; the
product itself has no bypass."""
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

BASE = os.environ.get("BASE_URL", "http://127.0.0.1:28080")
REDIS_URL = os.environ.get("PUPNS_REDIS_URL", "redis://127.0.0.1:25402/0")


def request(method, path, body=None, headers=None, base=None, timeout=60):
    """Returns (status, body bytes, headers), whatever the status."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request((base or BASE) + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def call(method, path, body=None, headers=None, base=None, timeout=60):
    """Returns (status, parsed JSON or None, headers)."""
    status, raw, hdrs = request(method, path, body, headers, base, timeout)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, hdrs


def get_bytes(path, token=None, headers=None, timeout=30):
    """(status, body bytes, headers) of a GET (a PDF, a key list), as the bearer of token if given."""
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = "Bearer " + token
    return request("GET", path, headers=headers, timeout=timeout)


def redis(*args):
    return subprocess.run(["redis-cli", "-u", REDIS_URL, *args], capture_output=True, text=True,
                          check=False).stdout.strip()


def retrying(fn, attempts=5):
    """Calls fn() again after a 5xx (a timeout under load), as a browser user would."""
    for _ in range(attempts - 1):
        result = fn()
        if result[0] < 500:
            return result
        time.sleep(0.5)
    return fn()


def captcha(base=None):
    """A fresh captcha id and its answer (read from Redis)."""
    status, body, _ = retrying(lambda: call("POST", "/api/v1/captcha", base=base))
    assert status == 201, (status, body)
    return body["id"], redis("GET", "captcha:" + body["id"])


def form(token, cid, answer, password="Rahasia#Malang75", **over):
    f = {"token": token, "kata_kunci": password, "konfirmasi_kata_kunci": password,
         "nama_ibu_kandung": "Siti Aminah", "pertanyaan_id": 1, "jawaban": "SD Negeri 3 Klojen",
         "captcha_id": cid, "captcha_jawaban": answer}
    f.update(over)
    return f


def start(nip, email="pns@example.go.id", base=None):
    return retrying(lambda: call("POST", "/api/v1/registrasi/mulai", {"nip": nip, "email": email}, base=base))


def register(nip, password="Rahasia#Malang75", key=None, base=None, timeout=60):
    """Steps 2 and 3 for one NIP; returns (status, body)."""
    status, body, _ = start(nip, base=base)
    if status != 200:
        return status, body
    cid, ans = captcha(base=base)
    headers = {"Idempotency-Key": key} if key else None
    status, body, _ = call("POST", "/api/v1/registrasi", form(body["token"], cid, ans, password),
                           headers=headers, base=base, timeout=timeout)
    return status, body


class Tap:
    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    def ok(self, cond, name, why=""):
        with self.lock:
            self.n += 1
            print(("ok" if cond else "not ok") + f" {self.n} - {name}", flush=True)
            if not cond and why:
                print(f"#   {why}", flush=True)
        return cond


def nips(first, count):
    with open(os.environ["NIPS_FILE"]) as f:
        all_nips = [line.strip() for line in f if line.strip()]
    return all_nips[first:first + count]


RANGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ranges.tsv")


def row_range(name):
    """(first, last) row of the test data range `name` in tests/ranges.tsv:
    rows of identity.pns in NIP order, 1-based (row n is NIPS_FILE line n)."""
    with open(RANGES) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if not line.startswith("#") and cols[0] == name and len(cols) >= 3:
                return int(cols[1]), int(cols[2])
    raise KeyError(f"no test data range {name!r} in tests/ranges.tsv")


def range_nips(name):
    """The NIPS_FILE lines of the range `name` (tests/ranges.tsv), in order."""
    first, last = row_range(name)
    got = nips(first - 1, last - first + 1)
    if len(got) != last - first + 1:
        raise ValueError(f"NIPS_FILE has {len(got)} of the {last - first + 1} lines of range {name!r}")
    return got
