/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading a spec for the shim's commands: read, parse, validate, print every diagnostic. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "profile/profile.h"
#include "run/cli.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

#define MAX_SPEC_BYTES (4u << 20)

int shim_read_all(const char *path, char **out, size_t *len)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return NEG_ERRNO();
        for (;;) {
                size_t got;

                if (n == cap) {
                        char *b;

                        if (cap >= MAX_SPEC_BYTES)
                                return -EFBIG;
                        cap = cap ? cap * 2 : 8192;
                        b = realloc(buf, cap);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                got = fread(buf + n, 1, cap - n, f);
                n += got;
                if (got == 0)
                        break;
        }
        if (ferror(f))
                return -EIO;
        *out = TAKE_PTR(buf);
        *len = n;
        return 0;
}

/* Validation asks the host through access(2), as the caller: what the shim itself could open. */
static int host_access(void *userdata, const char *path, int mode)
{
        return access(path, mode) < 0 ? NEG_ERRNO() : 0;
}

/*
 * The directory relative host paths are taken from: the spec's own, made
 * absolute and physical now, so that a relative spec path ("specs/x.json")
 * yields the same absolute bind sources, programs and files whatever the
 * working directory is later, in check, explain and exec alike.
 */
static int spec_basedir(const char *path, char **out)
{
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = NULL;

        if (!slash)
                dir = strdup(".");
        else
                dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        *out = realpath(dir, NULL);
        return *out ? 0 : NEG_ERRNO();
}

int shim_spec_load(const char *path, struct vb_spec **out)
{
        _cleanup_free_ char *text = NULL, *basedir = NULL;
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;
        size_t len = 0;
        char what[512];
        int r;

        snprintf(what, sizeof(what), "read spec %s", path);
        r = shim_read_all(path, &text, &len);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-r));
        r = spec_basedir(path, &basedir);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-r));
        r = vb_spec_parse(text, len, path, basedir, &s, &d);
        if (r == -ENOMEM) {
                vb_spec_diags_done(&d);
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(ENOMEM));
        }
        if (s && vb_spec_resolve_profiles(s, shim_profile_find, NULL, &d) == -ENOMEM) {
                vb_spec_free(s);
                vb_spec_diags_done(&d);
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(ENOMEM));
        }
        if (s && vb_spec_validate(s, host_access, NULL, &d) == -ENOMEM) {
                vb_spec_free(s);
                vb_spec_diags_done(&d);
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(ENOMEM));
        }
        vb_spec_diags_sort(&d);
        for (size_t i = 0; i < d.n; i++)
                fprintf(stderr, "%s\n", d.items[i].text);
        if (d.n || !s) {
                char cause[64];

                snprintf(what, sizeof(what), "use spec %s", path);
                snprintf(cause, sizeof(cause), "%zu error%s", d.n, d.n == 1 ? "" : "s");
                shim_fatal(SHIM_EXIT_USAGE, what, cause);
                vb_spec_diags_done(&d);
                vb_spec_free(s);
                return SHIM_EXIT_USAGE;
        }
        vb_spec_diags_done(&d);
        *out = s;
        return 0;
}

int shim_spec_resolve(struct vb_spec *s)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        char what[512];
        int r = vb_plan_spec_resolve(s, &err);

        if (r >= 0)
                return 0;
        snprintf(what, sizeof(what), "resolve the allowlist of spec %s", s->file);
        /* A name with no address, a resolver that fails: the request's, as --net-allow says it (100). */
        return shim_fatal_err(r == -ENOMEM ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE, what, err, r);
}
