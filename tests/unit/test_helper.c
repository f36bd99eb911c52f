/*
 * The one helper lifecycle (voidbuilder/helpers/helper.c): signals reset, only
 * the kept fds, death with the caller (or its thread), a caller already gone,
 * the pidfd; and the rule every helper obeys: after the raw clone3(), nothing
 * allocates (a tripwire on malloc counts every call made in another process).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper_check.h"
#include "helpers/helper.h"
#include "voidbuilder.h"

#define PROBE "build/tests/probe"

/* ---- the tripwire: every malloc, calloc, realloc and free in a process other than ours ---- */

struct tripwire {
        int armed;
        pid_t main_pid;
        int count;
        pid_t pid; /* the first offender */
        size_t size;
};

static struct tripwire *trip;

static void trip_check(size_t size)
{
        pid_t pid;

        if (!trip || !__atomic_load_n(&trip->armed, __ATOMIC_SEQ_CST))
                return;
        pid = getpid(); /* a system call in glibc >= 2.25: right after a raw clone3() too */
        if (pid != trip->main_pid && __atomic_fetch_add(&trip->count, 1, __ATOMIC_SEQ_CST) == 0) {
                trip->pid = pid;
                trip->size = size;
        }
}

#ifdef __SANITIZE_ADDRESS__
/* The sanitizer owns malloc: its hooks see every call. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));

static void trip_malloc_hook(const volatile void *p, size_t size)
{
        (void)p;
        trip_check(size);
}

static void trip_free_hook(const volatile void *p)
{
        if (p)
                trip_check(0);
}

static void trip_install(void)
{
        __sanitizer_install_malloc_and_free_hooks(trip_malloc_hook, trip_free_hook);
}
#else
/*
 * Ours interpose glibc's for the whole process, libc's own calls and libmnl's
 * included: visible (the build hides symbols by default), they are exported.
 */
#define EXPORTED __attribute__((visibility("default")))
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);

EXPORTED void *malloc(size_t size)
{
        trip_check(size);
        return __libc_malloc(size);
}

EXPORTED void *calloc(size_t n, size_t size)
{
        trip_check(n * size);
        return __libc_calloc(n, size);
}

EXPORTED void *realloc(void *p, size_t size)
{
        trip_check(size);
        return __libc_realloc(p, size);
}

EXPORTED void free(void *p)
{
        if (p)
                trip_check(0);
        __libc_free(p);
}

static void trip_install(void)
{
}
#endif

/* ---- a helper that says it is ready, then waits ---------------------------------------- */

/* Start a helper keeping keep (and the ready pipe): it writes one byte once set up, then pauses. */
static pid_t start_waiting(const int *keep, size_t n, int *pidfd)
{
        int ready[2], all[16];
        char byte;
        pid_t pid;

        assert_true(n < 15);
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        for (size_t i = 0; i < n; i++)
                all[i] = keep[i];
        all[n] = ready[1];
        pid = vb_helper_start(all, n + 1, pidfd);
        if (pid == 0) {
                (void)!write(ready[1], "r", 1);
                close(ready[1]);
                for (;;)
                        pause();
        }
        assert_true(pid > 0);
        close(ready[1]);
        /* The byte, then end of file: set up, and the ready pipe closed again. */
        for (int i = 0; i < 2; i++) {
                assert_true(poll(&(struct pollfd){ .fd = ready[0], .events = POLLIN }, 1, 5000) == 1);
                assert_int_equal(read(ready[0], &byte, 1), 1 - i);
        }
        close(ready[0]);
        return pid;
}

/* SIGKILL through the pidfd and reap. */
static void end(int pidfd)
{
        siginfo_t si = {};

        assert_int_equal(pidfd_send_signal(pidfd, SIGKILL, NULL, 0), 0);
        assert_int_equal(waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED), 0);
        close(pidfd);
}

/* Wait (5 s at most) until the process behind pidfd ends; its siginfo. */
static siginfo_t await_end(int pidfd)
{
        siginfo_t si = {};

        if (poll(&(struct pollfd){ .fd = pidfd, .events = POLLIN }, 1, 5000) != 1)
                fail_msg("the helper is still running");
        assert_int_equal(waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED), 0);
        return si;
}

static void on_signal(int sig)
{
        (void)sig;
}

/* The caller ignores, blocks and handles signals; the helper starts with none of that, and the caller keeps it. */
static void test_signals_reset(void **state)
{
        struct sigaction ign = { .sa_handler = SIG_IGN }, h = { .sa_handler = on_signal }, old[4], now;
        sigset_t term, mask;
        int pidfd = -1;
        pid_t pid;

        assert_int_equal(sigaction(SIGHUP, &ign, &old[0]), 0);
        assert_int_equal(sigaction(SIGRTMIN + 2, &ign, &old[1]), 0);
        assert_int_equal(sigaction(SIGCHLD, &h, &old[2]), 0);
        assert_int_equal(sigaction(SIGUSR1, &h, &old[3]), 0);
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigaddset(&term, SIGRTMIN + 3);
        assert_int_equal(sigprocmask(SIG_BLOCK, &term, &mask), 0);

        pid = start_waiting(NULL, 0, &pidfd);
        /* Default everywhere: nothing ignored, nothing blocked, no handler. */
        assert_signals(pid, 0, 0, 0);
        /* The caller's own settings are as they were. */
        assert_int_equal(sigaction(SIGHUP, NULL, &now), 0);
        assert_true(now.sa_handler == SIG_IGN);
        assert_int_equal(sigaction(SIGCHLD, NULL, &now), 0);
        assert_true(now.sa_handler == on_signal);
        assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &now.sa_mask), 0);
        assert_true(sigismember(&now.sa_mask, SIGTERM) && sigismember(&now.sa_mask, SIGRTMIN + 3));
        assert_false(sigismember(&now.sa_mask, SIGUSR2));
        /* SIGTERM, blocked in the caller, kills the helper at once. */
        assert_int_equal(pidfd_send_signal(pidfd, SIGTERM, NULL, 0), 0);
        {
                siginfo_t si = await_end(pidfd);

                assert_int_equal(si.si_code, CLD_KILLED);
                assert_int_equal(si.si_status, SIGTERM);
        }
        close(pidfd);

        sigprocmask(SIG_SETMASK, &mask, NULL);
        sigaction(SIGHUP, &old[0], NULL);
        sigaction(SIGRTMIN + 2, &old[1], NULL);
        sigaction(SIGCHLD, &old[2], NULL);
        sigaction(SIGUSR1, &old[3], NULL);
}

/* Only the kept fds, at their numbers; 0-2 on /dev/null unless kept; a high fd without O_CLOEXEC is gone. */
static void test_only_kept_fds(void **state)
{
        struct stray s;
        char a[64], b[64];
        int pidfd = -1, zero, seven, five_hundred, fds[64], n;
        pid_t pid;

        stray_begin(&s);
        assert_int_equal(fcntl(7, F_GETFD), -1); /* free, so that dup2() replaces nothing of ours */
        assert_int_equal(fcntl(600, F_GETFD), -1);
        zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        assert_true(zero >= 0);
        seven = dup2(zero, 7);
        five_hundred = fcntl(zero, F_DUPFD_CLOEXEC, 500);
        assert_int_equal(seven, 7);
        assert_int_equal(five_hundred, 500);
        assert_int_equal(dup2(zero, 600), 600); /* not kept either */
        close(zero);

        pid = start_waiting((int[]){ 500, 7 }, 2, &pidfd);
        n = proc_fds(pid, fds, 64);
        assert_int_equal(n, 5);
        assert_int_equal(fds[3], 7);
        assert_int_equal(fds[4], 500);
        assert_string_equal(proc_fd_link(pid, 7, a, sizeof(a)), proc_fd_link(getpid(), 7, b, sizeof(b)));
        assert_string_equal(proc_fd_link(pid, 500, a, sizeof(a)), proc_fd_link(getpid(), 500, b, sizeof(b)));
        for (int fd = 0; fd <= 2; fd++)
                assert_string_equal(proc_fd_link(pid, fd, a, sizeof(a)), "/dev/null");
        assert_no_stray_fd(pid, &s);
        /* O_CLOEXEC stays what it was: a helper that execs decides. */
        {
                char path[64], line[128];
                FILE *f;
                unsigned flags = 0;

                snprintf(path, sizeof(path), "/proc/%d/fdinfo/500", (int)pid);
                f = fopen(path, "re");
                assert_non_null(f);
                while (fgets(line, sizeof(line), f))
                        sscanf(line, "flags: %o", &flags);
                fclose(f);
                assert_true(flags & O_CLOEXEC);
        }
        end(pidfd);

        /* Kept std fds stay the caller's; a negative entry is no fd. */
        pid = start_waiting((int[]){ 1, -1 }, 2, &pidfd);
        n = proc_fds(pid, fds, 64);
        assert_int_equal(n, 3);
        assert_string_equal(proc_fd_link(pid, 1, a, sizeof(a)), proc_fd_link(getpid(), 1, b, sizeof(b)));
        assert_string_equal(proc_fd_link(pid, 0, a, sizeof(a)), "/dev/null");
        assert_string_equal(proc_fd_link(pid, 2, a, sizeof(a)), "/dev/null");
        end(pidfd);

        close(seven);
        close(five_hundred);
        close(600);
        stray_end(&s);
}

/* The caller (a process of its own here) dies: its helper is SIGKILLed. */
static void test_dies_with_caller(void **state)
{
        int p[2], pidfd;
        pid_t caller, helper = -1;
        siginfo_t si;

        assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0); /* the orphan comes to us, to be reaped */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        caller = fork();
        assert_true(caller >= 0);
        if (caller == 0) {
                int fd, ready[2];
                pid_t h;
                char byte;

                if (pipe2(ready, O_CLOEXEC) < 0)
                        _exit(1);
                h = vb_helper_start(&ready[1], 1, &fd);
                if (h == 0) {
                        close(ready[1]);
                        for (;;)
                                pause();
                }
                close(ready[1]);
                (void)!read(ready[0], &byte, 1); /* end of file: it is armed */
                (void)!write(p[1], &h, sizeof(h));
                _exit(0); /* without reaping or killing it */
        }
        close(p[1]);
        assert_int_equal(read(p[0], &helper, sizeof(helper)), sizeof(helper));
        close(p[0]);
        assert_true(helper > 0);
        pidfd = pidfd_open(helper, 0); /* ours or its caller's child, not reaped either way */
        assert_true(pidfd >= 0);
        assert_int_equal(waitpid(caller, NULL, 0), caller);
        si = await_end(pidfd);
        assert_int_equal(si.si_code, CLD_KILLED);
        assert_int_equal(si.si_status, SIGKILL);
        close(pidfd);
        assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

struct thread_start {
        pid_t pid;
        int pidfd;
};

/* In a thread: start a helper, wait until it is armed (its ready pipe closes), end. */
static void *start_from_thread(void *arg)
{
        struct thread_start *t = arg;
        int ready[2];
        char byte;

        if (pipe2(ready, O_CLOEXEC) < 0)
                return NULL;
        t->pid = vb_helper_start(&ready[1], 1, &t->pidfd);
        if (t->pid == 0) {
                close(ready[1]);
                for (;;)
                        pause();
        }
        close(ready[1]);
        (void)!read(ready[0], &byte, 1); /* end of file: armed */
        close(ready[0]);
        return NULL; /* the thread ends; the process goes on */
}

/* The thread that started it ends while the process lives on: the helper goes with the thread. */
static void test_dies_with_calling_thread(void **state)
{
        struct thread_start t = { -1, -1 };
        pthread_t th;
        siginfo_t si;

        assert_int_equal(pthread_create(&th, NULL, start_from_thread, &t), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        assert_true(t.pid > 0);
        si = await_end(t.pidfd);
        assert_int_equal(si.si_code, CLD_KILLED);
        assert_int_equal(si.si_status, SIGKILL);
        close(t.pidfd);
}

/* In a child of ours: vb_helper_child_setup() expecting process parent, thread tid; its result. */
static int setup_for(pid_t parent, pid_t tid)
{
        int p[2], r = 1;
        pid_t pid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                r = vb_helper_child_setup(parent, tid, &p[1], 1);
                (void)!write(p[1], &r, sizeof(r));
                _exit(0);
        }
        close(p[1]);
        assert_int_equal(read(p[0], &r, sizeof(r)), sizeof(r));
        close(p[0]);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        return r;
}

/* In a grandchild whose parent exited before it armed itself: vb_helper_child_setup()'s result. */
static int setup_orphaned(void)
{
        struct {
                pid_t pid;
                int r;
        } got = { -1, 1 };
        int p[2];
        pid_t mid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        mid = fork();
        assert_true(mid >= 0);
        if (mid == 0) {
                pid_t me = getpid();

                if (fork() == 0) {
                        for (int i = 0; i < 5000 && getppid() == me; i++) /* until reparented to us */
                                usleep(1000);
                        got.pid = getpid();
                        got.r = vb_helper_child_setup(me, me, &p[1], 1);
                        (void)!write(p[1], &got, sizeof(got));
                        _exit(0);
                }
                _exit(0); /* gone before its child's prctl() */
        }
        close(p[1]);
        assert_int_equal(waitpid(mid, NULL, 0), mid);
        assert_int_equal(read(p[0], &got, sizeof(got)), sizeof(got));
        close(p[0]);
        assert_int_equal(waitpid(got.pid, NULL, 0), got.pid); /* reparented to us */
        return got.r;
}

static void *record_tid(void *arg)
{
        *(pid_t *)arg = gettid();
        return NULL;
}

/* A parent (or its thread) that is gone before the prctl() took hold: the helper must not run on. */
static void test_parent_gone_before_armed(void **state)
{
        pthread_t th;
        pid_t dead_tid = 0;

        assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
        /* The parent and its thread (the main one) alive: armed. */
        assert_int_equal(setup_for(getpid(), gettid()), 0);
        /* The parent died first: the child was reparented (to us, the subreaper). */
        assert_int_equal(setup_orphaned(), -ESRCH);
        /* The pid recorded is alive, but it is not our parent (the parent died, its pid was reused). */
        {
                pid_t other = fork();

                assert_true(other >= 0);
                if (other == 0) {
                        pause();
                        _exit(0);
                }
                assert_int_equal(setup_for(other, other), -ESRCH);
                kill(other, SIGKILL);
                assert_int_equal(waitpid(other, NULL, 0), other);
        }
        /* The parent lives, but the thread that made the child ended. */
        assert_int_equal(pthread_create(&th, NULL, record_tid, &dead_tid), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        assert_true(dead_tid > 0);
        for (int i = 0; i < 5000 && syscall(SYS_tgkill, getpid(), dead_tid, 0) == 0; i++)
                usleep(1000); /* released by the kernel just after the join */
        assert_int_equal(setup_for(getpid(), dead_tid), -ESRCH);
        assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

/* The caller gets a working pidfd: the helper's, O_CLOEXEC, alive until it ends, then readable and waitable. */
static void test_pidfd(void **state)
{
        char path[64], line[128];
        int pidfd = -1, shown = -1;
        pid_t pid = start_waiting(NULL, 0, &pidfd);
        FILE *f;

        assert_true(pidfd >= 0);
        assert_true(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "re");
        assert_non_null(f);
        while (fgets(line, sizeof(line), f))
                sscanf(line, "Pid: %d", &shown);
        fclose(f);
        assert_int_equal(shown, pid);
        assert_int_equal(poll(&(struct pollfd){ .fd = pidfd, .events = POLLIN }, 1, 0), 0); /* alive */
        end(pidfd);
}

/* ---- every helper, started from a caller with a tripwire on malloc ---------------------- */

/* A unix listener in a scratch directory: the forwarder's upstream, served by this process. */
static int listener(const char *path)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(l >= 0);
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
        assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
        assert_int_equal(listen(l, 8), 0);
        return l;
}

/* Through the forwarder: a connection made, bytes both ways. */
static void exercise_forwarder(const char *dir)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        char up[64], sock[64], upstream[80], buf[8];
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        int l, cl, u;

        snprintf(up, sizeof(up), "%s/up", dir);
        snprintf(sock, sizeof(sock), "%s/fwd", dir);
        snprintf(upstream, sizeof(upstream), "unix:%s", up);
        l = listener(up);
        assert_int_equal(vb_caretaker_forward(sock, upstream, &c, &err), 0);
        cl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
        assert_int_equal(connect(cl, (struct sockaddr *)&sun, sizeof(sun)), 0);
        u = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        assert_true(u >= 0);
        assert_int_equal(write(cl, "ping", 4), 4);
        assert_int_equal(read(u, buf, 4), 4);
        assert_int_equal(write(u, "pong", 4), 4);
        assert_int_equal(read(cl, buf, 4), 4);
        assert_memory_equal(buf, "pong", 4);
        close(cl);
        close(u);
        close(l);
        vb_caretaker_free(c);
        unlink(up);
}

/* Through the pty relay: a line in, a line out. */
static void exercise_pty(void)
{
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        int in[2], out[2], slave = -1;
        char buf[16];

        assert_int_equal(pipe2(in, O_CLOEXEC), 0);
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(vb_caretaker_pty(in[0], out[1], &c, &slave, &err), 0);
        assert_int_equal(write(in[1], "hi\n", 3), 3);
        assert_true(poll(&(struct pollfd){ .fd = slave, .events = POLLIN }, 1, 5000) == 1);
        assert_true(read(slave, buf, sizeof(buf)) > 0);
        assert_int_equal(write(slave, "yo", 2), 2);
        assert_true(poll(&(struct pollfd){ .fd = out[0], .events = POLLIN }, 1, 5000) == 1);
        assert_true(read(out[0], buf, sizeof(buf)) > 0);
        close(slave);
        vb_caretaker_free(c);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
}

/* A void from the probe, with lo up (rtnetlink in its child), the inbox and the pool: run to its end. */
static void exercise_void(struct vb_inbox *box, struct vb_pool *pool, bool lo)
{
        char *argv[] = { "probe", "true", NULL };
        struct vb_void *v = vb_void_new();
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        int fd = open(PROBE, O_RDONLY | O_CLOEXEC), status = -1;

        assert_true(fd >= 0);
        assert_int_equal(vb_void_exec_fd(v, fd, argv), 0);
        close(fd);
        if (lo)
                assert_int_equal(vb_void_loopback(v), 0);
        if (box)
                assert_int_equal(vb_void_inbox(v, box, "/inbox"), 0);
        if (pool)
                assert_int_equal(vb_void_use_pool(v, pool), 0);
        if (vb_void_spawn(v, &p, &err) < 0)
                fail_msg("spawn: %s", err->msg);
        assert_int_equal(vb_proc_wait(p, &status), 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        vb_proc_free(p);
        vb_void_free(v);
}

/* The inbox holder (a grant and a void taking its clone), the netns pool, warm voids. */
static void exercise_void_helpers(const char *dir)
{
        char *argv[] = { "probe", "true", NULL };
        struct vb_error *err = NULL;
        struct vb_inbox *box = NULL;
        struct vb_pool *pool;
        struct vb_warm *w;
        struct vb_proc *p = NULL;
        struct vb_void *v;
        int fd, status = -1;

        assert_int_equal(vb_inbox_new(&box, &err), 0);
        fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(vb_inbox_grant(box, fd, "d", 0, &err), 0);
        close(fd);
        exercise_void(box, NULL, true);
        assert_int_equal(vb_inbox_ungrant(box, "d", &err), 0);
        vb_inbox_free(box);

        pool = vb_pool_new(2, &err);
        assert_non_null(pool);
        usleep(100 * 1000); /* filled: the spawn takes a pooled namespace */
        exercise_void(NULL, pool, false);
        vb_pool_free(pool);

        v = vb_void_new();
        fd = open(PROBE, O_RDONLY | O_CLOEXEC);
        assert_int_equal(vb_void_exec_fd(v, fd, argv), 0);
        close(fd);
        w = vb_warm_new(v, 2, &err);
        if (!w)
                fail_msg("vb_warm_new: %s", err->msg);
        vb_void_free(v);
        assert_int_equal(vb_warm_spawn(w, NULL, NULL, 0, &p, &err), 0);
        assert_int_equal(vb_proc_wait(p, &status), 0);
        vb_proc_free(p);
        vb_warm_free(w);
}

/* pasta, its namespace holder configuring the tap for a host (rtnetlink, nft), and xdg-dbus-proxy. */
static void exercise_tools(const char *dir)
{
        char *talk[] = { "org.example.A", "org.example.B", NULL };
        struct vb_net_allow allow;
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        char sock[128];

        if (have_tool("/usr/bin/pasta")) {
                assert_int_equal(vb_net_allow_parse("tcp:192.0.2.7:443", &allow, NULL), 0);
                if (vb_caretaker_pasta(&allow, 1, &c, &err) < 0)
                        fail_msg("pasta: %s", err->msg);
                vb_caretaker_free(c);
        }
        if (have_tool("/usr/bin/xdg-dbus-proxy")) {
                snprintf(sock, sizeof(sock), "%s/bus", dir);
                if (vb_caretaker_dbus(sock, "unix:path=/nonexistent/bus", talk, &c, &err) < 0)
                        fail_msg("dbus: %s", err->msg);
                vb_caretaker_free(c);
        }
}

/* No helper, nor any void, allocates between its clone and its exec or in its loop (helper.h's rule). */
static void test_helpers_allocate_nothing(void **state)
{
        char dir[] = "/tmp/vb-helper-XXXXXX";

        assert_non_null(mkdtemp(dir));
        __atomic_store_n(&trip->armed, 1, __ATOMIC_SEQ_CST);
        exercise_forwarder(dir);
        exercise_pty();
        exercise_void_helpers(dir);
        exercise_tools(dir);
        __atomic_store_n(&trip->armed, 0, __ATOMIC_SEQ_CST);
        rmdir(dir);
        if (trip->count)
                fail_msg("%d allocations in helper processes; the first in pid %d, %zu bytes", trip->count,
                         (int)trip->pid, trip->size);
}

/* The tripwire trips: an allocation in a helper is seen (the test above could fail). */
static void test_tripwire_trips(void **state)
{
        int pidfd = -1;
        pid_t pid;

        trip->count = 0;
        __atomic_store_n(&trip->armed, 1, __ATOMIC_SEQ_CST);
        pid = vb_helper_start(NULL, 0, &pidfd);
        if (pid == 0) {
                char *volatile q = malloc(64); /* what no helper may do */

                free(q);
                _exit(0);
        }
        assert_true(pid > 0);
        (void)await_end(pidfd);
        close(pidfd);
        __atomic_store_n(&trip->armed, 0, __ATOMIC_SEQ_CST);
        assert_int_equal(trip->count, 2);
        assert_int_equal(trip->pid, pid);
        assert_int_equal(trip->size, 64);
        trip->count = 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_signals_reset, restore_signals),
                cmocka_unit_test_teardown(test_only_kept_fds, restore_signals),
                cmocka_unit_test(test_dies_with_caller),
                cmocka_unit_test(test_dies_with_calling_thread),
                cmocka_unit_test(test_parent_gone_before_armed),
                cmocka_unit_test(test_pidfd),
                cmocka_unit_test(test_tripwire_trips),
                cmocka_unit_test(test_helpers_allocate_nothing),
        };

        trip = mmap(NULL, sizeof(*trip), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (trip == MAP_FAILED)
                return 1;
        trip->main_pid = getpid();
        trip_install();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
