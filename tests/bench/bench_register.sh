#!/usr/bin/env bash
# bench_register.sh -- a registration wave (BENCH_REGS PNS, default 2000)
# through the HTTP API, against the ceiling set by argon2id hashing with the
# service's parameters on the same cores, measured in the same run; once on
# single-node Kafka and once on a three-node KRaft cluster (topics RF 3,
# min ISR 2). Writes its section of docs/BENCHMARKS.md with both columns.
# Stacks, ports and the variables below: tests/bench/common.sh.
#   env: BENCH_REGS (default 2000), BENCH_CONC (default 64), BENCH_WARM (default 300),
#        BENCH_N (rows, default 4500000; BENCH_N_CLUSTER for the cluster stack),
#        BENCH_KAFKA_NODES (default "1 3"), BENCH_BIN_DIR, BENCH_WORK
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
source tests/bench/common.sh
export PUPNS_LOG_LEVEL=warn PUPNS_RATE_LOOKUP=0 PUPNS_RATE_CAPTCHA=0 PUPNS_RATE_REGISTER=0 PUPNS_RATE_LOGIN=0
REGS=${BENCH_REGS:-2000}; CONC=${BENCH_CONC:-64}; WARM=${BENCH_WARM:-300}
cores=$(nproc)

# hash_ceiling: argon2id hashes/s on every core with the service's parameters,
# and the CPU milliseconds one hash took.
hash_ceiling() {
    local out
    out=$(/usr/bin/time -f "cpu %U %S" "$BIN_DIR/pupns-pwhash-bench" "$cores" 10 2>&1)
    awk '/^hashes_per_s/ { r = $2 } /^cpu/ { c = $2 + $3 } END { printf "%s %.1f\n", r, (r > 0) ? 1000 * c / (10 * r) : 0 }' <<<"$out"
}

# run_one NODES: the whole benchmark on that stack; results in $work/register-NODES.env.
run_one() {
    local nodes=$1
    bench_stack "$nodes"
    source infra/stack/env.sh
    local N=${BENCH_N:-4500000}
    [ "$nodes" = 3 ] && N=${BENCH_N_CLUSTER:-$N}
    local w=$work/register-$nodes
    mkdir -p "$w"
    psql_su() { psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "$1"; }
    echo "== bench-register on $nodes Kafka node(s): stack $STACK_NAME, base $STACK_BASE, gateway $PUPNS_HTTP_PORT" >&2

    bench_up
    infra/stack/migrate.sh "$PG_PORT"
    bench_seed "$N"
    bench_start "$N"
    export PUPNS_REDIS_URL BASE_URL=http://127.0.0.1:$PUPNS_HTTP_PORT
    export BENCH_STATE_DIR=$STATE_DIR BENCH_PG_PORT=$PG_PORT

    # Fresh NIPs: sampled, never registered before in this stack; the first
    # WARM of them warm up the broker's JIT and every connection, untimed.
    psql_su "SELECT p.nip FROM identity.pns p TABLESAMPLE SYSTEM (1)
             WHERE NOT EXISTS (SELECT 1 FROM registration.account a WHERE a.nip = p.nip) LIMIT $((REGS + WARM))" >"$w/all_nips.txt"
    head -n "$WARM" "$w/all_nips.txt" >"$w/warm_nips.txt"
    tail -n +"$((WARM + 1))" "$w/all_nips.txt" >"$w/wave_nips.txt"
    /usr/bin/python3 tests/bench/register_wave.py "$w/warm_nips.txt" "$CONC" >/dev/null 2>"$w/warm.txt" ||
        { cat "$w/warm.txt" >&2; return 1; }

    local load; load=$(bench_load "$w/load.txt")
    echo "before the run: $load" >&2
    # The ceiling is measured before and after the wave and averaged: this
    # machine's speed drifts by several percent between runs.
    local ceiling1 ceiling2 ceiling hash_ms1 hash_ms2 hash_ms n conc secs rate p50 p99 fails cpu statuses
    read -r ceiling1 hash_ms1 < <(hash_ceiling)
    read -r _ n conc secs rate p50 p99 fails < <(/usr/bin/python3 tests/bench/register_wave.py "$w/wave_nips.txt" "$CONC" 2>"$w/wave_stderr.txt")
    cpu=$(sed -n 's/^cpu //p' "$w/wave_stderr.txt")
    statuses=$(sed -n 's/^statuses //p' "$w/wave_stderr.txt")
    grep -v -e '^cpu ' -e '^statuses ' "$w/wave_stderr.txt" >&2 || true
    read -r ceiling2 hash_ms2 < <(hash_ceiling)
    ceiling=$(awk -v a="$ceiling1" -v b="$ceiling2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
    hash_ms=$(awk -v a="$hash_ms1" -v b="$hash_ms2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
    echo "ceiling: $ceiling argon2id hashes/s on $cores cores (before $ceiling1, after $ceiling2)" >&2
    echo "wave: $n registrations in $secs s = $rate/s, p50 $p50 ms, p99 $p99 ms, $fails failed (HTTP statuses: $statuses)" >&2
    echo "CPU seconds during the wave: $cpu" >&2
    local ratio kafka_s kafka_ms reg_s avail
    ratio=$(awk -v a="$rate" -v b="$ceiling" 'BEGIN { printf "%.1f", 100 * a / b }')
    kafka_s=$(bench_cpu_get "$cpu" kafka-)
    reg_s=$(bench_cpu_get "$cpu" registration-)
    kafka_ms=$(awk -v k="$kafka_s" -v n="$n" 'BEGIN { printf "%.1f", (n > 0) ? 1000 * k / n : 0 }')
    avail=$(awk -v s="$secs" -v c="$cores" 'BEGIN { printf "%.1f", s * c }')
    # CPU per registration of every process of this stack (not the client,
    # not the rest of the machine) against the CPU of one hash: CPU time per
    # operation hardly depends on how many other processes share the cores,
    # so this is the ratio the wave would reach with the cores to itself.
    local stack_ms cpu_ratio
    stack_ms=$(tr ' ' '\n' <<<"$cpu" | awk -F= -v n="$n" '$1 != "other" && $1 != "idle" && $1 != "client" { s += $2 } END { printf "%.1f", (n > 0) ? 1000 * s / n : 0 }')
    cpu_ratio=$(awk -v h="$hash_ms" -v c="$stack_ms" 'BEGIN { printf "%.1f", (c > 0) ? 100 * h / c : 0 }')
    echo "registrations/ceiling on $nodes node(s) = $ratio% (target >= 80%); CPU: $hash_ms ms per hash, $stack_ms ms of this stack per registration = $cpu_ratio%" >&2
    bench_save "$work/register-$nodes.env" \
        "run=$(date -u +%Y-%m-%dT%H:%MZ)" "commit=$(bench_commit)" "rows=$N" "n=$n" "conc=$conc" "secs=$secs" "avail=$avail" \
        "load=$load" "ceiling1=$ceiling1" "ceiling2=$ceiling2" "ceiling=$ceiling" \
        "rate=$rate" "p50=$p50" "p99=$p99" "fails=$fails" "statuses=$statuses" "ratio=$ratio" \
        "cpu=$cpu" "kafka_s=$kafka_s" "kafka_ms=$kafka_ms" "reg_s=$reg_s" \
        "hash_ms=$hash_ms" "stack_ms=$stack_ms" "cpu_ratio=$cpu_ratio" \
        "reg_ms=$(awk -v r="$reg_s" -v n="$n" 'BEGIN { printf "%.1f", (n > 0) ? 1000 * r / n : 0 }')"
}

for k in $BENCH_KAFKA_NODES; do [ "$k" = none ] || (run_one "$k"); done

# The section, from the latest results of each stack (a column of a stack
# not run this time keeps its earlier figures and says when they are from).
g() { bench_get register "$@"; }
rel() {
    awk -v a="$(g 3 "$1")" -v b="$(g 1 "$1")" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.0f%%", 100 * a / b; else printf "–" }'
}
verdict() { awk -v r="$(g "$1" ratio)" 'BEGIN { if (r == "–") print "not run"; else print (r >= 80) ? "meets the target" : "misses the target" }'; }
for k in 1 3; do echo "registrations/ceiling, $k Kafka node(s): $(g $k ratio)% (target >= 80%): $(verdict $k)"; done
# Capacity from a column's rate: nodes needed for a rate (2-core, this speed).
nodes() { awk -v r="$(g "$1" rate)" "BEGIN { if (r + 0 <= 0) { printf \"–\"; exit } n = ($2) / r; printf \"%d\", (n == int(n)) ? n : int(n) + 1 }"; }
hours() { awk -v r="$(g "$1" rate)" 'BEGIN { if (r + 0 <= 0) printf "–"; else printf "%.1f", 4500000 / r / 3600 }'; }
per_core() { awk -v c="$(g "$1" ceiling)" -v n="$cores" 'BEGIN { if (c + 0 <= 0) printf "–"; else printf "%.1f", c / n }'; }
row() { echo "| $1 | $(awk "BEGIN { printf \"%.1f\", $2 }") | $(nodes 1 "$2") | $(nodes 3 "$2") |"; }

section=$(cat <<MD
## bench-register — a registration wave through the HTTP API

$(g 1 n) fresh PNS per column ($(g 3 n) on the cluster), $CONC submissions in flight, release build,
one gateway, one registration service ($((2 * cores)) hashing workers), one captcha and one identity
instance, all on this $cores-core machine. Step 2 and the captchas are prepared first;
the timed part is step 3 (\`POST /api/v1/registrasi\`) from submit to the 201, after an untimed
wave of $WARM registrations has warmed the stack up. Each column is its own stack: single-node
Kafka \`.stack/bench\` (gateway 38080) and a three-node KRaft cluster \`.stack/bench3\` (gateway
39080; every topic RF 3, min.insync.replicas 2, producers acks=all).

| | single-node Kafka | three-node cluster | cluster ÷ single |
|---|---:|---:|---:|
| run (UTC), code | $(g 1 run), $(g 1 commit) | $(g 3 run), $(g 3 commit) | |
| ceiling: argon2id (m=19 MiB, t=2, p=1) on $cores threads, no I/O, hashes/s (before / after the wave) | $(g 1 ceiling) ($(g 1 ceiling1) / $(g 1 ceiling2)) | $(g 3 ceiling) ($(g 3 ceiling1) / $(g 3 ceiling2)) | $(rel ceiling) |
| registrations/s, submit → completed (201) | $(g 1 rate) | $(g 3 rate) | $(rel rate) |
| p50 | $(g 1 p50) ms | $(g 3 p50) ms | $(rel p50) |
| p99 | $(g 1 p99) ms | $(g 3 p99) ms | $(rel p99) |
| failed (HTTP statuses of the wave) | $(g 1 fails) ($(g 1 statuses)) | $(g 3 fails) ($(g 3 statuses)) | |
| **registrations ÷ ceiling** (target ≥ 80%) | **$(g 1 ratio)%** | **$(g 3 ratio)%** | $(rel ratio) |
| CPU per argon2id hash (the ceiling's CPU-s ÷ its hashes) | $(g 1 hash_ms) ms | $(g 3 hash_ms) ms | |
| CPU per registration, every process of the stack (client and rest of the machine not counted) | $(g 1 stack_ms) ms | $(g 3 stack_ms) ms | $(rel stack_ms) |
| of which the registration service | $(g 1 reg_ms) ms | $(g 3 reg_ms) ms | $(rel reg_ms) |
| **CPU ratio: one hash ÷ the stack's CPU per registration** (the rate ratio with the cores to itself) | **$(g 1 cpu_ratio)%** | **$(g 3 cpu_ratio)%** | $(rel cpu_ratio) |
| broker CPU (all nodes) during the wave | $(g 1 kafka_s) s | $(g 3 kafka_s) s | $(rel kafka_s) |
| broker CPU per registration | $(g 1 kafka_ms) ms | $(g 3 kafka_ms) ms | $(rel kafka_ms) |

Single node: $(verdict 1). Cluster: $(verdict 3).

Machine load just before each timed part (the machine is shared with other engineers' stacks):
- single node: $(g 1 load)
- cluster: $(g 3 load)

CPU seconds during the timed part, by process of this stack (\`other\`: the rest of the machine,
other engineers' stacks included; \`client\`: this benchmark's client):
- single node (of $(g 1 avail) available): \`$(g 1 cpu)\`
- cluster (of $(g 3 avail) available): \`$(g 3 cpu)\`

Capacity: one core computes about $(per_core 1) hashes/s here ($(per_core 3) in the cluster run), and each
registration costs one hash, so one 2-core registration instance registers about $(g 1 rate) PNS/s with
single-node Kafka and $(g 3 rate) PNS/s with the cluster: 4.5 million PNS take about $(hours 1)
(cluster: $(hours 3)) instance-hours of registration work. Instances needed (2-core, this speed) for
some wave shapes:

| scenario | registrations/s needed | instances (single-node figure) | instances (cluster figure) |
|---|---:|---:|---:|
$(row "4.5 M spread evenly over 30 days" "4500000/(30*86400)")
$(row "half of all PNS in the last 3 days" "2250000/(3*86400)")
$(row "10% of all PNS in the busiest hour" "450000/3600")

Up to 12 registration instances share the 12 partitions of pupns.registration.commands;
logins cost one hash each as well and come on top.
MD
)
printf '%s\n' "$section" | /usr/bin/python3 tests/bench/write_section.py docs/BENCHMARKS.md bench-register
echo "written to docs/BENCHMARKS.md"
