/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* Whole decimal digits, nothing else, at most max. */
static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
        unsigned long long v;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end || v > max)
                return -EINVAL;
        *out = v;
        return 0;
}

VB_API int vb_limit_parse(struct vb_limits *l, const char *name, const char *value, const char **why)
{
        uint64_t n;
        size_t len;
        char digits[16];

        if (strcmp(name, "pids") == 0) {
                *why = "must be a number of processes, 1 to 4194304";
                if (parse_count(value, VB_LIMIT_PIDS_MAX, &n) < 0 || n == 0)
                        return -EINVAL;
                l->pids = n;
        } else if (strcmp(name, "memory") == 0) {
                *why = "must be a size of 1m or more (a number of bytes, or with k, m, g)";
                if (vb_parse_size(value, &n) < 0 || n < VB_LIMIT_MEMORY_MIN)
                        return -EINVAL;
                l->memory = n;
        } else if (strcmp(name, "cpu") == 0) {
                *why = "must be a percentage of one CPU, 1% to 100000% (50%: half a CPU, 200%: two)";
                len = strlen(value);
                if (len < 2 || len > sizeof(digits) || value[len - 1] != '%')
                        return -EINVAL;
                memcpy(digits, value, len - 1);
                digits[len - 1] = '\0';
                if (parse_count(digits, VB_LIMIT_CPU_MAX, &n) < 0 || n == 0)
                        return -EINVAL;
                l->cpu = (uint32_t)n;
        } else {
                *why = "is not a limit (pids, memory, cpu)";
                return -ENOENT;
        }
        return 0;
}
