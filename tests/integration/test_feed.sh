#!/usr/bin/env bash
# test_feed.sh -- runs test_feed.py.
exec /usr/bin/python3 "$(dirname "$0")/test_feed.py"
