#!/usr/bin/env bash
# test_receipt.sh -- runs test_receipt.py.
exec /usr/bin/python3 "$(dirname "$0")/test_receipt.py"
