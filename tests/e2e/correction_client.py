"""correction_client.py -- files correction reports the way the portal does
(POST /api/v1/pns/{nip}/koreksi): with a flow token of step 2 (NIP + email)
or the owner's bearer session, and a solved captcha (its answer read from
Redis, as pupns_client does). Shared by every test that files a report."""
import pupns_client as pc


def token_for(nip, email="pns.koreksi@example.go.id", base=None):
    """A flow token for nip (step 2), or None (e.g. 409: already registered)."""
    s, b, _ = pc.start(nip, email, base=base)
    return b["token"] if s == 200 else None


def login(nip, password="Rahasia#Malang75", base=None):
    """The bearer token of nip's session (the tests' password), or None."""
    s, b, _ = pc.retrying(lambda: pc.call("POST", "/api/v1/auth/login", {"nip": nip, "kata_kunci": password},
                                          base=base))
    return b.get("token") if s == 200 and b else None


def report(nip, body, token=None, session=None, captcha=True, headers=None, base=None, attempts=5):
    """Files body ({field, usulan[, catatan]}) for nip: (status, body, headers).

    token: a flow token; session: a bearer token instead. With neither, a
    flow token from step 2, or for a registered NIP (step 2 refuses it) the
    owner's session with the tests' password; session="" with no token
    sends neither. captcha=False sends none. A 5xx is retried with a new
    captcha (the old one was spent by its check)."""
    if token is None and session is None:
        token = token_for(nip, base=base)
        if token is None:
            session = login(nip, base=base)
    hdrs = dict(headers or {})
    if session:
        hdrs["Authorization"] = "Bearer " + session

    def once():
        data = dict(body)
        if token is not None:
            data["token"] = token
        if captcha:
            data["captcha_id"], data["captcha_jawaban"] = pc.captcha(base=base)
        return pc.call("POST", f"/api/v1/pns/{nip}/koreksi", data, headers=hdrs, base=base)

    return pc.retrying(once, attempts) if attempts > 1 else once()
