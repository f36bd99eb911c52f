/* Unit tests for `voidshim run` argument parsing (shim/cli.c): no syscalls, no root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>

#include "run/cli.h"

/* Parse a NULL-terminated list of words (copied: options may edit argv in place). */
static int parse(struct run_opts *o, char **why, char ***storage, ...)
{
        char *words[64];
        int argc = 0;
        va_list ap;

        va_start(ap, storage);
        for (char *w; (w = va_arg(ap, char *));)
                words[argc++] = strdup(w);
        va_end(ap);
        *storage = calloc((size_t)argc + 1, sizeof(char *));
        memcpy(*storage, words, (size_t)argc * sizeof(char *));
        return vb_cli_parse(argc, *storage, o, why);
}

static void release(struct run_opts *o, char *why, char **storage)
{
        run_opts_done(o);
        free(why);
        for (char **p = storage; *p; p++)
                free(*p);
        free(storage);
}

static void test_minimal(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--", "/bin/true", "x", NULL), 0);
        assert_null(why);
        assert_string_equal(o.plan->program, "/bin/true");
        assert_string_equal(o.plan->argv[0], "/bin/true");
        assert_string_equal(o.plan->argv[1], "x");
        assert_false(o.plan->program_host);
        assert_int_equal(o.plan->n_grants, 0);
        assert_false(o.plan->loopback);
        assert_true(o.plan->stdio[0] && o.plan->stdio[1] && o.plan->stdio[2]);
        for (int i = 0; i < VB_NS_COUNT; i++)
                assert_int_equal(o.plan->ns[i], VB_NS_FRESH);
        for (int i = 0; i < VB_SERVER_COUNT; i++)
                assert_false(o.plan->server_set[i]);
        release(&o, why, argv);
}

/* --proc [DEST], --dev [DEST]: DEST as bwrap writes it, and the program when it is not one. */
static void test_optional_dest(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--proc", "/p", "--dev", "/d", "--", "/bin/echo", NULL), 0);
        assert_int_equal(o.plan->n_grants, 2);
        assert_string_equal(o.plan->grants[0].dst, "/p");
        assert_string_equal(o.plan->grants[0].origin, "--proc /p");
        assert_string_equal(o.plan->grants[1].dst, "/d");
        assert_string_equal(o.plan->argv[0], "/bin/echo");
        release(&o, why, argv);
        assert_int_equal(parse(&o, &why, &argv, "run", "--dev=/d", "--proc", "/bin/echo", "/x", NULL), 0);
        assert_string_equal(o.plan->grants[0].dst, "/d");
        assert_string_equal(o.plan->grants[1].dst, "/proc");
        assert_string_equal(o.plan->argv[0], "/bin/echo");
        assert_string_equal(o.plan->argv[1], "/x");
        release(&o, why, argv);
        assert_int_equal(parse(&o, &why, &argv, "run", "--proc", "/bin/echo", NULL), 0);
        assert_string_equal(o.plan->grants[0].dst, "/proc");
        assert_string_equal(o.plan->argv[0], "/bin/echo");
        release(&o, why, argv);
}

static void test_program_without_dashdash(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--proc", "/bin/echo", "--not-an-option", NULL), 0);
        assert_string_equal(o.plan->argv[0], "/bin/echo");
        assert_string_equal(o.plan->argv[1], "--not-an-option");
        assert_int_equal(o.plan->n_grants, 1);
        assert_int_equal(o.plan->grants[0].kind, VB_PLAN_PROC);
        assert_string_equal(o.plan->grants[0].origin, "--proc");
        release(&o, why, argv);
}

static void test_grants_in_order(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--ro-bind", "/usr", "/usr", "--bind", "/tmp", "/t", "--size",
                               "1m", "--tmpfs", "/scratch", "--dev", "--fd", "5:9", "--setenv", "A", "b", "--", "p",
                               NULL),
                         0);
        struct vb_plan_grant *g = o.plan->grants;

        assert_int_equal(o.plan->n_grants, 6);
        assert_int_equal(g[0].kind, VB_PLAN_BIND);
        assert_int_equal(g[0].flags, 0);
        assert_string_equal(g[0].origin, "--ro-bind /usr /usr");
        assert_int_equal(g[1].flags, VB_MOUNT_RW);
        assert_string_equal(g[1].dst, "/t");
        assert_int_equal(g[2].kind, VB_PLAN_TMPFS);
        assert_int_equal(g[2].size, 1 << 20);
        assert_int_equal(g[3].kind, VB_PLAN_DEV);
        assert_int_equal(g[4].fd, 5);
        assert_int_equal(g[4].target, 9);
        assert_string_equal(g[5].src, "A");
        assert_string_equal(g[5].dst, "b");
        release(&o, why, argv);
}

static void test_inline_values(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--net=loopback", "--seccomp=off", "--hostname=h", "p", NULL),
                         0);
        assert_true(o.plan->loopback);
        assert_int_equal(o.plan->seccomp, VB_PLAN_SECCOMP_OFF);
        assert_string_equal(o.plan->hostname, "h");
        release(&o, why, argv);
}

static void test_namespaces(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--share", "ipc", "--join", "uts=/proc/1/ns/uts", "--net",
                               "shared", "p", NULL),
                         0);
        assert_int_equal(o.plan->ns[VB_NS_IPC], VB_NS_SHARED);
        assert_int_equal(o.plan->ns[VB_NS_UTS], VB_NS_JOIN);
        assert_string_equal(o.plan->ns_path[VB_NS_UTS], "/proc/1/ns/uts");
        assert_int_equal(o.plan->ns[VB_NS_NET], VB_NS_SHARED);
        release(&o, why, argv);
}

static void test_limits_caps_landlock(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--rlimit", "nofile=10:20", "--cap-add", "CAP_NET_ADMIN",
                               "--landlock-allow", "/data:rx", "--time-offset", "boottime=-5", "p", NULL),
                         0);
        struct vb_plan_grant *g = o.plan->grants;

        assert_int_equal(g[0].resource, RLIMIT_NOFILE);
        assert_int_equal(g[0].soft, 10);
        assert_int_equal(g[0].hard, 20);
        assert_int_equal(g[1].resource, CAP_NET_ADMIN);
        assert_string_equal(g[2].dst, "/data");
        assert_string_equal(g[2].origin, "--landlock-allow /data:rx");
        assert_int_equal(g[2].access, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC);
        assert_int_equal(o.plan->landlock, VB_PLAN_LANDLOCK_STRICT);
        assert_int_equal(g[3].resource, CLOCK_BOOTTIME);
        assert_int_equal(g[3].seconds, -5);
        release(&o, why, argv);
}

/* Every bad command line is refused with a one-line cause; nothing is half-applied. */
static void test_errors(void **state)
{
        static const struct {
                const char *args[6];
                const char *why;
        } cases[] = {
                { { "--frob", "p" }, "unknown option '--frob' (see voidshim run --help)" },
                { { "--ro-bind", "/a" }, "--ro-bind needs 2 arguments" },
                { { "--proc" }, "no program given (voidshim run [GRANT...] -- PROGRAM [ARGS...])" },
                { { "--net", "wifi", "p" }, "--net: 'wifi' is not one of none, loopback, shared" },
                { { "--share", "mnt", "p" },
                  "--share mnt: a void always builds its own root; bind what it needs instead" },
                { { "--share", "bogus", "p" },
                  "--share: unknown namespace 'bogus' (user, pid, net, ipc, uts, cgroup, time)" },
                { { "--join", "net", "p" }, "--join: expected NS=PATH (e.g. net=/proc/1234/ns/net), got 'net'" },
                { { "--fd", "x", "p" }, "--fd: 'x' is not N or N:TARGET" },
                { { "--fd", "-1", "p" }, "--fd: '-1' is not N or N:TARGET" },
                { { "--fd", "1:2147483647", "p" }, "--fd: '1:2147483647': the target must be 1048575 at most" },
                { { "--fd", "1048576", "p" }, "--fd: '1048576': the target must be 1048575 at most" },
                { { "--rlimit", "nofile=9:3", "p" }, "--rlimit: bad limits in 'nofile=9:3' (SOFT <= HARD, numbers)" },
                { { "--rlimit", "cores=1", "p" },
                  "--rlimit: unknown limit 'cores' (as core cpu data fsize memlock nofile nproc stack)" },
                { { "--size", "12q", "--tmpfs", "/t", "p" },
                  "--size: '12q' is not a size in bytes (suffixes k, m, g)" },
                { { "--size", "1m", "p" }, "--size applies to the next --tmpfs, and none followed" },
                { { "--cap-add", "CAP_FLY", "p" }, "--cap-add: unknown capability 'CAP_FLY'" },
                { { "--landlock-allow", "/x:rq", "p" }, "--landlock-allow: unknown access 'q' in '/x:rq' (r, w, x)" },
                { { "--time-offset", "realtime=5", "p" },
                  "--time-offset: expected boottime=SECONDS or monotonic=SECONDS, got 'realtime=5'" },
                { { "--dev=x", "p" }, "--dev x: the destination 'x' must be an absolute path in the void (/x)" },
                { { "--ro-bind", "/", "/", "p" },
                  "--ro-bind / /: cannot bind over / (the void's root is an empty tmpfs of its own: bind what the program needs below it, or give it the host's tree with --server fs=shared)" },
                { { "--tmpfs", "/", "p" },
                  "--tmpfs /: cannot mount over / (the void's root is already an empty tmpfs, read-only: put a writable one below it, e.g. --tmpfs /tmp)" },
                { { "--dir", "tmp", "p" },
                  "--dir tmp: the destination 'tmp' must be an absolute path in the void (/tmp)" },
                { { "--dir", "/a/..", "p" }, "--dir /a/..: the destination '/a/..' must not contain '..'" },
                { { "--hostname", "", "p" }, "--hostname: must be 1 to 64 bytes" },
                { { "--share", "net", "--net", "none", "p" }, "--share net contradicts --net=none" },
                { { "--net", "loopback", "--share", "net", "p" }, "--share net contradicts --net=loopback" },
                { { "--ro-bind", "/etc", "--", "p" }, "--ro-bind needs 2 arguments" },
                { { "--inbox", "in", "--name", "n", "p" }, "--inbox: 'in' must be an absolute path other than /" },
                { { "--inbox", "/", "--name", "n", "p" }, "--inbox: '/' must be an absolute path other than /" },
                { { "--inbox", "/in", "p" },
                  "--inbox needs --name NAME: grants come through voidshim ctl NAME grant PATH" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *argv[8] = { "run" }, *copies[8] = {};
                struct run_opts o;
                char *why = NULL;
                int argc = 1;

                for (int k = 0; k < 6 && cases[i].args[k]; k++)
                        argv[argc++] = copies[k] = strdup(cases[i].args[k]);
                assert_int_equal(vb_cli_parse(argc, argv, &o, &why), -EINVAL);
                assert_non_null(why);
                if (strcmp(why, cases[i].why) != 0)
                        fail_msg("case %zu: got '%s', expected '%s'", i, why, cases[i].why);
                run_opts_done(&o);
                free(why);
                for (int k = 0; k < 8; k++)
                        free(copies[k]);
        }
}

static void test_help_needs_no_program(void **state)
{
        struct run_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--help", NULL), 0);
        assert_true(o.help);
        assert_non_null(strstr(vb_cli_usage(), "--ro-bind SRC DST"));
        release(&o, why, argv);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal),         cmocka_unit_test(test_program_without_dashdash),
                cmocka_unit_test(test_grants_in_order), cmocka_unit_test(test_inline_values),
                cmocka_unit_test(test_namespaces),      cmocka_unit_test(test_limits_caps_landlock),
                cmocka_unit_test(test_errors),          cmocka_unit_test(test_help_needs_no_program),
                cmocka_unit_test(test_optional_dest),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
