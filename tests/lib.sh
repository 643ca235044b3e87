# lib.sh -- sourced by shell tests: TAP output and HTTP helpers.
# Needs BASE_URL (the gateway under test).
TAP_N=0
tap_ok()   { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
tap_fail() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $1"; [ -n "${2:-}" ] && echo "#   $2"; return 0; }
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
# check NAME COMMAND...: passes when the command succeeds.
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then tap_ok "$name"; else tap_fail "$name" "failed: $*"; fi; }
# is GOT WANT NAME
is() { if [ "$1" = "$2" ]; then tap_ok "$3"; else tap_fail "$3" "got '$1', want '$2'"; fi; }

# req METHOD PATH [JSON_BODY] -> STATUS, BODY, CTYPE
req() {
    local method=$1 path=$2 body=${3-} out
    out=$(mktemp)
    if [ -n "$body" ]; then
        printf '%s' "$body" >"$out.body" # a file, not an argument: bodies may be large
        CTYPE=$(curl -s -o "$out" -w '%{http_code} %{content_type}' -X "$method" \
            -H 'Content-Type: application/json' --data-binary "@$out.body" "$BASE_URL$path")
        rm -f "$out.body"
    else
        CTYPE=$(curl -s -o "$out" -w '%{http_code} %{content_type}' -X "$method" "$BASE_URL$path")
    fi
    STATUS=${CTYPE%% *}; CTYPE=${CTYPE#* }
    BODY=$(cat "$out"); rm -f "$out"
}
# jget FILTER: reads a JSON field from BODY (python, no jq dependency)
jget() { printf '%s' "$BODY" | /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d = d[int(k)] if isinstance(d, list) else d.get(k) if isinstance(d, dict) else None
print('' if d is None else d)" "$1" 2>/dev/null; }

# Kafka nodes of the stack under test (needs TOP, STACK_NAME, STACK_BASE):
# kafka_nodes prints the node count; kafka_leader TOPIC PARTITION the leader's
# node id (= node number); kafka_kill N / kafka_start N SIGKILL or restart
# node N (kafka_start waits until it is back and no partition is under-replicated).
kafka_nodes()  { cat "$TOP/.stack/$STACK_NAME/kafka-nodes" 2>/dev/null || echo 1; }
kafka_leader() { "$TOP/infra/stack/stack.sh" kafka-leader "$STACK_NAME" "$STACK_BASE" "$1" "$2"; }
kafka_kill()   { "$TOP/infra/stack/stack.sh" kafka-kill "$STACK_NAME" "$STACK_BASE" "$1"; }
kafka_start()  { "$TOP/infra/stack/stack.sh" kafka-start "$STACK_NAME" "$STACK_BASE" "$1"; }

# Test data ranges (tests/ranges.tsv; tests/README.md "Test data ranges"):
# test_range NAME prints "FIRST LAST" (rows of identity.pns in NIP order,
# 1-based; row n is NIPS_FILE line n); range_nips NAME [I [J]] prints the
# range's NIPS_FILE lines (only its I-th, or its I-th to J-th, counted from 1);
# ranges_last [file|db] prints the highest row of all ranges (or of those from
# NIPS_FILE / the database).
RANGES_TSV=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/ranges.tsv
test_range() {
    awk -F'\t' -v n="$1" '!/^#/ && $1 == n { print $2, $3; f = 1; exit }
        END { if (!f) { print "no test data range " n " in tests/ranges.tsv" > "/dev/stderr"; exit 1 } }' "$RANGES_TSV"
}
range_nips() {
    local r first last a b
    r=$(test_range "$1") || return 1
    read -r first last <<<"$r"
    a=$((first + ${2:-1} - 1)); b=$((first + ${3:-${2:-$((last - first + 1))}} - 1))
    if [ "$a" -lt "$first" ] || [ "$b" -gt "$last" ] || [ "$a" -gt "$b" ]; then
        echo "range_nips $*: outside range $1 ($first-$last)" >&2; return 1
    fi
    if [ -z "${NIPS_FILE:-}" ] || [ "$(wc -l <"$NIPS_FILE")" -lt "$b" ]; then
        echo "range_nips $*: NIPS_FILE (${NIPS_FILE:-unset}) has no line $b" >&2; return 1
    fi
    sed -n "${a},${b}p" "$NIPS_FILE"
}
ranges_last() {
    awk -F'\t' -v w="${1:-}" '!/^#/ && NF >= 5 && (w == "" || $5 == w) && $3 + 0 > m { m = $3 + 0 } END { print m + 0 }' "$RANGES_TSV"
}
