/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An entrypoint's "void": the same grants as `voidshim run`, written as JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "spec/spec_json.h"
#include "voidbuilder/cleanup.h"

static const char *const void_keys[] = { "mounts",
                                         "proc",
                                         "dev",
                                         "libs",
                                         "net",
                                         "hostname",
                                         "env",
                                         "chdir",
                                         "rlimits",
                                         "time-offset",
                                         "caps",
                                         "seccomp",
                                         "landlock",
                                         "cgroup",
                                         "stdin",
                                         "stdout",
                                         "stderr",
                                         "passwd",
                                         "profiles",
                                         "root",
                                         "root-writable",
                                         "overlay",
                                         "overlay-persist",
                                         "sys",
                                         "init",
                                         "chown-noop",
                                         "uid",
                                         "gid",
                                         "limits",
                                         "identity",
                                         "inbox",
                                         NULL };

static const struct {
        const char *key;
        enum vb_spec_mount_kind kind;
        unsigned flags;
} mount_kinds[] = {
        { "ro-bind", VB_SMNT_BIND, 0 },
        { "bind", VB_SMNT_BIND, VB_MOUNT_RW },
        { "ro-bind-try", VB_SMNT_BIND, VB_MOUNT_OPTIONAL },
        { "bind-try", VB_SMNT_BIND, VB_MOUNT_RW | VB_MOUNT_OPTIONAL },
        { "dev-bind", VB_SMNT_BIND, VB_MOUNT_RW | VB_MOUNT_DEV },
        { "tmpfs", VB_SMNT_TMPFS, 0 },
        { "dir", VB_SMNT_DIR, 0 },
        { "symlink", VB_SMNT_SYMLINK, 0 },
        { "ro-bind-cmdline", VB_SMNT_CMDLINE, 0 },
        { "bind-cmdline", VB_SMNT_CMDLINE, VB_MOUNT_RW },
};

#define MOUNT_KINDS                                                                                             \
        "\"ro-bind\", \"bind\", \"ro-bind-try\", \"bind-try\", \"dev-bind\", \"tmpfs\", \"dir\", \"symlink\", " \
        "\"ro-bind-cmdline\", \"bind-cmdline\""

static char *sub(struct spec_ctx *c, const char *ptr, const char *key)
{
        char *p = vb_spec_ptr_key(ptr, key);

        if (!p)
                c->oom = -ENOMEM;
        return p;
}

static void check_void_path(struct spec_ctx *c, const char *ptr, const char *path, const char *what)
{
        if (!spec_valid_void_path(path))
                P_DIAG(c, ptr, false, "%s: \"%s\" must be an absolute path inside the void, without \"..\"", what,
                       path);
}

/* The extra keys of one mount: "at", "size", "exec". */
static void parse_mount_extras(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_mount *m)
{
        json_t *size = json_object_get(j, "size");
        bool exec = false;

        if (m->kind == VB_SMNT_BIND || m->kind == VB_SMNT_SYMLINK) {
                _cleanup_free_ char *at = sub(c, ptr, "at");

                if (!spec_get_string(c, j, ptr, "at", &m->dst) && !json_object_get(j, "at"))
                        P_DIAG(c, ptr, false, "this mount needs \"at\": the path inside the void");
                else if (m->dst && at)
                        check_void_path(c, at, m->dst, "\"at\"");
        }
        if (size) {
                _cleanup_free_ char *p = sub(c, ptr, "size");

                if (!spec_parse_size(size, &m->size) || m->size == 0)
                        P_DIAG(c, p, false, "\"size\" must be a size in bytes (a number, or a string like \"16m\")");
        }
        if (spec_get_bool(c, j, ptr, "exec", &exec)) {
                if (m->kind == VB_SMNT_TMPFS && exec)
                        m->flags |= VB_MOUNT_EXEC;
                else if ((m->kind == VB_SMNT_BIND || m->kind == VB_SMNT_CMDLINE) && !exec)
                        m->flags |= VB_MOUNT_NOEXEC;
        }
        if (m->kind == VB_SMNT_CMDLINE)
                spec_get_bool(c, j, ptr, "parent", &m->parent);
}

/* The value of "bind-cmdline": "trailing" or the index of a word after "--". */
static void parse_cmdline_ref(struct spec_ctx *c, json_t *v, const char *p, const char *what, struct vb_spec_mount *m)
{
        if (json_is_string(v) && strcmp(json_string_value(v), "trailing") == 0)
                m->cmdline = VB_SPEC_CMDLINE_TRAILING;
        else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 4096)
                m->cmdline = (int)json_integer_value(v);
        else
                P_DIAG(c, p, false, "%s must be \"trailing\" or the index (0, 1, ...) of a word after \"--\"", what);
}

static void parse_mount(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_mount *m)
{
        /* "why": free text, a comment on the grant (voidshim learn writes one for each). */
        static const char *const bind_keys[] = { "KIND", "at", "exec", "why", NULL };
        static const char *const tmpfs_keys[] = { "tmpfs", "size", "exec", "why", NULL };
        static const char *const dir_keys[] = { "dir", "why", NULL };
        static const char *const link_keys[] = { "symlink", "at", "why", NULL };
        static const char *const cmdline_keys[] = { "KIND", "parent", "exec", "why", NULL };
        _cleanup_free_ char *why = NULL;
        const char *keys[5];
        int k = -1, n = 0;
        json_t *v;

        m->where = strdup(ptr);
        if (!spec_expect(c, j, JSON_OBJECT, ptr, "a mount"))
                return;
        for (int i = 0; i < (int)ELEMENTSOF(mount_kinds); i++)
                if (json_object_get(j, mount_kinds[i].key) && n++ == 0)
                        k = i;
        if (n != 1) {
                P_DIAG(c, ptr, false, "a mount is exactly one of " MOUNT_KINDS);
                return;
        }
        m->kind = mount_kinds[k].kind;
        m->flags = mount_kinds[k].flags;
        if (m->kind == VB_SMNT_BIND || m->kind == VB_SMNT_CMDLINE) {
                memcpy(keys, m->kind == VB_SMNT_BIND ? bind_keys : cmdline_keys, sizeof(keys));
                keys[0] = mount_kinds[k].key;
        }
        spec_check_keys(c, j, ptr,
                        m->kind == VB_SMNT_BIND || m->kind == VB_SMNT_CMDLINE ? keys
                        : m->kind == VB_SMNT_TMPFS                            ? tmpfs_keys
                        : m->kind == VB_SMNT_DIR                              ? dir_keys
                                                                              : link_keys,
                        "a mount");
        spec_get_string(c, j, ptr, "why", &why);
        v = json_object_get(j, mount_kinds[k].key);
        {
                _cleanup_free_ char *p = sub(c, ptr, mount_kinds[k].key);
                char what[24];

                snprintf(what, sizeof(what), "\"%s\"", mount_kinds[k].key);
                if (p && m->kind == VB_SMNT_CMDLINE) {
                        parse_cmdline_ref(c, v, p, what, m);
                        parse_mount_extras(c, j, ptr, m);
                        return;
                }
                if (!p || !spec_expect(c, v, JSON_STRING, p, what))
                        return;
                if (m->kind == VB_SMNT_BIND)
                        m->src = spec_host_path(c, json_string_value(v));
                else if (m->kind == VB_SMNT_SYMLINK)
                        m->src = strdup(json_string_value(v));
                else {
                        m->dst = strdup(json_string_value(v));
                        check_void_path(c, p, m->dst, what);
                }
        }
        parse_mount_extras(c, j, ptr, m);
}

static void parse_mounts(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        size_t i;
        json_t *item;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"mounts\""))
                return;
        v->mounts = calloc(json_array_size(j) + 1, sizeof(*v->mounts));
        if (!v->mounts) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, item)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);

                if (p)
                        parse_mount(c, item, p, &v->mounts[v->n_mounts++]);
        }
}

static void parse_strings(struct spec_ctx *c, json_t *j, const char *ptr, const char *what, char ***out, bool host)
{
        size_t i;
        json_t *item;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, what))
                return;
        *out = calloc(json_array_size(j) + 1, sizeof(char *));
        if (!*out) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, item)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);

                if (!p || !spec_expect(c, item, JSON_STRING, p, "each entry"))
                        (*out)[i] = strdup("");
                else
                        (*out)[i] = host ? spec_host_path(c, json_string_value(item)) : strdup(json_string_value(item));
        }
}

/* "libs": each a host path, or {"path": PATH, "why": TEXT}. */
static void parse_libs(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        static const char *const keys[] = { "path", "why", NULL };
        size_t i;
        json_t *item;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"libs\""))
                return;
        v->libs = calloc(json_array_size(j) + 1, sizeof(char *));
        if (!v->libs) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, item)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i), *path = NULL, *why = NULL;

                if (p && json_is_object(item)) {
                        spec_check_keys(c, item, p, keys, "a \"libs\" entry");
                        spec_get_string(c, item, p, "why", &why);
                        if (!spec_get_string(c, item, p, "path", &path) && !json_object_get(item, "path"))
                                P_DIAG(c, p, false, "a \"libs\" entry needs \"path\": the program");
                        v->libs[i] = path ? spec_host_path(c, path) : strdup("");
                } else if (!p || !spec_expect(c, item, JSON_STRING, p, "each entry (a path, or {\"path\", \"why\"})")) {
                        v->libs[i] = strdup("");
                } else {
                        v->libs[i] = spec_host_path(c, json_string_value(item));
                }
                if (!v->libs[i])
                        c->oom = -ENOMEM;
        }
}

/*
 * "profiles": names of profiles, resolved later (vb_spec_resolve_profiles()), or files: an entry with
 * a slash is a host path, taken from the file's own directory like every other.
 */
static void parse_profile_names(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        parse_strings(c, j, ptr, "\"profiles\"", &v->profiles, false);
        for (size_t i = 0; v->profiles && v->profiles[i]; i++) {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);
                char *path;

                if (!p || !*v->profiles[i])
                        continue;
                if (!strchr(v->profiles[i], '/')) {
                        if (!spec_valid_name(v->profiles[i]))
                                P_DIAG(c, p, false,
                                       "\"%s\" is not a profile name ([A-Za-z0-9_.-], at most 64) nor a file "
                                       "(with a /)",
                                       v->profiles[i]);
                        continue;
                }
                path = spec_host_path(c, v->profiles[i]);
                if (!path) {
                        c->oom = -ENOMEM;
                        return;
                }
                free(v->profiles[i]);
                v->profiles[i] = path;
        }
}

static void parse_env(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        const char *key;
        json_t *val;

        if (!spec_expect(c, j, JSON_OBJECT, ptr, "\"env\""))
                return;
        v->env = calloc(json_object_size(j) + 1, sizeof(*v->env));
        if (!v->env) {
                c->oom = -ENOMEM;
                return;
        }
        json_object_foreach(j, key, val)
        {
                _cleanup_free_ char *p = sub(c, ptr, key);

                if (!p)
                        return;
                if (!*key || strchr(key, '='))
                        P_DIAG(c, p, true, "\"%s\" is not an environment variable name", key);
                else if (strncmp(key, "VOIDSHIM_", 9) == 0)
                        P_DIAG(c, p, true, "\"%s\": VOIDSHIM_* variables are set by the shim", key);
                if (!spec_expect(c, val, JSON_STRING, p, "an environment value"))
                        continue;
                v->env[v->n_env].name = strdup(key);
                v->env[v->n_env++].value = strdup(json_string_value(val));
        }
}

static const struct {
        const char *name;
        int res;
} rlimit_names[] = {
        { "as", RLIMIT_AS },         { "core", RLIMIT_CORE },   { "cpu", RLIMIT_CPU },
        { "data", RLIMIT_DATA },     { "fsize", RLIMIT_FSIZE }, { "memlock", RLIMIT_MEMLOCK },
        { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC }, { "stack", RLIMIT_STACK },
};

static void parse_rlimits(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        const char *key;
        json_t *val;

        if (!spec_expect(c, j, JSON_OBJECT, ptr, "\"rlimits\""))
                return;
        v->rlimits = calloc(json_object_size(j) + 1, sizeof(*v->rlimits));
        if (!v->rlimits) {
                c->oom = -ENOMEM;
                return;
        }
        json_object_foreach(j, key, val)
        {
                _cleanup_free_ char *p = sub(c, ptr, key);
                struct vb_spec_rlimit rl = { .resource = -1 };
                bool ok;

                for (size_t i = 0; i < ELEMENTSOF(rlimit_names); i++)
                        if (strcmp(rlimit_names[i].name, key) == 0)
                                rl.resource = rlimit_names[i].res;
                if (rl.resource < 0) {
                        P_DIAG(c, p, true,
                               "unknown limit \"%s\" (as, core, cpu, data, fsize, memlock, nofile, nproc, "
                               "stack)",
                               key);
                        continue;
                }
                if (json_is_array(val))
                        ok = json_array_size(val) == 2 && spec_parse_size(json_array_get(val, 0), &rl.soft) &&
                             spec_parse_size(json_array_get(val, 1), &rl.hard) && rl.soft <= rl.hard;
                else
                        ok = spec_parse_size(val, &rl.soft) && (rl.hard = rl.soft, true);
                if (!ok)
                        P_DIAG(c, p, false, "limit \"%s\" must be a number or [SOFT, HARD] with SOFT <= HARD", key);
                else
                        v->rlimits[v->n_rlimits++] = rl;
        }
}

/* "limits": {"pids": 64, "memory": "64m", "cpu": "50%"}, as voidshim run --limit; numbers for pids and memory too. */
static void parse_limits(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        const char *key;
        json_t *val;

        if (!spec_expect(c, j, JSON_OBJECT, ptr, "\"limits\""))
                return;
        json_object_foreach(j, key, val)
        {
                _cleanup_free_ char *p = sub(c, ptr, key);
                const char *why = NULL;
                char text[32];
                int r;

                if (json_is_integer(val) && strcmp(key, "cpu") != 0 && json_integer_value(val) >= 0)
                        snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(val));
                else if (json_is_string(val) && strlen(json_string_value(val)) < sizeof(text))
                        snprintf(text, sizeof(text), "%s", json_string_value(val));
                else
                        snprintf(text, sizeof(text), "?");
                r = vb_limit_parse(&v->limits, key, text, &why);
                if (r == -ENOENT)
                        P_DIAG(c, p, true, "unknown limit \"%s\" (pids, memory, cpu)", key);
                else if (r < 0)
                        P_DIAG(c, p, false, "limit \"%s\" %s", key, why);
        }
}

static void parse_time_offset(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        static const char *const keys[] = { "boottime", "monotonic", NULL };

        if (!spec_expect(c, j, JSON_OBJECT, ptr, "\"time-offset\""))
                return;
        spec_check_keys(c, j, ptr, keys, "\"time-offset\"");
        for (int k = 0; keys[k]; k++) {
                json_t *val = json_object_get(j, keys[k]);
                _cleanup_free_ char *p = sub(c, ptr, keys[k]);

                if (!val || !p)
                        continue;
                if (!spec_expect(c, val, JSON_INTEGER, p, "a clock offset (seconds)"))
                        continue;
                if (k == 0)
                        v->has_boottime = true, v->boottime = json_integer_value(val);
                else
                        v->has_monotonic = true, v->monotonic = json_integer_value(val);
        }
}

static void parse_caps(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        _cleanup_strv_free_ char **names = NULL;

        parse_strings(c, j, ptr, "\"caps\"", &names, false);
        if (!names)
                return;
        v->caps = calloc(json_array_size(j) + 1, sizeof(int));
        if (!v->caps) {
                c->oom = -ENOMEM;
                return;
        }
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);
                cap_value_t cap;

                if (!*names[i])
                        continue; /* not a string: reported */
                if (cap_from_name(names[i], &cap) < 0)
                        P_DIAG(c, p, false, "unknown capability \"%s\"", names[i]);
                else
                        v->caps[v->n_caps++] = cap;
        }
}

static void parse_landlock(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        static const char *const keys[] = { "path", "access", NULL };
        size_t i;
        json_t *item;

        if (json_is_boolean(j)) {
                v->landlock = json_is_true(j);
                v->landlock_off = !v->landlock;
                return;
        }
        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"landlock\" (true, false or a list of rules)"))
                return;
        v->landlock = true;
        v->landlock_rules = calloc(json_array_size(j) + 1, sizeof(*v->landlock_rules));
        if (!v->landlock_rules) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, item)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i), *path = NULL, *access = NULL;
                unsigned acc = 0;

                if (!p || !spec_expect(c, item, JSON_OBJECT, p, "a Landlock rule"))
                        continue;
                spec_check_keys(c, item, p, keys, "a Landlock rule");
                if (!spec_get_string(c, item, p, "path", &path) || !spec_get_string(c, item, p, "access", &access)) {
                        P_DIAG(c, p, false, "a Landlock rule needs \"path\" and \"access\" (letters r, w, x)");
                        continue;
                }
                for (const char *a = access; *a; a++)
                        acc |= *a == 'r'   ? VB_LANDLOCK_READ
                               : *a == 'w' ? VB_LANDLOCK_WRITE
                               : *a == 'x' ? VB_LANDLOCK_EXEC
                                           : 1u << 30;
                if (!*access || (acc & (1u << 30)))
                        P_DIAG(c, p, false, "Landlock access \"%s\" must be letters from r, w, x", access);
                check_void_path(c, p, path, "a Landlock path");
                v->landlock_rules[v->n_landlock].path = TAKE_PTR(path);
                v->landlock_rules[v->n_landlock++].access = acc;
        }
}

static void parse_choice_keys(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        json_t *x;
        char *s = NULL;

        if ((x = json_object_get(j, "proc"))) {
                _cleanup_free_ char *p = sub(c, ptr, "proc");

                if (json_is_boolean(x))
                        v->proc = json_is_true(x) ? VB_SPEC_PROC_FULL : VB_SPEC_PROC_NONE;
                else if (json_is_string(x) && strcmp(json_string_value(x), "subset") == 0)
                        v->proc = VB_SPEC_PROC_SUBSET;
                else
                        P_DIAG(c, p, false, "\"proc\" must be true, false or \"subset\"");
        }
        if (spec_get_string(c, j, ptr, "net", &s)) {
                _cleanup_free_ char *p = sub(c, ptr, "net");

                if (strcmp(s, "loopback") == 0)
                        v->loopback = true;
                else if (strcmp(s, "none") != 0)
                        P_DIAG(c, p, false,
                               "\"net\" must be \"none\" or \"loopback\" (a shared network is the "
                               "environment's \"net\": \"shared\")");
        }
        free(TAKE_PTR(s));
        if (spec_get_string(c, j, ptr, "seccomp", &s)) {
                if (strcmp(s, "default") == 0)
                        v->seccomp = VB_SPEC_SECCOMP_DEFAULT;
                else if (strcmp(s, "off") == 0)
                        v->seccomp = VB_SPEC_SECCOMP_OFF;
                else {
                        v->seccomp = VB_SPEC_SECCOMP_FILE;
                        v->seccomp_file = spec_host_path(c, s);
                }
        }
        free(TAKE_PTR(s));
        if (spec_get_string(c, j, ptr, "identity", &s)) {
                _cleanup_free_ char *p = sub(c, ptr, "identity");
                int id = vb_identity_from_name(s);

                if (id < 0)
                        P_DIAG(c, p, false, "\"identity\" must be \"auto\", \"host\" or \"reserved\"");
                else
                        v->identity = (enum vb_identity)id;
        }
        free(s);
}

static void parse_simple_keys(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        static const char *const std_names[] = { "stdin", "stdout", "stderr" };
        _cleanup_free_ char *cg = NULL;

        spec_get_bool(c, j, ptr, "dev", &v->dev);
        for (int i = 0; i < 3; i++)
                spec_get_bool(c, j, ptr, std_names[i], &v->std[i]);
        if (spec_get_string(c, j, ptr, "hostname", &v->hostname) && (!*v->hostname || strlen(v->hostname) > 64)) {
                _cleanup_free_ char *p = sub(c, ptr, "hostname");

                P_DIAG(c, p, false, "\"hostname\" must be 1 to 64 bytes");
        }
        if (spec_get_string(c, j, ptr, "chdir", &v->chdir)) {
                _cleanup_free_ char *p = sub(c, ptr, "chdir");

                if (strcmp(v->chdir, "caller") == 0) {
                        v->chdir_caller = true;
                        free(TAKE_PTR(v->chdir));
                } else if (!spec_valid_void_path(v->chdir)) {
                        P_DIAG(c, p, false,
                               "\"chdir\": \"%s\" must be \"caller\" or an absolute path inside the void, "
                               "without \"..\"",
                               v->chdir);
                }
        }
        if (spec_get_string(c, j, ptr, "cgroup", &cg))
                v->cgroup = spec_host_path(c, cg);
        /* The powerbox, as `voidshim run --inbox DIR`: grants appear there while the void runs. */
        if (spec_get_string(c, j, ptr, "inbox", &v->inbox) &&
            (!spec_valid_void_path(v->inbox) || strcmp(v->inbox, "/") == 0)) {
                _cleanup_free_ char *p = sub(c, ptr, "inbox");

                P_DIAG(c, p, false,
                       "\"inbox\": \"%s\" must be an absolute path inside the void other than /, without "
                       "\"..\"",
                       v->inbox);
        }
}

/* "uid", "gid": an id in the void's user namespace (0 to 4294967294). */
static void parse_id(struct spec_ctx *c, json_t *j, const char *ptr, const char *key, bool *set, unsigned *out)
{
        json_t *x = json_object_get(j, key);
        _cleanup_free_ char *p = NULL;

        if (!x)
                return;
        p = sub(c, ptr, key);
        if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) >= 4294967295LL) {
                P_DIAG(c, p, false, "\"%s\" must be an id from 0 to 4294967294", key);
                return;
        }
        *set = true;
        *out = (unsigned)json_integer_value(x);
}

/* What "/" is made of, pid 1, /sys, chown, the ids (the keys of `voidshim run --root ... --uid`). */
static void parse_root_keys(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        _cleanup_free_ char *root = NULL, *overlay = NULL, *upper = NULL;

        if (spec_get_string(c, j, ptr, "root", &root))
                v->root = spec_host_path(c, root);
        if (spec_get_string(c, j, ptr, "overlay", &overlay))
                v->overlay = spec_host_path(c, overlay);
        if (spec_get_string(c, j, ptr, "overlay-persist", &upper))
                v->overlay_upper = spec_host_path(c, upper);
        spec_get_bool(c, j, ptr, "root-writable", &v->root_rw);
        spec_get_bool(c, j, ptr, "sys", &v->sys);
        spec_get_bool(c, j, ptr, "init", &v->init);
        spec_get_bool(c, j, ptr, "chown-noop", &v->chown_noop);
        parse_id(c, j, ptr, "uid", &v->ids_set, &v->uid);
        parse_id(c, j, ptr, "gid", &v->ids_set, &v->gid);
        if (v->root && v->overlay)
                P_DIAG(c, ptr, false, "\"root\" and \"overlay\": a void has one root; give one of them");
        else if (v->overlay_upper && !v->overlay)
                P_DIAG(c, ptr, false, "\"overlay-persist\" needs \"overlay\" (the lower layer)");
        else if (v->root_rw && !v->root)
                P_DIAG(c, ptr, false, "\"root-writable\" needs \"root\"");
}

void spec_parse_void(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v)
{
        static const struct {
                const char *key;
                void (*fn)(struct spec_ctx *, json_t *, const char *, struct vb_spec_void *);
        } tables[] = {
                { "mounts", parse_mounts },           { "env", parse_env },   { "rlimits", parse_rlimits },
                { "time-offset", parse_time_offset }, { "caps", parse_caps }, { "landlock", parse_landlock },
                { "limits", parse_limits },
        };
        json_t *x;

        if (!spec_expect(c, j, JSON_OBJECT, ptr, "\"void\""))
                return;
        spec_check_keys(c, j, ptr, void_keys, "\"void\"");
        for (size_t i = 0; i < ELEMENTSOF(tables); i++)
                if ((x = json_object_get(j, tables[i].key))) {
                        _cleanup_free_ char *p = sub(c, ptr, tables[i].key);

                        if (p)
                                tables[i].fn(c, x, p, v);
                }
        if ((x = json_object_get(j, "libs"))) {
                _cleanup_free_ char *p = sub(c, ptr, "libs");

                if (p)
                        parse_libs(c, x, p, v);
        }
        if ((x = json_object_get(j, "profiles"))) {
                _cleanup_free_ char *p = sub(c, ptr, "profiles");

                if (p)
                        parse_profile_names(c, x, p, v);
        }
        spec_get_bool(c, j, ptr, "passwd", &v->passwd);
        parse_choice_keys(c, j, ptr, v);
        parse_simple_keys(c, j, ptr, v);
        parse_root_keys(c, j, ptr, v);
}

void spec_void_done(struct vb_spec_void *v)
{
        for (size_t i = 0; i < v->n_mounts; i++)
                free(v->mounts[i].src), free(v->mounts[i].dst), free(v->mounts[i].where), free(v->mounts[i].profile);
        free(v->mounts);
        vb_strv_free(v->libs);
        vb_strv_free(v->profiles);
        vb_strv_free(v->profile_files);
        free(v->hostname), free(v->chdir), free(v->cgroup), free(v->seccomp_file);
        free(v->root), free(v->overlay), free(v->overlay_upper), free(v->inbox);
        for (size_t i = 0; i < v->n_env; i++)
                free(v->env[i].name), free(v->env[i].value), free(v->env[i].profile);
        free(v->proc_profile), free(v->dev_profile), free(v->passwd_profile);
        free(v->env);
        free(v->rlimits);
        free(v->caps);
        for (size_t i = 0; i < v->n_landlock; i++)
                free(v->landlock_rules[i].path);
        free(v->landlock_rules);
        *v = (struct vb_spec_void){};
}
