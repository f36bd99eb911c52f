#!/bin/bash
# Proxied servers in a spec's environment: a network caretaker per void (pasta) with an allowlist,
# socket forwarders bound in every void, both listed and revoked with `voidshim exec --name` and
# `voidshim ctl`, and gone with the run (doc/spec-format.md, doc/servers.md).  Tried from inside.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "all proxied spec tests" "no srv_probe"; t_done; }
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt

# Upstreams on the host: a TCP echo server on 127.0.0.1 and a unix one.
"$SRV" tserve >"$T_TMP/tserve" 2>&1 &
ts=$!
"$SRV" userve "$T_TMP/up.sock" >"$T_TMP/userve" 2>&1 &
us=$!
t_at_exit "kill $ts $us 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/tserve" && grep -q '^ok' "$T_TMP/userve" && break; sleep 0.1; done
port=$(awk '{print $2}' "$T_TMP/tserve")
other=$((port == 65535 ? 1 : port + 1))

wait_run() { for _ in $(seq 100); do "$VS" ctl "$1" list >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
pid_of() { "$VS" ctl "$1" list 2>/dev/null | awk -F'\t' -v n="$2" '$1 == n' | sed -n 's/.*pid \([0-9]*\).*/\1/p'; }
# gone PID: PID ends within 2 s; an empty PID (a look-up that found nothing) is never "gone".
gone() { [ -n "${1:-}" ] || return 1; for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }

# spec FILE ENVIRONMENT-JSON [ENTRYPOINTS-JSON]: by default srv_probe with the command line's words.
MAIN='{ "main": { "program": "'"$SRV"'", "args": [ "trailing" ], "void": { "stdout": true, "stderr": true } } }'
spec() {
        cat >"$T_TMP/$1" <<EOJ
{
  "voidshim": 1,
  "environment": { "exec": "denied", $2 },
  "entrypoints": ${3:-$MAIN}
}
EOJ
        echo "$T_TMP/$1"
}
FWD='"unix": { "mode": "proxied", "connect": [
        { "at": "/run/echo.sock", "upstream": "unix:up.sock" },
        { "at": "/run/tcp.sock", "upstream": "tcp:127.0.0.1:'$port'" } ] }'
fwd=$(spec fwd.json "$FWD")

# ---- unix proxied: socket forwarders --------------------------------------------------------
t_ok "a spec with forwarders passes check" "$VS" check "$fwd"
t_match "explain names each forwarder, its path in the void and its upstream" \
        "/run/echo.sock: .*forwarded to unix:$T_TMP/up.sock" "$VS" explain "$fwd"
t_eq "a void reaches a unix upstream through its forwarder (upstream path relative to the spec)" "ok hello" \
        "$VS" exec "$fwd" -- uconnect /run/echo.sock hello
t_eq "... and a TCP upstream" "ok hello" "$VS" exec "$fwd" -- uconnect /run/tcp.sock hello
t_eq "an fd sent through the forwarder is dropped, the bytes pass" "ok hello" \
        "$VS" exec "$fwd" -- uconnect /run/echo.sock hello +fd
t_eq "the void's network is still its own: the upstream's port is not reachable directly" "ENETUNREACH" \
        "$VS" exec "$fwd" -- tconnect 127.0.0.1 "$port" hi
t_eq "no run directory is left behind" "" bash -c "ls '$VOIDSHIM_RUNTIME_DIR' 2>/dev/null | grep run-"

# Revocation while the program runs.
"$VS" exec --name sfw "$fwd" -- loop unix /run/echo.sock 15 150 >"$T_TMP/loop" 2>&1 &
run=$!
wait_run sfw
t_match "ctl list names the void and each forwarder" "^/run/echo.sock	forwarder .*live" "$VS" ctl sfw list
t_match "... and the running void" "^void main	pid [0-9]+, running" "$VS" ctl sfw list
fwd_pid=$(pid_of sfw /run/echo.sock)
sleep 0.5
t_ok "ctl revoke cuts one forwarder" "$VS" ctl sfw revoke /run/echo.sock
t_match "ctl list says revoked" "^/run/echo.sock	.*revoked" "$VS" ctl sfw list
t_match "the other forwarder lives on" "^/run/tcp.sock	.*live" "$VS" ctl sfw list
t_status "ctl revoke of an unknown caretaker: exit 100" 100 "$VS" ctl sfw revoke /nope
gone "$fwd_pid"
t_check "the revoked forwarder's process is gone" $?
wait $run
t_check "the program kept running and the run ended normally" $?
t_match "uses before the revocation worked" "^ok ping" cat "$T_TMP/loop"
t_eq "every use after it fails with ECONNREFUSED, and the program lives on" "ECONNREFUSED
alive" bash -c "tail -2 '$T_TMP/loop'"
t_check "no use worked after the first failure" "$(sed -n '/ECONNREFUSED/,$p' "$T_TMP/loop" | grep -c '^ok')"
t_fails "the control socket is gone with the run" test -e "$VOIDSHIM_RUNTIME_DIR/sfw.sock"

# Dead-man switch: the forwarders die with the supervisor.
spec sleep.json "$FWD" '{ "main": { "program": "'"$PROBE"'", "argv": [ "sleep", "30" ] } }' >/dev/null
"$VS" exec --name sdm2 "$T_TMP/sleep.json" >/dev/null 2>&1 &
run=$!
wait_run sdm2
fwd_pid=$(pid_of sdm2 /run/echo.sock)
void_pid=$("$VS" ctl sdm2 list | sed -n 's/^void main\tpid \([0-9]*\).*/\1/p')
kill -9 "$run"
wait "$run" 2>/dev/null
gone "$fwd_pid"
t_check "killing the supervisor (SIGKILL) kills its forwarders" $?
gone "$void_pid"
t_check "... and its voids" $?
"$VS" exec --name sstop "$T_TMP/sleep.json" >/dev/null 2>&1 &
run=$!
wait_run sstop
t_ok "ctl stop ends the application" "$VS" ctl sstop stop
wait $run
t_eq "... with the SIGKILL status, as voidshim run's stop" "137" echo $?
t_status "exec --name with a name that is a path: exit 100" 100 "$VS" exec --name ../x "$fwd" -- uconnect /x y

# ---- unix proxied: the D-Bus proxy ------------------------------------------------------------
# D-Bus EXTERNAL authentication needs the same uid inside and outside: an ordinary user's voids take
# their caller's ids ("uid", "gid"), as story 7 does with --uid/--gid.
ids=""
is_root || ids=', "uid": '$(id -u)', "gid": '$(id -g)
if ! command -v dbus-daemon >/dev/null || ! command -v xdg-dbus-proxy >/dev/null || ! command -v dbus-send >/dev/null; then
        t_skip "unix proxied: dbus" "dbus-daemon, xdg-dbus-proxy or dbus-send is not installed"
else
        dbus-daemon --session --address=unix:path="$T_TMP/bus" --nofork >/dev/null 2>&1 &
        t_at_exit "kill $! 2>/dev/null"
        for _ in $(seq 50); do [ -S "$T_TMP/bus" ] && break; sleep 0.1; done
        DBUS='"unix": { "mode": "proxied", "dbus": { "at": "/run/bus", "bus": "unix:path='$T_TMP/bus'",
                "talk": [ "org.example.Allowed" ] } }'
        dbus=$(spec dbus.json "$DBUS" '{ "send": { "program": "/usr/bin/dbus-send", "args": [ "trailing" ],
                "void": { "stdout": true, "stderr": true'"$ids"' } } }')
        sed -i 's/"exec": "denied", //' "$dbus" # dbus-send is dynamic: its own ELF closure
        t_match "dbus: the bus answers through the proxy (DBUS_SESSION_BUS_ADDRESS is set)" \
                "string \"org.freedesktop.DBus\"" "$VS" exec "$dbus" -- --session --print-reply \
                --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames
        t_match "dbus: a name that is not allowed is refused" "ServiceUnknown|AccessDenied" \
                "$VS" exec "$dbus" -- --session --print-reply --dest=org.example.Other /x org.example.X.Y
        spec dsleep.json "$DBUS" '{ "main": { "program": "'"$PROBE"'", "argv": [ "sleep", "30" ], "void": { '"${ids#, }"' } } }' >/dev/null
        "$VS" exec --name sdbus "$T_TMP/dsleep.json" >/dev/null 2>&1 &
        run=$!
        wait_run sdbus
        proxy=$(pid_of sdbus dbus)
        t_ok "ctl revoke dbus cuts the proxy" "$VS" ctl sdbus revoke dbus
        gone "$proxy"
        t_check "... and its process is gone" $?
        "$VS" ctl sdbus stop >/dev/null
        wait $run
fi

# ---- net proxied: a network caretaker per void -----------------------------------------------
# pasta opens /dev/net/tun in the caretaker's namespace: the user must be able to open it.
if ! command -v pasta >/dev/null; then
        t_skip "net proxied" "pasta is not installed (Debian package passt)"
        t_done
elif ! [ -r /dev/net/tun ] || ! [ -w /dev/net/tun ]; then
        t_skip "net proxied" "pasta needs /dev/net/tun, which this user cannot open"
        t_done
fi
NET='"net": { "mode": "proxied", "allow": [ "'$port'" ] }'
net=$(spec net.json "$NET, $FWD")
t_match "explain says what the network caretaker lets through" "net: every void joins a network caretaker .*: $port" \
        "$VS" explain "$net"
t_eq "net proxied: the allowed host-loopback port answers" "ok hi" "$VS" exec "$net" -- tconnect 127.0.0.1 "$port" hi
t_eq "net proxied: any other port is refused" "ECONNREFUSED" "$VS" exec "$net" -- tconnect 127.0.0.1 "$other" hi
t_eq "net proxied: no route anywhere else" "ENETUNREACH" "$VS" exec "$net" -- tconnect 192.0.2.1 80 hi
t_eq "the forwarders still work beside it" "ok hello" "$VS" exec "$net" -- uconnect /run/echo.sock hello

"$VS" exec --name snet "$net" -- loop tcp 127.0.0.1 "$port" 15 150 >"$T_TMP/nloop" 2>&1 &
run=$!
wait_run snet
pasta=$(pid_of snet net)
sleep 0.5
t_ok "ctl revoke net kills the void's network caretaker" "$VS" ctl snet revoke net
wait $run
t_check "the program kept running" $?
t_match "uses before the revocation worked" "^ok ping" cat "$T_TMP/nloop"
t_eq "after revoking the network every connect is refused, the program lives on" "ECONNREFUSED
alive" bash -c "tail -2 '$T_TMP/nloop'"
gone "$pasta"
t_check "no pasta process is left" $?

# A void started after `revoke net` gets no caretaker: the revocation holds for the whole run.
later=$(spec later.json "$NET" '{ "w": { "program": "'"$SRV"'", "argv": [ "tconnect", "127.0.0.1", "'"$port"'", "hi" ],
    "trigger": { "listener": "go" }, "void": { "stdout": true } } },
  "listeners": { "go": { "unix": "'"$T_TMP"'/go.sock" } }')
"$VS" exec --name slater "$later" >"$T_TMP/later" 2>"$T_TMP/later.err" &
run=$!
wait_run slater
fire() { timeout 5 "$SRV" uconnect "$T_TMP/go.sock" x >/dev/null 2>&1; for _ in $(seq 50); do [ "$(wc -l <"$T_TMP/later")" -ge "$1" ] && return; sleep 0.1; done; }
fire 1
t_ok "ctl revoke net before the next void" "$VS" ctl slater revoke net
fire 2
t_eq "a void started before the revocation reached the port, one started after it is refused" "ok hi
ECONNREFUSED" cat "$T_TMP/later"
t_eq "... and no network caretaker was started for it" "" bash -c "'$VS' ctl slater list | grep '^net.*live'"
kill "$run"
wait "$run" 2>/dev/null

# Two voids, two caretakers: voids never share a network namespace.
two=$(spec two.json "$NET" '{
    "a": { "program": "'"$PROBE"'", "argv": [ "sleep", "30" ] },
    "b": { "program": "'"$PROBE"'", "argv": [ "sleep", "30" ] } }')
"$VS" exec --name stwo "$two" >/dev/null 2>&1 &
run=$!
wait_run stwo
t_eq "each void has a network caretaker of its own" "2" \
        bash -c "'$VS' ctl stwo list | awk -F'\t' '\$1 == \"net\"' | sed -n 's/.*pid \([0-9]*\).*/\1/p' | sort -u | wc -l"
pastas=$("$VS" ctl stwo list | awk -F'\t' '$1 == "net"' | sed -n 's/.*pid \([0-9]*\).*/\1/p')
kill -9 "$run"
wait "$run" 2>/dev/null
# pasta's parent-death signal does not survive its own switch of credentials (setns into the
# void's user namespace), so it ends by its own check that the namespace's holder is gone: it
# polls once a second.  10 s is the bound of a hang, not a speed target.
left=0
for p in $pastas; do
        for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -0 "$p" 2>/dev/null && left=1
done
t_check "the network caretakers die with the supervisor (pasta: by its own poll of the namespace)" $left
t_done
