/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `voidshim run` as a supervisor: the caretakers of one run, its control
 * socket, and the loop that serves `voidshim ctl NAME list|revoke|stop` until
 * the void ends.  Every caretaker is our child with PR_SET_PDEATHSIG: if this
 * process dies, they die with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "care.h"
#include "cleanup.h"
#include "shim.h"

#define MAX_CARE 16

struct care_sup {
        struct vb_caretaker *care[MAX_CARE];
        char *care_name[MAX_CARE]; /* what `ctl revoke` takes: "net", "dbus", or the void's socket path */
        size_t n;
        char run_dir[PATH_MAX];  /* private directory of this run's forwarder sockets, or "" */
        char ctl_path[PATH_MAX]; /* the control socket, or "" */
        struct vb_inbox *inbox;  /* --inbox: the powerbox, or NULL */
        int ctl_fd;
        int sig_fd;
        sigset_t old_mask;
        bool mask_set;
};

bool care_needed(const struct vb_opts *o)
{
        return o->name || o->inbox || o->n_proxies || o->dbus_path ||
               (o->server_set[VB_SERVER_NET] && o->server[VB_SERVER_NET] == VB_SERVER_PROXIED);
}

static int add(struct care_sup *s, struct vb_caretaker *c, const char *name)
{
        char *copy = strdup(name);

        if (!copy || s->n >= MAX_CARE) {
                free(copy);
                vb_caretaker_free(c);
                return copy ? -E2BIG : -ENOMEM;
        }
        s->care[s->n] = c;
        s->care_name[s->n++] = copy;
        return 0;
}

static int make_run_dir(struct care_sup *s, struct vb_error **err)
{
        char dir[PATH_MAX];
        int r;

        if (s->run_dir[0])
                return 0;
        r = ctl_runtime_dir(dir, sizeof(dir), true);
        if (r < 0)
                return vb_error_set(err, r, "use the runtime directory %s", dir);
        if ((size_t)snprintf(s->run_dir, sizeof(s->run_dir), "%s/run-%d", dir, (int)getpid()) >= sizeof(s->run_dir))
                return vb_error_set(err, ENAMETOOLONG, "runtime directory");
        if (mkdir(s->run_dir, 0700) < 0) {
                r = vb_error_set(err, errno, "make %s", s->run_dir);
                s->run_dir[0] = '\0';
                return r;
        }
        return 0;
}

/* A forwarder per --proxy-connect, its socket bound at the path the void asked for. */
static int start_forwarders(struct care_sup *s, const struct vb_opts *o, struct vb_void *v, struct vb_error **err)
{
        for (size_t i = 0; i < o->n_proxies; i++) {
                struct vb_caretaker *c = NULL;
                char host[PATH_MAX + 32];
                int r;

                snprintf(host, sizeof(host), "%s/fwd%zu.sock", s->run_dir, i);
                r = vb_caretaker_forward(host, o->proxies[i].upstream, &c, err);
                if (r < 0)
                        return vb_error_wrap(err, "--proxy-connect %s", o->proxies[i].path);
                r = add(s, c, o->proxies[i].path);
                if (r >= 0)
                        r = vb_void_bind(v, host, o->proxies[i].path, VB_MOUNT_RW);
                if (r < 0)
                        return vb_error_set(err, r, "--proxy-connect %s", o->proxies[i].path);
        }
        return 0;
}

static int start_dbus(struct care_sup *s, const struct vb_opts *o, struct vb_void *v, struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        char host[PATH_MAX + 32];
        int r;

        snprintf(host, sizeof(host), "%s/dbus.sock", s->run_dir);
        r = vb_caretaker_dbus(host, o->dbus_bus, (char *const *)o->dbus_talk, &c, err);
        if (r >= 0)
                r = add(s, c, "dbus");
        if (r >= 0)
                r = vb_void_bind(v, host, o->dbus_path, VB_MOUNT_RW);
        if (r >= 0) {
                char addr[PATH_MAX + 16];

                snprintf(addr, sizeof(addr), "unix:path=%s", o->dbus_path);
                r = vb_void_setenv(v, "DBUS_SESSION_BUS_ADDRESS", addr);
        }
        return r < 0 ? vb_error_set(err, r, "--dbus-proxy %s", o->dbus_path) : 0;
}

/* net proxied: the void joins the caretaker's user and network namespaces, where pasta listens. */
static int start_net(struct care_sup *s, const struct vb_opts *o, struct vb_void *v, struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        int r = vb_caretaker_pasta(o->net_allow, o->n_net_allow, &c, err);

        if (r < 0)
                return r;
        r = vb_void_set_ns(v, VB_NS_USER, VB_NS_JOIN, vb_caretaker_ns_fd(c, VB_NS_USER));
        if (r >= 0)
                r = vb_void_set_ns(v, VB_NS_NET, VB_NS_JOIN, vb_caretaker_ns_fd(c, VB_NS_NET));
        if (r >= 0)
                r = add(s, c, "net");
        else
                vb_caretaker_free(c);
        return r < 0 ? vb_error_set(err, r, "join the network caretaker's namespaces") : 0;
}

/* --inbox: the holder of the powerbox; care_attach_inbox() gives the void its slave of it. */
static int start_inbox(struct care_sup *s, const struct vb_opts *o, struct vb_error **err)
{
        int r = vb_inbox_new(&s->inbox, err);

        return r < 0 ? vb_error_wrap(err, "--inbox %s", o->inbox) : 0;
}

int care_attach_inbox(struct care_sup *s, const struct vb_opts *o, struct vb_void *v, struct vb_error **err)
{
        int r = vb_void_inbox(v, s ? s->inbox : NULL, o->inbox);

        return r < 0 ? vb_error_set(err, r, "--inbox %s", o->inbox) : 0;
}

int care_prepare(const struct vb_opts *o, struct vb_void *v, struct care_sup **out, struct vb_error **err)
{
        struct care_sup *s = calloc(1, sizeof(*s));
        int r = 0;

        *out = NULL;
        if (!s)
                return vb_error_set(err, ENOMEM, "supervisor");
        s->ctl_fd = s->sig_fd = -1;
        if (o->n_proxies || o->dbus_path)
                r = make_run_dir(s, err);
        if (r >= 0)
                r = start_forwarders(s, o, v, err);
        if (r >= 0 && o->dbus_path)
                r = start_dbus(s, o, v, err);
        if (r >= 0 && o->server_set[VB_SERVER_NET] && o->server[VB_SERVER_NET] == VB_SERVER_PROXIED)
                r = start_net(s, o, v, err);
        if (r >= 0 && o->inbox)
                r = start_inbox(s, o, err);
        if (r >= 0 && o->name) {
                r = ctl_listen(o->name, s->ctl_path, sizeof(s->ctl_path));
                if (r < 0) {
                        vb_error_set(err, r, "open the control socket for --name %s%s", o->name,
                                     r == -EADDRINUSE ? " (a run with this name is live)" : "");
                        s->ctl_path[0] = '\0';
                } else {
                        s->ctl_fd = r;
                }
        }
        if (r < 0) {
                care_free(s);
                return r;
        }
        *out = s;
        return 0;
}

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        /* MSG_NOSIGNAL: a client that hung up must not kill the supervisor with SIGPIPE. */
        if (n > 0)
                (void)!send(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, MSG_NOSIGNAL);
}

static void list(struct care_sup *s, struct vb_proc *p, int fd)
{
        reply(fd, "void\tpid %d, running\n", (int)vb_proc_pid(p));
        for (size_t i = 0; i < s->n; i++)
                reply(fd, "%s\t%s\n", s->care_name[i], vb_caretaker_describe(s->care[i]));
        if (!s->inbox)
                return;
        reply(fd, "inbox\tholder pid %d, %zu grant%s\n", (int)vb_inbox_pid(s->inbox), vb_inbox_count(s->inbox),
              vb_inbox_count(s->inbox) == 1 ? "" : "s");
        for (size_t i = 0; i < vb_inbox_count(s->inbox); i++) {
                const char *name, *what = vb_inbox_describe(s->inbox, i, &name);

                reply(fd, "%s\tgrant %s\n", name, what);
        }
}

/* "grant PATH ro|rw": PATH is opened here, as the owner (the peer was checked), and handed to the holder. */
static void grant(struct care_sup *s, int fd, char *args)
{
        _cleanup_close_ int dir = -1;
        struct vb_error *err = NULL;
        char *mode = strrchr(args, ' ');
        unsigned flags;

        if (!s->inbox) {
                reply(fd, "error: this run has no inbox (voidshim run --inbox DIR)\n");
                return;
        }
        if (!mode || (strcmp(mode, " ro") != 0 && strcmp(mode, " rw") != 0)) {
                reply(fd, "error: expected grant PATH ro|rw\n");
                return;
        }
        flags = strcmp(mode, " rw") == 0 ? VB_MOUNT_RW : 0;
        *mode = '\0';
        dir = open(args, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
                reply(fd, "error: %s: %s\n", args, strerror(errno));
                return;
        }
        if (vb_inbox_grant(s->inbox, dir, NULL, flags, &err) < 0)
                reply(fd, "%s: %s\n", err->errnum == EINVAL || err->errnum == EEXIST ? "error" : "failed", err->msg);
        else
                reply(fd, "ok\n");
        vb_error_free(err);
}

static void revoke_one(struct care_sup *s, int fd, const char *name, bool caretakers)
{
        struct vb_error *err = NULL;

        for (size_t i = 0; caretakers && i < s->n; i++)
                if (strcmp(s->care_name[i], name) == 0) {
                        vb_caretaker_revoke(s->care[i]);
                        reply(fd, "ok\n");
                        return;
                }
        if (s->inbox && vb_inbox_ungrant(s->inbox, name, &err) >= 0) {
                reply(fd, "ok\n");
        } else if (err && err->errnum != ENOENT) {
                reply(fd, "failed: %s\n", err->msg);
        } else {
                reply(fd, "error: no %s named %s (voidshim ctl NAME list shows them)\n",
                      caretakers ? "caretaker or grant" : "grant", name);
        }
        vb_error_free(err);
}

/*
 * One request: "list", "revoke NAME", "grant PATH ro|rw", "ungrant NAME", "stop".  Answers end with
 * "ok", "error: ..." (the request was wrong) or "failed: ..." (the system refused).
 */
static void serve(struct care_sup *s, struct vb_proc *p, int fd, char *req)
{
        if (strcmp(req, "list") == 0) {
                list(s, p, fd);
                reply(fd, "ok\n");
        } else if (strncmp(req, "revoke ", 7) == 0) {
                revoke_one(s, fd, req + 7, true);
        } else if (strncmp(req, "ungrant ", 8) == 0) {
                revoke_one(s, fd, req + 8, false);
        } else if (strncmp(req, "grant ", 6) == 0) {
                grant(s, fd, req + 6);
        } else if (!*req) {
                return; /* a probe (ctl_listen checking the name) or a client that gave up */
        } else if (strcmp(req, "stop") == 0) {
                vb_proc_kill(p, SIGKILL); /* init of a pid ns: only SIGKILL is sure to end it */
                reply(fd, "ok\n");
        } else {
                reply(fd, "error: unknown request '%s' (list, revoke NAME, grant PATH ro|rw, ungrant NAME, stop)\n",
                      req);
        }
}

int care_supervise(struct care_sup *s, struct vb_proc *p, int *status)
{
        sigset_t mask;

        /*
         * SIGINT, SIGTERM, SIGHUP end the void, then us, so that the sockets and
         * caretakers go too.  Blocked only now: the void must not inherit the mask.
         */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, &s->old_mask) == 0) {
                s->mask_set = true;
                s->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        }
        for (bool holder_seen = false;;) {
                struct pollfd pfd[4] = {
                        { .fd = vb_proc_pidfd(p), .events = POLLIN },
                        { .fd = s->ctl_fd, .events = POLLIN },
                        { .fd = s->sig_fd, .events = POLLIN },
                        { .fd = s->inbox && !holder_seen ? vb_inbox_pidfd(s->inbox) : -1, .events = POLLIN },
                };
                char req[PATH_MAX + 64];

                if (poll(pfd, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (pfd[0].revents)
                        break;
                if (pfd[1].revents & POLLIN) {
                        int fd = ctl_accept(s->ctl_fd, req, sizeof(req));

                        if (fd >= 0) {
                                serve(s, p, fd, req);
                                close(fd);
                        }
                }
                if (pfd[2].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si))
                                vb_proc_kill(p, SIGKILL);
                }
                /*
                 * Fail closed: without its holder no grant can be taken back any more (the void's
                 * copies outlive the holder's namespace), so the void must not go on holding them.
                 */
                if (pfd[3].revents) {
                        holder_seen = true;
                        shim_fatal(SHIM_EXIT_SYSTEM, "keep the inbox",
                                   "its holder died, so grants could no longer be revoked: the void is stopped");
                        vb_proc_kill(p, SIGKILL);
                }
        }
        return vb_proc_wait(p, status);
}

void care_free(struct care_sup *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++) {
                vb_caretaker_free(s->care[i]);
                free(s->care_name[i]);
        }
        /* The holder's namespace, and every grant in it, ends with it. */
        vb_inbox_free(s->inbox);
        if (s->ctl_fd >= 0)
                close(s->ctl_fd);
        if (s->ctl_path[0])
                unlink(s->ctl_path);
        if (s->run_dir[0])
                rmdir(s->run_dir);
        if (s->sig_fd >= 0)
                close(s->sig_fd);
        if (s->mask_set)
                sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        free(s);
}
