#!/usr/bin/env bash
# soak.sh -- one stack under a long run: SOAK_LOOKUPS NIP look-ups (default
# 1,000,000, through the gateway with wrk, in rounds) and then SOAK_REGS
# registrations (default 5,000, register_wave.py), sampling every service's
# resident memory (VmRSS) after a warm-up, after each look-up round and after
# the registrations, and the sizes of the bookkeeping tables the services
# purge (libcommon/purge.h). A flat RSS after warm-up is what it looks for: a
# leak grows with the work done. Writes the "soak" section of
# docs/BENCHMARKS.md. Runs on the single-node bench stack (tests/bench/common.sh).
#   env: SOAK_LOOKUPS, SOAK_REGS, SOAK_ROUND_S (seconds per wrk round, 60),
#        SOAK_CONNS (64), BENCH_BIN_DIR, BENCH_WORK
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
source tests/bench/common.sh
export PUPNS_LOG_LEVEL=warn PUPNS_RATE_LOOKUP=100000000 PUPNS_RATE_REGISTER=0 PUPNS_RATE_CAPTCHA=0
export PUPNS_PURGE_INTERVAL_S=60
LOOKUPS=${SOAK_LOOKUPS:-1000000}; REGS=${SOAK_REGS:-5000}; ROUND=${SOAK_ROUND_S:-60}; CONNS=${SOAK_CONNS:-64}
bench_stack 1
source infra/stack/env.sh
w=$work/soak; mkdir -p "$w"
N=$((REGS + 20000))
bench_up
infra/stack/migrate.sh "$PG_PORT"
bench_seed "$N"
bench_start "$N"
url=http://127.0.0.1:$PUPNS_HTTP_PORT

# rss LABEL: one line "LABEL svc=kB svc=kB ..." per sample.
rss() {
    local line="$1" p s kb
    for p in "$STATE_DIR"/pids/*.pid; do
        s=$(basename "$p" .pid)
        kb=$(awk '/^VmRSS/ {print $2}' "/proc/$(cat "$p")/status" 2>/dev/null || echo 0)
        line="$line $s=$kb"
    done
    echo "$line" | tee -a "$w/rss.txt" >&2
}
: >"$w/rss.txt"
psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc \
    "SELECT nip FROM identity.pns ORDER BY random() LIMIT 20000" >"$w/nips.txt"
{ echo "local nips = {"; sed 's/.*/"&",/' "$w/nips.txt"; echo "}"
  echo 'request = function() return wrk.format("GET", "/api/v1/pns/" .. nips[math.random(#nips)]) end'; } >"$w/soak.lua"

rss start
wrk -t2 -c"$CONNS" -d30s -s "$w/soak.lua" "$url/" >"$w/warmup.txt"
warm=$(awk '/requests in/ {print $1}' "$w/warmup.txt")
rss "after warm-up ($warm look-ups)"
done_n=$warm; bad=0; round=0; t0=$(date +%s)
while [ "$done_n" -lt "$LOOKUPS" ]; do
    round=$((round + 1))
    wrk -t2 -c"$CONNS" -d"${ROUND}s" -s "$w/soak.lua" "$url/" >"$w/round.txt"
    n=$(awk '/requests in/ {print $1}' "$w/round.txt")
    b=$(awk '/Non-2xx/ {print $NF}' "$w/round.txt"); b=${b:-0}
    done_n=$((done_n + n)); bad=$((bad + b))
    rss "after $done_n look-ups"
done
lookup_s=$(($(date +%s) - t0))
# Registrations: NIPs no look-up round needed to be registered (any will do).
psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc \
    "SELECT p.nip FROM identity.pns p WHERE NOT EXISTS (SELECT 1 FROM registration.account a WHERE a.nip = p.nip)
     ORDER BY p.nip LIMIT $REGS" >"$w/reg-nips.txt"
# In two halves: the first also warms what only registrations use (argon2id's
# memory in registration, libcurl and TLS in notify).
half=$((REGS / 2))
head -n "$half" "$w/reg-nips.txt" >"$w/reg-1.txt"; tail -n +"$((half + 1))" "$w/reg-nips.txt" >"$w/reg-2.txt"
BENCH_STATE_DIR=$STATE_DIR BENCH_PG_PORT=$PG_PORT BASE_URL=$url PUPNS_REDIS_URL=$PUPNS_REDIS_URL \
    /usr/bin/python3 tests/bench/register_wave.py "$w/reg-1.txt" 32 >"$w/wave1.txt" 2>"$w/wave.err" || true
rss "after $half registrations"
BENCH_STATE_DIR=$STATE_DIR BENCH_PG_PORT=$PG_PORT BASE_URL=$url PUPNS_REDIS_URL=$PUPNS_REDIS_URL \
    /usr/bin/python3 tests/bench/register_wave.py "$w/reg-2.txt" 32 >"$w/wave.txt" 2>>"$w/wave.err" || true
rss "after $REGS registrations"
sleep 65 # one purge interval
rss "a minute later"
tables=$(psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "
    SELECT 'registration.session=' || (SELECT count(*) FROM registration.session) || ' registration.command_result=' ||
           (SELECT count(*) FROM registration.command_result) || ' registration.outbox(sent)=' ||
           (SELECT count(*) FROM registration.outbox WHERE sent_at IS NOT NULL) || ' registration.outbox(unsent)=' ||
           (SELECT count(*) FROM registration.outbox WHERE sent_at IS NULL) || ' registration.login_throttle=' ||
           (SELECT count(*) FROM registration.login_throttle)")
echo "tables: $tables" >&2
load=$(bench_load "$w/load.txt")

python3 - "$w/rss.txt" "$done_n" "$bad" "$lookup_s" "$(cat "$w/wave.txt")" "$tables" "$load" "$(bench_commit)" <<'PY' |
import sys
rows = [l.split(" ") for l in open(sys.argv[1]).read().splitlines()]
samples = []
for r in rows:
    label = []
    vals = {}
    for tok in r:
        if "=" in tok and tok.split("=")[1].isdigit():
            k, v = tok.split("=")
            vals[k] = int(v)
        else:
            label.append(tok)
    samples.append((" ".join(label), vals))
n, bad, secs, wave, tables, load, commit = sys.argv[2:9]
wave = wave or "no result"
svcs = sorted({k for _, v in samples for k in v})
print("## Soak (`make bench-soak`)\n")
print(f"One single-node stack (commit {commit}): {int(n):,} NIP look-ups through the gateway in {secs} s "
      f"({int(n) / max(1, int(secs)):,.0f}/s, {bad} not 200), then a registration wave (`{wave}`: "
      f"wave N CONCURRENCY SECONDS REGS_PER_S P50_MS P99_MS FAILURES). Resident memory (VmRSS, MiB) of every "
      f"process, sampled between rounds; load when it ended: {load}.\n")
print("| sample | " + " | ".join(svcs) + " |")
print("|---|" + "---|" * len(svcs))
for label, vals in samples:
    print(f"| {label} | " + " | ".join(f"{vals.get(s, 0) / 1024:.1f}" for s in svcs) + " |")
warm = next((v for l, v in samples if l.startswith("after warm-up")), None)
half = next((v for l, v in samples if l.endswith(" registrations")), None)
last = samples[-1][1]
if warm and half:
    growth = ", ".join(f"{s} {100 * (last.get(s, 0) - warm.get(s, 0)) / max(1, warm.get(s, 1)):+.0f}%" for s in svcs)
    second = ", ".join(f"{s} {100 * (last.get(s, 0) - half.get(s, 0)) / max(1, half.get(s, 1)):+.0f}%" for s in svcs)
    print(f"\nGrowth from the look-ups' warm-up to the last sample: {growth}; over the second half of the "
          f"registrations (after their own warm-up): {second}. Bookkeeping tables at the end: {tables} "
          f"(purged every PUPNS_PURGE_INTERVAL_S; sent outbox rows and sessions keep a day's grace, so a "
          f"soak of minutes shows their bound only in the purge's rules, libcommon/purge.h).")
PY
python3 tests/bench/write_section.py docs/BENCHMARKS.md soak
sed -n '/<!-- soak:begin -->/,/<!-- soak:end -->/p' docs/BENCHMARKS.md
