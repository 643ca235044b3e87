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
if [ "${VERIFIER_BENCH_STACK:-bench}" = own ]; then
    source "$TOP/infra/stack/env.sh"
else
    bench_stack 1
    source "$TOP/infra/stack/env.sh"
    bench_up
    bench_start 4000
fi
export BASE_URL=http://127.0.0.1:$PUPNS_HTTP_PORT PG_PORT TOP
load=$(bench_load "$work/verifier-load.txt")
bench_cpu_snap "$work/verifier-cpu-a"
res=$(/usr/bin/python3 "$TOP/tests/bench/verifier_bench.py")
bench_cpu_snap "$work/verifier-cpu-b"
cpu=$(bench_cpu_diff "$work/verifier-cpu-a" "$work/verifier-cpu-b")
echo "$res" >"$work/verifier.json"
echo "$res" >&2
python3 - "$res" "$load" "$(bench_commit)" "$cpu" "$(nproc)" <<'PY' | python3 "$TOP/tests/bench/write_section.py" "$TOP/docs/BENCHMARKS.md" bench-verifier
import json, sys
r = json.loads(sys.argv[1]); load, commit, cpu, cpus = sys.argv[2:6]
n = r["units"] * r["per_unit"]
print("## bench-verifier — one BKD's verification: marks, batches, acceptance\n")
print(f"One BKD (one instansi) with {r['units']} unit kerja of {r['per_unit']} PNS ({n:,} receipts). The registrations "
      f"enter as {n:,} `registration.completed` events produced straight into Kafka with kcat (the public contract), "
      f"not as {n:,} argon2id registrations through the gateway: this measures the verifier, `bench-register` the "
      f"registrations. One Verifikator 1 per unit; {r['threads']} HTTP clients mark every receipt by its typed number "
      f"through the gateway (each mark: session check, scope check, the mark, its audit row and its outbox event in "
      f"one transaction); then each unit's receipts go into one batch submitted at once, and Verifikator 2 accepts "
      f"each batch, which activates its unit. Commit {commit}; {cpus} CPUs shared with other work ({load}).\n")
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
PY
sed -n '/<!-- bench-verifier:begin -->/,/<!-- bench-verifier:end -->/p' "$TOP/docs/BENCHMARKS.md"
