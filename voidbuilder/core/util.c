/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "voidbuilder.h"

VB_API int vb_parse_size(const char *s, uint64_t *out)
{
        unsigned long long v;
        uint64_t mult = 1;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno)
                return -EINVAL;
        if (*end == 'k' || *end == 'K')
                mult = 1ULL << 10, end++;
        else if (*end == 'm' || *end == 'M')
                mult = 1ULL << 20, end++;
        else if (*end == 'g' || *end == 'G')
                mult = 1ULL << 30, end++;
        if (*end || v > UINT64_MAX / mult)
                return -EINVAL;
        *out = v * mult;
        return 0;
}
