#!/usr/bin/env bash
# test_deadletter_metrics.sh -- poison on each service's topic is counted on
# that service's /metrics (pupns_deadletter_total{topic,reason}) and the
# service stays ready. itest_serve checks the dead-letter records themselves.
source "$(dirname "$0")/../lib.sh"
echo "1..6"
# service health-port-offset topic
while read -r svc off topic; do
    port=$((STACK_BASE + off))
    printf 'garbage-%s\n' "$RANDOM" | kcat -P -b "$PUPNS_KAFKA_BROKERS" -t "$topic" -k itest-metrics 2>"$STATE_DIR/kcat.err" \
        || echo "# kcat: $(cat "$STATE_DIR/kcat.err")"
    got=""
    for _ in $(seq 50); do
        got=$(curl -s "http://127.0.0.1:$port/metrics" | grep -c "^pupns_deadletter_total{topic=\"$topic\",reason=\"not_json\"}")
        [ "$got" -ge 1 ] && break
        sleep 0.2
    done
    is "$got" 1 "$svc counts a not-JSON message on $topic in /metrics"
    check "$svc is still ready after it" curl -sf "http://127.0.0.1:$port/readyz"
done <<LIST
identity 11 pupns.identity.requests
captcha 12 pupns.captcha.requests
registration 13 pupns.registration.commands
LIST
