/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict readers for jansson values, shared by the spec parser's modules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_json.h"
#include "voidbuilder/cleanup.h"

const char *spec_type_name(const json_t *j)
{
        switch (json_typeof(j)) {
        case JSON_OBJECT:
                return "an object";
        case JSON_ARRAY:
                return "an array";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
                return "an integer";
        case JSON_REAL:
                return "a number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "a boolean";
        case JSON_NULL:
                return "null";
        default:
                return "something else";
        }
}

static const char *want_name(json_type t)
{
        switch (t) {
        case JSON_OBJECT:
                return "an object";
        case JSON_ARRAY:
                return "an array";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
                return "an integer";
        case JSON_TRUE:
        case JSON_FALSE:
                return "true or false";
        case JSON_REAL:
        case JSON_NULL:
        default:
                return "a value";
        }
}

bool spec_expect(struct spec_ctx *c, const json_t *j, json_type t, const char *ptr, const char *what)
{
        bool ok = json_typeof(j) == t || ((t == JSON_TRUE || t == JSON_FALSE) && json_is_boolean(j));

        if (!ok)
                P_DIAG(c, ptr, false, "%s must be %s, not %s", what, want_name(t), spec_type_name(j));
        return ok;
}

/* Levenshtein distance, capped: enough to suggest "program" for "porgram". */
static size_t distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), prev[33], cur[33];

        if (la > 32 || lb > 32)
                return 99;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

                        cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
                memcpy(prev, cur, sizeof(prev));
        }
        return prev[lb];
}

static void unknown_key(struct spec_ctx *c, const char *ptr, const char *key, const char *const *allowed,
                        const char *what)
{
        const char *best = NULL;
        size_t best_d = strlen(key) / 3 + 1; /* suggest only what is plausibly a typo */

        if (best_d > 3)
                best_d = 3;
        char list[512] = "";
        size_t used = 0;

        for (const char *const *a = allowed; *a; a++) {
                size_t dd = distance(key, *a);
                int n;

                if (dd < best_d)
                        best = *a, best_d = dd;
                n = snprintf(list + used, sizeof(list) - used, "%s%s", a == allowed ? "" : ", ", *a);
                if (n > 0 && (size_t)n < sizeof(list) - used)
                        used += (size_t)n;
        }
        if (best)
                P_DIAG(c, ptr, true, "unknown key \"%s\" in %s (did you mean \"%s\"?)", key, what, best);
        else
                P_DIAG(c, ptr, true, "unknown key \"%s\" in %s (known: %s)", key, what, list);
}

void spec_check_keys(struct spec_ctx *c, json_t *obj, const char *ptr, const char *const *allowed, const char *what)
{
        const char *key;
        json_t *val;

        json_object_foreach(obj, key, val)
        {
                bool known = false;

                for (const char *const *a = allowed; *a && !known; a++)
                        known = strcmp(*a, key) == 0;
                if (!known) {
                        _cleanup_free_ char *p = vb_spec_ptr_key(ptr, key);

                        if (!p) {
                                c->oom = -ENOMEM;
                                return;
                        }
                        unknown_key(c, p, key, allowed, what);
                }
        }
}

/* obj's member key when it has the expected type; NULL when absent, or wrong (with a diagnostic). */
static json_t *get_member(struct spec_ctx *c, json_t *obj, const char *ptr, const char *key, json_type type)
{
        json_t *j = json_object_get(obj, key);
        _cleanup_free_ char *p = NULL;
        char what[80];

        if (!j)
                return NULL;
        p = vb_spec_ptr_key(ptr, key);
        snprintf(what, sizeof(what), "\"%s\"", key);
        return p && spec_expect(c, j, type, p, what) ? j : NULL;
}

bool spec_get_string(struct spec_ctx *c, json_t *obj, const char *ptr, const char *key, char **out)
{
        json_t *j = get_member(c, obj, ptr, key, JSON_STRING);

        if (!j)
                return false;
        free(*out);
        *out = strdup(json_string_value(j));
        if (!*out)
                c->oom = -ENOMEM;
        return *out != NULL;
}

bool spec_get_bool(struct spec_ctx *c, json_t *obj, const char *ptr, const char *key, bool *out)
{
        json_t *j = get_member(c, obj, ptr, key, JSON_TRUE);

        if (!j)
                return false;
        *out = json_is_true(j);
        return true;
}

bool spec_parse_size(const json_t *j, uint64_t *out)
{
        if (json_is_integer(j)) {
                if (json_integer_value(j) < 0)
                        return false;
                *out = (uint64_t)json_integer_value(j);
                return true;
        }
        return json_is_string(j) && vb_parse_size(json_string_value(j), out) == 0;
}

/* Skip "./" and "//" at the front of a relative path. */
static const char *skip_dots(const char *p)
{
        for (;;) {
                if (p[0] == '/')
                        p++;
                else if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
                        p++;
                else
                        return p;
        }
}

char *spec_host_path(struct spec_ctx *c, const char *path)
{
        const char *base = c->s->basedir;
        size_t blen = strlen(base);
        char *out = NULL;

        if (path[0] == '/') {
                out = strdup(path);
        } else {
                /*
                 * An absolute basedir is physical (the shim passes the realpath of the
                 * spec's directory), so a leading ".." is simply its parent: fold it, and
                 * the paths that voidshim explain prints and the binds get are plain.
                 */
                for (path = skip_dots(path);
                     base[0] == '/' && path[0] == '.' && path[1] == '.' && (path[2] == '/' || path[2] == '\0');
                     path = skip_dots(path + 2)) {
                        while (blen > 1 && base[blen - 1] != '/')
                                blen--;
                        if (blen > 1)
                                blen--; /* the slash, unless it is the root's */
                }
                if (blen == 1 && base[0] == '/')
                        blen = 0; /* "/" + "/" + path would start with "//" */
                if (asprintf(&out, "%.*s/%s", (int)blen, base, path) < 0)
                        out = NULL;
                else if (!*path && blen) /* the directory itself: no trailing slash */
                        out[blen] = '\0';
        }
        if (!out)
                c->oom = -ENOMEM;
        return out;
}

bool spec_valid_name(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > 64)
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                      *p == '-' || *p == '.'))
                        return false;
        return true;
}

bool spec_valid_void_path(const char *p)
{
        if (p[0] != '/')
                return false;
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
                        return false;
        return true;
}
