/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: ways out of a void that tests/integration/test-escapes.sh tries (see probe.c). */
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <sys/un.h>
#include <termios.h>

#include "probe.h"

/* ---- terminals ------------------------------------------------------------- */

/*
 * term OP [FD]: one terminal operation on FD (default 0).  get: tcgetattr;
 * set: tcsetattr with the settings it has (a change in form only); high: the
 * same TCSETS with the upper 32 bits of the request set (the kernel ignores
 * them); winsz / setwinsz: TIOCGWINSZ, TIOCSWINSZ (40x100); flush: tcflush;
 * flow: tcflow(TCOON); pgrp: tcsetpgrp to our group; ctty: TIOCSCTTY; excl:
 * TIOCEXCL; write: a line written to it.
 */
int cmd_term(char **argv)
{
        struct winsize ws = { .ws_row = 40, .ws_col = 100 };
        struct termios t;
        long fd = 0;

        if (argv[1] && !parse_long(argv[1], 0, 1 << 20, &fd))
                return usage();
        if (strcmp(argv[0], "get") == 0)
                return result(tcgetattr((int)fd, &t));
        if (strcmp(argv[0], "set") == 0 || strcmp(argv[0], "high") == 0) {
                if (tcgetattr((int)fd, &t) < 0)
                        return fail();
                if (argv[0][0] == 's')
                        return result(tcsetattr((int)fd, TCSANOW, &t));
                return result(syscall(SYS_ioctl, (int)fd, 0x100000000UL | TCSETS, &t));
        }
        if (strcmp(argv[0], "winsz") == 0)
                return result(ioctl((int)fd, TIOCGWINSZ, &ws));
        if (strcmp(argv[0], "setwinsz") == 0)
                return result(ioctl((int)fd, TIOCSWINSZ, &ws));
        if (strcmp(argv[0], "flush") == 0)
                return result(tcflush((int)fd, TCIFLUSH));
        if (strcmp(argv[0], "flow") == 0)
                return result(tcflow((int)fd, TCOON));
        if (strcmp(argv[0], "pgrp") == 0)
                return result(tcsetpgrp((int)fd, getpgrp()));
        if (strcmp(argv[0], "ctty") == 0)
                return result(ioctl((int)fd, TIOCSCTTY, 0));
        if (strcmp(argv[0], "excl") == 0)
                return result(ioctl((int)fd, TIOCEXCL));
        if (strcmp(argv[0], "write") == 0)
                return result(write((int)fd, "term-write-ok\n", 14) == 14 ? 0 : -1);
        return usage();
}

/* writeat N NAME: create NAME relative to the inherited directory fd N and write a line: ok, or the errno. */
int cmd_writeat(char **argv)
{
        long dfd;
        int fd;

        if (!parse_long(argv[0], 0, 1 << 20, &dfd))
                return usage();
        fd = openat((int)dfd, argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return fail();
        if (write(fd, "probe\n", 6) != 6)
                return fail();
        return result(close(fd));
}

/* ---- unix sockets ----------------------------------------------------------- */

/* A sockaddr for a path, or for an abstract name when it starts with '@'. */
static socklen_t unix_addr(const char *name, struct sockaddr_un *sun)
{
        size_t len = strlen(name);

        *sun = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if (len >= sizeof(sun->sun_path))
                return 0;
        memcpy(sun->sun_path, name, len);
        if (name[0] == '@')
                sun->sun_path[0] = '\0'; /* abstract: no trailing NUL in the length */
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '@' ? 0 : 1));
}

/*
 * unix-req SOCKET LINE: connect to SOCKET (a path, or @NAME for an abstract
 * one), send LINE and a newline, and print "ok" and the answer's lines
 * joined by " | " (at most 4 KiB, 5 s), or the errno of the connect.
 */
int cmd_unix_req(char **argv)
{
        struct sockaddr_un sun;
        socklen_t len = unix_addr(argv[0], &sun);
        char buf[4096];
        size_t got = 0;
        struct pollfd p;
        int s;

        if (!len)
                return usage();
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&sun, len) < 0)
                return fail();
        snprintf(buf, sizeof(buf), "%s\n", argv[1]);
        /* A server may answer and close before reading: what it said is read all the same. */
        (void)send(s, buf, strlen(buf), MSG_NOSIGNAL);
        shutdown(s, SHUT_WR);
        p = (struct pollfd){ .fd = s, .events = POLLIN };
        while (got + 1 < sizeof(buf) && poll(&p, 1, 5000) > 0) {
                ssize_t n = read(s, buf + got, sizeof(buf) - 1 - got);

                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        close(s);
        while (got > 0 && buf[got - 1] == '\n')
                got--;
        buf[got] = '\0';
        fputs("ok", stdout);
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
                printf("%s%s", line == buf ? " " : " | ", line);
        putchar('\n');
        return 0;
}

/*
 * unix-serve SOCKET: listen on SOCKET (a path or @NAME), print "ok", then
 * answer every connection with "pong" (after its request) until killed.
 */
int cmd_unix_serve(char **argv)
{
        struct sockaddr_un sun;
        socklen_t len = unix_addr(argv[0], &sun);
        int s;

        if (!len)
                return usage();
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || bind(s, (struct sockaddr *)&sun, len) < 0 || listen(s, 8) < 0)
                return fail();
        ok();
        fflush(stdout);
        for (;;) {
                int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                struct pollfd p = { .fd = c, .events = POLLIN };
                char line[256];

                if (c < 0)
                        continue;
                /* The request first (up to 2 s), so the client never writes to a closed socket. */
                if (poll(&p, 1, 2000) > 0)
                        (void)!read(c, line, sizeof(line));
                (void)send(c, "pong\n", 5, MSG_NOSIGNAL);
                close(c);
        }
}

/* ---- kernel interfaces the default filter refuses --------------------------- */

/* perf_event_open of a software counter on ourselves: the fd, or the errno. */
int cmd_perf(char **argv)
{
        struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE,
                                     .size = sizeof(a),
                                     .config = PERF_COUNT_SW_TASK_CLOCK,
                                     .disabled = 1,
                                     .exclude_kernel = 1 };

        return result(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
}

/* userfaultfd for user-mode faults only: what an unprivileged process may have (vm.unprivileged_userfaultfd=0). */
int cmd_userfaultfd(char **argv)
{
        return result(syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
}

/* ---- a kernel without Landlock, for the fallback ----------------------------- */

/*
 * no-landlock PROGRAM [ARGS...]: run PROGRAM (a path) as if the kernel had no
 * Landlock: a seccomp filter (after no_new_privs) answers ENOSYS to
 * landlock_create_ruleset, landlock_add_rule and landlock_restrict_self
 * (444 to 446 on every architecture), the answer of a kernel built without it.
 */
int cmd_no_landlock(char **argv)
{
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
                BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(f), .filter = f };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return fail();
        execv(argv[0], argv);
        return fail();
}
