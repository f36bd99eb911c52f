/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: what an OCI runtime asks of a void beyond the void's own grants
 * (include/voidbuilder.h, "containers"): a root from a directory, id maps
 * written by the spawner, the program's user, the five capability sets, an
 * optional no_new_privs, sysctls, oom_score_adj, cgroup v1 placement, and a
 * held start.  A void that uses none of it has v->ctr == NULL and takes none
 * of these steps.  The mount-like requests (vb_void_mount/mask/readonly/
 * device) are ordinary entries of v->mounts, applied here (vb_ctr_mount_apply).
 */
#ifndef VB_CONTAINER_H
#define VB_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/void.h"

#define VB_MAX_ID_RANGES 340
#define VB_MAX_CGROUP_V1 16
#define VB_MAX_SYSCTLS   64

struct vb_sysctl {
        char *path; /* under /proc/sys, e.g. "net/ipv4/ip_forward" */
        char *value;
};

struct vb_container {
        bool enter; /* vb_void_enter(): keep the joined mount namespace's root */

        struct vb_id_map *uid_map, *gid_map;
        size_t n_uid_map, n_gid_map;

        bool user_set;
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
        bool umask_set;
        mode_t umask;

        bool caps_set;
        struct vb_cap_sets caps;
        bool new_privs; /* no_new_privs left unset */

        struct vb_sysctl sysctls[VB_MAX_SYSCTLS];
        size_t n_sysctls;
        bool oom_set;
        int oom_score_adj;

        int cgroup_v1[VB_MAX_CGROUP_V1];
        size_t n_cgroup_v1;

        int gate_fd; /* vb_void_hold(), or -1 */
};

/* The container part of v, made on first use; NULL on OOM. */
struct vb_container *vb_ctr_get(struct vb_void *v);
/* Free it; accepts NULL. */
void vb_ctr_free(struct vb_container *c);

/* Does the spawner have to act between clone and setup (id maps, cgroup v1)? */
bool vb_ctr_needs_sync(const struct vb_void *v);
/* The capability sets the program gets: the explicit ones, or keep_caps in every set. */
struct vb_cap_sets vb_ctr_cap_sets(const struct vb_void *v);
/* Spawner: write the maps and cgroup.procs for child pid.  0 or -errno with err. */
int vb_ctr_sync_parent(const struct vb_void *v, pid_t pid, struct vb_error **err);

/* ---- child steps (no allocation) ---- */

/* The mount kinds of this module (VB_MNT_FS, VB_MNT_MASK, VB_MNT_RDONLY, VB_MNT_DEVICE). */
int vb_ctr_mount_apply(int rootfd, const struct vb_mount *m, const char **why);
/* Before pivot_root, through the host's /proc: sysctls and oom_score_adj.  *what names a failure. */
int vb_ctr_before_pivot(const struct vb_void *v, const char **what);
/* The program's user and umask, keeping the capabilities that vb_caps_apply() sets next. */
int vb_ctr_switch_user(const struct vb_void *v);
/* Held void: is the program there to be run?  -ENOENT/-EACCES. */
int vb_ctr_find_program(const struct vb_void *v);

#endif
