#!/bin/bash
# Each grant gives back exactly what it says, and no more: tried from inside.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

host=$T_TMP/host
mkdir -p "$host/sub" && echo hello >"$host/file"

# --ro-bind: readable, not writable (not even files that exist, nor new ones).
t_eq "--ro-bind: a file can be read" "ok hello" void --ro-bind "$host" /h -- "$PROBE" read /h/file
t_eq "--ro-bind: an existing file cannot be written" "EROFS" void --ro-bind "$host" /h -- "$PROBE" write /h/file
t_eq "--ro-bind: no new file" "EROFS" void --ro-bind "$host" /h -- "$PROBE" write /h/new
t_eq "--ro-bind: cannot be remounted read-write" "EPERM" \
        void --ro-bind "$host" /h --seccomp off -- "$PROBE" remount-rw /h
t_eq "--ro-bind is recursive: a submount is read-only too (/dev/shm)" "EROFS" \
        void --ro-bind /dev /d -- "$PROBE" write /d/shm/voidshim-test
t_eq "--ro-bind is nodev, recursively" "EACCES" void --ro-bind /dev /d -- "$PROBE" open /d/null
if is_root; then
        # devtmpfs cannot be idmapped, so root's void (a uid of its own) cannot be given it writable:
        # refused, never bound in a way the void could not use.  Root's own identity shows nodev.
        t_match "--bind of a file system without idmapped mounts, for a void of its own uid: refused (111)" \
                "^voidshim: fatal: unable to start .*: mount /d from /dev: its file system cannot show the caller's files as the void's" \
                void --bind /dev /d -- "$PROBE" open /d/null
        t_eq "--bind is nodev too" "EACCES" void --identity host --bind /dev /d -- "$PROBE" open /d/null
else
        t_eq "--bind is nodev too" "EACCES" void --bind /dev /d -- "$PROBE" open /d/null
fi
[ ! -e "$host/new" ] && [ "$(cat "$host/file")" = hello ]
t_check "--ro-bind: the host copy is untouched" $?

# --bind: writable, and what the void writes belongs to the caller on the host.
t_eq "--bind: a new file can be written" "ok" void --bind "$host" /h -- "$PROBE" write /h/sub/made
owner=$(stat -c %u "$host/sub/made" 2>&1)
[ "$owner" = "$(id -u)" ]
t_check "--bind: the file appears on the host owned by the caller (uid $(id -u))" $? "owner: $owner"
t_match "--bind: inside, the file is root's (uid 0 maps to the caller)" "^ok 0 0 [0-7]+ file$" \
        void --bind "$host" /h -- "$PROBE" stat /h/sub/made
echo single >"$host/single"
t_eq "--bind: a single file" "ok" void --bind "$host/single" /f -- "$PROBE" write /f
t_eq "--bind: nosuid and nodev are kept" "ok" \
        bash -c "\"\$VS\" run --exec-host --proc --bind \"$host\" /h -- \"\$PROBE\" read /proc/self/mountinfo | grep -q ' /h rw,nosuid,nodev' && echo ok"

# The *-try variants skip a missing source; the plain ones refuse it before starting.
t_eq "--bind-try: missing source is skipped" "ENOENT" void --bind-try /nonexistent-vs /x -- "$PROBE" stat /x
t_eq "--ro-bind-try: missing source is skipped" "ENOENT" void --ro-bind-try /nonexistent-vs /x -- "$PROBE" stat /x
t_eq "--ro-bind-try: present source is bound" "ok hello" void --ro-bind-try "$host" /h -- "$PROBE" read /h/file
t_status "--ro-bind: missing source refused (exit 100)" 100 void --ro-bind /nonexistent-vs /x -- "$PROBE" true

# --tmpfs: writable, noexec, private to this void; --size limits it.
t_eq "--tmpfs: writable" "ok" void --tmpfs /t -- "$PROBE" write /t/x
t_eq "--tmpfs: mode 1777, owned by root inside" "ok 0 0 1777 dir" void --tmpfs /t -- "$PROBE" stat /t
t_eq "--tmpfs: noexec (a copied program cannot run)" "EACCES" \
        void --ro-bind "$PROBE" /probe --tmpfs /t -- "$PROBE" copy-exec /probe /t/p true
t_eq "--tmpfs: a new one per void" "ENOENT" void --tmpfs /t -- "$PROBE" stat /t/x
t_eq "--size 1m --tmpfs: 512 KiB fit" "ok" void --size 1m --tmpfs /t -- "$PROBE" fill /t/x 524288
t_eq "--size 1m --tmpfs: 2 MiB do not (ENOSPC)" "ENOSPC" void --size 1m --tmpfs /t -- "$PROBE" fill /t/x 2097152
t_eq "--size applies to the next --tmpfs only" "ok" \
        void --size 1m --tmpfs /a --tmpfs /b -- "$PROBE" fill /b/x 2097152

# --dir and --symlink: made in the read-only root.
t_eq "--dir: an empty directory" "ok 0 0 755 dir" void --dir /d/e -- "$PROBE" stat /d/e
t_eq "--dir: it stays read-only" "EROFS" void --dir /d -- "$PROBE" write /d/x
t_eq "--symlink: a symlink" "ok 0 0 777 link" void --symlink /h/file /s -- "$PROBE" stat /s
t_eq "--symlink: resolves inside the void" "ok hello" \
        void --ro-bind "$host" /h --symlink /h/file /s -- "$PROBE" read /s
t_eq "--symlink: never to the host" "ENOENT" void --symlink /etc/passwd /s -- "$PROBE" read /s

# --proc and --proc-subset: only the void's own processes.
numeric() { "$@" | tr ' ' '\n' | grep -E '^[0-9]+$' | tr '\n' ' ' | sed 's/ $//'; }
t_eq "--proc: the only process is 1" "1" numeric void --proc -- "$PROBE" ls /proc
t_match "--proc: /proc/self is there" " self( |$)" void --proc -- "$PROBE" ls /proc
t_match "--proc: /proc/sys is present" "^ok [0-9]+ [0-9]+ 555 dir$" void --proc -- "$PROBE" stat /proc/sys
# Host-global sysctls (opened for writing only: nothing is written).  Run by root, uid 0 inside
# IS host uid 0, and /proc/sys checks only the uid, not capabilities: kernel.core_pattern can
# name a program the host kernel runs as root.
t_match "--proc: a host-global sysctl (kernel.core_pattern) cannot be opened for writing" \
        "^(EROFS|EACCES|EPERM)$" void --proc -- "$PROBE" open-w /proc/sys/kernel/core_pattern
t_eq "--proc: the void's own hostname sysctl is its own" "ok void" \
        void --proc -- "$PROBE" read /proc/sys/kernel/hostname
t_eq "--proc-subset: /proc/sys is absent" "ENOENT" void --proc-subset -- "$PROBE" stat /proc/sys
t_eq "--proc-subset: processes only" "ok 1 self thread-self" void --proc-subset -- "$PROBE" ls /proc

# --dev: a minimal /dev.
t_eq "--dev: the listed nodes only" "ok fd full null ptmx pts random shm stderr stdin stdout tty urandom zero" \
        void --dev -- "$PROBE" ls /dev
t_eq "--dev: null is writable" "ok" void --dev -- "$PROBE" write /dev/null
t_eq "--dev: null reads empty" "ok " void --dev -- "$PROBE" read /dev/null
t_eq "--dev: urandom is readable" "ok 4096" void --dev -- "$PROBE" readn /dev/urandom 4096
t_eq "--dev: zero is readable" "ok 4096" void --dev -- "$PROBE" readn /dev/zero 4096
t_eq "--dev: full gives ENOSPC on write" "ENOSPC" void --dev -- "$PROBE" write /dev/full
t_eq "--dev: /dev/pts exists" "ok 0 0 755 dir" void --dev -- "$PROBE" stat /dev/pts
t_eq "--dev: /dev/pts is a new instance (no host terminals)" "ok ptmx" void --dev -- "$PROBE" ls /dev/pts
t_eq "--dev: /dev/shm is a writable tmpfs" "ok" void --dev -- "$PROBE" write /dev/shm/x
t_match "--dev --proc: /dev/fd resolves" "^ok 0 1 2( |$)" void --dev --proc -- "$PROBE" ls /dev/fd/
t_eq "--dev without --proc: /dev/fd dangles" "ENOENT" void --dev -- "$PROBE" ls /dev/fd/
t_eq "--dev: no other device can be opened" "ENOENT" void --dev -- "$PROBE" open /dev/sda

# --libs: a dynamic program with its ELF closure, and nothing else.
mkdir -p "$host/list" && touch "$host/list/one" "$host/list/two"
t_eq "--libs /bin/ls runs ls" "one two" \
        bash -c "\"\$VS\" run --libs /bin/ls --ro-bind \"$host/list\" /d -- /bin/ls /d | tr '\n' ' ' | sed 's/ \$//'"
t_eq "--libs twice: both programs run" "hello" \
        bash -c "\"\$VS\" run --libs /bin/ls --libs /bin/cat --ro-bind \"$host\" /h -- /bin/ls /h/file >/dev/null &&
                 \"\$VS\" run --libs /bin/ls --libs /bin/cat --ro-bind \"$host\" /h -- /bin/cat /h/file"
t_eq "--libs twice: only the two programs are there" "cat ls" \
        bash -c "\"\$VS\" run --libs /bin/ls --libs /bin/cat -- /bin/ls \$(dirname \$(readlink -f /bin/ls)) | tr '\n' ' ' | sed 's/ \$//'"
t_match "--libs: nothing else of the host (no /etc/passwd)" "/etc/passwd: No such file" \
        "$VS" run --libs /bin/cat -- /bin/cat /etc/passwd

# Environment and working directory.
export HOSTVAR=from-host
t_eq "--setenv: exactly what was set" "ok A=1 B=two words" void --setenv A 1 --setenv B "two words" -- "$PROBE" env
t_eq "--setenv: the last one wins" "ok A=2" void --setenv A 1 --setenv A 2 -- "$PROBE" env
t_eq "--keep-env: copies a set variable only" "ok HOSTVAR=from-host" \
        void --keep-env HOSTVAR --keep-env UNSET_VAR_VS -- "$PROBE" env
t_eq "no grant: an empty environment" "ok" void -- "$PROBE" env
t_eq "--chdir: the working directory" "ok /t" void --tmpfs /t --chdir /t -- "$PROBE" chdir-pwd
t_eq "default working directory is /" "ok /" void -- "$PROBE" chdir-pwd

# Limits and capabilities.
t_eq "--rlimit nofile=10: 20 open files fail with EMFILE" "EMFILE" void --rlimit nofile=10 -- "$PROBE" open-many 20
t_eq "--rlimit nofile=10: 5 are fine" "ok 5" void --rlimit nofile=10 -- "$PROBE" open-many 5
t_eq "--cap-add CAP_NET_ADMIN: in every set" "ok 1000 1000 1000 BND=1000 AMB=1000" \
        void --cap-add CAP_NET_ADMIN -- "$PROBE" caps

# --seccomp-print and --explain run nothing.
if [ -f "${STAGE:-/nonexistent}/specs/seccomp/default.policy" ]; then
        t_ok "--seccomp-print prints specs/seccomp/default.policy" \
                diff -u "$STAGE/specs/seccomp/default.policy" <("$VS" run --seccomp-print)
else
        t_skip "--seccomp-print prints specs/seccomp/default.policy" "no specs/ copy"
fi
t_match "--seccomp-print: the default policy" "^keyctl errno EPERM$" "$VS" run --seccomp-print
explain=$("$VS" run --explain --bind "$host" /h --tmpfs /t --dir /d --symlink /h/file /s --proc --dev \
        --net loopback --exec-host -- "$PROBE" write /h/explained 2>&1); rc=$?
[ $rc -eq 0 ] && [ ! -e "$host/explained" ]
t_check "--explain runs nothing" $? "exit $rc; $(ls "$host")"
missing=""
for want in "/h <- host $host" "/t: empty tmpfs" "/d: empty directory" "/s -> /h/file" "/proc: fresh procfs" \
        "/dev/null <- host /dev/null" "(lo up)" "program: $PROBE" "write /h/explained"; do
        grep -qF -- "$want" <<<"$explain" || missing+="[$want] "
done
[ -z "$missing" ]
t_check "--explain lists every mount, lo and the program" $? "missing: $missing"
# Capabilities by name; in the sanitizer build (make SANITIZE=address check), a name not freed is
# a leak, and LeakSanitizer's exit fails this check.
explain=$("$VS" run --explain --cap-add CAP_NET_RAW --cap-add CAP_SYS_ADMIN --exec-host -- "$PROBE" true 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -qF "capabilities: cap_net_raw cap_sys_admin (KEPT" <<<"$explain"
t_check "--explain --cap-add: the names, exit 0 (leak-free under ASan)" $? "exit $rc: $explain"

t_done
