#!/usr/bin/env bash
# test_verifier.sh -- runs test_verifier.py (the verification path end to end).
exec /usr/bin/python3 "$(dirname "$0")/test_verifier.py"
