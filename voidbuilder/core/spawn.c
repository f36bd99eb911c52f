/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's side: one clone3() for all namespaces, then wait for exec or a step's failure. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define VB_CLEANUP_CAP
#include "core/caps.h"
#include "core/child.h"
#include "core/cleanup.h"
#include "core/container.h"
#include "core/init.h"
#include "core/ns.h"
#include "core/seccomp.h"
#include "core/spawn.h"
#include "core/void.h"
#include "helpers/pool.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

struct vb_proc {
        pid_t pid;
        int pidfd;
        bool reaped;
        int status;
        bool relay;                /* pid is a relay (two-stage spawn): the void's init is its only child */
        uint64_t ns_fresh;         /* CLONE_NEW* of the namespaces that are not the caller's (vb_void_join()) */
        struct vb_spawn_prep prep; /* its host ids (a lease) and cgroups: given back once it is reaped */
        int init_sock;             /* a held void: its reaper's request socket (init.h), or -1 */
        int status_sock;           /* a newcomer (vb_void_newcomer()): its exit comes there, or -1 */
};

int vb_spawn_read_report(int fd, struct vb_report *rep)
{
        size_t got = 0;

        while (got < sizeof(*rep)) {
                ssize_t n = read(fd, (char *)rep + got, sizeof(*rep) - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return NEG_ERRNO();
                if (n == 0)
                        break;
                got += (size_t)n;
        }
        if (got == 0)
                return 0; /* closed on exec: the program runs */
        if (got != sizeof(*rep))
                return -EIO;
        rep->detail[sizeof(rep->detail) - 1] = '\0';
        return 1;
}

/*
 * A newcomer is the void's pid 1's child, not ours: its end comes from pid 1 on its status socket
 * (within timeout_ms, -1: forever).  When pid 1 is gone, so is every process of the void: SIGKILL.
 */
static int reap_newcomer(struct vb_proc *p, int timeout_ms)
{
        struct vb_init_reply r;
        struct pollfd pfd = { .fd = p->status_sock, .events = POLLIN };
        ssize_t n;

        for (;;) {
                int k = poll(&pfd, 1, timeout_ms);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? NEG_ERRNO() : -ETIMEDOUT;
                n = recv(p->status_sock, &r, sizeof(r), MSG_DONTWAIT);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0 || (n == sizeof(r) && r.kind == VB_INIT_EXITED))
                        break;
        }
        p->reaped = true;
        p->status = n > 0 ? r.status : W_EXITCODE(0, SIGKILL);
        vb_closep(&p->status_sock);
        p->status_sock = -1;
        return 0;
}

static int reap(struct vb_proc *p)
{
        siginfo_t si = {};

        if (p->status_sock >= 0)
                return reap_newcomer(p, -1);
        while (waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return NEG_ERRNO();
        p->reaped = true;
        /* Its processes are gone (a pid namespace's init goes last): its uid and cgroups may serve another. */
        vb_spawn_prep_release(&p->prep);
        if (si.si_code == CLD_EXITED)
                p->status = W_EXITCODE(si.si_status, 0);
        else
                p->status = si.si_status | (si.si_code == CLD_DUMPED ? WCOREFLAG : 0);
        return 0;
}

int vb_spawn_report_error(const char *exec_path, const struct vb_report *rep, struct vb_error **err)
{
        const char *step = vb_step_name((enum vb_step)rep->step);
        int r;

        if (rep->step == VB_STEP_EXEC)
                r = vb_error_set(err, rep->errnum, "%s", rep->detail[0] ? rep->detail : exec_path);
        else if (rep->detail[0])
                r = vb_error_set(err, rep->errnum, "setting up the void: %s %s", step, rep->detail);
        else
                r = vb_error_set(err, rep->errnum, "setting up the void: %s", step);
        if (err && *err && !(*err)->step)
                (*err)->step = strdup(step);
        return r;
}

/* Which namespaces go into clone3() and which the child unshares itself. */
static void plan_flags(const struct vb_void *v, uint64_t *clone_flags, uint64_t *unshare_flags, bool *two_stage,
                       bool *defer_cgroupns)
{
        uint64_t fresh = vb_ns_flags(v, VB_NS_FRESH);

        /* Moved into cgroups v1 by the spawner first (container.h): the namespace's root is that cgroup. */
        *defer_cgroupns = v->ctr && v->ctr->n_cgroup_v1 && (fresh & CLONE_NEWCGROUP);
        if (*defer_cgroupns)
                fresh &= ~(uint64_t)CLONE_NEWCGROUP;

        /* Offsets must be written before anyone enters the time ns: the child unshares it itself. */
        if (v->time_offsets)
                fresh &= ~(uint64_t)CLONE_NEWTIME;
        /* Parked in a pooled netns (see clone_parked()): the child is born in it. */
        if (v->park_net_fd >= 0)
                fresh &= ~(uint64_t)CLONE_NEWNET;
        *two_stage = vb_ns_flags(v, VB_NS_JOIN) != 0 || v->owner_userns_fd >= 0;
        if (*two_stage) {
                /* setns() into a namespace must happen before the void's own user ns exists. */
                *clone_flags = 0;
                *unshare_flags = fresh;
        } else {
                *clone_flags = fresh;
                *unshare_flags = 0;
        }
}

/*
 * clone3() from inside a pooled network namespace: this thread steps into it,
 * clones (the child is born there), and steps back.  Namespaces are per
 * thread, so other threads of the caller never see the switch.  Only used for
 * privileged pools, whose namespaces belong to our own user namespace, so we
 * may always return.
 */
static pid_t clone_parked(struct clone_args *args, int park_fd, int *stranded)
{
        _cleanup_close_ int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        pid_t pid;

        *stranded = 0;
        if (home < 0 || setns(park_fd, CLONE_NEWNET) < 0)
                return -1;
        pid = (pid_t)syscall(SYS_clone3, args, sizeof(*args));
        if (pid == 0)
                return 0;
        /* Cannot fail for a privileged pool (see above); if it did, the caller must hear of it. */
        if (setns(home, CLONE_NEWNET) < 0)
                *stranded = errno;
        return pid;
}

pid_t vb_spawn_clone(struct vb_void *v, struct vb_child_ctx *ctx, int *pidfd, uint64_t extra_flags,
                     struct vb_error **err)
{
        uint64_t clone_flags, unshare_flags;
        struct clone_args args = {};
        int stranded = 0;
        pid_t pid;

        plan_flags(v, &clone_flags, &unshare_flags, &ctx->two_stage, &ctx->defer_cgroupns);
        ctx->unshare_flags = unshare_flags;
        /* The caller's handlers are not the child's to run, and reset_signals() then has little to do. */
        args.flags = clone_flags | CLONE_PIDFD | CLONE_CLEAR_SIGHAND | extra_flags;
        args.pidfd = (uint64_t)(uintptr_t)pidfd;
        /* With CLONE_PARENT the kernel takes the exit signal the caller's child (the zygote) has. */
        args.exit_signal = extra_flags & CLONE_PARENT ? 0 : SIGCHLD;
        if (ctx->cgroup_fd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)ctx->cgroup_fd;
        }
        /* Two-stage, the void's user namespace exists only once the child has unshared it: it says so. */
        ctx->announce = ctx->sync && ctx->become && ctx->two_stage;
        if (v->park_net_fd >= 0)
                pid = clone_parked(&args, v->park_net_fd, &stranded);
        else
                pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (stranded) {
                if (pid > 0) {
                        (void)pidfd_send_signal(*pidfd, SIGKILL, NULL, 0);
                        (void)waitid(P_PIDFD, (id_t)*pidfd, &(siginfo_t){}, WEXITED);
                }
                return vb_error_set(err, stranded,
                                    "returning from the pool's network namespace "
                                    "(this thread is left in it)");
        }
        if (pid < 0) {
                int r = NEG_ERRNO();
                const char *hint = vb_ns_refusal_hint(-r);

                if (hint)
                        return vb_error_set(err, r, "creating the void's namespaces (%s)", hint);
                return vb_error_set(err, r, "creating the void's namespaces");
        }
        if (pid == 0)
                vb_child_main(ctx);
        return pid;
}

/* What container.h's requests need of the rest of the void. */
static int vb_spawn_validate_ctr(const struct vb_void *v, struct vb_error **err)
{
        const struct vb_container *c = v->ctr;
        bool joined_mnt = v->ns_mode[VB_NS_MNT] == VB_NS_JOIN;

        if (joined_mnt && !((v->root.flags & VB_ROOT_IMAGE) || (c && c->enter)))
                return vb_error_set(err, EINVAL,
                                    "joining a mount namespace needs an image's root (vb_void_image_root()) or enter");
        if (!c)
                return 0;
        if (c->enter && (!joined_mnt || v->n_mounts))
                return vb_error_set(err, EINVAL, "enter needs a joined mount namespace and no mounts");
        if (c->n_uid_map && (v->ns_mode[VB_NS_USER] != VB_NS_FRESH || v->ids_set))
                return vb_error_set(err, EINVAL, "id maps need a fresh user namespace and no --uid/--gid");
        if (c->n_groups && v->ns_mode[VB_NS_USER] == VB_NS_FRESH && !c->n_uid_map)
                return vb_error_set(err, EINVAL,
                                    "supplementary groups need id maps: a void's own one id denies setgroups");
        return 0;
}

/* Grants that only make sense in a namespace of the void's own: refuse rather than touch the caller's. */
int vb_spawn_validate(const struct vb_void *v, struct vb_error **err)
{
        if ((!v->argv || !v->exec_path) && !(v->init && (v->init_flags & VB_INIT_HOLD)))
                return vb_error_set(err, EINVAL, "no program to run");
        if (v->init && v->ns_mode[VB_NS_PID] != VB_NS_FRESH)
                return vb_error_set(err, EINVAL, "a reaper as pid 1 needs a fresh pid namespace");
        /* A joined one is the caller's choice to name (an OCI config's hostname with a uts path). */
        if (v->hostname && v->ns_mode[VB_NS_UTS] == VB_NS_SHARED)
                return vb_error_set(err, EINVAL, "a hostname needs a uts namespace of the void's own (it is shared)");
        if (v->loopback && v->ns_mode[VB_NS_NET] != VB_NS_FRESH)
                return vb_error_set(err, EINVAL, "loopback needs a fresh network namespace");
        if (v->observe && v->pool)
                return vb_error_set(err, EINVAL, "an observed void cannot come from a pool");
        if (v->time_offsets && v->ns_mode[VB_NS_TIME] != VB_NS_FRESH)
                return vb_error_set(err, EINVAL, "clock offsets need a fresh time namespace");
        for (size_t i = 0; i < v->n_mounts; i++)
                if (v->mounts[i].kind == VB_MNT_PROC && v->ns_mode[VB_NS_PID] != VB_NS_FRESH)
                        return vb_error_set(err, EINVAL,
                                            "a fresh /proc needs a fresh pid namespace "
                                            "(a shared one would show the caller's processes)");
        if (v->identity == VB_IDENTITY_RESERVED && v->ns_mode[VB_NS_USER] != VB_NS_FRESH)
                return vb_error_set(err, EINVAL,
                                    "a uid of its own (identity reserved) needs a user namespace of the void's own");
        if (v->identity == VB_IDENTITY_RESERVED && geteuid() != 0)
                return vb_error_set(err, EPERM, "only root can give a void a uid of its own (identity reserved)");
        /* The spawner's sync (child.h) is a container's or the spawn's own, never both. */
        if (v->ctr &&
            (vb_spawn_identity(v) == VB_IDENTITY_RESERVED || v->limits.pids || v->limits.memory || v->limits.cpu))
                return vb_error_set(err, EINVAL,
                                    "a container's ids and cgroups are its config's: no uid of its own and no limits");
        return vb_spawn_validate_ctr(v, err);
}

/* A held void's init by pid: kill it and reap it (it is our child, see fork_direct() in child.c). */
static void reap_init(pid_t init)
{
        if (init <= 0)
                return;
        (void)kill(init, SIGKILL);
        while (waitpid(init, NULL, 0) < 0 && errno == EINTR)
                ;
}

/*
 * Read the child's reports until it runs (EOF), or, held, until it is ready and
 * its init is known.  Notices (child.h) are acted on.  In two-stage held mode
 * p is switched from the intermediate, reaped here, to the init.  1 on
 * success, 0 with *rep holding the failure, -errno.
 */
static int await_child(struct vb_void *v, struct vb_child_ctx *ctx, struct vb_proc *p, int rep_r, int alive_w,
                       struct vb_report *rep, struct vb_error **err)
{
        bool direct = ctx->hold && ctx->two_stage, ready = false, failed = false;
        pid_t init = direct ? 0 : p->pid;
        int r, fd;

        for (;;) {
                r = vb_spawn_read_report(rep_r, failed ? &(struct vb_report){} : rep);
                if (r < 0)
                        return vb_error_set(err, r, "reading the child's report");
                if (r == 0 && failed) { /* drained: the init (if any) is known and dead */
                        reap_init(direct ? init : 0);
                        return 0;
                }
                if (r == 0 && !ctx->hold)
                        return 1;
                if (r == 0 && !(ready && init > 0))
                        return vb_error_set(err, ECHILD, "the void ended while it was being built");
                if (r == 1 && rep->errnum) {
                        failed = true; /* read on, for the init's pid (two-stage held) */
                        continue;
                }
                if (r == 1 && rep->step == VB_STEP_ID_MAPS) {
                        r = vb_ctr_sync_parent(v, p->pid, err);
                        if (r < 0 || write(alive_w, "s", 1) != 1) {
                                reap_init(direct ? init : 0);
                                return r < 0 ? r : vb_error_set(err, errno, "waking the void");
                        }
                } else if (r == 1 && rep->step == VB_STEP_FORK) {
                        init = (pid_t)atoi(rep->detail);
                } else if (r == 1 && rep->step == VB_STEP_WAIT) {
                        ready = true;
                }
                if (!ready || init <= 0)
                        continue;
                if (direct) {
                        fd = (int)syscall(SYS_pidfd_open, init, 0);
                        if (fd < 0) {
                                r = vb_error_set(err, errno, "opening the void's pidfd");
                                reap_init(init);
                                return r;
                        }
                        (void)reap(p); /* the intermediate, gone after its notice */
                        vb_closep(&p->pidfd);
                        p->pid = init, p->pidfd = fd, p->reaped = false;
                }
                return 1;
        }
}

/*
 * Our own steps after the clone failed: the child waits for our byte and has made nothing of its own
 * yet (a relay has no init child before the byte), so it is killed, then reaped.
 */
static int settle_failed(struct vb_proc *p, int r, struct vb_error **err)
{
        (void)pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
        (void)reap(p);
        vb_proc_free(p);
        return err && *err ? r : vb_error_set(err, r, "preparing the void");
}

/* The void is built: say so in the log. */
static void spawned(const struct vb_void *v, const struct vb_proc *p, bool held)
{
        const char *what = v->exec_path ? v->exec_path : "(pid 1 only)";

        if (p->prep.reserved)
                vb_void_logf(v, "void %d: %s %s as host uid %u, gid %u", (int)p->pid, held ? "ready to run" : "running",
                             what, (unsigned)p->prep.host_uid, (unsigned)p->prep.host_gid);
        else
                vb_void_logf(v, "void %d: %s %s", (int)p->pid, held ? "ready to run" : "running", what);
}

/*
 * Setup failed (r < 0: await_child() failed; 0: *rep says which step): reap the child now, so
 * nothing is left behind.  A reaper of ours as pid 1 would outlive its program's failed exec (and
 * a holding one would wait on): it is killed.  So is a child we stopped listening to: it may wait
 * for our word.  Nothing else is: a relay must reap the void's init itself, or that would be left
 * a zombie.  Frees p; returns -errno.
 */
static int spawn_failed(const struct vb_void *v, struct vb_proc *p, int r, const struct vb_report *rep,
                        struct vb_error **err)
{
        if (v->init || r < 0)
                (void)pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
        (void)reap(p);
        vb_proc_free(p);
        if (r < 0)
                return r;
        return vb_spawn_report_error(v->exec_path, rep, err);
}

VB_API int vb_void_spawn(struct vb_void *v, struct vb_proc **out, struct vb_error **err)
{
        _cleanup_close_ int rep_r = -1, rep_w = -1, alive_r = -1, alive_w = -1, pidfd = -1, init_r = -1, init_w = -1;
        _cleanup_cap_ cap_t caps = NULL, caps_final = NULL;
        struct vb_cap_sets sets = vb_ctr_cap_sets(v);
        /* Without no_new_privs, installing the filter needs CAP_SYS_ADMIN: held until then. */
        uint64_t tmp = v->ctr && v->ctr->new_privs && v->seccomp_mode != VB_SECCOMP_OFF ? 1ULL << CAP_SYS_ADMIN : 0;
        struct vb_child_ctx ctx;
        struct vb_spawn_prep prep;
        struct vb_report rep;
        struct vb_proc *p;
        int fds[2], r, taken;
        pid_t pid;

        r = vb_spawn_validate(v, err);
        if (r < 0)
                return r;
        r = vb_void_prepare_seccomp(v, err);
        if (r < 0)
                return vb_error_wrap(err, r, "compiling the seccomp filter");
        r = vb_void_prepare_covers(v, err);
        if (r < 0)
                return r;
        caps = vb_caps_prepare_sets(sets.effective | tmp, sets.permitted | tmp, sets.inheritable);
        if (tmp)
                caps_final = vb_caps_prepare_sets(sets.effective, sets.permitted, sets.inheritable);
        if (!caps || (tmp && !caps_final))
                return vb_error_set(err, ENOMEM, "preparing capabilities");
        if (pipe2(fds, O_CLOEXEC) < 0)
                return vb_error_set(err, errno, "creating the report pipe");
        rep_r = fds[0], rep_w = fds[1];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return vb_error_set(err, errno, "creating the lifeline pipe");
        alive_r = fds[0], alive_w = fds[1];
        /* A held void's pid 1 starts the newcomers (vb_void_newcomer()), asked on this socket. */
        if (v->init && (v->init_flags & VB_INIT_HOLD)) {
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
                        return vb_error_set(err, errno, "creating pid 1's request socket");
                init_r = fds[0], init_w = fds[1];
        }

        ctx = (struct vb_child_ctx){
                .v = v,
                .report_fd = rep_w,
                .alive_fd = alive_r,
                .close_in_child = { rep_r, alive_w },
                .uid = geteuid(),
                .gid = getegid(),
                .caps = caps,
                .warm_fd = -1,
                .hold = v->ctr && v->ctr->gate_fd >= 0,
                .ctr_sync = vb_ctr_needs_sync(v),
                .caps_final = caps_final,
                .sync_fd = alive_r,
                .init_sock = init_w,
        };
        r = vb_spawn_prepare(v, &prep, &ctx, getpid(), err);
        if (r < 0)
                return r;
        p = vb_proc_adopt(-1, -1, &prep);
        if (!p) {
                vb_spawn_prepared(v, &prep);
                vb_spawn_prep_release(&prep);
                return vb_error_set(err, ENOMEM, "allocating the handle");
        }
        taken = vb_pool_take(v);
        if (taken < 0) {
                vb_spawn_prepared(v, &p->prep);
                vb_proc_free(p);
                return vb_error_set(err, taken, "taking a namespace from the pool");
        }
        pid = vb_spawn_clone(v, &ctx, &pidfd, 0, err);
        vb_pool_release(v, taken);
        vb_spawn_prepared(v, &p->prep);
        if (pid < 0) {
                vb_proc_free(p);
                return pid;
        }
        if (pid == 0) /* not reached: the child never returns */
                _exit(125);
        vb_closep(&rep_w);
        rep_w = -1;
        vb_closep(&alive_r);
        alive_r = -1;
        vb_closep(&init_w);
        init_w = -1;
        p->pid = pid;
        p->pidfd = TAKE_FD(pidfd);
        p->init_sock = TAKE_FD(init_r);
        /* Held in direct mode, p becomes the init itself (await_child()): no relay stays. */
        p->relay = ctx.two_stage && !ctx.hold;
        p->ns_fresh = vb_ns_flags(v, VB_NS_FRESH) | vb_ns_flags(v, VB_NS_JOIN);
        r = vb_spawn_settle(v, &ctx, &p->prep, pid, rep_r, alive_w, err);
        if (r < 0)
                return settle_failed(p, r, err);
        r = await_child(v, &ctx, p, rep_r, alive_w, &rep, err);
        if (r == 1) {
                spawned(v, p, ctx.hold);
                *out = p;
                return 0;
        }
        return spawn_failed(v, p, r, &rep, err);
}

bool vb_proc_relayed(const struct vb_proc *p, uint64_t *ns_fresh)
{
        *ns_fresh = p->ns_fresh;
        return p->relay;
}

int vb_proc_init_sock(const struct vb_proc *p)
{
        return p->init_sock;
}

void vb_proc_set_status_sock(struct vb_proc *p, int sock)
{
        p->status_sock = sock;
}

const struct vb_spawn_prep *vb_proc_prep(const struct vb_proc *p)
{
        return &p->prep;
}

struct vb_proc *vb_proc_adopt(pid_t pid, int pidfd, struct vb_spawn_prep *prep)
{
        struct vb_proc *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->pid = pid;
        p->pidfd = pidfd;
        p->init_sock = p->status_sock = -1;
        p->prep = (struct vb_spawn_prep){ .lease = { .fd = -1 }, .idmap_fd = -1 };
        if (prep) {
                p->prep = *prep;
                *prep = (struct vb_spawn_prep){ .lease = { .fd = -1 }, .idmap_fd = -1 };
        }
        return p;
}

VB_API struct vb_proc *vb_proc_release(struct vb_proc *p)
{
        if (!p)
                return NULL;
        /* A held void has no lease and no cgroups of its spawn (vb_void_spawn() refuses them): nothing to give back. */
        vb_closep(&p->pidfd);
        vb_closep(&p->prep.idmap_fd);
        free(p);
        return NULL;
}

VB_API int vb_proc_host_ids(const struct vb_proc *p, uid_t *uid, gid_t *gid)
{
        if (!p->prep.has_ids)
                return -ENODATA;
        *uid = p->prep.host_uid;
        *gid = p->prep.host_gid;
        return 0;
}

VB_API pid_t vb_proc_pid(const struct vb_proc *p)
{
        return p->pid;
}

VB_API int vb_proc_pidfd(const struct vb_proc *p)
{
        return p->pidfd;
}

VB_API int vb_proc_kill(struct vb_proc *p, int sig)
{
        if (p->reaped)
                return -ESRCH;
        if (pidfd_send_signal(p->pidfd, sig, NULL, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

VB_API int vb_proc_wait(struct vb_proc *p, int *status)
{
        int r;

        if (!p->reaped) {
                r = reap(p);
                if (r < 0)
                        return r;
        }
        *status = p->status;
        return 0;
}

VB_API struct vb_proc *vb_proc_free(struct vb_proc *p)
{
        if (!p)
                return NULL;
        if (!p->reaped && p->pidfd >= 0) {
                /* Killing the init of a pid namespace ends every process in it. */
                (void)pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                /* A newcomer's end is told by the void's pid 1, which might be stopped: not forever. */
                (void)(p->status_sock >= 0 ? reap_newcomer(p, 5000) : reap(p));
        }
        /* Never started (pidfd -1), or reaped: either way nothing of it runs. */
        if (p->pidfd < 0 || p->reaped)
                vb_spawn_prep_release(&p->prep);
        vb_closep(&p->pidfd);
        vb_closep(&p->init_sock);
        vb_closep(&p->status_sock);
        free(p);
        return NULL;
}
