/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A pool of network namespaces made ahead of time.
 *
 * A fresh network namespace is most of a void's cost (about half a
 * millisecond to create here, more to tear down).  The pool moves that work
 * off the spawn path: a helper process creates empty namespaces in advance
 * and passes them over a socket; every spawn of a void that uses the pool
 * joins one of them.  Each namespace goes to exactly one void and is never
 * reused: a pooled void is as isolated as one with its own fresh namespace
 * (no interface up; none of its neighbours' sockets, abstract names or
 * ports), it was only made earlier.
 *
 * The helper is started by vb_helper_start() and dies with the calling thread.
 * Unprivileged, the helper first makes its own user namespace, which then
 * owns the pooled namespaces; each void's fresh user namespace is created
 * inside it, so the void can join the namespace, and still has no power over
 * it (it does not own it): it cannot bring an interface up.
 *
 * Flow control: the parent sends one credit byte per namespace it wants; the
 * helper makes one namespace per credit.  A spawn that finds the pool empty
 * does not wait: it makes its own namespace, as without a pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/ns.h"
#include "core/void.h"
#include "helpers/helper.h"
#include "helpers/pool.h"
#include "voidbuilder.h"

struct vb_pool {
        pid_t pid;
        int pidfd;
        int sock;      /* SOCK_SEQPACKET to the helper */
        int userns_fd; /* the helper's user namespace, or -1 (privileged caller) */
        unsigned depth;
        bool entered; /* vb_pool_enter(): the caller lives in userns_fd, with a home netns it owns */
};

/* The user namespace this process entered with vb_pool_enter(), by inode (0: none): one per process. */
static ino_t entered_userns;

static int send_fd(int sock, int fd)
{
        return vb_fd_send(sock, &fd, fd >= 0 ? 1 : 0);
}

/* Receive one message; *fd is -1 when it carried none, -EPIPE at end of stream. */
static int recv_fd(int sock, int *fd, int flags)
{
        bool eof;
        int r;

        *fd = -1;
        r = vb_fd_recv(sock, fd, 1, flags, &eof);
        if (r < 0)
                return r;
        return eof ? -EPIPE : 0;
}

/* The helper (helper.h: it allocates nothing): never returns.  It holds no authority but its own namespaces. */
static _Noreturn void helper(int sock, bool own_userns, uid_t uid, gid_t gid)
{
        char credit;

        if (own_userns) {
                _cleanup_close_ int u = -1;

                if (unshare(CLONE_NEWUSER) < 0 || vb_ns_write_id_maps(uid, gid) < 0)
                        _exit(1);
                u = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
                if (u < 0 || send_fd(sock, u) < 0)
                        _exit(1);
        } else if (send_fd(sock, -1) < 0) {
                _exit(1);
        }
        while (read(sock, &credit, 1) == 1) {
                _cleanup_close_ int n = -1;

                /* Each unshare() leaves the previous namespace alive only through the fd in flight. */
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                n = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                if (n < 0 || send_fd(sock, n) < 0)
                        _exit(1);
        }
        _exit(0);
}

VB_API struct vb_pool *vb_pool_free(struct vb_pool *p)
{
        if (!p)
                return NULL;
        vb_closep(&p->sock); /* the helper reads EOF and leaves */
        if (p->pidfd >= 0) {
                (void)pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                (void)waitid(P_PIDFD, (id_t)p->pidfd, &(siginfo_t){}, WEXITED);
        }
        vb_closep(&p->pidfd);
        vb_closep(&p->userns_fd);
        free(p);
        return NULL;
}

static void pool_freep(struct vb_pool **p)
{
        vb_pool_free(*p);
}

VB_API struct vb_pool *vb_pool_new(unsigned depth, struct vb_error **err)
{
        _cleanup_(pool_freep) struct vb_pool *p = NULL;
        int sv[2], r;
        uid_t uid = geteuid();
        gid_t gid = getegid();

        if (depth == 0 || depth > 64) {
                vb_error_set(err, EINVAL, "pool depth %u (1 to 64)", depth);
                return NULL;
        }
        p = calloc(1, sizeof(*p));
        if (!p) {
                vb_error_set(err, ENOMEM, "allocating the pool");
                return NULL;
        }
        p->pidfd = p->sock = p->userns_fd = -1;
        p->depth = depth;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                vb_error_set(err, errno, "creating the pool's socket");
                /* p is released by its cleanup attribute, which cppcheck does not model. */
                // cppcheck-suppress memleak
                return NULL;
        }
        p->pid = vb_helper_start(&sv[1], 1, &p->pidfd);
        if (p->pid == 0)
                helper(sv[1], uid != 0, uid, gid);
        close(sv[1]);
        p->sock = sv[0];
        if (p->pid < 0) {
                vb_error_set(err, p->pid, "starting the pool's helper");
                return NULL;
        }
        r = recv_fd(p->sock, &p->userns_fd, 0);
        if (r < 0) {
                vb_error_set(err, r == -EPIPE ? EPERM : -r, "starting the pool's helper%s",
                             r == -EPIPE ? " (it could not create its user namespace)" : "");
                return NULL;
        }
        for (unsigned i = 0; i < depth; i++)
                if (write(p->sock, "c", 1) != 1) {
                        vb_error_set(err, errno, "asking the pool's helper for namespaces");
                        return NULL;
                }
        return TAKE_PTR(p);
}

VB_API int vb_pool_enter(struct vb_pool *p, struct vb_error **err)
{
        struct stat st;

        if (p->userns_fd < 0 || p->entered)
                return 0;
        if (fstat(p->userns_fd, &st) < 0)
                return vb_error_set(err, errno, "entering the pool's user namespace");
        if (entered_userns && entered_userns != st.st_ino)
                return vb_error_set(err, EALREADY, "entering the pool's user namespace (another pool's was entered)");
        if (!entered_userns) {
                /* The kernel refuses (EINVAL) a process with other threads, or that shares its fs_struct. */
                if (setns(p->userns_fd, CLONE_NEWUSER) < 0)
                        return vb_error_set(err, errno, "entering the pool's user namespace%s",
                                            errno == EINVAL ? " (the process must have one thread)" : "");
                entered_userns = st.st_ino;
                /* Home: a netns the pool's user namespace owns, so each spawn may step out of it and back. */
                if (unshare(CLONE_NEWNET) < 0)
                        return vb_error_set(err, errno, "making a home network namespace in the pool's");
        }
        p->entered = true;
        return 0;
}

VB_API int vb_void_use_pool(struct vb_void *v, struct vb_pool *p)
{
        if (p && (v->ns_mode[VB_NS_NET] != VB_NS_FRESH || v->ns_mode[VB_NS_USER] != VB_NS_FRESH))
                return -EINVAL;
        v->pool = p;
        return 0;
}

int vb_pool_take(struct vb_void *v)
{
        struct vb_pool *p = v->pool;
        int fd = -1, r;

        /* A pooled namespace is not the void's to configure: one that wants lo up makes its own. */
        if (!p || v->loopback)
                return 0;
        /* Never wait: an empty pool only means this void makes its own namespace. */
        r = recv_fd(p->sock, &fd, MSG_DONTWAIT);
        if (r == -EAGAIN)
                return 0;
        if (r < 0)
                return r;
        if (fd < 0)
                return -EPROTO;
        (void)!write(p->sock, "c", 1); /* one more, made while this void starts */
        if (p->userns_fd < 0 || p->entered) {
                /*
                 * Privileged pool, or one whose user ns we entered (vb_pool_enter()): the
                 * namespace belongs to our own user ns, so the spawning thread can step into
                 * it for the clone3() and back out (spawn.c), and the void needs no setns()
                 * of its own nor the extra fork that would take.
                 */
                v->park_net_fd = fd;
                return 1;
        }
        {
                v->owner_userns_fd = fcntl(p->userns_fd, F_DUPFD_CLOEXEC, 3);
                if (v->owner_userns_fd < 0) {
                        close(fd);
                        return NEG_ERRNO();
                }
        }
        v->ns_mode[VB_NS_NET] = VB_NS_JOIN;
        v->ns_fd[VB_NS_NET] = fd;
        return 1;
}

void vb_pool_release(struct vb_void *v, int taken)
{
        if (taken <= 0)
                return;
        /* The void holds the namespace now; ours goes, and the next spawn takes another. */
        if (v->ns_mode[VB_NS_NET] == VB_NS_JOIN) {
                vb_closep(&v->ns_fd[VB_NS_NET]);
                v->ns_fd[VB_NS_NET] = -1;
                v->ns_mode[VB_NS_NET] = VB_NS_FRESH;
        }
        vb_closep(&v->owner_userns_fd);
        v->owner_userns_fd = -1;
        vb_closep(&v->park_net_fd);
        v->park_net_fd = -1;
}
