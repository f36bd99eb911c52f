/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidplan: one request for a void, whichever front end it came from.
 *
 * `voidshim run`'s options, an entrypoint of a spec (vb_plan_from_spec())
 * and an OCI bundle's config.json each *produce* a struct vb_plan; one
 * function, vb_plan_apply(), turns any plan into a struct vb_void, and it is
 * the only caller of the library's grant API (vb_void_*) in voidshim.
 * Server modes are applied only through the library's server code
 * (vb_void_server()), so a request means the same thing however it arrives.
 * vb_plan_to_json() writes a plan in the stable shape doc/plan-json.md
 * documents, so that two plans can be compared.
 *
 * A plan is a plain structure: front ends fill it with the vb_plan_*()
 * setters below (which copy strings), read it freely, and free it with
 * vb_plan_free().  Functions returning int return >= 0 or -errno.
 */
#ifndef VOIDBUILDER_PLAN_H
#define VOIDBUILDER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../voidbuilder.h"
#include "spec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One grant, in the order it was asked for: later mounts go over earlier ones. */
enum vb_plan_grant_kind {
        VB_PLAN_BIND,        /* src (host) at dst; flags VB_MOUNT_*; checked: src must be (dev, ino) */
        VB_PLAN_TMPFS,       /* dst, size (0: the library's default), flags VB_MOUNT_EXEC */
        VB_PLAN_DIR,         /* dst */
        VB_PLAN_SYMLINK,     /* dst -> src */
        VB_PLAN_PROC,        /* dst; flags VB_PROC_* */
        VB_PLAN_DEV,         /* dst: a minimal /dev */
        VB_PLAN_LIBS,        /* src: a host binary whose ELF closure is bound at the same paths */
        VB_PLAN_FD,          /* host fd `fd` (borrowed until applied) as fd `target`; access: VB_LANDLOCK_* */
        VB_PLAN_SETENV,      /* src=dst: NAME=VALUE */
        VB_PLAN_LANDLOCK,    /* an explicit Landlock rule: dst, access */
        VB_PLAN_RLIMIT,      /* resource RLIMIT_*, soft, hard */
        VB_PLAN_TIME_OFFSET, /* clock CLOCK_BOOTTIME or CLOCK_MONOTONIC, seconds */
        VB_PLAN_CAP,         /* cap: a capability kept (CAP_*) */
        VB_PLAN_PASSWD,      /* dst (a directory, "/etc"): passwd and group files naming the void's ids */
        VB_PLAN_SYS,         /* dst: a fresh read-only sysfs of the void's own network namespace */
        /* containers (an OCI bundle): */
        VB_PLAN_MOUNT,    /* a new file system: fstype, src (source name), dst, options, flags MOUNT_ATTR_* */
        VB_PLAN_MASK,     /* dst hidden (vb_void_mask()) */
        VB_PLAN_READONLY, /* dst made read-only (vb_void_readonly()) */
        VB_PLAN_DEVICE,   /* a node at dst: resource 'c'/'b'/'p', dev (major, minor), mode, uid, gid */
        VB_PLAN_SYSCTL,   /* src=dst: a namespaced sysctl and its value */
        VB_PLAN_GRANT_KIND_COUNT,
};

struct vb_plan_grant {
        enum vb_plan_grant_kind kind;
        char *src, *dst; /* owned; see the kinds */
        unsigned flags;  /* VB_MOUNT_* (bind, tmpfs), VB_PROC_* (proc) */
        unsigned access; /* VB_LANDLOCK_* (landlock; fd: what a reopen through /proc may do) */
        uint64_t size;   /* tmpfs */
        int fd, target;  /* fd */
        int resource;    /* rlimit: RLIMIT_*; time offset: the clock id; cap: CAP_* */
        uint64_t soft, hard;
        int64_t seconds;
        bool checked; /* bind: refuse to start unless src is still this file */
        dev_t dev;
        ino_t ino;
        char *origin;  /* what asked for it, for errors and explain: "--ro-bind", "/entrypoints/x/void/mounts/0" */
        char *profile; /* the profile it comes from ("python3"), or NULL: explain labels its mounts */
        char *fstype, *options; /* mount: the file system type and its options ("mode=755,size=64k") */
        mode_t mode;            /* device: permission bits */
        uid_t uid;              /* device: owner */
        gid_t gid;
};

/* How Landlock is used (doc/plan-json.md, "landlock"). */
enum vb_plan_landlock {
        VB_PLAN_LANDLOCK_AUTO,   /* the default: on wherever the kernel has it, "/" readable, writable where granted */
        VB_PLAN_LANDLOCK_STRICT, /* only the granted paths are reachable, each as its grant allows */
        VB_PLAN_LANDLOCK_OFF,    /* no Landlock at all */
};

enum vb_plan_seccomp {
        VB_PLAN_SECCOMP_DEFAULT, /* the built-in policy */
        VB_PLAN_SECCOMP_OFF,
        VB_PLAN_SECCOMP_FILE, /* a text policy read from seccomp_file when the plan is applied */
        VB_PLAN_SECCOMP_TEXT, /* a text policy held by the plan: ctr.seccomp_text (an OCI config's linux.seccomp) */
};

/* A socket forwarder (unix proxied): a socket at `at` in the void, connected to upstream on the host. */
struct vb_plan_forward {
        char *at, *upstream;
};

/* The caretakers a plan asks for; the supervisor starts them (vb_plan_apply() does not). */
struct vb_plan_care {
        struct vb_plan_forward *fwd;
        size_t n_fwd;
        struct vb_net_allow *allow; /* net proxied: what the network caretaker lets through */
        char **allow_text;          /* ... each as written */
        size_t n_allow;
        char *dbus_at, *dbus_bus; /* the D-Bus proxy, or NULL */
        char **dbus_talk;         /* NULL-terminated (NULL: none) */
        size_t n_dbus_talk;
        char **hosts; /* "ADDRESS NAME" lines of the void's /etc/hosts: the names in --net-allow (NULL: none) */
        size_t n_hosts;
        char *name;  /* the control socket's name (voidshim ctl NAME), or NULL */
        char *inbox; /* where the powerbox's inbox appears in the void, or NULL */
};

/*
 * What the supervisor hands to the applier once its caretakers run: the
 * network caretaker's namespaces to join, the terminal caretaker's pty, the
 * inbox.  All borrowed; -1 / NULL for none.
 */
struct vb_plan_live {
        int join_fd[VB_NS_COUNT]; /* joined instead of the plan's namespace choice when >= 0 */
        int terminal_fd;          /* vb_void_terminal() */
        struct vb_inbox *inbox;   /* vb_void_inbox() at care.inbox */
        int gate_fd;              /* vb_void_hold(): an OCI runtime's created container waits on it */
        const int *cgroup_v1;     /* vb_void_cgroup_v1(): cgroup v1 directories to start in */
        size_t n_cgroup_v1;
};

/*
 * What an OCI config asks of a void beyond the grants (include/voidbuilder.h,
 * "containers"); all zero for run's options and a spec.
 */
struct vb_plan_container {
        bool image_root;                     /* the plan's root is a container image's (vb_void_image_root()) */
        bool enter;                          /* no root of its own: the joined mount namespace's (an exec) */
        struct vb_id_map *uid_map, *gid_map; /* written by the spawner, instead of one id */
        size_t n_uid_map, n_gid_map;
        bool user_set; /* the program's user (vb_void_user()) */
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
        bool umask_set;
        mode_t umask;
        bool caps_set; /* exactly these capability sets (vb_void_cap_sets()) */
        struct vb_cap_sets caps;
        bool new_privs; /* no_new_privs left unset */
        bool oom_set;
        int oom_score_adj;
        char *seccomp_text; /* VB_PLAN_SECCOMP_TEXT */
        char *seccomp_name; /* its name in errors and explain */
        char **notes;       /* NULL-terminated: what the front end read and left out, and why */
};

struct vb_plan {
        /* The program: a path in the void, or (host) a host file opened and run by fd. */
        char *program;
        bool program_host;
        char **argv; /* NULL-terminated, argv[0] included */

        enum vb_ns_mode ns[VB_NS_COUNT];
        char *ns_path[VB_NS_COUNT]; /* VB_NS_JOIN: the namespace file to open */

        /* Servers given a mode explicitly; the others keep the void's defaults (doc/servers.md). */
        enum vb_server_mode server[VB_SERVER_COUNT];
        bool server_set[VB_SERVER_COUNT];

        bool ids_set; /* uid, gid inside the void's user namespace */
        uid_t uid;
        gid_t gid;
        enum vb_identity identity; /* who the void is on the host (VB_IDENTITY_AUTO: the library's default) */

        bool stdio[3]; /* hand in the caller's fd 0, 1, 2 (when open and no FD grant takes the number) */

        struct vb_plan_grant *grants;
        size_t n_grants;

        bool loopback;
        char *hostname, *chdir;

        enum vb_plan_landlock landlock;
        enum vb_plan_seccomp seccomp;
        char *seccomp_file;

        char *cgroup;            /* a cgroup v2 directory to start in (CLONE_INTO_CGROUP), or NULL */
        struct vb_limits limits; /* cgroup limits (vb_void_limits()); 0: that resource is not limited */

        char **hide; /* host paths no bind may show (vb_void_hide()): the supervisor's control sockets; or NULL */

        struct vb_plan_care care;
        struct vb_plan_live live;

        /*
         * What "/" is made of.  root NULL: the empty tmpfs.  Otherwise the host
         * directory root, read-only unless root_rw (vb_void_root()), or with
         * overlay the lower layer of an overlay whose upper is the host directory
         * overlay_upper, or a tmpfs when it is NULL (vb_void_root_overlay()).
         */
        char *root;
        bool root_rw;
        bool overlay;
        char *overlay_upper;
        /* pid 1: the program (init false), or voidshim's reaper (vb_void_init()); init_hold: a session's. */
        bool init, init_hold;
        /* chown(2), fchown, lchown, fchownat succeed and change nothing (seccomp errno 0): in a tree
         * whose files are all the caller's, a one-id void cannot give them to another id anyway. */
        bool chown_noop;

        struct vb_plan_container ctr;
};

/* A new plan: the bare void (all namespaces fresh, nothing granted, stdio not handed in).  NULL on OOM. */
struct vb_plan *vb_plan_new(void) VB_WUR;
/* Free a plan and everything it owns (not the borrowed fds of FD grants or live); accepts NULL. */
struct vb_plan *vb_plan_free(struct vb_plan *p);
/* A deep copy (borrowed fds stay borrowed).  NULL on OOM. */
struct vb_plan *vb_plan_dup(const struct vb_plan *p) VB_WUR;

/* Append a grant (a copy of g: its strings are duplicated).  Returns its index, or -ENOMEM. */
int vb_plan_add(struct vb_plan *p, const struct vb_plan_grant *g) VB_NONNULL(1, 2);
/* Convenience forms of vb_plan_add() (origin may be NULL). */
int vb_plan_bind(struct vb_plan *p, const char *src, const char *dst, unsigned flags, const char *origin)
        VB_NONNULL(1, 2, 3);
int vb_plan_setenv(struct vb_plan *p, const char *name, const char *value, const char *origin) VB_NONNULL(1, 2, 3);
int vb_plan_fd(struct vb_plan *p, int fd, int target, unsigned access, const char *origin) VB_NONNULL(1);
/* Add a host path that no bind may show in the void (vb_void_hide()).  -ENOMEM, -EINVAL (relative). */
int vb_plan_hide(struct vb_plan *p, const char *host_path) VB_NONNULL(1, 2);
/* Set the program (copies); argv NULL means { program }. */
int vb_plan_set_program(struct vb_plan *p, const char *program, bool host, char *const argv[]) VB_NONNULL(1, 2);
/* Give server s mode m; -EINVAL (with *why, a static sentence) when Linux or voidshim cannot. */
int vb_plan_set_server(struct vb_plan *p, enum vb_server s, enum vb_server_mode m, const char **why) VB_NONNULL(1);
/* Replace *field (a char * of the plan) with a copy of value (NULL clears).  -ENOMEM. */
int vb_plan_set_str(char **field, const char *value) VB_NONNULL(1);

/*
 * Check that the plan does not contradict itself (a --server next to a
 * --share of its namespace, a net allowlist without net proxied, ids in a
 * shared user namespace, ...).  0, or -EINVAL with *why (malloc'd) naming
 * the conflict in the words of `voidshim run`'s options.
 */
int vb_plan_check(const struct vb_plan *p, char **why) VB_NONNULL(1, 2);

/* Does the plan ask for caretakers or a control socket, which a supervisor must start? */
bool vb_plan_needs_care(const struct vb_plan *p) VB_NONNULL(1);

/*
 * Build the void the plan describes: namespaces, ids, stdio, grants in order,
 * network, names, seccomp, Landlock, cgroup, the program, the live
 * caretakers' endpoints, then the servers (vb_void_server()), then the inbox.
 * With for_explain, what needs a live caretaker is described only (a proxied
 * net or term without live fds is left out).  On success *out is the new
 * void (free with vb_void_free()).  -errno with err naming the grant or
 * setting that failed ("--ro-bind /x /y: No such file or directory").
 */
int vb_plan_apply(const struct vb_plan *p, bool for_explain, struct vb_void **out, struct vb_error **err)
        VB_NONNULL(1, 3);

/*
 * What the plan's --libs grants cannot show: one line per program that loads
 * code at run time (vb_program_loads_code()), naming the grant as written.
 * malloc'd ("" when there is nothing to say), NULL on OOM.
 */
char *vb_plan_libs_notes(const struct vb_plan *p) VB_NONNULL(1);

/*
 * The plan as JSON (doc/plan-json.md): a malloc'd NUL-terminated string,
 * NULL on OOM.  Host fds are written as numbers and so compare only within
 * one process.
 */
char *vb_plan_to_json(const struct vb_plan *p) VB_NONNULL(1);

/* ---- specs ------------------------------------------------------------------ */

/* One bind a "bind-cmdline" mount expands to on one start: a command-line path, checked by the caller. */
struct vb_plan_cmdline_bind {
        size_t mount;     /* index in the entrypoint's "mounts" of the mount it comes from */
        const char *path; /* in the void: the word made absolute */
        const char *src;  /* on the host: the same path, physical */
        unsigned flags;   /* VB_MOUNT_* */
        dev_t dev;        /* what src was when it was checked */
        ino_t ino;
};

/* What a spec entrypoint is given on one start: the command line. */
struct vb_plan_spec_start {
        const char *cwd;                          /* the caller's working directory ("chdir": "caller"), or NULL */
        char *const *trailing;                    /* the words a "trailing" arg passes on as argv, or NULL */
        size_t n_each;                            /* fds a "cmdline": "trailing" arg takes (VOIDSHIM_FDS) */
        const struct vb_plan_cmdline_bind *binds; /* by mount, then parents before children */
        size_t n_binds;
};

/*
 * The plan of entrypoint e of spec s: its environment's servers (an absent
 * server keeps the void's default, except exec, whose default is fresh: the
 * program's own ELF closure), its "void" grants in the spec's order, its
 * program (a host file, run by fd), VOIDSHIM_ENTRYPOINT and VOIDSHIM_FDS, the
 * caretakers of its proxied servers, the spec's "name" (care.name) and the
 * entrypoint's "inbox" (care.inbox).
 * start (NULL: nothing from a command line, as for explain) gives the binds
 * its "bind-cmdline" mounts expand to, each in its mount's place.  The fds of
 * its args are the caller's to add (vb_plan_fd()).  -ENOMEM, or -EINVAL with err
 * (also when the allowlist names hosts not resolved yet: vb_plan_spec_resolve()).
 */
int vb_plan_from_spec(const struct vb_spec *s, const struct vb_spec_entry *e, const struct vb_plan_spec_start *start,
                      struct vb_plan **out, struct vb_error **err) VB_NONNULL(1, 2, 4);

/*
 * Resolve the host names of spec s's net allowlist ("tcp:deb.debian.org:80"),
 * in place and once: each becomes one entry per address a caretaker can route
 * to (vb_net_allow_resolve(), the caller's resolver), and s->care.hosts names
 * them for the voids' /etc/hosts, exactly as `voidshim run --net-allow` does
 * when it is given the same entry.  vb_plan_from_spec() refuses a spec whose
 * names are not resolved yet; a spec without names is left as it is.  0, or
 * -errno with err ("\"allow\" entry tcp:x:80: no address for this name"):
 * -ENOENT (no address), -EHOSTUNREACH (the resolver failed), -EINVAL, -E2BIG,
 * -ENOMEM.  On failure s is unchanged.
 */
int vb_plan_spec_resolve(struct vb_spec *s, struct vb_error **err) VB_NONNULL(1);

/*
 * The grants of profile prof (vb_spec_load_profile()), as a spec's
 * entrypoint would give them: mounts, libs, /proc, /dev, passwd, env,
 * rlimits, each with prof's name (vb_plan_grant.profile) and an origin made
 * from origin_base ("--profile python3 (mounts/2)").  -ENOMEM.
 */
int vb_plan_add_profile(struct vb_plan *p, const struct vb_spec_profile *prof, const char *origin_base)
        VB_NONNULL(1, 2, 3);

/*
 * "name=3,other=4,trigger=5,trigger.1=6": VOIDSHIM_FDS for entrypoint e, where
 * a "cmdline": "trailing" arg takes n_each fds (NAME.0, NAME.1, ...).
 * malloc'd, NULL on OOM.
 */
char *vb_plan_spec_fds(const struct vb_spec_entry *e, size_t n_each) VB_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
