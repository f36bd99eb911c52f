#!/bin/bash
# Caretakers: forwarders, pasta and the control channel.  Each dies with its supervisor; revoking one
# makes every later use fail while the program keeps running.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "all caretaker tests" "no srv_probe"; t_done; }
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt

# Upstreams on the host: a TCP echo server on 127.0.0.1 and a unix one.
"$SRV" tserve >"$T_TMP/tserve" 2>&1 &
ts=$!
"$SRV" userve "$T_TMP/up.sock" >"$T_TMP/userve" 2>&1 &
us=$!
t_at_exit "kill $ts $us 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/tserve" && grep -q '^ok' "$T_TMP/userve" && break; sleep 0.1; done
port=$(awk '{print $2}' "$T_TMP/tserve")

# wait_run NAME: until `voidshim ctl NAME list` answers.
wait_run() { for _ in $(seq 100); do "$VS" ctl "$1" list >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
pid_of() { "$VS" ctl "$1" list 2>/dev/null | awk -F'\t' -v n="$2" '$1 == n' | sed -n 's/.*pid \([0-9]*\).*/\1/p'; }
gone() { for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }

# ---- the socket forwarder -------------------------------------------------------------
t_eq "forwarder to TCP: the void talks to the upstream through its socket" "ok hello" \
        void --proxy-connect /run/echo.sock=tcp:127.0.0.1:"$port" -- "$SRV" uconnect /run/echo.sock hello
t_eq "forwarder to a unix socket" "ok hello" \
        void --proxy-connect /run/echo.sock=unix:"$T_TMP/up.sock" -- "$SRV" uconnect /run/echo.sock hello
t_eq "an fd sent straight to the upstream arrives (control)" "ok hello +fd" "$SRV" uconnect "$T_TMP/up.sock" hello +fd
t_eq "an fd sent through the forwarder is dropped, the bytes pass" "ok hello" \
        void --proxy-connect /run/echo.sock=unix:"$T_TMP/up.sock" -- "$SRV" uconnect /run/echo.sock hello +fd
t_eq "the void's net is still empty: the upstream is reached only through the forwarder" "ENETUNREACH" \
        void --proxy-connect /run/echo.sock=tcp:127.0.0.1:"$port" -- "$PROBE" connect 127.0.0.1 "$port"
t_status "a bad upstream is a usage error (exit 100)" 100 void --proxy-connect /run/x=ftp:h:1 -- "$PROBE" true
t_status "an upstream that is down: connect works, the connection closes" 1 \
        void --proxy-connect /run/x.sock=unix:"$T_TMP/none.sock" -- "$SRV" uconnect /run/x.sock hi

# ---- revocation while the program runs --------------------------------------------------
"$VS" run --exec-host --name fw --proxy-connect /run/echo.sock=tcp:127.0.0.1:"$port" -- "$SRV" loop unix /run/echo.sock 15 150 \
        >"$T_TMP/loop" 2>&1 &
run=$!
wait_run fw
t_match "ctl list names the void and the forwarder" "^/run/echo.sock.*forwarder.*live" "$VS" ctl fw list
fwd=$(pid_of fw /run/echo.sock)
sleep 0.5
t_ok "ctl revoke cuts the forwarder" "$VS" ctl fw revoke /run/echo.sock
t_match "ctl list says revoked" "revoked" "$VS" ctl fw list
t_status "ctl revoke of an unknown caretaker: exit 100" 100 "$VS" ctl fw revoke /nope
gone "$fwd"
t_check "the revoked forwarder's process is gone" $?
wait $run
t_check "the program kept running and ended normally" $?
t_match "uses before the revocation worked" "^ok ping" cat "$T_TMP/loop"
t_eq "every use after it fails with ECONNREFUSED, and the program lives on" "ECONNREFUSED
alive" bash -c "tail -2 '$T_TMP/loop'"
t_check "no use worked after the first failure" "$(sed -n '/ECONNREFUSED/,$p' "$T_TMP/loop" | grep -c '^ok')"

# An open connection breaks too.
"$VS" run --exec-host --name hold --proxy-connect /run/echo.sock=unix:"$T_TMP/up.sock" -- "$SRV" hold /run/echo.sock 40 50 \
        >"$T_TMP/hold" 2>&1 &
run=$!
wait_run hold
sleep 0.3
"$VS" ctl hold revoke /run/echo.sock >/dev/null
wait $run
t_match "an open connection ends (EOF, ECONNRESET or EPIPE) and the program lives on" \
        "^(EOF|ECONNRESET|EPIPE)"$'\n'"alive$" bash -c "tail -2 '$T_TMP/hold'"

# ---- the control channel ------------------------------------------------------------------
"$VS" run --exec-host --name ctl1 -- "$PROBE" sleep 30 >/dev/null 2>&1 &
run=$!
wait_run ctl1
t_eq "the control directory is private (0700)" "700" stat -c %a "$VOIDSHIM_RUNTIME_DIR"
t_eq "the control socket is 0600" "600" stat -c %a "$VOIDSHIM_RUNTIME_DIR/ctl1.sock"
t_status "a second run with a live name is refused" 111 void --name ctl1 -- "$PROBE" true
t_status "ctl of a name nobody runs: exit 111" 111 "$VS" ctl nobody list
t_status "ctl with a bad request: exit 100" 100 "$VS" ctl ctl1 frob
if is_root && id voidtest >/dev/null 2>&1; then
        chmod 755 "$VOIDSHIM_RUNTIME_DIR" "$T_TMP" && chmod 666 "$VOIDSHIM_RUNTIME_DIR/ctl1.sock"
        t_match "another user reaching the socket is refused (SO_PEERCRED)" "not the owner" \
                su voidtest -s /bin/bash -c "VOIDSHIM_RUNTIME_DIR=$VOIDSHIM_RUNTIME_DIR $VS ctl ctl1 stop"
        chmod 700 "$VOIDSHIM_RUNTIME_DIR"
else
        t_skip "another user is refused (SO_PEERCRED)" "needs root to open the socket to another user"
fi
t_ok "ctl stop ends the void" "$VS" ctl ctl1 stop
wait $run
t_eq "the run ends with the void's SIGKILL status" "137" echo $?
t_fails "the control socket is gone with the run" test -e "$VOIDSHIM_RUNTIME_DIR/ctl1.sock"
t_eq "no run directory is left behind" "" bash -c "ls '$VOIDSHIM_RUNTIME_DIR' | grep run-"

# ---- dead-man switch: the caretakers die with the supervisor -------------------------------------
"$VS" run --exec-host --name dm --proxy-connect /run/echo.sock=tcp:127.0.0.1:"$port" -- "$PROBE" sleep 30 >/dev/null 2>&1 &
run=$!
wait_run dm
fwd=$(pid_of dm /run/echo.sock)
vpid=$(pid_of dm void)
kill -9 "$run"
wait "$run" 2>/dev/null
gone "$fwd"
t_check "killing the supervisor (SIGKILL) kills its forwarder" $?
gone "$vpid"
t_check "... and its void" $?
t_status "a name left by a killed run can be used again" 0 void --name dm -- "$PROBE" true

# ---- the network caretaker (pasta) ---------------------------------------------------------------
if command -v pasta >/dev/null; then
        t_eq "net proxied: an allowed host-loopback port answers" "ok hi" \
                void --net-allow "$port" -- "$SRV" tconnect 127.0.0.1 "$port" hi
        t_eq "net proxied: any other port is refused" "ECONNREFUSED" \
                void --net-allow "$port" -- "$PROBE" connect 127.0.0.1 $((port == 65535 ? 1 : port + 1))
        t_eq "net proxied: no route anywhere else" "ENETUNREACH" \
                void --net-allow "$port" -- "$PROBE" connect 192.0.2.1 80
        t_eq "net proxied: still uid 0 in a user namespace of its own" "ok 0 0 0 0" \
                void --net-allow "$port" -- "$PROBE" uid
        "$VS" run --exec-host --name np --net-allow "$port" -- "$SRV" loop tcp 127.0.0.1 "$port" 15 150 >"$T_TMP/nloop" 2>&1 &
        run=$!
        wait_run np
        pasta=$(pid_of np net)
        sleep 0.5
        t_ok "ctl revoke net kills pasta" "$VS" ctl np revoke net
        wait $run
        t_check "the program kept running" $?
        t_eq "after revoking the network every connect is refused, the program lives on" "ECONNREFUSED
alive" bash -c "tail -2 '$T_TMP/nloop'"
        gone "$pasta"
        t_check "no pasta process is left" $?
        "$VS" run --exec-host --name np2 --net-allow "$port" -- "$PROBE" sleep 30 >/dev/null 2>&1 &
        run=$!
        wait_run np2
        pasta=$(pid_of np2 net)
        kill -9 "$run"
        wait "$run" 2>/dev/null
        gone "$pasta"
        t_check "pasta dies with its supervisor" $?
else
        t_skip "net proxied" "pasta is not installed (Debian package passt)"
fi

t_done
