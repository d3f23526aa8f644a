#!/usr/bin/env bash
# The footprint of the release binary, measured in one run:
#
#   - its size on disk;
#   - the time from exec to /readyz answering 200 on an existing database of 100,000 companies
#     (built by armario's own migrations, then filled with sqlite3 INSERTs);
#   - resident memory (VmRSS from /proc/PID/status) idle after start, the highest sample under
#     a mixed load, and the peak (VmHWM) at the end;
#   - read throughput: an application's authenticated read of a company (wrk, 2 threads, 32
#     connections) alone, then while one connection PATCHes random companies as fast as the
#     server commits them (synchronous=FULL), and the ratio of the two.
#
#   bench/footprint.sh                 (builds the release binary first; SKIP_BUILD=1 to skip)
#   COMPANIES=20000 bench/footprint.sh (a smaller database)
#
# Targets: ready in < 200 ms, < 30 MB resident idle, < 100 MB under load, reads while writing
# >= 80% of reads alone. wrk shares the machine with the server, so throughputs are only
# compared with each other, never read as absolute figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need wrk wrk
need curl curl
need sqlite3 sqlite3
COMPANIES=${COMPANIES:-100000}
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet
# One key for every start over the same data.
export ARMARIO_MASTER_KEY
ARMARIO_MASTER_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')

work=$(mktemp -d)
ARMARIO_PID=
trap '[ -z "$ARMARIO_PID" ] || stop_armario; rm -rf "$work"' EXIT

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$ARMARIO_PID/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "== building a database of $COMPANIES companies"
start_armario "$work"
sign_in_owner
company=$(api POST /api/v1/companies '{"legal_name":"Leitura Ltda","cnpj":"11.222.333/0001-81"}' | json_field '["id"]')
app=$(api POST /api/v1/applications '{"name":"footprint"}' | json_field '["id"]')
key=$(api POST "/api/v1/applications/$app/credentials" '{"label":"bench"}' | json_field '["secret"]')
api POST /api/v1/links "{\"application_id\":\"$app\",\"company_id\":\"$company\",\"scopes\":[\"company:read\"]}" >/dev/null
stop_armario
ARMARIO_PID=
now_ms=$(($(date +%s) * 1000))
started=$(date +%s.%N)
sqlite3 "$work/data/armario.db" >/dev/null <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $COMPANIES)
-- On the plan armario gave the company created above: every company has one, and a company
-- without one cannot be read back.
INSERT INTO companies (id, legal_name, trade_name, cnpj, slug, contact_email, status, created_at, updated_at, plan_id)
SELECT printf('cmp_%032x', i), 'Empresa ' || i || ' Ltda', 'Empresa ' || i, printf('%014d', i),
       'empresa-' || i, 'contato' || i || '@empresa.test', 'active', $now_ms, $now_ms,
       (SELECT plan_id FROM companies WHERE id = '$company')
FROM n;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
db_bytes=$(stat -c %s "$work/data/armario.db")
echo "inserted in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s; armario.db is $(mib $((db_bytes / 1024))) MiB"

echo "== time to ready (5 starts)"
ready_ms=$(python3 - "$ARMARIO_BIN" "$work/data" "$(free_port)" <<'PY'
import http.client, statistics, subprocess, sys, time
binary, data, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(5):
    started = time.monotonic()
    p = subprocess.Popen([binary, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", data],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        if p.poll() is not None:
            sys.exit(f"armario exited with {p.returncode}")
        time.sleep(0.001)
    times.append((time.monotonic() - started) * 1000)
    p.terminate()
    p.wait()
print(f"{statistics.median(times):.1f} " + " ".join(f"{t:.1f}" for t in times))
PY
)
read -r ready_median ready_all <<<"$ready_ms"
echo "median $ready_median ms (each: $ready_all)"

echo "== memory and throughput"
start_armario "$work"
sleep 2
idle_kib=$(kib VmRSS)
idle_anon_kib=$(kib RssAnon)
idle_file_kib=$(kib RssFile)
read_url="$BASE/api/v1/app/companies/$company"
cat >"$work/patch.lua" <<LUA
-- PATCH a random one of the $COMPANIES companies, one request after another.
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local path = string.format("/api/v1/companies/cmp_%032x", math.random(1, $COMPANIES))
  return wrk.format(nil, path, nil, '{"trade_name":"Nome ' .. n .. '"}')
end
LUA

WRK_SECONDS=3 wrk_run warmup "$read_url" "X-Api-Key: $key" >/dev/null
read -r _ alone_rps alone_p99 alone_bad < <(wrk_run reads "$read_url" "X-Api-Key: $key")

seconds=${WRK_SECONDS:-10}
wrk -t1 -c"${WRITERS:-1}" -d"$((seconds + 2))s" -s "$work/patch.lua" \
    -H "Authorization: Bearer $OWNER_TOKEN" "$BASE" >"$work/writes.txt" &
writer=$!
echo 0 >"$work/peak_rss"
(
    peak=0
    while kill -0 "$writer" 2>/dev/null; do
        v=$(kib VmRSS)
        [ "${v:-0}" -gt "$peak" ] && peak=$v
        echo "$peak" >"$work/peak_rss"
        sleep 0.25
    done
) &
sampler=$!
sleep 1
read -r _ mixed_rps mixed_p99 mixed_bad < <(wrk_run "reads+writes" "$read_url" "X-Api-Key: $key")
wait "$writer"
wait "$sampler" || true
write_rps=$(awk '/Requests\/sec/ { print $2 }' "$work/writes.txt")
write_bad=$(awk '/Non-2xx/ { print $5 }' "$work/writes.txt")
load_kib=$(cat "$work/peak_rss")
hwm_kib=$(kib VmHWM)
binary_bytes=$(stat -c %s "$ARMARIO_BIN")

echo
printf '%-44s %14s %s\n' "measure" "value" "target"
printf '%-44s %14s %s\n' "binary size" "$(mib $((binary_bytes / 1024))) MiB" ""
printf '%-44s %14s %s\n' "time to /readyz, $COMPANIES companies (median)" "$ready_median ms" "< 200 ms"
printf '%-44s %14s %s\n' "resident idle (VmRSS)" "$(mib "$idle_kib") MiB" "< 30 MB"
printf '%-44s %14s %s\n' "  of which anonymous (RssAnon)" "$(mib "$idle_anon_kib") MiB" ""
printf '%-44s %14s %s\n' "  of which mapped files (RssFile)" "$(mib "$idle_file_kib") MiB" ""
printf '%-44s %14s %s\n' "resident under load (highest VmRSS)" "$(mib "$load_kib") MiB" "< 100 MB"
printf '%-44s %14s %s\n' "resident peak (VmHWM)" "$(mib "$hwm_kib") MiB" "< 100 MB"
printf '%-44s %14s %s\n' "reads alone (requests/s, p99 ms)" "$alone_rps" "p99 $alone_p99"
printf '%-44s %14s %s\n' "reads while writing (requests/s, p99 ms)" "$mixed_rps" "p99 $mixed_p99"
printf '%-44s %14s %s\n' "writes (PATCH, requests/s)" "${write_rps:-0}" ""
for bad in "$alone_bad" "$mixed_bad" "${write_bad:-0}"; do
    [ "$bad" = 0 ] || echo "warning: $bad non-2xx answers in a run (see above)"
done
python3 - "$ready_median" "$idle_kib" "$load_kib" "$hwm_kib" "$alone_rps" "$mixed_rps" <<'PY'
import sys
ready, idle, load, hwm, alone, mixed = map(float, sys.argv[1:])
mb = 1_000_000 / 1024
def verdict(ok):
    return "ok" if ok else "MISSED"
print(f"ready {ready:.0f} ms: {verdict(ready < 200)}")
print(f"idle {idle / 1024:.1f} MiB: {verdict(idle < 30 * mb)}")
print(f"under load {max(load, hwm) / 1024:.1f} MiB: {verdict(max(load, hwm) < 100 * mb)}")
print(f"reads while writing / reads alone: {mixed / alone:.2f} (target >= 0.80): {verdict(mixed / alone >= 0.8)}")
PY
