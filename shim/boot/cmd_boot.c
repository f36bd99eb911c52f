/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim boot DIR [GRANT...] [-- INIT [ARGS...]]: the sub-Hurd.  The tree's
 * own init (default /sbin/init) runs as pid 1 of a void whose root is an
 * overlay of DIR (DIR is never written), with a fresh /proc, a minimal /dev, a
 * read-only /sys of its own network, tmpfs on /run and /tmp, and the term server
 * proxied: its console is a pty of its own, relayed to this terminal.  It is
 * `voidshim run` with those grants first; the caller's grants come after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"
#include "shim.h"

static const char usage[] =
        "usage: voidshim boot DIR [GRANT...] [-- INIT [ARGS...]]\n"
        "\n"
        "Run the tree DIR's own init (default /sbin/init) as pid 1 of a void: an overlay of DIR\n"
        "(never written) as the root, --proc --dev --sys --tmpfs /run --tmpfs /tmp, CAP_SYS_BOOT, and its\n"
        "console a pty of its own relayed to this terminal (--server term=proxied).  GRANTs are\n"
        "voidshim run's.  In the background: voidshim session begin NAME --overlay DIR --boot.\n";

/* The grants every boot starts with, before the caller's: the term server comes with `boot` alone. */
static const char *const boot_grants[] = { "--proc", "--dev",     "--sys",        "--tmpfs",  "/run",        "--tmpfs",
                                           "/tmp",   "--cap-add", "CAP_SYS_BOOT", "--server", "term=proxied" };
#define N_BOOT_GRANTS         (sizeof(boot_grants) / sizeof(boot_grants[0]))
#define N_SESSION_BOOT_GRANTS (N_BOOT_GRANTS - 2)

size_t boot_defaults(const char *const **out)
{
        *out = boot_grants;
        return N_SESSION_BOOT_GRANTS;
}

int cmd_boot(int argc, char **argv)
{
        char **args;
        int n = 0, r;
        bool program = false;

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs(usage, argc < 2 ? stderr : stdout);
                return argc < 2 ? SHIM_EXIT_USAGE : 0;
        }
        args = calloc((size_t)argc + N_BOOT_GRANTS + 6, sizeof(char *));
        if (!args)
                return shim_fatal(SHIM_EXIT_SYSTEM, "boot", "out of memory");
        args[n++] = "run";
        args[n++] = "--overlay";
        args[n++] = argv[1];
        for (size_t i = 0; i < N_BOOT_GRANTS; i++)
                args[n++] = (char *)boot_grants[i];
        for (int i = 2; i < argc; i++) {
                program |= strcmp(argv[i], "--") == 0;
                args[n++] = argv[i];
        }
        if (!program) {
                args[n++] = "--";
                args[n++] = "/sbin/init";
        }
        r = cmd_run(n, args);
        free(args);
        return r;
}
