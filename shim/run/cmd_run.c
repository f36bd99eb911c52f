/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim run: the plumbing command, every grant explicit. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "care/care.h"
#include "run/cli.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static void free_void(struct vb_void **v)
{
        vb_void_free(*v);
}

static void free_error(struct vb_error **e)
{
        vb_error_free(*e);
}

static int read_file(const char *path, char **out)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0;
        ssize_t n;

        if (!f)
                return NEG_ERRNO();
        n = getdelim(&buf, &len, '\0', f);
        if (n < 0) {
                free(buf);
                return ferror(f) ? -EIO : (*out = strdup(""), *out ? 0 : -ENOMEM);
        }
        *out = buf;
        return 0;
}

/* Landlock rules follow the grants: each granted path keeps what its mount allows. */
static int landlock_from_grant(struct vb_void *v, const struct vb_grant *g)
{
        switch (g->kind) {
        case G_BIND:
                return vb_void_landlock_allow(v, g->b,
                                              VB_LANDLOCK_READ | ((g->flags & VB_MOUNT_RW) ? VB_LANDLOCK_WRITE : 0) |
                                                      ((g->flags & VB_MOUNT_NOEXEC) ? 0 : VB_LANDLOCK_EXEC));
        case G_TMPFS:
        case G_PROC:
        case G_DEV:
                return vb_void_landlock_allow(v, g->a, VB_LANDLOCK_READ | VB_LANDLOCK_WRITE);
        case G_LANDLOCK:
                return vb_void_landlock_allow(v, g->a, g->flags);
        default:
                return 0;
        }
}

static int apply_grant(struct vb_void *v, const struct vb_opts *o, const struct vb_grant *g, struct vb_error **err)
{
        int r;

        switch (g->kind) {
        case G_BIND:
                if (!(g->flags & VB_MOUNT_OPTIONAL) && access(g->a, F_OK) < 0)
                        return vb_error_set(err, errno, "bind %s at %s", g->a, g->b);
                return vb_void_bind(v, g->a, g->b, g->flags);
        case G_TMPFS:
                return vb_void_tmpfs(v, g->a, g->n, 0);
        case G_DIR:
                return vb_void_dir(v, g->a, 0755);
        case G_SYMLINK:
                return vb_void_symlink(v, g->a, g->b);
        case G_PROC:
                return vb_void_proc(v, g->a, o->proc_subset ? VB_PROC_SUBSET_PID : 0);
        case G_DEV:
                return vb_void_dev(v, g->a);
        case G_LIBS:
                return vb_void_add_libs(v, g->a, err);
        case G_FD:
                r = vb_void_keep_fd(v, g->i, (int)g->n);
                return r < 0 ? vb_error_set(err, r, "hand in fd %d", g->i) : 0;
        case G_SETENV:
                return vb_void_setenv(v, g->a, g->b);
        case G_LANDLOCK:
                return 0;
        case G_RLIMIT:
                return vb_void_rlimit(v, g->i, g->n, g->m);
        case G_TIME_OFFSET:
                return vb_void_time_offset(v, g->i, (int64_t)g->n);
        case G_CAP:
                return vb_void_keep_cap(v, g->i);
        default:
                return -EINVAL;
        }
}

static int apply_namespaces(struct vb_void *v, const struct vb_opts *o, struct vb_error **err)
{
        for (int ns = 0; ns < VB_NS_COUNT; ns++) {
                _cleanup_close_ int fd = -1;
                int r;

                if (o->ns[ns] == VB_NS_JOIN) {
                        fd = open(o->ns_path[ns], O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return vb_error_set(err, errno, "open namespace %s", o->ns_path[ns]);
                }
                r = vb_void_set_ns(v, (enum vb_ns)ns, o->ns[ns], fd);
                if (r < 0)
                        return vb_error_set(err, r, "%s namespace", vb_ns_name((enum vb_ns)ns));
        }
        return 0;
}

/* host_fd: the program opened on the host (--exec-host), or -1 to run a path inside the void. */
static int apply_program(struct vb_void *v, const struct vb_opts *o, int host_fd, struct vb_error **err)
{
        int r = host_fd >= 0 ? vb_void_exec_fd(v, host_fd, o->argv) : vb_void_exec_path(v, o->argv[0], o->argv);

        return r < 0 ? vb_error_set(err, r, "program %s", o->argv[0]) : 0;
}

/* stdin, stdout and stderr are the program's line to its caller: handed in unless --no-stdio. */
static int apply_stdio(struct vb_void *v, const struct vb_opts *o)
{
        for (int fd = 0; fd <= 2 && !o->no_stdio; fd++) {
                bool claimed = false;

                for (size_t i = 0; i < o->n_grants; i++)
                        claimed |= o->grants[i].kind == G_FD && o->grants[i].n == (uint64_t)fd;
                if (!claimed && fcntl(fd, F_GETFD) >= 0) {
                        int r = vb_void_keep_fd(v, fd, fd);

                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int apply_options(struct vb_void *v, const struct vb_opts *o, int host_fd, struct vb_error **err)
{
        _cleanup_close_ int cg = -1;
        _cleanup_free_ char *policy = NULL;
        int r;

        r = apply_namespaces(v, o, err);
        if (r >= 0 && (o->uid_set || o->gid_set) && (r = vb_void_set_ids(v, o->uid, o->gid)) < 0)
                r = vb_error_set(err, r, "--uid %u --gid %u", (unsigned)o->uid, (unsigned)o->gid);
        if (r >= 0)
                r = apply_stdio(v, o);
        for (size_t i = 0; r >= 0 && i < o->n_grants; i++) {
                r = apply_grant(v, o, &o->grants[i], err);
                if (r < 0 && !(err && *err))
                        r = vb_error_set(err, r, "grant #%zu", i + 1);
        }
        if (r >= 0 && o->net == NET_LOOPBACK)
                r = vb_void_loopback(v);
        if (r >= 0 && o->hostname)
                r = vb_void_hostname(v, o->hostname);
        if (r >= 0 && o->chdir && (r = vb_void_chdir(v, o->chdir)) < 0)
                r = vb_error_set(err, r, "chdir %s: the directory must be an absolute path in the void", o->chdir);
        if (r >= 0 && o->seccomp == SECCOMP_CHOICE_OFF)
                r = vb_void_seccomp(v, VB_SECCOMP_OFF, NULL, NULL, err);
        if (r >= 0 && o->seccomp == SECCOMP_CHOICE_FILE) {
                r = read_file(o->seccomp_file, &policy);
                r = r < 0 ? vb_error_set(err, r, "read seccomp policy %s", o->seccomp_file)
                          : vb_void_seccomp(v, VB_SECCOMP_POLICY, policy, o->seccomp_file, err);
        }
        if (r >= 0 && o->landlock) {
                r = vb_void_landlock(v);
                if (r < 0)
                        r = vb_error_set(err, r, "turn on Landlock (this kernel has none)");
                for (size_t i = 0; r >= 0 && i < o->n_grants; i++)
                        r = landlock_from_grant(v, &o->grants[i]);
                /* Grants come and go below the inbox: each one's own mount flags decide writes. */
                if (r >= 0 && o->inbox)
                        r = vb_void_landlock_allow(v, o->inbox, VB_LANDLOCK_READ | VB_LANDLOCK_WRITE);
        }
        if (r >= 0 && o->cgroup) {
                cg = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = cg < 0 ? vb_error_set(err, errno, "open cgroup %s", o->cgroup) : vb_void_cgroup(v, cg);
        }
        if (r >= 0)
                r = apply_program(v, o, host_fd, err);
        if (r < 0 && err && !*err)
                vb_error_set(err, r, "build the void");
        return r;
}

/*
 * --server NAME=MODE, after every other grant and the program (vb_void_server() looks at
 * what is granted).  Under --explain a proxied net or term has no caretaker: it is left out.
 */
static int apply_servers(struct vb_void *v, const struct vb_opts *o, struct vb_error **err)
{
        for (int s = 0; s < VB_SERVER_COUNT; s++) {
                int r;

                if (!o->server_set[s] ||
                    (o->explain && (s == VB_SERVER_NET || s == VB_SERVER_TERM) && o->server[s] == VB_SERVER_PROXIED))
                        continue;
                r = vb_void_server(v, (enum vb_server)s, o->server[s], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * auth denied: the void should hold no supplementary groups.  An unprivileged
 * user namespace needs setgroups "deny", so only a caller with CAP_SETGID can
 * shed them, and only here, before the spawn (the void inherits our list).
 * Best effort: otherwise the caller's groups stay, each read as 65534 inside.
 */
static void shed_groups(const struct vb_opts *o)
{
        if (o->server_set[VB_SERVER_AUTH] && o->server[VB_SERVER_AUTH] == VB_SERVER_DENIED && getgroups(0, NULL) > 0)
                (void)setgroups(0, NULL);
}

static int exit_status_of(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return SHIM_EXIT_SYSTEM;
}

static int spawn_and_wait(struct vb_void *v, const char *program, struct care_sup *sup)
{
        _cleanup_(free_error) struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        char what[512];
        int r, status;

        r = vb_void_spawn(v, &p, &err);
        if (r < 0) {
                bool in_child = err && err->step;
                bool exec_step = in_child && strcmp(err->step, "exec") == 0;
                int code = exec_step                   ? (r == -ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC)
                           : !in_child && r == -EINVAL ? SHIM_EXIT_USAGE /* a plan that contradicts itself */
                                                       : SHIM_EXIT_SYSTEM;

                snprintf(what, sizeof(what), exec_step ? "run %s" : "start %s", program);
                return shim_fatal_err(code, what, err, r);
        }
        r = sup ? care_supervise(sup, p, &status) : vb_proc_wait(p, &status);
        vb_proc_free(p);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "wait for the void", strerror(-r));
        return exit_status_of(status);
}

int cmd_run(int argc, char **argv)
{
        _cleanup_(free_void) struct vb_void *v = NULL;
        _cleanup_(free_error) struct vb_error *err = NULL;
        _cleanup_free_ char *why = NULL, *text = NULL;
        _cleanup_close_ int host_fd = -1;
        struct care_sup *sup = NULL;
        struct vb_opts o;
        int r;

        r = vb_cli_parse(argc, argv, &o, &why);
        if (r < 0) {
                vb_opts_done(&o);
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", why ? why : strerror(-r));
        }
        if (o.help || o.version || o.seccomp_print) {
                fputs(o.help      ? vb_cli_usage()
                      : o.version ? "voidshim " VB_VERSION "\n"
                                  : vb_seccomp_default_policy(),
                      stdout);
                vb_opts_done(&o);
                return 0;
        }
        v = vb_void_new();
        if (!v) {
                vb_opts_done(&o);
                return shim_fatal(SHIM_EXIT_SYSTEM, "create the void", strerror(ENOMEM));
        }
        /* --exec-host: the program is opened here, on the host; failing that, the exec codes apply. */
        if (o.exec_host && (host_fd = open(o.argv[0], O_RDONLY | O_CLOEXEC)) < 0) {
                char what[512], cause[128];

                r = errno;
                snprintf(what, sizeof(what), "run %s", o.argv[0]);
                snprintf(cause, sizeof(cause), "opening it on the host: %s", strerror(r));
                vb_opts_done(&o);
                return shim_fatal(r == ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC, what, cause);
        }
        r = apply_options(v, &o, host_fd, &err);
        if (r >= 0 && !o.explain && care_needed(&o)) {
                r = care_prepare(&o, v, &sup, &err);
                if (r < 0) {
                        vb_opts_done(&o);
                        return shim_fatal_err(r == -EINVAL ? SHIM_EXIT_USAGE : SHIM_EXIT_SYSTEM, "start the caretakers",
                                              err, r);
                }
        }
        if (r >= 0)
                r = apply_servers(v, &o, &err);
        /* Last, so that no grant made above (fs=shared's binds) covers it; NULL under --explain. */
        if (r >= 0 && o.inbox)
                r = care_attach_inbox(sup, &o, v, &err);
        if (r < 0) {
                care_free(sup);
                vb_opts_done(&o);
                return shim_fatal_err(r == -ENOMEM ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE, "prepare the void", err, r);
        }
        if (o.explain) {
                _cleanup_free_ char *rules = o.verbose ? vb_void_explain_seccomp_rules(v) : NULL;

                text = vb_void_explain(v);
                if (!text || (o.verbose && !rules)) {
                        vb_opts_done(&o);
                        return shim_fatal(SHIM_EXIT_SYSTEM, "explain the void", strerror(ENOMEM));
                }
                fputs(text, stdout);
                if (o.verbose && *rules)
                        printf("seccomp, every rule:\n%s", rules);
                vb_opts_done(&o);
                return 0;
        }
        shed_groups(&o);
        r = spawn_and_wait(v, o.argv[0], sup);
        v = vb_void_free(v); /* its copies of handed-in fds (a pty slave) go before the caretakers */
        care_free(sup);
        vb_opts_done(&o);
        return r;
}
