#!/usr/bin/env bash
# deploy.sh - install or upgrade armario on a Debian or Ubuntu server over SSH.
#
# Every step is idempotent: running the script again upgrades the binary, rewrites the
# systemd unit and the nginx site, and keeps what must survive (the master key, the
# backup settings, the data). Run `./deploy.sh --help` for the options.
#
# All work on the server is done by small bash scripts sent over SSH (`bash -s`) and run
# as root (directly or through `sudo -n`), so `--dry-run` can print exactly what would run.
set -euo pipefail

# --- Fixed layout on the server ----------------------------------------------------------
# These paths are part of the documented layout (docs-deploy.md); the unit and the nginx
# site are rendered from them, so change them here only.
readonly SERVICE=armario
readonly SERVICE_USER=armario
readonly BIN=/usr/local/bin/armario
readonly DATA_DIR=/var/lib/armario
readonly CONF_DIR=/etc/armario
readonly ENV_FILE=/etc/armario/armario.env
readonly UNIT_FILE=/etc/systemd/system/armario.service
readonly NGINX_SITE=/etc/nginx/sites-available/armario.conf
readonly NGINX_SITE_LINK=/etc/nginx/sites-enabled/armario.conf
readonly ACME_WEBROOT=/var/www/letsencrypt
# armario's default listen address; the nginx site and the readiness check use it
# (--listen changes it for a replica behind a load balancer).
UPSTREAM=127.0.0.1:8080
READY_URL="http://${UPSTREAM}/readyz"
readonly READY_TIMEOUT_SECS=30
# Largest request body nginx passes on; armario enforces its own, smaller, limits.
readonly CLIENT_MAX_BODY_SIZE=10m
readonly PLACEHOLDER_DOMAIN=armario.example.com

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR

# --- Options -------------------------------------------------------------------------------
TARGET=""
DOMAIN=""
EMAIL=""
BINARY=""
CERT_DIR=""
RENDER_DIR=""
LISTEN=""
# Read from the files given with --database-url-file and --master-key-file: secrets, sent to
# the server inside the script on SSH's standard input and never printed.
DATABASE_URL=""
MASTER_KEY=""
DRY_RUN=0
ROLLBACK=0
SUDO="sudo -n"
SSH_CONTROL_DIR=""
CURRENT_STEP=""
REPORTED=0

usage() {
    cat <<EOF
Usage:
  ./deploy.sh USER@HOST [--domain DOMAIN] [--email EMAIL] [--binary PATH] [--dry-run]
              [--database-url-file FILE] [--master-key-file FILE] [--listen ADDR:PORT]
  ./deploy.sh USER@HOST --rollback [--dry-run]
  ./deploy.sh --render DIR [--domain DOMAIN] [--cert-dir DIR]
  ./deploy.sh --help

Installs or upgrades armario on a Debian or Ubuntu server over SSH. USER must be root or
have passwordless sudo. Safe to run again: it upgrades in place and keeps the master key,
the settings in ${ENV_FILE} and the data in ${DATA_DIR}.

Steps: build (cargo build --release) or take --binary; create the '${SERVICE_USER}' system
user, ${DATA_DIR} (0700) and ${ENV_FILE} (0600, master key generated on the
server on the first install, never overwritten); copy the binary to ${BIN}
(the one it replaces is kept as ${BIN}.previous); install and restart the
hardened systemd unit; wait up to ${READY_TIMEOUT_SECS}s for ${READY_URL} and put the replaced
binary back (and restart it) if the new one does not come up; with --domain, set up nginx
with a Let's Encrypt certificate as a TLS reverse proxy to ${UPSTREAM}.

Options:
  --domain DOMAIN   serve armario at https://DOMAIN through nginx (DNS must already point
                    at the server); also sets ARMARIO_PUBLIC_URL and ARMARIO_COOKIE_SECURE
  --email EMAIL     e-mail for the Let's Encrypt account (expiry notices); optional
  --cert-dir DIR    directory on the server holding fullchain.pem and privkey.pem to use
                    instead of asking Let's Encrypt (default /etc/letsencrypt/live/DOMAIN)
  --binary PATH     upload this armario binary instead of running cargo build --release
  --database-url-file FILE
                    serve from the PostgreSQL database whose postgres:// URL is in FILE
                    (sets ARMARIO_DATABASE_URL in ${ENV_FILE}; replicas share one)
  --master-key-file FILE
                    use the master key in FILE instead of generating one on the first
                    install: every replica of one database needs the same key
  --listen ADDR:PORT
                    listen on ADDR:PORT (a private address a load balancer reaches)
                    instead of ${UPSTREAM}; trusts X-Forwarded-For from the balancer
  --rollback        swap ${BIN} and ${BIN}.previous, restart, wait until ready
  --dry-run         print every step and every remote script without running anything
  --render DIR      write armario.service, armario-nginx.conf and armario.env.example into
                    DIR (for DOMAIN, or ${PLACEHOLDER_DOMAIN}) and exit; needs no server
  -h, --help        show this help
EOF
}

die() {
    printf 'deploy.sh: error: %s\n' "$*" >&2
    REPORTED=1
    exit 1
}

# On any exit: close the shared SSH connection, and if a step failed without saying why
# here (a remote script stopped under set -e), name the step.
on_exit() {
    local rc=$?
    close_ssh
    if [ "$rc" != 0 ] && [ "$REPORTED" = 0 ] && [ -n "$CURRENT_STEP" ]; then
        printf 'deploy.sh: error: failed (exit %s) at: %s\n' "$rc" "$CURRENT_STEP" >&2
    fi
}

usage_error() {
    printf 'deploy.sh: %s\n' "$*" >&2
    printf "Try './deploy.sh --help'.\n" >&2
    exit 2
}

# read_secret_file OPTION FILE: the file's first line, which must not be empty.
read_secret_file() {
    local line=""
    [ -r "$2" ] || usage_error "$1 $2: cannot read the file"
    IFS= read -r line <"$2" || true
    line=${line%$'\r'}
    [ -n "$line" ] || usage_error "$1 $2: the file's first line is empty"
    printf '%s' "$line"
}

parse_args() {
    while [ "$#" -gt 0 ]; do
        case "$1" in
            -h | --help)
                usage
                exit 0
                ;;
            --domain | --email | --binary | --cert-dir | --render | --listen | \
                --database-url-file | --master-key-file)
                [ "$#" -ge 2 ] || usage_error "$1 needs a value"
                case "$1" in
                    --domain) DOMAIN=$2 ;;
                    --email) EMAIL=$2 ;;
                    --binary) BINARY=$2 ;;
                    --cert-dir) CERT_DIR=$2 ;;
                    --render) RENDER_DIR=$2 ;;
                    --listen) LISTEN=$2 ;;
                    --database-url-file) DATABASE_URL=$(read_secret_file "$1" "$2") || exit 2 ;;
                    --master-key-file) MASTER_KEY=$(read_secret_file "$1" "$2") || exit 2 ;;
                esac
                shift 2
                ;;
            --dry-run)
                DRY_RUN=1
                shift
                ;;
            --rollback)
                ROLLBACK=1
                shift
                ;;
            -*)
                usage_error "unknown option: $1"
                ;;
            *)
                [ -z "$TARGET" ] || usage_error "only one USER@HOST, got '$TARGET' and '$1'"
                TARGET=$1
                shift
                ;;
        esac
    done
}

# Values end up in nginx and systemd files and in remote scripts, so accept only plain
# shapes instead of trying to quote them for every consumer.
validate_args() {
    local label='[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?'
    if [ -n "$DOMAIN" ] && ! [[ "$DOMAIN" =~ ^${label}(\.${label})+$ ]]; then
        usage_error "--domain '$DOMAIN' is not a domain name like armario.example.com"
    fi
    if [ -n "$EMAIL" ] && ! [[ "$EMAIL" =~ ^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$ ]]; then
        usage_error "--email '$EMAIL' is not an e-mail address"
    fi
    if [ -n "$CERT_DIR" ] && ! [[ "$CERT_DIR" =~ ^/[A-Za-z0-9._/-]+$ ]]; then
        usage_error "--cert-dir must be an absolute path of letters, digits and ._/-"
    fi
    if [ -n "$LISTEN" ]; then
        [[ "$LISTEN" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}:[0-9]{1,5}$ ]] ||
            usage_error "--listen '$LISTEN' is not an IPv4 ADDR:PORT like 10.0.0.11:8080"
        UPSTREAM=$LISTEN
        READY_URL="http://${UPSTREAM}/readyz"
    fi
    if [ -n "$DATABASE_URL" ] && ! [[ "$DATABASE_URL" =~ ^postgres(ql)?:// ]]; then
        usage_error "--database-url-file: the URL must begin with postgres:// or postgresql://"
    fi
    if [ -n "$DATABASE_URL" ] && [[ "$DATABASE_URL" == *$'\n'* ]]; then
        usage_error "--database-url-file: one line only"
    fi
    if [ -n "$RENDER_DIR" ]; then
        [ -z "$TARGET" ] || usage_error "--render takes no USER@HOST"
        return 0
    fi
    [ -n "$TARGET" ] || usage_error "missing USER@HOST"
    # A leading '-' would be read by ssh as an option.
    [[ "$TARGET" =~ ^([A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.:-]*$ ]] ||
        usage_error "'$TARGET' is not USER@HOST"
    if [ "$ROLLBACK" = 1 ] && { [ -n "$DOMAIN" ] || [ -n "$BINARY" ]; }; then
        usage_error "--rollback only swaps binaries; it takes no --domain or --binary"
    fi
    if [ -n "$CERT_DIR" ] && [ -z "$DOMAIN" ]; then
        usage_error "--cert-dir needs --domain"
    fi
    if [ -n "$EMAIL" ] && [ -z "$DOMAIN" ]; then
        usage_error "--email needs --domain"
    fi
}

# --- Rendered files --------------------------------------------------------------------------

# The systemd unit. The hardening keeps a compromised process from writing anywhere but
# its data directory, gaining privileges, loading code or reaching kernel interfaces.
render_unit() {
    cat <<EOF
[Unit]
Description=armario tenant manager
After=network-online.target
Wants=network-online.target

[Service]
Type=exec
User=${SERVICE_USER}
Group=${SERVICE_USER}
EnvironmentFile=${ENV_FILE}
ExecStart=${BIN} serve --data-dir ${DATA_DIR}
WorkingDirectory=${DATA_DIR}
# armario finishes in-flight requests and closes the database on SIGTERM.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
UMask=0077
LimitNOFILE=65536

# Filesystem: everything read-only except the data directory (database, backups).
ProtectSystem=strict
ReadWritePaths=${DATA_DIR}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
PrivateMounts=yes
ProtectProc=invisible
# Kernel and system state.
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
# Privileges: none are needed to listen on port 8080.
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
RestrictSUIDSGID=yes
RemoveIPC=yes
PrivateUsers=yes
# Network: IP for clients and S3, Unix sockets for local name resolution.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
# Back from @resources: backups lower their own thread's CPU and disk priority, so that
# requests win while a backup runs. Without CAP_SYS_NICE (granted none above) these calls
# can only make a process nicer, never raise it.
SystemCallFilter=setpriority ioprio_set
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
EOF
}

# The HTTP server block: answers Let's Encrypt challenges (for the first certificate and
# for renewals) and redirects everything else to HTTPS. On its own it is the bootstrap
# site used before a certificate exists.
render_nginx_http() {
    local domain=$1
    cat <<EOF
# armario: HTTP only answers ACME challenges and redirects to HTTPS.
server {
    listen 80;
    listen [::]:80;
    server_name ${domain};
    server_tokens off;

    location /.well-known/acme-challenge/ {
        root ${ACME_WEBROOT};
    }

    location / {
        return 301 https://${domain}\$request_uri;
    }
}
EOF
}

# The whole site: the HTTP block above plus the TLS reverse proxy to armario.
render_nginx() {
    local domain=$1 cert_dir=$2
    render_nginx_http "$domain"
    cat <<EOF

# armario: TLS reverse proxy to the service on ${UPSTREAM}.
server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name ${domain};
    server_tokens off;

    ssl_certificate ${cert_dir}/fullchain.pem;
    ssl_certificate_key ${cert_dir}/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_timeout 1d;
    ssl_session_cache shared:armario_tls:10m;
    ssl_session_tickets off;

    # Browsers keep to HTTPS for a year (no includeSubDomains: other hosts may need HTTP).
    add_header Strict-Transport-Security "max-age=31536000" always;

    client_max_body_size ${CLIENT_MAX_BODY_SIZE};

    location / {
        proxy_pass http://${UPSTREAM};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        # nginx is the first hop, so it overwrites (never appends to) what the client sent:
        # armario throttles logins and audits by this address.
        proxy_set_header X-Real-IP \$remote_addr;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_set_header X-Forwarded-Host \$host;
        proxy_read_timeout 120s;
    }
}
EOF
}

# The part of the environment file the server gets on the first install, after the
# generated ARMARIO_MASTER_KEY line. Later runs never rewrite it: only the two TLS lines
# are set by --domain.
render_env_template() {
    cat <<EOF
# armario settings, read by systemd (EnvironmentFile=) when the service starts.
# One KEY=value a line, no quotes, no spaces around '='. Restart after editing:
#   systemctl restart ${SERVICE}
# Any secret KEY can instead come from a file, KEY_FILE=/path, that the '${SERVICE_USER}'
# user can read (not under ${CONF_DIR}, /home or /root, which the service cannot see).
#
# ARMARIO_MASTER_KEY (above) seals every stored secret and every backup. Without it the
# secrets and the backups cannot be read: keep a copy off this machine (password
# manager). Never change it by hand; 'armario keys rotate' replaces it.

# The store: the SQLite file in the data directory, or a PostgreSQL database that several
# replicas share (deploy.sh --database-url-file sets it; every replica needs the same
# ARMARIO_MASTER_KEY, given with --master-key-file):
# ARMARIO_DATABASE_URL=postgres://armario:PASSWORD@db.internal:5432/armario?sslmode=require

# Behind TLS (deploy.sh --domain sets these):
# ARMARIO_PUBLIC_URL=https://${PLACEHOLDER_DOMAIN}
# ARMARIO_COOKIE_SECURE=true
# ARMARIO_TRUST_PROXY=true

# Backups, twice a day. The default target is a local directory on the same disk
# (${DATA_DIR}/backups; the service can only write under ${DATA_DIR}):
# prefer an S3-compatible bucket on another provider.
# ARMARIO_BACKUP_TARGET=s3
# ARMARIO_BACKUP_LOCAL_DIR=${DATA_DIR}/backups
# ARMARIO_BACKUP_S3_ENDPOINT=https://s3.us-east-1.amazonaws.com
# ARMARIO_BACKUP_S3_REGION=us-east-1
# ARMARIO_BACKUP_S3_BUCKET=my-armario-backups
# ARMARIO_BACKUP_S3_PREFIX=armario/
# ARMARIO_BACKUP_S3_PATH_STYLE=false
# ARMARIO_BACKUP_S3_ACCESS_KEY=
# ARMARIO_BACKUP_S3_SECRET_KEY=
# ARMARIO_BACKUP_TIMES=03:00,15:00
# ARMARIO_BACKUP_TIMEZONE=America/Sao_Paulo
# ARMARIO_BACKUP_RETENTION_DAYS=30
EOF
}

# What --render writes as armario.env.example: the file as the server will hold it, with
# a placeholder where the generated key goes.
render_env_example() {
    local domain=$1
    local text
    text=$(render_env_template)
    if [ -n "$domain" ]; then
        # The same lines the server script switches on for --domain.
        text=${text/"# ARMARIO_PUBLIC_URL=https://${PLACEHOLDER_DOMAIN}"/"ARMARIO_PUBLIC_URL=https://${domain}"}
        text=${text/"# ARMARIO_COOKIE_SECURE=true"/"ARMARIO_COOKIE_SECURE=true"}
        text=${text/"# ARMARIO_TRUST_PROXY=true"/"ARMARIO_TRUST_PROXY=true"}
    fi
    printf '# ARMARIO_MASTER_KEY=<32 random bytes, base64; generated on the server at the first install>\n'
    printf '%s\n' "$text"
}

render_files() {
    local dir=$1 domain=${DOMAIN:-$PLACEHOLDER_DOMAIN}
    local cert_dir=${CERT_DIR:-/etc/letsencrypt/live/$domain}
    mkdir -p "$dir"
    render_unit >"$dir/armario.service"
    render_nginx "$domain" "$cert_dir" >"$dir/armario-nginx.conf"
    render_env_example "$DOMAIN" >"$dir/armario.env.example"
    printf 'wrote %s/armario.service, %s/armario-nginx.conf, %s/armario.env.example\n' \
        "$dir" "$dir" "$dir"
}

# --- Running things --------------------------------------------------------------------------

step() {
    CURRENT_STEP=$*
    printf '\n==> %s\n' "$*"
}

is_dry_run() {
    [ "$DRY_RUN" = 1 ]
}

# One SSH connection is shared by all steps (one login, one host-key prompt).
ssh_cmd() {
    ssh -o ControlMaster=auto -o "ControlPath=${SSH_CONTROL_DIR}/%C" -o ControlPersist=120 \
        "$TARGET" "$@"
}

close_ssh() {
    if [ -n "$SSH_CONTROL_DIR" ]; then
        ssh -o "ControlPath=${SSH_CONTROL_DIR}/%C" -O exit "$TARGET" 2>/dev/null || true
        rm -rf "$SSH_CONTROL_DIR"
    fi
}

# Runs a local command, or prints it under --dry-run.
run_local() {
    if is_dry_run; then
        printf '    [local] %s\n' "$*"
        return 0
    fi
    "$@"
}

# remote_script TITLE [NAME=VALUE...] <<'SCRIPT' ... SCRIPT
# Runs the bash script on stdin on the server as root, after `set -euo pipefail` and one
# shell variable per NAME=VALUE (quoted with printf %q, so values need no escaping; the
# interpreter is always bash). The body is wrapped in { ...; } </dev/null: bash reads a
# group whole before running it, so a command that reads stdin (apt-get, certbot) cannot
# swallow the rest of the script. Under --dry-run prints the script instead; multi-line
# values are shown as a pointer to --render, which writes them in full.
remote_script() {
    local title=$1 assignment name value body header shown
    shift
    body=$(cat)
    body="{"$'\n'"${body}"$'\n'"} </dev/null"
    header='set -euo pipefail'
    shown=$header
    for assignment in "$@"; do
        name=${assignment%%=*}
        value=${assignment#*=}
        header+=$'\n'"${name}=$(printf '%q' "$value")"
        if [[ "$name" == secret_* ]]; then
            # A secret travels inside the script on SSH's standard input; never shown.
            if [ -n "$value" ]; then
                shown+=$'\n'"${name}='(secret, not shown)'"
            else
                shown+=$'\n'"${name}=''"
            fi
        elif [[ "$value" == *$'\n'* ]]; then
            shown+=$'\n'"${name}='(multi-line text; see --render)'"
        else
            shown+=$'\n'"${name}=$(printf '%q' "$value")"
        fi
    done
    step "$title"
    if is_dry_run; then
        printf "    [ssh %s] %sbash -s <<'SCRIPT'\n" "$TARGET" "${SUDO:+$SUDO }"
        printf '%s\n%s\n' "$shown" "$body" | sed 's/^/    /'
        printf '    SCRIPT\n'
        return 0
    fi
    # shellcheck disable=SC2029 # $SUDO is meant to expand here, on the client.
    ssh_cmd "${SUDO:+$SUDO }bash -s" <<<"${header}"$'\n'"${body}"
}

# --- Steps ---------------------------------------------------------------------------------

# The binary comes from --binary or from a release build of this repository.
prepare_binary() {
    if [ -n "$BINARY" ]; then
        step "Use the given binary $BINARY"
        [ -f "$BINARY" ] || die "--binary $BINARY: no such file"
        return 0
    fi
    step "Build the release binary"
    BINARY=${CARGO_TARGET_DIR:-$SCRIPT_DIR/target}/release/armario
    if ! is_dry_run; then
        command -v cargo >/dev/null || die "cargo not found: install Rust or pass --binary PATH"
    fi
    run_local cargo build --release --manifest-path "$SCRIPT_DIR/Cargo.toml"
    if ! is_dry_run; then
        [ -f "$BINARY" ] || die "cargo build finished but $BINARY is missing"
    fi
}

# Root logs in directly; anyone else goes through sudo -n (no password prompt possible
# over a non-interactive SSH session, so fail fast instead of hanging).
detect_sudo() {
    step "Connect to $TARGET"
    if is_dry_run; then
        printf '    [ssh %s] id -u\n' "$TARGET"
        if [[ "$TARGET" == root@* ]]; then SUDO=""; fi
        printf '    (assuming %s)\n' "${SUDO:-root, no sudo}"
        return 0
    fi
    command -v ssh >/dev/null || die "ssh not found"
    SSH_CONTROL_DIR=$(mktemp -d /tmp/armario-deploy.XXXXXX)
    local uid
    uid=$(ssh_cmd id -u </dev/null) || die "cannot reach $TARGET over SSH"
    if [ "$uid" = 0 ]; then SUDO=""; fi
}

preflight() {
    remote_script "Check the server (Debian or Ubuntu with systemd, root access)" <<'SCRIPT' ||
if [ "$(id -u)" != 0 ]; then
    echo "not running as root" >&2
    exit 1
fi
# shellcheck disable=SC1091 # os-release exists on every systemd distribution.
. /etc/os-release
case " ${ID:-} ${ID_LIKE:-} " in
    *" debian "* | *" ubuntu "*) ;;
    *) echo "expected Debian or Ubuntu, found ${PRETTY_NAME:-unknown}" >&2; exit 1 ;;
esac
command -v systemctl >/dev/null || { echo "systemd is required" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "apt-get is required" >&2; exit 1; }
echo "server: ${PRETTY_NAME:-unknown}, $(uname -m)"
SCRIPT
        die "the server check failed (see above); a non-root USER needs passwordless sudo"
}

install_packages() {
    local packages="curl ca-certificates"
    if [ -n "$DOMAIN" ]; then packages+=" nginx"; fi
    if [ -n "$DOMAIN" ] && [ -z "$CERT_DIR" ]; then packages+=" certbot"; fi
    remote_script "Install the packages armario needs ($packages)" packages="$packages" <<'SCRIPT'
missing=()
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "already installed: $packages"
fi
SCRIPT
}

create_user_and_dirs() {
    remote_script "Create the '$SERVICE_USER' system user, $DATA_DIR (0700) and $CONF_DIR" \
        user="$SERVICE_USER" data_dir="$DATA_DIR" conf_dir="$CONF_DIR" <<'SCRIPT'
if ! getent passwd "$user" >/dev/null; then
    group_option=(--user-group)
    if getent group "$user" >/dev/null; then group_option=(--gid "$user"); fi
    useradd --system "${group_option[@]}" --home-dir "$data_dir" --no-create-home \
        --shell /usr/sbin/nologin --comment "armario tenant manager" "$user"
fi
install -d -m 0700 -o "$user" -g "$user" "$data_dir"
install -d -m 0700 -o root -g root "$conf_dir"
SCRIPT
}

# The master key is made on the server and never leaves it: nothing here prints it.
# An existing key is never replaced, and no key is made for data sealed with another one.
write_env_file() {
    local public_url=""
    if [ -n "$DOMAIN" ]; then public_url="https://$DOMAIN"; fi
    remote_script "Create $ENV_FILE (0600) with a new master key on the first install (or the one given); keep it after" \
        env_file="$ENV_FILE" data_dir="$DATA_DIR" public_url="$public_url" \
        listen="$LISTEN" secret_master_key="$MASTER_KEY" secret_database_url="$DATABASE_URL" \
        template="$(render_env_template)" <<'SCRIPT'
umask 077
if [ ! -e "$env_file" ]; then
    if [ -e "$data_dir/armario.db" ]; then
        echo "$data_dir/armario.db exists but $env_file does not: refusing to make a new" \
            "master key that cannot open it. Put back the env file with its ARMARIO_MASTER_KEY." >&2
        exit 1
    fi
    tmp=$(mktemp "$env_file.XXXXXX")
    {
        if [ -n "$secret_master_key" ]; then
            printf 'ARMARIO_MASTER_KEY=%s\n' "$secret_master_key"
        else
            printf 'ARMARIO_MASTER_KEY=%s\n' "$(head -c 32 /dev/urandom | base64 -w 0)"
        fi
        printf '%s\n' "$template"
    } >"$tmp"
    mv -f "$tmp" "$env_file"
    if [ -n "$secret_master_key" ]; then
        echo "created $env_file with the master key given (not shown)"
    else
        echo "created $env_file with a new master key (not shown; back up the file)"
    fi
elif [ -n "$secret_master_key" ] &&
    ! grep -qxF "ARMARIO_MASTER_KEY=$secret_master_key" "$env_file"; then
    echo "$env_file holds another master key than the one given: refusing to replace it" \
        "(the data and backups it sealed would not open; 'armario keys rotate' changes a key)." >&2
    exit 1
elif ! grep -Eq '^ARMARIO_MASTER_KEY(_FILE)?=.' "$env_file"; then
    echo "$env_file has no ARMARIO_MASTER_KEY: put the key back (see the file's comments);" \
        "a new one would not open the existing data or backups." >&2
    exit 1
else
    echo "keeping $env_file and its master key"
fi
chown root:root "$env_file"
chmod 0600 "$env_file"

# set_key KEY VALUE: replace the active line, else uncomment the template line, else append.
set_key() {
    if grep -q "^$1=" "$env_file"; then
        sed -i "s|^$1=.*|$1=$2|" "$env_file"
    elif grep -q "^# *$1=" "$env_file"; then
        sed -i "0,/^# *$1=.*/s||$1=$2|" "$env_file"
    else
        printf '%s=%s\n' "$1" "$2" >>"$env_file"
    fi
}
# set_secret KEY VALUE: the line replaced whole, with no sed over the value (a URL's & or |).
set_secret() {
    local tmp
    tmp=$(mktemp "$env_file.XXXXXX")
    grep -v "^$1=" "$env_file" >"$tmp" || true
    printf '%s=%s\n' "$1" "$2" >>"$tmp"
    mv -f "$tmp" "$env_file"
}
if [ -n "$secret_database_url" ]; then
    set_secret ARMARIO_DATABASE_URL "$secret_database_url"
    echo "set ARMARIO_DATABASE_URL (not shown): the store is that PostgreSQL database"
fi
if [ -n "$listen" ]; then
    set_key ARMARIO_ADDR "$listen"
    set_key ARMARIO_TRUST_PROXY true
    echo "set ARMARIO_ADDR=$listen and ARMARIO_TRUST_PROXY=true"
fi
if [ -n "$public_url" ]; then
    set_key ARMARIO_PUBLIC_URL "$public_url"
    set_key ARMARIO_COOKIE_SECURE true
    set_key ARMARIO_TRUST_PROXY true
    echo "set ARMARIO_PUBLIC_URL=$public_url, ARMARIO_COOKIE_SECURE=true and ARMARIO_TRUST_PROXY=true"
fi
SCRIPT
}

install_unit() {
    remote_script "Install $UNIT_FILE and enable it" \
        unit_file="$UNIT_FILE" unit="$(render_unit)" service="$SERVICE" <<'SCRIPT'
tmp=$(mktemp "$unit_file.XXXXXX")
printf '%s\n' "$unit" >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$unit_file"
systemctl daemon-reload
systemctl enable "$service"
SCRIPT
}

# Upload next to the live binary as armario.new and check that it arrived whole and runs
# on this server (right architecture and libc) before anything depends on it.
upload_binary() {
    local checksum=""
    step "Upload $BINARY to $BIN.new"
    if is_dry_run; then
        printf "    [ssh %s] %ssh -c 'cat > %s.new' < %s\n" "$TARGET" "${SUDO:+$SUDO }" "$BIN" "$BINARY"
        checksum="(sha256 of $BINARY)"
    else
        checksum=$(sha256_of "$BINARY")
        # shellcheck disable=SC2029 # expands on the client on purpose.
        ssh_cmd "${SUDO:+$SUDO }sh -c 'cat > $BIN.new'" <"$BINARY"
    fi
    remote_script "Check that $BIN.new is intact and runs on the server" \
        new="$BIN.new" checksum="$checksum" user="$SERVICE_USER" <<'SCRIPT'
chmod 0755 "$new"
if ! echo "$checksum  $new" | sha256sum --check --quiet; then
    echo "the uploaded binary is damaged (checksum mismatch)" >&2
    rm -f "$new"
    exit 1
fi
if ! version=$(runuser -u "$user" -- "$new" --version); then
    echo "the new binary does not run on this server (other architecture or libc?)" >&2
    rm -f "$new"
    exit 1
fi
echo "uploaded: $version"
SCRIPT
}

sha256_of() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d ' ' -f 1
    else
        shasum -a 256 "$1" | cut -d ' ' -f 1
    fi
}

# activate SOURCE: make SOURCE the live binary ($BIN.new after an upload, $BIN.previous
# for --rollback), restart, and wait for /readyz.
#
# The binary being replaced is held as armario.outgoing until the new one answers: then
# it becomes armario.previous (the rollback target). If the new one does not answer in
# time, the outgoing binary goes back live and is restarted, armario.previous is left as
# it was, and the failed binary is kept as armario.failed. A deploy of the binary that is
# already live only restarts it, and a failure then is not the binary's fault, so
# nothing is rolled back.
#
# Exit codes: 0 ready; 3 not ready, rolled back, the old binary is ready; 4 not ready,
# rolled back, the old binary is not ready either; 5 not ready, nothing to roll back to.
activate() {
    local source=$1 rc=0 title
    if [ "$source" = "$BIN.previous" ]; then
        title="Swap $BIN.previous in, restart $SERVICE and wait up to ${READY_TIMEOUT_SECS}s for $READY_URL"
    else
        title="Swap $BIN.new in, restart $SERVICE and wait up to ${READY_TIMEOUT_SECS}s for $READY_URL (roll back if it does not come up)"
    fi
    remote_script "$title" service="$SERVICE" bin="$BIN" source="$source" \
        url="$READY_URL" timeout="$READY_TIMEOUT_SECS" <<'SCRIPT' || rc=$?
wait_ready() {
    local deadline=$((SECONDS + timeout))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if systemctl is-active --quiet "$service" &&
            curl --fail --silent --output /dev/null --max-time 2 "$url"; then
            return 0
        fi
        sleep 1
    done
    return 1
}
restart() {
    systemctl reset-failed "$service" 2>/dev/null || true
    systemctl restart "$service"
}
version() {
    "$bin" --version 2>/dev/null || echo "unknown version"
}

if [ ! -e "$source" ]; then
    echo "$source does not exist: nothing to make live" >&2
    exit 1
fi
swapped=0
if [ -e "$bin" ] && cmp -s "$source" "$bin"; then
    echo "$bin is already this binary: $(version)"
    if [ "$source" = "$bin.new" ]; then rm -f "$source"; fi
else
    rm -f "$bin.outgoing"
    if [ -e "$bin" ]; then cp -p "$bin" "$bin.outgoing"; fi
    # Copy, then rename over the live path: the path always holds a whole binary.
    cp -p "$source" "$bin.tmp"
    mv -f "$bin.tmp" "$bin"
    if [ "$source" = "$bin.new" ]; then rm -f "$source"; fi
    swapped=1
    echo "now live: $(version)"
fi

restart
if wait_ready; then
    if [ -e "$bin.outgoing" ]; then mv -f "$bin.outgoing" "$bin.previous"; fi
    echo "$service is ready: $(version)"
    exit 0
fi
echo "$service did not answer $url within ${timeout}s; last log lines:" >&2
journalctl --unit "$service" --lines 30 --no-pager >&2 || true
if [ "$swapped" = 0 ] || [ ! -e "$bin.outgoing" ]; then
    exit 5
fi
cp -p "$bin" "$bin.failed"
mv -f "$bin.outgoing" "$bin"
echo "put the binary it replaced back ($(version)); restarting" >&2
restart
if wait_ready; then
    exit 3
fi
exit 4
SCRIPT
    case "$rc" in
        0) ;;
        3) die "armario did not become ready, so the binary it replaced was put back and is" \
            "serving. The failed binary is kept as $BIN.failed; see 'journalctl -u $SERVICE'." ;;
        4) die "armario did not become ready, and neither did the binary it replaced after" \
            "rollback; see 'journalctl -u $SERVICE' on the server." ;;
        5) die "armario did not become ready and there is no other binary to go back to (a" \
            "first install, or the binary did not change: check $ENV_FILE); see" \
            "'journalctl -u $SERVICE' on the server." ;;
        *) die "making the binary live failed (exit $rc)" ;;
    esac
}

# nginx: with no certificate yet, serve only the HTTP block so Let's Encrypt can reach
# the webroot challenge, get the certificate, then install the full site. Renewals
# (certbot's systemd timer) reuse the webroot and reload nginx through the deploy hook.
configure_nginx() {
    local cert_dir=${CERT_DIR:-/etc/letsencrypt/live/$DOMAIN} use_certbot=1
    if [ -n "$CERT_DIR" ]; then use_certbot=0; fi
    remote_script "Configure nginx as the TLS proxy for https://$DOMAIN" \
        domain="$DOMAIN" email="$EMAIL" cert_dir="$cert_dir" use_certbot="$use_certbot" \
        webroot="$ACME_WEBROOT" site_file="$NGINX_SITE" site_link="$NGINX_SITE_LINK" \
        http_site="$(render_nginx_http "$DOMAIN")" \
        site="$(render_nginx "$DOMAIN" "$cert_dir")" <<'SCRIPT'
install_site() {
    local tmp
    tmp=$(mktemp "$site_file.XXXXXX")
    printf '%s\n' "$1" >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$site_file"
    ln -sfn "$site_file" "$site_link"
    nginx -t
    systemctl reload nginx
}
install -d -m 0755 "$webroot"
systemctl enable --now nginx
if [ ! -s "$cert_dir/fullchain.pem" ] || [ ! -s "$cert_dir/privkey.pem" ]; then
    if [ "$use_certbot" != 1 ]; then
        echo "$cert_dir must hold fullchain.pem and privkey.pem" >&2
        exit 1
    fi
    install_site "$http_site"
    account=(--register-unsafely-without-email)
    if [ -n "$email" ]; then account=(--email "$email"); fi
    certbot certonly --webroot --webroot-path "$webroot" --domain "$domain" \
        --non-interactive --agree-tos "${account[@]}" --keep-until-expiring \
        --deploy-hook "systemctl reload nginx"
fi
install_site "$site"
echo "nginx serves https://$domain"
SCRIPT
}

# --- Main ----------------------------------------------------------------------------------

main() {
    trap on_exit EXIT
    parse_args "$@"
    validate_args
    if [ -n "$RENDER_DIR" ]; then
        render_files "$RENDER_DIR"
        return 0
    fi
    if is_dry_run; then
        printf 'Dry run: nothing is built, copied or run; these are the steps for %s.\n' "$TARGET"
    fi

    if [ "$ROLLBACK" = 1 ]; then
        detect_sudo
        preflight
        activate "$BIN.previous"
        finish "rolled back: the binary that was $BIN.previous is live"
        return 0
    fi

    prepare_binary
    detect_sudo
    preflight
    install_packages
    create_user_and_dirs
    write_env_file
    install_unit
    upload_binary
    activate "$BIN.new"
    if [ -n "$DOMAIN" ]; then
        configure_nginx
    fi
    finish "armario is running on $TARGET${DOMAIN:+ at https://$DOMAIN}"
}

finish() {
    if is_dry_run; then
        step "End of dry run: nothing was done"
    else
        step "Done: $*"
    fi
}

main "$@"
