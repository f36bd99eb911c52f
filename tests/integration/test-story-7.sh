#!/bin/bash
# Story 7: one socket service only, through a filtering proxy (xdg-dbus-proxy) that dies with the session.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
for tool in dbus-daemon xdg-dbus-proxy dbus-send dbus-test-tool; do
        command -v $tool >/dev/null || { t_skip "story 7" "$tool is not installed"; t_done; }
done
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
# D-Bus's EXTERNAL authentication sends the client's uid as it sees it; the bus compares it with the
# proxy's real uid (the caller's).  So the void runs as the caller's own uid and gid, mapped to themselves.
ids=(--uid "$(id -u)" --gid "$(id -g)")
dbus-daemon --session --address=unix:path="$T_TMP/bus" --nofork >/dev/null 2>&1 &
t_at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -S "$T_TMP/bus" ] && break; sleep 0.1; done
# Two services on the bus, each owning a name (dbus-test-tool echo answers every call with an empty
# reply): only org.example.Allowed may be talked to through the proxy.
export DBUS_SESSION_BUS_ADDRESS=unix:path=$T_TMP/bus
for name in org.example.Allowed org.example.Other; do
        timeout 120 dbus-test-tool echo --session --name=$name >/dev/null 2>&1 &
        t_at_exit "kill $! 2>/dev/null"
done
direct() { timeout 10 dbus-send --session --print-reply "$@"; }
owned() { direct --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner "string:$1" |
        grep -q "boolean true"; }
for _ in $(seq 100); do owned org.example.Allowed && owned org.example.Other && break; sleep 0.05; done
send() { timeout 20 "$VS" run "${ids[@]}" --libs /usr/bin/dbus-send --dbus-proxy /run/bus=unix:path="$T_TMP/bus" \
        --dbus-talk org.example.Allowed -- /usr/bin/dbus-send --session --print-reply "$@"; }

t_match "the bus answers through the proxy" "string \"org.freedesktop.DBus\"" \
        send --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames
t_match "the one allowed service answers" "^method return .* sender=:" \
        send --dest=org.example.Allowed /x org.example.X.Y
t_match "control: the other name is owned and answers on the bus itself" "^method return .* sender=:" \
        direct --dest=org.example.Other /x org.example.X.Y
t_match "...but through the proxy it is refused" "ServiceUnknown|AccessDenied" \
        send --dest=org.example.Other /x org.example.X.Y
t_fails "owning a name is refused" send --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.RequestName string:org.example.Other uint32:0
t_eq "the real bus socket is not in the void" "ENOENT" void -- "$PROBE" stat "$T_TMP/bus"
"$VS" run --exec-host "${ids[@]}" --name s7 --dbus-proxy /run/bus=unix:path="$T_TMP/bus" -- "$PROBE" sleep 30 >/dev/null 2>&1 &
run=$!
for _ in $(seq 100); do "$VS" ctl s7 list >/dev/null 2>&1 && break; sleep 0.05; done
proxy=$("$VS" ctl s7 list | awk -F'\t' '$1 == "dbus"' | sed -n 's/.*pid \([0-9]*\).*/\1/p')
t_ok "the proxy runs while the session does" pid_alive "$proxy"
"$VS" ctl s7 stop >/dev/null
wait $run
sleep 0.2
t_fails "it dies with the session" kill -0 "$proxy"
t_done
