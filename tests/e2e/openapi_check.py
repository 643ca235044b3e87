#!/usr/bin/python3
"""openapi_check.py -- checks live gateway responses against proto/openapi.yaml.

Usage: openapi_check.py OPENAPI BASE_URL [--flows] < cases

Each case line is

    METHOD PATH [BODY] [Header=Value ...] [=>STATUS[:code]]

  BODY          {json...} or [json...]: sent as is (it may contain spaces);
                raw:TEXT: TEXT up to the next white space, sent as is (for
                malformed bodies; "raw:" alone is an empty body); bytes:N: N
                bytes of "x" (for oversized bodies). Bodies go with
                Content-Type: application/json.
  Header=Value  a request header; the value is percent-decoded, so
                Authorization=Bearer%20abc sends "Bearer abc".
  =>STATUS      the response must also have this status, and with :code a
                problem body with this `code`.

For every response: the operation exists; the status is documented for it;
the content type is one the document lists (no body where it lists none); a
JSON body validates against the schema; a problem's `code` and its field
errors' codes are named in the response's description; headers documented
as required are present and match their schema; X-Request-Id is present; a
2xx answer's request body validates against the documented requestBody; an
operation secured by bearerAuth refuses a request without Authorization
with 401.

--flows first runs the success paths with tests/e2e/pupns_client.py and
checks each response the same way: one NIP of range "openapi" (tests/ranges.tsv)
that is not registered yet registers (with an Idempotency-Key, retried),
logs in, reads its registration, logs out. Prints TAP lines."""
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


class Checker:
    def __init__(self, spec, base):
        self.spec, self.base, self.n = spec, base, 0

    # -- the document -----------------------------------------------------
    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            node = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def operation(self, method, path):
        bare = path.split("?")[0]
        # Literal templates first, so /api/v1/registrasi/mulai is not {no}.
        for template in sorted(self.spec["paths"], key=lambda t: t.count("{")):
            rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
            if re.match(rx, bare):
                return template, self.spec["paths"][template].get(method.lower())
        return None, None

    def validate(self, instance, schema):
        schema = dict(schema)
        schema["components"] = self.spec["components"]
        jsonschema.validate(instance, schema)

    # -- one exchange -------------------------------------------------------
    def request(self, method, path, body=None, headers=None):
        """Returns (status, headers, raw body)."""
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except OSError as e:  # refused, reset, closed without an answer (a crash?)
            return 0, {}, str(e).encode()

    def problems(self, method, path, sent_body, sent_headers, status, hdrs, raw, expect=None):
        """Everything wrong with one exchange, as a list of strings."""
        why = []
        if status == 0:
            return [f"no HTTP answer: {raw.decode(errors='replace')}"]
        template, op = self.operation(method, path)
        if op is None:
            return ["no such operation"]
        if expect:
            want_status, _, want_code = expect.partition(":")
            if str(status) != want_status:
                why.append(f"status {status}, expected {want_status}")
        if not hdrs.get("X-Request-Id"):
            why.append("no X-Request-Id")
        # Secured: a bearer is named and no alternative ({}) does without one.
        alternatives = op.get("security", self.spec.get("security", []))
        secured = any("bearerAuth" in s for s in alternatives) and {} not in alternatives
        if secured and not any(k.lower() == "authorization" for k in (sent_headers or {})) and status != 401:
            why.append(f"secured operation answered {status} without Authorization")
        resp = op["responses"].get(str(status))
        if resp is None:
            return why + [f"status {status} not documented for {method} {template}"]
        resp = self.deref(resp)
        media = (hdrs.get("Content-Type") or "").split(";")[0].strip()
        content = resp.get("content", {})
        parsed = None
        if not content:
            if raw:
                why.append(f"{status} documents no body but got {len(raw)} bytes of {media or '?'}")
        elif media not in content:
            why.append(f"content type {media or '(none)'} not documented for {status}")
        elif media.endswith("json"):
            try:
                parsed = json.loads(raw)
                self.validate(parsed, content[media]["schema"])
            except Exception as e:  # noqa: BLE001 - any failure is a test failure
                why.append(f"body invalid: {str(e).splitlines()[0]}")
        for name, h in resp.get("headers", {}).items():
            h = self.deref(h)
            value = hdrs.get(name)
            if value is None:
                if h.get("required"):
                    why.append(f"documented header {name} missing")
                continue
            schema = h.get("schema", {})
            try:
                self.validate(int(value) if schema.get("type") == "integer" else value, schema)
            except Exception as e:  # noqa: BLE001
                why.append(f"header {name}: {str(e).splitlines()[0]}")
        if media == "application/problem+json" and isinstance(parsed, dict):
            text = resp.get("description", "")
            codes = [parsed.get("code")] + [e.get("code") for e in parsed.get("errors", []) if isinstance(e, dict)]
            for code in codes:
                if code and not re.search(r"(?<![a-z0-9_])" + re.escape(code) + r"(?![a-z0-9_])", text):
                    why.append(f"problem code {code} not named in the description of {status}")
            if expect and want_code and parsed.get("code") != want_code:
                why.append(f"code {parsed.get('code')}, expected {want_code}")
        elif expect and want_code:
            why.append(f"expected a problem with code {want_code}")
        if 200 <= status < 300 and sent_body:
            schema = (op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema"))
            if schema:
                try:
                    self.validate(json.loads(sent_body), schema)
                except Exception as e:  # noqa: BLE001
                    why.append(f"accepted a request body the document forbids: {str(e).splitlines()[0]}")
        return why

    def tap(self, name, why):
        self.n += 1
        print(("ok" if not why else "not ok") + f" {self.n} - {name}", flush=True)
        for w in why:
            print(f"#   {w}", flush=True)
        return not why

    def exchange(self, name, method, path, body=None, headers=None, expect=None, extra=None):
        """One checked request; returns (status, parsed JSON or None, headers)."""
        raw_body = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        status, hdrs, raw = self.request(method, path, raw_body, headers)
        why = self.problems(method, path, raw_body, headers, status, hdrs, raw, expect)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        if extra and not why:
            why = [w for w in (extra(status, parsed, hdrs),) if w]
        self.tap(name or f"{method} {path} matches openapi.yaml", why)
        return status, parsed, hdrs


def parse_case(line):
    """METHOD PATH [BODY] [H=V ...] [=>EXPECT] -> (method, path, body bytes or None, headers, expect)."""
    method, rest = line.split(None, 1)
    path, _, rest = rest.strip().partition(" ")
    body, headers, expect = None, {}, None
    rest = rest.strip()
    while rest:
        if rest[0] in "{[":
            _, end = json.JSONDecoder().raw_decode(rest)
            body, rest = rest[:end].encode(), rest[end:].strip()
            continue
        token, _, rest = rest.partition(" ")
        rest = rest.strip()
        if token.startswith("raw:"):
            body = token[4:].encode()
        elif token.startswith("bytes:"):
            body = b"x" * int(token[6:])
        elif token.startswith("=>"):
            expect = token[2:]
        elif "=" in token:
            k, v = token.split("=", 1)
            headers[k] = urllib.parse.unquote(v)
        else:
            raise ValueError(f"cannot parse {token!r}")
    return method, path, body, headers, expect


def flows(c):
    """Success paths of every registration endpoint, each response checked."""
    sys.path.insert(0, HERE)
    import pupns_client as pc  # noqa: E402 - needs BASE set first

    pc.BASE = c.base
    candidates = pc.range_nips("openapi")
    nip, token = None, None
    for cand in candidates:
        s, b, _ = pc.start(cand)
        if s == 200:
            nip, token = cand, b["token"]
            break
    if not c.tap("a fresh NIP for the success paths (range openapi)", [] if nip else ["none left unregistered"]):
        return
    c.exchange("POST /api/v1/registrasi/mulai (fresh NIP) -> 200 with a flow token", "POST",
               "/api/v1/registrasi/mulai", {"nip": nip, "email": "pns.openapi@example.go.id"}, expect="200")
    s, q, _ = c.exchange("GET /api/v1/pertanyaan-pengaman -> 200", "GET", "/api/v1/pertanyaan-pengaman", expect="200")

    def new_captcha(name):
        s, b, _ = c.exchange(name, "POST", "/api/v1/captcha", expect="201")
        cid = (b or {}).get("id", "")
        return cid, pc.redis("GET", "captcha:" + cid)

    cid, ans = new_captcha("POST /api/v1/captcha -> 201")
    bad = pc.form(token, cid, "XXXXXXX")
    c.exchange("POST /api/v1/registrasi with a wrong captcha answer -> 400 captcha_salah", "POST", "/api/v1/registrasi",
               bad, expect="400:data_tidak_valid",
               extra=lambda s, b, h: None if [e["code"] for e in b["errors"]] == ["captcha_salah"] else f"errors {b['errors']}")
    key = "openapi-" + uuid.uuid4().hex
    cid, ans = new_captcha("POST /api/v1/captcha -> 201 (again)")
    form = pc.form(token, cid, ans, pertanyaan_id=(q or [{"id": 1}])[-1]["id"])
    s, reg, hdrs = c.exchange("POST /api/v1/registrasi -> 201 with Location", "POST", "/api/v1/registrasi", form,
                              headers={"Idempotency-Key": key}, expect="201")
    no = (reg or {}).get("no_registrasi", "")
    c.tap("201 Location names the new registration",
          [] if hdrs.get("Location") == "/api/v1/registrasi/" + no else [f"Location {hdrs.get('Location')}"])
    cid, ans = new_captcha("POST /api/v1/captcha -> 201 (for the retry)")
    c.exchange("POST /api/v1/registrasi retried with the same Idempotency-Key -> 201, same number", "POST",
               "/api/v1/registrasi", pc.form(token, cid, ans), headers={"Idempotency-Key": key}, expect="201",
               extra=lambda s, b, h: None if b == reg else f"got {b}, first answer {reg}")
    cid, ans = new_captcha("POST /api/v1/captcha -> 201 (for a new attempt)")
    c.exchange("POST /api/v1/registrasi for a registered NIP -> 409", "POST", "/api/v1/registrasi",
               pc.form(token, cid, ans), expect="409:sudah_terdaftar")
    # The longest Idempotency-Key the document allows must reach the
    # registration service's duplicate check like any other.
    cid, ans = new_captcha("POST /api/v1/captcha -> 201 (for a 64-character key)")
    c.exchange("POST /api/v1/registrasi with a 64-character Idempotency-Key, registered NIP -> 409", "POST",
               "/api/v1/registrasi", pc.form(token, cid, ans), headers={"Idempotency-Key": "k" * 64},
               expect="409:sudah_terdaftar")
    c.exchange("POST /api/v1/registrasi/mulai for a registered NIP -> 409", "POST", "/api/v1/registrasi/mulai",
               {"nip": nip, "email": "pns@example.go.id"}, expect="409:sudah_terdaftar")
    c.exchange("POST /api/v1/auth/login with a wrong password -> 401", "POST", "/api/v1/auth/login",
               {"nip": nip, "kata_kunci": "bukan-kata-kuncinya"}, expect="401:login_gagal")
    s, sess, _ = c.exchange("POST /api/v1/auth/login -> 200 with a bearer token", "POST", "/api/v1/auth/login",
                            {"nip": nip, "kata_kunci": "Rahasia#Malang75"}, expect="200")
    bearer = {"Authorization": "Bearer " + (sess or {}).get("token", "")}
    c.exchange("GET /api/v1/registrasi/{no} as its owner -> 200", "GET", "/api/v1/registrasi/" + no, headers=bearer,
               expect="200", extra=lambda s, b, h: None if b == reg else f"got {b}, registered {reg}")
    c.exchange("GET /api/v1/registrasi/{no} of an unknown number -> 404", "GET", "/api/v1/registrasi/ZZZZZZZZ",
               headers=bearer, expect="404:registrasi_tidak_ditemukan")
    c.exchange("POST /api/v1/auth/logout -> 204", "POST", "/api/v1/auth/logout", headers=bearer, expect="204")
    c.exchange("GET /api/v1/registrasi/{no} after logout -> 401", "GET", "/api/v1/registrasi/" + no, headers=bearer,
               expect="401:perlu_login")
    c.exchange("POST /api/v1/auth/logout again -> 401", "POST", "/api/v1/auth/logout", headers=bearer,
               expect="401:perlu_login")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    c = Checker(yaml.safe_load(open(args[0])), args[1])
    if "--flows" in sys.argv:
        try:
            flows(c)
        except Exception as e:  # noqa: BLE001 - e.g. the gateway is down
            c.tap("the success paths run to the end", [f"{type(e).__name__}: {e}"])
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            method, path, body, headers, expect = parse_case(line)
        except ValueError as e:
            c.tap(f"case parses: {line}", [str(e)])
            continue
        c.exchange(f"{line[:120]} matches openapi.yaml", method, path, body, headers, expect)


main()
