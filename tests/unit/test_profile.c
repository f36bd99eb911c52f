/*
 * Unit tests for profiles (voidbuilder/spec/spec_profile.c): spec fragments by name, read by the
 * spec's own void parser, put in front of a void's grants, and the same plan whether they come
 * through `voidshim run --profile` or a spec's "profiles".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"
#include "voidbuilder/spec.h"

/* The profiles the tests know, by name: a loader that reads no file. */
static const struct {
        const char *name, *text;
} known[] = {
        { "base", "{\"voidshim-profile\": 1, \"description\": \"d\",\n"
                  " \"mounts\": [{\"ro-bind\": \"/usr\", \"at\": \"/usr\", \"why\": \"programs\"}],\n"
                  " \"env\": {\"PATH\": \"/usr/bin\"}, \"passwd\": true}" },
        { "top", "{\"voidshim-profile\": 1, \"profiles\": [\"base\"],\n"
                 " \"mounts\": [{\"tmpfs\": \"/tmp\"}], \"dev\": true, \"proc\": true}" },
        { "sets", "{\"voidshim-profile\": 1,\n \"chdir\": \"/x\"}" },
        { "cycle-a", "{\"voidshim-profile\": 1, \"profiles\": [\"cycle-b\"]}" },
        { "cycle-b", "{\"voidshim-profile\": 1,\n \"profiles\": [\"cycle-a\"]}" },
        { "cmdline", "{\"voidshim-profile\": 1,\n \"mounts\": [{\"bind-cmdline\": 0}]}" },
        { "lost", "{\"voidshim-profile\": 1,\n \"profiles\": [\"nowhere\"]}" },
        { "noversion", "{\"mounts\": []}" },
        { "syntax", "{\"voidshim-profile\": 1,,}" },
};

static int find(void *userdata, const char *name, char **text, size_t *len, char **file, char **basedir)
{
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
                if (strcmp(known[i].name, name) == 0) {
                        *text = strdup(known[i].text);
                        *len = strlen(known[i].text);
                        if (asprintf(file, "%s.json", name) < 0)
                                *file = NULL;
                        *basedir = strdup("/profiles");
                        return *text && *file && *basedir ? 0 : -ENOMEM;
                }
        return -ENOENT;
}

static void test_profile_builds_on_another(void **state)
{
        struct vb_spec_diags d = {};
        struct vb_spec_profile *p = NULL;

        assert_int_equal(vb_spec_load_profile("top", find, NULL, &p, &d), 0);
        assert_int_equal(d.n, 0);
        assert_string_equal(p->file, "top.json");
        /* base's grants first, then top's own; each mount says where it came from. */
        assert_int_equal(p->v.n_mounts, 2);
        assert_string_equal(p->v.mounts[0].dst, "/usr");
        assert_string_equal(p->v.mounts[0].profile, "base");
        assert_string_equal(p->v.mounts[1].dst, "/tmp");
        assert_null(p->v.mounts[1].profile); /* top's own: the caller names it */
        assert_true(p->v.dev && p->v.passwd && p->v.proc);
        assert_int_equal(p->v.n_env, 1);
        assert_string_equal(p->included[0], "base");
        vb_spec_profile_free(p);
        vb_spec_diags_done(&d);
}

/* A refused profile: load returns err and the one diagnostic is exactly want. */
static void refused(const char *name, int err, const char *want)
{
        struct vb_spec_diags d = {};
        struct vb_spec_profile *p = NULL;

        assert_int_equal(vb_spec_load_profile(name, find, NULL, &p, &d), err);
        assert_null(p);
        vb_spec_diags_sort(&d);
        if (!want) {
                assert_int_equal(d.n, 0);
        } else {
                assert_int_equal(d.n, 1);
                if (strcmp(d.items[0].text, want) != 0)
                        fail_msg("%s: got '%s', expected '%s'", name, d.items[0].text, want);
        }
        vb_spec_diags_done(&d);
}

static void test_refusals(void **state)
{
        refused("missing", -ENOENT, NULL);
        refused("sets", -EINVAL,
                "sets.json:2:2: \"chdir\" sets, it does not grant: a profile holds only mounts, libs, proc, dev, "
                "env, rlimits and passwd");
        refused("cycle-a", -EINVAL, "cycle-b.json:2:15: profile \"cycle-a\" builds on itself");
        refused("cmdline", -EINVAL,
                "cmdline.json:2:13: a profile cannot grant what a command line names (\"bind-cmdline\")");
        refused("lost", -EINVAL,
                "lost.json:2:15: profile \"nowhere\": there is no such profile (voidshim(1), PROFILES, says where "
                "they are found)");
        refused("noversion", -EINVAL,
                "noversion.json:1:1: missing \"voidshim-profile\": 1 (the profile format version)");
        refused("syntax", -EINVAL, "syntax.json:1:24: string or '}' expected near ','");
}

/* Parse a spec and resolve its profiles (their diagnostics stay in d). */
static struct vb_spec *parse_spec(const char *text, struct vb_spec_diags *d)
{
        struct vb_spec *s = NULL;

        assert_int_equal(vb_spec_parse(text, strlen(text), "s.json", "/", &s, d), 0);
        assert_int_equal(d->n, 0);
        assert_true(vb_spec_resolve_profiles(s, find, NULL, d) >= 0);
        return s;
}

/* A spec's "profiles": the grants in front of its own, named at the "profiles" entry. */
static void test_spec_profiles(void **state)
{
        struct vb_spec_diags d = {};
        struct vb_spec *s =
                parse_spec("{\"voidshim\": 1, \"program\": \"/bin/true\", \"entrypoints\": {\"m\": {\"void\":"
                           " {\"profiles\": [\"top\"], \"mounts\": [{\"dir\": \"/own\"}]}}}}",
                           &d);
        const struct vb_spec_void *v = &s->entries[0].v;

        assert_int_equal(d.n, 0);
        assert_int_equal(v->n_mounts, 3);
        assert_string_equal(v->mounts[0].dst, "/usr");
        assert_string_equal(v->mounts[0].profile, "base");
        assert_string_equal(v->mounts[0].where, "/entrypoints/m/void/profiles/0");
        assert_string_equal(v->mounts[1].profile, "top");
        assert_string_equal(v->mounts[2].dst, "/own");
        assert_null(v->mounts[2].profile);
        assert_string_equal(v->profile_files[0], "top.json");
        vb_spec_free(s);
        vb_spec_diags_done(&d);
}

/* A profile's grants are the spec's for validation: "dev" from a profile contradicts dev denied there. */
static void test_spec_profile_checked(void **state)
{
        struct vb_spec_diags d = {};
        struct vb_spec *s = parse_spec("{\"voidshim\": 1, \"program\": \"/bin/true\", \"environment\": {\"dev\": "
                                       "\"denied\"},\n\"entrypoints\": {\"m\": {\"void\": {\"profiles\": [\"top\"]}}}}",
                                       &d);

        assert_true(vb_spec_validate(s, NULL, NULL, &d) > 0);
        vb_spec_diags_sort(&d);
        assert_non_null(strstr(d.items[0].text, "\"dev\""));
        vb_spec_free(s);
        vb_spec_diags_done(&d);
        s = NULL;
        d = (struct vb_spec_diags){};
        s = parse_spec("{\"voidshim\": 1, \"program\": \"/bin/true\", \"entrypoints\": {\"m\": {\"void\":"
                       "\n {\"profiles\": [\"nope\"]}}}}",
                       &d);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.items[0].text, "s.json:2:16: profile \"nope\": there is no such profile (voidshim(1), "
                                             "PROFILES, says where they are found)");
        vb_spec_free(s);
        vb_spec_diags_done(&d);
}

/* run's --profile and a spec's "profiles" make the same grants, in the same order, from the same profile. */
static void test_same_plan(void **state)
{
        struct vb_spec_diags d = {};
        struct vb_spec_profile *p = NULL;
        struct vb_plan *run = vb_plan_new(), *spec = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL;
        struct vb_spec *s;

        assert_int_equal(vb_spec_load_profile("top", find, NULL, &p, &d), 0);
        assert_int_equal(vb_plan_add_profile(run, p, "--profile top"), 0);
        s = parse_spec("{\"voidshim\": 1, \"program\": \"/bin/true\", \"entrypoints\": {\"m\": {\"void\":"
                       " {\"profiles\": [\"top\"]}}}}",
                       &d);
        assert_int_equal(vb_plan_from_spec(s, &s->entries[0], NULL, &spec, NULL), 0);
        /* The spec adds VOIDSHIM_ENTRYPOINT and VOIDSHIM_FDS after the void's grants: compare the grants before. */
        assert_int_equal(spec->n_grants, run->n_grants + 2);
        spec->n_grants -= 2;
        assert_string_equal(run->grants[0].profile, "base");
        assert_string_equal(run->grants[0].origin, "--profile top (mounts/0)");
        a = vb_plan_to_json(run);
        b = vb_plan_to_json(spec);
        assert_non_null(strstr(a, "\"grants\""));
        *strstr(a, "\"loopback\"") = '\0';
        *strstr(b, "\"loopback\"") = '\0';
        assert_string_equal(strstr(a, "\"grants\""), strstr(b, "\"grants\""));
        spec->n_grants += 2;
        vb_plan_free(run);
        vb_plan_free(spec);
        vb_spec_profile_free(p);
        vb_spec_free(s);
        vb_spec_diags_done(&d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_profile_builds_on_another),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_spec_profiles),
                cmocka_unit_test(test_spec_profile_checked),
                cmocka_unit_test(test_same_plan),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
