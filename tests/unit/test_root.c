/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A root from a directory or an overlay, /sys, pid 1, chown-noop: the library's setters,
 * run's options, the plan's checks and what explain says; a name in --net-allow.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "core/void.h"
#include "run/cli.h"
#include "voidbuilder.h"
#include "voidbuilder/plan.h"

static char *store[64];
static size_t n_store;

static int parse(char **why, struct run_opts *o, ...)
{
        char *argv[32] = { "run" };
        int argc = 1;
        va_list ap;

        va_start(ap, o);
        for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
                argv[argc++] = store[n_store++] = strdup(a);
        va_end(ap);
        return vb_cli_parse(argc, argv, o, why);
}

static void done(struct run_opts *o, char **why)
{
        run_opts_done(o);
        free(*why);
        *why = NULL;
}

static void test_setters(void **state)
{
        struct vb_void *v = vb_void_new();
        char *text;

        assert_non_null(v);
        assert_int_equal(vb_void_root(v, "relative", 0), -EINVAL);
        assert_int_equal(vb_void_root(v, "/srv/t", VB_MOUNT_EXEC), -EINVAL);
        assert_int_equal(vb_void_root_overlay(v, "/srv/t", "up", 0), -EINVAL);
        assert_int_equal(vb_void_init(v, 1u << 7), -EINVAL);
        assert_int_equal(vb_void_root(v, "/srv/t", 0), 0);
        text = vb_void_explain(v);
        assert_non_null(strstr(text, "root: host /srv/t (bind, read-only"));
        free(text);
        assert_int_equal(vb_void_root_overlay(v, "/srv/t", "/srv/up", 0), 0);
        assert_int_equal(vb_void_init(v, VB_INIT_HOLD), 0);
        assert_int_equal(vb_void_sys(v, "/sys"), 0);
        text = vb_void_explain(v);
        assert_non_null(strstr(text, "root: overlay of host /srv/t (never written) under host /srv/up/upper"));
        assert_non_null(strstr(text, "pid 1: voidshim's reaper"));
        assert_non_null(strstr(text, "/sys: fresh sysfs"));
        free(text);
        text = vb_void_explain_json(v);
        assert_non_null(strstr(text, "\"root\":{\"kind\":\"overlay\",\"dir\":\"/srv/t\",\"upper\":\"/srv/up\""));
        assert_non_null(strstr(text, "\"init\":\"reaper, hold\""));
        free(text);
        vb_void_free(v);
}

static void test_cli(void **state)
{
        struct run_opts o;
        char *why = NULL;

        assert_int_equal(parse(&why, &o, "--overlay", "/t", "--overlay-persist", "/u", "--init", "--sys",
                               "--chown-noop", "/p", NULL),
                         0);
        assert_string_equal(o.plan->root, "/t");
        assert_true(o.plan->overlay);
        assert_string_equal(o.plan->overlay_upper, "/u");
        assert_true(o.plan->init && !o.plan->init_hold && o.plan->chown_noop);
        assert_int_equal(o.plan->grants[0].kind, VB_PLAN_SYS);
        done(&o, &why);
        /* Each contradiction, refused with the reason (and it parses without the contradicting part). */
        assert_int_equal(parse(&why, &o, "--root", "/t", "--overlay", "/u", "/p", NULL), -EINVAL);
        assert_non_null(strstr(why, "a void has one root"));
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--root", "t", "/p", NULL), -EINVAL);
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--overlay-persist", "/u", "/p", NULL), -EINVAL);
        assert_non_null(strstr(why, "needs --overlay"));
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--overlay", "/t", "--root-rw", "/p", NULL), -EINVAL);
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--init", "--share", "pid", "/p", NULL), -EINVAL);
        assert_non_null(strstr(why, "--init needs a pid namespace"));
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--sys", "--net", "shared", "/p", NULL), -EINVAL);
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--chown-noop", "--seccomp", "off", "/p", NULL), -EINVAL);
        done(&o, &why);
        assert_int_equal(parse(&why, &o, "--root", "/t", "--root-rw", "/p", NULL), 0);
        done(&o, &why);
}

static void test_plan_apply(void **state)
{
        struct vb_error *err = NULL;
        struct vb_void *v = NULL;
        struct vb_plan *p = vb_plan_new();
        char *json;

        assert_int_equal(vb_plan_set_program(p, "/p", false, NULL), 0);
        assert_int_equal(vb_plan_set_str(&p->root, "/nonexistent-tree"), 0);
        assert_true(vb_plan_apply(p, true, &v, &err) < 0); /* a root that is not a directory */
        assert_non_null(strstr(err->msg, "--root /nonexistent-tree"));
        err = vb_error_free(err);
        assert_int_equal(vb_plan_set_str(&p->root, "/"), 0);
        p->overlay = true;
        p->chown_noop = true;
        p->init = p->init_hold = true;
        assert_int_equal(vb_plan_apply(p, true, &v, &err), 0);
        assert_int_equal(v->root.kind, VB_ROOT_OVERLAY);
        assert_true(v->init);
        vb_void_free(v);
        json = vb_plan_to_json(p);
        assert_non_null(strstr(json, "\"root\":{\"dir\":\"/\",\"writable\":true,\"overlay\":true,\"upper\":null}"));
        assert_non_null(strstr(json, "\"init\":\"hold\",\"chown_noop\":true"));
        free(json);
        vb_plan_free(p);
}

static void test_resolve(void **state)
{
        struct vb_net_allow a[4];
        char name[64];
        const char *why = NULL;

        assert_int_equal(vb_net_allow_resolve("tcp:192.0.2.7:80", a, 4, name, sizeof(name), &why), 1);
        assert_int_equal(a[0].family, AF_INET);
        assert_string_equal(name, "");
        assert_int_equal(vb_net_allow_resolve("8080", a, 4, name, sizeof(name), &why), 1);
        assert_int_equal(a[0].family, 0);
        assert_int_equal(vb_net_allow_resolve("tcp:192.0.2.7:99999", a, 4, name, sizeof(name), &why), -EINVAL);
        assert_true(vb_net_allow_resolve("tcp:no-such-host.invalid:80", a, 4, name, sizeof(name), &why) < 0);
        assert_non_null(why);
        /* A name that resolves only to what no caretaker can route (::1, 127.0.0.2) is refused. */
        assert_true(vb_net_allow_resolve("tcp:ip6-localhost:80", a, 4, name, sizeof(name), &why) < 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_setters),
                cmocka_unit_test(test_cli),
                cmocka_unit_test(test_plan_apply),
                cmocka_unit_test(test_resolve),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);

        for (size_t i = 0; i < n_store; i++)
                free(store[i]);
        return r;
}
