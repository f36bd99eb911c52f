/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Layered error context, after crun's libcrun_make_error / crun_error_wrap. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "voidbuilder.h"

/* errnum as a positive errno: either sign is accepted; 0 (no cause given) is a caller's bug. */
static int positive(int errnum)
{
        return errnum < 0 ? -errnum : errnum;
}

/* A new error reading "ctx: strerror(errnum)"; NULL when memory is short. */
static struct vb_error *error_new(int errnum, const char *fmt, va_list ap) VB_PRINTF(2, 0);
static struct vb_error *error_new(int errnum, const char *fmt, va_list ap)
{
        _cleanup_free_ char *ctx = NULL;
        struct vb_error *e;

        if (vasprintf(&ctx, fmt, ap) < 0)
                ctx = NULL;
        e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;
        e->errnum = errnum;
        if (asprintf(&e->msg, "%s: %s", ctx ? ctx : "error", strerror(errnum)) < 0)
                e->msg = NULL;
        return e;
}

VB_API int vb_error_set(struct vb_error **err, int errnum, const char *fmt, ...)
{
        va_list ap;

        errnum = positive(errnum);
        if (errnum == 0)
                errnum = EIO;
        if (!err || *err) /* no sink, or the first cause already recorded */
                return -errnum;
        va_start(ap, fmt);
        *err = error_new(errnum, fmt, ap);
        va_end(ap);
        return -errnum;
}

VB_API int vb_error_wrap(struct vb_error **err, int r, const char *fmt, ...)
{
        _cleanup_free_ char *ctx = NULL;
        char *msg = NULL;
        int errnum = positive(r);
        va_list ap;

        if (!err || errnum == 0) /* no sink; or no failure, so nothing to say */
                return -errnum;
        va_start(ap, fmt);
        if (!*err) {
                /* The callee recorded nothing (it takes no sink): r is the cause. */
                *err = error_new(errnum, fmt, ap);
                va_end(ap);
                return -errnum;
        }
        if (vasprintf(&ctx, fmt, ap) < 0)
                ctx = NULL;
        va_end(ap);
        if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : strerror((*err)->errnum)) >= 0) {
                free((*err)->msg);
                (*err)->msg = msg;
        }
        return -errnum;
}

VB_API struct vb_error *vb_error_free(struct vb_error *e)
{
        if (!e)
                return NULL;
        free(e->msg);
        free(e->step);
        free(e);
        return NULL;
}
