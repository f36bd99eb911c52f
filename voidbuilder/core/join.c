/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_void_join(): a newcomer in a running void, as confined as its first
 * program.  The parent prepares a view of the void with the newcomer's
 * program, fds, environment and directory (a shallow copy: the child never
 * frees), finds the void's init, and clones a child that enters it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define VB_CLEANUP_CAP
#include "core/caps.h"
#include "core/child.h"
#include "core/cleanup.h"
#include "core/ns.h"
#include "core/spawn.h"
#include "core/void.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define JOIN_MAX_FDS 32

/* The void's init: p itself, or the only child of p's relay (read from the host's /proc). */
static int init_pidfd(const struct vb_proc *p, bool relay)
{
        char path[64], buf[64];
        _cleanup_fclose_ FILE *f = NULL;
        long child;
        int fd;

        if (!relay) {
                fd = fcntl(vb_proc_pidfd(p), F_DUPFD_CLOEXEC, 3);
                return fd < 0 ? NEG_ERRNO() : fd;
        }
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)vb_proc_pid(p), (int)vb_proc_pid(p));
        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? -ESRCH : NEG_ERRNO();
        if (!fgets(buf, sizeof(buf), f) || (child = strtol(buf, NULL, 10)) <= 0)
                return -ESRCH;
        fd = pidfd_open((pid_t)child, 0);
        if (fd < 0)
                return NEG_ERRNO();
        /* The relay is still alive, so its child cannot have been replaced by another process. */
        if (pidfd_send_signal(vb_proc_pidfd(p), 0, NULL, 0) < 0) {
                close(fd);
                return -ESRCH;
        }
        return fd;
}

static int take_fds(struct vb_keep_fd *out, const struct vb_join *j)
{
        for (size_t i = 0; i < j->n_fds; i++) {
                if (j->fds[i].fd < 0 || j->fds[i].target < 0)
                        return -EINVAL;
                for (size_t k = 0; k < i; k++)
                        if (j->fds[k].target == j->fds[i].target)
                                return -EINVAL;
                /* Not duplicated: the child's copies are its own, and the parent's stay the caller's. */
                out[i] = (struct vb_keep_fd){ .fd = j->fds[i].fd, .target = j->fds[i].target };
        }
        return 0;
}

/* The newcomer's view of the void: v's restrictions, j's program. */
static int make_view(struct vb_void *view, struct vb_void *v, const struct vb_join *j, struct vb_keep_fd *fds)
{
        int r;

        if (!j->path || !j->argv || !j->argv[0] || j->n_fds > JOIN_MAX_FDS || (j->cwd && j->cwd[0] != '/'))
                return -EINVAL;
        r = take_fds(fds, j);
        if (r < 0)
                return r;
        *view = *v;
        view->exec_path = (char *)j->path;
        view->argv = (char **)j->argv;
        view->env = j->env ? (char **)j->env : v->env;
        view->cwd = j->cwd ? (char *)j->cwd : v->cwd;
        view->fds = fds;
        view->n_fds = j->n_fds;
        view->tty_target = -1;
        view->exec_fd = -1;
        view->init = false;
        return 0;
}

VB_API int vb_void_join(struct vb_void *v, struct vb_proc *p, const struct vb_join *j, struct vb_proc **out,
                        struct vb_error **err)
{
        _cleanup_close_ int rep_r = -1, rep_w = -1, alive_r = -1, alive_w = -1, pidfd = -1, target = -1;
        _cleanup_cap_ cap_t caps = NULL;
        struct vb_keep_fd fds[JOIN_MAX_FDS];
        struct clone_args args = {};
        struct vb_child_ctx ctx;
        struct vb_void view;
        struct vb_report rep;
        uint64_t ns_flags;
        bool relay = vb_proc_relayed(p, &ns_flags);
        const struct vb_spawn_prep *pp = vb_proc_prep(p);
        int pipes[2], r;
        pid_t pid;

        *out = NULL;
        r = make_view(&view, v, j, fds);
        if (r < 0)
                return vb_error_set(err, r, "the program to join with");
        r = vb_void_prepare_seccomp(v, err);
        if (r < 0)
                return vb_error_wrap(err, r, "compiling the seccomp filter");
        view.fprog = v->fprog;
        caps = vb_caps_prepare(v->keep_caps);
        if (!caps)
                return vb_error_set(err, ENOMEM, "preparing capabilities");
        target = init_pidfd(p, relay);
        if (target < 0)
                return vb_error_set(err, target, "finding the void's init (has the void ended?)");
        if (pipe2(pipes, O_CLOEXEC) < 0)
                return vb_error_set(err, errno, "creating the report pipe");
        rep_r = pipes[0], rep_w = pipes[1];
        if (pipe2(pipes, O_CLOEXEC) < 0)
                return vb_error_set(err, errno, "creating the lifeline pipe");
        alive_r = pipes[0], alive_w = pipes[1];
        /*
         * The void's identity (a newcomer in a void of its own uid takes that uid, and drops the
         * caller's groups) and the void's cgroups, and so its limits: v2 by the clone, v1 by our
         * move before the newcomer may fork.
         */
        ctx = (struct vb_child_ctx){ .v = &view,
                                     .report_fd = rep_w,
                                     .alive_fd = alive_r,
                                     .close_in_child = { rep_r, alive_w },
                                     .caps = caps,
                                     .warm_fd = -1,
                                     .init_sock = -1,
                                     .become = pp->reserved,
                                     .sync = vb_cg_needs_place(pp->cg),
                                     .sync_fd = alive_r };
        args.flags = CLONE_PIDFD;
        args.pidfd = (uint64_t)(uintptr_t)&pidfd;
        args.exit_signal = SIGCHLD;
        if (vb_cg_v2_fd(pp->cg) >= 0 || v->cgroup_fd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)(vb_cg_v2_fd(pp->cg) >= 0 ? vb_cg_v2_fd(pp->cg) : v->cgroup_fd);
        }
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return vb_error_set(err, errno, "starting the newcomer");
        if (pid == 0)
                vb_child_join_main(&ctx, target, (int)ns_flags);
        vb_closep(&rep_w), rep_w = -1; /* the scope's cleanup must not close them again */
        vb_closep(&alive_r), alive_r = -1;
        if (ctx.sync && ((r = vb_cg_place(pp->cg, pid, err)) < 0 || (r = write(alive_w, "g", 1) == 1 ? 0 : -EIO) < 0)) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return err && *err ? r : vb_error_set(err, r, "moving the newcomer into the void's cgroups");
        }
        r = vb_spawn_read_report(rep_r, &rep);
        if (r == 0) {
                *out = vb_proc_adopt(pid, TAKE_FD(pidfd), NULL);
                if (!*out) {
                        (void)kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                        return vb_error_set(err, ENOMEM, "allocating the handle");
                }
                return 0;
        }
        (void)waitpid(pid, NULL, 0);
        if (r < 0)
                return vb_error_set(err, r, "reading the newcomer's report");
        return vb_spawn_report_error(j->path, &rep, err);
}
