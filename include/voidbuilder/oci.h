/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidoci: an OCI runtime bundle (runtime-spec's config.json) as a plan,
 * and an OCI runtime's state.  doc/oci.md says what each field becomes.
 *
 * vb_oci_load() reads and checks a bundle's config.json into a struct vb_oci
 * (every error names the field as a JSON path and the reason:
 * "config.json: /linux/namespaces/2/type: unknown namespace \"foo\"");
 * vb_plan_from_oci() turns it into a struct vb_plan (include/voidbuilder/plan.h)
 * like any other front end, so `voidshim explain --oci` shows it and
 * vb_plan_apply() builds it.  What the runtime itself does around the void
 * (cgroups, hooks, the console, the state) is read from the struct vb_oci.
 * Functions returning int return >= 0 or -errno.
 */
#ifndef VOIDBUILDER_OCI_H
#define VOIDBUILDER_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../voidbuilder.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime-spec version voidshim implements (its state's "ociVersion"). */
#define VB_OCI_VERSION "1.0.2"

enum vb_oci_hook_kind {
        VB_OCI_PRESTART,
        VB_OCI_CREATE_RUNTIME,
        VB_OCI_CREATE_CONTAINER,
        VB_OCI_START_CONTAINER,
        VB_OCI_POSTSTART,
        VB_OCI_POSTSTOP,
        VB_OCI_HOOK_COUNT,
};

struct vb_oci_hook {
        char *path;
        char **args; /* NULL-terminated; NULL: { path } */
        char **env;  /* NULL-terminated; NULL: empty */
        int timeout; /* seconds; 0: none */
};

struct vb_oci_mount {
        char *dst, *type, *source; /* type and source may be NULL */
        char **options;            /* NULL-terminated, as given */
};

struct vb_oci_rlimit {
        int resource; /* RLIMIT_* */
        uint64_t soft, hard;
};

/* A process: config.json's "process", or exec's process.json. */
struct vb_oci_process {
        char **args, **env; /* NULL-terminated */
        char *cwd;
        bool terminal;
        unsigned console_height, console_width; /* 0: not given */
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
        bool umask_set;
        mode_t umask;
        bool caps_set; /* "capabilities" given */
        struct vb_cap_sets caps;
        struct vb_oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privs;
        bool oom_set;
        int oom_score_adj;
        char *apparmor, *selinux; /* refused unless empty: see vb_plan_from_oci() */
};

struct vb_oci_device {
        char *path;
        char type; /* 'c', 'b', 'p' ('u' is read as 'c') */
        int64_t major, minor;
        bool mode_set, uid_set, gid_set;
        mode_t mode;
        uid_t uid;
        gid_t gid;
};

/* One rule of linux.resources.devices (the cgroup's device list). */
struct vb_oci_dev_rule {
        bool allow;
        char type;            /* 'a', 'c', 'b' */
        int64_t major, minor; /* -1: any */
        char access[4];       /* of "rwm" */
};

/* linux.resources: what voidshim applies (doc/oci.md); unset fields are left as the kernel has them. */
struct vb_oci_resources {
        bool pids_set;
        int64_t pids_limit; /* <= 0: no limit */
        bool mem_limit_set, mem_reservation_set, mem_swap_set, mem_swappiness_set;
        int64_t mem_limit, mem_reservation, mem_swap;
        uint64_t mem_swappiness;
        bool shares_set, quota_set, period_set, rt_runtime_set, rt_period_set;
        uint64_t shares, period, rt_period;
        int64_t quota, rt_runtime;
        char *cpus, *mems; /* NULL: not given */
        struct vb_oci_dev_rule *devices;
        size_t n_devices;
        char **refused; /* NULL-terminated: the JSON paths of resources voidshim cannot apply (blockIO, ...) */
};

struct vb_oci {
        char *oci_version;
        char *bundle; /* absolute */
        char *root;   /* root.path, absolute (relative to the bundle when given so) */
        bool root_readonly;
        char *hostname, *domainname;
        struct vb_oci_mount *mounts;
        size_t n_mounts;
        bool has_process;
        struct vb_oci_process process;

        bool ns_set[VB_NS_COUNT];   /* listed in linux.namespaces: a namespace of the container's own ... */
        char *ns_path[VB_NS_COUNT]; /* ... or this one, joined */
        struct vb_id_map *uid_map, *gid_map;
        size_t n_uid_map, n_gid_map;
        char **sysctl; /* NULL-terminated pairs: key, value, key, value... */
        struct vb_oci_device *devices;
        size_t n_devices;
        char **masked, **readonly; /* NULL-terminated */
        char *seccomp;             /* linux.seccomp translated into a policy (doc/seccomp-policy.md), or NULL */
        bool resources_set;
        struct vb_oci_resources res;
        char *cgroups_path; /* linux.cgroupsPath, or NULL */
        char *rootfs_propagation;
        char *mount_label;
        struct vb_oci_hook *hooks[VB_OCI_HOOK_COUNT];
        size_t n_hooks[VB_OCI_HOOK_COUNT];
        char *annotations; /* the "annotations" object as compact JSON ("{}" when absent) */
        char **notes;      /* NULL-terminated: what was read and left out, "PATH: reason", for the log */
};

/*
 * Read BUNDLE/config.json.  On success *out holds the config (vb_oci_free()).
 * -EINVAL with err "config.json: PATH: reason" (or "config.json:LINE:COL:
 * reason" for JSON that does not parse), -ENOENT when there is no
 * config.json, -ENOMEM.
 */
int vb_oci_load(const char *bundle, struct vb_oci **out, struct vb_error **err) VB_NONNULL(1, 2);
/* Free a config; accepts NULL; returns NULL. */
struct vb_oci *vb_oci_free(struct vb_oci *c);
/* An exec's process.json (the same object as config.json's "process"), named in errors as name. */
int vb_oci_load_process(const char *path, const char *name, struct vb_oci_process *out, struct vb_error **err)
        VB_NONNULL(1, 2, 3);
/* Free what a process holds and zero it. */
void vb_oci_process_done(struct vb_oci_process *p);

/* The names of the hook kinds as config.json spells them ("prestart", "createRuntime", ...). */
const char *vb_oci_hook_name(enum vb_oci_hook_kind k);

/*
 * Translate a linux.seccomp object (JSON text) into a seccomp policy
 * (doc/seccomp-policy.md).  Syscalls libseccomp does not know are left out
 * and said in *notes (appended, NULL-terminated, malloc'd).  -EINVAL with err
 * naming the field.  Exposed for tests and for exec's process.json.
 */
int vb_oci_seccomp_policy(const char *json, char **policy, char ***notes, struct vb_error **err) VB_NONNULL(1, 2);

/* What one create or exec adds to a config: the live parts (all optional; -1/NULL/0 for none). */
struct vb_plan_oci_start {
        int terminal_fd;      /* the console's pty slave: the void's stdio and controlling terminal */
        int n_preserve;       /* fds 3 .. 3+n-1 handed in as they are */
        bool stdio;           /* hand in the caller's fds 0, 1, 2 (when no terminal) */
        int gate_fd;          /* hold the void: vb_void_hold() */
        const int *cgroup_v1; /* cgroup v1 directories to start in */
        size_t n_cgroup_v1;
        int cgroup_v2_fd; /* a cgroup v2 directory to start in (CLONE_INTO_CGROUP) */
        pid_t join_pid;   /* exec: the container's init, whose namespaces are joined */
};

/*
 * The plan of config c: its root directory, mounts, namespaces (with paths
 * joined), id maps, process (args, env, cwd, user, capabilities, rlimits,
 * noNewPrivileges, umask, oom_score_adj), hostname, sysctls, devices (the
 * default ones first: null zero full random urandom tty, and /dev's
 * symlinks), masked and read-only paths, seccomp.  start (NULL: none, as for
 * explain) adds the console, the preserved fds, the gate and the cgroups.
 * What the plan leaves to the runtime (hooks, cgroup limits) or refuses to
 * carry is named in p->ctr.notes.  -EINVAL with err naming the field, -ENOMEM.
 */
int vb_plan_from_oci(const struct vb_oci *c, const struct vb_plan_oci_start *start, struct vb_plan **out,
                     struct vb_error **err) VB_NONNULL(1, 3);
/*
 * The plan of an exec: process p run in the running container whose init is
 * start->join_pid (every namespace joined, its root kept: vb_void_enter()).
 * c is the container's config (its user namespace tells whether ids are mapped).
 */
int vb_plan_from_oci_process(const struct vb_oci *c, const struct vb_oci_process *p,
                             const struct vb_plan_oci_start *start, struct vb_plan **out, struct vb_error **err)
        VB_NONNULL(1, 2, 3, 4);

/* ---- the runtime's state (one directory per container under --root) ---- */

enum vb_oci_status {
        VB_OCI_CREATING,
        VB_OCI_CREATED,
        VB_OCI_RUNNING,
        VB_OCI_STOPPED,
        VB_OCI_PAUSED,
};

/* "creating", "created", ... */
const char *vb_oci_status_name(enum vb_oci_status s);

/* What a runtime records of a container (ID/state.json), besides the copy of its config. */
struct vb_oci_state {
        char *id;
        pid_t pid;           /* the init; 0 before it exists */
        uint64_t start_time; /* its start time (field 22 of /proc/PID/stat), so a reused pid is told apart */
        char *bundle;        /* absolute */
        char *created;       /* RFC 3339 */
        bool started;        /* `start` ran (set by no voidshim now: its gate, exec.fifo, gone says so) */
        char *annotations;   /* JSON object text */
        char **cgroups;      /* NULL-terminated: the cgroup directories it is in */
        char **cgroups_made; /* NULL-terminated: those of them this runtime made, to remove at delete */
        char *owner;         /* "voidshim" */
        unsigned hooks;      /* bit k set: the config has hooks of kind k (enum vb_oci_hook_kind) */
};

/* Write st to path (atomically: a temporary file renamed).  -errno. */
int vb_oci_state_save(const struct vb_oci_state *st, const char *path) VB_NONNULL(1, 2);
/* Read path into *st (zeroed first; free with vb_oci_state_done()).  -ENOENT, -EINVAL (damaged). */
int vb_oci_state_load(const char *path, struct vb_oci_state *st) VB_NONNULL(1, 2);
void vb_oci_state_done(struct vb_oci_state *st);
/*
 * The state as runtime-spec's `state` command prints it (and hooks read it on
 * stdin): {"ociVersion", "id", "status", "pid", "bundle", "annotations"}.
 * malloc'd, NULL on OOM.
 */
char *vb_oci_state_json(const struct vb_oci_state *st, enum vb_oci_status status, pid_t pid) VB_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
