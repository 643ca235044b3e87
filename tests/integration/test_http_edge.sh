#!/usr/bin/env bash
# test_http_edge.sh -- runs test_http_edge.py (the HTTP edge under abuse).
cd "$(dirname "$0")" && exec /usr/bin/python3 test_http_edge.py
