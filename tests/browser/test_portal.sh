#!/usr/bin/env bash
# test_portal.sh -- the portal in headless Chromium (portal.test.mjs), against
# the running test stack (BASE_URL, NIPS_FILE, PUPNS_REDIS_URL; see
# tests/run.sh). Skips, as TAP, if Chromium, Node.js or playwright-core is
# missing; infra/install-deps.sh installs all three.
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
