/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one helper lifecycle (helper.h): raw clone3(), signals reset, armed against the caller's death, fds closed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "helpers/helper.h"

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

/* The kernel's signal set (64 signals on every architecture the library builds for). */
typedef uint64_t kernel_sigset;

/* Every disposition to SIG_DFL, SIG_IGN ones too (CLONE_CLEAR_SIGHAND keeps those, and execve() would). */
static void reset_dispositions(void)
{
        /* The kernel's struct sigaction: glibc's sigaction() refuses its reserved signals 32 and 33. */
        struct {
                void (*handler)(int);
                unsigned long flags;
                void (*restorer)(void);
                kernel_sigset mask;
        } dfl = { .handler = SIG_DFL };

        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(kernel_sigset));
}

/* The smallest kept fd >= from, or -1. */
static int next_kept(const int *keep, size_t n, int from)
{
        int best = -1;

        for (size_t i = 0; i < n; i++)
                if (keep[i] >= from && (best < 0 || keep[i] < best))
                        best = keep[i];
        return best;
}

/* Close every fd but the kept ones, gap by gap (the list is not sorted: that would need memory). */
static int close_all_but(const int *keep, size_t n)
{
        int from = 0;

        for (;;) {
                int k = next_kept(keep, n, from);

                if (k < 0)
                        return syscall(SYS_close_range, (unsigned)from, ~0U, 0) < 0 ? NEG_ERRNO() : 0;
                if (k > from && syscall(SYS_close_range, (unsigned)from, (unsigned)k - 1, 0) < 0)
                        return NEG_ERRNO();
                if (k == INT_MAX)
                        return 0;
                from = k + 1;
        }
}

/* 0, 1 and 2 that were not kept: /dev/null, so that nothing opened later takes their place. */
static void stdio_to_null(const int *keep, size_t n)
{
        for (int t = 0; t <= 2; t++) {
                int fd;

                if (next_kept(keep, n, t) == t)
                        continue;
                fd = open("/dev/null", O_RDWR); /* no O_CLOEXEC: an exec'd tool gets it as its own */
                if (fd < 0)
                        return; /* no /dev/null here: left closed */
                if (fd != t) {
                        (void)dup3(fd, t, 0);
                        close(fd);
                }
        }
}

int vb_helper_child_setup(pid_t parent, pid_t parent_tid, const int *keep, size_t n_keep)
{
        kernel_sigset none = 0;
        int r;

        reset_dispositions();
        /* The dead-man switch: SIGKILL when the thread that made us goes. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return NEG_ERRNO();
        /*
         * Armed only now: a parent that died before, or whose thread exited, sent no signal.
         * Then we were reparented (getppid() changed), or the thread is gone from its group.
         */
        if (getppid() != parent)
                return -ESRCH;
        if (syscall(SYS_tgkill, parent, parent_tid, 0) < 0 && errno == ESRCH)
                return -ESRCH;
        r = close_all_but(keep, n_keep);
        if (r < 0)
                return r;
        stdio_to_null(keep, n_keep);
        if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none)) < 0)
                return NEG_ERRNO();
        return 0;
}

pid_t vb_helper_start(const int *keep, size_t n_keep, int *pidfd)
{
        struct clone_args args = { .flags = CLONE_PIDFD | CLONE_CLEAR_SIGHAND, .exit_signal = SIGCHLD };
        kernel_sigset all = ~(kernel_sigset)0, old;
        pid_t parent = getpid(), parent_tid = gettid(), pid;
        int fd = -1, e;

        args.pidfd = (uint64_t)(uintptr_t)&fd;
        /* Blocked in this thread only, for the clone: the helper is born with nothing deliverable. */
        if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof(all)) < 0)
                return NEG_ERRNO();
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0) {
                if (vb_helper_child_setup(parent, parent_tid, keep, n_keep) < 0)
                        _exit(VB_HELPER_EXIT_SETUP);
                return 0;
        }
        e = errno;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(old));
        if (pid < 0)
                return -e;
        *pidfd = fd;
        return pid;
}
