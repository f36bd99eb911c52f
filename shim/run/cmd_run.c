/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim run: the plumbing command, every grant explicit.  The options
 * become a plan (run/cli.c), the caretakers it asks for are started
 * (care/), and the plan's one applier builds the void (libvoidplan).
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "care/care.h"
#include "run/cli.h"
#include "serve/serve.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

/*
 * auth denied: the void should hold no supplementary groups.  An unprivileged
 * user namespace needs setgroups "deny", so only a caller with CAP_SETGID can
 * shed them, and only here, before the spawn (the void inherits our list).
 * Best effort: otherwise the caller's groups stay, each read as 65534 inside.
 */
static void shed_groups(const struct vb_plan *p)
{
        if (p->server_set[VB_SERVER_AUTH] && p->server[VB_SERVER_AUTH] == VB_SERVER_DENIED && getgroups(0, NULL) > 0)
                (void)setgroups(0, NULL);
}

/*
 * Without a supervisor: wait for the void, ending it at SIGINT, SIGTERM or SIGHUP, so that what it
 * held (its uid, its cgroups) is given back before we go.  *sig: the signal that came, or 0.  The
 * signals are blocked from before the spawn (the void resets its own mask); `old` is the mask to
 * restore.
 */
static int wait_void(struct vb_proc *p, int *status, int *sig, const sigset_t *mask, const sigset_t *old)
{
        int sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK), r;

        *sig = 0;
        while (sfd >= 0) {
                struct pollfd pfd[2] = { { .fd = vb_proc_pidfd(p), .events = POLLIN },
                                         { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;

                if (poll(pfd, 2, -1) < 0 && errno != EINTR)
                        break;
                if (pfd[0].revents)
                        break;
                while (read(sfd, &si, sizeof(si)) == sizeof(si))
                        *sig = (int)si.ssi_signo;
                if (*sig)
                        vb_proc_kill(p, SIGKILL); /* the init of a pid namespace: only SIGKILL is sure */
        }
        r = vb_proc_wait(p, status);
        if (sfd >= 0)
                close(sfd);
        sigprocmask(SIG_SETMASK, old, NULL);
        return r;
}

/*
 * A program that failed may have missed what --libs could not show (python3's modules): say so then,
 * and only then, so that a run that works prints nothing of ours.
 */
static void libs_notes(const struct vb_plan *p)
{
        _cleanup_free_ char *notes = vb_plan_libs_notes(p);

        for (char *line = notes, *nl; line && *line; line = nl + 1) {
                nl = strchrnul(line, '\n');
                fprintf(stderr, "voidshim: note: %.*s\n", (int)(nl - line), line);
                if (!*nl)
                        break;
        }
}

/* One JSON line on fd (a status fd): a failure to write it is the caller's business, not the run's. */
static void status_line(int fd, const char *key, long value)
{
        if (fd >= 0)
                (void)!dprintf(fd, "{\"%s\": %ld}\n", key, value);
}

static int spawn_and_wait(struct vb_void *v, const struct run_opts *o, struct care_sup *sup, bool *ran)
{
        const char *program = o->plan->program;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        sigset_t mask, old;
        char what[512];
        int r, status, sig = 0;

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        if (!sup)
                sigprocmask(SIG_BLOCK, &mask, &old);
        r = vb_void_spawn(v, &p, &err);
        if (r < 0 && !sup)
                sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                bool in_child = err && err->step;
                bool exec_step = in_child && strcmp(err->step, "exec") == 0;
                int code = exec_step                   ? (r == -ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC)
                           : !in_child && r == -EINVAL ? SHIM_EXIT_USAGE /* a plan that contradicts itself */
                                                       : SHIM_EXIT_SYSTEM;

                snprintf(what, sizeof(what), exec_step ? "run %s" : "start %s", program);
                return shim_fatal_err(code, what, err, r);
        }
        *ran = true;
        /* The void's init as the caller sees it: what --info-fd and --json-status-fd report. */
        status_line(o->info_fd, "child-pid", (long)vb_proc_pid(p));
        if (o->info_fd >= 0)
                close(o->info_fd);
        status_line(o->status_fd, "child-pid", (long)vb_proc_pid(p));
        r = sup ? care_supervise(sup, p, &status) : wait_void(p, &status, &sig, &mask, &old);
        vb_proc_free(p);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "wait for the void", strerror(-r));
        r = sig ? 128 + sig : shim_exit_status(status);
        status_line(o->status_fd, "exit-code", r);
        return r;
}

/* A failure to build the void: a program that cannot be opened is an exec failure, the rest bad input. */
static int build_failed(const struct vb_plan *p, const struct vb_error *err, int r)
{
        char what[512];

        if (err && err->step && strcmp(err->step, "exec") == 0) {
                snprintf(what, sizeof(what), "run %s", p->program);
                return shim_fatal_err(r == -ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC, what, err, r);
        }
        return shim_fatal_err(r == -ENOMEM ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE, "prepare the void", err, r);
}

/* --explain: the void's account in words, or with --json the plan and the void as data (doc/plan-json.md). */
static int explain(const struct run_opts *o, const struct vb_void *v)
{
        _cleanup_free_ char *plan = NULL, *text = NULL, *rules = NULL;

        if (o->json) {
                plan = vb_plan_to_json(o->plan);
                text = vb_void_explain_json(v);
                if (!plan || !text)
                        return shim_fatal(SHIM_EXIT_SYSTEM, "explain the void", strerror(ENOMEM));
                text[strcspn(text, "\n")] = '\0';
                printf("{\"plan\":%s,\"void\":%s}\n", plan, text);
                return 0;
        }
        text = vb_void_explain(v);
        rules = o->verbose ? vb_void_explain_seccomp_rules(v) : NULL;
        if (!text || (o->verbose && !rules))
                return shim_fatal(SHIM_EXIT_SYSTEM, "explain the void", strerror(ENOMEM));
        for (size_t i = 0; i < o->n_profiles; i++)
                printf("profile %s: from %s; its mounts are marked [profile %s] below\n%s%s%s", o->profiles[i]->name,
                       o->profiles[i]->file, o->profiles[i]->name, o->profiles[i]->description ? "  " : "",
                       o->profiles[i]->description ? o->profiles[i]->description : "",
                       o->profiles[i]->description ? "\n" : "");
        fputs(text, stdout);
        if (o->verbose && *rules) /* -v: every rule of the seccomp policy, after its summary by group */
                printf("seccomp, every rule:\n%s", rules);
        return 0;
}

static int run_plan(struct run_opts *o)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        struct care_sup *sup = NULL;
        bool ran = false;
        int r;

        r = ctl_hide_runtime_dir(o->plan);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "prepare the void", strerror(-r));
        if (!o->explain && vb_plan_needs_care(o->plan)) {
                r = care_prepare(o->plan, &sup, &err);
                if (r < 0)
                        return shim_fatal_err(r == -EINVAL ? SHIM_EXIT_USAGE : SHIM_EXIT_SYSTEM, "start the caretakers",
                                              err, r);
        }
        r = vb_plan_apply(o->plan, o->explain, &v, &err);
        care_applied(sup, o->plan);
        if (r < 0) {
                care_free(sup);
                return build_failed(o->plan, err, r);
        }
        if (o->explain)
                return explain(o, v);
        shed_groups(o->plan);
        r = spawn_and_wait(v, o, sup, &ran);
        v = vb_void_free(v); /* its copies of handed-in fds (a pty slave) go before the caretakers */
        care_free(sup);
        if (ran && r != 0)
                libs_notes(o->plan);
        return r;
}

int cmd_run(int argc, char **argv)
{
        _cleanup_free_ char *why = NULL, *args = NULL;
        size_t args_len = 0;
        struct run_opts o;
        bool ran = false;
        int r;

        /* The command line as given, for voidshim serve: parsing edits argv. */
        args = serve_pack_args(argc, argv, &args_len);
        r = vb_cli_parse(argc, argv, &o, &why);
        if (r < 0) {
                run_opts_done(&o);
                return shim_fatal(r == -ENOMEM ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE, "parse the command line",
                                  why ? why : strerror(-r));
        }
        if (o.help || o.version || o.seccomp_print) {
                fputs(o.help      ? vb_cli_usage()
                      : o.version ? "voidshim " VB_VERSION "\n"
                                  : vb_seccomp_default_policy(),
                      stdout);
                run_opts_done(&o);
                return 0;
        }
        /* A server of the user's (voidshim serve) runs it in a void made ahead of time, or declines. */
        if (serve_try(args, args_len, argc, &o, &r, &ran) == 0)
                r = run_plan(&o);
        else if (ran && r != 0)
                libs_notes(o.plan);
        run_opts_done(&o);
        return r;
}
