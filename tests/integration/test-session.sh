#!/bin/bash
# Sessions: a void that persists, newcomers as confined as its first process, and nothing left at the end.
# Also a root from a directory, an overlay, /sys, and voidshim's reaper as pid 1 (--init).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
S=vs-sess # the runtime directory is this file's own
t_at_exit "'$VS' session end $S >/dev/null 2>&1; '$VS' session end $S-b >/dev/null 2>&1; '$VS' session end $S-a >/dev/null 2>&1"

# ---- a root from a directory, an overlay, /sys (a small tree: the probe in usr/bin) ----
tree="$T_TMP/tree"
mkdir -p "$tree/usr/bin" "$tree/etc" "$tree/proc" "$tree/dev" "$tree/tmp" "$tree/sys"
cp "$PROBE" "$tree/usr/bin/probe"
t_match "--root DIR: the tree is the void's root" "^ok .* dir$" "$VS" run --root "$tree" -- /usr/bin/probe stat /etc
t_eq "--root DIR is read-only by default" "EROFS" "$VS" run --root "$tree" -- /usr/bin/probe mkdir /newdir
t_ok "--root DIR --root-rw writes into the tree" "$VS" run --root "$tree" --root-rw -- /usr/bin/probe mkdir /rwdir
t_ok "... which is the host directory" test -d "$tree/rwdir"
t_eq "--overlay DIR: writable" "ok" "$VS" run --overlay "$tree" --proc -- /usr/bin/probe mkdir /ovdir
t_fails "... and DIR is never written" test -e "$tree/ovdir"
mkdir -p "$T_TMP/upper"
t_eq "--overlay-persist UPPER: writable" "ok" \
        "$VS" run --overlay "$tree" --overlay-persist "$T_TMP/upper" -- /usr/bin/probe mkdir /kept
t_ok "... the change is kept in UPPER/upper" test -d "$T_TMP/upper/upper/kept"
t_match "... and seen by the next void on the same upper" "^ok .* dir$" \
        "$VS" run --overlay "$tree" --overlay-persist "$T_TMP/upper" -- /usr/bin/probe stat /kept
t_fails "... not in DIR" test -e "$tree/kept"
t_eq "--sys: a sysfs of the void's own network (only lo)" "ok lo" \
        "$VS" run --root "$tree" --sys --net loopback -- /usr/bin/probe ls /sys/class/net
t_eq "... read-only" "EROFS" "$VS" run --root "$tree" --sys -- /usr/bin/probe mkdir /sys/x
t_eq "without --sys there is none" "ok" "$VS" run --root "$tree" -- /usr/bin/probe ls /sys
t_golden "--root: a directory that does not exist: one line, exit 100" root-missing 100 \
        "$VS" run --root "$T_TMP/nope" -- /usr/bin/probe true
t_status "--overlay-persist without --overlay: exit 100" 100 \
        "$VS" run --overlay-persist "$T_TMP/upper" --root "$tree" -- /usr/bin/probe true

# ---- --init: voidshim's reaper as pid 1 ----
t_eq "without --init, orphans a program does not wait for pile up as zombies" "ok 20" \
        void --proc -- "$PROBE" zombies 20
t_eq "with --init, pid 1 reaps them" "ok 0" void --init --proc -- "$PROBE" zombies 20
t_eq "with --init the program is pid 2" "ok 2 1" void --init --proc -- "$PROBE" pid
t_status "... and its exit status is the void's" 7 void --init -- "$PROBE" exit 7
# A signal from outside to a pid namespace's init is dropped unless it handles it: the reaper does, and forwards it.
sigtest() { # RUN-OPTIONS...: start `probe sleep 30` as given, SIGTERM the void's pid 1 from outside
        void "$@" --proc -- "$PROBE" sleep 30 sig-$S >/dev/null 2>&1 &
        local vpid=$! pid1=""
        for _ in $(seq 50); do
                for p in $(pgrep -f "sig-$S"); do [ "$(ps -o comm= -p "$p")" = probe ] && pid1=$p; done
                [ -n "$pid1" ] && break
                sleep 0.1
        done
        [ "$1" = --init ] && pid1=$(ps -o ppid= -p "$pid1" | tr -d ' ')
        sleep 0.2
        kill -TERM "$pid1" 2>/dev/null
        for _ in $(seq 30); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$vpid" 2>/dev/null; then echo running; kill -9 "$pid1" 2>/dev/null; wait "$vpid"
        else wait "$vpid"; echo "exit $?"; fi
}
t_eq "without --init, SIGTERM to pid 1 (the program) is dropped" "running" sigtest --no-stdio
t_eq "with --init, pid 1 forwards SIGTERM to the program (exit 128+15)" "exit 143" sigtest --init

# ---- sessions ----
t_ok "session begin" "$VS" session begin "$S" --proc --net loopback --hostname sess --rlimit nofile=77 \
        --ro-bind "$PROBE" /probe
t_match "session list shows it" "^$S	[0-9]+	reaper	-" "$VS" session list
t_match "voidshim ps shows it" "^$S	session	[0-9]+" "$VS" ps
t_golden "a second begin of the same name: one line, exit 100" session-in-use 100 \
        "$VS" session begin "$S" --proc
t_match "session run: a process inside (a child of pid 1, the reaper, which forks it)" "^ok [2-9] 1$" \
        "$VS" session run "$S" -- /probe pid
# Each property, checked from inside for a process that joined, as for a first process of a void.
for prop in "uid" "caps" "nnp" "seccomp" "hostname"; do
        first=$("$VS" run --exec-host --net loopback --hostname sess -- "$PROBE" "$prop" 2>&1)
        t_eq "session run: $prop as the first process has it ($first)" "$first" "$VS" session run "$S" -- /probe "$prop"
done
t_eq "session run: the session's rlimit (nofile 77)" "EMFILE" "$VS" session run "$S" -- /probe open-many 100
t_eq "... which a first process has too" "EMFILE" void --rlimit nofile=77 -- "$PROBE" open-many 100
t_eq "session run: cannot unshare (the void's seccomp filter)" "EPERM" "$VS" session run "$S" -- /probe unshare net
t_eq "session run: cannot mount (no capabilities)" "EPERM" "$VS" session run "$S" -- /probe mount-tmpfs /tmp
t_eq "session run: the host's files are not there" "ENOENT" "$VS" session run "$S" -- /probe stat /etc/passwd
t_eq "session run: no network but lo, as a first process" "$(void --net loopback -- "$PROBE" ifaces)" \
        "$VS" session run "$S" -- /probe ifaces
t_status "session run: the program's exit status" 9 "$VS" session run "$S" -- /probe exit 9
t_golden "session run: a program that is not there: exit 127" session-run-missing 127 \
        "$VS" session run "$S" -- /nope
"$VS" session run "$S" -- /probe serve marker-$S >"$T_TMP/serve.out" 2>&1 &
for _ in $(seq 50); do grep -q ok "$T_TMP/serve.out" && break; sleep 0.1; done
port=$(sed -n 's/^ok //p' "$T_TMP/serve.out")
t_eq "two session runs share the session concurrently (the network namespace)" "ok" \
        "$VS" session run "$S" -- /probe connect 127.0.0.1 "${port:-1}"
t_eq "... and the host does not reach that server" "ECONNREFUSED" "$PROBE" connect 127.0.0.1 "${port:-1}"
t_status "session run in an unknown session: exit 100" 100 "$VS" session run "$S-nope" -- /probe true
setsid bash -c "'$VS' session begin $S-b --proc --ro-bind '$PROBE' /probe; kill -9 \$\$" </dev/null >/dev/null 2>&1
t_match "a session outlives the shell that began it" "^ok [2-9] 1$" "$VS" session run "$S-b" -- /probe pid
t_ok "session end" "$VS" session end "$S-b"
sup=$(pgrep -f "voidshim session begin $S" | head -1)
t_ok "session end (with a process still running in it)" "$VS" session end "$S"
t_fails "... nothing of it runs any more" pgrep -f "marker-$S"
t_fails "... its supervisor is gone" pgrep -f "voidshim session begin $S"
t_eq "... no socket or run directory is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_fails "... no mount of it is left on the host" grep -q "$T_TMP" /proc/self/mountinfo
t_status "session end of an unknown session: exit 100" 100 "$VS" session end "$S"
t_eq "session list is empty" "NAME	PID	INIT	ROOT" "$VS" session list
t_golden "session begin: a DIR that is not a tree: one line, exit 100" session-not-tree 100 \
        "$VS" session begin "$S" --root "$T_TMP/upper"

# ---- live authority: a file, a unix socket, granted again after a revoke; two linked sessions ----
mkdir -p "$T_TMP/srv"
echo secret >"$T_TMP/srv/file.txt"
"$VS" session begin "$S-b" --proc --tmpfs /srv --ro-bind "$PROBE" /probe
"$VS" session run "$S-b" -- /probe userve /srv/db.sock >/dev/null 2>&1 &
"$VS" session begin "$S-a" --proc --inbox /inbox --ro-bind "$PROBE" /probe
t_ok "ctl grant FILE to a session" "$VS" ctl "$S-a" grant "$T_TMP/srv/file.txt"
t_eq "... the file is in its inbox at once" "ok secret" "$VS" session run "$S-a" -- /probe read /inbox/file.txt
t_ok "ctl revoke" "$VS" ctl "$S-a" revoke file.txt
t_eq "... gone" "ENOENT" "$VS" session run "$S-a" -- /probe read /inbox/file.txt
t_ok "... granted again" "$VS" ctl "$S-a" grant "$T_TMP/srv/file.txt"
t_eq "... and there again" "ok secret" "$VS" session run "$S-a" -- /probe read /inbox/file.txt
for _ in $(seq 50); do "$VS" session run "$S-b" -- /probe stat /srv/db.sock >/dev/null 2>&1 && break; sleep 0.1; done
t_ok "ctl A connect B /srv/db.sock" "$VS" ctl "$S-a" connect "$S-b" /srv/db.sock
t_match "A reaches B's socket through its inbox" "^ok hello [0-9]+" "$VS" session run "$S-a" -- /probe uconnect /inbox/db.sock
t_ok "A revokes the link" "$VS" ctl "$S-a" revoke db.sock
t_eq "... the next use fails" "ENOENT" "$VS" session run "$S-a" -- /probe uconnect /inbox/db.sock
t_match "... B keeps serving" "^ok hello" "$VS" session run "$S-b" -- /probe uconnect /srv/db.sock
t_ok "... and A keeps running" "$VS" session run "$S-a" -- /probe true
t_ok "linked again" "$VS" ctl "$S-a" connect "$S-b" /srv/db.sock
t_match "... and reached again" "^ok hello" "$VS" session run "$S-a" -- /probe uconnect /inbox/db.sock
t_status "connect to an unknown environment: exit 100" 100 "$VS" ctl "$S-a" connect "$S-nope" /srv/db.sock
t_ok "end both" bash -c "'$VS' session end $S-a && '$VS' session end $S-b"
t_eq "nothing is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_done
