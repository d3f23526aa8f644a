#!/usr/bin/env bash
# Group commit: durable company creates (synchronous=full) with batching on and off, measured
# in the same run on the same binary.
#
#   bench/group_commit.sh        (builds the release binary first; SKIP_BUILD=1 to skip)
#
# For each setting (ARMARIO_WRITE_BATCH_MAX=64, then 1, then 64 and 1 again so drift shows)
# a fresh server over a fresh data directory takes POST /api/v1/companies from wrk: 64
# connections for the throughput, then 1 connection for the latency at light load. Prints
# requests/s, p99, the batch size /metrics saw, and the ratios.
# Targets: 64 clients >= 4x the unbatched requests/s; p99 at light load <= 1.2x unbatched.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need wrk wrk
need curl curl
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet
export ARMARIO_SYNCHRONOUS=full
SECONDS_EACH=${WRK_SECONDS:-10}

work=$(mktemp -d)
ARMARIO_PID=
trap '[ -z "$ARMARIO_PID" ] || stop_armario; rm -rf "$work"' EXIT

# measure BATCH: prints "rps64 p99_64 rps1 p99_1 writes_per_transaction".
measure() {
    local dir="$work/batch-$1-$RANDOM" out64 out1
    mkdir -p "$dir"
    ARMARIO_WRITE_BATCH_MAX=$1 start_armario "$dir"
    sign_in_owner
    export OWNER_TOKEN
    RUN=1 wrk -t2 -c8 -d2s -s bench/lua/create_companies.lua "$BASE" >/dev/null
    out64=$(RUN=2 wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency -s bench/lua/create_companies.lua "$BASE")
    out1=$(RUN=3 wrk -t1 -c1 -d"${SECONDS_EACH}s" --latency -s bench/lua/create_companies.lua "$BASE")
    local ratio
    ratio=$(curl -fsS "$BASE/metrics" | awk '/^armario_write_transactions_total / {t=$2} /^armario_writes_total / {w=$2} END {printf "%.1f", (t > 0 ? w / t : 0)}')
    stop_armario
    ARMARIO_PID=
    for out in "$out64" "$out1"; do
        local bad
        bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
        [ -z "$bad" ] || echo "warning: $bad non-2xx answers with batch $1" >&2
    done
    printf '%s %s %s %s %s\n' \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out64")" "$(p99 "$out64")" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out1")" "$(p99 "$out1")" "$ratio"
}

p99() {
    awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$1"
}

printf '%-10s %14s %10s %14s %10s %12s\n' "batch" "64 clients r/s" "p99 ms" "1 client r/s" "p99 ms" "writes/txn"
results=()
for batch in 64 1 64 1; do
    line=$(measure "$batch")
    results+=("$batch $line")
    # shellcheck disable=SC2086
    printf '%-10s %14s %10s %14s %10s %12s\n' "$batch" $line
done
python3 - "${results[@]}" <<'PY'
import sys
on, off = [], []
for r in sys.argv[1:]:
    b, *v = r.split()
    (on if b != "1" else off).append(list(map(float, v)))
for i, (a, b) in enumerate(zip(on, off), 1):
    print(f"pair {i}: 64 clients batched/unbatched requests/s {a[0] / b[0]:.2f} (target >= 4.00); "
          f"1 client p99 batched/unbatched {a[3] / b[3]:.2f} (target <= 1.20)")
PY
