/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal side of struct vb_pool (public API in voidbuilder.h). */
#ifndef VB_POOL_H
#define VB_POOL_H

struct vb_void;

/* At spawn: make the void join a pooled namespace if one is ready.  1 taken, 0 none ready, -errno. */
int vb_pool_take(struct vb_void *v);
/* After spawn: drop the builder's reference to what vb_pool_take() set up. */
void vb_pool_release(struct vb_void *v, int taken);

#endif
