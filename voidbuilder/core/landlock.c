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
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <termios.h>
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

#ifndef PIPEFS_MAGIC
#define PIPEFS_MAGIC 0x50495045
#endif

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

const char *vb_fd_kind_name(enum vb_fd_kind kind)
{
        static const char *const names[] = {
                [VB_FD_FILE] = "regular file", [VB_FD_DIR] = "directory",
                [VB_FD_FIFO] = "named FIFO",   [VB_FD_PIPE] = "pipe",
                [VB_FD_SOCKET] = "socket",     [VB_FD_TTY] = "terminal",
                [VB_FD_DEVICE] = "device",     [VB_FD_OTHER] = "kernel object (no file)",
                [VB_FD_PATH] = "O_PATH",
        };

        return (unsigned)kind < ELEMENTSOF(names) ? names[kind] : "?";
}

static enum vb_fd_kind fd_kind(int fd, const struct stat *st)
{
        struct statfs sfs;

        switch (st->st_mode & S_IFMT) {
        case S_IFREG:
                return VB_FD_FILE;
        case S_IFDIR:
                return VB_FD_DIR;
        case S_IFIFO: /* an anonymous pipe lives on pipefs, which no path reaches */
                return fstatfs(fd, &sfs) == 0 && sfs.f_type == PIPEFS_MAGIC ? VB_FD_PIPE : VB_FD_FIFO;
        case S_IFSOCK:
                return VB_FD_SOCKET;
        case S_IFCHR:
        case S_IFBLK: {
                struct termios t;

                return ioctl(fd, TCGETS, &t) == 0 ? VB_FD_TTY : VB_FD_DEVICE;
        }
        default: /* eventfd, epoll, signalfd, timerfd, pidfd, ...: anonymous inodes */
                return VB_FD_OTHER;
        }
}

int vb_landlock_fd_rule(int fd, struct vb_fd_rule *out)
{
        struct stat st;
        int fl = fcntl(fd, F_GETFL);

        *out = (struct vb_fd_rule){ 0 };
        if (fl < 0 || fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (fl & O_PATH) {
                out->kind = VB_FD_PATH;
                return 0;
        }
        out->kind = fd_kind(fd, &st);
        out->append = fl & O_APPEND;
        if ((fl & O_ACCMODE) != O_WRONLY)
                out->open |= VB_LANDLOCK_READ;
        if ((fl & O_ACCMODE) != O_RDONLY)
                out->open |= VB_LANDLOCK_WRITE;
        switch (out->kind) {
        case VB_FD_DIR: /* opened for reading only: reading below it, never above */
                out->rights = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
                break;
        case VB_FD_FILE:
        case VB_FD_FIFO:
        case VB_FD_DEVICE:
                /* Opened again it may be read if it was readable... */
                if (out->open & VB_LANDLOCK_READ)
                        out->rights |= LANDLOCK_ACCESS_FS_READ_FILE;
                /* ... and written if it was writable, but an append-only fd would come back writable
                 * anywhere, not only at the end: it is not opened again for writing. */
                if ((out->open & VB_LANDLOCK_WRITE) && !out->append)
                        out->rights |= LANDLOCK_ACCESS_FS_WRITE_FILE |
                                       (out->kind == VB_FD_FILE ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
                break;
        case VB_FD_PIPE:   /* pipefs: the kernel lets either end be opened again, whatever the rules */
        case VB_FD_SOCKET: /* cannot be opened again at all (ENXIO) */
        case VB_FD_TTY:    /* not opened again: its ioctls are the term server's (doc/fds.md) */
        case VB_FD_OTHER:
        case VB_FD_PATH:
        default:
                break;
        }
        return 0;
}

/*
 * The rule an fd handed in brings: beneath it (a directory) or on it (any
 * other file), the rights of its own open mode, nothing above it.  A file
 * of a file system no path reaches (a memfd, -EBADFD) can take no rule: the
 * kernel itself decides about it, as for pipes.
 */
static int add_handed_in_rule(int ruleset_fd, int fd, uint64_t handled)
{
        struct landlock_path_beneath_attr pb = { .parent_fd = fd };
        struct vb_fd_rule rule;
        int r = vb_landlock_fd_rule(fd, &rule);

        if (r < 0)
                return r;
        if (rule.kind == VB_FD_PATH)
                return -EBADFD; /* vb_void_keep_fd() refuses them: a path, not an object */
        pb.allowed_access = rule.rights & handled;
        if (pb.allowed_access == 0)
                return 0;
        if (syscall(__NR_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                return errno == EBADFD ? 0 : NEG_ERRNO();
        return 0;
}

/* Create a ruleset handling every fs right of abi, plus the scopes asked for. */
static int create_ruleset(int abi, bool scoped)
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
                if (scoped)
                        attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
        }

        r = syscall(__NR_landlock_create_ruleset, &attr, size, 0);
        if (r < 0)
                return NEG_ERRNO();
        return (int)r;
}

/* Every rule of req but its fds' into ruleset_fd; on failure *fail says which. */
static int add_rules(int ruleset_fd, const struct vb_landlock_req *req, uint64_t handled, struct vb_landlock_fail *fail)
{
        int r;

        for (size_t i = 0; i < req->n_rules; i++) {
                _cleanup_close_ int fd = open(req->rules[i].path, O_PATH | O_CLOEXEC);

                r = fd < 0 ? NEG_ERRNO() : add_fd_rule(ruleset_fd, fd, req->rules[i].access, handled);
                if (r < 0) {
                        fail->path = req->rules[i].path;
                        return r;
                }
        }
        /* POSIX message queues: mq_open() opens them through the ipc namespace's own internal mount. */
        if (req->mqueue_fd >= 0) {
                struct landlock_path_beneath_attr pb = {
                        .parent_fd = req->mqueue_fd,
                        .allowed_access = (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE) & handled,
                };

                if (syscall(__NR_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                        return NEG_ERRNO();
        }
        /* A program handed in by fd lies under no granted path: it may still be executed (and read). */
        if (req->exec_fd >= 0)
                return add_fd_rule(ruleset_fd, req->exec_fd, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC, handled);
        return 0;
}

int vb_landlock_prepare(const struct vb_landlock_req *req, struct vb_landlock_fail *fail)
{
        _cleanup_close_ int ruleset_fd = -1;
        struct vb_landlock_fail none = { .path = NULL, .fd = -1 };
        int abi, r;

        if (!fail)
                fail = &none;
        *fail = none;
        abi = vb_landlock_abi();
        if (abi < 0)
                return abi;

        /* Validate every rule before touching the kernel. */
        for (size_t i = 0; i < req->n_rules; i++) {
                if (!req->rules[i].path || (req->rules[i].access & ~(unsigned)VB_LANDLOCK_ALL)) {
                        fail->path = req->rules[i].path;
                        return -EINVAL;
                }
        }

        r = create_ruleset(abi, req->scoped);
        if (r < 0)
                return r;
        ruleset_fd = r;
        r = add_rules(ruleset_fd, req, fs_rights_for_abi(abi), fail);
        if (r < 0)
                return r;
        return TAKE_FD(ruleset_fd);
}

int vb_landlock_restrict(int ruleset_fd, const int *fds, size_t n_fds, struct vb_landlock_fail *fail)
{
        struct vb_landlock_fail none = { .path = NULL, .fd = -1 };
        int abi = vb_landlock_abi(), r;

        if (!fail)
                fail = &none;
        *fail = none;
        if (abi < 0)
                return abi;
        for (size_t i = 0; i < n_fds; i++) {
                r = add_handed_in_rule(ruleset_fd, fds[i], fs_rights_for_abi(abi));
                if (r < 0) {
                        fail->fd = fds[i];
                        return r;
                }
        }
        /* Applies to this thread only; the void's child is single-threaded. */
        if (syscall(__NR_landlock_restrict_self, ruleset_fd, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

int vb_landlock_apply(const struct vb_landlock_req *req, struct vb_landlock_fail *fail)
{
        _cleanup_close_ int ruleset_fd = vb_landlock_prepare(req, fail);

        if (ruleset_fd < 0)
                return ruleset_fd;
        return vb_landlock_restrict(ruleset_fd, req->fds, req->n_fds, fail);
}
