/* Unit tests for the builder: the mount plan, setters' validation, explain, and spawn's error path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/void.h"
#include "need.h"
#include "voidbuilder/cleanup.h"

static void test_normalize(void **state)
{
        static const char *const good[][2] = {
                { "/", "/" },           { "/usr", "/usr" },         { "//usr///lib/", "/usr/lib" },
                { "/./a/./b", "/a/b" }, { "/a/.hidden", "/a/.hidden" }, { "/a/..b", "/a/..b" },
        };
        static const char *const bad[] = { "usr", "", "/..", "/a/../b", "/a/..", "./a" };
        char *out;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(vb_path_normalize(good[i][0], &out), 0);
                assert_string_equal(out, good[i][1]);
                free(out);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(vb_path_normalize(bad[i], &out), -EINVAL);
}

static void test_mount_plan(void **state)
{
        struct vb_void *v = vb_void_new();

        assert_non_null(v);
        assert_int_equal(vb_void_bind(v, "/usr", "//usr/", 0), 0);
        assert_int_equal(vb_void_bind(v, "relative", "/x", 0), -EINVAL);
        assert_int_equal(vb_void_bind(v, "/usr", "/../etc", 0), -EINVAL);
        assert_int_equal(vb_void_bind(v, "/usr", "/", 0), -EINVAL); /* the root is always the void's */
        assert_int_equal(vb_void_bind(v, "/usr", "/x", 1u << 20), -EINVAL);
        assert_int_equal(vb_void_tmpfs(v, "/tmp", 0, 0), 0);
        assert_int_equal(vb_void_proc(v, "/proc", VB_PROC_SUBSET_PID), 0);
        assert_int_equal(v->n_mounts, 3);
        assert_int_equal(v->mounts[0].kind, VB_MNT_BIND);
        assert_string_equal(v->mounts[0].dst, "/usr");
        assert_int_equal(v->mounts[0].flags & VB_MOUNT_RW, 0); /* read-only unless asked */
        assert_int_equal(v->mounts[1].kind, VB_MNT_TMPFS);
        assert_int_equal(v->mounts[1].size, 64ULL << 20); /* never unlimited */
        assert_int_equal(v->mounts[2].flags, VB_PROC_SUBSET_PID);
        vb_void_free(v);
}

static void test_dev_plan(void **state)
{
        struct vb_void *v = vb_void_new();
        bool null = false, pts = false, fd = false;

        assert_int_equal(vb_void_dev(v, "/dev"), 0);
        assert_int_equal(v->mounts[0].kind, VB_MNT_TMPFS);
        for (size_t i = 0; i < v->n_mounts; i++) {
                const struct vb_mount *m = &v->mounts[i];

                if (strcmp(m->dst, "/dev/null") == 0) {
                        null = true;
                        assert_int_equal(m->kind, VB_MNT_BIND);
                        assert_true(m->flags & VB_MOUNT_DEV);
                        assert_true(m->flags & VB_MOUNT_NOEXEC);
                }
                pts |= m->kind == VB_MNT_DEVPTS && strcmp(m->dst, "/dev/pts") == 0;
                fd |= m->kind == VB_MNT_SYMLINK && strcmp(m->dst, "/dev/fd") == 0 && strcmp(m->src, "/proc/self/fd") == 0;
        }
        assert_true(null && pts && fd);
        vb_void_free(v);
}

static void test_setters(void **state)
{
        struct vb_void *v = vb_void_new();
        int fds[2];

        assert_int_equal(pipe(fds), 0);
        assert_int_equal(vb_void_keep_fd(v, fds[0], 5), 0);
        assert_int_equal(vb_void_keep_fd(v, fds[1], 5), -EINVAL); /* one fd per target */
        assert_int_equal(vb_void_keep_fd(v, 999, 6), -EBADF);
        assert_int_equal(vb_void_keep_fd(v, fds[1], -1), -EINVAL);
        assert_int_equal(vb_void_keep_fd(v, fds[1], INT_MAX), -EINVAL); /* the child would count past INT_MAX */
        assert_int_equal(vb_void_keep_fd(v, fds[1], VB_FD_TARGET_MAX + 1), -EINVAL);
        assert_int_equal(v->n_fds, 1);
        assert_int_equal(vb_void_keep_fd(v, fds[1], VB_FD_TARGET_MAX), 0);
        assert_int_equal(v->n_fds, 2);
        assert_true(v->fds[0].fd != fds[0]); /* duplicated: the caller keeps its own */
        assert_true(fcntl(v->fds[0].fd, F_GETFD) & FD_CLOEXEC);
        close(fds[0]);
        close(fds[1]);

        assert_int_equal(vb_void_setenv(v, "A", "1"), 0);
        assert_int_equal(vb_void_setenv(v, "B", "2"), 0);
        assert_int_equal(vb_void_setenv(v, "A", "3"), 0);
        assert_int_equal(vb_void_setenv(v, "A=B", "3"), -EINVAL);
        assert_int_equal(v->n_env, 2);
        assert_string_equal(v->env[0], "A=3");
        assert_null(v->env[2]);

        assert_int_equal(vb_void_hostname(v, "0123456789012345678901234567890123456789012345678901234567890123x"),
                         -EINVAL);
        assert_int_equal(vb_void_chdir(v, "relative"), -EINVAL);
        assert_int_equal(vb_void_rlimit(v, RLIMIT_NOFILE, 20, 10), -EINVAL);
        assert_int_equal(vb_void_time_offset(v, CLOCK_REALTIME, 1), -EINVAL); /* realtime is global */
        assert_int_equal(vb_void_keep_cap(v, 200), -EINVAL);
        assert_int_equal(vb_void_set_ns(v, VB_NS_MNT, VB_NS_SHARED, -1), -EINVAL);
        assert_int_equal(vb_void_set_ns(v, VB_NS_NET, VB_NS_JOIN, 999), -EBADF);
        assert_int_equal(vb_void_set_ns(v, VB_NS_NET, VB_NS_SHARED, -1), 0);
        assert_int_equal(vb_ns_from_name("mount"), VB_NS_MNT);
        assert_int_equal(vb_ns_from_name("nope"), -EINVAL);
        vb_void_free(v);
}

static void test_explain(void **state)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { "/bin/echo", "hi", NULL };
        char *text;

        assert_int_equal(vb_void_bind(v, "/srv", "/data", VB_MOUNT_RW), 0);
        assert_int_equal(vb_void_proc(v, "/proc", 0), 0);
        assert_int_equal(vb_void_exec_path(v, "/bin/echo", argv), 0);
        text = vb_void_explain(v);
        assert_non_null(text);
        assert_non_null(strstr(text, "/data <- host /srv (bind, read-write"));
        assert_non_null(strstr(text, "/proc: fresh procfs"));
        assert_non_null(strstr(text, "net     fresh"));
        assert_non_null(strstr(text, "none: no interface is up"));
        assert_non_null(strstr(text, "capabilities: none"));
        assert_non_null(strstr(text, "program: /bin/echo hi"));
        free(text);
        vb_void_free(v);
}

/*
 * libcap's strings (cap_to_name) are freed by cap_free(string) alone: every
 * name handed out is counted until cap_free() is given that very pointer
 * (-Wl,--wrap in test_void.ldflags, so the library's own calls are counted).
 */
char *__real_cap_to_name(cap_value_t cap);
int __real_cap_free(void *p);
char *__wrap_cap_to_name(cap_value_t cap);
int __wrap_cap_free(void *p);
static void *cap_names_out[64];

char *__wrap_cap_to_name(cap_value_t cap)
{
        char *name = __real_cap_to_name(cap);

        for (size_t i = 0; name && i < ELEMENTSOF(cap_names_out); i++)
                if (!cap_names_out[i]) {
                        cap_names_out[i] = name;
                        break;
                }
        return name;
}

int __wrap_cap_free(void *p)
{
        for (size_t i = 0; p && i < ELEMENTSOF(cap_names_out); i++)
                if (cap_names_out[i] == p)
                        cap_names_out[i] = NULL;
        return __real_cap_free(p);
}

static size_t cap_names_unfreed(void)
{
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(cap_names_out); i++)
                n += cap_names_out[i] != NULL;
        return n;
}

/* strdup() fails (ENOMEM) at its strdup_fail_at-th call from now when that is set (test_void.ldflags). */
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);
static int strdup_fail_at;

char *__wrap_strdup(const char *s)
{
        if (strdup_fail_at > 0 && --strdup_fail_at == 0) {
                errno = ENOMEM;
                return NULL;
        }
        return __real_strdup(s);
}

/* The program the void holds, as explain says it: "program: PATH[ (opened on the host...)] ARGS". */
static void assert_program(const struct vb_void *v, const char *want)
{
        char *text = vb_void_explain(v);

        assert_non_null(text);
        if (!strstr(text, want))
                fail_msg("explain lacks '%s':\n%s", want, text);
        free(text);
}

/*
 * A failing vb_void_exec_path() / vb_void_exec_fd() leaves the program that was
 * set: every allocation each makes fails in turn, until the call succeeds.
 */
static void test_exec_unchanged_on_failure(void **state)
{
        struct vb_void *v = vb_void_new();
        char *first[] = { "/bin/first", "1", NULL }, *second[] = { "/bin/second", "2", "3", NULL };
        char *empty[] = { NULL };
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        struct stat want, got;
        int r, calls;

        assert_true(fd >= 0);
        assert_int_equal(vb_void_exec_path(v, "/bin/first", first), 0);
        assert_int_equal(vb_void_exec_path(v, "", second), -EINVAL);
        assert_int_equal(vb_void_exec_path(v, "/bin/second", empty), -EINVAL);
        assert_int_equal(vb_void_exec_fd(v, 999, second), -EBADF);
        assert_int_equal(vb_void_exec_fd(v, fd, empty), -EINVAL);
        assert_program(v, "program: /bin/first 1\n");
        for (calls = 1; (strdup_fail_at = calls, r = vb_void_exec_path(v, "/bin/second", second)) < 0; calls++) {
                assert_int_equal(r, -ENOMEM);
                assert_program(v, "program: /bin/first 1\n");
                assert_string_equal(v->argv[0], "/bin/first");
                assert_null(v->argv[2]);
        }
        strdup_fail_at = 0;
        assert_true(calls > 3); /* argv's three strings and the path were each made to fail */
        assert_program(v, "program: /bin/second 2 3\n");

        assert_int_equal(vb_void_exec_fd(v, fd, first), 0);
        assert_int_equal(fstat(fd, &want), 0);
        for (calls = 1; (strdup_fail_at = calls, r = vb_void_exec_fd(v, fd, second)) < 0; calls++) {
                assert_int_equal(r, -ENOMEM);
                assert_program(v, "program: /bin/first (opened on the host, run by fd) 1\n");
                assert_int_equal(fstat(v->exec_fd, &got), 0);
                assert_true(got.st_ino == want.st_ino && got.st_dev == want.st_dev);
        }
        strdup_fail_at = 0;
        assert_true(calls > 3);
        assert_program(v, "program: /bin/second (opened on the host, run by fd) 2 3\n");
        /* and a failing exec_path keeps the fd */
        strdup_fail_at = 1;
        assert_int_equal(vb_void_exec_path(v, "/bin/x", first), -ENOMEM);
        strdup_fail_at = 0;
        assert_program(v, "program: /bin/second (opened on the host, run by fd) 2 3\n");
        vb_void_free(v);
}

/* Explain names every kept capability, and frees each name it asked libcap for. */
static void test_explain_caps_freed(void **state)
{
        struct vb_void *v = vb_void_new();
        char *text;

        assert_int_equal(vb_void_keep_cap(v, CAP_NET_RAW), 0);
        assert_int_equal(vb_void_keep_cap(v, CAP_SYS_ADMIN), 0);
        text = vb_void_explain(v);
        assert_non_null(text);
        assert_non_null(strstr(text, "capabilities: cap_net_raw cap_sys_admin (KEPT"));
        free(text);
        assert_int_equal(cap_names_unfreed(), 0);
        vb_void_free(v);
}

/* The library's error path: a program missing inside the void comes back as -ENOENT from step "exec". */
static void test_spawn_reports_step(void **state)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { "/no/such/program", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        int r;

        NEED_USERNS();
        assert_int_equal(vb_void_exec_path(v, "/no/such/program", argv), 0);
        r = vb_void_spawn(v, &p, &err);
        assert_int_equal(r, -ENOENT);
        assert_null(p);
        assert_non_null(err);
        assert_string_equal(err->step, "exec");
        assert_non_null(strstr(err->msg, "/no/such/program"));
        vb_error_free(err);
        vb_void_free(v);
}

static void test_spawn_and_wait(void **state)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { "/bin/sh", "-c", "exit 7", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        int r, status = 0;

        NEED_USERNS();
        assert_int_equal(vb_void_add_libs(v, "/bin/sh", &err), 0);
        assert_int_equal(vb_void_exec_path(v, "/bin/sh", argv), 0);
        r = vb_void_spawn(v, &p, &err);
        if (r < 0)
                fail_msg("spawn: %s", err && err->msg ? err->msg : strerror(-r));
        assert_true(vb_proc_pid(p) > 0);
        assert_true(vb_proc_pidfd(p) >= 0);
        assert_int_equal(vb_proc_wait(p, &status), 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 7);
        assert_int_equal(vb_proc_kill(p, SIGTERM), -ESRCH); /* reaped: no stray signal to a recycled pid */
        vb_proc_free(p);
        vb_void_free(v);
}

/* A checked bind refuses to start when the source is no longer the file that was checked. */
static void test_bind_checked(void **state)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { "/bin/sh", "-c", "exit 0", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        struct stat st;
        int r, status;

        NEED_USERNS();
        assert_int_equal(stat("/etc", &st), 0);
        assert_int_equal(vb_void_add_libs(v, "/bin/sh", &err), 0);
        assert_int_equal(vb_void_exec_path(v, "/bin/sh", argv), 0);
        assert_int_equal(vb_void_bind_checked(v, "/etc", "/etc", 0, st.st_dev, st.st_ino), 0);
        r = vb_void_spawn(v, &p, &err); /* the same file: starts */
        if (r < 0)
                fail_msg("spawn: %s", err && err->msg ? err->msg : strerror(-r));
        assert_int_equal(vb_proc_wait(p, &status), 0);
        vb_proc_free(p);
        /* Now "/etc" is expected to be another file (as if swapped after the check). */
        assert_int_equal(vb_void_bind_checked(v, "/etc", "/etc2", 0, st.st_dev, st.st_ino + 1), 0);
        p = NULL;
        assert_int_equal(vb_void_spawn(v, &p, &err), -ESTALE);
        assert_null(p);
        assert_string_equal(err->step, "mount");
        assert_non_null(strstr(err->msg, "no longer the file that was checked"));
        vb_error_free(err);
        vb_void_free(v);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalize), cmocka_unit_test(test_mount_plan),
                cmocka_unit_test(test_dev_plan),  cmocka_unit_test(test_setters),
                cmocka_unit_test(test_explain),   cmocka_unit_test(test_explain_caps_freed),
                cmocka_unit_test(test_exec_unchanged_on_failure), cmocka_unit_test(test_spawn_reports_step),
                cmocka_unit_test(test_spawn_and_wait),  cmocka_unit_test(test_bind_checked),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
