/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's "linux": namespaces, id maps, devices, sysctls, masks, seccomp, resources. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_json.h"
#include "voidbuilder/cleanup.h"

static int ns_from_oci(const char *type)
{
        static const struct {
                const char *oci;
                enum vb_ns ns;
        } names[] = {
                { "pid", VB_NS_PID }, { "network", VB_NS_NET }, { "mount", VB_NS_MNT },     { "ipc", VB_NS_IPC },
                { "uts", VB_NS_UTS }, { "user", VB_NS_USER },   { "cgroup", VB_NS_CGROUP }, { "time", VB_NS_TIME },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(type, names[i].oci) == 0)
                        return (int)names[i].ns;
        return -1;
}

static int read_namespaces(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci *c)
{
        char p[512], q[600];
        json_t *list, *e;
        size_t i;
        int r = oci_arr(rd, j, "namespaces", path, &list);

        if (r < 0 || !list)
                return r;
        oci_path(p, sizeof(p), path, "namespaces");
        json_array_foreach(list, i, e)
        {
                _cleanup_free_ char *type = NULL, *nspath = NULL;
                int ns;

                oci_path_i(q, sizeof(q), p, i);
                if (!json_is_object(e))
                        return oci_bad(rd, q, "must be an object {type, path}");
                if ((r = oci_str(rd, e, "type", q, true, &type)) < 0 ||
                    (r = oci_str(rd, e, "path", q, false, &nspath)) < 0)
                        return r;
                ns = ns_from_oci(type);
                if (ns < 0)
                        return oci_bad(rd, q,
                                       "unknown namespace type \"%s\" (pid, network, mount, ipc, uts, user, "
                                       "cgroup, time)",
                                       type);
                if (c->ns_set[ns])
                        return oci_bad(rd, q, "namespace \"%s\" listed twice", type);
                if (nspath && nspath[0] != '/')
                        return oci_bad(rd, q, "path must be absolute, not \"%s\"", nspath);
                c->ns_set[ns] = true;
                c->ns_path[ns] = nspath && *nspath ? TAKE_PTR(nspath) : NULL;
        }
        return 0;
}

static int read_map(struct oci_rd *rd, json_t *j, const char *key, const char *path, struct vb_id_map **out, size_t *n)
{
        char p[512], q[600];
        json_t *list, *e;
        size_t i;
        int r = oci_arr(rd, j, key, path, &list);

        if (r < 0 || !list)
                return r;
        oci_path(p, sizeof(p), path, key);
        *out = calloc(json_array_size(list) + 1, sizeof(**out));
        if (!*out)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(list, i, e)
        {
                uint64_t in = 0, host = 0, size = 0;
                bool s1 = false, s2 = false, s3 = false;

                oci_path_i(q, sizeof(q), p, i);
                if (!json_is_object(e))
                        return oci_bad(rd, q, "must be an object {containerID, hostID, size}");
                if ((r = oci_uint(rd, e, "containerID", q, UINT32_MAX, &in, &s1)) < 0 ||
                    (r = oci_uint(rd, e, "hostID", q, UINT32_MAX, &host, &s2)) < 0 ||
                    (r = oci_uint(rd, e, "size", q, UINT32_MAX, &size, &s3)) < 0)
                        return r;
                if (!s1 || !s2 || !s3 || size == 0)
                        return oci_bad(rd, q, "needs containerID, hostID and a size above 0");
                (*out)[(*n)++] = (struct vb_id_map){ (uint32_t)in, (uint32_t)host, (uint32_t)size };
        }
        return 0;
}

static int read_device(struct oci_rd *rd, json_t *e, const char *q, struct vb_oci_device *d)
{
        _cleanup_free_ char *type = NULL;
        int64_t v = 0;
        bool set = false;
        int r;

        if (!json_is_object(e))
                return oci_bad(rd, q, "must be an object {path, type, major, minor, fileMode, uid, gid}");
        if ((r = oci_str(rd, e, "path", q, true, &d->path)) < 0 || (r = oci_str(rd, e, "type", q, true, &type)) < 0)
                return r;
        if (d->path[0] != '/' || strstr(d->path, "/../") || strcmp(d->path + strlen(d->path) - 1, "/") == 0)
                return oci_bad(rd, q, "path must be an absolute file path, not \"%s\"", d->path);
        if (strlen(type) != 1 || !strchr("cbup", type[0]))
                return oci_bad(rd, q, "type must be c, b, u or p, not \"%s\"", type);
        d->type = type[0] == 'u' ? 'c' : type[0];
        d->major = d->minor = -1;
        if ((r = oci_int(rd, e, "major", q, 0, 0xfff, &d->major, NULL)) < 0 ||
            (r = oci_int(rd, e, "minor", q, 0, 0xfffff, &d->minor, NULL)) < 0)
                return r;
        if (d->type != 'p' && (d->major < 0 || d->minor < 0))
                return oci_bad(rd, q, "a %s device needs major and minor", d->type == 'c' ? "character" : "block");
        if ((r = oci_int(rd, e, "fileMode", q, 0, 07777, &v, &set)) < 0)
                return r;
        d->mode_set = set, d->mode = (mode_t)v;
        if ((r = oci_int(rd, e, "uid", q, 0, UINT32_MAX - 1, &v, &d->uid_set)) < 0)
                return r;
        d->uid = (uid_t)v;
        if ((r = oci_int(rd, e, "gid", q, 0, UINT32_MAX - 1, &v, &d->gid_set)) < 0)
                return r;
        d->gid = (gid_t)v;
        return 0;
}

static int read_devices(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci *c)
{
        char p[512], q[600];
        json_t *list, *e;
        size_t i;
        int r = oci_arr(rd, j, "devices", path, &list);

        if (r < 0 || !list)
                return r;
        oci_path(p, sizeof(p), path, "devices");
        c->devices = calloc(json_array_size(list) + 1, sizeof(*c->devices));
        if (!c->devices)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(list, i, e)
        {
                r = read_device(rd, e, oci_path_i(q, sizeof(q), p, i), &c->devices[c->n_devices]);
                c->n_devices++; /* counted even half read, so that it is freed */
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_sysctl(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci *c)
{
        char p[512], q[600];
        json_t *obj, *v;
        const char *key;
        size_t n = 0;
        int r = oci_obj(rd, j, "sysctl", path, &obj);

        if (r < 0 || !obj)
                return r;
        oci_path(p, sizeof(p), path, "sysctl");
        c->sysctl = calloc(2 * json_object_size(obj) + 1, sizeof(char *));
        if (!c->sysctl)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_object_foreach(obj, key, v)
        {
                if (!json_is_string(v))
                        return oci_bad(rd, oci_path(q, sizeof(q), p, key), "must be a string");
                if (!(c->sysctl[n++] = strdup(key)) || !(c->sysctl[n++] = strdup(json_string_value(v))))
                        return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        }
        return 0;
}

static int read_paths(struct oci_rd *rd, json_t *j, const char *key, const char *path, char ***out)
{
        char p[512], q[600];
        int r = oci_strv(rd, j, key, path, false, out);

        oci_path(p, sizeof(p), path, key);
        for (size_t i = 0; r >= 0 && *out && (*out)[i]; i++)
                if ((*out)[i][0] != '/')
                        r = oci_bad(rd, oci_path_i(q, sizeof(q), p, i), "must be an absolute path");
        return r;
}

int oci_read_linux(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci *c)
{
        char p[512];
        json_t *seccomp, *res;
        int r;

        if (!json_is_object(j))
                return oci_bad(rd, path, "must be an object");
        if ((r = read_namespaces(rd, j, path, c)) < 0 ||
            (r = read_map(rd, j, "uidMappings", path, &c->uid_map, &c->n_uid_map)) < 0 ||
            (r = read_map(rd, j, "gidMappings", path, &c->gid_map, &c->n_gid_map)) < 0 ||
            (r = read_devices(rd, j, path, c)) < 0 || (r = read_sysctl(rd, j, path, c)) < 0 ||
            (r = read_paths(rd, j, "maskedPaths", path, &c->masked)) < 0 ||
            (r = read_paths(rd, j, "readonlyPaths", path, &c->readonly)) < 0 ||
            (r = oci_str(rd, j, "cgroupsPath", path, false, &c->cgroups_path)) < 0 ||
            (r = oci_str(rd, j, "rootfsPropagation", path, false, &c->rootfs_propagation)) < 0 ||
            (r = oci_str(rd, j, "mountLabel", path, false, &c->mount_label)) < 0 ||
            (r = oci_obj(rd, j, "seccomp", path, &seccomp)) < 0 || (r = oci_obj(rd, j, "resources", path, &res)) < 0)
                return r;
        if (!c->n_uid_map != !c->n_gid_map)
                return oci_bad(rd, path, "uidMappings and gidMappings go together");
        if (c->n_uid_map && !c->ns_set[VB_NS_USER])
                return oci_bad(rd, oci_path(p, sizeof(p), path, "uidMappings"), "needs a user namespace");
        if (c->ns_set[VB_NS_USER] && !c->ns_path[VB_NS_USER] && !c->n_uid_map)
                return oci_bad(rd, oci_path(p, sizeof(p), path, "namespaces"),
                               "a new user namespace needs uidMappings and gidMappings");
        if (seccomp &&
            (r = oci_seccomp_translate(rd, seccomp, oci_path(p, sizeof(p), path, "seccomp"), &c->seccomp)) < 0)
                return r;
        if (res) {
                c->resources_set = true;
                r = oci_read_resources(rd, res, oci_path(p, sizeof(p), path, "resources"), &c->res);
        }
        return r;
}
