/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Passing fds over unix sockets: what the library's own processes use beside vb_fd_sendmsg(). */
#ifndef VB_CORE_FDPASS_H
#define VB_CORE_FDPASS_H

#include <stddef.h>

/*
 * vb_fd_sendmsg() with sendmsg(2) flags (MSG_DONTWAIT: a pid 1 that never
 * blocks on a reader); MSG_NOSIGNAL is always added and EINTR retried.  No
 * allocation: async-signal-safe.  0 or -errno (-EINVAL past SCM_MAX_FD fds).
 */
int vb_fd_sendmsg_flags(int sock, const void *data, size_t len, const int *fds, size_t n, int flags);

#endif
