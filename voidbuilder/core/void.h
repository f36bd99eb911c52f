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
        VB_MNT_FILE,  /* a file written in the root: src holds its contents (text), mode its mode */
        VB_MNT_SYSFS, /* a fresh sysfs for the void's own network namespace, read-only */
        /* container.c: */
        VB_MNT_FS,     /* a new file system: fstype, src (the source name), data (its options), attrs */
        VB_MNT_MASK,   /* dst hidden: an empty tmpfs over a directory, /dev/null over anything else */
        VB_MNT_RDONLY, /* dst made read-only, recursively */
        VB_MNT_DEVICE, /* a node at dst: mode (S_IFCHR/S_IFBLK/S_IFIFO and permissions), rdev, uid, gid */
};

/* vb_root.flags: vb_void_image_root(), a container image's root (no nosuid/nodev; read-only at the pivot). */
#define VB_ROOT_IMAGE (1u << 31)

/* What the void's root is made of (vb_void_root(), vb_void_root_overlay()). */
enum vb_root_kind {
        VB_ROOT_TMPFS,   /* the default: an empty tmpfs, read-only once built */
        VB_ROOT_DIR,     /* a host directory, bound recursively, nosuid, nodev, read-only unless VB_MOUNT_RW */
        VB_ROOT_OVERLAY, /* overlayfs: a host directory as its lower layer, an upper on tmpfs or a host dir */
};

struct vb_root {
        enum vb_root_kind kind;
        char *dir;      /* DIR, OVERLAY: the host directory (lower layer) */
        char *upper;    /* OVERLAY: the host directory holding upper/ and work/, or NULL for a tmpfs upper */
        unsigned flags; /* DIR: VB_MOUNT_RW, VB_ROOT_IMAGE */
        uint64_t size;  /* OVERLAY with a tmpfs upper: its size */
        int dir_fd;     /* child only: dir opened (O_PATH) before the root is staged; prepared: the parent's tree */
        bool prepared;  /* one spawn, a void of its own uid: dir_fd (and upper_fd) are idmapped trees the parent made */
        int upper_fd;   /* prepared OVERLAY with a host upper: that directory, idmapped */
};

struct vb_mount {
        enum vb_mount_kind kind;
        char *src;       /* bind: host path; symlink: link target */
        char *dst;       /* absolute, normalised path inside the void */
        unsigned flags;  /* VB_MOUNT_* (and VB_PROC_* for proc) */
        uint64_t size;   /* tmpfs */
        mode_t mode;     /* dir, tmpfs */
        const char *why; /* static: shown by explain ("minimal /dev", "ELF closure of /bin/ls") */
        char *label;     /* vb_void_label() when it was added, or NULL: shown by explain too */
        int src_fd;      /* bind: child only, the source opened before the root is staged; inbox: see above */
        bool checked;    /* bind: the source must be the file (dev, ino) below */
        bool cloned;     /* bind: src_fd is already the tree's clone (vb_mount_open_sources()) */
        dev_t dev;
        ino_t ino;
        char *fstype;   /* fs */
        char *data;     /* fs: its options, "a=1,b" */
        unsigned attrs; /* fs: MOUNT_ATTR_* */
        dev_t rdev;     /* device */
        uid_t uid;      /* device */
        gid_t gid;
        bool prepared; /* bind, one spawn: src_fd is a tree the parent made (cloned, flags set, idmapped) */
        bool is_dir;   /* ... and whether it is a directory */
};

struct vb_keep_fd {
        int fd;     /* our duplicate, O_CLOEXEC */
        int target; /* number inside the void */
};

struct vb_container;

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
        bool ids_set;              /* vb_void_set_ids() was called: the user ns must stay fresh */
        enum vb_identity identity; /* who the void is on the host (identity.h) */

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
        struct vb_limits limits; /* cgroup limits (cgroup.h); all 0: none */

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

        struct vb_root root; /* what "/" is made of */
        unsigned init_flags; /* vb_void_init(): VB_INIT_* (0: the program is pid 1) */
        bool init;           /* a reaper of the library's is pid 1 */
        char *label;         /* vb_void_label(): what the mounts added now come from */

        char **observe;                  /* vb_void_observe(): the syscalls watched, or NULL */
        struct sock_fprog observe_fprog; /* ... their filter */
        int observe_sock;                /* ... where the child sends the listener, or -1 */

        struct vb_container *ctr; /* container.h: what an OCI runtime asks for, or NULL */
};

/* Normalise an absolute path inside the void: collapses "//" and ".", refuses "..".
 * Returns a malloc'd copy in *out, -EINVAL for relative paths or "..". */
int vb_path_normalize(const char *path, char **out);

/* Append a mount entry (copies strings). */
int vb_void_add_mount(struct vb_void *v, enum vb_mount_kind kind, const char *src, const char *dst, unsigned flags,
                      uint64_t size, mode_t mode, const char *why);

/* The name --rlimit gives resource (RLIMIT_NOFILE: "nofile"), or NULL. */
const char *vb_rlimit_name(int resource);

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
