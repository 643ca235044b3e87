#!/usr/bin/env bash
# test_registration.sh -- runs test_registration.py (registration steps 2-4, login).
cd "$(dirname "$0")" && exec /usr/bin/python3 test_registration.py
