/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim: a thin dispatcher over the subcommands (crun's commands[] table). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shim.h"

const struct shim_command shim_commands[] = {
        { "run", cmd_run, "run a program in a void with explicit grants (plumbing)" },
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

int main(int argc, char **argv)
{
        const char *name = argc > 1 ? argv[1] : "help";

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
