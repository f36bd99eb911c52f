/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where things are in a spec.  jansson parses and checks the syntax, but keeps
 * no positions for values, so a second, small scanner walks the same text
 * (already known to be valid JSON) and records the line and column of every
 * value and every object key under its JSON pointer (RFC 6901):
 * "/entrypoints/render/args/2" -> 14:9.  Diagnostics then name a pointer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_pos.h"
#include "voidbuilder/cleanup.h"

#define MAX_DEPTH 4096 /* jansson refuses deeper input (JSON_PARSER_MAX_DEPTH is 2048) */

struct pos_entry {
        char *ptr;
        unsigned line, col;         /* the value */
        unsigned key_line, key_col; /* its key, or 0 for array elements and the root */
};

struct vb_spec_posidx {
        struct pos_entry *e;
        size_t n, cap;
};

struct scanner {
        const char *s;
        size_t len, i;
        unsigned line, col;
        char *path; /* the current pointer, grown and truncated as we go */
        size_t path_len, path_cap;
        struct vb_spec_posidx *idx;
        int depth;
};

static int peek(const struct scanner *sc)
{
        return sc->i < sc->len ? (unsigned char)sc->s[sc->i] : -1;
}

static void advance(struct scanner *sc)
{
        if (sc->i >= sc->len)
                return;
        if (sc->s[sc->i] == '\n') {
                sc->line++;
                sc->col = 1;
        } else if (((unsigned char)sc->s[sc->i] & 0xC0) != 0x80) {
                sc->col++; /* columns count characters, as jansson's do */
        }
        sc->i++;
}

static void skip_ws(struct scanner *sc)
{
        for (int c = peek(sc); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(sc))
                advance(sc);
}

static int path_append(struct scanner *sc, const char *text, size_t n)
{
        if (sc->path_len + n + 1 > sc->path_cap) {
                size_t cap = (sc->path_len + n + 1) * 2;
                char *p = realloc(sc->path, cap);

                if (!p)
                        return -ENOMEM;
                sc->path = p;
                sc->path_cap = cap;
        }
        memcpy(sc->path + sc->path_len, text, n);
        sc->path_len += n;
        sc->path[sc->path_len] = '\0';
        return 0;
}

static int record(struct scanner *sc, unsigned line, unsigned col, unsigned kline, unsigned kcol)
{
        struct vb_spec_posidx *x = sc->idx;

        if (x->n == x->cap) {
                size_t cap = x->cap ? x->cap * 2 : 64;
                struct pos_entry *e = reallocarray(x->e, cap, sizeof(*e));

                if (!e)
                        return -ENOMEM;
                x->e = e;
                x->cap = cap;
        }
        x->e[x->n].ptr = strdup(sc->path ? sc->path : "");
        if (!x->e[x->n].ptr)
                return -ENOMEM;
        x->e[x->n].line = line;
        x->e[x->n].col = col;
        x->e[x->n].key_line = kline;
        x->e[x->n].key_col = kcol;
        x->n++;
        return 0;
}

static int hexval(int c)
{
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

static unsigned read_u4(struct scanner *sc)
{
        unsigned v = 0;

        for (int k = 0; k < 4; k++) {
                int h = hexval(peek(sc));

                if (h < 0)
                        return 0xFFFD;
                v = v * 16 + (unsigned)h;
                advance(sc);
        }
        return v;
}

static size_t utf8_put(char *out, unsigned cp)
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xC0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xE0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}

/* One \u escape (after the "\u"), joining surrogate pairs as jansson does. */
static unsigned read_unicode(struct scanner *sc)
{
        unsigned cp = read_u4(sc);

        if (cp >= 0xD800 && cp <= 0xDBFF && peek(sc) == '\\' && sc->i + 1 < sc->len && sc->s[sc->i + 1] == 'u') {
                advance(sc);
                advance(sc);
                unsigned lo = read_u4(sc);

                if (lo >= 0xDC00 && lo <= 0xDFFF)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        return cp;
}

/* A string at the cursor; when key, append it to the path escaped as RFC 6901 asks. */
static int scan_string(struct scanner *sc, bool key)
{
        advance(sc); /* the opening quote */
        for (int c = peek(sc); c >= 0 && c != '"'; c = peek(sc)) {
                char buf[8];
                size_t n = 1;

                buf[0] = (char)c;
                advance(sc);
                if (c == '\\') {
                        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
                        const char *p;
                        int e = peek(sc);

                        advance(sc);
                        if (e == 'u')
                                n = utf8_put(buf, read_unicode(sc));
                        else if (e > 0 && (p = strchr(from, e)))
                                buf[0] = to[p - from];
                }
                if (key && n == 1 && (buf[0] == '~' || buf[0] == '/'))
                        n = 2, buf[1] = buf[0] == '~' ? '0' : '1', buf[0] = '~';
                if (key && path_append(sc, buf, n) < 0)
                        return -ENOMEM;
        }
        advance(sc); /* the closing quote */
        return 0;
}

static int scan_value(struct scanner *sc, unsigned kline, unsigned kcol);

static int scan_object(struct scanner *sc)
{
        size_t base = sc->path_len;
        int r;

        advance(sc);
        skip_ws(sc);
        while (peek(sc) == '"') {
                unsigned kline = sc->line, kcol = sc->col;

                r = path_append(sc, "/", 1);
                if (r >= 0)
                        r = scan_string(sc, true);
                if (r < 0)
                        return r;
                skip_ws(sc);
                if (peek(sc) == ':')
                        advance(sc);
                r = scan_value(sc, kline, kcol);
                if (r < 0)
                        return r;
                sc->path_len = base;
                sc->path[base] = '\0';
                skip_ws(sc);
                if (peek(sc) != ',')
                        break;
                advance(sc);
                skip_ws(sc);
        }
        if (peek(sc) == '}')
                advance(sc);
        return 0;
}

static int scan_array(struct scanner *sc)
{
        size_t base = sc->path_len;
        int r;

        advance(sc);
        skip_ws(sc);
        for (size_t i = 0; peek(sc) >= 0 && peek(sc) != ']'; i++) {
                char num[24];
                int n = snprintf(num, sizeof(num), "/%zu", i);

                r = path_append(sc, num, (size_t)n);
                if (r >= 0)
                        r = scan_value(sc, 0, 0);
                if (r < 0)
                        return r;
                sc->path_len = base;
                sc->path[base] = '\0';
                skip_ws(sc);
                if (peek(sc) != ',')
                        break;
                advance(sc);
        }
        if (peek(sc) == ']')
                advance(sc);
        return 0;
}

static int scan_value(struct scanner *sc, unsigned kline, unsigned kcol)
{
        int c, r;

        skip_ws(sc);
        r = record(sc, sc->line, sc->col, kline, kcol);
        if (r < 0)
                return r;
        if (++sc->depth > MAX_DEPTH)
                return -ELOOP;
        c = peek(sc);
        if (c == '{')
                r = scan_object(sc);
        else if (c == '[')
                r = scan_array(sc);
        else if (c == '"')
                r = scan_string(sc, false);
        else /* number, true, false, null */
                while ((c = peek(sc)) >= 0 && !strchr(" \t\r\n,]}", c))
                        advance(sc);
        sc->depth--;
        return r;
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const struct pos_entry *)a)->ptr, ((const struct pos_entry *)b)->ptr);
}

int vb_spec_posidx_build(const char *text, size_t len, struct vb_spec_posidx **out)
{
        struct scanner sc = { .s = text, .len = len, .line = 1, .col = 1 };
        int r;

        sc.idx = calloc(1, sizeof(*sc.idx));
        if (!sc.idx)
                return -ENOMEM;
        r = path_append(&sc, "", 0);
        /* A UTF-8 byte order mark is not JSON; jansson refuses it, so nothing to skip. */
        if (r >= 0)
                r = scan_value(&sc, 0, 0);
        free(sc.path);
        if (r < 0) {
                vb_spec_posidx_free(sc.idx);
                return r;
        }
        /* Duplicate keys are refused by jansson, so pointers are unique: sort for bsearch. */
        qsort(sc.idx->e, sc.idx->n, sizeof(*sc.idx->e), cmp_entry);
        *out = sc.idx;
        return 0;
}

struct vb_spec_posidx *vb_spec_posidx_free(struct vb_spec_posidx *idx)
{
        if (!idx)
                return NULL;
        for (size_t i = 0; i < idx->n; i++)
                free(idx->e[i].ptr);
        free(idx->e);
        free(idx);
        return NULL;
}

int vb_spec_posidx_find(const struct vb_spec_posidx *idx, const char *ptr, bool at_key, unsigned *line, unsigned *col)
{
        struct pos_entry key = { .ptr = (char *)ptr }, *e;

        if (!idx || !idx->n)
                return -ENOENT;
        e = bsearch(&key, idx->e, idx->n, sizeof(*idx->e), cmp_entry);
        if (!e)
                return -ENOENT;
        *line = at_key && e->key_line ? e->key_line : e->line;
        *col = at_key && e->key_line ? e->key_col : e->col;
        return 0;
}

static void diag_add(struct vb_spec_diags *d, const char *file, unsigned line, unsigned col, const char *fmt,
                     va_list ap) VB_PRINTF(5, 0);
static void diag_add(struct vb_spec_diags *d, const char *file, unsigned line, unsigned col, const char *fmt,
                     va_list ap)
{
        _cleanup_free_ char *msg = NULL;
        struct vb_spec_diag *n;
        char *text = NULL;

        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                d->oom = true;
                return;
        }
        if (asprintf(&text, "%s:%u:%u: %s", file ? file : "<spec>", line, col, msg) < 0) {
                d->oom = true;
                return;
        }
        n = reallocarray(d->items, d->n + 1, sizeof(*n));
        if (!n) {
                free(text);
                d->oom = true;
                return;
        }
        d->items = n;
        d->items[d->n++] = (struct vb_spec_diag){ .line = line, .col = col, .text = text };
}

void vb_spec_diag_at(struct vb_spec_diags *d, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        diag_add(d, file, line, col, fmt, ap);
        va_end(ap);
}

void vb_spec_diag(struct vb_spec_diags *d, const struct vb_spec *s, const char *ptr, bool at_key, const char *fmt, ...)
{
        _cleanup_free_ char *p = strdup(ptr ? ptr : "");
        unsigned line = 1, col = 1;
        va_list ap;

        /* Walk up to the nearest ancestor the index knows (a missing key points at its object). */
        while (p && vb_spec_posidx_find(s->idx, p, at_key, &line, &col) < 0) {
                char *slash = strrchr(p, '/');

                if (!slash) {
                        line = col = 1;
                        break;
                }
                *slash = '\0';
                at_key = false;
        }
        va_start(ap, fmt);
        diag_add(d, s->file, line, col, fmt, ap);
        va_end(ap);
}

void vb_spec_diags_sort(struct vb_spec_diags *d)
{
        /* Insertion sort: stable, so diagnostics at one place keep the order they were found in. */
        for (size_t i = 1; i < d->n; i++) {
                struct vb_spec_diag t = d->items[i];
                size_t j = i;

                while (j > 0 && (d->items[j - 1].line > t.line ||
                                 (d->items[j - 1].line == t.line && d->items[j - 1].col > t.col))) {
                        d->items[j] = d->items[j - 1];
                        j--;
                }
                d->items[j] = t;
        }
}

void vb_spec_diags_done(struct vb_spec_diags *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++)
                free(d->items[i].text);
        free(d->items);
        *d = (struct vb_spec_diags){};
}

char *vb_spec_ptr_key(const char *base, const char *key)
{
        size_t bl = strlen(base), extra = 0;
        char *out, *o;

        for (const char *k = key; *k; k++)
                extra += (*k == '~' || *k == '/') ? 2 : 1;
        out = malloc(bl + extra + 2);
        if (!out)
                return NULL;
        memcpy(out, base, bl);
        o = out + bl;
        *o++ = '/';
        for (const char *k = key; *k; k++) {
                if (*k == '~' || *k == '/') {
                        *o++ = '~';
                        *o++ = *k == '~' ? '0' : '1';
                } else {
                        *o++ = *k;
                }
        }
        *o = '\0';
        return out;
}

char *vb_spec_ptr_idx(const char *base, size_t i)
{
        char *out = NULL;

        if (asprintf(&out, "%s/%zu", base, i) < 0)
                return NULL;
        return out;
}
