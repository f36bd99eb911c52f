/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server's warm voids, one pool (vb_warm) per plan.  A pool is found by
 * its key: the plan as JSON (vb_plan_to_json(), which has every field of a
 * plan; doc/plan-json.md) without the two things that differ per run, the
 * program's arguments and the host numbers of the fds handed in, and with
 * the kind of each fd handed in (a terminal or not).  Two requests share a
 * pool only when their plans are the same plan.
 *
 * The template a pool's voids are built from is the request's plan with
 * each fd replaced by a stand-in of the same kind (/dev/null, or a pty of
 * the server's for a terminal): a request's fds replace them target for
 * target (vb_warm_spawn()).  What the library read on the host to build the
 * voids (the bind sources, the ELF closure, the program by fd) is stamped
 * (st_dev, st_ino) and checked at each request: a file replaced since (a
 * package upgrade renames a new file over the old) drops the pool, so a
 * served void never holds an old file that a cold one would not.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/serve_server.h"
#include "voidbuilder/cleanup.h"

/* A request fd's kind, for the key: 't' a terminal, 'p' an O_PATH fd (never served), 'f' anything else. */
static char fd_kind(int fd)
{
        int fl = fcntl(fd, F_GETFL);

        if (fl >= 0 && (fl & O_PATH))
                return 'p';
        return isatty(fd) ? 't' : 'f';
}

char *serve_plan_key(const struct vb_plan *p)
{
        _cleanup_free_ char *json = NULL, *kinds = calloc(2 * p->n_grants + 1, 1);
        struct vb_plan *k = vb_plan_dup(p);
        size_t n = 0;
        char *key = NULL;

        /* The arguments are the request's: a warm void takes them with its fds. */
        if (k && vb_plan_set_program(k, p->program, p->program_host, (char *[]){ "", NULL }) >= 0)
                json = vb_plan_to_json(k);
        vb_plan_free(k);
        for (size_t i = 0; kinds && i < p->n_grants; i++)
                if (p->grants[i].kind == VB_PLAN_FD) {
                        kinds[n] = fd_kind(p->grants[i].fd);
                        if (kinds[n++] == 'p')
                                return NULL;
                        kinds[n++] = ',';
                }
        if (json && kinds && asprintf(&key, "%s\nfds:%s", json, kinds) < 0)
                key = NULL;
        return key;
}

static void stamp_take(struct serve_stamp *s)
{
        struct stat st;

        s->dev = s->ino = 0;
        if (stat(s->path, &st) == 0)
                s->dev = (uint64_t)st.st_dev, s->ino = (uint64_t)st.st_ino;
}

static bool stamps_fresh(const struct serve_pool *pool)
{
        for (size_t i = 0; i < pool->n_stamps; i++) {
                struct serve_stamp now = { .path = pool->stamps[i].path };

                stamp_take(&now);
                if (now.dev != pool->stamps[i].dev || now.ino != pool->stamps[i].ino)
                        return false;
        }
        return true;
}

static int stamp_add(struct serve_pool *pool, const char *path)
{
        struct serve_stamp *n = reallocarray(pool->stamps, pool->n_stamps + 1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        pool->stamps = n;
        n[pool->n_stamps].path = strdup(path);
        if (!n[pool->n_stamps].path)
                return -ENOMEM;
        stamp_take(&n[pool->n_stamps++]);
        return 0;
}

/*
 * What the template void v holds that matters per request: the host files it
 * was built from (its binds' sources, the program it runs by fd,
 * ld.so.cache), stamped, and the fd targets it kept.
 */
static int survey_void(struct serve_pool *pool, const struct vb_void *v)
{
        _cleanup_free_ char *text = vb_void_explain_json(v);
        json_t *root = text ? json_loads(text, 0, NULL) : NULL, *mounts, *m, *host, *fds;
        size_t i;
        int r = root ? stamp_add(pool, "/etc/ld.so.cache") : -ENOMEM;

        fds = json_object_get(root, "fds");
        json_array_foreach(fds, i, m)
        {
                json_t *t = json_object_get(m, "target");

                if (json_is_integer(t) && pool->n_targets < ELEMENTSOF(pool->targets))
                        pool->targets[pool->n_targets++] = (int)json_integer_value(t);
        }

        mounts = json_object_get(root, "mounts");
        json_array_foreach(mounts, i, m)
        {
                const char *kind = json_string_value(json_object_get(m, "kind"));
                const char *src = json_string_value(json_object_get(m, "src"));

                if (r >= 0 && kind && src && strcmp(kind, "bind") == 0)
                        r = stamp_add(pool, src);
        }
        host = json_object_get(json_object_get(root, "program"), "host");
        if (r >= 0 && json_is_string(host))
                r = stamp_add(pool, json_string_value(host));
        json_decref(root);
        return r;
}

static void pool_free(struct serve_pool *pool)
{
        vb_warm_free(pool->w);
        for (size_t i = 0; i < pool->n_stamps; i++)
                free(pool->stamps[i].path);
        free(pool->stamps);
        free(pool->key);
        *pool = (struct serve_pool){};
}

static void pool_drop(struct serve_pools *ps, size_t i)
{
        pool_free(&ps->p[i]);
        ps->p[i] = ps->p[--ps->n];
        ps->p[ps->n] = (struct serve_pool){};
}

/* A stand-in of the same kind as the request's fd: a pty's other end for a terminal, else /dev/null. */
static int stand_in(int fd, int *master)
{
        int m, s;

        if (!isatty(fd))
                return open("/dev/null", O_RDWR | O_CLOEXEC);
        m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
                if (m >= 0)
                        close(m);
                return -1;
        }
        s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
        *master = m;
        return s;
}

struct serve_template {
        struct vb_plan *plan;
        int held[2 * SERVE_MAX_FDS]; /* the stand-ins (and pty masters) */
        size_t n_held;
};

void serve_template_free(struct serve_template *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n_held; i++)
                close(t->held[i]);
        vb_plan_free(t->plan);
        free(t);
}

struct serve_template *serve_template_new(const struct vb_plan *p)
{
        struct serve_template *t = calloc(1, sizeof(*t));

        if (!t || !(t->plan = vb_plan_dup(p))) {
                free(t);
                return NULL;
        }
        for (size_t i = 0; i < t->plan->n_grants; i++) {
                struct vb_plan_grant *g = &t->plan->grants[i];
                int master = -1;

                if (g->kind != VB_PLAN_FD)
                        continue;
                if (t->n_held + 2 > ELEMENTSOF(t->held) || (g->fd = stand_in(p->grants[i].fd, &master)) < 0) {
                        g->fd = -1;
                        serve_template_free(t);
                        return NULL;
                }
                t->held[t->n_held++] = g->fd;
                if (master >= 0)
                        t->held[t->n_held++] = master;
        }
        return t;
}

/* Build pool->w from template t and stamp what it holds.  0 or -errno. */
static int pool_build(struct serve_pool *pool, struct serve_template *t, unsigned depth)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct vb_void *v = NULL;
        int r;

        r = vb_plan_apply(t->plan, false, &v, &err);
        if (r >= 0)
                r = survey_void(pool, v);
        if (r >= 0 && !(pool->w = vb_warm_new(v, depth, &err)))
                r = err ? -err->errnum : -ENOMEM;
        vb_void_free(v);
        return r;
}

struct serve_pool *serve_pool_find(struct serve_pools *ps, const char *key, bool *failed)
{
        size_t i;

        *failed = false;
        for (i = 0; i < ps->n; i++)
                if (strcmp(ps->p[i].key, key) == 0)
                        break;
        if (i == ps->n)
                return NULL;
        if (!ps->p[i].w) { /* its build failed: try again after a minute */
                *failed = time(NULL) - ps->p[i].failed < 60;
                if (!*failed)
                        pool_drop(ps, i);
                return NULL;
        }
        if (!stamps_fresh(&ps->p[i])) {
                pool_drop(ps, i);
                return NULL;
        }
        ps->p[i].last_used = ++ps->tick;
        return &ps->p[i];
}

int serve_pool_build(struct serve_pools *ps, const char *key, struct serve_template *t)
{
        struct serve_pool *pool;
        int r;

        if (ps->n == SERVE_MAX_POOLS) { /* the least recently used makes room */
                size_t lru = 0;

                for (size_t k = 1; k < ps->n; k++)
                        if (ps->p[k].last_used < ps->p[lru].last_used)
                                lru = k;
                pool_drop(ps, lru);
        }
        pool = &ps->p[ps->n];
        *pool = (struct serve_pool){ .key = strdup(key), .last_used = ++ps->tick };
        if (!pool->key)
                return -ENOMEM;
        ps->n++;
        r = pool_build(pool, t, ps->depth);
        if (r < 0) { /* remembered, so that every run of it does not try again */
                vb_warm_free(pool->w);
                pool->w = NULL;
                pool->failed = time(NULL);
        }
        return r;
}

bool serve_pool_keeps(const struct serve_pool *pool, int target)
{
        for (size_t i = 0; i < pool->n_targets; i++)
                if (pool->targets[i] == target)
                        return true;
        return false;
}

void serve_pools_done(struct serve_pools *ps)
{
        while (ps->n)
                pool_drop(ps, ps->n - 1);
}
