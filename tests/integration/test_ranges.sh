#!/usr/bin/env bash
# test_ranges.sh -- the test data ranges (tests/ranges.tsv) against the
# running stack: identity.pns has every row they name, NIPS_FILE line n is
# row n, the tutorial NIP is at the row its range names (tests/check_ranges.py
# --stack; the checks of the registry and the sources run before the stack).
# Needs PG_PORT, NIPS_FILE.
exec /usr/bin/python3 "$(dirname "$0")/../check_ranges.py" --stack
