/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock filesystem rules for a void (raw syscalls; no libc wrapper needed). */
#ifndef VB_LANDLOCK_H
#define VB_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

/* One allowed hierarchy: path (a path in the void) and VB_LANDLOCK_READ|WRITE|EXEC. */
struct vb_landlock_rule {
        const char *path;
        unsigned access;
};

/*
 * The Landlock ABI version of the running kernel: >= 1, or -EOPNOTSUPP when
 * Landlock is built in but not enabled at boot, -ENOSYS when the kernel has
 * no Landlock at all.
 */
int vb_landlock_abi(void);

/*
 * Restrict the calling thread (and its future children) to the n rules:
 * every filesystem access right the running ABI knows is handled, and only
 * the rights mapped from each rule's access are granted beneath its path:
 *   READ  -> READ_FILE | READ_DIR
 *   WRITE -> WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_* | TRUNCATE (ABI 3)
 *            | REFER (ABI 2) | IOCTL_DEV (ABI 5)
 *   EXEC  -> EXECUTE
 * Rights the ABI lacks are masked (best effort).  A rule on a non-directory
 * keeps only the file rights.  Paths are opened O_PATH in the current root
 * and so follow symlinks: a rule lands on the resolved inode.  If
 * scope_abstract is true and the ABI is >= 6, connecting to abstract unix
 * sockets and signalling processes outside the new domain are refused too.
 *
 * Meant for the child after pivot_root: it does no malloc.  The kernel
 * requires no_new_privs (or CAP_SYS_ADMIN), which the caller sets first.
 *
 * Returns 0, or -errno: the error of vb_landlock_abi(), -EINVAL for a NULL
 * path or unknown access bits, -ENOENT (or another open error) for a path
 * that cannot be opened, -EPERM from restrict_self without no_new_privs.
 * On failure *failed_path (when failed_path is non-NULL) is set to the rule
 * path that failed, or to NULL when no single rule was at fault; it points
 * into rules, not a copy.
 */
int vb_landlock_apply(const struct vb_landlock_rule *rules, size_t n, bool scope_abstract, int exec_fd,
                      const char **failed_path) __attribute__((warn_unused_result));

#endif
