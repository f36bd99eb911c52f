/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: files and mounts (see probe.c). */
#include "probe.h"

/* ---- files and mounts ------------------------------------------------- */

int cmd_open(char **argv)
{
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        close(fd);
        return ok();
}

/* Open an existing PATH for writing and close it, writing nothing: the permission check alone. */
int cmd_open_w(char **argv)
{
        int fd = open(argv[0], O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        close(fd);
        return ok();
}

int cmd_write(char **argv)
{
        int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return fail();
        if (write(fd, "probe\n", 6) != 6) {
                int e = errno ? errno : EIO;
                close(fd);
                return fail_errno(e);
        }
        if (close(fd) < 0)
                return fail();
        return ok();
}

/* Write STRING and a newline to the existing file PATH (no O_CREAT: for /proc/sys and devices). */
int cmd_write_str(char **argv)
{
        size_t len = strlen(argv[1]);
        char buf[4096];
        int fd;

        if (len + 1 > sizeof(buf))
                return usage();
        memcpy(buf, argv[1], len);
        buf[len++] = '\n';
        fd = open(argv[0], O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return fail();
        if (write(fd, buf, len) != (ssize_t)len) {
                int e = errno ? errno : EIO;
                close(fd);
                return fail_errno(e);
        }
        if (close(fd) < 0)
                return fail();
        return ok();
}

/* Print the file's first 64 KiB after "ok ": newlines and NULs as spaces, trailing ones dropped. */
int cmd_read(char **argv)
{
        static char buf[65536];
        size_t len = 0;
        ssize_t n;
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
                if (n < 0) {
                        int e = errno;
                        if (e == EINTR)
                                continue;
                        close(fd);
                        return fail_errno(e);
                }
                len += (size_t)n;
        }
        close(fd);
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
                len--;
        for (size_t i = 0; i < len; i++)
                if (buf[i] == '\n' || buf[i] == '\0')
                        buf[i] = ' ';
        buf[len] = '\0';
        printf("ok %s\n", buf);
        return 0;
}

int cmd_ls(char **argv)
{
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        DIR *d = opendir(argv[0]);

        if (!d)
                return fail();
        errno = 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        names = realloc(names, cap * sizeof(*names));
                        if (!names)
                                return fail_errno(ENOMEM);
                }
                if (!(names[n++] = strdup(de->d_name)))
                        return fail_errno(ENOMEM);
        }
        if (errno)
                return fail();
        closedir(d);
        qsort(names, n, sizeof(*names), cmp_str);
        fputs("ok", stdout);
        for (size_t i = 0; i < n; i++)
                printf(" %s", names[i]);
        putchar('\n');
        return 0; /* the process ends now; no need to free */
}

static const char *file_type(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFREG:
                return "file";
        case S_IFDIR:
                return "dir";
        case S_IFLNK:
                return "link";
        case S_IFCHR:
                return "chr";
        case S_IFBLK:
                return "blk";
        case S_IFIFO:
                return "fifo";
        case S_IFSOCK:
                return "sock";
        default:
                return "unknown";
        }
}

int cmd_stat(char **argv)
{
        struct stat st;

        if (lstat(argv[0], &st) < 0)
                return fail();
        printf("ok %u %u %o %s\n", (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777),
               file_type(st.st_mode));
        return 0;
}

int cmd_mkdir(char **argv)
{
        return result(mkdir(argv[0], 0755));
}

int cmd_mknod(char **argv)
{
        return result(mknod(argv[0], S_IFCHR | 0666, makedev(1, 3)));
}

int cmd_umount(char **argv)
{
        return result(umount2(argv[0], MNT_DETACH));
}

/* A bind mount is remounted with MS_BIND; try that first, then a plain remount. */
int cmd_remount_rw(char **argv)
{
        if (mount(NULL, argv[0], NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
                return ok();
        return result(mount(NULL, argv[0], NULL, MS_REMOUNT, NULL));
}

int cmd_mount_tmpfs(char **argv)
{
        return result(mount("tmpfs", argv[0], "tmpfs", 0, NULL));
}

int cmd_mount_proc(char **argv)
{
        return result(mount("proc", argv[0], "proc", 0, NULL));
}

/* Detach PATH, then list what is left there: "ok" and the names (see `ls`). */
int cmd_umount_ls(char **argv)
{
        if (umount2(argv[0], MNT_DETACH) < 0)
                return fail();
        return cmd_ls(argv);
}

/* Write BYTES zero bytes to PATH (created): ok, or the first error (ENOSPC, EFBIG...). */
int cmd_fill(char **argv)
{
        static const char zeros[65536];
        long total;
        int fd;

        if (!parse_long(argv[1], 0, 1L << 40, &total))
                return usage();
        fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return fail();
        while (total > 0) {
                size_t chunk = total < (long)sizeof(zeros) ? (size_t)total : sizeof(zeros);
                ssize_t n = write(fd, zeros, chunk);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;
                        close(fd);
                        return fail_errno(e);
                }
                total -= n;
        }
        if (close(fd) < 0)
                return fail();
        return ok();
}

/* Read exactly N bytes from PATH: "ok N", or the errno (EIO at an early end of file). */
int cmd_readn(char **argv)
{
        char buf[4096];
        long want, got = 0;
        int fd;

        if (!parse_long(argv[1], 0, 1L << 30, &want))
                return usage();
        fd = open(argv[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fail();
        while (got < want) {
                size_t chunk = want - got < (long)sizeof(buf) ? (size_t)(want - got) : sizeof(buf);
                ssize_t n = read(fd, buf, chunk);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;
                        close(fd);
                        return fail_errno(e);
                }
                got += n;
        }
        close(fd);
        printf("ok %ld\n", got);
        return 0;
}

/* Like `read`, from an inherited fd N. */
int cmd_read_fd(char **argv)
{
        static char buf[65536];
        ssize_t n;
        size_t len = 0;
        long fd;

        if (!parse_long(argv[0], 0, 1 << 20, &fd))
                return usage();
        while (len < sizeof(buf) - 1 && (n = read((int)fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return fail();
                len += (size_t)n;
        }
        while (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        printf("ok %s\n", buf);
        return 0;
}

/* What fd N is: "ok TYPE" plus "MAJOR:MINOR" for a device. */
int cmd_fdstat(char **argv)
{
        struct stat st;
        long fd;

        if (!parse_long(argv[0], 0, 1 << 20, &fd))
                return usage();
        if (fstat((int)fd, &st) < 0)
                return fail();
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                printf("ok %s %u:%u\n", file_type(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
        else
                printf("ok %s\n", file_type(st.st_mode));
        return 0;
}

/* Open "/" N times and keep every fd: "ok N", or the errno of the first failure (EMFILE). */
int cmd_open_many(char **argv)
{
        long n;

        if (!parse_long(argv[0], 0, 1 << 20, &n))
                return usage();
        for (long i = 0; i < n; i++)
                if (open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC) < 0)
                        return fail();
        printf("ok %ld\n", n);
        return 0;
}

/* Copy SRC to DST (mode 0755) and exec DST with the remaining arguments: shows noexec (EACCES). */
int cmd_copy_exec(char **argv)
{
        char buf[65536];
        ssize_t n;
        int in = open(argv[0], O_RDONLY | O_CLOEXEC), out;

        if (in < 0)
                return fail();
        out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        if (out < 0)
                return fail();
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        return fail();
        if (n < 0 || close(out) < 0)
                return fail();
        close(in);
        fflush(stdout);
        execv(argv[1], argv + 1);
        return fail();
}

/* Print "ok" and the mount points of this mount namespace, space separated, in mountinfo order. */
int cmd_mountpoints(char **argv)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096], point[4096];

        if (!f)
                return fail();
        fputs("ok", stdout);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1)
                        printf(" %s", point);
        putchar('\n');
        fclose(f);
        return 0;
}
