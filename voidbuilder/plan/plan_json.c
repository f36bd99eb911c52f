/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb_plan_to_json(): a plan as data, in the shape doc/plan-json.md documents (version 1). */
#include <errno.h>
#include <jansson.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"

#define PLAN_JSON_VERSION 1

static void plan_json_decrefp(json_t **j)
{
        json_decref(*j);
}
#define _cleanup_json_ _cleanup_(plan_json_decrefp)

/* Each json_object_set_new()/json_array_append_new() returns -1 on failure; fail is sticky. */
struct out {
        bool fail;
};

static void set(struct out *o, json_t *obj, const char *key, json_t *val)
{
        if (!val || json_object_set_new(obj, key, val) < 0)
                o->fail = true;
}

static void push(struct out *o, json_t *arr, json_t *val)
{
        if (!val || json_array_append_new(arr, val) < 0)
                o->fail = true;
}

static json_t *str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

static json_t *strv(struct out *o, char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; a && v && v[i]; i++)
                push(o, a, json_string(v[i]));
        return a;
}

static const char *const kind_names[VB_PLAN_GRANT_KIND_COUNT] = {
        [VB_PLAN_BIND] = "bind",         [VB_PLAN_TMPFS] = "tmpfs",   [VB_PLAN_DIR] = "dir",
        [VB_PLAN_SYMLINK] = "symlink",   [VB_PLAN_PROC] = "proc",     [VB_PLAN_DEV] = "dev",
        [VB_PLAN_LIBS] = "libs",         [VB_PLAN_FD] = "fd",         [VB_PLAN_SETENV] = "setenv",
        [VB_PLAN_LANDLOCK] = "landlock", [VB_PLAN_RLIMIT] = "rlimit", [VB_PLAN_TIME_OFFSET] = "time-offset",
        [VB_PLAN_CAP] = "cap",           [VB_PLAN_PASSWD] = "passwd", [VB_PLAN_SYS] = "sys",
        [VB_PLAN_MOUNT] = "mount",       [VB_PLAN_MASK] = "mask",     [VB_PLAN_READONLY] = "readonly",
        [VB_PLAN_DEVICE] = "device",     [VB_PLAN_SYSCTL] = "sysctl",
};

static json_t *access_word(unsigned acc)
{
        char w[4];
        size_t n = 0;

        if (acc & VB_LANDLOCK_READ)
                w[n++] = 'r';
        if (acc & VB_LANDLOCK_WRITE)
                w[n++] = 'w';
        if (acc & VB_LANDLOCK_EXEC)
                w[n++] = 'x';
        w[n] = '\0';
        return json_string(w);
}

static json_t *mount_flags(struct out *o, unsigned flags)
{
        json_t *a = json_array();

        if (a && (flags & VB_MOUNT_RW))
                push(o, a, json_string("rw"));
        if (a && (flags & VB_MOUNT_EXEC))
                push(o, a, json_string("exec"));
        if (a && (flags & VB_MOUNT_NOEXEC))
                push(o, a, json_string("noexec"));
        if (a && (flags & VB_MOUNT_DEV))
                push(o, a, json_string("dev"));
        if (a && (flags & VB_MOUNT_OPTIONAL))
                push(o, a, json_string("optional"));
        return a;
}

static json_t *mount_attrs(struct out *o, unsigned attrs)
{
        static const struct {
                unsigned attr;
                const char *name;
        } names[] = {
                { MOUNT_ATTR_RDONLY, "ro" },
                { MOUNT_ATTR_NOSUID, "nosuid" },
                { MOUNT_ATTR_NODEV, "nodev" },
                { MOUNT_ATTR_NOEXEC, "noexec" },
                { MOUNT_ATTR_NOATIME, "noatime" },
                { MOUNT_ATTR_STRICTATIME, "strictatime" },
                { MOUNT_ATTR_NODIRATIME, "nodiratime" },
        };
        json_t *a = json_array();

        for (size_t i = 0; a && i < ELEMENTSOF(names); i++)
                if (names[i].attr == MOUNT_ATTR_NOATIME || names[i].attr == MOUNT_ATTR_STRICTATIME
                            ? (attrs & MOUNT_ATTR__ATIME) == names[i].attr
                            : (attrs & names[i].attr))
                        push(o, a, json_string(names[i].name));
        return a;
}

static json_t *cap_list(struct out *o, uint64_t set)
{
        json_t *a = json_array();

        for (int c = 0; a && c < 64; c++)
                if (set & (1ULL << c)) {
                        char *name = cap_to_name(c);

                        push(o, a, json_string(name ? name : "?"));
                        cap_free(name);
                }
        return a;
}

static json_t *id_map(struct out *o, const struct vb_id_map *r, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                push(o, a,
                     json_pack("[I,I,I]", (json_int_t)r[i].inner, (json_int_t)r[i].outer, (json_int_t)r[i].count));
        return a;
}

/* The "container" object (doc/plan-json.md): null when the plan asks for none of it. */
static json_t *container(struct out *o, const struct vb_plan *p)
{
        const struct vb_plan_container *c = &p->ctr;
        json_t *j, *groups;

        if (!c->image_root && !c->enter && !c->n_uid_map && !c->user_set && !c->umask_set && !c->caps_set &&
            !c->new_privs && !c->oom_set && !c->notes && p->live.gate_fd < 0)
                return json_null();
        j = json_object();
        groups = json_array();
        for (size_t i = 0; groups && i < c->n_groups; i++)
                push(o, groups, json_integer(c->groups[i]));
        if (!j) {
                json_decref(groups);
                return NULL;
        }
        set(o, j, "image_root", json_boolean(c->image_root));
        set(o, j, "enter", json_boolean(c->enter));
        set(o, j, "uid_map", id_map(o, c->uid_map, c->n_uid_map));
        set(o, j, "gid_map", id_map(o, c->gid_map, c->n_gid_map));
        set(o, j, "user",
            c->user_set ? json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)c->uid, "gid", (json_int_t)c->gid, "groups",
                                    groups)
                        : (json_decref(groups), json_null()));
        set(o, j, "umask", c->umask_set ? json_integer(c->umask) : json_null());
        set(o, j, "caps",
            c->caps_set ? json_pack("{s:o, s:o, s:o, s:o, s:o}", "bounding", cap_list(o, c->caps.bounding), "effective",
                                    cap_list(o, c->caps.effective), "permitted", cap_list(o, c->caps.permitted),
                                    "inheritable", cap_list(o, c->caps.inheritable), "ambient",
                                    cap_list(o, c->caps.ambient))
                        : json_null());
        set(o, j, "no_new_privs", json_boolean(!c->new_privs));
        set(o, j, "oom_score_adj", c->oom_set ? json_integer(c->oom_score_adj) : json_null());
        set(o, j, "held", json_boolean(p->live.gate_fd >= 0));
        set(o, j, "notes", strv(o, c->notes));
        return j;
}

static const char *rlimit_name(int res)
{
        static const struct {
                int res;
                const char *name;
        } names[] = {
                { RLIMIT_AS, "as" },         { RLIMIT_CORE, "core" },   { RLIMIT_CPU, "cpu" },
                { RLIMIT_DATA, "data" },     { RLIMIT_FSIZE, "fsize" }, { RLIMIT_MEMLOCK, "memlock" },
                { RLIMIT_NOFILE, "nofile" }, { RLIMIT_NPROC, "nproc" }, { RLIMIT_STACK, "stack" },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].res == res)
                        return names[i].name;
        return "?";
}

static void grant_fields(struct out *o, json_t *j, const struct vb_plan_grant *g)
{
        char *cap;

        switch (g->kind) {
        case VB_PLAN_BIND:
                set(o, j, "src", json_string(g->src));
                set(o, j, "dst", json_string(g->dst));
                set(o, j, "flags", mount_flags(o, g->flags));
                if (g->checked)
                        set(o, j, "checked", json_true());
                return;
        case VB_PLAN_TMPFS:
                set(o, j, "dst", json_string(g->dst));
                set(o, j, "size", json_integer((json_int_t)g->size));
                set(o, j, "flags", mount_flags(o, g->flags));
                return;
        case VB_PLAN_DIR:
        case VB_PLAN_DEV:
        case VB_PLAN_PASSWD:
                set(o, j, "dst", json_string(g->dst));
                return;
        case VB_PLAN_PROC:
                set(o, j, "dst", json_string(g->dst));
                set(o, j, "subset", json_boolean(g->flags & VB_PROC_SUBSET_PID));
                return;
        case VB_PLAN_SYMLINK:
                set(o, j, "target", json_string(g->src));
                set(o, j, "dst", json_string(g->dst));
                return;
        case VB_PLAN_LIBS:
                set(o, j, "binary", json_string(g->src));
                return;
        case VB_PLAN_FD:
                set(o, j, "target", json_integer(g->target));
                set(o, j, "reopen", access_word(g->access));
                return;
        case VB_PLAN_SETENV:
                set(o, j, "name", json_string(g->src));
                set(o, j, "value", json_string(g->dst));
                return;
        case VB_PLAN_LANDLOCK:
                set(o, j, "path", json_string(g->dst));
                set(o, j, "access", access_word(g->access));
                return;
        case VB_PLAN_RLIMIT:
                set(o, j, "resource", json_string(rlimit_name(g->resource)));
                set(o, j, "soft", json_integer((json_int_t)g->soft));
                set(o, j, "hard", json_integer((json_int_t)g->hard));
                return;
        case VB_PLAN_TIME_OFFSET:
                set(o, j, "clock", json_string(g->resource == CLOCK_BOOTTIME ? "boottime" : "monotonic"));
                set(o, j, "seconds", json_integer(g->seconds));
                return;
        case VB_PLAN_CAP:
                cap = cap_to_name(g->resource);
                set(o, j, "cap", json_string(cap ? cap : "?"));
                cap_free(cap);
                return;
        case VB_PLAN_MOUNT:
                set(o, j, "fstype", json_string(g->fstype));
                set(o, j, "source", str_or_null(g->src));
                set(o, j, "dst", json_string(g->dst));
                set(o, j, "options", str_or_null(g->options));
                set(o, j, "attrs", mount_attrs(o, g->flags));
                return;
        case VB_PLAN_MASK:
        case VB_PLAN_READONLY:
                set(o, j, "dst", json_string(g->dst));
                return;
        case VB_PLAN_DEVICE:
                set(o, j, "dst", json_string(g->dst));
                set(o, j, "type", json_stringn((const char *)&(char){ (char)g->resource }, 1));
                set(o, j, "major", json_integer(major(g->dev)));
                set(o, j, "minor", json_integer(minor(g->dev)));
                set(o, j, "mode", json_integer(g->mode));
                set(o, j, "uid", json_integer(g->uid));
                set(o, j, "gid", json_integer(g->gid));
                return;
        case VB_PLAN_SYSCTL:
                set(o, j, "key", json_string(g->src));
                set(o, j, "value", json_string(g->dst));
                return;
        case VB_PLAN_GRANT_KIND_COUNT:
        default:
                return;
        }
}

static json_t *grants(struct out *o, const struct vb_plan *p)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < p->n_grants; i++) {
                const struct vb_plan_grant *g = &p->grants[i];
                json_t *j = json_object();

                if (j)
                        set(o, j, "kind",
                            json_string((unsigned)g->kind < VB_PLAN_GRANT_KIND_COUNT ? kind_names[g->kind] : "?"));
                if (j)
                        grant_fields(o, j, g);
                if (j && g->profile)
                        set(o, j, "profile", json_string(g->profile));
                push(o, a, j);
        }
        return a;
}

static json_t *namespaces(struct out *o, const struct vb_plan *p)
{
        json_t *j = json_object();

        for (int i = 0; j && i < VB_NS_COUNT; i++) {
                const char *name = vb_ns_name((enum vb_ns)i);

                if (p->ns[i] == VB_NS_JOIN) {
                        json_t *join = json_object();

                        if (join)
                                set(o, join, "join", str_or_null(p->ns_path[i]));
                        set(o, j, name, join);
                } else {
                        set(o, j, name, json_string(p->ns[i] == VB_NS_SHARED ? "shared" : "fresh"));
                }
        }
        return j;
}

static json_t *servers(struct out *o, const struct vb_plan *p)
{
        json_t *j = json_object();

        for (int s = 0; j && s < VB_SERVER_COUNT; s++)
                if (p->server_set[s])
                        set(o, j, vb_server_name((enum vb_server)s), json_string(vb_server_mode_name(p->server[s])));
        return j;
}

static json_t *care(struct out *o, const struct vb_plan_care *c)
{
        json_t *j = json_object(), *fwd = json_array();

        for (size_t i = 0; fwd && i < c->n_fwd; i++) {
                json_t *f = json_object();

                if (f) {
                        set(o, f, "at", json_string(c->fwd[i].at));
                        set(o, f, "upstream", json_string(c->fwd[i].upstream));
                }
                push(o, fwd, f);
        }
        if (!j) {
                json_decref(fwd);
                return NULL;
        }
        set(o, j, "forward", fwd);
        set(o, j, "net_allow", strv(o, c->allow_text));
        set(o, j, "hosts", strv(o, c->hosts));
        set(o, j, "dbus",
            c->dbus_at
                    ? json_pack("{s:s, s:s, s:o}", "at", c->dbus_at, "bus", c->dbus_bus, "talk", strv(o, c->dbus_talk))
                    : json_null());
        set(o, j, "name", str_or_null(c->name));
        set(o, j, "inbox", str_or_null(c->inbox));
        return j;
}

static json_t *program(struct out *o, const struct vb_plan *p)
{
        json_t *j = json_object();

        if (!j)
                return NULL;
        set(o, j, "path", str_or_null(p->program));
        set(o, j, "host", json_boolean(p->program_host));
        set(o, j, "argv", strv(o, p->argv));
        return j;
}

/* "root": null for the empty tmpfs, else {"dir", "writable", "overlay", "upper"} (doc/plan-json.md). */
static json_t *root(struct out *o, const struct vb_plan *p)
{
        json_t *j;

        if (!p->root)
                return json_null();
        j = json_object();
        if (!j)
                return NULL;
        set(o, j, "dir", json_string(p->root));
        set(o, j, "writable", json_boolean(p->overlay || p->root_rw));
        set(o, j, "overlay", json_boolean(p->overlay));
        set(o, j, "upper", str_or_null(p->overlay_upper));
        return j;
}

static json_t *filters(struct out *o, const struct vb_plan *p)
{
        static const char *const ll[] = { "auto", "strict", "off" };
        static const char *const sc[] = { "default", "off", "file", "text" };
        json_t *j = json_object(), *s = json_object();

        if (!j || !s) {
                json_decref(j);
                json_decref(s);
                return NULL;
        }
        set(o, j, "landlock", json_string(ll[p->landlock % 3]));
        set(o, s, "policy", json_string(sc[p->seccomp % 4]));
        set(o, s, "file", str_or_null(p->seccomp_file));
        if (p->seccomp == VB_PLAN_SECCOMP_TEXT)
                set(o, s, "text", json_string(p->ctr.seccomp_text ? p->ctr.seccomp_text : ""));
        set(o, j, "seccomp", s);
        return j;
}

/* {"cgroup", "pids", "memory", "cpu"}: a limit not given is null; cpu in percent of one CPU. */
static json_t *limits(const struct vb_plan *p)
{
        const struct vb_limits *l = &p->limits;

        return json_pack("{s:o, s:o, s:o, s:o}", "cgroup", str_or_null(p->cgroup), "pids",
                         l->pids ? json_integer((json_int_t)l->pids) : json_null(), "memory",
                         l->memory ? json_integer((json_int_t)l->memory) : json_null(), "cpu",
                         l->cpu ? json_integer((json_int_t)l->cpu) : json_null());
}

char *vb_plan_to_json(const struct vb_plan *p)
{
        _cleanup_json_ json_t *j = json_object();
        struct out o = {};
        json_t *ids, *f;

        if (!j)
                return NULL;
        set(&o, j, "version", json_integer(PLAN_JSON_VERSION));
        set(&o, j, "program", program(&o, p));
        set(&o, j, "namespaces", namespaces(&o, p));
        set(&o, j, "servers", servers(&o, p));
        ids = p->ids_set ? json_pack("{s:I, s:I}", "uid", (json_int_t)p->uid, "gid", (json_int_t)p->gid) : json_null();
        set(&o, j, "ids", ids);
        set(&o, j, "stdio", json_pack("[b,b,b]", p->stdio[0], p->stdio[1], p->stdio[2]));
        set(&o, j, "grants", grants(&o, p));
        set(&o, j, "loopback", json_boolean(p->loopback));
        set(&o, j, "hostname", str_or_null(p->hostname));
        set(&o, j, "chdir", str_or_null(p->chdir));
        f = filters(&o, p);
        set(&o, j, "landlock", f ? json_incref(json_object_get(f, "landlock")) : NULL);
        set(&o, j, "seccomp", f ? json_incref(json_object_get(f, "seccomp")) : NULL);
        json_decref(f);
        set(&o, j, "limits", limits(p));
        set(&o, j, "caretakers", care(&o, &p->care));
        set(&o, j, "hide", strv(&o, p->hide));
        set(&o, j, "root", root(&o, p));
        set(&o, j, "init", !p->init ? json_null() : json_string(p->init_hold ? "hold" : "reaper"));
        set(&o, j, "chown_noop", json_boolean(p->chown_noop));
        set(&o, j, "container", container(&o, p));
        set(&o, j, "identity", json_string(vb_identity_name(p->identity)));
        if (o.fail)
                return NULL;
        return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
