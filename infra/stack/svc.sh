#!/usr/bin/env bash
# svc.sh -- start, stop or kill one PUPNS service process of a local stack.
#   svc.sh start SERVICE [INSTANCE]   (instance defaults to 1; extra env passes through)
#   svc.sh stop|kill SERVICE [INSTANCE]
# Logs go to .stack/NAME/logs/SERVICE-INSTANCE.log, pids to .stack/NAME/pids/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cmd=${1:?start|stop|kill}; svc=${2:?service}; inst=${3:-1}
mkdir -p "$STATE_DIR/logs" "$STATE_DIR/pids"
pidf="$STATE_DIR/pids/$svc-$inst.pid"
alive() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }

stop() {
    local sig=$1
    alive || { rm -f "$pidf"; return 0; }
    local pid; pid=$(cat "$pidf")
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidf"
}

case "$cmd" in
start)
    stop TERM
    case "$svc" in gateway) ;; *) export PUPNS_PG_URL=${PUPNS_PG_URL:-$(pg_url "$svc")} ;; esac
    # Operators' /healthz, /readyz, /metrics: instance 1 of each service on base+11..13.
    if [ "$inst" = 1 ]; then
        case "$svc" in
            identity) export PUPNS_HEALTH_PORT=${PUPNS_HEALTH_PORT:-$((STACK_BASE + 11))} ;;
            captcha) export PUPNS_HEALTH_PORT=${PUPNS_HEALTH_PORT:-$((STACK_BASE + 12))} ;;
            registration) export PUPNS_HEALTH_PORT=${PUPNS_HEALTH_PORT:-$((STACK_BASE + 13))} ;;
        esac
    fi
    # Each service gets only the keys it needs.
    if [ -f "$SECRETS_FILE" ]; then
        set -a; source "$SECRETS_FILE"; set +a
        case "$svc" in
            gateway) unset PUPNS_REGISTRATION_SECRET_KEY PUPNS_REGISTRATION_PEPPER ;;
            registration) unset PUPNS_FLOW_KEY ;;
            *) unset PUPNS_REGISTRATION_PUBLIC_KEY PUPNS_REGISTRATION_SECRET_KEY PUPNS_FLOW_KEY PUPNS_REGISTRATION_PEPPER ;;
        esac
    fi
    PUPNS_INSTANCE_ID=${PUPNS_INSTANCE_ID:-$STACK_NAME-$svc-$inst} \
        nohup "$BIN_DIR/pupns-$svc" >>"$STATE_DIR/logs/$svc-$inst.log" 2>&1 &
    echo $! >"$pidf" ;;
stop) stop TERM ;;
kill) stop KILL ;;
*) echo "usage: $0 start|stop|kill SERVICE [INSTANCE]" >&2; exit 2 ;;
esac
