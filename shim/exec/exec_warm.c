/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Warm voids for `voidshim exec` (--warm N): each triggered entrypoint (pipe,
 * socket, listener) keeps N voids built ahead of time by the library's warm
 * pool (vb_warm_new()), from the very plan its cold voids are built from,
 * minus what differs per firing.  A firing hands one of them its trigger and
 * the files opened for it (vb_warm_spawn()'s request fds); the void then
 * confines them with Landlock, puts on its seccomp filter, and execs.  Each
 * warm void has namespaces of its own and serves one firing: it is the void
 * a cold start would have made, made earlier.
 *
 * An entrypoint stays cold where a warm void could differ from a cold one:
 *   - net proxied: each void gets a network caretaker of its own, started
 *     with it (exec_care.c);
 *   - more fds per firing than a request carries (vb_warm_spawn(): 32).
 * A template that cannot be built (a bind source gone) leaves the entrypoint
 * cold without a word: each cold firing then reports what fails, as before.
 * When the pool itself fails (its helper died) the firing starts cold and the
 * next one builds a new pool.  `voidshim ctl NAME list` says which is which.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec_run.h"
#include "voidbuilder/cleanup.h"

#define WARM_REQUEST_FDS 32 /* the most fds one vb_warm_spawn() request carries */

/*
 * Why entrypoint e's voids must start cold; NULL: they need not.  (A file
 * handed in per firing is confined by Landlock like any fd, by the void
 * itself once its request is in: child.c, confine().)
 */
static const char *why_cold(const struct runner *r, const struct vb_spec_entry *e)
{
        size_t n_fds = 0;

        if (r->s->env[VB_SERVER_NET] == VB_SERVER_PROXIED)
                return "a network caretaker per void (net proxied)";
        for (size_t i = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];

                if (a->kind == VB_ARG_TRIGGER)
                        n_fds += a->n_fds;
                else if (a->kind == VB_ARG_FILE || a->kind == VB_ARG_CMDLINE)
                        n_fds += a->each ? r->cl.n_paths : 1;
        }
        if (n_fds > WARM_REQUEST_FDS)
                return "more than 32 fds per firing";
        return NULL;
}

/* Build entrypoint idx's template void and its pool.  0, or -errno (the entrypoint then stays cold). */
static int build(struct runner *r, size_t idx)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        struct exec_warm *wm = &r->warm[idx];
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct vb_caretaker *net = NULL;
        struct vb_plan *plan = NULL;
        struct vb_void *v = NULL;
        struct pending pend = {};
        const char *changed = NULL;
        int rc;

        rc = exec_grants_verify(&r->grants[idx], &changed);
        if (rc >= 0)
                rc = exec_plan(r->s, e, &r->cl, &r->grants[idx], &plan, &err);
        if (rc >= 0 && (wm->why = why_cold(r, e)))
                rc = -EPERM;
        if (rc >= 0)
                rc = exec_hand_in(r, plan, e, NULL, 0, &pend, PART_FIXED, &err);
        if (rc >= 0)
                rc = exec_care_void(r, plan, &net, &err); /* the shared caretakers' sockets; never a net one here */
        if (rc >= 0)
                rc = vb_plan_apply(plan, false, &v, &err);
        if (rc >= 0 && !(wm->w = vb_warm_new(v, r->warm_depth, &err)))
                rc = err ? -err->errnum : -ENOMEM;
        if (rc < 0 && !wm->why)
                wm->why = "its voids could not be built ahead of time";
        vb_void_free(v);
        vb_plan_free(plan);
        pending_close_held(&pend);
        return rc;
}

void exec_warm_start(struct runner *r, size_t idx)
{
        struct exec_warm *wm = &r->warm[idx];

        if (r->s->entries[idx].trigger.kind == VB_TRIG_STARTUP || wm->w || wm->why)
                return;
        if (r->warm_depth == 0) {
                wm->why = "--warm 0";
                return;
        }
        (void)build(r, idx);
}

void exec_warm_stop(struct runner *r, size_t idx)
{
        if (r->warm)
                r->warm[idx].w = vb_warm_free(r->warm[idx].w);
}

/* Forget what this firing opened, so that a cold start opens it anew (a "replace" file is removed). */
static void forget(struct pending *pend)
{
        pending_discard(pend->repl, pend->n);
        pend->repl = NULL;
        pend->n = 0;
        pending_close_held(pend);
}

int exec_warm_spawn(struct runner *r, size_t idx, const int *trig, size_t n_trig, struct pending *pend,
                    struct vb_proc **out, bool *files, struct vb_error **err)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        struct exec_warm *wm = &r->warm[idx];
        struct vb_warm_fd fds[WARM_REQUEST_FDS];
        struct vb_plan *firing = NULL;
        size_t n = 0;
        int rc;

        *out = NULL;
        exec_warm_start(r, idx); /* again after exec_warm_stop() (a revoke, a failed pool) */
        if (!wm->w) {
                wm->n_cold++;
                return -EAGAIN;
        }
        firing = vb_plan_new();
        if (!firing)
                return vb_error_set(err, ENOMEM, "plan entrypoint %s", e->name);
        rc = exec_hand_in(r, firing, e, trig, n_trig, pend, PART_FIRING, err);
        for (size_t i = 0; rc >= 0 && i < firing->n_grants; i++) {
                const struct vb_plan_grant *g = &firing->grants[i];

                if (g->kind != VB_PLAN_FD || g->fd < 0 || n == WARM_REQUEST_FDS)
                        rc = -EAGAIN; /* cannot be put in a request: the cold start says what it is */
                else
                        fds[n++] = (struct vb_warm_fd){ .fd = g->fd, .target = g->target };
        }
        vb_plan_free(firing);
        if (rc < 0 && rc != -EAGAIN) {
                *files = true; /* as the cold start: a file of this firing could not be opened */
                return rc;
        }
        if (rc >= 0)
                rc = vb_warm_spawn(wm->w, NULL, fds, n, out, err);
        if (rc < 0 && rc != -EAGAIN && err && *err && (*err)->step) {
                wm->n_warm++; /* the void said why it could not run the program, as a cold one would */
                return rc;
        }
        if (rc < 0) {
                /* The pool failed, not a void: this firing starts cold, the next builds a new pool. */
                if (rc != -EAGAIN)
                        exec_warm_stop(r, idx);
                if (err)
                        *err = vb_error_free(*err);
                forget(pend);
                wm->n_cold++;
                return -EAGAIN;
        }
        wm->n_warm++;
        return 0;
}

void exec_warm_list(struct runner *r, int fd)
{
        for (size_t i = 0; r->warm && i < r->s->n_entries; i++) {
                const struct exec_warm *wm = &r->warm[i];

                if (r->s->entries[i].trigger.kind == VB_TRIG_STARTUP)
                        continue;
                if (wm->why)
                        care_reply(fd, "warm %s\toff (%s); firings: %lu warm, %lu cold\n", r->s->entries[i].name,
                                   wm->why, wm->n_warm, wm->n_cold);
                else
                        care_reply(fd, "warm %s\t%u ready; firings: %lu warm, %lu cold\n", r->s->entries[i].name,
                                   r->warm_depth, wm->n_warm, wm->n_cold);
        }
}
