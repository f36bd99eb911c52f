/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: how explain.c and explain_json.c tell what container.h adds to a void. */
#ifndef VB_CONTAINER_EXPLAIN_H
#define VB_CONTAINER_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "core/void.h"

/* One line (without "\n") for a container mount kind; false for the void's own kinds. */
bool vb_ctr_explain_mount(FILE *f, const struct vb_mount *m);
/* The root, in words (buf holds them when they need the path). */
/* The five capability sets and no_new_privs (a void with v->ctr). */
void vb_ctr_explain_caps(FILE *f, const struct vb_void *v);
/* Maps, user, umask, sysctls, oom_score_adj, cgroups v1, held: lines, nothing without v->ctr. */
void vb_ctr_explain(FILE *f, const struct vb_void *v);
/* "container":{...}, (or null,) for vb_void_explain_json(); jstr writes a JSON string. */
void vb_ctr_explain_json(FILE *f, const struct vb_void *v, void (*jstr)(FILE *, const char *));
/* The extra keys of a container mount kind (",\"fstype\":...). */
void vb_ctr_explain_json_mount(FILE *f, const struct vb_mount *m, void (*jstr)(FILE *, const char *));

#endif
