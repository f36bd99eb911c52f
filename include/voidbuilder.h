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

/* The helper processes and the container calls, in headers of their own. */
#include <voidbuilder/container.h>
#include <voidbuilder/helpers.h>

#ifdef __cplusplus
}
#endif
#endif
