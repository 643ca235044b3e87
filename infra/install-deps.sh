#!/usr/bin/env bash
# install-deps.sh -- install the Debian packages and Kafka jars PUPNS needs.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

PKGS=(build-essential pkg-config git curl ca-certificates
      librdkafka-dev libpq-dev libulfius-dev libjansson-dev libhiredis-dev
      libsodium-dev libgd-dev libhpdf-dev libqrencode-dev libcmocka-dev
      libmicrohttpd-dev liborcania-dev libyder-dev
      postgresql postgresql-client redis-server redis-tools
      openjdk-17-jre-headless maven kafkacat wrk valgrind cppcheck
      python3-jsonschema python3-yaml
      # notify's SMTP client (libcurl's GnuTLS flavour: libulfius-dev depends on it and the
      # OpenSSL flavour conflicts with it), the local SMTP sink, sealed tokens in tests
      libcurl4-gnutls-dev python3-aiosmtpd python3-nacl
      clang libclang-rt-14-dev
      fonts-dejavu-core fonttools poppler-utils zbar-tools
      chromium nodejs)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q || true
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

"$here/kafka/fetch-kafka.sh"

# The browser test (tests/browser): Debian's npm (a NodeSource nodejs has its
# own npm and conflicts with it), then playwright-core and axe-core from the lock file.
# Not fatal: without them the browser test reports a SKIP.
command -v npm >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && S="" || S=sudo; DEBIAN_FRONTEND=noninteractive $S apt-get install -y -q --no-install-recommends npm; } || echo "install-deps: npm is missing; the browser test will be skipped" >&2
[ -d "$here/../tests/browser/node_modules/playwright-core" ] && [ -d "$here/../tests/browser/node_modules/axe-core" ] || (cd "$here/../tests/browser" && npm ci --no-audit --no-fund --loglevel=error) || echo "install-deps: npm ci in tests/browser failed; the browser test will be skipped" >&2
