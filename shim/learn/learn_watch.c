/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The observer of `voidshim learn`: a thread that receives the learning
 * void's seccomp listener, reads what each stopped system call names (a path
 * from the process's memory, through /proc/PID/mem; an address), records it,
 * and lets the call run (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *
 * What a notification's memory says can change before the call runs (another
 * thread of the program may rewrite the path): for enforcing, that race
 * would matter; here it cannot grant the program anything, since the spec
 * learned is enforced by a void of its own, and a program that lies to its
 * observer only learns a spec that lacks what it really used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "learn/learn.h"
#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"

const char *const learn_syscalls[] = {
        "open",       "openat",   "openat2",    "creat",      "execve", "execveat", "connect",
        "bind",       "stat",     "lstat",      "newfstatat", "statx",  "access",   "faccessat",
        "faccessat2", "readlink", "readlinkat", "chdir",      "mkdir",  "mkdirat",  "mknod",
        "mknodat",    "unlink",   "unlinkat",   "rmdir",      "rename", "renameat", "renameat2",
        "link",       "linkat",   "symlink",    "symlinkat",  "chmod",  "fchmodat", "chown",
        "lchown",     "fchownat", "truncate",   "utimensat",  "utimes", "utime",    NULL,
};

/* One stopped call being read: the process, its memory, its root. */
struct call {
        pid_t pid;
        int mem;  /* /proc/PID/mem */
        int root; /* /proc/PID/root (O_PATH) */
        struct learn_log *log;
};

/* The NUL-terminated string at addr in the process, into buf.  0 or -errno. */
static int read_str(const struct call *c, uint64_t addr, char *buf, size_t len)
{
        ssize_t n;

        if (!addr)
                return -EFAULT;
        n = pread(c->mem, buf, len - 1, (off_t)addr);
        if (n <= 0)
                return n < 0 ? -errno : -EFAULT;
        buf[n] = '\0';
        return memchr(buf, '\0', (size_t)n) || (size_t)n < len - 1 ? 0 : -ENAMETOOLONG;
}

/* The directory a relative path of the call starts from: its cwd or dirfd, as the void sees it. */
static int base_dir(const struct call *c, int dirfd, char *buf, size_t len)
{
        char link[64];
        ssize_t n;

        if (dirfd == AT_FDCWD)
                snprintf(link, sizeof(link), "/proc/%d/cwd", (int)c->pid);
        else
                snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)c->pid, dirfd);
        n = readlink(link, buf, len - 1);
        if (n <= 0 || buf[0] != '/')
                return -ENOENT;
        buf[n] = '\0';
        return 0;
}

/* The path argument at addr, relative to dirfd, made absolute; "" with AT_EMPTY_PATH: dirfd itself. */
static char *call_path(const struct call *c, int dirfd, uint64_t addr, bool empty_ok)
{
        char rel[PATH_MAX], base[PATH_MAX];

        if (read_str(c, addr, rel, sizeof(rel)) < 0)
                return NULL;
        if (!rel[0] && !empty_ok)
                return NULL;
        if (rel[0] != '/' && base_dir(c, dirfd, base, sizeof(base)) < 0)
                return NULL;
        return learn_abs_path(rel[0] == '/' ? "/" : base, rel);
}

/* What path is in the void now (lstat, as the void resolves it: inside its own root).  false: nothing. */
static bool void_lstat(const struct call *c, const char *path, struct stat *st)
{
        struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
        _cleanup_close_ int fd = -1;

        fd = (int)syscall(SYS_openat2, c->root, path[1] ? path + 1 : ".", &how, sizeof(how));
        return fd >= 0 && fstat(fd, st) == 0;
}

static void note(const struct call *c, const char *path, unsigned seen)
{
        struct stat st;

        if (path)
                (void)learn_log_path(c->log, path, seen, void_lstat(c, path, &st) ? &st : NULL);
}

/* An entry of path's directory is made or removed. */
static void note_change(const struct call *c, const char *path)
{
        _cleanup_free_ char *dir = path ? learn_abs_path(path, "..") : NULL;

        note(c, dir, SEEN_CHANGE);
}

/* open(2)'s flags: what the call does to what path is now. */
static void note_open(const struct call *c, char *path, uint64_t flags)
{
        struct stat st;
        bool exists;

        if (!path)
                return;
        exists = void_lstat(c, path, &st);
        if ((flags & O_TMPFILE) == O_TMPFILE) {
                note(c, path, SEEN_CHANGE);
        } else if (flags & O_PATH) {
                note(c, path, SEEN_STAT);
        } else if (!exists && (flags & O_CREAT)) {
                note_change(c, path);
                note(c, path, SEEN_WRITE);
        } else if (exists) {
                unsigned acc = (unsigned)flags & O_ACCMODE;
                bool write = acc != O_RDONLY || (flags & O_TRUNC);

                note(c, path, (write ? SEEN_WRITE : SEEN_READ) | (S_ISDIR(st.st_mode) ? SEEN_LIST : 0));
        }
        free(path);
}

static void note_conn(const struct call *c, int fd, uint64_t addr, uint64_t len)
{
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } u = {};
        char text[INET6_ADDRSTRLEN + 2];
        int type = 0, pidfd, sock;
        socklen_t tl = sizeof(type);

        if (len < sizeof(sa_family_t) || len > sizeof(u) || pread(c->mem, &u, len, (off_t)addr) != (ssize_t)len)
                return;
        /* The socket's type, from a copy of the process's fd. */
        pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        sock = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0) : -1;
        if (sock >= 0)
                (void)getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl);
        if (sock >= 0)
                close(sock);
        if (pidfd >= 0)
                close(pidfd);
        if (u.sa.sa_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
                size_t n = len - offsetof(struct sockaddr_un, sun_path);
                char path[sizeof(u.un.sun_path) + 2];

                if (u.un.sun_path[0] == '\0') { /* abstract: a name in the network namespace */
                        snprintf(path, sizeof(path), "@%.*s", (int)(n > 1 ? n - 1 : 0), u.un.sun_path + 1);
                        (void)learn_log_conn(c->log, AF_UNIX, type == SOCK_DGRAM, path, 0);
                } else {
                        _cleanup_free_ char *abs = NULL;
                        char base[PATH_MAX];
                        struct stat st;

                        snprintf(path, sizeof(path), "%.*s", (int)n, u.un.sun_path);
                        if (path[0] != '/' && base_dir(c, AT_FDCWD, base, sizeof(base)) < 0)
                                return;
                        abs = learn_abs_path(path[0] == '/' ? "/" : base, path);
                        /* A socket that is not there (nscd's, often) was tried and failed: nothing to give. */
                        if (abs && void_lstat(c, abs, &st) && S_ISSOCK(st.st_mode))
                                (void)learn_log_conn(c->log, AF_UNIX, type == SOCK_DGRAM, abs, 0);
                }
        } else if (u.sa.sa_family == AF_INET && inet_ntop(AF_INET, &u.in.sin_addr, text, sizeof(text))) {
                (void)learn_log_conn(c->log, AF_INET, type == SOCK_DGRAM, text, ntohs(u.in.sin_port));
        } else if (u.sa.sa_family == AF_INET6 && inet_ntop(AF_INET6, &u.in6.sin6_addr, text, sizeof(text))) {
                (void)learn_log_conn(c->log, AF_INET6, type == SOCK_DGRAM, text, ntohs(u.in6.sin6_port));
        }
}

/* bind(2) of a unix socket at a path makes an entry in its directory. */
static void note_bind(const struct call *c, uint64_t addr, uint64_t len)
{
        struct sockaddr_un un = {};
        char path[sizeof(un.sun_path) + 1];
        _cleanup_free_ char *abs = NULL;
        char base[PATH_MAX];

        if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(un) ||
            pread(c->mem, &un, len, (off_t)addr) != (ssize_t)len || un.sun_family != AF_UNIX || !un.sun_path[0])
                return;
        snprintf(path, sizeof(path), "%.*s", (int)(len - offsetof(struct sockaddr_un, sun_path)), un.sun_path);
        if (path[0] != '/' && base_dir(c, AT_FDCWD, base, sizeof(base)) < 0)
                return;
        abs = learn_abs_path(path[0] == '/' ? "/" : base, path);
        note_change(c, abs);
}

/* The *at() calls: (dirfd, path) in a[0], a[1]. */
static char *at_path(const struct call *c, const uint64_t *a)
{
        return call_path(c, (int)a[0], a[1], false);
}

static char *plain_path(const struct call *c, uint64_t addr)
{
        return call_path(c, AT_FDCWD, addr, false);
}

/* Calls that look at a path (stat, access, readlink, chdir): it must be there, as it is. */
static void note_stat(const struct call *c, char *path)
{
        struct stat st;

        if (path && void_lstat(c, path, &st))
                (void)learn_log_path(c->log, path, SEEN_STAT, &st);
        free(path);
}

/* Calls that change a file in place (chmod, chown, truncate, utimes). */
static void note_write(const struct call *c, char *path)
{
        struct stat st;

        if (path && void_lstat(c, path, &st))
                (void)learn_log_path(c->log, path, SEEN_WRITE, &st);
        free(path);
}

static void note_two(const struct call *c, char *from, char *to, bool from_removed)
{
        if (from_removed)
                note_change(c, from);
        else
                note_stat(c, from ? strdup(from) : NULL);
        note_change(c, to);
        free(from);
        free(to);
}

static void decode_path_calls(const struct call *c, int nr, const uint64_t *a)
{
        switch (nr) {
#ifdef SYS_open
        case SYS_open:
                note_open(c, plain_path(c, a[0]), a[1]);
                return;
        case SYS_creat:
                note_open(c, plain_path(c, a[0]), O_CREAT | O_WRONLY | O_TRUNC);
                return;
        case SYS_stat:
        case SYS_lstat:
        case SYS_access:
        case SYS_readlink:
                note_stat(c, plain_path(c, a[0]));
                return;
        case SYS_mkdir:
        case SYS_mknod:
        case SYS_unlink:
        case SYS_rmdir: {
                _cleanup_free_ char *p = plain_path(c, a[0]);

                note_change(c, p);
                return;
        }
        case SYS_rename:
                note_two(c, plain_path(c, a[0]), plain_path(c, a[1]), true);
                return;
        case SYS_link:
                note_two(c, plain_path(c, a[0]), plain_path(c, a[1]), false);
                return;
        case SYS_symlink: {
                _cleanup_free_ char *p = plain_path(c, a[1]);

                note_change(c, p);
                return;
        }
        case SYS_chmod:
        case SYS_chown:
        case SYS_lchown:
        case SYS_utimes:
        case SYS_utime:
                note_write(c, plain_path(c, a[0]));
                return;
#endif
        case SYS_chdir:
                note_stat(c, plain_path(c, a[0]));
                return;
        case SYS_truncate:
                note_write(c, plain_path(c, a[0]));
                return;
        default:
                return;
        }
}

static void decode_at_calls(const struct call *c, int nr, const uint64_t *a)
{
        uint64_t flags = 0;

        switch (nr) {
        case SYS_openat:
                note_open(c, at_path(c, a), a[2]);
                return;
        case SYS_openat2:
                if (pread(c->mem, &flags, sizeof(flags), (off_t)a[2]) == sizeof(flags))
                        note_open(c, at_path(c, a), flags);
                return;
        case SYS_newfstatat:
        case SYS_statx:
        case SYS_faccessat:
        case SYS_faccessat2:
        case SYS_readlinkat:
                note_stat(c, at_path(c, a)); /* "" with AT_EMPTY_PATH is the fd: nothing to learn */
                return;
        case SYS_mkdirat:
        case SYS_mknodat:
        case SYS_unlinkat: {
                _cleanup_free_ char *p = at_path(c, a);

                note_change(c, p);
                return;
        }
        case SYS_renameat:
        case SYS_renameat2:
                note_two(c, at_path(c, a), call_path(c, (int)a[2], a[3], false), true);
                return;
        case SYS_linkat:
                note_two(c, at_path(c, a), call_path(c, (int)a[2], a[3], false), false);
                return;
        case SYS_symlinkat: {
                _cleanup_free_ char *p = call_path(c, (int)a[1], a[2], false);

                note_change(c, p);
                return;
        }
        case SYS_fchmodat:
        case SYS_fchownat:
        case SYS_utimensat:
                if (a[1]) /* utimensat(fd, NULL, ...) is futimens */
                        note_write(c, at_path(c, a));
                return;
        default:
                decode_path_calls(c, nr, a);
                return;
        }
}

static void decode(const struct call *c, int nr, const uint64_t *a)
{
        switch (nr) {
        case SYS_execve: {
                _cleanup_free_ char *p = plain_path(c, a[0]);

                note(c, p, SEEN_EXEC);
                return;
        }
        case SYS_execveat: {
                _cleanup_free_ char *p = call_path(c, (int)a[0], a[1], (a[4] & AT_EMPTY_PATH) != 0);

                note(c, p, SEEN_EXEC);
                return;
        }
        case SYS_connect:
                note_conn(c, (int)a[0], a[1], a[2]);
                return;
        case SYS_bind:
                note_bind(c, a[1], a[2]);
                return;
        default:
                decode_at_calls(c, nr, a);
                return;
        }
}

/* Read what one stopped call names, if it is still the call it was (its id still valid), and record it. */
static void handle(struct learn_log *log, int listener, const struct seccomp_notif *req)
{
        struct call c = { .pid = (pid_t)req->pid, .mem = -1, .root = -1, .log = log };
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/mem", (int)c.pid);
        c.mem = open(path, O_RDONLY | O_CLOEXEC);
        snprintf(path, sizeof(path), "/proc/%d/root", (int)c.pid);
        c.root = open(path, O_PATH | O_CLOEXEC);
        pthread_mutex_lock(&log->lock);
        log->notifications++;
        pthread_mutex_unlock(&log->lock);
        /* The process may be gone already, or have been replaced: then nothing it named is trusted. */
        if (c.mem < 0 || c.root < 0 || ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0) {
                pthread_mutex_lock(&log->lock);
                log->unreadable++;
                pthread_mutex_unlock(&log->lock);
        } else {
                decode(&c, req->data.nr, (const uint64_t *)req->data.args);
        }
        if (c.mem >= 0)
                close(c.mem);
        if (c.root >= 0)
                close(c.root);
}

/* Wait on fd and the stop pipe; false when stopped (or the fd hung up with nothing left to read). */
static bool wait_for(struct learn_watch *w, int fd)
{
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = w->stop[0], .events = POLLIN } };

        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                if (p[0].revents & POLLIN)
                        return true;
                if (p[1].revents || (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
                        return false;
        }
}

static void *watch_main(void *arg)
{
        struct learn_watch *w = arg;
        struct seccomp_notif_sizes sizes = {};
        _cleanup_free_ struct seccomp_notif *req = NULL;
        _cleanup_free_ struct seccomp_notif_resp *resp = NULL;
        _cleanup_close_ int listener = -1;
        bool eof = false;

        if (!wait_for(w, w->sock) || vb_fd_recv(w->sock, &listener, 1, 0, &eof) != 1)
                return NULL;
        /* The kernel's structures may have grown: allocate what it says. */
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                return NULL;
        req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
        resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp : sizeof(*resp));
        if (!req || !resp)
                return NULL;
        while (wait_for(w, listener)) {
                memset(req, 0, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
                if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
                        if (errno == EINTR || errno == ENOENT) /* ENOENT: the caller died meanwhile */
                                continue;
                        break;
                }
                handle(w->log, listener, req);
                resp->id = req->id;
                resp->error = 0;
                resp->val = 0;
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp); /* ENOENT: it is gone, nothing to do */
        }
        return NULL;
}

int learn_watch_start(struct learn_watch *w, int sock, struct learn_log *log)
{
        int r;

        w->sock = sock;
        w->log = log;
        if (pipe2(w->stop, O_CLOEXEC) < 0)
                return -errno;
        r = pthread_create(&w->thread, NULL, watch_main, w);
        if (r != 0) {
                close(w->stop[0]), close(w->stop[1]);
                return -r;
        }
        w->started = true;
        return 0;
}

void learn_watch_stop(struct learn_watch *w)
{
        if (!w->started)
                return;
        (void)!write(w->stop[1], "x", 1);
        pthread_join(w->thread, NULL);
        close(w->stop[0]), close(w->stop[1]);
        w->started = false;
}

/* ---- the log --------------------------------------------------------------- */

int learn_log_path(struct learn_log *log, const char *path, unsigned seen, const struct stat *st)
{
        int r = 0;

        pthread_mutex_lock(&log->lock);
        for (size_t i = 0; i < log->n_recs; i++)
                if (strcmp(log->recs[i].path, path) == 0) {
                        log->recs[i].seen |= seen;
                        if (!log->recs[i].existed && st) /* made by the program meanwhile */
                                log->recs[i].type = st->st_mode & S_IFMT;
                        goto out;
                }
        if (log->n_recs == log->cap_recs) {
                size_t cap = log->cap_recs ? 2 * log->cap_recs : 64;
                struct learn_rec *n = reallocarray(log->recs, cap, sizeof(*n));

                if (!n) {
                        r = -ENOMEM;
                        goto out;
                }
                log->recs = n;
                log->cap_recs = cap;
        }
        log->recs[log->n_recs] = (struct learn_rec){
                .path = strdup(path), .seen = seen, .existed = st != NULL, .type = st ? st->st_mode & S_IFMT : 0
        };
        if (!log->recs[log->n_recs].path)
                r = -ENOMEM;
        else
                log->n_recs++;
out:
        pthread_mutex_unlock(&log->lock);
        return r;
}

int learn_log_conn(struct learn_log *log, int family, bool dgram, const char *addr, unsigned port)
{
        struct learn_conn *n;
        int r = 0;

        pthread_mutex_lock(&log->lock);
        for (size_t i = 0; i < log->n_conns; i++)
                if (log->conns[i].family == family && log->conns[i].dgram == dgram && log->conns[i].port == port &&
                    strcmp(log->conns[i].addr, addr) == 0)
                        goto out;
        n = reallocarray(log->conns, log->n_conns + 1, sizeof(*n));
        if (!n) {
                r = -ENOMEM;
                goto out;
        }
        log->conns = n;
        n[log->n_conns] = (struct learn_conn){ .family = family, .dgram = dgram, .addr = strdup(addr), .port = port };
        if (n[log->n_conns].addr)
                log->n_conns++;
        else
                r = -ENOMEM;
out:
        pthread_mutex_unlock(&log->lock);
        return r;
}

void learn_log_done(struct learn_log *log)
{
        for (size_t i = 0; i < log->n_recs; i++)
                free(log->recs[i].path);
        free(log->recs);
        for (size_t i = 0; i < log->n_conns; i++)
                free(log->conns[i].addr);
        free(log->conns);
        log->recs = NULL, log->conns = NULL;
        log->n_recs = log->cap_recs = log->n_conns = 0;
}
