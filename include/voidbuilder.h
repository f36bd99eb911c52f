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

#define VB_API __attribute__((visibility("default")))
#define VB_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define VB_WUR __attribute__((warn_unused_result))
#define VB_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define VB_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------ */

/* An error with context: msg reads "mounting /proc: creating target: Permission denied". */
struct vb_error {
        int errnum;  /* positive errno */
        char *msg;   /* full message, including strerror(errnum) */
        char *step;  /* setup step that failed inside the child, or NULL */
};

/*
 * Record an error.  If err is non-NULL and *err is NULL, a new vb_error is
 * stored; if *err already holds one, it is kept (the first cause wins).
 * Returns -errnum, so callers can write `return vb_error_set(err, -r, ...)`.
 */
VB_API int vb_error_set(struct vb_error **err, int errnum, const char *fmt, ...) VB_PRINTF(3, 4);
/* Prefix context to an existing error ("mounting %s: " + old message). Returns -errnum. */
VB_API int vb_error_wrap(struct vb_error **err, const char *fmt, ...) VB_PRINTF(2, 3);
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

/* Mount flags for vb_void_bind() and vb_void_tmpfs(). */
enum {
        VB_MOUNT_RW = 1 << 0,      /* writable (binds are read-only by default) */
        VB_MOUNT_EXEC = 1 << 1,    /* tmpfs only: allow exec (tmpfs is noexec by default) */
        VB_MOUNT_NOEXEC = 1 << 2,  /* bind only: forbid exec */
        VB_MOUNT_DEV = 1 << 3,     /* keep device nodes usable (binds are nodev) */
        VB_MOUNT_OPTIONAL = 1 << 4,/* skip silently when the source is missing */
};

/*
 * Bind the host path src at dst inside the void (recursively), read-only,
 * nosuid and nodev unless flags say otherwise.  src is resolved when the
 * void is spawned, following symlinks on the host; dst must be absolute
 * and is created (as an empty file or directory).  -EINVAL for a relative
 * or ".."-containing dst.
 */
VB_API int vb_void_bind(struct vb_void *v, const char *src, const char *dst, unsigned flags) VB_NONNULL(1, 2, 3);
/* A fresh tmpfs at dst of at most size_bytes (0: 64 MiB), nosuid, nodev, noexec unless VB_MOUNT_EXEC. */
VB_API int vb_void_tmpfs(struct vb_void *v, const char *dst, uint64_t size_bytes, unsigned flags) VB_NONNULL(1, 2);
/* An empty directory, or a symlink dst -> target, inside the void's root. */
VB_API int vb_void_dir(struct vb_void *v, const char *dst, mode_t mode) VB_NONNULL(1, 2);
VB_API int vb_void_symlink(struct vb_void *v, const char *target, const char *dst) VB_NONNULL(1, 2, 3);

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

/* Bring the loopback interface up in the void's (fresh) network namespace. */
VB_API int vb_void_loopback(struct vb_void *v) VB_NONNULL(1);

/*
 * Hand host fd `fd` to the void as fd number `target` (duplicated now; the
 * caller keeps its fd).  -EBADF for a bad fd, -EINVAL for a negative target
 * or one given twice.  Every fd not handed in is closed before exec; fds
 * 0, 1, 2 not handed in are opened on /dev/null.
 */
VB_API int vb_void_keep_fd(struct vb_void *v, int fd, int target) VB_NONNULL(1);
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
 * vb_void_landlock_allow() (paths are void paths, resolved after pivot_root).
 * -EOPNOTSUPP when the kernel has no Landlock.
 */
VB_API int vb_void_landlock(struct vb_void *v) VB_NONNULL(1);
VB_API int vb_void_landlock_allow(struct vb_void *v, const char *path, unsigned access) VB_NONNULL(1, 2);

/* Start the void inside this cgroup v2 directory (CLONE_INTO_CGROUP); fd is duplicated. */
VB_API int vb_void_cgroup(struct vb_void *v, int cgroup_dirfd) VB_NONNULL(1);

/*
 * What to run.  vb_void_exec_path(): path as seen *inside* the void.
 * vb_void_exec_fd(): an fd opened on the host before entering (O_PATH or
 * O_RDONLY; duplicated), run with execveat(AT_EMPTY_PATH), so a static binary
 * runs in an entirely empty root.  argv is copied; argv[0] is required.
 */
VB_API int vb_void_exec_path(struct vb_void *v, const char *path, char *const argv[]) VB_NONNULL(1, 2, 3);
VB_API int vb_void_exec_fd(struct vb_void *v, int fd, char *const argv[]) VB_NONNULL(1, 3);

/*
 * Bind the ELF dependency closure of the host binary `path` (itself, its
 * PT_INTERP, its DT_NEEDED libraries found through DT_RUNPATH/DT_RPATH,
 * ld.so.cache and the default directories, recursively) read-only at the same
 * paths, recreating the symlinks on the way.  -ENOEXEC if path is not ELF,
 * -ENOENT with err naming a library that cannot be found.
 */
VB_API int vb_void_add_libs(struct vb_void *v, const char *path, struct vb_error **err) VB_NONNULL(1, 2);

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

#ifdef __cplusplus
}
#endif
#endif
