/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Newcomers started by the void's pid 1 (vb_void_newcomer()): the protocol
 * between the caller (newcomer.c) and the reaper (init_serve.c) on the
 * SOCK_SEQPACKET socket a held void's reaper keeps (VB_INIT_HOLD).
 *
 * A request is one message: a struct vb_init_req, then the strings
 * "PATH\0CWD\0ARG0\0...\0ENV0\0...\0" (CWD empty: the void's working
 * directory; envc -1: the void's environment), and by SCM_RIGHTS the status
 * socket first, then the fds, one per entry of targets[] (0, 1 and 2 among
 * them).  The reaper forks the newcomer, which takes the fds at their targets,
 * becomes a session leader, changes directory and execs; every other fd of the
 * reaper is close-on-exec.  On the status socket the reaper answers one
 * struct vb_init_reply: VB_INIT_STARTED with the newcomer's pidfd, or
 * VB_INIT_FAILED with the failing step; once it has reaped the newcomer, a
 * VB_INIT_EXITED with its wait status, and closes the socket.  A request it
 * cannot read or that breaks a rule gets VB_INIT_FAILED (EINVAL) on its status
 * socket, or on the request socket when there is none; nothing the reaper is
 * sent makes it block, allocate or exit.
 */
#ifndef VB_INIT_H
#define VB_INIT_H

#include <stdint.h>

#include "core/child.h"

#define VB_INIT_MAGIC         0x76626e31u  /* "vbn1" */
#define VB_INIT_REQ_MAX       (128 * 1024) /* a request's bytes, header included */
#define VB_INIT_MAX_STRINGS   8192         /* argv and environment entries together */
#define VB_INIT_MAX_FDS       32           /* fds a newcomer is handed (targets) */
#define VB_INIT_MAX_TARGET    1023         /* the highest fd number a target may be */
#define VB_INIT_MAX_NEWCOMERS 64           /* newcomers running at once, per void */

struct vb_init_req {
        uint32_t magic;
        uint32_t argc;  /* >= 1 */
        int32_t envc;   /* -1: the void's environment */
        uint32_t n_fds; /* the fds after the status socket, in targets' order */
        int32_t targets[VB_INIT_MAX_FDS];
};

enum {
        VB_INIT_STARTED = 1, /* pid; its pidfd by SCM_RIGHTS */
        VB_INIT_FAILED = 2,  /* rep: the step that failed and its errno */
        VB_INIT_EXITED = 3,  /* pid, status: what wait(2) said */
};

struct vb_init_reply {
        int32_t kind;
        int32_t pid; /* in the void's pid namespace */
        int32_t status;
        struct vb_report rep;
};

/*
 * The reaper's side: read one request from sock, if one is there, and answer
 * it (init_serve.c).  Async-signal-safe (static buffers, no malloc).  A
 * newcomer that started is remembered until vb_init_served_exit() is told of
 * its end.  0, or -EPIPE once the requester's end is closed.
 */
int vb_init_serve_one(int sock, const struct vb_void *v);
/* A child of the reaper was reaped: if it was a newcomer, tell its requester (and forget it). */
void vb_init_served_exit(pid_t pid, int status);

#endif
