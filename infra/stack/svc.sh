#!/usr/bin/env bash
# svc.sh -- start, stop, kill or scale PUPNS service processes of a local stack.
#   svc.sh start SERVICE [INSTANCE]   starts (restarts) instance INSTANCE (default 1); extra env passes through
#   svc.sh stop|kill SERVICE [INSTANCE]
#   svc.sh scale SERVICE N            instances 1..N run, instances above N are stopped
#   svc.sh list [SERVICE]             running instances: service, instance, pid, health port
# Instances of one service share its consumer group, so they share its
# partitions. Instance n is PUPNS_INSTANCE_ID=<stack>-<service>-<n>; its
# operators' port (identity, captcha, registration, receipt, verifier, notify)
# is base+10n+1/+2/+3/+4/+5/+6 (instance 1: base+11..16, instance 2:
# base+21..26, ... up to 9 instances).
# Gateway instance n listens on PUPNS_HTTP_PORT as given to `start`; `scale`
# gives instance n PUPNS_HTTP_PORT+n-1.
# Logs go to .stack/NAME/logs/SERVICE-INSTANCE.log, pids to .stack/NAME/pids/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
cmd=${1:?start|stop|kill|scale|list}; svc=${2:-}; inst=${3:-1}
mkdir -p "$STATE_DIR/logs" "$STATE_DIR/pids"
case "$inst" in [1-9]) ;; *) echo "svc.sh: instance (or count) must be 1..9, got '$inst'" >&2; exit 2 ;; esac
pidf="$STATE_DIR/pids/$svc-$inst.pid"
alive() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
health_port() {
    case "$1" in
        identity) echo $((STACK_BASE + 10 * $2 + 1)) ;;
        captcha) echo $((STACK_BASE + 10 * $2 + 2)) ;;
        registration) echo $((STACK_BASE + 10 * $2 + 3)) ;;
        receipt) echo $((STACK_BASE + 10 * $2 + 4)) ;;
        notify) echo $((STACK_BASE + 10 * $2 + 6)) ;;
        verifier) echo $((STACK_BASE + 10 * $2 + 5)) ;;
    esac
}

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
    [ -x "$BIN_DIR/pupns-$svc" ] || { echo "svc.sh: no $BIN_DIR/pupns-$svc" >&2; exit 2; }
    stop TERM
    case "$svc" in gateway) ;; *) export PUPNS_PG_URL=${PUPNS_PG_URL:-$(pg_url "$svc")} ;; esac
    # Operators' /healthz, /readyz, /metrics: a port per instance.
    hp=$(health_port "$svc" "$inst")
    [ -n "$hp" ] && export PUPNS_HEALTH_PORT=${PUPNS_HEALTH_PORT:-$hp}
    # Its own Kafka principal (stack.sh made its certificate or password),
    # never the admin's.
    kafka_principal "$svc"
    # Each service gets only the keys it needs.
    if [ -f "$SECRETS_FILE" ]; then
        set -a; source "$SECRETS_FILE"; set +a
        case "$svc" in
            gateway) unset PUPNS_REGISTRATION_SECRET_KEY PUPNS_REGISTRATION_PEPPER PUPNS_RECEIPT_SIGNING_KEY PUPNS_RECEIPT_OLD_PUBLIC_KEYS PUPNS_NOTIFY_SECRET_KEY PUPNS_VERIFIER_SECRET_KEY ;;
            registration) unset PUPNS_FLOW_KEY PUPNS_RECEIPT_SIGNING_KEY PUPNS_RECEIPT_OLD_PUBLIC_KEYS PUPNS_NOTIFY_SECRET_KEY PUPNS_VERIFIER_SECRET_KEY ;;
            receipt) unset PUPNS_REGISTRATION_PUBLIC_KEY PUPNS_REGISTRATION_SECRET_KEY PUPNS_FLOW_KEY PUPNS_REGISTRATION_PEPPER PUPNS_NOTIFY_SECRET_KEY PUPNS_VERIFIER_SECRET_KEY ;;
            verifier) unset PUPNS_REGISTRATION_PUBLIC_KEY PUPNS_REGISTRATION_SECRET_KEY PUPNS_FLOW_KEY PUPNS_REGISTRATION_PEPPER PUPNS_RECEIPT_SIGNING_KEY PUPNS_RECEIPT_OLD_PUBLIC_KEYS PUPNS_NOTIFY_SECRET_KEY ;;
            notify) unset PUPNS_REGISTRATION_PUBLIC_KEY PUPNS_REGISTRATION_SECRET_KEY PUPNS_FLOW_KEY PUPNS_REGISTRATION_PEPPER PUPNS_RECEIPT_SIGNING_KEY PUPNS_RECEIPT_OLD_PUBLIC_KEYS PUPNS_VERIFIER_SECRET_KEY ;;
            *) unset PUPNS_REGISTRATION_PUBLIC_KEY PUPNS_REGISTRATION_SECRET_KEY PUPNS_FLOW_KEY PUPNS_REGISTRATION_PEPPER PUPNS_RECEIPT_SIGNING_KEY PUPNS_RECEIPT_OLD_PUBLIC_KEYS PUPNS_NOTIFY_SECRET_KEY PUPNS_VERIFIER_SECRET_KEY ;;
        esac
    fi
    # Keys reach the process as files (NAME_FILE, mode 0600), so they are not
    # in its environment (/proc/PID/environ) -- what is left of them after
    # the unsets above, one file per key.
    if [ -f "$SECRETS_FILE" ]; then
        (umask 077; mkdir -p "$STATE_DIR/secrets")
        while IFS='=' read -r key value; do
            case "$key" in PUPNS_*) ;; *) continue ;; esac
            [ -n "${!key+x}" ] || continue
            (umask 077; printf '%s\n' "$value" >"$STATE_DIR/secrets/$key.new" && mv "$STATE_DIR/secrets/$key.new" "$STATE_DIR/secrets/$key")
            export "${key}_FILE=$STATE_DIR/secrets/$key"
            unset "$key"
        done <"$SECRETS_FILE"
    fi
    PUPNS_INSTANCE_ID=${PUPNS_INSTANCE_ID:-$STACK_NAME-$svc-$inst} \
        nohup "$BIN_DIR/pupns-$svc" >>"$STATE_DIR/logs/$svc-$inst.log" 2>&1 &
    echo $! >"$pidf" ;;
stop) stop TERM ;;
kill) stop KILL ;;
scale)
    n=$inst
    for ((i = 1; i <= n; i++)); do
        pidf="$STATE_DIR/pids/$svc-$i.pid"
        alive && continue
        if [ "$svc" = gateway ]; then PUPNS_HTTP_PORT=$((PUPNS_HTTP_PORT + i - 1)) "$0" start "$svc" "$i"
        else "$0" start "$svc" "$i"; fi
    done
    for p in "$STATE_DIR/pids/$svc"-*.pid; do
        [ -e "$p" ] || continue
        i=${p##*/$svc-}; i=${i%.pid}
        [ "$i" -gt "$n" ] && "$0" stop "$svc" "$i"
    done
    echo "svc.sh: $svc instances 1..$n running" >&2 ;;
list)
    for p in "$STATE_DIR"/pids/${svc:-*}-*.pid; do
        [ -e "$p" ] || continue
        b=${p##*/}; b=${b%.pid}; s=${b%-*}; i=${b##*-}
        kill -0 "$(cat "$p")" 2>/dev/null || continue
        echo "$s $i $(cat "$p") $(health_port "$s" "$i")"
    done ;;
*) echo "usage: $0 start|stop|kill SERVICE [INSTANCE] | scale SERVICE N | list [SERVICE]" >&2; exit 2 ;;
esac
