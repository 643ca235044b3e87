# env.sh -- sourced: the PUPNS_* environment of a local stack.
#   STACK_NAME (run|test|bench...) and STACK_BASE (port base) choose the stack;
#   BIN_DIR chooses the build flavour (build/rel/bin or build/asan/bin);
#   PUPNS_KAFKA_NODES (1 or 3) the Kafka cluster size of a new stack (an
#   existing stack keeps the count recorded in .stack/NAME/kafka-nodes).
STACK_NAME=${STACK_NAME:-run}
STACK_BASE=${STACK_BASE:-15400}
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN_DIR=${BIN_DIR:-$TOP/build/rel/bin}
STATE_DIR=$TOP/.stack/$STACK_NAME
PG_PORT=$((STACK_BASE + 1))
# Kafka node n: broker base+1+2n, controller base+2+2n (see stack.sh).
if [ -f "$STATE_DIR/kafka-nodes" ]; then KAFKA_NODES=$(cat "$STATE_DIR/kafka-nodes")
elif [ -f "$STATE_DIR/kafka/data/meta.properties" ]; then KAFKA_NODES=1   # made before the count was recorded
else KAFKA_NODES=${PUPNS_KAFKA_NODES:-1}; fi
PUPNS_KAFKA_BROKERS=127.0.0.1:$((STACK_BASE + 3))
for ((n = 2; n <= KAFKA_NODES; n++)); do PUPNS_KAFKA_BROKERS+=,127.0.0.1:$((STACK_BASE + 1 + 2 * n)); done
export PUPNS_KAFKA_BROKERS PUPNS_KAFKA_NODES=$KAFKA_NODES
# Kafka authentication (stack.sh): tools and tests that source this file act
# as the stack's admin principal; svc.sh gives each service its own. A stack
# recorded as "sasl" moves to mutual TLS at its next `stack.sh up` (run.sh
# sources this file again after it).
if [ -f "$STATE_DIR/kafka-auth" ]; then KAFKA_AUTH=$(cat "$STATE_DIR/kafka-auth")
elif [ -f "$STATE_DIR/kafka/data/meta.properties" ] || [ -f "$STATE_DIR/kafka-1/data/meta.properties" ]; then KAFKA_AUTH=none
else case "${PUPNS_KAFKA_AUTH:-mtls}" in 0|none) KAFKA_AUTH=none ;; sasl) KAFKA_AUTH=sasl ;; *) KAFKA_AUTH=mtls ;; esac; fi
KAFKA_TLS_DIR=$STATE_DIR/kafka-tls
# kafka_principal NAME: the client settings of principal NAME (its
# certificate and key, or its password file), exported.
kafka_principal() {
    [ "$KAFKA_AUTH" != none ] || return 0
    unset PUPNS_KAFKA_USERNAME PUPNS_KAFKA_PASSWORD PUPNS_KAFKA_PASSWORD_FILE PUPNS_KAFKA_SECURITY_PROTOCOL \
        PUPNS_KAFKA_SSL_CA_LOCATION PUPNS_KAFKA_SSL_CERTIFICATE_LOCATION PUPNS_KAFKA_SSL_KEY_LOCATION
    case "$KAFKA_AUTH" in
    mtls) export PUPNS_KAFKA_SECURITY_PROTOCOL=ssl PUPNS_KAFKA_SSL_CA_LOCATION=$KAFKA_TLS_DIR/ca.pem \
              PUPNS_KAFKA_SSL_CERTIFICATE_LOCATION=$KAFKA_TLS_DIR/$1.pem PUPNS_KAFKA_SSL_KEY_LOCATION=$KAFKA_TLS_DIR/$1.key ;;
    sasl) export PUPNS_KAFKA_USERNAME=$1 PUPNS_KAFKA_PASSWORD_FILE=$STATE_DIR/kafka-users/$1 ;;
    esac
}
kafka_principal admin
if [ "$KAFKA_AUTH" != none ]; then
    export KCAT_CONFIG=$STATE_DIR/kcat.conf PUPNS_KAFKA_CLIENT_PROPERTIES=$STATE_DIR/kafka-admin.properties
fi
export PUPNS_REDIS_URL=redis://127.0.0.1:$((STACK_BASE + 2))/0
export PUPNS_HTTP_PORT=${PUPNS_HTTP_PORT:-8080}
export PUPNS_STATIC_DIR=${PUPNS_STATIC_DIR:-$TOP/services/gateway/www}
pg_url() { echo "postgresql://pupns_$1@127.0.0.1:$PG_PORT/pupns"; }
# Mail: the stack's SMTP sink (stack.sh) keeps every mail in $MAIL_DIR/new;
# notify trusts its self-signed certificate as its CA file (no verification off).
MAIL_DIR=$STATE_DIR/mail
export PUPNS_SMTP_URL=${PUPNS_SMTP_URL:-smtp://127.0.0.1:$((STACK_BASE + 9))}
export PUPNS_SMTP_CA_FILE=${PUPNS_SMTP_CA_FILE:-$STATE_DIR/smtp/cert.pem}
export PUPNS_MAIL_FROM=${PUPNS_MAIL_FROM:-no-reply@pupns.bkn.go.id}
export PUPNS_PUBLIC_URL=${PUPNS_PUBLIC_URL:-http://127.0.0.1:$PUPNS_HTTP_PORT}
# Keys of this stack (generated once by run.sh with pupns-ctl keygen).
SECRETS_FILE=$STATE_DIR/secrets.env
