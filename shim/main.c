/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim: a thin dispatcher over the subcommands (crun's commands[] table). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "care/care.h"
#include "exec/exec.h"
#include "run/cli.h"
#include "shim.h"

const struct shim_command shim_commands[] = {
        { "run", cmd_run, "run a program in a void with explicit grants (plumbing)" },
        { "check", cmd_check, "validate application specs (FILE:LINE:COL: message)" },
        { "exec", cmd_exec, "run the application a spec describes, a void per part" },
        { "explain", cmd_explain, "say what every void of a spec holds and how they connect" },
        { "ctl", cmd_ctl, "list, revoke the caretakers of, or stop a run started with --name" },
        { "serve", cmd_serve, "keep voids built ahead of time for voidshim run (a per-user server)" },
        { "help", cmd_help, "show this help" },
        { "version", cmd_version, "show the version" },
        { NULL, NULL, NULL },
};

int cmd_help(int argc, char **argv)
{
        printf("usage: voidshim COMMAND [ARGS...]\n\ncommands:\n");
        for (const struct shim_command *c = shim_commands; c->name; c++)
                printf("  %-10s %s\n", c->name, c->summary);
        printf("\nvoidshim run --help lists every grant.  See voidshim-run(1).\n");
        return 0;
}

/*
 * Started with fd 0, 1 or 2 closed, our own first open() would take its number
 * and be handed to the void as its stdin or stdout.  Put /dev/null there first.
 */
static int fill_std_fds(void)
{
        for (int fd = 0; fd <= 2; fd++)
                if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
                        return -1;
        return 0;
}

int main(int argc, char **argv)
{
        const char *name = argc > 1 ? argv[1] : "help";

        if (fill_std_fds() < 0)
                return SHIM_EXIT_SYSTEM;

        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
                name = "help";
        else if (strcmp(name, "--version") == 0)
                name = "version";
        for (const struct shim_command *c = shim_commands; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c->run(argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : (char *[]){ "help", NULL });
        fprintf(stderr, "voidshim: fatal: unable to run command %s: unknown command (try voidshim help)\n", name);
        return SHIM_EXIT_USAGE;
}
