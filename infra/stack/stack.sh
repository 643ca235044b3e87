#!/usr/bin/env bash
# stack.sh -- start/stop the private local servers (PostgreSQL, Redis, Kafka KRaft).
#
#   stack.sh up|down|status|wipe|pg-restart  NAME PORT_BASE
#   stack.sh kafka-kill|kafka-stop|kafka-start NAME PORT_BASE NODE   (one Kafka node; for fault tests;
#                        kafka-start returns when the node is back in the ISR of all its partitions)
#   stack.sh kafka-leader NAME PORT_BASE TOPIC PARTITION              (prints the leader's node id)
#   stack.sh kafka-groups NAME PORT_BASE [GROUP...]                   (members, partitions, lag)
#   stack.sh smtp-stop|smtp-start NAME PORT_BASE                      (the SMTP sink alone; for tests)
#
# NAME picks the data folder (.stack/NAME, git-ignored); PORT_BASE picks the
# ports: PG = base+1, Redis = base+2, Kafka node n: broker = base+1+2n,
# controller = base+2+2n (node 1: base+3/base+4, node 2: base+5/base+6,
# node 3: base+7/base+8), SMTP sink = base+9. Never touches the machine's own servers or their
# standard ports.
#
# PUPNS_KAFKA_NODES=1|3 (default 1) picks a single KRaft node or a cluster of
# three combined broker+controller nodes (heap 512 MB each). The count is
# written to .stack/NAME/kafka-nodes when the stack is first made, so later
# commands need no variable; another count on an existing stack is refused
# (wipe it first).
set -euo pipefail
cmd=${1:?up|down|status|wipe|pg-restart|kafka-kill|kafka-stop|kafka-start|kafka-leader}; name=${2:-run}; base=${3:-15400}
top=$(cd "$(dirname "$0")/../.." && pwd)
state="$top/.stack/$name"
pg_port=$((base + 1)); redis_port=$((base + 2))
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$state"

log() { echo "stack[$name]: $*" >&2; }

# Kafka node count: the stack's own record first (a variable may confirm it).
nodes_file="$state/kafka-nodes"
if [ -f "$nodes_file" ]; then
    nodes=$(cat "$nodes_file")
    if [ -n "${PUPNS_KAFKA_NODES:-}" ] && [ "$PUPNS_KAFKA_NODES" != "$nodes" ] && [ "$cmd" = up ]; then
        log "this stack has $nodes Kafka node(s), PUPNS_KAFKA_NODES=$PUPNS_KAFKA_NODES asks for another count: run 'stack.sh wipe $name $base' first"
        exit 1
    fi
elif [ -f "$state/kafka/data/meta.properties" ]; then
    nodes=1   # a stack made before the count was recorded
else
    nodes=${PUPNS_KAFKA_NODES:-1}
fi
case "$nodes" in 1|3) ;; *) log "PUPNS_KAFKA_NODES must be 1 or 3 (got $nodes)"; exit 2 ;; esac

# Kafka authentication, recorded in .stack/NAME/kafka-auth when the stack is
# first made: "mtls" (the default: TLS listeners that require a client
# certificate from the stack's own CA, the StandardAuthorizer, one principal
# per service -- its certificate's CN --, ACLs from proto/topics.json),
# "none" (PUPNS_KAFKA_AUTH=0; also a stack made before authentication
# existed), or "sasl" (SASL PLAIN in clear: the stacks before mutual TLS,
# and PUPNS_KAFKA_AUTH=sasl for a new one). A "sasl" stack moves to mTLS at
# its next `up` unless PUPNS_KAFKA_AUTH=sasl (kafka_up: its nodes are then
# restarted with the new listeners; the ACLs name the same principals).
# SCRAM is not offered: Debian 12's librdkafka 2.0.2 fails every SCRAM
# handshake with Kafka 4 (fixed in librdkafka 2.6.1; docs/SECURITY.md).
auth_file="$state/kafka-auth"
if [ -f "$auth_file" ]; then auth=$(cat "$auth_file")
elif [ -f "$state/kafka/data/meta.properties" ] || [ -f "$state/kafka-1/data/meta.properties" ]; then auth=none
else case "${PUPNS_KAFKA_AUTH:-mtls}" in 0|none) auth=none ;; sasl) auth=sasl ;; *) auth=mtls ;; esac; fi
if [ "$auth" = sasl ] && [ "$cmd" = up ] && [ "${PUPNS_KAFKA_AUTH:-}" != sasl ]; then
    log "Kafka moves from SASL PLAIN to mutual TLS"; auth=mtls
fi
users_dir="$state/kafka-users"
tls_dir="$state/kafka-tls"
# Principals: admin (operators, pupns-ctl, tests), each service, and
# "regional" (a regional office's read-only consumer of the public topics).
kafka_principals() { echo admin regional; (cd "$top/services" && ls -d */main.c | cut -d/ -f1 | grep -vx ctl); }
password_of() { cat "$users_dir/$1"; }
# kafka_credentials: per principal a certificate (mtls: kafka_certs.sh, run
# by `up`, which makes what is missing or stale) or a
# password file (sasl; 0600, made once); the admin's kcat and Java client
# settings, which this script's own kcat calls use too.
kafka_credentials() {
    case "$auth" in
    mtls)
        [ "$cmd" = up ] && "$top/infra/stack/kafka_certs.sh" "$tls_dir" "$nodes" $(kafka_principals)
        [ -s "$tls_dir/admin.keystore.pem" ] || return 0
        (umask 077
         printf 'security.protocol=ssl\nssl.ca.location=%s\nssl.certificate.location=%s\nssl.key.location=%s\n' \
             "$tls_dir/ca.pem" "$tls_dir/admin.pem" "$tls_dir/admin.key" >"$state/kcat.conf.new"
         mv "$state/kcat.conf.new" "$state/kcat.conf"
         printf 'security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=%s\nssl.keystore.type=PEM\nssl.keystore.location=%s\n' \
             "$tls_dir/ca.pem" "$tls_dir/admin.keystore.pem" >"$state/kafka-admin.properties.new"
         mv "$state/kafka-admin.properties.new" "$state/kafka-admin.properties") ;;
    sasl)
        (umask 077; mkdir -p "$users_dir"
         for u in $(kafka_principals); do
             [ -s "$users_dir/$u" ] || head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$users_dir/$u"
         done
         printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanisms=PLAIN\nsasl.username=admin\nsasl.password=%s\n' \
             "$(password_of admin)" >"$state/kcat.conf"
         printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="%s";\n' \
             "$(password_of admin)" >"$state/kafka-admin.properties") ;;
    *) return 0 ;;
    esac
    export KCAT_CONFIG="$state/kcat.conf" PUPNS_KAFKA_CLIENT_PROPERTIES="$state/kafka-admin.properties"
}
kafka_credentials
broker_port() { echo $((base + 1 + 2 * $1)); }
ctl_port() { echo $((base + 2 + 2 * $1)); }
# Node folders: .stack/NAME/kafka (single node), .stack/NAME/kafka-<n> (cluster).
kafka_dir() { if [ "$nodes" = 1 ]; then echo "$state/kafka"; else echo "$state/kafka-$1"; fi; }
brokers() { local n l=""; for n in $(seq "$nodes"); do l="$l${l:+,}127.0.0.1:$(broker_port "$n")"; done; echo "$l"; }
# initdb refuses root and the postgres user must reach the data folder:
# use the checkout if every parent is traversable, else /var/tmp.
pg_dir() {
    local d="$state/pg"
    if [ "$(id -u)" -eq 0 ]; then
        local p="$state"
        while [ "$p" != "/" ]; do
            if ! su postgres -s /bin/sh -c "test -x '$p'" 2>/dev/null; then
                d="/var/tmp/pupns-$(echo "$top" | md5sum | cut -c1-8)-$name/pg"; break
            fi
            p=$(dirname "$p")
        done
    fi
    echo "$d"
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

pg_up() {
    local d; d=$(pg_dir)
    if [ ! -f "$d/PG_VERSION" ]; then
        mkdir -p "$d"; [ "$(id -u)" -eq 0 ] && chown postgres "$d" && chown postgres "$(dirname "$d")"
        chmod 700 "$d"
        as_pg "'$PGBIN/initdb' -D '$d' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >"$state/initdb.log" 2>&1
        cat >>"$d/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$d'
max_connections = 200
shared_buffers = 512MB
maintenance_work_mem = 512MB
wal_level = minimal
max_wal_senders = 0
max_wal_size = 4GB
synchronous_commit = on
fsync = on
CONF
    fi
    if ! as_pg "'$PGBIN/pg_ctl' -D '$d' status" >/dev/null 2>&1; then
        as_pg "'$PGBIN/pg_ctl' -D '$d' -l '$d/server.log' -w -t 60 start" >/dev/null
        log "postgresql on 127.0.0.1:$pg_port"
    fi
}
pg_down() { local d; d=$(pg_dir); [ -f "$d/PG_VERSION" ] && as_pg "'$PGBIN/pg_ctl' -D '$d' -m fast -w stop" >/dev/null 2>&1 || true; }

redis_up() {
    if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
        redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --dir "$state" \
            --pidfile "$state/redis.pid" --logfile "$state/redis.log" --save "" --appendonly no
        for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
        log "redis on 127.0.0.1:$redis_port"
    fi
}
redis_down() { redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; }

# The SMTP sink (smtp_sink.py): every mail lands in .stack/NAME/mail/new. It
# offers STARTTLS with a self-signed certificate made once here (smtp/cert.pem,
# for 127.0.0.1 and localhost), which clients trust as their CA file
# (PUPNS_SMTP_CA_FILE, env.sh) instead of turning verification off.
smtp_port=$((base + 9)); smtp_dir="$state/smtp"
smtp_alive() { [ -f "$smtp_dir/pid" ] && kill -0 "$(cat "$smtp_dir/pid")" 2>/dev/null; }
smtp_up() {
    mkdir -p "$smtp_dir" "$state/mail"
    if [ ! -s "$smtp_dir/cert.pem" ]; then
        (umask 077; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
            -subj "/CN=pupns-smtp-sink" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$smtp_dir/key.pem" -out "$smtp_dir/cert.pem" >"$smtp_dir/openssl.log" 2>&1) ||
            { cat "$smtp_dir/openssl.log" >&2; return 1; }
        chmod 644 "$smtp_dir/cert.pem"
    fi
    smtp_alive && return 0
    nohup /usr/bin/python3 "$top/infra/stack/smtp_sink.py" --port "$smtp_port" --maildir "$state/mail" \
        --cert "$smtp_dir/cert.pem" --key "$smtp_dir/key.pem" >>"$smtp_dir/sink.log" 2>&1 &
    echo $! >"$smtp_dir/pid"
    for _ in $(seq 100); do
        ss -Hltn "sport = :$smtp_port" 2>/dev/null | grep -q . && { log "smtp sink on 127.0.0.1:$smtp_port, mail in $state/mail/new"; return 0; }
        smtp_alive || break
        sleep 0.1
    done
    log "the smtp sink did not start (see $smtp_dir/sink.log)"; tail -5 "$smtp_dir/sink.log" >&2; return 1
}
smtp_down() {
    smtp_alive || { rm -f "$smtp_dir/pid"; return 0; }
    local pid; pid=$(cat "$smtp_dir/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$smtp_dir/pid"
}

# listener_names N PROTOCOL: node N's client/broker listener and its
# controller listener, both speaking PROTOCOL.
listener_names() {
    cat <<CONF
listeners=$2://127.0.0.1:$(broker_port "$1"),CONTROLLER://127.0.0.1:$(ctl_port "$1")
advertised.listeners=$2://127.0.0.1:$(broker_port "$1")
controller.listener.names=CONTROLLER
listener.security.protocol.map=$2:$2,CONTROLLER:$2
inter.broker.listener.name=$2
CONF
}

# kafka_listeners N: the listener settings of node N. With mutual TLS,
# every listener (clients, brokers and the controllers, all on loopback)
# speaks TLS and requires a certificate of the stack's CA; a certificate's
# CN is its principal (User:gateway...), which the StandardAuthorizer checks
# against the ACLs; admin and the nodes (kafka-N) are super users. With
# SASL, clients, brokers and controllers all log in (PLAIN, one password
# per principal, the brokers' user list below).
kafka_listeners() {
    local n=$1
    if [ "$auth" = mtls ]; then
        local supers="User:admin" i
        for i in $(seq "$nodes"); do supers="$supers;User:kafka-$i"; done
        # The certificate's fingerprint: a node whose certificate was made
        # again since it started is stale (kafka_stale_nodes) and restarted.
        cat <<CONF
# certificate $(openssl x509 -in "$tls_dir/kafka-$n.pem" -noout -fingerprint -sha256 | cut -d= -f2)
$(listener_names "$n" SSL)
ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.location=$tls_dir/kafka-$n.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls_dir/ca.pem
ssl.principal.mapping.rules=RULE:^CN=([a-z0-9._-]+)\$/\$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=$supers
allow.everyone.if.no.acl.found=false
CONF
        return
    fi
    if [ "$auth" != sasl ]; then
        listener_names "$n" PLAINTEXT
        return
    fi
    local pw users="" u
    pw=$(password_of admin)
    for u in $(kafka_principals); do users="$users user_$u=\"$(password_of "$u")\""; done
    cat <<CONF
$(listener_names "$n" SASL_PLAINTEXT)
sasl.enabled.mechanisms=PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$pw"$users;
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$pw" user_admin="$pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
CONF
}

# kafka_server_props N: node N's server.properties, on stdout.
kafka_server_props() {
    local n=$1 kd voters="" i
    kd=$(kafka_dir "$n")
    for i in $(seq "$nodes"); do voters="$voters${voters:+,}$i@127.0.0.1:$(ctl_port "$i")"; done
    local rf=1 isr=1
    [ "$nodes" -ge 3 ] && rf=3 isr=2
    cat <<CONF
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
$(kafka_listeners "$n")
log.dirs=$kd/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CONF
    # A topic created without a replication factor gets all brokers. The
    # broker-wide min.insync.replicas stays 1: topics set their own (proto/topics.json).
    if [ "$nodes" -ge 3 ]; then
        cat <<CONF
default.replication.factor=$rf
unclean.leader.election.enable=false
CONF
    fi
}

# kafka_config N: server.properties (mode 0600: on a SASL stack it holds
# the passwords) and log4j.properties of node N.
kafka_config() {
    local n=$1 kd
    kd=$(kafka_dir "$n")
    mkdir -p "$kd"
    (umask 077; kafka_server_props "$n" >"$kd/server.properties.new") && mv "$kd/server.properties.new" "$kd/server.properties"
    cat >"$kd/log4j.properties" <<CONF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$kd/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
CONF
}

kafka_alive() { local kd; kd=$(kafka_dir "$1"); [ -f "$kd/pid" ] && kill -0 "$(cat "$kd/pid")" 2>/dev/null; }

# kafka_format N: formats node N's data folder once (every node of a cluster
# with the same id; static voters, so no --standalone).
kafka_format() {
    local n=$1 kd cp="$top/infra/kafka/lib/*"
    kd=$(kafka_dir "$n")
    [ -f "$kd/data/meta.properties" ] && return 0
    java -cp "$cp" -Dlog4j.configuration="file:$kd/log4j.properties" kafka.tools.StorageTool format \
        -t "$(cat "$(cluster_id_file)")" -c "$kd/server.properties" >"$kd/format.log" 2>&1 ||
        { cat "$kd/format.log" >&2; return 1; }
}
cluster_id_file() { if [ "$nodes" = 1 ]; then echo "$(kafka_dir 1)/cluster-id"; else echo "$state/kafka-cluster-id"; fi; }
new_cluster_id() {
    local idf; idf=$(cluster_id_file)
    [ -s "$idf" ] || java -cp "$top/infra/kafka/lib/*" -Dlog4j.configuration="file:$(kafka_dir 1)/log4j.properties" \
        kafka.tools.StorageTool random-uuid >"$idf"
}

# kafka_launch N: formats node N if needed, starts its JVM (no wait).
kafka_launch() {
    local n=$1 kd cp="$top/infra/kafka/lib/*" heap=512m
    kd=$(kafka_dir "$n")
    kafka_config "$n"
    kafka_alive "$n" && return 0
    local port
    for port in $(broker_port "$n") $(ctl_port "$n"); do
        if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
            log "port $port is taken by another process (a stray Kafka of an interrupted start?): $(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1)"
            return 1
        fi
    done
    [ "$nodes" = 1 ] && heap=768m
    new_cluster_id
    kafka_format "$n"
    nohup java -Xms256m -Xmx$heap -XX:+UseG1GC -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$kd/log4j.properties" \
        -cp "$cp" kafka.Kafka "$kd/server.properties" >"$kd/stdout.log" 2>&1 &
    echo $! >"$kd/pid"
}

# kafka_wait ALL N...: until each node answers and its metadata lists every
# broker (ALL=all, a whole cluster starting) or at least itself (ALL=self, one
# node rejoining while another may be down). Our ports lie in the kernel's
# ephemeral range, so a client socket can briefly hold one: a node that dies
# with "Address already in use" is started again (three tries).
kafka_wait() {
    local all=$1 n kd tries; shift
    for n in "$@"; do
        kd=$(kafka_dir "$n"); tries=0
        for _ in $(seq 900); do
            local md; md=$(kcat -b "127.0.0.1:$(broker_port "$n")" -L -m 2 2>/dev/null || true)
            if { [ "$all" = all ] && grep -q "^ $nodes brokers:" <<<"$md"; } ||
               { [ "$all" = self ] && grep -q "^  broker $n at " <<<"$md"; }; then
                log "kafka node $n on 127.0.0.1:$(broker_port "$n") (controller $(ctl_port "$n"))"; continue 2
            fi
            if ! kafka_alive "$n"; then
                if [ $tries -lt 3 ] && grep -q "Address already in use" "$kd/broker.log" "$kd/stdout.log" 2>/dev/null; then
                    tries=$((tries + 1)); log "kafka node $n: a port was busy, starting it again ($tries)"
                    mv "$kd/broker.log" "$kd/broker.log.busy-port"; rm -f "$kd/pid"; sleep 2; kafka_launch "$n"; continue
                fi
                tail -n 20 "$kd/stdout.log" "$kd/broker.log" >&2; return 1
            fi
            sleep 0.2
        done
        log "kafka node $n did not come up (see $kd/broker.log)"; return 1
    done
}

# kafka_wait_isr N: until node N is back in the ISR of every partition it
# replicates (it has caught up), at most 120 s.
kafka_wait_isr() {
    local n=$1 behind
    for _ in $(seq 600); do
        behind=$(kcat -b "$(brokers)" -L -m 5 2>/dev/null | awk -v n="$n" '/^ *partition [0-9]+, leader/ {
            r = $0; sub(/.*replicas: /, "", r); sub(/, isrs:.*/, "", r)
            i = $0; sub(/.*isrs: /, "", i); sub(/[^0-9,].*/, "", i)
            if (("," r ",") ~ ("," n ",") && ("," i ",") !~ ("," n ",")) c++ } END { print c + 0 }')
        [ "$behind" = 0 ] && return 0
        sleep 0.2
    done
    log "node $n is still out of the ISR of $behind partition(s)"; return 1
}

# kafka_stale_nodes: the running nodes whose settings are not what they
# would be now (a service added since, on a SASL stack: a principal missing
# from the user list; a stack moving to mutual TLS: other listeners).
kafka_stale_nodes() {
    local n
    for n in $(seq "$nodes"); do
        kafka_alive "$n" || continue
        cmp -s <(kafka_server_props "$n") "$(kafka_dir "$n")/server.properties" || echo "$n"
    done
}

kafka_up() {
    "$top/infra/kafka/fetch-kafka.sh"
    echo "$nodes" >"$nodes_file"
    echo "$auth" >"$auth_file"
    # Stale nodes stop together: a cluster half on old listeners, half on
    # new ones, would not form; the start below brings them back.
    local stale; stale=$(kafka_stale_nodes)
    if [ -n "$stale" ]; then log "kafka node(s) $(echo $stale) run on old settings: restarting them"; kafka_stop TERM $stale; fi
    local n pids=""
    # Formatting starts a JVM per node: all at once on a new stack.
    kafka_config 1; new_cluster_id
    for n in $(seq "$nodes"); do kafka_config "$n"; kafka_format "$n" & pids="$pids $!"; done
    for p in $pids; do wait "$p"; done
    for n in $(seq "$nodes"); do kafka_launch "$n"; done
    kafka_wait all $(seq "$nodes")
}

# kafka_stop SIG N...: signals the nodes together, waits for them, then SIGKILL.
kafka_stop() {
    local sig=$1 n kd pids=""; shift
    for n in "$@"; do
        kd=$(kafka_dir "$n")
        [ -f "$kd/pid" ] || continue
        kill "-$sig" "$(cat "$kd/pid")" 2>/dev/null || true
        pids="$pids $(cat "$kd/pid")"
    done
    for pid in $pids; do
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    done
    for n in "$@"; do rm -f "$(kafka_dir "$n")/pid"; done
}
kafka_down() { kafka_stop TERM $(seq "$nodes"); }

node_arg() {
    local n=${1:?node number 1..$nodes}
    case "$n" in [1-9]) [ "$n" -le "$nodes" ] && { echo "$n"; return; } ;; esac
    log "no Kafka node $n (this stack has $nodes)"; exit 2
}

case "$cmd" in
    up) pg_up; redis_up; smtp_up; kafka_up ;;
    down) kafka_down; smtp_down; redis_down; pg_down ;;
    smtp-stop) smtp_down; log "smtp sink stopped" ;;
    smtp-start) smtp_up ;;
    pg-restart) pg_down; pg_up ;;   # for tests: services must reconnect
    wipe) kafka_down; smtp_down; redis_down; pg_down; rm -rf "$state" "$(dirname "$(pg_dir)")" ;;
    kafka-kill) n=$(node_arg "${4:-}"); kafka_stop KILL "$n"; log "kafka node $n killed" ;;
    kafka-stop) n=$(node_arg "${4:-}"); kafka_stop TERM "$n"; log "kafka node $n stopped" ;;
    kafka-start) n=$(node_arg "${4:-}"); kafka_launch "$n"; kafka_wait self "$n"; kafka_wait_isr "$n" ;;
    kafka-leader)
        topic=${4:?topic}; part=${5:?partition}
        kcat -b "$(brokers)" -L -t "$topic" -m 5 2>/dev/null |
            sed -n "s/^ *partition $part, leader \(-\?[0-9]*\),.*/\1/p" | head -1 | grep . ||
            { log "no leader for $topic/$part"; exit 1; } ;;
    kafka-groups)
        shift 3
        java -cp "$top/infra/kafka/lib/*" -Dlog4j.configuration="file:$(kafka_dir 1)/log4j.properties" \
            "$top/infra/kafka/Groups.java" "$(brokers)" "$@" ;;
    status)
        echo "postgresql 127.0.0.1:$pg_port $(as_pg "'$PGBIN/pg_isready' -h 127.0.0.1 -p $pg_port" >/dev/null 2>&1 && echo up || echo down)"
        echo "redis      127.0.0.1:$redis_port $(redis-cli -p "$redis_port" ping 2>/dev/null || echo down)"
        echo "smtp sink  127.0.0.1:$smtp_port $(smtp_alive && echo "up (mail in $state/mail/new)" || echo down)"
        for n in $(seq "$nodes"); do
            p=$(broker_port "$n")
            echo "kafka $n    127.0.0.1:$p $(kcat -b "127.0.0.1:$p" -L -m 2 2>/dev/null | sed -n 's/^ \([0-9]*\) brokers:.*/up (\1 brokers in metadata)/p' | grep . || echo down)"
        done ;;
    *) echo "usage: $0 up|down|wipe|status|pg-restart NAME PORT_BASE | kafka-kill|kafka-stop|kafka-start NAME PORT_BASE NODE | kafka-leader NAME PORT_BASE TOPIC PARTITION | kafka-groups NAME PORT_BASE [GROUP...] | smtp-stop|smtp-start NAME PORT_BASE" >&2; exit 2 ;;
esac
