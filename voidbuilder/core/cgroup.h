/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the cgroups that carry a void's limits (vb_void_limits()).
 *
 * The layout is read, never assumed: /proc/self/mountinfo says where the
 * cgroup2 hierarchy and each v1 controller's hierarchy are mounted,
 * /proc/self/cgroup where the caller sits in each.  A controller bound to v2
 * is used there, below the nearest cgroup at or above the caller's (or the
 * --cgroup directory) that enables it for its children: a delegated subtree.
 * A controller bound to a v1 hierarchy (hybrid hosts) is used there, below
 * the caller's cgroup in it.  Each void gets one cgroup per hierarchy, named
 * voidshim-OWNER-N (OWNER: the pid of the process that removes it).
 *
 * Nothing here prints; errors come back as -errno with a static reason.
 */
#ifndef VB_CGROUP_H
#define VB_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "voidbuilder.h"

enum vb_cg_ctl {
        VB_CG_PIDS,
        VB_CG_MEMORY,
        VB_CG_CPU,
        VB_CG_NCTL,
};

/* Name of a controller: "pids", "memory", "cpu". */
const char *vb_cg_ctl_name(enum vb_cg_ctl c);

/* Where the caller's cgroups are (every path a directory, with the sysroot prefix). */
struct vb_cg_layout {
        char *v2_mnt;              /* the cgroup2 mount point, or NULL */
        char *v2_self;             /* the caller's cgroup in it, or NULL */
        char *v1_self[VB_CG_NCTL]; /* the caller's cgroup in each controller's v1 hierarchy, or NULL */
};

/*
 * The layout from the texts of /proc/self/mountinfo and /proc/self/cgroup,
 * each path prefixed with sysroot ("" on the host; a temporary directory in
 * tests).  The first mount of each hierarchy counts; a cgroup outside a
 * mount's root is not reachable through it.  0, -ENOMEM.  Pure.
 */
int vb_cg_layout_parse(const char *mountinfo, const char *self_cgroup, const char *sysroot, struct vb_cg_layout *out);
/* The same from this process's own files.  0, -errno. */
int vb_cg_layout_read(struct vb_cg_layout *out);
void vb_cg_layout_done(struct vb_cg_layout *l);

/* Which hierarchy takes each controller the limits need. */
struct vb_cg_where {
        bool need[VB_CG_NCTL];
        bool v2[VB_CG_NCTL];      /* in the v2 hierarchy, below v2_parent */
        char *v2_parent;          /* NULL unless some controller is in v2 (and no base fd was given) */
        bool v2_base;             /* v2: below the directory given as base_fd */
        char *v1_dir[VB_CG_NCTL]; /* v1: below this directory (the caller's cgroup) */
        int failed;               /* the controller vb_cg_choose() could not place, or -1 */
};

/*
 * Choose, for the controllers l needs, a hierarchy each: v2 when its root
 * lists the controller (cgroup.controllers), else its v1 hierarchy.  For v2,
 * base_fd >= 0 (vb_void_cgroup()) is the parent, which must enable the
 * controller in its cgroup.subtree_control or be able to (it is tried);
 * otherwise the parent is the nearest of the caller's cgroup and its
 * ancestors that enables it.  0; -EOPNOTSUPP with *why (static) when a
 * controller is in no hierarchy or enabled nowhere above the caller; -ENOMEM.
 */
int vb_cg_choose(const struct vb_cg_layout *lay, const struct vb_limits *l, int base_fd, struct vb_cg_where *out,
                 const char **why);
void vb_cg_where_done(struct vb_cg_where *w);

/* A value to write into a control file. */
struct vb_cg_file {
        const char *name;
        char value[48];
        bool optional; /* the file may not exist (no swap accounting, an old kernel): skip it */
};
/*
 * The files that set controller c's limit from l in a v2 or v1 cgroup, in the
 * order to write them.  Returns how many (at most 3), 0 when l does not limit c.  Pure.
 */
size_t vb_cg_limit_files(enum vb_cg_ctl c, bool v2, const struct vb_limits *l, struct vb_cg_file out[3]);

/* The cgroups of one void. */
struct vb_cgroup;

/*
 * Make the cgroups for limits l (vb_cg_choose() with the host's layout),
 * after removing the empty ones that a killed owner left where they go, and
 * write the limits.  owner: whose pid names them.  0 with *out; -errno with
 * err ("limit pids: ...") and nothing left behind.
 */
int vb_cg_create(const struct vb_limits *l, int base_fd, pid_t owner, struct vb_cgroup **out, struct vb_error **err);
/* The v2 cgroup to start the void in (CLONE_INTO_CGROUP), or -1.  Owned by cg. */
int vb_cg_v2_fd(const struct vb_cgroup *cg);
/* Must the void's first process be moved into v1 cgroups after the clone? */
bool vb_cg_needs_place(const struct vb_cgroup *cg);
/* Move pid into each v1 cgroup (cgroup.procs).  0, -errno with err. */
int vb_cg_place(const struct vb_cgroup *cg, pid_t pid, struct vb_error **err);
/* One line for logs: "pids,memory in v1 /sys/fs/cgroup/pids/voidshim-1-1, ..." (static per cg). */
const char *vb_cg_describe(struct vb_cgroup *cg);
/* Remove the cgroups (their processes are gone: retried briefly while the kernel lets them go) and free. */
void vb_cg_remove(struct vb_cgroup *cg);

/*
 * Remove sysroot-less directory dir's children named voidshim-PID-N whose
 * PID no longer runs (empty ones only: a populated cgroup refuses rmdir).
 */
void vb_cg_sweep(const char *dir);

#endif
