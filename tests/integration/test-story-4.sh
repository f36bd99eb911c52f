#!/bin/bash
# Story 4: two voids that talk only to each other.  The link is A's network namespace (only lo),
# which B joins; nobody else is in it.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "story 4" "no srv_probe"; t_done; }
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
"$PROBE" serve >"$T_TMP/host" 2>&1 &
t_at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok ' "$T_TMP/host" && break; sleep 0.1; done
hport=$(sed -n 's/^ok //p' "$T_TMP/host")

"$VS" run --exec-host --name s4a --server net=fresh -- "$SRV" tserve >"$T_TMP/a" 2>&1 &
a=$!
t_at_exit "kill $a 2>/dev/null"
for _ in $(seq 100); do grep -q '^ok' "$T_TMP/a" && break; sleep 0.05; done
aport=$(awk '{print $2}' "$T_TMP/a")
apid=$("$VS" ctl s4a list | awk -F'\t' '$1 == "void"' | sed -n 's/.*pid \([0-9]*\).*/\1/p')
b() { "$VS" run --exec-host --join user=/proc/"$apid"/ns/user --join net=/proc/"$apid"/ns/net -- "$@"; }

t_eq "B reaches A over their private link" "ok hi" b "$SRV" tconnect 127.0.0.1 "$aport" hi
t_eq "the host cannot reach A's address" "ECONNREFUSED" "$PROBE" connect 127.0.0.1 "$aport"
t_eq "B does not reach the host's loopback" "ECONNREFUSED" b "$PROBE" connect 127.0.0.1 "$hport"
t_eq "A's link has nothing but lo" "ok lo:up" b "$PROBE" ifaces
"$VS" ctl s4a stop >/dev/null
wait $a
t_done
