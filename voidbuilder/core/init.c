/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's pid 1 (vb_void_init()): after every restriction is in place,
 * the child forks the program and stays as the void's init, reaping orphans
 * and forwarding signals.  It allocates nothing and uses only calls the
 * default seccomp policy allows (rt_sigtimedwait, wait4, kill, exit_group;
 * holding a void: signalfd4, poll, recvmsg, sendmsg, clone, pidfd_open too).
 * A held void's reaper also starts newcomers on request (init_serve.c).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/child.h"
#include "core/cleanup.h"
#include "core/init.h"
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
                } else {
                        vb_init_served_exit(pid, st);
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
                pid_t pid;

                while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                        vb_init_served_exit(pid, st);
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

/*
 * The next signal.  Serving (a signalfd, sfd, for the signals): whichever
 * comes first of a signal and a request on *sock, which is served here;
 * *sock is closed (-1) once the requester's end is.
 */
static int next_signal(const sigset_t *set, int sfd, int *sock, const struct vb_void *v)
{
        struct signalfd_siginfo si;

        if (sfd < 0)
                return sigwaitinfo(set, NULL);
        for (;;) {
                struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = *sock, .events = POLLIN } };

                if (read(sfd, &si, sizeof(si)) == sizeof(si))
                        return (int)si.ssi_signo;
                if (poll(p, *sock >= 0 ? 2 : 1, -1) <= 0 || !p[1].revents)
                        continue;
                if (vb_init_serve_one(*sock, v) < 0 || (p[1].revents & (POLLERR | POLLNVAL))) {
                        close(*sock);
                        *sock = -1;
                }
        }
}

static _Noreturn void reaper(pid_t main, bool hold, const sigset_t *set, int sock, const struct vb_void *v)
{
        bool main_done = main <= 0;
        int status = 0, sfd = -1;

        /*
         * pid 1 holds nothing of the program's: no fd, above all not the report pipe; only the
         * socket it serves on (lifted above the program's fds, close-on-exec) and its signalfd.
         */
        if (sock >= 3) {
                syscall(SYS_close_range, 0, sock - 1, 0);
                syscall(SYS_close_range, sock + 1, ~0U, 0);
                sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
                if (sfd < 0) /* a policy without signalfd: no newcomers (their requests see EPIPE) */
                        close(sock);
        } else {
                syscall(SYS_close_range, 0, ~0U, 0);
        }
        for (;;) {
                int sig = next_signal(set, sfd, &sock, v);

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
                if (pid == 0) { /* the program: every signal as a fresh process has it, none of pid 1's fds */
                        sigprocmask(SIG_SETMASK, &none, NULL);
                        if (c->init_sock >= 0)
                                close(TAKE_FD(c->init_sock));
                        return;
                }
        }
        reaper(pid, hold, &set, hold ? c->init_sock : -1, v);
}
