/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One entrypoint of a spec -> one struct vb_void: the environment's server
 * modes become namespace choices and implied grants, then the entrypoint's own
 * "void" grants are applied in the order `voidshim run` applies them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "voidbuilder/cleanup.h"

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
        case VB_FMODE_REPLACE: /* exec_replace_open() makes the file; this is its access */
                return O_WRONLY;
        case VB_FMODE_R:
        default:
                return O_RDONLY;
        }
}

char *exec_fds_string(const struct vb_spec_entry *e, size_t n_each)
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
                if (a->each) { /* NAME.0, NAME.1, ...: none at all when no path was given */
                        for (size_t k = 0; k < n_each; k++)
                                fprintf(f, "%s%s.%zu=%d", n++ ? "," : "", a->name, k, a->fd + (int)k);
                        continue;
                }
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

static int apply_environment(struct vb_void *v, const struct vb_spec *s, const struct vb_spec_entry *e,
                             struct vb_error **err)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(srv_ns); i++)
                if (s->env[srv_ns[i].srv] == VB_MODE_SHARED)
                        r = vb_void_set_ns(v, srv_ns[i].ns, VB_NS_SHARED, -1);
        if (r < 0)
                return vb_error_set(err, r, "share a namespace");
        /* The same sharing as `voidshim run --server fs=shared` / `exec=shared` (voidbuilder/server.c). */
        if (s->env[VB_SRV_FS] == VB_MODE_SHARED && (r = vb_void_server(v, VB_SERVER_FS, VB_SERVER_SHARED, err)) < 0)
                return r;
        if (s->env[VB_SRV_EXEC] == VB_MODE_SHARED && (r = vb_void_server(v, VB_SERVER_EXEC, VB_SERVER_SHARED, err)) < 0)
                return r;
        /* exec "fresh": the program's own ELF closure; "denied": nothing, so it must be static. */
        if (s->env[VB_SRV_EXEC] == VB_MODE_FRESH && (r = vb_void_add_libs(v, e->program, err)) < 0)
                return vb_error_wrap(err, r, "find the libraries of %s", e->program);
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

/* The binds a "bind-cmdline" mount (index i) expands to, in their place among the mounts. */
static int apply_grants(struct vb_void *v, const struct exec_grants *gr, size_t i, struct vb_error **err)
{
        for (size_t k = 0; gr && k < gr->n; k++) {
                int r;

                if (gr->g[k].mount != i)
                        continue;
                r = vb_void_bind_checked(v, gr->g[k].src, gr->g[k].path, gr->g[k].flags, gr->g[k].dev, gr->g[k].ino);
                if (r < 0)
                        return vb_error_set(err, r, "mount %s", gr->g[k].path);
        }
        return 0;
}

static int apply_files(struct vb_void *v, const struct vb_spec *s, const struct vb_spec_void *g,
                       const struct exec_grants *gr, struct vb_error **err)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < g->n_mounts; i++) {
                if (g->mounts[i].kind == VB_SMNT_CMDLINE)
                        r = apply_grants(v, gr, i, err);
                else if ((r = apply_mount(v, &g->mounts[i])) < 0)
                        return vb_error_set(err, r, "mount %s", g->mounts[i].dst ? g->mounts[i].dst : "?");
                if (r < 0)
                        return r;
        }
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

/* What a bind allows, as Landlock rights. */
static unsigned bind_access(unsigned flags)
{
        return VB_LANDLOCK_READ | ((flags & VB_MOUNT_RW) ? VB_LANDLOCK_WRITE : 0) |
               ((flags & VB_MOUNT_NOEXEC) ? 0 : VB_LANDLOCK_EXEC);
}

/*
 * One rule per granted mount.  strict ("landlock": true): each mount gets
 * what it allows and nothing else is reachable.  Otherwise (the default,
 * below) only the writable ones need a rule: "/" already gives read and exec.
 */
static int landlock_mounts(struct vb_void *v, const struct vb_spec_void *g, const struct exec_grants *gr, bool strict)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < g->n_mounts; i++) {
                const struct vb_spec_mount *m = &g->mounts[i];
                unsigned acc = VB_LANDLOCK_READ | VB_LANDLOCK_WRITE;

                if (m->kind == VB_SMNT_SYMLINK || (m->kind == VB_SMNT_DIR && !strict))
                        continue;
                if (m->kind == VB_SMNT_CMDLINE) {
                        for (size_t k = 0; r >= 0 && gr && k < gr->n; k++)
                                if (gr->g[k].mount == i && (strict || (gr->g[k].flags & VB_MOUNT_RW)))
                                        r = vb_void_landlock_allow(v, gr->g[k].path, bind_access(gr->g[k].flags));
                        continue;
                }
                if (m->kind == VB_SMNT_TMPFS && (m->flags & VB_MOUNT_EXEC))
                        acc |= VB_LANDLOCK_EXEC;
                if (m->kind == VB_SMNT_BIND) {
                        /* A -try bind whose source is missing is not mounted: a rule on its path would fail. */
                        if ((m->flags & VB_MOUNT_OPTIONAL) && access(m->src, F_OK) < 0)
                                continue;
                        acc = bind_access(m->flags);
                        if (!strict && !(acc & VB_LANDLOCK_WRITE))
                                continue;
                }
                r = vb_void_landlock_allow(v, m->dst, acc);
        }
        if (r >= 0 && g->proc)
                r = vb_void_landlock_allow(v, "/proc", VB_LANDLOCK_READ | VB_LANDLOCK_WRITE);
        if (r >= 0 && g->dev)
                r = vb_void_landlock_allow(v, "/dev", VB_LANDLOCK_READ | VB_LANDLOCK_WRITE);
        return r;
}

/*
 * Could the void reach /proc/self/fd?  It can when it is given a procfs, or
 * keeps CAP_SYS_ADMIN (in its user namespace), with which it could mount one.
 */
bool exec_reaches_proc(const struct vb_spec_void *g)
{
        for (size_t i = 0; i < g->n_caps; i++)
                if (g->caps[i] == CAP_SYS_ADMIN)
                        return true;
        return g->proc != VB_SPEC_PROC_NONE;
}

/* What the void may do when it opens a file of this mode again: the mode's own access, or nothing. */
static unsigned reopen_access(enum vb_spec_fmode mode)
{
        switch (mode) {
        case VB_FMODE_R:
                return VB_LANDLOCK_READ;
        case VB_FMODE_RW:
                return VB_LANDLOCK_READ | VB_LANDLOCK_WRITE;
        case VB_FMODE_W:
        case VB_FMODE_CREATE:
                return VB_LANDLOCK_WRITE;
        case VB_FMODE_APPEND:  /* reopened, it would be writable anywhere, not only at the end */
        case VB_FMODE_REPLACE: /* the new file is the shim's to name */
        default:
                return 0;
        }
}

int exec_landlock_fd(struct vb_void *v, const struct vb_spec_void *g, int fd, enum vb_spec_fmode mode)
{
        unsigned acc = reopen_access(mode);
        char path[64];

        /* Only a void with a procfs has the path, and only a Landlock'ed one needs the rule. */
        if (!acc || g->proc == VB_SPEC_PROC_NONE || g->landlock_off)
                return 0;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        return vb_void_landlock_allow(v, path, acc);
}

/*
 * Landlock: as the spec asks ("landlock": true or rules), else by default in
 * every void that can reach /proc/self/fd, unless the spec says "landlock":
 * false.  The default restricts writing to exactly what the spec grants
 * writable (rw binds, tmpfs, /proc, /dev) and leaves the void's tree readable.
 *
 * Security: the point is the fds the shim opens for a void.  Through
 * /proc/self/fd/N a void could open such a file again, with any access the
 * file's permissions give the caller (uid 0 in the void is the caller): a
 * file handed in read-only could be reopened for writing or truncating, an
 * append-only one for reading.  Landlock checks such an open against the
 * file's real path, which lies outside every path granted here, so it fails
 * with EACCES, unless the mode it was handed in with allows it (exec_landlock_fd()).
 * Without /proc there is no such path (binds are the void's
 * own mounts, so their read-only flag holds through /proc too), and the
 * default leaves those voids alone: the library sets rlimits before it
 * builds the ruleset, so a void with a low "nofile" could fail to start.  A
 * kernel without Landlock gets the mounts alone ("landlock: off" in explain).
 */
static int apply_landlock(struct vb_void *v, const struct vb_spec_void *g, const struct exec_grants *gr,
                          struct vb_error **err)
{
        int r;

        if (g->landlock_off || (!g->landlock && !exec_reaches_proc(g)))
                return 0;
        r = vb_void_landlock(v);
        if (!g->landlock && (r == -EOPNOTSUPP || r == -ENOSYS))
                return 0;
        if (r < 0)
                return vb_error_set(err, r, "turn on Landlock");
        if (!g->landlock)
                r = vb_void_landlock_allow(v, "/", VB_LANDLOCK_READ | VB_LANDLOCK_EXEC);
        if (r >= 0)
                r = landlock_mounts(v, g, gr, g->landlock);
        for (size_t i = 0; r >= 0 && i < g->n_landlock; i++)
                r = vb_void_landlock_allow(v, g->landlock_rules[i].path, g->landlock_rules[i].access);
        return r < 0 ? vb_error_set(err, r, "add a Landlock rule") : 0;
}

static int apply_program(struct vb_void *v, const struct vb_spec_entry *e, char *const *trailing, struct vb_error **err)
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

/*
 * "chdir": "caller": the caller's working directory, as an empty directory
 * in the void's root made before every mount, so that whatever is granted
 * there lands on top of it and relative names mean what they meant outside.
 */
static int apply_caller_cwd(struct vb_void *v, const struct vb_spec_void *g, const struct exec_cmdline *cl,
                            struct vb_error **err)
{
        int r = 0;

        if (!g->chdir_caller || !cl || !cl->cwd)
                return 0;
        if (strcmp(cl->cwd, "/") != 0)
                r = vb_void_dir(v, cl->cwd, 0755);
        if (r >= 0)
                r = vb_void_chdir(v, cl->cwd);
        return r < 0 ? vb_error_set(err, r, "start in %s", cl->cwd) : 0;
}

/*
 * Denied servers whose denial the library enforces the same way as `voidshim
 * run --server NAME=denied`: unix and ipc by seccomp rules appended to the
 * void's policy (so after apply_process(), which may choose the policy), uts
 * by refusing sethostname.  Each answers every use with one errno
 * (doc/servers.md).  fs, exec, proc, net, dev and term keep the spec's own
 * meaning (doc/spec-format.md), applied above.
 */
static int apply_denied_servers(struct vb_void *v, const struct vb_spec *s, struct vb_error **err)
{
        static const struct {
                enum vb_spec_server srv;
                enum vb_server server;
        } enforced[] = {
                { VB_SRV_UNIX, VB_SERVER_UNIX },
                { VB_SRV_IPC, VB_SERVER_IPC },
                { VB_SRV_UTS, VB_SERVER_UTS },
                { VB_SRV_AUTH, VB_SERVER_AUTH },
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(enforced); i++)
                if (s->env[enforced[i].srv] == VB_MODE_DENIED)
                        r = vb_void_server(v, enforced[i].server, VB_SERVER_DENIED, err);
        return r;
}

int exec_build_void(const struct vb_spec *s, const struct vb_spec_entry *e, const struct exec_cmdline *cl,
                    const struct exec_grants *g, struct vb_void **out, struct vb_error **err)
{
        struct vb_void *v = vb_void_new();
        _cleanup_free_ char *fds = NULL;
        _cleanup_close_ int cg = -1;
        bool takes_trailing = false;
        int r;

        if (!v)
                return vb_error_set(err, ENOMEM, "create a void");
        fds = exec_fds_string(e, cl ? cl->n_paths : 0);
        r = fds ? 0 : vb_error_set(err, ENOMEM, "list the fds");
        if (r >= 0)
                r = apply_caller_cwd(v, &e->v, cl, err);
        if (r >= 0)
                r = apply_environment(v, s, e, err);
        if (r >= 0)
                r = apply_files(v, s, &e->v, g, err);
        if (r >= 0)
                r = apply_process(v, &e->v, err);
        if (r >= 0)
                r = apply_landlock(v, &e->v, g, err);
        if (r >= 0)
                r = apply_denied_servers(v, s, err);
        if (r >= 0 && e->v.cgroup) {
                cg = open(e->v.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = cg < 0 ? vb_error_set(err, errno, "open cgroup %s", e->v.cgroup) : vb_void_cgroup(v, cg);
        }
        if (r >= 0 &&
            (vb_void_setenv(v, "VOIDSHIM_ENTRYPOINT", e->name) < 0 || vb_void_setenv(v, "VOIDSHIM_FDS", fds) < 0))
                r = vb_error_set(err, ENOMEM, "set the shim's variables");
        for (size_t i = 0; i < e->n_args && !takes_trailing; i++)
                takes_trailing = e->args[i].kind == VB_ARG_TRAILING;
        if (r >= 0)
                r = apply_program(v, e, takes_trailing && cl ? cl->trailing : NULL, err);
        if (r < 0) {
                vb_void_free(v);
                return r;
        }
        *out = v;
        return 0;
}
