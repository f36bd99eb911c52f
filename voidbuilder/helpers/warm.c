/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Warm voids: voids built ahead of time, each waiting for the one program it
 * will run.
 *
 * Most of a void's cost is making it: the namespaces (the network one above
 * all), the root, the mounts.  None of that depends on the program's
 * arguments, so a helper process (the zygote) makes whole voids in advance,
 * off the spawn path, on the other core.  A spawn then only hands a waiting
 * void its arguments and fds; the void puts on its seccomp filter, arranges
 * its fds and execs.  Every void still gets namespaces of its own and serves
 * exactly one spawn: nothing is shared between two programs.
 *
 *   caller --credit--> zygote --clone3(CLONE_PARENT)--> void (the caller's child)
 *   caller <--{pid; pidfd, ctl}-- zygote
 *   caller <--"ready"-- void;  caller --{argv; fds}--> void;  EOF (exec) or a report
 *
 * The void is born with CLONE_PARENT, so it is the caller's child and
 * vb_proc_wait() reaps it as it reaps any void.  It waits with its caps
 * dropped and no_new_privs on, and runs only our code until the exec; a
 * policy of the caller's that forbids recvmsg() goes on after the request
 * (the built-in one before it, off the spawn path), and so does Landlock,
 * so that the fds the request brings are confined as a cold void's are.  The request socket is the
 * void's report channel too: a step that fails writes its report there, and
 * the exec closes it (CLOEXEC), which the caller reads as EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define VB_CLEANUP_CAP
#include "core/caps.h"
#include "core/child.h"
#include "core/cleanup.h"
#include "core/spawn.h"
#include "core/void.h"
#include "helpers/helper.h"
#include "voidbuilder.h"

#define WARM_MAX_FDS  32
#define WARM_MAX_ARGS (64 * 1024) /* bytes of NUL-terminated arguments in one request */
#define WARM_MAX_ARGC 4096
#define WARM_MAGIC    0x766d7731u /* "vmw1" */

struct warm_req {
        uint32_t magic;
        uint32_t argc; /* 0: the template's arguments */
        uint32_t n_fds;
        int32_t target[WARM_MAX_FDS];
};

/* The zygote's word on each void it made: the fds {pidfd, request socket[, lease]} come with it. */
struct warm_born {
        int32_t pid;
        int32_t errnum; /* the clone failed: no fds */
        uint32_t host_uid, host_gid;
        uint8_t has_ids, reserved, pidns_fresh;
};

struct warm_void {
        pid_t pid;
        int pidfd;
        int sock;
        struct vb_spawn_prep prep; /* its lease on reserved ids, given back once it is reaped */
};

#define WARM_VOID_NONE \
        ((struct warm_void){ .pidfd = -1, .sock = -1, .prep = { .lease = { .fd = -1 }, .idmap_fd = -1 } })

struct vb_warm {
        pid_t zpid;
        int zpidfd;
        int zsock;   /* SOCK_SEQPACKET to the zygote */
        int alive_w; /* the voids' lifeline: they check it when they start */
        char *exec_path;
        struct warm_void held;    /* taken and found ready, not yet used (pid 0: none) */
        struct vb_keep_fd *fds;   /* room for a void's fds (vb_child_ctx.warm_fds), the zygote's copy is used */
        struct vb_id_range range; /* the ids reserved for voidshim, read here: the zygote allocates nothing */
};

/* ---- the request, encoded by the caller and decoded in the void ---------- */

static int encode_request(char *const argv[], const struct vb_warm_fd *fds, size_t n_fds, char **buf, size_t *len)
{
        struct warm_req hdr = { .magic = WARM_MAGIC, .n_fds = (uint32_t)n_fds };
        size_t total = sizeof(hdr), argc = 0;
        char *b, *p;

        if (n_fds > WARM_MAX_FDS)
                return -E2BIG;
        for (size_t i = 0; i < n_fds; i++) {
                if (fds[i].fd < 0 || fds[i].target < 0)
                        return -EINVAL;
                hdr.target[i] = fds[i].target;
        }
        for (; argv && argv[argc]; argc++) {
                total += strlen(argv[argc]) + 1;
                if (total - sizeof(hdr) > WARM_MAX_ARGS || argc >= WARM_MAX_ARGC)
                        return -E2BIG;
        }
        hdr.argc = (uint32_t)argc;
        b = malloc(total);
        if (!b)
                return -ENOMEM;
        memcpy(b, &hdr, sizeof(hdr));
        p = b + sizeof(hdr);
        for (size_t i = 0; i < argc; i++)
                p = stpcpy(p, argv[i]) + 1;
        *buf = b;
        *len = total;
        return 0;
}

/* In the void: check the request and point argv at its strings.  -EPROTO when it does not add up. */
static int decode_request(char *buf, size_t len, size_t n_fds_got, char **argv, size_t max_argc)
{
        const struct warm_req *hdr = (const struct warm_req *)buf;
        char *p = buf + sizeof(*hdr), *end = buf + len;

        if (len < sizeof(*hdr) || hdr->magic != WARM_MAGIC || hdr->n_fds != n_fds_got || hdr->argc > max_argc)
                return -EPROTO;
        for (uint32_t i = 0; i < hdr->argc; i++) {
                char *nul = memchr(p, '\0', (size_t)(end - p));

                if (!nul)
                        return -EPROTO;
                argv[i] = p;
                p = nul + 1;
        }
        argv[hdr->argc] = NULL;
        return p == end ? 0 : -EPROTO;
}

/*
 * The void's fds: the template's, except where the request names the same
 * target, then the request's, into all (room for v->n_fds + WARM_MAX_FDS,
 * allocated by the caller: the void allocates nothing, helper.h).
 */
static void merge_fds(struct vb_void *v, struct vb_keep_fd *all, const int32_t *target, const int *fds, size_t n)
{
        size_t k = 0;

        for (size_t i = 0; i < v->n_fds; i++) {
                bool replaced = false;

                for (size_t j = 0; j < n; j++)
                        replaced |= target[j] == v->fds[i].target;
                if (!replaced)
                        all[k++] = v->fds[i];
        }
        for (size_t j = 0; j < n; j++)
                all[k++] = (struct vb_keep_fd){ .fd = fds[j], .target = target[j] };
        v->fds = all; /* the child's copy: the template's array stays the parent's */
        v->n_fds = k;
}

void vb_warm_await(struct vb_child_ctx *c)
{
        /* Static: argv must outlive this function, up to the exec; the void is single-threaded. */
        static char buf[sizeof(struct warm_req) + WARM_MAX_ARGS];
        static char *argv[WARM_MAX_ARGC + 1];
        struct vb_report ready = { .step = VB_STEP_WAIT };
        int fds[WARM_MAX_FDS];
        size_t len = sizeof(buf);
        bool eof;
        int n, r;

        if (write(c->warm_fd, &ready, sizeof(ready)) != sizeof(ready))
                _exit(125); /* the caller is gone */
        n = vb_fd_recvmsg(c->warm_fd, buf, &len, fds, WARM_MAX_FDS, 0, &eof);
        if (n >= 0 && eof)
                _exit(0); /* vb_warm_free(): never used */
        if (n < 0)
                vb_child_fail(c, VB_STEP_WAIT, n, "reading the request");
        r = decode_request(buf, len, (size_t)n, argv, ELEMENTSOF(argv) - 1);
        if (r >= 0 && argv[0])
                c->v->argv = argv;
        if (r >= 0)
                merge_fds(c->v, c->warm_fds, ((const struct warm_req *)buf)->target, fds, (size_t)n);
        if (r < 0)
                vb_child_fail(c, VB_STEP_WAIT, r, "the request");
}

/* ---- the zygote ------------------------------------------------------------ */

/*
 * A void's mount namespace, held by the zygote until the void exits.  The
 * last reference to a mount namespace tears its tree down (umount, an RCU
 * grace period, freeing) in the exit path of whoever drops it, before the
 * parent hears of the exit: held here, that work is the zygote's, on the
 * other core, after the caller has reaped the void.  The namespace holds
 * nothing the void could still reach.
 */
struct held_ns {
        int pidfd;
        int mnt;
};

#define WARM_HOLD_MAX 128

static void hold_mnt_ns(struct held_ns *held, size_t *n, pid_t pid, int pidfd)
{
        char path[64];
        int fd, dup_pidfd;

        if (*n == WARM_HOLD_MAX)
                return; /* more live voids than that: the rest tear down as usual */
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        /* Still the process we made (not reaped, the pid not reused) after the open? */
        dup_pidfd = pidfd_send_signal(pidfd, 0, NULL, 0) == 0 ? fcntl(pidfd, F_DUPFD_CLOEXEC, 3) : -1;
        if (dup_pidfd < 0) {
                close(fd);
                return;
        }
        held[(*n)++] = (struct held_ns){ .pidfd = dup_pidfd, .mnt = fd };
}

/* Make one void and send it to the caller; false when the caller is gone. */
static bool make_one(struct vb_void *v, const struct vb_child_ctx *proto, int sock, struct held_ns *held,
                     size_t *n_held)
{
        struct vb_child_ctx ctx = *proto;
        struct vb_spawn_prep prep;
        struct warm_born born = {};
        int pair[2], pidfd = -1, r;
        bool ok = true;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                born.errnum = errno;
                return vb_fd_sendmsg(sock, &born, sizeof(born), NULL, 0) >= 0;
        }
        ctx.report_fd = ctx.warm_fd = ctx.sync_fd = pair[1];
        ctx.close_in_child[0] = pair[0];
        ctx.close_in_child[1] = sock;
        r = vb_spawn_prepare(v, &prep, &ctx, getppid(), NULL);
        pid = r < 0 ? r : vb_spawn_clone(v, &ctx, &pidfd, CLONE_PARENT, NULL);
        if (r >= 0)
                vb_spawn_prepared(v, &prep);
        close(pair[1]);
        /*
         * The void's steps after the clone are ours, as we cloned it.  If they fail it is killed,
         * and still sent: it is the caller's child, to reap (it reads EOF where "ready" would be).
         */
        if (pid > 0 && vb_spawn_settle(v, &ctx, &prep, pid, pair[0], pair[0], NULL) < 0)
                (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        if (pid < 0) {
                born.errnum = -pid;
                ok = vb_fd_sendmsg(sock, &born, sizeof(born), NULL, 0) >= 0;
        } else {
                /* Two-stage (joined namespaces): the clone's mount namespace is not the void's. */
                if (!ctx.two_stage)
                        hold_mnt_ns(held, n_held, pid, pidfd);
                born = (struct warm_born){ .pid = pid,
                                           .host_uid = prep.host_uid,
                                           .host_gid = prep.host_gid,
                                           .has_ids = prep.has_ids,
                                           .reserved = prep.reserved,
                                           .pidns_fresh = prep.pidns_fresh };
                if (vb_fd_sendmsg(sock, &born, sizeof(born), (int[]){ pidfd, pair[0], prep.lease.fd },
                                  prep.lease.fd >= 0 ? 3 : 2) < 0) {
                        (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        ok = false; /* the caller is gone: so is its child */
                }
                close(pidfd);
        }
        /* The lease travels with the void (its lock is held by the caller's copy): ours only closes. */
        if (r >= 0)
                vb_closep(&prep.lease.fd);
        close(pair[0]);
        return ok;
}

/*
 * One void per credit, each sent to the caller with its pidfd and request
 * socket.  Never returns.  Like its voids it allocates nothing (helper.h).
 */
static _Noreturn void zygote(struct vb_void *v, struct vb_child_ctx *proto, int sock)
{
        static struct held_ns held[WARM_HOLD_MAX];
        struct pollfd pfd[WARM_HOLD_MAX + 1];
        size_t n_held = 0;
        char credit;

        for (;;) {
                pfd[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
                for (size_t i = 0; i < n_held; i++)
                        pfd[i + 1] = (struct pollfd){ .fd = held[i].pidfd, .events = POLLIN };
                if (poll(pfd, n_held + 1, -1) < 0 && errno != EINTR)
                        _exit(1);
                /* A void that exited: its namespace goes now (backwards: the array is compacted). */
                for (size_t i = n_held; i-- > 0;)
                        if (pfd[i + 1].revents) {
                                close(held[i].mnt);
                                close(held[i].pidfd);
                                held[i] = held[--n_held];
                        }
                if (!(pfd[0].revents & (POLLIN | POLLHUP)))
                        continue;
                if (read(sock, &credit, 1) != 1 || !make_one(v, proto, sock, held, &n_held))
                        _exit(0); /* EOF: vb_warm_free(); the held namespaces go with us */
        }
}

/* ---- the caller's side -------------------------------------------------------- */

static void discard(struct warm_void *wv)
{
        if (wv->pidfd >= 0) {
                (void)pidfd_send_signal(wv->pidfd, SIGKILL, NULL, 0);
                (void)waitid(P_PIDFD, (id_t)wv->pidfd, &(siginfo_t){}, WEXITED);
        }
        vb_spawn_prep_release(&wv->prep);
        vb_closep(&wv->pidfd);
        vb_closep(&wv->sock);
        *wv = WARM_VOID_NONE;
}

/*
 * The next message from the zygote (waiting for it): 1 with a void in *wv,
 * 0 at EOF, -errno (with err) otherwise; *spent is set when the zygote spent
 * a credit on a void it could not make (the socket itself is fine).
 */
static int receive(struct vb_warm *w, struct warm_void *wv, bool *spent, struct vb_error **err)
{
        struct warm_born born = {};
        size_t len = sizeof(born);
        int fds[3], n;
        bool eof;

        *spent = false;
        n = vb_fd_recvmsg(w->zsock, &born, &len, fds, 3, 0, &eof);
        if (n < 0)
                return vb_error_set(err, n, "taking a warm void");
        if (eof)
                return 0;
        if (n != 2 + (born.reserved ? 1 : 0) || len != sizeof(born)) {
                for (int i = 0; i < n; i++)
                        close(fds[i]);
                *spent = n == 0 && born.errnum > 0;
                if (*spent)
                        return vb_error_set(err, born.errnum, "creating the void's namespaces");
                return vb_error_set(err, EPROTO, "taking a warm void");
        }
        *wv = WARM_VOID_NONE;
        wv->pid = born.pid;
        wv->pidfd = fds[0];
        wv->sock = fds[1];
        wv->prep.has_ids = born.has_ids;
        wv->prep.reserved = born.reserved;
        wv->prep.pidns_fresh = born.pidns_fresh;
        wv->prep.host_uid = born.host_uid;
        wv->prep.host_gid = born.host_gid;
        if (born.reserved) {
                wv->prep.lease = (struct vb_id_lease){ .fd = fds[2], .uid = born.host_uid, .gid = born.host_gid };
                snprintf(wv->prep.lease.path, sizeof(wv->prep.lease.path), "%s/%u", VB_ID_LOCKDIR,
                         (unsigned)born.host_uid);
        }
        return 1;
}

/* Ask the zygote for one more void, made while the one just taken runs. */
static int credit(struct vb_warm *w, struct vb_error **err)
{
        if (write(w->zsock, "c", 1) != 1)
                return vb_error_set(err, errno, "asking for another warm void");
        return 0;
}

/* Wait until wv says it is ready; a void that failed on the way is reaped, its report in err. */
static int await_ready(struct vb_warm *w, struct warm_void *wv, struct vb_error **err)
{
        struct vb_report rep;
        int r = vb_spawn_read_report(wv->sock, &rep);

        if (r == 1 && rep.step == VB_STEP_WAIT && rep.errnum == 0)
                return 0;
        discard(wv);
        if (r < 0)
                return vb_error_set(err, r, "reading the warm void's report");
        if (r == 0)
                return vb_error_set(err, ECHILD, "the warm void ended before it was ready");
        return vb_spawn_report_error(w->exec_path, &rep, err);
}

VB_API struct vb_warm *vb_warm_free(struct vb_warm *w)
{
        struct warm_void wv;

        if (!w)
                return NULL;
        discard(&w->held);
        if (w->zsock >= 0) {
                /* The zygote reads EOF and leaves; every void it sent is still in the socket: end each. */
                (void)shutdown(w->zsock, SHUT_WR);
                bool spent;
                int r;

                while ((r = receive(w, &wv, &spent, NULL)) > 0 || spent)
                        if (r > 0)
                                discard(&wv);
        }
        if (w->zpidfd >= 0) {
                (void)pidfd_send_signal(w->zpidfd, SIGKILL, NULL, 0);
                (void)waitid(P_PIDFD, (id_t)w->zpidfd, &(siginfo_t){}, WEXITED);
        }
        vb_closep(&w->zpidfd);
        vb_closep(&w->zsock);
        vb_closep(&w->alive_w);
        free(w->exec_path);
        free(w->fds);
        free(w);
        return NULL;
}

static void warm_freep(struct vb_warm **w)
{
        vb_warm_free(*w);
}

/*
 * Start the zygote (helper.h) with everything a void needs prepared; fills
 * w's fds.  It keeps its socket, the lifeline and the fds the template holds.
 */
static int start_zygote(struct vb_warm *w, struct vb_void *v, cap_t caps, struct vb_error **err)
{
        _cleanup_close_ int alive_r = -1, zs = -1;
        struct vb_child_ctx proto;
        size_t n_keep = vb_void_held_fds(v, NULL, 0) + 2;
        int sv[2], pp[2], *keep;
        pid_t pid;

        w->fds = calloc(v->n_fds + WARM_MAX_FDS, sizeof(*w->fds));
        if (!w->fds)
                return vb_error_set(err, ENOMEM, "allocating the warm pool");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return vb_error_set(err, errno, "creating the warm pool's socket");
        w->zsock = sv[0], zs = sv[1];
        if (pipe2(pp, O_CLOEXEC) < 0)
                return vb_error_set(err, errno, "creating the lifeline pipe");
        alive_r = pp[0], w->alive_w = pp[1];
        proto = (struct vb_child_ctx){
                .v = v,
                .alive_fd = alive_r,
                .uid = geteuid(),
                .gid = getegid(),
                .caps = caps,
                .warm_fds = w->fds,
                .range = &w->range,
                .init_sock = -1,
        };
        keep = calloc(n_keep, sizeof(*keep));
        if (!keep)
                return vb_error_set(err, ENOMEM, "allocating the warm pool");
        keep[0] = zs, keep[1] = alive_r;
        vb_void_held_fds(v, keep + 2, n_keep - 2);
        pid = vb_helper_start(keep, n_keep, &w->zpidfd);
        if (pid == 0)
                zygote(v, &proto, zs);
        free(keep);
        if (pid < 0)
                return vb_error_set(err, pid, "starting the warm pool's helper");
        w->zpid = pid;
        return 0;
}

VB_API struct vb_warm *vb_warm_new(struct vb_void *v, unsigned depth, struct vb_error **err)
{
        _cleanup_(warm_freep) struct vb_warm *w = NULL;
        _cleanup_cap_ cap_t caps = NULL;
        int r;

        if (depth == 0 || depth > 64) {
                vb_error_set(err, EINVAL, "warm pool depth %u (1 to 64)", depth);
                return NULL;
        }
        if (v->pool) {
                vb_error_set(err, EINVAL, "a warm pool makes its voids' namespaces ahead already: no netns pool");
                return NULL;
        }
        if (v->ctr) { /* core/container.h: held starts, id maps, users... are spawn's alone */
                vb_error_set(err, EINVAL, "a warm pool does not take container requests (vb_void_id_maps(), ...)");
                return NULL;
        }
        if (vb_spawn_validate(v, err) < 0)
                return NULL;
        if (v->limits.pids || v->limits.memory || v->limits.cpu) {
                vb_error_set(err, EINVAL,
                             "limits are not supported for warm voids (each would need cgroups of its own)");
                return NULL;
        }
        w = calloc(1, sizeof(*w));
        if (!w) {
                vb_error_set(err, ENOMEM, "allocating the warm pool");
                return NULL;
        }
        w->zpidfd = w->zsock = w->alive_w = -1;
        w->held = WARM_VOID_NONE;
        if (vb_spawn_check_identity(v, &w->range, err) < 0)
                return NULL;
        if ((r = vb_void_prepare_seccomp(v, err)) < 0) {
                vb_error_wrap(err, r, "compiling the seccomp filter");
                return NULL;
        }
        if (vb_void_prepare_covers(v, err) < 0)
                return NULL;
        caps = vb_caps_prepare(v->keep_caps);
        if (!caps || !(w->exec_path = strdup(v->exec_path))) {
                vb_error_set(err, ENOMEM, "allocating the warm pool");
                return NULL;
        }
        if (start_zygote(w, v, caps, err) < 0)
                return NULL;
        for (unsigned i = 0; i < depth; i++)
                if (write(w->zsock, "c", 1) != 1) {
                        vb_error_set(err, errno, "asking the warm pool's helper for voids");
                        return NULL;
                }
        /*
         * The first void proves the template: a step that fails for it would fail for every one.
         * It is held, not replaced, so `depth` voids exist; its credit is sent when it is used.
         */
        r = receive(w, &w->held, &(bool){ false }, err);
        if (r == 0)
                r = vb_error_set(err, ECHILD, "the warm pool's helper is gone");
        if (r >= 0)
                r = await_ready(w, &w->held, err);
        if (r < 0)
                return NULL;
        vb_void_logf(v, "warm pool: %u voids of %s", depth, v->exec_path);
        return TAKE_PTR(w);
}

static void error_freep(struct vb_error **e)
{
        vb_error_free(*e);
}

/* The held void, or the next one from the zygote, ready for its request.  0 or -errno (with err). */
static int next_ready(struct vb_warm *w, struct warm_void *wv, struct vb_error **err)
{
        if (w->held.pid > 0) {
                *wv = w->held;
                w->held = WARM_VOID_NONE;
                return 0;
        }
        /* A void killed while it waited (by someone else) is skipped: the next one serves. */
        for (int attempt = 0;; attempt++) {
                _cleanup_(error_freep) struct vb_error *e = NULL;
                bool spent = false;
                int r = receive(w, wv, &spent, &e);

                if (spent)
                        (void)credit(w, NULL); /* keep the pool at its depth */
                if (r == 0)
                        return vb_error_set(err, ECHILD, "taking a warm void: the helper is gone");
                if (r > 0)
                        r = await_ready(w, wv, &e);
                if (r >= 0)
                        return r;
                if (r != -ECHILD || attempt == 1) {
                        if (err && !*err)
                                *err = TAKE_PTR(e);
                        return r;
                }
                (void)credit(w, NULL);
        }
}

VB_API int vb_warm_spawn(struct vb_warm *w, char *const argv[], const struct vb_warm_fd *fds, size_t n_fds,
                         struct vb_proc **out, struct vb_error **err)
{
        _cleanup_free_ char *req = NULL;
        struct warm_void wv;
        struct vb_report rep;
        int send_fds[WARM_MAX_FDS];
        size_t len = 0;
        int r;

        r = encode_request(argv, fds, n_fds, &req, &len);
        if (r < 0)
                return vb_error_set(err, r, "the warm void's request (at most %d fds, %d bytes of arguments)",
                                    WARM_MAX_FDS, WARM_MAX_ARGS);
        for (size_t i = 0; i < n_fds; i++)
                send_fds[i] = fds[i].fd;
        for (int attempt = 0;; attempt++) {
                r = next_ready(w, &wv, err);
                if (r < 0)
                        return r;
                r = vb_fd_sendmsg(wv.sock, req, len, send_fds, n_fds);
                /* Killed while it waited: its socket is closed.  Once, the next void serves instead. */
                if ((r == -EPIPE || r == -ECONNRESET) && attempt == 0) {
                        discard(&wv);
                        (void)credit(w, NULL);
                        continue;
                }
                break;
        }
        if (r < 0)
                r = vb_error_set(err, r, "starting the warm void");
        else
                r = vb_spawn_read_report(wv.sock, &rep);
        /*
         * Only now ask for the replacement: the zygote's clone3() would compete with this void's
         * last steps and exec for the CPU and the kernel's namespace locks; after the exec it
         * overlaps with the program instead.
         */
        (void)credit(w, NULL);
        if (r != 0) {
                discard(&wv);
                if (r < 0)
                        return err && *err ? r : vb_error_set(err, r, "reading the warm void's report");
                return vb_spawn_report_error(w->exec_path, &rep, err);
        }
        vb_closep(&wv.sock);
        *out = vb_proc_adopt(wv.pid, wv.pidfd, &wv.prep);
        if (!*out) {
                wv.sock = -1;
                discard(&wv);
                return vb_error_set(err, ENOMEM, "allocating the handle");
        }
        return 0;
}
