#!/usr/bin/env bash
# test_browser.sh -- the portal walked in headless Chromium: tests/browser/test_portal.sh.
exec bash "$(dirname "$0")/../browser/test_portal.sh"
