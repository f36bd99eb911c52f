/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim: a thin dispatcher over the subcommands (crun's commands[] table). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "bootstrap/bootstrap.h"
#include "care/care.h"
#include "exec/exec.h"
#include "learn/learn.h"
#include "oci/oci.h"
#include "run/cli.h"
#include "session/session.h"
#include "shim.h"

const struct shim_command shim_commands[] = {
        { "run", cmd_run, "run a program in a void with explicit grants (plumbing)" },
        { "check", cmd_check, "validate application specs (FILE:LINE:COL: message)" },
        { "exec", cmd_exec, "run the application a spec describes, a void per part" },
        { "explain", cmd_explain, "say what every void of a spec holds and how they connect" },
        { "ctl", cmd_ctl, "list, revoke the caretakers of, or stop a run started with --name" },
        { "learn", cmd_learn, "run a program once, watched, and write the spec of what it used" },
        { "session", cmd_session, "begin, run in, list and end persistent voids (schroot-like)" },
        { "ps", cmd_ps, "list every named void: sessions and runs started with --name" },
        { "bootstrap", cmd_bootstrap, "make a Debian tree with mmdebstrap, in a void that reaches only the mirror" },
        { "boot", cmd_boot, "run a tree's own init as pid 1 of a void, its console relayed here" },
        { "oci", cmd_oci, "an OCI runtime (runc's command line) for podman and containerd" },
        { "serve", cmd_serve, "keep voids built ahead of time for voidshim run (a per-user server)" },
        { "help", cmd_help, "show this help" },
        { "version", cmd_version, "show the version" },
        { NULL, NULL, NULL },
};

static const struct shim_command *find_command(const char *name)
{
        for (const struct shim_command *c = shim_commands; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c;
        return NULL;
}

static void usage(FILE *f)
{
        fprintf(f, "usage: voidshim COMMAND [ARGS...]\n\ncommands:\n");
        for (const struct shim_command *c = shim_commands; c->name; c++)
                fprintf(f, "  %-10s %s\n", c->name, c->summary);
        fprintf(f, "\nvoidshim help COMMAND (or voidshim COMMAND --help) shows a command's options.\n"
                   "See voidshim(1), voidshim-run(1) and voidshim-spec(5).\n");
}

/* voidshim help [COMMAND]: the list of commands, or one command's own help. */
int cmd_help(int argc, char **argv)
{
        const struct shim_command *c;

        if (argc < 2) {
                usage(stdout);
                return 0;
        }
        c = find_command(argv[1]);
        if (!c || c->run == cmd_help || c->run == cmd_version) {
                char what[128];

                snprintf(what, sizeof(what), "show help for %s", argv[1]);
                return shim_fatal(SHIM_EXIT_USAGE, what,
                                  c ? "it takes no options" : "unknown command (try voidshim help)");
        }
        return c->run(2, (char *[]){ argv[1], "--help", NULL });
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
        const struct shim_command *c;
        const char *name;
        const char *self = argv[0] ? strrchr(argv[0], '/') : NULL;
        char what[128], cause[256];

        if (fill_std_fds() < 0)
                return SHIM_EXIT_SYSTEM;
        /* Called as voidshim-runc (make install's link), it is the OCI runtime, with runc's command line. */
        self = self ? self + 1 : argv[0];
        if (self && strcmp(self, OCI_RUNC_NAME) == 0)
                return cmd_oci(argc, argv);
        if (argc < 2) { /* like other tools: no command is a usage error, the list on stderr */
                usage(stderr);
                return SHIM_EXIT_USAGE;
        }
        name = argv[1];
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
                name = "help";
        else if (strcmp(name, "--version") == 0)
                name = "version";
        c = find_command(name);
        if (c)
                return c->run(argc - 1, argv + 1);
        snprintf(what, sizeof(what), "run command %s", name);
        /* bwrap's habit: grants with no subcommand.  They are options of run. */
        if (name[0] == '-') {
                snprintf(cause, sizeof(cause), "not a command: grants are options of run (try voidshim run %.64s ...)",
                         name);
                return shim_fatal(SHIM_EXIT_USAGE, what, cause);
        }
        return shim_fatal(SHIM_EXIT_USAGE, what, "unknown command (try voidshim help)");
}
