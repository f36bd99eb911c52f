/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvoidshim-app: see include/voidshim/app.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "voidshim/app.h"

#define MAX_FDS 16

const char *vs_entrypoint(void)
{
        return getenv("VOIDSHIM_ENTRYPOINT");
}

int vs_main(int argc, char **argv, const struct vs_entrypoint *table)
{
        const char *name = vs_entrypoint();

        if (!name && argc > 0 && argv[0]) {
                const char *slash = strrchr(argv[0], '/');

                name = slash ? slash + 1 : argv[0];
        }
        for (const struct vs_entrypoint *e = table; name && e->name; e++)
                if (strcmp(e->name, name) == 0)
                        return e->main(argc, argv);
        fprintf(stderr, "%s: unknown entrypoint \"%s\" (known:", argc > 0 && argv[0] ? argv[0] : "app",
                name ? name : "");
        for (const struct vs_entrypoint *e = table; e->name; e++)
                fprintf(stderr, " %s", e->name);
        fprintf(stderr, ")\n");
        return 127;
}

int vs_fd(const char *name)
{
        const char *p = getenv("VOIDSHIM_FDS");
        size_t n = strlen(name);

        if (!p)
                return -ENOENT;
        while (*p) {
                const char *eq = strchr(p, '='), *end = strchr(p, ',');
                char *stop;
                long fd;

                if (!end)
                        end = p + strlen(p);
                if (!eq || eq > end)
                        return -EINVAL;
                if ((size_t)(eq - p) == n && strncmp(p, name, n) == 0) {
                        errno = 0;
                        fd = strtol(eq + 1, &stop, 10);
                        if (errno || stop != end || fd < 0 || fd > INT_MAX)
                                return -EINVAL;
                        return (int)fd;
                }
                p = *end ? end + 1 : end;
        }
        return -ENOENT;
}

char *vs_trigger_message(size_t *len)
{
        int fd = vs_fd("trigger");
        struct stat st;
        size_t got = 0;
        char *buf;

        if (fd < 0) {
                errno = -fd;
                return NULL;
        }
        if (fstat(fd, &st) < 0)
                return NULL;
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return NULL;
        while (got < (size_t)st.st_size) {
                ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;

                        free(buf);
                        errno = e;
                        return NULL;
                }
                got += (size_t)n;
        }
        buf[got] = '\0';
        if (len)
                *len = got;
        return buf;
}

int vs_write_all(int fd, const void *buf, size_t len)
{
        while (len) {
                ssize_t n = write(fd, buf, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf = (const char *)buf + n;
                len -= (size_t)n;
        }
        return 0;
}

/* Read exactly len bytes: 0, -ENODATA at EOF before any byte, -EPROTO at EOF after some, -errno. */
static int read_all(int fd, void *buf, size_t len)
{
        size_t got = 0;

        while (got < len) {
                ssize_t n = read(fd, (char *)buf + got, len - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return got ? -EPROTO : -ENODATA;
                got += (size_t)n;
        }
        return 0;
}

int vs_write_message(int fd, const void *buf, size_t len)
{
        uint32_t n = (uint32_t)len;
        char hdr[sizeof(n)];
        int r;

        if (len > UINT32_MAX)
                return -EMSGSIZE;
        memcpy(hdr, &n, sizeof(n));
        /* The header and a small body in one write(): under PIPE_BUF bytes, that is atomic. */
        if (len <= 4096) {
                char one[sizeof(n) + 4096];

                memcpy(one, hdr, sizeof(n));
                memcpy(one + sizeof(n), buf, len);
                return vs_write_all(fd, one, sizeof(n) + len);
        }
        r = vs_write_all(fd, hdr, sizeof(hdr));
        return r < 0 ? r : vs_write_all(fd, buf, len);
}

ssize_t vs_read_message(int fd, void *buf, size_t max)
{
        uint32_t len;
        int r = read_all(fd, &len, sizeof(len));

        if (r < 0)
                return r;
        if (len > max) {
                char sink[4096];

                /* Drop this message whole, so the stream stays in step. */
                for (uint32_t left = len; left;) {
                        uint32_t chunk = left < sizeof(sink) ? left : (uint32_t)sizeof(sink);

                        r = read_all(fd, sink, chunk);
                        if (r < 0)
                                return r == -ENODATA ? -EPROTO : r;
                        left -= chunk;
                }
                return -EMSGSIZE;
        }
        r = read_all(fd, buf, len);
        if (r < 0)
                return r == -ENODATA && len ? -EPROTO : r;
        return (ssize_t)len;
}

int vs_send_fds(int sock, const int *fds, size_t n)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        } ctl = {};
        char byte = 'F';
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf };
        struct cmsghdr *c;

        if (n == 0 || n > MAX_FDS)
                return -EINVAL;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

int vs_recv_fds(int sock, int *fds, size_t max)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        } ctl = {};
        char data[64];
        struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
        ssize_t got;
        size_t n = 0;
        bool over = false;

        while ((got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
                if (errno != EINTR)
                        return -errno;
        if (got == 0 && msg.msg_controllen == 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (n < max)
                                fds[n++] = fd;
                        else
                                close(fd), over = true;
                }
        }
        if (n == 0 || over || (msg.msg_flags & MSG_CTRUNC)) {
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                return -EBADMSG;
        }
        return (int)n;
}
