#!/usr/bin/env bash
# bench_lookup.sh -- NIP look-ups through the gateway over Kafka, on the
# national data set (4.5M PNS), against the gateway's own /healthz measured
# in the same run on the same stack (the HTTP ceiling), once on single-node
# Kafka and once on a three-node KRaft cluster (topics RF 3, min ISR 2).
# Prints the ratios and writes its section of docs/BENCHMARKS.md with both
# columns. Stacks, ports and the variables below: tests/bench/common.sh.
#   env: BENCH_N (rows, default 4500000; BENCH_N_CLUSTER for the cluster stack,
#        default BENCH_N), BENCH_SECONDS (default 15), BENCH_CONNS (default 64),
#        BENCH_KAFKA_NODES (default "1 3"), BENCH_BIN_DIR, BENCH_WORK
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
source tests/bench/common.sh
export PUPNS_LOG_LEVEL=warn
# One client address sends everything: lift the per-address look-up limit
# so high it never trips, but keep its Redis count in every look-up's cost.
export PUPNS_RATE_LOOKUP=100000000
SECS=${BENCH_SECONDS:-15}; CONNS=${BENCH_CONNS:-64}

to_ms() { # wrk prints 1.23ms / 456.00us / 1.02s
    awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else printf "%.2f", v*1000 }'
}

# run_one NODES: the whole benchmark on that stack; results in $work/lookup-NODES.env.
run_one() {
    local nodes=$1
    bench_stack "$nodes"
    source infra/stack/env.sh
    local N=${BENCH_N:-4500000}
    [ "$nodes" = 3 ] && N=${BENCH_N_CLUSTER:-$N}
    local url=http://127.0.0.1:$PUPNS_HTTP_PORT w=$work/lookup-$nodes
    mkdir -p "$w"
    echo "== bench-lookup on $nodes Kafka node(s): stack $STACK_NAME, base $STACK_BASE, gateway $PUPNS_HTTP_PORT" >&2

    bench_up
    infra/stack/migrate.sh "$PG_PORT"
    bench_seed "$N"
    bench_start "$N"

    # 20,000 random existing NIPs, spread over the whole table.
    psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc \
        "SELECT nip FROM identity.pns TABLESAMPLE SYSTEM (1) LIMIT 20000" >"$w/nips.txt"
    {
        echo "local nips = {"; sed 's/.*/"&",/' "$w/nips.txt"; echo "}"
        cat <<'LUA'
local n = #nips
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) statuses = {} end
request = function()
  return wrk.format("GET", "/api/v1/pns/" .. nips[math.random(n)])
end
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local total, parts = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do table.insert(parts, k .. "=" .. v) end
  table.sort(parts)
  io.write("statuses " .. table.concat(parts, " ") .. "\n")
  io.write(string.format("errors %d %d\n", summary.errors.status, summary.errors.timeout))
end
LUA
    } >"$w/lookup.lua"

    run_wrk() { # LABEL PATH [SCRIPT]
        local out="$w/$1.txt"
        if [ -n "${3:-}" ]; then wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$3" "$url$2" >"$out"
        else wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$url$2" >"$out"; fi
        local rps p50 p99 non2xx sockerr statuses
        rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
        p50=$(awk '$1 == "50%" {print $2}' "$out"); p99=$(awk '$1 == "99%" {print $2}' "$out")
        non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
        # Socket errors (connect/read/write/timeout) count as failures too.
        sockerr=$(awk '/Socket errors/ { s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s }' "$out")
        statuses=$(sed -n 's/^statuses //p' "$out"); statuses=${statuses:-not counted}
        echo "$1: $rps req/s, p50 $p50, p99 $p99, non-2xx $non2xx, socket errors ${sockerr:-0}, HTTP statuses: $statuses" >&2
        echo "$rps $p50 $p99 $((non2xx + ${sockerr:-0})) ${statuses// /,}"
    }

    # Warm caches, connections and the broker's JIT: the first seconds after the
    # broker starts run at half speed and would be measured as the look-up rate.
    wrk -t2 -c"$CONNS" -d15s -s "$w/lookup.lua" "$url/" >/dev/null
    local load; load=$(bench_load "$w/load.txt")
    echo "before the run: $load" >&2
    local c_rps c_p50 c_p99 l_rps l_p50 l_p99 l_bad l_statuses cpu
    read -r c_rps c_p50 c_p99 _ < <(run_wrk ceiling /healthz)
    bench_cpu_snap "$w/cpu0.json"
    read -r l_rps l_p50 l_p99 l_bad l_statuses < <(run_wrk lookup / "$w/lookup.lua")
    bench_cpu_snap "$w/cpu1.json"
    cpu=$(bench_cpu_diff "$w/cpu0.json" "$w/cpu1.json")
    echo "CPU seconds during the look-ups: $cpu" >&2
    local kafka_s ratio p99ms kafka_ms
    kafka_s=$(bench_cpu_get "$cpu" kafka-)
    ratio=$(awk -v a="$l_rps" -v b="$c_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
    p99ms=$(to_ms "$l_p99")
    # Broker CPU per look-up: all brokers together, ms of CPU.
    kafka_ms=$(awk -v k="$kafka_s" -v r="$l_rps" -v s="$SECS" 'BEGIN { printf "%.3f", (r > 0) ? 1000 * k / (r * s) : 0 }')
    # CPU per look-up of every process of this stack (wrk and the rest of the
    # machine not counted): hardly depends on how busy the machine is.
    local stack_ms
    stack_ms=$(tr ' ' '\n' <<<"$cpu" | awk -F= -v r="$l_rps" -v s="$SECS" '$1 != "other" && $1 != "idle" { c += $2 } END { printf "%.3f", (r > 0) ? 1000 * c / (r * s) : 0 }')
    echo "lookup/ceiling on $nodes node(s) = $ratio%, p99 ${p99ms} ms; stack CPU $stack_ms ms per look-up" >&2
    bench_save "$work/lookup-$nodes.env" \
        "run=$(date -u +%Y-%m-%dT%H:%MZ)" "commit=$(bench_commit)" "rows=$N" "stack=$STACK_NAME" "gateway=$PUPNS_HTTP_PORT" \
        "load=$load" "c_rps=$c_rps" "c_p50=$(to_ms "$c_p50")" "c_p99=$(to_ms "$c_p99")" \
        "l_rps=$l_rps" "l_p50=$(to_ms "$l_p50")" "l_p99=$p99ms" "l_bad=$l_bad" "l_statuses=${l_statuses//,/ }" "ratio=$ratio" \
        "cpu=$cpu" "kafka_s=$kafka_s" "kafka_ms=$kafka_ms" "stack_ms=$stack_ms"
}

for n in $BENCH_KAFKA_NODES; do [ "$n" = none ] || (run_one "$n"); done

# The section, from the latest results of each stack (a column of a stack
# not run this time keeps its earlier figures and says when they are from).
g() { bench_get lookup "$@"; }
rel() { # cluster value / single value as a percentage, if both exist
    awk -v a="$(g 3 "$1")" -v b="$(g 1 "$1")" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.0f%%", 100 * a / b; else printf "–" }'
}
verdict() { awk -v r="$(g "$1" ratio)" -v p="$(g "$1" l_p99)" 'BEGIN { if (r == "–") print "not run"; else print (r >= 25 && p < 25) ? "meets the target" : "misses the target" }'; }
for n in 1 3; do echo "lookup/ceiling, $n Kafka node(s): $(g $n ratio)% (target >= 25%), p99 $(g $n l_p99) ms (target < 25 ms): $(verdict $n)"; done

section=$(cat <<MD
## bench-lookup — NIP look-up through the gateway over Kafka

wrk -t2 -c$CONNS -d${SECS}s per row, release build, one gateway and one identity instance,
Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' infra/kafka/pom.xml) (KRaft), PostgreSQL 15, on this $(nproc)-core machine. Each column is its own stack
(its own PostgreSQL, Redis and Kafka): single node \`.stack/bench\` (gateway 38080), three-node
cluster \`.stack/bench3\` (gateway 39080; every topic RF 3, min.insync.replicas 2, producers acks=all).

| | single-node Kafka | three-node cluster | cluster ÷ single |
|---|---:|---:|---:|
| run (UTC), code | $(g 1 run), $(g 1 commit) | $(g 3 run), $(g 3 commit) | |
| PNS rows | $(g 1 rows) | $(g 3 rows) | |
| ceiling: \`GET /healthz\` (HTTP only), requests/s | $(g 1 c_rps) | $(g 3 c_rps) | $(rel c_rps) |
| ceiling p50 / p99 | $(g 1 c_p50) / $(g 1 c_p99) ms | $(g 3 c_p50) / $(g 3 c_p99) ms | |
| \`GET /api/v1/pns/{nip}\`, look-ups/s | $(g 1 l_rps) | $(g 3 l_rps) | $(rel l_rps) |
| look-up p50 | $(g 1 l_p50) ms | $(g 3 l_p50) ms | $(rel l_p50) |
| look-up p99 | $(g 1 l_p99) ms | $(g 3 l_p99) ms | $(rel l_p99) |
| non-2xx and socket errors (HTTP statuses) | $(g 1 l_bad) ($(g 1 l_statuses)) | $(g 3 l_bad) ($(g 3 l_statuses)) | |
| **look-ups ÷ ceiling** (target ≥ 25%, p99 < 25 ms) | **$(g 1 ratio)%** | **$(g 3 ratio)%** | $(rel ratio) |
| CPU per look-up, every process of the stack (wrk and the rest of the machine not counted) | $(g 1 stack_ms) ms | $(g 3 stack_ms) ms | $(rel stack_ms) |
| broker CPU (all nodes), CPU-s during the look-ups | $(g 1 kafka_s) | $(g 3 kafka_s) | $(rel kafka_s) |
| broker CPU per look-up | $(g 1 kafka_ms) ms | $(g 3 kafka_ms) ms | $(rel kafka_ms) |

Single node: $(verdict 1). Cluster: $(verdict 3).

Machine load just before each timed part (the machine is shared with other engineers' stacks):
- single node: $(g 1 load)
- cluster: $(g 3 load)

CPU seconds during the look-ups, by process of this stack (\`other\`: the rest of the machine; of $(awk -v s="$SECS" -v c="$(nproc)" 'BEGIN { printf "%.0f", s * c }') available):
- single node: \`$(g 1 cpu)\`
- cluster: \`$(g 3 cpu)\`
MD
)
printf '%s\n' "$section" | /usr/bin/python3 tests/bench/write_section.py docs/BENCHMARKS.md bench-lookup
echo "written to docs/BENCHMARKS.md"
