/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's "process" (and an exec's process.json): the program, its user, capabilities, limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "oci/oci_json.h"
#include "voidbuilder/cleanup.h"

void vb_oci_process_done(struct vb_oci_process *p)
{
        vb_strv_free(p->args);
        vb_strv_free(p->env);
        free(p->cwd);
        free(p->groups);
        free(p->rlimits);
        free(p->apparmor);
        free(p->selinux);
        *p = (struct vb_oci_process){};
}

static int read_env(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out)
{
        char p[512], q[600];
        int r = oci_strv(rd, j, "env", path, false, &out->env);

        oci_path(p, sizeof(p), path, "env");
        for (size_t i = 0; r >= 0 && out->env && out->env[i]; i++) {
                const char *eq = strchr(out->env[i], '=');

                if (!eq || eq == out->env[i])
                        r = oci_bad(rd, oci_path_i(q, sizeof(q), p, i), "\"%s\" is not NAME=VALUE", out->env[i]);
        }
        return r;
}

static int read_user(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out)
{
        char p[512], q[600], g[700];
        json_t *user, *groups, *e;
        int64_t v = 0;
        bool set = false;
        size_t i;
        int r;

        oci_path(p, sizeof(p), path, "user");
        r = oci_obj(rd, j, "user", path, &user);
        if (r < 0 || !user)
                return r;
        if ((r = oci_int(rd, user, "uid", p, 0, UINT32_MAX - 1, &v, NULL)) < 0)
                return r;
        out->uid = (uid_t)v;
        v = 0;
        if ((r = oci_int(rd, user, "gid", p, 0, UINT32_MAX - 1, &v, NULL)) < 0)
                return r;
        out->gid = (gid_t)v;
        if ((r = oci_int(rd, user, "umask", p, 0, 0777, &v, &set)) < 0)
                return r;
        out->umask_set = set, out->umask = (mode_t)v;
        if (json_object_get(user, "username"))
                return oci_bad(rd, oci_path(q, sizeof(q), p, "username"), "is for Windows; give uid and gid");
        if ((r = oci_arr(rd, user, "additionalGids", p, &groups)) < 0 || !groups)
                return r;
        oci_path(q, sizeof(q), p, "additionalGids");
        out->groups = calloc(json_array_size(groups) + 1, sizeof(gid_t));
        if (!out->groups)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(groups, i, e)
        {
                if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) >= UINT32_MAX)
                        return oci_bad(rd, oci_path_i(g, sizeof(g), q, i), "must be a group id (0 to 4294967294)");
                out->groups[out->n_groups++] = (gid_t)json_integer_value(e);
        }
        return 0;
}

static int read_cap_set(struct oci_rd *rd, json_t *caps, const char *key, const char *path, uint64_t *set)
{
        _cleanup_strv_free_ char **names = NULL;
        char p[512];
        int r = oci_strv(rd, caps, key, path, false, &names);

        oci_path(p, sizeof(p), path, key);
        for (size_t i = 0; r >= 0 && names && names[i]; i++) {
                char q[600];
                cap_value_t c;

                /* runtime-spec: a value that maps to no kernel interface is an error; one this kernel lacks is not. */
                if (strncmp(names[i], "CAP_", 4) != 0 || cap_from_name(names[i], &c) < 0)
                        r = oci_bad(rd, oci_path_i(q, sizeof(q), p, i), "\"%s\" is not a capability", names[i]);
                else if (!CAP_IS_SUPPORTED(c) || c > 63)
                        r = oci_note(rd, p, "%s: a capability this kernel does not know, left out", names[i]);
                else
                        *set |= 1ULL << c;
        }
        return r < 0 && rd->err && !*rd->err ? vb_error_set(rd->err, -r, "%s", rd->file) : r;
}

static int read_caps(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out)
{
        static const char *const keys[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
        struct vb_cap_sets *s = &out->caps;
        uint64_t *sets[] = { &s->bounding, &s->effective, &s->permitted, &s->inheritable, &s->ambient };
        char p[512];
        json_t *caps;
        int r = oci_obj(rd, j, "capabilities", path, &caps);

        if (r < 0 || !caps)
                return r;
        oci_path(p, sizeof(p), path, "capabilities");
        out->caps_set = true;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if ((r = read_cap_set(rd, caps, keys[i], p, sets[i])) < 0)
                        return r;
        /* The kernel's rules: ambient within permitted and inheritable, effective within permitted. */
        if (s->effective & ~s->permitted)
                return oci_bad(rd, p, "effective holds a capability that permitted lacks");
        /* The kernel raises an ambient capability only if it is permitted and inheritable; runc drops the others. */
        if ((s->ambient & ~(s->permitted & s->inheritable)) &&
            (r = oci_note(rd, p, "ambient: capabilities not in both permitted and inheritable left out")) < 0)
                return vb_error_set(rd->err, -r, "%s", rd->file);
        s->ambient &= s->permitted & s->inheritable;
        return 0;
}

static int rlimit_from_name(const char *name)
{
        static const struct {
                const char *name;
                int res;
        } names[] = {
                { "RLIMIT_AS", RLIMIT_AS },
                { "RLIMIT_CORE", RLIMIT_CORE },
                { "RLIMIT_CPU", RLIMIT_CPU },
                { "RLIMIT_DATA", RLIMIT_DATA },
                { "RLIMIT_FSIZE", RLIMIT_FSIZE },
                { "RLIMIT_LOCKS", RLIMIT_LOCKS },
                { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
                { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
                { "RLIMIT_NICE", RLIMIT_NICE },
                { "RLIMIT_NOFILE", RLIMIT_NOFILE },
                { "RLIMIT_NPROC", RLIMIT_NPROC },
                { "RLIMIT_RSS", RLIMIT_RSS },
                { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
                { "RLIMIT_RTTIME", RLIMIT_RTTIME },
                { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
                { "RLIMIT_STACK", RLIMIT_STACK },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(names[i].name, name) == 0)
                        return names[i].res;
        return -1;
}

static int read_rlimits(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out)
{
        char p[512], q[600];
        json_t *list, *e;
        size_t i;
        int r = oci_arr(rd, j, "rlimits", path, &list);

        if (r < 0 || !list)
                return r;
        oci_path(p, sizeof(p), path, "rlimits");
        out->rlimits = calloc(json_array_size(list) + 1, sizeof(*out->rlimits));
        if (!out->rlimits)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(list, i, e)
        {
                _cleanup_free_ char *type = NULL;
                struct vb_oci_rlimit *l = &out->rlimits[out->n_rlimits];
                bool soft = false, hard = false;

                oci_path_i(q, sizeof(q), p, i);
                if (!json_is_object(e))
                        return oci_bad(rd, q, "must be an object {type, soft, hard}");
                if ((r = oci_str(rd, e, "type", q, true, &type)) < 0 ||
                    (r = oci_uint(rd, e, "soft", q, UINT64_MAX, &l->soft, &soft)) < 0 ||
                    (r = oci_uint(rd, e, "hard", q, UINT64_MAX, &l->hard, &hard)) < 0)
                        return r;
                l->resource = rlimit_from_name(type);
                if (l->resource < 0)
                        return oci_bad(rd, q, "unknown type \"%s\" (RLIMIT_NOFILE, RLIMIT_NPROC, ...)", type);
                if (!soft || !hard)
                        return oci_bad(rd, q, "needs both soft and hard");
                if (l->soft > l->hard)
                        return oci_bad(rd, q, "soft %llu is above hard %llu", (unsigned long long)l->soft,
                                       (unsigned long long)l->hard);
                for (size_t k = 0; k < out->n_rlimits; k++)
                        if (out->rlimits[k].resource == l->resource)
                                return oci_bad(rd, q, "%s given twice", type);
                out->n_rlimits++;
        }
        return 0;
}

static int read_console(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out)
{
        char p[512];
        json_t *size;
        uint64_t h = 0, w = 0;
        int r = oci_obj(rd, j, "consoleSize", path, &size);

        if (r < 0 || !size)
                return r;
        oci_path(p, sizeof(p), path, "consoleSize");
        if ((r = oci_uint(rd, size, "height", p, UINT16_MAX, &h, NULL)) < 0 ||
            (r = oci_uint(rd, size, "width", p, UINT16_MAX, &w, NULL)) < 0)
                return r;
        out->console_height = (unsigned)h, out->console_width = (unsigned)w;
        return 0;
}

int oci_read_process(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out)
{
        char p[512];
        int64_t oom = 0;
        int r;

        if (!json_is_object(j))
                return oci_bad(rd, path, "must be an object");
        if ((r = oci_strv(rd, j, "args", path, true, &out->args)) < 0)
                return r;
        if (!out->args[0])
                return oci_bad(rd, oci_path(p, sizeof(p), path, "args"), "must name a program (it is empty)");
        if ((r = oci_str(rd, j, "cwd", path, true, &out->cwd)) < 0)
                return r;
        if (out->cwd[0] != '/')
                return oci_bad(rd, oci_path(p, sizeof(p), path, "cwd"), "must be an absolute path, not \"%s\"",
                               out->cwd);
        if ((r = read_env(rd, j, path, out)) < 0 || (r = oci_bool(rd, j, "terminal", path, &out->terminal)) < 0 ||
            (r = read_console(rd, j, path, out)) < 0 || (r = read_user(rd, j, path, out)) < 0 ||
            (r = read_caps(rd, j, path, out)) < 0 || (r = read_rlimits(rd, j, path, out)) < 0 ||
            (r = oci_bool(rd, j, "noNewPrivileges", path, &out->no_new_privs)) < 0 ||
            (r = oci_int(rd, j, "oomScoreAdj", path, -1000, 1000, &oom, &out->oom_set)) < 0 ||
            (r = oci_str(rd, j, "apparmorProfile", path, false, &out->apparmor)) < 0 ||
            (r = oci_str(rd, j, "selinuxLabel", path, false, &out->selinux)) < 0)
                return r;
        out->oom_score_adj = (int)oom;
        if (json_object_get(j, "ioPriority") || json_object_get(j, "scheduler") ||
            json_object_get(j, "execCPUAffinity"))
                return oci_bad(rd, path, "ioPriority, scheduler and execCPUAffinity are not supported");
        return 0;
}
