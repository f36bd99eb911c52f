/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Layered error context, after crun's libcrun_make_error / crun_error_wrap. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "voidbuilder.h"

VB_API int vb_error_set(struct vb_error **err, int errnum, const char *fmt, ...)
{
        _cleanup_free_ char *ctx = NULL;
        struct vb_error *e;
        va_list ap;
        int r;

        if (errnum < 0)
                errnum = -errnum;
        if (errnum == 0)
                errnum = EIO;
        if (!err || *err) /* no sink, or the first cause already recorded */
                return -errnum;

        va_start(ap, fmt);
        r = vasprintf(&ctx, fmt, ap);
        va_end(ap);
        if (r < 0)
                ctx = NULL;

        e = calloc(1, sizeof(*e));
        if (!e)
                return -errnum;
        e->errnum = errnum;
        if (asprintf(&e->msg, "%s: %s", ctx ? ctx : "error", strerror(errnum)) < 0)
                e->msg = NULL;
        *err = e;
        return -errnum;
}

VB_API int vb_error_wrap(struct vb_error **err, const char *fmt, ...)
{
        _cleanup_free_ char *ctx = NULL;
        char *msg = NULL;
        va_list ap;
        int r;

        if (!err || !*err)
                return -EIO;
        va_start(ap, fmt);
        r = vasprintf(&ctx, fmt, ap);
        va_end(ap);
        if (r >= 0 && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : strerror((*err)->errnum)) >= 0) {
                free((*err)->msg);
                (*err)->msg = msg;
        }
        return -(*err)->errnum;
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
