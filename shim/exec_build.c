/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One entrypoint of a spec -> one struct vb_void: the environment's server
 * modes become namespace choices and implied grants, then the entrypoint's own
 * "void" grants are applied in the order `voidshim run` applies them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec.h"

int exec_open_flags(enum vb_spec_fmode mode)
{
        switch (mode) {
        case VB_FMODE_W:
                return O_WRONLY | O_TRUNC;
        case VB_FMODE_RW:
                return O_RDWR;
        case VB_FMODE_APPEND:
                return O_WRONLY | O_APPEND;
        case VB_FMODE_CREATE:
                return O_WRONLY | O_CREAT | O_TRUNC;
        case VB_FMODE_R:
        default:
                return O_RDONLY;
        }
}

char *exec_fds_string(const struct vb_spec_entry *e)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t i = 0, n = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];

                if (a->fd < 0 || !a->name)
                        continue;
                fprintf(f, "%s%s=%d", n++ ? "," : "", a->name, a->fd);
                for (unsigned k = 1; k < a->n_fds; k++)
                        fprintf(f, ",%s.%u=%d", a->name, k, a->fd + (int)k);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static const struct {
        enum vb_spec_server srv;
        enum vb_ns ns;
} srv_ns[] = {
        { VB_SRV_PROC, VB_NS_PID }, { VB_SRV_AUTH, VB_NS_USER }, { VB_SRV_NET, VB_NS_NET },
        { VB_SRV_IPC, VB_NS_IPC },  { VB_SRV_UTS, VB_NS_UTS },   { VB_SRV_TIME, VB_NS_TIME },
};

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

/* fs "shared": the host's root read-only, except what other servers own (/proc, /sys, /dev) and scratch. */
static int share_root(struct vb_void *v)
{
        static const char *const skip[] = { ".", "..", "proc", "sys", "dev", "tmp", "run" };
        _cleanup_(closedirp) DIR *d = opendir("/");
        struct dirent *de;

        if (!d)
                return NEG_ERRNO();
        while ((de = readdir(d))) {
                char src[300];
                bool skipped = false;
                int r;

                for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                        skipped |= strcmp(de->d_name, skip[i]) == 0;
                if (skipped)
                        continue;
                snprintf(src, sizeof(src), "/%s", de->d_name);
                r = vb_void_bind(v, src, src, VB_MOUNT_OPTIONAL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* exec "shared": the host's programs and libraries, read-only. */
static int share_exec(struct vb_void *v)
{
        static const char *const dirs[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
                                            "/etc/ld.so.cache" };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++)
                r = vb_void_bind(v, dirs[i], dirs[i], VB_MOUNT_OPTIONAL);
        return r;
}

static int apply_environment(struct vb_void *v, const struct vb_spec *s, const struct vb_spec_entry *e,
                             struct vb_error **err)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(srv_ns); i++)
                if (s->env[srv_ns[i].srv] == VB_MODE_SHARED)
                        r = vb_void_set_ns(v, srv_ns[i].ns, VB_NS_SHARED, -1);
        if (r < 0)
                return vb_error_set(err, r, "share a namespace");
        if (s->env[VB_SRV_FS] == VB_MODE_SHARED && (r = share_root(v)) < 0)
                return vb_error_set(err, r, "share the host's root");
        if (s->env[VB_SRV_EXEC] == VB_MODE_SHARED && (r = share_exec(v)) < 0)
                return vb_error_set(err, r, "share the host's programs");
        /* exec "fresh": the program's own ELF closure; "denied": nothing, so it must be static. */
        if (s->env[VB_SRV_EXEC] == VB_MODE_FRESH && (r = vb_void_add_libs(v, e->program, err)) < 0)
                return vb_error_wrap(err, "find the libraries of %s", e->program);
        for (int fd = 0; fd <= 2; fd++)
                if ((e->v.std[fd] || s->env[VB_SRV_TERM] == VB_MODE_SHARED) && fcntl(fd, F_GETFD) >= 0 &&
                    (r = vb_void_keep_fd(v, fd, fd)) < 0)
                        return vb_error_set(err, r, "hand in fd %d", fd);
        return 0;
}

static int apply_mount(struct vb_void *v, const struct vb_spec_mount *m)
{
        switch (m->kind) {
        case VB_SMNT_BIND:
                return vb_void_bind(v, m->src, m->dst, m->flags);
        case VB_SMNT_TMPFS:
                return vb_void_tmpfs(v, m->dst, m->size, m->flags);
        case VB_SMNT_DIR:
                return vb_void_dir(v, m->dst, 0755);
        case VB_SMNT_SYMLINK:
                return vb_void_symlink(v, m->src, m->dst);
        default:
                return -EINVAL;
        }
}

static int apply_files(struct vb_void *v, const struct vb_spec *s, const struct vb_spec_void *g,
                       struct vb_error **err)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < g->n_mounts; i++)
                if ((r = apply_mount(v, &g->mounts[i])) < 0)
                        return vb_error_set(err, r, "mount %s", g->mounts[i].dst ? g->mounts[i].dst : "?");
        for (size_t i = 0; g->libs && g->libs[i]; i++)
                if ((r = vb_void_add_libs(v, g->libs[i], err)) < 0)
                        return r;
        if (g->proc && (r = vb_void_proc(v, "/proc", g->proc == VB_SPEC_PROC_SUBSET ? VB_PROC_SUBSET_PID : 0)) < 0)
                return vb_error_set(err, r, "mount /proc");
        if (g->dev && s->env[VB_SRV_DEV] == VB_MODE_SHARED)
                r = vb_void_bind(v, "/dev", "/dev", VB_MOUNT_RW | VB_MOUNT_DEV);
        else if (g->dev)
                r = vb_void_dev(v, "/dev");
        return r < 0 ? vb_error_set(err, r, "mount /dev") : 0;
}

static int read_text(const char *path, char **out)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        size_t len = 0;

        *out = NULL;
        if (!f)
                return NEG_ERRNO();
        if (getdelim(out, &len, '\0', f) < 0 && !*out)
                return -EIO;
        return 0;
}

static int apply_process(struct vb_void *v, const struct vb_spec_void *g, struct vb_error **err)
{
        _cleanup_free_ char *policy = NULL;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < g->n_env; i++)
                r = vb_void_setenv(v, g->env[i].name, g->env[i].value);
        for (size_t i = 0; r >= 0 && i < g->n_rlimits; i++)
                r = vb_void_rlimit(v, g->rlimits[i].resource, g->rlimits[i].soft, g->rlimits[i].hard);
        for (size_t i = 0; r >= 0 && i < g->n_caps; i++)
                r = vb_void_keep_cap(v, g->caps[i]);
        if (r >= 0 && g->has_boottime)
                r = vb_void_time_offset(v, CLOCK_BOOTTIME, g->boottime);
        if (r >= 0 && g->has_monotonic)
                r = vb_void_time_offset(v, CLOCK_MONOTONIC, g->monotonic);
        if (r >= 0 && g->loopback)
                r = vb_void_loopback(v);
        if (r >= 0 && g->hostname)
                r = vb_void_hostname(v, g->hostname);
        if (r >= 0 && g->chdir)
                r = vb_void_chdir(v, g->chdir);
        if (r < 0)
                return vb_error_set(err, r, "apply the void's settings");
        if (g->seccomp == VB_SPEC_SECCOMP_OFF)
                return vb_void_seccomp(v, VB_SECCOMP_OFF, NULL, NULL, err);
        if (g->seccomp == VB_SPEC_SECCOMP_FILE) {
                r = read_text(g->seccomp_file, &policy);
                if (r < 0)
                        return vb_error_set(err, r, "read seccomp policy %s", g->seccomp_file);
                return vb_void_seccomp(v, VB_SECCOMP_POLICY, policy, g->seccomp_file, err);
        }
        return 0;
}

static int apply_landlock(struct vb_void *v, const struct vb_spec_void *g, struct vb_error **err)
{
        int r;

        if (!g->landlock)
                return 0;
        r = vb_void_landlock(v);
        if (r < 0)
                return vb_error_set(err, r, "turn on Landlock");
        /* As with `voidshim run --landlock`: each granted mount keeps what the mount allows. */
        for (size_t i = 0; r >= 0 && i < g->n_mounts; i++) {
                const struct vb_spec_mount *m = &g->mounts[i];
                unsigned acc = VB_LANDLOCK_READ | VB_LANDLOCK_WRITE;

                if (m->kind == VB_SMNT_BIND)
                        acc = VB_LANDLOCK_READ | ((m->flags & VB_MOUNT_RW) ? VB_LANDLOCK_WRITE : 0) |
                              ((m->flags & VB_MOUNT_NOEXEC) ? 0 : VB_LANDLOCK_EXEC);
                if (m->kind != VB_SMNT_SYMLINK)
                        r = vb_void_landlock_allow(v, m->dst, acc);
        }
        for (size_t i = 0; r >= 0 && i < g->n_landlock; i++)
                r = vb_void_landlock_allow(v, g->landlock_rules[i].path, g->landlock_rules[i].access);
        return r < 0 ? vb_error_set(err, r, "add a Landlock rule") : 0;
}

static int apply_program(struct vb_void *v, const struct vb_spec_entry *e, char *const *trailing,
                         struct vb_error **err)
{
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_close_ int fd = -1;
        size_t n = 1, k = 0;
        int r;

        for (size_t i = 0; e->argv && e->argv[i]; i++)
                n++;
        for (size_t i = 0; trailing && trailing[i]; i++)
                n++;
        argv = calloc(n + 1, sizeof(char *));
        if (!argv || !(argv[k++] = strdup(e->name)))
                return vb_error_set(err, ENOMEM, "build argv");
        for (size_t i = 0; e->argv && e->argv[i]; i++)
                if (!(argv[k++] = strdup(e->argv[i])))
                        return vb_error_set(err, ENOMEM, "build argv");
        for (size_t i = 0; trailing && trailing[i]; i++)
                if (!(argv[k++] = strdup(trailing[i])))
                        return vb_error_set(err, ENOMEM, "build argv");
        /* Opened on the host and run by fd (lesson 5): no /entrypoint mount, and a static program needs no fs. */
        fd = open(e->program, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return vb_error_set(err, errno, "open program %s", e->program);
        r = vb_void_exec_fd(v, fd, argv);
        return r < 0 ? vb_error_set(err, r, "program %s", e->program) : 0;
}

int exec_build_void(const struct vb_spec *s, const struct vb_spec_entry *e, char *const *trailing,
                    struct vb_void **out, struct vb_error **err)
{
        struct vb_void *v = vb_void_new();
        _cleanup_free_ char *fds = NULL;
        _cleanup_close_ int cg = -1;
        bool takes_trailing = false;
        int r;

        if (!v)
                return vb_error_set(err, ENOMEM, "create a void");
        fds = exec_fds_string(e);
        r = fds ? 0 : vb_error_set(err, ENOMEM, "list the fds");
        if (r >= 0)
                r = apply_environment(v, s, e, err);
        if (r >= 0)
                r = apply_files(v, s, &e->v, err);
        if (r >= 0)
                r = apply_process(v, &e->v, err);
        if (r >= 0)
                r = apply_landlock(v, &e->v, err);
        if (r >= 0 && e->v.cgroup) {
                cg = open(e->v.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = cg < 0 ? vb_error_set(err, errno, "open cgroup %s", e->v.cgroup) : vb_void_cgroup(v, cg);
        }
        if (r >= 0 && (vb_void_setenv(v, "VOIDSHIM_ENTRYPOINT", e->name) < 0 ||
                       vb_void_setenv(v, "VOIDSHIM_FDS", fds) < 0))
                r = vb_error_set(err, ENOMEM, "set the shim's variables");
        for (size_t i = 0; i < e->n_args && !takes_trailing; i++)
                takes_trailing = e->args[i].kind == VB_ARG_TRAILING;
        if (r >= 0)
                r = apply_program(v, e, takes_trailing ? trailing : NULL, err);
        if (r < 0) {
                vb_void_free(v);
                return r;
        }
        *out = v;
        return 0;
}
