#!/bin/bash
# Story 11: two environments, linked.  A socket served in one (db) is handed to the other (app) and
# taken back while both keep running; live grants of a file and a socket, and again after a revoke.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
t_at_exit "'$VS' session end db >/dev/null 2>&1; '$VS' session end app >/dev/null 2>&1"

t_ok "voidshim session begin db --tmpfs /run (a server's environment)" \
        "$VS" session begin db --proc --tmpfs /run --ro-bind "$PROBE" /probe
"$VS" session run db -- /probe userve /run/db.sock >/dev/null 2>&1 &
t_ok "voidshim session begin app --inbox /inbox (a client's, with a powerbox)" \
        "$VS" session begin app --proc --inbox /inbox --ro-bind "$PROBE" /probe
for _ in $(seq 50); do "$VS" session run db -- /probe stat /run/db.sock >/dev/null 2>&1 && break; sleep 0.1; done
t_eq "app cannot reach db's socket by itself" "ENOENT" "$VS" session run app -- /probe uconnect /run/db.sock
t_ok "voidshim ctl app connect db /run/db.sock" "$VS" ctl app connect db /run/db.sock
t_match "voidshim ctl app list: the link" "^db.sock	forwarder .* -> unix:/proc/[0-9]+/root/run/db.sock" \
        "$VS" ctl app list
t_match "app reaches the server in db" "^ok hello [0-9]+$" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_ok "voidshim ctl app revoke db.sock" "$VS" ctl app revoke db.sock
t_eq "the revoked link fails on next use" "ENOENT" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_match "... while db keeps serving" "^ok hello" "$VS" session run db -- /probe uconnect /run/db.sock
t_ok "... and app keeps running" "$VS" session run app -- /probe true

# Revocable from either side: db, whose socket it is, may cut the link it was told of.
t_ok "voidshim ctl app connect db /run/db.sock (again)" "$VS" ctl app connect db /run/db.sock
t_match "voidshim ctl db list: the link into db, by app's name" "^app/db.sock	link: /run/db.sock here" \
        "$VS" ctl db list
t_match "... app reaches the server again" "^ok hello [0-9]+$" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_status "voidshim ctl db revoke nope/db.sock (no such link): exit 100" 100 "$VS" ctl db revoke nope/db.sock
t_match "... which cut nothing" "^ok hello [0-9]+$" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_ok "voidshim ctl db revoke app/db.sock (from the server's side)" "$VS" ctl db revoke app/db.sock
t_eq "the link cut by db fails on app's next use" "ENOENT" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_nomatch "... app's list shows no live link (only revoked ones)" "^db.sock	forwarder .*/run/db.sock$" "$VS" ctl app list
t_nomatch "... nor db's" "^app/db.sock	" "$VS" ctl db list
t_match "... while db keeps serving" "^ok hello" "$VS" session run db -- /probe uconnect /run/db.sock
t_ok "... and app keeps running" "$VS" session run app -- /probe true
# A link app cut itself is forgotten by db (its list asks app what it still holds).
t_ok "connect, then app revokes it" bash -c "'$VS' ctl app connect db /run/db.sock && '$VS' ctl app revoke db.sock"
t_nomatch "... db's list no longer shows it" "^app/db.sock	" "$VS" ctl db list

# The typed line: grant a host socket, revoke it, grant it again (root: /run/db.sock itself).
if is_root; then sock=/run/db.sock; else sock="$T_TMP/db.sock"; fi
rm -f "$sock"
t_at_exit "rm -f '$sock'"
python3 -c "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
while True:
    c,_=s.accept(); c.sendall(b'hello host\n'); c.close()" "$sock" >/dev/null 2>&1 &
hostsrv=$!
t_at_exit "kill $hostsrv 2>/dev/null"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
t_ok "voidshim ctl app grant $sock" "$VS" ctl app grant "$sock"
t_eq "... app talks to it" "ok hello host" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_ok "voidshim ctl app revoke db.sock" "$VS" ctl app revoke db.sock
t_eq "... gone" "ENOENT" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_ok "voidshim ctl app grant $sock (again)" "$VS" ctl app grant "$sock"
t_eq "... and back" "ok hello host" "$VS" session run app -- /probe uconnect /inbox/db.sock
t_status "connect to an environment that does not exist: exit 100" 100 "$VS" ctl app connect nope /run/db.sock
t_status "connect to a path that is no socket there: exit 100" 100 "$VS" ctl app connect db /run/nope
t_ok "both end" bash -c "'$VS' session end app && '$VS' session end db"
t_eq "nothing is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_done
