#!/usr/bin/env bash
# test_notify_outage.sh -- runs test_notify_outage.py (the SMTP sink down for over a minute).
exec /usr/bin/python3 "$(dirname "$0")/test_notify_outage.py"
