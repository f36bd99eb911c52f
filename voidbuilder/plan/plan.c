/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plan: making, copying and freeing one (include/voidbuilder/plan.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"

struct vb_plan *vb_plan_new(void)
{
        struct vb_plan *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        /* calloc gave every namespace VB_NS_FRESH (0), no server set, no stdio: the bare void. */
        for (int i = 0; i < VB_NS_COUNT; i++)
                p->live.join_fd[i] = -1;
        p->live.terminal_fd = -1;
        p->live.gate_fd = -1;
        return p;
}

static void grant_done(struct vb_plan_grant *g)
{
        free(g->src);
        free(g->dst);
        free(g->origin);
        free(g->profile);
        free(g->fstype);
        free(g->options);
}

static void ctr_done(struct vb_plan_container *c)
{
        free(c->uid_map);
        free(c->gid_map);
        free(c->groups);
        free(c->seccomp_text);
        free(c->seccomp_name);
        vb_strv_free(c->notes);
}

static void care_done(struct vb_plan_care *c)
{
        for (size_t i = 0; i < c->n_fwd; i++) {
                free(c->fwd[i].at);
                free(c->fwd[i].upstream);
        }
        free(c->fwd);
        free(c->allow);
        vb_strv_free(c->allow_text);
        vb_strv_free(c->hosts);
        free(c->dbus_at);
        free(c->dbus_bus);
        vb_strv_free(c->dbus_talk);
        free(c->name);
        free(c->inbox);
}

struct vb_plan *vb_plan_free(struct vb_plan *p)
{
        if (!p)
                return NULL;
        free(p->program);
        vb_strv_free(p->argv);
        for (int i = 0; i < VB_NS_COUNT; i++)
                free(p->ns_path[i]);
        for (size_t i = 0; i < p->n_grants; i++)
                grant_done(&p->grants[i]);
        free(p->grants);
        free(p->hostname);
        free(p->chdir);
        free(p->seccomp_file);
        free(p->cgroup);
        free(p->root);
        free(p->overlay_upper);
        vb_strv_free(p->hide);
        care_done(&p->care);
        ctr_done(&p->ctr);
        free(p);
        return NULL;
}

int vb_plan_set_str(char **field, const char *value)
{
        char *copy = NULL;

        if (value && !(copy = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

/* A copy of a NULL-terminated vector (NULL stays NULL); false on OOM. */
static bool strv_copy(char *const *v, char ***out)
{
        size_t n = 0;

        *out = NULL;
        if (!v)
                return true;
        while (v[n])
                n++;
        *out = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; *out && i < n; i++)
                if (!((*out)[i] = strdup(v[i]))) {
                        vb_strv_free(*out);
                        *out = NULL;
                }
        return *out != NULL;
}

/* *dst = copy of src (NULL stays NULL); false on OOM. */
static bool str_copy(const char *src, char **dst)
{
        *dst = src ? strdup(src) : NULL;
        return !src || *dst;
}

int vb_plan_add(struct vb_plan *p, const struct vb_plan_grant *g)
{
        struct vb_plan_grant *n = reallocarray(p->grants, p->n_grants + 1, sizeof(*n)), c = *g;

        if (!n)
                return -ENOMEM;
        p->grants = n;
        c.src = c.dst = c.origin = c.profile = c.fstype = c.options = NULL;
        if (!str_copy(g->src, &c.src) || !str_copy(g->dst, &c.dst) || !str_copy(g->origin, &c.origin) ||
            !str_copy(g->profile, &c.profile) || !str_copy(g->fstype, &c.fstype) || !str_copy(g->options, &c.options)) {
                grant_done(&c);
                return -ENOMEM;
        }
        p->grants[p->n_grants] = c;
        return (int)p->n_grants++;
}

int vb_plan_bind(struct vb_plan *p, const char *src, const char *dst, unsigned flags, const char *origin)
{
        struct vb_plan_grant g = {
                .kind = VB_PLAN_BIND, .src = (char *)src, .dst = (char *)dst, .flags = flags, .origin = (char *)origin
        };

        return vb_plan_add(p, &g);
}

int vb_plan_setenv(struct vb_plan *p, const char *name, const char *value, const char *origin)
{
        struct vb_plan_grant g = {
                .kind = VB_PLAN_SETENV, .src = (char *)name, .dst = (char *)value, .origin = (char *)origin
        };

        return vb_plan_add(p, &g);
}

int vb_plan_fd(struct vb_plan *p, int fd, int target, unsigned access, const char *origin)
{
        struct vb_plan_grant g = {
                .kind = VB_PLAN_FD, .fd = fd, .target = target, .access = access, .origin = (char *)origin
        };

        return vb_plan_add(p, &g);
}

int vb_plan_set_program(struct vb_plan *p, const char *program, bool host, char *const argv[])
{
        char **copy = NULL;
        char *path = strdup(program);

        if (!path || !strv_copy(argv ? argv : (char *const[]){ (char *)program, NULL }, &copy)) {
                free(path);
                return -ENOMEM;
        }
        free(p->program);
        vb_strv_free(p->argv);
        p->program = path;
        p->argv = copy;
        p->program_host = host;
        return 0;
}

int vb_plan_hide(struct vb_plan *p, const char *host_path)
{
        size_t n = 0;
        char **grown, *copy;

        if (host_path[0] != '/')
                return -EINVAL;
        while (p->hide && p->hide[n])
                n++;
        copy = strdup(host_path);
        grown = copy ? reallocarray(p->hide, n + 2, sizeof(char *)) : NULL;
        if (!grown) {
                free(copy);
                return -ENOMEM;
        }
        grown[n] = copy;
        grown[n + 1] = NULL;
        p->hide = grown;
        return 0;
}

int vb_plan_set_server(struct vb_plan *p, enum vb_server s, enum vb_server_mode m, const char **why)
{
        const char *refusal = vb_server_refusal(s, m);

        if (refusal) {
                if (why)
                        *why = refusal;
                return -EINVAL;
        }
        p->server[s] = m;
        p->server_set[s] = true;
        return 0;
}

bool vb_plan_needs_care(const struct vb_plan *p)
{
        return p->care.name || p->care.inbox || p->care.n_fwd || p->care.dbus_at ||
               (p->server_set[VB_SERVER_NET] && p->server[VB_SERVER_NET] == VB_SERVER_PROXIED) ||
               (p->server_set[VB_SERVER_TERM] && p->server[VB_SERVER_TERM] == VB_SERVER_PROXIED);
}

static bool care_copy(const struct vb_plan_care *c, struct vb_plan_care *out)
{
        *out = (struct vb_plan_care){ .n_allow = c->n_allow, .n_dbus_talk = c->n_dbus_talk };
        if (c->n_fwd && !(out->fwd = calloc(c->n_fwd, sizeof(*out->fwd))))
                return false;
        out->n_fwd = c->n_fwd;
        for (size_t i = 0; i < c->n_fwd; i++)
                if (!str_copy(c->fwd[i].at, &out->fwd[i].at) || !str_copy(c->fwd[i].upstream, &out->fwd[i].upstream))
                        return false;
        if (c->n_allow && !(out->allow = malloc(c->n_allow * sizeof(*out->allow))))
                return false;
        if (c->n_allow)
                memcpy(out->allow, c->allow, c->n_allow * sizeof(*out->allow));
        out->n_hosts = c->n_hosts;
        return strv_copy(c->allow_text, &out->allow_text) && strv_copy(c->hosts, &out->hosts) &&
               str_copy(c->dbus_at, &out->dbus_at) && str_copy(c->dbus_bus, &out->dbus_bus) &&
               strv_copy(c->dbus_talk, &out->dbus_talk) && str_copy(c->name, &out->name) &&
               str_copy(c->inbox, &out->inbox);
}

/* *out = a copy of n elements of size each at src (NULL when n is 0); false on OOM. */
static bool mem_copy(const void *src, size_t n, size_t size, void **out)
{
        *out = NULL;
        if (!n)
                return true;
        *out = malloc(n * size);
        if (*out)
                memcpy(*out, src, n * size);
        return *out != NULL;
}

static bool ctr_copy(const struct vb_plan_container *c, struct vb_plan_container *out)
{
        *out = *c;
        out->seccomp_text = out->seccomp_name = NULL;
        out->uid_map = out->gid_map = NULL;
        out->groups = NULL;
        out->notes = NULL;
        return str_copy(c->seccomp_text, &out->seccomp_text) && str_copy(c->seccomp_name, &out->seccomp_name) &&
               strv_copy(c->notes, &out->notes) &&
               mem_copy(c->uid_map, c->n_uid_map, sizeof(*c->uid_map), (void **)&out->uid_map) &&
               mem_copy(c->gid_map, c->n_gid_map, sizeof(*c->gid_map), (void **)&out->gid_map) &&
               mem_copy(c->groups, c->n_groups, sizeof(*c->groups), (void **)&out->groups);
}

struct vb_plan *vb_plan_dup(const struct vb_plan *p)
{
        struct vb_plan *c = vb_plan_new();
        bool ok;

        if (!c)
                return NULL;
        memcpy(c->ns, p->ns, sizeof(c->ns));
        memcpy(c->server, p->server, sizeof(c->server));
        memcpy(c->server_set, p->server_set, sizeof(c->server_set));
        memcpy(c->stdio, p->stdio, sizeof(c->stdio));
        c->program_host = p->program_host;
        c->ids_set = p->ids_set, c->uid = p->uid, c->gid = p->gid;
        c->loopback = p->loopback;
        c->landlock = p->landlock;
        c->seccomp = p->seccomp;
        c->live = p->live;
        c->root_rw = p->root_rw, c->overlay = p->overlay;
        c->init = p->init, c->init_hold = p->init_hold, c->chown_noop = p->chown_noop;
        ok = str_copy(p->root, &c->root) && str_copy(p->overlay_upper, &c->overlay_upper) &&
             str_copy(p->program, &c->program) && strv_copy(p->argv, &c->argv) && str_copy(p->hostname, &c->hostname) &&
             str_copy(p->chdir, &c->chdir) && str_copy(p->seccomp_file, &c->seccomp_file) &&
             str_copy(p->cgroup, &c->cgroup) && care_copy(&p->care, &c->care) && strv_copy(p->hide, &c->hide) &&
             ctr_copy(&p->ctr, &c->ctr);
        for (int i = 0; ok && i < VB_NS_COUNT; i++)
                ok = str_copy(p->ns_path[i], &c->ns_path[i]);
        for (size_t i = 0; ok && i < p->n_grants; i++)
                ok = vb_plan_add(c, &p->grants[i]) >= 0;
        return ok ? c : vb_plan_free(c);
}
