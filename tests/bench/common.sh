# common.sh -- sourced by the bench scripts: which stack, which binaries, the
# machine's load, and the per-stack results both columns of a section come from.
#
#   BENCH_KAFKA_NODES  the Kafka sizes to run, in order (default "1 3";
#                      PUPNS_KAFKA_NODES=1 or 3 alone runs just that one; "none"
#                      only rewrites the section from the saved results)
#   BENCH_BIN_DIR      binaries (default build/rel/bin; `make BUILD=dir bench-*` sets it)
#   BENCH_WORK         scratch and results (default build/bench)
#
# Stacks (each its own PostgreSQL, Redis, Kafka; data kept under .stack/ for reuse):
#   1 node:  .stack/bench,  base 35400 (PG 35401, Redis 35402, Kafka 35403/35404,
#            health 35411-35413), gateway 38080
#   3 nodes: .stack/bench3, base 36400 (PG 36401, Redis 36402, Kafka brokers
#            36403/36405/36407, controllers 36404/36406/36408, health 36411-36413),
#            gateway 39080
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BENCH_KAFKA_NODES=${BENCH_KAFKA_NODES:-${PUPNS_KAFKA_NODES:-1 3}}
export BIN_DIR=${BENCH_BIN_DIR:-$TOP/build/rel/bin}
work=${BENCH_WORK:-$TOP/build/bench}; mkdir -p "$work"

# bench_stack NODES: exports the stack variables of that Kafka size.
bench_stack() {
    case "$1" in
        1) export STACK_NAME=bench STACK_BASE=35400 PUPNS_HTTP_PORT=38080 ;;
        3) export STACK_NAME=bench3 STACK_BASE=36400 PUPNS_HTTP_PORT=39080 ;;
        *) echo "bench: Kafka size must be 1 or 3 (got '$1')" >&2; return 2 ;;
    esac
    export PUPNS_KAFKA_NODES=$1
}

# bench_up: the stack's servers. Its ports lie in Linux's ephemeral range
# (32768-60999), so an outgoing connection of another process can hold one
# for a moment (seen: a Kafka controller port): stop what started and retry.
bench_up() {
    local try
    for try in 1 2 3; do
        "$TOP/infra/stack/stack.sh" up "$STACK_NAME" "$STACK_BASE" && return 0
        echo "bench: stack $STACK_NAME did not start (try $try of 3); stopping it and retrying" >&2
        "$TOP/infra/stack/stack.sh" down "$STACK_NAME" "$STACK_BASE" || true
        sleep 5
    done
    return 1
}

# bench_start N: the services (run.sh start), the stack stopped on exit. A
# start that fails (the gateway not ready: a service died on the way) is
# reported with the dead services' last log lines and the kernel's segfault
# lines, then tried once more.
bench_start() {
    trap '"$TOP/infra/stack/run.sh" stop >/dev/null 2>&1 || true' EXIT
    SEED_N=$1 "$TOP/infra/stack/run.sh" start >/dev/null && return 0
    local p
    for p in "$STATE_DIR"/pids/*.pid; do
        [ -e "$p" ] && ! kill -0 "$(cat "$p")" 2>/dev/null || continue
        p=$(basename "$p" .pid)
        echo "bench: $p died during the start (pid $(cat "$STATE_DIR/pids/$p.pid")); its log ends:" >&2
        tail -n 5 "$STATE_DIR/logs/$p.log" >&2
    done
    dmesg 2>/dev/null | grep -i segfault | tail -n 3 >&2 || true
    echo "bench: starting the services of $STACK_NAME once more" >&2
    SEED_N=$1 "$TOP/infra/stack/run.sh" start >/dev/null
}

# bench_seed N: N PNS rows in this stack's PostgreSQL, unless it has them already.
bench_seed() {
    local have
    have=$(psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "SELECT count(*) FROM identity.pns")
    [ "$have" = "$1" ] && return 0
    "$BIN_DIR/pupns-seed" --pg-url "postgresql://pupns_identity@127.0.0.1:$PG_PORT/pupns" \
        --count "$1" --data-dir "$TOP/services/identity/seed/data"
}

# bench_load FILE: the machine's load before a run, in FILE (uptime and the
# busiest processes over one second); prints a one-line summary.
bench_load() {
    { uptime; top -b -c -n 2 -d 1 -o %CPU -w 512 | awk '/^top -/ { f++ } f == 2' | head -n 20; } >"$1"
    local la busy
    la=$(sed -n 's/.*load average: *//p' "$1" | head -1)
    # A broker is named by its stack ("test:java": .stack/test/...), a service
    # by its build ("build/asan:pupns-gateway"); this stack's are among them.
    busy=$(awk '/^ *PID/ { t = 1; next }
        t && $9 + 0 >= 5 {
            cmd = $12; sub(".*/", "", cmd); name = cmd
            line = $0
            if (match(line, /\.stack\/[^\/ ]+/)) name = substr(line, RSTART + 7, RLENGTH - 7) ":" cmd
            else if (match($12, /[^\/]+\/(rel|asan)\/bin\//)) name = substr($12, RSTART, RLENGTH - 5) ":" cmd
            printf "%s%s %d%%", s, name, $9; s = ", " }' "$1" | cut -c1-240)
    echo "load average $la; busiest over 1 s: ${busy:-none above 5%}"
}

# Stack processes' CPU around a timed part: bench_cpu_snap FILE, then bench_cpu_diff A B.
bench_cpu_snap() { /usr/bin/python3 "$TOP/tests/bench/cpu.py" snap "$TOP/.stack/$STACK_NAME" "$PG_PORT" >"$1"; }
bench_cpu_diff() { /usr/bin/python3 "$TOP/tests/bench/cpu.py" diff "$1" "$2"; }
# bench_cpu_get "LINE" LABEL-PREFIX: sum of the seconds of labels starting with the prefix.
bench_cpu_get() { tr ' ' '\n' <<<"$1" | awk -F= -v p="$2" 'index($1, p) == 1 { s += $2 } END { printf "%.1f", s }'; }

# Results of one stack: KEY=VALUE lines in $work/NAME-NODES.env, read back by bench_results.
bench_save() { local f=$1; shift; printf '%s\n' "$@" >"$f.new" && mv "$f.new" "$f"; }
# bench_get NAME NODES KEY: a saved value, or "–" when that stack has not run.
bench_get() {
    local f="$work/$1-$2.env"
    [ -f "$f" ] || { echo "–"; return; }
    local v; v=$(sed -n "s/^$3=//p" "$f" | tail -1); echo "${v:-–}"
}

# bench_commit: the code measured (BENCH_COMMIT when run from an export without git).
bench_commit() {
    [ -n "${BENCH_COMMIT:-}" ] && { echo "$BENCH_COMMIT"; return; }
    local c
    [ "$(git -C "$TOP" rev-parse --show-toplevel 2>/dev/null)" = "$TOP" ] && c=$(git -C "$TOP" rev-parse --short HEAD) ||
        { echo unknown; return; }
    [ -n "$(git -C "$TOP" status --porcelain -- services libcommon 2>/dev/null)" ] && c="$c + uncommitted changes"
    echo "$c"
}
