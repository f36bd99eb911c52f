/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one error format of voidshim, and the trivial subcommands. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "run/cli.h"
#include "shim.h"

int shim_fatal(int code, const char *what, const char *cause)
{
        fprintf(stderr, "voidshim: fatal: unable to %s: %s\n", what, cause);
        return code;
}

int shim_fatal_err(int code, const char *what, const struct vb_error *err, int r)
{
        return shim_fatal(code, what, err && err->msg ? err->msg : strerror(r < 0 ? -r : r));
}

int shim_exit_status(int ws)
{
        if (WIFEXITED(ws))
                return WEXITSTATUS(ws);
        if (WIFSIGNALED(ws))
                return 128 + WTERMSIG(ws);
        return SHIM_EXIT_SYSTEM;
}

int cmd_version(int argc, char **argv)
{
        printf("voidshim %s\n", VB_VERSION);
        return 0;
}
