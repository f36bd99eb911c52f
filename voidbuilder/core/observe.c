/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_void_observe(): a void whose system calls of interest stop for an
 * observer of the caller's (seccomp user notification, seccomp_unotify(2)),
 * for `voidshim learn`.  The filter is compiled here, in the parent, with
 * libseccomp; the child installs it with SECCOMP_FILTER_FLAG_NEW_LISTENER and
 * sends the listener fd to the caller over a socket it was given.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/observe.h"
#include "core/seccomp.h"
#include "core/void.h"

/* The BPF of ctx, exported through a memfd (libseccomp writes it to an fd) into out->filter (malloc'd). */
static int export_fprog(scmp_filter_ctx ctx, struct sock_fprog *out)
{
        _cleanup_close_ int fd = memfd_create("vb-observe", MFD_CLOEXEC);
        struct stat st;
        void *buf;
        int r;

        if (fd < 0)
                return NEG_ERRNO();
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
            st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -E2BIG;
        buf = malloc((size_t)st.st_size);
        if (!buf)
                return -ENOMEM;
        if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
                free(buf);
                return -EIO;
        }
        out->filter = buf;
        out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
        return 0;
}

/* Every named syscall the native architecture has goes to the listener; the rest is allowed. */
static int compile(const char *const *names, struct sock_fprog *out, const char **bad)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r = 0;

        if (!ctx)
                return -ENOMEM;
        /* We only export; the child sets no_new_privs itself. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        for (size_t i = 0; r >= 0 && names[i]; i++) {
                int nr = seccomp_syscall_resolve_name(names[i]);

                if (nr == __NR_SCMP_ERROR) {
                        *bad = names[i];
                        r = -EINVAL;
                } else if (nr >= 0) { /* negative: not on this architecture (open on arm64): nothing to watch */
                        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
                }
        }
        if (r >= 0)
                r = export_fprog(ctx, out);
        seccomp_release(ctx);
        return r;
}

VB_API int vb_void_observe(struct vb_void *v, const char *const *syscalls, int sock, struct vb_error **err)
{
        struct sock_fprog fprog = {};
        const char *bad = NULL;
        char **names = NULL;
        size_t n = 0;
        int fd, r;

        if (!syscalls[0])
                return vb_error_set(err, EINVAL, "observing: no system call named");
        r = compile(syscalls, &fprog, &bad);
        if (r < 0)
                return bad ? vb_error_set(err, r, "observing: unknown system call '%s'", bad)
                           : vb_error_set(err, r, "observing: compiling the filter");
        while (syscalls[n])
                n++;
        names = calloc(n + 1, sizeof(char *));
        fd = fcntl(sock, F_DUPFD_CLOEXEC, 3);
        for (size_t i = 0; names && i < n; i++)
                if (!(names[i] = strdup(syscalls[i]))) {
                        vb_strv_free(names);
                        names = NULL;
                }
        if (!names || fd < 0) {
                r = fd < 0 ? NEG_ERRNO() : -ENOMEM;
                vb_strv_free(names);
                vb_closep(&fd);
                vb_seccomp_fprog_done(&fprog);
                return vb_error_set(err, r, "observing");
        }
        vb_void_observe_done(v);
        v->observe = names;
        v->observe_fprog = fprog;
        v->observe_sock = fd;
        return 0;
}

void vb_void_observe_done(struct vb_void *v)
{
        vb_strv_free(v->observe);
        v->observe = NULL;
        vb_seccomp_fprog_done(&v->observe_fprog);
        vb_closep(&v->observe_sock);
}

int vb_observe_install(const struct vb_void *v)
{
        int fd, r;

        fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &v->observe_fprog);
        if (fd < 0)
                return NEG_ERRNO();
        r = vb_fd_send(v->observe_sock, &fd, 1);
        close(fd);
        return r;
}
