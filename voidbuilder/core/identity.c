/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host identity of its own for each void: the reserved range, leases on its ids, idmap namespaces. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/identity.h"

/* ---- the range ---------------------------------------------------------------------------- */

static int parse_u32(const char *s, size_t len, uint32_t *out)
{
        uint64_t v = 0;

        if (len == 0 || len > 10)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!isdigit((unsigned char)s[i]))
                        return -EINVAL;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v > UINT32_MAX)
                return -EINVAL;
        *out = (uint32_t)v;
        return 0;
}

/* Does the first field of a line (up to ':') name user, by name or by uid? */
static bool names_user(const char *field, size_t len, const char *user, uid_t user_id)
{
        uint32_t id;

        if (strlen(user) == len && strncmp(field, user, len) == 0)
                return true;
        return user_id != (uid_t)-1 && parse_u32(field, len, &id) == 0 && id == (uint32_t)user_id;
}

int vb_id_subid_parse(const char *text, const char *user, uid_t user_id, uint32_t *start, uint32_t *count)
{
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                uint32_t s, n;

                if (c1 && names_user(line, (size_t)(c1 - line), user, user_id)) {
                        if (!c2 || parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &s) < 0 ||
                            parse_u32(c2 + 1, (size_t)(end - c2 - 1), &n) < 0)
                                return -EINVAL;
                        /* Never 0 (root), never (uid_t)-1 ("no change" to every set*id call). */
                        if (s == 0 || n == 0 || (uint64_t)s + n > UINT32_MAX)
                                return -EINVAL;
                        *start = s;
                        *count = n;
                        return 0;
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

static int read_small(const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        size_t got = 0;
        ssize_t n;

        if (fd < 0)
                return NEG_ERRNO();
        while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return NEG_ERRNO();
                got += (size_t)n;
        }
        buf[got] = '\0';
        return (int)got;
}

static int subid_of(const char *path, uint32_t *start, uint32_t *count)
{
        _cleanup_free_ char *buf = malloc(64 * 1024);
        int r;

        if (!buf)
                return -ENOMEM;
        r = read_small(path, buf, 64 * 1024);
        if (r == -ENOENT)
                return -ENOENT;
        if (r < 0)
                return r;
        /* The user need not exist in the password database: its entry is what reserves the range. */
        return vb_id_subid_parse(buf, VB_ID_USER, (uid_t)-1, start, count);
}

int vb_id_range_read(const char *subuid, const char *subgid, struct vb_id_range *out)
{
        uint32_t us, un, gs, gn;
        int r;

        r = subid_of(subuid ? subuid : VB_ID_SUBUID, &us, &un);
        if (r >= 0)
                r = subid_of(subgid ? subgid : VB_ID_SUBGID, &gs, &gn);
        if (r < 0)
                return r;
        *out = (struct vb_id_range){ .uid = (uid_t)us, .gid = (gid_t)gs, .count = un < gn ? un : gn };
        return 0;
}

/* ---- processes running as an id ------------------------------------------------------------ */

/* The four ids after "Uid:" or "Gid:" in a /proc/PID/status text: does one equal id? */
static bool status_has(const char *text, const char *key, uint32_t id)
{
        const char *p = strstr(text, key);

        if (!p)
                return false;
        p += strlen(key);
        for (int i = 0; i < 4; i++) {
                char *end;
                unsigned long v = strtoul(p, &end, 10);

                if (end == p)
                        return false;
                if (v == id)
                        return true;
                p = end;
        }
        return false;
}

/*
 * Call fn for each entry of the directory dir_fd until it returns true (then true), read with
 * getdents64(2) into a buffer of our own: the warm zygote takes leases, and a helper allocates
 * nothing (helpers/helper.h), which opendir() would.
 */
static bool each_entry(int dir_fd, bool (*fn)(int dir_fd, const char *name, void *data), void *data)
{
        _Alignas(8) char buf[4096];
        long n;

        if (lseek(dir_fd, 0, SEEK_SET) < 0)
                return false;
        while ((n = syscall(SYS_getdents64, dir_fd, buf, sizeof(buf))) > 0)
                for (long off = 0; off < n;) {
                        const struct dirent64 *e = (const struct dirent64 *)(buf + off);

                        off += e->d_reclen;
                        if (isdigit((unsigned char)e->d_name[0]) && fn(dir_fd, e->d_name, data))
                                return true;
                }
        return false;
}

struct ids {
        uid_t uid;
        gid_t gid;
};

static bool runs_as(int proc_fd, const char *pid, void *data)
{
        const struct ids *ids = data;
        char path[300], buf[2048];

        snprintf(path, sizeof(path), "/proc/%s/status", pid);
        if (read_small(path, buf, sizeof(buf)) < 0)
                return false; /* gone meanwhile */
        return status_has(buf, "\nUid:", (uint32_t)ids->uid) || status_has(buf, "\nGid:", (uint32_t)ids->gid);
}

bool vb_id_in_use(uid_t uid, gid_t gid)
{
        _cleanup_close_ int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct ids ids = { uid, gid };

        if (proc < 0)
                return true; /* cannot tell: assume it is */
        return each_entry(proc, runs_as, &ids);
}

/* ---- leases ------------------------------------------------------------------------------- */

/* The lock directory, made if missing; refused unless it is a directory of ours that no one else may write. */
static int open_lockdir(const char *lockdir)
{
        char parent[PATH_MAX];
        const char *slash = strrchr(lockdir, '/');
        struct stat st;
        int fd;

        if (!slash || slash == lockdir || (size_t)(slash - lockdir) >= sizeof(parent))
                return -EINVAL;
        memcpy(parent, lockdir, (size_t)(slash - lockdir));
        parent[slash - lockdir] = '\0';
        if (mkdir(parent, 0755) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        if (mkdir(lockdir, 0700) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        fd = open(lockdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 0022)) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

/* Is name, in dir, still the file fd has open (not unlinked or replaced since)? */
static bool still_there(int dir, const char *name, int fd)
{
        struct stat a, b;

        return fstat(fd, &a) == 0 && fstatat(dir, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

/* Lock the id uid+i: 1 with *fd, 0 when it is held (or its file is dirty and the id still in use), -errno. */
static int try_slot(int dir, const struct vb_id_range *r, uint32_t i, int *fd_out)
{
        char name[16];
        struct stat st;

        snprintf(name, sizeof(name), "%u", (unsigned)(r->uid + i));
        for (int attempt = 0; attempt < 3; attempt++) {
                _cleanup_close_ int fd = openat(dir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

                if (fd < 0)
                        return NEG_ERRNO();
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        return errno == EWOULDBLOCK ? 0 : NEG_ERRNO();
                if (!still_there(dir, name, fd))
                        continue; /* given back (unlinked) between our open and our lock: again */
                if (fstat(fd, &st) < 0)
                        return NEG_ERRNO();
                /* Dirty: its holder died; a process of that void may still be on its way out. */
                if (st.st_size > 0 && vb_id_in_use(r->uid + i, r->gid + i))
                        return 0;
                /*
                 * Marked taken (a file with content is "dirty" once its holder dies).  Written over,
                 * never truncated: what a dead holder wrote may stay behind it, and an ftruncate()
                 * made the last close() of the file cost some 300 us here.
                 */
                snprintf(name, sizeof(name), "%d\n", (int)getpid());
                if (pwrite(fd, name, strlen(name), 0) != (ssize_t)strlen(name))
                        return NEG_ERRNO();
                *fd_out = TAKE_FD(fd);
                return 1;
        }
        return 0;
}

/* One lock file: if its holder died (it can be locked) and no process uses its id any more, it goes. */
static bool sweep_one(int dir, const char *name, void *data)
{
        const struct vb_id_range *r = data;
        _cleanup_close_ int fd = -1;
        unsigned long id;
        char *end;

        id = strtoul(name, &end, 10);
        if (*end || id < r->uid || id - r->uid >= r->count)
                return false;
        fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || !still_there(dir, name, fd))
                return false;
        if (!vb_id_in_use((uid_t)id, (gid_t)(r->gid + (id - r->uid))))
                (void)unlinkat(dir, name, 0);
        return false;
}

/* Remove lock files whose holder died and whose id no process uses any more (SIGKILLed supervisors). */
static void sweep(int dir, const struct vb_id_range *r)
{
        (void)each_entry(dir, sweep_one, (void *)r);
}

static uint32_t random_index(uint32_t n)
{
        uint32_t x;

        if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
                x = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
        return x % n;
}

int vb_id_lease_take(const struct vb_id_range *r, const char *lockdir, struct vb_id_lease *out)
{
        _cleanup_close_ int dir = -1;
        uint32_t first;
        int fd = -1, rr;

        if (r->count == 0)
                return -EINVAL;
        dir = open_lockdir(lockdir ? lockdir : VB_ID_LOCKDIR);
        if (dir < 0)
                return dir;
        sweep(dir, r);
        first = random_index(r->count);
        for (uint32_t k = 0; k < r->count; k++) {
                uint32_t i = (first + k) % r->count;

                rr = try_slot(dir, r, i, &fd);
                if (rr < 0)
                        return rr;
                if (rr == 0)
                        continue;
                *out = (struct vb_id_lease){ .fd = fd, .uid = r->uid + i, .gid = r->gid + i };
                snprintf(out->path, sizeof(out->path), "%s/%u", lockdir ? lockdir : VB_ID_LOCKDIR, (unsigned)out->uid);
                return 0;
        }
        return -EUSERS;
}

void vb_id_lease_drop(struct vb_id_lease *l, bool maybe_running)
{
        if (l->fd < 0)
                return;
        /* Unlinked while still locked, so that no one who opened the name before takes a stale lock. */
        if (!maybe_running || !vb_id_in_use(l->uid, l->gid))
                (void)unlink(l->path);
        vb_closep(&l->fd);
        l->fd = -1;
}

/* ---- idmap namespaces ----------------------------------------------------------------------- */

static int hold_ns(void *arg)
{
        const int *p = arg;
        char byte;

        /* Our copy of the write end first, so that the parent's close is the end of the pipe. */
        close(p[1]);
        /* Until then: the namespace must live while its maps are written and it is opened. */
        (void)!read(p[0], &byte, 1);
        return 0;
}

static int write_map(pid_t pid, const char *file, unsigned inner, unsigned outer)
{
        char path[64], line[64];
        _cleanup_close_ int fd = -1;
        int len;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        len = snprintf(line, sizeof(line), "%u %u 1\n", inner, outer);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        if (write(fd, line, (size_t)len) != len)
                return NEG_ERRNO();
        return 0;
}

int vb_id_write_maps(pid_t pid, uid_t inner_uid, uid_t outer_uid, gid_t inner_gid, gid_t outer_gid)
{
        int r = write_map(pid, "uid_map", (unsigned)inner_uid, (unsigned)outer_uid);

        return r < 0 ? r : write_map(pid, "gid_map", (unsigned)inner_gid, (unsigned)outer_gid);
}

int vb_id_idmap_userns(uid_t inner_uid, uid_t outer_uid, gid_t inner_gid, gid_t outer_gid, int *out)
{
        /* The holder shares our memory (CLONE_VM: nothing to copy) and runs on this stack until reaped. */
        _Alignas(16) char stack[16 * 1024];
        char path[64];
        int p[2], r, fd = -1;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        pid = clone(hold_ns, stack + sizeof(stack), CLONE_NEWUSER | CLONE_VM | SIGCHLD, p);
        if (pid < 0) {
                r = NEG_ERRNO();
                close(p[0]);
                close(p[1]);
                return r;
        }
        r = vb_id_write_maps(pid, inner_uid, outer_uid, inner_gid, outer_gid);
        if (r >= 0) {
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        r = NEG_ERRNO();
        }
        close(p[1]); /* the holder reads EOF and leaves */
        while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
                ;
        close(p[0]);
        if (r < 0) {
                vb_closep(&fd);
                return r;
        }
        *out = fd;
        return 0;
}
