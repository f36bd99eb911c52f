/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the command line grants: the words after "--", which of them name
 * paths, and the binds that "bind-cmdline" mounts make of those paths.
 *
 * The caller names the paths; the spec says what may be made of them.  So a
 * path is granted only when it exists as a directory or a regular file, and
 * never "/" (that would hand the void the whole host).  Everything is
 * resolved once, before any void starts, so a bad word stops the run with
 * exit 100 and every void of the run sees the same grants.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "voidbuilder/cleanup.h"

int exec_cmdline_init(struct exec_cmdline *cl, char **words, size_t n_words, size_t first_trailing)
{
        *cl = (struct exec_cmdline){ .words = words, .n_words = n_words };
        if (first_trailing > n_words)
                first_trailing = n_words;
        cl->trailing = words + first_trailing;
        cl->n_trailing = n_words - first_trailing;
        cl->paths = calloc(cl->n_trailing + 1, sizeof(*cl->paths));
        if (!cl->paths)
                return -ENOMEM;
        cl->n_paths = vb_spec_path_words(cl->trailing, cl->n_trailing, cl->paths);
        cl->cwd = getcwd(NULL, 0);
        return cl->cwd ? 0 : NEG_ERRNO();
}

void exec_cmdline_done(struct exec_cmdline *cl)
{
        free(cl->paths);
        free(cl->cwd);
        *cl = (struct exec_cmdline){};
}

char *exec_abs_path(const char *cwd, const char *word)
{
        size_t cap = strlen(cwd) + strlen(word) + 3, n = 0;
        _cleanup_free_ char *in = malloc(cap), *out = malloc(cap);
        const char *p;

        if (!in || !out)
                return NULL;
        snprintf(in, cap, "%s/%s", word[0] == '/' ? "" : cwd, word);
        /* Component by component: "" and "." vanish, ".." drops the last one kept (never above "/"). */
        for (p = in; *p;) {
                const char *e;
                size_t len;

                while (*p == '/')
                        p++;
                e = strchrnul(p, '/');
                len = (size_t)(e - p);
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (n > 0 && out[n - 1] != '/')
                                n--;
                        if (n > 0)
                                n--;
                } else if (len && !(len == 1 && p[0] == '.')) {
                        out[n++] = '/';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p = e;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
        return TAKE_PTR(out);
}

static int cmp_grant(const void *a, const void *b)
{
        const struct exec_grant *x = a, *y = b;
        size_t lx = strlen(x->path), ly = strlen(y->path);

        if (x->mount != y->mount)
                return x->mount < y->mount ? -1 : 1;
        /* Parents before children: a bind inside an earlier one lands on top of it, not under it. */
        if (lx != ly)
                return lx < ly ? -1 : 1;
        return strcmp(x->path, y->path);
}

/* One word of mount m: the path to bind, checked. */
static int resolve_word(const struct vb_spec_mount *m, const char *cwd, const char *word, struct exec_grant *out,
                        char **what, const char **cause)
{
        _cleanup_free_ char *abs = exec_abs_path(cwd, word), *real = NULL;
        struct stat st;

        if (!abs)
                return -ENOMEM;
        if (asprintf(what, "grant %s%s", m->parent ? "the directory of " : "", word) < 0) {
                *what = NULL;
                return -ENOMEM;
        }
        if (m->parent && strcmp(abs, "/") != 0)
                *strrchr(abs, '/') = '\0';
        if (!*abs)
                strcpy(abs, "/");
        /* The host path is bound, and shown at the same path: it has to be there, and be a file or directory. */
        if (stat(abs, &st) < 0)
                return NEG_ERRNO();
        if (m->parent ? !S_ISDIR(st.st_mode) : !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
                *cause = "not a directory or a regular file";
                return -EINVAL;
        }
        /* Security: "/" (named, or reached through ".." or a symlink) would be the caller's whole file system. */
        real = realpath(abs, NULL);
        if (!real)
                return NEG_ERRNO();
        if (strcmp(real, "/") == 0) {
                *cause = "it is the root directory";
                return -EPERM;
        }
        if (stat(real, &st) < 0)
                return NEG_ERRNO();
        *out = (struct exec_grant){ .path = TAKE_PTR(abs), .src = TAKE_PTR(real), .dev = st.st_dev, .ino = st.st_ino };
        return 0;
}

/* The words mount m names: every path word among the trailing ones, or word m->cmdline. */
static size_t mount_words(const struct vb_spec_mount *m, const struct exec_cmdline *cl, const char **words)
{
        if (m->cmdline != VB_SPEC_CMDLINE_TRAILING) {
                if ((size_t)m->cmdline >= cl->n_words)
                        return 0; /* runner_init() has refused the command line already */
                words[0] = cl->words[m->cmdline];
                return 1;
        }
        for (size_t i = 0; i < cl->n_paths; i++)
                words[i] = cl->trailing[cl->paths[i]];
        return cl->n_paths;
}

static int add_grant(struct exec_grants *out, struct exec_grant *one)
{
        struct exec_grant *g = reallocarray(out->g, out->n + 1, sizeof(*g));

        if (!g) {
                free(one->path), free(one->src);
                return -ENOMEM;
        }
        out->g = g;
        out->g[out->n++] = *one;
        return 0;
}

int exec_grants_resolve(const struct vb_spec_entry *e, const struct exec_cmdline *cl, struct exec_grants *out,
                        char **what, const char **cause)
{
        _cleanup_free_ const char **words = calloc(cl->n_paths + 2, sizeof(char *));
        struct exec_grants g = {};
        size_t k = 0;
        int r = 0;

        *what = NULL;
        *cause = NULL;
        if (!words)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < e->v.n_mounts; i++) {
                const struct vb_spec_mount *m = &e->v.mounts[i];
                size_t n = m->kind == VB_SMNT_CMDLINE ? mount_words(m, cl, words) : 0;

                for (size_t w = 0; r >= 0 && w < n; w++) {
                        struct exec_grant one = {};

                        free(*what);
                        *what = NULL;
                        r = resolve_word(m, cl->cwd, words[w], &one, what, cause);
                        one.mount = i;
                        one.flags = m->flags;
                        if (r >= 0)
                                r = add_grant(&g, &one);
                }
        }
        if (r < 0) {
                exec_grants_done(&g);
                return r;
        }
        free(*what);
        *what = NULL;
        /* Sorted, then each path once per mount (300 files in one directory are one bind). */
        if (g.n)
                qsort(g.g, g.n, sizeof(*g.g), cmp_grant);
        for (size_t i = 0; i < g.n; i++) {
                if (k && g.g[k - 1].mount == g.g[i].mount && strcmp(g.g[k - 1].path, g.g[i].path) == 0) {
                        free(g.g[i].path), free(g.g[i].src);
                        continue;
                }
                g.g[k++] = g.g[i];
        }
        g.n = k;
        *out = g;
        return 0;
}

/*
 * Security: the library binds a source by path, resolving it when the void is
 * built.  Someone who may rename a directory on that path (its owner, in a
 * sticky /tmp) could put a symlink to "/" there after the check above.  So the
 * source is the physical path, and it is checked again just before each void
 * starts: still free of symlinks and still the same file.  The moment between
 * this check and the void's own open of the path is closed by the library:
 * vb_void_bind_checked() refuses to mount anything but the file checked here.
 */
int exec_grants_verify(const struct exec_grants *g, const char **path)
{
        for (size_t i = 0; i < g->n; i++) {
                _cleanup_free_ char *real = realpath(g->g[i].src, NULL);
                struct stat st;

                *path = g->g[i].path;
                if (!real || stat(real, &st) < 0)
                        return NEG_ERRNO();
                if (strcmp(real, g->g[i].src) != 0 || st.st_dev != g->g[i].dev || st.st_ino != g->g[i].ino)
                        return -ESTALE;
        }
        *path = NULL;
        return 0;
}

void exec_grants_done(struct exec_grants *g)
{
        for (size_t i = 0; i < g->n; i++)
                free(g->g[i].path), free(g->g[i].src);
        free(g->g);
        *g = (struct exec_grants){};
}
