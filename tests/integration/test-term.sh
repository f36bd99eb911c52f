#!/bin/bash
# term proxied: the void gets a pty of its own, relayed by a caretaker to the caller's terminal; revoking
# the caretaker hangs the pty up (EIO, SIGHUP) while the void keeps running.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
AT=${STAGE:-/nonexistent}/apps/auth_term
[ -x "$AT" ] || { t_skip "all term tests" "no auth_term (make build/tests/apps/auth_term)"; t_done; }
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt

# Without a terminal at all (pipes): the void still gets a terminal, the relay carries the bytes.
t_match "stdin a pipe: the void's stdin is still a terminal, and its controlling one" "^ok [0-9]+:[0-9]+ ctty" \
        bash -c "'$VS' run --exec-host --server term=proxied -- '$AT' tty </dev/null"
t_match "stdin a pipe: a line goes in and the answer comes out" "got hello" \
        bash -c "echo hello | '$VS' run --exec-host --server term=proxied -- '$AT' echo-line"
t_status "term proxied with --explain runs nothing and starts no caretaker" 0 \
        "$VS" run --explain --server term=proxied -- /bin/true

PTYRUN=$(dirname "${LIB:-$0}")/ptyrun.py
if ! command -v python3 >/dev/null || [ ! -f "$PTYRUN" ]; then
        t_skip "term proxied at a terminal" "no python3 to make a terminal"
        t_done
fi
ptyrun() { python3 "$PTYRUN" "$@"; }

# At a terminal: the void's terminal is a new pty, never the caller's.
out=$(ptyrun tty -- "$VS" run --exec-host --server term=proxied -- "$AT" tty 2>&1)
caller=$(sed -n 's/^caller-tty //p' <<<"$out")
inside=$(sed -n 's/^output: ok \([0-9]*:[0-9]*\) .*/\1/p' <<<"$out")
[ -n "$inside" ] && [ -n "$caller" ] && [ "$inside" != "$caller" ]
t_check "the void's stdin is a terminal that is not the caller's ($inside, caller $caller)" $? "$out"
grep -q "^output: ok .* ctty$" <<<"$out"
t_check "... and it is the void's controlling terminal" $? "$out"
out=$(ptyrun tty -- "$VS" run --exec-host -- "$AT" tty 2>&1)
grep -q "^output: ok $(sed -n 's/^caller-tty //p' <<<"$out") noctty$" <<<"$out"
t_check "term shared (default), for contrast: the caller's own terminal, not controlling" $? "$out"
t_match "the caller's terminal handed in as another fd stays out too" "^output: EBADF" \
        ptyrun -- "$VS" run --exec-host --server term=proxied --fd 0:5 -- "$PROBE" fdstat 5
t_match "with a /dev of its own, the pty has a name there: /dev/console" "^output: ok /dev/console$" \
        ptyrun -- "$VS" run --exec-host --server term=proxied --dev -- "$AT" ttyname
t_match "a typed line reaches the void and its answer the caller" "output: got hello" \
        ptyrun expect:ready 'send:hello\n' expect:"got hello" -- "$VS" run --exec-host --server term=proxied -- "$AT" echo-line
t_match "the void's exit status comes back" "^exit 3$" \
        ptyrun -- "$VS" run --exec-host --server term=proxied -- "$PROBE" exit 3

# Revoking: the pty is hung up, the void sees EIO and SIGHUP, and keeps running.
log=$T_TMP/log report=$T_TMP/r/report
mkdir "$T_TMP/r"
ptyrun --log "$log" tty expect:ready -- "$VS" run --exec-host --name t1 --server term=proxied \
        --bind "$T_TMP/r" /r -- "$AT" hangup /r/report >"$T_TMP/out1" 2>&1 &
run=$!
for _ in $(seq 300); do grep -q ready "$log" 2>/dev/null && break; sleep 0.1; done
relay=$("$VS" ctl t1 list 2>/dev/null | awk -F'\t' '$1 == "term"' | sed -n 's/.*pid \([0-9]*\).*/\1/p')
t_ok "the relay runs while the session does" pid_alive "$relay"
tty=/dev/pts/$(sed -n 's/^caller-tty [0-9]*://p' "$T_TMP/out1")
t_match "while it relays, the caller's terminal is raw" "(^| )-icanon( |$)" stty -a -F "$tty"
t_ok "ctl revoke term" "$VS" ctl t1 revoke term
for _ in $(seq 300); do [ -s "$report" ] && break; sleep 0.1; done
t_eq "after revoke: reads, writes and ioctls on the terminal fail with EIO, and SIGHUP came" \
        "read=EIO write=EIO ioctl=EIO sighup=1" cat "$report"
t_match "after revoke: the void is still running" "^void.*running" "$VS" ctl t1 list
t_fails "after revoke: the relay is gone" kill -0 "${relay:-0}"
t_match "after revoke: the caller's terminal is cooked again" "(^| )icanon( |$)" stty -a -F "$tty"
"$VS" ctl t1 stop >/dev/null 2>&1
wait $run

# The dead-man switch: the relay dies with its supervisor, and so does the master.
ptyrun --log "$T_TMP/log2" expect:ready -- "$VS" run --exec-host --name t2 --server term=proxied \
        -- "$AT" hangup /nowhere >/dev/null 2>&1 &
run=$!
for _ in $(seq 300); do grep -q ready "$T_TMP/log2" 2>/dev/null && break; sleep 0.1; done
relay=$("$VS" ctl t2 list 2>/dev/null | awk -F'\t' '$1 == "term"' | sed -n 's/.*pid \([0-9]*\).*/\1/p')
sup=$(ps -o ppid= -p "${relay:-0}" | tr -d ' ') # the relay is voidshim's child
t_ok "the relay of the second session runs" pid_alive "$relay"
kill -9 "${sup:-0}" 2>/dev/null
wait $run
for _ in $(seq 100); do kill -0 "${relay:-0}" 2>/dev/null || break; sleep 0.05; done
t_fails "when voidshim is killed, the relay dies with it" kill -0 "${relay:-0}"

t_done
