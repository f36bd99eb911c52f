/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of `voidshim serve`: `voidshim run` hands its command line
 * and fds to the user's server when one runs and the plan is one it serves,
 * and waits for the void's end.  Everything that goes wrong before the server
 * has said "started" makes it run the plan cold, silently: the same void, the
 * same errors, the same exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "serve/serve.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

extern char **environ;

char *serve_pack_args(int argc, char **argv, size_t *len)
{
        size_t total = 0;
        char *buf, *p;

        for (int i = 0; i < argc; i++)
                total += strlen(argv[i]) + 1;
        if (total > SERVE_MAX_ARGS)
                return NULL;
        buf = malloc(total ? total : 1);
        if (!buf)
                return NULL;
        p = buf;
        for (int i = 0; i < argc; i++)
                p = stpcpy(p, argv[i]) + 1;
        *len = total;
        return buf;
}

/* Start a server in the background for the next runs (VOIDSHIM_SERVE=auto); this run goes cold. */
static void autostart(void)
{
        char *argv[] = { "voidshim", "serve", "--background", "--idle", "600", NULL };
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        pid_t pid;

        if (posix_spawn_file_actions_init(&fa) != 0)
                return;
        if (posix_spawnattr_init(&attr) == 0) {
                for (int fd = 0; fd <= 2; fd++)
                        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", O_RDWR, 0);
                posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
                (void)posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, environ);
                posix_spawnattr_destroy(&attr);
        }
        posix_spawn_file_actions_destroy(&fa);
}

/* A connection to our own server, or -errno (-ENOENT, -ECONNREFUSED: none runs; -EPERM: not ours). */
int serve_connect(void)
{
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        struct ucred cred;
        socklen_t clen = sizeof(cred);
        int r = serve_sock_path(sun.sun_path, sizeof(sun.sun_path), false);

        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
                return NEG_ERRNO();
        /* Security: our stdio and command line go only to a server of our own uid. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != geteuid())
                return -EPERM;
        return TAKE_FD(fd);
}

/* One reply: 1, 0 at EOF, -errno (-ECONNRESET: the server never read our request). */
int serve_recv_reply(int fd, struct serve_reply *rep)
{
        for (;;) {
                ssize_t n = recv(fd, rep, sizeof(*rep), 0);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return NEG_ERRNO();
                if (n == 0)
                        return 0;
                return n == sizeof(*rep) && rep->magic == SERVE_MAGIC ? 1 : -EPROTO;
        }
}

int serve_send_req(int fd, enum serve_kind kind, const char *args, size_t len, uint32_t argc, const char *plan,
                   const int *fds, size_t n_fds)
{
        size_t plan_len = plan ? strlen(plan) + 1 : 0;
        struct serve_req hdr = { .magic = SERVE_MAGIC,
                                 .version = SERVE_VERSION,
                                 .kind = kind,
                                 .argc = argc,
                                 .plan_len = (uint32_t)plan_len,
                                 .n_fds = (uint32_t)n_fds };
        _cleanup_free_ char *msg = NULL;

        if (len + plan_len > SERVE_MAX_ARGS)
                return -E2BIG;
        msg = malloc(sizeof(hdr) + len + plan_len);
        if (!msg)
                return -ENOMEM;
        for (size_t i = 0; i < n_fds; i++)
                hdr.fd_of[i] = fds[i];
        memcpy(msg, &hdr, sizeof(hdr));
        if (len)
                memcpy(msg + sizeof(hdr), args, len);
        if (plan_len)
                memcpy(msg + sizeof(hdr) + len, plan, plan_len);
        return vb_fd_sendmsg(fd, msg, sizeof(hdr) + len + plan_len, fds, n_fds);
}

/* The signals of a run back as they were. */
static void unblock(int sfd, const sigset_t *old)
{
        if (sfd >= 0)
                close(sfd);
        sigprocmask(SIG_SETMASK, old, NULL);
}

/*
 * The server's one answer on fd, as serve_recv_reply(); a signal on sfd
 * (SIGINT, SIGTERM, SIGHUP) meanwhile is kept in *sig and ends our half of
 * the connection, which the server reads as our going away: it kills and
 * reaps the void, then closes (end of stream here).
 */
static int wait_reply(int fd, int sfd, struct serve_reply *rep, int *sig)
{
        for (;;) {
                struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;

                if (poll(pfd, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
                        return NEG_ERRNO();
                if (pfd[0].revents)
                        return serve_recv_reply(fd, rep);
                if (sfd >= 0 && (pfd[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si) && !*sig) {
                        *sig = (int)si.ssi_signo;
                        (void)shutdown(fd, SHUT_WR);
                }
        }
}

int serve_try(const char *args, size_t len, int argc, const struct run_opts *o, int *code, bool *ran)
{
        const char *mode = getenv("VOIDSHIM_SERVE");
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *plan = NULL;
        struct serve_reply rep = {};
        sigset_t mask, old;
        int fds[SERVE_MAX_FDS], n, r, sfd, sig = 0;
        char what[512];

        *ran = false;
        /* --info-fd and --json-status-fd report the void's pid, which is the server's to know. */
        if ((mode && strcmp(mode, "0") == 0) || !args || o->explain || o->info_fd >= 0 || o->status_fd >= 0 ||
            serve_plan_why(o->plan))
                return 0;
        n = serve_plan_fds(o->plan, fds, SERVE_MAX_FDS);
        if (n < 0)
                return 0;
        fd = serve_connect();
        if (fd < 0) {
                if ((fd == -ENOENT || fd == -ECONNREFUSED) && mode && strcmp(mode, "auto") == 0)
                        autostart();
                return 0;
        }
        /* The plan as this client made it: the server serves only if its own parse makes the same. */
        plan = vb_plan_to_json(o->plan);
        if (!plan)
                return 0;
        /* As a cold run: SIGINT, SIGTERM, SIGHUP end the void first (cmd_run.c), here through the server. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, &old);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        /* Twice at most: the first time may only have the plan's voids built (SERVE_RETRY). */
        for (int tries = 0;; tries++) {
                r = serve_send_req(fd, SERVE_RUN, args, len, (uint32_t)argc, plan, fds, (size_t)n);
                if (r >= 0)
                        r = wait_reply(fd, sfd, &rep, &sig);
                /* Never read (a reset), declined, or a second retry: ours to run, unless a signal said stop. */
                if (!sig && ((r < 0 && r != -EPROTO) ||
                             (r > 0 && (rep.kind == SERVE_FALLBACK || (rep.kind == SERVE_RETRY && tries > 0))))) {
                        unblock(sfd, &old);
                        return 0;
                }
                if (sig || r <= 0 || rep.kind != SERVE_RETRY)
                        break;
        }
        unblock(sfd, &old);
        if (sig) { /* the server ended the void and reaped it, as a cold run does: 128+N */
                *code = 128 + sig;
                *ran = r > 0 && rep.kind == SERVE_EXITED;
                return 1;
        }
        if (r <= 0 || rep.kind != SERVE_EXITED) {
                /* It read the request and went away: the program may have run.  Never run it twice. */
                snprintf(what, sizeof(what), "run %s", o->plan->program);
                *code = shim_fatal(SHIM_EXIT_SYSTEM, what, "the server (voidshim serve) ended before it did");
                return 1;
        }
        *code = shim_exit_status(rep.value);
        *ran = true;
        return 1;
}
