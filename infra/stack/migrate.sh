#!/usr/bin/env bash
# migrate.sh -- apply infra/sql/*.sql in order, once each, as the superuser.
#   migrate.sh PG_PORT [DBNAME]
set -euo pipefail
port=${1:?pg port}; db=${2:-pupns}
top=$(cd "$(dirname "$0")/../.." && pwd)
psql_su() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql_su -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
    psql_su -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'"
psql_su -d "$db" -c "CREATE TABLE IF NOT EXISTS public.schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
for f in "$top"/infra/sql/[0-9]*.sql; do
    n=$(basename "$f")
    if ! psql_su -d "$db" -tAc "SELECT 1 FROM public.schema_migrations WHERE name = '$n'" | grep -q 1; then
        { echo "BEGIN;"; cat "$f"; echo "INSERT INTO public.schema_migrations (name) VALUES ('$n');"; echo "COMMIT;"; } |
            psql_su -d "$db" >/dev/null
        echo "migrate: applied $n" >&2
    fi
done
