#!/bin/bash
# What a void withstands.  Each case tries, from inside a void, to take more than the void was
# given, and shows the allowed counterpart working; run.sh runs it as root and as an ordinary user.
# The rules are in doc/fds.md (fds), doc/servers.md (terminals, the control channel) and
# doc/seccomp-policy.md.  Held since before and tried in test-isolation.sh and test-seccomp.sh: no
# capabilities, keyrings, bpf, mount, ptrace, host pids, i386/x32 system calls, TIOCSTI.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

if ! "$VS" run --explain -- /x | grep -q "^landlock: on"; then
        [ -n "${VOIDSHIM_MUST_WORK:-}" ] && { _report 1 "the kernel has Landlock" "$("$VS" run --explain -- /x)"; t_done; }
        t_skip "the escape suite" "no Landlock in this kernel (its fallback is tested through probe no-landlock)"
        t_done
fi
PTYRUN=$(dirname "${LIB:-$0}")/ptyrun.py
tag=vbesc-$$-$AS
D=$T_TMP/d
mkdir -p "$D/sub" && echo inside >"$D/sub/file" && echo secret >"$T_TMP/secret"
# FILE [CONTENT]: a host file with known content.
mkfile() { echo "${2:-original}" >"$1"; }
# Root's void is a uid of its own (test-identity.sh): root's files and processes are not its own.  What
# only their owner may do (open a file again for writing, signal a process) is shown, for root, with
# root's own identity; that a void of its own uid may not do it at all is shown beside.
own=()
is_root && own=(--identity host)

# ---- 1. an fd's authority is exactly its object -------------------------------------------------------

# A directory handed in: what is below it, read; nothing above it; nothing written (it was opened to read).
t_eq "a directory fd: a file below it opens" "ok inside" void --fd 3 -- "$PROBE" readat 3 sub/file 3<"$D"
t_eq "a directory fd: openat(fd, \"../secret\") does not lead out" "EACCES" \
        void --fd 3 -- "$PROBE" readat 3 ../secret 3<"$D"
t_eq "a directory fd: nor to the host's /etc" "EACCES" \
        void --fd 3 -- "$PROBE" readat 3 ../../../../../../../etc/hostname 3<"$D"
t_eq "a directory fd: nothing is created below it (it was opened for reading)" "EACCES" \
        void --fd 3 -- "$PROBE" writeat 3 sub/new 3<"$D"
t_eq "--no-landlock: the same fd does reach its parents (what Landlock stops)" "ok secret" \
        void --no-landlock --fd 3 -- "$PROBE" readat 3 ../secret 3<"$D"
t_eq "a directory as stdin: below it" "ok inside" void -- "$PROBE" readat 0 sub/file <"$D"
t_eq "a directory as stdin: not above it" "EACCES" void -- "$PROBE" readat 0 ../secret <"$D"

# A spec's args are files that voidshim opens for the void: never a directory, never one of its own fds.
cat >"$T_TMP/arg.json" <<EOJ
{ "voidshim": 1, "program": "$PROBE",
  "entrypoints": { "main": { "args": [ { "cmdline": 0, "name": "in" }, "trailing" ],
                             "void": { "stdout": true, "stderr": true } } } }
EOJ
cat >"$T_TMP/filearg.json" <<EOJ
{ "voidshim": 1, "program": "$PROBE",
  "entrypoints": { "main": { "args": [ { "file": "$D", "name": "in" }, "trailing" ],
                             "void": { "stdout": true, "stderr": true } } } }
EOJ
t_eq "spec: a cmdline arg naming a file is handed in" "ok inside" \
        "$VS" exec "$T_TMP/arg.json" -- "$D/sub/file" read-fd 3
t_status "spec: a cmdline arg naming a directory is refused (exit 111)" 111 "$VS" exec "$T_TMP/arg.json" -- "$D" true
t_match "... in one line, with the reason" '^voidshim: fatal: .*open arg "in" .*/d \(an arg is one file' \
        "$VS" exec "$T_TMP/arg.json" -- "$D" true
t_status "spec: a \"file\" arg naming a directory is refused (exit 111)" 111 "$VS" exec "$T_TMP/filearg.json" -- true
t_status "spec: a cmdline arg through /dev/fd (one of voidshim's own fds) is refused" 111 \
        "$VS" exec "$T_TMP/arg.json" -- /dev/fd/0 true </dev/null

# Files opened again through /proc/self/fd: never with more than their own open mode.
V=$T_TMP/victim
mkfile "$V"
t_eq "read-only: not opened again for writing through /proc" "EACCES" \
        void --proc -- "$PROBE" write-str /proc/self/fd/0 pwned <"$V"
t_eq "... the file is untouched" "original" cat "$V"
t_eq "read-only: opened again for reading (cat /dev/stdin)" "ok original" void --proc -- "$PROBE" read /proc/self/fd/0 <"$V"
if is_root; then
        t_eq "--no-landlock, root's void of its own uid: root's file is not its to rewrite" "EACCES" \
                void --proc --no-landlock -- "$PROBE" write-str /proc/self/fd/0 pwned <"$V"
        t_eq "... untouched" "original" head -1 "$V"
        t_eq "... nor to open again for writing with Landlock's leave (a write-only fd)" "EACCES" \
                void --proc --fd 3 -- "$PROBE" open-w /proc/self/fd/3 3>"$V.w"
fi
t_eq "--no-landlock: the hole is real (the void rewrites the file it was given to read)" "ok" \
        void "${own[@]}" --proc --no-landlock -- "$PROBE" write-str /proc/self/fd/0 pwned <"$V"
t_eq "... proof" "pwned" head -1 "$V"
mkfile "$V"
t_eq "write-only: not opened again for reading" "EACCES" void --proc --fd 3 -- "$PROBE" open /proc/self/fd/3 3>"$V.w"
t_eq "write-only: opened again for writing" "ok" void "${own[@]}" --proc --fd 3 -- "$PROBE" open-w /proc/self/fd/3 3>"$V.w"
t_eq "append-only: not opened again for writing (it would write anywhere, not at the end)" "EACCES" \
        void --proc --fd 3 -- "$PROBE" open-w /proc/self/fd/3 3>>"$V"
t_eq "append-only: nor for reading" "EACCES" void --proc --fd 3 -- "$PROBE" open /proc/self/fd/3 3>>"$V"
t_eq "append-only: the fd itself appends" "ok" void --proc --fd 3 -- "$PROBE" term write 3 3>>"$V"
t_eq "... at the end" "original term-write-ok" bash -c "tr '\n' ' ' <'$V' | sed 's/ $//'"
mkfile "$V"
t_eq "read-write: opened again for writing" "ok" void "${own[@]}" --proc --fd 3 -- "$PROBE" open-w /proc/self/fd/3 3<>"$V"
t_eq "read-write: and for reading" "ok" void --proc --fd 3 -- "$PROBE" open /proc/self/fd/3 3<>"$V"
t_eq "a device handed in read-only: not opened again for writing" "EACCES" \
        void --proc --fd 3 -- "$PROBE" open-w /proc/self/fd/3 3</dev/zero
t_eq "... for reading, yes" "ok" void --proc --fd 3 -- "$PROBE" open /proc/self/fd/3 3</dev/zero
t_eq "a pipe: opened again it is that same pipe, nothing else (the kernel's rule for pipefs)" "ok through-the-pipe" \
        bash -c "echo through-the-pipe | '$VS' run --exec-host --proc -- '$PROBE' read /proc/self/fd/0"
if command -v python3 >/dev/null; then
        # python3 makes what a shell cannot: a socket, a sealed memfd, an O_PATH fd, each as fd 3.
        with3() { # PYTHON-EXPR-MAKING-AN-FD COMMAND...: run COMMAND with that fd as fd 3
                python3 -c 'import os, socket, fcntl, sys
fd = eval(sys.argv[1])
if fd != 3:
    os.dup2(fd, 3)
os.set_inheritable(3, True)
os.execvp(sys.argv[2], sys.argv[2:])' "$@"
        }
        t_eq "a socket cannot be opened again at all" "ENXIO" \
                with3 'socket.socketpair()[0].detach()' "$VS" run --exec-host --proc --fd 3 -- "$PROBE" open /proc/self/fd/3
        sealed='(lambda f: (os.write(f, b"sealed\n"), fcntl.fcntl(f, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL), os.lseek(f, 0, 0), f)[-1])(os.memfd_create("esc", os.MFD_ALLOW_SEALING))'
        t_eq "a sealed memfd: opened again it stays unwritable (Landlock cannot name a memfd: seal it)" "EPERM" \
                with3 "$sealed" "$VS" run --exec-host --proc --fd 3 -- "$PROBE" write-str /proc/self/fd/3 x
        t_eq "... and reads" "ok sealed" with3 "$sealed" "$VS" run --exec-host --proc --fd 3 -- "$PROBE" read /proc/self/fd/3
        t_status "an O_PATH fd is refused (exit 100): a path, not an object" 100 \
                with3 "os.open('$D', os.O_PATH)" "$VS" run --exec-host --fd 3 -- "$PROBE" true
        t_match "... in one line, with the reason" "^voidshim: fatal: unable to prepare the void: hand in fd 3: it is an O_PATH fd" \
                with3 "os.open('$D', os.O_PATH)" "$VS" run --exec-host --fd 3 -- "$PROBE" true
else
        t_skip "sockets, memfds and O_PATH fds handed in" "no python3 to make them"
fi
t_match "explain: Landlock is on by default" "^landlock: on" void --explain -- "$PROBE" true
t_match "explain: and says what a directory fd may do" "3: handed in by the caller: directory; Landlock: read beneath it, nothing above" \
        void --explain --fd 3 -- "$PROBE" true 3<"$D"
t_match "explain --no-landlock: says what it gives up" "^landlock: OFF, which gives up: confining an fd" \
        void --explain --no-landlock -- "$PROBE" true

# A kernel without Landlock (probe no-landlock makes every Landlock call ENOSYS): the documented fallback.
nl() { "$PROBE" no-landlock "$VS" run --exec-host "$@"; }
t_match "no Landlock: explain says what stands in for it" "^landlock: this kernel has none; instead no directory" \
        nl --explain -- "$PROBE" true
t_status "no Landlock: a directory fd is refused (exit 100)" 100 nl --fd 3 -- "$PROBE" true 3<"$D"
t_match "... in one line, with the reason" "^voidshim: fatal: unable to prepare the void: fd 3 is a directory, and without Landlock" \
        nl --fd 3 -- "$PROBE" true 3<"$D"
t_status "no Landlock: a file handed to a void with /proc is refused (exit 100)" 100 nl --proc -- "$PROBE" true <"$V"
t_eq "no Landlock: a file handed to a void without /proc is used" "ok original" nl -- "$PROBE" read-fd 0 <"$V"
t_eq "no Landlock: /dev/null with /proc is fine (opened again it gives nothing more)" "ok" \
        nl --proc -- "$PROBE" true </dev/null

# ---- 2. Landlock's scopes: abstract unix sockets and signals stay inside the void ----------------------

"$PROBE" unix-serve "@$tag" >"$T_TMP/userve" 2>&1 &
srv=$!
"$PROBE" sleep 120 >/dev/null &
sleeper=$!
t_at_exit "kill $srv $sleeper 2>/dev/null; wait $srv $sleeper 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/userve" && break; sleep 0.1; done
t_eq "(a host client reaches the host's abstract socket)" "ok pong" "$PROBE" unix-req "@$tag" ping
t_eq "a void sharing the network namespace cannot reach the host's abstract socket" "EPERM" \
        void --net shared -- "$PROBE" unix-req "@$tag" ping
t_eq "--no-landlock: the same void reaches it (what the scope stops)" "ok pong" \
        void --net shared --no-landlock -- "$PROBE" unix-req "@$tag" ping
t_eq "a void of its own network namespace does not even see it" "ECONNREFUSED" void -- "$PROBE" unix-req "@$tag" ping
# voidshim itself in the background (not the void() function, whose subshell a kill would leave it behind):
# SIGTERM to voidshim ends its void.
"$VS" run --exec-host --net shared -- "$PROBE" unix-serve "@$tag-void" >"$T_TMP/vserve" 2>&1 &
vsrv=$!
t_at_exit "kill $vsrv 2>/dev/null; wait $vsrv 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/vserve" && break; sleep 0.1; done
t_eq "one void cannot reach another void's abstract socket in a shared network namespace" "EPERM" \
        void --net shared -- "$PROBE" unix-req "@$tag-void" ping
t_eq "(--no-landlock: it could)" "ok pong" void --net shared --no-landlock -- "$PROBE" unix-req "@$tag-void" ping
t_eq "a void sharing the pid namespace cannot signal a host process" "EPERM" \
        void --share pid -- "$PROBE" signal "$sleeper" 0
t_eq "--no-landlock: it can (what the scope stops)" "ok" \
        void "${own[@]}" --share pid --no-landlock -- "$PROBE" signal "$sleeper" 0
is_root && t_eq "root's void of its own uid cannot signal root's process even without Landlock" "EPERM" \
        void --share pid --no-landlock -- "$PROBE" signal "$sleeper" 0
t_match "explain: the void is scoped" "^  scoped: no abstract unix socket and no process outside" void --explain -- "$PROBE" true

# ---- 3. the control channel -------------------------------------------------------------------------

# The caller's runtime directory, shared with --server unix=shared, holds the control sockets.
X=$T_TMP/xdg V=$T_TMP/granted
mkdir -m 700 "$X" && mkdir -p "$V/docs" && echo granted >"$V/docs/f"
chmod -R a+rwX "$V"
xvs() { env -u VOIDSHIM_RUNTIME_DIR XDG_RUNTIME_DIR="$X" "$VS" "$@"; }
# A program that keeps running and answers one line per command (probe repl), through two FIFOs.
start_repl() { # NAME [RUN-OPTIONS...]
        local name=$1; shift
        rm -f "$T_TMP/in" "$T_TMP/out"
        mkfifo "$T_TMP/in" "$T_TMP/out"
        xvs run --exec-host --name "$name" --inbox /inbox --server unix=shared "$@" -- "$PROBE" repl \
                <"$T_TMP/in" >"$T_TMP/out" 2>"$T_TMP/err" &
        run=$!
        exec 3>"$T_TMP/in" 4<"$T_TMP/out"
        for _ in $(seq 100); do xvs ctl "$name" list >/dev/null 2>&1 && return 0; sleep 0.05; done
        return 1
}
ask() { local l; echo "$*" >&3; read -r -t 20 l <&4 || l="(no answer)"; echo "$l"; }
stop_repl() { exec 3>&-; wait "$run"; exec 4<&-; }

start_repl esc1
t_check "a void with unix shared and an inbox runs" $?
t_eq "unix shared: the void has the caller's runtime directory" "ok voidshim" ask ls "$X"
t_eq "... but the control sockets in it are covered" "EACCES" ask ls "$X/voidshim"
t_match "the attack: the void connects to its own control socket to grant itself a host directory" "^(EACCES|ENOENT)$" \
        ask unix-req "$X/voidshim/esc1.sock" "grant $V/docs rw"
t_eq "... nothing was granted" "ok" ask ls /inbox
t_ok "from outside, the owner's ctl grant works" xvs ctl esc1 grant "$V/docs"
t_eq "... and the void sees the grant" "ok granted" ask read /inbox/docs/f
t_status "ctl grant of the directory that holds the control sockets is refused (exit 100)" 100 xvs ctl esc1 grant "$X"
stop_repl
# With the cover taken away, the supervisor itself refuses a peer that is inside a void (for root, with
# root's identity: a void of its own uid is refused sooner, as another uid, below).
start_repl esc2 "${own[@]}" --cap-add CAP_SYS_ADMIN --seccomp off --no-landlock
t_eq "(a void given CAP_SYS_ADMIN, no seccomp and no Landlock can take the cover away)" "ok" ask umount "$X/voidshim"
t_match "... and reaches the socket, but the supervisor refuses a peer inside a void" \
        "^ok error: refused: the peer is in another mount or user namespace" \
        ask unix-req "$X/voidshim/esc2.sock" "grant $V/docs rw"
t_eq "... nothing was granted" "ok" ask ls /inbox
t_eq "the same request from outside is served" "ok ok" "$PROBE" unix-req "$X/voidshim/esc2.sock" "grant $V/docs ro"
t_eq "... and the void sees that grant" "ok granted" ask read /inbox/docs/f
stop_repl
if is_root; then
        start_repl esc3 --cap-add CAP_SYS_ADMIN --seccomp off --no-landlock
        t_eq "(root's void of its own uid, uncovered, cap and no filter)" "ok" ask umount "$X/voidshim"
        t_match "... reaches the socket and is refused as another uid" "^ok error: not the owner of this run" \
                ask unix-req "$X/voidshim/esc3.sock" "grant $V/docs rw"
        t_eq "... nothing was granted" "ok" ask ls /inbox
        stop_repl
fi
t_status "a forwarder to a control socket is refused (exit 100)" 100 \
        xvs run --exec-host --proxy-connect /c=unix:"$X/voidshim/esc2.sock" -- "$PROBE" true
t_match "explain: the runtime directory is never shown" "never shown: the host's $X/voidshim" \
        xvs run --explain --server unix=shared -- "$PROBE" true

# A supervisor killed with SIGKILL leaves its socket and run directory: the next run cleans them.
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
"$VS" run --exec-host --name stale --proxy-connect /s=tcp:127.0.0.1:9 -- "$PROBE" sleep 60 >/dev/null 2>&1 &
sup=$!
for _ in $(seq 100); do "$VS" ctl stale list >/dev/null 2>&1 && break; sleep 0.05; done
kill -9 "$sup"
wait "$sup" 2>/dev/null
t_match "a SIGKILLed supervisor leaves its run directory and socket" "^run-[0-9]+ stale.sock $" \
        bash -c "ls '$VOIDSHIM_RUNTIME_DIR' | tr '\n' ' '"
# Its forwarder dies with it (PR_SET_PDEATHSIG) and lets go of the directory's lock: wait for that, bounded.
for _ in $(seq 50); do flock -n "$VOIDSHIM_RUNTIME_DIR"/run-* true 2>/dev/null && break; sleep 0.1; done
t_eq "a later run of the same name works" "ok" void --name stale --proxy-connect /s=tcp:127.0.0.1:9 -- "$PROBE" true
t_eq "... and leaves nothing, the stale ones included" "" ls -A "$VOIDSHIM_RUNTIME_DIR"

# A runtime directory that is not ours, or open to others, is refused in one line and never used.
if is_root && id voidtest >/dev/null 2>&1; then
        mkdir -m 700 "$T_TMP/theirs" && chown voidtest "$T_TMP/theirs"
else # the stage directory belongs to root, who ran run.sh
        mkdir -p "$T_TMP/theirs"
        [ "$(stat -c %u "$STAGE")" != "$(id -u)" ] && rmdir "$T_TMP/theirs" && ln -s "$STAGE" "$T_TMP/theirs"
fi
theirs=$(readlink -f "$T_TMP/theirs")
if [ "$(stat -c %u "$theirs")" != "$(id -u)" ]; then
        before=$(ls -A "$theirs" | wc -l)
        t_status "another user's runtime directory: run --name is refused (exit 111)" 111 \
                env VOIDSHIM_RUNTIME_DIR="$theirs" "$VS" run --exec-host --name x -- "$PROBE" true
        t_match "... saying whose it is" "^voidshim: fatal: .* belongs to uid [0-9]+, not to us \(uid $(id -u)\): refused, never used" \
                env VOIDSHIM_RUNTIME_DIR="$theirs" "$VS" run --exec-host --name x -- "$PROBE" true
        t_eq "... in one line" "1" bash -c "VOIDSHIM_RUNTIME_DIR='$theirs' '$VS' run --exec-host --name x -- '$PROBE' true 2>&1 | wc -l"
        t_eq "... and nothing was made in it" "$before" bash -c "ls -A '$theirs' | wc -l"
        t_status "... nor does voidshim ctl use it (exit 111)" 111 env VOIDSHIM_RUNTIME_DIR="$theirs" "$VS" ctl x list
else
        t_skip "another user's runtime directory" "no directory of another user's to try"
fi
mkdir -m 755 "$T_TMP/open"
t_match "a runtime directory open to others is refused (mode 0755)" "open to others \(mode 0755, not 0700\): refused" \
        env VOIDSHIM_RUNTIME_DIR="$T_TMP/open" "$VS" run --exec-host --name x -- "$PROBE" true
t_eq "... and nothing was made in it" "" ls -A "$T_TMP/open"
ln -s "$T_TMP/rt" "$T_TMP/link"
t_match "a symlink as runtime directory is refused" "is not a directory \(a symlink\?\): refused" \
        env VOIDSHIM_RUNTIME_DIR="$T_TMP/link" "$VS" run --exec-host --name x -- "$PROBE" true
t_eq "the owner's own ctl works, from outside" "ok" bash -c \
        "'$VS' run --exec-host --name own -- '$PROBE' sleep 30 >/dev/null 2>&1 & for _ in \$(seq 100); do '$VS' ctl own list >/dev/null 2>&1 && break; sleep 0.05; done; '$VS' ctl own stop >/dev/null && echo ok; wait"

# ---- 4. the root is staged where no grant can name it -----------------------------------------------

for d in /tmp /var/tmp /mnt /run; do
        if [ -w "$d" ]; then
                echo host >"$d/$tag.in"
                t_at_exit "rm -f '$d/$tag.in' '$d/$tag.out'"
                t_eq "--bind $d $d: the void sees the host's $d" "ok host" void --bind "$d" "$d" -- "$PROBE" read "$d/$tag.in"
                void --bind "$d" "$d" -- "$PROBE" write "$d/$tag.out" >/dev/null 2>&1
                t_eq "--bind $d $d: what the void writes there, the host sees" "probe" cat "$d/$tag.out"
        else # not ours to write: a name the host has there is seen inside
                first=$(ls -A "$d" | LC_ALL=C sort | head -1)
                t_match "--ro-bind $d $d: the void sees the host's $d (${first:-empty})" "^ok${first:+ .*\b$first\b}" \
                        void --ro-bind "$d" "$d" -- "$PROBE" ls "$d"
        fi
done

# ---- 5. terminals: the caller's, unless asked for, comes in confined ----------------------------------

if command -v python3 >/dev/null && [ -f "$PTYRUN" ]; then
        pty() { python3 "$PTYRUN" -- "$@" 2>&1 | sed -n 's/^output: //p' | tr '\n' ' ' | sed 's/ $//'; }
        for op in set high setwinsz flush flow pgrp ctty excl; do
                t_eq "the caller's terminal: term $op is refused" "EPERM" pty "$VS" run --exec-host -- "$PROBE" term "$op"
        done
        t_eq "the caller's terminal: reading its settings works" "ok" pty "$VS" run --exec-host -- "$PROBE" term get
        t_eq "the caller's terminal: reading its size works" "ok" pty "$VS" run --exec-host -- "$PROBE" term winsz
        t_eq "the caller's terminal: writing to it works" "term-write-ok ok" pty "$VS" run --exec-host -- "$PROBE" term write 1
        t_eq "it is no controlling terminal: /dev/tty leads nowhere" "ENXIO" \
                pty "$VS" run --exec-host --dev -- "$PROBE" open /dev/tty
        t_eq "the caller's window size is unchanged after the attempt" "ok 24 80" pty sh -c \
                "stty rows 24 cols 80; '$VS' run --exec-host -- '$PROBE' term setwinsz >/dev/null; echo ok \$(stty size)"
        t_eq "--server term=shared, for contrast: the caller's terminal unconfined, its size changed" "ok 40 100" pty sh -c \
                "stty rows 24 cols 80; '$VS' run --exec-host --server term=shared -- '$PROBE' term setwinsz >/dev/null; echo ok \$(stty size)"
        t_eq "--server term=proxied: a full terminal of the void's own (settings)" "ok" \
                pty "$VS" run --exec-host --server term=proxied -- "$PROBE" term set
        t_eq "--server term=proxied: a full terminal of the void's own (size)" "ok" \
                pty "$VS" run --exec-host --server term=proxied -- "$PROBE" term setwinsz
        t_match "explain: the terminal comes in confined" "0: handed in by the caller: terminal, confined" \
                python3 "$PTYRUN" -- "$VS" run --explain -- "$PROBE" true
else
        t_skip "terminals" "no python3 to make a terminal"
fi

# ---- 6. kernel interfaces the default filter refuses (the others: test-seccomp.sh) ---------------------

for c in perf userfaultfd io-uring; do
        t_eq "$c is refused" "EPERM" void -- "$PROBE" "$c"
        t_eq "--seccomp off: $c reaches the kernel" "ok" void --seccomp off -- "$PROBE" "$c"
done

# ---- 7. who the void is, and how much it may use (test-identity.sh, test-limits.sh say more) -----------

map=$(void --proc -- "$PROBE" read /proc/self/uid_map)
if is_root; then
        t_check "root's void is not the host's root: its uid 0 is another uid outside" \
                "$(awk '{ exit !($2 == 0 && $3 != 0) }' <<<"$map"; echo $?)" "$map"
        t_eq "... so RLIMIT_NPROC binds it: a fork bomb stops at 16 processes" "EAGAIN 15" \
                void --rlimit nproc=16 -- "$PROBE" forks 200
        t_eq "--limit pids=16: the 16th process of the void is refused" "EAGAIN 15" \
                void --limit pids=16 -- "$PROBE" forks 200
        t_match "--limit memory=32m: a memfd bomb (which RLIMIT_AS does not see) ends inside the void" "^$" \
                void --limit memory=32m -- "$PROBE" memfill memfd 256
else
        t_check "an ordinary user's void is that user outside" "$(awk -v u="$(id -u)" '{ exit !($3 == u) }' <<<"$map"; echo $?)" "$map"
        t_eq "RLIMIT_NPROC binds it: a fork bomb stops at 16 processes" "EAGAIN 15" \
                void --rlimit nproc=16 -- "$PROBE" forks 200
        t_status "--limit pids=16 without a delegated cgroup: refused (111), never run unlimited" 111 \
                void --limit pids=16 -- "$PROBE" forks 200
fi

t_done
