#!/bin/bash
# Network: a void's network namespace is its own; only --net shared (or --share net) reaches the host's.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# A listener on the host's 127.0.0.1, on an ephemeral port, for the whole file.
"$PROBE" serve >"$T_TMP/serve" 2>&1 &
srv=$!
t_at_exit "kill $srv 2>/dev/null; wait $srv 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok ' "$T_TMP/serve" && break; sleep 0.1; done
port=$(sed -n 's/^ok //p' "$T_TMP/serve")
if [ -z "$port" ]; then
        t_check "a listener on the host's loopback" 1 "$(cat "$T_TMP/serve")"
        t_done
fi
t_eq "the host listener answers on the host" "ok" "$PROBE" connect 127.0.0.1 "$port"

# Default: an empty stack.  The socket API works; there is simply nothing to talk to.
t_eq "default: only lo, down" "ok lo:down" void -- "$PROBE" ifaces
t_eq "default: socket(AF_INET) works" "ok" void -- "$PROBE" socket inet
t_eq "default: socket(AF_INET6) works" "ok" void -- "$PROBE" socket inet6
t_eq "default: socket(AF_NETLINK) works" "ok" void -- "$PROBE" socket netlink
t_eq "default: no raw packet sockets (no CAP_NET_RAW)" "EPERM" void -- "$PROBE" socket packet
t_eq "default: the host listener is unreachable" "ENETUNREACH" void -- "$PROBE" connect 127.0.0.1 "$port"
t_match "default: ::1 is unreachable" "^(ENETUNREACH|EADDRNOTAVAIL)$" void -- "$PROBE" connect ::1 "$port"
t_eq "default: the outside world is unreachable" "ENETUNREACH" void -- "$PROBE" connect 192.0.2.1 80
t_eq "default: not even a listener inside the void" "ENETUNREACH" void -- "$PROBE" selfconnect
t_nomatch "default: --explain says so" "SHARED" "$VS" run --explain -- /bin/true

# --net loopback: lo up, but it is the void's own lo: the host's port is closed there.
t_eq "--net loopback: lo up" "ok lo:up" void --net loopback -- "$PROBE" ifaces
t_eq "--net loopback: the host listener is not there (ECONNREFUSED)" "ECONNREFUSED" \
        void --net loopback -- "$PROBE" connect 127.0.0.1 "$port"
t_eq "--net loopback: listen and connect inside the void" "ok" void --net loopback -- "$PROBE" selfconnect
t_eq "--net loopback: still no route out" "ENETUNREACH" void --net loopback -- "$PROBE" connect 192.0.2.1 80
t_eq "--net loopback: each void has its own lo" "ok" void --net loopback -- "$PROBE" listen "$port"

# --net shared and --share net: the caller's stack, on purpose.
t_eq "--net shared: the host listener is reachable" "ok" void --net shared -- "$PROBE" connect 127.0.0.1 "$port"
t_eq "--share net: the same" "ok" void --share net -- "$PROBE" connect 127.0.0.1 "$port"
t_match "--net shared: the host's interfaces" "lo:up" void --net shared -- "$PROBE" ifaces
t_eq "--net shared: the port is taken (the host's stack)" "EADDRINUSE" void --net shared -- "$PROBE" listen "$port"
t_match "--net shared: --explain says SHARED" "network: the caller's \(SHARED\)" \
        "$VS" run --explain --net shared -- /bin/true
t_status "--net loopback after --share net is a contradiction (exit 100)" 100 \
        void --share net --net loopback -- "$PROBE" true

t_done
