#!/usr/bin/env bash
# test_receipt_crash.sh -- runs test_receipt_crash.py.
exec /usr/bin/python3 "$(dirname "$0")/test_receipt_crash.py"
