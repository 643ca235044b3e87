#!/usr/bin/env bash
# test_request_id.sh -- runs test_request_id.py (X-Request-Id across services).
cd "$(dirname "$0")" && exec /usr/bin/python3 test_request_id.py
