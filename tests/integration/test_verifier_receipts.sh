#!/usr/bin/env bash
# test_verifier_receipts.sh -- runs test_verifier_receipts.py (verifiers open their PNS's receipts).
cd "$(dirname "$0")" && exec /usr/bin/python3 test_verifier_receipts.py
