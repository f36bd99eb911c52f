/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim session run NAME -- CMD: the client.  It asks the supervisor to
 * start CMD in the void (vb_void_newcomer(), or vb_void_join() in a booted
 * session) with our stdin, stdout and stderr,
 * forwards the signals we get, and exits with CMD's status.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session/session.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

/* One line from the supervisor (at most len - 1 bytes), waiting at most timeout_ms (-1: forever). */
static int read_line(int fd, char *buf, size_t len, int timeout_ms)
{
        size_t got = 0;

        while (got + 1 < len) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, timeout_ms) <= 0)
                        return -ETIMEDOUT;
                n = read(fd, buf + got, 1);
                if (n <= 0)
                        return n < 0 ? -errno : -EPIPE;
                if (buf[got] == '\n')
                        break;
                got++;
        }
        buf[got] = '\0';
        return 0;
}

/* "CWD\0ARG0\0...": the request's data. */
static char *request(const char *cwd, char **argv, size_t *len)
{
        size_t n = strlen(cwd) + 1;
        char *buf, *p;

        for (char **a = argv; *a; a++)
                n += strlen(*a) + 1;
        buf = malloc(n);
        if (!buf)
                return NULL;
        p = stpcpy(buf, cwd) + 1;
        for (char **a = argv; *a; a++)
                p = stpcpy(p, *a) + 1;
        *len = n;
        return buf;
}

/* Relay signals until "exit CODE". */
static int wait_exit(int fd, const char *what)
{
        sigset_t mask;
        _cleanup_close_ int sfd = -1;
        char line[256];

        sigemptyset(&mask);
        for (int sig = 1; sig < 32; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD && sig != SIGSEGV && sig != SIGBUS &&
                    sig != SIGFPE && sig != SIGILL && sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
                        sigaddset(&mask, sig);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        for (;;) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;

                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        break;
                while (sfd >= 0 && read(sfd, &si, sizeof(si)) == sizeof(si))
                        dprintf(fd, "signal %u\n", si.ssi_signo);
                if (!p[0].revents)
                        continue;
                if (read_line(fd, line, sizeof(line), 1000) < 0)
                        break;
                if (strncmp(line, "exit ", 5) == 0)
                        return atoi(line + 5);
        }
        return shim_fatal(SHIM_EXIT_SYSTEM, what, "the session ended while it ran");
}

int session_run(int argc, char **argv)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        const char *name = argv[1], *cwd = "";
        char what[PATH_MAX], line[1024];
        int i = 2, r, err, fds[3] = { 0, 1, 2 };
        size_t len;

        if (i < argc && strcmp(argv[i], "--chdir") == 0 && i + 1 < argc)
                cwd = argv[i + 1], i += 2;
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        if (i >= argc || argv[i][0] == '-' || (*cwd && *cwd != '/'))
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                  "expected session run NAME [--chdir /DIR] [--] COMMAND [ARGS...]");
        snprintf(what, sizeof(what), "run %s in session %s", argv[i], name);
        fd = ctl_connect(name);
        if (fd < 0)
                return shim_fatal(SHIM_EXIT_USAGE, what,
                                  fd == -ENOENT || fd == -ECONNREFUSED ? "no session has that name" : strerror(-fd));
        data = request(cwd, argv + i, &len);
        if (!data)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(ENOMEM));
        snprintf(line, sizeof(line), "join %zu\n", len); /* the request's length: it may come in pieces */
        if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 || read_line(fd, line, sizeof(line), 5000) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, "the session does not answer");
        if (strcmp(line, "ready") != 0)
                return shim_fatal(SHIM_EXIT_USAGE, what,
                                  strncmp(line, "error: ", 7) == 0 ? line + 7
                                                                   : "not a session (a run started with --name?)");
        r = vb_fd_sendmsg(fd, data, len, fds, 3);
        if (r < 0 || read_line(fd, line, sizeof(line), 10000) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, r < 0 ? strerror(-r) : "the session does not answer");
        if (strncmp(line, "started ", 8) == 0)
                return wait_exit(fd, what);
        /* "failed: ERRNO STEP: MESSAGE": a program that cannot be run is 127 or 126, as with voidshim run. */
        if (strncmp(line, "failed: ", 8) == 0 && sscanf(line + 8, "%d", &err) == 1) {
                char *msg = strchr(line + 8, ' ');
                bool exec = msg && strncmp(msg + 1, "exec:", 5) == 0;

                msg = msg ? strchr(msg + 1, ' ') : NULL;
                return shim_fatal(exec ? (err == ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC) : SHIM_EXIT_SYSTEM, what,
                                  msg ? msg + 1 : line);
        }
        return shim_fatal(SHIM_EXIT_USAGE, what, strncmp(line, "error: ", 7) == 0 ? line + 7 : line);
}
