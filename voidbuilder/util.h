/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small pure helpers shared by the library and voidshim (no syscalls). */
#ifndef VB_UTIL_H
#define VB_UTIL_H

#include <stdint.h>

/*
 * Parse a size: decimal digits with an optional k, m or g (binary multiples),
 * nothing else ("64m", "4096").  0 with *out set, -EINVAL for anything else
 * (a sign, spaces, hex, an unknown suffix, overflow).
 */
int vb_parse_size(const char *s, uint64_t *out);

#endif
