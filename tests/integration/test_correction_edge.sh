#!/usr/bin/env bash
# test_correction_edge.sh -- runs test_correction_edge.py.
exec /usr/bin/python3 "$(dirname "$0")/test_correction_edge.py"
