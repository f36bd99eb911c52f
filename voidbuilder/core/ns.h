/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespace steps: clone flags, id maps, setns, hostname, time offsets. */
#ifndef VB_NS_H
#define VB_NS_H

#include <stdint.h>
#include <sys/types.h>

#include "core/void.h"

/* The CLONE_NEW* flag of a namespace. */
uint64_t vb_ns_flag(enum vb_ns ns);
/* CLONE_NEW* flags of every namespace in mode, optionally leaving out some. */
uint64_t vb_ns_flags(const struct vb_void *v, enum vb_ns_mode mode);
/* Child, in a fresh user ns: map uid/gid 0 inside to outer_uid/outer_gid (setgroups deny). No malloc. */
int vb_ns_write_id_maps(uid_t outer_uid, gid_t outer_gid);
/* The same with the ids inside chosen: inner_uid/inner_gid over outer_uid/outer_gid, one each. */
int vb_ns_map_ids(uid_t inner_uid, gid_t inner_gid, uid_t outer_uid, gid_t outer_gid);
/* Child: setns() into every VB_NS_JOIN namespace, the user ns first.  *failed names the ns on error. */
int vb_ns_join(const struct vb_void *v, enum vb_ns *failed);
/* Child, in a fresh time ns made by unshare(): write the offsets before exec enters it. */
int vb_ns_write_time_offsets(int64_t monotonic, int64_t boottime);
/* Human explanation of why the kernel refused to create namespaces (EPERM/ENOSPC/EINVAL...). */
const char *vb_ns_refusal_hint(int errnum);

#endif
