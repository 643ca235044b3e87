#!/usr/bin/env bash
# test_registration_crash.sh -- runs test_registration_crash.py.
exec /usr/bin/python3 "$(dirname "$0")/test_registration_crash.py"
