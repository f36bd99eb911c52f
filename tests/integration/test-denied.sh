#!/bin/bash
# Denied servers (doc/servers.md): each is a no-op server answering every use with one errno, tried from inside.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "all denied-server tests" "no srv_probe (make build/tests/apps/srv_probe)"; t_done; }

# net: no interface and socket(AF_INET*, AF_PACKET) -> EACCES; AF_UNIX and netlink untouched.
t_eq "net denied: socket(AF_INET) is EACCES" "EACCES" void --server net=denied -- "$PROBE" socket inet
t_eq "net denied: socket(AF_INET6) is EACCES" "EACCES" void --server net=denied -- "$PROBE" socket inet6
t_eq "net denied: socket(AF_PACKET) is EACCES" "EACCES" void --server net=denied -- "$PROBE" socket packet
t_eq "net denied: connect never gets that far" "EACCES" void --server net=denied -- "$PROBE" connect 127.0.0.1 80
t_eq "net denied: AF_UNIX is another server" "ok" void --server net=denied -- "$PROBE" socket unix
t_eq "net fresh: lo of its own" "ok lo:up" void --server net=fresh -- "$PROBE" ifaces
t_eq "net default: socket(AF_INET) still works" "ok" void -- "$PROBE" socket inet

# unix: socket and socketpair(AF_UNIX) -> EACCES.
t_eq "unix denied: socket(AF_UNIX) is EACCES" "EACCES" void --server unix=denied -- "$PROBE" socket unix
t_eq "unix denied: connecting to a path is EACCES too" "EACCES" void --server unix=denied -- "$SRV" uconnect /x hi
t_eq "unix denied: AF_INET is another server" "ok" void --server unix=denied -- "$PROBE" socket inet

# ipc: SysV and POSIX mq -> EACCES (the default void has a fresh, working ipc namespace).
for w in shm msg sem mq; do
        t_eq "ipc denied: $w is EACCES" "EACCES" void --server ipc=denied -- "$SRV" ipc $w
        t_eq "ipc fresh: $w works" "ok" void -- "$SRV" ipc $w
done

# uts: the hostname is fixed.
t_eq "uts denied: sethostname is EACCES" "EACCES" void --server uts=denied -- "$SRV" sethostname
t_eq "uts denied: uname still answers" "ok void" void --server uts=denied -- "$PROBE" hostname

# proc: no /proc at all -> ENOENT; a fresh one shows only the void.
t_eq "proc denied: /proc/self is ENOENT" "ENOENT" void --server proc=denied -- "$PROBE" stat /proc/self
t_match "proc fresh: /proc/1 is the void's init" "^ok" void --server proc=fresh -- "$PROBE" stat /proc/1
t_status "proc denied with --proc is a contradiction (exit 100)" 100 void --server proc=denied --proc -- "$PROBE" true

# dev: no /dev -> ENOENT; std fds still work (/dev/null is opened before the root is entered).
t_eq "dev denied: /dev/null is ENOENT" "ENOENT" void --server dev=denied -- "$PROBE" stat /dev/null
t_match "dev fresh: /dev/null is there" "^ok .* chr$" void --server dev=fresh -- "$PROBE" stat /dev/null
t_status "dev denied with --dev is a contradiction (exit 100)" 100 void --server dev=denied --dev -- "$PROBE" true

# term: no terminal on any fd -> ENOTTY, also through a /dev of the void's own.  script(1) makes a pty.
if command -v script >/dev/null; then
        run_tty() { script -qec "$*" /dev/null </dev/null | tr -d '\r'; }
        t_eq "term shared (default): stdin is the caller's terminal" "ok" \
                run_tty "$VS run --exec-host -- $SRV tty 0 | cat"
        t_eq "term denied: stdin is not a terminal (ENOTTY)" "ENOTTY" \
                run_tty "$VS run --exec-host --server term=denied -- $SRV tty 0 | cat"
        t_eq "term denied: /dev/tty answers ENOTTY" "ENOTTY" \
                run_tty "$VS run --exec-host --server term=denied --dev -- $SRV tty /dev/tty | cat"
        t_eq "term denied: no pty can be made (ENOTTY)" "ENOTTY" \
                run_tty "$VS run --exec-host --server term=denied --dev -- $SRV openpt | cat"
        t_eq "term fresh: a devpts of its own makes ptys" "ok" \
                run_tty "$VS run --exec-host --server term=fresh -- $SRV openpt | cat"
        t_eq "term fresh: but the caller's terminal is not handed in" "ENOTTY" \
                run_tty "$VS run --exec-host --server term=fresh -- $SRV tty 0 | cat"
else
        t_skip "term denied" "no script(1) to make a terminal"
fi

# exec: Landlock EXECUTE only on the program (and its loader) -> EACCES for anything else.
t_eq "exec denied: the program runs, another exec is EACCES" "EACCES" \
        "$VS" run --libs "$SRV" --ro-bind "$PROBE" /probe --server exec=denied -- "$SRV" exec /probe true
t_eq "exec default: the same exec works" "ok" "$VS" run --libs "$SRV" --ro-bind "$PROBE" /probe -- "$SRV" exec /probe true
t_match "exec denied: a dynamic program runs, its children do not" "Permission denied" \
        "$VS" run --libs /bin/sh --libs /bin/true --server exec=denied -- /bin/sh -c /bin/true
# Run by fd (--exec-host), the program's own rule comes from its fd: it need not be in the void at all.
t_eq "exec denied with --exec-host: the program runs" "ok" void --server exec=denied -- "$PROBE" true
cp "$PROBE" "$T_TMP/other" # another file (the program's own inode stays executable: it is the program)
t_eq "exec denied with --exec-host: another exec is EACCES" "EACCES" \
        void --ro-bind "$T_TMP/other" /other --server exec=denied -- "$PROBE" exec /other true
t_eq "(control: without exec denied the same exec works)" "ok" \
        void --ro-bind "$T_TMP/other" /other -- "$PROBE" exec /other true
t_status "exec denied with a program found by PATH search is refused (exit 100)" 100 \
        "$VS" run --server exec=denied -- probe true
t_status "exec denied contradicts --no-landlock (exit 100)" 100 void --server exec=denied --no-landlock -- "$PROBE" true

# fs: every call taking a path -> EACCES; the program is run by fd.
t_eq "fs denied: open is EACCES" "EACCES" void --server fs=denied -- "$PROBE" open /
t_eq "fs denied: stat is EACCES" "EACCES" void --server fs=denied -- "$PROBE" stat /
t_eq "fs denied: the program itself runs" "ok" void --server fs=denied -- "$PROBE" true
t_status "fs denied with a bind is a contradiction (exit 100)" 100 void --server fs=denied --ro-bind /etc /etc -- "$PROBE" true

# Modes Linux cannot give are refused with the reason, before anything runs.
t_match "time denied is refused: the vDSO" "vDSO" void --server time=denied -- "$PROBE" true
t_status "time denied: exit 100" 100 void --server time=denied -- "$PROBE" true
t_status "ipc proxied: exit 100" 100 void --server ipc=proxied -- "$PROBE" true
t_status "exec proxied: exit 100" 100 void --server exec=proxied -- "$PROBE" true
t_match "exec proxied: TOCTOU is the reason" "TOCTOU" void --server exec=proxied -- "$PROBE" true
t_status "an unknown server: exit 100" 100 void --server disk=denied -- "$PROBE" true
t_status "an unknown mode: exit 100" 100 void --server net=closed -- "$PROBE" true
t_status "--server net with --net: exit 100" 100 void --server net=denied --net loopback -- "$PROBE" true
t_status "--server pid with --share pid: exit 100" 100 void --server proc=fresh --share pid -- "$PROBE" true
t_status "net proxied without --net-allow: exit 100" 100 void --server net=proxied -- "$PROBE" true
t_status "--net-allow of a host name that has no address: exit 100" 100 \
        void --net-allow tcp:no-such-host.invalid:80 -- "$PROBE" true
t_match "--net-allow of a host name that has no address says why" "no-such-host.invalid:80: " \
        void --net-allow tcp:no-such-host.invalid:80 -- "$PROBE" true
t_match "--net-allow of the void's own loopback says why" "own loopback" void --net-allow 127.0.0.2:80 -- "$PROBE" true
t_match "--net-allow of ::1 points to 127.0.0.1" "127.0.0.1" void --net-allow "[::1]:80" -- "$PROBE" true

# Several denied servers at once: their seccomp rules add up.
t_eq "net, unix and ipc denied together: unix" "EACCES" \
        void --server net=denied --server unix=denied --server ipc=denied -- "$PROBE" socket unix
t_eq "net, unix and ipc denied together: ipc" "EACCES" \
        void --server net=denied --server unix=denied --server ipc=denied -- "$SRV" ipc sem
t_match "--explain lists the added rules" "socket -> errno EACCES" "$VS" run --explain --server net=denied -- /bin/true

t_done
