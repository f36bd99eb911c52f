/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fdpass.h"
#include "voidbuilder.h"

/* The kernel's limit on fds in one message (SCM_MAX_FD). */
#define MAX_FDS 253

VB_API int vb_fd_send(int sock, const int *fds, size_t n)
{
        return vb_fd_sendmsg(sock, "f", 1, fds, n);
}

VB_API int vb_fd_sendmsg(int sock, const void *data, size_t len, const int *fds, size_t n)
{
        return vb_fd_sendmsg_flags(sock, data, len, fds, n, 0);
}

int vb_fd_sendmsg_flags(int sock, const void *data, size_t len, const int *fds, size_t n, int flags)
{
        struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
        union {
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
                struct cmsghdr align;
        } u = {};
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t r;

        if (n > MAX_FDS)
                return -EINVAL;
        if (n > 0) {
                struct cmsghdr *c;

                msg.msg_control = u.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        }
        do
                r = sendmsg(sock, &msg, flags | MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        return r < 0 ? NEG_ERRNO() : 0;
}

VB_API int vb_fd_recv(int sock, int *fds, size_t max, int flags, bool *eof)
{
        char data[64];
        size_t len = sizeof(data);

        return vb_fd_recvmsg(sock, data, &len, fds, max, flags, eof);
}

VB_API int vb_fd_recvmsg(int sock, void *data, size_t *len, int *fds, size_t max, int flags, bool *eof)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
                struct cmsghdr align;
        } u;
        struct iovec iov = { .iov_base = data, .iov_len = *len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        size_t n = 0, total = 0;
        ssize_t got;

        *eof = false;
        do
                got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
        while (got < 0 && errno == EINTR);
        if (got < 0)
                return NEG_ERRNO();
        if (got == 0 && msg.msg_controllen == 0) {
                *eof = true;
                *len = 0;
                return 0;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        total++;
                        if (n < max)
                                fds[n++] = fd;
                        else
                                close(fd); /* more than the caller takes: never leak them */
                }
        }
        if (total > max) {
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                return -E2BIG;
        }
        if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                return msg.msg_flags & MSG_CTRUNC ? -EBADMSG : -EMSGSIZE;
        }
        *len = (size_t)got;
        return (int)n;
}
