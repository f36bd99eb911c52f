/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host paths for `voidshim learn`: folding, and the symlinks on the way to a file. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learn/learn.h"
#include "voidbuilder/cleanup.h"

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */

char *learn_abs_path(const char *base, const char *rel)
{
        _cleanup_free_ char *joined = NULL;
        char *out, *o;
        size_t len;

        if (asprintf(&joined, "%s/%s", rel[0] == '/' ? "" : base, rel) < 0)
                return NULL;
        len = strlen(joined);
        out = malloc(len + 2);
        if (!out)
                return NULL;
        o = out;
        for (const char *p = joined; *p;) {
                const char *e;
                size_t n;

                while (*p == '/')
                        p++;
                e = strchrnul(p, '/');
                n = (size_t)(e - p);
                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* nothing */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > out && *--o != '/')
                                ;
                } else {
                        *o++ = '/';
                        memcpy(o, p, n);
                        o += n;
                }
                p = e;
        }
        if (o == out)
                *o++ = '/';
        *o = '\0';
        return out;
}

bool learn_path_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        if (strcmp(dir, "/") == 0)
                return true;
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int add_link(struct learn_link **links, size_t *n, const char *at, const char *target)
{
        struct learn_link *l;

        for (size_t i = 0; i < *n; i++)
                if (strcmp((*links)[i].at, at) == 0)
                        return 0;
        l = reallocarray(*links, *n + 1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        *links = l;
        l[*n] = (struct learn_link){ .at = strdup(at), .target = strdup(target) };
        if (!l[*n].at || !l[*n].target) {
                free(l[*n].at), free(l[*n].target);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

int learn_resolve(const char *path, char **out, struct learn_link **links, size_t *n_links)
{
        _cleanup_free_ char *todo = strdup(path), *done = strdup("/");
        int hops = 0;

        if (!todo || !done)
                return -ENOMEM;
        /* done: the physical prefix resolved so far; todo: what remains, absolute. */
        for (;;) {
                _cleanup_free_ char *next = NULL, *rest = NULL;
                char target[PATH_MAX];
                const char *p = todo, *e;
                ssize_t n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                next = learn_abs_path(done, strndupa(p, (size_t)(e - p)));
                rest = strdup(e);
                if (!next || !rest)
                        return -ENOMEM;
                n = readlink(next, target, sizeof(target) - 1);
                if (n < 0) { /* a directory, a file, or nothing: keep the name */
                        free(done);
                        done = TAKE_PTR(next);
                        free(todo);
                        todo = TAKE_PTR(rest);
                        continue;
                }
                if (++hops > MAX_LINKS)
                        return -ELOOP;
                target[n] = '\0';
                if (add_link(links, n_links, next, target) < 0)
                        return -ENOMEM;
                free(todo);
                /* The link's target takes its place: absolute, or from the link's directory. */
                if (target[0] == '/') {
                        if (asprintf(&todo, "%s%s", target, rest) < 0)
                                return -ENOMEM;
                } else {
                        _cleanup_free_ char *t = learn_abs_path(done, target);

                        if (!t || asprintf(&todo, "%s%s", t, rest) < 0)
                                return -ENOMEM;
                }
                free(done);
                done = strdup("/");
                if (!done)
                        return -ENOMEM;
        }
        *out = TAKE_PTR(done);
        return 0;
}

void learn_links_free(struct learn_link *links, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(links[i].at), free(links[i].target);
        free(links);
}
