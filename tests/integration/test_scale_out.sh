#!/usr/bin/env bash
# test_scale_out.sh -- runs test_scale_out.py (two instances of identity, registration and the gateway).
cd "$(dirname "$0")" && exec /usr/bin/python3 test_scale_out.py
