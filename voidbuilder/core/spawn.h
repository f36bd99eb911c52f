/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the parent's side of a spawn, shared by vb_void_spawn() and the warm pool (warm.c). */
#ifndef VB_SPAWN_H
#define VB_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cgroup.h"
#include "core/child.h"
#include "core/identity.h"
#include "core/void.h"

/*
 * What a spawn makes in the parent before the clone and holds until the void
 * is gone: its host identity (a lease on reserved ids) and its cgroups.  The
 * idmap namespace and the bind trees serve the clone only.
 */
struct vb_spawn_prep {
        bool has_ids; /* the void has a user namespace of its own: host_uid/host_gid are its ids */
        uid_t host_uid;
        gid_t host_gid;
        bool reserved;            /* ... taken from the reserved range, under lease */
        struct vb_id_lease lease; /* fd -1: none */
        bool pidns_fresh;         /* every process of the void dies with its init */
        int idmap_fd;             /* the idmap user namespace of the binds, or -1 */
        struct vb_cgroup *cg;     /* limits, or NULL */
};

/* Refuse grants that only make sense in a namespace of the void's own.  0 or -errno (with err). */
int vb_spawn_validate(const struct vb_void *v, struct vb_error **err);
/*
 * clone3() the void's first process with every fresh namespace (plus
 * extra_flags, e.g. CLONE_PARENT), which runs vb_child_main(ctx) and never
 * returns here.  In the parent: the pid, with its pidfd in *pidfd, or -errno
 * (with err, which may be NULL).
 */
pid_t vb_spawn_clone(struct vb_void *v, struct vb_child_ctx *ctx, int *pidfd, uint64_t extra_flags,
                     struct vb_error **err);
/* Read the child's report: 0 at EOF (the program runs), 1 with *rep filled, -errno. */
int vb_spawn_read_report(int fd, struct vb_report *rep);
/* Turn a failed step's report into err; returns -errnum. */
int vb_spawn_report_error(const char *exec_path, const struct vb_report *rep, struct vb_error **err);
/* Was p spawned through a relay (its init is the relay's child)?  *ns_fresh: the namespaces not the caller's. */
bool vb_proc_relayed(const struct vb_proc *p, uint64_t *ns_fresh);
/* A held void's: the socket its pid 1 takes newcomers' requests on (init.h); -1 when it has none. */
int vb_proc_init_sock(const struct vb_proc *p);
/* Make p (vb_proc_adopt()'d) a newcomer's handle: its end comes on sock (init.h), which p takes. */
void vb_proc_set_status_sock(struct vb_proc *p, int sock);
/* What p's spawn holds (its identity, its cgroups), for a newcomer that joins it (join.c). */
const struct vb_spawn_prep *vb_proc_prep(const struct vb_proc *p);
/*
 * A handle for a void that is already our child (takes ownership of pidfd,
 * and of *prep when not NULL, which is then emptied); NULL on OOM.
 */
struct vb_proc *vb_proc_adopt(pid_t pid, int pidfd, struct vb_spawn_prep *prep);

/*
 * Parent, before the clone: the void's host identity (a lease on reserved ids
 * when v's identity resolves to reserved, with its binds made here as idmapped
 * trees and the inbox told) and its cgroups.  owner names the cgroups.  Fills
 * ctx's sync, become and (cgroup v2) the clone's cgroup.  0, or -errno with
 * err and nothing held.
 */
int vb_spawn_prepare(struct vb_void *v, struct vb_spawn_prep *prep, struct vb_child_ctx *ctx, pid_t owner,
                     struct vb_error **err);
/* Are we the host's root: uid 0 of the initial user namespace (whose map is the whole id space)? */
bool vb_spawn_host_root(void);
/* v's identity made definite: VB_IDENTITY_AUTO is reserved for the host root's voids with a user namespace of their own. */
enum vb_identity vb_spawn_identity(const struct vb_void *v);
/*
 * Can v's identity be given (a reserved one needs a range)?  0 with the range in *range (count 0 when
 * v's identity needs none), or -errno with err.  For early checks, and for helpers that may not read it
 * themselves (vb_child_ctx.range).
 */
int vb_spawn_check_identity(const struct vb_void *v, struct vb_id_range *range, struct vb_error **err);
/* Parent, right after the clone (made or not): close what only the child needed. */
void vb_spawn_prepared(struct vb_void *v, struct vb_spawn_prep *prep);
/* Give back the lease and remove the cgroups: the void's processes are gone.  Idempotent. */
void vb_spawn_prep_release(struct vb_spawn_prep *prep);
/*
 * Parent, after the clone, when ctx->sync: move pid into its v1 cgroups, wait
 * for its user namespace (ctx->announce: a report on report_fd), write the id
 * maps of a reserved identity, then let it go with a byte on go_fd.  0, or
 * -errno with err (a failed step the child reported comes back as from
 * vb_void_spawn()); then the child is to be killed and reaped.
 */
int vb_spawn_settle(struct vb_void *v, const struct vb_child_ctx *ctx, const struct vb_spawn_prep *prep, pid_t pid,
                    int report_fd, int go_fd, struct vb_error **err);

#endif
