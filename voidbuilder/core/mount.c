/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building the void's root: an empty tmpfs plus exactly the mounts the plan grants. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/container.h"
#include "core/mount.h"
#include "helpers/inbox.h"

/* Size of the root tmpfs: it only ever holds empty mount points and symlinks. */
#define ROOT_TMPFS_SIZE "1m"

int vb_mount_open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (uint64_t)flags | O_CLOEXEC,
                /* Symlinks made inside the void resolve inside the void, never on the host. */
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        while (*path == '/')
                path++;
        fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
        return fd < 0 ? NEG_ERRNO() : fd;
}

int vb_mount_mkdir_p(int rootfd, const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);

        if (len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                _cleanup_close_ int fd = -1;

                *p = '\0';
                fd = vb_mount_open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                if (fd == -ENOENT) {
                        char *slash = strrchr(buf, '/');
                        _cleanup_close_ int parent = -1;

                        *slash = '\0';
                        parent = vb_mount_open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                        *slash = '/';
                        if (parent < 0)
                                return parent;
                        if (mkdirat(parent, slash + 1, mode) < 0 && errno != EEXIST)
                                return NEG_ERRNO();
                } else if (fd < 0) {
                        return fd;
                }
                *p = saved;
                if (!saved)
                        return 0;
        }
}

/* Open the parent directory of path inside the root (creating it) and return the last component. */
int vb_mount_open_parent(int rootfd, const char *path, const char **name)
{
        char buf[PATH_MAX];
        const char *slash = strrchr(path, '/');
        size_t len = (size_t)(slash - path);
        int r;

        if (len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len);
        buf[len] = '\0';
        if (len > 0) {
                r = vb_mount_mkdir_p(rootfd, buf, 0755);
                if (r < 0)
                        return r;
        }
        *name = slash + 1;
        return vb_mount_open_in_root(rootfd, len ? buf : "/", O_PATH | O_DIRECTORY);
}

/* Create (if missing) an empty file or directory to mount on, and open it O_PATH. */
int vb_mount_make_target(int rootfd, const char *path, bool dir)
{
        _cleanup_close_ int parent = -1;
        const char *name;
        int fd;

        fd = vb_mount_open_in_root(rootfd, path, O_PATH);
        if (fd != -ENOENT)
                return fd;
        parent = vb_mount_open_parent(rootfd, path, &name);
        if (parent < 0)
                return parent;
        if (dir) {
                if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
                        return NEG_ERRNO();
        } else {
                _cleanup_close_ int f =
                        openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);

                if (f < 0 && errno != EEXIST)
                        return NEG_ERRNO();
        }
        return vb_mount_open_in_root(rootfd, path, O_PATH);
}

int vb_mount_attach(int mntfd, int rootfd, const char *dst, bool dir)
{
        _cleanup_close_ int target = vb_mount_make_target(rootfd, dst, dir);

        if (target < 0)
                return target;
        if (move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

int vb_mount_new_fs(const char *type, const char *const opts[][2], size_t n, unsigned attrs)
{
        _cleanup_close_ int fs = fsopen(type, FSOPEN_CLOEXEC);
        int m;

        if (fs < 0)
                return NEG_ERRNO();
        for (size_t i = 0; i < n; i++)
                if (fsconfig(fs, FSCONFIG_SET_STRING, opts[i][0], opts[i][1], 0) < 0)
                        return NEG_ERRNO();
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        m = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
        return m < 0 ? NEG_ERRNO() : m;
}

static int mount_tmpfs(int rootfd, const struct vb_mount *m)
{
        char size[32], mode[16];
        const char *const opts[][2] = { { "size", size }, { "mode", mode } };
        _cleanup_close_ int mnt = -1;
        unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

        if (!(m->flags & VB_MOUNT_EXEC))
                attrs |= MOUNT_ATTR_NOEXEC;
        snprintf(size, sizeof(size), "%llu", (unsigned long long)m->size);
        snprintf(mode, sizeof(mode), "%o", (unsigned)m->mode);
        mnt = vb_mount_new_fs("tmpfs", opts, ELEMENTSOF(opts), attrs);
        if (mnt < 0)
                return mnt;
        return vb_mount_attach(mnt, rootfd, m->dst, true);
}

/*
 * procfs checks many writes by uid alone.  When root calls voidshim, uid 0 in
 * the void is uid 0 on the host, and /proc/sys/kernel/core_pattern or
 * /proc/sysrq-trigger would be writable from inside: a way out.  As docker and
 * bubblewrap do, these are covered read-only, and the files that only leak
 * host information are hidden.  (A void holding CAP_SYS_ADMIN could unmount
 * the covers: --cap-add CAP_SYS_ADMIN gives that up knowingly.)
 */
static const char *const proc_read_only[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };
static const char *const proc_hidden[] = { "kcore",         "keys", "key-users", "timer_list", "sched_debug",
                                           "latency_stats", "acpi", "asound",    "scsi" };

static int cover_proc_entry(int procfd, const char *name, bool hide)
{
        struct mount_attr ro = { .attr_set =
                                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
        _cleanup_close_ int tree = -1;
        struct stat st;

        if (fstatat(procfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : NEG_ERRNO(); /* not on this kernel */
        if (!hide)
                tree = open_tree(procfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        else if (S_ISDIR(st.st_mode)) {
                const char *const opts[][2] = { { "size", "4k" }, { "mode", "0555" } };

                tree = vb_mount_new_fs("tmpfs", opts, ELEMENTSOF(opts), 0);
                if (tree < 0)
                        return tree;
        } else /* the host's /dev/null: the old root is still reachable while mounts are made */
                tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
                return NEG_ERRNO();
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
                return NEG_ERRNO();
        if (move_mount(tree, "", procfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

static int mount_proc(int rootfd, const struct vb_mount *m)
{
        const char *const opts[][2] = { { "subset", "pid" } };
        _cleanup_close_ int mnt = -1;
        int r;

        /*
         * A fresh procfs for our own pid namespace, mounted while the old root is
         * still attached (the kernel refuses a new proc when no fully visible one
         * exists in the namespace).  It is never stacked on a host /proc bind, so
         * unmounting it inside the void reveals the empty directory below.
         */
        mnt = vb_mount_new_fs("proc", opts, (m->flags & VB_PROC_SUBSET_PID) ? 1 : 0,
                              MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (mnt < 0)
                return mnt;
        r = vb_mount_attach(mnt, rootfd, m->dst, true);
        return r < 0 ? r : vb_mount_proc_covers(mnt);
}

int vb_mount_proc_covers(int procfd)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(proc_read_only); i++)
                r = cover_proc_entry(procfd, proc_read_only[i], false);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(proc_hidden); i++)
                r = cover_proc_entry(procfd, proc_hidden[i], true);
        return r;
}

static int mount_devpts(int rootfd, const struct vb_mount *m)
{
        /* A private instance: the void cannot see or reach the host's terminals. */
        const char *const opts[][2] = { { "newinstance", NULL }, { "ptmxmode", "0666" }, { "mode", "0620" } };
        _cleanup_close_ int fs = fsopen("devpts", FSOPEN_CLOEXEC);
        _cleanup_close_ int mnt = -1;

        if (fs < 0)
                return NEG_ERRNO();
        if (fsconfig(fs, FSCONFIG_SET_FLAG, opts[0][0], NULL, 0) < 0)
                return NEG_ERRNO();
        for (size_t i = 1; i < ELEMENTSOF(opts); i++)
                if (fsconfig(fs, FSCONFIG_SET_STRING, opts[i][0], opts[i][1], 0) < 0)
                        return NEG_ERRNO();
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        if (mnt < 0)
                return NEG_ERRNO();
        return vb_mount_attach(mnt, rootfd, m->dst, true);
}

/* The void's own sysfs: the kernel allows it where the void's user namespace owns its network namespace. */
static int mount_sysfs(int rootfd, const struct vb_mount *m)
{
        _cleanup_close_ int mnt = vb_mount_new_fs(
                "sysfs", NULL, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);

        if (mnt < 0)
                return mnt;
        return vb_mount_attach(mnt, rootfd, m->dst, true);
}

/* Marks an optional bind whose source is missing. */
#define SRC_SKIPPED (-2)

int vb_mount_open_sources(struct vb_mount *mounts, size_t n, const struct vb_mount **failed)
{
        struct stat root_st;

        if (stat("/", &root_st) < 0)
                return NEG_ERRNO();
        for (size_t i = 0; i < n; i++) {
                struct vb_mount *m = &mounts[i];
                _cleanup_close_ int fd = -1;
                struct stat st;

                if (m->kind != VB_MNT_BIND || m->prepared)
                        continue;
                /* Resolved once, here, following symlinks on the host; the bind is made from this fd. */
                fd = open(m->src, O_PATH | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT && (m->flags & VB_MOUNT_OPTIONAL)) {
                        m->src_fd = SRC_SKIPPED;
                        continue;
                }
                if (fd < 0 || fstat(fd, &st) < 0) {
                        *failed = m;
                        return NEG_ERRNO();
                }
                /* What we mount is what we opened: it must be what the caller checked. */
                if (m->checked && (st.st_dev != m->dev || st.st_ino != m->ino)) {
                        *failed = m;
                        return -ESTALE;
                }
                /*
                 * A source above the staging point (a bind of "/") is cloned now, before the root
                 * is staged: a recursive clone of it taken later would carry the void's own root
                 * along.  Every other one is cloned when it is mounted, so that the mount table
                 * (ordered by creation since Linux 6.8) lists the mounts in the order they are made.
                 */
                m->cloned = st.st_dev == root_st.st_dev && st.st_ino == root_st.st_ino;
                m->src_fd = m->cloned ? open_tree(fd, "",
                                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE)
                                      : TAKE_FD(fd);
                if (m->src_fd < 0) {
                        *failed = m;
                        return NEG_ERRNO();
                }
        }
        return 0;
}

static uint64_t bind_attrs(unsigned flags)
{
        uint64_t a = MOUNT_ATTR_NOSUID;

        if (!(flags & VB_MOUNT_RW))
                a |= MOUNT_ATTR_RDONLY;
        if (!(flags & VB_MOUNT_DEV))
                a |= MOUNT_ATTR_NODEV;
        if (flags & VB_MOUNT_NOEXEC)
                a |= MOUNT_ATTR_NOEXEC;
        return a;
}

/* Can this tree not be idmapped (its file system does not support it, or it is idmapped already)? */
static bool idmap_refused(int r)
{
        return r == -EINVAL || r == -EPERM || r == -EOPNOTSUPP;
}

/*
 * Idmap tree with userns, recursively; where a submount's file system refuses,
 * the top alone (its submounts stay plain).  0, or -errno when the top cannot be.
 */
static int idmap_tree(int tree, int userns)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
        int r = 0;

        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
                return 0;
        r = NEG_ERRNO();
        if (!idmap_refused(r))
                return r;
        return mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0 ? 0 : NEG_ERRNO();
}

int vb_mount_clone_idmapped(int src, int idmap_userns, uint64_t attrs, bool must_idmap, bool *plain, const char **why)
{
        struct mount_attr attr = { .attr_set = attrs };
        _cleanup_close_ int tree = -1;
        int r;

        *plain = false;
        *why = "cloning the source";
        tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (tree < 0)
                return NEG_ERRNO();
        if (idmap_userns >= 0) {
                r = idmap_tree(tree, idmap_userns);
                *why = "its file system cannot show the caller's files as the void's (no idmapped mounts): a "
                       "writable grant there needs the caller's identity";
                if (r < 0 && (!idmap_refused(r) || must_idmap))
                        return r;
                *plain = r < 0;
        }
        *why = "restricting the bind";
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return NEG_ERRNO();
        *why = NULL;
        return TAKE_FD(tree);
}

int vb_mount_prepare_bind(struct vb_mount *m, int idmap_userns, const char **why, bool *plain)
{
        _cleanup_close_ int src = -1;
        struct stat st;
        int tree;

        *why = NULL;
        *plain = false;
        src = open(m->src, O_PATH | O_CLOEXEC);
        if (src < 0 && errno == ENOENT && (m->flags & VB_MOUNT_OPTIONAL)) {
                m->src_fd = SRC_SKIPPED;
                m->prepared = true;
                return 0;
        }
        *why = "opening the source";
        if (src < 0 || fstat(src, &st) < 0)
                return NEG_ERRNO();
        *why = "the source is no longer the file that was checked";
        if (m->checked && (st.st_dev != m->dev || st.st_ino != m->ino))
                return -ESTALE;
        /* Device nodes stay plain: a void must never own a host device node (chmod, chown). */
        tree = vb_mount_clone_idmapped(src, (m->flags & VB_MOUNT_DEV) ? -1 : idmap_userns, bind_attrs(m->flags),
                                       m->flags & VB_MOUNT_RW, plain, why);
        if (tree < 0)
                return tree;
        m->is_dir = S_ISDIR(st.st_mode);
        m->src_fd = tree;
        m->prepared = true;
        return 0;
}

void vb_mount_unprepare(struct vb_mount *mounts, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (mounts[i].kind == VB_MNT_BIND && mounts[i].prepared) {
                        if (mounts[i].src_fd >= 0)
                                vb_closep(&mounts[i].src_fd);
                        mounts[i].src_fd = -1;
                        mounts[i].prepared = false;
                }
}

static int mount_bind(int rootfd, const struct vb_mount *m, const char **why)
{
        _cleanup_close_ int clone = -1;
        int tree = m->src_fd;
        struct mount_attr attr = { .attr_set = bind_attrs(m->flags) };
        struct stat st;

        if (tree == SRC_SKIPPED)
                return 0;
        if (m->prepared) { /* made by the parent, flags and idmap set: only attach it */
                *why = "attaching";
                return vb_mount_attach(tree, rootfd, m->dst, m->is_dir);
        }
        if (!m->cloned) { /* vb_mount_open_sources() left it for now */
                *why = "cloning the source";
                tree = clone =
                        open_tree(m->src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
                if (tree < 0)
                        return NEG_ERRNO();
        }
        if (fstat(tree, &st) < 0)
                return NEG_ERRNO();
        *why = "restricting the bind";
        /* Recursive, so no submount of the source stays writable or setuid-capable. */
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return NEG_ERRNO();
        *why = "attaching";
        return vb_mount_attach(tree, rootfd, m->dst, S_ISDIR(st.st_mode));
}

static int make_symlink(int rootfd, const struct vb_mount *m)
{
        _cleanup_close_ int parent = -1;
        const char *name;
        char cur[PATH_MAX];
        ssize_t n;

        parent = vb_mount_open_parent(rootfd, m->dst, &name);
        if (parent < 0)
                return parent;
        if (symlinkat(m->src, parent, name) == 0)
                return 0;
        if (errno != EEXIST)
                return NEG_ERRNO();
        /* Granted twice (e.g. two --libs sharing /lib64): fine if it points to the same place. */
        n = readlinkat(parent, name, cur, sizeof(cur) - 1);
        if (n < 0)
                return -EEXIST;
        cur[n] = '\0';
        return strcmp(cur, m->src) == 0 ? 0 : -EEXIST;
}

/* A small file of text in the root (a synthesized /etc/passwd): created, never opened from the host. */
static int make_file(int rootfd, const struct vb_mount *m)
{
        _cleanup_close_ int parent = -1, fd = -1;
        const char *name;
        size_t len = strlen(m->src), off = 0;

        parent = vb_mount_open_parent(rootfd, m->dst, &name);
        if (parent < 0)
                return parent;
        fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
        if (fd < 0)
                return NEG_ERRNO();
        while (off < len) {
                ssize_t n = write(fd, m->src + off, len - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? NEG_ERRNO() : -EIO;
                off += (size_t)n;
        }
        return fchmod(fd, m->mode) < 0 ? NEG_ERRNO() : 0; /* not the umask's */
}

/* ---- the inbox: a shared tmpfs the holder grants into, a slave of it in each void ---- */

/* Size of the inbox tmpfs: it holds only the empty directories that grants are mounted on. */
#define INBOX_TMPFS_SIZE "64k"

bool vb_mount_inbox_name_ok(const char *name)
{
        size_t len = strlen(name);

        /* One path component of a fixed alphabet: no "/", no "." or "..", nothing a shell or a list line mangles. */
        return len > 0 && len <= VB_INBOX_NAME_MAX && name[0] != '.' &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+@,") == len;
}

int vb_mount_inbox_create(int *inbox_fd)
{
        const char *const opts[][2] = { { "size", INBOX_TMPFS_SIZE }, { "mode", "0755" } };
        struct mount_attr shared = { .propagation = MS_SHARED };
        _cleanup_close_ int mnt = -1;

        /* Receive from the caller's tree, never send to it: nothing below reaches the host's mounts. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return NEG_ERRNO();
        mnt = vb_mount_new_fs("tmpfs", opts, ELEMENTSOF(opts),
                              MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (mnt < 0)
                return mnt;
        /*
         * Stacked on "/" of the holder's own namespace: it covers no directory that a grant
         * could name (paths are resolved from a root fd opened before, and never with "..").
         */
        if (move_mount(mnt, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        /* Shared: what is mounted in it (a grant) and unmounted (a revocation) reaches every copy. */
        if (mount_setattr(mnt, "", AT_EMPTY_PATH, &shared, sizeof(shared)) < 0)
                return NEG_ERRNO();
        *inbox_fd = TAKE_FD(mnt);
        return 0;
}

int vb_mount_inbox_grant(int inbox_fd, int src_fd, const char *name, bool rw, int idmap_userns)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (rw ? 0 : MOUNT_ATTR_RDONLY),
                                   .propagation = MS_PRIVATE };
        struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
                                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV };
        _cleanup_close_ int tree = -1, target = -1, made = -1;
        struct stat st;
        bool dir;

        if (!vb_mount_inbox_name_ok(name))
                return -EINVAL;
        if (fstat(src_fd, &st) < 0)
                return NEG_ERRNO();
        dir = S_ISDIR(st.st_mode);
        tree = open_tree(src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (tree < 0)
                return NEG_ERRNO();
        /* The voids run as a uid of their own: what the caller owns is theirs through the grant (as binds). */
        if (idmap_userns >= 0) {
                int r = idmap_tree(tree, idmap_userns);

                if (r < 0 && (!idmap_refused(r) || rw))
                        return r;
        }
        /*
         * Recursive, so that no submount of the granted tree stays writable or setuid-capable;
         * private, so that later mounts on the host under the granted path do not follow it in.
         */
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return NEG_ERRNO();
        /* A directory, or an empty file for a file or a socket to be bound on. */
        if (dir ? mkdirat(inbox_fd, name, 0755) < 0
                : (made = openat(inbox_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444)) < 0)
                return NEG_ERRNO(); /* EEXIST: granted already */
        /* NO_XDEV: the directory just made, never something mounted there since. */
        target = (int)syscall(SYS_openat2, inbox_fd, name, &how, sizeof(how));
        if (target < 0 || move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
                int r = NEG_ERRNO();

                (void)unlinkat(inbox_fd, name, dir ? AT_REMOVEDIR : 0);
                return r;
        }
        return 0;
}

int vb_mount_inbox_ungrant(int inbox_fd, const char *name)
{
        if (!vb_mount_inbox_name_ok(name))
                return -EINVAL;
        if (fchdir(inbox_fd) < 0)
                return NEG_ERRNO();
        /* Detach here; the unmount propagates to every void's slave copy of the inbox. */
        if (umount2(name, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                return NEG_ERRNO();
        /*
         * Then the mount point goes: a copy that did not follow the unmount (none should) is
         * detached by the kernel with it, and a later open of the name is ENOENT everywhere.
         */
        if (unlinkat(inbox_fd, name, AT_REMOVEDIR) < 0 && (errno != ENOTDIR || unlinkat(inbox_fd, name, 0) < 0))
                return NEG_ERRNO();
        return 0;
}

int vb_mount_inbox_clone(int inbox_fd)
{
        int tree = open_tree(inbox_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);

        return tree < 0 ? NEG_ERRNO() : tree;
}

/* Child: the holder's clone of the inbox (a peer of it), attached at dst and turned into its slave. */
static int mount_inbox(int rootfd, const struct vb_mount *m, const char **why)
{
        struct mount_attr slave = { .propagation = MS_SLAVE };
        struct mount_attr ro = { .attr_set =
                                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
        _cleanup_close_ int tree = -1;
        int r;

        *why = "receiving the inbox from its holder";
        tree = vb_inbox_request_clone(m->src_fd);
        if (tree < 0)
                return tree;
        *why = "attaching";
        r = vb_mount_attach(tree, rootfd, m->dst, true);
        if (r < 0)
                return r;
        /* A slave receives the holder's grants and revocations and sends nothing back. */
        *why = "making it a slave of the holder's";
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &slave, sizeof(slave)) < 0)
                return NEG_ERRNO();
        /* Only the inbox itself: each grant keeps its own read-only or read-write flag. */
        *why = "making it read-only";
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
                return NEG_ERRNO();
        return 0;
}

int vb_mount_apply(int rootfd, const struct vb_mount *m, const char **why)
{
        *why = NULL;
        switch (m->kind) {
        case VB_MNT_BIND:
                return mount_bind(rootfd, m, why);
        case VB_MNT_TMPFS:
                return mount_tmpfs(rootfd, m);
        case VB_MNT_PROC:
                return mount_proc(rootfd, m);
        case VB_MNT_DEVPTS:
                return mount_devpts(rootfd, m);
        case VB_MNT_DIR:
                return vb_mount_mkdir_p(rootfd, m->dst, m->mode);
        case VB_MNT_SYMLINK:
                return make_symlink(rootfd, m);
        case VB_MNT_INBOX:
                return mount_inbox(rootfd, m, why);
        case VB_MNT_FILE:
                return make_file(rootfd, m);
        case VB_MNT_SYSFS:
                return mount_sysfs(rootfd, m);
        case VB_MNT_FS:
        case VB_MNT_MASK:
        case VB_MNT_RDONLY:
        case VB_MNT_DEVICE:
                return vb_ctr_mount_apply(rootfd, m, why);
        default:
                return -EINVAL;
        }
}

int vb_mount_new_root(int made, int *rootfd)
{
        const char *const opts[][2] = { { "size", ROOT_TMPFS_SIZE }, { "mode", "0755" } };
        int mnt = made;

        /* Nothing we do from here on may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return NEG_ERRNO();
        /* Made first, so that it comes first in the void's mount table; attached by vb_mount_stage(). */
        if (mnt < 0)
                mnt = vb_mount_new_fs("tmpfs", opts, ELEMENTSOF(opts), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mnt < 0)
                return mnt;
        *rootfd = mnt;
        return 0;
}

int vb_mount_stage(int rootfd)
{
        /*
         * pivot_root() needs the new root attached in this namespace.  It is
         * stacked on "/" itself (as the inbox's holder does): our root stays
         * the old one below it, so it covers no directory that a path, and so
         * a grant, could name (staging it on /tmp gave `--bind /tmp /tmp` the
         * staging directory), and nothing is created on the host.
         */
        if (move_mount(rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

int vb_mount_cover(int rootfd, const char *path)
{
        const char *const opts[][2] = { { "size", "4k" }, { "mode", "0000" } };
        _cleanup_close_ int target = vb_mount_open_in_root(rootfd, path, O_PATH | O_DIRECTORY), mnt = -1;

        if (target == -ENOENT || target == -ENOTDIR)
                return 0; /* nothing of it is there to hide */
        if (target < 0)
                return target;
        mnt = vb_mount_new_fs("tmpfs", opts, ELEMENTSOF(opts),
                              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (mnt < 0)
                return mnt;
        if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

int vb_mount_mqueue(void)
{
        return vb_mount_new_fs("mqueue", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int vb_mount_pivot(int rootfd, bool keep_flags)
{
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

        /* Only the root itself: granted tmpfs and rw binds below keep their own flags. */
        if (!keep_flags && mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
                return NEG_ERRNO();
        if (fchdir(rootfd) < 0)
                return NEG_ERRNO();
        /* pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it whole. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return NEG_ERRNO();
        if (umount2(".", MNT_DETACH) < 0)
                return NEG_ERRNO();
        if (chdir("/") < 0)
                return NEG_ERRNO();
        return 0;
}
