#!/usr/bin/env bash
# The OpenID provider's endpoints against a hello-world of the same stack, three times.
#
#   bench/oidc.sh                (builds the release binary first; SKIP_BUILD=1 to reuse it)
#
# Serves, with wrk: GET /healthz (the baseline: same poem server, same middleware, no auth, no
# database), POST /oauth2/token with the client-credentials grant (HTTP Basic with an
# application's API key, an ES256 signature per answer) and GET /oauth2/jwks. Each run measures
# the three in turn and prints requests/s and the ratios to the baseline of that run; the
# medians of the three runs close. The load generator shares the machine with the server, so
# only the ratios matter; run it on a quiet machine. RUNS changes the number of runs.
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
export BASIC
BASIC=$(printf '%s:%s' "$app" "$key" | base64 -w0)
# The grant must answer a token before it is worth measuring.
curl -fsS -X POST "$BASE/oauth2/token" -H "Authorization: Basic $BASIC" \
    -d grant_type=client_credentials | json_field '["access_token"]' >/dev/null

# token_run NAME: prints "NAME rps p99_ms non2xx" for the token endpoint.
token_run() {
    local out rps p99 non2xx
    out=$(wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-32}" -d"${WRK_SECONDS:-10}s" --latency \
        -s bench/lua/client_credentials.lua "$BASE")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(wrk_p99 "$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    echo "$1 ${rps:-0} ${p99:-0} ${non2xx:-0}"
}

echo "warming up..."
WRK_SECONDS=2 token_run warmup >/dev/null
WRK_SECONDS=2 wrk_run warmup "$BASE/oauth2/jwks" >/dev/null

results="$work/results"
: >"$results"
printf '%-5s %-28s %12s %10s %8s\n' "run" "endpoint" "requests/s" "p99 ms" "ratio"
for run in $(seq 1 "${RUNS:-3}"); do
    read -r _ base_rps base_p99 _ < <(wrk_run baseline "$BASE/healthz")
    read -r _ token_rps token_p99 token_bad < <(token_run token)
    read -r _ jwks_rps jwks_p99 jwks_bad < <(wrk_run jwks "$BASE/oauth2/jwks")
    [ "$token_bad" = 0 ] || echo "warning: $token_bad non-2xx answers from the token endpoint in run $run"
    [ "$jwks_bad" = 0 ] || echo "warning: $jwks_bad non-2xx answers from the JWKS in run $run"
    read -r token_ratio jwks_ratio < <(python3 -c 'import sys; b, t, j = map(float, sys.argv[1:]); print(f"{t / b:.2f} {j / b:.2f}")' "$base_rps" "$token_rps" "$jwks_rps")
    printf '%-5s %-28s %12s %10s %8s\n' "$run" "hello (GET /healthz)" "$base_rps" "$base_p99" "1.00"
    printf '%-5s %-28s %12s %10s %8s\n' "$run" "POST /oauth2/token" "$token_rps" "$token_p99" "$token_ratio"
    printf '%-5s %-28s %12s %10s %8s\n' "$run" "GET /oauth2/jwks" "$jwks_rps" "$jwks_p99" "$jwks_ratio"
    echo "$token_ratio $jwks_ratio" >>"$results"
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
token = statistics.median(r[0] for r in rows)
jwks = statistics.median(r[1] for r in rows)
print(f"token endpoint / baseline requests/s (median of {len(rows)}): {token:.2f}")
print(f"JWKS / baseline requests/s (median of {len(rows)}):           {jwks:.2f}")
PY
