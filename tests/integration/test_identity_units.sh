#!/usr/bin/env bash
# test_identity_units.sh -- runs test_identity_units.py.
exec /usr/bin/python3 "$(dirname "$0")/test_identity_units.py"
