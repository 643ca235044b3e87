#!/usr/bin/env bash
# run.sh -- the whole local stack: servers, migrations, topics, demo data, services.
#   run.sh [start]   idempotent: reuses servers and data, restarts the services
#   run.sh stop
# STACK_NAME/STACK_BASE/PUPNS_HTTP_PORT/BIN_DIR/SEED_N choose the instance (see env.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
# Every service folder with a main.c, the gateway last (it waits for the others).
mapfile -t SERVICES < <(cd "$TOP/services" && ls -d */main.c | cut -d/ -f1 | grep -vx -e ctl -e gateway; echo gateway)

wait_ready() {
    for _ in $(seq 300); do
        curl -sf "http://127.0.0.1:$PUPNS_HTTP_PORT/readyz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "run: the gateway did not become ready; see $STATE_DIR/logs/" >&2
    return 1
}

case "${1:-start}" in
start)
    "$here/stack.sh" up "$STACK_NAME" "$STACK_BASE"
    source "$here/env.sh"   # again: `up` may have moved the stack's Kafka to mutual TLS
    "$here/migrate.sh" "$PG_PORT"
    "$BIN_DIR/pupns-ctl" topics "$TOP/proto/topics.json"
    # Reply topics of gateways that died without deleting theirs (kept while recent).
    "$BIN_DIR/pupns-ctl" topics --gc-replies >/dev/null || echo "run: reply topic clean-up failed (not fatal)" >&2
    if [ ! -s "$SECRETS_FILE" ]; then
        (umask 077; "$BIN_DIR/pupns-ctl" keygen >"$SECRETS_FILE.new") && mv "$SECRETS_FILE.new" "$SECRETS_FILE"
    fi
    # A stack made before the receipt service: add its key, keep the others.
    grep -q '^PUPNS_RECEIPT_SIGNING_KEY=' "$SECRETS_FILE" ||
        "$BIN_DIR/pupns-ctl" keygen | grep '^PUPNS_RECEIPT_SIGNING_KEY=' >>"$SECRETS_FILE"
    # A stack made before the notify service: add its key pair (one pair, both lines).
    grep -q '^PUPNS_NOTIFY_SECRET_KEY=' "$SECRETS_FILE" ||
        "$BIN_DIR/pupns-ctl" keygen | grep '^PUPNS_NOTIFY_' >>"$SECRETS_FILE"
    # A stack made before the verifier service: add its key pair.
    grep -q '^PUPNS_VERIFIER_SECRET_KEY=' "$SECRETS_FILE" ||
        "$BIN_DIR/pupns-ctl" keygen | grep '^PUPNS_VERIFIER_' >>"$SECRETS_FILE"
    count=$(psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "SELECT count(*) FROM identity.pns")
    if [ "$count" = 0 ]; then
        "$here/seed.sh" "${SEED_N:-10000}" "$PG_PORT"
    fi
    for s in "${SERVICES[@]}"; do "$here/svc.sh" start "$s"; done
    wait_ready
    echo "PUPNS portal: http://127.0.0.1:$PUPNS_HTTP_PORT/   (try NIP 197501022014071003; 'make stop' stops it)"
    echo "Mails the stack sends: $MAIL_DIR/new (one file each, Maildir; SMTP sink on 127.0.0.1:$((STACK_BASE + 9)))"
    ;;
stop)
    for s in "${SERVICES[@]}"; do
        for p in "$STATE_DIR"/pids/"$s"-*.pid; do
            [ -e "$p" ] || continue
            i=${p##*/$s-}; "$here/svc.sh" stop "$s" "${i%.pid}"
        done
    done
    "$here/stack.sh" down "$STACK_NAME" "$STACK_BASE"
    ;;
*) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
