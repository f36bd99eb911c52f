/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed reads of config.json fields, every error naming its JSON path. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_json.h"
#include "voidbuilder/cleanup.h"

const char *oci_path(char *buf, size_t len, const char *base, const char *key)
{
        snprintf(buf, len, "%s/%s", base, key);
        return buf;
}

const char *oci_path_i(char *buf, size_t len, const char *base, size_t i)
{
        snprintf(buf, len, "%s/%zu", base, i);
        return buf;
}

int oci_bad(struct oci_rd *rd, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        return vb_error_set(rd->err, EINVAL, "%s: %s: %s", rd->file, *path ? path : "/", msg);
}

int oci_note(struct oci_rd *rd, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        char *line = NULL, **n;
        size_t len = 0;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0 || asprintf(&line, "%s: %s", path, msg) < 0)
                return -ENOMEM;
        while (*rd->notes && (*rd->notes)[len])
                len++;
        n = reallocarray(*rd->notes, len + 2, sizeof(char *));
        if (!n) {
                free(line);
                return -ENOMEM;
        }
        n[len] = line;
        n[len + 1] = NULL;
        *rd->notes = n;
        return 0;
}

static const char *type_name(json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return "an object";
        case JSON_ARRAY:
                return "an array";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
                return "an integer";
        case JSON_REAL:
                return "a number with a fraction";
        case JSON_TRUE:
        case JSON_FALSE:
                return "a boolean";
        case JSON_NULL:
        default:
                return "null";
        }
}

/* obj[key], NULL when absent or null; the child's path into buf. */
static json_t *field(json_t *obj, const char *key, const char *path, char *buf, size_t len)
{
        json_t *v = json_object_get(obj, key);

        oci_path(buf, len, path, key);
        return json_is_null(v) ? NULL : v;
}

int oci_str(struct oci_rd *rd, json_t *obj, const char *key, const char *path, bool required, char **out)
{
        char p[512];
        json_t *v = field(obj, key, path, p, sizeof(p));
        char *copy;

        if (!v)
                return required ? oci_bad(rd, p, "required, and missing") : 0;
        if (!json_is_string(v))
                return oci_bad(rd, p, "must be a string, not %s", type_name(v));
        if (strlen(json_string_value(v)) != json_string_length(v))
                return oci_bad(rd, p, "must not hold a NUL byte");
        copy = strdup(json_string_value(v));
        if (!copy)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        free(*out);
        *out = copy;
        return 0;
}

int oci_bool(struct oci_rd *rd, json_t *obj, const char *key, const char *path, bool *out)
{
        char p[512];
        json_t *v = field(obj, key, path, p, sizeof(p));

        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return oci_bad(rd, p, "must be true or false, not %s", type_name(v));
        *out = json_is_true(v);
        return 0;
}

int oci_int(struct oci_rd *rd, json_t *obj, const char *key, const char *path, int64_t min, int64_t max, int64_t *out,
            bool *set)
{
        char p[512];
        json_t *v = field(obj, key, path, p, sizeof(p));

        if (!v)
                return 0;
        if (!json_is_integer(v))
                return oci_bad(rd, p, "must be an integer, not %s", type_name(v));
        if (json_integer_value(v) < min || json_integer_value(v) > max)
                return oci_bad(rd, p, "%lld is out of range (%lld to %lld)", (long long)json_integer_value(v),
                               (long long)min, (long long)max);
        *out = json_integer_value(v);
        if (set)
                *set = true;
        return 0;
}

int oci_uint(struct oci_rd *rd, json_t *obj, const char *key, const char *path, uint64_t max, uint64_t *out, bool *set)
{
        int64_t v = 0;
        bool given = false;
        int r = oci_int(rd, obj, key, path, 0, max > INT64_MAX ? INT64_MAX : (int64_t)max, &v, &given);

        if (r < 0 || !given)
                return r;
        *out = (uint64_t)v;
        if (set)
                *set = true;
        return 0;
}

int oci_strv(struct oci_rd *rd, json_t *obj, const char *key, const char *path, bool required, char ***out)
{
        char p[512], q[600];
        json_t *v = field(obj, key, path, p, sizeof(p)), *e;
        char **list;
        size_t i;

        if (!v)
                return required ? oci_bad(rd, p, "required, and missing") : 0;
        if (!json_is_array(v))
                return oci_bad(rd, p, "must be an array of strings, not %s", type_name(v));
        list = calloc(json_array_size(v) + 1, sizeof(char *));
        if (!list)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(v, i, e)
        {
                if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e)) {
                        vb_strv_free(list);
                        return oci_bad(rd, oci_path_i(q, sizeof(q), p, i), "must be a string without NUL bytes");
                }
                list[i] = strdup(json_string_value(e));
                if (!list[i]) {
                        vb_strv_free(list);
                        return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
                }
        }
        vb_strv_free(*out);
        *out = list;
        return 0;
}

int oci_obj(struct oci_rd *rd, json_t *obj, const char *key, const char *path, json_t **out)
{
        char p[512];
        json_t *v = field(obj, key, path, p, sizeof(p));

        *out = NULL;
        if (!v)
                return 0;
        if (!json_is_object(v))
                return oci_bad(rd, p, "must be an object, not %s", type_name(v));
        *out = v;
        return 0;
}

int oci_arr(struct oci_rd *rd, json_t *obj, const char *key, const char *path, json_t **out)
{
        char p[512];
        json_t *v = field(obj, key, path, p, sizeof(p));

        *out = NULL;
        if (!v)
                return 0;
        if (!json_is_array(v))
                return oci_bad(rd, p, "must be an array, not %s", type_name(v));
        *out = v;
        return 0;
}
