#!/usr/bin/env bash
# Backup benchmark: builds a database of about SIZE_MIB (default 1024), then in the same run
#   1. times `armario backup now` (local target) against SQLite's online backup API (rusqlite)
#      and `sqlite3 .backup` of the same file, and prints the ratios;
#   2. measures the p99 latency of a concurrent write load (one writer, WAL, synchronous=FULL)
#      with and without a backup running, and prints the ratio.
# Absolute numbers depend on the machine; read the ratios.
#
# Usage: bench/backup.sh            (SIZE_MIB=256 bench/backup.sh for a quicker run)
# Needs: cargo; sqlite3 on PATH for the sqlite3 comparison (skipped otherwise).
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/armario-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "building (release)..." >&2
cargo build --release --quiet --example backup_bench --bin armario
BENCH="$TARGET_DIR/release/examples/backup_bench"
ARMARIO="$TARGET_DIR/release/armario"
# The same throwaway key as the example's BENCH_KEY, for the CLI.
export ARMARIO_MASTER_KEY
ARMARIO_MASTER_KEY=$(printf '42%.0s' $(seq 32))

DATA="$WORK/data"
"$BENCH" make-db "$DATA" "$SIZE_MIB"
DB="$DATA/armario.db"
sync

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
value() { awk -v k="$1" '$1 == k { print $2 }'; }

# The CLI once it has `backup now`; until then the engine through the example.
if "$ARMARIO" backup now --help 2>&1 | grep -qi usage; then
    run_backup() { "$ARMARIO" backup now --data-dir "$DATA" >/dev/null; }
    HOW="armario backup now"
else
    run_backup() { "$BENCH" backup "$DATA" >/dev/null; }
    HOW="backup_bench backup (engine; the CLI has no 'backup now' yet)"
fi

echo "== backup time, $(du -m "$DB" | cut -f1) MiB database =="
T_RUSQLITE=$("$BENCH" sqlite-backup "$DB" "$WORK/copy-rusqlite.db" | value rusqlite_backup)
rm -f "$WORK/copy-rusqlite.db"
echo "rusqlite backup API:  ${T_RUSQLITE}s"
T_SQLITE3=""
if command -v sqlite3 >/dev/null; then
    start=$(now)
    sqlite3 "$DB" ".backup '$WORK/copy-sqlite3.db'"
    T_SQLITE3=$(elapsed "$start")
    rm -f "$WORK/copy-sqlite3.db"
    echo "sqlite3 .backup:      ${T_SQLITE3}s"
else
    echo "sqlite3 .backup:      skipped (sqlite3 not installed)"
fi
start=$(now)
run_backup
T_ARMARIO=$(elapsed "$start")
STORED=$(du -m "$DATA/backups" | cut -f1)
echo "$HOW: ${T_ARMARIO}s (stored ${STORED} MiB, compressed and encrypted)"
echo "ratio armario / rusqlite backup API: $(ratio "$T_ARMARIO" "$T_RUSQLITE")"
[ -n "$T_SQLITE3" ] && echo "ratio armario / sqlite3 .backup:      $(ratio "$T_ARMARIO" "$T_SQLITE3")"

echo "== write latency under load =="
load() { # $1: what runs while the writer writes
    local stop="$WORK/stop" out="$WORK/load.out"
    rm -f "$stop"
    "$BENCH" write-load "$DB" "$stop" >"$out" &
    local pid=$!
    sleep 1
    "$1"
    sleep 1
    touch "$stop"
    wait "$pid"
    cat "$out"
}
pause_like_backup() { sleep "$T_ARMARIO"; }
# Baselines before and after the loaded run, so a neighbour's burst of disk traffic shows up
# as a gap between them rather than as a false ratio.
ALONE1=$(load pause_like_backup)
WITH=$(load run_backup)
ALONE2=$(load pause_like_backup)
P99_ALONE=$(awk -v a="$(echo "$ALONE1" | value p99_ms)" -v b="$(echo "$ALONE2" | value p99_ms)" 'BEGIN { printf "%.3f", (a + b) / 2 }')
P99_WITH=$(echo "$WITH" | value p99_ms)
for run in "writes alone (before):|$ALONE1" "writes with backup:|$WITH" "writes alone (after):|$ALONE2"; do
    label=${run%%|*}
    out=${run#*|}
    printf '%-22s %s writes, p50 %s ms, p99 %s ms\n' "$label" \
        "$(echo "$out" | value writes)" "$(echo "$out" | value p50_ms)" "$(echo "$out" | value p99_ms)"
done
echo "ratio write p99 with backup / without (mean of both): $(ratio "$P99_WITH" "$P99_ALONE")"
