/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim serve [--background] [--depth N] [--idle SECONDS] | --stop | --status
 *
 * A per-user server of warm voids for `voidshim run` (doc/voidshim-serve.md).
 * It listens on DIR/.serve.sock (DIR: the runtime directory of the control
 * sockets, private to the user), and leaves nothing behind when it ends: not
 * the socket, not a void.  A janitor, a child that holds only a pipe from
 * it, removes the socket even when the server is killed outright (SIGKILL
 * ends every void of the server's by PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serve/serve_loop.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

#define SERVE_DEPTH_DEFAULT 2

static const char *const why_names[WHY_COUNT] = {
        [WHY_NONE] = "-",      [WHY_PROTOCOL] = "protocol", [WHY_PEER] = "peer",         [WHY_PLAN] = "plan",
        [WHY_BUILD] = "build", [WHY_SPAWN] = "spawn",       [WHY_STOPPING] = "stopping",
};

static int usage(FILE *f, int code)
{
        fputs("usage: voidshim serve [--background] [--depth N] [--idle SECONDS]\n"
              "       voidshim serve --stop | --status\n"
              "\n"
              "Keep voids built ahead of time for `voidshim run`, which uses this server when it\n"
              "runs and the run is one it serves, and otherwise runs as always (doc/voidshim-serve.md).\n"
              "One server per user, on a socket in the user's runtime directory.\n"
              "\n"
              "  --background    detach once listening (the server's output goes to /dev/null)\n"
              "  --depth N       voids kept ready per plan (default 2, 1 to 64)\n"
              "  --idle SECONDS  stop after SECONDS without a client (default 0: never)\n"
              "  --stop          stop the running server (new runs go cold at once; it ends\n"
              "                  when the voids it runs have ended) and wait for it\n"
              "  --status        what the server holds and how many runs it served\n"
              "\n"
              "VOIDSHIM_SERVE=0 makes voidshim run ignore the server; VOIDSHIM_SERVE=auto starts\n"
              "one in the background (--idle 600) when none runs.\n",
              f);
        return code;
}

/* ---- the clients of --stop and --status ------------------------------------------ */

static int ask(enum serve_kind kind, int *out)
{
        int fd = serve_connect();

        if (fd < 0)
                return fd;
        if (serve_send_req(fd, kind, NULL, 0, 0, NULL, NULL, 0) < 0) {
                close(fd);
                return -ECONNRESET;
        }
        *out = fd;
        return 0;
}

static int do_stop(void)
{
        _cleanup_close_ int fd = -1, pidfd = -1;
        struct serve_reply rep;
        struct pollfd p;
        int r = ask(SERVE_STOP, &fd);

        if (r == -ENOENT || r == -ECONNREFUSED)
                return 0; /* none runs: stopped already */
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "stop the server", strerror(-r));
        if (serve_recv_reply(fd, &rep) <= 0 || rep.kind != SERVE_STOP)
                return shim_fatal(SHIM_EXIT_SYSTEM, "stop the server", "it did not answer");
        /* Wait until it has ended (its voids with it), at most a minute. */
        pidfd = pidfd_open(rep.value, 0);
        p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
        if (pidfd >= 0 && poll(&p, 1, 60000) == 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "stop the server", "its voids still run after a minute");
        return 0;
}

static int do_status(void)
{
        _cleanup_close_ int fd = -1;
        char buf[16384];
        ssize_t n;
        int r = ask(SERVE_STATUS, &fd);

        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "ask the server",
                                  r == -ENOENT || r == -ECONNREFUSED ? "none runs" : strerror(-r));
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "ask the server", "it did not answer");
        buf[n] = '\0';
        fputs(buf, stdout);
        return 0;
}

void serve_status(struct server *s, int fd)
{
        char buf[16384];
        size_t len = 0;

#define ADD(...) len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0, __VA_ARGS__)
        ADD("pid %d\njanitor %d\nsocket %s\ndepth %u\nidle %u\nserved %lu\nrunning %zu\nbuilt %lu\nrefused %lu\n",
            (int)getpid(), (int)s->janitor, s->path, s->pools.depth, s->idle, s->n_served, s->n_running, s->n_built,
            s->n_refused);
        ADD("declined");
        for (int w = WHY_PROTOCOL; w < WHY_COUNT; w++)
                ADD(" %s=%lu", why_names[w], s->fallbacks[w]);
        ADD("\npools %zu\n", s->pools.n);
        for (size_t i = 0; i < s->pools.n; i++) {
                const char *prog = strstr(s->pools.p[i].key, "\"path\":");

                ADD("pool %zu served %lu program %.*s\n", i + 1, s->pools.p[i].served,
                    prog ? (int)strcspn(prog + 7, ",}") : 1, prog ? prog + 7 : "?");
        }
#undef ADD
        (void)!send(fd, buf, len < sizeof(buf) ? len : sizeof(buf) - 1, MSG_NOSIGNAL);
}

/* ---- setting up, and leaving nothing behind --------------------------------------- */

void serve_unlink(struct server *s)
{
        struct stat st;
        char dir[PATH_MAX];

        if (!s->path[0] || lstat(s->path, &st) < 0 || st.st_dev != s->sock_dev || st.st_ino != s->sock_ino)
                return;
        unlink(s->path);
        /* The runtime directory goes too when nothing else is in it (a control socket may be). */
        snprintf(dir, sizeof(dir), "%s", s->path);
        *strrchr(dir, '/') = '\0';
        (void)rmdir(dir);
}

/* fds 0, 1 and 2 on /dev/null. */
static void to_dev_null(void)
{
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

        for (int i = 0; fd >= 0 && i <= 2; i++)
                (void)dup2(fd, i);
        if (fd > 2)
                close(fd);
}

/*
 * The janitor: a child that holds nothing but the read end of a pipe whose
 * write end only the server holds, out of the terminal's process group.  When
 * the server ends, however it ends, it reads end-of-file and removes the
 * socket (only if it is still the server's).
 */
static int start_janitor(struct server *s)
{
        int p[2];
        char c;

        if (pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        s->janitor = fork();
        if (s->janitor < 0)
                return NEG_ERRNO();
        if (s->janitor == 0) {
                int keep = p[0];

                if (dup2(keep, 3) < 0)
                        _exit(1);
                syscall(SYS_close_range, 4, ~0U, 0);
                to_dev_null();
                (void)setsid();
                signal(SIGINT, SIG_IGN);
                signal(SIGTERM, SIG_IGN);
                signal(SIGHUP, SIG_IGN);
                while (read(3, &c, 1) < 0 && errno == EINTR)
                        ;
                serve_unlink(s);
                _exit(0);
        }
        close(p[0]);
        s->janitor_fd = p[1];
        return 0;
}

static int bind_socket(struct server *s)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        struct stat st;
        int fd, probe = serve_connect();

        if (probe >= 0) {
                close(probe);
                return -EADDRINUSE; /* a live server answers there */
        }
        if (strlen(s->path) >= sizeof(sun.sun_path))
                return -ENAMETOOLONG;
        strcpy(sun.sun_path, s->path);
        (void)unlink(s->path); /* left by a server killed before its janitor could act */
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(s->path, 0600) < 0 || lstat(s->path, &st) < 0 ||
            listen(fd, 64) < 0) {
                int r = NEG_ERRNO();

                close(fd);
                return r;
        }
        s->sock_dev = st.st_dev;
        s->sock_ino = st.st_ino;
        s->listen_fd = fd;
        return 0;
}

/* Everything the loop needs; 0 or an exit status (said). */
static int setup(struct server *s)
{
        char dir[PATH_MAX];
        sigset_t mask;
        int r;

        r = serve_sock_path(s->path, sizeof(s->path), true);
        if (r < 0) {
                s->path[0] = '\0';
                return shim_fatal(SHIM_EXIT_SYSTEM, "make the runtime directory", strerror(-r));
        }
        snprintf(dir, sizeof(dir), "%s", s->path);
        *strrchr(dir, '/') = '\0';
        {
                /* Two servers starting at once: one binds, the other finds it live. */
                _cleanup_close_ int lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                if (lock < 0 || flock(lock, LOCK_EX) < 0)
                        return shim_fatal(SHIM_EXIT_SYSTEM, "lock the runtime directory", strerror(errno));
                r = bind_socket(s);
        }
        if (r < 0) {
                char what[PATH_MAX + 32];

                snprintf(what, sizeof(what), "listen on %s", s->path);
                s->path[0] = '\0'; /* not ours to remove */
                return r == -EADDRINUSE ? -EADDRINUSE : shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-r));
        }
        r = serve_attrs_read(0, &s->self);
        if (r >= 0)
                r = start_janitor(s);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        signal(SIGPIPE, SIG_IGN);
        /* Blocked here only: every void resets its signal mask and dispositions before it execs. */
        if (r >= 0 && sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                r = NEG_ERRNO();
        if (r >= 0 && (s->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
                r = NEG_ERRNO();
        if (r >= 0 && (s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
                r = NEG_ERRNO();
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "start the server", strerror(-r));
        return 0;
}

static void teardown(struct server *s)
{
        for (size_t i = 0; i < s->n_conns; i++) {
                if (s->conns[i].p)
                        s->conns[i].p = vb_proc_free(s->conns[i].p); /* SIGKILL and reap */
                vb_closep(&s->conns[i].fd);
        }
        free(s->conns);
        serve_pools_done(&s->pools);
        serve_unlink(s);
        vb_closep(&s->listen_fd);
        vb_closep(&s->epfd);
        vb_closep(&s->sig_fd);
        if (s->janitor > 0) {
                vb_closep(&s->janitor_fd); /* it reads end-of-file, finds the socket gone, and leaves */
                while (waitpid(s->janitor, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
}

/* --background: the caller returns once the server listens (0), or with its exit status. */
static int background(int *ready)
{
        int p[2], status = 0;
        pid_t pid;
        char c;

        if (pipe2(p, O_CLOEXEC) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "start the server", strerror(errno));
        pid = fork();
        if (pid < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "start the server", strerror(errno));
        if (pid == 0) {
                close(p[0]);
                (void)setsid();
                *ready = p[1];
                return -1; /* the server goes on */
        }
        close(p[1]);
        /* It listens (or one ran already); or end-of-file: it said why on our stderr, and left. */
        if (read(p[0], &c, 1) == 1)
                _exit(0);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : SHIM_EXIT_SYSTEM);
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || !*s || *end || *s == '-' || v > max)
                return -EINVAL;
        *out = (unsigned)v;
        return 0;
}

int cmd_serve(int argc, char **argv)
{
        struct server s = { .listen_fd = -1, .epfd = -1, .sig_fd = -1, .janitor_fd = -1 };
        bool bg = false;
        int ready = -1, rc;

        s.pools.depth = SERVE_DEPTH_DEFAULT;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--stop") == 0)
                        return do_stop();
                if (strcmp(argv[i], "--status") == 0)
                        return do_status();
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                        return usage(stdout, 0);
                if (strcmp(argv[i], "--background") == 0)
                        bg = true;
                else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc &&
                         parse_uint(argv[i + 1], 64, &s.pools.depth) == 0 && s.pools.depth > 0)
                        i++;
                else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc &&
                         parse_uint(argv[i + 1], 1U << 30, &s.idle) == 0)
                        i++;
                else
                        return usage(stderr, SHIM_EXIT_USAGE);
        }
        if (bg && (rc = background(&ready)) >= 0)
                return rc;
        rc = setup(&s);
        if (rc == -EADDRINUSE) {
                /* One per user: a second start finds the first. */
                if (ready >= 0)
                        (void)!write(ready, "a", 1);
                rc = bg ? 0
                        : shim_fatal(SHIM_EXIT_SYSTEM, "start the server",
                                     "one runs already (voidshim serve --status)");
        } else if (rc == 0) {
                if (ready >= 0) {
                        to_dev_null(); /* detached: keep nothing of the caller's */
                        (void)!write(ready, "r", 1);
                }
                rc = serve_loop(&s);
        }
        vb_closep(&ready);
        teardown(&s);
        return rc;
}
