/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A void's limits as cgroups: the layout read from /proc, one cgroup per hierarchy, removed after the void. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/cleanup.h"

#define CG_PREFIX "voidshim-"
#define CG_PERIOD 100000 /* µs: the CPU quota's period */

static const char *const ctl_names[VB_CG_NCTL] = { "pids", "memory", "cpu" };

const char *vb_cg_ctl_name(enum vb_cg_ctl c)
{
        return (unsigned)c < VB_CG_NCTL ? ctl_names[c] : "?";
}

/* ---- the layout ----------------------------------------------------------------------------- */

/* Is word one of the comma- or space-separated words of list? */
static bool has_word(const char *list, const char *word, const char *seps)
{
        size_t len = strlen(word);

        for (const char *p = list; p && *p;) {
                size_t n = strcspn(p, seps);

                if (n == len && strncmp(p, word, len) == 0)
                        return true;
                p += n;
                p += strspn(p, seps);
        }
        return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *w = s;

        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

/* A hierarchy as mounted: where, and which of its cgroups is the mount's root. */
struct hier {
        char mnt[PATH_MAX];
        char root[PATH_MAX];
        bool found;
};

/* One mountinfo line into its mount point, root, type and super options (pointers into line). */
static bool split_mountinfo(char *line, char **root, char **mnt, char **type, char **super)
{
        char *f[6], *save = NULL, *tok;
        int i = 0;

        for (tok = strtok_r(line, " ", &save); tok && i < 6; tok = strtok_r(NULL, " ", &save))
                f[i++] = tok;
        if (i < 6)
                return false;
        while (tok && strcmp(tok, "-") != 0) /* optional fields up to the separator */
                tok = strtok_r(NULL, " ", &save);
        *type = tok ? strtok_r(NULL, " ", &save) : NULL;
        if (!*type || !strtok_r(NULL, " ", &save)) /* the source */
                return false;
        *super = strtok_r(NULL, " ", &save);
        if (!*super)
                return false;
        *root = f[3];
        *mnt = f[4];
        unescape(*root);
        unescape(*mnt);
        return true;
}

static void remember(struct hier *h, const char *mnt, const char *root)
{
        if (h->found)
                return; /* the first mount of a hierarchy counts */
        snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
        snprintf(h->root, sizeof(h->root), "%s", root);
        h->found = true;
}

static int scan_mounts(const char *mountinfo, struct hier *v2, struct hier v1[VB_CG_NCTL])
{
        _cleanup_free_ char *copy = strdup(mountinfo);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *root, *mnt, *type, *super;

                if (!split_mountinfo(line, &root, &mnt, &type, &super))
                        continue;
                if (strcmp(type, "cgroup2") == 0)
                        remember(v2, mnt, root);
                else if (strcmp(type, "cgroup") == 0)
                        for (int c = 0; c < VB_CG_NCTL; c++)
                                if (has_word(super, ctl_names[c], ","))
                                        remember(&v1[c], mnt, root);
        }
        return 0;
}

/* sysroot + mnt + the part of path below the mount's root; NULL when path is not below it. */
static char *dir_of(const char *sysroot, const struct hier *h, const char *path)
{
        size_t rl = strlen(h->root);
        const char *rel = path;
        char *out = NULL;

        if (!h->found || !path)
                return NULL;
        if (strcmp(h->root, "/") != 0) {
                if (strncmp(path, h->root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
                        return NULL;
                rel = path + rl;
        }
        if (strcmp(rel, "/") == 0)
                rel = "";
        if (asprintf(&out, "%s%s%s", sysroot, strcmp(h->mnt, "/") == 0 && *rel ? "" : h->mnt, rel) < 0)
                return NULL;
        return out;
}

int vb_cg_layout_parse(const char *mountinfo, const char *self_cgroup, const char *sysroot, struct vb_cg_layout *out)
{
        struct hier v2 = {}, v1[VB_CG_NCTL] = {};
        _cleanup_free_ char *copy = NULL;
        const char *v2_path = NULL, *v1_path[VB_CG_NCTL] = {};
        char *save = NULL;
        int r;

        *out = (struct vb_cg_layout){};
        r = scan_mounts(mountinfo, &v2, v1);
        if (r < 0)
                return r;
        copy = strdup(self_cgroup);
        if (!copy)
                return -ENOMEM;
        /* "0::/path" for v2; "N:ctl,ctl:/path" for each v1 hierarchy. */
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

                if (!c2)
                        continue;
                *c2 = '\0';
                if (c2 == c1 + 1 && strncmp(line, "0:", 2) == 0)
                        v2_path = c2 + 1;
                for (int c = 0; c < VB_CG_NCTL; c++)
                        if (has_word(c1 + 1, ctl_names[c], ","))
                                v1_path[c] = c2 + 1;
        }
        if (v2.found && asprintf(&out->v2_mnt, "%s%s", sysroot, v2.mnt) < 0)
                return -ENOMEM;
        out->v2_self = dir_of(sysroot, &v2, v2_path);
        for (int c = 0; c < VB_CG_NCTL; c++)
                out->v1_self[c] = dir_of(sysroot, &v1[c], v1_path[c]);
        return 0;
}

static char *read_text(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        size_t len = 0, cap = 4096;
        char *buf = NULL;
        ssize_t n;

        if (fd < 0)
                return NULL;
        buf = malloc(cap);
        while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
                len += (size_t)n;
                if (cap - len < 2) {
                        char *b = realloc(buf, cap * 2);

                        if (!b) {
                                free(buf);
                                return NULL;
                        }
                        buf = b, cap *= 2;
                }
        }
        if (buf)
                buf[len] = '\0';
        return buf;
}

int vb_cg_layout_read(struct vb_cg_layout *out)
{
        _cleanup_free_ char *mi = read_text("/proc/self/mountinfo"), *cg = read_text("/proc/self/cgroup");

        if (!mi || !cg)
                return errno ? -errno : -ENOMEM;
        return vb_cg_layout_parse(mi, cg, "", out);
}

void vb_cg_layout_done(struct vb_cg_layout *l)
{
        free(l->v2_mnt);
        free(l->v2_self);
        for (int c = 0; c < VB_CG_NCTL; c++)
                free(l->v1_self[c]);
        *l = (struct vb_cg_layout){};
}

/* ---- choosing a hierarchy per controller ------------------------------------------------------ */

/* Does the file at dirfd/name (or path) list every controller in want (v2 ones)? */
static bool lists_all(int dirfd, const char *path, const char *name, const struct vb_cg_where *w)
{
        _cleanup_close_ int fd = -1;
        char buf[512];
        ssize_t n;

        if (dirfd >= 0) {
                fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        } else {
                char p[PATH_MAX];

                snprintf(p, sizeof(p), "%s/%s", path, name);
                fd = open(p, O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) < 0)
                return false;
        buf[n] = '\0';
        for (int c = 0; c < VB_CG_NCTL; c++)
                if (w->need[c] && w->v2[c] && !has_word(buf, ctl_names[c], " \n"))
                        return false;
        return true;
}

/* --cgroup DIR as the parent: it must enable the controllers for its children; try to, if not. */
static int choose_base(int base_fd, struct vb_cg_where *w, const char **why)
{
        if (lists_all(base_fd, "", "cgroup.subtree_control", w))
                return 0;
        for (int c = 0; c < VB_CG_NCTL; c++) {
                _cleanup_close_ int fd = openat(base_fd, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);

                if (w->need[c] && w->v2[c] && fd >= 0)
                        (void)!dprintf(fd, "+%s", ctl_names[c]);
        }
        if (lists_all(base_fd, "", "cgroup.subtree_control", w))
                return 0;
        *why = "the cgroup given with --cgroup does not enable the controller for its children, and cannot "
               "(it holds processes, or its parent does not enable it)";
        return -EOPNOTSUPP;
}

/* The caller's v2 cgroup or its nearest ancestor that enables the controllers for its children. */
static int choose_ancestor(const struct vb_cg_layout *lay, struct vb_cg_where *w, const char **why)
{
        _cleanup_free_ char *dir = lay->v2_self ? strdup(lay->v2_self) : NULL;
        size_t top = strlen(lay->v2_mnt);

        *why = "no cgroup at or above the caller's enables the controller for its children (cgroup v2 needs a "
               "delegated subtree)";
        if (!lay->v2_self)
                return -EOPNOTSUPP;
        if (!dir)
                return -ENOMEM;
        for (;;) {
                char *slash;

                if (lists_all(-1, dir, "cgroup.subtree_control", w)) {
                        w->v2_parent = TAKE_PTR(dir);
                        return 0;
                }
                slash = strrchr(dir, '/');
                if (strlen(dir) <= top || !slash || (size_t)(slash - dir) < top)
                        return -EOPNOTSUPP;
                *slash = '\0';
        }
}

int vb_cg_choose(const struct vb_cg_layout *lay, const struct vb_limits *l, int base_fd, struct vb_cg_where *out,
                 const char **why)
{
        _cleanup_free_ char *avail = NULL;
        bool any_v2 = false;
        char p[PATH_MAX];

        *out = (struct vb_cg_where){ .failed = -1 };
        out->need[VB_CG_PIDS] = l->pids > 0;
        out->need[VB_CG_MEMORY] = l->memory > 0;
        out->need[VB_CG_CPU] = l->cpu > 0;
        if (lay->v2_mnt) {
                snprintf(p, sizeof(p), "%s/cgroup.controllers", lay->v2_mnt);
                avail = read_text(p);
        }
        for (int c = 0; c < VB_CG_NCTL; c++) {
                if (!out->need[c])
                        continue;
                if (avail && has_word(avail, ctl_names[c], " \n")) {
                        out->v2[c] = any_v2 = true;
                } else if (lay->v1_self[c]) {
                        out->v1_dir[c] = strdup(lay->v1_self[c]);
                        if (!out->v1_dir[c])
                                return -ENOMEM;
                } else {
                        out->failed = c;
                        *why = "no cgroup hierarchy mounted here has the controller";
                        return -EOPNOTSUPP;
                }
        }
        if (!any_v2)
                return 0;
        for (int c = VB_CG_NCTL; c-- > 0;)
                if (out->v2[c])
                        out->failed = c; /* named if v2 cannot take them: the first of them */
        out->v2_base = base_fd >= 0;
        return base_fd >= 0 ? choose_base(base_fd, out, why) : choose_ancestor(lay, out, why);
}

void vb_cg_where_done(struct vb_cg_where *w)
{
        free(w->v2_parent);
        for (int c = 0; c < VB_CG_NCTL; c++)
                free(w->v1_dir[c]);
        *w = (struct vb_cg_where){};
}

size_t vb_cg_limit_files(enum vb_cg_ctl c, bool v2, const struct vb_limits *l, struct vb_cg_file out[3])
{
        unsigned long long quota = (unsigned long long)l->cpu * (CG_PERIOD / 100);
        size_t n = 0;

#define FILE_(nm, opt, ...)                                                      \
        do {                                                                     \
                out[n] = (struct vb_cg_file){ .name = (nm), .optional = (opt) }; \
                snprintf(out[n].value, sizeof(out[n].value), __VA_ARGS__);       \
                n++;                                                             \
        } while (0)
        switch (c) {
        case VB_CG_PIDS:
                if (l->pids)
                        FILE_("pids.max", false, "%llu", (unsigned long long)l->pids);
                break;
        case VB_CG_MEMORY:
                if (!l->memory)
                        break;
                if (v2) {
                        FILE_("memory.max", false, "%llu", (unsigned long long)l->memory);
                        /* Swap would hold what the limit pushes out: none, so the limit is the memory. */
                        FILE_("memory.swap.max", true, "0");
                        /* An OOM kills the whole void, not one process of it. */
                        FILE_("memory.oom.group", true, "1");
                } else {
                        FILE_("memory.limit_in_bytes", false, "%llu", (unsigned long long)l->memory);
                        FILE_("memory.memsw.limit_in_bytes", true, "%llu", (unsigned long long)l->memory);
                }
                break;
        case VB_CG_CPU:
                if (!l->cpu)
                        break;
                if (v2) {
                        FILE_("cpu.max", false, "%llu %d", quota, CG_PERIOD);
                } else {
                        FILE_("cpu.cfs_period_us", false, "%d", CG_PERIOD);
                        FILE_("cpu.cfs_quota_us", false, "%llu", quota);
                }
                break;
        default:
                break;
        }
#undef FILE_
        return n;
}

/* ---- one void's cgroups ---------------------------------------------------------------------- */

/* A cgroup made for a void: its directory in one hierarchy. */
struct cg_dir {
        int parent; /* the directory it was made in */
        int fd;     /* the cgroup itself */
        char name[64];
        char parent_path[PATH_MAX];
        char path[PATH_MAX + 64]; /* for messages */
        bool v2;
        bool ctl[VB_CG_NCTL];
};

struct vb_cgroup {
        struct cg_dir dir[VB_CG_NCTL]; /* at most one per controller */
        size_t n;
        char line[1024];
};

static bool owner_gone(const char *name)
{
        unsigned long pid;
        char *end;

        if (strncmp(name, CG_PREFIX, strlen(CG_PREFIX)) != 0)
                return false;
        pid = strtoul(name + strlen(CG_PREFIX), &end, 10);
        if (end == name + strlen(CG_PREFIX) || *end != '-' || pid == 0 || pid > INT_MAX)
                return false;
        return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void sweep_fd(int dir_fd)
{
        int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *e;

        if (!d) {
                vb_closep(&fd);
                return;
        }
        while ((e = readdir(d)))
                if (e->d_type == DT_DIR && owner_gone(e->d_name))
                        (void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR); /* EBUSY while populated: left */
        closedir(d);
}

void vb_cg_sweep(const char *dir)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd >= 0)
                sweep_fd(fd);
}

static int write_file(int dir_fd, const struct vb_cg_file *f)
{
        _cleanup_close_ int fd = openat(dir_fd, f->name, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(f->value);

        if (fd < 0)
                return f->optional && errno == ENOENT ? 0 : NEG_ERRNO();
        if (write(fd, f->value, len) != (ssize_t)len)
                return f->optional && (errno == EINVAL || errno == EOPNOTSUPP) ? 0 : NEG_ERRNO();
        return 0;
}

/* Write controller c's limits into d. */
static int write_limits(struct cg_dir *d, enum vb_cg_ctl c, const struct vb_limits *l, struct vb_error **err)
{
        struct vb_cg_file files[3];
        size_t n = vb_cg_limit_files(c, d->v2, l, files);

        d->ctl[c] = true;
        for (size_t i = 0; i < n; i++) {
                int r = write_file(d->fd, &files[i]);

                if (r < 0)
                        return vb_error_set(err, -r, "writing %s %s to %s", files[i].name, files[i].value, d->path);
        }
        return 0;
}

/* Make d (its parent open) as voidshim-OWNER-N, removing first what killed owners left there. */
static int make_dir(struct cg_dir *d, pid_t owner, struct vb_error **err)
{
        static unsigned counter;
        int r = -EEXIST;

        sweep_fd(d->parent);
        for (int tries = 0; tries < 64 && r == -EEXIST; tries++) {
                snprintf(d->name, sizeof(d->name), CG_PREFIX "%d-%u", (int)owner,
                         __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
                r = mkdirat(d->parent, d->name, 0755) < 0 ? NEG_ERRNO() : 0;
        }
        snprintf(d->path, sizeof(d->path), "%s/%s", d->parent_path, d->name);
        if (r < 0) {
                d->name[0] = '\0';
                return vb_error_set(err, -r, "making a cgroup in %s%s", d->parent_path,
                                    r == -EACCES || r == -EPERM || r == -EROFS ? " (it is not delegated to this user)"
                                                                               : "");
        }
        d->fd = openat(d->parent, d->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d->fd < 0)
                return vb_error_set(err, errno, "opening the cgroup %s", d->path);
        return 0;
}

/* Open the directory a cgroup of the void goes in: the --cgroup fd, or a path. */
static int open_parent(struct cg_dir *d, int base_fd, const char *path, struct vb_error **err)
{
        char proc[64];
        ssize_t n;

        if (base_fd >= 0) {
                d->parent = fcntl(base_fd, F_DUPFD_CLOEXEC, 3);
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", base_fd);
                n = readlink(proc, d->parent_path, sizeof(d->parent_path) - 1);
                d->parent_path[n > 0 ? n : 0] = '\0';
        } else {
                d->parent = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                snprintf(d->parent_path, sizeof(d->parent_path), "%s", path);
        }
        return d->parent < 0 ? vb_error_set(err, errno, "opening the cgroup %s", d->parent_path) : 0;
}

static struct cg_dir *new_dir(struct vb_cgroup *cg, bool v2)
{
        struct cg_dir *d = &cg->dir[cg->n++];

        *d = (struct cg_dir){ .parent = -1, .fd = -1, .v2 = v2 };
        return d;
}

static int make_all(struct vb_cgroup *cg, const struct vb_cg_where *w, const struct vb_limits *l, int base_fd,
                    pid_t owner, struct vb_error **err)
{
        struct cg_dir *d;
        int r = 0;

        if (w->v2_parent || w->v2_base) {
                d = new_dir(cg, true);
                r = open_parent(d, w->v2_base ? base_fd : -1, w->v2_parent, err);
                if (r >= 0)
                        r = make_dir(d, owner, err);
                for (int c = 0; r >= 0 && c < VB_CG_NCTL; c++)
                        if (w->need[c] && w->v2[c])
                                r = write_limits(d, (enum vb_cg_ctl)c, l, err);
        }
        for (int c = 0; r >= 0 && c < VB_CG_NCTL; c++) {
                d = NULL;
                if (!w->v1_dir[c])
                        continue;
                /* Controllers mounted together (say cpu,memory) share a hierarchy, and so one cgroup. */
                for (size_t i = 0; i < cg->n && !d; i++)
                        if (!cg->dir[i].v2 && strcmp(cg->dir[i].parent_path, w->v1_dir[c]) == 0)
                                d = &cg->dir[i];
                if (!d) {
                        d = new_dir(cg, false);
                        r = open_parent(d, -1, w->v1_dir[c], err);
                        if (r >= 0)
                                r = make_dir(d, owner, err);
                }
                if (r >= 0)
                        r = write_limits(d, (enum vb_cg_ctl)c, l, err);
        }
        return r;
}

int vb_cg_create(const struct vb_limits *l, int base_fd, pid_t owner, struct vb_cgroup **out, struct vb_error **err)
{
        struct vb_cg_layout lay;
        struct vb_cg_where w;
        struct vb_cgroup *cg;
        const char *why = NULL;
        int r;

        r = vb_cg_layout_read(&lay);
        if (r < 0)
                return vb_error_set(err, -r, "reading the cgroup layout from /proc/self");
        /* What killed owners left beside the caller's cgroups goes first, whichever controllers this void needs. */
        for (int c = 0; c < VB_CG_NCTL; c++)
                if (lay.v1_self[c])
                        vb_cg_sweep(lay.v1_self[c]);
        r = vb_cg_choose(&lay, l, base_fd, &w, &why);
        vb_cg_layout_done(&lay);
        if (r < 0) {
                r = vb_error_set(err, -r, "limit %s: %s", w.failed >= 0 ? ctl_names[w.failed] : "",
                                 why ? why : "choosing a cgroup");
                vb_cg_where_done(&w);
                return r;
        }
        cg = calloc(1, sizeof(*cg));
        if (!cg) {
                vb_cg_where_done(&w);
                return vb_error_set(err, ENOMEM, "limits");
        }
        r = make_all(cg, &w, l, base_fd, owner, err);
        vb_cg_where_done(&w);
        if (r < 0) {
                vb_cg_remove(cg);
                return vb_error_wrap(err, r, "limits");
        }
        *out = cg;
        return 0;
}

int vb_cg_v2_fd(const struct vb_cgroup *cg)
{
        for (size_t i = 0; cg && i < cg->n; i++)
                if (cg->dir[i].v2)
                        return cg->dir[i].fd;
        return -1;
}

bool vb_cg_needs_place(const struct vb_cgroup *cg)
{
        for (size_t i = 0; cg && i < cg->n; i++)
                if (!cg->dir[i].v2)
                        return true;
        return false;
}

int vb_cg_place(const struct vb_cgroup *cg, pid_t pid, struct vb_error **err)
{
        for (size_t i = 0; cg && i < cg->n; i++) {
                const struct cg_dir *d = &cg->dir[i];
                _cleanup_close_ int fd = -1;

                if (d->v2)
                        continue;
                fd = openat(d->fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || dprintf(fd, "%d", (int)pid) < 0)
                        return vb_error_set(err, errno, "moving the void into the cgroup %s", d->path);
        }
        return 0;
}

const char *vb_cg_describe(struct vb_cgroup *cg)
{
        size_t len = 0;

        cg->line[0] = '\0';
        for (size_t i = 0; i < cg->n && len < sizeof(cg->line); i++) {
                const struct cg_dir *d = &cg->dir[i];
                int n = snprintf(cg->line + len, sizeof(cg->line) - len, "%s%s (cgroup v%d)", i ? ", " : "", d->path,
                                 d->v2 ? 2 : 1);

                if (n > 0)
                        len += (size_t)n;
        }
        return cg->line;
}

void vb_cg_remove(struct vb_cgroup *cg)
{
        if (!cg)
                return;
        for (size_t i = 0; i < cg->n; i++) {
                struct cg_dir *d = &cg->dir[i];

                vb_closep(&d->fd);
                /* The last processes leave their cgroup as they are reaped; give the kernel a moment. */
                for (int tries = 0; d->name[0] && d->parent >= 0 && tries < 100; tries++) {
                        if (unlinkat(d->parent, d->name, AT_REMOVEDIR) == 0 || errno != EBUSY)
                                break;
                        nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
                }
                vb_closep(&d->parent);
        }
        free(cg);
}
