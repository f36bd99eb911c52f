/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The environment model's tables, vb_void_server()'s checks, and `voidshim run --server` parsing. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "run/cli.h"
#include "core/seccomp.h"
#include "core/server.h"
#include "core/void.h"
#include "voidbuilder.h"
#include "need.h"

static void test_names_round_trip(void **state)
{
        static const char *const spec_names[] = { "fs", "exec", "proc", "auth", "net", "unix",
                                                  "term", "dev", "ipc", "uts", "time" };

        /* Same names and order as the spec's "environment" section (voidbuilder/spec.c). */
        for (int s = 0; s < VB_SERVER_COUNT; s++) {
                assert_string_equal(vb_server_name((enum vb_server)s), spec_names[s]);
                assert_int_equal(vb_server_from_name(spec_names[s]), s);
        }
        for (int m = 0; m < VB_SERVER_MODE_COUNT; m++)
                assert_int_equal(vb_server_mode_from_name(vb_server_mode_name((enum vb_server_mode)m)), m);
        assert_int_equal(vb_server_from_name("disk"), -EINVAL);
        assert_int_equal(vb_server_mode_from_name("closed"), -EINVAL);
        assert_null(vb_server_name(VB_SERVER_COUNT));
}

static void test_refusals(void **state)
{
        /* Every denied server that is offered has its one errno; the refused ones have a reason. */
        for (int s = 0; s < VB_SERVER_COUNT; s++) {
                assert_null(vb_server_refusal((enum vb_server)s, VB_SERVER_FRESH));
                assert_null(vb_server_refusal((enum vb_server)s, VB_SERVER_SHARED));
                if (!vb_server_refusal((enum vb_server)s, VB_SERVER_DENIED))
                        assert_int_not_equal(vb_server_denied_errno((enum vb_server)s), 0);
        }
        assert_non_null(strstr(vb_server_refusal(VB_SERVER_TIME, VB_SERVER_DENIED), "vDSO"));
        assert_non_null(strstr(vb_server_refusal(VB_SERVER_EXEC, VB_SERVER_PROXIED), "TOCTOU"));
        assert_null(vb_server_refusal(VB_SERVER_NET, VB_SERVER_PROXIED));
        assert_null(vb_server_refusal(VB_SERVER_UNIX, VB_SERVER_PROXIED));
        assert_int_equal(vb_server_denied_errno(VB_SERVER_NET), EACCES);
        assert_int_equal(vb_server_denied_errno(VB_SERVER_TERM), ENOTTY);
        assert_int_equal(vb_server_denied_errno(VB_SERVER_PROC), ENOENT);
        assert_int_equal(vb_server_denied_errno(VB_SERVER_AUTH), EPERM);
        assert_null(vb_server_refusal(VB_SERVER_AUTH, VB_SERVER_DENIED));
}

/* nullauth: ids 65534, and nothing that contradicts it (kept capabilities, other ids, a joined user ns). */
static void test_auth_denied(void **state)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;

        assert_int_equal(vb_void_server(v, VB_SERVER_AUTH, VB_SERVER_DENIED, &err), 0);
        assert_int_equal(v->uid, 65534);
        assert_int_equal(v->gid, 65534);
        /* The ids live in a user ns of the void's own: it can no longer be shared or joined. */
        assert_int_equal(vb_void_set_ns(v, VB_NS_USER, VB_NS_SHARED, -1), -EINVAL);
        vb_void_free(v);

        v = vb_void_new();
        assert_int_equal(vb_void_keep_cap(v, 12), 0);
        assert_int_equal(vb_void_server(v, VB_SERVER_AUTH, VB_SERVER_DENIED, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "kept capabilities"));
        err = vb_error_free(err);
        vb_void_free(v);

        v = vb_void_new();
        assert_int_equal(vb_void_set_ids(v, 1000, 1000), 0);
        assert_int_equal(vb_void_server(v, VB_SERVER_AUTH, VB_SERVER_DENIED, &err), -EINVAL);
        err = vb_error_free(err);
        assert_int_equal(vb_void_set_ids(v, (uid_t)-1, 0), -EINVAL);
        vb_void_free(v);

        v = vb_void_new();
        assert_int_equal(vb_void_set_ns(v, VB_NS_USER, VB_NS_SHARED, -1), 0);
        assert_int_equal(vb_void_set_ids(v, 1000, 1000), -EINVAL);
        vb_void_free(v);
}

/* Each rule set compiles on top of the default policy, and all of them together. */
static void test_rules_compile(void **state)
{
        const char *const sets[] = { vb_server_rules_net, vb_server_rules_unix, vb_server_rules_ipc,
                                     vb_server_rules_uts, vb_server_rules_fs,  vb_server_rules_auth,
                                     vb_server_rules_term_confined };
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;

        assert_non_null(v);
        for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
                int r = vb_void_seccomp_append(v, sets[i], "rules", &err);

                if (r < 0)
                        fail_msg("%s", err ? err->msg : "?");
        }
        vb_void_free(v);
}

static void test_append_reports_errors(void **state)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;

        assert_int_equal(vb_void_seccomp_append(v, "frobnicate errno EPERM\n", "extra", &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "unknown syscall 'frobnicate'"));
        vb_error_free(err);
        vb_void_free(v);
}

static void test_server_contradictions(void **state)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;

        assert_int_equal(vb_void_proc(v, "/proc", 0), 0);
        assert_int_equal(vb_void_server(v, VB_SERVER_PROC, VB_SERVER_DENIED, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "proc denied contradicts"));
        err = vb_error_free(err);
        /* exec denied needs an absolute program inside the void. */
        assert_int_equal(vb_void_exec_path(v, "ls", (char *[]){ "ls", NULL }), 0);
        assert_int_equal(vb_void_server(v, VB_SERVER_EXEC, VB_SERVER_DENIED, &err), -EINVAL);
        err = vb_error_free(err);
        /* net proxied needs the caretaker's namespace joined first. */
        assert_int_equal(vb_void_server(v, VB_SERVER_NET, VB_SERVER_PROXIED, &err), -EINVAL);
        err = vb_error_free(err);
        assert_int_equal(vb_void_server(v, VB_SERVER_TIME, VB_SERVER_DENIED, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err->msg, "vDSO"));
        vb_error_free(err);
        vb_void_free(v);
}

static char *store[256]; /* the argv copies, freed at the end of test_cli */
static size_t n_store;

static int parse(char **why, struct run_opts *o, ...)
{
        char *argv[32] = { "run" };
        int argc = 1, r;
        va_list ap;

        va_start(ap, o);
        for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
                argv[argc++] = store[n_store++] = strdup(a); /* options may edit their argument */
        va_end(ap);
        r = vb_cli_parse(argc, argv, o, why);
        return r;
}

static void test_cli(void **state)
{
        struct run_opts o;
        char *why = NULL;

        assert_int_equal(parse(&why, &o, "--server", "net=denied", "--server", "ipc=denied", "/p", NULL), 0);
        assert_true(o.plan->server_set[VB_SERVER_NET]);
        assert_int_equal(o.plan->server[VB_SERVER_IPC], VB_SERVER_DENIED);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--server", "time=denied", "/p", NULL), -EINVAL);
        assert_non_null(strstr(why, "vDSO"));
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--server", "net=denied", "--net", "loopback", "/p", NULL), -EINVAL);
        run_opts_done(&o);
        free(why);
        why = NULL;
        /* --net-allow alone asks for the network caretaker. */
        assert_int_equal(parse(&why, &o, "--net-allow", "tcp:127.0.0.1:8080", "/p", NULL), 0);
        assert_int_equal(o.plan->server[VB_SERVER_NET], VB_SERVER_PROXIED);
        assert_int_equal(o.plan->care.allow[0].port, 8080);
        assert_string_equal(o.plan->care.allow_text[0], "tcp:127.0.0.1:8080");
        run_opts_done(&o);
        free(why);
        why = NULL;
        /* A remote host is allowed by address, or by a name resolved now (one that has no address is refused). */
        assert_int_equal(parse(&why, &o, "--net-allow", "192.0.2.1:80", "/p", NULL), 0);
        assert_int_equal(o.plan->care.allow[0].family, AF_INET);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--net-allow", "tcp:no-such-host.invalid:80", "/p", NULL), -EINVAL);
        assert_non_null(strstr(why, "--net-allow tcp:no-such-host.invalid:80: "));
        assert_int_equal(o.plan->care.n_allow, 0);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--proxy-connect", "/run/s=tcp:127.0.0.1:80", "/p", NULL), 0);
        assert_string_equal(o.plan->care.fwd[0].at, "/run/s");
        assert_string_equal(o.plan->care.fwd[0].upstream, "tcp:127.0.0.1:80");
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--proxy-connect", "/run/s=tcp:h:1", "--server", "unix=denied", "/p", NULL),
                         -EINVAL);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--name", "../x", "/p", NULL), -EINVAL);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--uid", "1000", "--gid", "0", "/p", NULL), 0);
        assert_true(o.plan->ids_set);
        assert_int_equal(o.plan->uid, 1000);
        assert_int_equal(o.plan->gid, 0);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--uid", "4294967295", "/p", NULL), -EINVAL);
        run_opts_done(&o);
        free(why);
        why = NULL;
        assert_int_equal(parse(&why, &o, "--uid", "1", "--server", "auth=denied", "/p", NULL), -EINVAL);
        assert_non_null(strstr(why, "65534"));
        run_opts_done(&o);
        free(why);
        while (n_store)
                free(store[--n_store]);
}

/* term proxied: the caretaker's pty replaces stdio and is the only terminal left. */
static void test_term_proxied(void **state)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;
        int master, slave, null;

        assert_int_equal(vb_void_server(v, VB_SERVER_TERM, VB_SERVER_PROXIED, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "vb_void_terminal"));
        err = vb_error_free(err);
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        NEED(master >= 0 && unlockpt(master) == 0, "ptys (%s)", strerror(errno));
        slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(slave >= 0);
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        assert_int_equal(vb_void_terminal(v, null), -ENOTTY);
        close(null);
        assert_int_equal(vb_void_keep_fd(v, slave, 1), 0);
        assert_int_equal(vb_void_terminal(v, slave), 0); /* replaces the fd 1 handed in before */
        assert_int_equal(v->n_fds, 3);
        assert_int_equal(v->tty_target, 0);
        assert_int_equal(vb_void_server(v, VB_SERVER_TERM, VB_SERVER_PROXIED, &err), 0);
        assert_int_equal(v->n_fds, 3);
        close(slave);
        close(master);
        vb_void_free(v);
}

/* The caller's terminal comes in confined: only when a terminal is handed in, and once. */
static void test_confine_terminals(void **state)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave, null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int n;

        assert_non_null(v);
        assert_true(master >= 0 && null >= 0);
        assert_int_equal(grantpt(master), 0);
        assert_int_equal(unlockpt(master), 0);
        slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(slave >= 0);
        assert_int_equal(vb_void_keep_fd(v, null, 0), 0);
        assert_int_equal(vb_void_confine_terminals(v, &err), 0);
        assert_false(v->term_confined); /* no terminal: nothing to confine, the default policy stays */
        assert_int_equal(v->seccomp_mode, VB_SECCOMP_DEFAULT);
        assert_int_equal(vb_void_keep_fd(v, slave, 1), 0);
        assert_int_equal(vb_void_confine_terminals(v, &err), 0);
        assert_true(v->term_confined);
        assert_int_equal(v->seccomp_mode, VB_SECCOMP_POLICY);
        assert_non_null(strstr(v->seccomp_text, "TIOCSWINSZ"));
        assert_int_equal(vb_void_confine_terminals(v, &err), 0); /* once */
        n = 0;
        for (const char *p = v->seccomp_text; (p = strstr(p, "TIOCSWINSZ")); p++)
                n++;
        assert_int_equal(n, 1);
        close(slave), close(master), close(null);
        vb_void_free(v);
}

/* Without Landlock: a directory fd is refused; a file only when the void reaches /proc. */
static void test_landlock_fallback(void **state)
{
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;
        int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), file = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

        assert_true(v && dir >= 0 && file >= 0 && null >= 0);
        assert_int_equal(vb_void_keep_fd(v, file, 3), 0);
        assert_int_equal(vb_void_keep_fd(v, null, 4), 0);
        assert_int_equal(vb_void_landlock_fallback(v, &err), 0); /* no /proc: a file is only its fd */
        assert_true(v->landlock_fallback);
        assert_int_equal(vb_void_proc(v, "/proc", 0), 0);
        assert_int_equal(vb_void_landlock_fallback(v, &err), -EPERM);
        assert_non_null(strstr(err->msg, "fd 3 is a file and the void has /proc"));
        err = vb_error_free(err);
        vb_void_free(v);
        v = vb_void_new();
        assert_int_equal(vb_void_keep_fd(v, null, 0), 0);
        assert_int_equal(vb_void_proc(v, "/proc", 0), 0);
        assert_int_equal(vb_void_landlock_fallback(v, &err), 0); /* /dev/null gives nothing more */
        assert_int_equal(vb_void_keep_fd(v, dir, 5), 0);
        assert_int_equal(vb_void_landlock_fallback(v, &err), -EPERM);
        assert_non_null(strstr(err->msg, "fd 5 is a directory"));
        vb_error_free(err);
        vb_void_free(v);
        close(dir), close(file), close(null);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_round_trip),   cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_rules_compile),      cmocka_unit_test(test_append_reports_errors),
                cmocka_unit_test(test_server_contradictions), cmocka_unit_test(test_cli),
                cmocka_unit_test(test_auth_denied),        cmocka_unit_test(test_term_proxied),
                cmocka_unit_test(test_confine_terminals),  cmocka_unit_test(test_landlock_fallback),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
