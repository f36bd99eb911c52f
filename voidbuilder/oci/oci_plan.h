/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to libvoidoci: the parts of vb_plan_from_oci() (oci_plan.c, oci_mounts.c). */
#ifndef VB_OCI_PLAN_H
#define VB_OCI_PLAN_H

#include "voidbuilder/oci.h"

/* Append "reason" to p->ctr.notes.  -ENOMEM. */
int oci_plan_note(struct vb_plan *p, const char *fmt, ...) VB_PRINTF(2, 3);
/* config.json's mounts as grants, in order. */
int oci_plan_mounts(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err);
/* A process: program, env, cwd, rlimits, user, umask, capabilities, no_new_privs, oom_score_adj. */
int oci_plan_process(struct vb_plan *p, const struct vb_oci_process *pr, const char *path, struct vb_error **err);
/* The live parts of one create or exec. */
int oci_plan_start(struct vb_plan *p, const struct vb_plan_oci_start *s, struct vb_error **err);

#endif
