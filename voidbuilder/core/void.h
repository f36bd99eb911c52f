/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the state of a struct vb_void and the plan the child executes.
 * Everything the child needs is prepared here, in the parent, so that the
 * child after clone3() does little more than issue syscalls.
 */
#ifndef VB_VOID_H
#define VB_VOID_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "core/landlock.h"
#include "voidbuilder.h"

enum vb_mount_kind {
        VB_MNT_BIND,
        VB_MNT_TMPFS,
        VB_MNT_PROC,
        VB_MNT_DEVPTS,
        VB_MNT_DIR,
        VB_MNT_SYMLINK,
        VB_MNT_INBOX, /* src_fd: a channel to the inbox's holder (parent-owned), or -1 under explain */
};

struct vb_mount {
        enum vb_mount_kind kind;
        char *src;       /* bind: host path; symlink: link target */
        char *dst;       /* absolute, normalised path inside the void */
        unsigned flags;  /* VB_MOUNT_* (and VB_PROC_* for proc) */
        uint64_t size;   /* tmpfs */
        mode_t mode;     /* dir, tmpfs */
        const char *why; /* static: shown by explain ("minimal /dev", "ELF closure of /bin/ls") */
        int src_fd;      /* bind: child only, the source opened before the root is staged; inbox: see above */
        bool checked;    /* bind: the source must be the file (dev, ino) below */
        dev_t dev;
        ino_t ino;
};

struct vb_keep_fd {
        int fd;     /* our duplicate, O_CLOEXEC */
        int target; /* number inside the void */
};

struct vb_rlimit {
        int resource;
        struct rlimit lim;
};

#define VB_MAX_RLIMITS  16
#define VB_MAX_LANDLOCK 64

struct vb_void {
        enum vb_ns_mode ns_mode[VB_NS_COUNT];
        int ns_fd[VB_NS_COUNT];
        uid_t uid; /* the void's ids inside its fresh user ns (the caller's are mapped to them) */
        gid_t gid;
        bool ids_set; /* vb_void_set_ids() was called: the user ns must stay fresh */

        struct vb_mount *mounts;
        size_t n_mounts;
        size_t n_base; /* mounts[0..n_base) are the base layer (fs, exec shared): every grant goes on top */

        bool loopback;

        struct vb_keep_fd *fds;
        size_t n_fds;
        int tty_target; /* vb_void_terminal(): the fd made the controlling terminal, or -1 */

        char **env; /* NULL-terminated */
        size_t n_env;

        char *cwd;
        char *hostname;

        struct vb_rlimit rlimits[VB_MAX_RLIMITS];
        size_t n_rlimits;

        bool time_offsets;
        int64_t off_monotonic, off_boottime;

        uint64_t keep_caps; /* bit n = keep CAP n */

        enum vb_seccomp_mode seccomp_mode;
        char *seccomp_text; /* VB_SECCOMP_POLICY */
        char *seccomp_name;
        struct sock_fprog fprog; /* compiled filter, filled lazily for the default */
        bool fprog_network;      /* fprog was compiled for a void with a network (VB_SECCOMP_NETWORK) */

        bool servers_given[VB_SERVER_COUNT]; /* vb_void_server() calls that succeeded, and their modes */
        enum vb_server_mode servers[VB_SERVER_COUNT];

        bool landlock;
        bool landlock_fallback; /* vb_void_landlock_fallback(): no Landlock, and nothing it would confine */
        bool term_confined;     /* vb_void_confine_terminals() added its rules */
        struct vb_landlock_rule landlock_rules[VB_MAX_LANDLOCK];
        size_t n_landlock;

        int cgroup_fd;

        char **hide; /* vb_void_hide(): host paths no bind may show (NULL-terminated) */
        size_t n_hide;
        char **covers; /* per spawn (vb_void_prepare_covers()): where the void would see them, covered */
        size_t n_covers;

        struct vb_pool *pool; /* borrowed: takes one pre-made netns per spawn */
        int owner_userns_fd;  /* per spawn: the void's fresh userns is made inside this one */
        int park_net_fd;      /* per spawn: clone3() from inside this (pooled) netns */

        char *exec_path;
        int exec_fd;
        char *exec_host_path; /* vb_void_exec_host(): the host file behind exec_fd, or NULL */
        char **argv;

        vb_log_fn log;
        void *log_data;
};

/* Normalise an absolute path inside the void: collapses "//" and ".", refuses "..".
 * Returns a malloc'd copy in *out, -EINVAL for relative paths or "..". */
int vb_path_normalize(const char *path, char **out);

/* Append a mount entry (copies strings). */
int vb_void_add_mount(struct vb_void *v, enum vb_mount_kind kind, const char *src, const char *dst, unsigned flags,
                      uint64_t size, mode_t mode, const char *why);

/*
 * The fds v holds (its namespaces, the fds handed in, the inbox channel, the
 * cgroup, the program...), at most max of them into out.  Returns how many it
 * holds (more than max: call again with room for all).  The warm pool's helper
 * keeps exactly these.
 */
size_t vb_void_held_fds(const struct vb_void *v, int *out, size_t max);

/* Log through the caller's callback, if any. */
void vb_void_logf(const struct vb_void *v, const char *fmt, ...) VB_PRINTF(2, 3);

/*
 * The void paths at which a bind would show a hidden host path
 * (vb_void_hide()), as a NULL-terminated malloc'd list in *out (each bind
 * whose source is the hidden path or one of its parents: its destination
 * plus the rest of the hidden path).  A bind of something inside a hidden
 * path, asked for by name, is not covered.  -ENOMEM.
 */
int vb_void_covers(const struct vb_void *v, char ***out, size_t *n);
/* Compute v->covers for the next spawn (the child mounts an empty read-only tmpfs on each). */
int vb_void_prepare_covers(struct vb_void *v, struct vb_error **err);

/*
 * Have v->fprog compiled for the void as it now stands: the default policy is
 * copied lazily from its build-time BPF, and a policy is compiled again when
 * the void has gained or lost a network since (its `if network` rules).
 * Returns 0 or -errno with err.
 */
int vb_void_prepare_seccomp(struct vb_void *v, struct vb_error **err);

#endif
