#!/usr/bin/env bash
# test_notify_rebalance.sh -- runs test_notify_rebalance.py (a second notify instance joins and leaves mid-stream).
exec /usr/bin/python3 "$(dirname "$0")/test_notify_rebalance.py"
