/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server's loop: one epoll set of the listening socket, its clients, the
 * pidfds of the voids it runs for them, and SIGTERM/SIGINT/SIGHUP.
 *
 * A request is served only when everything the cold path would take from
 * the client is the same here: its uid (SO_PEERCRED: another user is refused,
 * a different process of ours declined), what a void inherits from its
 * spawner (serve_peer.c), a plan the server serves (serve_plan_why()), and
 * fds it can hand in.  Then the plan's pool gives a warm void, the client's
 * fds and argv go in its request (vb_warm_spawn()), and the server closes its
 * copies at once.  The void is reaped when it ends, and its wait status sent;
 * a client that goes away first (killed, say) has its void killed and reaped,
 * as a cold run's death kills its void.  Every void serves one run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve_loop.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

enum { EV_LISTEN = 1, EV_SIGNAL, EV_CONN, EV_VOID };

static int watch(struct server *s, int fd, unsigned kind, size_t idx)
{
        struct epoll_event ev = { .events = EPOLLIN | (kind == EV_CONN ? EPOLLRDHUP : 0),
                                  .data.u64 = ((uint64_t)kind << 32) | (uint32_t)idx };

        return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? NEG_ERRNO() : 0;
}

/*
 * Out of the epoll set, before the fd closes: a pool's helper process may
 * hold a copy of the same file (a pidfd it dup()ed, a socket open when it was
 * forked), and epoll would go on reporting it under our index.
 */
static void unwatch(struct server *s, int fd)
{
        if (fd >= 0)
                (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void reply(int fd, enum serve_kind kind, int32_t value)
{
        struct serve_reply rep = { .magic = SERVE_MAGIC, .kind = kind, .value = value };

        (void)!send(fd, &rep, sizeof(rep), MSG_NOSIGNAL);
}

static void conn_close(struct server *s, struct conn *c)
{
        if (c->p) { /* its client went away first: the void goes too */
                int status;

                unwatch(s, vb_proc_pidfd(c->p));
                (void)vb_proc_kill(c->p, SIGKILL);
                (void)vb_proc_wait(c->p, &status);
                c->p = vb_proc_free(c->p);
                s->n_running--;
        }
        unwatch(s, c->fd);
        vb_closep(&c->fd);
        c->fd = -1;
}

static struct conn *conn_new(struct server *s, int fd, size_t *idx)
{
        size_t i = 0;

        while (i < s->n_conns && s->conns[i].fd >= 0)
                i++;
        if (i == s->n_conns) {
                struct conn *n = reallocarray(s->conns, s->n_conns + 8, sizeof(*n));

                if (!n)
                        return NULL;
                for (size_t k = s->n_conns; k < s->n_conns + 8; k++)
                        n[k] = (struct conn){ .fd = -1 };
                s->conns = n;
                s->n_conns += 8;
        }
        s->conns[i] = (struct conn){ .fd = fd };
        *idx = i;
        return &s->conns[i];
}

/* Is the peer of fd one of our own uid, in everything a void would inherit the same as we are?  WHY_NONE if so. */
static enum serve_why check_peer(struct server *s, int fd)
{
        struct ucred cred;
        socklen_t len = sizeof(cred);
        _cleanup_close_ int pidfd = -1;
        struct serve_attrs a;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid())
                return WHY_PEER;
        len = sizeof(pidfd);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
                pidfd = pidfd_open(cred.pid, 0); /* before Linux 6.5 */
        if (pidfd < 0 || serve_attrs_read(cred.pid, &a) < 0)
                return WHY_PEER;
        /* Still that process (alive, so its pid was not reused): what we read was its own. */
        if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                return WHY_PEER;
        return serve_attrs_differ(&a, &s->self) ? WHY_PEER : WHY_NONE;
}

/* run's argv out of the request's strings; NULL when they do not add up. */
static char **unpack_args(char *buf, size_t len, uint32_t argc)
{
        char **argv, *p = buf, *end = buf + len;

        if (argc == 0 || argc > 4096 || !(argv = calloc(argc + 1, sizeof(*argv))))
                return NULL;
        for (uint32_t i = 0; i < argc; i++) {
                char *nul = memchr(p, '\0', (size_t)(end - p));

                if (!nul) {
                        free(argv);
                        return NULL;
                }
                argv[i] = p;
                p = nul + 1;
        }
        if (p != end) {
                free(argv);
                return NULL;
        }
        return argv;
}

/* Does plan p, as JSON, read exactly json? */
static bool same_plan(const struct vb_plan *p, const char *json)
{
        _cleanup_free_ char *mine = vb_plan_to_json(p);

        return mine && json && strcmp(mine, json) == 0;
}

/* The client's fd number n, as received here; -1 if it was not sent. */
static int fd_for(const struct serve_req *hdr, const int *fds, int n)
{
        for (uint32_t k = 0; k < hdr->n_fds; k++)
                if (hdr->fd_of[k] == n)
                        return fds[k];
        return -1;
}

/*
 * The plan's fds become ours: its stdio FD grants of the fds the client sent
 * (apply_stdio()'s rule: asked, not claimed by an FD grant, open), and each
 * FD grant's host fd its copy here.  0, or -EBADF for an fd it did not send.
 */
static int map_fds(struct vb_plan *p, const struct serve_req *hdr, const int *fds)
{
        size_t n_grants = p->n_grants;

        for (size_t i = 0; i < n_grants; i++) {
                struct vb_plan_grant *g = &p->grants[i];

                if (g->kind == VB_PLAN_FD && (g->fd = fd_for(hdr, fds, g->fd)) < 0)
                        return -EBADF;
        }
        for (int fd = 0; fd <= 2; fd++) {
                bool claimed = false;
                int mine = fd_for(hdr, fds, fd);

                for (size_t i = 0; i < n_grants; i++)
                        claimed |= p->grants[i].kind == VB_PLAN_FD && p->grants[i].target == fd;
                if (p->stdio[fd] && !claimed && mine >= 0 && vb_plan_fd(p, mine, fd, 0, NULL) < 0)
                        return -ENOMEM;
                p->stdio[fd] = false;
        }
        return 0;
}

/*
 * Start the plan of a parsed request in a warm void: WHY_NONE with c->p, or
 * the reason to decline.  A plan seen for the first time gets its template
 * in *build, to be built once the client's fds are closed.
 */
static enum serve_why start(struct server *s, struct conn *c, struct run_opts *o, const struct serve_req *hdr,
                            const int *fds, char **key, struct serve_template **build)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct vb_warm_fd wfds[SERVE_MAX_FDS];
        struct serve_pool *pool;
        bool failed;
        size_t n = 0;

        if (o->help || o->version || o->seccomp_print || o->explain || serve_plan_why(o->plan))
                return WHY_PLAN;
        if (map_fds(o->plan, hdr, fds) < 0)
                return WHY_PROTOCOL;
        *key = serve_plan_key(o->plan);
        if (!*key)
                return WHY_PLAN;
        pool = serve_pool_find(&s->pools, *key, &failed);
        if (!pool) {
                if (failed)
                        return WHY_BUILD;
                *build = serve_template_new(o->plan);
                return *build ? WHY_NONE : WHY_BUILD;
        }
        /* The fds its voids keep: one the template's void dropped (a terminal, by term denied) is not handed in. */
        for (size_t i = 0; i < o->plan->n_grants; i++) {
                const struct vb_plan_grant *g = &o->plan->grants[i];

                if (g->kind != VB_PLAN_FD || !serve_pool_keeps(pool, g->target))
                        continue;
                if (n == SERVE_MAX_FDS)
                        return WHY_PLAN;
                wfds[n++] = (struct vb_warm_fd){ .fd = g->fd, .target = g->target };
        }
        if (vb_warm_spawn(pool->w, o->plan->argv, wfds, n, &c->p, &err) < 0)
                return WHY_SPAWN; /* the program did not start: the client's cold run says why */
        pool->served++;
        return WHY_NONE;
}

/* --stop or --status on client c: answered, then the connection goes. */
static void handle_control(struct server *s, struct conn *c, uint32_t kind)
{
        if (kind == SERVE_STATUS) {
                serve_status(s, c->fd);
        } else {
                reply(c->fd, SERVE_STOP, (int32_t)getpid());
                s->stopping = true;
        }
        conn_close(s, c);
}

/*
 * What to do with a run request (its header hdr, len bytes with argv and the
 * client's plan, its fds): WHY_NONE with the void started in c->p, or with
 * *build set for a plan whose voids are to be built first; else the reason
 * to decline.
 */
static enum serve_why run_request(struct server *s, struct conn *c, char *buf, size_t len, const int *fds, char **key,
                                  struct serve_template **build)
{
        const struct serve_req *hdr = (const struct serve_req *)buf;
        _cleanup_free_ char **argv = NULL;
        _cleanup_free_ char *why_text = NULL;
        struct run_opts o = {};
        enum serve_why why;

        if (hdr->kind != SERVE_RUN || hdr->plan_len == 0 || hdr->plan_len > len - sizeof(*hdr) || buf[len - 1] != '\0')
                return WHY_PROTOCOL;
        argv = unpack_args(buf + sizeof(*hdr), len - sizeof(*hdr) - hdr->plan_len, hdr->argc);
        why = s->stopping ? WHY_STOPPING : argv ? check_peer(s, c->fd) : WHY_PROTOCOL;
        if (why == WHY_NONE && vb_cli_parse((int)hdr->argc, argv, &o, &why_text) < 0)
                why = WHY_PLAN; /* the client's own parse said so already; it never asks then */
        /*
         * The same plan as the client's own parse, or not served: parsing reads the environment
         * (--keep-env, --profile's search path...), and the server's is not the client's.
         */
        if (why == WHY_NONE && !same_plan(o.plan, buf + len - hdr->plan_len))
                why = WHY_PLAN;
        if (why == WHY_NONE)
                why = start(s, c, &o, hdr, fds, key, build);
        run_opts_done(&o);
        return why;
}

/* A request arrived on client c: serve it or decline it, then forget our copies of its fds. */
static void handle_request(struct server *s, size_t idx)
{
        struct conn *c = &s->conns[idx];
        _cleanup_free_ char *buf = malloc(sizeof(struct serve_req) + SERVE_MAX_ARGS + 1), *key = NULL;
        struct serve_req *hdr = (struct serve_req *)buf;
        struct serve_template *build = NULL;
        enum serve_why why = WHY_PROTOCOL;
        int fds[SERVE_MAX_FDS], n;
        size_t len = sizeof(struct serve_req) + SERVE_MAX_ARGS;
        bool eof = false;

        n = buf ? vb_fd_recvmsg(c->fd, buf, &len, fds, SERVE_MAX_FDS, MSG_DONTWAIT, &eof) : -ENOMEM;
        if (n == -EAGAIN)
                return;
        if (n >= 0 && !eof && len >= sizeof(*hdr) && hdr->magic == SERVE_MAGIC && hdr->version == SERVE_VERSION &&
            hdr->n_fds == (uint32_t)n) {
                if (hdr->kind == SERVE_STOP || hdr->kind == SERVE_STATUS)
                        handle_control(s, c, hdr->kind);
                else
                        why = run_request(s, c, buf, len, fds, &key, &build);
        } else {
                conn_close(s, c); /* not a request of ours */
        }
        for (int i = 0; i < n; i++) /* a void holds its own copies; ours would keep pipes open */
                close(fds[i]);
        if (c->fd < 0)
                return;
        if (why != WHY_NONE) {
                s->fallbacks[why]++;
                reply(c->fd, SERVE_FALLBACK, why);
                conn_close(s, c);
        } else if (build) {
                /*
                 * Now that no fd of the client's is open here, its pool's helper can be forked (it
                 * would keep a copy of each); then the client sends its request again.
                 */
                reply(c->fd, SERVE_RETRY, 0);
                if (serve_pool_build(&s->pools, key, build) >= 0)
                        s->n_built++;
                serve_template_free(build);
        } else {
                /* No word until the void ends: from now on the client never runs the plan itself (serve.h). */
                s->n_served++;
                s->n_running++;
                if (watch(s, vb_proc_pidfd(c->p), EV_VOID, idx) < 0)
                        conn_close(s, c);
        }
}

static void handle_accept(struct server *s)
{
        for (;;) {
                int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                struct ucred cred;
                socklen_t len = sizeof(cred);
                struct conn *c;
                size_t idx;

                if (fd < 0)
                        return;
                /* Security: another user never gets a void of ours, nor a word (it cannot reach the socket either). */
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid()) {
                        s->n_refused++;
                        close(fd);
                        continue;
                }
                c = conn_new(s, fd, &idx);
                if (!c || watch(s, fd, EV_CONN, idx) < 0) {
                        close(fd);
                        if (c)
                                c->fd = -1;
                }
        }
}

/* The void of client idx ended: reap it and tell the client its wait status. */
static void handle_void(struct server *s, size_t idx)
{
        struct conn *c = &s->conns[idx];
        int status = 0;

        if (!c->p)
                return;
        unwatch(s, vb_proc_pidfd(c->p));
        if (vb_proc_wait(c->p, &status) < 0)
                status = W_EXITCODE(SHIM_EXIT_SYSTEM, 0);
        c->p = vb_proc_free(c->p);
        s->n_running--;
        reply(c->fd, SERVE_EXITED, status);
        conn_close(s, c);
}

static int dispatch(struct server *s, const struct epoll_event *ev)
{
        unsigned kind = (unsigned)(ev->data.u64 >> 32);
        size_t idx = (uint32_t)ev->data.u64;
        struct signalfd_siginfo si;

        switch (kind) {
        case EV_LISTEN:
                handle_accept(s);
                return 0;
        case EV_SIGNAL:
                if (read(s->sig_fd, &si, sizeof(si)) == sizeof(si))
                        s->stopping = true;
                return 0;
        case EV_CONN:
                if (idx < s->n_conns && s->conns[idx].fd >= 0) {
                        if (s->conns[idx].p) /* running: anything from the client is its going away */
                                conn_close(s, &s->conns[idx]);
                        else
                                handle_request(s, idx);
                }
                return 0;
        case EV_VOID:
                if (idx < s->n_conns)
                        handle_void(s, idx);
                return 0;
        default:
                return 0;
        }
}

/* Stop taking clients: the socket goes, so new runs go cold at once; the pools' waiting voids end. */
static void stop_listening(struct server *s)
{
        serve_unlink(s);
        vb_closep(&s->listen_fd);
        s->listen_fd = -1;
        serve_pools_done(&s->pools);
}

int serve_loop(struct server *s)
{
        time_t last = time(NULL);

        if (watch(s, s->listen_fd, EV_LISTEN, 0) < 0 || watch(s, s->sig_fd, EV_SIGNAL, 0) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "serve", strerror(errno));
        for (;;) {
                struct epoll_event evs[16];
                int n, timeout = s->idle ? 1000 : -1;

                if (s->stopping && s->listen_fd >= 0)
                        stop_listening(s);
                if (s->stopping && s->n_running == 0)
                        return 0;
                n = epoll_wait(s->epfd, evs, (int)ELEMENTSOF(evs), timeout);
                if (n < 0 && errno != EINTR)
                        return shim_fatal(SHIM_EXIT_SYSTEM, "wait for clients", strerror(errno));
                for (int i = 0; i < n; i++)
                        dispatch(s, &evs[i]);
                if (n > 0 || s->n_running > 0)
                        last = time(NULL);
                else if (s->idle && time(NULL) - last >= (time_t)s->idle)
                        s->stopping = true; /* --idle: nobody asked for a while */
        }
}
