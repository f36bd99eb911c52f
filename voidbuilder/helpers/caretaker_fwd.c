/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The socket forwarder's loop: accept on the void's endpoint, connect to the
 * one upstream, copy bytes both ways, and drop every fd that tries to cross
 * (a membrane: references must not pass through a caretaker, or revoking it
 * would leave the void holding the real object).  One process, one poll()
 * loop, no threads: killing it revokes every connection at once.
 *
 * Every socket is non-blocking and each direction of a connection has its
 * own bounded queue (QUEUE bytes).  A side is read only while its queue has
 * room: a reader who stops reading fills its queue, then the kernel's buffers
 * behind it, and so slows its own sender down (back-pressure), while every
 * other connection keeps being served.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "helpers/caretaker.h"

#define MAX_PAIRS 64
#define CMSG_FDS  64
#define QUEUE     65536 /* bytes buffered per direction: a stalled reader holds at most this much */

/* Bytes read from one side and not yet written to the other. */
struct queue {
        size_t off, len;
        char buf[QUEUE];
};

struct pair {
        int fd[2];         /* 0: the void's side, 1: upstream */
        bool eof[2];       /* fd[i] will send nothing more */
        bool shut[2];      /* we shut fd[i] down for writing (after q[!i] drained and eof[!i]) */
        bool connecting;   /* fd[1]'s non-blocking connect() is under way */
        struct queue q[2]; /* q[i]: read from fd[i], to be written to fd[!i] */
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

/* Read what fits from fd[from] into q[from].  Returns < 0 when the pair is finished (reset). */
static int fill(struct pair *p, int from)
{
        struct queue *q = &p->q[from];
        union {
                char space[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
                struct cmsghdr align;
        } ctl;
        struct iovec iov;
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.space, .msg_controllen = sizeof(ctl.space)
        };
        ssize_t n;

        if (q->off > 0) { /* make the free space one run at the end */
                memmove(q->buf, q->buf + q->off, q->len);
                q->off = 0;
        }
        iov = (struct iovec){ .iov_base = q->buf + q->len, .iov_len = QUEUE - q->len };
        do
                n = recvmsg(p->fd[from], &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n >= 0 && msg.msg_controllen > 0)
                drop_fds(&msg);
        if (n < 0)
                return errno == EAGAIN ? 0 : -1; /* reset: drop the pair, the other side sees its close */
        if (n == 0)
                p->eof[from] = true;
        q->len += (size_t)n;
        return 0;
}

/* Write what fd[to] takes of q[!to]; pass a drained EOF on as a half-close.  < 0: the pair is finished. */
static int drain(struct pair *p, int to)
{
        struct queue *q = &p->q[!to];

        while (q->len > 0 && !p->connecting) {
                ssize_t n = send(p->fd[to], q->buf + q->off, q->len, MSG_NOSIGNAL | MSG_DONTWAIT);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? 0 : -1;
                q->off += (size_t)n;
                q->len -= (size_t)n;
        }
        if (q->len == 0)
                q->off = 0;
        if (q->len == 0 && p->eof[!to] && !p->shut[to]) {
                shutdown(p->fd[to], SHUT_WR); /* half-close travels on */
                p->shut[to] = true;
        }
        return p->shut[0] && p->shut[1] ? -1 : 0;
}

/* The events fd[s] waits for: room to read (back-pressure: none while its queue is full), data to write. */
static short wanted(const struct pair *p, int s)
{
        short ev = 0;

        if (s == 1 && p->connecting)
                return POLLOUT;
        if (!p->eof[s] && p->q[s].len < QUEUE)
                ev |= POLLIN;
        if (p->q[!s].len > 0)
                ev |= POLLOUT;
        return ev;
}

/* A non-blocking connect() finished: did it work? */
static int connected(struct pair *p)
{
        int e = 0;
        socklen_t len = sizeof(e);

        if (getsockopt(p->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e != 0)
                return -1;
        p->connecting = false;
        return 0;
}

/* Act on one side's poll result.  < 0: the pair is finished. */
static int service(struct pair *p, int s, short revents)
{
        if (revents & (POLLERR | POLLNVAL))
                return -1;
        if (s == 1 && p->connecting)
                return revents & (POLLOUT | POLLHUP) ? (connected(p) < 0 ? -1 : drain(p, 1)) : 0;
        if ((revents & (POLLIN | POLLHUP)) && !p->eof[s] && p->q[s].len < QUEUE) {
                if (fill(p, s) < 0)
                        return -1;
                /* Pass it on at once when the other side can take it, without another poll round. */
                if (drain(p, !s) < 0)
                        return -1;
        }
        if (revents & (POLLOUT | POLLHUP))
                return drain(p, s);
        return 0;
}

static int connect_upstream(const struct vb_upstream *up, bool *in_progress)
{
        int fd = socket(up->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

        if (fd < 0)
                return -1;
        *in_progress = false;
        if (connect(fd, (const struct sockaddr *)&up->addr, up->len) == 0)
                return fd;
        if (errno == EINPROGRESS) { /* a slow upstream must not hold up the other connections */
                *in_progress = true;
                return fd;
        }
        close(fd);
        return -1;
}

/*
 * A pair's memory comes from mmap(), not malloc(): the forwarder runs after a
 * raw clone3() of a caller that may have threads, where malloc's locks may be
 * held for good (helper.h).
 */
static struct pair *pair_new(void)
{
        void *p = mmap(NULL, sizeof(struct pair), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        return p == MAP_FAILED ? NULL : p; /* zero-filled */
}

static void pair_free(struct pair *p)
{
        close(p->fd[0]);
        close(p->fd[1]);
        munmap(p, sizeof(*p));
}

static void accept_one(int listen_fd, const struct vb_upstream *up, struct pair **pairs, size_t *n)
{
        int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), u;
        struct pair *p;
        bool in_progress;

        if (c < 0)
                return;
        u = connect_upstream(up, &in_progress);
        p = u >= 0 ? pair_new() : NULL;
        if (!p) { /* upstream down (or no memory): the client sees its connection closed at once */
                if (u >= 0)
                        close(u);
                close(c);
                return;
        }
        p->fd[0] = c;
        p->fd[1] = u;
        p->connecting = in_progress;
        pairs[(*n)++] = p;
}

_Noreturn void vb_forward_main(int listen_fd, int ctl_fd, const struct vb_upstream *up)
{
        struct pair *pairs[MAX_PAIRS];
        size_t n = 0;

        signal(SIGPIPE, SIG_IGN); /* a peer gone is an EPIPE to handle, not a death */
        for (;;) {
                struct pollfd pfd[2 + 2 * MAX_PAIRS];
                size_t k = 0;

                pfd[k++] = (struct pollfd){ .fd = ctl_fd, .events = POLLIN };
                /* At the limit, new clients wait in the backlog. */
                pfd[k++] = (struct pollfd){ .fd = n < MAX_PAIRS ? listen_fd : -1, .events = POLLIN };
                /* Each side is polled only for what can be done: a side with nothing wanted is left
                 * out (fd -1), or its POLLHUP would wake us in a loop while its peer's queue is full. */
                for (size_t i = 0; i < n; i++)
                        for (int s = 0; s < 2; s++) {
                                short ev = wanted(pairs[i], s);

                                pfd[k++] = (struct pollfd){ .fd = ev ? pairs[i]->fd[s] : -1, .events = ev };
                        }
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
                                        done = service(pairs[i], s, pfd[2 + 2 * i + (size_t)s].revents) < 0;
                        if (done) {
                                pair_free(pairs[i]);
                                pairs[i] = pairs[--n];
                        }
                }
                if (pfd[1].revents & POLLIN)
                        accept_one(listen_fd, up, pairs, &n);
        }
}
