/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to libvoidspec: the position index (JSON pointer -> line:col) and the diagnostic helpers. */
#ifndef VB_SPEC_POS_H
#define VB_SPEC_POS_H

#include <stdbool.h>

#include "voidbuilder/spec.h"

/* Build the index of JSON-pointer -> line:col for text jansson accepted. */
int vb_spec_posidx_build(const char *text, size_t len, struct vb_spec_posidx **out);
struct vb_spec_posidx *vb_spec_posidx_free(struct vb_spec_posidx *idx);
/* Position of the value at ptr (or of its key when at_key and it has one). -ENOENT when absent. */
int vb_spec_posidx_find(const struct vb_spec_posidx *idx, const char *ptr, bool at_key, unsigned *line, unsigned *col);
/* Add one diagnostic at a known position. */
void vb_spec_diag_at(struct vb_spec_diags *d, const char *file, unsigned line, unsigned col, const char *fmt, ...)
        VB_PRINTF(5, 6);
/* Add one diagnostic at the JSON pointer ptr (falling back to its nearest ancestor). */
void vb_spec_diag(struct vb_spec_diags *d, const struct vb_spec *s, const char *ptr, bool at_key, const char *fmt, ...)
        VB_PRINTF(5, 6);
/* Append "/" + escaped key (RFC 6901) or "/N" to base; malloc'd, NULL on OOM. */
char *vb_spec_ptr_key(const char *base, const char *key);
char *vb_spec_ptr_idx(const char *base, size_t i);

#endif
