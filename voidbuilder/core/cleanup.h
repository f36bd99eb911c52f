/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the public cleanup helpers (include/voidbuilder/cleanup.h) plus
 * those for the handles of the libraries the builder links (doc/architecture.md).
 */
#ifndef VB_CORE_CLEANUP_H
#define VB_CORE_CLEANUP_H

#include "voidbuilder/cleanup.h"

/* Library-specific handles; the headers are only pulled in where used. */
#ifdef VB_CLEANUP_SECCOMP
#include <seccomp.h>
static inline void vb_seccomp_releasep(scmp_filter_ctx *c)
{
        if (*c)
                seccomp_release(*c);
}
#define _cleanup_seccomp_ _cleanup_(vb_seccomp_releasep)
#endif

#ifdef VB_CLEANUP_CAP
#include <sys/capability.h>
static inline void vb_cap_freep(cap_t *c)
{
        if (*c)
                cap_free(*c);
}
#define _cleanup_cap_ _cleanup_(vb_cap_freep)
/* A string libcap made (cap_to_name, cap_to_text): cap_free() on the string itself, not on &string. */
static inline void vb_cap_free_textp(char **s)
{
        if (*s)
                cap_free(*s);
}
#define _cleanup_cap_text_ _cleanup_(vb_cap_free_textp)
#endif

#ifdef VB_CLEANUP_MNL
#include <libmnl/libmnl.h>
static inline void vb_mnl_closep(struct mnl_socket **s)
{
        if (*s)
                mnl_socket_close(*s);
}
#define _cleanup_mnl_ _cleanup_(vb_mnl_closep)
#endif

#endif
