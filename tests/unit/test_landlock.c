/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_landlock_apply() against the real kernel.  Landlock cannot be undone,
 * so every restriction happens in a forked child (with no_new_privs set, as
 * in a void); the child reports the first failed check (source line and
 * errno) over a CLOEXEC pipe and the parent asserts.  EOF on the pipe with
 * exit status 0 means the child exec'd successfully.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "child_check.h"
#include "need.h"

#include <linux/landlock.h>

#include "core/cleanup.h"
#include "core/landlock.h"
#include "voidbuilder.h"

static char dir_a[] = "/tmp/vb-landlock-XXXXXX";
static char file_a[PATH_MAX];  /* dir_a/file, holding "hello" */
static char new_a[PATH_MAX];   /* dir_a/new, created by the write tests */
static char sub_a[PATH_MAX];   /* dir_a/sub, made and removed by the write tests */
static char mode_a[3][PATH_MAX]; /* dir_a/m0..m2: one file per open mode (rules are per file, not per fd) */

/* A libc call that must fail with errno e; an unexpected success reports errno 0 ("Success"). */
#define CHECK_FAILS(expr, e)                                                                             \
        do {                                                                                             \
                errno = 0;                                                                               \
                long _r = (long)(expr);                                                                  \
                if (_r >= 0 || errno != (e))                                                             \
                        child_report(__LINE__, _r >= 0 ? 0 : errno);                                  \
        } while (0)

/* Fork, set no_new_privs, run fn; assert the child passed. */
static void run_child(void (*fn)(void))
{
        struct report rep = {0, 0};
        int pfd[2], status;
        pid_t pid;
        ssize_t n;

        NEED(vb_landlock_abi() >= 1, "Landlock");
        assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pfd[0]);
                report_fd = pfd[1];
                CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
                fn();
                child_report(0, 0);
        }
        close(pfd[1]);
        n = read(pfd[0], &rep, sizeof(rep));
        close(pfd[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(n == 0 || n == sizeof(rep));
        if (rep.line != 0)
                fail_msg("child check at %s:%d failed: %s", __FILE__, rep.line, strerror(rep.err));
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static int read_hello(const char *path)
{
        char buf[16] = {0};
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n == 5 && memcmp(buf, "hello", 5) == 0 ? 0 : -EIO;
}

static int list_dir(const char *path)
{
        DIR *d = opendir(path);

        if (!d)
                return -errno;
        closedir(d);
        return 0;
}

static void apply_or_report(const struct vb_landlock_rule *rules, size_t n, bool scope)
{
        struct vb_landlock_req req = {.rules = rules, .n_rules = n, .exec_fd = -1, .mqueue_fd = -1, .scoped = scope};

        CHECK_R(vb_landlock_apply(&req, NULL), 0);
}

/* Landlock with no path rule at all, and fds handed in: each brings its own rule. */
static void apply_fds(const int *fds, size_t n)
{
        struct vb_landlock_req req = {.fds = fds, .n_fds = n, .exec_fd = -1, .mqueue_fd = -1};

        CHECK_R(vb_landlock_apply(&req, NULL), 0);
}

static void child_read_only(void)
{
        const struct vb_landlock_rule rules[] = {{dir_a, VB_LANDLOCK_READ}};

        apply_or_report(rules, ELEMENTSOF(rules), false);
        CHECK_R(read_hello(file_a), 0);
        CHECK_R(list_dir(dir_a), 0);
        CHECK_FAILS(open("/etc/hostname", O_RDONLY | O_CLOEXEC), EACCES);
        CHECK_FAILS(open(new_a, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EACCES);
        CHECK_FAILS(open(file_a, O_WRONLY | O_CLOEXEC), EACCES);
        CHECK_FAILS(mkdir(sub_a, 0755), EACCES);
        CHECK_FAILS(unlink(file_a), EACCES);
}

static void test_read_only(void **state)
{
        run_child(child_read_only);
}

static void child_read_write(void)
{
        const struct vb_landlock_rule rules[] = {{dir_a, VB_LANDLOCK_READ | VB_LANDLOCK_WRITE}};
        int fd;

        apply_or_report(rules, ELEMENTSOF(rules), false);
        fd = open(new_a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        CHECK(write(fd, "x", 1) == 1);
        close(fd);
        CHECK(truncate(new_a, 0) == 0);
        CHECK(unlink(new_a) == 0);
        CHECK(mkdir(sub_a, 0755) == 0);
        CHECK(rmdir(sub_a) == 0);
        CHECK_R(read_hello(file_a), 0);
        CHECK_FAILS(open("/etc/hostname", O_RDONLY | O_CLOEXEC), EACCES);
}

static void test_read_write(void **state)
{
        run_child(child_read_write);
}

/* A rule on a file: only file rights survive, and the directory stays closed. */
static void child_file_rule(void)
{
        const struct vb_landlock_rule rules[] = {
                {file_a, VB_LANDLOCK_READ | VB_LANDLOCK_WRITE | VB_LANDLOCK_EXEC},
        };
        int fd;

        apply_or_report(rules, ELEMENTSOF(rules), false);
        CHECK_R(read_hello(file_a), 0);
        fd = open(file_a, O_WRONLY | O_APPEND | O_CLOEXEC);
        CHECK(fd >= 0);
        close(fd);
        CHECK_R(list_dir(dir_a), -EACCES);
        CHECK_FAILS(open(new_a, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EACCES);
}

static void test_file_rule(void **state)
{
        run_child(child_file_rule);
}

/* rights on /usr and on whatever the /bin and /lib* links resolve to. */
static size_t system_rules(struct vb_landlock_rule *rules, size_t max, unsigned rights)
{
        static const char *const dirs[] = {"/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32"};
        size_t n = 0;

        /* O_PATH follows /lib64 -> usr/lib64, so a rule lands on the real directory. */
        for (size_t i = 0; i < ELEMENTSOF(dirs) && n < max; i++)
                if (access(dirs[i], F_OK) == 0)
                        rules[n++] = (struct vb_landlock_rule){dirs[i], rights};
        return n;
}

static void child_exec_denied(void)
{
        struct vb_landlock_rule rules[8] = {{dir_a, VB_LANDLOCK_READ}};
        size_t n = 1 + system_rules(rules + 1, 7, VB_LANDLOCK_READ);
        char *argv[] = {"true", NULL};

        apply_or_report(rules, n, false);
        /* Readable, but not executable. */
        CHECK(access("/bin/true", R_OK) == 0);
        CHECK_FAILS(execv("/bin/true", argv), EACCES);
}

static void test_exec_denied(void **state)
{
        run_child(child_exec_denied);
}

static void child_exec_allowed(void)
{
        struct vb_landlock_rule rules[8];
        size_t n = system_rules(rules, 8, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC);
        char *argv[] = {"true", NULL};

        apply_or_report(rules, n, false);
        execv("/bin/true", argv);
        child_report(__LINE__, errno); /* exec failed */
}

static void test_exec_allowed(void **state)
{
        run_child(child_exec_allowed);
}

static void child_missing_path(void)
{
        const struct vb_landlock_rule rules[] = {
                {dir_a, VB_LANDLOCK_READ},
                {"/nonexistent/vb-landlock", VB_LANDLOCK_READ},
        };
        struct vb_landlock_req req = {.rules = rules, .n_rules = 2, .exec_fd = -1, .mqueue_fd = -1};
        struct vb_landlock_fail failed;

        CHECK_R(vb_landlock_apply(&req, &failed), -ENOENT);
        CHECK(failed.path == rules[1].path && failed.fd == -1);
        /* Nothing was restricted. */
        CHECK(access("/etc/hostname", R_OK) == 0);
}

static void test_missing_path(void **state)
{
        run_child(child_missing_path);
}

static void child_bad_access(void)
{
        const struct vb_landlock_rule rules[] = {{dir_a, 1u << 7}};
        const struct vb_landlock_rule nopath[] = {{NULL, VB_LANDLOCK_READ}};
        struct vb_landlock_req req = {.rules = rules, .n_rules = 1, .exec_fd = -1, .mqueue_fd = -1};
        struct vb_landlock_fail failed;

        CHECK_R(vb_landlock_apply(&req, &failed), -EINVAL);
        CHECK(failed.path == rules[0].path);
        req.rules = nopath;
        CHECK_R(vb_landlock_apply(&req, &failed), -EINVAL);
        CHECK(failed.path == NULL);
        CHECK(access("/etc/hostname", R_OK) == 0);
}

static void test_bad_access(void **state)
{
        run_child(child_bad_access);
}

/* With scoping (ABI 6), signals and abstract sockets stop at the domain's edge. */
static void child_scoped(void)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        const struct vb_landlock_rule rules[] = {{dir_a, VB_LANDLOCK_READ}};
        socklen_t len;
        int ls, cs;

        /* Bound before restricting, so the listener is outside the new domain. */
        snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "vb-landlock-%d", (int)getpid());
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1));
        ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(ls >= 0);
        CHECK(bind(ls, (struct sockaddr *)&sa, len) == 0);
        CHECK(listen(ls, 1) == 0);

        apply_or_report(rules, 1, true);
        CHECK_FAILS(kill(getppid(), 0), EPERM);
        cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(cs >= 0);
        CHECK_FAILS(connect(cs, (struct sockaddr *)&sa, len), EPERM);
}

static void child_unscoped(void)
{
        const struct vb_landlock_rule rules[] = {{dir_a, VB_LANDLOCK_READ}};

        apply_or_report(rules, 1, false);
        CHECK(kill(getppid(), 0) == 0);
}

static void test_scope(void **state)
{
        NEED(vb_landlock_abi() >= 6, "Landlock ABI 6 (scopes)");
        run_child(child_scoped);
        run_child(child_unscoped);
}

/* ---- fds handed in: each reaches exactly its object ---- */

static char reopen_path[64];

static int reopen(int fd, int flags)
{
        snprintf(reopen_path, sizeof(reopen_path), "/proc/self/fd/%d", fd);
        return open(reopen_path, flags | O_CLOEXEC);
}

/* A directory fd: reading beneath it, nothing above, no writing. */
static void child_dir_fd(void)
{
        int dir = open(dir_a, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

        CHECK(dir >= 0);
        apply_fds(&dir, 1);
        fd = openat(dir, "file", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        close(fd);
        CHECK_FAILS(openat(dir, "../../etc/hostname", O_RDONLY | O_CLOEXEC), EACCES);
        CHECK_FAILS(openat(dir, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC), EACCES);
        CHECK_FAILS(openat(dir, "new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EACCES);
        CHECK_FAILS(openat(dir, "file", O_WRONLY | O_CLOEXEC), EACCES);
        CHECK_FAILS(open("/etc/hostname", O_RDONLY | O_CLOEXEC), EACCES);
}

static void test_dir_fd(void **state)
{
        run_child(child_dir_fd);
}

/* A file opened again through /proc/self/fd: no more than its own mode. */
static void child_file_fds(void)
{
        int fds[3] = {open(mode_a[0], O_RDONLY | O_CLOEXEC), open(mode_a[1], O_WRONLY | O_CLOEXEC),
                       open(mode_a[2], O_WRONLY | O_APPEND | O_CLOEXEC)};
        int fd;

        CHECK(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0);
        apply_fds(fds, 3);
        fd = reopen(fds[0], O_RDONLY);
        CHECK(fd >= 0);
        close(fd);
        CHECK_FAILS(reopen(fds[0], O_WRONLY), EACCES);
        CHECK_FAILS(reopen(fds[0], O_RDWR), EACCES);
        fd = reopen(fds[1], O_WRONLY);
        CHECK(fd >= 0);
        close(fd);
        CHECK_FAILS(reopen(fds[1], O_RDONLY), EACCES);
        CHECK_FAILS(reopen(fds[2], O_WRONLY | O_APPEND), EACCES);
        CHECK_FAILS(reopen(fds[2], O_RDONLY), EACCES);
        /* The fds themselves keep what they were opened with. */
        CHECK(write(fds[2], "", 0) == 0);
        CHECK(ftruncate(fds[1], 5) == 0);
}

static void test_file_fds(void **state)
{
        run_child(child_file_fds);
}

static void child_path_fd(void)
{
        int fd = open(dir_a, O_PATH | O_CLOEXEC);
        struct vb_landlock_req req = {.fds = &fd, .n_fds = 1, .exec_fd = -1, .mqueue_fd = -1};
        struct vb_landlock_fail failed;

        CHECK(fd >= 0);
        CHECK_R(vb_landlock_apply(&req, &failed), -EBADFD);
        CHECK(failed.fd == fd);
}

static void test_path_fd(void **state)
{
        run_child(child_path_fd);
}

/* What each kind of fd is, and the rule it brings. */
static void test_fd_kinds(void **state)
{
        int p[2], s[2], dir = open(dir_a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int ro = open(file_a, O_RDONLY | O_CLOEXEC), rw = open(file_a, O_RDWR | O_CLOEXEC);
        int ap = open(file_a, O_WRONLY | O_APPEND | O_CLOEXEC), null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int path = open(file_a, O_PATH | O_CLOEXEC);
        struct vb_fd_rule r;

        if (vb_landlock_abi() < 1)
                skip(); /* no scratch directory was made */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        assert_int_equal(vb_landlock_fd_rule(dir, &r), 0);
        assert_int_equal(r.kind, VB_FD_DIR);
        assert_true(r.rights & LANDLOCK_ACCESS_FS_READ_DIR);
        assert_int_equal(vb_landlock_fd_rule(ro, &r), 0);
        assert_int_equal(r.kind, VB_FD_FILE);
        assert_int_equal(r.rights, LANDLOCK_ACCESS_FS_READ_FILE);
        assert_int_equal(vb_landlock_fd_rule(rw, &r), 0);
        assert_true((r.rights & LANDLOCK_ACCESS_FS_READ_FILE) && (r.rights & LANDLOCK_ACCESS_FS_WRITE_FILE));
        assert_int_equal(vb_landlock_fd_rule(ap, &r), 0);
        assert_true(r.append);
        assert_int_equal(r.rights, 0);
        assert_int_equal(vb_landlock_fd_rule(null, &r), 0);
        assert_int_equal(r.kind, VB_FD_DEVICE);
        assert_false(r.rights & (1ULL << 15)); /* IOCTL_DEV: never */
        assert_int_equal(vb_landlock_fd_rule(p[0], &r), 0);
        assert_int_equal(r.kind, VB_FD_PIPE);
        assert_int_equal(r.rights, 0);
        assert_int_equal(vb_landlock_fd_rule(s[0], &r), 0);
        assert_int_equal(r.kind, VB_FD_SOCKET);
        assert_int_equal(vb_landlock_fd_rule(path, &r), 0);
        assert_int_equal(r.kind, VB_FD_PATH);
        assert_int_equal(vb_landlock_fd_rule(-1, &r), -EBADF);
        close(p[0]), close(p[1]), close(s[0]), close(s[1]);
        close(dir), close(ro), close(rw), close(ap), close(null), close(path);
}

static void test_abi(void **state)
{
        int abi = vb_landlock_abi();

        NEED(abi != -ENOSYS && abi != -EOPNOTSUPP, "Landlock (%s)", strerror(-abi));
        assert_true(abi >= 1);
        print_message("# Landlock ABI %d\n", abi);
}

static int setup(void **state)
{
        int fd;

        if (vb_landlock_abi() < 1)
                return 0; /* every test skips */
        if (!mkdtemp(dir_a))
                return -1;
        snprintf(file_a, sizeof(file_a), "%s/file", dir_a);
        snprintf(new_a, sizeof(new_a), "%s/new", dir_a);
        snprintf(sub_a, sizeof(sub_a), "%s/sub", dir_a);
        for (int i = 0; i < 3; i++) {
                snprintf(mode_a[i], sizeof(mode_a[i]), "%s/m%d", dir_a, i);
                fd = open(mode_a[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0)
                        return -1;
                close(fd);
        }
        fd = open(file_a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        if (write(fd, "hello", 5) != 5) {
                close(fd);
                return -1;
        }
        close(fd);
        return 0;
}

static int teardown(void **state)
{
        if (file_a[0]) {
                unlink(new_a);
                rmdir(sub_a);
                unlink(file_a);
                for (int i = 0; i < 3; i++)
                        unlink(mode_a[i]);
                rmdir(dir_a);
        }
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_abi),
                cmocka_unit_test(test_read_only),
                cmocka_unit_test(test_read_write),
                cmocka_unit_test(test_file_rule),
                cmocka_unit_test(test_exec_denied),
                cmocka_unit_test(test_exec_allowed),
                cmocka_unit_test(test_missing_path),
                cmocka_unit_test(test_bad_access),
                cmocka_unit_test(test_scope),
                cmocka_unit_test(test_dir_fd),
                cmocka_unit_test(test_file_fds),
                cmocka_unit_test(test_path_fd),
                cmocka_unit_test(test_fd_kinds),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
