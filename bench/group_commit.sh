#!/usr/bin/env bash
# Group commit: durable company creates (synchronous=full) with batching on and off, measured
# in the same run on the same binary.
#
#   bench/group_commit.sh        (builds the release binary first; SKIP_BUILD=1 to skip)
#
# Each pair starts two fresh servers over fresh data directories, one with
# ARMARIO_WRITE_BATCH_MAX=64 and one with =1, both running for the whole pair:
#   - light load: one client creating companies on each in turn, ten slices of a second each
#     (bench/light_load.py), so a stall of the disk lands in either server's slices by chance;
#   - throughput: wrk with 64 connections on each, one after the other, each after a `sync`;
#   - light load again after those bursts (printed for the record: the batched server has then
#     written about four times as many companies, so its log and search index have more to
#     catch up on).
# Prints requests/s, p99, the writes per transaction /metrics saw, and the ratios. Two pairs.
# Targets: 64 clients >= 4x the unbatched requests/s; p99 at light load <= 1.2x unbatched.
#
#   STORE=both bench/group_commit.sh   (then the same 64-client burst on PostgreSQL)
#
# With STORE=both, after the pairs a server on a throwaway PostgreSQL 15 (fsync on) takes the
# same burst, and its requests/s and p99 are printed as ratios to the batched SQLite server's
# from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need wrk wrk
need curl curl
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet
export ARMARIO_SYNCHRONOUS=full
STORE=${STORE:-sqlite}
case "$STORE" in sqlite | both) ;; *) echo "bench: STORE is sqlite or both" >&2; exit 1 ;; esac
SECONDS_EACH=${WRK_SECONDS:-10}
SLICES=${LIGHT_SLICES:-10}
# Set by serve().
on_BASE='' on_TOKEN='' off_BASE='' off_TOKEN='' pg_BASE='' pg_TOKEN=''
PAIR=''

work=$(mktemp -d)
PIDS=()
# Stops the servers still running.
stop_servers() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    PIDS=()
}
trap 'stop_servers; stop_postgres; rm -rf "$work"' EXIT

# serve NAME BATCH: starts a server and signs its owner in; sets NAME_BASE and NAME_TOKEN.
serve() {
    local dir="$work/$1-$RANDOM"
    mkdir -p "$dir"
    ARMARIO_WRITE_BATCH_MAX=$2 start_armario "$dir"
    sign_in_owner
    PIDS+=("$ARMARIO_PID")
    printf -v "$1_BASE" '%s' "$BASE"
    printf -v "$1_TOKEN" '%s' "$OWNER_TOKEN"
}

# burst BASE TOKEN: prints "rps p99" of 64 clients creating companies.
burst() {
    local out bad
    # Each burst starts with nothing left for the disk to write back from the one before.
    sync
    out=$(OWNER_TOKEN=$2 RUN=3 wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency -s bench/lua/create_companies.lua "$1")
    bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    [ -z "$bad" ] || echo "warning: $bad non-2xx answers from $1" >&2
    printf '%s %s\n' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(wrk_p99 "$out")"
}

writes_per_transaction() {
    curl -fsS "$1/metrics" | awk '/^armario_write_transactions_total / {t=$2} /^armario_writes_total / {w=$2} END {printf "%.1f", (t > 0 ? w / t : 0)}'
}

# light RUN: one client on each server in turn; prints "on_p99 off_p99".
light() {
    local out
    out=$(python3 bench/light_load.py "$1" "$SLICES" 1 "on=$on_BASE=$on_TOKEN" "off=$off_BASE=$off_TOKEN")
    awk '$5 > 0 {print "warning: " $5 " non-2xx answers from the " $1 " server" > "/dev/stderr"}' <<<"$out"
    printf '%s %s\n' "$(awk '$1 == "on" {print $4}' <<<"$out")" "$(awk '$1 == "off" {print $4}' <<<"$out")"
}

# pair: sets PAIR to "on_rps on_p99 off_rps off_p99 on_light off_light on_after off_after wpt".
pair() {
    serve on 64
    serve off 1
    for who in on off; do
        local base="${who}_BASE" token="${who}_TOKEN"
        OWNER_TOKEN=${!token} RUN=1 wrk -t2 -c8 -d2s -s bench/lua/create_companies.lua "${!base}" >/dev/null
    done
    local light_before on_burst off_burst light_after wpt
    light_before=$(light 2)
    on_burst=$(burst "$on_BASE" "$on_TOKEN")
    wpt=$(writes_per_transaction "$on_BASE")
    off_burst=$(burst "$off_BASE" "$off_TOKEN")
    light_after=$(light 4)
    stop_servers
    PAIR="$on_burst $off_burst $light_before $light_after $wpt"
}

printf '%-6s %11s %8s %11s %8s %13s %13s %13s %13s %6s\n' "pair" "batched r/s" "p99 ms" "single r/s" "p99 ms" \
    "light p99 on" "light p99 off" "after on" "after off" "w/txn"
results=()
for i in 1 2; do
    pair
    results+=("$PAIR")
    # shellcheck disable=SC2086
    printf '%-6s %11s %8s %11s %8s %13s %13s %13s %13s %6s\n' "$i" $PAIR
done
python3 - "${results[@]}" <<'PY'
import sys
for i, r in enumerate(sys.argv[1:], 1):
    on, on99, off, off99, l_on, l_off, a_on, a_off, wpt = map(float, r.split())
    print(f"pair {i}: 64 clients batched/unbatched requests/s {on / off:.2f} (target >= 4.00); "
          f"1 client p99 batched/unbatched {l_on / l_off:.2f} (target <= 1.20); "
          f"after the bursts {a_on / a_off:.2f}")
PY

[ "$STORE" = both ] || exit 0
# The same burst on PostgreSQL: every write its own transaction under the write lock.
start_postgres "$work"
serve pg 64
OWNER_TOKEN=$pg_TOKEN RUN=1 wrk -t2 -c8 -d2s -s bench/lua/create_companies.lua "$pg_BASE" >/dev/null
read -r pg_rps pg_p99 < <(burst "$pg_BASE" "$pg_TOKEN")
stop_servers
printf 'postgresql: 64 clients %s r/s, p99 %s ms\n' "$pg_rps" "$pg_p99"
python3 - "${results[-1]}" "$pg_rps" "$pg_p99" <<'PY'
import sys
on, on99 = map(float, sys.argv[1].split()[:2])
pg, pg99 = float(sys.argv[2]), float(sys.argv[3])
print(f"postgresql / batched sqlite (last pair): requests/s {pg / on:.2f}, p99 {pg99 / on99:.2f}")
PY
