#!/usr/bin/env bash
# test_verifier_authz.sh -- runs test_verifier_authz.py.
exec /usr/bin/python3 "$(dirname "$0")/test_verifier_authz.py"
