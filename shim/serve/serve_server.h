/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The server of `voidshim serve`: its pools of warm voids (serve_pool.c) and its clients (cmd_serve.c). */
#ifndef SHIM_SERVE_SERVER_H
#define SHIM_SERVE_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "serve/serve.h"

/* What a void inherits from the process that spawns it (serve_peer.c). */
struct serve_attrs {
        char status[2048]; /* the lines of /proc/PID/status that a void inherits */
        char limits[4096];
        char cgroup[2048];
        char oom[32], personality[32];
        long nice;
        uint64_t ns[8];
        uint64_t root_dev, root_ino;
};

/* Read pid's attributes (0: our own).  0 or -errno. */
int serve_attrs_read(pid_t pid, struct serve_attrs *a);
/* NULL when a and b give a void the same inheritance, else what differs (static text). */
const char *serve_attrs_differ(const struct serve_attrs *a, const struct serve_attrs *b);

/* A host file a pool's voids hold, as it was when they were built. */
struct serve_stamp {
        char *path;
        uint64_t dev, ino;
};

/* Warm voids for one plan (its key: the plan as JSON, without what differs per run). */
struct serve_pool {
        char *key;
        struct vb_warm *w;
        struct serve_stamp *stamps; /* bind sources, the host program, ld.so.cache */
        size_t n_stamps;
        /*
         * The fd targets its voids keep of the template's: a server may drop an fd by what it is
         * (term denied or fresh drop terminals), and does so to the stand-in as it would to the
         * request's fd, so a request hands in only these.
         */
        int targets[2 * SERVE_MAX_FDS];
        size_t n_targets;
        uint64_t last_used; /* a counter, for eviction */
        unsigned long served;
        time_t failed; /* w NULL: when building it failed */
};

struct serve_template;

#define SERVE_MAX_POOLS 16

struct serve_pools {
        struct serve_pool p[SERVE_MAX_POOLS];
        size_t n;
        unsigned depth; /* warm voids per pool */
        uint64_t tick;
};

/*
 * The key of plan p (its FD grants hold the request's fds, its stdio already
 * made FD grants): its JSON without argv, with each fd's kind.  malloc'd;
 * NULL on OOM or for a plan with an fd that is never served (O_PATH: the
 * cold path says what it thinks of it).
 */
char *serve_plan_key(const struct vb_plan *p);
/*
 * The ready pool of key, or NULL.  A pool whose host files changed since it
 * was built (a bind source, the program, ld.so.cache replaced) is dropped:
 * NULL.  *failed: key's voids could not be built a moment ago (not retried
 * for a minute).
 */
struct serve_pool *serve_pool_find(struct serve_pools *ps, const char *key, bool *failed);
/*
 * The template of plan p's voids: a copy in which each fd is a stand-in of
 * the same kind (/dev/null, or a pty of ours for a terminal; the request's
 * own fds replace them target for target), so that it can be built once the
 * request's fds are closed.  NULL on failure.  Free with serve_template_free().
 */
struct serve_template *serve_template_new(const struct vb_plan *p);
void serve_template_free(struct serve_template *t);
/*
 * Build key's pool from t (evicting the least recently used pool when all
 * are taken), and stamp what its voids hold.  Never while a client's fds are
 * open here: the pool's helper process would keep copies of them.  0 or
 * -errno (key is then remembered as failed).
 */
int serve_pool_build(struct serve_pools *ps, const char *key, struct serve_template *t);
/* Does pool keep fd target (of the request's plan) in its voids? */
bool serve_pool_keeps(const struct serve_pool *pool, int target);
/* Free every pool (their waiting voids end). */
void serve_pools_done(struct serve_pools *ps);

#endif
