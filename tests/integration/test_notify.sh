#!/usr/bin/env bash
# test_notify.sh -- runs test_notify.py (notify against the stack's Kafka, PostgreSQL and SMTP sink).
exec /usr/bin/python3 "$(dirname "$0")/test_notify.py"
