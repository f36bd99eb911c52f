#!/bin/bash
# voidshim serve: voidshim run served from voids built ahead of time gives what a cold run gives,
# refuses what it must, and leaves nothing behind (doc/voidshim-serve.md).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
unset VOIDSHIM_SERVE
sock=$VOIDSHIM_RUNTIME_DIR/.serve.sock
AT=${STAGE:-.}/apps/auth_term
PTYRUN=$(dirname "${LIB:-$0}")/ptyrun.py
t_at_exit '"$VS" serve --stop >/dev/null 2>&1'

field() { "$VS" serve --status 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'; }
declined() { "$VS" serve --status 2>/dev/null | tr ' ' '\n' | sed -n "s/^$1=//p"; }
wait_for() { for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done; return 1; }
# descendants PID: every process under PID (the server's janitor, pools' helpers, warm voids).
descendants() {
        local all; all=$(ps -e -o pid=,ppid=)
        awk -v root="$1" '{ parent[$1] = $2 } END { for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]; if (q == root && p != root) print p } }' <<<"$all"
}
none_alive() { local p; for p in "$@"; do pid_alive "$p" && return 1; done; return 0; }

t_status "--stop with no server: nothing to stop, exit 0" 0 "$VS" serve --stop
t_match "--status with no server says so" "unable to ask the server: none runs" "$VS" serve --status
t_ok "voidshim serve --background starts a server" "$VS" serve --background
spid=$(field pid)
t_ok "... which runs" pid_alive "$spid"
t_eq "... on a socket only its user may use (socket 600, directory 700)" "600 700" \
        sh -c "stat -c %a '$sock' | tr '\n' ' '; stat -c %a '$VOIDSHIM_RUNTIME_DIR'"
t_ok "a second --background start finds the first" "$VS" serve --background
t_eq "... and leaves it alone (one server per user)" "$spid" field pid
t_match "... and in the foreground says one runs" "one runs already" "$VS" serve

# ---- the same results as a cold run (VOIDSHIM_SERVE=0), each plan twice: its first run builds its voids ----
# same [-n N] DESC STDIN CMD...: cold and served (the second time: the first builds the plan's voids), the same
# stdout, stderr and exit status; N (default 1) runs in CMD must have been served.
same() {
        local runs=1 d in cold cs warm ws s0 s1
        [ "$1" = -n ] && runs=$2 && shift 2
        d=$1 in=$2; shift 2
        cold=$(VOIDSHIM_SERVE=0 "$@" <"$in" 2>&1); cs=$?
        "$@" <"$in" >/dev/null 2>&1
        s0=$(field served)
        warm=$("$@" <"$in" 2>&1); ws=$?
        s1=$(field served)
        [ "$cold" = "$warm" ] && [ "$cs" = "$ws" ] && [ "$s1" = $((s0 + runs)) ]
        t_check "$d: $([ "$runs" = 0 ] && echo "declined, run cold" || echo served), as cold (exit $cs)" $? \
                "cold: exit $cs: $cold"$'\n'"served ($s0 -> $s1): exit $ws: $warm"
}
printf 'typed\n' >"$T_TMP/in"
same "exit status" /dev/null void -- "$PROBE" exit 7
same "killed by a signal: 128+N" /dev/null void -- "$PROBE" segv
same "stdin, stdout" "$T_TMP/in" void -- "$PROBE" read-fd 0
same "its fds: 0-2 and nothing else" /dev/null void --proc -- "$PROBE" fds
same "--fd N:TARGET" /dev/null sh -c "exec 7<'$T_TMP/in'; exec '$VS' run --exec-host --fd 7:4 -- '$PROBE' read-fd 4"
same "--no-stdio" /dev/null void --no-stdio --proc -- "$PROBE" fds
same "a closed stdout stays closed (a /dev/null)" /dev/null sh -c "'$VS' run --exec-host --proc -- '$PROBE' fdstat 1 >&-; echo \$?"
same "its uid and ids" /dev/null void --uid 1000 --gid 100 -- "$PROBE" uid
same -n 3 "its capabilities, no_new_privs, seccomp" /dev/null sh -c "for c in caps nnp seccomp; do '$VS' run --exec-host -- '$PROBE' \$c; done"
sp0=$(declined spawn)
same -n 0 "a program that cannot be run: the same error" /dev/null "$VS" run -- /nonexistent-program
t_eq "... the warm void could not start it: the client ran it cold, and said what a cold run says" \
        "$((sp0 + 2))" declined spawn
if [ -x /bin/sh ]; then
        same "stdout and stderr, in order" /dev/null "$VS" run --libs /bin/sh -- /bin/sh -c 'echo out; echo err >&2; exit 3'
fi
if command -v python3 >/dev/null && [ -x "$AT" ]; then
        "$VS" run --exec-host -- "$AT" tty >/dev/null 2>&1 </dev/null
        out=$(python3 "$PTYRUN" tty -- "$VS" run --exec-host -- "$AT" tty 2>&1)
        out2=$(python3 "$PTYRUN" tty -- "$VS" run --exec-host -- "$AT" tty 2>&1)
        caller=$(sed -n 's/^caller-tty //p' <<<"$out2")
        grep -q "^output: ok $caller noctty$" <<<"$out2"
        t_check "at a terminal: the caller's terminal is the void's stdin, not its controlling terminal" $? "$out2"
fi

# ---- each served run is a void of its own, the server's child ----
if [ -x /usr/bin/readlink ]; then
        rl() { "$VS" run --proc --libs /usr/bin/readlink -- /usr/bin/readlink /proc/self/ns/"$1"; }
        rl net >/dev/null
        for ns in net mnt user pid; do
                a=$(rl $ns); b=$(rl $ns)
                [ -n "$a" ] && [ "$a" != "$b" ] && [ "$a" != "$(readlink /proc/self/ns/$ns)" ]
                t_check "two served runs: two $ns namespaces, neither ours ($a, $b)" $?
        done
fi
mark=voidshim-serve-$$-1
"$VS" run --exec-host -- "$PROBE" sleep 300 "$mark" &
client=$!
# Two processes carry the mark: the client (in its command line) and, once it runs, the void.
two_marks() { [ "$(pgrep -f -- "$PROBE sleep 300 $1" | wc -l)" -ge 2 ]; }
wait_for two_marks "$mark"
init=$(pgrep -f -- "$PROBE sleep 300 $mark" | grep -vx "$client" | head -1)
t_eq "a served void is the server's child, not the client's" "$spid" sh -c "ps -o ppid= -p '$init' | tr -d ' '"
kill -KILL "$client"
wait "$client" 2>/dev/null
wait_for none_alive "$init"
t_check "a killed client's void is killed and reaped" $? "$(ps -o pid,stat,args -p "$init")"
# SIGTERM, as to a cold run: the void is ended and reaped first, then the client exits 128+15 (an exit,
# not a death by the signal: python's returncode tells them apart, 143 against -15).
for how in cold served; do
        mark=voidshim-serve-$$-term-$how
        got=$(env $([ $how = cold ] && echo VOIDSHIM_SERVE=0) python3 -c '
import os, signal, subprocess, sys, time
vs, probe, mark = sys.argv[1:4]
p = subprocess.Popen([vs, "run", "--exec-host", "--", probe, "sleep", "300", mark])
for _ in range(100):
    pids = [l for l in subprocess.run(["pgrep", "-f", f"{probe} sleep 300 {mark}"], capture_output=True,
                                      text=True).stdout.split() if int(l) != p.pid]
    if pids:
        break
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
rc = p.wait(timeout=20)
alive = [q for q in pids if os.path.exists(f"/proc/{q}") and open(f"/proc/{q}/stat").read().split(") ")[1][0] != "Z"]
print(rc, "void-alive" if alive else "void-gone")' "$VS" "$PROBE" "$mark" 2>&1)
        t_eq "SIGTERM to a $how run: it ends the void, then exits 143" "143 void-gone" echo "$got"
done
t_eq "... and the server runs no void for it" "0" field running
t_ok "... and goes on serving" void -- "$PROBE" true

# ---- what it does not serve runs cold, as ever ----
d0=$(declined plan) s0=$(field served)
t_eq "--keep-env is the client's own: not asked, run cold" "ok FOO=bar" \
        env FOO=bar "$VS" run --exec-host --keep-env FOO -- "$PROBE" env
t_eq "VOIDSHIM_SERVE=0: not asked" "ok" env VOIDSHIM_SERVE=0 "$VS" run --exec-host -- "$PROBE" true
t_eq "... neither was the server asked, nor did it serve them" "$d0 $s0" sh -c "echo \$0 \$1" "$(declined plan)" "$(field served)"
void -- "$PROBE" open-many 100 >/dev/null
t_eq "(a run whose plan the server serves: all of 100 fds)" "ok 100" void -- "$PROBE" open-many 100
p0=$(declined peer)
t_eq "a client with lower limits than the server's runs cold, under its limits" "EMFILE" \
        sh -c "ulimit -n 64 && exec '$VS' run --exec-host -- '$PROBE' open-many 100"
t_eq "... the server declined it: the client is not what the server is" "$((p0 + 1))" declined peer

# A command line the server's own parse reads otherwise: a profile found through XDG_CONFIG_HOME.
for w in server client; do
        mkdir -p "$T_TMP/cfg-$w/voidshim/profiles"
        printf '{ "voidshim-profile": 1, "env": { "WHICH": "%s" } }\n' "$w" >"$T_TMP/cfg-$w/voidshim/profiles/t.json"
done
"$VS" serve --stop
XDG_CONFIG_HOME=$T_TMP/cfg-server "$VS" serve --background
XDG_CONFIG_HOME=$T_TMP/cfg-server "$VS" run --exec-host --profile t -- "$PROBE" env >/dev/null
s0=$(field served) d0=$(declined plan)
t_eq "(the server's own profile, for contrast: served)" "ok WHICH=server" \
        env XDG_CONFIG_HOME="$T_TMP/cfg-server" "$VS" run --exec-host --profile t -- "$PROBE" env
t_eq "a client whose profile is another file than the server's gets its own, cold" "ok WHICH=client" \
        env XDG_CONFIG_HOME="$T_TMP/cfg-client" "$VS" run --exec-host --profile t -- "$PROBE" env
t_eq "... the server declined it: its parse of the same words made another plan" "$((s0 + 1)) $((d0 + 1))" \
        sh -c "echo \$0 \$1" "$(field served)" "$(declined plan)"
"$VS" serve --stop
"$VS" serve --background
spid=$(field pid)

# ---- another user's server (as root: another user is needed) ----
if is_root && id voidtest >/dev/null 2>&1; then
        as_vt() { su voidtest -s /bin/bash -c "VOIDSHIM_RUNTIME_DIR='$VOIDSHIM_RUNTIME_DIR' $*"; }
        s0=$(field served)
        t_eq "another user's run finds root's server out of reach, and runs cold" "ok" \
                as_vt "'$VS' run --exec-host -- '$PROBE' true"
        # (While the directory is open to others, voidshim refuses to use it, root included: counts before and after.)
        r0=$(field refused)
        chmod 711 "$VOIDSHIM_RUNTIME_DIR"; chmod 666 "$sock"
        t_eq "with the socket opened to everyone, another user's run still runs cold" "ok" \
                as_vt "'$VS' run --exec-host -- '$PROBE' true"
        got=$(as_vt "python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
try: s.send(b\"x\" * 64); print(len(s.recv(100)))
except OSError: print(0)' '$sock'" 2>&1)
        chmod 700 "$VOIDSHIM_RUNTIME_DIR"; chmod 600 "$sock"
        t_eq "a raw client of another user gets not a byte" "0" echo "$got"
        # (voidshim itself does not even connect: a directory open to others is refused, doc/servers.md.)
        t_eq "... the server refused it (SO_PEERCRED)" "$((r0 + 1))" field refused
        t_eq "nothing was served to another user" "$s0" field served
fi

# ---- nothing left behind: --stop, SIGKILL, --idle ----
void -- "$PROBE" true
kids=$(descendants "$spid")
t_check "the server has helpers and waiting voids ($(wc -w <<<"$kids"))" "$([ "$(wc -w <<<"$kids")" -ge 3 ]; echo $?)"
t_ok "--stop stops it" "$VS" serve --stop
t_ok "... the server is gone" wait_for none_alive "$spid"
wait_for none_alive $kids
t_check "... every process of its is gone" $? "$(ps -o pid,ppid,args -p "$(echo $kids | tr ' ' ,)")"
t_check "... so are its socket and its directory" "$([ ! -e "$sock" ] && [ ! -e "$VOIDSHIM_RUNTIME_DIR" ]; echo $?)" \
        "$(ls -la "$VOIDSHIM_RUNTIME_DIR" 2>&1)"
t_ok "with no server, runs go cold" void -- "$PROBE" true

"$VS" serve --background
spid=$(field pid)
void -- "$PROBE" true
mark=voidshim-serve-$$-2
"$VS" run --exec-host -- "$PROBE" sleep 300 "$mark" 2>"$T_TMP/killed.err" &
client=$!
wait_for two_marks "$mark"
kids=$(descendants "$spid")
kill -KILL "$spid"
wait "$client"; rc=$?
t_check "a client whose server is killed while its void runs: exit 111, never run again" "$([ $rc = 111 ]; echo $?)" \
        "exit $rc: $(cat "$T_TMP/killed.err")"
t_eq "... and it says so" "voidshim: fatal: unable to run $PROBE: the server (voidshim serve) ended before it did" \
        cat "$T_TMP/killed.err"
wait_for none_alive "$spid" $kids
t_check "SIGKILL: every process of the server's ends ($(wc -w <<<"$kids") under it)" $? \
        "$(ps -o pid,ppid,args -p "$(echo $kids | tr ' ' ,)")"
wait_for test ! -e "$sock"
t_check "... and its janitor removes the socket" $? "$(ls -la "$VOIDSHIM_RUNTIME_DIR" 2>&1)"
t_ok "after a killed server, runs go cold" void -- "$PROBE" true

python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).bind(sys.argv[1])' "$sock" 2>/dev/null ||
        { mkdir -p "$VOIDSHIM_RUNTIME_DIR" && chmod 700 "$VOIDSHIM_RUNTIME_DIR" &&
          python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).bind(sys.argv[1])' "$sock"; }
t_eq "a stale socket (nobody listens): the run goes cold, silently" "ok" void -- "$PROBE" true
t_ok "... and a new server takes its place" "$VS" serve --background --idle 1
spid=$(field pid)
wait_for none_alive "$spid" || wait_for none_alive "$spid"
t_check "--idle 1: with no client for a second it stops by itself" $? "$(ps -o pid,args -p "$spid")"
wait_for test ! -e "$sock"
t_check "... and removes its socket" $?

# ---- VOIDSHIM_SERVE=auto: the first run starts a server for the next ones ----
t_eq "VOIDSHIM_SERVE=auto with no server: this run goes cold" "ok" env VOIDSHIM_SERVE=auto "$VS" run --exec-host -- "$PROBE" true
wait_for test -S "$sock"
t_ok "... and a server now runs" pid_alive "$(field pid)"
t_match "... with --idle 600" "^idle 600$" "$VS" serve --status
t_ok "--stop" "$VS" serve --stop

t_done
