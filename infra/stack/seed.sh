#!/usr/bin/env bash
# seed.sh -- replace identity master data with N synthetic PNS (pupns-seed).
#   seed.sh N [PG_PORT]      (default port 15401, database pupns, role pupns_identity)
set -euo pipefail
n=${1:?usage: seed.sh N [PG_PORT]}
port=${2:-15401}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/build/rel/bin/pupns-seed"
[ -x "$bin" ] || make -C "$top" -s build/rel/bin/pupns-seed
exec "$bin" --pg-url "postgresql://pupns_identity@127.0.0.1:${port}/pupns" \
    --count "$n" --data-dir "$top/services/identity/seed/data"
