#!/usr/bin/env bash
# test_backpressure.sh -- runs test_backpressure.py (load shedding: 503 with Retry-After).
exec /usr/bin/python3 "$(dirname "$0")/test_backpressure.py"
