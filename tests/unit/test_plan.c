/*
 * Unit tests for the plan (voidbuilder/plan/): one mapping from a request to a void.
 *
 * The proof of one mapping: for every server in every mode that both front ends offer,
 * the same request through `voidshim run`'s options and through a spec gives the same
 * plan, and the plan's one applier gives the same void: the same seccomp program, byte
 * for byte, the same Landlock rules and the same mounts, in the same order.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/void.h"
#include "run/cli.h"
#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"
#include "voidbuilder/spec.h"

static char probe[PATH_MAX];

static int setup(void **state)
{
        /* A static program on the host: the spec runs it by fd, as run --exec-host does. */
        if (!realpath("build/tests/probe", probe))
                return -1;
        return 0;
}

/* The plan `voidshim run ARGS... -- PROBE` makes (NULL-terminated words); NULL with *why on refusal. */
static struct vb_plan *plan_of_run(char **why, ...)
{
        char *words[64] = { "run" }, *copies[64] = { NULL };
        struct run_opts o;
        struct vb_plan *p = NULL;
        int argc = 1;
        va_list ap;

        va_start(ap, why);
        for (char *w; (w = va_arg(ap, char *)) && argc < 60;)
                words[argc] = copies[argc] = strdup(w), argc++;
        va_end(ap);
        words[argc++] = "--";
        words[argc++] = probe;
        if (vb_cli_parse(argc, words, &o, why) >= 0)
                p = TAKE_PTR(o.plan);
        run_opts_done(&o);
        for (int i = 0; i < 64; i++)
                free(copies[i]);
        return p;
}

/* The plan of the one entrypoint "main" of a spec with this environment (a JSON object's inside). */
static struct vb_plan *plan_of_spec(const char *environment, bool std)
{
        _cleanup_free_ char *text = NULL;
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;
        struct vb_plan *p = NULL;
        struct vb_error *err = NULL;

        assert_true(asprintf(&text,
                             "{\"voidshim\": 1, \"program\": \"%s\", \"environment\": {%s}, \"entrypoints\": {"
                             "\"main\": {\"void\": {%s}}}}",
                             probe, environment, std ? "\"stdin\": true, \"stdout\": true, \"stderr\": true" : "") > 0);
        assert_int_equal(vb_spec_parse(text, strlen(text), "t.json", "/", &s, &d), 0);
        assert_true(vb_spec_validate(s, NULL, NULL, &d) >= 0);
        if (d.n)
                fail_msg("spec {%s}: %s", environment, d.items[0].text);
        assert_int_equal(vb_plan_from_spec(s, &s->entries[0], NULL, &p, &err), 0);
        vb_spec_diags_done(&d);
        vb_spec_free(s);
        return p;
}

/* Both plans equal as data, and both voids equal in what they enforce. */
static void assert_same(struct vb_plan *a, struct vb_plan *b, const char *what)
{
        _cleanup_free_ char *ja = vb_plan_to_json(a), *jb = vb_plan_to_json(b);
        _cleanup_vb_void_ struct vb_void *va = NULL, *vb = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *xa = NULL, *xb = NULL;

        if (strcmp(ja, jb) != 0)
                fail_msg("%s: the plans differ\nrun:  %s\nspec: %s", what, ja, jb);
        if (vb_plan_apply(a, true, &va, &err) < 0 || vb_plan_apply(b, true, &vb, &err) < 0)
                fail_msg("%s: applying: %s", what, err->msg);
        assert_int_equal(vb_void_prepare_seccomp(va, &err), 0);
        assert_int_equal(vb_void_prepare_seccomp(vb, &err), 0);
        /* The seccomp programs, byte for byte. */
        assert_int_equal(va->fprog.len, vb->fprog.len);
        if (va->fprog.len && memcmp(va->fprog.filter, vb->fprog.filter, va->fprog.len * sizeof(*va->fprog.filter)))
                fail_msg("%s: the seccomp programs differ", what);
        /* The Landlock rules. */
        assert_int_equal(va->landlock, vb->landlock);
        assert_int_equal(va->n_landlock, vb->n_landlock);
        for (size_t i = 0; i < va->n_landlock; i++) {
                assert_string_equal(va->landlock_rules[i].path, vb->landlock_rules[i].path);
                assert_int_equal(va->landlock_rules[i].access, vb->landlock_rules[i].access);
        }
        /* The mounts, in order. */
        assert_int_equal(va->n_mounts, vb->n_mounts);
        for (size_t i = 0; i < va->n_mounts; i++) {
                assert_int_equal(va->mounts[i].kind, vb->mounts[i].kind);
                assert_string_equal(va->mounts[i].dst, vb->mounts[i].dst);
                assert_int_equal(va->mounts[i].flags, vb->mounts[i].flags);
        }
        /* And everything else the library would show. */
        xa = vb_void_explain_json(va);
        xb = vb_void_explain_json(vb);
        if (strcmp(xa, xb) != 0)
                fail_msg("%s: the voids differ\nrun:  %s\nspec: %s", what, xa, xb);
}

/* What each front end needs besides the mode, for the modes that have a caretaker. */
static const char *spec_env(enum vb_server s, enum vb_server_mode m, char *buf, size_t len)
{
        if (s == VB_SERVER_NET && m == VB_SERVER_PROXIED)
                snprintf(buf, len, "\"net\": {\"mode\": \"proxied\", \"allow\": [\"8080\"]}");
        else if (s == VB_SERVER_UNIX && m == VB_SERVER_PROXIED)
                snprintf(buf, len,
                         "\"unix\": {\"mode\": \"proxied\", \"connect\": [{\"at\": \"/run/x.sock\", "
                         "\"upstream\": \"tcp:127.0.0.1:9\"}]}");
        else
                snprintf(buf, len, "\"%s\": \"%s\"", vb_server_name(s), vb_server_mode_name(m));
        return buf;
}

static void test_every_server_every_mode(void **state)
{
        size_t compared = 0;

        for (int s = 0; s < VB_SERVER_COUNT; s++)
                for (int m = 0; m < VB_SERVER_MODE_COUNT; m++) {
                        char env[256], mode[64], what[96], *why = NULL;
                        struct vb_plan *a, *b;
                        const char *extra1 = NULL, *extra2 = NULL;
                        /* A spec refuses stdio next to term denied (a check of its own): neither side has it. */
                        bool std = !(s == VB_SERVER_TERM && m == VB_SERVER_DENIED);

                        if (vb_server_refusal((enum vb_server)s, (enum vb_server_mode)m))
                                continue;
                        /* term proxied is `voidshim run`'s alone: a spec's voids share no terminal. */
                        if (s == VB_SERVER_TERM && m == VB_SERVER_PROXIED)
                                continue;
                        snprintf(mode, sizeof(mode), "%s=%s", vb_server_name((enum vb_server)s),
                                 vb_server_mode_name((enum vb_server_mode)m));
                        snprintf(what, sizeof(what), "--server %s", mode);
                        if (s == VB_SERVER_NET && m == VB_SERVER_PROXIED)
                                extra1 = "--net-allow", extra2 = "8080";
                        if (s == VB_SERVER_UNIX && m == VB_SERVER_PROXIED)
                                extra1 = "--proxy-connect", extra2 = "/run/x.sock=tcp:127.0.0.1:9";
                        /* A spec's exec server is fresh unless it says otherwise: so is this run's. */
                        a = s == VB_SERVER_EXEC
                                    ? plan_of_run(&why, "--exec-host", "--argv0", "main",
                                                  std ? "--exec-host" : "--no-stdio", "--server", mode, "--setenv",
                                                  "VOIDSHIM_ENTRYPOINT", "main", "--setenv", "VOIDSHIM_FDS", "", extra1,
                                                  extra2, NULL)
                                    : plan_of_run(&why, "--exec-host", "--argv0", "main",
                                                  std ? "--exec-host" : "--no-stdio", "--server", "exec=fresh",
                                                  "--server", mode, "--setenv", "VOIDSHIM_ENTRYPOINT", "main",
                                                  "--setenv", "VOIDSHIM_FDS", "", extra1, extra2, NULL);
                        if (!a)
                                fail_msg("%s: run refused it: %s", what, why);
                        b = plan_of_spec(spec_env((enum vb_server)s, (enum vb_server_mode)m, env, sizeof(env)), std);
                        assert_same(a, b, what);
                        vb_plan_free(a);
                        vb_plan_free(b);
                        free(why);
                        compared++;
                }
        /* 11 servers, 4 modes, less what Linux cannot give: the count guards against a loop that skips. */
        assert_true(compared >= 30);
}

/* The other grants a spec's "void" can hold, against the same options. */
static void test_grants_in_the_same_order(void **state)
{
        char *why = NULL;
        struct vb_plan *a = plan_of_run(
                &why, "--exec-host", "--argv0", "main", "--server", "exec=fresh", "--tmpfs", "/scratch", "--dir", "/d",
                "--symlink", "/scratch", "/s", "--proc", "--dev", "--passwd", "--setenv", "A", "1", "--rlimit",
                "nofile=64:128", "--cap-add", "CAP_NET_RAW", "--time-offset", "boottime=100", "--net", "loopback",
                "--hostname", "h", "--chdir", "/d", "--limit", "pids=64,memory=64m", "--limit", "cpu=50%", "--identity",
                "host", "--setenv", "VOIDSHIM_ENTRYPOINT", "main", "--setenv", "VOIDSHIM_FDS", "", NULL);
        _cleanup_free_ char *text = NULL;
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;
        struct vb_plan *b = NULL;
        struct vb_error *err = NULL;

        assert_non_null(a);
        assert_true(
                asprintf(&text,
                         "{\"voidshim\": 1, \"program\": \"%s\", \"entrypoints\": {\"main\": {\"void\": {"
                         "\"mounts\": [{\"tmpfs\": \"/scratch\", \"why\": \"a comment\"}, {\"dir\": \"/d\"}, "
                         "{\"symlink\": \"/scratch\", \"at\": \"/s\"}], \"proc\": true, \"dev\": true, "
                         "\"passwd\": true, "
                         "\"env\": {\"A\": \"1\"}, \"rlimits\": {\"nofile\": [64, 128]}, \"caps\": [\"CAP_NET_RAW\"], "
                         "\"time-offset\": {\"boottime\": 100}, \"net\": \"loopback\", \"hostname\": \"h\", "
                         "\"chdir\": \"/d\", \"limits\": {\"pids\": 64, \"memory\": \"64m\", \"cpu\": \"50%%\"}, "
                         "\"identity\": \"host\", \"stdin\": true, \"stdout\": true, \"stderr\": true}}}}",
                         probe) > 0);
        assert_int_equal(vb_spec_parse(text, strlen(text), "t.json", "/", &s, &d), 0);
        if (d.n)
                fail_msg("%s", d.items[0].text);
        assert_int_equal(vb_plan_from_spec(s, &s->entries[0], NULL, &b, &err), 0);
        assert_same(a, b, "grants");
        /* ... and they are in it: the limits and the identity reach the plan and the void. */
        assert_int_equal(b->limits.pids, 64);
        assert_int_equal(b->limits.memory, 64 << 20);
        assert_int_equal(b->limits.cpu, 50);
        assert_int_equal(b->identity, VB_IDENTITY_HOST);
        vb_plan_free(a);
        vb_plan_free(b);
        vb_spec_diags_done(&d);
        vb_spec_free(s);
}

/*
 * The spec's "name" and an entrypoint's "inbox" are run's --name and --inbox, and an allowlist entry
 * that names a host is run's --net-allow of it: resolved once (vb_plan_spec_resolve()), one entry per
 * address, the name in the void's /etc/hosts lines.  The host's own name stands in for a remote one:
 * the resolver knows it without a network (/etc/hosts).
 */
static void test_name_inbox_and_named_hosts(void **state)
{
        char host[256] = "", entry[300], *why = NULL;
        struct vb_plan *a, *b = NULL;
        _cleanup_free_ char *text = NULL;
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;
        struct vb_error *err = NULL;

        assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
        snprintf(entry, sizeof(entry), "tcp:%s:8080", host);
        assert_true(vb_net_allow_is_name(entry));
        assert_false(vb_net_allow_is_name("tcp:127.0.0.1:8080"));
        assert_false(vb_net_allow_is_name("tcp:localhost:8080")); /* the host's loopback, parsed as such */
        assert_false(vb_net_allow_is_name("tcp:host:0"));         /* a name with a port that is none */
        a = plan_of_run(&why, "--exec-host", "--argv0", "main", "--server", "exec=fresh", "--server", "net=proxied",
                        "--net-allow", entry, "--name", "app", "--inbox", "/inbox", "--setenv", "VOIDSHIM_ENTRYPOINT",
                        "main", "--setenv", "VOIDSHIM_FDS", "", NULL);
        if (!a)
                fail_msg("run: %s", why);
        assert_true(asprintf(&text,
                             "{\"voidshim\": 1, \"name\": \"app\", \"program\": \"%s\", \"environment\": {\"net\": "
                             "{\"mode\": \"proxied\", \"allow\": [\"%s\"]}}, \"entrypoints\": {\"main\": {\"void\": {"
                             "\"inbox\": \"/inbox\", \"stdin\": true, \"stdout\": true, \"stderr\": true}}}}",
                             probe, entry) > 0);
        assert_int_equal(vb_spec_parse(text, strlen(text), "t.json", "/", &s, &d), 0);
        if (d.n)
                fail_msg("%s", d.items[0].text);
        /* Not resolved yet: refused, not planned with an allowlist that lets nothing through. */
        assert_int_equal(vb_plan_from_spec(s, &s->entries[0], NULL, &b, &err), -EINVAL);
        assert_null(b);
        vb_error_free(err), err = NULL;
        assert_int_equal(vb_plan_spec_resolve(s, &err), 0);
        assert_int_equal(vb_plan_from_spec(s, &s->entries[0], NULL, &b, &err), 0);
        assert_same(a, b, "name, inbox, a host by name");
        assert_string_equal(b->care.name, "app");
        assert_string_equal(b->care.inbox, "/inbox");
        assert_true(b->care.n_allow >= 1 && b->care.n_hosts == b->care.n_allow);
        assert_non_null(strstr(b->care.hosts[0], host));
        vb_plan_free(a);
        vb_plan_free(b);
        vb_spec_diags_done(&d);
        vb_spec_free(s);
}

/* The comparison can fail: one different grant is seen in the plan, one different mode in the void. */
static void test_a_difference_is_seen(void **state)
{
        char *why = NULL;
        struct vb_plan *a =
                plan_of_run(&why, "--exec-host", "--argv0", "main", "--server", "exec=fresh", "--server", "ipc=denied",
                            "--setenv", "VOIDSHIM_ENTRYPOINT", "main", "--setenv", "VOIDSHIM_FDS", "", NULL);
        struct vb_plan *b = plan_of_spec("\"ipc\": \"shared\"", true);
        _cleanup_free_ char *ja = vb_plan_to_json(a), *jb = vb_plan_to_json(b);
        _cleanup_vb_void_ struct vb_void *va = NULL, *vb = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;

        assert_string_not_equal(ja, jb);
        /* Force the plans equal but for the mode: the seccomp programs must then differ. */
        b->server[VB_SERVER_IPC] = VB_SERVER_FRESH;
        assert_int_equal(vb_plan_apply(a, true, &va, &err), 0);
        assert_int_equal(vb_plan_apply(b, true, &vb, &err), 0);
        assert_int_equal(vb_void_prepare_seccomp(va, &err), 0);
        assert_int_equal(vb_void_prepare_seccomp(vb, &err), 0);
        assert_true(va->fprog.len != vb->fprog.len ||
                    memcmp(va->fprog.filter, vb->fprog.filter, va->fprog.len * sizeof(*va->fprog.filter)) != 0);
        vb_plan_free(a);
        vb_plan_free(b);
}

/* A plan copies what it is given and frees it all; a copy is a deep one. */
static void test_dup_and_json(void **state)
{
        struct vb_plan *p = vb_plan_new(), *c;
        _cleanup_free_ char *jp = NULL, *jc = NULL;

        assert_non_null(p);
        assert_int_equal(vb_plan_set_program(p, "/bin/x", false, (char *[]){ "x", "a\"b", NULL }), 0);
        assert_true(vb_plan_bind(p, "/usr", "/usr", 0, "--ro-bind /usr /usr") >= 0);
        assert_true(vb_plan_setenv(p, "K", "v\n", NULL) >= 0);
        assert_int_equal(vb_plan_set_server(p, VB_SERVER_NET, VB_SERVER_DENIED, NULL), 0);
        assert_int_equal(vb_plan_set_server(p, VB_SERVER_TIME, VB_SERVER_DENIED, NULL), -EINVAL);
        c = vb_plan_dup(p);
        assert_non_null(c);
        jp = vb_plan_to_json(p);
        jc = vb_plan_to_json(c);
        assert_string_equal(jp, jc);
        assert_non_null(strstr(jp, "\"argv\":[\"x\",\"a\\\"b\"]"));
        assert_non_null(strstr(jp, "\"servers\":{\"net\":\"denied\"}"));
        vb_plan_free(p);
        /* The copy owns its strings. */
        assert_string_equal(c->grants[0].origin, "--ro-bind /usr /usr");
        vb_plan_free(c);
}

/*
 * A hidden host path goes with the plan (JSON, copies) to the void, which
 * covers it wherever a bind would show it: below a bind of its parent, at the
 * bind's destination plus the rest of the path.
 */
static void test_hide(void **state)
{
        struct vb_plan *p = vb_plan_new(), *c;
        _cleanup_free_ char *jp = NULL, *jc = NULL, *jv = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        char real[PATH_MAX], want[PATH_MAX + 32];

        assert_non_null(p);
        assert_non_null(realpath("/tmp", real));
        assert_int_equal(vb_plan_set_program(p, "/bin/x", false, NULL), 0);
        assert_true(vb_plan_bind(p, "/", "/host", 0, NULL) >= 0);
        assert_int_equal(vb_plan_hide(p, "relative"), -EINVAL);
        assert_int_equal(vb_plan_hide(p, "/tmp"), 0);
        c = vb_plan_dup(p);
        jp = vb_plan_to_json(p);
        jc = vb_plan_to_json(c);
        assert_string_equal(jp, jc);
        assert_non_null(strstr(jp, "\"hide\":[\"/tmp\"]"));
        assert_int_equal(vb_plan_apply(c, true, &v, &err), 0);
        jv = vb_void_explain_json(v);
        assert_non_null(jv);
        snprintf(want, sizeof(want), "\"hidden\":[\"/host%s\"]", real);
        assert_non_null(strstr(jv, want));
        vb_plan_free(p);
        vb_plan_free(c);
}

static void test_check(void **state)
{
        struct vb_plan *p = vb_plan_new();
        char *why = NULL;

        assert_int_equal(vb_plan_check(p, &why), -EINVAL); /* no program */
        free(why);
        assert_int_equal(vb_plan_set_program(p, "/p", false, NULL), 0);
        assert_int_equal(vb_plan_check(p, &why), 0);
        p->ns[VB_NS_IPC] = VB_NS_SHARED;
        assert_int_equal(vb_plan_set_server(p, VB_SERVER_IPC, VB_SERVER_DENIED, NULL), 0);
        assert_int_equal(vb_plan_check(p, &why), -EINVAL);
        assert_non_null(strstr(why, "--server ipc contradicts --share/--join ipc"));
        free(why);
        p->ns[VB_NS_IPC] = VB_NS_FRESH;
        p->landlock = VB_PLAN_LANDLOCK_OFF;
        assert_int_equal(vb_plan_set_server(p, VB_SERVER_EXEC, VB_SERVER_DENIED, NULL), 0);
        assert_int_equal(vb_plan_check(p, &why), -EINVAL);
        assert_non_null(strstr(why, "exec=denied contradicts --no-landlock"));
        free(why);
        p->landlock = VB_PLAN_LANDLOCK_AUTO;
        p->server_set[VB_SERVER_EXEC] = false;
        /* A uid of the void's own needs a user namespace of its own. */
        p->identity = VB_IDENTITY_RESERVED;
        assert_int_equal(vb_plan_check(p, &why), 0);
        p->ns[VB_NS_USER] = VB_NS_SHARED;
        assert_int_equal(vb_plan_check(p, &why), -EINVAL);
        assert_non_null(strstr(why, "--identity reserved needs a user namespace of the void's own"));
        free(why);
        p->identity = VB_IDENTITY_HOST;
        assert_int_equal(vb_plan_check(p, &why), 0);
        vb_plan_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_server_every_mode),
                cmocka_unit_test(test_grants_in_the_same_order),
                cmocka_unit_test(test_name_inbox_and_named_hosts),
                cmocka_unit_test(test_a_difference_is_seen),
                cmocka_unit_test(test_dup_and_json),
                cmocka_unit_test(test_hide),
                cmocka_unit_test(test_check),
        };

        return cmocka_run_group_tests(tests, setup, NULL);
}
