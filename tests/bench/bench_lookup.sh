#!/usr/bin/env bash
# bench_lookup.sh -- NIP look-ups through the gateway over Kafka, on the
# national data set (4.5M PNS), against the gateway's own /healthz measured
# in the same run (the HTTP ceiling). Prints the ratio and writes
# docs/BENCHMARKS.md. Uses a private stack (.stack/bench, ports 3540x, 38080).
#   env: BENCH_N (rows, default 4500000), BENCH_SECONDS (default 15), BENCH_CONNS (default 64)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
export STACK_NAME=bench STACK_BASE=35400 PUPNS_HTTP_PORT=38080 BIN_DIR=${BENCH_BIN_DIR:-$TOP/build/rel/bin}
export PUPNS_LOG_LEVEL=warn
# One client address sends everything: lift the per-address look-up limit
# so high it never trips, but keep its Redis count in every look-up's cost.
export PUPNS_RATE_LOOKUP=100000000
source infra/stack/env.sh
N=${BENCH_N:-4500000}; SECS=${BENCH_SECONDS:-15}; CONNS=${BENCH_CONNS:-64}
url=http://127.0.0.1:$PUPNS_HTTP_PORT
work=$TOP/build/bench; mkdir -p "$work"

infra/stack/stack.sh up "$STACK_NAME" "$STACK_BASE"
infra/stack/migrate.sh "$PG_PORT"
have=$(psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "SELECT count(*) FROM identity.pns")
[ "$have" = "$N" ] || infra/stack/seed.sh "$N" "$PG_PORT"
SEED_N=$N infra/stack/run.sh start >/dev/null
trap 'infra/stack/run.sh stop >/dev/null 2>&1 || true' EXIT

# 20,000 random existing NIPs, spread over the whole table.
psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc \
    "SELECT nip FROM identity.pns TABLESAMPLE SYSTEM (1) LIMIT 20000" >"$work/nips.txt"
{
    echo "local nips = {"; sed 's/.*/"&",/' "$work/nips.txt"; echo "}"
    cat <<'LUA'
local n = #nips
request = function()
  return wrk.format("GET", "/api/v1/pns/" .. nips[math.random(n)])
end
done = function(summary, latency, requests)
  io.write(string.format("errors %d %d\n", summary.errors.status, summary.errors.timeout))
end
LUA
} >"$work/lookup.lua"

run_wrk() { # LABEL PATH [SCRIPT]
    local out="$work/$1.txt"
    if [ -n "${3:-}" ]; then wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$3" "$url$2" >"$out"
    else wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$url$2" >"$out"; fi
    rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
    p50=$(awk '$1 == "50%" {print $2}' "$out"); p99=$(awk '$1 == "99%" {print $2}' "$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
    echo "$1: $rps req/s, p50 $p50, p99 $p99, non-2xx $non2xx" >&2
    echo "$rps $p50 $p99 $non2xx"
}
to_ms() { # wrk prints 1.23ms / 456.00us / 1.02s
    awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else printf "%.2f", v*1000 }'
}

# Warm caches, connections and the broker's JIT: the first seconds after the
# broker starts run at half speed and would be measured as the look-up rate.
wrk -t2 -c"$CONNS" -d15s -s "$work/lookup.lua" "$url/" >/dev/null
read -r c_rps c_p50 c_p99 _ < <(run_wrk ceiling /healthz)
read -r l_rps l_p50 l_p99 l_bad < <(run_wrk lookup / "$work/lookup.lua")
ratio=$(awk -v a="$l_rps" -v b="$c_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
p99ms=$(to_ms "$l_p99")
verdict=$(awk -v r="$ratio" -v p="$p99ms" 'BEGIN { print (r >= 25 && p < 25) ? "meets" : "misses" }')
echo "lookup/ceiling = $ratio% (target >= 25%), lookup p99 = ${p99ms} ms (target < 25 ms): $verdict the target"

section=$(cat <<MD
## bench-lookup — NIP look-up through the gateway over Kafka

Run: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $N PNS rows, wrk -t2 -c$CONNS -d${SECS}s, release build,
one gateway and one identity instance, single-node Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' infra/kafka/pom.xml) (KRaft), PostgreSQL 15, all on this machine.

| what | requests/s | p50 | p99 | non-2xx |
|---|---:|---:|---:|---:|
| ceiling: \`GET /healthz\` (HTTP only) | $c_rps | $(to_ms "$c_p50") ms | $(to_ms "$c_p99") ms | 0 |
| \`GET /api/v1/pns/{nip}\` (HTTP → Kafka → identity → PostgreSQL → Kafka → HTTP) | $l_rps | $(to_ms "$l_p50") ms | $p99ms ms | $l_bad |

**Ratio: look-ups reach $ratio% of the ceiling's rate** (target ≥ 25%, p99 < 25 ms): $verdict the target.
MD
)
printf '%s\n' "$section" | /usr/bin/python3 tests/bench/write_section.py docs/BENCHMARKS.md bench-lookup
echo "written to docs/BENCHMARKS.md"
