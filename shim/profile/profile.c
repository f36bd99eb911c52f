/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding and loading profiles: spec fragments named by `--profile NAME` and a spec's "profiles". */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/profile.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

#define MAX_DIRS 3

/*
 * The profile directories, in the order they are searched, into dirs[] (each PATH_MAX): the user's, the
 * build tree's when voidshim runs from one (./voidshim next to specs/), then the installed ones, found
 * from the binary's own place (PREFIX/bin/voidshim: PREFIX/share/voidshim/profiles), so that an
 * install anywhere, or a staged one, finds its own.  Returns the count.
 */
static size_t profile_dirs(char dirs[MAX_DIRS][PATH_MAX])
{
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        char exe[PATH_MAX - 64], *slash;
        size_t n = 0;
        ssize_t len;

        if (xdg && xdg[0] == '/' && strlen(xdg) < PATH_MAX - 32)
                snprintf(dirs[n++], PATH_MAX, "%s/voidshim/profiles", xdg);
        else if (home && home[0] == '/' && strlen(home) < PATH_MAX - 32)
                snprintf(dirs[n++], PATH_MAX, "%s/.config/voidshim/profiles", home);
        len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (len <= 0)
                return n;
        exe[len] = '\0';
        slash = strrchr(exe, '/');
        if (!slash)
                return n;
        *slash = '\0';
        snprintf(dirs[n], PATH_MAX, "%s/specs/profiles", exe);
        if (access(dirs[n], F_OK) == 0)
                n++;
        slash = strrchr(exe, '/');
        snprintf(dirs[n++], PATH_MAX, "%.*s/share/voidshim/profiles", slash ? (int)(slash - exe) : 0, exe);
        return n;
}

char *shim_profile_dirs(void)
{
        char dirs[MAX_DIRS][PATH_MAX], *out = NULL;
        size_t n = profile_dirs(dirs), len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i ? ", " : "", dirs[i]);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static int read_profile(const char *path, char **text, size_t *len, char **file, char **basedir)
{
        _cleanup_free_ char *real = NULL, *t = NULL;
        char *slash;
        int r;

        r = shim_read_all(path, &t, len);
        if (r < 0)
                return r;
        real = realpath(path, NULL);
        if (!real)
                return NEG_ERRNO();
        *file = strdup(path);
        if (!*file)
                return -ENOMEM;
        slash = strrchr(real, '/');
        slash[slash == real ? 1 : 0] = '\0';
        *basedir = TAKE_PTR(real);
        *text = TAKE_PTR(t);
        return 0;
}

int shim_profile_find(void *userdata, const char *name, char **text, size_t *len, char **file, char **basedir)
{
        char dirs[MAX_DIRS][PATH_MAX], path[PATH_MAX];
        size_t n;

        if (strchr(name, '/'))
                return read_profile(name, text, len, file, basedir);
        n = profile_dirs(dirs);
        for (size_t i = 0; i < n; i++) {
                int r;

                if (snprintf(path, sizeof(path), "%s/%s.json", dirs[i], name) >= (int)sizeof(path))
                        continue;
                r = read_profile(path, text, len, file, basedir);
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

int shim_profile_load(const char *name, struct vb_spec_profile **out, char **why)
{
        _cleanup_free_ char *dirs = NULL;
        struct vb_spec_diags d = {};
        int r;

        *why = NULL;
        r = vb_spec_load_profile(name, shim_profile_find, NULL, out, &d);
        vb_spec_diags_sort(&d);
        if (r == -ENOENT && !d.n) {
                dirs = shim_profile_dirs();
                if (asprintf(why, "there is no profile '%s' in %s", name, dirs ? dirs : "the profile directories") < 0)
                        *why = NULL;
        } else if (r < 0 && d.n) {
                if (asprintf(why, "%s%s%.0zu%s", d.items[0].text, d.n > 1 ? " (and " : "", d.n - 1,
                             d.n > 1 ? " more)" : "") < 0)
                        *why = NULL;
        } else if (r < 0 && r != -ENOMEM) {
                if (asprintf(why, "%s", strerror(-r)) < 0)
                        *why = NULL;
        }
        vb_spec_diags_done(&d);
        if (r < 0) {
                *out = vb_spec_profile_free(*out);
                return r == -ENOMEM ? r : -EINVAL;
        }
        return 0;
}
