/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The socket forwarder's loop: accept on the void's endpoint, connect to the
 * one upstream, copy bytes both ways, and drop every fd that tries to cross
 * (a membrane: references must not pass through a caretaker, or revoking it
 * would leave the void holding the real object).  One process, one poll()
 * loop, no threads: killing it revokes every connection at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caretaker.h"
#include "cleanup.h"

#define MAX_PAIRS 64
#define CMSG_FDS  64

struct pair {
        int fd[2];   /* 0: the void's side, 1: upstream */
        bool eof[2]; /* fd[i] will send nothing more */
};

/* Close every fd carried in msg's control data: they never reach the other side. */
static void drop_fds(struct msghdr *msg)
{
        for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *fds = (int *)CMSG_DATA(c);

                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
        }
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return NEG_ERRNO();
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Move one chunk from p->fd[from] to the other side.  Returns < 0 when the pair is finished. */
static int relay(struct pair *p, int from)
{
        char buf[65536];
        union {
                char space[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
                struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.space, .msg_controllen = sizeof(ctl.space)
        };
        ssize_t n;

        do
                n = recvmsg(p->fd[from], &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n >= 0 && msg.msg_controllen > 0)
                drop_fds(&msg);
        if (n < 0)
                return -1; /* reset: drop the pair, the other side sees its close */
        if (n == 0) {
                p->eof[from] = true;
                shutdown(p->fd[!from], SHUT_WR); /* half-close travels on */
                return p->eof[!from] ? -1 : 0;
        }
        return write_all(p->fd[!from], buf, (size_t)n) < 0 ? -1 : 0;
}

static int connect_upstream(const struct vb_upstream *up)
{
        int fd = socket(up->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -1;
        if (connect(fd, (const struct sockaddr *)&up->addr, up->len) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

_Noreturn void vb_forward_main(int listen_fd, int ctl_fd, const struct vb_upstream *up)
{
        struct pair pairs[MAX_PAIRS];
        size_t n = 0;

        signal(SIGPIPE, SIG_IGN); /* a peer gone is an EPIPE to handle, not a death */
        for (;;) {
                struct pollfd pfd[2 + 2 * MAX_PAIRS];
                size_t k = 0;

                pfd[k++] = (struct pollfd){ .fd = ctl_fd, .events = POLLIN };
                /* At the limit, new clients wait in the backlog. */
                pfd[k++] = (struct pollfd){ .fd = n < MAX_PAIRS ? listen_fd : -1, .events = POLLIN };
                for (size_t i = 0; i < n; i++)
                        for (int s = 0; s < 2; s++)
                                pfd[k++] = (struct pollfd){ .fd = pairs[i].eof[s] ? -1 : pairs[i].fd[s],
                                                            .events = POLLIN };
                if (poll(pfd, k, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(111);
                }
                /* The control pipe's only message is its closing: the supervisor revoked us or died. */
                if (pfd[0].revents)
                        _exit(0);
                for (size_t i = n; i-- > 0;) {
                        bool done = false;

                        for (int s = 0; s < 2 && !done; s++)
                                if (pfd[2 + 2 * i + (size_t)s].revents)
                                        done = relay(&pairs[i], s) < 0;
                        if (done) {
                                close(pairs[i].fd[0]);
                                close(pairs[i].fd[1]);
                                pairs[i] = pairs[--n];
                        }
                }
                if (pfd[1].revents & POLLIN) {
                        int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC), u;

                        if (c < 0)
                                continue;
                        u = connect_upstream(up);
                        if (u < 0) { /* upstream down: the client sees its connection closed at once */
                                close(c);
                                continue;
                        }
                        pairs[n++] = (struct pair){ .fd = { c, u } };
                }
        }
}
