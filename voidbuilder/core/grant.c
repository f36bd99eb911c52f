/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Grants that are not plain mounts: /dev, fds, environment, limits, capabilities, filters, program. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/elf.h"
#include "core/landlock.h"
#include "core/seccomp.h"
#include "core/server.h"
#include "core/void.h"

VB_API int vb_void_dev(struct vb_void *v, const char *dst)
{
        static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
        static const char *const links[][2] = {
                { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
                { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },
        };
        _cleanup_free_ char *base = NULL;
        char path[PATH_MAX], src[32];
        int r;

        r = vb_path_normalize(dst, &base);
        if (r < 0)
                return r;
        /* A small tmpfs holds the nodes' mount points; it needs no devices of its own (nodev). */
        r = vb_void_add_mount(v, VB_MNT_TMPFS, NULL, base, VB_MOUNT_RW, 1 << 20, 0755, "minimal /dev");
        if (r < 0)
                return r;
        /* Device nodes cannot be created in a user namespace; bind the host's (devtmpfs) instead. */
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                snprintf(src, sizeof(src), "/dev/%s", nodes[i]);
                snprintf(path, sizeof(path), "%s/%s", base, nodes[i]);
                r = vb_void_add_mount(v, VB_MNT_BIND, src, path, VB_MOUNT_RW | VB_MOUNT_DEV | VB_MOUNT_NOEXEC, 0, 0,
                                      "minimal /dev");
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                snprintf(path, sizeof(path), "%s/%s", base, links[i][1]);
                r = vb_void_add_mount(v, VB_MNT_SYMLINK, links[i][0], path, 0, 0, 0, "minimal /dev");
                if (r < 0)
                        return r;
        }
        snprintf(path, sizeof(path), "%s/pts", base);
        r = vb_void_add_mount(v, VB_MNT_DEVPTS, NULL, path, VB_MOUNT_RW, 0, 0, "minimal /dev");
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%s/shm", base);
        return vb_void_add_mount(v, VB_MNT_TMPFS, NULL, path, VB_MOUNT_RW, 64ULL << 20, 01777, "minimal /dev");
}

VB_API int vb_void_loopback(struct vb_void *v)
{
        v->loopback = true;
        return 0;
}

VB_API int vb_void_keep_fd(struct vb_void *v, int fd, int target)
{
        _cleanup_close_ int copy = -1;
        struct vb_keep_fd *k;
        int fl;

        if (target < 0 || target > VB_FD_TARGET_MAX) /* the child counts up to the highest target, plus one */
                return -EINVAL;
        for (size_t i = 0; i < v->n_fds; i++)
                if (v->fds[i].target == target)
                        return -EINVAL;
        /* An O_PATH fd is a path, not an object: openat(fd, "..") and /proc would reopen anything near it. */
        fl = fcntl(fd, F_GETFL);
        if (fl < 0)
                return NEG_ERRNO();
        if (fl & O_PATH)
                return -EBADFD;
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return NEG_ERRNO();
        k = reallocarray(v->fds, v->n_fds + 1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        v->fds = k;
        v->fds[v->n_fds++] = (struct vb_keep_fd){ .fd = TAKE_FD(copy), .target = target };
        return 0;
}

VB_API int vb_void_terminal(struct vb_void *v, int fd)
{
        size_t kept = 0;
        int r = 0;

        if (!isatty(fd))
                return errno == EBADF ? -EBADF : -ENOTTY;
        /* The terminal takes the place of whatever was handed in as stdin, stdout and stderr. */
        for (size_t i = 0; i < v->n_fds; i++) {
                if (v->fds[i].target <= 2) {
                        vb_closep(&v->fds[i].fd);
                        continue;
                }
                v->fds[kept++] = v->fds[i];
        }
        v->n_fds = kept;
        for (int target = 0; target <= 2 && r >= 0; target++)
                r = vb_void_keep_fd(v, fd, target);
        if (r < 0)
                return r;
        v->tty_target = 0;
        return 0;
}

VB_API int vb_void_setenv(struct vb_void *v, const char *name, const char *value)
{
        size_t len = strlen(name);
        char *entry = NULL, **e;

        if (len == 0 || strchr(name, '='))
                return -EINVAL;
        if (asprintf(&entry, "%s=%s", name, value) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < v->n_env; i++)
                if (strncmp(v->env[i], name, len) == 0 && v->env[i][len] == '=') {
                        free(v->env[i]);
                        v->env[i] = entry;
                        return 0;
                }
        e = reallocarray(v->env, v->n_env + 2, sizeof(char *));
        if (!e) {
                free(entry);
                return -ENOMEM;
        }
        v->env = e;
        v->env[v->n_env++] = entry;
        v->env[v->n_env] = NULL;
        return 0;
}

static int replace_str(char **slot, const char *value)
{
        char *copy = strdup(value);

        if (!copy)
                return -ENOMEM;
        free(*slot);
        *slot = copy;
        return 0;
}

VB_API int vb_void_chdir(struct vb_void *v, const char *path)
{
        if (path[0] != '/')
                return -EINVAL;
        return replace_str(&v->cwd, path);
}

VB_API int vb_void_hostname(struct vb_void *v, const char *name)
{
        if (strlen(name) > 64 || !*name)
                return -EINVAL;
        return replace_str(&v->hostname, name);
}

VB_API int vb_void_rlimit(struct vb_void *v, int resource, uint64_t soft, uint64_t hard)
{
        if (resource < 0 || resource >= RLIM_NLIMITS || soft > hard)
                return -EINVAL;
        for (size_t i = 0; i < v->n_rlimits; i++)
                if (v->rlimits[i].resource == resource) {
                        v->rlimits[i].lim = (struct rlimit){ soft, hard };
                        return 0;
                }
        if (v->n_rlimits >= VB_MAX_RLIMITS)
                return -E2BIG;
        v->rlimits[v->n_rlimits++] = (struct vb_rlimit){ resource, { soft, hard } };
        return 0;
}

VB_API int vb_void_time_offset(struct vb_void *v, int clockid, int64_t seconds)
{
        if (clockid == CLOCK_MONOTONIC)
                v->off_monotonic = seconds;
        else if (clockid == CLOCK_BOOTTIME)
                v->off_boottime = seconds;
        else
                return -EINVAL;
        v->time_offsets = true;
        return 0;
}

VB_API int vb_void_keep_cap(struct vb_void *v, int cap)
{
        if (cap < 0 || cap > 63 || !CAP_IS_SUPPORTED(cap))
                return -EINVAL;
        v->keep_caps |= 1ULL << cap;
        return 0;
}

VB_API int vb_void_seccomp(struct vb_void *v, enum vb_seccomp_mode mode, const char *policy, const char *name,
                           struct vb_error **err)
{
        bool network = vb_server_has_network(v);
        struct sock_fprog prog = {};
        int r;

        if (mode == VB_SECCOMP_POLICY) {
                if (!policy)
                        return vb_error_set(err, EINVAL, "seccomp policy: no text");
                r = vb_seccomp_compile(policy, name ? name : "policy", network ? VB_SECCOMP_NETWORK : 0, &prog, err);
                if (r < 0)
                        return r;
                r = replace_str(&v->seccomp_text, policy);
                if (r >= 0)
                        r = replace_str(&v->seccomp_name, name ? name : "policy");
                if (r < 0) {
                        vb_seccomp_fprog_done(&prog);
                        return vb_error_set(err, -r, "seccomp policy");
                }
        } else if (mode != VB_SECCOMP_DEFAULT && mode != VB_SECCOMP_OFF) {
                return vb_error_set(err, EINVAL, "seccomp mode %d", (int)mode);
        }
        vb_seccomp_fprog_done(&v->fprog);
        v->fprog = prog;
        v->fprog_network = network;
        v->seccomp_mode = mode;
        return 0;
}

int vb_void_prepare_seccomp(struct vb_void *v, struct vb_error **err)
{
        bool network = vb_server_has_network(v);
        unsigned flags = network ? VB_SECCOMP_NETWORK : 0;
        struct sock_fprog prog = {};
        int r;

        if (v->seccomp_mode == VB_SECCOMP_OFF || (v->fprog.filter && v->fprog_network == network))
                return 0;
        if (v->seccomp_mode == VB_SECCOMP_DEFAULT)
                r = vb_seccomp_default_fprog(flags, &prog); /* precompiled at build time */
        else
                r = vb_seccomp_compile(v->seccomp_text, v->seccomp_name, flags, &prog, err);
        if (r < 0)
                return v->seccomp_mode == VB_SECCOMP_DEFAULT
                               ? vb_error_set(err, r, "loading the default seccomp filter")
                               : r;
        vb_seccomp_fprog_done(&v->fprog);
        v->fprog = prog;
        v->fprog_network = network;
        return 0;
}

VB_API int vb_void_landlock(struct vb_void *v)
{
        int r = vb_landlock_abi();

        if (r < 0)
                return r == -ENOSYS ? -EOPNOTSUPP : r;
        v->landlock = true;
        return 0;
}

VB_API int vb_void_landlock_allow(struct vb_void *v, const char *path, unsigned access)
{
        char *copy;

        if (path[0] != '/' || !access || (access & ~(VB_LANDLOCK_READ | VB_LANDLOCK_WRITE | VB_LANDLOCK_EXEC)))
                return -EINVAL;
        if (v->n_landlock >= VB_MAX_LANDLOCK)
                return -E2BIG;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        v->landlock_rules[v->n_landlock++] = (struct vb_landlock_rule){ .path = copy, .access = access };
        return 0;
}

VB_API int vb_void_cgroup(struct vb_void *v, int cgroup_dirfd)
{
        int fd = fcntl(cgroup_dirfd, F_DUPFD_CLOEXEC, 3);

        if (fd < 0)
                return NEG_ERRNO();
        vb_closep(&v->cgroup_fd);
        v->cgroup_fd = fd;
        return 0;
}

/* A copy of argv in *out (NULL before); -EINVAL for an empty argv. */
static int copy_argv(char *const argv[], char ***out)
{
        size_t n = 0;
        char **copy;

        while (argv[n])
                n++;
        if (n == 0)
                return -EINVAL;
        copy = calloc(n + 1, sizeof(char *));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                copy[i] = strdup(argv[i]);
                if (!copy[i]) {
                        vb_strv_free(copy);
                        return -ENOMEM;
                }
        }
        *out = copy;
        return 0;
}

/* Put the new program in place of the old: cannot fail, so a failing setter leaves the void as it was. */
static void set_program(struct vb_void *v, char *path, char **argv, int exec_fd)
{
        free(v->exec_path);
        v->exec_path = path;
        vb_strv_free(v->argv);
        v->argv = argv;
        vb_closep(&v->exec_fd);
        v->exec_fd = exec_fd;
        free(v->exec_host_path); /* vb_void_exec_host() sets it again after this */
        v->exec_host_path = NULL;
}

VB_API int vb_void_exec_path(struct vb_void *v, const char *path, char *const argv[])
{
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *p = NULL;
        int r;

        if (!*path)
                return -EINVAL;
        r = copy_argv(argv, &args);
        if (r < 0)
                return r;
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        set_program(v, TAKE_PTR(p), TAKE_PTR(args), -1);
        return 0;
}

VB_API int vb_void_exec_fd(struct vb_void *v, int fd, char *const argv[])
{
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int copy = -1;
        int r;

        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return NEG_ERRNO();
        r = copy_argv(argv, &args);
        if (r < 0)
                return r;
        p = strdup(argv[0]); /* for messages and explain only */
        if (!p)
                return -ENOMEM;
        set_program(v, TAKE_PTR(p), TAKE_PTR(args), TAKE_FD(copy));
        return 0;
}

VB_API int vb_void_exec_host(struct vb_void *v, const char *path, char *const argv[])
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *copy = NULL;
        int r;

        if (path[0] != '/')
                return -EINVAL;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        r = vb_void_exec_fd(v, fd, argv);
        if (r < 0)
                return r;
        v->exec_host_path = TAKE_PTR(copy);
        return 0;
}

#define MAX_SCRIPT_DEPTH 4 /* the kernel's own limit of #! interpreters (BINPRM_MAX_RECURSION) */

/*
 * The interpreter of the "#!" script at path, as the kernel reads it: the first word after "#!" on
 * the first line, in buf.  1 when path is such a script, 0 when not (an ELF file, say), -errno.
 */
static int script_interp(const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        char head[256];
        size_t start, end;
        ssize_t n;

        if (fd < 0)
                return NEG_ERRNO();
        n = read(fd, head, sizeof(head) - 1);
        if (n < 0)
                return NEG_ERRNO();
        if (n < 2 || head[0] != '#' || head[1] != '!')
                return 0;
        head[n] = '\0';
        start = 2 + strspn(head + 2, " \t");
        end = start + strcspn(head + start, " \t\n");
        if (end == start || end - start >= len)
                return -ENOEXEC;
        memcpy(buf, head + start, end - start);
        buf[end - start] = '\0';
        return 1;
}

static int add_closure(struct vb_void *v, const char *path, const char *why_plain, const char *why_dlopen,
                       struct vb_error **err)
{
        struct vb_elf_closure c = {};
        _cleanup_free_ char *missing = NULL;
        const char *why;
        int r;

        r = vb_elf_closure(NULL, path, &c, &missing);
        if (r < 0)
                /* `missing` names what was missing *or unusable* (a non-ELF file): say "missing" only for ENOENT. */
                return vb_error_set(err, r, "computing the libraries of %s%s%s", path,
                                    !missing       ? ""
                                    : r == -ENOENT ? ": missing "
                                                   : ": ",
                                    missing ? missing : "");
        /* Symlinks first: a file's path may run through a symlinked directory (/lib64 -> usr/lib64). */
        for (int pass = 0; pass < 2 && r >= 0; pass++)
                for (size_t i = 0, files = 0; i < c.n && r >= 0; i++) {
                        const struct vb_elf_entry *e = &c.entries[i];

                        /* The first file is the binary: it carries the warning about dlopen(). */
                        why = pass == 1 && files == 0 && c.dlopen ? why_dlopen : why_plain;
                        if (pass == 0 && e->kind == VB_ELF_SYMLINK)
                                r = vb_void_add_mount(v, VB_MNT_SYMLINK, e->target, e->path, 0, 0, 0, why);
                        else if (pass == 1 && e->kind == VB_ELF_FILE && ++files)
                                r = vb_void_add_mount(v, VB_MNT_BIND, e->path, e->path, 0, 0, 0, why);
                }
        vb_elf_closure_done(&c);
        if (r < 0)
                return vb_error_set(err, r, "adding the libraries of %s", path);
        return 0;
}

VB_API int vb_void_add_libs(struct vb_void *v, const char *path, struct vb_error **err)
{
        char cur[PATH_MAX], interp[PATH_MAX];
        int r;

        if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
                return vb_error_set(err, ENAMETOOLONG, "computing the libraries of %s", path);
        /* A script runs its interpreter: bind the script where it is, then the interpreter and its closure. */
        for (int depth = 0;; depth++) {
                r = script_interp(cur, interp, sizeof(interp));
                if (r <= 0 && depth == 0) /* not a script, or not there: the closure says which */
                        break;
                if (r < 0)
                        return vb_error_set(err, r, "reading %s", cur);
                if (r == 0)
                        break;
                if (depth == MAX_SCRIPT_DEPTH)
                        return vb_error_set(err, ELOOP, "%s: more than %d levels of #! interpreters", path,
                                            MAX_SCRIPT_DEPTH);
                if (interp[0] != '/')
                        return vb_error_set(err, ENOEXEC, "%s: its #! interpreter '%s' is not an absolute path", cur,
                                            interp);
                if (cur[0] == '/')
                        r = vb_void_add_mount(v, VB_MNT_BIND, cur, cur, 0, 0, 0, "#! script");
                if (r < 0)
                        return vb_error_set(err, r, "binding the script %s", cur);
                if (access(interp, F_OK) < 0)
                        return vb_error_set(err, errno, "%s: its #! interpreter %s", cur, interp);
                memcpy(cur, interp, sizeof(cur));
        }
        return add_closure(v, cur, strcmp(cur, path) == 0 ? "ELF closure" : "ELF closure of a #! interpreter",
                           "ELF closure; it calls dlopen(): what it loads at run time is not here", err);
}

VB_API int vb_program_interpreter(const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = -1;
        int r = script_interp(path, buf, len);

        if (r != 0)
                return r < 0 ? r : (int)strlen(buf);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return NEG_ERRNO();
        return vb_elf_interp_fd(fd, buf, len);
}

VB_API int vb_program_loads_code(const char *path)
{
        struct vb_elf_closure c = {};
        char cur[PATH_MAX], interp[PATH_MAX];
        int r;

        if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
                return -ENAMETOOLONG;
        for (int depth = 0; depth <= MAX_SCRIPT_DEPTH; depth++) {
                r = script_interp(cur, interp, sizeof(interp));
                if (r < 0)
                        return r;
                if (r == 0) {
                        r = vb_elf_closure(NULL, cur, &c, NULL);
                        if (r < 0)
                                return r;
                        r = c.dlopen;
                        vb_elf_closure_done(&c);
                        return r;
                }
                memcpy(cur, interp, sizeof(cur));
        }
        return -ELOOP;
}
