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
#include <sys/un.h>
#include <unistd.h>

#include "care/care.h"
#include "voidbuilder/cleanup.h"

/* A directory we own, that only we can enter. */
static int check_private(const char *dir)
{
        struct stat st;

        if (lstat(dir, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
                return -EPERM;
        return 0;
}

static bool owned_dir(const char *dir)
{
        struct stat st;

        return dir && dir[0] == '/' && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

int ctl_runtime_dir(char *buf, size_t len, bool create)
{
        const char *override = getenv("VOIDSHIM_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
        char run_user[64];
        int n;

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
        if (!create)
                return 0;
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        /* Security: in a shared /tmp someone else may have made it first; use it only if it is ours and closed. */
        return check_private(buf);
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
                unlink(path); /* left by a run that was killed */
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

int ctl_accept(int listen_fd, char *req, size_t len)
{
        _cleanup_close_ int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        struct ucred cred;
        socklen_t clen = sizeof(cred);
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
         * another user).  Checked after reading, so that the refusal is not lost to a reset.
         */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != geteuid()) {
                static const char msg[] = "error: not the owner of this run\n";

                (void)!send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
                return -EPERM;
        }
        return TAKE_FD(fd);
}
