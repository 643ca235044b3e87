#!/bin/sh
# entrypoint.sh -- the image's entry point: keys mounted as files become the
# PUPNS_* variables the services read today, then the command runs.
#
# Every regular file named PUPNS_* in $PUPNS_SECRETS_DIR (default
# /run/secrets: compose secrets; the Kubernetes manifests mount their Secret
# at /etc/pupns/secrets) is exported under its name with its content
# (trailing newlines dropped). A variable already set wins. When the services
# learn a PUPNS_<NAME>_FILE convention, this becomes unnecessary.
set -eu
dir=${PUPNS_SECRETS_DIR:-/run/secrets}
if [ -d "$dir" ]; then
    for f in "$dir"/PUPNS_*; do
        [ -f "$f" ] || continue
        name=${f##*/}
        case "$name" in *[!A-Z0-9_]*) continue ;; esac
        eval "[ -n \"\${$name:-}\" ]" && continue
        value=$(cat "$f")
        export "$name=$value"
    done
fi
exec "$@"
