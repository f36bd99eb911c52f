/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create's options, the pid file, small files of lines, a container's saved config. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/oci.h"
#include "oci/oci_run.h"
#include "voidbuilder/cleanup.h"

/* Is option a (up to its '=') the long option name, with one dash or two (Go's flag package takes both)? */
static bool is_opt(const char *a, size_t len, const char *name)
{
        size_t dashes = a[1] == '-' ? 2 : 1;

        return len - dashes == strlen(name) && strncmp(a + dashes, name, len - dashes) == 0;
}

int oci_create_args(int argc, char **argv, struct oci_create_opts *o)
{
        *o = (struct oci_create_opts){ .bundle = "." };
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *eq = strchr(a, '=');
                size_t len = eq ? (size_t)(eq - a) : strlen(a);
                const char **slot = NULL;

                if (a[0] != '-' || !a[1]) {
                        if (o->id)
                                return oci_fail("create container", "unexpected argument %s", a);
                        o->id = a;
                        continue;
                }
                if (is_opt(a, len, "bundle") || strcmp(a, "-b") == 0)
                        slot = &o->bundle;
                else if (is_opt(a, len, "pid-file"))
                        slot = &o->pid_file;
                else if (is_opt(a, len, "console-socket"))
                        slot = &o->console_socket;
                else if (is_opt(a, len, "preserve-fds")) {
                        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
                        char *end;
                        long n = v ? strtol(v, &end, 10) : -1;

                        if (!v || *end || n < 0 || n > 1000)
                                return oci_fail("create container", "--preserve-fds needs a count (0 to 1000)");
                        o->preserve_fds = (int)n;
                        continue;
                } else if (is_opt(a, len, "no-pivot") || is_opt(a, len, "no-new-keyring")) {
                        continue; /* a void always pivots, and always has a keyring of its own */
                } else {
                        return oci_fail("create container", "unknown option %s", a);
                }
                *slot = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
                if (!*slot)
                        return oci_fail("create container", "%s needs a value", a);
        }
        if (!o->id || !*o->id)
                return oci_fail("create container", "no container id given");
        return 0;
}

int oci_write_pid_file(const char *path, pid_t pid)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        char num[24];
        int n = snprintf(num, sizeof(num), "%d", (int)pid);
        const char *slash = strrchr(path, '/');

        /* A dot file next to it, then rename: who reads the pid file never sees it half written. */
        if (asprintf(&tmp, "%.*s.%s", slash ? (int)(slash - path + 1) : 0, path, slash ? slash + 1 : path) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        if (write(fd, num, (size_t)n) != n) {
                (void)unlink(tmp);
                return -EIO;
        }
        if (rename(tmp, path) < 0) {
                int r = -errno;

                (void)unlink(tmp);
                return r;
        }
        return 0;
}

int oci_ctr_config(const struct oci_ctr *c, struct vb_oci **out, struct vb_error **err)
{
        char dir[PATH_MAX];

        *out = NULL;
        if (!oci_state_path(dir, sizeof(dir), c->id, NULL))
                return vb_error_set(err, ENAMETOOLONG, "%s", c->id);
        /* The copy made at create: what the bundle said then, whatever it says now. */
        return vb_oci_load(dir, out, err);
}
