#!/usr/bin/env bash
# test_verifier_crash.sh -- runs test_verifier_crash.py.
exec /usr/bin/python3 "$(dirname "$0")/test_verifier_crash.py"
