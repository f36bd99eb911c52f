/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's "mounts" as grants: binds, and new file systems with their options (doc/oci.md). */
#include <errno.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "oci/oci_plan.h"
#include "voidbuilder/cleanup.h"

struct mopts {
        unsigned attrs; /* MOUNT_ATTR_* */
        bool bind, ro, noexec, nodev, suid;
        const char *propagation; /* a non-private one, or NULL */
        char *data;              /* the file system's own options, "a=1,b" */
};

/* An option that sets or clears a mount attribute; false if it is not one. */
static bool attr_option(const char *o, struct mopts *m)
{
        static const struct {
                const char *name;
                unsigned set, clear;
        } attrs[] = {
                { "ro", MOUNT_ATTR_RDONLY, 0 },
                { "rro", MOUNT_ATTR_RDONLY, 0 },
                { "rw", 0, MOUNT_ATTR_RDONLY },
                { "rrw", 0, MOUNT_ATTR_RDONLY },
                { "nosuid", MOUNT_ATTR_NOSUID, 0 },
                { "rnosuid", MOUNT_ATTR_NOSUID, 0 },
                { "suid", 0, MOUNT_ATTR_NOSUID },
                { "nodev", MOUNT_ATTR_NODEV, 0 },
                { "rnodev", MOUNT_ATTR_NODEV, 0 },
                { "dev", 0, MOUNT_ATTR_NODEV },
                { "noexec", MOUNT_ATTR_NOEXEC, 0 },
                { "rnoexec", MOUNT_ATTR_NOEXEC, 0 },
                { "exec", 0, MOUNT_ATTR_NOEXEC },
                { "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
                { "diratime", 0, MOUNT_ATTR_NODIRATIME },
                { "noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
                { "strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
                { "relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
                { "atime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
        };

        for (size_t i = 0; i < ELEMENTSOF(attrs); i++)
                if (strcmp(o, attrs[i].name) == 0) {
                        m->attrs = (m->attrs & ~attrs[i].clear) | attrs[i].set;
                        return true;
                }
        return false;
}

static bool propagation_option(const char *o)
{
        static const char *const names[] = { "private", "rprivate", "shared",     "rshared",
                                             "slave",   "rslave",   "unbindable", "runbindable" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(o, names[i]) == 0)
                        return true;
        return false;
}

static int append_data(struct mopts *m, const char *o)
{
        char *n = NULL;

        if (asprintf(&n, "%s%s%s", m->data ? m->data : "", m->data ? "," : "", o) < 0)
                return -ENOMEM;
        free(m->data);
        m->data = n;
        return 0;
}

static int read_options(char *const *options, const char *path, struct mopts *m, struct vb_error **err)
{
        for (size_t i = 0; options && options[i]; i++) {
                const char *o = options[i];

                if (attr_option(o, m))
                        continue;
                if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0)
                        m->bind = true;
                else if (propagation_option(o))
                        m->propagation = strstr(o, "private") ? m->propagation : o;
                else if (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0)
                        return vb_error_set(err, EINVAL,
                                            "config.json: %s/options/%zu: idmapped mounts are not supported", path, i);
                else if (strcmp(o, "defaults") == 0 || strcmp(o, "tmpcopyup") == 0 || strcmp(o, "async") == 0)
                        continue;
                else if (!*o || strchr(o, ',') || strlen(o) > 255)
                        return vb_error_set(err, EINVAL, "config.json: %s/options/%zu: \"%s\" is not an option", path,
                                            i, o);
                else if (append_data(m, o) < 0)
                        return vb_error_set(err, ENOMEM, "building the plan");
        }
        m->ro = m->attrs & MOUNT_ATTR_RDONLY;
        m->noexec = m->attrs & MOUNT_ATTR_NOEXEC;
        m->nodev = m->attrs & MOUNT_ATTR_NODEV;
        return 0;
}

static bool dst_ok(const char *dst)
{
        for (const char *p = dst; (p = strstr(p, "..")); p += 2)
                if ((p == dst || p[-1] == '/') && (p[2] == '/' || !p[2]))
                        return false;
        return strspn(dst, "/") != strlen(dst); /* not "/" itself */
}

static int bind(struct vb_plan *p, const struct vb_oci *c, const struct vb_oci_mount *om, const struct mopts *m,
                const char *origin, struct vb_error **err)
{
        _cleanup_free_ char *src = NULL;
        unsigned flags = (m->ro ? 0 : VB_MOUNT_RW) | (m->noexec ? VB_MOUNT_NOEXEC : 0) | (m->nodev ? 0 : VB_MOUNT_DEV);

        if (!om->source || !*om->source)
                return vb_error_set(err, EINVAL, "config.json: %s: a bind mount needs a source", origin + 12);
        if (om->source[0] == '/')
                src = strdup(om->source);
        else if (asprintf(&src, "%s/%s", c->bundle, om->source) < 0)
                src = NULL;
        if (!src || vb_plan_bind(p, src, om->dst, flags, origin) < 0)
                return vb_error_set(err, ENOMEM, "building the plan");
        if (m->data && oci_plan_note(p, "%s: options \"%s\" mean nothing to a bind, ignored", origin + 12, m->data) < 0)
                return vb_error_set(err, ENOMEM, "building the plan");
        return 0;
}

/*
 * "cgroup": on a cgroup2 host, a cgroup2 mount (the container's cgroup namespace is its root); on a
 * v1 or hybrid host, the host's hierarchies bound read-only.
 */
static int cgroup(struct vb_plan *p, const struct vb_oci_mount *om, const struct mopts *m, const char *origin,
                  struct vb_error **err)
{
        struct statfs fs;
        struct vb_plan_grant g = { .kind = VB_PLAN_MOUNT,
                                   .fstype = "cgroup2",
                                   .src = "cgroup2",
                                   .dst = om->dst,
                                   .flags = m->attrs,
                                   .origin = (char *)origin };

        if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                return vb_plan_add(p, &g) < 0 ? vb_error_set(err, ENOMEM, "building the plan") : 0;
        if (vb_plan_bind(p, "/sys/fs/cgroup", om->dst, 0, origin) < 0 ||
            oci_plan_note(p, "%s: cgroup v1 host: the host's /sys/fs/cgroup, bound read-only", origin + 12) < 0)
                return vb_error_set(err, ENOMEM, "building the plan");
        return 0;
}

static int one_mount(struct vb_plan *p, const struct vb_oci *c, size_t i, struct vb_error **err)
{
        const struct vb_oci_mount *om = &c->mounts[i];
        struct mopts m = {};
        char origin[64], *path = origin + 12;
        struct vb_plan_grant g = { .kind = VB_PLAN_MOUNT };
        int r;

        snprintf(origin, sizeof(origin), "config.json /mounts/%zu", i);
        if (!dst_ok(om->dst))
                return vb_error_set(err, EINVAL, "config.json: %s/destination: \"%s\" must be below / without \"..\"",
                                    path, om->dst);
        r = read_options(om->options, path, &m, err);
        if (r >= 0 && m.propagation)
                r = oci_plan_note(p, "%s: \"%s\" is not applied: a void's mounts are all private", path,
                                  m.propagation) < 0
                            ? vb_error_set(err, ENOMEM, "building the plan")
                            : 0;
        if (r < 0)
                goto out;
        if (m.bind || (om->type && (strcmp(om->type, "bind") == 0 || strcmp(om->type, "rbind") == 0))) {
                r = bind(p, c, om, &m, origin, err);
                goto out;
        }
        if (!om->type || !*om->type) {
                r = vb_error_set(err, EINVAL, "config.json: %s/type: required for a mount that is not a bind", path);
                goto out;
        }
        if (strcmp(om->type, "cgroup") == 0) {
                r = cgroup(p, om, &m, origin, err);
                goto out;
        }
        g.fstype = om->type;
        g.src = om->source && *om->source ? om->source : om->type;
        g.dst = om->dst;
        g.options = m.data;
        g.flags = m.attrs;
        g.origin = origin;
        r = vb_plan_add(p, &g) < 0 ? vb_error_set(err, ENOMEM, "building the plan") : 0;
out:
        free(m.data);
        return r;
}

int oci_plan_mounts(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < c->n_mounts; i++)
                r = one_mount(p, c, i, err);
        return r;
}
