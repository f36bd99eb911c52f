#!/bin/bash
# The seccomp filter: each denied call is tried from inside, with the filter and without it.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

t_eq "the default filter is installed" "ok 2" void -- "$PROBE" seccomp
t_eq "--seccomp off: no filter" "ok 0" void --seccomp off -- "$PROBE" seccomp

# Default filter: refused with EPERM (clone3 with ENOSYS, so glibc falls back to clone).
t_eq "keyctl is refused" "EPERM" void -- "$PROBE" keyctl
t_eq "bpf is refused" "EPERM" void -- "$PROBE" bpf
t_eq "bpf is refused before the kernel sees the command" "EPERM" void -- "$PROBE" bpf 1000
t_eq "unshare(CLONE_NEWUSER) is refused" "EPERM" void -- "$PROBE" unshare user
t_eq "unshare(CLONE_NEWNET) is refused" "EPERM" void -- "$PROBE" unshare net
t_eq "clone(CLONE_NEWUSER) is refused" "EPERM" void -- "$PROBE" clone user
t_eq "clone3 gives ENOSYS" "ENOSYS" void -- "$PROBE" clone3
t_eq "setns is refused" "EPERM" void --proc -- "$PROBE" setns /proc/self/ns/user
t_eq "mount is refused" "EPERM" void --tmpfs /t -- "$PROBE" mount-tmpfs /t
t_eq "mount is refused even with CAP_SYS_ADMIN kept" "EPERM" \
        void --tmpfs /t --cap-add CAP_SYS_ADMIN -- "$PROBE" mount-tmpfs /t
t_eq "umount is refused even with CAP_SYS_ADMIN kept" "EPERM" \
        void --proc --cap-add CAP_SYS_ADMIN -- "$PROBE" umount /proc
t_eq "ioctl(TIOCSTI) is refused" "EPERM" void -- "$PROBE" ioctl-tiocsti </dev/null
t_eq "ptrace is refused" "EPERM" void -- "$PROBE" ptrace $$
t_eq "fork still works (plain clone)" "ok" void -- "$PROBE" fork-sleep 0

# personality(2): only PER_LINUX, PER_LINUX32 and the query; every other value is refused.
t_eq "personality(PER_LINUX) works" "ok 0" void -- "$PROBE" personality 0
t_eq "personality(PER_LINUX32) works" "ok 0" void -- "$PROBE" personality 8
t_eq "personality query (0xffffffff) works" "ok 0" void -- "$PROBE" personality 0xffffffff
t_eq "personality(ADDR_NO_RANDOMIZE) is refused" "EPERM" void -- "$PROBE" personality 0x0040000
t_eq "personality(PER_LINUX32|READ_IMPLIES_EXEC) is refused" "EPERM" void -- "$PROBE" personality 0x0400008
t_eq "off: personality(ADDR_NO_RANDOMIZE) reaches the kernel" "ok 0" \
        void --seccomp off -- "$PROBE" personality 0x0040000
got=""
for bit in $(seq 0 31); do
        [ $bit = 3 ] && continue
        r=$(void -- "$PROBE" personality $((1 << bit)))
        [ "$r" = EPERM ] || got+="bit $bit: $r; "
done
[ -z "$got" ]
t_check "personality: every other single bit is refused" $? "$got"

# An allow list: a call the policy does not name fails with ENOSYS (libc falls back), one it names
# and refuses with EPERM.  cachestat (451, Linux 6.5) is newer than the policy's names.
t_eq "a call the policy does not name: ENOSYS (cachestat)" "ENOSYS" void -- "$PROBE" syscall 451 -1 0 0 0
t_eq "off: cachestat reaches the kernel (EBADF)" "EBADF" void --seccomp off -- "$PROBE" syscall 451 -1 0 0 0
t_eq "a call it names and refuses: EPERM (kexec_file_load)" "EPERM" void -- "$PROBE" syscall 320 -1 -1 0 0 0
t_eq "io_uring_setup is refused" "EPERM" void -- "$PROBE" io-uring
t_eq "off: io_uring_setup reaches the kernel" "ok" void --seccomp off -- "$PROBE" io-uring
t_match "ordinary calls work: getpid by number (ok PID)" "^ok [0-9]+$" void -- "$PROBE" syscall 39

# Socket families (doc/seccomp-policy.md): unix, inet, inet6, netlink route; every other family is
# refused, AF_VSOCK first (not network-namespaced: it reaches the host); packet sockets only with a
# network granted.  Each refusal is shown to be the filter's: with --seccomp off the kernel says otherwise.
t_eq "AF_VSOCK is refused" "EPERM" void -- "$PROBE" socket vsock
if [ "$(void --seccomp off -- "$PROBE" socket vsock)" = ok ]; then
        t_eq "off: AF_VSOCK reaches the host's vsock" "ok" void --seccomp off -- "$PROBE" socket vsock
else
        t_skip "off: AF_VSOCK reaches the host's vsock" "this kernel has no vsock transport"
fi
t_eq "AF_PACKET without a network is refused, even with CAP_NET_RAW" "EPERM" \
        void --cap-add CAP_NET_RAW -- "$PROBE" socket packet
t_eq "off: AF_PACKET with CAP_NET_RAW over the void's own netns works" "ok" \
        void --seccomp off --cap-add CAP_NET_RAW -- "$PROBE" socket packet
t_eq "AF_PACKET with net denied: EACCES" "EACCES" void --cap-add CAP_NET_RAW --server net=denied -- "$PROBE" socket packet
if is_root; then
        t_eq "AF_PACKET with a network granted (net shared, root's own CAP_NET_RAW) works" "ok" \
                void --share user --net shared --cap-add CAP_NET_RAW -- "$PROBE" socket packet
else
        t_match "AF_PACKET with a network granted: its rule applies (--explain -v)" \
                "socket -> allow when arg0 == 0x11 \(if network\)" "$VS" run --explain -v --net shared -- /bin/true
fi
t_match "--explain says whether the \`if network\` rules apply" "with a network" \
        "$VS" run --explain --net shared -- /bin/true
t_match "--explain without a network says they do not" "without a network" "$VS" run --explain -- /bin/true
t_eq "AF_NETLINK other than route is refused as a kernel without it (audit)" "EPROTONOSUPPORT" \
        void -- "$PROBE" socket netlink-audit
t_eq "off: NETLINK_AUDIT reaches the kernel" "ok" void --seccomp off -- "$PROBE" socket netlink-audit
t_eq "AF_NETLINK other than route is refused (uevents)" "EPROTONOSUPPORT" void -- "$PROBE" socket netlink-uevent
t_eq "netlink route works (the void's own stack)" "ok" void -- "$PROBE" socket netlink
for fam in alg key can bluetooth 45 46; do
        t_eq "socket family $fam is refused" "EPERM" void -- "$PROBE" socket $fam
        t_nomatch "off: socket family $fam gets the kernel's own answer" "^EPERM$" \
                void --seccomp off -- "$PROBE" socket $fam
done
t_eq "socket family xdp is refused" "EPERM" void -- "$PROBE" socket xdp
t_eq "socketpair(AF_INET) is refused" "EPERM" void -- "$PROBE" socketpair inet
t_eq "off: socketpair(AF_INET) reaches the kernel" "EOPNOTSUPP" void --seccomp off -- "$PROBE" socketpair inet
t_eq "socketpair(AF_UNIX) works" "ok" void -- "$PROBE" socketpair unix

# Other system call ABIs are killed outright (SIGSYS: 128+31), with any policy: the rules name
# x86-64 numbers, and i386's or x32's numbers would otherwise slip past them.
if [ "$(uname -m)" = x86_64 ]; then
        t_status "i386 int \$0x80 (keyctl): killed" 159 void -- "$PROBE" int80 288
        t_status "i386 int \$0x80 (getpid, allowed in x86-64): killed" 159 void -- "$PROBE" int80 20
        t_status "x32 (keyctl): killed" 159 void -- "$PROBE" x32 250
        printf 'default allow\n' >"$T_TMP/allow.policy"
        t_status "i386 int \$0x80 is killed by a policy file too" 159 \
                void --seccomp "$T_TMP/allow.policy" -- "$PROBE" int80 288
        if "$PROBE" int80 20 >/dev/null 2>&1; then
                t_match "off: i386 int \$0x80 reaches the kernel" "^ok " void --seccomp off -- "$PROBE" int80 20
        else
                t_skip "off: i386 int \$0x80 reaches the kernel" "no IA-32 emulation"
        fi
else
        t_skip "other system call ABIs are killed" "not x86-64"
fi

# --seccomp off: the same calls reach the kernel, which refuses some for its own reasons
# (the void's lack of capabilities and namespaces) and allows others.
t_eq "off: keyctl reaches the kernel (the caller's session keyring)" "ok" void --seccomp off -- "$PROBE" keyctl
t_eq "off: bpf reaches the kernel (EINVAL for an unknown command)" "EINVAL" \
        void --seccomp off -- "$PROBE" bpf 1000
t_eq "off: unshare(CLONE_NEWUSER) succeeds (a nested user namespace)" "ok" \
        void --seccomp off -- "$PROBE" unshare user
t_eq "off: unshare(CLONE_NEWNET) fails: no CAP_SYS_ADMIN" "EPERM" void --seccomp off -- "$PROBE" unshare net
t_eq "off: clone(CLONE_NEWUSER) succeeds" "ok" void --seccomp off -- "$PROBE" clone user
t_eq "off: clone3 works" "ok" void --seccomp off -- "$PROBE" clone3
t_eq "off: setns reaches the kernel (EINVAL: already in that user ns)" "EINVAL" \
        void --seccomp off --proc -- "$PROBE" setns /proc/self/ns/user
t_eq "off: mount fails: no CAP_SYS_ADMIN" "EPERM" void --seccomp off --tmpfs /t -- "$PROBE" mount-tmpfs /t
# (--no-landlock: a void that keeps CAP_SYS_ADMIN gets Landlock by default, which refuses every mount.)
t_eq "off: mount with CAP_SYS_ADMIN kept succeeds (inside the void's own mount ns)" "ok" \
        void --seccomp off --no-landlock --tmpfs /t --cap-add CAP_SYS_ADMIN -- "$PROBE" mount-tmpfs /t
t_eq "off: ioctl(TIOCSTI) reaches the kernel (ENOTTY on /dev/null)" "ENOTTY" \
        void --seccomp off -- "$PROBE" ioctl-tiocsti </dev/null
t_eq "off: ptrace of a host pid: ESRCH (not in the void's pid ns)" "ESRCH" void --seccomp off -- "$PROBE" ptrace $$

# A policy file: its own rules replace the default policy.
printf 'default allow\ngetpid errno EACCES\n' >"$T_TMP/getpid.policy"
t_match "without a policy, getpid works" "^ok [0-9]+$" void -- "$PROBE" getpid
t_eq "a policy file: getpid errno EACCES" "EACCES" void --seccomp "$T_TMP/getpid.policy" -- "$PROBE" getpid
t_eq "a policy file replaces the default (keyctl allowed)" "ok" \
        void --seccomp "$T_TMP/getpid.policy" -- "$PROBE" keyctl
printf '# comment\n\ndefault allow   # trailing comment\nkeyctl errno ENOENT\n' >"$T_TMP/keyctl.policy"
t_eq "a policy file: comments and blank lines" "ENOENT" void --seccomp "$T_TMP/keyctl.policy" -- "$PROBE" keyctl
printf 'default allow\nclone errno EPERM when arg0 & CLONE_NEWUSER == CLONE_NEWUSER\n' >"$T_TMP/clone.policy"
t_eq "a policy file: conditions on arguments" "EPERM" void --seccomp "$T_TMP/clone.policy" -- "$PROBE" clone user
t_eq "a policy file: the condition lets other clones through" "ok" \
        void --seccomp "$T_TMP/clone.policy" -- "$PROBE" fork-sleep 0

# A policy file in the allow style: only what the static probe needs, the rest EACCES.  The void
# runs the probe by fd (execveat), then closes fds (close_range) and places its own (dup3, fcntl).
cat >"$T_TMP/allowlist.policy" <<'EOF2'
default errno EACCES
group probe  what the static probe calls for "probe getpid"
execveat allow
close_range allow
dup3 allow
fcntl allow
close allow
arch_prctl allow
set_tid_address allow
set_robust_list allow
rseq allow
prlimit64 allow
getrandom allow
brk allow
mmap allow
mprotect allow
munmap allow
newfstatat allow
readlink allow
write allow
exit_group allow
getpid allow
EOF2
t_match "an allow-list policy file: what it allows works" "^ok [0-9]+$" \
        void --seccomp "$T_TMP/allowlist.policy" -- "$PROBE" getpid
t_eq "an allow-list policy file: socket gets its default" "EACCES" \
        void --seccomp "$T_TMP/allowlist.policy" -- "$PROBE" socket unix
t_match "an allow-list policy file: --explain summarises its group" "probe: what the static probe calls" \
        "$VS" run --explain --seccomp "$T_TMP/allowlist.policy" -- /bin/true
# The default policy as the base of one's own, with an override.
{ cat "$STAGE/specs/seccomp/default.policy" 2>/dev/null || "$VS" run --seccomp-print; echo "override getpid errno EACCES"; } \
        >"$T_TMP/mine.policy"
t_eq "the default policy plus an override: the override holds" "EACCES" \
        void --seccomp "$T_TMP/mine.policy" -- "$PROBE" getpid
t_eq "the default policy plus an override: the rest is the default's" "EPERM" \
        void --seccomp "$T_TMP/mine.policy" -- "$PROBE" socket vsock
t_match "the default policy plus an override: ordinary calls still work" "^ok" \
        void --seccomp "$T_TMP/mine.policy" -- "$PROBE" socket unix

# A malformed policy: exit 100, and every bad line named FILE:LINE.
printf 'default allow\n# fine\nnot_a_syscall errno EPERM\ngetpid frobnicate\n' >"$T_TMP/bad.policy"
t_status "a malformed policy: exit 100" 100 void --seccomp "$T_TMP/bad.policy" -- "$PROBE" true
t_match "a malformed policy: names FILE:3" "$T_TMP/bad.policy:3: unknown syscall 'not_a_syscall'" \
        void --seccomp "$T_TMP/bad.policy" -- "$PROBE" true
t_match "a malformed policy: names FILE:4 too" "$T_TMP/bad.policy:4: unknown action 'frobnicate'" \
        void --seccomp "$T_TMP/bad.policy" -- "$PROBE" true
t_status "a missing policy file: exit 100" 100 void --seccomp "$T_TMP/none.policy" -- "$PROBE" true
printf 'getpid errno EACCES\n' >"$T_TMP/nodefault.policy"
t_eq "a policy without 'default': its rules apply" "EACCES" \
        void --seccomp "$T_TMP/nodefault.policy" -- "$PROBE" getpid
t_eq "a policy without 'default': the rest is allowed" "ok" void --seccomp "$T_TMP/nodefault.policy" -- "$PROBE" keyctl
printf 'default allow\ndefault errno EPERM\n' >"$T_TMP/twodefaults.policy"
t_match "two 'default' lines: FILE:2 named" "twodefaults.policy:2: second 'default' line" \
        void --seccomp "$T_TMP/twodefaults.policy" -- "$PROBE" true

t_done
