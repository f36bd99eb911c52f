/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the observer's filter (vb_void_observe() in voidbuilder.h). */
#ifndef VB_OBSERVE_H
#define VB_OBSERVE_H

struct vb_void;

/* Free what vb_void_observe() stored in v (names, filter, socket); idempotent. */
void vb_void_observe_done(struct vb_void *v);

/*
 * In the child, after no_new_privs: install the observer's filter with a new
 * listener and send the listener over v->observe_sock.  One seccomp(2) and one
 * sendmsg(2), no allocation.  0 or -errno.
 */
int vb_observe_install(const struct vb_void *v);

#endif
