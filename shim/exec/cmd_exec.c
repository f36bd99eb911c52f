/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim exec SPEC [-- ARGS...]: run an application of several voids.
 *
 * The shim creates every pipe, socket and listener, starts the "startup"
 * voids, then waits in one epoll loop on the triggers, the pidfd of every
 * void (each is reaped) and a self-pipe for SIGINT, SIGTERM and SIGHUP.  Each
 * firing of a trigger starts a new void.  The shim keeps an end of a channel
 * only while some entrypoint that can still start needs it, so readers see
 * end-of-file when the last writer is done; when no void runs and nothing can
 * fire any more, it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_run.h"
#include "run/cli.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

/*
 * Signals arrive through a self-pipe rather than a signalfd: a signalfd needs
 * the signals blocked, and a blocked mask would be inherited by every void
 * across clone3() and execve().  The handler is the one file-scope variable.
 */
static int sig_wfd = -1;

static void on_signal(int sig)
{
        unsigned char b = (unsigned char)sig;
        int saved = errno;

        (void)!write(sig_wfd, &b, 1);
        errno = saved;
}

static int setup_signals(struct runner *r)
{
        struct sigaction sa = { .sa_handler = on_signal };
        int p[2];

        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                return NEG_ERRNO();
        r->sig_rfd = p[0];
        sig_wfd = r->sig_wfd = p[1];
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
                return NEG_ERRNO();
        return runner_watch(r, r->sig_rfd, EV_SIGNAL, 0);
}

static bool listener_alive(const struct runner *r)
{
        for (size_t i = 0; i < r->s->n_entries; i++)
                if (r->alive[i] && r->s->entries[i].trigger.kind == VB_TRIG_LISTENER)
                        return true;
        return false;
}

static int dispatch(struct runner *r, const struct epoll_event *ev)
{
        uint32_t kind = (uint32_t)(ev->data.u64 >> 32), idx = (uint32_t)ev->data.u64;
        unsigned char sig = 0;

        switch (kind) {
        case EV_SIGNAL:
                if (read(r->sig_rfd, &sig, 1) == 1)
                        return 128 + sig;
                return 0;
        case EV_VOID:
                return runner_reap(r, idx);
        case EV_TRIGGER:
                return runner_fire(r, idx);
        case EV_CTL:
                return exec_care_serve(r);
        default:
                return 0;
        }
}

static int loop(struct runner *r)
{
        for (;;) {
                struct epoll_event evs[16];
                /* Nothing runs and no listener can bring work: only what is already queued can fire. */
                int timeout = r->n_running == 0 && !listener_alive(r) ? 0 : -1;
                int n = epoll_wait(r->epfd, evs, (int)ELEMENTSOF(evs), timeout);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return shim_fatal(SHIM_EXIT_SYSTEM, "wait for events", strerror(errno));
                if (n == 0)
                        return runner_finish(r);
                for (int i = 0; i < n; i++) {
                        int rc = dispatch(r, &evs[i]);

                        if (rc != 0)
                                return rc; /* a stop signal, or a startup void that could not start */
                }
        }
}

/* Warm voids kept ready per triggered entrypoint unless --warm says otherwise. */
#define EXEC_WARM_DEFAULT 4

static int parse_depth(const char *s, unsigned *out)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || !*s || *end || *s == '-' || v > 64)
                return -EINVAL;
        *out = (unsigned)v;
        return 0;
}

static int usage(FILE *f, int code)
{
        fputs("usage: voidshim exec [--name NAME] [--warm N] SPEC [-- ARGS...]\n"
              "\n"
              "Run the application that SPEC describes (doc/spec-format.md): create its pipes,\n"
              "sockets and listeners, start each \"startup\" entrypoint in a void of its own, and\n"
              "a new void each time a trigger fires.  ARGS give the \"cmdline\" paths (by index)\n"
              "and the \"trailing\" words.  SIGINT, SIGTERM and SIGHUP stop every void.\n"
              "\n"
              "  --name NAME   open a control socket (default: the spec's \"name\"): `voidshim ctl NAME\n"
              "                list|revoke CARETAKER|grant PATH [ro|rw]|ungrant GRANT|stop` lists the\n"
              "                voids and the caretakers of proxied servers, revokes one (\"net\",\n"
              "                \"dbus\", or a \"connect\" socket's path), grants a path into the\n"
              "                powerbox of the entrypoints that have an \"inbox\", or ends the run\n"
              "  --warm N      keep N voids (default 4, at most 64; 0: none) of each triggered\n"
              "                entrypoint built ahead of time, each used by one firing: its own\n"
              "                namespaces, root and mounts, made before the trigger fires\n"
              "\n"
              "Exit status: 0 when every startup void succeeded; else the status of the first\n"
              "one that failed (128+N for signal N), passed on without a line of its own unless\n"
              "it was a signal or the startup voids ended differently; 100 for a bad spec or\n"
              "command line; 111 system failure; 128+N when stopped by signal N.\n",
              f);
        return code;
}

int cmd_exec(int argc, char **argv)
{
        struct runner r = {};
        struct vb_spec *s = NULL;
        const char *name = NULL;
        unsigned depth = EXEC_WARM_DEFAULT;
        int rc, first = 2;

        for (;;) {
                if (argc > 1 && strcmp(argv[1], "--name") == 0) {
                        if (argc < 3 || !ctl_name_ok(argv[2]))
                                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                                  "--name: 1 to 64 of [A-Za-z0-9_.-], not starting with '.'");
                        name = argv[2];
                } else if (argc > 1 && strcmp(argv[1], "--warm") == 0) {
                        if (argc < 3 || parse_depth(argv[2], &depth) < 0)
                                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                                  "--warm: a number of voids from 0 to 64");
                } else {
                        break;
                }
                argc -= 2, argv += 2;
        }
        if (argc < 2)
                return usage(stderr, SHIM_EXIT_USAGE);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
                return usage(stdout, 0);
        if (argc > 2 && strcmp(argv[2], "--") == 0)
                first = 3;
        rc = shim_spec_load(argv[1], &s);
        if (rc != 0)
                return rc;
        /* Host names in the allowlist: resolved once, now, for every void the application starts. */
        rc = shim_spec_resolve(s);
        if (rc == 0)
                rc = runner_init(&r, s, argv + first, argc - first, depth);
        if (rc == 0)
                rc = exec_care_init(&r, name ? name : s->name); /* --name over the spec's "name" */
        if (rc == 0)
                rc = setup_signals(&r) < 0 ? shim_fatal(SHIM_EXIT_SYSTEM, "catch signals", strerror(errno)) : 0;
        if (rc == 0)
                rc = runner_start(&r);
        if (rc == 0)
                rc = loop(&r);
        runner_done(&r);
        sig_wfd = -1;
        vb_spec_free(s);
        return rc;
}
