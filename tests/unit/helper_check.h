/*
 * Looking at a helper process from outside (/proc/PID/status and /proc/PID/fd),
 * and a caller that leaves things behind for its helpers to inherit: an fd
 * without O_CLOEXEC at a high number, SIGINT ignored, SIGTERM blocked, a
 * SIGUSR1 handler.  A helper started by vb_helper_start() must show none of
 * them.  Test-only; included by test_*.c (after cmocka.h).
 */
#ifndef VB_TEST_HELPER_CHECK_H
#define VB_TEST_HELPER_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The fd the caller leaves open without O_CLOEXEC, high up. */
#define STRAY_FD 900

#define SIGBIT(sig) (1ULL << ((sig)-1))

/* A SigIgn/SigBlk/SigCgt/SigPnd line of /proc/PID/status, or ~0 when there is none. */
static __attribute__((unused)) uint64_t proc_sigset(pid_t pid, const char *field)
{
        char path[64], line[256];
        size_t len = strlen(field);
        uint64_t v = ~0ULL;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return ~0ULL;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, len) == 0 && line[len] == ':') {
                        v = strtoull(line + len + 1, NULL, 16);
                        break;
                }
        fclose(f);
        return v;
}

/* The fds of pid, ascending, at most max of them; how many it has, or -1. */
static __attribute__((unused)) int proc_fds(pid_t pid, int *out, int max)
{
        char path[64];
        struct dirent *e;
        int n = 0;
        DIR *d;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        d = opendir(path);
        if (!d)
                return -1;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.' && n++ < max)
                        out[n - 1] = atoi(e->d_name);
        closedir(d);
        for (int i = 1; i < n && i < max; i++) /* insertion sort: a handful of fds */
                for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
                        int t = out[j];

                        out[j] = out[j - 1];
                        out[j - 1] = t;
                }
        return n;
}

/* What fd of pid is ("/dev/null", "pipe:[123]", ...), into buf; "" when it is not open. */
static __attribute__((unused)) const char *proc_fd_link(pid_t pid, int fd, char *buf, size_t len)
{
        char path[64];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
        n = readlink(path, buf, len - 1);
        buf[n > 0 ? n : 0] = '\0';
        return buf;
}

/* Our children (any pid namespace), at most max; how many there are. */
static __attribute__((unused)) size_t children_of(pid_t parent, pid_t *out, size_t max)
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        size_t n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d))) {
                char path[300], line[512], *rp;
                int ppid;
                FILE *f;

                if (e->d_name[0] < '0' || e->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                rp = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
                fclose(f);
                if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == parent && n++ < max)
                        out[n - 1] = atoi(e->d_name);
        }
        closedir(d);
        return n;
}

/* What the caller leaves behind, and how to put it back. */
struct stray {
        int pipe_r;    /* the stray fd's other end: its pipe names it */
        char link[64]; /* "pipe:[N]" of the stray fd */
        struct sigaction old_int, old_usr1;
        sigset_t old_mask;
};

static __attribute__((unused)) void stray_handler(int sig)
{
        (void)sig;
}

/* Leave STRAY_FD (no O_CLOEXEC) open, SIGINT ignored, SIGTERM blocked, a SIGUSR1 handler. */
static __attribute__((unused)) void stray_begin(struct stray *s)
{
        struct sigaction ign = { .sa_handler = SIG_IGN }, h = { .sa_handler = stray_handler };
        sigset_t term;
        int p[2];

        assert_int_equal(pipe(p), 0);
        assert_int_equal(dup2(p[1], STRAY_FD), STRAY_FD);
        close(p[1]);
        s->pipe_r = p[0];
        proc_fd_link(getpid(), STRAY_FD, s->link, sizeof(s->link));
        assert_true(strncmp(s->link, "pipe:", 5) == 0);
        assert_int_equal(sigaction(SIGINT, &ign, &s->old_int), 0);
        assert_int_equal(sigaction(SIGUSR1, &h, &s->old_usr1), 0);
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        assert_int_equal(sigprocmask(SIG_BLOCK, &term, &s->old_mask), 0);
}

static __attribute__((unused)) void stray_end(struct stray *s)
{
        close(STRAY_FD);
        close(s->pipe_r);
        sigaction(SIGINT, &s->old_int, NULL);
        sigaction(SIGUSR1, &s->old_usr1, NULL);
        sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
}

/*
 * A cmocka teardown for tests that change signals: a test that failed half-way
 * must not leave SIGTERM blocked (timeout(1) could not end us) or SIGINT ignored.
 */
static __attribute__((unused)) int restore_signals(void **state)
{
        static const int sigs[] = { SIGINT, SIGHUP, SIGUSR1, SIGCHLD };
        sigset_t none;

        (void)state;
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                signal(sigs[i], SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        close(STRAY_FD);
        return 0;
}

/* No fd of pid is the stray one, at its number or any other. */
static __attribute__((unused)) void assert_no_stray_fd(pid_t pid, const struct stray *s)
{
        int fds[256], n = proc_fds(pid, fds, 256);
        char link[64];

        assert_true(n > 0);
        for (int i = 0; i < n && i < 256; i++)
                if (strcmp(proc_fd_link(pid, fds[i], link, sizeof(link)), s->link) == 0)
                        fail_msg("pid %d holds the caller's stray fd as fd %d", (int)pid, fds[i]);
}

/* None of the caller's signal settings reached pid; its own are `ign` ignored, `blk` blocked, `cgt` caught. */
static __attribute__((unused)) void assert_signals(pid_t pid, uint64_t ign, uint64_t blk, uint64_t cgt)
{
        uint64_t i = proc_sigset(pid, "SigIgn"), b = proc_sigset(pid, "SigBlk"), c = proc_sigset(pid, "SigCgt");

        if (i != ign || b != blk || c != cgt)
                fail_msg("pid %d: SigIgn %016" PRIx64 " SigBlk %016" PRIx64 " SigCgt %016" PRIx64
                         ", expected %016" PRIx64 " %016" PRIx64 " %016" PRIx64,
                         (int)pid, i, b, c, ign, blk, cgt);
}

/* For a helper that exec'd a tool with signals of its own: only that the caller's did not come along. */
static __attribute__((unused)) void assert_no_stray_signals(pid_t pid)
{
        assert_false(proc_sigset(pid, "SigIgn") & SIGBIT(SIGINT));
        assert_false(proc_sigset(pid, "SigBlk") & SIGBIT(SIGTERM));
}

/* pid's fds are exactly 0-2 on /dev/null and n_more others (none of them the stray). */
static __attribute__((unused)) void assert_fds(pid_t pid, const struct stray *s, int n_more)
{
        int fds[256], n = proc_fds(pid, fds, 256);
        char link[64];

        for (int fd = 0; fd <= 2; fd++)
                if (strcmp(proc_fd_link(pid, fd, link, sizeof(link)), "/dev/null") != 0)
                        fail_msg("pid %d: fd %d is '%s', not /dev/null", (int)pid, fd, link);
        assert_no_stray_fd(pid, s);
        if (n != 3 + n_more) {
                for (int i = 0; i < n && i < 256; i++)
                        print_message("pid %d fd %d: %s\n", (int)pid, fds[i],
                                      proc_fd_link(pid, fds[i], link, sizeof(link)));
                fail_msg("pid %d has %d fds, expected %d", (int)pid, n, 3 + n_more);
        }
}

/* Wait (5 s at most) until pid has exactly want fds: a helper may still be opening or closing its own. */
static __attribute__((unused)) void await_fd_count(pid_t pid, int want)
{
        int fds[256];

        for (int i = 0; i < 500 && proc_fds(pid, fds, 256) != want; i++)
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
}

/* Is a tool the test needs (pasta, xdg-dbus-proxy) installed?  Without it, a failure under VOIDSHIM_MUST_WORK. */
static __attribute__((unused)) bool have_tool(const char *path)
{
        if (access(path, X_OK) == 0)
                return true;
        if (getenv("VOIDSHIM_MUST_WORK") && *getenv("VOIDSHIM_MUST_WORK"))
                fail_msg("%s is not installed", path);
        print_message("%s is not installed\n", path);
        return false;
}

#endif
