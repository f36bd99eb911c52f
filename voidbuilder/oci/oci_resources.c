/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's "linux.resources": the cgroup limits voidshim applies, and those it refuses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_json.h"
#include "voidbuilder/cleanup.h"

void oci_resources_done(struct vb_oci_resources *r)
{
        free(r->cpus);
        free(r->mems);
        free(r->devices);
        vb_strv_free(r->refused);
        *r = (struct vb_oci_resources){};
}

static int refuse(struct oci_rd *rd, struct vb_oci_resources *out, const char *path)
{
        size_t n = 0;
        char **v;

        while (out->refused && out->refused[n])
                n++;
        v = reallocarray(out->refused, n + 2, sizeof(char *));
        if (!v || !(v[n] = strdup(path))) {
                if (v)
                        out->refused = v;
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        }
        v[n + 1] = NULL;
        out->refused = v;
        return 0;
}

static int read_memory(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_resources *out)
{
        static const char *const ignored[] = { "kernel", "kernelTCP", "disableOOMKiller", "useHierarchy",
                                               "checkBeforeUpdate" };
        char p[512], q[600];
        json_t *m;
        int r = oci_obj(rd, j, "memory", path, &m);

        if (r < 0 || !m)
                return r;
        oci_path(p, sizeof(p), path, "memory");
        if ((r = oci_int(rd, m, "limit", p, -1, INT64_MAX, &out->mem_limit, &out->mem_limit_set)) < 0 ||
            (r = oci_int(rd, m, "reservation", p, -1, INT64_MAX, &out->mem_reservation, &out->mem_reservation_set)) <
                    0 ||
            (r = oci_int(rd, m, "swap", p, -1, INT64_MAX, &out->mem_swap, &out->mem_swap_set)) < 0 ||
            (r = oci_uint(rd, m, "swappiness", p, 100, &out->mem_swappiness, &out->mem_swappiness_set)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++)
                if (json_object_get(m, ignored[i]) && !json_is_null(json_object_get(m, ignored[i])) &&
                    (r = oci_note(rd, oci_path(q, sizeof(q), p, ignored[i]), "ignored")) < 0)
                        return vb_error_set(rd->err, -r, "%s", rd->file);
        return 0;
}

static int read_cpu(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_resources *out)
{
        char p[512];
        json_t *c;
        int r = oci_obj(rd, j, "cpu", path, &c);

        if (r < 0 || !c)
                return r;
        oci_path(p, sizeof(p), path, "cpu");
        if ((r = oci_uint(rd, c, "shares", p, UINT64_MAX, &out->shares, &out->shares_set)) < 0 ||
            (r = oci_int(rd, c, "quota", p, -1, INT64_MAX, &out->quota, &out->quota_set)) < 0 ||
            (r = oci_uint(rd, c, "period", p, UINT64_MAX, &out->period, &out->period_set)) < 0 ||
            (r = oci_int(rd, c, "realtimeRuntime", p, -1, INT64_MAX, &out->rt_runtime, &out->rt_runtime_set)) < 0 ||
            (r = oci_uint(rd, c, "realtimePeriod", p, UINT64_MAX, &out->rt_period, &out->rt_period_set)) < 0 ||
            (r = oci_str(rd, c, "cpus", p, false, &out->cpus)) < 0 ||
            (r = oci_str(rd, c, "mems", p, false, &out->mems)) < 0)
                return r;
        if (out->cpus && !*out->cpus) {
                free(out->cpus);
                out->cpus = NULL;
        }
        if (out->mems && !*out->mems) {
                free(out->mems);
                out->mems = NULL;
        }
        return 0;
}

static int read_rule(struct oci_rd *rd, json_t *e, const char *q, struct vb_oci_dev_rule *d)
{
        _cleanup_free_ char *type = NULL, *access = NULL;
        bool allow_set = json_is_boolean(json_object_get(e, "allow"));
        int r;

        if (!json_is_object(e))
                return oci_bad(rd, q, "must be an object {allow, type, major, minor, access}");
        if (!allow_set)
                return oci_bad(rd, q, "needs \"allow\": true or false");
        d->major = d->minor = -1;
        if ((r = oci_bool(rd, e, "allow", q, &d->allow)) < 0 || (r = oci_str(rd, e, "type", q, false, &type)) < 0 ||
            (r = oci_int(rd, e, "major", q, -1, 0xfff, &d->major, NULL)) < 0 ||
            (r = oci_int(rd, e, "minor", q, -1, 0xfffff, &d->minor, NULL)) < 0 ||
            (r = oci_str(rd, e, "access", q, false, &access)) < 0)
                return r;
        d->type = type && *type ? type[0] : 'a';
        if ((type && strlen(type) > 1) || !strchr("acb", d->type))
                return oci_bad(rd, q, "type must be a, c or b, not \"%s\"", type);
        if (access && (strlen(access) > 3 || strspn(access, "rwm") != strlen(access)))
                return oci_bad(rd, q, "access must be made of r, w and m, not \"%s\"", access);
        strcpy(d->access, access && *access ? access : "rwm");
        return 0;
}

static int read_dev_rules(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_resources *out)
{
        char p[512], q[600];
        json_t *list, *e;
        size_t i;
        int r = oci_arr(rd, j, "devices", path, &list);

        if (r < 0 || !list)
                return r;
        oci_path(p, sizeof(p), path, "devices");
        out->devices = calloc(json_array_size(list) + 1, sizeof(*out->devices));
        if (!out->devices)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(list, i, e)
        {
                if ((r = read_rule(rd, e, oci_path_i(q, sizeof(q), p, i), &out->devices[i])) < 0)
                        return r;
                out->n_devices++;
        }
        return 0;
}

int oci_read_resources(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_resources *out)
{
        static const char *const refused[] = { "blockIO", "hugepageLimits", "network", "rdma", "unified" };
        char p[512];
        json_t *pids;
        int r;

        if ((r = oci_obj(rd, j, "pids", path, &pids)) < 0)
                return r;
        if (pids && (r = oci_int(rd, pids, "limit", oci_path(p, sizeof(p), path, "pids"), INT64_MIN, INT64_MAX,
                                 &out->pids_limit, &out->pids_set)) < 0)
                return r;
        if ((r = read_memory(rd, j, path, out)) < 0 || (r = read_cpu(rd, j, path, out)) < 0 ||
            (r = read_dev_rules(rd, j, path, out)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                json_t *v = json_object_get(j, refused[i]);

                if (v && !json_is_null(v) && !(json_is_object(v) && !json_object_size(v)) &&
                    !(json_is_array(v) && !json_array_size(v)) &&
                    (r = refuse(rd, out, oci_path(p, sizeof(p), path, refused[i]))) < 0)
                        return r;
        }
        return 0;
}
