#!/usr/bin/env bash
# test_notify_tls.sh -- runs test_notify_tls.py (STARTTLS, certificate checks, PUPNS_SMTP_TLS).
exec /usr/bin/python3 "$(dirname "$0")/test_notify_tls.py"
