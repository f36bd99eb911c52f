/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's pid 1 (vb_void_init()): after every restriction is in place,
 * the child forks the program and stays as the void's init, reaping orphans
 * and forwarding signals.  It allocates nothing and uses only calls the
 * default seccomp policy allows (rt_sigtimedwait, wait4, kill, exit_group).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/child.h"
#include "core/cleanup.h"
#include "core/void.h"

/* What pid 1 passes on to the program (SIGKILL and SIGSTOP cannot be caught). */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

#define HOLD_GRACE_SECONDS 5

VB_API int vb_void_init(struct vb_void *v, unsigned flags)
{
        if (flags & ~(unsigned)VB_INIT_HOLD)
                return -EINVAL;
        v->init = true;
        v->init_flags = flags;
        return 0;
}

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Reap every child that has ended; true when `main` was among them (its status in *status). */
static bool reap_all(pid_t main, int *status)
{
        bool main_done = false;
        int st;
        pid_t pid;

        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                if (pid == main) {
                        main_done = true;
                        *status = st;
                }
        return main_done;
}

/* A held void's end: everyone gets SIGTERM, then HOLD_GRACE_SECONDS to go before the namespace's SIGKILL. */
static _Noreturn void wind_down(const sigset_t *set)
{
        struct timespec deadline, now, left;
        int st;

        (void)kill(-1, SIGTERM);
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += HOLD_GRACE_SECONDS;
        for (;;) {
                while (waitpid(-1, &st, WNOHANG) > 0)
                        ;
                if (waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD)
                        _exit(0);
                clock_gettime(CLOCK_MONOTONIC, &now);
                left.tv_sec = deadline.tv_sec - now.tv_sec;
                left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
                if (left.tv_nsec < 0)
                        left.tv_sec--, left.tv_nsec += 1000000000L;
                if (left.tv_sec < 0)
                        _exit(0); /* pid 1's exit SIGKILLs whatever is left */
                (void)sigtimedwait(set, NULL, &left);
        }
}

static _Noreturn void reaper(pid_t main, bool hold, const sigset_t *set)
{
        bool main_done = main <= 0;
        int status = 0;

        /* pid 1 holds nothing of the program's: no fd, above all not the report pipe. */
        syscall(SYS_close_range, 0, ~0U, 0);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(set, &si);

                if (sig < 0)
                        continue;
                if (sig == SIGCHLD) {
                        if (reap_all(main, &status) && !main_done) {
                                main_done = true;
                                if (!hold)
                                        _exit(exit_code(status));
                        }
                        continue;
                }
                if (hold && sig == SIGTERM)
                        wind_down(set);
                if (!main_done)
                        (void)kill(main, sig);
        }
}

void vb_init_run(struct vb_child_ctx *c)
{
        const struct vb_void *v = c->v;
        bool hold = v->init_flags & VB_INIT_HOLD;
        sigset_t set, none;
        pid_t pid = 0;

        if (!v->init)
                return;
        sigemptyset(&set);
        sigemptyset(&none);
        sigaddset(&set, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&set, forwarded[i]);
        /* Blocked, the signals are queued for sigwaitinfo(), even those a pid 1 would otherwise drop. */
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                vb_child_fail(c, VB_STEP_FORK, -errno, "pid 1's signal mask");
        if (v->exec_path) {
                pid = fork();
                if (pid < 0)
                        vb_child_fail(c, VB_STEP_FORK, -errno, "the program under pid 1");
                if (pid == 0) { /* the program: every signal as a fresh process has it */
                        sigprocmask(SIG_SETMASK, &none, NULL);
                        return;
                }
        }
        reaper(pid, hold, &set);
}
