/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to libvoidoci: reading config.json with jansson, every error
 * naming its field as a JSON path ("config.json: /process/args/0: ...").
 */
#ifndef VB_OCI_JSON_H
#define VB_OCI_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "voidbuilder/oci.h"

struct oci_rd {
        const char *file;      /* "config.json", "process.json": the first word of every error */
        struct vb_error **err; /* may be NULL */
        char ***notes;         /* where notes go (NULL-terminated, malloc'd) */
};

/* A child path: "base/key" or "base/N" into buf. */
const char *oci_path(char *buf, size_t len, const char *base, const char *key);
const char *oci_path_i(char *buf, size_t len, const char *base, size_t i);

/* -EINVAL with "FILE: PATH: reason". */
int oci_bad(struct oci_rd *rd, const char *path, const char *fmt, ...) VB_PRINTF(3, 4);
/* Append "PATH: reason" to *rd->notes.  -ENOMEM. */
int oci_note(struct oci_rd *rd, const char *path, const char *fmt, ...) VB_PRINTF(3, 4);

/*
 * Typed reads of obj[key] (path names obj).  An absent key (or null) leaves
 * *out alone and returns 0 unless required; a key of the wrong type is
 * -EINVAL with its path.  Strings are copied.
 */
int oci_str(struct oci_rd *rd, json_t *obj, const char *key, const char *path, bool required, char **out);
int oci_bool(struct oci_rd *rd, json_t *obj, const char *key, const char *path, bool *out);
/* An integer in [min, max]; *set (if not NULL) tells it was given. */
int oci_int(struct oci_rd *rd, json_t *obj, const char *key, const char *path, int64_t min, int64_t max, int64_t *out,
            bool *set);
/* An unsigned integer up to max (a JSON integer; jansson holds at most INT64_MAX). */
int oci_uint(struct oci_rd *rd, json_t *obj, const char *key, const char *path, uint64_t max, uint64_t *out, bool *set);
/* An array of strings, NULL-terminated; absent: *out stays NULL. */
int oci_strv(struct oci_rd *rd, json_t *obj, const char *key, const char *path, bool required, char ***out);
/* obj[key] if it is an object (NULL if absent); -EINVAL if it is something else. */
int oci_obj(struct oci_rd *rd, json_t *obj, const char *key, const char *path, json_t **out);
int oci_arr(struct oci_rd *rd, json_t *obj, const char *key, const char *path, json_t **out);

/* The parts (oci_config.c, oci_process.c, oci_linux.c, oci_seccomp.c). */
int oci_read_process(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_process *out);
int oci_read_linux(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci *c);
int oci_read_resources(struct oci_rd *rd, json_t *j, const char *path, struct vb_oci_resources *out);
int oci_seccomp_translate(struct oci_rd *rd, json_t *j, const char *path, char **policy);
void oci_resources_done(struct vb_oci_resources *r);

#endif
