#!/usr/bin/env bash
# test_openapi.sh -- the gateway's real responses match proto/openapi.yaml.
/usr/bin/python3 "$(dirname "$0")/openapi_check.py" "$TOP/proto/openapi.yaml" "$BASE_URL" <<'CASES'
GET /api/v1/pns/197501022014071003
GET /api/v1/pns/19750102201407100
GET /api/v1/pns/197501022014131003
GET /api/v1/pns/199001012015011999
GET /healthz
GET /readyz
GET /metrics
CASES
