/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Passing fds over AF_UNIX sockets (SCM_RIGHTS): the pool, voidshim exec's socket triggers. */
#ifndef VB_FDPASS_H
#define VB_FDPASS_H

#include <stdbool.h>
#include <stddef.h>

/* Send one byte carrying fds[0..n) (n may be 0).  0 or -errno; never raises SIGPIPE. */
int vb_fd_send(int sock, const int *fds, size_t n);
/*
 * Receive one message.  Returns how many fds it carried (into fds, O_CLOEXEC),
 * 0 with *eof set at end of stream, -E2BIG when it carried more than max and
 * -EBADMSG when the control data was truncated (in both cases every fd
 * received is closed, none leaks), -errno otherwise.  flags: e.g. MSG_DONTWAIT.
 */
int vb_fd_recv(int sock, int *fds, size_t max, int flags, bool *eof);
/* The same with data: send len bytes of data (len >= 1) with the fds. */
int vb_fd_sendmsg(int sock, const void *data, size_t len, const int *fds, size_t n);
/*
 * Receive one message into data (*len bytes of room; on return the bytes
 * received) and its fds, as vb_fd_recv(); -EMSGSIZE (fds closed) when the
 * data did not fit (on a datagram or seqpacket socket).
 */
int vb_fd_recvmsg(int sock, void *data, size_t *len, int *fds, size_t max, int flags, bool *eof);

#endif
