/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "mode": "replace": the void writes a new file, and the shim puts it in
 * place of the target only when the void exits 0.  Until then the target is
 * untouched, and a failed, killed or interrupted void leaves nothing behind.
 *
 * The new file is unnamed (O_TMPFILE) where the file system allows: if the
 * shim itself is killed, the kernel frees it.  It is linked under a private
 * name and renamed over the target only at commit, so the target changes in
 * one step (rename(2) is atomic), never partly written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "voidbuilder/cleanup.h"

/* ".NAME.XXXXXXXX.voidshim": hidden, and recognisably ours if the shim was killed. */
static char *temp_name(const char *name)
{
        static const char hex[] = "0123456789abcdef";
        unsigned char rnd[4] = { 0 };
        char suffix[9];
        char *out = NULL;

        if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
                /* Only uniqueness matters (O_EXCL and EEXIST retries do the rest), not secrecy. */
                uint32_t x = (uint32_t)getpid() * 2654435761u ^ (uint32_t)(uintptr_t)name;

                memcpy(rnd, &x, sizeof(rnd));
        }
        for (size_t i = 0; i < sizeof(rnd); i++) {
                suffix[2 * i] = hex[rnd[i] >> 4];
                suffix[2 * i + 1] = hex[rnd[i] & 15];
        }
        suffix[8] = '\0';
        if (asprintf(&out, ".%.200s.%s.voidshim", name, suffix) < 0)
                return NULL;
        return out;
}

/* The directory part of path, opened O_PATH, and its last component. */
static int split_target(const char *path, int *dirfd, char **name)
{
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = NULL;

        if (slash && !slash[1])
                return -EISDIR; /* "dir/": a directory, never a file to replace */
        dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
        *name = strdup(slash ? slash + 1 : path);
        if (!dir || !*name) {
                free(*name);
                return -ENOMEM;
        }
        if (strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0) {
                free(*name);
                return -EISDIR;
        }
        *dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*dirfd < 0) {
                int r = NEG_ERRNO();

                free(*name);
                return r;
        }
        return 0;
}

static int open_named(struct exec_replace *r)
{
        for (int tries = 0; tries < 16; tries++) {
                int fd;

                free(r->tmpname);
                r->tmpname = temp_name(r->name);
                if (!r->tmpname)
                        return -ENOMEM;
                fd = openat(r->dirfd, r->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                            0600);
                if (fd >= 0)
                        return fd;
                if (errno != EEXIST)
                        return NEG_ERRNO();
        }
        return -EEXIST;
}

int exec_replace_open(const char *path, struct exec_replace *out)
{
        struct exec_replace r = { .fd = -1, .dirfd = -1 };
        mode_t um = umask(0);
        struct stat st;
        int e;

        umask(um);
        e = split_target(path, &r.dirfd, &r.name);
        if (e < 0)
                return e;
        r.path = strdup(path);
        if (!r.path) {
                exec_replace_discard(&r);
                return -ENOMEM;
        }
        r.mode = 0666 & ~um;
        if (fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                /* A symlink is replaced by the file, as rename(2) does; anything else but a file is refused. */
                if (S_ISDIR(st.st_mode) || (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))) {
                        exec_replace_discard(&r);
                        return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
                }
                if (S_ISREG(st.st_mode)) {
                        r.mode = st.st_mode & 07777;
                        r.chown = true, r.uid = st.st_uid, r.gid = st.st_gid;
                }
        } else if (errno != ENOENT) {
                e = NEG_ERRNO();
                exec_replace_discard(&r);
                return e;
        }
        /* Unnamed first; 0600 until commit, whatever the target's mode. */
        r.fd = openat(r.dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (r.fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
                r.fd = open_named(&r);
        else if (r.fd < 0)
                r.fd = NEG_ERRNO();
        if (r.fd < 0) {
                e = r.fd;
                r.fd = -1;
                exec_replace_discard(&r);
                return e;
        }
        *out = r;
        return 0;
}

/* Name an O_TMPFILE file: through /proc/self/fd, which needs no privilege (linkat(AT_EMPTY_PATH) does). */
static int link_unnamed(struct exec_replace *r)
{
        char proc[64];

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", r->fd);
        for (int tries = 0; tries < 16; tries++) {
                free(r->tmpname);
                r->tmpname = temp_name(r->name);
                if (!r->tmpname)
                        return -ENOMEM;
                if (linkat(AT_FDCWD, proc, r->dirfd, r->tmpname, AT_SYMLINK_FOLLOW) == 0)
                        return 0;
                if (errno != EEXIST) {
                        free(r->tmpname);
                        r->tmpname = NULL;
                        return NEG_ERRNO();
                }
        }
        return -EEXIST;
}

int exec_replace_commit(struct exec_replace *r)
{
        bool named = r->tmpname != NULL;
        int e = 0;

        /* Best effort: the target's owner is kept only where the caller may give it (as root, or its own group). */
        if (r->chown)
                (void)!fchown(r->fd, r->uid, r->gid);
        if (fchmod(r->fd, r->mode) < 0 || fsync(r->fd) < 0)
                e = NEG_ERRNO();
        if (e == 0 && !named)
                e = link_unnamed(r);
        if (e == 0 && renameat(r->dirfd, r->tmpname, r->dirfd, r->name) < 0)
                e = NEG_ERRNO();
        if (e == 0) {
                free(r->tmpname);
                r->tmpname = NULL; /* it is the target now: nothing to remove */
        }
        exec_replace_discard(r);
        return e;
}

void exec_replace_discard(struct exec_replace *r)
{
        if (r->tmpname && r->dirfd >= 0)
                (void)unlinkat(r->dirfd, r->tmpname, 0);
        if (r->fd >= 0)
                close(r->fd);
        if (r->dirfd >= 0)
                close(r->dirfd);
        free(r->tmpname), free(r->name), free(r->path);
        *r = (struct exec_replace){ .fd = -1, .dirfd = -1 };
}
