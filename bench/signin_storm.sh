#!/usr/bin/env bash
# A sign-in storm against the application read path, in one run.
#
#   bench/signin_storm.sh        (builds the release binary first; SKIP_BUILD=1 to reuse it)
#
# Measures the application's authenticated read of a linked company (wrk, light load: 4
# connections) alone, then again while 200 connections send sign-ins with wrong passwords, each
# from a new address and IP so every one costs a full argon2id verification. Prints both p99s and
# their ratio. Target: the read's p99 during the storm <= 1.5x its p99 alone. The load generators
# share the machine with the server; run it on a quiet machine, several times.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need wrk wrk
need curl curl
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet

work=$(mktemp -d)
storm_pid=
trap '[ -n "$storm_pid" ] && kill "$storm_pid" 2>/dev/null; stop_armario; rm -rf "$work"' EXIT
# Wrong sign-ins from many addresses: trust X-Forwarded-For, so the lock-out counters (per account
# and IP, and per IP) never answer early and every attempt reaches argon2id.
ARMARIO_TRUST_PROXY=true start_armario "$work"
sign_in_owner

company=$(api POST /api/v1/companies '{"legal_name":"Bench Ltda","cnpj":"11.222.333/0001-81"}' | json_field '["id"]')
app=$(api POST /api/v1/applications '{"name":"bench"}' | json_field '["id"]')
key=$(api POST "/api/v1/applications/$app/credentials" '{"label":"bench"}' | json_field '["secret"]')
api POST /api/v1/links "{\"application_id\":\"$app\",\"company_id\":\"$company\",\"scopes\":[\"company:read\"]}" >/dev/null
url="$BASE/api/v1/app/companies/$company"

echo "warming up..."
WRK_SECONDS=2 WRK_CONNECTIONS=4 wrk_run warmup "$url" "Authorization: Bearer $key" >/dev/null

read -r _ calm_rps calm_p99 _ < <(WRK_CONNECTIONS=4 WRK_THREADS=1 wrk_run calm "$url" "Authorization: Bearer $key")

wrk -t2 -c200 -d"$(( ${WRK_SECONDS:-10} + 4 ))s" -s bench/lua/wrong_sign_ins.lua "$BASE" >"$work/storm.txt" 2>&1 &
storm_pid=$!
sleep 2
read -r _ storm_rps storm_p99 _ < <(WRK_CONNECTIONS=4 WRK_THREADS=1 wrk_run storm "$url" "Authorization: Bearer $key")
wait "$storm_pid" || true
storm_pid=
signins=$(awk '/Requests\/sec/ {print $2}' "$work/storm.txt")

printf '%-34s %12s %10s\n' "app read" "requests/s" "p99 ms"
printf '%-34s %12s %10s\n' "alone" "$calm_rps" "$calm_p99"
printf '%-34s %12s %10s\n' "during 200 wrong sign-ins" "$storm_rps" "$storm_p99"
echo "wrong sign-ins answered during the storm: ${signins:-0}/s"
python3 - "$calm_p99" "$storm_p99" <<'PY'
import sys
calm, storm = map(float, sys.argv[1:])
print(f"read p99 during the storm / alone: {storm / calm:.2f}  (target <= 1.50)")
PY
