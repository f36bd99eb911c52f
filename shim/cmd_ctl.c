/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim ctl NAME list|revoke CARETAKER|stop: talk to a run started with --name NAME. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "care.h"
#include "cleanup.h"
#include "shim.h"

static const char usage[] =
        "usage: voidshim ctl NAME list|revoke CARETAKER|stop\n"
        "\n"
        "Talk to the run started with `voidshim run --name NAME` or `voidshim exec --name NAME`:\n"
        "  list               the voids and their caretakers (name, what, pid, live/revoked)\n"
        "  revoke CARETAKER   cut one caretaker (\"net\", \"dbus\", \"term\", or a --proxy-connect path or a\n"
        "                     spec's \"connect\" \"at\" path): every later use fails, the programs keep running\n"
        "  stop               end the voids (and with them the run)\n";

int cmd_ctl(int argc, char **argv)
{
        _cleanup_close_ int fd = -1;
        char req[512], buf[4096], what[300], *line, *save = NULL, *last = NULL;
        size_t got = 0;
        ssize_t n;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return 0;
        }
        if (argc < 3 || (strcmp(argv[2], "revoke") == 0 ? argc != 4 : argc != 3) ||
            (strcmp(argv[2], "list") != 0 && strcmp(argv[2], "revoke") != 0 && strcmp(argv[2], "stop") != 0))
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                  "expected NAME list|revoke CARETAKER|stop");
        snprintf(req, sizeof(req), "%s%s%s\n", argv[2], argc == 4 ? " " : "", argc == 4 ? argv[3] : "");
        snprintf(what, sizeof(what), "reach the run %s", argv[1]);
        fd = ctl_connect(argv[1]);
        if (fd < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what,
                                  fd == -ENOENT || fd == -ECONNREFUSED ? "no live run has that name" : strerror(-fd));
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
                return 0;
        snprintf(what, sizeof(what), "%s %s%s%s", argv[2], argv[1], argc == 4 ? " " : "", argc == 4 ? argv[3] : "");
        return shim_fatal(last && strncmp(last, "error: not the owner", 20) == 0 ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE,
                          what, last && strncmp(last, "error: ", 7) == 0 ? last + 7 : "no answer");
}
