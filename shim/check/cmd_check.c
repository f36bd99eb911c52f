/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim check SPEC...: parse and validate specs; every error as FILE:LINE:COL: message. */
#include <stdio.h>
#include <string.h>

#include "exec/exec.h"
#include "run/cli.h"
#include "shim.h"

int cmd_check(int argc, char **argv)
{
        int status = 0;

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs("usage: voidshim check SPEC...\n"
                      "\n"
                      "Parse and validate each application spec (doc/spec-format.md) and print every\n"
                      "problem as FILE:LINE:COL: message.  Exit 0 when all are valid, 100 otherwise.\n",
                      argc < 2 ? stderr : stdout);
                return argc < 2 ? SHIM_EXIT_USAGE : 0;
        }
        for (int i = 1; i < argc; i++) {
                struct vb_spec *s = NULL;
                int r = shim_spec_load(argv[i], &s);

                vb_spec_free(s);
                if (r != 0 && (status == 0 || r == SHIM_EXIT_SYSTEM))
                        status = r;
        }
        return status;
}
