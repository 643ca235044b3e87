#!/usr/bin/env bash
# test_notify_deferred.sh -- runs test_notify_deferred.py (a 451-deferred recipient: bounded retries, dead letter).
exec /usr/bin/python3 "$(dirname "$0")/test_notify_deferred.py"
