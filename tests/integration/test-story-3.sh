#!/bin/bash
# Story 3: network through a caretaker I can cut.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "story 3" "no srv_probe"; t_done; }
command -v pasta >/dev/null || { t_skip "story 3" "pasta is not installed (Debian package passt)"; t_done; }
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
"$SRV" tserve >"$T_TMP/ts" 2>&1 &
t_at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/ts" && break; sleep 0.1; done
port=$(awk '{print $2}' "$T_TMP/ts")

t_eq "net proxied: the echo works" "ok hello" void --net-allow "$port" -- "$SRV" tconnect 127.0.0.1 "$port" hello
"$VS" run --exec-host --name s3 --net-allow "$port" -- "$SRV" loop tcp 127.0.0.1 "$port" 16 150 >"$T_TMP/loop" 2>&1 &
run=$!
for _ in $(seq 100); do "$VS" ctl s3 list >/dev/null 2>&1 && break; sleep 0.05; done
pasta=$("$VS" ctl s3 list | awk -F'\t' '$1 == "net"' | sed -n 's/.*pid \([0-9]*\).*/\1/p')
sleep 0.6
t_ok "the network caretaker runs while the session does" pid_alive "$pasta"
t_ok "voidshim ctl s3 revoke net" "$VS" ctl s3 revoke net
wait $run
t_check "the program kept running to its end" $?
t_match "it worked before" "^ok ping" cat "$T_TMP/loop"
t_eq "revoking cut it: refused, and the program went on" "ECONNREFUSED
alive" bash -c "tail -2 '$T_TMP/loop'"
sleep 0.2
t_fails "ending the session leaves no proxy process behind" kill -0 "$pasta"
t_done
