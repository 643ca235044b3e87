#!/usr/bin/env bash
# bench_receipt.sh -- receipts per second per core and p99 render time of the
# receipt service's renderer (libharu, one thread pinned to one core), against
# the same two-half receipt from HTML by headless Chromium (one warm browser
# and page reused: setContent + pdf), measured in the same run; sizes too.
# Two receipts: a name that Windows-1252 holds (every ASCII name: WinAnsi
# fonts only) and an awkward one with ḥ, ʿ, ā (the UTF-8 CID font as well).
# "Per core" is CPU time: the renderer's thread, and every Chromium process
# plus the node driving it (receipt_chromium.mjs), so a loaded machine does
# not count waiting as work. Writes the "receipt" section of docs/BENCHMARKS.md.
#   BENCH_BIN_DIR (default build/rel/bin), RECEIPT_BENCH_N (300), CHROMIUM_BENCH_N (50)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BENCH_BIN_DIR:-$top/build/rel/bin}
n=${RECEIPT_BENCH_N:-300}; cn=${CHROMIUM_BENCH_N:-50}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
pin() { if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$@"; else "$@"; fi; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)
pin "$bin/pupns-receipt-bench" "$n" "$work" >"$work/haru.jsonl"
cat "$work/haru.jsonl" >&2
: >"$work/chromium.jsonl"
if [ -d "$top/tests/browser/node_modules/playwright-core" ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    for c in cp1252 utf8; do
        printf '{"case": "%s", "r": %s}\n' "$c" \
            "$(node "$top/tests/bench/receipt_chromium.mjs" "$work/bench-$c.json" "$cn" "$work/chromium-$c.pdf")" >>"$work/chromium.jsonl"
    done
    cat "$work/chromium.jsonl" >&2
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top" status --porcelain -- services/receipt tests/bench 2>/dev/null | head -1)
python3 - "$work/haru.jsonl" "$work/chromium.jsonl" "$(nproc)" "$n" "$cn" "$load0" "$load1" "$commit${dirty:+ + uncommitted changes}" \
    <<'PY' | python3 "$top/tests/bench/write_section.py" "$top/docs/BENCHMARKS.md" receipt
import datetime, json, sys
haru = {(d["case"], d["kind"]): d for d in map(json.loads, open(sys.argv[1]))}
chrome = {d["case"]: d["r"] for d in map(json.loads, open(sys.argv[2]))}
cpus, n, cn, load0, load1, commit = sys.argv[3:9]
names = {"cp1252": "Windows-1252 name", "utf8": "name with ḥ ʿ ā"}
print(f"## Receipts (`make bench-receipt`, {datetime.date.today()})\n")
print(f"The receipt service's renderer (libharu 2.3.0; DejaVu subsets as simple WinAnsi TrueType fonts, plus DejaVu "
      f"Sans as a UTF-8 CID font only when a text needs a character beyond Windows-1252; the QR code as one image) in "
      f"one thread pinned to one core, {n} renders of each document after a warm-up, against the same two-half Bukti "
      f"Registrasi from HTML by Debian's Chromium driven by playwright-core with one warm browser and page "
      f"(`setContent` + `pdf`, {cn} renders), for two registrations: a name that Windows-1252 holds (every ASCII name "
      f"is one: `Raden Ajeng Siti Nurhaliza Kusumawardhani Prawiranegara`) and `Ḥusayn ʿAbd al-Raḥmān O'Brien Āditya "
      f"Prawiranegara`. **Per core** is receipts per CPU-second: the renderer thread's CPU time, and the CPU time of "
      f"every Chromium process (browser, renderer, GPU, utility) and of the node process driving it. Commit {commit}; "
      f"{cpus} CPUs shared with other work, load average {load0} at the start and {load1} at the end (a loaded "
      f"machine stretches wall-clock times, Chromium's several processes more than one thread; CPU time much less).\n")
print("| renderer | receipt | document | receipts/s per core | CPU p50 ms | CPU p99 ms | wall p50 ms | wall p99 ms | PDF bytes |")
print("|---|---|---|---|---|---|---|---|---|")
for case in ("cp1252", "utf8"):
    for kind, label in (("bukti", "Bukti Registrasi"), ("formulir", "Formulir")):
        d = haru[(case, kind)]
        print(f"| libharu (receipt service) | {names[case]} | {label} | {d['cpu_per_s']:.0f} | {d['cpu_p50_ms']:.2f} | "
              f"{d['cpu_p99_ms']:.2f} | {d['p50_ms']:.2f} | {d['p99_ms']:.2f} | {d['bytes']} |")
for case in ("cp1252", "utf8"):
    if case in chrome:
        c = chrome[case]
        print(f"| Chromium, warm page | {names[case]} | Bukti Registrasi | {c['cpu_per_s']:.1f} | {c['cpu_ms']:.1f} (mean) | | "
              f"{c['p50_ms']:.1f} | {c['p99_ms']:.1f} | {c['bytes']} |")
print()
if not chrome:
    print("Chromium or playwright-core missing: no comparison in this run.")
    sys.exit(0)
lines = []
for case in ("cp1252", "utf8"):
    b, c = haru[(case, "bukti")], chrome[case]
    per_core = b["cpu_per_s"] / c["cpu_per_s"]
    wall = c["p50_ms"] / b["p50_ms"]
    size = c["bytes"] / b["bytes"]
    met = per_core >= 25 and b["bytes"] < c["bytes"]
    lines.append(f"- **{names[case]}**: libharu renders a Bukti in {b['cpu_p50_ms']:.2f} ms of CPU (p99 "
                 f"{b['cpu_p99_ms']:.2f} ms), Chromium in {c['cpu_ms']:.1f} ms of CPU: **{per_core:.0f}x the receipts per "
                 f"second per core** ({wall:.0f}x by wall-clock p50), a {size:.2f}x smaller file. Target of issue 9 "
                 f"(25x per core, a smaller file): " + ("**met**." if met else "**not met**."))
print("\n".join(lines))
q = {case: 22 / haru[(case, "bukti")]["cpu_p50_ms"] for case in ("cp1252", "utf8")}
print(f"\nThe issue quotes about 22 ms for a warm Chromium receipt; this machine's Chromium took "
      f"{chrome['cp1252']['cpu_ms']:.0f} ms of CPU ({chrome['cp1252']['p50_ms']:.0f} ms wall p50) in this run. Against "
      f"the 22 ms figure instead (25x: 0.88 ms) the Windows-1252 Bukti is {q['cp1252']:.0f}x and the UTF-8 one "
      f"{q['utf8']:.0f}x. A name beyond Windows-1252 pays for libharu's UTF-8 CID font, which walks all 65,536 code "
      f"points for its widths and CIDToGIDMap and deflates a 128 KB map and the Latin font in every document that "
      f"needs it (docs/RECEIPTS.md); most names never do. CPU times vary by about 30% between runs on this shared "
      f"machine (the renderer's Bukti p50 has read 0.79 to 1.11 ms).")
PY
sed -n '/<!-- receipt:begin -->/,/<!-- receipt:end -->/p' "$top/docs/BENCHMARKS.md"
