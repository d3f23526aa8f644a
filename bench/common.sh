# Shared helpers for the benchmarks: start a release armario on a free port over a fresh data
# directory, sign the owner in, and read wrk's figures. Sourced, not run.

# ARMARIO_BIN=path runs another build (to compare two in one sitting). armario refuses unknown
# ARMARIO_* settings, so it is taken out of the environment the server sees.
ARMARIO_BIN=${ARMARIO_BIN:-${CARGO_TARGET_DIR:-target}/release/armario}
export -n ARMARIO_BIN

need() {
    command -v "$1" >/dev/null || { echo "bench: $1 is required (apt-get install -y $2)" >&2; exit 1; }
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_armario DIR: starts the server, sets ARMARIO_PID, BASE and SETUP_TOKEN. A master key
# already in the environment is kept (to restart over the same data); otherwise a fresh one.
start_armario() {
    local dir=$1 port
    port=$(free_port)
    # DATABASE_URL (start_postgres) serves from PostgreSQL instead of the SQLite file.
    local store=()
    [ -z "${DATABASE_URL:-}" ] || store=(ARMARIO_DATABASE_URL="$DATABASE_URL")
    env ARMARIO_MASTER_KEY="${ARMARIO_MASTER_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}" \
        RUST_LOG="${RUST_LOG:-warn}" "${store[@]}" \
        "$ARMARIO_BIN" serve --addr "127.0.0.1:$port" --data-dir "$dir/data" >"$dir/server.log" 2>&1 &
    ARMARIO_PID=$!
    BASE="http://127.0.0.1:$port"
    for _ in $(seq 1 200); do
        curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
        sleep 0.05
    done
    SETUP_TOKEN=$(grep -o 'token=arm_setup_[A-Za-z0-9_-]*' "$dir/server.log" | head -n1 | cut -d= -f2 || true)
}

stop_armario() {
    kill -TERM "$ARMARIO_PID" 2>/dev/null || true
    wait "$ARMARIO_PID" 2>/dev/null || true
}

json_field() {
    python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"
}

# api METHOD PATH [BODY]: calls the API as the signed-in owner.
api() {
    curl -fsS -X "$1" "$BASE$2" -H "Authorization: Bearer $OWNER_TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}
}

sign_in_owner() {
    curl -fsS -X POST "$BASE/api/v1/setup" -H 'Content-Type: application/json' \
        -d "{\"token\":\"$SETUP_TOKEN\",\"email\":\"owner@bench.test\",\"name\":\"Bench\",\"password\":\"bench-password-1\"}" >/dev/null
    OWNER_TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"email":"owner@bench.test","password":"bench-password-1"}' | json_field '["token"]')
}

# wrk_p99 OUTPUT: the p99 latency in ms from wrk's --latency output.
wrk_p99() {
    awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$1"
}

# wrk_run NAME URL [HEADER]: prints "NAME rps p99_ms" from a wrk run.
wrk_run() {
    local name=$1 url=$2 header=${3:-} out
    local script=()
    [ -z "${WRK_SCRIPT:-}" ] || script=(-s "$WRK_SCRIPT")
    if [ -n "$header" ]; then
        out=$(wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-32}" -d"${WRK_SECONDS:-10}s" --latency "${script[@]}" -H "$header" "$url")
    else
        out=$(wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-32}" -d"${WRK_SECONDS:-10}s" --latency "${script[@]}" "$url")
    fi
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(wrk_p99 "$out")
    local non2xx
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    echo "$name ${rps:-0} ${p99:-0} ${non2xx:-0}"
}

# start_postgres DIR: a throwaway PostgreSQL 15 cluster under DIR on a free loopback port (initdb
# as the postgres user when run as root, which initdb refuses), with a role and database for
# armario in byte-order collation; sets PG_DIR and DATABASE_URL. PG_BIN overrides the binaries.
# A cluster left under DIR by an earlier run (a kept MILLION_DIR) is removed first.
start_postgres() {
    local dir=$1/pg port
    PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
    [ -x "$PG_BIN/initdb" ] || { echo "bench: PostgreSQL 15 is required (apt-get install -y postgresql-15)" >&2; exit 1; }
    port=$(free_port)
    rm -rf "$dir"
    mkdir -p "$dir"
    PG_AS=()
    if [ "$(id -u)" = 0 ]; then
        # The postgres user must reach its directory through the (private) work directory.
        chmod o+x "$1"
        chown postgres:postgres "$dir"
        PG_AS=(runuser -u postgres --)
    fi
    "${PG_AS[@]}" "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    # Durable as a production server is (fsync on, synchronous commit), like the SQLite file.
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -c \
        "CREATE ROLE armario LOGIN PASSWORD 'armario' NOSUPERUSER NOBYPASSRLS CREATEDB" >/dev/null
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -c \
        "CREATE DATABASE armario OWNER armario LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
    PG_DIR=$dir
    DATABASE_URL="postgres://armario:armario@127.0.0.1:$port/armario?sslmode=disable"
}

stop_postgres() {
    [ -n "${PG_DIR:-}" ] || return 0
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    PG_DIR=
}
