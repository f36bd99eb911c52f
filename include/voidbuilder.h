/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidbuilder: start a process in a void, then give back only what it needs.
 *
 * A void is a process created by one clone3() call in eight new namespaces
 * (user, mount, pid, net, ipc, uts, cgroup, time), with an empty read-only
 * tmpfs as its root, no capabilities, no_new_privs, a default seccomp filter,
 * a cleared environment and only the file descriptors handed in.  Every
 * vb_void_*() setter below makes the void a little less empty.
 *
 * Conventions (all functions):
 *   - Functions returning int return >= 0 on success and -errno on failure.
 *   - Functions taking `struct vb_error **err` also store a human-readable
 *     message there on failure when err != NULL (free with vb_error_free()).
 *   - Strings and fds passed in are copied / duplicated unless said otherwise;
 *     the caller keeps ownership of what it passed.
 *   - The library never prints and never exits.
 *
 * Thread safety: a struct vb_void must not be used from two threads at once.
 * vb_void_spawn() forks the calling thread with clone3(); the child calls
 * async-signal-unsafe helpers (libmnl, libcap), so spawn from a process that
 * has no other threads, or from a thread that no other thread races on malloc.
 * The void's death signal (PR_SET_PDEATHSIG) follows the *thread* that spawned it.
 */
#ifndef VOIDBUILDER_H
#define VOIDBUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VB_API          __attribute__((visibility("default")))
#define VB_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define VB_WUR          __attribute__((warn_unused_result))
#define VB_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define VB_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------ */

/* An error with context: msg reads "mounting /proc: creating target: Permission denied". */
struct vb_error {
        int errnum; /* positive errno */
        char *msg;  /* full message, including strerror(errnum) */
        char *step; /* setup step that failed inside the child, or NULL */
};

/*
 * Record an error.  errnum is an errno of either sign (r or errno).  If err is
 * non-NULL and *err is NULL, a new vb_error reading "<fmt>: strerror(errnum)"
 * is stored; if *err already holds one, it is kept (the first cause wins).
 * Returns -errnum, so callers can write `return vb_error_set(err, r, ...)`;
 * errnum 0 (a caller that lost its cause) is recorded and returned as EIO.
 * Out of memory, the message may be NULL or missing; the return is the same.
 */
VB_API int vb_error_set(struct vb_error **err, int errnum, const char *fmt, ...) VB_PRINTF(3, 4);
/*
 * Add context to the failure r that a callee returned, and return r: always
 * -errno of r's cause, whatever err holds, so a wrap never changes or invents
 * the errno the caller got (`return vb_error_wrap(err, r, "mounting %s", p)`).
 * r is an errno of either sign; r == 0 is no failure: 0, nothing recorded.
 *   - err NULL: nothing is recorded.
 *   - *err NULL (the callee takes no sink): as vb_error_set(err, r, ...).
 *   - *err set: its message becomes "<fmt>: " + the old message, so wraps
 *     layer outward ("a: b: Permission denied"); its errnum (the first cause)
 *     is kept.
 */
VB_API int vb_error_wrap(struct vb_error **err, int r, const char *fmt, ...) VB_PRINTF(3, 4);
/* Free an error; accepts NULL.  Returns NULL. */
VB_API struct vb_error *vb_error_free(struct vb_error *e);

/* ---- namespaces -------------------------------------------------------- */

enum vb_ns {
        VB_NS_USER,
        VB_NS_MNT,
        VB_NS_PID,
        VB_NS_NET,
        VB_NS_IPC,
        VB_NS_UTS,
        VB_NS_CGROUP,
        VB_NS_TIME,
        VB_NS_COUNT,
};

enum vb_ns_mode {
        VB_NS_FRESH,  /* a new, empty namespace (the default for all eight) */
        VB_NS_SHARED, /* stay in the caller's namespace */
        VB_NS_JOIN,   /* setns() into the namespace behind an fd */
};

/* Short name of a namespace ("user", "mnt", "net", ...) or NULL when out of range. */
VB_API const char *vb_ns_name(enum vb_ns ns);
/* Parse a namespace name (also accepts "mount"); returns the vb_ns or -EINVAL. */
VB_API int vb_ns_from_name(const char *name);

/* ---- the builder ------------------------------------------------------- */

struct vb_void;
struct vb_proc;

/* A new, empty void.  Returns NULL on out-of-memory. */
VB_API struct vb_void *vb_void_new(void) VB_WUR;
/* Free a void and every fd it holds; accepts NULL; returns NULL. */
VB_API struct vb_void *vb_void_free(struct vb_void *v);

/*
 * Choose how the void gets namespace ns.  For VB_NS_JOIN, fd is an open
 * namespace fd (from /proc/PID/ns/NAME or a pidfd) and is duplicated; otherwise
 * fd is ignored.  -EINVAL for a bad ns or mode, -EBADF for a bad fd.
 * Sharing the mount namespace is refused (-EINVAL): a void always builds
 * its own root.
 */
VB_API int vb_void_set_ns(struct vb_void *v, enum vb_ns ns, enum vb_ns_mode mode, int fd) VB_NONNULL(1);

/*
 * The void's uid and gid inside its user namespace (default 0 and 0).  One
 * uid and gid outside are mapped to them, one id each: the caller's effective
 * ones, or the void's own (vb_void_identity(), the default for the host's
 * root), and no other id exists in the namespace, so the program cannot change
 * to another (setgroups(2) is denied as well, or has no group to give).  Whatever the ids, the void's setup
 * runs with every capability of its namespace, and the program starts with all
 * capability sets empty (unless vb_void_keep_cap() keeps some).  Useful where a
 * peer checks the uid it is told, e.g. D-Bus EXTERNAL authentication: give the
 * caller's own ids.  Needs a fresh user namespace: -EINVAL when it is shared or
 * joined (also from a later vb_void_set_ns()), or for an id of (uid_t)-1.
 */
VB_API int vb_void_set_ids(struct vb_void *v, uid_t uid, gid_t gid) VB_NONNULL(1);

/*
 * Who the void is on the host (doc/servers.md, "auth": the default identity).
 * Whatever the choice, the void's ids inside are vb_void_set_ids()'s (0, 0 by
 * default), with no capabilities outside its own namespaces.
 *
 *   VB_IDENTITY_AUTO      the default: RESERVED when the caller is the host's
 *                         root (uid 0 of the initial user namespace) and the
 *                         void's user namespace is fresh, HOST otherwise (root
 *                         of another user namespace is a host uid already).
 *   VB_IDENTITY_HOST      the caller's own uid and gid (and, for root, its
 *                         supplementary groups): a root caller's void is host
 *                         root, as an explicit choice.
 *   VB_IDENTITY_RESERVED  a uid and gid of the void's own, taken at spawn from
 *                         the range reserved for voidshim in /etc/subuid and
 *                         /etc/subgid (user "voidshim"), never shared with
 *                         another running void (a lock in /run/voidshim/ids),
 *                         no supplementary groups.  RLIMIT_NPROC then binds.
 *                         Every bind is an idmapped mount (mount_setattr(2),
 *                         MOUNT_ATTR_IDMAP) that shows what the caller owns as
 *                         the void's and writes what the void creates as the
 *                         caller's; device binds (VB_MOUNT_DEV) are not, and a
 *                         read-only bind whose file system cannot be idmapped
 *                         is plain (its files read by their "other" bits).
 *                         The anonymous pipes handed in, and the terminal of
 *                         vb_void_terminal(), are given to its uid (fchown),
 *                         so that they open again through /proc/self/fd; a
 *                         file or another terminal stays the caller's.
 *                         Needs root; a spawn fails with -ENOENT (and err
 *                         saying how to reserve one) when no range is reserved,
 *                         -EUSERS when every id is in use, -EINVAL for a
 *                         writable bind on a file system without idmapped
 *                         mounts.
 *
 * -EINVAL for an unknown value.  A spawn refuses RESERVED without a fresh user
 * namespace, or from a caller who is not root (-EPERM).
 */
enum vb_identity {
        VB_IDENTITY_AUTO,
        VB_IDENTITY_HOST,
        VB_IDENTITY_RESERVED,
};
VB_API int vb_void_identity(struct vb_void *v, enum vb_identity id) VB_NONNULL(1);
/* "auto", "host", "reserved"; NULL when out of range. */
VB_API const char *vb_identity_name(enum vb_identity id);
/* Parse one of those names: the enum value or -EINVAL. */
VB_API int vb_identity_from_name(const char *name);

/* Mount flags for vb_void_bind() and vb_void_tmpfs(). */
enum {
        VB_MOUNT_RW = 1 << 0,       /* writable (binds are read-only by default) */
        VB_MOUNT_EXEC = 1 << 1,     /* tmpfs only: allow exec (tmpfs is noexec by default) */
        VB_MOUNT_NOEXEC = 1 << 2,   /* bind only: forbid exec */
        VB_MOUNT_DEV = 1 << 3,      /* keep device nodes usable (binds are nodev) */
        VB_MOUNT_OPTIONAL = 1 << 4, /* skip silently when the source is missing */
};

/*
 * Bind the host path src at dst inside the void (recursively), read-only,
 * nosuid and nodev unless flags say otherwise.  src is resolved when the
 * void is spawned, following symlinks on the host; dst must be absolute
 * and is created (as an empty file or directory).  -EINVAL for a relative
 * or ".."-containing dst.
 */
VB_API int vb_void_bind(struct vb_void *v, const char *src, const char *dst, unsigned flags) VB_NONNULL(1, 2, 3);
/*
 * Like vb_void_bind(), for a source the caller has already checked: the void
 * refuses to start (-ESTALE from step "mount") unless the file it opens at src
 * is the same (st_dev, st_ino) as the one checked.  This closes the window
 * between a caller's check of a path and the child's open of it, in which
 * someone able to rename a directory on the path could swap in a symlink.
 */
VB_API int vb_void_bind_checked(struct vb_void *v, const char *src, const char *dst, unsigned flags, dev_t dev,
                                ino_t ino) VB_NONNULL(1, 2, 3);
/* A fresh tmpfs at dst of at most size_bytes (0: 64 MiB), nosuid, nodev, noexec unless VB_MOUNT_EXEC. */
VB_API int vb_void_tmpfs(struct vb_void *v, const char *dst, uint64_t size_bytes, unsigned flags) VB_NONNULL(1, 2);
/* An empty directory, or a symlink dst -> target, inside the void's root. */
VB_API int vb_void_dir(struct vb_void *v, const char *dst, mode_t mode) VB_NONNULL(1, 2);
VB_API int vb_void_symlink(struct vb_void *v, const char *target, const char *dst) VB_NONNULL(1, 2, 3);
/*
 * A file at dst in the void's root holding the text contents (copied; at most
 * 64 KiB), with mode `mode`, owned by the void's uid 0: a synthesized
 * /etc/passwd, say.  Written while the root is built, read-only after, like
 * the root itself.  -EINVAL for a bad dst, a mode beyond 07777 or too much text.
 */
VB_API int vb_void_file(struct vb_void *v, const char *dst, const char *contents, mode_t mode) VB_NONNULL(1, 2, 3);
/*
 * Label the mounts the following calls add (explain shows "[label]" after each,
 * e.g. "profile python3"), until the next call; NULL stops.  Copied.  -ENOMEM.
 */
VB_API int vb_void_label(struct vb_void *v, const char *label) VB_NONNULL(1);

enum {
        VB_PROC_SUBSET_PID = 1 << 0, /* mount with subset=pid: only the /proc/PID dirs */
};
/*
 * A fresh procfs for the void's pid namespace at dst (normally "/proc"),
 * mounted before the old root is detached so that no host /proc is ever
 * bound underneath it.  nosuid, nodev, noexec.
 */
VB_API int vb_void_proc(struct vb_void *v, const char *dst, unsigned flags) VB_NONNULL(1, 2);
/*
 * A minimal /dev at dst: a small tmpfs holding null, zero, full, random,
 * urandom and tty (bound from the host), fd/stdin/stdout/stderr symlinks
 * into /proc/self/fd, a new devpts instance at pts with ptmx, and a tmpfs shm.
 */
VB_API int vb_void_dev(struct vb_void *v, const char *dst) VB_NONNULL(1, 2);

/*
 * The void's root: the host directory dir instead of the empty tmpfs, bound
 * recursively, nosuid and nodev, read-only unless flags holds VB_MOUNT_RW.
 * Every other mount goes on top of it, at a mount point that must exist in a
 * read-only root (a Debian tree has /proc, /dev, /sys, /tmp and /run): one
 * missing fails the spawn at step "mount" with EROFS.  dir is resolved when the
 * void is spawned, following symlinks on the host.  An OCI bundle's root.path
 * and root.readonly map onto it as (path, readonly ? 0 : VB_MOUNT_RW).
 * -EINVAL for a relative dir or another flag, -ENOMEM.
 */
VB_API int vb_void_root(struct vb_void *v, const char *dir, unsigned flags) VB_NONNULL(1, 2);
/*
 * The void's root: an overlay (overlayfs) whose lower layer is the host
 * directory lower, which is never written, and whose upper layer is a fresh
 * tmpfs of at most size_bytes (upper NULL; 0: 1 GiB) that goes with the
 * void, or the host directory upper, whose subdirectories upper/ and work/
 * (made when missing) keep every change across voids.  Writable, nosuid,
 * nodev; works unprivileged (overlayfs in a user namespace, with
 * user.overlay.* extended attributes).  -EINVAL for a relative path.
 */
VB_API int vb_void_root_overlay(struct vb_void *v, const char *lower, const char *upper, uint64_t size_bytes)
        VB_NONNULL(1, 2);
/*
 * A fresh sysfs at dst (normally "/sys"), read-only, nosuid, nodev, noexec:
 * it shows the network devices of the void's own network namespace, which
 * must be fresh or one its user namespace owns (a network caretaker's, joined
 * with its user namespace); the kernel refuses it otherwise (step "mount").
 */
VB_API int vb_void_sys(struct vb_void *v, const char *dst) VB_NONNULL(1, 2);
/*
 * Never show the host path host_path (absolute; resolved now when it
 * exists) in the void: wherever a bind, granted or made by a server, would
 * show it or something below it, the void finds an empty read-only tmpfs
 * instead (mounted last, so it covers every bind).  For what must stay out
 * whatever is granted, such as voidshim's control sockets.  A bind of
 * something inside host_path, asked for by name, is left as it is; and a
 * path that appears later below a bind (made on the host while the void
 * runs) is not covered: the owner of such a path must check its peers too.
 * -EINVAL for a relative path.
 */
VB_API int vb_void_hide(struct vb_void *v, const char *host_path) VB_NONNULL(1, 2);

/* Bring the loopback interface up in the void's (fresh) network namespace. */
VB_API int vb_void_loopback(struct vb_void *v) VB_NONNULL(1);

/*
 * The highest fd number a void can be handed: 2^20 - 1, as under Linux's
 * default fs.nr_open (no process may hold a higher fd unless an administrator
 * raised it).  A target must also be below the void's RLIMIT_NOFILE (soft)
 * limit, or vb_void_spawn() fails at step "fds".
 */
#define VB_FD_TARGET_MAX ((1 << 20) - 1)
/*
 * Hand host fd `fd` to the void as fd number `target` (duplicated now; the
 * caller keeps its fd).  -EBADF for a bad fd, -EINVAL for a target that is
 * negative, above VB_FD_TARGET_MAX or given twice, -EBADFD for an O_PATH fd
 * (a path, not an object).  Every fd not handed in is closed before exec;
 * fds 0, 1, 2 not handed in are opened on /dev/null.  With Landlock
 * (vb_void_landlock()) the fd is confined to its object (doc/fds.md): a
 * directory gives reading beneath it and nothing above, a file opened again
 * through /proc/self/fd gets no more than its own open mode.
 */
VB_API int vb_void_keep_fd(struct vb_void *v, int fd, int target) VB_NONNULL(1);
/*
 * Give the void terminal fd `fd` (a pty slave, e.g. from vb_caretaker_pty())
 * as fds 0, 1 and 2, in place of any handed in before, and as its controlling
 * terminal: TIOCSCTTY right after the void's setsid(), so /dev/tty, job
 * control and the hangup of the terminal reach the void.  Duplicated now; the
 * caller keeps its fd.  -ENOTTY when fd is not a terminal.
 */
VB_API int vb_void_terminal(struct vb_void *v, int fd) VB_NONNULL(1);
/* Add NAME=VALUE to the void's environment (it starts empty). -EINVAL for a bad name. */
VB_API int vb_void_setenv(struct vb_void *v, const char *name, const char *value) VB_NONNULL(1, 2, 3);
/* Working directory inside the void (default "/"). */
VB_API int vb_void_chdir(struct vb_void *v, const char *path) VB_NONNULL(1, 2);
/* Hostname inside the void (default "void"). -EINVAL when longer than 64 bytes. */
VB_API int vb_void_hostname(struct vb_void *v, const char *name) VB_NONNULL(1, 2);
/* setrlimit() in the void before exec. resource is RLIMIT_*. */
VB_API int vb_void_rlimit(struct vb_void *v, int resource, uint64_t soft, uint64_t hard) VB_NONNULL(1);
/* Offset CLOCK_MONOTONIC or CLOCK_BOOTTIME inside the void's time namespace. */
VB_API int vb_void_time_offset(struct vb_void *v, int clockid, int64_t seconds) VB_NONNULL(1);
/* Keep capability cap (CAP_*) instead of dropping it: it stays in every set, ambient too. */
VB_API int vb_void_keep_cap(struct vb_void *v, int cap) VB_NONNULL(1);

enum vb_seccomp_mode {
        VB_SECCOMP_DEFAULT, /* the built-in policy (vb_seccomp_default_policy()) */
        VB_SECCOMP_OFF,     /* no filter at all */
        VB_SECCOMP_POLICY,  /* a text policy given with vb_void_seccomp() */
};
/*
 * Choose the seccomp filter.  For VB_SECCOMP_POLICY, policy is the text of
 * a policy (see doc/seccomp-policy.md) and name is used in error messages
 * ("FILE:LINE: ..."); the policy is compiled now and errors go to err.
 */
VB_API int vb_void_seccomp(struct vb_void *v, enum vb_seccomp_mode mode, const char *policy, const char *name,
                           struct vb_error **err) VB_NONNULL(1);
/* The built-in seccomp policy text (static storage). */
VB_API const char *vb_seccomp_default_policy(void);

/* Landlock access rights for vb_void_landlock_allow(). */
enum {
        VB_LANDLOCK_READ = 1 << 0,  /* read files, list directories */
        VB_LANDLOCK_WRITE = 1 << 1, /* write, create, remove, rename */
        VB_LANDLOCK_EXEC = 1 << 2,  /* execute */
};
/*
 * Turn on Landlock: after this, the void may touch only the paths given with
 * vb_void_landlock_allow() (paths are void paths, resolved after pivot_root),
 * the mounts servers add later (vb_void_server(): each gets a rule allowing
 * what it allows), and what the fds handed in are (doc/fds.md: a directory
 * fd gives reading beneath it and nothing above; a file opened again through
 * /proc/self/fd gets no more than its own open mode).  On a kernel with
 * Landlock ABI 6 the void is also scoped: it cannot connect to abstract unix
 * sockets nor signal processes outside itself, even in a shared network or
 * pid namespace.  -EOPNOTSUPP when the kernel has no Landlock.
 */
VB_API int vb_void_landlock(struct vb_void *v) VB_NONNULL(1);
/* A rule: path (absolute, in the void) and VB_LANDLOCK_* (not 0).  -EINVAL, -E2BIG past 64 rules. */
VB_API int vb_void_landlock_allow(struct vb_void *v, const char *path, unsigned access) VB_NONNULL(1, 2);
/*
 * Where the kernel has no Landlock: refuse what only Landlock would confine
 * (doc/fds.md), and record for explain that this check stands in for it.
 * Call it after every fd and mount is given.  -EPERM, with err naming the fd,
 * for a directory handed in (openat(fd, "..") reaches its parents), and, when
 * the void reaches /proc (a procfs or CAP_SYS_ADMIN), for a regular file,
 * named FIFO or device handed in (it could be opened again with more
 * rights); 0 otherwise.
 */
VB_API int vb_void_landlock_fallback(struct vb_void *v, struct vb_error **err) VB_NONNULL(1);
/*
 * Hand the fds that are terminals in confined (doc/servers.md, "term"):
 * seccomp rules refuse (EPERM) every ioctl that changes a terminal (termios,
 * window size, flushing, flow, breaks, foreground group, controlling
 * terminal, line discipline, modem lines, ...), on any fd, so the caller's
 * terminal can be read, written and looked at but not changed.  A no-op when
 * no fd handed in so far is a terminal.  Appended like a denied server's
 * rules (vb_void_seccomp_append()); errors go to err.
 */
VB_API int vb_void_confine_terminals(struct vb_void *v, struct vb_error **err) VB_NONNULL(1);

/* Start the void inside this cgroup v2 directory (CLONE_INTO_CGROUP); fd is duplicated. */
VB_API int vb_void_cgroup(struct vb_void *v, int cgroup_dirfd) VB_NONNULL(1);

/*
 * Limits on everything the void's processes use together, enforced by
 * cgroups (doc/voidshim-run.1, --limit).  0 leaves a resource unlimited.
 *   pids    at most this many processes and threads at once (fork, clone:
 *           EAGAIN beyond), >= 1;
 *   memory  bytes of memory charged to the void: anonymous memory, page
 *           cache, tmpfs and memfd pages (which RLIMIT_AS does not see), and
 *           no swap beyond it; past it the kernel reclaims, then kills in
 *           the void (OOM); >= 1 MiB;
 *   cpu     CPU time, in percent of one CPU (50: half a CPU, 200: two), over
 *           periods of 100 ms; 1 .. 100000.
 */
struct vb_limits {
        uint64_t pids;
        uint64_t memory;
        uint32_t cpu;
};
#define VB_LIMIT_PIDS_MAX   4194304ULL   /* the kernel's PID_MAX_LIMIT */
#define VB_LIMIT_MEMORY_MIN (1ULL << 20) /* below that not even an exec fits */
#define VB_LIMIT_CPU_MAX    100000U      /* percent: a thousand CPUs */
/*
 * Give the void limits l (copied; replaces earlier ones).  At spawn the
 * library makes a cgroup of the void's own for them, named voidshim-PID-N,
 * below the caller's cgroup: in the cgroup v2 hierarchy where the controller
 * is enabled for it (a delegated subtree; the void is started in it with
 * CLONE_INTO_CGROUP), else in the v1 hierarchy of the controller (hybrid
 * hosts), where the void's first process is moved before any program of its
 * own runs.  The layout is read from /proc/self/mountinfo and
 * /proc/self/cgroup.  The cgroup goes when the void is reaped
 * (vb_proc_wait(), vb_proc_free()); one left by a caller that was killed is
 * removed by the next spawn with limits under the same cgroup.  A limit that
 * cannot be applied fails the spawn, with err saying why (-EOPNOTSUPP: no
 * hierarchy has the controller for this caller; -EACCES: no cgroup this
 * caller may create), never leaving the void unlimited.  With
 * vb_void_cgroup() too, the given cgroup is the parent of the void's.
 * -EINVAL for a value out of range.
 */
VB_API int vb_void_limits(struct vb_void *v, const struct vb_limits *l) VB_NONNULL(1, 2);
/*
 * Set one limit of l from its name and text, as voidshim's --limit and a
 * spec's "limits" write them: pids=N, memory=SIZE (vb_parse_size(): "64m"),
 * cpu=P% (percent of one CPU).  0; -EINVAL for a bad value, -ENOENT for an
 * unknown name, each with *why a static phrase to follow the name
 * ("must be a number of processes, 1 to 4194304").  Pure.
 */
VB_API int vb_limit_parse(struct vb_limits *l, const char *name, const char *value, const char **why)
        VB_NONNULL(1, 2, 3, 4);

/*
 * What to run.  vb_void_exec_path(): path as seen *inside* the void.
 * vb_void_exec_fd(): an fd opened on the host before entering (O_PATH or
 * O_RDONLY; duplicated), run with execveat(AT_EMPTY_PATH), so a static binary
 * runs in an entirely empty root.  argv is copied; argv[0] is required.
 * Each replaces the program set before.  -EINVAL for an empty path or argv,
 * -EBADF for a bad fd, -ENOMEM; a call that fails leaves the void's program,
 * argv and fd as they were.
 */
VB_API int vb_void_exec_path(struct vb_void *v, const char *path, char *const argv[]) VB_NONNULL(1, 2, 3);
VB_API int vb_void_exec_fd(struct vb_void *v, int fd, char *const argv[]) VB_NONNULL(1, 3);
/*
 * vb_void_exec_fd() of the host file at the absolute path `path`, opened now
 * (O_RDONLY): the void needs nothing of its file system to start it, and the
 * library knows where it came from, so the exec server's fresh mode can bind
 * its ELF closure and explain names it.  -EINVAL for a relative path, the
 * open's -errno (-ENOENT, -EACCES) otherwise.
 */
VB_API int vb_void_exec_host(struct vb_void *v, const char *path, char *const argv[]) VB_NONNULL(1, 2, 3);

/*
 * Bind the ELF dependency closure of the host binary `path` (itself, its
 * PT_INTERP, its DT_NEEDED libraries found through DT_RUNPATH/DT_RPATH,
 * ld.so.cache and the default directories, recursively) read-only at the same
 * paths, recreating the symlinks on the way.  -ENOEXEC if path is not ELF,
 * -ENOENT with err naming a library that cannot be found.
 */
VB_API int vb_void_add_libs(struct vb_void *v, const char *path, struct vb_error **err) VB_NONNULL(1, 2);
/*
 * (vb_void_add_libs() also takes a "#!" script: the script is bound at its
 * path, read-only, and its interpreter's closure added, up to 4 levels.)
 *
 * Does the host program at path load code at run time that its ELF closure
 * cannot show?  1 when it (or, for a "#!" script, its interpreter) names
 * dlopen among its dynamic symbols: python3's extension modules, plugins,
 * NSS modules loaded on its own; 0 when not; -errno (-ENOEXEC: not ELF, -ENOENT).
 */
VB_API int vb_program_loads_code(const char *path) VB_NONNULL(1);
/*
 * What the kernel runs first for the host program at path: the #! interpreter
 * of a script, or the PT_INTERP dynamic loader of an ELF file, into buf
 * (len bytes, NUL-terminated).  Returns its length, 0 for a static ELF
 * program, -ENOEXEC when path is neither, -ENAMETOOLONG, or -errno.
 */
VB_API int vb_program_interpreter(const char *path, char *buf, size_t len) VB_NONNULL(1, 2);

/*
 * Observe the void, for learning what a program uses (voidshim learn): each of
 * the system calls named in syscalls (libseccomp names, NULL-terminated; names
 * the architecture lacks, like "open" on arm64, are skipped), made by the
 * program or any process it starts, stops until an observer answers it
 * (seccomp user notification, seccomp_unotify(2); the void's other filters
 * still apply, and a call they refuse never reaches the observer).  The child
 * sends the listener fd over the unix socket sock (one SCM_RIGHTS message,
 * vb_fd_recv()) before it execs the program, whose own execve is then the
 * first notification: the caller must receive and answer them from another
 * thread or process started before vb_void_spawn() (usually with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE), or the void waits forever.  What a
 * notification's memory shows may change before the call runs: fit for
 * observing, not for enforcing.  sock is duplicated.  -EINVAL (with err) for
 * an unknown name, -ENOMEM.  Explain lists the observed calls.
 */
VB_API int vb_void_observe(struct vb_void *v, const char *const *syscalls, int sock, struct vb_error **err)
        VB_NONNULL(1, 2);

/* ---- pid 1, and joining a running void ------------------------------------ */

enum {
        VB_INIT_HOLD = 1 << 0, /* stay after the program ends, or run with no program at all (a session) */
};
/*
 * A minimal reaper of the library's is the void's pid 1: it forks the
 * program, forwards to it SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
 * SIGWINCH and SIGCONT, reaps every orphan (so zombies never pile up under a
 * program that does not wait), and exits with the program's exit code (128+N
 * when a signal N killed it).  It runs as confined as the program (ids,
 * capabilities, no_new_privs, Landlock, seccomp, rlimits) and holds none of
 * its fds.  With VB_INIT_HOLD it stays after the program ends, and the
 * program may be left out (no vb_void_exec_*()): the void then waits for
 * processes to start in it (vb_void_newcomer(), vb_void_join()) until
 * SIGTERM, on which the reaper sends SIGTERM to every process of the void,
 * waits at most 5 s for them, SIGKILLs what is left and exits 0.  A held
 * reaper keeps one socket (close-on-exec, never the program's) on which it
 * forks newcomers (vb_void_newcomer()); its seccomp policy must then allow
 * signalfd4, poll, recvmsg, sendmsg, clone, pipe2, pidfd_open, dup3, chdir,
 * setsid and execve (the built-in one does).  Needs a fresh pid namespace
 * (-EINVAL at spawn otherwise); -EINVAL for an unknown flag.
 */
VB_API int vb_void_init(struct vb_void *v, unsigned flags) VB_NONNULL(1);

struct vb_warm_fd;
/* A program started in a running void (vb_void_join()). */
struct vb_join {
        const char *path;             /* a path in the void; without "/", searched in the void's PATH */
        char *const *argv;            /* argv[0] included */
        char *const *env;             /* NULL-terminated; NULL: the void's environment */
        const char *cwd;              /* NULL: the void's working directory */
        const struct vb_warm_fd *fds; /* handed in as their targets; 0, 1, 2 not given are /dev/null */
        size_t n_fds;
};
/*
 * Start j's program inside the running void p, which vb_void_spawn(v) made,
 * as confined as p's program: it enters every namespace of the void that is
 * not the caller's (setns() through p's pidfd: user, mount, hence the same
 * root, pid, net, ipc, uts, cgroup, time), starts in v's cgroup, becomes a
 * new session, and gets v's capabilities (none unless kept), no_new_privs,
 * Landlock rules, seccomp filter and rlimits; its ids are the void's, since
 * the caller's one id is mapped to them.  v must be the void that was
 * spawned (unchanged).  On success *out is a handle to a process of the
 * caller's that ends with the program's status (vb_proc_wait(), vb_proc_kill()
 * forward to it; vb_proc_free() kills it).  -ESRCH when the void has ended,
 * -EINVAL for a bad j, a failing step as from vb_void_spawn() (err->step
 * "setns", "exec", ...).
 */
VB_API int vb_void_join(struct vb_void *v, struct vb_proc *p, const struct vb_join *j, struct vb_proc **out,
                        struct vb_error **err) VB_NONNULL(1, 2, 3, 4);
/*
 * Start j's program inside the running held void p (vb_void_init() with
 * VB_INIT_HOLD) as a child of its pid 1, which forks it: it is born with
 * exactly what the void's first process has, inherited, not rebuilt: every
 * namespace, ids, capabilities, no_new_privs, the same Landlock domain (so
 * Landlock's scopes let it signal the void's other processes and reach their
 * abstract unix sockets, as vb_void_join()'s newcomer, a domain of its own,
 * may not), the same seccomp filter, rlimits and cgroups.  It becomes a new
 * session; j->fds are handed in at their targets (at most 32, each at most
 * 1023; 0, 1 and 2 not given are the caller's /dev/null); j->env NULL: the
 * void's environment; j->cwd NULL: the void's directory.  At most 128 KiB of
 * path, arguments and environment, 8192 strings, 64 newcomers running at
 * once.  On success *out is a handle (free with vb_proc_free(), which kills
 * it): vb_proc_pid() is its pid as the caller sees it, vb_proc_pidfd() a
 * pidfd that polls readable when it ends, vb_proc_kill() signals it, and
 * vb_proc_wait() blocks until pid 1 has reaped it and says its status (when
 * pid 1 is gone first, SIGKILL, as every process of the void has got).
 * Thread-safe for one p.  -EOPNOTSUPP when p's pid 1 is not a held reaper
 * of the library's, -ESRCH when the void has ended, -EINVAL for a bad j,
 * -E2BIG for too long a j, -EAGAIN with 64 newcomers running, a failing step
 * as from vb_void_spawn() (err->step "exec", "chdir", ...).
 */
VB_API int vb_void_newcomer(struct vb_proc *p, const struct vb_join *j, struct vb_proc **out, struct vb_error **err)
        VB_NONNULL(1, 2, 3);

/* ---- servers: the environment model (doc/servers.md) --------------------- */

/*
 * The Hurd servers a void's world is made of, and how the void gets each.
 * Same order and names as the spec's "environment" section.
 */
enum vb_server {
        VB_SERVER_FS,   /* root file system (mount ns, pivot_root) */
        VB_SERVER_EXEC, /* execve and the dynamic loader */
        VB_SERVER_PROC, /* pid ns + procfs */
        VB_SERVER_AUTH, /* user ns, uid maps */
        VB_SERVER_NET,  /* pfinet: the network namespace */
        VB_SERVER_UNIX, /* pflocal: AF_UNIX sockets */
        VB_SERVER_TERM, /* term: terminals */
        VB_SERVER_DEV,  /* null, zero, random...: /dev */
        VB_SERVER_IPC,  /* SysV and POSIX message queues, semaphores, shared memory */
        VB_SERVER_UTS,  /* hostname */
        VB_SERVER_TIME, /* /dev/time: the time namespace */
        VB_SERVER_COUNT,
};

enum vb_server_mode {
        VB_SERVER_FRESH,   /* its own new instance */
        VB_SERVER_SHARED,  /* the caller's */
        VB_SERVER_DENIED,  /* a no-op server: every use fails with vb_server_denied_errno() */
        VB_SERVER_PROXIED, /* a caretaker of the caller's stands in between */
        VB_SERVER_MODE_COUNT,
};

/* "fs", "exec", ... / "fresh", "shared", ... (NULL when out of range). */
VB_API const char *vb_server_name(enum vb_server s);
VB_API const char *vb_server_mode_name(enum vb_server_mode m);
/* Parse a name; returns the enum value or -EINVAL. */
VB_API int vb_server_from_name(const char *name);
VB_API int vb_server_mode_from_name(const char *name);
/*
 * NULL when Linux (and voidshim) can give server s in mode m; otherwise a
 * static sentence saying why not ("the vDSO answers clock_gettime ...").
 */
VB_API const char *vb_server_refusal(enum vb_server s, enum vb_server_mode m);
/* The one errno a denied server answers with (EACCES, ENOTTY, ENOENT), 0 when out of range. */
VB_API int vb_server_denied_errno(enum vb_server s);

/*
 * Give the void server s in mode m, through the setters above (namespaces,
 * binds, /proc, /dev, loopback, Landlock) and extra seccomp rules
 * (vb_void_seccomp_append()).  Call it after the other setters and after the
 * program is chosen: a denied server looks at what is already granted (fds
 * that are terminals, Landlock rules, mounts) and refuses contradictions with
 * -EINVAL.  The proxied modes only check that the caller did its part
 * (VB_SERVER_NET: the net ns is VB_NS_JOIN'ed into the caretaker's;
 * VB_SERVER_TERM: the caretaker's pty is handed in with vb_void_terminal(),
 * and is then also bound at /dev/console when the void has a /dev), since a
 * caretaker is a process of the caller's, not of the library.
 * -EOPNOTSUPP, with vb_server_refusal()'s sentence in err, for a mode Linux
 * cannot give.
 */
VB_API int vb_void_server(struct vb_void *v, enum vb_server s, enum vb_server_mode m, struct vb_error **err)
        VB_NONNULL(1);

/*
 * Append seccomp rules (doc/seccomp-policy.md, without a "default" line) to
 * the void's current policy: the default policy, the text given with
 * vb_void_seccomp(), or nothing when seccomp is off.  An `override` rule
 * among them replaces the current policy's rules for the same call and
 * conditions (how a denied server turns the default allow list's `allow` into
 * EACCES).  The result is compiled now; errors go to err with name and the
 * line number in the combined text.  A later vb_void_seccomp() replaces the
 * combined policy.
 */
VB_API int vb_void_seccomp_append(struct vb_void *v, const char *rules, const char *name, struct vb_error **err)
        VB_NONNULL(1, 2);

/* ---- caretakers: revocable forwarders between a void and the outside ------- */

/*
 * A caretaker is a process of the caller's that holds the real object and
 * hands the void an endpoint to itself, never the real object.  Each one is
 * a child of the calling thread that dies with it (PR_SET_PDEATHSIG, checked
 * against a parent that died first) and when its control pipe closes.
 * Revoking it (vb_caretaker_revoke) closes that pipe, SIGKILLs it through its
 * pidfd and reaps it: every later use by the void fails (ECONNREFUSED on
 * connect, EOF/ECONNRESET/EPIPE on an open connection), and the void's
 * program keeps running.  The caller must reap nothing itself.  Like every
 * helper process of the library (inbox holder, pools), a caretaker inherits
 * none of the caller's signal handlers, ignored or blocked signals, nor any
 * fd but those it serves (0-2 are /dev/null; xdg-dbus-proxy keeps stderr).
 */
struct vb_caretaker;

/*
 * A socket forwarder: listens on a new AF_UNIX stream socket at host path
 * sock_path (which must not exist; bind it into a void with vb_void_bind(...,
 * VB_MOUNT_RW)) and forwards every connection to upstream, "tcp:HOST:PORT"
 * or "unix:/PATH".  Fds passed with SCM_RIGHTS in either direction are closed
 * by the forwarder and never cross.  -EINVAL (with err) for a bad upstream.
 */
VB_API int vb_caretaker_forward(const char *sock_path, const char *upstream, struct vb_caretaker **out,
                                struct vb_error **err) VB_NONNULL(1, 2, 3);

/*
 * One destination that a network caretaker lets through: a port of the host's
 * loopback (family 0, the original form) or a port of one remote host.  New
 * fields are added at the end; all of them zero means the host's loopback.
 */
struct vb_net_allow {
        bool udp;         /* UDP rather than TCP */
        uint16_t port;    /* family 0: on 127.0.0.1, the same number inside and outside */
        int family;       /* 0 (the host's loopback), AF_INET or AF_INET6 */
        uint8_t addr[16]; /* AF_INET: 4 bytes, AF_INET6: 16 bytes, network order */
};
/*
 * Parse one allowlist entry, as `voidshim run --net-allow` and a spec's
 * environment take it: "[tcp:|udp:][HOST:]PORT".  Without HOST, or with
 * 127.0.0.1 or localhost, it is a port of the host's loopback (family 0).
 * Otherwise HOST is a numeric IPv4 address or an IPv6 one in brackets
 * ("tcp:[2001:db8::1]:443"); names are not resolved.  -EINVAL when it is not
 * one, or names an address no caretaker can route to (the void's own
 * loopback, ::1, multicast, unspecified, link-local IPv6, the caretaker's
 * link), with *why (if why is non-NULL) a static one-line reason.
 */
VB_API int vb_net_allow_parse(const char *text, struct vb_net_allow *out, const char **why) VB_NONNULL(1, 2);
/*
 * Is text an allowlist entry that names a host by name, "[tcp:|udp:]NAME:PORT"
 * (NAME letters, digits, dots and hyphens, not an address; PORT 1 to 65535)?
 * Pure: nothing is looked up (vb_net_allow_resolve() does that).
 */
VB_API bool vb_net_allow_is_name(const char *text) VB_NONNULL(1);
/*
 * vb_net_allow_parse(), where HOST may also be a host name: the name is
 * resolved now (getaddrinfo(3): the caller's resolver, once, when the entry is
 * granted) and each of its addresses that a caretaker can route to becomes an
 * entry, at most max of them in out.  Returns how many (1 for a numeric entry),
 * with the name in name (name_len bytes; "" for a numeric entry), so that the
 * caller can put it in the void's /etc/hosts: the void itself needs no
 * resolver.  -ENOENT when the name has no address, -EHOSTUNREACH when the
 * resolver fails, -E2BIG past max, -EINVAL (with *why) as vb_net_allow_parse().
 */
VB_API int vb_net_allow_resolve(const char *text, struct vb_net_allow *out, size_t max, char *name, size_t name_len,
                                const char **why) VB_NONNULL(1, 2, 4);
/*
 * A network caretaker: a fresh user and network namespace (ids mapped as a
 * void's, lo up), held by a small child, with pasta(1) (package passt)
 * attached to it.  Loopback entries: pasta splices connections to
 * 127.0.0.1:PORT inside to the host's loopback for exactly those ports.
 * Host entries: pasta's tap is configured by the holder (not by pasta): its
 * address as a /32 and /128, a host route to each allowed host and no other
 * route, and an nftables output filter (nft(8), package nftables) that lets
 * through exactly the listed (host, port, protocol) triples: another host is
 * ENETUNREACH, another TCP port ECONNREFUSED, another UDP port EPERM.  The
 * void, without CAP_NET_ADMIN over the namespace, can change neither.  Make
 * the void join the namespaces with vb_void_set_ns(v, VB_NS_USER / VB_NS_NET,
 * VB_NS_JOIN, vb_caretaker_ns_fd(c, ...)).  Returns once pasta listens on
 * every loopback port and the tap is configured (at most 5 s each).  -ENOENT
 * when pasta (or, for hosts, nft) is not installed, -ETIMEDOUT when pasta
 * does not come up.
 */
VB_API int vb_caretaker_pasta(const struct vb_net_allow *allow, size_t n, struct vb_caretaker **out,
                              struct vb_error **err) VB_NONNULL(3);
/*
 * Change a running network caretaker's allowlist: allow (true) or deny
 * (false) one remote-host entry (family AF_INET or AF_INET6, as from
 * vb_net_allow_resolve()).  The new filter is loaded in one nftables
 * transaction and a new host is routed; the void's next connect() sees it
 * (a connection made before a deny stays open: Linux cannot take it back
 * without cutting pasta).  Allowing an entry allowed already is a no-op.
 * -EOPNOTSUPP for a loopback entry (pasta's ports are fixed when it starts) or
 * a caretaker started with no remote host (it has no link to route on),
 * -ENOENT to deny what is not allowed, -EINVAL for another kind of caretaker,
 * -ECHILD when its holder is gone.
 */
VB_API int vb_caretaker_net_change(struct vb_caretaker *c, const struct vb_net_allow *entry, bool allow,
                                   struct vb_error **err) VB_NONNULL(1, 2);
/*
 * A D-Bus caretaker: xdg-dbus-proxy listening at host path sock_path,
 * forwarding to bus_address (a D-Bus address) with --filter, letting the
 * void talk to the names in talk (NULL-terminated) and nothing else.  Its
 * dead-man fd is the control pipe.  -ENOENT when xdg-dbus-proxy is missing.
 */
VB_API int vb_caretaker_dbus(const char *sock_path, const char *bus_address, char *const talk[],
                             struct vb_caretaker **out, struct vb_error **err) VB_NONNULL(1, 2, 4);

/*
 * A terminal caretaker (term proxied): makes a pty pair on the host and
 * returns its slave in *slave_fd (O_CLOEXEC, the caller's to close; hand it to
 * the void with vb_void_terminal() and close it).  A child holds the master
 * and relays it to and from in_fd and out_fd (normally the caller's own
 * terminal, 0 and 1), which are never handed to the void.  The slave starts
 * with in_fd's line settings and window size where in_fd is a terminal, and
 * the size follows the caller's on SIGWINCH.  Only the relay holds the master:
 * revoking it, or the caller's death, hangs the slave up (writes and terminal
 * ioctls EIO, reads end of file, SIGHUP to the void's session leader), and the
 * void keeps running.  Putting the caller's terminal in raw mode while it
 * relays is the caller's choice.  -ENOENT/-EACCES when no pty can be made.
 */
VB_API int vb_caretaker_pty(int in_fd, int out_fd, struct vb_caretaker **out, int *slave_fd, struct vb_error **err)
        VB_NONNULL(3, 4);
/*
 * Let a terminal caretaker finish: once every slave fd is closed (the void
 * ended and the caller closed its own), the relay copies what the void wrote
 * last and exits.  Waits at most timeout_ms for that; -ETIMEDOUT if it did not
 * (vb_caretaker_free() then revokes it), -EINVAL for another kind of caretaker.
 */
VB_API int vb_caretaker_pty_drain(struct vb_caretaker *c, int timeout_ms) VB_NONNULL(1);

/* The caretaker's namespace fd (network caretaker only; -EBADF otherwise). Owned by c. */
VB_API int vb_caretaker_ns_fd(const struct vb_caretaker *c, enum vb_ns ns) VB_NONNULL(1);
/* Its process (the forwarder, pasta, xdg-dbus-proxy), or -1 once revoked. */
VB_API pid_t vb_caretaker_pid(const struct vb_caretaker *c) VB_NONNULL(1);
/* A one-line account: "forwarder unix:/s -> tcp:127.0.0.1:80, pid 12, live". Static per caretaker. */
VB_API const char *vb_caretaker_describe(struct vb_caretaker *c) VB_NONNULL(1);
/* True while the caretaker's process runs (it may also have died on its own). */
VB_API bool vb_caretaker_alive(struct vb_caretaker *c) VB_NONNULL(1);
/* Revoke: close the control pipe, SIGKILL, reap.  Idempotent; returns 0. */
VB_API int vb_caretaker_revoke(struct vb_caretaker *c) VB_NONNULL(1);
/* Revoke, unlink the socket it listened on, free.  Accepts NULL; returns NULL. */
VB_API struct vb_caretaker *vb_caretaker_free(struct vb_caretaker *c);

/* ---- the powerbox: directories granted to a running void, and revoked ------- */

/*
 * An inbox is a small tmpfs held, shared, by a holder process of the caller's
 * in a mount namespace of its own (and, unless the caller is root, a user
 * namespace of its own, so that it may mount).  A void given the inbox with
 * vb_void_inbox() receives a clone of it that is a *slave* of the holder's:
 * every directory granted later appears in it at once, every revocation
 * disappears from it, without a restart; nothing propagates back.  In the
 * void the inbox is read-only, and each grant, having crossed user
 * namespaces, has its flags locked (a void cannot remount a read-only grant
 * writable).  The holder dies with the calling thread and with
 * vb_inbox_free(); its namespace, with every grant, dies with it.  A void's
 * copies of the grants outlive the holder, though (the end of a namespace
 * does not propagate): a caller whose holder died can no longer revoke, and
 * should stop the void (voidshim does).
 *
 * Revocation detaches the mount (MNT_DETACH) and removes its mount point:
 * every later open under it is ENOENT.  Linux has no revoke(2): a file, a
 * directory or a working directory the void opened before keeps working,
 * and a directory fd still reaches the whole granted tree (cutting those
 * needs a FUSE server in between).
 *
 * Grants, spawns and revocations on one inbox must not run concurrently.
 */
struct vb_inbox;

/* Start the holder and its inbox.  Errors from its namespaces or mounts come back in err. */
VB_API int vb_inbox_new(struct vb_inbox **out, struct vb_error **err) VB_NONNULL(1);
/* Stop the holder (revoking every grant) and free; accepts NULL; returns NULL. */
VB_API struct vb_inbox *vb_inbox_free(struct vb_inbox *box);
/*
 * Grant the directory dirfd (any fd: O_PATH is enough; the caller keeps it)
 * as inbox/name, recursively nosuid and nodev, read-only unless flags holds
 * VB_MOUNT_RW.  name NULL: the directory's own name.  The holder re-opens
 * the directory by the path the fd reads as (/proc/self/fd), following no
 * symlink, and binds it only if it is the same (st_dev, st_ino): so it binds
 * what the caller could open, nothing beside it.  -ENOTDIR, -EINVAL for a
 * bad name, -EEXIST for a name in use, -ESTALE when the directory moved,
 * -ECHILD when the holder is gone.
 */
VB_API int vb_inbox_grant(struct vb_inbox *box, int dirfd, const char *name, unsigned flags, struct vb_error **err)
        VB_NONNULL(1);
/* Revoke inbox/name in the holder and so in every void.  -ENOENT when nothing has that name. */
VB_API int vb_inbox_ungrant(struct vb_inbox *box, const char *name, struct vb_error **err) VB_NONNULL(1, 2);
/* How many grants are live. */
VB_API size_t vb_inbox_count(const struct vb_inbox *box) VB_NONNULL(1);
/*
 * Grant i (0 .. count-1) as "docs <- /home/u/docs, read-only" (static per
 * inbox, valid until the next call), and its name in *name if non-NULL.
 * NULL when i is out of range.
 */
VB_API const char *vb_inbox_describe(struct vb_inbox *box, size_t i, const char **name) VB_NONNULL(1);
/* The holder's pid, and its pidfd (owned by box), which polls readable once the holder has died. */
VB_API pid_t vb_inbox_pid(const struct vb_inbox *box) VB_NONNULL(1);
VB_API int vb_inbox_pidfd(const struct vb_inbox *box) VB_NONNULL(1);
/*
 * Give the void the inbox at dst (made as an empty directory).  box is
 * borrowed and must outlive the void's spawns; box NULL plans the mount for
 * vb_void_explain() only (a spawn then fails at step "mount").  One inbox per
 * void: -EEXIST for a second.  Each spawn takes a clone of the inbox with the
 * grants it holds at that moment.
 */
VB_API int vb_void_inbox(struct vb_void *v, struct vb_inbox *box, const char *dst) VB_NONNULL(1, 3);

/* ---- a pool of namespaces made ahead of time ------------------------------ */

struct vb_pool;
/*
 * Start a helper process that keeps `depth` (1..64) empty network namespaces
 * ready.  Each spawn of a void given the pool with vb_void_use_pool() joins
 * one of them instead of creating its own, which takes the namespace's cost
 * off the spawn path.  Each namespace goes to exactly one void: isolation is
 * that of a fresh namespace.  Unprivileged, the pooled namespaces belong to the
 * helper's user namespace and the void's own user namespace is made inside it.
 * The helper dies with the caller.  NULL on failure, with err set.
 */
VB_API struct vb_pool *vb_pool_new(unsigned depth, struct vb_error **err);
/* Stop the helper and free the pool; accepts NULL; returns NULL.  Running voids are unaffected. */
VB_API struct vb_pool *vb_pool_free(struct vb_pool *p);
/*
 * Let v take its network namespace from p at every spawn (p is borrowed and
 * must outlive the spawns; NULL stops).  When the pool is empty a spawn makes
 * its own namespace, as without a pool.  -EINVAL unless v's net and user
 * namespaces are fresh.
 */
VB_API int vb_void_use_pool(struct vb_void *v, struct vb_pool *p) VB_NONNULL(1);
/*
 * Give an unprivileged caller the spawn path root has: one clone3() from
 * inside the pooled network namespace.  A pooled namespace belongs to the
 * helper's user namespace, which a thread of the initial one cannot step into
 * and back out of; so this moves the whole calling process, once, into that
 * user namespace (where it is uid 0 over the caller's one uid outside, with
 * every capability over the pool's namespaces and none elsewhere) and into a
 * network namespace of its own made there, its "home": from then on the
 * caller reaches no network but through the sockets it already holds (a
 * spawner, such as a server of voids, needs none).  Each spawn then steps its
 * thread into a pooled namespace for the clone3() and back home, and the
 * void's own user namespace nests in the pool's, as it does without this
 * call.  Files the caller creates still belong to its uid.  Irreversible.
 * For a privileged pool there is nothing to do: 0.  -EINVAL from a process
 * with more than one thread (the kernel's rule for entering a user
 * namespace), -EALREADY when the caller entered another pool's namespace.
 */
VB_API int vb_pool_enter(struct vb_pool *p, struct vb_error **err) VB_NONNULL(1);

/* ---- warm voids: built ahead of time, waiting for their program ---------- */

struct vb_warm;
/* An fd handed to a warm void when it starts: the caller's fd (sent, not given away) becomes target. */
struct vb_warm_fd {
        int fd;
        int target;
};
/*
 * Build voids from the template v ahead of time.  A helper process forked
 * now (which dies with the calling thread) keeps `depth` (1..64) voids
 * ready: each has its own fresh namespaces, its root, mounts, id maps,
 * capabilities dropped and no_new_privs in place (and the built-in seccomp
 * filter; a policy of the caller's goes on after the request, which may
 * forbid what reading it takes), and waits for vb_warm_spawn() to give it its
 * arguments and fds; Landlock goes on after that, so that the fds handed in
 * are confined as a cold void's are.  Each void serves one spawn and is never reused, so a warm void is
 * as isolated as one made by vb_void_spawn(); it was only made earlier.  The
 * voids are children of the calling process (CLONE_PARENT), so
 * vb_proc_wait() reaps them as usual.  v is copied as it is now (later
 * changes to it, or freeing it, do not reach the pool); a netns pool
 * (vb_void_use_pool) is refused (-EINVAL): the namespaces are already made
 * off the spawn path.  The first void is waited for, so a setup step that
 * fails (a bind source that does not exist, ...) fails here, with err naming
 * the step.  NULL on failure, with err set.
 */
VB_API struct vb_warm *vb_warm_new(struct vb_void *v, unsigned depth, struct vb_error **err) VB_NONNULL(1);
/*
 * Start the template's program in the next warm void (waiting for it when
 * none is ready yet) and ask the helper for a replacement.  argv replaces the
 * template's arguments (NULL keeps them; the program is the template's); fds
 * (n_fds, at most 32) are handed in on top of the template's fds, replacing a
 * template fd with the same target.  The request is at most 64 KiB of
 * arguments.  On success *out is the running void, as from vb_void_spawn().
 * -E2BIG for too many fds or arguments, -EINVAL for a negative fd or target;
 * a failing step in the void (exec, seccomp, fds) comes back as from
 * vb_void_spawn().
 */
VB_API int vb_warm_spawn(struct vb_warm *w, char *const argv[], const struct vb_warm_fd *fds, size_t n_fds,
                         struct vb_proc **out, struct vb_error **err) VB_NONNULL(1, 5);
/* Stop the helper, kill and reap every void still waiting, free.  Accepts NULL; returns NULL. */
VB_API struct vb_warm *vb_warm_free(struct vb_warm *w);

/* ---- small helpers for callers ------------------------------------------ */

/*
 * Parse a size: decimal digits with an optional k, m or g (binary multiples),
 * nothing else ("64m", "4096").  0 with *out set, -EINVAL for anything else
 * (a sign, spaces, hex, an unknown suffix, overflow).  Pure.
 */
VB_API int vb_parse_size(const char *s, uint64_t *out) VB_WUR;

/*
 * Passing fds over AF_UNIX sockets (SCM_RIGHTS), as the library's helpers do.
 * vb_fd_send(): one byte carrying fds[0..n) (n may be 0); 0 or -errno, never
 * raises SIGPIPE.  vb_fd_recv(): one message; returns how many fds it carried
 * (into fds, O_CLOEXEC), 0 with *eof set at end of stream, -E2BIG when it
 * carried more than max and -EBADMSG when its control data was truncated (in
 * both cases every fd received is closed, none leaks), -errno otherwise;
 * flags as recvmsg(2) (MSG_DONTWAIT).  The *msg forms carry len bytes of data
 * (len >= 1); vb_fd_recvmsg() stores the length received in *len and returns
 * -EMSGSIZE (fds closed) when the data did not fit.
 */
VB_API int vb_fd_send(int sock, const int *fds, size_t n);
VB_API int vb_fd_recv(int sock, int *fds, size_t max, int flags, bool *eof);
VB_API int vb_fd_sendmsg(int sock, const void *data, size_t len, const int *fds, size_t n);
VB_API int vb_fd_recvmsg(int sock, void *data, size_t *len, int *fds, size_t max, int flags, bool *eof);

/* Debug log callback; the library calls it only from the parent. */
typedef void (*vb_log_fn)(void *userdata, const char *msg);
VB_API void vb_void_set_log(struct vb_void *v, vb_log_fn fn, void *userdata) VB_NONNULL(1);

/*
 * A human-readable account of everything the void will hold: namespaces,
 * mounts, devices, network, fds, environment, capabilities, seccomp,
 * Landlock, limits and the program.  Returns a malloc'd string, NULL on OOM.
 */
VB_API char *vb_void_explain(const struct vb_void *v) VB_NONNULL(1);
/*
 * The same account as data: one JSON object (doc/plan-json.md, "void")
 * holding the namespaces, the mounts in the order they are made, the fds,
 * environment, capabilities, rlimits, the seccomp program (its length and a
 * hash of its bytes) and the Landlock rules, and the program.  Two voids that
 * give the same text enforce the same thing.  malloc'd, NULL on OOM.
 */
VB_API char *vb_void_explain_json(const struct vb_void *v) VB_NONNULL(1);
/*
 * Every rule of the void's seccomp policy, one a line ("NAME:LINE: SYSCALL ->
 * ACTION [when ...]"), where vb_void_explain() summarises it by group
 * (`voidshim run --explain -v`).  Returns a malloc'd string ("" when seccomp
 * is off), NULL on OOM.
 */
VB_API char *vb_void_explain_seccomp_rules(const struct vb_void *v) VB_NONNULL(1);

/*
 * Create the void and exec the program in it.  On success *out holds a
 * handle to the running void (free with vb_proc_free()).  Failures of any
 * setup step inside the child come back as -errno with err->step naming the
 * step ("uid_map", "mount /proc", "exec", ...).  -ENOEXEC/-ENOENT/-EACCES from
 * the exec step mean the program could not be started.
 */
VB_API int vb_void_spawn(struct vb_void *v, struct vb_proc **out, struct vb_error **err) VB_NONNULL(1, 2);

/* ---- a running void ---------------------------------------------------- */

/* The void's init as seen from the caller. */
VB_API pid_t vb_proc_pid(const struct vb_proc *p) VB_NONNULL(1);
/* Its pidfd (owned by the handle; do not close). */
VB_API int vb_proc_pidfd(const struct vb_proc *p) VB_NONNULL(1);
/*
 * The uid and gid the void runs as on the host (VB_IDENTITY_RESERVED: the ids
 * it took; otherwise the caller's as they were at spawn).  0, or -ENODATA
 * when its user namespace was joined or shared (its ids are that namespace's).
 */
VB_API int vb_proc_host_ids(const struct vb_proc *p, uid_t *uid, gid_t *gid) VB_NONNULL(1, 2, 3);
/* Send a signal through the pidfd. */
VB_API int vb_proc_kill(struct vb_proc *p, int sig) VB_NONNULL(1);
/*
 * Wait for the void's init to end and reap it.  On success returns 0 and
 * stores a wait(2)-style status in *status (WIFEXITED / WIFSIGNALED work).
 * Killing init ends every process in the void's pid namespace.
 */
VB_API int vb_proc_wait(struct vb_proc *p, int *status) VB_NONNULL(1, 2);
/* Kill (SIGKILL) and reap the void if still running, then free.  Accepts NULL; returns NULL. */
VB_API struct vb_proc *vb_proc_free(struct vb_proc *p);

/* ---- containers: what an OCI runtime asks of a void (doc/oci.md) ------------- */

/*
 * The root directory given to vb_void_root() is a container image's (an OCI
 * bundle's root.path), used as runc uses it: its setuid files and device nodes
 * keep working (no nosuid, nodev), mount points missing in it are created in
 * it, and a read-only root (no VB_MOUNT_RW) turns read-only only once every
 * mount is made, and only the root mount itself (granted mounts keep their
 * own flags).  With such a root the void may also join a mount namespace
 * (vb_void_set_ns(v, VB_NS_MNT, VB_NS_JOIN, fd)): it then builds its root
 * inside that namespace instead of a fresh one.  Call it after vb_void_root();
 * -EINVAL without a root directory (the empty tmpfs or an overlay).
 */
VB_API int vb_void_image_root(struct vb_void *v) VB_NONNULL(1);
/*
 * The void builds no root at all: it keeps the root of the mount namespace it
 * joins, to run a second program in a running void (an OCI runtime's exec).
 * The mount namespace must be joined (VB_NS_JOIN) and no mount may be granted
 * (vb_void_spawn() refuses both with -EINVAL).
 */
VB_API int vb_void_enter(struct vb_void *v) VB_NONNULL(1);

/* One line of a uid_map or gid_map: count ids from inner (in the void) are outer..outer+count-1 outside. */
struct vb_id_map {
        uint32_t inner, outer, count;
};
/*
 * Map these id ranges in the void's fresh user namespace instead of the
 * caller's one id (vb_void_set_ids()).  The maps are written by the spawner,
 * which needs CAP_SETUID and CAP_SETGID over its own user namespace for any
 * map but its own one id; setgroups(2) stays allowed.  At most 340 ranges
 * each (the kernel's limit); -EINVAL for none, a zero count, or overlap.
 */
VB_API int vb_void_id_maps(struct vb_void *v, const struct vb_id_map *uids, size_t n_uids, const struct vb_id_map *gids,
                           size_t n_gids) VB_NONNULL(1, 2, 4);
/*
 * The program runs as uid and gid (ids of the void's user namespace) with
 * these supplementary groups (n_groups 0: none), switched to after the
 * void is built and before its capabilities are set.  Not the same as
 * vb_void_set_ids(), which chooses the one id a fresh user namespace maps:
 * these need the ids to exist in the namespace (shared, joined, or mapped
 * with vb_void_id_maps()).  groups is copied; -E2BIG above 65536 groups.
 */
VB_API int vb_void_user(struct vb_void *v, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups) VB_NONNULL(1);
/* The umask the program starts with (default: the caller's). -EINVAL above 0777. */
VB_API int vb_void_umask(struct vb_void *v, mode_t mask) VB_NONNULL(1);

/* The five capability sets, bit n = CAP n. */
struct vb_cap_sets {
        uint64_t bounding, effective, permitted, inheritable, ambient;
};
/*
 * Give the program exactly these capability sets (instead of vb_void_keep_cap(),
 * which puts one capability in every set).  effective and ambient must be
 * subsets of permitted, ambient of inheritable too (-EINVAL).  A later
 * vb_void_keep_cap() adds its capability to every set.
 */
VB_API int vb_void_cap_sets(struct vb_void *v, const struct vb_cap_sets *sets) VB_NONNULL(1, 2);
/*
 * Leave no_new_privs unset (on = false), so that setuid programs and file
 * capabilities work in the void: an OCI config's "noNewPrivileges": false.
 * The seccomp filter then goes on while the void still holds CAP_SYS_ADMIN.
 */
VB_API int vb_void_no_new_privs(struct vb_void *v, bool on) VB_NONNULL(1);

/*
 * Mount a new file system of type fstype (sysfs, mqueue, tmpfs, devpts, proc,
 * cgroup2...) at dst, shown with source name `source` (NULL: the type).
 * options is the comma-separated list of file system options ("mode=755,
 * size=64k", "newinstance,ptmxmode=0666"; NULL: none), attrs MOUNT_ATTR_*
 * from <linux/mount.h> (RDONLY, NOSUID, NODEV, NOEXEC, the atime modes).
 * A proc gets the same read-only covers as vb_void_proc().  -EINVAL for an
 * empty type or an option longer than 255 bytes.
 */
VB_API int vb_void_mount(struct vb_void *v, const char *fstype, const char *source, const char *dst,
                         const char *options, unsigned attrs) VB_NONNULL(1, 2, 4);
/*
 * Hide path (in the void, after the mounts made before): a directory gets
 * an empty read-only tmpfs over it, anything else the host's /dev/null.  A
 * path that does not exist is left alone.
 */
VB_API int vb_void_mask(struct vb_void *v, const char *path) VB_NONNULL(1, 2);
/* Make path (in the void, after the mounts made before) read-only, recursively; a missing path is left alone. */
VB_API int vb_void_readonly(struct vb_void *v, const char *path) VB_NONNULL(1, 2);
/*
 * A device node at path in the void: type 'c', 'b' or 'p', with mode (the
 * permission bits), owner and group.  Where mknod(2) is not allowed (a fresh
 * user namespace), the host's node of the same path is bound instead, if it
 * is the same device.  -EINVAL for another type.
 */
VB_API int vb_void_device(struct vb_void *v, const char *path, char type, unsigned major, unsigned minor, mode_t mode,
                          uid_t uid, gid_t gid) VB_NONNULL(1, 2);
/*
 * Set a namespaced sysctl ("net.ipv4.ip_forward", "kernel.shmmax") in the
 * void's own namespaces before the program runs.  -EINVAL for a key that is
 * not of a namespace the void has fresh (net, ipc, uts), or one with "..".
 */
VB_API int vb_void_sysctl(struct vb_void *v, const char *key, const char *value) VB_NONNULL(1, 2, 3);
/* The program's /proc/self/oom_score_adj (-1000..1000; lowering it needs CAP_SYS_RESOURCE). */
VB_API int vb_void_oom_score_adj(struct vb_void *v, int adj) VB_NONNULL(1);
/*
 * Also start the void in the cgroup v1 directory dirfd (dup'ed): the spawner
 * writes the void's first process into its cgroup.procs before the void
 * makes its cgroup namespace.  Up to 16 directories (-E2BIG).
 */
VB_API int vb_void_cgroup_v1(struct vb_void *v, int dirfd) VB_NONNULL(1);

/*
 * Hold the void before its program: vb_void_spawn() returns once the void is
 * built (its namespaces, root, mounts, ids, user, capabilities), its program
 * found, and it waits.  The void runs the rest (its seccomp filter, its fds,
 * rlimits, exec) only once it reads a byte from gate_fd (dup'ed; a FIFO opened
 * O_RDWR, say); at end of file it exits with status 0.  A held void is
 * detached from its spawner once ready: it no longer dies with it, and its
 * first process is the spawner's own child even when it joins namespaces (no
 * intermediate process stays): an OCI runtime's "created" container.
 * A program that is not found fails the spawn (step "exec").
 */
VB_API int vb_void_hold(struct vb_void *v, int gate_fd) VB_NONNULL(1);
/* Free the handle of a running void without killing it (a held void left to run).  Accepts NULL; NULL. */
VB_API struct vb_proc *vb_proc_release(struct vb_proc *p);

#ifdef __cplusplus
}
#endif
#endif
