/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's supervisor: a daemon (two forks, a session of its own, stdio on
 * /dev/null) that starts the caretakers and the void of its plan and serves
 * the control socket with care_supervise(), plus the session's requests (see
 * session.h) through its hooks.  It tells the command that started it, over a
 * pipe, whether the void runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session/session.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

#define MAX_JOINED 60
#define RUNIT_STOP                                                                           \
        "for f in /run/runit.stopit /etc/runit/stopit; do [ -e $f ] && chmod 100 $f; done; " \
        "for f in /run/runit.reboot /etc/runit/reboot; do [ -e $f ] && chmod 0 $f; done"
#define JOIN_MAX_MSG (64 * 1024)

struct joined {
        struct vb_proc *proc;
        int client;
};

struct session {
        const char *name;
        const struct vb_plan *plan;
        struct vb_void *v;
        bool boot;
        struct joined j[MAX_JOINED];
        size_t n;
        int end_client;          /* the `end` that waits for the session to be gone, or -1 */
        struct vb_proc *stopper; /* runit-init 0, run in the void to stop runit, or NULL */
        int timer;               /* SIGKILL after the grace period, once ending; or -1 */
};

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : SHIM_EXIT_SYSTEM;
}

/* "CWD\0ARG0\0ARG1\0...": split in place; NULL-terminated argv (malloc'd) in *argv. */
static int split_request(char *buf, size_t len, char **cwd, char ***argv)
{
        size_t n = 0, k = 0;

        if (len == 0 || buf[len - 1] != '\0')
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                n += buf[i] == '\0';
        if (n < 2)
                return -EINVAL;
        *argv = calloc(n, sizeof(char *));
        if (!*argv)
                return -ENOMEM;
        *cwd = buf;
        for (char *p = buf + strlen(buf) + 1; p < buf + len; p += strlen(p) + 1)
                (*argv)[k++] = p;
        return 0;
}

/*
 * The request's want bytes: the first part with its fds (one recvmsg), the rest as the stream
 * brings it (a long command line arrives in pieces), 5 s at most.  n fds, or -errno.
 */
static int recv_request(int fd, char *buf, size_t want, int fds[3])
{
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        size_t got = want;
        bool eof = false;
        int n;

        n = poll(&pfd, 1, 5000) > 0 ? vb_fd_recvmsg(fd, buf, &got, fds, 3, 0, &eof) : -ETIMEDOUT;
        while (n >= 0 && !eof && got < want) {
                ssize_t k;

                if (poll(&pfd, 1, 5000) <= 0)
                        return -ETIMEDOUT;
                k = read(fd, buf + got, want - got);
                if (k <= 0)
                        return k < 0 ? -errno : -EPROTO;
                got += (size_t)k;
        }
        return n < 0 ? n : eof || got != want ? -EPROTO : n;
}

static void join(struct session *s, struct vb_proc *p, int fd, size_t want, bool *keep)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *buf = malloc(JOIN_MAX_MSG), **argv = NULL;
        int fds[3] = { -1, -1, -1 }, n, r;
        struct vb_warm_fd give[3];
        struct vb_proc *jp = NULL;
        struct vb_join j;
        size_t n_give = 0;
        char *cwd = NULL;

        if (s->n >= MAX_JOINED || s->end_client >= 0) {
                care_reply(fd, "error: %s\n",
                           s->n >= MAX_JOINED ? "too many processes joined this session" : "the session is ending");
                return;
        }
        if (want == 0 || want > JOIN_MAX_MSG) {
                care_reply(fd, "error: the command line and working directory take %zu bytes, more than %d\n", want,
                           JOIN_MAX_MSG);
                return;
        }
        care_reply(fd, "ready\n");
        n = buf ? recv_request(fd, buf, want, fds) : -ENOMEM;
        if (n < 0 || split_request(buf, want, &cwd, &argv) < 0) {
                care_reply(fd, "error: a malformed join request\n");
                goto out;
        }
        for (int i = 0; i < n; i++)
                give[n_give++] = (struct vb_warm_fd){ .fd = fds[i], .target = i };
        j = (struct vb_join){ .path = argv[0], .argv = argv, .cwd = *cwd ? cwd : NULL, .fds = give, .n_fds = n_give };
        /*
         * Our reaper forks the newcomer: it is in the first process's Landlock domain and under its
         * seccomp filter, inherited.  A tree's own init (or any pid 1 not ours) cannot: the
         * newcomer joins, its restrictions rebuilt (a Landlock domain of its own).
         */
        r = s->boot ? -EOPNOTSUPP : vb_void_newcomer(p, &j, &jp, &err);
        if (r == -EOPNOTSUPP) { /* no reaper of ours holds the void */
                err = vb_error_free(err);
                r = vb_void_join(s->v, p, &j, &jp, &err);
        }
        if (r < 0) {
                care_reply(fd, "failed: %d %s: %s\n", -r, err && err->step ? err->step : "join",
                           err && err->msg ? err->msg : strerror(-r));
                goto out;
        }
        care_reply(fd, "started %d\n", (int)vb_proc_pid(jp));
        s->j[s->n++] = (struct joined){ .proc = jp, .client = fd };
        *keep = true;
out:
        for (int i = 0; i < 3; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
}

/* Ask the init to stop; SIGKILL it when the grace period is over. */
static void end(struct session *s, struct vb_proc *p)
{
        struct itimerspec t = { .it_value = { .tv_sec = SESSION_END_GRACE_SECONDS } };

        if (s->timer >= 0)
                return;
        /*
         * runit(8) stops on SIGCONT only once its stopit file is executable (and reboot is not), which
         * is what runit-init 0 does; it cannot here (the files are mode 0 and the void holds no
         * CAP_DAC_OVERRIDE), but their owner can chmod them, from inside.  The signal comes from us:
         * a newcomer is a Landlock domain of its own, which may not signal the void's init.
         */
        if (s->boot && session_shutdown_signal(s->plan) == SIGCONT &&
            vb_void_join(
                    s->v, p,
                    &(struct vb_join){ .path = "/bin/sh", .argv = (char *const[]){ "sh", "-c", RUNIT_STOP, NULL } },
                    &s->stopper, NULL) >= 0) {
                struct pollfd pfd = { .fd = vb_proc_pidfd(s->stopper), .events = POLLIN };

                (void)poll(&pfd, 1, 5000);
        }
        (void)vb_proc_kill(p, s->boot ? session_shutdown_signal(s->plan) : SIGTERM);
        s->timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
        if (s->timer < 0 || timerfd_settime(s->timer, 0, &t, NULL) < 0)
                (void)vb_proc_kill(p, SIGKILL);
}

static bool hook_serve(void *data, struct vb_proc *p, int fd, const char *req, bool *keep)
{
        struct session *s = data;

        if (strcmp(req, "kind") == 0) {
                care_reply(fd, "session %d %s %s\nok\n", (int)vb_proc_pid(p), s->boot ? "boot" : "reaper",
                           s->plan->root ? s->plan->root : "-");
                return true;
        }
        if (strncmp(req, "join ", 5) == 0) { /* "join LEN": LEN bytes of request follow "ready" */
                char *end;
                unsigned long long want = strtoull(req + 5, &end, 10);

                join(s, p, fd, *end == '\0' && want <= SIZE_MAX ? (size_t)want : 0, keep);
                return true;
        }
        if (strcmp(req, "end") == 0) {
                if (s->end_client >= 0) {
                        care_reply(fd, "error: the session is ending already\n");
                        return true;
                }
                s->end_client = fd;
                *keep = true;
                end(s, p);
                return true;
        }
        return false;
}

static size_t hook_pollfds(void *data, struct pollfd *pfd, size_t max)
{
        struct session *s = data;
        size_t k = 0;

        for (size_t i = 0; i < s->n && k + 2 <= max; i++) {
                pfd[k++] = (struct pollfd){ .fd = vb_proc_pidfd(s->j[i].proc), .events = POLLIN };
                pfd[k++] = (struct pollfd){ .fd = s->j[i].client, .events = POLLIN };
        }
        if (k < max)
                pfd[k++] = (struct pollfd){ .fd = s->timer, .events = POLLIN };
        return k;
}

static void drop(struct session *s, size_t i)
{
        vb_proc_free(s->j[i].proc);
        close(s->j[i].client);
        s->j[i] = s->j[--s->n];
}

/* The client of a joined process: "signal N" to forward, or gone (the process goes too). */
static void client_says(struct joined *j)
{
        char buf[64];
        ssize_t n = recv(j->client, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        int sig;

        if (n <= 0) {
                (void)vb_proc_kill(j->proc, SIGKILL);
                return;
        }
        buf[n] = '\0';
        for (char *line = buf; (line = strstr(line, "signal ")); line += 7)
                if ((sig = atoi(line + 7)) > 0 && sig < NSIG)
                        (void)vb_proc_kill(j->proc, sig);
}

static void hook_events(void *data, struct vb_proc *p, const struct pollfd *pfd, size_t n)
{
        struct session *s = data;
        size_t pairs = s->n < n / 2 ? s->n : n / 2;

        /* Backwards: drop() moves the last one into the slot it frees, which was seen already. */
        for (size_t i = pairs; i-- > 0;) {
                int status;

                if (pfd[2 * i + 1].revents)
                        client_says(&s->j[i]);
                if (pfd[2 * i].revents && vb_proc_wait(s->j[i].proc, &status) == 0) {
                        care_reply(s->j[i].client, "exit %d\n", exit_code(status));
                        drop(s, i);
                }
        }
        if (2 * pairs < n && pfd[2 * pairs].fd >= 0 && pfd[2 * pairs].revents)
                (void)vb_proc_kill(p, SIGKILL); /* the grace period is over */
}

static bool hook_signal(void *data, struct vb_proc *p, int sig)
{
        end(data, p); /* SIGTERM, SIGINT, SIGHUP to the supervisor: end the session as `end` would */
        return true;
}

/* Did the booted init end within its first half second?  Then its status is in *status. */
static bool init_exited(struct vb_proc *p, int *status)
{
        struct pollfd pfd = { .fd = vb_proc_pidfd(p), .events = POLLIN };

        return poll(&pfd, 1, 500) > 0 && vb_proc_wait(p, status) == 0;
}

/* Tell the command that started us how it went: "0" or "CODE\tWHAT\tCAUSE". */
static void tell(int fd, int code, const char *what, const char *cause)
{
        if (fd < 0)
                return;
        if (code == 0)
                (void)!write(fd, "0\n", 2);
        else
                dprintf(fd, "%d\t%s\t%s\n", code, what, cause);
        close(fd);
}

static int supervise(struct session *s, struct vb_plan *p, int ready)
{
        static struct care_hooks hooks = {
                .serve = hook_serve, .pollfds = hook_pollfds, .events = hook_events, .signal = hook_signal
        };
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct care_sup *sup = NULL;
        struct vb_proc *proc = NULL;
        int r, status = 0;

        r = care_prepare(p, &sup, &err);
        if (r < 0) {
                tell(ready, r == -EINVAL ? SHIM_EXIT_USAGE : SHIM_EXIT_SYSTEM, "start the caretakers",
                     err ? err->msg : strerror(-r));
                return 1;
        }
        r = vb_plan_apply(p, false, &s->v, &err);
        care_applied(sup, p);
        if (r >= 0)
                r = vb_void_spawn(s->v, &proc, &err);
        if (r < 0) {
                bool exec = err && err->step && strcmp(err->step, "exec") == 0;

                tell(ready, exec ? (r == -ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC) : SHIM_EXIT_USAGE,
                     "start the session", err ? err->msg : strerror(-r));
                care_free(sup);
                vb_void_free(s->v);
                return 1;
        }
        if (s->boot && init_exited(proc, &status)) { /* a tree's init that gives up at once: say so */
                char why[256];

                snprintf(why, sizeof(why), "its init %s exited at once (status %d)", p->program, exit_code(status));
                tell(ready, SHIM_EXIT_SYSTEM, "start the session", why);
                vb_proc_free(proc);
                care_free(sup);
                vb_void_free(s->v);
                return 1;
        }
        tell(ready, 0, NULL, NULL);
        hooks.data = s;
        care_set_hooks(sup, &hooks);
        (void)care_supervise(sup, proc, &status);
        while (s->n)
                drop(s, s->n - 1);
        vb_proc_free(s->stopper);
        vb_proc_free(proc);
        vb_void_free(s->v);
        care_free(sup); /* sockets, caretakers, the run directory */
        if (s->timer >= 0)
                close(s->timer);
        if (s->end_client >= 0) {
                care_reply(s->end_client, "ok\n");
                close(s->end_client);
        }
        return 0;
}

/* The daemon: a session of its own (no terminal, no SIGHUP from one), stdio on /dev/null. */
static _Noreturn void daemon_main(const char *name, struct vb_plan *p, bool boot, int ready)
{
        struct session s = { .name = name, .plan = p, .boot = boot, .end_client = -1, .timer = -1 };
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (setsid() < 0 || null < 0) {
                tell(ready, SHIM_EXIT_SYSTEM, "detach the session", strerror(errno));
                _exit(1);
        }
        if (fork() != 0)
                _exit(0); /* the daemon is not a session leader: it can never take a terminal */
        for (int fd = 0; fd <= 2; fd++)
                dup2(null, fd);
        close(null);
        _exit(supervise(&s, p, ready));
}

int session_start(const char *name, struct vb_plan *p, bool boot)
{
        int pipes[2], status;
        char buf[4096] = "";
        ssize_t n, got = 0;
        pid_t pid;

        if (pipe2(pipes, O_CLOEXEC) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "start the session", strerror(errno));
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "start the session", strerror(errno));
        if (pid == 0) {
                close(pipes[0]);
                daemon_main(name, p, boot, pipes[1]);
        }
        close(pipes[1]);
        (void)waitpid(pid, &status, 0);
        while (got < (ssize_t)sizeof(buf) - 1 && (n = read(pipes[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
                got += n;
        close(pipes[0]);
        buf[got] = '\0';
        if (strcmp(buf, "0\n") == 0)
                return 0;
        {
                char *what = strchr(buf, '\t'), *cause = what ? strchr(what + 1, '\t') : NULL;
                int code = atoi(buf);

                if (!what || !cause)
                        return shim_fatal(SHIM_EXIT_SYSTEM, "start the session", "its supervisor died");
                *what++ = '\0';
                *cause++ = '\0';
                cause[strcspn(cause, "\n")] = '\0';
                return shim_fatal(code ? code : SHIM_EXIT_SYSTEM, what, cause);
        }
}
