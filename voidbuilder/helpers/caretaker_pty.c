/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The terminal caretaker (term proxied): a pty pair made on the host; the void
 * gets the slave, and a child of the caller holds the master and relays it to
 * and from the caller's own terminal fds, which never enter the void.  The
 * master exists only in the caretaker, so revoking it (SIGKILL) or the death
 * of its supervisor closes it, and the kernel hangs the slave up: the void's
 * writes and terminal ioctls fail with EIO, its reads see end of file, and its
 * session leader gets SIGHUP (which a pid namespace's init without a handler
 * ignores, so the void keeps running).  This is the Hurd's io_revoke on a term
 * port, as far as Linux has one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "helpers/caretaker.h"
#include "helpers/helper.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* ---- the relay (caretaker side) ---------------------------------------------- */

struct relay {
        int master, in, out, ctl, sig;
        char buf[4096]; /* caller's input not yet taken by the master */
        size_t off, len;
        bool in_open;
};

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return NEG_ERRNO();
                p += w, n -= (size_t)w;
        }
        return 0;
}

/* The caller's window size, onto the pty (the kernel then sends SIGWINCH to the void's foreground). */
static void copy_winsize(int from_in, int from_out, int master)
{
        struct winsize ws;

        if (ioctl(from_in, TIOCGWINSZ, &ws) == 0 || ioctl(from_out, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);
}

/* The caller's input ended: a canonical-mode reader in the void should see end of file too. */
static void send_eof(int master)
{
        struct termios t;

        if (tcgetattr(master, &t) == 0 && (t.c_lflag & ICANON))
                (void)!write(master, &t.c_cc[VEOF], 1);
}

/* Master to the caller's output.  false when the relay is over: no slave is open any more (EIO). */
static bool pump_out(struct relay *r)
{
        char buf[4096];
        ssize_t n = read(r->master, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0)
                return false;
        /* A caller whose output went away (EPIPE) ends the relay: the void then sees the hangup. */
        return write_all(r->out, buf, (size_t)n) >= 0;
}

static void pump_in(struct relay *r, short in_events, short master_events)
{
        if (!r->len && (in_events & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t n = read(r->in, r->buf, sizeof(r->buf));

                if (n > 0) {
                        r->off = 0;
                        r->len = (size_t)n;
                } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                        r->in_open = false;
                        send_eof(r->master);
                }
        }
        if (r->len && ((master_events & POLLOUT) || in_events)) {
                /* The master is non-blocking: a void that does not read must not stall its output. */
                ssize_t w = write(r->master, r->buf + r->off, r->len);

                if (w > 0) {
                        r->off += (size_t)w;
                        r->len -= (size_t)w;
                }
        }
}

static _Noreturn void relay_main(struct relay *r)
{
        for (;;) {
                struct pollfd p[4] = {
                        { .fd = r->master, .events = POLLIN | (r->len ? POLLOUT : 0) },
                        { .fd = r->in_open && !r->len ? r->in : -1, .events = POLLIN },
                        { .fd = r->ctl, .events = POLLIN },
                        { .fd = r->sig, .events = POLLIN },
                };

                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(1);
                }
                if (p[2].revents) /* the control pipe closed: revoked, or the supervisor is gone */
                        _exit(0);
                if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_out(r))
                        _exit(0);
                pump_in(r, p[1].revents, p[0].revents);
                if (p[3].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(r->sig, &si, sizeof(si)) == sizeof(si))
                                ;
                        copy_winsize(r->in, r->out, r->master);
                }
        }
}

/*
 * In the caretaker: signals of the caller's terminal must not end the relay
 * before the void's last output is copied (voidshim ends the void itself), and
 * a resize becomes SIGWINCH read from a signalfd.
 */
static int relay_signals(void)
{
        static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGHUP };
        sigset_t mask;

        for (size_t i = 0; i < ELEMENTSOF(ignored); i++)
                signal(ignored[i], SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return NEG_ERRNO();
        return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static _Noreturn void caretaker_child(int master, int in_fd, int out_fd, int ctl)
{
        struct relay r = { .master = master, .in = in_fd, .out = out_fd, .ctl = ctl, .in_open = true };

        r.sig = relay_signals();
        if (r.sig < 0 || fcntl(master, F_SETFL, O_NONBLOCK) < 0)
                _exit(VB_HELPER_EXIT_SETUP);
        relay_main(&r);
}

/* ---- the caller's side ------------------------------------------------------------ */

/* A new pty pair on the host, both ends O_CLOEXEC and above the std fds. */
static int open_pair(int *master_out, int *slave_out)
{
        _cleanup_close_ int master = -1, slave = -1;

        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return NEG_ERRNO();
        if (master < 3) {
                int moved = fcntl(master, F_DUPFD_CLOEXEC, 3);

                if (moved < 0)
                        return NEG_ERRNO();
                vb_closep(&master);
                master = moved;
        }
        if (unlockpt(master) < 0)
                return NEG_ERRNO();
        /* The peer of this very master, not a name in /dev/pts someone could swap (Linux 4.13). */
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return NEG_ERRNO();
        if (slave < 3) {
                int moved = fcntl(slave, F_DUPFD_CLOEXEC, 3);

                if (moved < 0)
                        return NEG_ERRNO();
                vb_closep(&slave);
                slave = moved;
        }
        *master_out = TAKE_FD(master);
        *slave_out = TAKE_FD(slave);
        return 0;
}

static struct vb_caretaker *pty_caretaker_new(int ptn, int in_fd, int out_fd)
{
        struct vb_caretaker *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->kind = VB_CARE_PTY;
        c->pid = c->holder = -1;
        c->pidfd = c->ctl_fd = c->holder_pidfd = -1;
        for (int i = 0; i < VB_NS_COUNT; i++)
                c->ns_fd[i] = -1;
        if (asprintf(&c->what, "terminal relay: pty %d <-> fds %d/%d", ptn, in_fd, out_fd) < 0) {
                free(c);
                return NULL;
        }
        return c;
}

/* Start the relay (helper.h), keeping the master, its control pipe and the caller's two fds. */
static int start_relay(struct vb_caretaker *c, int master, int in_fd, int out_fd, int ctl)
{
        pid_t pid = vb_helper_start((int[]){ master, ctl, in_fd, out_fd }, 4, &c->pidfd);

        if (pid < 0)
                return pid;
        if (pid == 0)
                caretaker_child(master, in_fd, out_fd, ctl);
        c->pid = pid;
        return 0;
}

VB_API int vb_caretaker_pty(int in_fd, int out_fd, struct vb_caretaker **out, int *slave_out, struct vb_error **err)
{
        _cleanup_close_ int master = -1, slave = -1;
        struct vb_caretaker *c = NULL;
        struct termios t;
        int ctl[2], ptn = -1, r;

        if (fcntl(in_fd, F_GETFD) < 0 || fcntl(out_fd, F_GETFD) < 0)
                return vb_error_set(err, EBADF, "terminal caretaker: fds %d and %d", in_fd, out_fd);
        r = open_pair(&master, &slave);
        if (r < 0)
                return vb_error_set(err, r, "terminal caretaker: making a pty");
        (void)ioctl(master, TIOCGPTN, &ptn);
        /* The caller's line settings (erase, interrupt characters...) and size, where it has a terminal. */
        if (tcgetattr(in_fd, &t) == 0)
                (void)tcsetattr(slave, TCSANOW, &t);
        copy_winsize(in_fd, out_fd, master);
        c = pty_caretaker_new(ptn, in_fd, out_fd);
        if (!c)
                return vb_error_set(err, ENOMEM, "terminal caretaker");
        if (pipe2(ctl, O_CLOEXEC) < 0) {
                r = vb_error_set(err, errno, "terminal caretaker: control pipe");
                vb_caretaker_free(c);
                return r;
        }
        c->ctl_fd = ctl[1];
        r = start_relay(c, master, in_fd, out_fd, ctl[0]);
        close(ctl[0]);
        if (r < 0) {
                vb_caretaker_free(c);
                return vb_error_set(err, r, "terminal caretaker: starting the relay");
        }
        /* master closes here: from now on only the relay holds it, so its end is the hangup. */
        *slave_out = TAKE_FD(slave);
        *out = c;
        return 0;
}

VB_API int vb_caretaker_pty_drain(struct vb_caretaker *c, int timeout_ms)
{
        struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
        siginfo_t si;
        int r;

        if (c->kind != VB_CARE_PTY)
                return -EINVAL;
        if (c->pid <= 0 || c->pidfd < 0)
                return 0;
        /* The relay exits by itself once it has read EIO from the master: every slave is closed. */
        r = poll(&p, 1, timeout_ms);
        if (r < 0)
                return NEG_ERRNO();
        if (r == 0)
                return -ETIMEDOUT;
        while (waitid(P_PIDFD, (id_t)c->pidfd, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return NEG_ERRNO();
        vb_closep(&c->pidfd);
        c->pidfd = -1;
        c->pid = -1;
        return 0;
}
