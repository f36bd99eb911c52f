/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `voidshim learn` saw, as a spec (doc/spec-format.md) that grants
 * exactly that: each path the program used, read-only unless it wrote it,
 * with the symlinks on the way; each program it ran, with its loader; each
 * connection through a caretaker; each grant with a "why".
 *
 *   file read, or looked at       ro-bind of the file
 *   file written                  bind (read-write) of the file
 *   directory listed              ro-bind of the directory (the program saw all its names)
 *   directory looked at only      an empty "dir" at its place
 *   entries made or removed       bind (read-write) of the directory
 *   program run                   ro-bind of it and of its loader or #! interpreter
 *   /proc, /dev                   "proc": true, "dev": true
 *   written under /tmp            a "tmpfs" at /tmp (it was the learning void's scratch)
 *   tcp/udp connection            net proxied, allowing that port (and host)
 *   unix socket connection        unix proxied: a forwarder at that path
 *
 * A grant of what a word of the command line names (or of its directory,
 * when the program made or removed entries next to it) becomes a
 * "bind-cmdline" of that word, so that `voidshim exec SPEC -- OTHER-WORDS`
 * grants what the other words name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "learn/learn.h"
#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"

enum gkind { G_SYMLINK, G_DIR, G_BIND };

#define WHY_CHANGED "entries made or removed in it"
#define WHY_LISTED  "listed (the program read all its names)"

struct grant {
        enum gkind kind;
        char *path;   /* physical host path = path in the void */
        char *target; /* symlink */
        bool rw, is_dir, dropped;
        bool changed; /* entries made or removed in it (a directory) */
        bool listed;  /* its entries read (a directory) */
        int word;     /* >= 0: a "bind-cmdline" of that word */
        bool parent;  /* ... of its directory */
        const char *why;
        char *why_path; /* the path the why is about, when not path itself */
};

struct grants {
        struct grant *g;
        size_t n;
        struct learn_link *links; /* every symlink met on the way to an absolute grant */
        size_t n_links;
        bool proc, dev, tmp;
        size_t programs;
        const struct learn_input *in;
        struct learn_summary *sum;
};

static void grants_done(struct grants *gs)
{
        for (size_t i = 0; i < gs->n; i++)
                free(gs->g[i].path), free(gs->g[i].target), free(gs->g[i].why_path);
        free(gs->g);
        learn_links_free(gs->links, gs->n_links);
}

/* Add a grant of the physical path; the same path twice is one grant, read-write if either is. */
static int add(struct grants *gs, enum gkind kind, const char *path, bool rw, const char *why, const char *about)
{
        struct grant *n;
        struct stat st;

        for (size_t i = 0; i < gs->n; i++)
                if (strcmp(gs->g[i].path, path) == 0 && gs->g[i].kind != G_SYMLINK) {
                        struct grant *g = &gs->g[i];

                        g->changed |= strcmp(why, WHY_CHANGED) == 0;
                        g->listed |= strcmp(why, WHY_LISTED) == 0;
                        if (kind == G_BIND && (g->kind == G_DIR || (rw && !g->rw))) {
                                g->kind = G_BIND, g->rw |= rw, g->why = why;
                                free(g->why_path);
                                g->why_path = about ? strdup(about) : NULL;
                        }
                        return 0;
                }
        n = reallocarray(gs->g, gs->n + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        gs->g = n;
        n[gs->n] = (struct grant){ .kind = kind, .path = strdup(path), .rw = rw, .why = why, .word = -1 };
        n[gs->n].why_path = about ? strdup(about) : NULL;
        n[gs->n].is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        n[gs->n].changed = strcmp(why, WHY_CHANGED) == 0;
        n[gs->n].listed = strcmp(why, WHY_LISTED) == 0;
        if (!n[gs->n].path || (about && !n[gs->n].why_path))
                return -ENOMEM;
        gs->n++;
        return 0;
}

/* Grant what path (as the void saw it) is on the host, and the symlinks on the way there. */
static int add_resolved(struct grants *gs, enum gkind kind, const char *path, bool rw, const char *why)
{
        _cleanup_free_ char *phys = NULL;
        int r = learn_resolve(path, &phys, &gs->links, &gs->n_links);

        if (r < 0)
                return r == -ELOOP ? 0 : r;
        if (strcmp(phys, "/") == 0) /* the void's root is its own: listing it shows what is granted */
                return 0;
        return add(gs, kind, phys, rw, why, strcmp(phys, path) != 0 ? path : NULL);
}

/* A program run: itself, and what the kernel loads first (its loader, or its #! interpreter). */
static int add_program(struct grants *gs, const char *path)
{
        _cleanup_free_ char *phys = NULL;
        char interp[PATH_MAX];
        int r, n;

        gs->programs++;
        r = add_resolved(gs, G_BIND, path, false, "run (execve)");
        if (r < 0 || learn_resolve(path, &phys, &gs->links, &gs->n_links) < 0)
                return r;
        n = vb_program_interpreter(phys, interp, sizeof(interp));
        if (n <= 0 || interp[0] != '/')
                return 0;
        return add_resolved(gs, G_BIND, interp, false, "loaded by the kernel to run a program (its interpreter)");
}

/* Under one of the learning void's writable directories (the host's own, at the same path)? */
static bool host_rw(const struct learn_input *in, const char *path)
{
        for (size_t i = 0; in->rw && in->rw[i]; i++)
                if (learn_path_under(path, in->rw[i]))
                        return true;
        return false;
}

/* One path the program used, as grants. */
static int classify(struct grants *gs, const struct learn_rec *r)
{
        bool dir = r->type == S_IFDIR;

        if (learn_path_under(r->path, "/proc")) {
                gs->proc = true;
                return 0;
        }
        if (learn_path_under(r->path, "/dev")) {
                gs->dev = true;
                return 0;
        }
        /* Outside the host's tree in the learning void: its own /tmp, and /sys and /run, which it lacked. */
        if (learn_path_under(r->path, "/tmp") && !host_rw(gs->in, r->path)) {
                gs->tmp |= (r->seen & (SEEN_WRITE | SEEN_CHANGE)) != 0;
                return 0;
        }
        if (!r->existed)
                return 0; /* looked for and not there, or made by the program (its directory says so) */
        if (r->seen & SEEN_EXEC)
                return add_program(gs, r->path);
        if (r->seen & SEEN_CHANGE)
                return add_resolved(gs, G_BIND, r->path, true, WHY_CHANGED);
        if (r->seen & SEEN_WRITE)
                return add_resolved(gs, G_BIND, r->path, true, dir ? "changed" : "written");
        if (r->seen & SEEN_LIST)
                return add_resolved(gs, G_BIND, r->path, false, WHY_LISTED);
        if (dir)
                return add_resolved(gs, G_DIR, r->path, false, "looked at, not opened: an empty directory stands in");
        return add_resolved(gs, G_BIND, r->path, false, (r->seen & SEEN_READ) ? "read" : "looked at (stat)");
}

/* ---- the command line's words ---------------------------------------------- */

/*
 * A grant of what word i names becomes "bind-cmdline" i; a directory the program made or removed
 * entries in, next to what word i names, becomes "bind-cmdline" i with "parent".
 */
static int generalize(struct grants *gs)
{
        const struct learn_input *in = gs->in;

        for (size_t i = 0; i < in->n_words; i++) {
                _cleanup_free_ char *phys = NULL, *dir = NULL, *pdir = NULL;
                struct learn_link *links = NULL;
                size_t n_links = 0;

                if (!in->word_paths[i])
                        continue;
                dir = learn_abs_path(in->word_paths[i], "..");
                if (!dir || learn_resolve(in->word_paths[i], &phys, &links, &n_links) < 0 ||
                    learn_resolve(dir, &pdir, &links, &n_links) < 0) {
                        learn_links_free(links, n_links);
                        return -ENOMEM;
                }
                learn_links_free(links, n_links);
                for (size_t k = 0; k < gs->n; k++) {
                        struct grant *g = &gs->g[k];

                        if (g->kind != G_BIND || g->word >= 0)
                                continue;
                        if (strcmp(g->path, phys) == 0)
                                g->word = (int)i;
                        else if ((g->changed || g->listed) && strcmp(g->path, pdir) == 0 && strcmp(pdir, "/") != 0)
                                g->word = (int)i, g->parent = true;
                }
        }
        return 0;
}

/*
 * Drop what another grant already gives: what is below a directory bound as (or more) writable; an
 * empty "dir" that other grants make anyway; the grant of a word's path when its directory is granted
 * for the same word as (or more) writable.
 */
static void dedupe(struct grants *gs)
{
        for (size_t k = 0; k < gs->n; k++) {
                struct grant *g = &gs->g[k];

                for (size_t a = 0; a < gs->n && !g->dropped; a++) {
                        const struct grant *d = &gs->g[a];
                        bool below = learn_path_under(d->path, g->path) && strcmp(g->path, d->path) != 0;

                        if (a == k || d->dropped)
                                continue;
                        if (g->kind == G_DIR && d->kind != G_SYMLINK && below)
                                g->dropped = true;
                        if (g->word >= 0 && d->word == g->word && d->parent && !g->parent && (d->rw || !g->rw))
                                g->dropped = true;
                        if (d->kind != G_BIND || !d->is_dir || d->word >= 0 || g->word >= 0)
                                continue;
                        if (learn_path_under(g->path, d->path) && strcmp(g->path, d->path) != 0 &&
                            (d->rw || !g->rw || g->kind == G_DIR))
                                g->dropped = true;
                }
        }
}

/* The symlinks on the way to every grant that stays, and none below a bound directory. */
static int relink(struct grants *gs)
{
        learn_links_free(gs->links, gs->n_links);
        gs->links = NULL, gs->n_links = 0;
        for (size_t k = 0; k < gs->n; k++) {
                const struct grant *g = &gs->g[k];
                _cleanup_free_ char *phys = NULL;

                if (g->dropped || g->word >= 0 || !g->why_path)
                        continue;
                if (learn_resolve(g->why_path, &phys, &gs->links, &gs->n_links) == -ENOMEM)
                        return -ENOMEM;
        }
        return 0;
}

static bool link_needed(const struct grants *gs, const struct learn_link *l)
{
        for (size_t a = 0; a < gs->n; a++) {
                const struct grant *d = &gs->g[a];

                if (!d->dropped && d->kind == G_BIND && d->is_dir && d->word < 0 && learn_path_under(l->at, d->path))
                        return false;
        }
        return true;
}

/* ---- JSON ------------------------------------------------------------------ */

static void jstr(FILE *f, const char *s)
{
        json_t *j = json_string(s);
        char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

        fputs(t ? t : "\"\"", f);
        free(t);
        json_decref(j);
}

static int cmp_grant(const void *a, const void *b)
{
        return strcmp(((const struct grant *)a)->path, ((const struct grant *)b)->path);
}

static int cmp_link(const void *a, const void *b)
{
        return strcmp(((const struct learn_link *)a)->at, ((const struct learn_link *)b)->at);
}

static void why(FILE *f, const struct grants *gs, const struct grant *g)
{
        fputs(", \"why\": ", f);
        if (g->word >= 0) {
                _cleanup_free_ char *w = NULL;

                if (asprintf(&w, "%s word %d of the command line names (learned with %s): %s",
                             g->parent ? "the directory of what" : "what", g->word, g->path, g->why) < 0)
                        w = NULL;
                jstr(f, w ? w : g->why);
        } else if (g->why_path) {
                _cleanup_free_ char *w = NULL;

                if (asprintf(&w, "%s: %s", g->why_path, g->why) < 0)
                        w = NULL;
                jstr(f, w ? w : g->why);
        } else {
                jstr(f, g->why);
        }
}

static void write_mounts(FILE *f, struct grants *gs)
{
        const char *sep = "\n";

        fputs("        \"mounts\": [", f);
        if (gs->tmp) {
                fprintf(f, "%s          { \"tmpfs\": \"/tmp\", \"why\": \"written under /tmp: a scratch of its own\" }",
                        sep);
                sep = ",\n", gs->sum->mounts++;
        }
        if (gs->n_links)
                qsort(gs->links, gs->n_links, sizeof(*gs->links), cmp_link);
        for (size_t i = 0; i < gs->n_links; i++) {
                if (!link_needed(gs, &gs->links[i]))
                        continue;
                fprintf(f, "%s          { \"symlink\": ", sep);
                jstr(f, gs->links[i].target);
                fputs(", \"at\": ", f);
                jstr(f, gs->links[i].at);
                fputs(", \"why\": \"a symlink on the way\" }", f);
                sep = ",\n", gs->sum->mounts++;
        }
        if (gs->n)
                qsort(gs->g, gs->n, sizeof(*gs->g), cmp_grant);
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < gs->n; i++) {
                        const struct grant *g = &gs->g[i];

                        if (g->dropped || (pass == 0) != (g->word < 0))
                                continue;
                        fprintf(f, "%s          { ", sep);
                        if (g->word >= 0) {
                                fprintf(f, "\"%s\": %d%s", g->rw ? "bind-cmdline" : "ro-bind-cmdline", g->word,
                                        g->parent ? ", \"parent\": true" : "");
                        } else if (g->kind == G_DIR) {
                                fputs("\"dir\": ", f);
                                jstr(f, g->path);
                        } else {
                                fprintf(f, "\"%s\": ", g->rw ? "bind" : "ro-bind");
                                jstr(f, g->path);
                                fputs(", \"at\": ", f);
                                jstr(f, g->path);
                        }
                        why(f, gs, g);
                        fputs(" }", f);
                        sep = ",\n", gs->sum->mounts++;
                        gs->sum->words += g->word >= 0;
                }
        fputs("\n        ],\n", f);
}

/* The allowlist entry of a tcp/udp connection, or NULL when no caretaker can give it (why says). */
static char *allow_entry(const struct learn_conn *c, const char **reason)
{
        struct vb_net_allow a;
        bool loop = (c->family == AF_INET && strncmp(c->addr, "127.", 4) == 0) ||
                    (c->family == AF_INET6 && strcmp(c->addr, "::1") == 0);
        char *e = NULL;
        int r;

        if (loop)
                r = asprintf(&e, "%s%u", c->dgram ? "udp:" : "", c->port);
        else
                r = asprintf(&e, "%s%s%s%s:%u", c->dgram ? "udp:" : "", c->family == AF_INET6 ? "[" : "", c->addr,
                             c->family == AF_INET6 ? "]" : "", c->port);
        if (r < 0)
                return NULL;
        if (vb_net_allow_parse(e, &a, reason) < 0) {
                free(e);
                return NULL;
        }
        return e;
}

/* "environment": net and unix proxied for the connections seen. */
static void write_environment(FILE *f, const struct grants *gs)
{
        const struct learn_log *log = gs->in->log;
        const char *sep = "";
        size_t inet = 0, unix_paths = 0;

        for (size_t i = 0; i < log->n_conns; i++) {
                if (log->conns[i].family == AF_UNIX)
                        unix_paths += log->conns[i].addr[0] == '/';
                else
                        inet++;
        }
        fputs("  \"environment\": {", f);
        if (inet) {
                fputs(" \"net\": { \"mode\": \"proxied\", \"allow\": [", f);
                for (size_t i = 0; i < log->n_conns; i++) {
                        const char *reason = NULL;
                        _cleanup_free_ char *e = NULL;

                        if (log->conns[i].family == AF_UNIX)
                                continue;
                        e = allow_entry(&log->conns[i], &reason);
                        if (!e) {
                                gs->sum->refused++;
                                continue;
                        }
                        fputs(sep, f);
                        jstr(f, e);
                        sep = ", ", gs->sum->conns++;
                }
                fputs("] }", f);
                sep = ",";
        }
        if (unix_paths) {
                const char *s2 = "";

                fprintf(f, "%s \"unix\": { \"mode\": \"proxied\", \"connect\": [", sep);
                for (size_t i = 0; i < log->n_conns; i++) {
                        _cleanup_free_ char *up = NULL;

                        if (log->conns[i].family != AF_UNIX || log->conns[i].addr[0] != '/' ||
                            asprintf(&up, "unix:%s", log->conns[i].addr) < 0)
                                continue;
                        fprintf(f, "%s { \"at\": ", s2);
                        jstr(f, log->conns[i].addr);
                        fputs(", \"upstream\": ", f);
                        jstr(f, up);
                        fputs(" }", f);
                        s2 = ",", gs->sum->conns++;
                }
                fputs(" ] }", f);
        }
        fputs(" },\n", f);
}

static void write_entry(FILE *f, struct grants *gs)
{
        const struct learn_input *in = gs->in;

        fputs("  \"entrypoints\": {\n    ", f);
        jstr(f, in->name);
        fputs(": {\n      \"program\": ", f);
        jstr(f, in->program);
        fputs(",\n", f);
        if (in->argv && in->argv[0]) {
                fputs("      \"argv\": [", f);
                for (size_t i = 0; in->argv[i]; i++) {
                        fputs(i ? ", " : " ", f);
                        jstr(f, in->argv[i]);
                }
                fputs(" ],\n", f);
        }
        fputs("      \"args\": [ \"trailing\" ],\n      \"void\": {\n", f);
        write_mounts(f, gs);
        if (gs->proc)
                fputs("        \"proc\": true,\n", f);
        if (gs->dev)
                fputs("        \"dev\": true,\n", f);
        if (in->env && in->env[0]) {
                fputs("        \"env\": {", f);
                for (size_t i = 0; in->env[i]; i++) {
                        const char *eq = strchr(in->env[i], '=');
                        _cleanup_free_ char *name = eq ? strndup(in->env[i], (size_t)(eq - in->env[i])) : NULL;

                        if (!name)
                                continue;
                        fputs(i ? ", " : " ", f);
                        jstr(f, name);
                        fputs(": ", f);
                        jstr(f, eq + 1);
                }
                fputs(" },\n", f);
        }
        fputs("        \"chdir\": \"caller\",\n", f);
        fputs("        \"stdin\": true, \"stdout\": true, \"stderr\": true\n      }\n    }\n  }\n", f);
}

int learn_spec(const struct learn_input *in, char **out, struct learn_summary *sum)
{
        struct grants gs = { .in = in, .sum = sum };
        _cleanup_free_ char *desc = NULL;
        size_t len = 0;
        FILE *f = NULL;
        int r = 0;

        *out = NULL;
        *sum = (struct learn_summary){};
        for (size_t i = 0; r >= 0 && i < in->log->n_recs; i++)
                r = classify(&gs, &in->log->recs[i]);
        if (r >= 0)
                r = generalize(&gs);
        if (r >= 0) {
                dedupe(&gs);
                r = relink(&gs);
        }
        if (r >= 0 && (asprintf(&desc,
                                "Learned by voidshim learn from: %s (exit status %d).  Every grant below was used "
                                "in that one run, and nothing else is in the void: review it, and learn again "
                                "for what another run needs.",
                                in->command, in->status) < 0 ||
                       !(f = open_memstream(out, &len))))
                r = -ENOMEM;
        if (r >= 0) {
                fputs("{\n  \"voidshim\": 1,\n  \"description\": ", f);
                jstr(f, desc);
                fputs(",\n", f);
                write_environment(f, &gs);
                write_entry(f, &gs);
                fputs("}\n", f);
                sum->programs = gs.programs;
                r = fclose(f) == 0 ? 0 : -ENOMEM;
                if (r < 0) {
                        free(*out);
                        *out = NULL;
                }
        }
        grants_done(&gs);
        return r;
}
