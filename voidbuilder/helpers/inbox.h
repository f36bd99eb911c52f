/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the inbox's holder protocol, as the void's child uses it. */
#ifndef VB_INBOX_H
#define VB_INBOX_H

/*
 * In the void's child: ask the holder behind channel sock for a clone of the
 * inbox (a detached mount tree, peer of the holder's).  Returns its fd
 * (O_CLOEXEC) or -errno.  Allocates nothing.
 */
int vb_inbox_request_clone(int sock);

#endif
