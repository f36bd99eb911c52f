/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The caretakers of a spec's proxied servers under `voidshim exec`, and the
 * control socket that lists and revokes them (`voidshim exec --name NAME`,
 * then `voidshim ctl NAME list|revoke CARETAKER|stop`), with the same code as
 * `voidshim run --name` (care_set.c, ctl_sock.c).
 *
 * unix proxied: one forwarder per "connect" entry and one D-Bus proxy, for the
 * whole application; each void gets their sockets bound at their paths.  A
 * forwarder connects each connection to its upstream and nothing else, so
 * sharing it opens no path between voids.
 *
 * net proxied: one network caretaker per void, started with it and revoked
 * when it ends.  Voids must not share a network namespace: its loopback and
 * abstract sockets would be a channel between them that the spec does not
 * name.  After `revoke net`, later voids get a fresh network with only lo up:
 * what a revoked caretaker leaves (every connect is refused).
 *
 * The powerbox: one inbox for the application, held from the start; each void
 * of an entrypoint with an "inbox" gets a clone of it at that path, and
 * `voidshim ctl NAME grant PATH` puts PATH in every one of them at once (as
 * `voidshim run --inbox` does for its one void).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "exec/exec_run.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static bool net_proxied(const struct runner *r)
{
        return r->s->env[VB_SERVER_NET] == VB_SERVER_PROXIED;
}

static int start_shared(struct runner *r)
{
        const struct vb_spec_care *care = &r->s->care;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        char what[PATH_MAX + 64];
        int e = 0, code;

        if (r->s->env[VB_SERVER_UNIX] != VB_SERVER_PROXIED)
                return 0;
        for (size_t i = 0; e >= 0 && i < care->n_fwd; i++) {
                snprintf(what, sizeof(what), "start the forwarder %s -> %s", care->fwd[i].at, care->fwd[i].upstream);
                e = care_set_forward(&r->care.set, care->fwd[i].at, care->fwd[i].upstream, &err);
        }
        if (e >= 0 && care->dbus) {
                snprintf(what, sizeof(what), "start the D-Bus proxy %s -> %s", care->dbus->at, care->dbus->bus);
                e = care_set_dbus(&r->care.set, care->dbus->at, care->dbus->bus, care->dbus->talk, &err);
        }
        if (e >= 0)
                return 0;
        /* An upstream name that does not resolve is the spec's fault; anything else the system's. */
        code = e == -EINVAL || e == -EHOSTUNREACH ? SHIM_EXIT_USAGE : SHIM_EXIT_SYSTEM;
        shim_fatal_err(code, what, err, e);
        return code;
}

static bool has_inbox(const struct vb_spec *s)
{
        for (size_t i = 0; i < s->n_entries; i++)
                if (s->entries[i].v.inbox)
                        return true;
        return false;
}

int exec_care_init(struct runner *r, const char *name)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        int rc = start_shared(r), e;

        if (rc)
                return rc;
        /* The voids share one /etc/hosts for the names of the allowlist, written in our run directory. */
        if (r->s->care.n_hosts && (e = care_set_run_dir(&r->care.set, &err)) < 0)
                return shim_fatal_err(SHIM_EXIT_SYSTEM, "make the run directory", err, e);
        if (has_inbox(r->s) && (e = vb_inbox_new(&r->care.inbox, &err)) < 0)
                return shim_fatal_err(SHIM_EXIT_SYSTEM, "start the powerbox (\"inbox\")", err, e);
        r->care.name = name;
        if (!name)
                return 0;
        e = ctl_listen(name, r->care.ctl_path, sizeof(r->care.ctl_path));
        if (e < 0) {
                char what[300];

                r->care.ctl_path[0] = '\0';
                snprintf(what, sizeof(what), "open the control socket for --name %s%s", name,
                         e == -EADDRINUSE ? " (a run with this name is live)" : "");
                return shim_fatal(SHIM_EXIT_SYSTEM, what, e == -EPERM ? ctl_runtime_why() : strerror(-e));
        }
        r->care.ctl_fd = e;
        if ((e = runner_watch(r, r->care.ctl_fd, EV_CTL, 0)) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "watch the control socket", strerror(-e));
        return 0;
}

int exec_care_void(struct runner *r, struct vb_plan *p, struct vb_caretaker **net, struct vb_error **err)
{
        const struct vb_spec_care *care = &r->s->care;
        int e;

        *net = NULL;
        /* `voidshim exec --name NAME` names the application over the spec's "name"; the inbox is ours. */
        if (vb_plan_set_str(&p->care.name, r->care.name) < 0)
                return vb_error_set(err, ENOMEM, "plan the control name");
        if (p->care.inbox)
                p->live.inbox = r->care.inbox;
        if (net_proxied(r) && r->care.net_revoked) { /* what a revoked caretaker leaves: only lo */
                p->server_set[VB_SERVER_NET] = false;
                p->loopback = true;
        }
        if (net_proxied(r) && !r->care.net_revoked &&
            (e = care_set_net(&r->care.set, care->allow, care->n_allow, net, err)) < 0)
                return e;
        e = care_give(&r->care.set, p, *net, err);
        if (e < 0 && *net) {
                care_set_drop(&r->care.set, *net);
                *net = NULL;
        }
        return e;
}

static void list_care(struct runner *r, int fd)
{
        for (size_t i = 0; i < r->n_run; i++) {
                const struct running *run = &r->run[i];

                if (!run->p)
                        continue;
                if (run->firing)
                        care_reply(fd, "void %s#%lu\tpid %d, running\n", r->s->entries[run->entry].name, run->firing,
                                   (int)vb_proc_pid(run->p));
                else
                        care_reply(fd, "void %s\tpid %d, running\n", r->s->entries[run->entry].name,
                                   (int)vb_proc_pid(run->p));
        }
        care_set_list(&r->care.set, fd);
        care_inbox_list(r->care.inbox, fd);
        exec_warm_list(r, fd);
        care_reply(fd, "ok\n");
}

static void revoke_care(struct runner *r, int fd, const char *name)
{
        bool net = net_proxied(r) && strcmp(name, "net") == 0;

        /* "net" names every void's network caretaker, those to come included. */
        if (net)
                r->care.net_revoked = true;
        /* Voids built before the revoke hold what it took away: later firings get new ones. */
        for (size_t i = 0; i < r->s->n_entries; i++)
                exec_warm_stop(r, i);
        if (net) {
                (void)care_set_revoke(&r->care.set, name);
                care_reply(fd, "ok\n");
        } else { /* a caretaker, a link (ctl connect), or a grant of the powerbox */
                (void)care_revoke(&r->care.set, r->care.inbox, 0, fd, name, true);
        }
}

int exec_care_serve(struct runner *r)
{
        char req[PATH_MAX + 64];
        int fd = ctl_accept(r->care.ctl_fd, req, sizeof(req)), rc = 0;

        if (fd < 0)
                return 0;
        if (strcmp(req, "list") == 0) {
                list_care(r, fd);
        } else if (strncmp(req, "revoke ", 7) == 0) {
                revoke_care(r, fd, req + 7);
        } else if (strncmp(req, "ungrant ", 8) == 0) {
                (void)care_revoke(&r->care.set, r->care.inbox, 0, fd, req + 8, false);
        } else if (strncmp(req, "grant ", 6) == 0) {
                care_inbox_grant(r->care.inbox, fd, req + 6);
        } else if (care_serve_links(&r->care.set, r->care.inbox, 0, fd, req)) {
                /* connect PID PATH: a link into the powerbox; unlink, haslink: its peer cuts or asks */
        } else if (strcmp(req, "stop") == 0) {
                care_reply(fd, "ok\n");
                rc = 128 + SIGKILL; /* the loop ends; runner_done() SIGKILLs every void's init */
        } else if (*req) {
                care_reply(fd,
                           "error: unknown request '%s' (list, revoke CARETAKER, grant PATH ro|rw, ungrant GRANT, "
                           "connect PID PATH, stop)\n",
                           req);
        }
        close(fd);
        return rc;
}

void exec_care_done(struct runner *r)
{
        care_set_done(&r->care.set);
        r->care.inbox = vb_inbox_free(r->care.inbox); /* its holder, and every grant, go with it */
        if (r->care.ctl_fd >= 0)
                close(r->care.ctl_fd);
        if (r->care.ctl_path[0])
                unlink(r->care.ctl_path);
        r->care.ctl_fd = -1;
        r->care.ctl_path[0] = '\0';
}
