/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One entrypoint of a spec, one start -> one plan: libvoidplan maps the
 * spec (vb_plan_from_spec()); here the shim adds what only a start knows,
 * the binds the command line grants.  The fds of the args are handed in by
 * the runner (exec_run.c), the caretakers' endpoints by exec_care.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "care/care.h"
#include "exec/exec.h"
#include "voidbuilder/cleanup.h"

int exec_open_flags(enum vb_spec_fmode mode)
{
        switch (mode) {
        case VB_FMODE_W:
                return O_WRONLY | O_TRUNC;
        case VB_FMODE_RW:
                return O_RDWR;
        case VB_FMODE_APPEND:
                return O_WRONLY | O_APPEND;
        case VB_FMODE_CREATE:
                return O_WRONLY | O_CREAT | O_TRUNC;
        case VB_FMODE_REPLACE: /* exec_replace_open() makes the file; this is its access */
                return O_WRONLY;
        case VB_FMODE_R:
        default:
                return O_RDONLY;
        }
}

unsigned exec_reopen_access(enum vb_spec_fmode mode)
{
        switch (mode) {
        case VB_FMODE_R:
                return VB_LANDLOCK_READ;
        case VB_FMODE_RW:
                return VB_LANDLOCK_READ | VB_LANDLOCK_WRITE;
        case VB_FMODE_W:
        case VB_FMODE_CREATE:
                return VB_LANDLOCK_WRITE;
        case VB_FMODE_APPEND:  /* reopened, it would be writable anywhere, not only at the end */
        case VB_FMODE_REPLACE: /* the new file is the shim's to name */
        default:
                return 0;
        }
}

int exec_plan(const struct vb_spec *s, const struct vb_spec_entry *e, const struct exec_cmdline *cl,
              const struct exec_grants *g, struct vb_plan **out, struct vb_error **err)
{
        _cleanup_free_ struct vb_plan_cmdline_bind *binds = NULL;
        struct vb_plan_spec_start start = {};
        int r;

        if (g && g->n && !(binds = calloc(g->n, sizeof(*binds))))
                return vb_error_set(err, ENOMEM, "plan entrypoint %s", e->name);
        for (size_t i = 0; g && i < g->n; i++)
                binds[i] = (struct vb_plan_cmdline_bind){ .mount = g->g[i].mount,
                                                          .path = g->g[i].path,
                                                          .src = g->g[i].src,
                                                          .flags = g->g[i].flags,
                                                          .dev = g->g[i].dev,
                                                          .ino = g->g[i].ino };
        if (cl) {
                start.cwd = cl->cwd;
                start.trailing = cl->trailing;
                start.n_each = cl->n_paths;
        }
        start.binds = binds;
        start.n_binds = g ? g->n : 0;
        r = vb_plan_from_spec(s, e, &start, out, err);
        if (r >= 0 && (r = ctl_hide_runtime_dir(*out)) < 0)
                r = vb_error_set(err, r, "plan entrypoint %s", e->name);
        return r;
}
