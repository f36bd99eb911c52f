/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_void_newcomer(): the caller's side.  A held void's pid 1 is asked, on
 * the socket the spawn left in the handle, to fork a newcomer (init.h,
 * init_serve.c); the newcomer is pid 1's child, so its handle learns of its
 * end from pid 1, on a status socket of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/init.h"
#include "core/spawn.h"
#include "voidbuilder.h"

/* How long pid 1 may take to say whether the newcomer runs (it execs first). */
#define NEWCOMER_ANSWER_MS 30000

static size_t count(char *const *strv)
{
        size_t n = 0;

        while (strv && strv[n])
                n++;
        return n;
}

static int append(char *buf, size_t *used, const char *s)
{
        size_t len = strlen(s) + 1;

        if (*used + len > VB_INIT_REQ_MAX)
                return -E2BIG;
        memcpy(buf + *used, s, len);
        *used += len;
        return 0;
}

/* The request's header and strings into *out (malloc'd), its length in *len.  -EINVAL, -E2BIG, -ENOMEM. */
static int pack(const struct vb_join *j, struct vb_init_req *h, char **out, size_t *len)
{
        size_t argc = count(j->argv), envc = count(j->env), used = sizeof(*h);
        _cleanup_free_ char *buf = NULL;
        int r;

        if (argc + envc > VB_INIT_MAX_STRINGS)
                return -E2BIG;
        h->magic = VB_INIT_MAGIC;
        h->argc = (uint32_t)argc;
        h->envc = j->env ? (int32_t)envc : -1;
        buf = malloc(VB_INIT_REQ_MAX);
        if (!buf)
                return -ENOMEM;
        r = append(buf, &used, j->path);
        if (r >= 0)
                r = append(buf, &used, j->cwd ? j->cwd : "");
        for (size_t i = 0; i < argc && r >= 0; i++)
                r = append(buf, &used, j->argv[i]);
        for (size_t i = 0; i < envc && r >= 0; i++)
                r = append(buf, &used, j->env[i]);
        if (r < 0)
                return r;
        *out = TAKE_PTR(buf);
        *len = used;
        return 0;
}

/*
 * The fds to send: the status socket, then j's fds and /dev/null (opened
 * once, in null) for each of 0, 1, 2 that j leaves out; their targets in h.
 * Returns how many, or -EINVAL.
 */
static int gather(const struct vb_join *j, int status, int null, struct vb_init_req *h, int *fds)
{
        size_t n = 0;
        bool std[3] = { false, false, false };

        if (j->n_fds > VB_INIT_MAX_FDS)
                return -EINVAL;
        fds[n++] = status;
        for (size_t i = 0; i < j->n_fds; i++) {
                if (j->fds[i].fd < 0 || j->fds[i].target < 0 || j->fds[i].target > VB_INIT_MAX_TARGET)
                        return -EINVAL;
                for (size_t k = 0; k < i; k++)
                        if (j->fds[k].target == j->fds[i].target)
                                return -EINVAL;
                if (j->fds[i].target <= 2)
                        std[j->fds[i].target] = true;
                h->targets[h->n_fds++] = j->fds[i].target;
                fds[n++] = j->fds[i].fd;
        }
        for (int t = 0; t <= 2; t++) {
                if (std[t])
                        continue;
                if (h->n_fds >= VB_INIT_MAX_FDS)
                        return -EINVAL;
                h->targets[h->n_fds++] = t;
                fds[n++] = null;
        }
        return (int)n;
}

/* The newcomer's pid as we see it: the pidfd's "Pid:" line (its pid in our pid namespace). */
static pid_t host_pid(int pidfd)
{
        char path[64], buf[1024], *p;
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        p = strstr(buf, "\nPid:");
        return p ? (pid_t)strtol(p + 5, NULL, 10) : -1;
}

/* pid 1's first answer on sock: 0 with *out a handle (taking sock), or -errno with err. */
static int answer(int *sock, const char *path, struct vb_proc **out, struct vb_error **err)
{
        struct vb_init_reply r = {};
        struct pollfd pfd = { .fd = *sock, .events = POLLIN };
        size_t len = sizeof(r);
        int pidfd = -1, n;
        bool eof;

        n = poll(&pfd, 1, NEWCOMER_ANSWER_MS);
        if (n <= 0)
                return vb_error_set(err, n < 0 ? errno : ETIMEDOUT, "waiting for the void's pid 1 to answer");
        n = vb_fd_recvmsg(*sock, &r, &len, &pidfd, 1, 0, &eof);
        if (n < 0 || eof || len != sizeof(r)) {
                if (n > 0)
                        close(pidfd);
                return vb_error_set(err, n < 0 ? -n : ESRCH,
                                    "reading the answer of the void's pid 1 (has the void ended?)");
        }
        if (r.kind == VB_INIT_FAILED) {
                if (n > 0)
                        close(pidfd);
                r.rep.detail[sizeof(r.rep.detail) - 1] = '\0';
                return vb_spawn_report_error(path, &r.rep, err);
        }
        if (r.kind != VB_INIT_STARTED || n != 1) {
                if (n > 0)
                        close(pidfd);
                return vb_error_set(err, EPROTO, "an answer of the void's pid 1 that makes no sense");
        }
        *out = vb_proc_adopt(host_pid(pidfd), pidfd, NULL);
        if (!*out) {
                (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                close(pidfd);
                return vb_error_set(err, ENOMEM, "allocating the handle");
        }
        vb_proc_set_status_sock(*out, TAKE_FD(*sock));
        return 0;
}

VB_API int vb_void_newcomer(struct vb_proc *p, const struct vb_join *j, struct vb_proc **out, struct vb_error **err)
{
        _cleanup_close_ int mine = -1, theirs = -1, null = -1;
        _cleanup_free_ char *buf = NULL;
        struct vb_init_req h = {};
        int fds[1 + VB_INIT_MAX_FDS], sv[2], n, r;
        size_t len;

        *out = NULL;
        if (vb_proc_init_sock(p) < 0)
                return vb_error_set(err, EOPNOTSUPP, "the void's pid 1 starts no newcomers (not held: VB_INIT_HOLD)");
        if (!j->path || !j->path[0] || !j->argv || !j->argv[0] || (j->cwd && j->cwd[0] != '/'))
                return vb_error_set(err, EINVAL, "the program to start in the void");
        r = pack(j, &h, &buf, &len);
        if (r < 0)
                return vb_error_set(err, r, "the program to start in the void (at most %d bytes of arguments)",
                                    VB_INIT_REQ_MAX);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return vb_error_set(err, errno, "creating the newcomer's status socket");
        mine = sv[0], theirs = sv[1];
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0)
                return vb_error_set(err, errno, "opening /dev/null");
        n = gather(j, theirs, null, &h, fds);
        if (n < 0)
                return vb_error_set(err, -n, "the fds to hand in (at most %d, distinct targets)", VB_INIT_MAX_FDS);
        memcpy(buf, &h, sizeof(h));
        r = vb_fd_sendmsg(vb_proc_init_sock(p), buf, len, fds, (size_t)n);
        if (r < 0)
                return vb_error_set(err, r == -EPIPE || r == -ECONNREFUSED ? ESRCH : -r,
                                    "asking the void's pid 1 for a newcomer (has the void ended?)");
        vb_closep(&theirs), theirs = -1; /* pid 1 holds it now: EOF on ours means pid 1 is gone */
        return answer(&mine, j->path, out, err);
}
