#!/usr/bin/env bash
# stack.sh -- start/stop the private local servers (PostgreSQL, Redis, Kafka KRaft).
#
#   stack.sh up|down|status  NAME PORT_BASE
#
# NAME picks the data folder (.stack/NAME, git-ignored); PORT_BASE picks the
# ports: PG = base+1, Redis = base+2, Kafka broker = base+3, controller = base+4.
# Never touches the machine's own servers or their standard ports.
set -euo pipefail
cmd=${1:?up|down|status}; name=${2:-run}; base=${3:-15400}
top=$(cd "$(dirname "$0")/../.." && pwd)
state="$top/.stack/$name"
pg_port=$((base + 1)); redis_port=$((base + 2)); kafka_port=$((base + 3)); ctl_port=$((base + 4))
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$state"

log() { echo "stack[$name]: $*" >&2; }

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

kafka_up() {
    "$top/infra/kafka/fetch-kafka.sh"
    local kd="$state/kafka" cp="$top/infra/kafka/lib/*"
    mkdir -p "$kd"
    cat >"$kd/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$ctl_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$kd/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CONF
    cat >"$kd/log4j.properties" <<CONF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$kd/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
CONF
    if [ -f "$kd/pid" ] && kill -0 "$(cat "$kd/pid")" 2>/dev/null; then return 0; fi
    if [ ! -f "$kd/data/meta.properties" ]; then
        java -cp "$cp" -Dlog4j.configuration="file:$kd/log4j.properties" kafka.tools.StorageTool format \
            -t "$(cat "$kd/cluster-id" 2>/dev/null || java -cp "$cp" kafka.tools.StorageTool random-uuid | tee "$kd/cluster-id")" \
            -c "$kd/server.properties" >"$kd/format.log" 2>&1
    fi
    nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$kd/log4j.properties" \
        -cp "$cp" kafka.Kafka "$kd/server.properties" >"$kd/stdout.log" 2>&1 &
    echo $! >"$kd/pid"
    for _ in $(seq 600); do
        if kcat -b "127.0.0.1:$kafka_port" -L -m 2 >/dev/null 2>&1; then log "kafka on 127.0.0.1:$kafka_port"; return 0; fi
        kill -0 "$(cat "$kd/pid")" 2>/dev/null || { tail -20 "$kd/stdout.log" "$kd/broker.log" >&2; return 1; }
        sleep 0.2
    done
    log "kafka did not come up"; return 1
}
kafka_down() {
    local kd="$state/kafka"
    if [ -f "$kd/pid" ]; then
        local pid; pid=$(cat "$kd/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$kd/pid"
    fi
}

case "$cmd" in
    up) pg_up; redis_up; kafka_up ;;
    down) kafka_down; redis_down; pg_down ;;
    pg-restart) pg_down; pg_up ;;   # for tests: services must reconnect
    wipe) kafka_down; redis_down; pg_down; rm -rf "$state" "$(dirname "$(pg_dir)")" ;;
    status)
        echo "postgresql 127.0.0.1:$pg_port $(as_pg "'$PGBIN/pg_isready' -h 127.0.0.1 -p $pg_port" >/dev/null 2>&1 && echo up || echo down)"
        echo "redis      127.0.0.1:$redis_port $(redis-cli -p "$redis_port" ping 2>/dev/null || echo down)"
        echo "kafka      127.0.0.1:$kafka_port $(kcat -b "127.0.0.1:$kafka_port" -L -m 2 >/dev/null 2>&1 && echo up || echo down)" ;;
    *) echo "usage: $0 up|down|wipe|status|pg-restart NAME PORT_BASE" >&2; exit 2 ;;
esac
