/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_plan_apply(): the one place where a request becomes a void.  Every
 * front end (voidshim run, a spec's entrypoint, an OCI bundle) makes a plan;
 * only this file calls the builder's grant API, always in the same order:
 *
 *   namespaces, ids and identity, stdio, grants (in order), network, names,
 *   seccomp, Landlock (rules derived from the grants), cgroup and limits, the
 *   program, the live
 *   caretakers' endpoints, the servers (vb_void_server(), which looks at all
 *   of the above; the caller's terminal confined unless term is asked for),
 *   and last the inbox, so that no grant covers it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"

static int apply_namespaces(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        for (int ns = 0; ns < VB_NS_COUNT; ns++) {
                _cleanup_close_ int fd = -1;
                enum vb_ns_mode mode = p->ns[ns];
                int r;

                if (p->live.join_fd[ns] >= 0) { /* a caretaker's namespace (net proxied) */
                        mode = VB_NS_JOIN;
                        fd = fcntl(p->live.join_fd[ns], F_DUPFD_CLOEXEC, 3);
                        if (fd < 0)
                                return vb_error_set(err, errno, "join the caretaker's %s namespace",
                                                    vb_ns_name((enum vb_ns)ns));
                } else if (mode == VB_NS_JOIN) {
                        fd = open(p->ns_path[ns] ? p->ns_path[ns] : "", O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return vb_error_set(err, errno, "open namespace %s", p->ns_path[ns]);
                }
                r = vb_void_set_ns(v, (enum vb_ns)ns, mode, fd);
                if (r < 0)
                        return vb_error_set(err, r, "%s namespace", vb_ns_name((enum vb_ns)ns));
        }
        for (size_t i = 0; p->hide && p->hide[i]; i++) {
                int r = vb_void_hide(v, p->hide[i]);

                if (r < 0)
                        return vb_error_set(err, r, "hide %s", p->hide[i]);
        }
        if (p->ids_set) {
                int r = vb_void_set_ids(v, p->uid, p->gid);

                if (r < 0)
                        return vb_error_set(err, r, "--uid %u --gid %u", (unsigned)p->uid, (unsigned)p->gid);
        }
        if (p->identity != VB_IDENTITY_AUTO && vb_void_identity(v, p->identity) < 0)
                return vb_error_set(err, EINVAL, "--identity %s", vb_identity_name(p->identity));
        return 0;
}

/* The caller's fd 0, 1, 2 as asked, unless an FD grant takes the number or the fd is closed. */
static int apply_stdio(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        for (int fd = 0; fd <= 2; fd++) {
                bool claimed = false;
                int r;

                for (size_t i = 0; i < p->n_grants; i++)
                        claimed |= p->grants[i].kind == VB_PLAN_FD && p->grants[i].target == fd;
                if (!p->stdio[fd] || claimed || fcntl(fd, F_GETFD) < 0)
                        continue;
                r = vb_void_keep_fd(v, fd, fd);
                if (r < 0)
                        return vb_error_set(err, r, "hand in fd %d", fd);
        }
        return 0;
}

/* "/" (a directory, an overlay, or the empty tmpfs), and pid 1. */
static int apply_root(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        struct stat st;
        int r = 0;

        if (p->root && (stat(p->root, &st) < 0 || !S_ISDIR(st.st_mode)))
                return vb_error_set(err, errno ? errno : ENOTDIR, "%s %s", p->overlay ? "--overlay" : "--root",
                                    p->root);
        if (p->root && p->overlay)
                r = vb_void_root_overlay(v, p->root, p->overlay_upper, 0);
        else if (p->root)
                r = vb_void_root(v, p->root, p->root_rw ? VB_MOUNT_RW : 0);
        if (r < 0)
                return vb_error_set(err, r, "%s %s: the directory must be an absolute path",
                                    p->overlay ? "--overlay" : "--root", p->root);
        if (p->init && (r = vb_void_init(v, p->init_hold ? VB_INIT_HOLD : 0)) < 0)
                return vb_error_set(err, r, "--init");
        return 0;
}

static int apply_bind(struct vb_void *v, const struct vb_plan_grant *g, struct vb_error **err)
{
        if (!(g->flags & VB_MOUNT_OPTIONAL) && access(g->src, F_OK) < 0) {
                if (g->origin)
                        return vb_error_set(err, errno, "%s: the source %s", g->origin, g->src);
                return vb_error_set(err, errno, "bind %s at %s", g->src, g->dst);
        }
        if (g->checked)
                return vb_void_bind_checked(v, g->src, g->dst, g->flags, g->dev, g->ino);
        return vb_void_bind(v, g->src, g->dst, g->flags);
}

static int apply_grant(struct vb_void *v, const struct vb_plan_grant *g, struct vb_error **err)
{
        switch (g->kind) {
        case VB_PLAN_BIND:
                return apply_bind(v, g, err);
        case VB_PLAN_TMPFS:
                return vb_void_tmpfs(v, g->dst, g->size, g->flags);
        case VB_PLAN_DIR:
                return vb_void_dir(v, g->dst, 0755);
        case VB_PLAN_SYMLINK:
                return vb_void_symlink(v, g->src, g->dst);
        case VB_PLAN_PROC:
                return vb_void_proc(v, g->dst, g->flags);
        case VB_PLAN_DEV:
                return vb_void_dev(v, g->dst);
        case VB_PLAN_LIBS:
                return vb_void_add_libs(v, g->src, err);
        case VB_PLAN_FD: {
                int r = vb_void_keep_fd(v, g->fd, g->target);

                if (r == -EBADFD)
                        return vb_error_set(err, r,
                                            "hand in fd %d: it is an O_PATH fd, a path rather than an open file "
                                            "(a void is handed objects, never paths)",
                                            g->fd);
                return r < 0 ? vb_error_set(err, r, "hand in fd %d", g->fd) : 0;
        }
        case VB_PLAN_SETENV:
                return vb_void_setenv(v, g->src, g->dst);
        case VB_PLAN_LANDLOCK: /* rules come after every grant: apply_landlock() */
                return 0;
        case VB_PLAN_RLIMIT:
                return vb_void_rlimit(v, g->resource, g->soft, g->hard);
        case VB_PLAN_TIME_OFFSET:
                return vb_void_time_offset(v, g->resource, g->seconds);
        case VB_PLAN_CAP:
                return vb_void_keep_cap(v, g->resource);
        case VB_PLAN_SYS:
                return vb_void_sys(v, g->dst);
        case VB_PLAN_MOUNT:
                return vb_void_mount(v, g->fstype, g->src, g->dst, g->options, g->flags);
        case VB_PLAN_MASK:
                return vb_void_mask(v, g->dst);
        case VB_PLAN_READONLY:
                return vb_void_readonly(v, g->dst);
        case VB_PLAN_DEVICE:
                return vb_void_device(v, g->dst, (char)g->resource, major(g->dev), minor(g->dev), g->mode, g->uid,
                                      g->gid);
        case VB_PLAN_SYSCTL:
                return vb_void_sysctl(v, g->src, g->dst);
        case VB_PLAN_PASSWD: /* apply_grants(): it reads the plan's ids */
        case VB_PLAN_GRANT_KIND_COUNT:
        default:
                return -EINVAL;
        }
}

static const char *kind_name(enum vb_plan_grant_kind k)
{
        static const char *const names[] = {
                "bind", "tmpfs",  "dir",           "symlink",        "proc",        "dev",        "libs",
                "fd",   "setenv", "landlock rule", "rlimit",         "time offset", "capability", "passwd",
                "sys",  "mount",  "masked path",   "read-only path", "device",      "sysctl"
        };

        return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "grant";
}

/* The PATH the void's program lookup will use: the plan's own, or the library's default (child.c). */
static const char *void_path(const struct vb_plan *p)
{
        const char *path = "/usr/local/bin:/usr/bin:/bin";

        for (size_t i = 0; i < p->n_grants; i++)
                if (p->grants[i].kind == VB_PLAN_SETENV && strcmp(p->grants[i].src, "PATH") == 0)
                        path = p->grants[i].dst;
        return path;
}

/*
 * --libs NAME: a name without a slash is looked up in the void's PATH, on the host, as the void will
 * look the program up; the library follows "#!" to the interpreter.  Returns the host path in buf.
 */
static int libs_lookup(const struct vb_plan *p, const struct vb_plan_grant *g, char *buf, size_t len,
                       struct vb_error **err)
{
        const char *path = void_path(p);

        if (strchr(g->src, '/'))
                return snprintf(buf, len, "%s", g->src) < (int)len ? 0 : vb_error_set(err, ENAMETOOLONG, "%s", g->src);
        for (const char *d = path; *d;) {
                const char *e = strchrnul(d, ':');
                int n = snprintf(buf, len, "%.*s/%s", (int)(e - d), d, g->src);

                if (d[0] == '/' && n > 0 && (size_t)n < len && access(buf, X_OK) == 0)
                        return 0;
                d = *e ? e + 1 : e;
        }
        return vb_error_set(err, ENOENT, "no program %s in the void's PATH (%s)", g->src, path);
}

/* The ids the void's program will have: its own user namespace's (--uid/--gid, default 0), or the caller's. */
static void void_ids(const struct vb_plan *p, unsigned *uid, unsigned *gid)
{
        *uid = *gid = 0;
        if (p->ns[VB_NS_USER] != VB_NS_FRESH)
                *uid = (unsigned)getuid(), *gid = (unsigned)getgid();
        else if (p->ids_set)
                *uid = (unsigned)p->uid, *gid = (unsigned)p->gid;
}

/*
 * --passwd DIR: DIR/passwd and DIR/group naming the void's own ids (root, or the caller's login name
 * for another id) and nobody, the name every unmapped id has.  Nothing of the host's account database.
 */
static int apply_passwd(struct vb_void *v, const struct vb_plan *p, const struct vb_plan_grant *g)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL, *fpasswd = NULL, *fgroup = NULL;
        const struct passwd *pw = getpwuid(getuid());
        const char *name = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "user";
        unsigned uid, gid;
        int r;

        void_ids(p, &uid, &gid);
        if (asprintf(&passwd, "%s%s:x:%u:%u::/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                     uid == 0 ? "root" : "", uid == 0 ? "" : name, uid, gid) < 0 ||
            asprintf(&group, "%s%s:x:%u:\nnogroup:x:65534:\n", gid == 0 ? "root" : "", gid == 0 ? "" : name, gid) < 0 ||
            asprintf(&fpasswd, "%s/passwd", g->dst) < 0 || asprintf(&fgroup, "%s/group", g->dst) < 0)
                return -ENOMEM;
        r = vb_void_file(v, fpasswd, passwd, 0644);
        return r < 0 ? r : vb_void_file(v, fgroup, group, 0644);
}

static int apply_libs(struct vb_void *v, const struct vb_plan *p, const struct vb_plan_grant *g, struct vb_error **err)
{
        char path[4096];
        int r = libs_lookup(p, g, path, sizeof(path), err);

        return r < 0 ? r : vb_void_add_libs(v, path, err);
}

static int apply_grants(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        for (size_t i = 0; i < p->n_grants; i++) {
                const struct vb_plan_grant *g = &p->grants[i];
                _cleanup_free_ char *label = NULL;
                int r;

                /* A profile's grants say so in explain. */
                if (g->profile && asprintf(&label, "profile %s", g->profile) < 0)
                        return vb_error_set(err, ENOMEM, "label a grant");
                r = vb_void_label(v, label);
                if (r >= 0)
                        r = g->kind == VB_PLAN_LIBS     ? apply_libs(v, p, g, err)
                            : g->kind == VB_PLAN_PASSWD ? apply_passwd(v, p, g)
                                                        : apply_grant(v, g, err);

                if (r >= 0)
                        continue;
                /* The library said what failed in a --libs; say which grant asked, as it was written. */
                if (err && *err && g->kind == VB_PLAN_LIBS && g->origin &&
                    strncmp((*err)->msg, g->origin, strlen(g->origin)) != 0)
                        return vb_error_wrap(err, r, "%s", g->origin);
                if (err && *err)
                        return r;
                if (g->origin)
                        return vb_error_set(err, r, "%s", g->origin);
                return vb_error_set(err, r, "%s %s", kind_name(g->kind), g->dst ? g->dst : g->src ? g->src : "");
        }
        return vb_void_label(v, NULL);
}

static int read_text(const char *path, char **out)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        size_t len = 0;

        *out = NULL;
        if (!f)
                return NEG_ERRNO();
        if (getdelim(out, &len, '\0', f) < 0) {
                if (ferror(f)) {
                        free(*out);
                        *out = NULL;
                        return -EIO;
                }
                free(*out); /* an empty file: an empty policy */
                *out = strdup("");
                return *out ? 0 : -ENOMEM;
        }
        return 0;
}

/* The first word of a policy line, after "optional": the syscall it is about (or a keyword). */
static bool line_names(const char *line, size_t len, const char *const *names)
{
        while (len && (*line == ' ' || *line == '\t'))
                line++, len--;
        if (len > 9 && strncmp(line, "optional ", 9) == 0)
                line += 9, len -= 9;
        for (; *names; names++) {
                size_t n = strlen(*names);

                if (len > n && strncmp(line, *names, n) == 0 && (line[n] == ' ' || line[n] == '\t'))
                        return true;
        }
        return false;
}

/* policy with every rule for the chown calls taken out and replaced by "succeed, do nothing". */
static char *chown_noop_policy(const char *policy)
{
        static const char *const calls[] = { "chown", "fchown", "lchown", "fchownat", NULL };
        static const char rules[] = "# --chown-noop: one id in the void, chown succeeds and changes nothing\n"
                                    "optional chown errno 0\nfchown errno 0\noptional lchown errno 0\n"
                                    "fchownat errno 0\n";
        char *out = malloc(strlen(policy) + sizeof(rules) + 1), *o = out;

        for (const char *l = policy; out && *l;) {
                const char *nl = strchrnul(l, '\n');
                size_t len = (size_t)(nl - l);

                if (!line_names(l, len, calls)) {
                        memcpy(o, l, len);
                        o += len;
                        *o++ = '\n';
                }
                l = *nl ? nl + 1 : nl;
        }
        if (out)
                memcpy(o, rules, sizeof(rules));
        return out;
}

static int apply_seccomp(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        _cleanup_free_ char *policy = NULL, *noop = NULL;
        int r;

        if (p->seccomp == VB_PLAN_SECCOMP_OFF)
                return vb_void_seccomp(v, VB_SECCOMP_OFF, NULL, NULL, err);
        if (p->seccomp == VB_PLAN_SECCOMP_TEXT) /* a policy made by a front-end (OCI's linux.seccomp) */
                return vb_void_seccomp(v, VB_SECCOMP_POLICY, p->ctr.seccomp_text ? p->ctr.seccomp_text : "",
                                       p->ctr.seccomp_name ? p->ctr.seccomp_name : "policy", err);
        if (p->seccomp == VB_PLAN_SECCOMP_FILE && (r = read_text(p->seccomp_file, &policy)) < 0)
                return vb_error_set(err, r, "read seccomp policy %s", p->seccomp_file);
        if (!p->chown_noop)
                return policy ? vb_void_seccomp(v, VB_SECCOMP_POLICY, policy, p->seccomp_file, err) : 0;
        /* An allow list allows chown: its rules give way to the no-op's (a policy may not contradict itself). */
        noop = chown_noop_policy(policy ? policy : vb_seccomp_default_policy());
        if (!noop)
                return vb_error_set(err, ENOMEM, "--chown-noop");
        return vb_void_seccomp(v, VB_SECCOMP_POLICY, noop,
                               policy ? p->seccomp_file : "the default policy, --chown-noop", err);
}

static int apply_settings(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        int r = 0;

        if (p->loopback && (r = vb_void_loopback(v)) < 0)
                return vb_error_set(err, r, "bring lo up");
        if (p->hostname && (r = vb_void_hostname(v, p->hostname)) < 0)
                return vb_error_set(err, r, "hostname %s", p->hostname);
        if (p->chdir && (r = vb_void_chdir(v, p->chdir)) < 0)
                return vb_error_set(err, r, "chdir %s: the directory must be an absolute path in the void", p->chdir);
        return apply_seccomp(v, p, err);
}

/* What a bind allows, as Landlock rights. */
static unsigned bind_access(unsigned flags)
{
        return VB_LANDLOCK_READ | ((flags & VB_MOUNT_RW) ? VB_LANDLOCK_WRITE : 0) |
               ((flags & VB_MOUNT_NOEXEC) ? 0 : VB_LANDLOCK_EXEC);
}

/*
 * The rule one grant implies (0: none).  strict: every mount gets what it
 * allows; otherwise "/" already gives read and exec and only what is
 * writable needs a rule.  An fd brings its own rule, made by the library on
 * the fd itself (doc/fds.md), and the servers' mounts theirs.
 */
static unsigned grant_rule(const struct vb_plan_grant *g, bool strict)
{
        unsigned acc;

        switch (g->kind) {
        case VB_PLAN_BIND:
                /* A -try bind whose source is missing is not mounted: a rule on its path would fail. */
                if ((g->flags & VB_MOUNT_OPTIONAL) && access(g->src, F_OK) < 0)
                        return 0;
                acc = bind_access(g->flags);
                return strict || (acc & VB_LANDLOCK_WRITE) ? acc : 0;
        case VB_PLAN_TMPFS:
                return VB_LANDLOCK_READ | VB_LANDLOCK_WRITE | ((g->flags & VB_MOUNT_EXEC) ? VB_LANDLOCK_EXEC : 0);
        case VB_PLAN_PASSWD: /* files in the root: readable under strict Landlock too */
                return strict ? VB_LANDLOCK_READ : 0;
        case VB_PLAN_PROC:
        case VB_PLAN_DEV:
                return VB_LANDLOCK_READ | VB_LANDLOCK_WRITE;
        case VB_PLAN_SYS:
                return strict ? VB_LANDLOCK_READ : 0;
        case VB_PLAN_LANDLOCK:
                return g->access;
        case VB_PLAN_DIR: /* a mount point, not a grant of what is in it */
        case VB_PLAN_FD:
        default:
                return 0;
        }
}

/*
 * Landlock (doc/plan-json.md, "landlock"; doc/fds.md).  Auto, the default:
 * on wherever the kernel has it; "/" stays readable and executable, only what
 * the plan grants writable is writable, each fd handed in reaches exactly its
 * object, and (ABI 6) abstract sockets and signals stay inside the void.
 * Returns 1 when auto found no Landlock in the kernel: vb_plan_apply() then
 * applies the library's fallback once every fd and mount is known.
 */
static int apply_landlock(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        bool strict = p->landlock == VB_PLAN_LANDLOCK_STRICT;
        int r;

        if (p->landlock == VB_PLAN_LANDLOCK_OFF)
                return 0;
        r = vb_void_landlock(v);
        if (!strict && (r == -EOPNOTSUPP || r == -ENOSYS))
                return 1;
        if (r < 0)
                return vb_error_set(err, r, "turn on Landlock (this kernel has none)");
        /* A writable root (an overlay, --root-rw) is writable throughout, as its mount says. */
        if (!strict || p->root)
                r = vb_void_landlock_allow(v, "/",
                                           VB_LANDLOCK_READ | VB_LANDLOCK_EXEC |
                                                   (p->overlay || p->root_rw ? VB_LANDLOCK_WRITE : 0));
        for (size_t i = 0; r >= 0 && i < p->n_grants; i++) {
                unsigned acc = grant_rule(&p->grants[i], strict);

                if (acc)
                        r = vb_void_landlock_allow(v, p->grants[i].dst, acc);
        }
        /* Grants come and go below the inbox: each one's own mount flags decide writes. */
        if (r >= 0 && p->care.inbox)
                r = vb_void_landlock_allow(v, p->care.inbox, VB_LANDLOCK_READ | VB_LANDLOCK_WRITE);
        return r < 0 ? vb_error_set(err, r, "add a Landlock rule%s", r == -E2BIG ? " (at most 64 per void)" : "") : 0;
}

/* A program that cannot be opened is an exec failure (exit 126/127), named as one: step "exec". */
static int program_error(struct vb_error **err, int r, const char *program)
{
        r = vb_error_set(err, r, "opening it on the host");
        if (err && *err && !(*err)->step)
                (*err)->step = strdup("exec");
        return r;
}

static int apply_program(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        _cleanup_close_ int cg = -1;
        int r;

        if (p->cgroup) {
                cg = open(p->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = cg < 0 ? vb_error_set(err, errno, "open cgroup %s", p->cgroup) : vb_void_cgroup(v, cg);
                if (r < 0)
                        return r;
        }
        if ((p->limits.pids || p->limits.memory || p->limits.cpu) && (r = vb_void_limits(v, &p->limits)) < 0)
                return vb_error_set(err, r, "--limit");
        if ((!p->program || !p->argv) && p->init && p->init_hold)
                return 0; /* a session's pid 1 alone */
        if (!p->program || !p->argv)
                return vb_error_set(err, EINVAL, "no program given");
        if (p->program_host) {
                r = vb_void_exec_host(v, p->program, p->argv);
                return r < 0 ? program_error(err, r, p->program) : 0;
        }
        r = vb_void_exec_path(v, p->program, p->argv);
        return r < 0 ? vb_error_set(err, r, "program %s", p->program) : 0;
}

/*
 * The servers, after everything they look at.  A proxied net or term needs
 * its caretaker's live endpoint; explaining a plan whose caretakers do not
 * run, it is described (by the plan) but not applied.
 */
static int apply_servers(struct vb_void *v, const struct vb_plan *p, bool for_explain, struct vb_error **err)
{
        int r;

        if (p->live.terminal_fd >= 0 && (r = vb_void_terminal(v, p->live.terminal_fd)) < 0)
                return vb_error_set(err, r, "hand in the terminal caretaker's pty");
        for (int s = 0; s < VB_SERVER_COUNT; s++) {
                bool live = s == VB_SERVER_NET ? p->live.join_fd[VB_NS_NET] >= 0 : p->live.terminal_fd >= 0;

                if (!p->server_set[s])
                        continue;
                if (for_explain && (s == VB_SERVER_NET || s == VB_SERVER_TERM) && p->server[s] == VB_SERVER_PROXIED &&
                    !live)
                        continue;
                r = vb_void_server(v, (enum vb_server)s, p->server[s], err);
                if (r < 0)
                        return r;
        }
        /* term not asked for: a terminal among the fds handed in (the caller's stdio) comes in confined. */
        return p->server_set[VB_SERVER_TERM] ? 0 : vb_void_confine_terminals(v, err);
}

char *vb_plan_libs_notes(const struct vb_plan *p)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; i < p->n_grants; i++) {
                const struct vb_plan_grant *g = &p->grants[i];
                char path[4096];

                if (g->kind != VB_PLAN_LIBS || libs_lookup(p, g, path, sizeof(path), NULL) < 0 ||
                    vb_program_loads_code(path) <= 0)
                        continue;
                fprintf(f,
                        "%s: %s calls dlopen(): the modules it loads at run time (python3's lib-dynload, plugins) "
                        "are not in its ELF closure; grant them, use a profile (--profile python3), or let "
                        "voidshim learn find them\n",
                        g->origin ? g->origin : g->src, path);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* An OCI config's requests that are not grants (include/voidbuilder.h, "containers"). */
static int apply_container(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        const struct vb_plan_container *c = &p->ctr;
        int r = 0;

        if (c->image_root && (r = vb_void_image_root(v)) < 0)
                return vb_error_set(err, r, "root %s: a container image's root needs a root directory",
                                    p->root ? p->root : "(none)");
        if (c->enter && (r = vb_void_enter(v)) < 0)
                return vb_error_set(err, r, "enter");
        if (c->n_uid_map && (r = vb_void_id_maps(v, c->uid_map, c->n_uid_map, c->gid_map, c->n_gid_map)) < 0)
                return vb_error_set(err, r, "uid/gid mappings (overlapping or empty ranges)");
        if (c->user_set && (r = vb_void_user(v, c->uid, c->gid, c->groups, c->n_groups)) < 0)
                return vb_error_set(err, r, "user %u:%u", (unsigned)c->uid, (unsigned)c->gid);
        if (c->umask_set && (r = vb_void_umask(v, c->umask)) < 0)
                return vb_error_set(err, r, "umask %04o", (unsigned)c->umask);
        if (c->caps_set && (r = vb_void_cap_sets(v, &c->caps)) < 0)
                return vb_error_set(err, r,
                                    "capability sets (effective and ambient must be in permitted, ambient in "
                                    "inheritable)");
        if (c->new_privs && (r = vb_void_no_new_privs(v, false)) < 0)
                return vb_error_set(err, r, "no_new_privs");
        if (c->oom_set && (r = vb_void_oom_score_adj(v, c->oom_score_adj)) < 0)
                return vb_error_set(err, r, "oom_score_adj %d", c->oom_score_adj);
        return 0;
}

/* The live parts of a created container: its gate and its cgroups v1. */
static int apply_live_container(struct vb_void *v, const struct vb_plan *p, struct vb_error **err)
{
        int r;

        for (size_t i = 0; i < p->live.n_cgroup_v1; i++)
                if ((r = vb_void_cgroup_v1(v, p->live.cgroup_v1[i])) < 0)
                        return vb_error_set(err, r, "start in a cgroup v1 directory");
        if (p->live.gate_fd >= 0 && (r = vb_void_hold(v, p->live.gate_fd)) < 0)
                return vb_error_set(err, r, "hold the void at its gate");
        return 0;
}

int vb_plan_apply(const struct vb_plan *p, bool for_explain, struct vb_void **out, struct vb_error **err)
{
        _cleanup_vb_void_ struct vb_void *v = vb_void_new();
        bool fallback = false;
        int r;

        *out = NULL;
        if (!v)
                return vb_error_set(err, ENOMEM, "create the void");
        r = apply_namespaces(v, p, err);
        if (r >= 0)
                r = apply_root(v, p, err);
        if (r >= 0)
                r = apply_container(v, p, err);
        if (r >= 0)
                r = apply_stdio(v, p, err);
        if (r >= 0)
                r = apply_grants(v, p, err);
        if (r >= 0)
                r = apply_settings(v, p, err);
        if (r >= 0)
                r = apply_landlock(v, p, err);
        if (r > 0) {
                fallback = true;
                r = 0;
        }
        if (r >= 0)
                r = apply_program(v, p, err);
        if (r >= 0)
                r = apply_servers(v, p, for_explain, err);
        /* Last, so that no grant made above (fs=shared's binds) covers it; no inbox under explain. */
        if (r >= 0 && p->care.inbox && (r = vb_void_inbox(v, p->live.inbox, p->care.inbox)) < 0)
                r = vb_error_set(err, r, "--inbox %s", p->care.inbox);
        /* No Landlock in this kernel: refuse what only it would have confined (doc/fds.md); explain says so. */
        if (r >= 0 && fallback && (r = vb_void_landlock_fallback(v, err)) < 0 && for_explain) {
                if (err)
                        *err = vb_error_free(*err);
                r = 0;
        }
        if (r >= 0)
                r = apply_live_container(v, p, err);
        if (r < 0)
                return err && *err ? r : vb_error_set(err, r, "build the void");
        *out = TAKE_PTR(v);
        return 0;
}
