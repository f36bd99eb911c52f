/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control channel's sockets: a private directory, one socket per named run, owner only. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "care/care.h"
#include "voidbuilder/cleanup.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5 */
#endif

/* Why the last runtime directory was refused (ctl_runtime_why()). */
static char refusal[PATH_MAX + 160];

const char *ctl_runtime_why(void)
{
        return refusal[0] ? refusal : "refused";
}

/*
 * A directory we own, that only we can enter.  Security: in a shared /tmp
 * someone else may have made it first (or a symlink, or left it open), and
 * whoever owns it could read our requests or answer in our place.
 */
static int check_private(const char *dir)
{
        struct stat st;

        if (lstat(dir, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISDIR(st.st_mode))
                snprintf(refusal, sizeof(refusal), "%s is not a directory (a symlink?): refused, never used", dir);
        else if (st.st_uid != geteuid())
                snprintf(refusal, sizeof(refusal),
                         "%s belongs to uid %u, not to us (uid %u): refused, never used; remove it or set "
                         "VOIDSHIM_RUNTIME_DIR",
                         dir, (unsigned)st.st_uid, (unsigned)geteuid());
        else if (st.st_mode & 077)
                snprintf(refusal, sizeof(refusal),
                         "%s is open to others (mode %04o, not 0700): refused, never used; chmod 700 it or "
                         "remove it",
                         dir, (unsigned)(st.st_mode & 07777));
        else
                return 0;
        return -EPERM;
}

static bool owned_dir(const char *dir)
{
        struct stat st;

        return dir && dir[0] == '/' && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

/* The candidate directory, made and checked (create) or checked if it is there. */
int ctl_runtime_dir(char *buf, size_t len, bool create)
{
        const char *override = getenv("VOIDSHIM_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
        char run_user[64];
        int n, r;

        refusal[0] = '\0';
        snprintf(run_user, sizeof(run_user), "/run/user/%u", (unsigned)geteuid());
        if (override && override[0] == '/')
                n = snprintf(buf, len, "%s", override);
        else if (owned_dir(xdg))
                n = snprintf(buf, len, "%s/voidshim", xdg);
        else if (owned_dir(run_user))
                n = snprintf(buf, len, "%s/voidshim", run_user);
        else
                n = snprintf(buf, len, "/tmp/voidshim-%u", (unsigned)geteuid());
        if (n < 0 || (size_t)n >= len)
                return -ENAMETOOLONG;
        if (create && mkdir(buf, 0700) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        r = check_private(buf);
        return r == -ENOENT && !create ? 0 : r;
}

int ctl_hide_runtime_dir(struct vb_plan *p)
{
        char dir[PATH_MAX];

        /* Security: every void, named or not, is kept from every run's control socket (refused or not). */
        if (ctl_runtime_dir(dir, sizeof(dir), false) == -ENAMETOOLONG)
                return 0; /* no such directory can exist: nothing to hide */
        return vb_plan_hide(p, dir);
}

/* Is a at or below b (both absolute and physical)? */
static bool at_or_below(const char *a, const char *b)
{
        size_t len = strcmp(b, "/") == 0 ? 0 : strlen(b);

        return strncmp(a, b, len) == 0 && (a[len] == '\0' || a[len] == '/');
}

bool ctl_overlaps_runtime_dir(const char *path)
{
        char rt[PATH_MAX], real_rt[PATH_MAX], real[PATH_MAX];

        if (ctl_runtime_dir(rt, sizeof(rt), false) == -ENAMETOOLONG)
                return false;
        if (!realpath(rt, real_rt))
                snprintf(real_rt, sizeof(real_rt), "%s", rt);
        if (!realpath(path, real))
                snprintf(real, sizeof(real), "%s", path);
        return at_or_below(real_rt, real) || at_or_below(real, real_rt);
}

bool ctl_name_ok(const char *name)
{
        size_t len = strlen(name);

        return len > 0 && len <= 64 && name[0] != '.' &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

static int sock_path(const char *name, char *path, size_t len, bool create)
{
        char dir[PATH_MAX];
        int r = ctl_runtime_dir(dir, sizeof(dir), create);

        if (r < 0)
                return r;
        if ((size_t)snprintf(path, len, "%s/%s.sock", dir, name) >= len)
                return -ENAMETOOLONG;
        return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *sun)
{
        *sun = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sun->sun_path))
                return -ENAMETOOLONG;
        strcpy(sun->sun_path, path);
        return 0;
}

int ctl_connect(const char *name)
{
        char path[PATH_MAX];
        struct sockaddr_un sun;
        _cleanup_close_ int fd = -1;
        int r = sock_path(name, path, sizeof(path), false);

        if (r >= 0)
                r = unix_addr(path, &sun);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
                return NEG_ERRNO();
        return TAKE_FD(fd);
}

int ctl_listen(const char *name, char *path, size_t len)
{
        struct sockaddr_un sun;
        _cleanup_close_ int fd = -1, probe = -1;
        int r = sock_path(name, path, len, true);

        if (r >= 0)
                r = unix_addr(path, &sun);
        if (r < 0)
                return r;
        probe = ctl_connect(name);
        if (probe >= 0)
                return -EADDRINUSE; /* a live run answers there */
        if (probe != -ENOENT)
                unlink(path); /* left by a run that was killed: nobody listens */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
                return NEG_ERRNO();
        /* The directory is 0700 already; the socket is 0600 as a second lock. */
        if (chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
                r = NEG_ERRNO();
                unlink(path);
                return r;
        }
        return TAKE_FD(fd);
}

/* Do two /proc/.../ns links name the same namespace? */
static bool same_ns(const char *a, const char *b)
{
        struct stat sa, sb;

        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Security: is the peer outside every void?  Each void has a mount namespace
 * of its own (the library refuses to share it) and, but for auth shared, a
 * user namespace of its own, while `voidshim ctl` runs beside its supervisor:
 * a peer in another mount or user namespace than ours is refused, even with
 * our uid (a void's uid 0 is ours), and so is one whose pid we cannot see.
 * The peer is named by the pidfd the kernel took at connect() (SO_PEERPIDFD,
 * Linux 6.5): its /proc entries are read, then the pidfd is asked whether
 * that process still lives, so a pid reused meanwhile cannot stand in.  An
 * older kernel gives only the pid, opened late (doc/servers.md says so).
 */
static bool peer_outside_voids(int fd, pid_t pid)
{
        _cleanup_close_ int pidfd = -1;
        socklen_t len = sizeof(pidfd);
        char path[64];

        if (pid <= 0)
                return false;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0) {
                if (errno != ENOPROTOOPT)
                        return false;
                pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        }
        if (pidfd < 0)
                return false;
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
        if (!same_ns(path, "/proc/self/ns/mnt"))
                return false;
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        if (!same_ns(path, "/proc/self/ns/user"))
                return false;
        return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

int ctl_accept(int listen_fd, char *req, size_t len)
{
        _cleanup_close_ int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        struct ucred cred;
        socklen_t clen = sizeof(cred);
        const char *no = NULL;
        struct pollfd p;
        size_t got = 0;

        if (fd < 0)
                return NEG_ERRNO();
        /* One line, within a second: a stuck client must not stall the supervisor. */
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        while (got + 1 < len && poll(&p, 1, 1000) > 0) {
                ssize_t n = read(fd, req + got, len - 1 - got);

                if (n <= 0)
                        break;
                got += (size_t)n;
                if (memchr(req, '\n', got))
                        break;
        }
        req[got] = '\0';
        req[strcspn(req, "\n")] = '\0';
        /*
         * Security: only the user who started the run may revoke or stop (root included: it is
         * another user), and only from outside every void.  Checked after reading, so that the
         * refusal is not lost to a reset.
         */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != geteuid())
                no = "error: not the owner of this run\n";
        else if (!peer_outside_voids(fd, cred.pid))
                no = "error: refused: the peer is in another mount or user namespace than its supervisor "
                     "(a void's, or out of sight)\n";
        if (no) {
                (void)!send(fd, no, strlen(no), MSG_NOSIGNAL);
                return -EPERM;
        }
        return TAKE_FD(fd);
}
