#!/usr/bin/env bash
# bench_verifier.sh -- one BKD's verification at scale (tests/bench/verifier_bench.py):
# VERIFIER_BENCH_UNITS (200) units of VERIFIER_BENCH_PER_UNIT (500) PNS go through
# marking, batching and acceptance; marks/s, p50/p99, and the time from the first
# mark to the last unit activated. Writes the "bench-verifier" section of
# docs/BENCHMARKS.md. Runs on the single-node bench stack (common.sh), or on the
# stack named by STACK_NAME/STACK_BASE/PUPNS_HTTP_PORT when VERIFIER_BENCH_STACK=own
# (already running: nothing is started or stopped).
set -euo pipefail
source "$(dirname "$0")/common.sh"
# VERIFIER_BENCH_REWRITE=1: only rewrite the section from the last run's saved results.
if [ "${VERIFIER_BENCH_REWRITE:-0}" = 1 ]; then
    :
elif [ "${VERIFIER_BENCH_STACK:-bench}" = own ]; then
    source "$TOP/infra/stack/env.sh"
else
    bench_stack 1
    source "$TOP/infra/stack/env.sh"
    bench_up
    bench_start 4000
fi
if [ "${VERIFIER_BENCH_REWRITE:-0}" != 1 ]; then
    export BASE_URL=http://127.0.0.1:$PUPNS_HTTP_PORT PG_PORT TOP
    load=$(bench_load "$work/verifier-load.txt")
    bench_cpu_snap "$work/verifier-cpu-a"
    res=$(/usr/bin/python3 "$TOP/tests/bench/verifier_bench.py")
    bench_cpu_snap "$work/verifier-cpu-b"
    cpu=$(bench_cpu_diff "$work/verifier-cpu-a" "$work/verifier-cpu-b")
    echo "$res" >"$work/verifier.json"
    bench_save "$work/verifier-run.env" "LOAD=$load" "COMMIT=$(bench_commit)" "CPU=$cpu" \
        "STACK=$STACK_NAME, $PUPNS_KAFKA_NODES Kafka node(s)" "DATE=$(date -u +%Y-%m-%d)"
    echo "$res" >&2
fi
res=$(cat "$work/verifier.json")
saved() { sed -n "s/^$1=//p" "$work/verifier-run.env" | tail -1; }
python3 - "$res" "$(saved LOAD)" "$(saved COMMIT)" "$(saved CPU)" "$(nproc)" "$(saved STACK)" "$(saved DATE)" <<'PY' | python3 "$TOP/tests/bench/write_section.py" "$TOP/docs/BENCHMARKS.md" bench-verifier
import json, sys
r = json.loads(sys.argv[1]); load, commit, cpu, cpus, stack, date = sys.argv[2:8]
n = r["units"] * r["per_unit"]
print(f"## bench-verifier — one BKD's verification: marks, batches, acceptance ({date})\n")
print(f"One BKD (one instansi) with {r['units']} unit kerja of {r['per_unit']} PNS ({n:,} receipts). The registrations "
      f"enter as {n:,} `registration.completed` events produced straight into Kafka with kcat (the public contract), "
      f"not as {n:,} argon2id registrations through the gateway: this measures the verifier, `bench-register` the "
      f"registrations. One Verifikator 1 per unit; {r['threads']} HTTP clients mark every receipt by its typed number "
      f"through the gateway (each mark: session check, scope check, the mark, its audit row and its outbox event in "
      f"one transaction); then each unit's receipts go into one batch submitted at once, and Verifikator 2 accepts "
      f"each batch, which activates its unit. Stack {stack}; commit {commit}; {cpus} CPUs shared with other work "
      f"({load}).\n")
print("| phase | count | time | rate | p50 | p99 |")
print("|---|---|---|---|---|---|")
print(f"| registration events applied | {r['pns']:,} of {n:,} | {r['ingest_s']} s | {r['events_per_s']:,}/s | | |")
print(f"| marks (HTTP, typed number) | {r['marks']:,} ({r['mark_errors']} errors) | {r['mark_s']} s | "
      f"**{r['marks_per_s']:,} marks/s** | {r['mark_p50_ms']} ms | **{r['mark_p99_ms']} ms** |")
print(f"| batches created and submitted | {r['batches']} | {r['batch_s']} s | | | {r['batch_p99_ms']} ms |")
print(f"| batches accepted (each activating its unit) | {r['accepted']} accepted, {r['active_units']} units active | {r['accept_s']} s | | | "
      f"{r['accept_p99_ms']} ms |")
what = f"Time to activate all {r['units']} units" if r["active_units"] == r["units"] else "Time to the last acceptance"
print(f"\n**{what}: {r['mark_to_all_active_s']} s** from the first mark to the last "
      f"acceptance ({r['active_units']} of {r['units']} units active). Requests the gateway timed out (504, "
      f"PUPNS_REQUEST_TIMEOUT_MS) are retried as a person would; a retried create or accept that had committed is "
      f"found by reading the batch. Process CPU over the run (seconds; `other` is the rest of the shared machine): {cpu}.")
def secs(label):
    return sum(float(kv.split("=")[1]) for kv in cpu.split() if kv.startswith(label))
stack_cpu = sum(float(kv.split("=")[1]) for kv in cpu.split() if "=" in kv and not kv.startswith(("other=", "idle=")))
print(f"\nReading it: the stack's processes used {stack_cpu:.0f} CPU-seconds over the run, the rest of the shared "
      f"machine {secs('other='):.0f} (idle {secs('idle='):.0f}), so these are floor figures for 2 cores, not the "
      f"service's ceiling (the snapshot spans the whole run: the events applied, and the receipt service storing "
      f"and signing a receipt for each, as well as the marks). PostgreSQL is the stack's largest consumer "
      f"({secs('postgres='):.0f} s, {secs('postgres=') / max(r['marks'], 1) * 1000:.1f} ms per receipt, event and "
      f"mark together): a mark is one transaction of 8 statements "
      f"(the session, the receipt's PNS, the mark, the reply's row, its audit row, its outbox event, BEGIN/COMMIT) "
      f"and one commit; the verifier itself used {secs('verifier-1='):.0f} s "
      f"({secs('verifier-1=') / max(r['marks'], 1) * 1000:.2f} ms per receipt). Registration events are applied one "
      f"transaction each, in order per partition by one worker (their order per NIP matters), which bounds ingest "
      f"at one commit per event. Batches are cheap next to marks: a batch of 500 is one INSERT ... SELECT.")
PY
sed -n '/<!-- bench-verifier:begin -->/,/<!-- bench-verifier:end -->/p' "$TOP/docs/BENCHMARKS.md"
