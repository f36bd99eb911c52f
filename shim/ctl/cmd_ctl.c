/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim ctl NAME list|revoke CARETAKER|grant PATH [ro|rw]|ungrant NAME|stop: talk to a run started with --name NAME. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "care/care.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static const char usage[] =
        "usage: voidshim ctl NAME list|revoke CARETAKER|grant PATH [ro|rw]|ungrant GRANT|allow ENTRY|deny ENTRY|\n"
        "                    connect OTHER PATH|stop\n"
        "\n"
        "Talk to the run started with `voidshim run --name NAME` or `voidshim exec --name NAME`:\n"
        "  list               the voids, their caretakers and grants (name, what, pid, live/revoked)\n"
        "  revoke CARETAKER   cut one caretaker (\"net\", \"dbus\", \"term\", a --proxy-connect path or a\n"
        "                     spec's \"connect\" \"at\" path), or a grant: every later use fails, the\n"
        "                     programs keep running\n"
        "  grant PATH [ro|rw] show the directory PATH in the void's inbox (--inbox DIR) as DIR/BASENAME,\n"
        "                     read-only unless rw, at once, without a restart\n"
        "  ungrant GRANT      take it back: every later open under DIR/GRANT is ENOENT (files the\n"
        "                     program opened before stay open: Linux has no revoke)\n"
        "  allow ENTRY        let the network caretaker through to [tcp:|udp:]HOST:PORT too (HOST a\n"
        "                     name is resolved now and named in the void's /etc/hosts)\n"
        "  deny ENTRY         take that back: the next connect to it fails\n"
        "  connect B PATH     hand this run a socket served in B's void at PATH: it appears in the\n"
        "                     inbox as BASENAME, through a forwarder; revoke BASENAME cuts it\n"
        "  stop               end the voids (and with them the run)\n";

static bool valid(int argc, char **argv)
{
        const char *op = argc >= 3 ? argv[2] : "";

        if (strcmp(op, "list") == 0 || strcmp(op, "stop") == 0)
                return argc == 3;
        if (strcmp(op, "revoke") == 0 || strcmp(op, "ungrant") == 0 || strcmp(op, "allow") == 0 ||
            strcmp(op, "deny") == 0)
                return argc == 4;
        if (strcmp(op, "connect") == 0)
                return argc == 5 && argv[4][0] == '/';
        if (strcmp(op, "grant") == 0)
                return argc == 4 || (argc == 5 && (strcmp(argv[4], "ro") == 0 || strcmp(argv[4], "rw") == 0));
        return false;
}

/* connect B PATH: B's void, as a pid whose /proc/PID/root is its root, from B's own list. */
static int peer_pid(const char *name)
{
        char buf[4096], *v;
        size_t got = 0;
        ssize_t n;
        int fd = ctl_connect(name);

        if (fd < 0)
                return fd;
        (void)!send(fd, "list\n", 5, MSG_NOSIGNAL);
        while (got + 1 < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                got += (size_t)n;
        close(fd);
        buf[got] = '\0';
        v = strstr(buf, "void\tpid ");
        return v ? atoi(v + 9) : -ESRCH;
}

/*
 * connect: A holds the link now; B's supervisor is told ("linked A PATH") so that B may cut it too
 * (`voidshim ctl B revoke A/BASENAME`).  B that cannot be told leaves the link with A alone: said, 111.
 */
static int tell_peer(const char *b, const char *a, const char *path, const char *what)
{
        char req[PATH_MAX + 128], buf[1024];
        size_t got = 0;
        ssize_t n;
        int fd = ctl_connect(b);

        if (fd < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, "linked, but its server's side cannot be told (it ended?)");
        snprintf(req, sizeof(req), "linked %s %s\n", a, path);
        (void)!send(fd, req, strlen(req), MSG_NOSIGNAL);
        while (got + 1 < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                got += (size_t)n;
        close(fd);
        buf[got] = '\0';
        if (strcmp(buf, "ok\n") != 0) /* a run or `voidshim exec`: no revoking from its side */
                fprintf(stderr, "voidshim: %s cannot cut the link from its side: %s", b, got ? buf : "no answer\n");
        return 0;
}

/* The request line; grant's PATH is made absolute here (the supervisor's cwd is not ours). */
static int request(int argc, char **argv, char *req, size_t len)
{
        char abs[PATH_MAX];

        if (strcmp(argv[2], "connect") == 0) {
                int pid = peer_pid(argv[3]);

                if (pid < 0)
                        return pid == -ENOENT || pid == -ECONNREFUSED ? -ESRCH : pid;
                snprintf(req, len, "connect %d %s\n", pid, argv[4]);
                return strchr(argv[4], '\n') ? -EINVAL : 0;
        }
        if (strcmp(argv[2], "grant") == 0) {
                /* Resolved by us, as ourselves: a missing path is our caller's mistake, said here. */
                if (!realpath(argv[3], abs))
                        return -errno;
                snprintf(req, len, "grant %s %s\n", abs, argc == 5 ? argv[4] : "ro");
                return strchr(abs, '\n') ? -EINVAL : 0;
        }
        snprintf(req, len, "%s%s%s\n", argv[2], argc == 4 ? " " : "", argc == 4 ? argv[3] : "");
        return 0;
}

int cmd_ctl(int argc, char **argv)
{
        _cleanup_close_ int fd = -1;
        char req[PATH_MAX + 64], buf[8192], what[PATH_MAX + 128], *line, *save = NULL, *last = NULL;
        size_t got = 0;
        ssize_t n;
        int r;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return 0;
        }
        if (!valid(argc, argv))
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                  "expected NAME list|revoke CARETAKER|grant PATH [ro|rw]|ungrant GRANT|allow ENTRY|"
                                  "deny ENTRY|connect OTHER /PATH|stop");
        snprintf(what, sizeof(what), "%s %s %s %s", argv[2], argc >= 4 ? argv[3] : "", argc >= 4 ? "in" : "", argv[1]);
        if (argc < 4)
                snprintf(what, sizeof(what), "%s %s", argv[2], argv[1]);
        else if (strcmp(argv[2], "grant") == 0)
                snprintf(what, sizeof(what), "grant %s to %s", argv[3], argv[1]);
        r = request(argc, argv, req, sizeof(req));
        if (r == -ESRCH)
                return shim_fatal(SHIM_EXIT_USAGE, what, "no live run or session has the name to connect to");
        if (r < 0)
                return shim_fatal(SHIM_EXIT_USAGE, what, strerror(-r));
        fd = ctl_connect(argv[1]);
        if (fd < 0) {
                snprintf(what, sizeof(what), "reach the run %s", argv[1]);
                return shim_fatal(SHIM_EXIT_SYSTEM, what,
                                  fd == -ENOENT || fd == -ECONNREFUSED ? "no live run has that name"
                                  : fd == -EPERM                       ? ctl_runtime_why()
                                                                       : strerror(-fd));
        }
        /* A refusal may come before we finish writing: read the answer anyway. */
        (void)!send(fd, req, strlen(req), MSG_NOSIGNAL);
        while (got + 1 < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                got += (size_t)n;
        buf[got] = '\0';
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (last)
                        puts(last);
                last = line;
        }
        if (last && strcmp(last, "ok") == 0)
                return strcmp(argv[2], "connect") == 0 ? tell_peer(argv[3], argv[1], argv[4], what) : 0;
        /* "error:" the request was wrong (100); "failed:" or a refused peer, the system said no (111). */
        if (last && strncmp(last, "failed: ", 8) == 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, last + 8);
        /* A refused peer (another user, or one inside a void): the system said no (111). */
        return shim_fatal(
                last && (strncmp(last, "error: not the owner", 20) == 0 || strncmp(last, "error: refused:", 15) == 0)
                        ? SHIM_EXIT_SYSTEM
                        : SHIM_EXIT_USAGE,
                what, last && strncmp(last, "error: ", 7) == 0 ? last + 7 : "no answer");
}
