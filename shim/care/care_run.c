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
#include <termios.h>
#include <unistd.h>

#include "care/care.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

struct care_sup {
        struct care_set set;
        char ctl_path[PATH_MAX]; /* the control socket, or "" */
        struct vb_inbox *inbox;  /* --inbox: the powerbox, or NULL */
        int ctl_fd;
        int sig_fd;
        sigset_t old_mask;
        bool mask_set;
        struct vb_caretaker *term; /* the terminal caretaker (also in care[]), or NULL */
        int slave;                 /* its pty's slave, until the void is built */
        struct termios saved;      /* the caller's terminal, while it is raw for the relay */
        bool raw;
        const struct care_hooks *hooks; /* a session's additions, or NULL */
};

void care_set_hooks(struct care_sup *s, const struct care_hooks *h)
{
        s->hooks = h;
}

const char *care_ctl_path(const struct care_sup *s)
{
        return s->ctl_path;
}

struct care_set *care_caretakers(struct care_sup *s)
{
        return &s->set;
}

static bool proxied(const struct vb_plan *p, enum vb_server srv)
{
        return p->server_set[srv] && p->server[srv] == VB_SERVER_PROXIED;
}

/* The caretakers of p: a forwarder per --proxy-connect, the D-Bus proxy, the network caretaker. */
static int start_caretakers(struct care_sup *s, struct vb_plan *p, struct vb_error **err)
{
        const struct vb_plan_care *c = &p->care;
        struct vb_caretaker *net = NULL;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < c->n_fwd; i++)
                if ((r = care_set_forward(&s->set, c->fwd[i].at, c->fwd[i].upstream, err)) < 0)
                        vb_error_wrap(err, r, "--proxy-connect %s", c->fwd[i].at);
        if (r >= 0 && c->dbus_at && (r = care_set_dbus(&s->set, c->dbus_at, c->dbus_bus, c->dbus_talk, err)) < 0)
                vb_error_wrap(err, r, "--dbus-proxy %s", c->dbus_at);
        if (r >= 0 && proxied(p, VB_SERVER_NET))
                r = care_set_net(&s->set, c->allow, c->n_allow, &net, err);
        if (r >= 0 && c->n_hosts)
                r = care_set_run_dir(&s->set, err);
        return r < 0 ? r : care_give(&s->set, p, net, err);
}

/*
 * term proxied: a pty relayed by a caretaker to our stdin and stdout.  The
 * void gets the slave as fds 0, 1, 2 and controlling terminal; our own
 * terminal never enters it.  We hold our copy of the slave only until the
 * void is built (care_applied()).
 */
static int start_term(struct care_sup *s, struct vb_plan *p, struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        int r = vb_caretaker_pty(0, 1, &c, &s->slave, err);

        if (r < 0)
                return r;
        r = care_set_adopt(&s->set, c, "term");
        if (r < 0)
                return vb_error_set(err, r, "terminal caretaker");
        s->term = c;
        p->live.terminal_fd = s->slave;
        return 0;
}

void care_applied(struct care_sup *s, struct vb_plan *p)
{
        if (!s || s->slave < 0)
                return;
        close(s->slave);
        s->slave = -1;
        p->live.terminal_fd = -1;
}

/*
 * While the relay runs, our terminal passes every byte through (raw, as
 * script(1) and ssh -t do): the pty's own line discipline does the editing,
 * echo and signals for the void.  Only when we are in its foreground.
 */
static void term_raw(struct care_sup *s)
{
        struct termios raw;

        if (!s->term || s->raw || !isatty(0) || tcgetpgrp(0) != getpgrp() || tcgetattr(0, &s->saved) < 0)
                return;
        raw = s->saved;
        cfmakeraw(&raw);
        s->raw = tcsetattr(0, TCSADRAIN, &raw) == 0;
}

static void term_restore(struct care_sup *s)
{
        if (s->raw)
                (void)tcsetattr(0, TCSADRAIN, &s->saved);
        s->raw = false;
}

int care_prepare(struct vb_plan *p, struct care_sup **out, struct vb_error **err)
{
        struct care_sup *s = calloc(1, sizeof(*s));
        int r = 0;

        *out = NULL;
        if (!s)
                return vb_error_set(err, ENOMEM, "supervisor");
        s->ctl_fd = s->sig_fd = s->slave = -1;
        r = start_caretakers(s, p, err);
        if (r >= 0 && proxied(p, VB_SERVER_TERM))
                r = start_term(s, p, err);
        /* --inbox: the holder of the powerbox; the plan gives the void its slave of it, after every mount. */
        if (r >= 0 && p->care.inbox && (r = vb_inbox_new(&s->inbox, err)) < 0)
                vb_error_wrap(err, r, "--inbox %s", p->care.inbox);
        if (r >= 0)
                p->live.inbox = s->inbox;
        if (r >= 0 && p->care.name) {
                r = ctl_listen(p->care.name, s->ctl_path, sizeof(s->ctl_path));
                if (r == -EPERM) {
                        vb_error_set(err, r, "open the control socket for --name %s: %s", p->care.name,
                                     ctl_runtime_why());
                        s->ctl_path[0] = '\0';
                } else if (r < 0) {
                        vb_error_set(err, r, "open the control socket for --name %s%s", p->care.name,
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

static void list(struct care_sup *s, struct vb_proc *p, int fd)
{
        uid_t uid;
        gid_t gid;

        if (vb_proc_host_ids(p, &uid, &gid) == 0)
                care_reply(fd, "void\tpid %d, host uid %u gid %u, running\n", (int)vb_proc_pid(p), (unsigned)uid,
                           (unsigned)gid);
        else
                care_reply(fd, "void\tpid %d, running\n", (int)vb_proc_pid(p));
        care_set_list(&s->set, fd);
        care_inbox_list(s->inbox, fd);
        care_links_list(&s->set, vb_proc_pid(p), fd);
}

static void revoke_one(struct care_sup *s, struct vb_proc *p, int fd, const char *name, bool caretakers)
{
        /* nothing relays any more: our terminal is ours again */
        if (care_revoke(&s->set, s->inbox, vb_proc_pid(p), fd, name, caretakers) > 0 && strcmp(name, "term") == 0)
                term_restore(s);
}

/*
 * One request: "list", "revoke NAME", "grant PATH ro|rw", "ungrant NAME", "allow|deny ENTRY", the links'
 * (care_serve_links()), "stop".  Answers end with "ok", "error: ..." (the request was wrong) or
 * "failed: ..." (the system refused).
 */
static bool serve(struct care_sup *s, struct vb_proc *p, int fd, char *req)
{
        bool keep = false;

        if (s->hooks && s->hooks->serve && s->hooks->serve(s->hooks->data, p, fd, req, &keep))
                return keep;
        if (strcmp(req, "list") == 0) {
                list(s, p, fd);
                care_reply(fd, "ok\n");
        } else if (strncmp(req, "revoke ", 7) == 0) {
                revoke_one(s, p, fd, req + 7, true);
        } else if (strncmp(req, "ungrant ", 8) == 0) {
                revoke_one(s, p, fd, req + 8, false);
        } else if (strncmp(req, "grant ", 6) == 0) {
                care_inbox_grant(s->inbox, fd, req + 6);
        } else if (strncmp(req, "allow ", 6) == 0 || strncmp(req, "deny ", 5) == 0) {
                care_net_change(&s->set, fd, strchr(req, ' ') + 1, req[0] == 'a');
        } else if (care_serve_links(&s->set, s->inbox, vb_proc_pid(p), fd, req)) {
                /* connect, unlink, haslink, linked: answered */
        } else if (!*req) {
                return false; /* a probe (ctl_listen checking the name) or a client that gave up */
        } else if (strcmp(req, "stop") == 0) {
                vb_proc_kill(p, SIGKILL); /* init of a pid ns: only SIGKILL is sure to end it */
                care_reply(fd, "ok\n");
        } else {
                care_reply(fd,
                           "error: unknown request '%s' (list, revoke NAME, grant PATH ro|rw, ungrant NAME, "
                           "allow|deny ENTRY, connect PID PATH, unlink PID PATH, haslink PID PATH, "
                           "linked PEER PATH, stop)\n",
                           req);
        }
        return false;
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
        term_raw(s);
        for (bool holder_seen = false;;) {
                struct pollfd pfd[4 + 64] = {
                        { .fd = vb_proc_pidfd(p), .events = POLLIN },
                        { .fd = s->ctl_fd, .events = POLLIN },
                        { .fd = s->sig_fd, .events = POLLIN },
                        { .fd = s->inbox && !holder_seen ? vb_inbox_pidfd(s->inbox) : -1, .events = POLLIN },
                };
                size_t extra = s->hooks && s->hooks->pollfds ? s->hooks->pollfds(s->hooks->data, pfd + 4, 64) : 0;
                char req[PATH_MAX + 64];

                if (poll(pfd, 4 + extra, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (pfd[0].revents)
                        break;
                if (pfd[1].revents & POLLIN) {
                        int fd = ctl_accept(s->ctl_fd, req, sizeof(req));

                        if (fd >= 0 && !serve(s, p, fd, req))
                                close(fd);
                }
                if (extra)
                        s->hooks->events(s->hooks->data, p, pfd + 4, extra);
                if (pfd[2].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si))
                                if (!s->hooks || !s->hooks->signal ||
                                    !s->hooks->signal(s->hooks->data, p, (int)si.ssi_signo))
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
        /* The void has ended and the caller closed its copies of the pty: let the relay copy its last words. */
        if (s->slave >= 0)
                close(s->slave);
        if (s->term)
                (void)vb_caretaker_pty_drain(s->term, 5000);
        term_restore(s);
        care_set_done(&s->set);
        /* The holder's namespace, and every grant in it, ends with it. */
        vb_inbox_free(s->inbox);
        if (s->ctl_fd >= 0)
                close(s->ctl_fd);
        if (s->ctl_path[0])
                unlink(s->ctl_path);
        if (s->sig_fd >= 0)
                close(s->sig_fd);
        if (s->mask_set)
                sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        free(s);
}
