#!/usr/bin/env bash
# test_verifier_race.sh -- runs test_verifier_race.py.
exec /usr/bin/python3 "$(dirname "$0")/test_verifier_race.py"
