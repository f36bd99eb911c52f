/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state of a running `voidshim serve` (cmd_serve.c sets it up, serve_loop.c runs it). */
#ifndef SHIM_SERVE_LOOP_H
#define SHIM_SERVE_LOOP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "serve/serve_server.h"

/* A client: waiting for its request, or (p set) waiting for its void's end. */
struct conn {
        int fd; /* -1: a free slot */
        struct vb_proc *p;
};

struct server {
        char path[PATH_MAX]; /* the socket */
        dev_t sock_dev;      /* ... as bound, so that only ours is ever removed */
        ino_t sock_ino;
        int listen_fd, epfd, sig_fd;
        pid_t janitor;
        int janitor_fd; /* the janitor's lifeline: it removes the socket when this closes */
        unsigned idle;  /* --idle: seconds without a client before it stops by itself (0: never) */
        bool stopping;
        struct serve_attrs self;
        struct serve_pools pools;
        struct conn *conns;
        size_t n_conns, n_running;
        unsigned long n_served, n_built, n_refused, fallbacks[WHY_COUNT];
};

/* Serve until stopped (--stop, SIGTERM, SIGINT, SIGHUP, --idle) and the last void has ended.  An exit status. */
int serve_loop(struct server *s);
/* Answer --status on fd: one message of text. */
void serve_status(struct server *s, int fd);
/* Remove the socket if it is still the one we bound. */
void serve_unlink(struct server *s);

#endif
