/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Landlock through raw syscalls, after the kernel's samples/landlock/sandboxer.c:
 * handle every right the running ABI knows, grant per rule, restrict_self.
 * This runs in the child between clone3() and execve(), so it allocates
 * nothing: the attributes live on the stack and every fd is closed on the
 * way out by its cleanup attribute.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/landlock.h"
#include "voidbuilder.h"

/* Debian 12's linux-libc-dev (6.1) knows ABI 2; the rest arrived later. */
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1) /* ABI 6 */
#endif

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

/*
 * struct landlock_ruleset_attr as of ABI 6.  The 6.1 header has only the
 * first field, so we carry our own and pass the size the ABI understands
 * (the kernel rejects a larger struct unless the tail is zero, and an older
 * kernel may not know the tail at all).
 */
struct ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net; /* ABI 4 */
        uint64_t scoped;             /* ABI 6 */
};

#define FS_MAKE_ALL                                                                                    \
        (LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |    \
         LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
         LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The rights the kernel accepts in a rule on a non-directory. */
#define FS_FILE_RIGHTS                                                                               \
        (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
         LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define VB_LANDLOCK_ALL (VB_LANDLOCK_READ | VB_LANDLOCK_WRITE | VB_LANDLOCK_EXEC)

/* Every filesystem right that ABI version abi knows. */
static uint64_t fs_rights_for_abi(int abi)
{
        /* ABI 1: EXECUTE (bit 0) up to MAKE_SYM (bit 12). */
        uint64_t rights = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

        if (abi >= 2)
                rights |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
        if (abi >= 5)
                rights |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
        return rights;
}

/*
 * The Landlock rights for VB_LANDLOCK_* bits, before masking.  IOCTL_DEV goes
 * with WRITE, as in the kernel sample's "roughly write" set: a void that may
 * write a device (a tty, say) may also set it up; without WRITE no device
 * ioctl beyond the few Landlock always allows is possible.
 */
static uint64_t fs_rights_for_access(unsigned access)
{
        uint64_t rights = 0;

        if (access & VB_LANDLOCK_READ)
                rights |= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
        if (access & VB_LANDLOCK_WRITE)
                rights |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                          LANDLOCK_ACCESS_FS_REMOVE_FILE | FS_MAKE_ALL | LANDLOCK_ACCESS_FS_TRUNCATE |
                          LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_IOCTL_DEV;
        if (access & VB_LANDLOCK_EXEC)
                rights |= LANDLOCK_ACCESS_FS_EXECUTE;
        return rights;
}

int vb_landlock_abi(void)
{
        long r = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        if (r < 0)
                return NEG_ERRNO();
        return (int)r;
}

/* Add one path-beneath rule: open rule->path, mask by its type, add. */
/* One rule on an open file or directory. */
static int add_fd_rule(int ruleset_fd, int fd, unsigned access, uint64_t handled)
{
        struct landlock_path_beneath_attr pb = { 0 };
        struct stat st;

        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();

        pb.parent_fd = fd;
        pb.allowed_access = fs_rights_for_access(access) & handled;
        /* The kernel refuses directory rights on a file with -EINVAL. */
        if (!S_ISDIR(st.st_mode))
                pb.allowed_access &= FS_FILE_RIGHTS;
        /* Nothing left to grant (e.g. access 0): the path only had to exist. */
        if (pb.allowed_access == 0)
                return 0;

        if (syscall(__NR_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

static int add_path_rule(int ruleset_fd, const struct vb_landlock_rule *rule, uint64_t handled)
{
        _cleanup_close_ int fd = open(rule->path, O_PATH | O_CLOEXEC);

        if (fd < 0)
                return NEG_ERRNO();
        return add_fd_rule(ruleset_fd, fd, rule->access, handled);
}

/* Create a ruleset handling every fs right of abi, plus the scopes asked for. */
static int create_ruleset(int abi, bool scope_abstract)
{
        struct ruleset_attr attr = {
                .handled_access_fs = fs_rights_for_abi(abi),
        };
        size_t size = sizeof(attr.handled_access_fs);
        long r;

        /* Network rights (ABI 4) are left unhandled: a void's network is its
         * namespace, which holds only lo unless the caller passed sockets in. */
        if (abi >= 4)
                size = offsetof(struct ruleset_attr, scoped);
        if (abi >= 6) {
                size = sizeof(attr);
                /* Security: abstract unix sockets live in the net ns and signals
                 * reach the whole pid ns; scoping stops the void reaching peers
                 * outside its Landlock domain through either when namespaces
                 * are shared. */
                if (scope_abstract)
                        attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
        }

        r = syscall(__NR_landlock_create_ruleset, &attr, size, 0);
        if (r < 0)
                return NEG_ERRNO();
        return (int)r;
}

int vb_landlock_apply(const struct vb_landlock_rule *rules, size_t n, bool scope_abstract, int exec_fd,
                      const char **failed_path)
{
        _cleanup_close_ int ruleset_fd = -1;
        const char *culprit = NULL;
        uint64_t handled;
        int abi, r;

        abi = vb_landlock_abi();
        if (abi < 0)
                return abi;
        handled = fs_rights_for_abi(abi);

        /* Validate every rule before touching the kernel. */
        for (size_t i = 0; i < n; i++) {
                if (!rules[i].path || (rules[i].access & ~(unsigned)VB_LANDLOCK_ALL)) {
                        culprit = rules[i].path;
                        r = -EINVAL;
                        goto out;
                }
        }

        r = create_ruleset(abi, scope_abstract);
        if (r < 0)
                goto out;
        ruleset_fd = r;

        for (size_t i = 0; i < n; i++) {
                r = add_path_rule(ruleset_fd, &rules[i], handled);
                if (r < 0) {
                        culprit = rules[i].path;
                        goto out;
                }
        }

        /* A program handed in by fd lies under no granted path: it may still be executed (and read). */
        if (exec_fd >= 0) {
                r = add_fd_rule(ruleset_fd, exec_fd, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC, handled);
                if (r < 0)
                        goto out;
        }

        /* Applies to this thread only; the void's child is single-threaded. */
        if (syscall(__NR_landlock_restrict_self, ruleset_fd, 0) < 0) {
                r = NEG_ERRNO();
                goto out;
        }
        return 0;

out:
        if (failed_path)
                *failed_path = culprit;
        return r;
}
