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
static int parse(struct vb_opts *o, char **why, char ***storage, ...)
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

static void release(struct vb_opts *o, char *why, char **storage)
{
        vb_opts_done(o);
        free(why);
        for (char **p = storage; *p; p++)
                free(*p);
        free(storage);
}

static void test_minimal(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--", "/bin/true", "x", NULL), 0);
        assert_null(why);
        assert_string_equal(o.argv[0], "/bin/true");
        assert_string_equal(o.argv[1], "x");
        assert_int_equal(o.n_grants, 0);
        assert_int_equal(o.net, NET_NONE);
        for (int i = 0; i < VB_NS_COUNT; i++)
                assert_int_equal(o.ns[i], VB_NS_FRESH);
        release(&o, why, argv);
}

static void test_program_without_dashdash(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--proc", "/bin/echo", "--not-an-option", NULL), 0);
        assert_string_equal(o.argv[0], "/bin/echo");
        assert_string_equal(o.argv[1], "--not-an-option");
        assert_int_equal(o.n_grants, 1);
        assert_int_equal(o.grants[0].kind, G_PROC);
        release(&o, why, argv);
}

static void test_grants_in_order(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--ro-bind", "/usr", "/usr", "--bind", "/tmp", "/t",
                               "--size", "1m", "--tmpfs", "/scratch", "--dev", "--fd", "5:9", "--setenv", "A", "b",
                               "--", "p", NULL),
                         0);
        assert_int_equal(o.n_grants, 6);
        assert_int_equal(o.grants[0].kind, G_BIND);
        assert_int_equal(o.grants[0].flags, 0);
        assert_int_equal(o.grants[1].flags, VB_MOUNT_RW);
        assert_string_equal(o.grants[1].b, "/t");
        assert_int_equal(o.grants[2].kind, G_TMPFS);
        assert_int_equal(o.grants[2].n, 1 << 20);
        assert_int_equal(o.grants[3].kind, G_DEV);
        assert_int_equal(o.grants[4].i, 5);
        assert_int_equal(o.grants[4].n, 9);
        assert_string_equal(o.grants[5].a, "A");
        assert_string_equal(o.grants[5].b, "b");
        release(&o, why, argv);
}

static void test_inline_values(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--net=loopback", "--seccomp=off", "--hostname=h", "p", NULL),
                         0);
        assert_int_equal(o.net, NET_LOOPBACK);
        assert_int_equal(o.seccomp, SECCOMP_CHOICE_OFF);
        assert_string_equal(o.hostname, "h");
        release(&o, why, argv);
}

static void test_namespaces(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--share", "ipc", "--join", "uts=/proc/1/ns/uts", "--net",
                               "shared", "p", NULL),
                         0);
        assert_int_equal(o.ns[VB_NS_IPC], VB_NS_SHARED);
        assert_int_equal(o.ns[VB_NS_UTS], VB_NS_JOIN);
        assert_string_equal(o.ns_path[VB_NS_UTS], "/proc/1/ns/uts");
        assert_int_equal(o.ns[VB_NS_NET], VB_NS_SHARED);
        release(&o, why, argv);
}

static void test_limits_caps_landlock(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--rlimit", "nofile=10:20", "--cap-add", "CAP_NET_ADMIN",
                               "--landlock-allow", "/data:rx", "--time-offset", "boottime=-5", "p", NULL),
                         0);
        assert_int_equal(o.grants[0].i, RLIMIT_NOFILE);
        assert_int_equal(o.grants[0].n, 10);
        assert_int_equal(o.grants[0].m, 20);
        assert_int_equal(o.grants[1].i, CAP_NET_ADMIN);
        assert_string_equal(o.grants[2].a, "/data");
        assert_int_equal(o.grants[2].flags, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC);
        assert_true(o.landlock);
        assert_int_equal(o.grants[3].i, CLOCK_BOOTTIME);
        assert_int_equal((int64_t)o.grants[3].n, -5);
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
                { { "--share", "mnt", "p" }, "--share mnt: a void always builds its own root; bind what it needs instead" },
                { { "--share", "bogus", "p" }, "--share: unknown namespace 'bogus' (user, pid, net, ipc, uts, cgroup, time)" },
                { { "--join", "net", "p" }, "--join: expected NS=PATH (e.g. net=/proc/1234/ns/net), got 'net'" },
                { { "--fd", "x", "p" }, "--fd: 'x' is not N or N:TARGET" },
                { { "--fd", "-1", "p" }, "--fd: '-1' is not N or N:TARGET" },
                { { "--fd", "1:2147483647", "p" }, "--fd: '1:2147483647': the target must be 1048575 at most" },
                { { "--fd", "1048576", "p" }, "--fd: '1048576': the target must be 1048575 at most" },
                { { "--rlimit", "nofile=9:3", "p" }, "--rlimit: bad limits in 'nofile=9:3' (SOFT <= HARD, numbers)" },
                { { "--rlimit", "cores=1", "p" }, "--rlimit: unknown limit 'cores' (as core cpu data fsize memlock nofile nproc stack)" },
                { { "--size", "12q", "--tmpfs", "/t", "p" }, "--size: '12q' is not a size in bytes (suffixes k, m, g)" },
                { { "--size", "1m", "p" }, "--size applies to the next --tmpfs, and none followed" },
                { { "--cap-add", "CAP_FLY", "p" }, "--cap-add: unknown capability 'CAP_FLY'" },
                { { "--landlock-allow", "/x:rq", "p" }, "--landlock-allow: unknown access 'q' in '/x:rq' (r, w, x)" },
                { { "--time-offset", "realtime=5", "p" }, "--time-offset: expected boottime=SECONDS or monotonic=SECONDS, got 'realtime=5'" },
                { { "--proc=/x", "p" }, "--proc takes 0 arguments, not '=VALUE'" },
                { { "--hostname", "", "p" }, "--hostname: must be 1 to 64 bytes" },
                { { "--share", "net", "--net", "none", "p" }, "--share net contradicts --net=none" },
                { { "--net", "loopback", "--share", "net", "p" }, "--share net contradicts --net=loopback" },
                { { "--ro-bind", "/etc", "--", "p" }, "--ro-bind needs 2 arguments" },
                { { "--inbox", "in", "--name", "n", "p" }, "--inbox: 'in' must be an absolute path other than /" },
                { { "--inbox", "/", "--name", "n", "p" }, "--inbox: '/' must be an absolute path other than /" },
                { { "--inbox", "/in", "p" }, "--inbox needs --name NAME: grants come through voidshim ctl NAME grant PATH" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *argv[8] = { "run" }, *copies[8] = {};
                struct vb_opts o;
                char *why = NULL;
                int argc = 1;

                for (int k = 0; k < 6 && cases[i].args[k]; k++)
                        argv[argc++] = copies[k] = strdup(cases[i].args[k]);
                assert_int_equal(vb_cli_parse(argc, argv, &o, &why), -EINVAL);
                assert_non_null(why);
                if (strcmp(why, cases[i].why) != 0)
                        fail_msg("case %zu: got '%s', expected '%s'", i, why, cases[i].why);
                vb_opts_done(&o);
                free(why);
                for (int k = 0; k < 8; k++)
                        free(copies[k]);
        }
}

static void test_help_needs_no_program(void **state)
{
        struct vb_opts o;
        char *why, **argv;

        assert_int_equal(parse(&o, &why, &argv, "run", "--help", NULL), 0);
        assert_true(o.help);
        assert_non_null(strstr(vb_cli_usage(), "--ro-bind SRC DST"));
        release(&o, why, argv);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal),          cmocka_unit_test(test_program_without_dashdash),
                cmocka_unit_test(test_grants_in_order),  cmocka_unit_test(test_inline_values),
                cmocka_unit_test(test_namespaces),       cmocka_unit_test(test_limits_caps_landlock),
                cmocka_unit_test(test_errors),           cmocka_unit_test(test_help_needs_no_program),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
