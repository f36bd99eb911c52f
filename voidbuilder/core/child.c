/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's fixed sequence: namespaces, mounts, pivot_root, caps, no_new_privs, seccomp, fds, exec. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/caps.h"
#include "core/child.h"
#include "core/cleanup.h"
#include "core/container.h"
#include "core/elf.h"
#include "core/landlock.h"
#include "core/mount.h"
#include "core/net.h"
#include "core/ns.h"
#include "core/observe.h"
#include "core/seccomp.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const char *const step_names[VB_STEP_COUNT] = {
        [VB_STEP_DEATHSIG] = "death signal", [VB_STEP_JOIN] = "setns",
        [VB_STEP_UNSHARE] = "unshare",       [VB_STEP_ID_MAPS] = "uid/gid maps",
        [VB_STEP_FORK] = "fork init",        [VB_STEP_SESSION] = "session",
        [VB_STEP_TIME] = "time namespace",   [VB_STEP_ROOT] = "root tmpfs",
        [VB_STEP_MOUNT] = "mount",           [VB_STEP_DEVNULL] = "/dev/null",
        [VB_STEP_PIVOT] = "pivot_root",      [VB_STEP_HOSTNAME] = "hostname",
        [VB_STEP_LOOPBACK] = "loopback",     [VB_STEP_RLIMIT] = "rlimit",
        [VB_STEP_CHDIR] = "chdir",           [VB_STEP_CAPS] = "capabilities",
        [VB_STEP_NNP] = "no_new_privs",      [VB_STEP_LANDLOCK] = "landlock",
        [VB_STEP_WAIT] = "waiting for work", [VB_STEP_SECCOMP] = "seccomp",
        [VB_STEP_FDS] = "file descriptors",  [VB_STEP_EXEC] = "exec",
        [VB_STEP_SYSCTL] = "sysctl",         [VB_STEP_USER] = "user",
};

const char *vb_step_name(enum vb_step step)
{
        return (unsigned)step < VB_STEP_COUNT ? step_names[step] : "unknown step";
}

/* Report the first failure and leave; _exit() so no atexit handler of the caller runs twice. */
static _Noreturn void fail(struct vb_child_ctx *c, enum vb_step step, int r, const char *fmt, ...) VB_PRINTF(4, 5);
static _Noreturn void fail(struct vb_child_ctx *c, enum vb_step step, int r, const char *fmt, ...)
{
        struct vb_report rep = { .step = step, .errnum = r < 0 ? -r : r };
        va_list ap;

        if (fmt) {
                va_start(ap, fmt);
                vsnprintf(rep.detail, sizeof(rep.detail), fmt, ap);
                va_end(ap);
        }
        (void)!write(c->report_fd, &rep, sizeof(rep));
        _exit(125);
}

_Noreturn void vb_child_fail(struct vb_child_ctx *c, enum vb_step step, int r, const char *what)
{
        fail(c, step, r, "%s", what);
}

/* The signals this thread ignores (SigIgn of /proc/thread-self/status); every one when that cannot be read. */
static uint64_t ignored_signals(void)
{
        char buf[4096], *p;
        uint64_t mask = 0;
        int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

        if (fd >= 0)
                close(fd);
        if (n <= 0)
                return ~0ULL;
        buf[n] = '\0';
        p = strstr(buf, "\nSigIgn:\t");
        if (!p)
                return ~0ULL;
        for (p += 9; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
                mask = mask << 4 | (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
        return mask;
}

/*
 * Blocked signals and ignored dispositions survive execve(): a caller that
 * blocks SIGTERM (for a signalfd) or ignores SIGPIPE would hand that on to the
 * program.  Start it with every signal at its default and none blocked.  The
 * handlers are gone already (clone3's CLONE_CLEAR_SIGHAND, spawn.c); what is
 * left is the ignored signals, usually none: one read instead of 62 calls.
 */
static void reset_signals(void)
{
        /* The kernel's struct sigaction: glibc's signal() refuses its reserved signals 32 and 33. */
        struct {
                void (*handler)(int);
                unsigned long flags;
                void (*restorer)(void);
                uint64_t mask;
        } dfl = { .handler = SIG_DFL };
        uint64_t none = 0, ignored = ignored_signals();

        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && (ignored & (1ULL << (sig - 1))))
                        syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none));
}

/*
 * An intermediate process's life once it has forked the void's init (or a newcomer): relay
 * that child's end as its own.  It dies with the caller (and takes the child along), and holds
 * nothing: above all not the report pipe, whose EOF tells the caller that the program runs,
 * nor any fd meant for the void.
 */
static _Noreturn void relay_end(pid_t pid)
{
        int status;

        syscall(SYS_close_range, 0, ~0U, 0);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(125);
        if (WIFSIGNALED(status)) {
                signal(WTERMSIG(status), SIG_DFL);
                raise(WTERMSIG(status));
                _exit(128 + WTERMSIG(status));
        }
        _exit(WEXITSTATUS(status));
}

static void die_with_parent(struct vb_child_ctx *c)
{
        struct pollfd p = { .fd = c->alive_fd, .events = POLLIN };

        for (size_t i = 0; i < ELEMENTSOF(c->close_in_child); i++)
                if (c->close_in_child[i] >= 0)
                        close(TAKE_FD(c->close_in_child[i]));
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                fail(c, VB_STEP_DEATHSIG, NEG_ERRNO(), NULL);
        /* The parent may have died before prctl(): then its end of the pipe is closed. */
        if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
                _exit(125);
}

static bool v_user_fresh(const struct vb_child_ctx *c)
{
        return c->v->ns_mode[VB_NS_USER] != VB_NS_JOIN;
}

/* The void maps its caller's one id itself, unless the spawner writes id ranges (container.h). */
static void map_own_ids(struct vb_child_ctx *c)
{
        int r;

        if (c->v->ns_mode[VB_NS_USER] != VB_NS_FRESH || c->become || (c->v->ctr && c->v->ctr->n_uid_map))
                return;
        r = vb_ns_map_ids(c->v->uid, c->v->gid, c->uid, c->gid);
        if (r < 0)
                fail(c, VB_STEP_ID_MAPS, r, NULL);
}

/* Ask the spawner to write the id maps and move us into cgroups v1 (it answers on the lifeline). */
static void ask_spawner(struct vb_child_ctx *c)
{
        struct vb_report ask = { .step = VB_STEP_ID_MAPS };

        if (write(c->report_fd, &ask, sizeof(ask)) != (ssize_t)sizeof(ask))
                _exit(125);
        c->sync_asked = true;
}

/* Wait for the spawner's answer; then the cgroup namespace, whose root is the cgroup we were moved to. */
static void await_spawner(struct vb_child_ctx *c)
{
        ssize_t n;
        char b;

        if (!c->sync_asked)
                return;
        c->sync_asked = false;
        do
                n = read(c->alive_fd, &b, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1) /* the spawner is gone, or failed and said so itself */
                _exit(125);
        if (c->defer_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
                fail(c, VB_STEP_UNSHARE, NEG_ERRNO(), "cgroup namespace");
}

/*
 * In the new user namespace.  With id maps, wait for them now and become the
 * namespace's root: our own ids are unmapped (the overflow ids), and what the
 * setup makes must be owned by an id of the void's.  With cgroups alone, go on
 * building while the spawner writes cgroup.procs (it takes a few ms of RCU):
 * await_spawner() comes before anything depends on it, unless `now`.
 */
static void sync_with_spawner(struct vb_child_ctx *c, bool now)
{
        bool maps = c->v->ctr && c->v->ctr->n_uid_map;

        ask_spawner(c);
        if (!maps && !now)
                return;
        await_spawner(c);
        if (maps && ((setgroups(0, NULL) < 0 && errno != EPERM) || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                fail(c, VB_STEP_ID_MAPS, NEG_ERRNO(), "becoming root of the user namespace (do the maps hold id 0?)");
}

/*
 * A held void's init, made a child of the spawner (CLONE_PARENT) rather than
 * ours, so that nothing stays between them: say its pid and leave.
 */
static void fork_direct(struct vb_child_ctx *c)
{
        struct clone_args args = { .flags = CLONE_PARENT };
        struct vb_report rep = { .step = VB_STEP_FORK };
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));

        if (pid < 0)
                fail(c, VB_STEP_FORK, NEG_ERRNO(), NULL);
        if (pid == 0) {
                die_with_parent(c);
                return;
        }
        snprintf(rep.detail, sizeof(rep.detail), "%d", (int)pid);
        (void)!write(c->report_fd, &rep, sizeof(rep));
        _exit(0);
}

/*
 * The parent has steps to take after the clone (child.h, sync): say that our
 * user namespace exists when it waits for that, then wait for its byte.
 */
static void await_parent(struct vb_child_ctx *c)
{
        struct vb_report ready = { .step = VB_STEP_ID_MAPS };
        char byte;
        ssize_t n;

        if (!c->sync)
                return;
        if (c->announce && write(c->report_fd, &ready, sizeof(ready)) != sizeof(ready))
                _exit(125);
        do
                n = read(c->sync_fd, &byte, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                _exit(125); /* the parent gave up on us (and says why) or is gone */
}

/*
 * A reserved identity: the parent mapped v->uid and v->gid to the void's own
 * host ids; take them, and drop the caller's supplementary groups (no other
 * gid is mapped, so none can come back).  Raw system calls: glibc's set*id
 * would try to reach the caller's other threads, which are not in this process.
 */
static void become(struct vb_child_ctx *c)
{
        const struct vb_void *v = c->v;

        if (!c->become)
                return;
        if (syscall(SYS_setgroups, 0, NULL) < 0)
                fail(c, VB_STEP_ID_MAPS, NEG_ERRNO(), "dropping the supplementary groups");
        if (syscall(SYS_setresgid, v->gid, v->gid, v->gid) < 0)
                fail(c, VB_STEP_ID_MAPS, NEG_ERRNO(), "taking gid %u", (unsigned)v->gid);
        if (syscall(SYS_setresuid, v->uid, v->uid, v->uid) < 0)
                fail(c, VB_STEP_ID_MAPS, NEG_ERRNO(), "taking uid %u", (unsigned)v->uid);
        /*
         * New credentials cleared our death signal, and made us undumpable: our /proc files would
         * be the host root's, out of our reach (timens_offsets).  Both as they were (exec decides
         * dumpable for the program anew).
         */
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
                fail(c, VB_STEP_ID_MAPS, NEG_ERRNO(), "dumpable");
        die_with_parent(c);
}

/* Joined namespaces: setns() before the new user ns exists, then unshare, then fork init. */
static void two_stage(struct vb_child_ctx *c)
{
        enum vb_ns failed = VB_NS_USER;
        int r;
        pid_t pid;

        /* A pool's namespaces belong to its user ns: enter it, so they can be joined and ours nests in it. */
        if (c->v->owner_userns_fd >= 0 && setns(c->v->owner_userns_fd, CLONE_NEWUSER) < 0)
                fail(c, VB_STEP_JOIN, NEG_ERRNO(), "the pool's user namespace");
        r = vb_ns_join(c->v, &failed);
        if (r < 0)
                fail(c, VB_STEP_JOIN, r, "%s namespace%s", vb_ns_name(failed),
                     r == -EPERM && v_user_fresh(c)
                             ? " (joining needs CAP_SYS_ADMIN over its owner: join its user namespace too)"
                             : "");
        /* Our ids as the (possibly joined) parent user ns sees them; unshare() makes them overflow ids. */
        c->uid = geteuid();
        c->gid = getegid();
        if (unshare((int)c->unshare_flags) < 0)
                fail(c, VB_STEP_UNSHARE, NEG_ERRNO(), NULL);
        if (c->ctr_sync)
                sync_with_spawner(c, true); /* the init forked below inherits our cgroups */
        map_own_ids(c);
        /* Before the fork: the void's init must be born in its cgroups, with its ids. */
        await_parent(c);
        become(c);
        if (c->hold) {
                fork_direct(c);
                return;
        }
        /*
         * unshare(CLONE_NEWPID) applies to children only: the void's init is our child.  _Fork(),
         * not fork(): after the raw clone3() no atfork handler of the caller's may run, and
         * fork() would take malloc's locks, which another thread of the caller may have held.
         */
        pid = _Fork();
        if (pid < 0)
                fail(c, VB_STEP_FORK, NEG_ERRNO(), NULL);
        if (pid == 0) {
                die_with_parent(c);
                return;
        }
        relay_end(pid);
}

/* term proxied: the caretaker's pty (never the caller's terminal) becomes the new session's terminal. */
static void take_terminal(struct vb_child_ctx *c)
{
        for (size_t i = 0; i < c->v->n_fds; i++)
                if (c->v->fds[i].target == c->v->tty_target && ioctl(c->v->fds[i].fd, TIOCSCTTY, 0) < 0)
                        fail(c, VB_STEP_SESSION, NEG_ERRNO(), "controlling terminal");
}

/*
 * Cut the ties to the caller's session.  A new session has no controlling
 * terminal, so /dev/tty in a granted /dev cannot lead back to the caller's
 * terminal (to read it, or to push input with TIOCSTI).  A fresh, empty session
 * keyring: the caller's keys are not the void's to use or to see in /proc/keys.
 */
static void new_session(struct vb_child_ctx *c)
{
        if (setsid() < 0)
                fail(c, VB_STEP_SESSION, NEG_ERRNO(), "setsid");
        if (c->v->tty_target >= 0)
                take_terminal(c);
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
                fail(c, VB_STEP_SESSION, NEG_ERRNO(), "session keyring");
}

static void build_root(struct vb_child_ctx *c, int *devnull)
{
        _cleanup_close_ int root = -1;
        const struct vb_container *ctr = c->v->ctr;
        const struct vb_mount *bad = NULL;
        const char *why;
        int made, r;

        if (ctr && ctr->enter) { /* the joined mount namespace's root is the void's */
                *devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (*devnull < 0)
                        fail(c, VB_STEP_DEVNULL, NEG_ERRNO(), NULL);
                return;
        }
        r = vb_root_open(&c->v->root);
        if (r < 0)
                fail(c, VB_STEP_ROOT, r, "%s", c->v->root.dir);
        made = c->v->root.kind == VB_ROOT_TMPFS ? -1 : vb_root_mount(&c->v->root, &why);
        if (made < 0 && c->v->root.kind != VB_ROOT_TMPFS)
                fail(c, VB_STEP_ROOT, made, "%s: %s", c->v->root.dir, why);
        r = vb_mount_new_root(made, &root);
        if (r < 0)
                fail(c, VB_STEP_ROOT, r, NULL);
        r = vb_mount_open_sources(c->v->mounts, c->v->n_mounts, &bad);
        if (r < 0)
                fail(c, VB_STEP_MOUNT, r, "%s from %s: %s", bad->dst, bad->src,
                     r == -ESTALE ? "the source is no longer the file that was checked" : "opening the source");
        r = vb_mount_stage(root);
        if (r < 0)
                fail(c, VB_STEP_ROOT, r, NULL);
        for (size_t i = 0; i < c->v->n_mounts; i++) {
                const struct vb_mount *m = &c->v->mounts[i];

                r = vb_mount_apply(root, m, &why);
                if (r < 0)
                        fail(c, VB_STEP_MOUNT, r, "%s%s%s%s%s", m->dst, m->kind == VB_MNT_BIND ? " from " : "",
                             m->kind == VB_MNT_BIND ? m->src : "", why ? ": " : "", why ? why : "");
        }
        /* Last: what must never show, whichever bind would show it (vb_void_hide()). */
        for (size_t i = 0; i < c->v->n_covers; i++) {
                r = vb_mount_cover(root, c->v->covers[i]);
                if (r < 0)
                        fail(c, VB_STEP_MOUNT, r, "%s: covering a hidden host path", c->v->covers[i]);
        }
        /* Unclaimed std fds point at the host's /dev/null: opened now, while it is reachable. */
        *devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (*devnull < 0)
                fail(c, VB_STEP_DEVNULL, NEG_ERRNO(), NULL);
        if (ctr && (r = vb_ctr_before_pivot(c->v, &why)) < 0)
                fail(c, VB_STEP_SYSCTL, r, "%s", why);
        /* The empty tmpfs, and an image's root (vb_void_image_root()), turn read-only here, the root mount alone. */
        r = vb_mount_pivot(root, c->v->root.kind != VB_ROOT_TMPFS &&
                                         (!(c->v->root.flags & VB_ROOT_IMAGE) || (c->v->root.flags & VB_MOUNT_RW)));
        if (r < 0)
                fail(c, VB_STEP_PIVOT, r, NULL);
}

static void settle_environment(struct vb_child_ctx *c)
{
        struct vb_void *v = c->v;
        int r;

        /* Only a fresh uts namespace is ours to name, or one joined to be named (vb_spawn_validate()). */
        if (v->ns_mode[VB_NS_UTS] == VB_NS_FRESH || (v->ns_mode[VB_NS_UTS] == VB_NS_JOIN && v->hostname)) {
                const char *name = v->hostname ? v->hostname : "void";

                if (sethostname(name, strlen(name)) < 0)
                        fail(c, VB_STEP_HOSTNAME, NEG_ERRNO(), "%s", name);
        }
        if (v->loopback) {
                r = vb_net_loopback_up();
                if (r < 0)
                        fail(c, VB_STEP_LOOPBACK, r, NULL);
        }
        if (chdir(v->cwd ? v->cwd : "/") < 0)
                fail(c, VB_STEP_CHDIR, NEG_ERRNO(), "%s", v->cwd);
}

/* Report a Landlock failure: the fd it was about (by its target in the void), or the path. */
static _Noreturn void landlock_failed(struct vb_child_ctx *c, int r, const struct vb_landlock_fail *failed)
{
        const struct vb_void *v = c->v;

        for (size_t i = 0; failed->fd >= 0 && i < v->n_fds; i++)
                if (v->fds[i].fd == failed->fd)
                        fail(c, VB_STEP_LANDLOCK, r, "fd %d", v->fds[i].target);
        fail(c, VB_STEP_LANDLOCK, r, "%s", failed->path ? failed->path : "");
}

/*
 * Capabilities and no_new_privs; then Landlock's ruleset with every rule but
 * the fds' (*ruleset; -1 without Landlock): made here, before a warm void
 * waits, so that its request pays only for the fds' rules (confine()).
 */
static void lock_down(struct vb_child_ctx *c, int *ruleset)
{
        struct vb_void *v = c->v;
        struct vb_cap_sets sets = vb_ctr_cap_sets(v);
        _cleanup_close_ int mqueue = -1;
        struct vb_landlock_fail failed;
        int r;

        /* While capabilities last: Landlock's rule for the ipc namespace's message queues (none when refused). */
        if (v->landlock)
                mqueue = vb_mount_mqueue();
        r = vb_caps_drop_bound(sets.bounding);
        if (r < 0)
                fail(c, VB_STEP_CAPS, r, "bounding set");
        /* Between the two halves: setuid needs CAP_SETUID, and the sets below say what survives it. */
        if (v->ctr && (r = vb_ctr_switch_user(v)) < 0)
                fail(c, VB_STEP_USER, r, "uid %u gid %u", (unsigned)v->ctr->uid, (unsigned)v->ctr->gid);
        r = vb_caps_set(c->caps, sets.ambient);
        if (r < 0)
                fail(c, VB_STEP_CAPS, r, NULL);
        if ((!v->ctr || !v->ctr->new_privs) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail(c, VB_STEP_NNP, NEG_ERRNO(), NULL);
        *ruleset = -1;
        if (v->landlock) {
                struct vb_landlock_req req = { .rules = v->landlock_rules,
                                               .n_rules = v->n_landlock,
                                               .exec_fd = v->exec_fd,
                                               .mqueue_fd = mqueue,
                                               .scoped = true };

                r = vb_landlock_prepare(&req, &failed);
                if (r < 0)
                        landlock_failed(c, r, &failed);
                *ruleset = r;
        }
}

/*
 * Landlock on, once every fd the void will hold is known (a warm void's
 * request brings some): each fd handed in is confined to its object, its
 * rule made on the fd itself.  Closes ruleset.
 */
static void confine(struct vb_child_ctx *c, int ruleset)
{
        struct vb_void *v = c->v;
        _cleanup_close_ int rs = ruleset;
        struct vb_landlock_fail failed;
        int fds[v->n_fds + 1], r;

        if (rs < 0)
                return;
        for (size_t i = 0; i < v->n_fds; i++)
                fds[i] = v->fds[i].fd;
        r = vb_landlock_restrict(rs, fds, v->n_fds, &failed);
        if (r < 0)
                landlock_failed(c, r, &failed);
}

/* Last of the restrictions: what follows (fd shuffling, exec) must pass the filter. */
static void install_filter(struct vb_child_ctx *c)
{
        int r;

        if (c->v->seccomp_mode != VB_SECCOMP_OFF) {
                r = vb_seccomp_install(&c->v->fprog);
                if (r < 0)
                        fail(c, VB_STEP_SECCOMP, r, NULL);
        }
        /* Without no_new_privs the filter needed CAP_SYS_ADMIN: now the sets asked for (capset must pass it). */
        if (c->caps_final && cap_set_proc(c->caps_final) < 0)
                fail(c, VB_STEP_CAPS, NEG_ERRNO(), "after the seccomp filter");
}

/*
 * A held void (container.h) waits here, built and locked down but for its
 * filter: once its program is found, it stops dying with the spawner, says it
 * is ready and closes the report pipe, and starts when a byte comes through
 * the gate (an OCI runtime's "start").  At end of file it was never started.
 */
static void hold_at_gate(struct vb_child_ctx *c)
{
        struct vb_report ready = { .step = VB_STEP_WAIT };
        int r = vb_ctr_find_program(c->v);
        ssize_t n;
        char b;

        if (r < 0)
                fail(c, VB_STEP_EXEC, r, "%s", c->v->exec_path);
        if (prctl(PR_SET_PDEATHSIG, 0) < 0)
                fail(c, VB_STEP_DEATHSIG, NEG_ERRNO(), NULL);
        if (write(c->report_fd, &ready, sizeof(ready)) != (ssize_t)sizeof(ready))
                _exit(125);
        close(TAKE_FD(c->report_fd));
        do
                n = read(c->v->ctr->gate_fd, &b, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                _exit(0);
}

/* Before the filter, which need not allow close_range(): what the void must not inherit is marked now. */
static void cloexec_early(struct vb_child_ctx *c)
{
        int top = 2;

        for (size_t i = 0; i < c->v->n_fds; i++)
                if (c->v->fds[i].target > top)
                        top = c->v->fds[i].target;
        if (syscall(SYS_close_range, top + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                fail(c, VB_STEP_FDS, NEG_ERRNO(), NULL);
        c->cloexec_done = true;
}

/*
 * Last before exec: a low RLIMIT_NOFILE or RLIMIT_NPROC must bind the program,
 * not the setup (Landlock's ruleset and the fd shuffling need fds of their own).
 */
static void apply_rlimits(struct vb_child_ctx *c)
{
        const struct vb_void *v = c->v;

        for (size_t i = 0; i < v->n_rlimits; i++)
                if (setrlimit(v->rlimits[i].resource, &v->rlimits[i].lim) < 0)
                        fail(c, VB_STEP_RLIMIT, NEG_ERRNO(), "resource %d", v->rlimits[i].resource);
}

static bool is_target(const struct vb_void *v, int fd)
{
        for (size_t i = 0; i < v->n_fds; i++)
                if (v->fds[i].target == fd)
                        return true;
        return false;
}

/* Move an fd we still need out of the range the void's fds will occupy. */
static int lift(int *fd, int above)
{
        int n;

        if (*fd < 0 || *fd > above)
                return 0;
        n = fcntl(*fd, F_DUPFD_CLOEXEC, above + 1);
        if (n < 0)
                return NEG_ERRNO();
        *fd = n;
        return 0;
}

static void arrange_fds(struct vb_child_ctx *c, int devnull)
{
        struct vb_void *v = c->v;
        int top = 2, r = 0;

        for (size_t i = 0; i < v->n_fds; i++)
                if (v->fds[i].target > top)
                        top = v->fds[i].target;
        r = lift(&c->report_fd, top);
        if (r >= 0)
                r = lift(&c->init_sock, top);
        if (r >= 0)
                r = lift(&devnull, top);
        if (r >= 0)
                r = lift(&v->exec_fd, top);
        for (size_t i = 0; i < v->n_fds && r >= 0; i++)
                r = lift(&v->fds[i].fd, top);
        if (r < 0)
                fail(c, VB_STEP_FDS, r, NULL);
        for (size_t i = 0; i < v->n_fds; i++)
                if (dup3(v->fds[i].fd, v->fds[i].target, 0) < 0) /* dup3 without O_CLOEXEC: inherited */
                        fail(c, VB_STEP_FDS, NEG_ERRNO(), "fd %d", v->fds[i].target);
        for (int fd = 0; fd <= top; fd++) {
                if (is_target(v, fd))
                        continue;
                if (fd <= 2 ? dup3(devnull, fd, 0) < 0 : (close(fd) < 0 && errno != EBADF))
                        fail(c, VB_STEP_FDS, NEG_ERRNO(), "fd %d", fd);
        }
        /* Everything above is ours or leaked from the caller: closed by exec. */
        if (!c->cloexec_done && syscall(SYS_close_range, top + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                fail(c, VB_STEP_FDS, NEG_ERRNO(), NULL);
}

static const char *env_path(char *const *env)
{
        for (; *env; env++)
                if (strncmp(*env, "PATH=", 5) == 0)
                        return *env + 5;
        return "/usr/local/bin:/usr/bin:/bin";
}

static int exec_search(const struct vb_void *v)
{
        char buf[PATH_MAX];
        int r = -ENOENT;

        if (strchr(v->exec_path, '/')) {
                execve(v->exec_path, v->argv, v->env);
                return NEG_ERRNO();
        }
        for (const char *p = env_path(v->env); *p;) {
                const char *e = strchrnul(p, ':');
                int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, v->exec_path);

                if (n > 0 && (size_t)n < sizeof(buf)) {
                        execve(buf, v->argv, v->env);
                        if (errno != ENOENT)
                                r = NEG_ERRNO();
                }
                p = *e ? e + 1 : e;
        }
        return r;
}

/* The interpreter of a "#!" file on fd, into buf (no malloc: we are the child).  1 when it is one. */
static int script_interp_fd(int fd, char *buf, size_t len)
{
        char head[256];
        ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
        size_t start, end;

        if (n < 2 || head[0] != '#' || head[1] != '!')
                return 0;
        head[n] = '\0';
        start = 2 + strspn(head + 2, " \t");
        end = start + strcspn(head + start, " \t\n");
        if (end == start || end - start >= len)
                return 0;
        memcpy(buf, head + start, end - start);
        buf[end - start] = '\0';
        return 1;
}

/*
 * execve() says ENOENT for a missing program, a missing ELF interpreter and a missing "#!"
 * interpreter alike, and for a script run by fd (its interpreter cannot reopen a close-on-exec
 * fd): tell them apart.
 */
static _Noreturn void exec_failed(struct vb_child_ctx *c, int r)
{
        const struct vb_void *v = c->v;
        char interp[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int n;

        if (r == -ENOENT) {
                fd = v->exec_fd >= 0 ? fcntl(v->exec_fd, F_DUPFD_CLOEXEC, 0) : open(v->exec_path, O_RDONLY | O_CLOEXEC);
                n = fd >= 0 ? vb_elf_interp_fd(fd, interp, sizeof(interp)) : -1;
                if (n > 0 && access(interp, F_OK) < 0)
                        fail(c, VB_STEP_EXEC, r, "%s: its dynamic loader %s is missing from the void", v->exec_path,
                             interp);
                if (fd >= 0 && script_interp_fd(fd, interp, sizeof(interp)) > 0) {
                        if (access(interp, F_OK) < 0)
                                fail(c, VB_STEP_EXEC, r, "%s: its #! interpreter %s is missing from the void",
                                     v->exec_path, interp);
                        if (v->exec_fd >= 0)
                                fail(c, VB_STEP_EXEC, r,
                                     "%s: a #! script run by fd cannot be reopened by its interpreter: run it by "
                                     "path (--libs SCRIPT binds it and its interpreter)",
                                     v->exec_path);
                }
        }
        fail(c, VB_STEP_EXEC, r, "%s", v->exec_path);
}

_Noreturn void vb_child_main(struct vb_child_ctx *c)
{
        struct vb_void *v = c->v;
        int devnull = -1, ruleset = -1, r;
        bool early_filter;

        reset_signals();
        die_with_parent(c);
        if (c->two_stage) {
                two_stage(c);
        } else {
                if (c->ctr_sync)
                        sync_with_spawner(c, false);
                await_parent(c);
                if (c->become)
                        become(c);
                else
                        map_own_ids(c);
        }
        new_session(c);
        if (v->ns_mode[VB_NS_TIME] == VB_NS_FRESH && v->time_offsets) {
                /* Offsets can only be set before any process enters; execve() below enters it. */
                if (unshare(CLONE_NEWTIME) < 0)
                        fail(c, VB_STEP_TIME, NEG_ERRNO(), NULL);
                r = vb_ns_write_time_offsets(v->off_monotonic, v->off_boottime);
                if (r < 0)
                        fail(c, VB_STEP_TIME, r, NULL);
        }
        build_root(c, &devnull);
        settle_environment(c);
        await_spawner(c); /* before the capabilities go: unsharing the cgroup namespace needs CAP_SYS_ADMIN */
        lock_down(c, &ruleset);
        if (v->ctr && v->ctr->gate_fd >= 0)
                hold_at_gate(c);
        if (c->warm_fd < 0)
                cloexec_early(c);
        /*
         * A warm void waits here for its request, its capabilities dropped.  The built-in policy
         * allows all that follows (write, recvmsg, Landlock's calls, the fds, exec: ordinary calls
         * of its allow list; test_warm.c proves it), so it goes on first, off the spawn path (the
         * kernel takes ~100 us to attach it); a caller's own policy may forbid recvmsg(), so it
         * goes on after.  Landlock's ruleset is made before the wait (lock_down()), and the
         * fds' rules and the restriction come after the request, so that the fds it brings are
         * confined as a cold void's are.
         */
        early_filter = c->warm_fd >= 0 && v->seccomp_mode == VB_SECCOMP_DEFAULT && !v->observe;
        if (early_filter)
                install_filter(c);
        if (c->warm_fd >= 0)
                vb_warm_await(c);
        confine(c, ruleset);
        if (!early_filter) {
                /* Before the policy, which might not allow seccomp(2) or sendmsg(2); both filters then hold. */
                if (v->observe && (r = vb_observe_install(v)) < 0)
                        fail(c, VB_STEP_SECCOMP, r, "the observer's filter");
                install_filter(c);
        }
        arrange_fds(c, devnull);
        apply_rlimits(c);
        vb_init_run(c); /* pid 1 stays there; the program (its child) goes on */
        if (v->exec_fd >= 0) {
                syscall(SYS_execveat, v->exec_fd, "", v->argv, v->env, AT_EMPTY_PATH);
                r = NEG_ERRNO();
        } else {
                r = exec_search(v);
        }
        exec_failed(c, r);
}

/*
 * vb_void_join()'s child: enter the running void's namespaces through its
 * init's pidfd (all at once), then fork, since a pid namespace entered takes
 * only children; the grandchild takes the void's restrictions and execs.  Our
 * process relays the grandchild's end, as two_stage() does.
 */
_Noreturn void vb_child_join_main(struct vb_child_ctx *c, int init_pidfd, int ns_flags)
{
        int devnull, ruleset;
        pid_t pid;

        reset_signals();
        die_with_parent(c);
        /* In the void's v1 cgroups before anything of its own (c->sync). */
        await_parent(c);
        /* The host's /dev/null, for fds 0-2 not handed in: the void's root may have none. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                fail(c, VB_STEP_DEVNULL, NEG_ERRNO(), NULL);
        if (setns(init_pidfd, ns_flags) < 0)
                fail(c, VB_STEP_JOIN, NEG_ERRNO(), "the void's namespaces");
        close(init_pidfd);
        /* A void of its own uid: the newcomer is that uid too (mapped in the namespace it joined). */
        become(c);
        pid = fork();
        if (pid < 0)
                fail(c, VB_STEP_FORK, NEG_ERRNO(), NULL);
        if (pid > 0)
                relay_end(pid);
        die_with_parent(c);
        new_session(c);
        if (chdir(c->v->cwd ? c->v->cwd : "/") < 0)
                fail(c, VB_STEP_CHDIR, NEG_ERRNO(), "%s", c->v->cwd);
        lock_down(c, &ruleset);
        confine(c, ruleset);
        install_filter(c);
        arrange_fds(c, devnull);
        apply_rlimits(c);
        exec_failed(c, exec_search(c->v));
}
