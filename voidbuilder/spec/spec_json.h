/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the helpers spec.c and spec_void.c share to read jansson values strictly. */
#ifndef VB_SPEC_JSON_H
#define VB_SPEC_JSON_H

#include <jansson.h>

#include "spec/spec_pos.h"

struct spec_ctx {
        struct vb_spec *s;
        struct vb_spec_diags *d;
        int oom;
};

/* Record a diagnostic and remember that parsing found something. */
#define P_DIAG(c, ptr, at_key, ...)                                         \
        do {                                                                \
                (c)->s->parse_errors = true;                                \
                vb_spec_diag((c)->d, (c)->s, (ptr), (at_key), __VA_ARGS__); \
        } while (0)

/* "an object", "a string", ... for messages. */
const char *spec_type_name(const json_t *j);
/* Diagnose and return false unless j has type t; what is e.g. "\"trigger\"". */
bool spec_expect(struct spec_ctx *c, const json_t *j, json_type t, const char *ptr, const char *what);
/* Every key of obj must be in allowed (NULL-terminated); what names the object in messages. */
void spec_check_keys(struct spec_ctx *c, json_t *obj, const char *ptr, const char *const *allowed, const char *what);
/* A string member (copied into *out); absent -> *out untouched, false; wrong type -> diagnosed. */
bool spec_get_string(struct spec_ctx *c, json_t *obj, const char *ptr, const char *key, char **out);
/* A boolean member; absent -> false and *out untouched. */
bool spec_get_bool(struct spec_ctx *c, json_t *obj, const char *ptr, const char *key, bool *out);
/* A size: a non-negative integer or a string with an optional k, m or g suffix. */
bool spec_parse_size(const json_t *j, uint64_t *out);
/* A host path as written in the spec, made absolute against the spec's directory. */
char *spec_host_path(struct spec_ctx *c, const char *path);
/* A valid name for entrypoints, channels and fds: [A-Za-z0-9_.-]+, at most 64 bytes. */
bool spec_valid_name(const char *name);
/* A path inside the void: absolute, no "..". */
bool spec_valid_void_path(const char *p);
/* Parse the "void" object of an entrypoint into v. */
void spec_parse_void(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_void *v);
void spec_void_done(struct vb_spec_void *v);
/* Parse the "environment" object: each server's mode and the caretakers of the proxied ones (spec_env.c). */
void spec_parse_environment(struct spec_ctx *c, json_t *j);
void spec_care_done(struct vb_spec_care *care);

#endif
