#!/usr/bin/env bash
# The application read path against a hello-world of the same stack, in one run.
#
#   bench/app_read.sh              (builds the release binary first)
#   STORE=both bench/app_read.sh   (the same on the SQLite file, then on PostgreSQL)
#
# Serves, with wrk: GET /healthz (the baseline: same poem server, same middleware, no auth, no
# database), GET /api/v1/app/companies/{id} with a valid key (authenticated read of a linked
# company), the same route with a flood of invalid keys, and PATCH /api/v1/companies/{id} as
# the owner (a durable write, audited). Prints requests/s, p99 and the ratios. The load
# generator shares the machine with the server, so only the ratios matter.
# Targets: read >= 60% of the baseline's requests/s, p99 <= 2x; invalid keys >= valid keys.
# STORE=postgres or both also starts a throwaway PostgreSQL 15 (fsync on) and, with both,
# prints PostgreSQL's figures as ratios to SQLite's from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need wrk wrk
need curl curl
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet
STORE=${STORE:-sqlite}
ARMARIO_PID=
case "$STORE" in sqlite | postgres | both) ;; *) echo "bench: STORE is sqlite, postgres or both" >&2; exit 1 ;; esac

work=$(mktemp -d)
trap 'stop_armario; stop_postgres; rm -rf "$work"' EXIT
cat >"$work/patch.lua" <<'LUA'
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"display_name":"Bench ' .. n .. '"}')
end
LUA

# measure NAME: runs the four loads against a fresh server; prints "NAME base read inv write"
# figures (requests/s and p99 of each) on the last line.
measure() {
    local name=$1 dir=$work/$1
    mkdir -p "$dir"
    start_armario "$dir"
    sign_in_owner
    local company app key bad_key
    company=$(api POST /api/v1/companies '{"legal_name":"Bench Ltda","cnpj":"11.222.333/0001-81"}' | json_field '["id"]')
    app=$(api POST /api/v1/applications '{"name":"bench"}' | json_field '["id"]')
    key=$(api POST "/api/v1/applications/$app/credentials" '{"label":"bench"}' | json_field '["secret"]')
    api POST /api/v1/links "{\"application_id\":\"$app\",\"company_id\":\"$company\",\"scopes\":[\"company:read\"]}" >/dev/null
    bad_key="arm_live_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"

    echo "[$name] warming up..." >&2
    WRK_SECONDS=2 wrk_run warmup "$BASE/api/v1/app/companies/$company" "Authorization: Bearer $key" >/dev/null

    local base_rps base_p99 read_rps read_p99 read_bad inv_rps inv_p99 write_rps write_p99 write_bad
    read -r _ base_rps base_p99 _ < <(wrk_run baseline "$BASE/healthz")
    read -r _ read_rps read_p99 read_bad < <(wrk_run read "$BASE/api/v1/app/companies/$company" "Authorization: Bearer $key")
    read -r _ inv_rps inv_p99 _ < <(wrk_run invalid "$BASE/api/v1/app/companies/$company" "Authorization: Bearer $bad_key")
    read -r _ write_rps write_p99 write_bad < <(WRK_SCRIPT="$work/patch.lua" wrk_run write "$BASE/api/v1/companies/$company" "Authorization: Bearer $OWNER_TOKEN")
    stop_armario

    {
        printf '%s\n' "[$name]"
        printf '%-28s %12s %10s\n' "endpoint" "requests/s" "p99 ms"
        printf '%-28s %12s %10s\n' "hello (GET /healthz)" "$base_rps" "$base_p99"
        printf '%-28s %12s %10s\n' "app read, valid key" "$read_rps" "$read_p99"
        printf '%-28s %12s %10s\n' "app read, invalid keys" "$inv_rps" "$inv_p99"
        printf '%-28s %12s %10s\n' "owner write (PATCH)" "$write_rps" "$write_p99"
        [ "$read_bad" = 0 ] || echo "warning: $read_bad non-2xx answers on the valid-key run"
        [ "$write_bad" = 0 ] || echo "warning: $write_bad non-2xx answers on the write run"
        python3 - "$base_rps" "$base_p99" "$read_rps" "$read_p99" "$inv_rps" <<'PY'
import sys
b, bp, r, rp, i = map(float, sys.argv[1:])
print(f"read/baseline requests/s: {r / b:.2f}  (target >= 0.60)")
print(f"read/baseline p99:        {rp / bp:.2f}  (target <= 2.00)")
print(f"invalid/valid requests/s: {i / r:.2f}  (target >= 1.00)")
PY
    } >&2
    echo "$name $base_rps $base_p99 $read_rps $read_p99 $inv_rps $inv_p99 $write_rps $write_p99"
}

results=()
if [ "$STORE" != postgres ]; then
    results+=("$(measure sqlite)")
fi
if [ "$STORE" != sqlite ]; then
    start_postgres "$work"
    results+=("$(DATABASE_URL=$DATABASE_URL measure postgres)")
    stop_postgres
fi
if [ "$STORE" = both ]; then
    python3 - "${results[@]}" <<'PY'
import sys
s = sys.argv[1].split()[1:]
p = sys.argv[2].split()[1:]
s = list(map(float, s)); p = list(map(float, p))
names = ["baseline", "baseline p99", "app read", "app read p99", "invalid keys", "invalid p99",
         "owner write", "owner write p99"]
print("PostgreSQL / SQLite, same run:")
for i in (0, 2, 4, 6):
    print(f"  {names[i]:<14} requests/s {p[i] / s[i]:.2f}   p99 {p[i + 1] / s[i + 1]:.2f}")
PY
fi
