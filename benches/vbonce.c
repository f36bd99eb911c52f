/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vbonce: the smallest possible voidshim, to separate the cost of the shim
 * (argument parsing, jansson, its start-up) from that of libvoidbuilder.
 *
 *   vbonce static PROBE      the static PROBE by fd in an empty root ("probe true")
 *   vbonce libs PROGRAM      PROGRAM with its ELF closure
 *   vbonce full PROGRAM      the same plus a fresh /proc (voidshim run --proc --libs P -- P)
 *
 * Exits with the program's status.  Built twice by benches/Makefile: linked
 * like voidshim (shared libseccomp, libcap, libmnl) and with libseccomp and
 * libcap linked statically (vbonce-static), to measure what dynamic linking costs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "voidbuilder.h"

int main(int argc, char **argv)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *e = NULL;
        struct vb_proc *p = NULL;
        int status = 0, r;

        if (argc != 3 || !v) {
                fprintf(stderr, "usage: vbonce static|libs|full PROGRAM\n");
                return 100;
        }
        if (strcmp(argv[1], "static") == 0) {
                char *const pargv[] = { "probe", "true", NULL };
                int fd = open(argv[2], O_PATH | O_CLOEXEC);

                r = fd < 0 ? -1 : vb_void_exec_fd(v, fd, pargv);
        } else {
                char *const pargv[] = { argv[2], NULL };

                r = vb_void_add_libs(v, argv[2], &e);
                if (r >= 0)
                        r = vb_void_exec_path(v, argv[2], pargv);
                if (r >= 0 && strcmp(argv[1], "full") == 0)
                        r = vb_void_proc(v, "/proc", 0);
        }
        if (r >= 0)
                r = vb_void_spawn(v, &p, &e);
        if (r >= 0)
                r = vb_proc_wait(p, &status);
        if (r < 0) {
                fprintf(stderr, "vbonce: %s\n", e && e->msg ? e->msg : "setting up the void failed");
                return 111;
        }
        /* No cleanup: like a CLI that exits, the kernel frees everything. */
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
