/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The powerbox's inbox (doc/servers.md, "The powerbox": a shared inbox
 * mount propagated into the void, parent shared, void slave).
 *
 * A small holder process owns a mount namespace of its own (with a user
 * namespace of its own when the caller is not root, who may not mount in the
 * host's).  In it a tmpfs, the inbox, is shared.  Each void receives a clone
 * of it by fd and makes that a slave: what the holder mounts in its inbox (a
 * grant) appears in every void, what it detaches (a revocation) disappears.
 *
 * The holder takes typed requests only (never a command line or a path to
 * interpret with its own authority): CLONE, GRANT of a path
 * that must be the (st_dev, st_ino) the caller opened, UNGRANT of a name.  It
 * is started by vb_helper_start(), dies with the calling thread
 * (PR_SET_PDEATHSIG) and when its channel closes, and
 * its mount namespace, with every grant in it, dies with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/mount.h"
#include "core/ns.h"
#include "core/void.h"
#include "helpers/helper.h"
#include "helpers/inbox.h"

enum inbox_op { OP_CLONE = 1, OP_GRANT, OP_UNGRANT, OP_IDMAP };

struct inbox_req {
        uint32_t op;
        uint32_t rw;
        uint64_t dev, ino; /* GRANT: what the caller opened */
        uint32_t mode;     /* GRANT: its file type (S_IFDIR, S_IFREG, S_IFSOCK) */
        char name[VB_INBOX_NAME_MAX + 1];
        char path[PATH_MAX]; /* GRANT: absolute, without symlinks, as the caller's fd reads */
};

struct inbox_rep {
        int32_t r; /* 0 or -errno; CLONE carries the tree's fd */
};

struct inbox_grant {
        char *name, *path;
        bool rw;
};

struct vb_inbox {
        pid_t pid;
        int pidfd;
        int sock; /* SOCK_SEQPACKET to the holder */
        struct inbox_grant *grants;
        size_t n;
        char line[PATH_MAX + 128];
};

/* One datagram, with at most one fd (fd < 0: none).  0 or -errno; never raises SIGPIPE. */
static int send_msg(int sock, const void *buf, size_t len, int fd)
{
        return vb_fd_sendmsg(sock, buf, len, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
}

/* One datagram; *fd gets the fd it carried (O_CLOEXEC) or -1.  Its length, 0 at end, or -errno. */
static ssize_t recv_msg(int sock, void *buf, size_t len, int *fd, int flags)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * 4)];
                struct cmsghdr align;
        } u;
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        ssize_t n;

        *fd = -1;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return NEG_ERRNO();
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int got;

                        memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (*fd < 0)
                                *fd = got;
                        else
                                close(got); /* only one is ever meant: never leak the rest */
                }
        }
        if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
                vb_closep(fd);
                *fd = -1;
                return -EBADMSG;
        }
        return n;
}

/* Request and answer.  Stale answers (a requester killed halfway) are dropped first. */
static int exchange(int sock, const struct inbox_req *req, int *fd_out)
{
        struct inbox_rep rep;
        int fd = -1;
        ssize_t n;
        int r;

        while (recv_msg(sock, &rep, sizeof(rep), &fd, MSG_DONTWAIT) > 0)
                vb_closep(&fd);
        r = send_msg(sock, req, sizeof(*req), -1);
        if (r < 0)
                return r == -EPIPE || r == -ECONNRESET ? -ECHILD : r;
        n = recv_msg(sock, &rep, sizeof(rep), &fd, 0);
        if (n == 0)
                return -ECHILD; /* the holder is gone */
        if (n < 0)
                return (int)n;
        if (n != sizeof(rep) || rep.r > 0) {
                vb_closep(&fd);
                return -EBADMSG;
        }
        if (rep.r < 0 || !fd_out) {
                vb_closep(&fd);
                return rep.r;
        }
        if (fd < 0)
                return -EBADMSG;
        *fd_out = fd;
        return 0;
}

int vb_inbox_request_idmap(int sock, int userns_fd)
{
        struct inbox_req req = { .op = OP_IDMAP };
        struct inbox_rep rep;
        int fd = -1, r;
        ssize_t n;

        if (sock < 0)
                return -EBADF;
        while (recv_msg(sock, &rep, sizeof(rep), &fd, MSG_DONTWAIT) > 0)
                vb_closep(&fd);
        r = send_msg(sock, &req, sizeof(req), userns_fd);
        if (r < 0)
                return r == -EPIPE || r == -ECONNRESET ? -ECHILD : r;
        n = recv_msg(sock, &rep, sizeof(rep), &fd, 0);
        vb_closep(&fd);
        if (n <= 0)
                return n == 0 ? -ECHILD : (int)n;
        return n == sizeof(rep) && rep.r <= 0 ? rep.r : -EBADMSG;
}

int vb_inbox_request_clone(int sock)
{
        struct inbox_req req = { .op = OP_CLONE };
        int fd = -1, r;

        if (sock < 0)
                return -EBADF; /* a plan made for explain only */
        r = exchange(sock, &req, &fd);
        return r < 0 ? r : fd;
}

/* ---- the holder ------------------------------------------------------------------- */

static int holder_setup(uid_t uid, gid_t gid, int *root, int *inbox)
{
        int r;

        /* As root the host's user namespace will do; anyone else needs one of their own to mount. */
        if (uid != 0) {
                if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                        return NEG_ERRNO();
                r = vb_ns_write_id_maps(uid, gid);
                if (r < 0)
                        return r;
        } else if (unshare(CLONE_NEWNS) < 0) {
                return NEG_ERRNO();
        }
        /* Grants are resolved from here, opened before the inbox is stacked on "/". */
        *root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*root < 0)
                return NEG_ERRNO();
        return vb_mount_inbox_create(inbox);
}

/*
 * What the holder granted, kept so that every grant can be made again through
 * a new idmap (OP_IDMAP): the directory it bound (O_PATH) and how.
 */
struct held_grant {
        char name[VB_INBOX_NAME_MAX + 1];
        int src;
        bool rw;
};

/* The grants a holder keeps at once: it allocates nothing (helper.h), so they are counted. */
#define INBOX_MAX_GRANTS 256

struct holder {
        int root, inbox;
        int idmap; /* the user namespace grants are idmapped with, or -1 */
        struct held_grant g[INBOX_MAX_GRANTS];
        size_t n;
};

static int holder_remember(struct holder *h, const char *name, int src, bool rw)
{
        int fd;

        if (h->n == INBOX_MAX_GRANTS)
                return -ENOSPC;
        fd = fcntl(src, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return NEG_ERRNO();
        h->g[h->n] = (struct held_grant){ .src = fd, .rw = rw };
        snprintf(h->g[h->n].name, sizeof(h->g[h->n].name), "%s", name);
        h->n++;
        return 0;
}

static void holder_forget(struct holder *h, const char *name)
{
        for (size_t i = 0; i < h->n; i++)
                if (strcmp(h->g[i].name, name) == 0) {
                        close(h->g[i].src);
                        h->g[i] = h->g[--h->n];
                        return;
                }
}

/*
 * The voids that take this inbox from now on run as another uid: idmap every
 * grant with its namespace (each is unmounted and bound again, which the voids'
 * copies follow).  A grant that cannot be made so stays as it was.
 */
static int holder_idmap(struct holder *h, int userns)
{
        int r = 0;

        vb_closep(&h->idmap);
        h->idmap = userns;
        for (size_t i = 0; i < h->n; i++) {
                struct held_grant *g = &h->g[i];
                int rr = vb_mount_inbox_ungrant(h->inbox, g->name);

                if (rr >= 0)
                        rr = vb_mount_inbox_grant(h->inbox, g->src, g->name, g->rw, h->idmap);
                if (rr < 0) {
                        (void)vb_mount_inbox_grant(h->inbox, g->src, g->name, g->rw, -1);
                        r = r < 0 ? r : rr;
                }
        }
        return r;
}

static int holder_grant(int root, int inbox, struct inbox_req *req, struct holder *h)
{
        /*
         * Security: the path is the one the caller's own fd reads as, checked against that fd's
         * (st_dev, st_ino).  No symlink is followed and ".." cannot climb out, so nothing but the
         * very directory the caller opened (with the caller's own rights) can be bound.
         */
        struct open_how how = { .flags = O_PATH | O_CLOEXEC | (S_ISDIR(req->mode) ? O_DIRECTORY : O_NOFOLLOW),
                                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int fd = -1;
        const char *rel = req->path;
        struct stat st;
        int r;

        if (h->n == INBOX_MAX_GRANTS)
                return -ENOSPC; /* the holder counts its grants: it allocates nothing */
        if (req->path[0] != '/')
                return -EINVAL;
        while (*rel == '/')
                rel++;
        fd = (int)syscall(SYS_openat2, root, *rel ? rel : ".", &how, sizeof(how));
        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if ((uint64_t)st.st_dev != req->dev || (uint64_t)st.st_ino != req->ino ||
            (st.st_mode & S_IFMT) != (req->mode & S_IFMT))
                return -ESTALE;
        r = vb_mount_inbox_grant(inbox, fd, req->name, req->rw != 0, h->idmap);
        if (r < 0)
                return r;
        r = holder_remember(h, req->name, fd, req->rw != 0);
        if (r < 0)
                (void)vb_mount_inbox_ungrant(inbox, req->name);
        return r;
}

/* One request; fd is what it carried (taken by OP_IDMAP, else closed by the caller). */
static int holder_serve(struct holder *h, struct inbox_req *req, int *fd, int *out)
{
        int r;

        req->name[sizeof(req->name) - 1] = '\0';
        req->path[sizeof(req->path) - 1] = '\0';
        switch (req->op) {
        case OP_CLONE:
                *out = vb_mount_inbox_clone(h->inbox);
                return *out < 0 ? *out : 0;
        case OP_GRANT:
                return holder_grant(h->root, h->inbox, req, h);
        case OP_UNGRANT:
                r = vb_mount_inbox_ungrant(h->inbox, req->name);
                if (r >= 0)
                        holder_forget(h, req->name);
                return r;
        case OP_IDMAP:
                if (*fd < 0)
                        return -EBADF;
                return holder_idmap(h, TAKE_FD(*fd));
        default:
                return -EOPNOTSUPP;
        }
}

/* The holder's life (helper.h: it allocates nothing): serve requests until the channel closes. */
static _Noreturn void holder_main(int sock, uid_t uid, gid_t gid)
{
        static struct holder h = { .root = -1, .inbox = -1, .idmap = -1 };
        struct inbox_rep rep;

        rep.r = holder_setup(uid, gid, &h.root, &h.inbox);
        (void)send_msg(sock, &rep, sizeof(rep), -1);
        if (rep.r < 0)
                _exit(VB_HELPER_EXIT_SETUP);
        for (;;) {
                struct inbox_req req;
                int fd = -1, out = -1;
                ssize_t n = recv_msg(sock, &req, sizeof(req), &fd, 0);

                if (n <= 0)
                        _exit(0); /* the channel closed: the caller is done with the inbox */
                rep.r = n == sizeof(req) ? holder_serve(&h, &req, &fd, &out) : -EBADMSG;
                vb_closep(&fd); /* only OP_IDMAP takes the fd it carries */
                (void)send_msg(sock, &rep, sizeof(rep), out);
                vb_closep(&out);
        }
}

/* ---- the caller's side -------------------------------------------------------------- */

VB_API int vb_inbox_new(struct vb_inbox **out, struct vb_error **err)
{
        struct vb_inbox *box = calloc(1, sizeof(*box));
        struct inbox_rep rep = { .r = -ECHILD };
        uid_t uid = geteuid();
        gid_t gid = getegid();
        int sv[2], fd = -1;
        ssize_t n;

        if (!box)
                return vb_error_set(err, ENOMEM, "inbox");
        box->pid = -1;
        box->pidfd = box->sock = -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                vb_inbox_free(box);
                return vb_error_set(err, errno, "inbox: channel to its holder");
        }
        box->sock = sv[0];
        box->pid = vb_helper_start(&sv[1], 1, &box->pidfd);
        if (box->pid == 0)
                holder_main(sv[1], uid, gid);
        close(sv[1]);
        if (box->pid < 0) {
                int r = box->pid;

                box->pid = -1;
                vb_inbox_free(box);
                return vb_error_set(err, r, "inbox: starting its holder");
        }
        n = recv_msg(box->sock, &rep, sizeof(rep), &fd, 0);
        vb_closep(&fd);
        if (n != sizeof(rep) || rep.r < 0) {
                int r = n != sizeof(rep) ? -ECHILD : rep.r;

                vb_inbox_free(box);
                return vb_error_set(err, -r, "inbox: making its holder's mount namespace");
        }
        *out = box;
        return 0;
}

VB_API struct vb_inbox *vb_inbox_free(struct vb_inbox *box)
{
        if (!box)
                return NULL;
        /* Closing the channel ends the holder; its namespace and every grant in it go with it. */
        vb_closep(&box->sock);
        if (box->pidfd >= 0) {
                (void)pidfd_send_signal(box->pidfd, SIGKILL, NULL, 0);
                while (waitid(P_PIDFD, (id_t)box->pidfd, &(siginfo_t){}, WEXITED) < 0 && errno == EINTR)
                        ;
                vb_closep(&box->pidfd);
        } else if (box->pid > 0) {
                kill(box->pid, SIGKILL);
                while (waitpid(box->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        for (size_t i = 0; i < box->n; i++) {
                free(box->grants[i].name);
                free(box->grants[i].path);
        }
        free(box->grants);
        free(box);
        return NULL;
}

static struct inbox_grant *find(struct vb_inbox *box, const char *name)
{
        for (size_t i = 0; i < box->n; i++)
                if (strcmp(box->grants[i].name, name) == 0)
                        return &box->grants[i];
        return NULL;
}

/* What the caller's fd is, as a path from our root: the holder re-opens exactly that. */
static int describe_fd(int dirfd, struct inbox_req *req, struct vb_error **err)
{
        char proc[64];
        struct stat st;
        ssize_t n;

        if (fstat(dirfd, &st) < 0)
                return vb_error_set(err, errno, "inbox: the directory to grant");
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISSOCK(st.st_mode))
                return vb_error_set(err, EINVAL, "inbox: only a directory, a file or a unix socket can be granted");
        req->mode = st.st_mode & S_IFMT;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
        n = readlink(proc, req->path, sizeof(req->path) - 1);
        if (n < 0)
                return vb_error_set(err, errno, "inbox: reading the path of the directory to grant");
        req->path[n] = '\0';
        if (req->path[0] != '/' || st.st_nlink == 0)
                return vb_error_set(err, ESTALE, "inbox: %s is not reachable from our root, or was removed", req->path);
        req->dev = (uint64_t)st.st_dev;
        req->ino = (uint64_t)st.st_ino;
        return 0;
}

static int ungrant_in_holder(struct vb_inbox *box, const char *name)
{
        struct inbox_req req = { .op = OP_UNGRANT };

        snprintf(req.name, sizeof(req.name), "%s", name);
        return exchange(box->sock, &req, NULL);
}

VB_API int vb_inbox_grant(struct vb_inbox *box, int dirfd, const char *name, unsigned flags, struct vb_error **err)
{
        struct inbox_req req = { .op = OP_GRANT, .rw = (flags & VB_MOUNT_RW) ? 1 : 0 };
        struct inbox_grant *g;
        int r;

        if (flags & ~VB_MOUNT_RW)
                return vb_error_set(err, EINVAL, "inbox: a grant is read-only or VB_MOUNT_RW");
        r = describe_fd(dirfd, &req, err);
        if (r < 0)
                return r;
        if (!name)
                name = strrchr(req.path, '/') + 1;
        if (!vb_mount_inbox_name_ok(name))
                return vb_error_set(err, EINVAL,
                                    "inbox: '%s' cannot name a grant (1 to %d of [A-Za-z0-9_.-+@,], "
                                    "not starting with '.')",
                                    name, VB_INBOX_NAME_MAX);
        if (find(box, name))
                return vb_error_set(err, EEXIST, "inbox: %s is granted already (ungrant it first)", name);
        snprintf(req.name, sizeof(req.name), "%s", name);
        g = reallocarray(box->grants, box->n + 1, sizeof(*g));
        if (!g)
                return vb_error_set(err, ENOMEM, "inbox");
        box->grants = g;
        r = exchange(box->sock, &req, NULL);
        if (r < 0)
                return vb_error_set(err, -r, "inbox: granting %s as %s%s", req.path, name,
                                    r == -ESTALE   ? " (it changed while being granted)"
                                    : r == -ECHILD ? " (its holder is gone)"
                                                   : "");
        g = &box->grants[box->n];
        g->name = strdup(name);
        g->path = strdup(req.path);
        g->rw = req.rw;
        if (!g->name || !g->path) {
                free(g->name);
                free(g->path);
                (void)ungrant_in_holder(box, name);
                return vb_error_set(err, ENOMEM, "inbox");
        }
        box->n++;
        return 0;
}

VB_API int vb_inbox_ungrant(struct vb_inbox *box, const char *name, struct vb_error **err)
{
        struct inbox_grant *g = find(box, name);
        int r;

        if (!g)
                return vb_error_set(err, ENOENT, "inbox: nothing is granted as %s", name);
        r = ungrant_in_holder(box, name);
        if (r < 0)
                return vb_error_set(err, -r, "inbox: revoking %s", name);
        free(g->name);
        free(g->path);
        *g = box->grants[--box->n];
        return 0;
}

VB_API size_t vb_inbox_count(const struct vb_inbox *box)
{
        return box->n;
}

VB_API const char *vb_inbox_describe(struct vb_inbox *box, size_t i, const char **name)
{
        if (i >= box->n)
                return NULL;
        if (name)
                *name = box->grants[i].name;
        snprintf(box->line, sizeof(box->line), "%s <- %s, %s", box->grants[i].name, box->grants[i].path,
                 box->grants[i].rw ? "read-write" : "read-only");
        return box->line;
}

VB_API pid_t vb_inbox_pid(const struct vb_inbox *box)
{
        return box->pid;
}

VB_API int vb_inbox_pidfd(const struct vb_inbox *box)
{
        return box->pidfd;
}

VB_API int vb_void_inbox(struct vb_void *v, struct vb_inbox *box, const char *dst)
{
        int fd = -1, r;

        for (size_t i = 0; i < v->n_mounts; i++)
                if (v->mounts[i].kind == VB_MNT_INBOX)
                        return -EEXIST;
        /* The void's child asks the holder for its clone over this channel (inbox.h). */
        if (box && (fd = fcntl(box->sock, F_DUPFD_CLOEXEC, 3)) < 0)
                return NEG_ERRNO();
        r = vb_void_add_mount(v, VB_MNT_INBOX, NULL, dst, 0, 0, 0755, NULL);
        if (r < 0) {
                vb_closep(&fd);
                return r;
        }
        v->mounts[v->n_mounts - 1].src_fd = fd;
        return 0;
}
