/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities: what the void keeps (nothing by default), applied with libcap. */
#ifndef VB_CAPS_H
#define VB_CAPS_H

#include <stdint.h>

struct _cap_struct;
/* Parent: build the cap_t the child will set (keep = bitmask of CAP_* to keep).  NULL on OOM. */
struct _cap_struct *vb_caps_prepare(uint64_t keep);
/* The same with each of the three sets given (bit n = CAP n).  NULL on OOM. */
struct _cap_struct *vb_caps_prepare_sets(uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* Child: drop every capability not in keep from the bounding, ambient, inheritable,
 * permitted and effective sets; raise kept ones into the ambient set so they survive exec. */
int vb_caps_apply(struct _cap_struct *caps, uint64_t keep);
/* Child, the two halves of vb_caps_apply(): drop from the bounding set what is not in bounding
 * (needs CAP_SETPCAP in the effective set) ... */
int vb_caps_drop_bound(uint64_t bounding);
/* ... then set the effective, permitted and inheritable sets from caps and raise ambient. */
int vb_caps_set(struct _cap_struct *caps, uint64_t ambient);

#endif
