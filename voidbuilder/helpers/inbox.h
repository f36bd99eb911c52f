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
/*
 * In the parent, before a void of its own identity takes the inbox: have the
 * holder behind sock idmap every grant, present and future, with userns_fd
 * (sent, not given away), as the void's binds are.  0 or -errno.
 */
int vb_inbox_request_idmap(int sock, int userns_fd);

#endif
