/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock filesystem rules for a void (raw syscalls; no libc wrapper needed). */
#ifndef VB_LANDLOCK_H
#define VB_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* What an fd is, as far as Landlock and doc/fds.md are concerned. */
enum vb_fd_kind {
        VB_FD_FILE,   /* a regular file (a memfd too) */
        VB_FD_DIR,    /* a directory */
        VB_FD_FIFO,   /* a named FIFO */
        VB_FD_PIPE,   /* an anonymous pipe (pipefs) */
        VB_FD_SOCKET, /* a socket */
        VB_FD_TTY,    /* a terminal (any device that answers TCGETS) */
        VB_FD_DEVICE, /* another character or block device */
        VB_FD_OTHER,  /* an anonymous inode: eventfd, epoll, signalfd, timerfd, pidfd... */
        VB_FD_PATH,   /* an O_PATH fd: a path, not an object (refused) */
};

/* The rule an fd handed in to a void brings with it (vb_landlock_fd_rule()). */
struct vb_fd_rule {
        enum vb_fd_kind kind;
        unsigned open;   /* VB_LANDLOCK_READ | VB_LANDLOCK_WRITE: what the fd was opened for */
        bool append;     /* O_APPEND */
        uint64_t rights; /* LANDLOCK_ACCESS_FS_*: on the file, or beneath the directory; 0 for none */
};

/* "regular file", "directory", ... (static). */
const char *vb_fd_kind_name(enum vb_fd_kind kind);
/*
 * What fd is and the Landlock rule it brings into a void (doc/fds.md): a
 * directory READ_FILE | READ_DIR beneath it; a regular file, named FIFO or
 * device READ_FILE if it was opened readable, WRITE_FILE (and TRUNCATE for a
 * file) if writable and not O_APPEND; nothing for a pipe, socket, terminal,
 * anonymous inode or O_PATH fd.  Never EXECUTE, and never anything above the
 * object.  Allocates nothing (runs in the child).  0, or -errno of fcntl/fstat.
 */
int vb_landlock_fd_rule(int fd, struct vb_fd_rule *out);

/* What to restrict a void to. */
struct vb_landlock_req {
        const struct vb_landlock_rule *rules; /* paths in the void */
        size_t n_rules;
        const int *fds; /* fds handed in: each brings vb_landlock_fd_rule()'s rule */
        size_t n_fds;
        int exec_fd;   /* a program run by fd: READ and EXEC on it, or -1 */
        int mqueue_fd; /* the ipc namespace's mqueue file system (vb_mount_mqueue()): its queues usable, or -1 */
        bool scoped;   /* ABI >= 6: abstract unix sockets and signals stop at the domain */
};

/* Which rule failed: a path of req->rules (pointing into it), or an fd of req->fds; NULL / -1 otherwise. */
struct vb_landlock_fail {
        const char *path;
        int fd;
};

/*
 * Restrict the calling thread (and its future children) to req: every
 * filesystem access right the running ABI knows is handled, and only the
 * rights mapped from each rule's access are granted beneath its path:
 *   READ  -> READ_FILE | READ_DIR
 *   WRITE -> WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_* | TRUNCATE (ABI 3)
 *            | REFER (ABI 2) | IOCTL_DEV (ABI 5)
 *   EXEC  -> EXECUTE
 * Rights the ABI lacks are masked (best effort).  A rule on a non-directory
 * keeps only the file rights.  Paths are opened O_PATH in the current root
 * and so follow symlinks: a rule lands on the resolved inode.  Each fd of
 * req->fds gets the rule of its kind (vb_landlock_fd_rule()), made on the fd
 * itself: nothing above it is reachable through it.  With req->scoped and
 * ABI >= 6, connecting to abstract unix sockets and signalling processes
 * outside the new domain are refused too.
 *
 * Meant for the child after pivot_root: it does no malloc.  The kernel
 * requires no_new_privs (or CAP_SYS_ADMIN), which the caller sets first.
 *
 * Returns 0, or -errno: the error of vb_landlock_abi(), -EINVAL for a NULL
 * path or unknown access bits, -ENOENT (or another open error) for a path
 * that cannot be opened, -EBADFD for an O_PATH fd, -EPERM from restrict_self
 * without no_new_privs.  On failure *fail (when non-NULL) names the rule.
 */
int vb_landlock_apply(const struct vb_landlock_req *req, struct vb_landlock_fail *fail)
        __attribute__((warn_unused_result));
/*
 * vb_landlock_apply() in two steps, for a void that learns its fds late (a
 * warm void's request brings some): vb_landlock_prepare() makes the ruleset
 * with every rule of req but its fds' (req->fds is ignored) and returns it
 * (an fd, O_CLOEXEC), or -errno as vb_landlock_apply(); vb_landlock_restrict()
 * adds the rule each of fds[0..n_fds) brings, then restricts the calling
 * thread to the ruleset (which stays the caller's to close).  0 or -errno, as
 * vb_landlock_apply().  Both allocate nothing.
 */
int vb_landlock_prepare(const struct vb_landlock_req *req, struct vb_landlock_fail *fail)
        __attribute__((warn_unused_result));
int vb_landlock_restrict(int ruleset_fd, const int *fds, size_t n_fds, struct vb_landlock_fail *fail)
        __attribute__((warn_unused_result));

#endif
