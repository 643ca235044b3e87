#!/usr/bin/env bash
# test_fault_overload.sh -- runs test_fault_overload.py: a registration wave at
# three times the capacity measured in the test; 201 or 503 with Retry-After,
# none lost, and a fresh registration succeeds afterwards.
exec /usr/bin/python3 "$(dirname "$0")/test_fault_overload.py"
