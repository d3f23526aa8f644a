#!/usr/bin/env bash
# Lighthouse at mobile settings on every main page of the dashboard and the portal, signed in
# as the owner and as a company admin, over a release armario with a company, an application,
# a link and some usage.
#
#   bench/lighthouse.sh          (builds the release binary first; SKIP_BUILD=1 to reuse it)
#
# Needs node, Debian's chromium and `npm ci` in bench/lighthouse. Targets: performance >= 90
# and accessibility 100 on every page. Scores come from simulated throttling, so run it on a
# quiet machine, several times.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need curl curl
need node nodejs
[ -d bench/lighthouse/node_modules/lighthouse ] || (cd bench/lighthouse && npm ci --no-audit --no-fund)
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet

work=$(mktemp -d)
trap 'stop_armario; rm -rf "$work"' EXIT
start_armario "$work"
sign_in_owner
company=$(api POST /api/v1/companies '{"legal_name":"Padaria Bench Ltda","cnpj":"11.222.333/0001-81","display_name":"Padaria Bench"}' | json_field '["id"]')
api POST "/api/v1/companies/$company/users" '{"name":"Ana Admin","email":"ana@bench.test","role":"company_admin","password":"bench-password-2"}' >/dev/null
app=$(api POST /api/v1/applications '{"name":"bench"}' | json_field '["id"]')
key=$(api POST "/api/v1/applications/$app/credentials" '{"label":"bench"}' | json_field '["secret"]')
api POST /api/v1/links "{\"application_id\":\"$app\",\"company_id\":\"$company\",\"scopes\":[\"company:read\"]}" >/dev/null
for _ in $(seq 1 50); do curl -fsS "$BASE/api/v1/app/companies/$company" -H "Authorization: Bearer $key" >/dev/null; done
# A platform in use, as the walk that asked for this measured: about 60 companies and 75 users.
python3 - "$BASE" "$OWNER_TOKEN" "$company" <<'PY'
import json, sys, urllib.request
base, token, company = sys.argv[1:]
def post(path, body):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
def cnpj(n):
    d = [int(c) for c in f"{n:08d}0001"]
    for size in (12, 13):
        w = list(range(size - 7, 1, -1)) + list(range(9, 1, -1))
        r = sum(a * b for a, b in zip(d, w)) % 11
        d.append(0 if r < 2 else 11 - r)
    return "".join(map(str, d))
names = ["São Paulo Comércio", "Mãe Terra Alimentos", "Ipê Amarelo Móveis", "Açaí do Norte", "Oficina Central"]
for i in range(60):
    c = post("/api/v1/companies", {"legal_name": f"{names[i % 5]} {i} Ltda", "cnpj": cnpj(20000 + i)})
    if i < 15:
        for j in range(5):
            post(f"/api/v1/companies/{c['id']}/users", {"name": f"Pessoa {i}-{j}", "email": f"p{i}-{j}@bench.test", "role": "member", "password": "bench-password-3"})
for j in range(10):
    post(f"/api/v1/companies/{company}/users", {"name": f"Colega {j}", "email": f"colega{j}@bench.test", "role": "member", "password": "bench-password-3"})
PY

node bench/lighthouse/run.mjs "$BASE" owner@bench.test bench-password-1 ana@bench.test bench-password-2 "$company" "$app"
