#!/usr/bin/env bash
# test_portal.sh -- the portal and the verifier desks in headless Chromium
# (portal.test.mjs), against the running test stack (BASE_URL, PG_PORT,
# PUPNS_REDIS_URL, STATE_DIR, BIN_DIR; see tests/run.sh). Screenshots of
# every page at 360x740 and 1366x768: build/test-results/screenshots/.
# Skips, as TAP, if Chromium, Node.js or playwright-core is missing;
# infra/install-deps.sh installs them (and axe-core).
cd "$(dirname "$0")" || exit 1
chromium=${CHROMIUM:-/usr/bin/chromium}
why=""
if [ ! -x "$chromium" ]; then why="no $chromium (Debian package chromium)"
elif ! command -v node >/dev/null 2>&1; then why="no node (Debian package nodejs)"
elif [ ! -d node_modules/playwright-core ]; then why="no tests/browser/node_modules (npm ci in tests/browser)"
fi
if [ -n "$why" ]; then
    echo "ok 1 - browser test # SKIP $why"
    exit 0
fi
export CHROMIUM=$chromium
exec node portal.test.mjs
