/* Warm voids: built ahead of time, each one used once, as isolated as a void made on demand. */
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

static ino_t ns_inode(pid_t pid, const char *ns)
{
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
        return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* A template running the static probe by fd; argv is the template's own command. */
static struct vb_void *probe_void(char *const argv[])
{
        struct vb_void *v = vb_void_new();
        int fd = open(PROBE, O_RDONLY | O_CLOEXEC);

        assert_non_null(v);
        assert_true(fd >= 0);
        assert_int_equal(vb_void_exec_fd(v, fd, argv), 0);
        close(fd);
        return v;
}

/* No child of ours is left, running or a zombie: the pool reaped all it made. */
static void assert_no_children(void)
{
        errno = 0;
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
}

static struct vb_warm *warm(struct vb_void *v, unsigned depth)
{
        struct vb_error *err = NULL;
        struct vb_warm *w = vb_warm_new(v, depth, &err);

        if (!w)
                fail_msg("vb_warm_new: %s", err && err->msg ? err->msg : "?");
        return w;
}

/* A pool of the probe template running tmpl; the template itself is freed at once (the pool holds its copy). */
static struct vb_warm *warm_probe(char *const tmpl[], unsigned depth)
{
        struct vb_void *v = probe_void(tmpl);
        struct vb_warm *w = warm(v, depth);

        vb_void_free(v);
        return w;
}

/* Run argv in the next warm void with stdout on a pipe; returns what it printed, and its status. */
static char *run_out(struct vb_warm *w, char *const argv[], int *status)
{
        static char buf[512];
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        int fds[2];
        ssize_t n;

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        if (vb_warm_spawn(w, argv, &(struct vb_warm_fd){ fds[1], 1 }, 1, &p, &err) < 0)
                fail_msg("vb_warm_spawn: %s", err && err->msg ? err->msg : "?");
        close(fds[1]);
        n = read(fds[0], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fds[0]);
        assert_int_equal(vb_proc_wait(p, status), 0);
        vb_proc_free(p);
        return buf;
}

/* The probe the voids run must be built (make check-unit builds it). */
static int setup(void **state)
{
        return access(PROBE, R_OK) == 0 ? 0 : -1;
}

/* The warm pool's helper: our one child in our own pid namespace (the voids are in theirs). */
static pid_t zygote_pid(void)
{
        pid_t kids[16], z = -1;
        size_t n = children_of(getpid(), kids, 16);

        for (size_t i = 0; i < n && i < 16; i++)
                if (ns_inode(kids[i], "pid") == ns_inode(getpid(), "pid")) {
                        assert_int_equal(z, -1);
                        z = kids[i];
                }
        assert_true(z > 0);
        return z;
}

/*
 * The helper inherited no signal setting of the caller's, and holds 0-2 on
 * /dev/null, its socket and lifeline, the template's program, and the mount
 * namespaces (with pidfds) of voids it made: nothing else.
 */
static void assert_zygote_clean(pid_t z, const struct stray *s)
{
        static const char *const ok[] = { "socket:[", "pipe:[", "mnt:[", "anon_inode:[pidfd]" };
        int fds[256], n = proc_fds(z, fds, 256);
        char link[4096];

        assert_signals(z, 0, 0, 0);
        assert_no_stray_fd(z, s);
        for (int i = 0; i < n && i < 256; i++) {
                bool known = fds[i] <= 2 ? strcmp(proc_fd_link(z, fds[i], link, sizeof(link)), "/dev/null") == 0
                                         : strlen(proc_fd_link(z, fds[i], link, sizeof(link))) > 6 &&
                                                   strcmp(link + strlen(link) - 6, "/probe") == 0;

                for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]) && fds[i] > 2; k++)
                        known |= strncmp(link, ok[k], strlen(ok[k])) == 0;
                if (!known)
                        fail_msg("the warm pool's helper holds fd %d: %s", fds[i], link);
        }
}

/* The request's arguments and fd reach the program; without arguments the template's run. */
static void test_request_reaches_the_program(void **state)
{
        char *tmpl[] = { "probe", "exit", "7", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        struct vb_warm *w;
        struct stray s;
        int status = -1;

        NEED_USERNS();
        stray_begin(&s);
        w = warm_probe(tmpl, 2);
        assert_zygote_clean(zygote_pid(), &s);
        stray_end(&s);
        assert_string_equal(run_out(w, (char *[]){ "probe", "pid", NULL }, &status), "ok 1 0\n");
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_int_equal(vb_warm_spawn(w, NULL, NULL, 0, &p, &err), 0);
        assert_int_equal(vb_proc_wait(p, &status), 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
        vb_proc_free(p);
        vb_warm_free(w);
}

/* Locked down as a void made on demand: no capabilities, no_new_privs, seccomp, no network. */
static void test_warm_void_is_locked_down(void **state)
{
        char *tmpl[] = { "probe", "true", NULL };
        struct vb_warm *w;
        int status;

        NEED_USERNS();
        w = warm_probe(tmpl, 1);
        assert_string_equal(run_out(w, (char *[]){ "probe", "caps", NULL }, &status), "ok 0 0 0 BND=0 AMB=0\n");
        assert_string_equal(run_out(w, (char *[]){ "probe", "nnp", NULL }, &status), "ok 1\n");
        assert_string_equal(run_out(w, (char *[]){ "probe", "seccomp", NULL }, &status), "ok 2\n");
        assert_string_equal(run_out(w, (char *[]){ "probe", "ifaces", NULL }, &status), "ok lo:down\n");
        /* It tries to reach the host's files: its root is empty. */
        assert_string_equal(run_out(w, (char *[]){ "probe", "open", "/etc/passwd", NULL }, &status), "ENOENT\n");
        vb_warm_free(w);
}

/* Every warm void has namespaces of its own: none shared with the caller or with another void. */
static void test_each_warm_void_its_own_namespaces(void **state)
{
        static const char *const kinds[] = { "user", "mnt", "pid", "net", "ipc", "uts", "cgroup" };
        char *tmpl[] = { "probe", "sleep", "30", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *a = NULL, *b = NULL;
        struct vb_warm *w;

        NEED_USERNS();
        w = warm_probe(tmpl, 2);
        assert_int_equal(vb_warm_spawn(w, NULL, NULL, 0, &a, &err), 0);
        assert_int_equal(vb_warm_spawn(w, NULL, NULL, 0, &b, &err), 0);
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                ino_t host = ns_inode(getpid(), kinds[i]), ia = ns_inode(vb_proc_pid(a), kinds[i]),
                      ib = ns_inode(vb_proc_pid(b), kinds[i]);

                assert_true(ia != 0 && ib != 0);
                assert_true(ia != host);
                assert_true(ia != ib);
        }
        /* They are our children: we reap them, and killing one ends it. */
        assert_int_equal(getppid(), getppid());
        assert_int_equal(vb_proc_kill(a, SIGKILL), 0);
        vb_proc_free(a);
        vb_proc_free(b);
        vb_warm_free(w);
}

/* A template whose setup fails does so at vb_warm_new(), naming the step, with nothing left behind. */
static void test_bad_template_fails_early(void **state)
{
        char *tmpl[] = { "probe", "true", NULL };
        struct vb_error *err = NULL;
        struct vb_void *v;

        NEED_USERNS();
        v = probe_void(tmpl);
        assert_int_equal(vb_void_bind(v, "/etc/hostname", "/x", 0), 0);
        assert_int_equal(vb_void_tmpfs(v, "/x/y", 0, 0), 0); /* a tmpfs under a file: the mount step fails */
        assert_null(vb_warm_new(v, 2, &err));
        assert_non_null(err);
        assert_string_equal(err->step, "mount");
        vb_error_free(err);
        vb_void_free(v);
        assert_no_children(); /* not even a zombie */
}

/* A program that cannot be run fails at spawn, as vb_void_spawn() would. */
static void test_exec_failure_is_reported(void **state)
{
        char *argv[] = { "nothing", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        struct vb_void *v = vb_void_new();
        struct vb_warm *w;

        NEED_USERNS();
        assert_int_equal(vb_void_exec_path(v, "/no/such/program", argv), 0);
        w = warm(v, 1);
        vb_void_free(v);
        assert_int_equal(vb_warm_spawn(w, NULL, NULL, 0, &p, &err), -ENOENT);
        assert_null(p);
        assert_string_equal(err->step, "exec");
        vb_error_free(err);
        vb_warm_free(w);
        assert_no_children();
}

/* A request that does not fit is refused before any void is used. */
static void test_bad_requests(void **state)
{
        char *tmpl[] = { "probe", "true", NULL };
        struct vb_warm_fd many[33];
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        struct vb_warm *w;
        int status;

        NEED_USERNS();
        for (size_t i = 0; i < 33; i++)
                many[i] = (struct vb_warm_fd){ 0, (int)i + 3 };
        w = warm_probe(tmpl, 1);
        assert_int_equal(vb_warm_spawn(w, NULL, many, 33, &p, &err), -E2BIG);
        err = vb_error_free(err);
        assert_int_equal(vb_warm_spawn(w, NULL, &(struct vb_warm_fd){ -1, 3 }, 1, &p, &err), -EINVAL);
        err = vb_error_free(err);
        assert_null(p);
        /* The pool is intact: the next good request runs. */
        assert_string_equal(run_out(w, (char *[]){ "probe", "true", NULL }, &status), "ok\n");
        vb_warm_free(w);
}

/* The void waits before its filter: a policy without read/recvmsg does not keep it from its request. */
static void test_strict_seccomp_policy(void **state)
{
        static const char policy[] = "default errno EPERM\n"
                                     "fcntl allow\ndup3 allow\nclose_range allow\nexecveat allow\nclose allow\n"
                                     "arch_prctl allow\nset_tid_address allow\nset_robust_list allow\n"
                                     "rseq allow\nprlimit64 allow\ngetrandom allow\nbrk allow\nmprotect allow\n"
                                     "readlinkat allow\nuname allow\nnewfstatat allow\nfstat allow\n"
                                     "write allow\nexit_group allow\n";
        char *tmpl[] = { "probe", "true", NULL };
        struct vb_error *err = NULL;
        struct vb_void *v;
        struct vb_warm *w;
        int status = -1;

        NEED_USERNS();
        v = probe_void(tmpl);
        if (vb_void_seccomp(v, VB_SECCOMP_POLICY, policy, "strict", &err) < 0)
                fail_msg("policy: %s", err->msg);
        w = warm(v, 1);
        vb_void_free(v);
        assert_string_equal(run_out(w, NULL, &status), "ok\n");
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        vb_warm_free(w);
}

/* Our children in another pid namespace (the waiting voids), lowest pid first; returns how many. */
static size_t waiting_voids(pid_t *out, size_t max)
{
        ino_t ours = ns_inode(getpid(), "pid");
        size_t n = 0;
        char path[64], line[512];

        for (pid_t pid = 2; pid < 4194304 && n < max; pid++) {
                FILE *f;
                char *rp;
                int ppid;

                snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
                f = fopen(path, "r");
                if (!f)
                        continue;
                rp = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
                fclose(f);
                if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == getpid() && ns_inode(pid, "pid") != ours)
                        out[n++] = pid;
        }
        return n;
}

/* SIGKILL, then wait until it is a zombie (not reaped: it is the pool's to reap). */
static void kill_and_settle(pid_t pid)
{
        char path[64], line[512];

        assert_int_equal(kill(pid, SIGKILL), 0);
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        for (int i = 0; i < 1000; i++) {
                FILE *f = fopen(path, "r");
                char *rp = f && fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;

                if (f)
                        fclose(f);
                if (rp && rp[2] == 'Z')
                        return;
                usleep(1000);
        }
        fail_msg("pid %d did not die", (int)pid);
}

/* A void killed while it waits is skipped: the next one serves, and the pool does not shrink. */
static void test_killed_void_is_skipped(void **state)
{
        char *tmpl[] = { "probe", "true", NULL };
        pid_t pids[8];
        struct vb_warm *w;
        int status;

        NEED_USERNS();
        w = warm_probe(tmpl, 3);
        usleep(300 * 1000); /* all three made and waiting */
        assert_int_equal(waiting_voids(pids, 8), 3);
        kill_and_settle(pids[0]); /* the first made: held, found ready */
        assert_string_equal(run_out(w, (char *[]){ "probe", "true", NULL }, &status), "ok\n");
        kill_and_settle(pids[2]); /* one still in the helper's queue */
        assert_string_equal(run_out(w, (char *[]){ "probe", "true", NULL }, &status), "ok\n");
        assert_string_equal(run_out(w, (char *[]){ "probe", "true", NULL }, &status), "ok\n");
        usleep(300 * 1000);
        assert_int_equal(waiting_voids(pids, 8), 3); /* replaced: the pool is back at its depth */
        vb_warm_free(w);
        assert_no_children();
}

/* vb_warm_free() ends the helper and every waiting void: no child of ours is left. */
static void test_free_leaves_nothing(void **state)
{
        char *tmpl[] = { "probe", "true", NULL };
        struct vb_warm *w;

        NEED_USERNS();
        w = warm_probe(tmpl, 4);
        usleep(200 * 1000); /* let the helper make all four */
        vb_warm_free(w);
        assert_no_children();
}

/* As an ordinary user (here nobody): the same warm voids, from unprivileged user namespaces. */
static void test_unprivileged(void **state)
{
        char *tmpl[] = { "probe", "uid", NULL };
        int fds[2], status;
        struct report rep = { -1, 0 };
        pid_t pid;

        NEED(geteuid() == 0, "root, to become nobody");
        NEED_USERNS_AS(65534, 65534); /* nobody */
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct vb_error *err = NULL;
                struct vb_proc *p = NULL;
                struct vb_warm *w;
                struct vb_void *v;
                int out[2], st = -1;
                char buf[64] = "";

                report_fd = fds[1];
                CHECK(setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0);
                /* setuid() made us undumpable, which would keep /proc/self/uid_map root's: undo that. */
                CHECK(prctl(PR_SET_DUMPABLE, 1) == 0);
                v = vb_void_new();
                CHECK(vb_void_exec_fd(v, open(PROBE, O_RDONLY | O_CLOEXEC), tmpl) == 0);
                w = vb_warm_new(v, 2, &err);
                CHECK(w != NULL);
                CHECK(pipe2(out, O_CLOEXEC) == 0);
                CHECK(vb_warm_spawn(w, NULL, &(struct vb_warm_fd){ out[1], 1 }, 1, &p, &err) == 0);
                close(out[1]);
                CHECK(read(out[0], buf, sizeof(buf) - 1) > 0);
                CHECK(vb_proc_wait(p, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
                CHECK(strcmp(buf, "ok 0 0 0 0\n") == 0); /* root inside, over nobody outside */
                vb_proc_free(p);
                vb_warm_free(w);
                child_report(0, 0);
        }
        close(fds[1]);
        assert_int_equal(read(fds[0], &rep, sizeof(rep)), sizeof(rep));
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (rep.line != 0)
                fail_msg("unprivileged check at line %d failed: %s", rep.line, strerror(rep.err));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_request_reaches_the_program, restore_signals),
                cmocka_unit_test(test_warm_void_is_locked_down),
                cmocka_unit_test(test_each_warm_void_its_own_namespaces),
                cmocka_unit_test(test_bad_template_fails_early),
                cmocka_unit_test(test_exec_failure_is_reported),
                cmocka_unit_test(test_bad_requests),
                cmocka_unit_test(test_strict_seccomp_policy),
                cmocka_unit_test(test_killed_void_is_skipped),
                cmocka_unit_test(test_free_leaves_nothing),
                cmocka_unit_test(test_unprivileged),
        };

        return cmocka_run_group_tests(tests, setup, NULL);
}
