/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reaper's side of vb_void_newcomer(): pid 1 of a held void forks each
 * newcomer itself, so the newcomer is born with exactly what the void's first
 * process has (namespaces, ids, capabilities, no_new_privs, the same Landlock
 * domain, the same seccomp filter, rlimits, cgroups), nothing rebuilt.  The
 * protocol is in init.h.  This runs in pid 1, a fork of a possibly threaded
 * caller, under the void's seccomp filter: async-signal-safe calls only,
 * static buffers, and no request, however malformed, may make it block,
 * allocate or exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fdpass.h"
#include "core/init.h"
#include "core/void.h"
#include "voidbuilder.h"

static _Alignas(8) char req_buf[VB_INIT_REQ_MAX];
static char *strings[VB_INIT_MAX_STRINGS + 2]; /* argv, NULL, env, NULL */
static char exec_buf[PATH_MAX];

/* The newcomers running, each with the socket its exit is told on (sock -1: a free slot). */
static struct {
        pid_t pid;
        int sock;
} kids[VB_INIT_MAX_NEWCOMERS] = { [0 ... VB_INIT_MAX_NEWCOMERS - 1] = { 0, -1 } };

/* A parsed request: pointers into req_buf and strings. */
struct request {
        const struct vb_init_req *hdr;
        const char *path, *cwd;
        char **argv, **env; /* env NULL: the void's */
};

/* One reply, never blocking (a requester that does not read loses it), with at most one fd.  Sent? */
static bool reply(int sock, const struct vb_init_reply *r, int fd)
{
        return vb_fd_sendmsg_flags(sock, r, sizeof(*r), fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, MSG_DONTWAIT) >= 0;
}

static void refuse(int sock, int errnum, enum vb_step step, const char *what)
{
        struct vb_init_reply r = { .kind = VB_INIT_FAILED, .rep = { .step = step, .errnum = errnum } };
        size_t n = strlen(what);

        if (n >= sizeof(r.rep.detail))
                n = sizeof(r.rep.detail) - 1;
        memcpy(r.rep.detail, what, n);
        (void)reply(sock, &r, -1);
}

static bool targets_ok(const struct vb_init_req *h)
{
        unsigned std = 0;

        for (uint32_t i = 0; i < h->n_fds; i++) {
                if (h->targets[i] < 0 || h->targets[i] > VB_INIT_MAX_TARGET)
                        return false;
                for (uint32_t k = 0; k < i; k++)
                        if (h->targets[k] == h->targets[i])
                                return false;
                if (h->targets[i] <= 2)
                        std |= 1u << h->targets[i];
        }
        return std == 7; /* 0, 1 and 2 are always given: the reaper has no /dev/null to put there */
}

/* Check the len bytes in req_buf, with n_fds fds after the status socket; fill q.  0 or -EINVAL. */
static int parse(size_t len, size_t n_fds, struct request *q)
{
        const struct vb_init_req *h = (const struct vb_init_req *)req_buf;
        size_t want, k = 0, envc;
        char *p, *end = req_buf + len;

        if (len < sizeof(*h) + 2 || h->magic != VB_INIT_MAGIC || h->argc < 1 || h->envc < -1 ||
            h->n_fds > VB_INIT_MAX_FDS || h->n_fds != n_fds || !targets_ok(h) || end[-1] != '\0')
                return -EINVAL;
        envc = h->envc < 0 ? 0 : (size_t)h->envc;
        if (h->argc > VB_INIT_MAX_STRINGS || envc > VB_INIT_MAX_STRINGS - h->argc)
                return -EINVAL;
        want = 2 + h->argc + envc;
        q->hdr = h;
        /* Every string ends before end (end[-1] is a NUL): count them, and point at each. */
        for (p = req_buf + sizeof(*h); p < end; p += strlen(p) + 1, k++) {
                if (k == want)
                        return -EINVAL; /* more strings than the header says */
                if (k == 0)
                        q->path = p;
                else if (k == 1)
                        q->cwd = p;
                else if (k < 2 + h->argc)
                        strings[k - 2] = p;
                else
                        strings[k - 1] = p; /* after argv's NULL */
        }
        if (k != want || !q->path[0] || (q->cwd[0] && q->cwd[0] != '/'))
                return -EINVAL;
        strings[h->argc] = NULL;
        strings[h->argc + 1 + envc] = NULL;
        q->argv = strings;
        q->env = h->envc < 0 ? NULL : strings + h->argc + 1;
        return 0;
}

/* The newcomer, before exec: a failure goes to the reaper on errfd as a struct vb_report. */
static _Noreturn void child_fail(int errfd, enum vb_step step, int errnum, const char *what)
{
        struct vb_report rep = { .step = step, .errnum = errnum };
        size_t n = strlen(what);

        if (n >= sizeof(rep.detail))
                n = sizeof(rep.detail) - 1;
        memcpy(rep.detail, what, n);
        (void)!write(errfd, &rep, sizeof(rep));
        _exit(127);
}

static const char *env_path(char *const *env)
{
        for (; env && *env; env++)
                if (strncmp(*env, "PATH=", 5) == 0)
                        return *env + 5;
        return "/usr/local/bin:/usr/bin:/bin";
}

/* execve() path, searched in env's PATH when it has no '/' (no snprintf: we are a fork of pid 1). */
static int exec_search(const char *path, char **argv, char **env)
{
        size_t plen = strlen(path);
        int r = -ENOENT;

        if (strchr(path, '/')) {
                execve(path, argv, env);
                return -errno;
        }
        for (const char *d = env_path(env); *d;) {
                const char *e = strchrnul(d, ':');
                size_t dlen = (size_t)(e - d);

                if (dlen + 1 + plen < sizeof(exec_buf)) {
                        memcpy(exec_buf, d, dlen);
                        exec_buf[dlen] = '/';
                        memcpy(exec_buf + dlen + 1, path, plen + 1);
                        execve(exec_buf, argv, env);
                        if (errno != ENOENT)
                                r = -errno;
                }
                d = *e ? e + 1 : e;
        }
        return r;
}

/*
 * The newcomer: a session of its own, the fds at their targets (moved above
 * every target first, so none overwrites another), the directory, exec.
 * Everything else it holds is the reaper's and close-on-exec.
 */
static _Noreturn void newcomer(const struct request *q, const struct vb_void *v, int *fds, int errfd)
{
        const struct vb_init_req *h = q->hdr;
        int top = 2, r;
        sigset_t none;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* the reaper blocks them all */
        if (setsid() < 0)
                child_fail(errfd, VB_STEP_SESSION, errno, "setsid");
        for (uint32_t i = 0; i < h->n_fds; i++)
                if (h->targets[i] > top)
                        top = h->targets[i];
        if (errfd <= top && (errfd = fcntl(errfd, F_DUPFD_CLOEXEC, top + 1)) < 0)
                _exit(127);
        for (uint32_t i = 0; i < h->n_fds; i++)
                if (fds[i] <= top && (fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, top + 1)) < 0)
                        child_fail(errfd, VB_STEP_FDS, errno, "moving the fds handed in");
        for (uint32_t i = 0; i < h->n_fds; i++)
                if (dup3(fds[i], h->targets[i], 0) < 0) /* without O_CLOEXEC: inherited */
                        child_fail(errfd, VB_STEP_FDS, errno, "placing the fds handed in");
        if (chdir(q->cwd[0] ? q->cwd : v->cwd ? v->cwd : "/") < 0)
                child_fail(errfd, VB_STEP_CHDIR, errno, q->cwd[0] ? q->cwd : v->cwd ? v->cwd : "/");
        r = exec_search(q->path, q->argv, q->env ? q->env : v->env);
        child_fail(errfd, VB_STEP_EXEC, -r, q->path);
}

static int free_slot(void)
{
        for (int i = 0; i < VB_INIT_MAX_NEWCOMERS; i++)
                if (kids[i].sock < 0)
                        return i;
        return -1;
}

/* Fork q's newcomer and answer on sock; sock is kept (in slot) when it started, closed otherwise. */
static void start(const struct request *q, const struct vb_void *v, int *fds, int sock, int slot)
{
        struct vb_init_reply r = { .kind = VB_INIT_STARTED };
        int pp[2], pidfd, st;
        ssize_t n;
        pid_t pid;

        if (pipe2(pp, O_CLOEXEC) < 0) {
                refuse(sock, errno, VB_STEP_FORK, "the newcomer's report pipe");
                close(sock);
                return;
        }
        pid = _Fork();
        if (pid == 0)
                newcomer(q, v, fds, pp[1]);
        close(pp[1]);
        if (pid < 0) {
                refuse(sock, errno, VB_STEP_FORK, "forking the newcomer");
                close(pp[0]), close(sock);
                return;
        }
        /* EOF: it exec'd (the pipe is close-on-exec), or died before it could say why. */
        do
                n = read(pp[0], &r.rep, sizeof(r.rep));
        while (n < 0 && errno == EINTR);
        close(pp[0]);
        pidfd = n > 0 ? -1 : pidfd_open(pid, 0);
        if (n > 0 || pidfd < 0) {
                if (n <= 0) {
                        (void)kill(pid, SIGKILL);
                        refuse(sock, errno, VB_STEP_FORK, "opening the newcomer's pidfd");
                } else {
                        r.kind = VB_INIT_FAILED;
                        (void)reply(sock, &r, -1);
                }
                (void)waitpid(pid, &st, 0);
                close(sock);
                return;
        }
        r.pid = pid;
        if (!reply(sock, &r, pidfd))
                (void)kill(pid, SIGKILL); /* no one will hear of it: it does not run unheard of */
        close(pidfd);
        kids[slot].pid = pid;
        kids[slot].sock = sock;
}

/* A zero-length message reads as EOF: the peer's end is closed only when the socket says so. */
static bool hung_up(int sock)
{
        struct pollfd p = { .fd = sock, .events = POLLIN };

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

int vb_init_serve_one(int sock, const struct vb_void *v)
{
        int fds[1 + VB_INIT_MAX_FDS], n, slot, status;
        size_t len = sizeof(req_buf);
        struct request q = {};
        bool eof;

        n = vb_fd_recvmsg(sock, req_buf, &len, fds, ELEMENTSOF(fds), MSG_DONTWAIT, &eof);
        if (n == -EAGAIN || n == -EINTR)
                return 0;
        if (n < 0 || (eof && !hung_up(sock))) { /* too long, too many fds, or empty: it is closed already */
                refuse(sock, n < 0 ? -n : EINVAL, VB_STEP_WAIT, "a malformed request");
                return 0;
        }
        if (eof)
                return -EPIPE;
        status = n > 0 ? fds[0] : sock;
        if (n == 0 || parse(len, (size_t)n - 1, &q) < 0) {
                refuse(status, EINVAL, VB_STEP_WAIT, "a malformed request");
        } else if ((slot = free_slot()) < 0) {
                refuse(status, EAGAIN, VB_STEP_FORK, "too many newcomers running in the void");
        } else {
                start(&q, v, fds + 1, status, slot);
                status = -1; /* start() keeps or closes it */
        }
        if (status >= 0 && status != sock)
                close(status);
        for (int i = 1; i < n; i++)
                close(fds[i]);
        return 0;
}

void vb_init_served_exit(pid_t pid, int status)
{
        for (int i = 0; i < VB_INIT_MAX_NEWCOMERS; i++) {
                if (kids[i].sock < 0 || kids[i].pid != pid)
                        continue;
                (void)reply(kids[i].sock,
                            &(struct vb_init_reply){ .kind = VB_INIT_EXITED, .pid = pid, .status = status }, -1);
                close(kids[i].sock);
                kids[i].sock = -1;
                return;
        }
}
