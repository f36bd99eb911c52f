#!/bin/bash
# session run: the session's pid 1 forks the newcomer, so it is in the first process's Landlock
# domain, under its seccomp filter, with its capabilities and no_new_privs: it may signal the first
# program and reach its abstract socket, which a separate void (a domain of its own) may not.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
S=vs-newc # the runtime directory is this file's own
ABS=@vs-newc-$$
t_at_exit "'$VS' session end $S >/dev/null 2>&1"

scopes=$(void --landlock -- "$PROBE" true 2>&1)
if grep -q "this kernel has none" <<<"$scopes"; then
        t_skip "all newcomer tests" "the kernel has no Landlock"
        t_done
fi
# inside ARGS: probe ARGS in the session, session run with a bound (a newcomer never waits on anything here)
inside() { timeout 20 "$VS" session run "$S" -- /probe "$@"; }

t_ok "session begin: the first program serves an abstract unix socket" \
        "$VS" session begin "$S" --landlock --proc --dir /d --ro-bind "$PROBE" /probe -- /probe unix-serve "$ABS"
for _ in $(seq 50); do [ "$(inside unix-req "$ABS" hi 2>&1)" = "ok pong" ] && break; sleep 0.1; done
t_match "the newcomer is pid 1's child" "^ok [3-9][0-9]* 1$" inside pid
t_match "the first program is pid 2" "^ok /probe unix-serve $ABS$" inside read /proc/2/cmdline

# ---- Landlock's scopes: the newcomer is in the first program's domain ----
t_eq "a newcomer can kill -0 the first program" "ok" inside signal 2 0
t_eq "a newcomer can connect to the first program's abstract socket" "ok pong" inside unix-req "$ABS" hi
first=$(pgrep -f "^/probe unix-serve $ABS" | head -1)
t_ok "... (the first program runs on the host as pid $first)" test -n "$first"
# A separate void in the session's namespaces is a Landlock domain of its own: refused.
t_eq "a separate voidshim run in the session's network namespace cannot connect (Landlock)" "EPERM" \
        void --join user=/proc/$first/ns/user --join net=/proc/$first/ns/net -- "$PROBE" unix-req "$ABS" hi
t_eq "... which only Landlock's scope forbids (--no-landlock reaches it)" "ok pong" \
        void --no-landlock --join user=/proc/$first/ns/user --join net=/proc/$first/ns/net -- "$PROBE" unix-req "$ABS" hi
t_eq "a separate voidshim run in the session's pid namespace cannot kill -0 the first program" "EPERM" \
        void --join user=/proc/$first/ns/user --join pid=/proc/$first/ns/pid -- "$PROBE" signal 2 0
t_eq "a plain separate voidshim run reaches neither (a world of its own)" "ECONNREFUSED ESRCH" \
        bash -c "{ '$VS' run --exec-host -- '$PROBE' unix-req '$ABS' hi; '$VS' run --exec-host -- '$PROBE' signal 2 0; } | xargs"

# ---- the same confinement: /proc/2/status and /proc/self/status agree ----
fields() { grep -oE "(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):[[:space:]]+[^[:space:]]+" | tr -s '\t ' ' ' | tr '\n' ';'; }
mine=$(inside read /proc/self/status | fields)
theirs=$(inside read /proc/2/status | fields)
t_match "the newcomer's ids, capabilities, no_new_privs and seccomp ($mine)" "NoNewPrivs: 1;Seccomp: 2;" echo "$mine"
t_eq "... are the first program's" "$theirs" echo "$mine"
t_eq "a --dir without a Landlock rule: the newcomer cannot list it" "EACCES" inside ls /d
t_eq "... nor the root" "EACCES" inside ls /
t_eq "... as a first process of the same void cannot" "EACCES EACCES" \
        bash -c "{ '$VS' run --landlock --dir /d --ro-bind '$PROBE' /probe -- /probe ls /d
                   '$VS' run --landlock --ro-bind '$PROBE' /probe -- /probe ls /; } | xargs"
t_eq "the newcomer holds none of pid 1's fds" "ok 0 1 2" inside fds

# ---- signals, between newcomers and from the host ----
"$VS" session run "$S" -- /probe sleep 300 >"$T_TMP/sleep.out" 2>&1 &
sleeper=$!
# /proc holds 1, 2, the sleeper and the ls that lists it, once the sleeper runs
for _ in $(seq 50); do
        pids=$(inside ls /proc | tr ' ' '\n' | grep -E '^[0-9]+$' | sort -n)
        [ "$(wc -l <<<"$pids")" -ge 4 ] && pid=$(sed -n 3p <<<"$pids") && break
        sleep 0.1
done
t_eq "a newcomer can SIGTERM another newcomer (pid ${pid:-none})" "ok" inside signal "${pid:-0}" 15
timeout 10 tail --pid=$sleeper -f /dev/null
wait $sleeper
t_eq "... which ends of it (128+15)" "143" echo $?
"$VS" session run "$S" -- /probe sleep 300 >/dev/null 2>&1 &
sleeper=$!
sleep 0.5
kill -TERM $sleeper
timeout 10 tail --pid=$sleeper -f /dev/null
wait $sleeper
t_eq "session run forwards SIGTERM to its newcomer" "143" echo $?

# ---- bad requests do not end the session ----
# A long command line reaches the session whole, in however many pieces the socket carries it.
y=$(head -c 30000 /dev/zero | tr '\0' y)
t_status "an argument list of 60 KB, under the 64 KiB a session takes, runs (the probe's exit 3)" 3 inside exit 3 "$y" "$y"
x=$(head -c 100000 /dev/zero | tr '\0' x)
t_status "an argument list too long for the session: one line, exit 100" 100 inside true "$x" "$x"
t_status "a program that is not there: exit 127" 127 timeout 20 "$VS" session run "$S" -- /nope
t_eq "... and the session goes on" "ok pong" inside unix-req "$ABS" hi
t_eq "a newcomer may SIGTERM the first program" "ok" inside signal 2 15
for _ in $(seq 50); do [ "$(inside unix-req "$ABS" hi 2>&1)" = ECONNREFUSED ] && break; sleep 0.1; done
t_eq "... which ends of it" "ECONNREFUSED" inside unix-req "$ABS" hi
t_eq "... while the session holds on" "ok" inside true
t_ok "session end" timeout 60 "$VS" session end "$S"
t_eq "nothing is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_done
