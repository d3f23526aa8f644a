#!/usr/bin/env bash
# A sign-in storm against the application read path, in one run.
#
#   bench/signin_storm.sh        (builds the release binary first; SKIP_BUILD=1 to reuse it)
#
# Measures the application's authenticated read of a linked company alone, then again while 200
# connections send sign-ins with wrong passwords, each from a new address and IP so every one
# costs a full argon2id verification. Prints the p99s and their ratios for a steady read and for
# one that runs flat out (see below). Target: the steady read's p99 during the storm <= 1.5x its
# p99 alone. The load generators share the machine with the server; run it on a quiet machine,
# several times.
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

# Two reads, each alone and then during the storm:
#   steady: 16 connections that each pause 1 ms after every answer (bench/lua/paced.lua), about
#     a quarter of what the machine serves: an application reading at a busy, steady rate. The
#     target applies to this one.
#   flat out: 4 connections with no pause, which alone keep both cores busy. Any other work on
#     the machine, the storm's own HTTP handling and load generator included, then queues
#     behind it; printed for the record.
storm() {
    wrk -t2 -c200 -d"$(( ${WRK_SECONDS:-10} + 4 ))s" -s bench/lua/wrong_sign_ins.lua "$BASE" >"$work/storm.txt" 2>&1 &
    storm_pid=$!
    sleep 2
}
# Waits for the storm's end (not in a subshell: the storm is this shell's child) and sets
# `signins` to the wrong sign-ins it had answered per second.
end_storm() {
    wait "$storm_pid" || true
    storm_pid=
    signins=$(awk '/Requests\/sec/ {print $2}' "$work/storm.txt")
    # The sign-ins still queued for hashing when the storm's connections closed drain first.
    sleep 6
}
steady() { PACE_MS=1 WRK_SCRIPT=bench/lua/paced.lua WRK_CONNECTIONS=16 WRK_THREADS=1 wrk_run "$1" "$url" "Authorization: Bearer $key"; }
flat_out() { WRK_CONNECTIONS=4 WRK_THREADS=1 wrk_run "$1" "$url" "Authorization: Bearer $key"; }

read -r _ steady_calm_rps steady_calm_p99 _ < <(steady calm)
storm
read -r _ steady_storm_rps steady_storm_p99 _ < <(steady storm)
end_storm
steady_signins=$signins
read -r _ flat_calm_rps flat_calm_p99 _ < <(flat_out calm)
storm
read -r _ flat_storm_rps flat_storm_p99 _ < <(flat_out storm)
end_storm
flat_signins=$signins

printf '%-44s %12s %10s %s\n' "app read" "requests/s" "p99 ms" "wrong sign-ins/s"
printf '%-44s %12s %10s\n' "steady, alone" "$steady_calm_rps" "$steady_calm_p99"
printf '%-44s %12s %10s %s\n' "steady, during 200 wrong sign-ins" "$steady_storm_rps" "$steady_storm_p99" "${steady_signins:-0}"
printf '%-44s %12s %10s\n' "flat out, alone" "$flat_calm_rps" "$flat_calm_p99"
printf '%-44s %12s %10s %s\n' "flat out, during 200 wrong sign-ins" "$flat_storm_rps" "$flat_storm_p99" "${flat_signins:-0}"
python3 - "$steady_calm_p99" "$steady_storm_p99" "$flat_calm_p99" "$flat_storm_p99" <<'PY'
import sys
sc, ss, fc, fs = map(float, sys.argv[1:])
print(f"steady read p99 during the storm / alone: {ss / sc:.2f}  (target <= 1.50)")
print(f"flat-out read p99 during the storm / alone: {fs / fc:.2f}  (no target: both cores were already full)")
PY
