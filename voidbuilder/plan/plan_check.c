/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_plan_check(): what a plan must agree with before it is applied.  The
 * words are `voidshim run`'s option names, the form most plans come in; a
 * spec reports the same conflicts earlier, at their line and column.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "voidbuilder/plan.h"

static int why_set(char **why, const char *fmt, ...) VB_PRINTF(2, 3);
static int why_set(char **why, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(why, fmt, ap) < 0)
                *why = NULL;
        va_end(ap);
        return -EINVAL;
}

/* The namespace behind each server that is one. */
static const int server_ns[VB_SERVER_COUNT] = {
        [VB_SERVER_FS] = -1,           [VB_SERVER_EXEC] = -1,         [VB_SERVER_PROC] = VB_NS_PID,
        [VB_SERVER_AUTH] = VB_NS_USER, [VB_SERVER_NET] = VB_NS_NET,   [VB_SERVER_UNIX] = -1,
        [VB_SERVER_TERM] = -1,         [VB_SERVER_DEV] = -1,          [VB_SERVER_IPC] = VB_NS_IPC,
        [VB_SERVER_UTS] = VB_NS_UTS,   [VB_SERVER_TIME] = VB_NS_TIME,
};

static bool mode_is(const struct vb_plan *p, enum vb_server s, enum vb_server_mode m)
{
        return p->server_set[s] && p->server[s] == m;
}

/* --uid and --gid are written into a user namespace of the void's own. */
static int check_ids(const struct vb_plan *p, char **why)
{
        if (!p->ids_set)
                return 0;
        if (p->ns[VB_NS_USER] != VB_NS_FRESH)
                return why_set(why, "--uid/--gid need a user namespace of the void's own, not --share/--join user");
        if (p->server_set[VB_SERVER_AUTH] && p->server[VB_SERVER_AUTH] != VB_SERVER_FRESH)
                return why_set(why, "--uid/--gid contradict --server auth=%s%s",
                               vb_server_mode_name(p->server[VB_SERVER_AUTH]),
                               p->server[VB_SERVER_AUTH] == VB_SERVER_DENIED ? " (its ids are 65534)" : "");
        if (mode_is(p, VB_SERVER_NET, VB_SERVER_PROXIED))
                return why_set(why, "--uid/--gid: with net=proxied the void joins the network caretaker's user "
                                    "namespace, where the ids are 0");
        return 0;
}

static int check_care(const struct vb_plan *p, char **why)
{
        const struct vb_plan_care *c = &p->care;
        bool net_proxied = mode_is(p, VB_SERVER_NET, VB_SERVER_PROXIED);

        if (net_proxied && p->server_set[VB_SERVER_AUTH])
                return why_set(why, "--server auth contradicts net=proxied: the void joins the network caretaker's "
                                    "user namespace");
        if (net_proxied && !c->n_allow)
                return why_set(why,
                               "--server net=proxied needs --net-allow [HOST:]PORT (nothing allowed is net=denied)");
        if (c->n_allow && !net_proxied)
                return why_set(why, "--net-allow needs --server net=proxied, not net=%s",
                               vb_server_mode_name(p->server[VB_SERVER_NET]));
        if ((c->n_fwd || c->dbus_at) && mode_is(p, VB_SERVER_UNIX, VB_SERVER_DENIED))
                return why_set(why, "--proxy-connect and --dbus-proxy hand in unix sockets, which unix=denied refuses");
        if (mode_is(p, VB_SERVER_UNIX, VB_SERVER_PROXIED) && !c->n_fwd && !c->dbus_at)
                return why_set(why, "--server unix=proxied needs --proxy-connect or --dbus-proxy");
        if (c->n_dbus_talk && !c->dbus_at)
                return why_set(why, "--dbus-talk needs --dbus-proxy");
        if (c->inbox && mode_is(p, VB_SERVER_FS, VB_SERVER_DENIED))
                return why_set(why, "--inbox contradicts --server fs=denied: no path in it could be opened");
        if (c->inbox && !c->name)
                return why_set(why, "--inbox needs --name NAME: grants come through voidshim ctl NAME grant PATH");
        return 0;
}

/* An OCI config's requests (struct vb_plan_container), in its own words. */
static int check_container(const struct vb_plan *p, char **why)
{
        const struct vb_plan_container *c = &p->ctr;
        bool own_user = p->ns[VB_NS_USER] == VB_NS_FRESH;

        if (c->n_uid_map && (!own_user || p->ids_set))
                return why_set(why, "uid/gid mappings need a user namespace of the void's own, and no --uid/--gid");
        if (c->n_uid_map && p->identity == VB_IDENTITY_RESERVED)
                return why_set(why, "uid/gid mappings say who the void is on the host: no --identity reserved");
        if (!c->n_uid_map != !c->n_gid_map)
                return why_set(why, "uid mappings and gid mappings go together");
        if (c->n_groups && own_user && !c->n_uid_map)
                return why_set(why, "additional groups need uid/gid mappings: a void's one id cannot setgroups");
        if (c->enter && (p->ns[VB_NS_MNT] != VB_NS_JOIN || p->root))
                return why_set(why, "enter (an exec) joins a running void's mount namespace and builds no root");
        if (c->image_root && (!p->root || p->overlay))
                return why_set(why, "an image's root (root.path) is a root directory, not an overlay");
        if (p->ns[VB_NS_MNT] == VB_NS_JOIN && !c->image_root && !c->enter)
                return why_set(why, "joining a mount namespace needs a root directory (root.path)");
        for (size_t i = 0; i < p->n_grants; i++)
                if (p->grants[i].kind == VB_PLAN_SYSCTL &&
                    p->ns[strncmp(p->grants[i].src, "net.", 4) == 0 ? VB_NS_NET
                          : strstr(p->grants[i].src, "hostname") || strstr(p->grants[i].src, "domainname")
                                  ? VB_NS_UTS
                                  : VB_NS_IPC] == VB_NS_SHARED)
                        return why_set(why, "sysctl %s: its namespace is the runtime's (shared), not the void's",
                                       p->grants[i].src);
        return 0;
}

/* A uid of the void's own lives in a user namespace of the void's own. */
static int check_identity(const struct vb_plan *p, char **why)
{
        if (p->identity != VB_IDENTITY_RESERVED)
                return 0;
        if (p->ns[VB_NS_USER] != VB_NS_FRESH || mode_is(p, VB_SERVER_AUTH, VB_SERVER_SHARED))
                return why_set(why, "--identity reserved needs a user namespace of the void's own, not --share/--join "
                                    "user or --server auth=shared");
        return 0;
}

/* A root of the caller's choosing, pid 1, /sys. */
static int check_root(const struct vb_plan *p, char **why)
{
        bool sys = false;

        for (size_t i = 0; i < p->n_grants; i++)
                sys |= p->grants[i].kind == VB_PLAN_SYS;
        if (p->overlay_upper && !p->overlay)
                return why_set(why, "--overlay-persist UPPER needs --overlay DIR (the lower layer)");
        if (p->root_rw && (!p->root || p->overlay))
                return why_set(why, "--root-rw needs --root DIR (an overlay is writable already)");
        if (p->root && mode_is(p, VB_SERVER_FS, VB_SERVER_SHARED))
                return why_set(why, "--root/--overlay contradict --server fs=shared: give one of them");
        if (p->init && p->ns[VB_NS_PID] != VB_NS_FRESH)
                return why_set(why, "--init needs a pid namespace of the void's own, not --share/--join pid");
        if (p->chown_noop && p->seccomp == VB_PLAN_SECCOMP_OFF)
                return why_set(why, "--chown-noop is a seccomp rule: it contradicts --seccomp off");
        if (sys && p->ns[VB_NS_NET] == VB_NS_SHARED)
                return why_set(why, "--sys shows the void's own network devices: it contradicts --net shared");
        return 0;
}

/* Does path have a ".." component? */
static bool has_dotdot(const char *path)
{
        for (const char *c = path; (c = strstr(c, "..")) != NULL; c += 2)
                if ((c == path || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
                        return true;
        return false;
}

/* Is path "/" (or "//", "/./")? */
static bool is_root(const char *path)
{
        return path[strspn(path, "/.")] == '\0';
}

/*
 * The rules every destination in the void obeys, each broken one named with
 * the grant as the user typed it ("--ro-bind / /: ...").
 */
static int check_dst(const struct vb_plan_grant *g, char **why)
{
        static const char *const kinds[] = {
                [VB_PLAN_BIND] = "bind",       [VB_PLAN_TMPFS] = "tmpfs", [VB_PLAN_DIR] = "dir",
                [VB_PLAN_SYMLINK] = "symlink", [VB_PLAN_PROC] = "proc",   [VB_PLAN_DEV] = "dev",
                [VB_PLAN_PASSWD] = "passwd"
        };
        const char *what = g->origin ? g->origin : kinds[g->kind];

        if (g->dst[0] != '/')
                return why_set(why, "%s: the destination '%s' must be an absolute path in the void (/%s)", what, g->dst,
                               g->dst);
        if (has_dotdot(g->dst))
                return why_set(why, "%s: the destination '%s' must not contain '..'", what, g->dst);
        if (!is_root(g->dst))
                return 0;
        switch (g->kind) {
        case VB_PLAN_BIND:
                return why_set(why,
                               "%s: cannot bind over / (the void's root is an empty tmpfs of its own: bind what the "
                               "program needs below it, or give it the host's tree with --server fs=shared)",
                               what);
        case VB_PLAN_TMPFS:
                return why_set(why,
                               "%s: cannot mount over / (the void's root is already an empty tmpfs, read-only: "
                               "put a writable one below it, e.g. --tmpfs /tmp)",
                               what);
        case VB_PLAN_DIR:
                return why_set(why, "%s: / always exists", what);
        default:
                return why_set(why, "%s: cannot be at / (the void's root)", what);
        }
}

static int check_grants(const struct vb_plan *p, char **why)
{
        for (size_t i = 0; i < p->n_grants; i++) {
                const struct vb_plan_grant *g = &p->grants[i];

                switch (g->kind) {
                case VB_PLAN_BIND:
                case VB_PLAN_TMPFS:
                case VB_PLAN_DIR:
                case VB_PLAN_SYMLINK:
                case VB_PLAN_PROC:
                case VB_PLAN_DEV:
                case VB_PLAN_PASSWD:
                        if (g->dst && check_dst(g, why) < 0)
                                return -EINVAL;
                        break;
                default:
                        break;
                }
        }
        return 0;
}

int vb_plan_check(const struct vb_plan *p, char **why)
{
        *why = NULL;
        if ((!p->program || !p->argv || !p->argv[0]) && !(p->init && p->init_hold))
                return why_set(why, "no program given");
        if (check_root(p, why) < 0)
                return -EINVAL;
        for (int s = 0; s < VB_SERVER_COUNT; s++)
                if (p->server_set[s] && server_ns[s] >= 0 && p->ns[server_ns[s]] != VB_NS_FRESH)
                        return why_set(why, "--server %s contradicts --share/--join %s: give one of them",
                                       vb_server_name((enum vb_server)s), vb_ns_name((enum vb_ns)server_ns[s]));
        /* A fresh net server brings lo up itself: only the other modes disagree with --net loopback. */
        if (p->loopback && p->server_set[VB_SERVER_NET] && p->server[VB_SERVER_NET] != VB_SERVER_FRESH)
                return why_set(why, "--server net contradicts --net: give one of them");
        if (p->loopback && p->ns[VB_NS_NET] != VB_NS_FRESH)
                return why_set(why, "--net loopback needs a network namespace of the void's own");
        /* A denied exec server is Landlock without EXECUTE: it cannot be had without Landlock. */
        if (mode_is(p, VB_SERVER_EXEC, VB_SERVER_DENIED) && p->landlock == VB_PLAN_LANDLOCK_OFF)
                return why_set(why, "--server exec=denied contradicts --no-landlock: exec is denied by Landlock");
        if (check_care(p, why) < 0 || check_grants(p, why) < 0 || check_container(p, why) < 0 ||
            check_identity(p, why) < 0)
                return -EINVAL;
        return check_ids(p, why);
}
