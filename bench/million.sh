#!/usr/bin/env bash
# A million companies (issue 15, part 3), measured in one run on a generated database:
#
#   - the five reads at 16 concurrent connections (wrk; p99 and requests/s, target p99 <= 20 ms
#     each): the companies list, search by name ("sao paulo" finds "São Paulo") and by CNPJ
#     prefix, one company's users, one company's audit log over a quarter, one company's usage
#     over a month;
#   - the time from exec to /readyz answering 200 (target <= 1 s);
#   - resident memory under that load (VmHWM, target <= 100 MB);
#   - `armario backup now` against `sqlite3 .backup` of the same file (target <= 3x), and the
#     verification that follows it (`backup verify latest`), timed apart.
#
#   bench/million.sh                      (1,000,000 companies; SKIP_BUILD=1 skips the build)
#   COMPANIES=20000 bench/million.sh      (a small check of the script)
#   MILLION_DIR=/var/tmp/million bench/million.sh   (keeps the database there and reuses it)
#   SKIP_BACKUP=1 bench/million.sh        (the reads, ready and memory only)
#   STORE=postgres bench/million.sh       (the same on PostgreSQL; STORE=both: the file, then it)
#
# With STORE=postgres or both, the generated file is moved into a throwaway PostgreSQL 15
# (fsync on) with `armario migrate-store` (timed, with its per-table check), and the same
# reads, start, memory and backup are measured on it; the backup's baseline is then
# `pg_dump --format=custom` of the same database. With both, the table ends with PostgreSQL's
# figures as ratios to the file's.
#
# The database: armario's own migrations, then bench/million_fill.py (3 users and 10 chained
# audit events per company, 1,000 applications with 20 links each, 120 days of usage for 5 links of each application).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
# armario refuses unknown ARMARIO_* variables: the binary's path stays in this shell.
export -n ARMARIO_BIN
need wrk wrk
need curl curl
need sqlite3 sqlite3
COMPANIES=${COMPANIES:-1000000}
STORE=${STORE:-sqlite}
case "$STORE" in sqlite | postgres | both) ;; *) echo "bench: STORE is sqlite, postgres or both" >&2; exit 1 ;; esac
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet
dir=${MILLION_DIR:-$(mktemp -d)}
mkdir -p "$dir"
ARMARIO_PID=
trap '[ -z "$ARMARIO_PID" ] || stop_armario; stop_postgres; [ -n "${MILLION_DIR:-}" ] || rm -rf "$dir"' EXIT
# One key for every start over the same data, kept beside a reused database.
[ -f "$dir/master.key" ] || python3 -c 'import secrets; print(secrets.token_hex(32))' >"$dir/master.key"
export ARMARIO_MASTER_KEY
ARMARIO_MASTER_KEY=$(cat "$dir/master.key")
db="$dir/data/armario.db"
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# serve_until_ready LOG_LEVEL POLL_SECONDS: starts armario on the data and waits for /readyz.
serve_until_ready() {
    local port
    port=$(free_port)
    env RUST_LOG="$1" "${STORE_ENV[@]}" "$ARMARIO_BIN" serve --addr "127.0.0.1:$port" --data-dir "$dir/data" >"$dir/server.log" 2>&1 &
    ARMARIO_PID=$!
    until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
        kill -0 "$ARMARIO_PID" 2>/dev/null || { cat "$dir/server.log"; exit 1; }
        sleep "$2"
    done
}

# What the server and the CLI need to find a PostgreSQL store (set by use_postgres).
STORE_ENV=()

if [ ! -f "$dir/filled" ]; then
    echo "== generating $COMPANIES companies in $dir"
    rm -rf "$dir/data"
    start_armario "$dir"
    sign_in_owner
    echo "$OWNER_TOKEN" >/dev/null
    stop_armario
    ARMARIO_PID=
    started=$(date +%s.%N)
    python3 bench/million_fill.py "$db" "$COMPANIES"
    sqlite3 "$db" 'PRAGMA journal_mode = WAL; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    echo "generated in $(secs "$started") s; armario.db is $(($(stat -c %s "$db") / 1048576)) MiB"
    # The generator writes people in clear, as an older armario left them: the first start
    # seals them under their companies' keys (once), so the starts timed below are ordinary.
    echo "== first start: sealing the generated people under their companies' keys"
    started=$(date +%s.%N)
    serve_until_ready info 0.5
    echo "sealed and ready in $(secs "$started") s: $(grep -o 'keys_created=[0-9]*.*users_sealed=[0-9]*' "$dir/server.log" | head -n1)"
    stop_armario
    ARMARIO_PID=
    touch "$dir/filled"
fi

# measure LABEL: the starts, the reads, memory and the backup on the store STORE_ENV names;
# prints the table and, for STORE=both, keeps "LABEL rps… p99… ready hwm" in $dir/LABEL.figures.
measure() {
    local label=$1 plain_name=sqlite3\ .backup
    [ "$label" = sqlite ] || plain_name=pg_dump
    echo "== time to ready (3 starts)"
    ready_ms=()
    for _ in 1 2 3; do
        started=$(date +%s.%N)
        serve_until_ready warn 0.005
        ready_ms+=("$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
        stop_armario
    done
    ARMARIO_PID=
    echo "each: ${ready_ms[*]} ms"

    DATABASE_URL=${DATABASE_URL:-} start_armario "$dir"
    OWNER_TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"email":"owner@bench.test","password":"bench-password-1"}' | json_field '["token"]')
    # The chain is verified in the background after every start (10 million events here, on a
    # thread that steps aside for requests): wait for this start's check, so the reads are
    # measured on a server done with its start-up work, and say whether the chain holds.
    started=$(date +%s.%N)
    since=$(date -u +%FT%T)
    until verified=$(curl -fsS -H "Authorization: Bearer $OWNER_TOKEN" "$BASE/api/v1/audit-integrity" \
        | json_field '["verified_at"]') && [ "$verified" != None ] && [[ "$verified" > "$since" ]]; do
        sleep 0.5
    done
    chain=$(curl -fsS "$BASE/readyz" | json_field '["checks"]["audit_chain"]')
    echo "audit chain at start: $chain (verified in about $(secs "$started") s)"
    [ "$chain" = ok ] || echo "warning: the audit chain is not intact"
    rss_mib() { awk '$1 == "VmRSS:" { printf "%d", $2 / 1024 }' "/proc/$ARMARIO_PID/status"; }
    hwm_mib() { awk '$1 == "VmHWM:" { printf "%d", $2 / 1024 }' "/proc/$ARMARIO_PID/status"; }
    echo "resident after start and the chain check: $(rss_mib) MiB (peak $(hwm_mib) MiB)"

    company=$(printf 'cmp_%032x' $(((COMPANIES + 1) / 2)))
    # The first ten characters of that company's formatted CNPJ (the generator's base is its number).
    cnpj_prefix=$(printf '%08d' $(((COMPANIES + 1) / 2)) | sed -E 's/^(..)(...)(...)$/\1.\2.\3/')
    month_to=$(date -u -d 'yesterday' +%F)
    month_from=$(date -u -d '30 days ago' +%F)
    quarter_from=$(date -u -d '90 days ago' +%FT%TZ)
    # The usage company is one with links (the first companies are linked).
    usage_company=$(printf 'cmp_%032x' 21)
    reads=(
        "list|/api/v1/companies?limit=50"
        "search name|/api/v1/companies?limit=50&q=sao%20paulo%2012"
        "search CNPJ|/api/v1/companies?limit=50&q=$cnpj_prefix"
        "company users|/api/v1/companies/$company/users?limit=50"
        "audit by period|/api/v1/audit-events?company_id=$company&from=$quarter_from&limit=50"
        "usage by month|/api/v1/usage?company_id=$usage_company&from=$month_from&to=$month_to&limit=50"
    )
    for r in "${reads[@]}"; do
        curl -fsS -o /dev/null -H "Authorization: Bearer $OWNER_TOKEN" "$BASE${r#*|}" \
            || { echo "bench: ${r#*|} failed"; exit 1; }
    done
    # The baseline of this run: the same server and middleware, no auth, no database.
    WRK_SECONDS=2 WRK_CONNECTIONS=16 wrk_run warmup "$BASE/healthz" >/dev/null
    read -r _ base_rps base_p99 _ < <(WRK_CONNECTIONS=16 wrk_run x "$BASE/healthz")
    results=()
    for r in "${reads[@]}"; do
        WRK_SECONDS=2 WRK_CONNECTIONS=16 wrk_run warmup "$BASE${r#*|}" "Authorization: Bearer $OWNER_TOKEN" >/dev/null
        read -r _ rps p99 bad < <(WRK_CONNECTIONS=16 wrk_run x "$BASE${r#*|}" "Authorization: Bearer $OWNER_TOKEN")
        results+=("${r%%|*}|$rps|$p99|$bad")
        echo "resident after ${r%%|*}: $(rss_mib) MiB (peak $(hwm_mib) MiB)"
    done
    hwm_kib=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$ARMARIO_PID/status")

    stop_armario
    ARMARIO_PID=
    if [ "${SKIP_BACKUP:-}" != 1 ]; then
        echo "== backup: armario backup now against $plain_name"
        rm -f "$dir/copy.db"
        started=$(date +%s.%N)
        if [ "$label" = postgres ]; then
            # As armario's own dump sees the rows: the platform's side of the company wall.
        env PGOPTIONS='-c armario.scope=platform' "$PG_BIN/pg_dump" --format=custom --compress=0 \
            --enable-row-security --file "$dir/copy.db" "$DATABASE_URL"
        else
            sqlite3 "$db" ".backup '$dir/copy.db'"
        fi
        plain_s=$(secs "$started")
        rm -f "$dir/copy.db"
        started=$(date +%s.%N)
        env "${STORE_ENV[@]}" "$ARMARIO_BIN" backup now --data-dir "$dir/data" >"$dir/backup.log" 2>&1 || { cat "$dir/backup.log"; exit 1; }
        armario_s=$(secs "$started")
        # The verification that follows each run (the server's runs verify themselves), timed apart.
        started=$(date +%s.%N)
        env "${STORE_ENV[@]}" "$ARMARIO_BIN" backup verify latest --data-dir "$dir/data" >>"$dir/backup.log" 2>&1 || { cat "$dir/backup.log"; exit 1; }
        verify_s=$(secs "$started")
        grep -o 'backup steps timed.*' "$dir/backup.log" || true
    fi

    echo
    echo "[$label]"
    printf '%-22s %12s %10s %10s %10s %s\n' "read (16 connections)" "requests/s" "of healthz" "p99 ms" "target" "p99 / target"
    printf '%-22s %12s %10s %10s\n' "GET /healthz" "$base_rps" "1.00" "$base_p99"
    for r in "${results[@]}"; do
        IFS='|' read -r name rps p99 bad <<<"$r"
        ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.3f", a / (b > 0 ? b : 1) }')
        printf '%-22s %12s %10s %10s %10s %s\n' "$name" "$rps" "$ratio" "$p99" "20 ms" "$(awk -v p="$p99" 'BEGIN { printf "%.2f%s", p / 20, (p <= 20 ? "" : "  MISSED") }')"
        [ "$bad" = 0 ] || echo "warning: $bad non-2xx answers for $name"
    done
    median_ready=$(printf '%s\n' "${ready_ms[@]}" | sort -n | sed -n 2p)
    printf '%-22s %12s %10s %s\n' "ready (median of 3)" "$median_ready ms" "1000 ms" "$(awk -v v="$median_ready" 'BEGIN { printf "%.2f%s", v / 1000, (v <= 1000 ? "" : "  MISSED") }')"
    printf '%-22s %12s %10s %s\n' "resident peak (VmHWM)" "$((hwm_kib / 1024)) MiB" "100 MB" "$(awk -v k="$hwm_kib" 'BEGIN { v = k * 1024 / 1e8; printf "%.2f%s", v, (v <= 1 ? "" : "  MISSED") }')"
    if [ "${SKIP_BACKUP:-}" = 1 ]; then
        echo "backup now: not measured (SKIP_BACKUP=1)"
    else
        printf '%-22s %12s %10s %s\n' "backup now" "$armario_s s" "3x" "$(awk -v a="$armario_s" -v b="$plain_s" -v n="$plain_name" 'BEGIN { v = a / (b > 0 ? b : 0.1); printf "%.2fx of %s (%s s)%s", v, n, b, (v <= 3 ? "" : "  MISSED") }')"
        printf '%-22s %12s %10s %s\n' "then its verification" "$verify_s s" "-" "$(awk -v a="$verify_s" -v b="$plain_s" -v n="$plain_name" 'BEGIN { printf "%.2fx of %s", a / (b > 0 ? b : 0.1), n }')"
    fi
    {
        printf '%s' "$label"
        for r in "${results[@]}"; do
            IFS='|' read -r _ rps p99 _ <<<"$r"
            printf ' %s %s' "$rps" "$p99"
        done
        printf ' %s %s\n' "$median_ready" "$hwm_kib"
    } >"$dir/$label.figures"
}

if [ "$STORE" != postgres ]; then
    measure sqlite
fi
if [ "$STORE" != sqlite ]; then
    start_postgres "$dir"
    echo "== moving the file into PostgreSQL (armario migrate-store)"
    started=$(date +%s.%N)
    "$ARMARIO_BIN" migrate-store --from "$db" --to "$DATABASE_URL" | tail -n 1
    echo "moved in $(secs "$started") s"
    STORE_ENV=(ARMARIO_DATABASE_URL="$DATABASE_URL" ARMARIO_PG_BIN_DIR="$PG_BIN")
    measure postgres
    stop_postgres
fi
if [ "$STORE" = both ]; then
    python3 - "$dir/sqlite.figures" "$dir/postgres.figures" <<'PY'
import sys
s = open(sys.argv[1]).read().split()[1:]
p = open(sys.argv[2]).read().split()[1:]
s = list(map(float, s)); p = list(map(float, p))
names = ["list", "search name", "search CNPJ", "company users", "audit by period", "usage by month"]
print("PostgreSQL / SQLite, same run:")
for i, n in enumerate(names):
    print(f"  {n:<16} requests/s {p[2 * i] / s[2 * i]:.2f}   p99 {p[2 * i + 1] / s[2 * i + 1]:.2f}")
print(f"  ready            {p[-2] / s[-2]:.2f}")
print(f"  resident peak    {p[-1] / s[-1]:.2f}")
PY
fi
