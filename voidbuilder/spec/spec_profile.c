/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Profiles: spec fragments, grants by name (doc/spec-format.md, "Profiles").
 * A profile is a JSON object with the grant keys of a void ("mounts",
 * "libs", "proc", "dev", "env", "rlimits", "passwd"), "description", and the
 * profiles it builds on; parsed by the same code as a spec's "void", so that
 * `voidshim run --profile NAME` and a spec's "profiles" grant the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_json.h"
#include "voidbuilder/cleanup.h"

#define MAX_PROFILE_DEPTH 8

/* The keys of a void that a profile may not have: they set, they do not grant. */
static const char *const setting_keys[] = { "net",     "hostname", "chdir",  "time-offset", "caps",
                                            "seccomp", "landlock", "cgroup", "stdin",       "stdout",
                                            "stderr",  "inbox",    NULL };

struct vb_spec_profile *vb_spec_profile_free(struct vb_spec_profile *p)
{
        if (!p)
                return NULL;
        free(p->name), free(p->file), free(p->description);
        vb_strv_free(p->included);
        spec_void_done(&p->v);
        free(p);
        return NULL;
}

static char *dup_or_null(const char *s, int *oom)
{
        char *c = s ? strdup(s) : NULL;

        if (s && !c)
                *oom = -ENOMEM;
        return c;
}

/* A copy of mount m, from profile name, diagnosed at where. */
static void mount_copy(struct vb_spec_mount *out, const struct vb_spec_mount *m, const char *name, const char *where,
                       int *oom)
{
        *out = *m;
        out->src = dup_or_null(m->src, oom);
        out->dst = dup_or_null(m->dst, oom);
        out->where = dup_or_null(where ? where : m->where, oom);
        out->profile = dup_or_null(m->profile ? m->profile : name, oom);
}

/* n + m elements of size sz: src's copies first, then dst's own. */
static void *grow_front(void *own, size_t n_own, size_t n_front, size_t sz, int *oom)
{
        char *a = calloc(n_own + n_front + 1, sz);

        if (!a) {
                *oom = -ENOMEM;
                return NULL;
        }
        if (n_own)
                memcpy(a + n_front * sz, own, n_own * sz);
        return a;
}

static size_t strv_len(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

static void prepend_lists(struct vb_spec_void *dst, const struct vb_spec_void *src, const char *name, int *oom)
{
        size_t nl = strv_len(src->libs), ol = strv_len(dst->libs);
        char **libs = grow_front(dst->libs, ol, nl, sizeof(char *), oom);
        struct vb_spec_env *env = grow_front(dst->env, dst->n_env, src->n_env, sizeof(*env), oom);
        struct vb_spec_rlimit *rl = grow_front(dst->rlimits, dst->n_rlimits, src->n_rlimits, sizeof(*rl), oom);

        if (!libs || !env || !rl) {
                free(libs), free(env), free(rl);
                return;
        }
        for (size_t i = 0; i < nl; i++)
                libs[i] = dup_or_null(src->libs[i], oom);
        for (size_t i = 0; i < src->n_env; i++) {
                env[i].name = dup_or_null(src->env[i].name, oom);
                env[i].value = dup_or_null(src->env[i].value, oom);
                env[i].profile = dup_or_null(src->env[i].profile ? src->env[i].profile : name, oom);
        }
        if (src->n_rlimits)
                memcpy(rl, src->rlimits, src->n_rlimits * sizeof(*rl));
        free(dst->libs), free(dst->env), free(dst->rlimits);
        dst->libs = libs, dst->env = env, dst->rlimits = rl;
        dst->n_env += src->n_env, dst->n_rlimits += src->n_rlimits;
}

int vb_spec_void_prepend(struct vb_spec_void *dst, const struct vb_spec_void *src, const char *name, const char *where)
{
        int oom = 0;
        struct vb_spec_mount *m = grow_front(dst->mounts, dst->n_mounts, src->n_mounts, sizeof(*m), &oom);

        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < src->n_mounts; i++)
                mount_copy(&m[i], &src->mounts[i], name, where, &oom);
        free(dst->mounts);
        dst->mounts = m;
        dst->n_mounts += src->n_mounts;
        prepend_lists(dst, src, name, &oom);
        /* The first to give /proc, /dev, passwd is named for it. */
        if (!dst->proc && src->proc) {
                dst->proc = src->proc;
                dst->proc_profile = dup_or_null(src->proc_profile ? src->proc_profile : name, &oom);
        }
        if (!dst->dev && src->dev)
                dst->dev_profile = dup_or_null(src->dev_profile ? src->dev_profile : name, &oom);
        if (!dst->passwd && src->passwd)
                dst->passwd_profile = dup_or_null(src->passwd_profile ? src->passwd_profile : name, &oom);
        dst->dev |= src->dev;
        dst->passwd |= src->passwd;
        return oom;
}

/* ---- parsing ---------------------------------------------------------------- */

/* A copy of the profile's object with only what a void parses ("mounts", "env"...); the rest is checked here. */
static json_t *grant_part(struct spec_ctx *c, json_t *root, struct vb_spec_profile *p)
{
        json_t *v = json_object_get(root, "voidshim-profile"), *grants, *val;
        const char *key;
        void *tmp;

        for (const char *const *k = setting_keys; *k; k++)
                if (json_object_get(root, *k)) {
                        _cleanup_free_ char *ptr = vb_spec_ptr_key("", *k);

                        P_DIAG(c, ptr ? ptr : "", true,
                               "\"%s\" sets, it does not grant: a profile holds only mounts, libs, proc, dev, "
                               "env, rlimits and passwd",
                               *k);
                }
        if (!v)
                P_DIAG(c, "", false, "missing \"voidshim-profile\": 1 (the profile format version)");
        else if (!json_is_integer(v) || json_integer_value(v) != 1)
                P_DIAG(c, "/voidshim-profile", false, "unsupported profile version (this voidshim reads 1)");
        spec_get_string(c, root, "", "description", &p->description);
        grants = json_deep_copy(root);
        if (!grants) {
                c->oom = -ENOMEM;
                return NULL;
        }
        json_object_foreach_safe(grants, tmp, key, val)
        {
                bool keep = strcmp(key, "voidshim-profile") != 0 && strcmp(key, "description") != 0;

                for (const char *const *k = setting_keys; *k && keep; k++)
                        keep = strcmp(*k, key) != 0;
                if (!keep)
                        json_object_del(grants, key);
        }
        return grants;
}

/* A profile grants what exists without a command line: no "bind-cmdline". */
static void check_grants(struct spec_ctx *c, const struct vb_spec_profile *p)
{
        for (size_t i = 0; i < p->v.n_mounts; i++)
                if (p->v.mounts[i].kind == VB_SMNT_CMDLINE)
                        P_DIAG(c, p->v.mounts[i].where, false,
                               "a profile cannot grant what a command line names (\"bind-cmdline\")");
}

static void parse_profile(struct spec_ctx *c, json_t *root, struct vb_spec_profile *p)
{
        json_t *grants;

        if (!json_is_object(root)) {
                P_DIAG(c, "", false, "a profile is a JSON object, not %s", spec_type_name(root));
                return;
        }
        grants = grant_part(c, root, p);
        if (!grants)
                return;
        /* An unknown key is reported by the void's own check, which lists a void's keys. */
        spec_parse_void(c, grants, "", &p->v);
        json_decref(grants);
        check_grants(c, p);
        p->included = TAKE_PTR(p->v.profiles);
}

struct loader {
        vb_spec_profile_fn fn;
        void *userdata;
        struct vb_spec_diags *d;
        const char *seen[MAX_PROFILE_DEPTH + 1]; /* the names on the way here, to refuse a cycle */
        size_t n_seen;
};

static int load(struct loader *l, const char *name, const struct vb_spec *from, const char *from_ptr,
                struct vb_spec_profile **out);

/* The profiles p builds on, in order, in front of p's own grants.  s: p's file, for positions. */
static int load_included(struct loader *l, struct vb_spec_profile *p, const struct vb_spec *s)
{
        int r = 0;

        for (size_t k = strv_len(p->included); k-- > 0;) {
                _cleanup_free_ char *ptr = vb_spec_ptr_idx("/profiles", k);
                struct vb_spec_profile *inc = NULL;
                int e;

                if (!ptr)
                        return -ENOMEM;
                e = load(l, p->included[k], s, ptr, &inc);
                if (e >= 0)
                        e = vb_spec_void_prepend(&p->v, &inc->v, inc->name, NULL);
                vb_spec_profile_free(inc);
                if (e == -ENOMEM)
                        return e;
                if (e < 0)
                        r = -EINVAL;
        }
        return r;
}

/* Parse the text of profile p (read from p->file) and what it builds on. */
static int parse_text(struct loader *l, const char *text, size_t len, const char *basedir, struct vb_spec_profile *p)
{
        struct vb_spec *s = calloc(1, sizeof(*s));
        struct spec_ctx c = { .s = s, .d = l->d };
        json_error_t jerr;
        json_t *root;
        size_t before = l->d->n;
        int r;

        if (!s || !(s->file = strdup(p->file)) || !(s->basedir = strdup(basedir))) {
                vb_spec_free(s);
                return -ENOMEM;
        }
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                vb_spec_diag_at(l->d, p->file, jerr.line > 0 ? (unsigned)jerr.line : 1,
                                jerr.column > 0 ? (unsigned)jerr.column : 1, "%s", jerr.text);
                vb_spec_free(s);
                return -EINVAL;
        }
        r = vb_spec_posidx_build(text, len, &s->idx);
        if (r >= 0 || r == -ELOOP) {
                parse_profile(&c, root, p);
                r = c.oom ? c.oom : l->d->oom ? -ENOMEM : 0;
        }
        json_decref(root);
        if (r >= 0)
                r = load_included(l, p, s);
        vb_spec_free(s);
        return r < 0 ? r : l->d->n > before ? -EINVAL : 0;
}

static int load(struct loader *l, const char *name, const struct vb_spec *from, const char *from_ptr,
                struct vb_spec_profile **out)
{
        _cleanup_free_ char *text = NULL, *file = NULL, *basedir = NULL;
        struct vb_spec_profile *p;
        size_t len = 0;
        int r;

        *out = NULL;
        for (size_t i = 0; i < l->n_seen; i++)
                if (strcmp(l->seen[i], name) == 0) {
                        vb_spec_diag(l->d, from, from_ptr, false, "profile \"%s\" builds on itself", name);
                        return -EINVAL;
                }
        if (l->n_seen == MAX_PROFILE_DEPTH) {
                vb_spec_diag(l->d, from, from_ptr, false, "profiles build on each other more than %d deep",
                             MAX_PROFILE_DEPTH);
                return -EINVAL;
        }
        r = l->fn(l->userdata, name, &text, &len, &file, &basedir);
        if (r < 0) {
                if (from)
                        vb_spec_diag(l->d, from, from_ptr, false, "profile \"%s\": %s", name,
                                     r == -ENOENT ? "there is no such profile (voidshim(1), PROFILES, says where "
                                                    "they are found)"
                                                  : strerror(-r));
                return r;
        }
        p = calloc(1, sizeof(*p));
        if (!p || !(p->name = strdup(name)) || !(p->file = strdup(file))) {
                vb_spec_profile_free(p);
                return -ENOMEM;
        }
        l->seen[l->n_seen++] = name;
        r = parse_text(l, text, len, basedir, p);
        l->n_seen--;
        if (r < 0) {
                vb_spec_profile_free(p);
                return r;
        }
        *out = p;
        return 0;
}

int vb_spec_load_profile(const char *name, vb_spec_profile_fn fn, void *userdata, struct vb_spec_profile **out,
                         struct vb_spec_diags *d)
{
        struct loader l = { .fn = fn, .userdata = userdata, .d = d };

        return load(&l, name, NULL, NULL, out);
}

/* Entrypoint e's profiles, each in front of its own grants; the first named comes first. */
static int resolve_entry(struct loader *l, const struct vb_spec *s, struct vb_spec_entry *e)
{
        size_t n = strv_len(e->v.profiles);
        int r = 0;

        e->v.profile_files = calloc(n + 1, sizeof(char *));
        if (!e->v.profile_files)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!(e->v.profile_files[i] = strdup("")))
                        return -ENOMEM;
        for (size_t k = n; k-- > 0;) {
                _cleanup_free_ char *vptr = vb_spec_ptr_key(e->where, "void"), *lptr = NULL, *ptr = NULL;
                struct vb_spec_profile *p = NULL;
                int e2;

                lptr = vptr ? vb_spec_ptr_key(vptr, "profiles") : NULL;
                ptr = lptr ? vb_spec_ptr_idx(lptr, k) : NULL;
                if (!ptr)
                        return -ENOMEM;
                if (!*e->v.profiles[k])
                        continue; /* not a string: reported */
                e2 = load(l, e->v.profiles[k], s, ptr, &p);
                if (e2 >= 0) {
                        free(e->v.profile_files[k]);
                        e->v.profile_files[k] = strdup(p->file);
                        e2 = e->v.profile_files[k] ? vb_spec_void_prepend(&e->v, &p->v, p->name, ptr) : -ENOMEM;
                }
                vb_spec_profile_free(p);
                if (e2 == -ENOMEM)
                        return e2;
                r = r < 0 ? r : e2 < 0 ? -EINVAL : 0;
        }
        return r;
}

int vb_spec_resolve_profiles(struct vb_spec *s, vb_spec_profile_fn fn, void *userdata, struct vb_spec_diags *d)
{
        struct loader l = { .fn = fn, .userdata = userdata, .d = d };
        size_t before = d->n;

        for (size_t i = 0; i < s->n_entries; i++)
                if (s->entries[i].v.profiles && resolve_entry(&l, s, &s->entries[i]) == -ENOMEM)
                        return -ENOMEM;
        return d->oom ? -ENOMEM : (int)(d->n - before);
}
