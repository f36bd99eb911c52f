#!/bin/bash
# Story 1 (doc/user-stories.md): nothing unless I say so.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
"$PROBE" serve >"$T_TMP/serve" 2>&1 &
t_at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok ' "$T_TMP/serve" && break; sleep 0.1; done
port=$(sed -n 's/^ok //p' "$T_TMP/serve")

t_eq "PID 1 is the void's own" "ok 1" void -- "$PROBE" getpid
t_eq "only lo, and it is down" "ok lo:down" void -- "$PROBE" ifaces
t_eq "its own hostname" "ok void" void -- "$PROBE" hostname
t_eq "none of my files: my home is not there" "ENOENT" void -- "$PROBE" stat "${HOME:-/root}"
t_eq "none of my files: /etc is not there" "ENOENT" void -- "$PROBE" stat /etc/passwd
t_eq "the host's loopback server cannot be reached" "ENETUNREACH" void -- "$PROBE" connect 127.0.0.1 "$port"
t_eq "...and the server is there (control, from the host)" "ok" "$PROBE" connect 127.0.0.1 "$port"
t_done
