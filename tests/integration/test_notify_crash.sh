#!/usr/bin/env bash
# test_notify_crash.sh -- runs test_notify_crash.py (notify SIGKILLed mid-stream of 200 notices).
exec /usr/bin/python3 "$(dirname "$0")/test_notify_crash.py"
