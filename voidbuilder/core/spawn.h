/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the parent's side of a spawn, shared by vb_void_spawn() and the warm pool (warm.c). */
#ifndef VB_SPAWN_H
#define VB_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/child.h"
#include "core/void.h"

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
/* A handle for a void that is already our child (takes ownership of pidfd); NULL on OOM. */
struct vb_proc *vb_proc_adopt(pid_t pid, int pidfd);

#endif
