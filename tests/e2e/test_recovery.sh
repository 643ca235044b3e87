#!/usr/bin/env bash
# test_recovery.sh -- runs test_recovery.py (lupa kata kunci, cek status, verified address).
exec /usr/bin/python3 "$(dirname "$0")/test_recovery.py"
