/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scope-bound cleanup helpers (see ../shared/STYLE.md, "Cleanup").
 *
 * Every variable that owns a resource is declared with one of these attributes
 * and initialised where it is declared, so that no return path can leak it.
 * Ownership leaves a scope only through TAKE_PTR() / TAKE_FD().
 */
#ifndef VB_CLEANUP_H
#define VB_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void vb_freep(void *p)
{
        free(*(void **)p);
}

static inline void vb_closep(int *fd)
{
        if (*fd >= 0) {
                /* close() may clobber errno; callers read errno before leaving scope. */
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void vb_fclosep(FILE **f)
{
        if (*f) {
                int saved = errno;
                fclose(*f);
                errno = saved;
        }
}

/* Free a NULL-terminated vector of strings. */
static inline void vb_strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static inline void vb_strv_freep(char ***v)
{
        vb_strv_free(*v);
}

#define _cleanup_free_      _cleanup_(vb_freep)
#define _cleanup_close_     _cleanup_(vb_closep)
#define _cleanup_fclose_    _cleanup_(vb_fclosep)
#define _cleanup_strv_free_ _cleanup_(vb_strv_freep)

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

/* Return the value and clear the source, so the cleanup attribute does nothing. */
#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _tp = (p); \
                (p) = NULL;              \
                _tp;                     \
        })
#define TAKE_FD(fd)             \
        ({                      \
                int _tf = (fd); \
                (fd) = -1;      \
                _tf;            \
        })

/* Turn a libc -1/errno result into -errno at once (STYLE.md, Errors 1). */
#define NEG_ERRNO() (errno > 0 ? -errno : -EIO)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
