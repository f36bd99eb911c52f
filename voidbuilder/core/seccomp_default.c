/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default seccomp policy: its text, and the same policy compiled to BPF at
 * build time (tools/gen-default-bpf.c), so a spawn installs it without running
 * libseccomp's compiler.  tests/unit/test_seccomp_default.c checks that the two agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/seccomp.h"
#ifndef VB_NO_DEFAULT_BPF /* set while building the generator itself */
#include "default-bpf.inc"
#endif

/*
 * The built-in policy.  specs/seccomp/default.policy holds the same bytes
 * (tests/unit/test_seccomp.c checks it), so it can be read and copied.
 */
/* One line of the policy per line of source: */
/* clang-format off */
static const char default_policy[] =
        "# voidshim default seccomp policy (format: doc/seccomp-policy.md).\n"
        "#\n"
        "# A deny list on top of the rest of the void: fresh namespaces, no\n"
        "# capabilities, no_new_privs.  It refuses the system calls that reach state\n"
        "# shared with the host or that are the usual ways out of a container, and\n"
        "# everything else is allowed.  Denied calls fail with EPERM, which programs\n"
        "# treat as \"not permitted here\", rather than killing the process.\n"
        "# Any other architecture (i386 `int $0x80`, x32) kills the process: that\n"
        "# is built into the compiled filter, not written here.\n"
        "\n"
        "default allow\n"
        "\n"
        "# Kernel keyrings are not namespaced: keys would be shared with the host.\n"
        "keyctl errno EPERM\n"
        "add_key errno EPERM\n"
        "request_key errno EPERM\n"
        "\n"
        "# Replacing the running kernel, or loading code into it.\n"
        "kexec_load errno EPERM\n"
        "kexec_file_load errno EPERM\n"
        "init_module errno EPERM\n"
        "finit_module errno EPERM\n"
        "delete_module errno EPERM\n"
        "\n"
        "# Large kernel attack surfaces that ordinary programs do not need: eBPF,\n"
        "# perf events, userfaultfd (lets an exploit stall the kernel inside a copy\n"
        "# from user memory), io_uring (its operations do not pass through seccomp)\n"
        "# and oprofile's lookup_dcookie.\n"
        "bpf errno EPERM\n"
        "perf_event_open errno EPERM\n"
        "userfaultfd errno EPERM\n"
        "io_uring_setup errno EPERM\n"
        "io_uring_enter errno EPERM\n"
        "io_uring_register errno EPERM\n"
        "lookup_dcookie errno EPERM\n"
        "\n"
        "# Reading or writing other processes, or comparing their kernel objects.\n"
        "ptrace errno EPERM\n"
        "process_vm_readv errno EPERM\n"
        "process_vm_writev errno EPERM\n"
        "kcmp errno EPERM\n"
        "\n"
        "# File handles name inodes directly, bypassing the mount tree: the\n"
        "# \"shocker\" escape opened host files through open_by_handle_at.\n"
        "open_by_handle_at errno EPERM\n"
        "name_to_handle_at errno EPERM\n"
        "\n"
        "# The void's mount tree and root are built before the filter and stay fixed.\n"
        "mount errno EPERM\n"
        "umount2 errno EPERM\n"
        "optional umount errno EPERM\n"
        "pivot_root errno EPERM\n"
        "chroot errno EPERM\n"
        "fsopen errno EPERM\n"
        "fsconfig errno EPERM\n"
        "fsmount errno EPERM\n"
        "fspick errno EPERM\n"
        "move_mount errno EPERM\n"
        "open_tree errno EPERM\n"
        "mount_setattr errno EPERM\n"
        "\n"
        "# New namespaces (each a fresh set of kernel code paths reachable as \"root\")\n"
        "# and joining other ones.  clone is refused only with a CLONE_NEW* flag, so\n"
        "# fork and threads keep working.  CLONE_NEWTIME shares its bit with the\n"
        "# exit signal in clone(2) and cannot work there, but is listed for clarity.\n"
        "unshare errno EPERM\n"
        "setns errno EPERM\n"
        "clone errno EPERM when arg0 & CLONE_NEWNS == CLONE_NEWNS\n"
        "clone errno EPERM when arg0 & CLONE_NEWCGROUP == CLONE_NEWCGROUP\n"
        "clone errno EPERM when arg0 & CLONE_NEWUTS == CLONE_NEWUTS\n"
        "clone errno EPERM when arg0 & CLONE_NEWIPC == CLONE_NEWIPC\n"
        "clone errno EPERM when arg0 & CLONE_NEWUSER == CLONE_NEWUSER\n"
        "clone errno EPERM when arg0 & CLONE_NEWPID == CLONE_NEWPID\n"
        "clone errno EPERM when arg0 & CLONE_NEWNET == CLONE_NEWNET\n"
        "clone errno EPERM when arg0 & CLONE_NEWTIME == CLONE_NEWTIME\n"
        "# clone3 passes its flags in memory, where seccomp cannot look.  ENOSYS\n"
        "# makes glibc fall back to clone, whose flags the rules above check.\n"
        "clone3 errno ENOSYS\n"
        "\n"
        "# Host-wide state: swap, process accounting, disk quotas, the kernel log.\n"
        "swapon errno EPERM\n"
        "swapoff errno EPERM\n"
        "acct errno EPERM\n"
        "quotactl errno EPERM\n"
        "quotactl_fd errno EPERM\n"
        "syslog errno EPERM\n"
        "\n"
        "# Setting the clocks (CLOCK_REALTIME is not namespaced).  adjtimex stays\n"
        "# allowed because programs read the clock state with it, and so does\n"
        "# clock_adjtime on CLOCK_REALTIME (0): glibc's adjtimex() and ntp_gettime()\n"
        "# are that call.  Changing the clock through either needs CAP_SYS_TIME,\n"
        "# which the void does not have.  clock_adjtime on any other clock (PTP\n"
        "# devices, through negative ids) is refused.\n"
        "settimeofday errno EPERM\n"
        "clock_settime errno EPERM\n"
        "clock_adjtime errno EPERM when arg0 != 0\n"
        "\n"
        "# Direct hardware and legacy CPU modes.  vm86 exists only on i386.\n"
        "iopl errno EPERM\n"
        "ioperm errno EPERM\n"
        "optional vm86 errno EPERM\n"
        "optional vm86old errno EPERM\n"
        "\n"
        "# Loading a.out libraries: obsolete code.\n"
        "uselib errno EPERM\n"
        "\n"
        "# Faking input on a terminal that the void shares with its caller: TIOCSTI\n"
        "# pushes characters into the terminal's input queue (commands typed into\n"
        "# the caller's shell), TIOCLINUX can paste a selection.  The kernel reads\n"
        "# the request as 32 bits, so the upper bits are masked off: 0x100005412 is\n"
        "# TIOCSTI too.\n"
        "ioctl errno EPERM when arg1 & 0xffffffff == TIOCSTI\n"
        "ioctl errno EPERM when arg1 & 0xffffffff == TIOCLINUX\n"
        "\n"
        "# personality(2): only PER_LINUX (0), PER_LINUX32 (8, for `setarch i686`)\n"
        "# and the query 0xffffffff.  Other values switch on exploit helpers\n"
        "# (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, MMAP_PAGE_ZERO) or foreign ABIs.\n"
        "# Rules can only name what is denied, with one comparison per argument, so\n"
        "# the three values are carved out with masks on the low 32 bits (the kernel\n"
        "# reads an unsigned int).  Every other 32-bit value has a set bit i followed\n"
        "# by a clear bit i+1 (cyclically: bit 31 is followed by bit 0), and there is\n"
        "# one rule per i.  The rule for i = 3 also wants bit 2 set, which lets 8\n"
        "# (bit 3 alone) through: any other value with bits 3 set, 4 clear and 2\n"
        "# clear has a second run of set bits, which ends at another i.\n"
        "personality errno EPERM when arg0 & 0x00000003 == 0x00000001\n"
        "personality errno EPERM when arg0 & 0x00000006 == 0x00000002\n"
        "personality errno EPERM when arg0 & 0x0000000c == 0x00000004\n"
        "personality errno EPERM when arg0 & 0x0000001c == 0x0000000c\n"
        "personality errno EPERM when arg0 & 0x00000030 == 0x00000010\n"
        "personality errno EPERM when arg0 & 0x00000060 == 0x00000020\n"
        "personality errno EPERM when arg0 & 0x000000c0 == 0x00000040\n"
        "personality errno EPERM when arg0 & 0x00000180 == 0x00000080\n"
        "personality errno EPERM when arg0 & 0x00000300 == 0x00000100\n"
        "personality errno EPERM when arg0 & 0x00000600 == 0x00000200\n"
        "personality errno EPERM when arg0 & 0x00000c00 == 0x00000400\n"
        "personality errno EPERM when arg0 & 0x00001800 == 0x00000800\n"
        "personality errno EPERM when arg0 & 0x00003000 == 0x00001000\n"
        "personality errno EPERM when arg0 & 0x00006000 == 0x00002000\n"
        "personality errno EPERM when arg0 & 0x0000c000 == 0x00004000\n"
        "personality errno EPERM when arg0 & 0x00018000 == 0x00008000\n"
        "personality errno EPERM when arg0 & 0x00030000 == 0x00010000\n"
        "personality errno EPERM when arg0 & 0x00060000 == 0x00020000\n"
        "personality errno EPERM when arg0 & 0x000c0000 == 0x00040000\n"
        "personality errno EPERM when arg0 & 0x00180000 == 0x00080000\n"
        "personality errno EPERM when arg0 & 0x00300000 == 0x00100000\n"
        "personality errno EPERM when arg0 & 0x00600000 == 0x00200000\n"
        "personality errno EPERM when arg0 & 0x00c00000 == 0x00400000\n"
        "personality errno EPERM when arg0 & 0x01800000 == 0x00800000\n"
        "personality errno EPERM when arg0 & 0x03000000 == 0x01000000\n"
        "personality errno EPERM when arg0 & 0x06000000 == 0x02000000\n"
        "personality errno EPERM when arg0 & 0x0c000000 == 0x04000000\n"
        "personality errno EPERM when arg0 & 0x18000000 == 0x08000000\n"
        "personality errno EPERM when arg0 & 0x30000000 == 0x10000000\n"
        "personality errno EPERM when arg0 & 0x60000000 == 0x20000000\n"
        "personality errno EPERM when arg0 & 0xc0000000 == 0x40000000\n"
        "personality errno EPERM when arg0 & 0x80000001 == 0x80000000\n";
/* clang-format on */

/* Returns the built-in policy text (static storage, never NULL). */
VB_API const char *vb_seccomp_default_policy(void)
{
        return default_policy;
}

#ifndef VB_NO_DEFAULT_BPF
int vb_seccomp_default_fprog(struct sock_fprog *out)
{
        struct sock_filter *copy = malloc(sizeof(vb_default_bpf));

        if (!copy)
                return -ENOMEM;
        memcpy(copy, vb_default_bpf, sizeof(vb_default_bpf));
        out->len = (unsigned short)(sizeof(vb_default_bpf) / sizeof(vb_default_bpf[0]));
        out->filter = copy;
        return 0;
}
#endif
