#!/usr/bin/env bash
# The application read path against a hello-world of the same stack, in one run.
#
#   bench/app_read.sh            (builds the release binary first)
#
# Serves, with wrk: GET /healthz (the baseline: same poem server, same middleware, no auth, no
# database), GET /api/v1/app/companies/{id} with a valid key (authenticated read of a linked
# company), and the same route with a flood of invalid keys. Prints requests/s, p99 and the
# ratios. The load generator shares the machine with the server, so only the ratios matter.
# Targets: read >= 60% of the baseline's requests/s, p99 <= 2x; invalid keys >= valid keys.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need wrk wrk
need curl curl
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet

work=$(mktemp -d)
trap 'stop_armario; rm -rf "$work"' EXIT
start_armario "$work"
sign_in_owner

company=$(api POST /api/v1/companies '{"legal_name":"Bench Ltda","cnpj":"11.222.333/0001-81"}' | json_field '["id"]')
app=$(api POST /api/v1/applications '{"name":"bench"}' | json_field '["id"]')
key=$(api POST "/api/v1/applications/$app/credentials" '{"label":"bench"}' | json_field '["secret"]')
api POST /api/v1/links "{\"application_id\":\"$app\",\"company_id\":\"$company\",\"scopes\":[\"company:read\"]}" >/dev/null
bad_key="arm_live_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"

echo "warming up..."
WRK_SECONDS=2 wrk_run warmup "$BASE/api/v1/app/companies/$company" "Authorization: Bearer $key" >/dev/null

read -r _ base_rps base_p99 _ < <(wrk_run baseline "$BASE/healthz")
read -r _ read_rps read_p99 read_bad < <(wrk_run read "$BASE/api/v1/app/companies/$company" "Authorization: Bearer $key")
read -r _ inv_rps inv_p99 _ < <(wrk_run invalid "$BASE/api/v1/app/companies/$company" "Authorization: Bearer $bad_key")

printf '%-28s %12s %10s\n' "endpoint" "requests/s" "p99 ms"
printf '%-28s %12s %10s\n' "hello (GET /healthz)" "$base_rps" "$base_p99"
printf '%-28s %12s %10s\n' "app read, valid key" "$read_rps" "$read_p99"
printf '%-28s %12s %10s\n' "app read, invalid keys" "$inv_rps" "$inv_p99"
[ "$read_bad" = 0 ] || echo "warning: $read_bad non-2xx answers on the valid-key run"
python3 - "$base_rps" "$base_p99" "$read_rps" "$read_p99" "$inv_rps" <<'PY'
import sys
b, bp, r, rp, i = map(float, sys.argv[1:])
print(f"read/baseline requests/s: {r / b:.2f}  (target >= 0.60)")
print(f"read/baseline p99:        {rp / bp:.2f}  (target <= 2.00)")
print(f"invalid/valid requests/s: {i / r:.2f}  (target >= 1.00)")
PY
