#!/bin/bash
# Story 6: a POLA launcher, then a powerbox.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
t_match "only the binary, its libraries and /dev/null: /etc is absent" "No such file" \
        "$VS" run --libs /bin/ls --ro-bind /dev/null /dev/null -- /bin/ls /etc
t_match "the root holds the binary's closure and /dev, nothing else" "^(bin|dev|lib|lib64|usr)( (bin|dev|lib|lib64|usr))*$" \
        bash -c "'$VS' run --libs /bin/ls --ro-bind /dev/null /dev/null -- /bin/ls / | tr '\n' ' ' | sed 's/ $//'"
t_eq "/dev holds only null" "null" "$VS" run --libs /bin/ls --ro-bind /dev/null /dev/null -- /bin/ls /dev

# ---- the powerbox: voidshim run --inbox DIR, voidshim ctl NAME grant|ungrant ------------------------
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
H=$T_TMP/home
mkdir -p "$H/docs" "$H/secret" "$H/notes" "$H/other/docs"
echo hello >"$H/docs/hello"
echo key >"$H/secret/key"
ln -s ../secret/key "$H/docs/escape"
ln -s "$H/secret/key" "$H/docs/abs"
chmod -R a+rwX "$T_TMP"

# A program that keeps running and answers one line per command (probe repl), through two FIFOs.
start_repl() { # NAME [RUN-OPTIONS...]
        local name=$1; shift
        rm -f "$T_TMP/in" "$T_TMP/out"
        mkfifo "$T_TMP/in" "$T_TMP/out"
        "$VS" run --exec-host --name "$name" --inbox /inbox "$@" -- "$PROBE" repl <"$T_TMP/in" >"$T_TMP/out" 2>"$T_TMP/err" &
        run=$!
        exec 3>"$T_TMP/in" 4<"$T_TMP/out"
        for _ in $(seq 100); do "$VS" ctl "$name" list >/dev/null 2>&1 && return 0; sleep 0.05; done
        return 1
}
# ask COMMAND...: one answer from the running program (a hang is a failure, not a wait).
ask() { local l; echo "$*" >&3; read -r -t 20 l <&4 || l="(no answer)"; echo "$l"; }
stop_repl() { exec 3>&-; wait "$run"; local rc=$?; exec 4<&-; return $rc; }
field() { "$VS" ctl "$1" list 2>/dev/null | awk -F'\t' -v n="$2" '$1 == n {print $2}'; }
# gone PID: PID ends within 2 s; an empty PID (a look-up that found nothing) is never "gone".
gone() { [ -n "${1:-}" ] || return 1; for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }
tag=$(basename "$T_TMP")

start_repl pb
t_check "a void with an inbox runs" $?
holder=$(field pb inbox | sed -n 's/holder pid \([0-9]*\).*/\1/p')
t_eq "the inbox is empty at start" "ok" ask ls /inbox
t_eq "the program holds only its stdio: no channel to the inbox's holder" "ok 0 1 2" ask fds
t_ok "ctl grant answers ok" "$VS" ctl pb grant "$H/docs"
t_eq "powerbox: a directory granted while the program runs appears without restart" "ok hello" \
        ask read /inbox/docs/hello
t_match "ctl list shows the grant, read-only by default" "^docs"$'\t'"grant docs <- $H/docs, read-only" \
        "$VS" ctl pb list
t_eq "only the granted directory: no sibling of it is in the inbox" "ok docs" ask ls /inbox
t_eq "a relative symlink out of the grant reaches nothing" "ENOENT" ask read /inbox/docs/escape
t_eq "an absolute symlink to the host's sibling reaches nothing" "ENOENT" ask read /inbox/docs/abs
t_eq "'..' from the grant is the inbox, not the host's parent" "ENOENT" ask read /inbox/docs/../secret/key
t_eq "a read-only grant is not writable" "EROFS" ask write /inbox/docs/new
t_eq "the void cannot unmount a grant" "EPERM" ask umount /inbox/docs
t_eq "the void cannot remount a grant writable" "EPERM" ask remount-rw /inbox/docs
t_eq "the void cannot unmount the inbox" "EPERM" ask umount /inbox
t_eq "the void cannot remount the inbox writable" "EPERM" ask remount-rw /inbox
t_eq "the void cannot write into the inbox itself" "EROFS" ask mkdir /inbox/mine
t_ok "ctl grant PATH rw" "$VS" ctl pb grant "$H/notes" rw
t_eq "a read-write grant is writable" "ok" ask write /inbox/notes/new
t_eq "what the void writes there belongs to the caller outside" "$(id -u)" stat -c %u "$H/notes/new"
t_status "a second grant of the same name is refused: exit 100" 100 "$VS" ctl pb grant "$H/other/docs"
t_golden "granting a missing path: one line, exit 100" ctl-grant-missing 100 "$VS" ctl pb grant "$T_TMP/nope"
t_ok "granting a file, not only a directory" "$VS" ctl pb grant "$H/docs/hello"
t_eq "... shows it at once" "ok hello" ask read /inbox/hello
t_ok "... and ungrant takes it back" "$VS" ctl pb ungrant hello
t_status "granting a device: exit 100" 100 "$VS" ctl pb grant /dev/null
t_status "ctl grant with a bad mode: exit 100" 100 "$VS" ctl pb grant "$H/docs" rx
if is_root && id voidtest >/dev/null 2>&1; then
        chmod 755 "$VOIDSHIM_RUNTIME_DIR" && chmod 666 "$VOIDSHIM_RUNTIME_DIR/pb.sock"
        # voidshim ctl itself will not use a directory of another user's: a raw client stands in for one.
        t_match "another user reaching the socket cannot grant (SO_PEERCRED)" "not the owner" \
                su voidtest -s /bin/bash -c "$PROBE unix-req $VOIDSHIM_RUNTIME_DIR/pb.sock 'grant /tmp ro'"
        t_eq "... and nothing was granted" "ok docs notes" ask ls /inbox
        chmod 700 "$VOIDSHIM_RUNTIME_DIR"
fi # (only root can act as another user: an ordinary user's run has no such check to make)
held=$(ask hold /inbox/docs | sed -n 's/^ok //p')
t_match "while granted, the holder's namespace holds the bind" "." \
        bash -c "grep -ls -- '$tag/home/docs' /proc/[0-9]*/mountinfo"
t_ok "ctl ungrant" "$VS" ctl pb ungrant docs
t_eq "powerbox: revoking the grant makes new opens fail (ENOENT)" "ENOENT" ask read /inbox/docs/hello
t_eq "the program keeps running, the other grant stays" "ok notes" ask ls /inbox
# Linux has no revoke(2), but Landlock (on by default) knows the grant only where it was mounted: once it
# is detached, a directory fd the program held from before lies under no rule any more.
t_eq "a directory fd opened before the revocation can open nothing more (Landlock: no rule above it)" "EACCES" \
        ask readat "${held:-99}" hello
t_status "ungranting what is not granted: exit 100" 100 "$VS" ctl pb ungrant docs
t_ok "ctl revoke takes a grant's name too" "$VS" ctl pb revoke notes
t_eq "the inbox is empty again" "ok" ask ls /inbox
t_ok "a revoked name can be granted again" "$VS" ctl pb grant "$H/docs"
t_eq "... and is seen again" "ok hello" ask read /inbox/docs/hello
stop_repl
t_check "the run ends with its program" $?
gone "$holder"
t_check "the inbox's holder is gone" $?
t_eq "nothing granted is mounted anywhere after the run" "" \
        bash -c "grep -ls -- '$tag/home' /proc/[0-9]*/mountinfo"
t_eq "no socket or run directory is left" "" ls "$VOIDSHIM_RUNTIME_DIR"

# With CAP_SYS_ADMIN and no seccomp the void may mount in its own namespace, yet a grant's flags are locked.
# (--no-landlock: Landlock, on by default with CAP_SYS_ADMIN, would refuse every remount; the lock is the point.)
start_repl pb2 --cap-add CAP_SYS_ADMIN --seccomp off --no-landlock
"$VS" ctl pb2 grant "$H/docs" >/dev/null
t_eq "even with CAP_SYS_ADMIN the void cannot remount a read-only grant writable (locked)" "EPERM" \
        ask remount-rw /inbox/docs
t_eq "... so it stays read-only" "EROFS" ask write /inbox/docs/new
t_eq "(control: the same void can remount its inbox, which it attached itself: the refusal above is the lock)" \
        "ok" ask remount-rw /inbox
stop_repl
# The same without Landlock: the held directory fd still reads the revoked tree (no revoke(2)).
start_repl pb5 --no-landlock
"$VS" ctl pb5 grant "$H/docs" >/dev/null
held=$(ask hold /inbox/docs | sed -n 's/^ok //p')
"$VS" ctl pb5 ungrant docs >/dev/null
t_eq "--no-landlock: ungranted, the name is gone" "ENOENT" ask read /inbox/docs/hello
t_eq "--no-landlock: a directory fd opened before the revocation still reads (Linux has no revoke(2))" "ok hello" \
        ask readat "${held:-99}" hello
stop_repl
# Fail closed: without its holder no grant could be taken back (a void's copies outlive the holder's namespace).
start_repl pb3
"$VS" ctl pb3 grant "$H/docs" >/dev/null
holder=$(field pb3 inbox | sed -n 's/holder pid \([0-9]*\).*/\1/p')
kill -9 "${holder:-0}"
wait "$run"
t_eq "when the inbox's holder dies, the void is stopped (SIGKILL)" "137" echo $?
t_match "... and voidshim says why" "unable to keep the inbox: its holder died" cat "$T_TMP/err"
exec 3>&- 4<&-

start_repl pb4
holder=$(field pb4 inbox | sed -n 's/holder pid \([0-9]*\).*/\1/p')
kill -9 "$run"
wait "$run" 2>/dev/null
gone "$holder"
t_check "killing voidshim (SIGKILL) kills the inbox's holder, and its namespace goes with it" $?
exec 3>&- 4<&-

t_eq "with fs=shared the inbox is there too (it is mounted last)" "ok" \
        void --name s6 --server fs=shared --inbox /inbox -- "$PROBE" ls /inbox
t_status "--inbox with fs=denied: exit 100" 100 void --name s6 --server fs=denied --inbox /inbox -- "$PROBE" true
t_status "--inbox without --name: exit 100" 100 void --inbox /inbox -- "$PROBE" true
t_match "--explain shows the inbox" "/inbox: inbox, empty at start" void --name x --inbox /inbox --explain -- "$PROBE" true
t_done
