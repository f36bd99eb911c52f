/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim explain --oci BUNDLE [--json]: the plan and the void a bundle's config.json gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static void oci_freep(struct vb_oci **c)
{
        vb_oci_free(*c);
}

static void plan_freep(struct vb_plan **p)
{
        vb_plan_free(*p);
}

/* What the runtime does around the void, which the void's account does not hold. */
static void runtime_part(FILE *f, const struct vb_oci *c)
{
        fprintf(f, "left to the runtime (voidshim oci):\n");
        fprintf(f, "  cgroups: %s%s%s\n",
                c->cgroups_path    ? c->cgroups_path
                : c->resources_set ? "voidshim/ID below the runtime's own"
                                   : "none",
                c->resources_set ? ", with linux.resources" : "", c->res.refused ? " (some REFUSED: see below)" : "");
        for (size_t i = 0; c->res.refused && c->res.refused[i]; i++)
                fprintf(f, "  refused: %s (voidshim cannot apply it: create fails)\n", c->res.refused[i]);
        for (int k = 0; k < VB_OCI_HOOK_COUNT; k++)
                for (size_t i = 0; i < c->n_hooks[k]; i++)
                        fprintf(f, "  hook %s: %s\n", vb_oci_hook_name((enum vb_oci_hook_kind)k), c->hooks[k][i].path);
        if (c->has_process && c->process.terminal)
                fprintf(f, "  the console: a pty whose master goes to --console-socket, bound at /dev/console\n");
}

int oci_explain(const char *bundle, bool json)
{
        _cleanup_(oci_freep) struct vb_oci *c = NULL;
        _cleanup_(plan_freep) struct vb_plan *p = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *plan_text = NULL, *void_text = NULL;
        /* As create would: the caller's stdio handed in; no console, gate or cgroup yet. */
        struct vb_plan_oci_start start = { .terminal_fd = -1, .stdio = true, .gate_fd = -1, .cgroup_v2_fd = -1 };
        int r = vb_oci_load(bundle, &c, &err);

        if (r >= 0)
                r = vb_plan_from_oci(c, &start, &p, &err);
        if (r >= 0)
                r = vb_plan_apply(p, true, &v, &err);
        if (r < 0)
                return shim_fatal_err(SHIM_EXIT_USAGE, "explain the bundle", err, r);
        if (json) {
                plan_text = vb_plan_to_json(p);
                void_text = vb_void_explain_json(v);
                if (!plan_text || !void_text)
                        return shim_fatal(SHIM_EXIT_SYSTEM, "explain the bundle", "out of memory");
                void_text[strcspn(void_text, "\n")] = '\0';
                printf("{\"bundle\":\"%s\",\"plan\":%s,\"void\":%s}\n", c->bundle, plan_text, void_text);
                return 0;
        }
        void_text = vb_void_explain(v);
        if (!void_text)
                return shim_fatal(SHIM_EXIT_SYSTEM, "explain the bundle", "out of memory");
        printf("bundle %s (config.json, ociVersion %s)\n", c->bundle, c->oci_version);
        for (size_t i = 0; p->ctr.notes && p->ctr.notes[i]; i++)
                printf("note: %s\n", p->ctr.notes[i]);
        printf("the void:\n");
        for (char *line = strtok(void_text, "\n"); line; line = strtok(NULL, "\n"))
                printf("  %s\n", line);
        runtime_part(stdout, c);
        return 0;
}
