#!/usr/bin/env bash
# The full crash run: SIGKILL the server 1,000 times (CRASH_KILLS to change it) while six clients
# create, edit and link companies and set their secrets with group commit on; after each restart
# the file must pass integrity_check and foreign_key_check, and at the end every acknowledged
# write must be there with its audit event. CI runs the same test with 100 kills.
#
#   bench/crash.sh                 (about 7 minutes on two cores)
#   CRASH_KILLS=300 bench/crash.sh
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${CRASH_KILLS:-1000}
start=$(date +%s)
CRASH_KILLS=$kills cargo test --quiet --test suite crash_suite:: -- --nocapture 2>&1 |
    grep -E "kills:|test result|panicked|FAILED"
echo "$kills kills in $(( $(date +%s) - start )) s"
