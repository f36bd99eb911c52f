/* The namespace pool: every pooled void gets its own, never-shared network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "child_check.h"
#include "helper_check.h"
#include "need.h"
#include "voidbuilder.h"

#define PROBE "build/tests/probe"

static ino_t net_inode(pid_t pid)
{
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
        return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* A void running the static probe (by fd) for a while, so its namespaces can be looked at. */
static struct vb_proc *start(struct vb_void *v, const char *cmd)
{
        char *argv[] = { "probe", (char *)cmd, "30", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        int fd = open(PROBE, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(vb_void_exec_fd(v, fd, argv), 0);
        close(fd);
        if (vb_void_spawn(v, &p, &err) < 0)
                fail_msg("spawn: %s", err && err->msg ? err->msg : "?");
        return p;
}

/* The probe the voids run must be built (make check-unit builds it). */
static int setup(void **state)
{
        return access(PROBE, R_OK) == 0 ? 0 : -1;
}

static void test_each_void_its_own_namespace(void **state)
{
        struct vb_error *err = NULL;
        struct vb_pool *pool;
        struct vb_void *v;
        struct vb_proc *a, *b;
        ino_t host = net_inode(getpid()), ia, ib;
        struct stray s;
        pid_t helper = -1;

        NEED_USERNS();
        stray_begin(&s);
        pool = vb_pool_new(2, &err);
        if (!pool)
                fail_msg("pool: %s", err->msg);
        usleep(100 * 1000); /* let the helper fill the pool, so the spawns below do take from it */
        /* The helper (our only child) holds its socket only, and no signal setting of the caller's. */
        assert_int_equal(children_of(getpid(), &helper, 1), 1);
        await_fd_count(helper, 4);
        assert_fds(helper, &s, 1);
        assert_signals(helper, 0, 0, 0);
        stray_end(&s);
        v = vb_void_new();
        assert_int_equal(vb_void_use_pool(v, pool), 0);
        a = start(v, "sleep");
        b = start(v, "sleep");
        ia = net_inode(vb_proc_pid(a));
        ib = net_inode(vb_proc_pid(b));
        assert_true(ia != 0 && ib != 0);
        assert_true(ia != host);
        assert_true(ia != ib); /* never shared between voids */
        /* A privileged pool clones from inside the pooled namespace: the caller must be back home. */
        assert_int_equal(net_inode(getpid()), host);
        {
                struct stat st;

                assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
                assert_int_equal(st.st_ino, host);
        }
        vb_proc_free(a);
        vb_proc_free(b);
        vb_void_free(v);
        vb_pool_free(pool);
}

/* A pooled void is still a void: no interface up, and it cannot bring one up. */
static void test_pooled_void_has_no_network(void **state)
{
        struct vb_error *err = NULL;
        struct vb_pool *pool;
        struct vb_void *v;
        struct vb_proc *p;
        int status = -1, fds[2];
        char buf[64] = "";

        NEED_USERNS();
        pool = vb_pool_new(1, &err);
        assert_non_null(pool);
        usleep(100 * 1000);
        v = vb_void_new();
        assert_int_equal(vb_void_use_pool(v, pool), 0);
        assert_int_equal(pipe(fds), 0);
        assert_int_equal(vb_void_keep_fd(v, fds[1], 1), 0);
        close(fds[1]);
        p = start(v, "ifaces");
        assert_int_equal(vb_proc_wait(p, &status), 0);
        vb_proc_free(p);
        vb_void_free(v); /* closes the void's copy of the write end */
        assert_true(read(fds[0], buf, sizeof(buf) - 1) > 0);
        close(fds[0]);
        assert_string_equal(buf, "ok lo:down\n");
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        vb_pool_free(pool);
}

static ino_t ns_inode(pid_t pid, const char *ns)
{
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
        return stat(path, &st) == 0 ? st.st_ino : 0;
}

/*
 * As an ordinary user (nobody), after vb_pool_enter(): each void is the one
 * clone3() of the caller (it is in a pid namespace of its own, where the
 * two-stage path would have handed back a relay in ours), in a pooled netns
 * of its own, and the caller is back in its home netns after each spawn.
 */
static void test_unprivileged_enter(void **state)
{
        struct report rep = { -1, 0 };
        int fds[2], status;
        pid_t pid;

        NEED(geteuid() == 0, "root, to become nobody");
        NEED_USERNS_AS(65534, 65534);
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct vb_error *err = NULL;
                struct vb_pool *pool;
                struct vb_void *v;
                struct vb_proc *a, *b;
                ino_t home, host_user = ns_inode(getpid(), "user");

                report_fd = fds[1];
                CHECK(setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0);
                CHECK(prctl(PR_SET_DUMPABLE, 1) == 0); /* setuid() made /proc/self root's */
                CHECK((pool = vb_pool_new(2, &err)) != NULL);
                CHECK_R(vb_pool_enter(pool, &err), 0);
                CHECK(ns_inode(getpid(), "user") != host_user); /* we live in the pool's user ns now */
                CHECK_R(vb_pool_enter(pool, &err), 0);          /* and a second call changes nothing */
                home = ns_inode(getpid(), "net");
                usleep(100 * 1000); /* let the helper fill the pool */
                v = vb_void_new();
                CHECK_R(vb_void_use_pool(v, pool), 0);
                a = start(v, "sleep");
                b = start(v, "sleep");
                CHECK(ns_inode(vb_proc_pid(a), "pid") != ns_inode(getpid(), "pid"));
                CHECK(ns_inode(vb_proc_pid(a), "net") != home && ns_inode(vb_proc_pid(a), "net") != 0);
                CHECK(ns_inode(vb_proc_pid(a), "net") != ns_inode(vb_proc_pid(b), "net"));
                CHECK(ns_inode(getpid(), "net") == home);
                vb_proc_free(a);
                vb_proc_free(b);
                vb_void_free(v);
                vb_pool_free(pool);
                child_report(0, 0);
        }
        close(fds[1]);
        assert_int_equal(read(fds[0], &rep, sizeof(rep)), sizeof(rep));
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (rep.line != 0)
                fail_msg("unprivileged check at line %d failed: %s", rep.line, strerror(rep.err));
}

/* Root's pool needs no entering: vb_pool_enter() leaves the caller where it is. */
static void test_enter_privileged_is_a_no_op(void **state)
{
        struct vb_error *err = NULL;
        struct vb_pool *pool;
        ino_t net = ns_inode(getpid(), "net"), user = ns_inode(getpid(), "user");

        NEED(geteuid() == 0, "root");
        NEED_USERNS();
        pool = vb_pool_new(1, &err);
        assert_non_null(pool);
        assert_int_equal(vb_pool_enter(pool, &err), 0);
        assert_int_equal(ns_inode(getpid(), "net"), net);
        assert_int_equal(ns_inode(getpid(), "user"), user);
        vb_pool_free(pool);
}

static void test_rules(void **state)
{
        struct vb_error *err = NULL;
        struct vb_void *v = vb_void_new();

        assert_null(vb_pool_new(0, &err));
        assert_int_equal(err->errnum, EINVAL);
        vb_error_free(err);
        assert_int_equal(vb_void_set_ns(v, VB_NS_NET, VB_NS_SHARED, -1), 0);
        assert_int_equal(vb_void_use_pool(v, (struct vb_pool *)v), -EINVAL); /* net must be fresh */
        assert_int_equal(vb_void_use_pool(v, NULL), 0);
        vb_void_free(v);
        assert_null(vb_pool_free(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_each_void_its_own_namespace, restore_signals),
                cmocka_unit_test(test_pooled_void_has_no_network),
                cmocka_unit_test(test_unprivileged_enter),
                cmocka_unit_test(test_enter_privileged_is_a_no_op),
                cmocka_unit_test(test_rules),
        };

        return cmocka_run_group_tests(tests, setup, NULL);
}
