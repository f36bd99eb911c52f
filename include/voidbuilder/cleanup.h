/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scope-bound cleanup helpers for C clients of libvoidbuilder (GNU C: gcc, clang).
 *
 * Every variable that owns a resource is declared with one of these attributes
 * and initialised where it is declared, so that no return path can leak it.
 * Ownership leaves a scope only through TAKE_PTR() / TAKE_FD().
 *
 *     _cleanup_vb_error_ struct vb_error *err = NULL;
 *     _cleanup_vb_void_ struct vb_void *v = vb_void_new();
 *
 * Header only; voidshim and the library use it themselves.
 */
#ifndef VOIDBUILDER_CLEANUP_H
#define VOIDBUILDER_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../voidbuilder.h"

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

/* The library's own objects: freed (killed and reaped, for a vb_proc) when the scope ends. */
static inline void vb_error_freep(struct vb_error **e)
{
        vb_error_free(*e);
}
static inline void vb_void_freep(struct vb_void **v)
{
        vb_void_free(*v);
}
static inline void vb_proc_freep(struct vb_proc **p)
{
        vb_proc_free(*p);
}

#define _cleanup_vb_error_ _cleanup_(vb_error_freep)
#define _cleanup_vb_void_  _cleanup_(vb_void_freep)
#define _cleanup_vb_proc_  _cleanup_(vb_proc_freep)

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

/* Turn a libc -1/errno result into -errno at once, before another call can change errno. */
#define NEG_ERRNO() (errno > 0 ? -errno : -EIO)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#endif /* VOIDBUILDER_CLEANUP_H */
