#!/bin/bash
# The default void: each claim is proved by trying the forbidden thing from inside.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# Host files absent: the root is an empty tmpfs.
t_eq "root is empty" "ok" void -- "$PROBE" ls /
t_eq "host /etc/passwd is absent" "ENOENT" void -- "$PROBE" open /etc/passwd
t_eq "host /proc is absent without --proc" "ENOENT" void -- "$PROBE" ls /proc

# The root is read-only and cannot be made writable.
t_eq "root is read-only" "EROFS" void -- "$PROBE" write /newfile
t_eq "cannot remount / read-write" "EPERM" void -- "$PROBE" remount-rw /
t_eq "cannot remount / read-write, even without seccomp" "EPERM" void --seccomp off -- "$PROBE" remount-rw /

# Process ids: the void's own pid namespace.
t_eq "program is pid 1 with no parent" "ok 1 0" void -- "$PROBE" pid
t_eq "fresh /proc shows only the void" "ok 1 acpi" bash -c "\"\$VS\" run --exec-host --proc -- \"\$PROBE\" ls /proc | cut -d' ' -f1-3"
t_eq "host pid of this shell is unreachable" "ESRCH" void -- "$PROBE" signal $$ 0
t_eq "cannot ptrace a host process" "EPERM" void -- "$PROBE" ptrace $$
t_eq "cannot ptrace a host process, even without seccomp" "ESRCH" void --seccomp off -- "$PROBE" ptrace $$
# With CAP_SYS_ADMIN kept and no filter, unmount the fresh /proc: nothing of the host is below it.
# (Landlock, on by default in a void that reaches /proc, would refuse the umount itself: it is off here so
# that what is tested is the mount order alone.)
t_eq "unmounting /proc inside reveals nothing" "ok" \
        void --proc --cap-add CAP_SYS_ADMIN --seccomp off --no-landlock -- "$PROBE" umount-ls /proc
t_eq "... and by default Landlock refuses the umount itself" "EPERM" \
        void --proc --cap-add CAP_SYS_ADMIN --seccomp off -- "$PROBE" umount-ls /proc
export HOSTMARKER=secret-$$
t_nomatch "host environment does not leak" "HOSTMARKER" void -- "$PROBE" env
t_nomatch "/proc/1/environ is the void's own" "HOSTMARKER" void --proc -- "$PROBE" read /proc/1/environ

# Identity and capabilities.
t_eq "uid and gid 0 inside" "ok 0 0 0 0" void -- "$PROBE" uid
t_eq "no capabilities in any set" "ok 0 0 0 BND=0 AMB=0" void -- "$PROBE" caps
t_eq "no_new_privs is set" "ok 1" void -- "$PROBE" nnp
t_eq "cannot create device nodes" "EPERM" void --dev --seccomp off -- "$PROBE" mknod /dev/shm/null2

# Network: nothing, not even lo.
t_eq "only lo, and it is down" "ok lo:down" void -- "$PROBE" ifaces
t_eq "--net loopback brings lo up" "ok lo:up" void --net loopback -- "$PROBE" ifaces
t_eq "cannot connect to the host's loopback" "ENETUNREACH" void -- "$PROBE" connect 127.0.0.1 9

# UTS and time.
t_eq "hostname is the void's own" "ok void" void -- "$PROBE" hostname
t_eq "--hostname sets it" "ok box" void --hostname box -- "$PROBE" hostname
host_boot=$("$PROBE" clock boottime | cut -d' ' -f2)
void_boot=$(void --time-offset boottime=86400 -- "$PROBE" clock boottime | cut -d' ' -f2)
[ -n "$void_boot" ] && [ "$void_boot" -ge $((host_boot + 86400)) ] && [ "$void_boot" -le $((host_boot + 86400 + 30)) ]
t_check "boot clock is the void's own (offset one day)" $? "host $host_boot, void $void_boot"
void_mono=$(void -- "$PROBE" clock monotonic | cut -d' ' -f2)
host_mono=$("$PROBE" clock monotonic | cut -d' ' -f2)
[ -n "$void_mono" ] && [ "$((host_mono - void_mono))" -le 5 ]
t_check "without an offset the clocks agree" $? "host $host_mono, void $void_mono"

# The rest of the void's own view: mount table, IPC objects, cgroup root; nobody else to signal.
points=$(void --proc -- "$PROBE" mountpoints)
others=$(tr ' ' '\n' <<<"${points#ok }" | grep -v -E '^(/|/proc|/proc/.+)$')
[ -z "$others" ] && [[ " $points " == *" / /proc "* ]]
t_check "the mount table holds only the void's root, /proc and its covers" $? "$points"
[[ " $points " == *" /proc/sys "* ]]
t_check "/proc/sys is covered read-only (uid 0 may be the host's root)" $? "$points"
t_match "writing a host sysctl fails" "^(EROFS|EACCES)$" void --proc -- "$PROBE" open-w /proc/sys/kernel/core_pattern
t_nomatch "/proc/keys does not list the caller's keys" "^ok .+" void --proc -- "$PROBE" read /proc/keys
t_eq "kill(-1) reaches no process" "ESRCH" void -- "$PROBE" signal -1 9
t_eq "the cgroup view starts at the void's own root" "ok" \
        bash -c '"$VS" run --exec-host --proc -- "$PROBE" read /proc/self/cgroup | grep -Eq "^ok( [0-9]+:[^ ]*:/)+$" && echo ok'
if command -v ipcmk >/dev/null && shm=$(ipcmk -M 4096 2>/dev/null | awk '{print $NF}') && [ -n "$shm" ]; then
        t_at_exit "ipcrm -m $shm"
        header=$(($(head -1 /proc/sysvipc/shm | wc -w) + 1))
        t_eq "host SysV shared memory is invisible" "$header" \
                bash -c '"$VS" run --exec-host --proc -- "$PROBE" read /proc/sysvipc/shm | wc -w'
else
        t_skip "host SysV shared memory is invisible" "no ipcmk"
fi

# Signal state survives execve(): what the caller ignores or blocks must not reach the program.
t_match "signals the caller ignores are at their default inside" "^SigBlk: 0+ SigIgn: 0+$" \
        bash -c 'trap "" PIPE INT TERM; "$VS" run --exec-host --proc -- "$PROBE" read /proc/self/status |
                tr " \t" "\n\n" | grep -A1 -E "^Sig(Blk|Ign):" | grep -v -- -- | paste -sd" "'

t_done
