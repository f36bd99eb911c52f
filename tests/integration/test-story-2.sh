#!/bin/bash
# Story 2: my network, or none.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "story 2" "no srv_probe"; t_done; }
"$SRV" tserve >"$T_TMP/ts" 2>&1 &
t_at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/ts" && break; sleep 0.1; done
port=$(awk '{print $2}' "$T_TMP/ts")

t_eq "net shared: the host loopback echo server answers" "ok hello" \
        void --server net=shared -- "$SRV" tconnect 127.0.0.1 "$port" hello
start=$(date +%s%N)
t_eq "net denied: the connection fails with EACCES" "EACCES" void --server net=denied -- "$SRV" tconnect 127.0.0.1 "$port" hello
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]
t_check "net denied: ...at once (under a second, no timeout)" $?
t_done
