#!/usr/bin/python3
"""smtp_sink.py -- the local stack's SMTP server: accepts every mail and keeps it
in a Maildir, so tests and developers read what notify sent (no mock of SMTP in
the services).

  smtp_sink.py --port PORT --maildir DIR [--cert PEM --key PEM] [--refuse REGEX] [--defer REGEX]

- Listens on 127.0.0.1 only (Debian's python3-aiosmtpd).
- With --cert/--key it offers STARTTLS (not required: a client that does not
  ask talks plain text), so the client's STARTTLS path runs against a real TLS
  server. The certificate is self-signed for 127.0.0.1/localhost; a client
  verifies it by trusting that file (notify: PUPNS_SMTP_CA_FILE).
- RCPT TO of an address matching --refuse (Python regex, case-insensitive,
  default `@ditolak\\.example$`) is answered 550 5.1.1: a permanent refusal
  for tests of dead letters; one matching --defer (default `@tunda\\.example$`)
  is answered 451 4.2.0 (try again later, as greylisting does), every time.
- Each accepted mail is one file in DIR/new (written to DIR/tmp, then renamed,
  as Maildir wants; the 250 goes out only after the rename), its raw bytes as
  received preceded by trace headers X-Sink-Envelope-From, X-Sink-Envelope-To
  (one per recipient) and X-Sink-TLS (the TLS version, or "none").
- SIGTERM/SIGINT: stops listening and exits 0. Logs one line per mail on stderr
  (envelope addresses only, never the content: mails carry single-use links).
"""
import argparse
import asyncio
import mailbox
import os
import re
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP


def log(msg):
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} smtp_sink: {msg}", file=sys.stderr, flush=True)


class MaildirHandler:
    """aiosmtpd handler: refuses some recipients, stores every accepted mail."""

    def __init__(self, maildir, refuse, defer):
        # mailbox creates tmp/new/cur only for a folder it makes itself.
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        self.box = mailbox.Maildir(maildir, create=True)
        self.refuse = re.compile(refuse, re.IGNORECASE) if refuse else None
        self.defer = re.compile(defer, re.IGNORECASE) if defer else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse.search(address):
            log(f"refused recipient {address}")
            return "550 5.1.1 Mailbox unavailable (refused by the local sink)"
        if self.defer and self.defer.search(address):
            log(f"deferred recipient {address}")
            return "451 4.2.0 Try again later (deferred by the local sink)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        tls = ssl_object.version() if ssl_object else "none"
        trace = [f"X-Sink-Envelope-From: {envelope.mail_from}"]
        trace += [f"X-Sink-Envelope-To: {r}" for r in envelope.rcpt_tos]
        trace.append(f"X-Sink-TLS: {tls}")
        raw = ("\r\n".join(trace) + "\r\n").encode("ascii", "replace") + envelope.original_content
        key = self.box.add(raw)  # tmp/ then rename into new/
        log(f"stored {key} from {envelope.mail_from} to {','.join(envelope.rcpt_tos)} (tls {tls})")
        return "250 2.0.0 OK stored"


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    return ctx


async def serve(args):
    handler = MaildirHandler(args.maildir, args.refuse, args.defer)
    tls = tls_context(args.cert, args.key) if args.cert else None
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(handler, hostname="pupns-smtp-sink", tls_context=tls, require_starttls=False,
                    data_size_limit=10 * 1024 * 1024, enable_SMTPUTF8=True)

    server = await loop.create_server(factory, host="127.0.0.1", port=args.port, reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log(f"listening on 127.0.0.1:{args.port}, STARTTLS {'offered' if tls else 'off'}, Maildir {args.maildir}")
    await stop.wait()
    server.close()
    await server.wait_closed()
    log("stopped")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--refuse", default=r"@ditolak\.example$")
    p.add_argument("--defer", default=r"@tunda\.example$")
    args = p.parse_args()
    if bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
