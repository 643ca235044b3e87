#!/usr/bin/env bash
# test_corrections_resolve.sh -- runs test_corrections_resolve.py.
exec /usr/bin/python3 "$(dirname "$0")/test_corrections_resolve.py"
