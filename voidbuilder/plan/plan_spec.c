/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_plan_from_spec(): an entrypoint of a spec as a plan.  Its "environment"
 * becomes server modes (applied by the library's server code, exactly as
 * `voidshim run --server NAME=MODE`), its "void" becomes grants in the
 * spec's order, its program a host file run by fd.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"

char *vb_plan_spec_fds(const struct vb_spec_entry *e, size_t n_each)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t i = 0, n = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];

                if (a->fd < 0 || !a->name)
                        continue;
                if (a->each) { /* NAME.0, NAME.1, ...: none at all when no path was given */
                        for (size_t k = 0; k < n_each; k++)
                                fprintf(f, "%s%s.%zu=%d", n++ ? "," : "", a->name, k, a->fd + (int)k);
                        continue;
                }
                fprintf(f, "%s%s=%d", n++ ? "," : "", a->name, a->fd);
                for (unsigned k = 1; k < a->n_fds; k++)
                        fprintf(f, ",%s.%u=%d", a->name, k, a->fd + (int)k);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/*
 * Where a grant came from, for errors and explain: under a JSON pointer base ("/entrypoints/NAME/void") the
 * pointer of the key ("/entrypoints/NAME/void/mounts/2"); under another base ("--profile python3") the key
 * in parentheses ("--profile python3 (mounts/2)").  i: the index in the key's list, or (size_t)-1.
 */
static void origin(char *buf, size_t len, const char *base, const char *what, size_t i)
{
        bool ptr = base[0] == '/';

        if (i == (size_t)-1)
                snprintf(buf, len, ptr ? "%s/%s" : "%s (%s)", base, what);
        else
                snprintf(buf, len, ptr ? "%s/%s/%zu" : "%s (%s/%zu)", base, what, i);
}

static int add_mount(struct vb_plan *p, const struct vb_spec_mount *m, const char *where, const char *profile)
{
        struct vb_plan_grant g = { .src = m->src,
                                   .dst = m->dst,
                                   .flags = m->flags,
                                   .origin = (char *)where,
                                   .profile = (char *)(m->profile ? m->profile : profile) };

        switch (m->kind) {
        case VB_SMNT_BIND:
                g.kind = VB_PLAN_BIND;
                break;
        case VB_SMNT_TMPFS:
                g.kind = VB_PLAN_TMPFS, g.size = m->size, g.src = NULL;
                break;
        case VB_SMNT_DIR:
                g.kind = VB_PLAN_DIR, g.src = NULL, g.flags = 0;
                break;
        case VB_SMNT_SYMLINK:
                g.kind = VB_PLAN_SYMLINK, g.flags = 0;
                break;
        case VB_SMNT_CMDLINE:
        default:
                return -EINVAL;
        }
        return vb_plan_add(p, &g);
}

/* The binds a "bind-cmdline" mount (index i) expands to, in its place among the mounts. */
static int add_cmdline_binds(struct vb_plan *p, const struct vb_plan_spec_start *st, size_t i, const char *where)
{
        for (size_t k = 0; st && k < st->n_binds; k++) {
                const struct vb_plan_cmdline_bind *b = &st->binds[k];
                struct vb_plan_grant g = { .kind = VB_PLAN_BIND,
                                           .src = (char *)b->src,
                                           .dst = (char *)b->path,
                                           .flags = b->flags,
                                           .checked = true,
                                           .dev = b->dev,
                                           .ino = b->ino,
                                           .origin = (char *)where };
                int r;

                if (b->mount == i && (r = vb_plan_add(p, &g)) < 0)
                        return r;
        }
        return 0;
}

/* What a spec void grants in files: mounts, libs, /proc, /dev, passwd. */
static int add_files(struct vb_plan *p, const struct vb_spec_void *v, bool dev_shared, const char *base,
                     const char *profile, const struct vb_plan_spec_start *st)
{
        char where[512];
        int r = 0;

        for (size_t i = 0; r >= 0 && i < v->n_mounts; i++) {
                const struct vb_spec_mount *m = &v->mounts[i];

                /* A profile's mount in a spec is named by the "profiles" entry that brought it. */
                if (m->profile && m->where && base[0] == '/')
                        snprintf(where, sizeof(where), "%s", m->where);
                else
                        origin(where, sizeof(where), base, "mounts", i);
                r = m->kind == VB_SMNT_CMDLINE ? (st        ? add_cmdline_binds(p, st, i, where)
                                                  : profile ? -EINVAL
                                                            : 0)
                                               : add_mount(p, m, where, profile);
        }
        for (size_t i = 0; r >= 0 && v->libs && v->libs[i]; i++) {
                origin(where, sizeof(where), base, "libs", i);
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_LIBS, .src = v->libs[i], .origin = where });
        }
        if (r >= 0 && v->proc) {
                origin(where, sizeof(where), base, "proc", (size_t)-1);
                r = vb_plan_add(
                        p, &(struct vb_plan_grant){ .kind = VB_PLAN_PROC,
                                                    .dst = "/proc",
                                                    .origin = where,
                                                    .profile = v->proc_profile ? v->proc_profile : (char *)profile,
                                                    .flags = v->proc == VB_SPEC_PROC_SUBSET ? VB_PROC_SUBSET_PID : 0 });
        }
        /* With dev shared, the server binds the host's /dev: "dev": true asks for nothing more. */
        if (r >= 0 && v->dev && !dev_shared) {
                origin(where, sizeof(where), base, "dev", (size_t)-1);
                r = vb_plan_add(
                        p, &(struct vb_plan_grant){ .kind = VB_PLAN_DEV,
                                                    .dst = "/dev",
                                                    .origin = where,
                                                    .profile = v->dev_profile ? v->dev_profile : (char *)profile });
        }
        if (r >= 0 && v->passwd) {
                origin(where, sizeof(where), base, "passwd", (size_t)-1);
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_PASSWD,
                                                            .dst = "/etc",
                                                            .origin = where,
                                                            .profile = v->passwd_profile ? v->passwd_profile
                                                                                         : (char *)profile });
        }
        return r;
}

static int add_process(struct vb_plan *p, const struct vb_spec_void *v, const char *base, const char *profile)
{
        char where[512];
        int r = 0;

        for (size_t i = 0; r >= 0 && i < v->n_env; i++) {
                origin(where, sizeof(where), base, "env", (size_t)-1);
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_SETENV,
                                                            .src = v->env[i].name,
                                                            .dst = v->env[i].value,
                                                            .origin = where,
                                                            .profile = v->env[i].profile ? v->env[i].profile
                                                                                         : (char *)profile });
        }
        for (size_t i = 0; r >= 0 && i < v->n_rlimits; i++) {
                origin(where, sizeof(where), base, "rlimits", (size_t)-1);
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_RLIMIT,
                                                            .resource = v->rlimits[i].resource,
                                                            .soft = v->rlimits[i].soft,
                                                            .hard = v->rlimits[i].hard,
                                                            .origin = where });
        }
        for (size_t i = 0; r >= 0 && i < v->n_caps; i++) {
                origin(where, sizeof(where), base, "caps", i);
                r = vb_plan_add(
                        p, &(struct vb_plan_grant){ .kind = VB_PLAN_CAP, .resource = v->caps[i], .origin = where });
        }
        origin(where, sizeof(where), base, "time-offset", (size_t)-1);
        if (r >= 0 && v->has_boottime)
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_TIME_OFFSET,
                                                            .resource = CLOCK_BOOTTIME,
                                                            .seconds = v->boottime,
                                                            .origin = where });
        if (r >= 0 && v->has_monotonic)
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_TIME_OFFSET,
                                                            .resource = CLOCK_MONOTONIC,
                                                            .seconds = v->monotonic,
                                                            .origin = where });
        for (size_t i = 0; r >= 0 && i < v->n_landlock; i++) {
                origin(where, sizeof(where), base, "landlock", i);
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_LANDLOCK,
                                                            .dst = v->landlock_rules[i].path,
                                                            .access = v->landlock_rules[i].access,
                                                            .origin = where });
        }
        return r;
}

int vb_plan_add_profile(struct vb_plan *p, const struct vb_spec_profile *prof, const char *origin_base)
{
        int r = add_files(p, &prof->v, false, origin_base, prof->name, NULL);

        if (r >= 0)
                r = add_process(p, &prof->v, origin_base, prof->name);
        return r < 0 ? r : 0;
}

/* The argv: the entrypoint's name, its static words, then (when it takes them) the trailing words. */
static int set_program(struct vb_plan *p, const struct vb_spec_entry *e, char *const *trailing)
{
        _cleanup_strv_free_ char **argv = NULL;
        bool takes = false;
        size_t n = 1, k = 0;

        for (size_t i = 0; i < e->n_args; i++)
                takes |= e->args[i].kind == VB_ARG_TRAILING;
        if (!takes)
                trailing = NULL;
        for (size_t i = 0; e->argv && e->argv[i]; i++)
                n++;
        for (size_t i = 0; trailing && trailing[i]; i++)
                n++;
        argv = calloc(n + 1, sizeof(char *));
        if (!argv || !(argv[k++] = strdup(e->name)))
                return -ENOMEM;
        for (size_t i = 0; e->argv && e->argv[i]; i++)
                if (!(argv[k++] = strdup(e->argv[i])))
                        return -ENOMEM;
        for (size_t i = 0; trailing && trailing[i]; i++)
                if (!(argv[k++] = strdup(trailing[i])))
                        return -ENOMEM;
        /* Opened on the host and run by fd: no /entrypoint mount, and a static program needs no fs. */
        return vb_plan_set_program(p, e->program, true, argv);
}

/* Append a copy of s to the NULL-terminated vector *v of *n strings.  -ENOMEM. */
static int strv_push(char ***v, size_t *n, const char *s)
{
        char **grown = reallocarray(*v, *n + 2, sizeof(char *));

        if (!grown)
                return -ENOMEM;
        *v = grown;
        if (!(grown[*n] = strdup(s)))
                return -ENOMEM;
        grown[++*n] = NULL;
        return 0;
}

static int copy_strv(char *const *from, size_t n, char ***out)
{
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
                if (strv_push(out, &k, from[i]) < 0)
                        return -ENOMEM;
        return 0;
}

static int copy_care(struct vb_plan *p, const struct vb_spec *s, const struct vb_spec_entry *e)
{
        const struct vb_spec_care *c = &s->care;
        struct vb_plan_care *o = &p->care;

        /* The control name and the powerbox, as --name and --inbox give them. */
        if (vb_plan_set_str(&o->name, s->name) < 0 || vb_plan_set_str(&o->inbox, e->v.inbox) < 0)
                return -ENOMEM;
        if (c->n_hosts && copy_strv(c->hosts, c->n_hosts, &o->hosts) < 0)
                return -ENOMEM;
        o->n_hosts = c->n_hosts;

        if (c->n_fwd && !(o->fwd = calloc(c->n_fwd, sizeof(*o->fwd))))
                return -ENOMEM;
        for (size_t i = 0; i < c->n_fwd; i++, o->n_fwd++)
                if (vb_plan_set_str(&o->fwd[i].at, c->fwd[i].at) < 0 ||
                    vb_plan_set_str(&o->fwd[i].upstream, c->fwd[i].upstream) < 0)
                        return -ENOMEM;
        if (c->n_allow) {
                o->allow = malloc(c->n_allow * sizeof(*o->allow));
                o->allow_text = calloc(c->n_allow + 1, sizeof(char *));
                if (!o->allow || !o->allow_text)
                        return -ENOMEM;
                memcpy(o->allow, c->allow, c->n_allow * sizeof(*o->allow));
                for (size_t i = 0; i < c->n_allow; i++)
                        if (!(o->allow_text[i] = strdup(c->allow_text[i])))
                                return -ENOMEM;
                o->n_allow = c->n_allow;
        }
        if (!c->dbus)
                return 0;
        if (vb_plan_set_str(&o->dbus_at, c->dbus->at) < 0 || vb_plan_set_str(&o->dbus_bus, c->dbus->bus) < 0)
                return -ENOMEM;
        for (size_t i = 0; c->dbus->talk && c->dbus->talk[i]; i++) {
                char **n = reallocarray(o->dbus_talk, o->n_dbus_talk + 2, sizeof(char *));

                if (!n)
                        return -ENOMEM;
                o->dbus_talk = n;
                n[o->n_dbus_talk + 1] = NULL;
                if (!(n[o->n_dbus_talk] = strdup(c->dbus->talk[i])))
                        return -ENOMEM;
                o->n_dbus_talk++;
        }
        return 0;
}

/*
 * The environment: each server given in the spec, in the mode given.  exec's
 * default in a spec is fresh (the program's own ELF closure); every other
 * absent server keeps the void's default (a fresh namespace, nothing given).
 */
static void set_servers(struct vb_plan *p, const struct vb_spec *s)
{
        for (int i = 0; i < VB_SERVER_COUNT; i++)
                if (s->env_set[i] || i == VB_SERVER_EXEC) {
                        p->server[i] = s->env[i];
                        p->server_set[i] = true;
                }
        for (int fd = 0; fd <= 2; fd++)
                p->stdio[fd] = s->env_set[VB_SERVER_TERM] && s->env[VB_SERVER_TERM] == VB_SERVER_SHARED;
}

/* "root", "overlay", "sys", "init", "chown-noop", "uid", "gid": as --root, --overlay, ... --uid, --gid. */
static int set_root(struct vb_plan *p, const struct vb_spec_void *v)
{
        if (vb_plan_set_str(&p->root, v->overlay ? v->overlay : v->root) < 0 ||
            vb_plan_set_str(&p->overlay_upper, v->overlay_upper) < 0)
                return -ENOMEM;
        p->overlay = v->overlay != NULL;
        p->root_rw = v->root_rw;
        p->init = v->init;
        p->chown_noop = v->chown_noop;
        if (v->ids_set)
                p->ids_set = true, p->uid = (uid_t)v->uid, p->gid = (gid_t)v->gid;
        if (v->sys &&
            vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_SYS, .dst = "/sys", .origin = "\"sys\"" }) < 0)
                return -ENOMEM;
        return 0;
}

static int build(struct vb_plan *p, const struct vb_spec *s, const struct vb_spec_entry *e,
                 const struct vb_plan_spec_start *st)
{
        const struct vb_spec_void *v = &e->v;
        _cleanup_free_ char *fds = vb_plan_spec_fds(e, st ? st->n_each : 0);
        char base[512];
        int r;

        set_servers(p, s);
        for (int fd = 0; fd <= 2; fd++)
                p->stdio[fd] |= v->std[fd];
        if (!fds)
                return -ENOMEM;
        /* "chdir": "caller": an empty directory made before every mount, so grants land on top of it. */
        if (v->chdir_caller && st && st->cwd) {
                if (strcmp(st->cwd, "/") != 0 &&
                    vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_DIR,
                                                            .dst = (char *)st->cwd,
                                                            .origin = "\"chdir\": \"caller\"" }) < 0)
                        return -ENOMEM;
                if (vb_plan_set_str(&p->chdir, st->cwd) < 0)
                        return -ENOMEM;
        } else if (v->chdir && vb_plan_set_str(&p->chdir, v->chdir) < 0) {
                return -ENOMEM;
        }
        snprintf(base, sizeof(base), "%s/void", e->where);
        r = add_files(p, &e->v, s->env_set[VB_SERVER_DEV] && s->env[VB_SERVER_DEV] == VB_SERVER_SHARED, base, NULL, st);
        if (r >= 0)
                r = add_process(p, &e->v, base, NULL);
        if (r >= 0)
                r = vb_plan_setenv(p, "VOIDSHIM_ENTRYPOINT", e->name, "the shim");
        if (r >= 0)
                r = vb_plan_setenv(p, "VOIDSHIM_FDS", fds, "the shim");
        if (r < 0)
                return r;
        p->loopback = v->loopback;
        p->limits = v->limits;
        p->identity = v->identity;
        p->landlock = v->landlock_off ? VB_PLAN_LANDLOCK_OFF
                      : v->landlock   ? VB_PLAN_LANDLOCK_STRICT
                                      : VB_PLAN_LANDLOCK_AUTO;
        p->seccomp = v->seccomp == VB_SPEC_SECCOMP_OFF    ? VB_PLAN_SECCOMP_OFF
                     : v->seccomp == VB_SPEC_SECCOMP_FILE ? VB_PLAN_SECCOMP_FILE
                                                          : VB_PLAN_SECCOMP_DEFAULT;
        if (vb_plan_set_str(&p->seccomp_file, v->seccomp_file) < 0 || vb_plan_set_str(&p->hostname, v->hostname) < 0 ||
            vb_plan_set_str(&p->cgroup, v->cgroup) < 0)
                return -ENOMEM;
        r = set_root(p, v);
        if (r >= 0)
                r = set_program(p, e, st ? st->trailing : NULL);
        return r < 0 ? r : copy_care(p, s, e);
}

int vb_plan_from_spec(const struct vb_spec *s, const struct vb_spec_entry *e, const struct vb_plan_spec_start *start,
                      struct vb_plan **out, struct vb_error **err)
{
        struct vb_plan *p = vb_plan_new();
        int r;

        *out = NULL;
        if (s->care.n_named) {
                vb_plan_free(p);
                return vb_error_set(err, EINVAL,
                                    "plan entrypoint %s: the \"allow\" entries that name hosts are not resolved yet "
                                    "(vb_plan_spec_resolve())",
                                    e->name);
        }
        if (!p)
                return vb_error_set(err, ENOMEM, "plan entrypoint %s", e->name);
        r = build(p, s, e, start);
        if (r < 0) {
                vb_plan_free(p);
                return vb_error_set(err, r, "plan entrypoint %s", e->name);
        }
        *out = p;
        return 0;
}

/* One entry of a spec's allowlist, resolved: its addresses appended to allow, its text and name to text and hosts. */
static int resolve_one(const char *text, struct vb_net_allow **allow, char ***texts, size_t *n, char ***hosts,
                       size_t *n_hosts, struct vb_error **err)
{
        struct vb_net_allow got[16], *grown;
        const char *why = NULL;
        char name[256], line[512], addr[INET6_ADDRSTRLEN];
        size_t n_text = *n;
        int k = vb_net_allow_resolve(text, got, ELEMENTSOF(got), name, sizeof(name), &why);

        if (k < 0)
                return vb_error_set(err, k == -ENOMEM ? ENOMEM : -k, "\"allow\" entry %s: %s", text,
                                    why ? why : strerror(-k));
        grown = reallocarray(*allow, *n + (size_t)k, sizeof(**allow));
        if (!grown)
                return vb_error_set(err, ENOMEM, "resolve the allowlist");
        *allow = grown;
        for (int i = 0; i < k; i++) {
                /*
                 * As --net-allow lists it: the text once per address, and the name in /etc/hosts (a name
                 * of the host's loopback, family 0, is reached at 127.0.0.1 in the void too).
                 */
                if (strv_push(texts, &n_text, text) < 0)
                        return vb_error_set(err, ENOMEM, "resolve the allowlist");
                (*allow)[(*n)++] = got[i];
                if (!name[0] || (got[i].family ? !inet_ntop(got[i].family, got[i].addr, addr, sizeof(addr))
                                               : !strcpy(addr, "127.0.0.1")))
                        continue;
                snprintf(line, sizeof(line), "%s %s", addr, name);
                if (strv_push(hosts, n_hosts, line) < 0)
                        return vb_error_set(err, ENOMEM, "resolve the allowlist");
        }
        return 0;
}

int vb_plan_spec_resolve(struct vb_spec *s, struct vb_error **err)
{
        struct vb_spec_care *c = &s->care;
        struct vb_net_allow *allow = NULL;
        char **texts = NULL, **hosts = NULL;
        size_t n = 0, n_hosts = 0;
        int r = 0;

        if (!c->n_named)
                return 0;
        for (size_t i = 0; r >= 0 && i < c->n_allow; i++)
                r = resolve_one(c->allow_text[i], &allow, &texts, &n, &hosts, &n_hosts, err);
        if (r < 0) {
                free(allow);
                vb_strv_free(texts);
                vb_strv_free(hosts);
                return r;
        }
        free(c->allow);
        vb_strv_free(c->allow_text);
        vb_strv_free(c->hosts);
        c->allow = allow, c->allow_text = texts, c->n_allow = n;
        c->hosts = hosts, c->n_hosts = n_hosts;
        c->n_named = 0;
        return 0;
}
