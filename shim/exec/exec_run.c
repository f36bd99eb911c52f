/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `voidshim exec`: channels, spawning a void per firing, reaping, and letting go of channel ends. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec_run.h"
#include "run/cli.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static void closep_int(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static void warn(const struct vb_spec_entry *e, const char *fmt, ...) VB_PRINTF(2, 3);
static void warn(const struct vb_spec_entry *e, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "voidshim: warning: entrypoint %s: ", e->name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int runner_watch(struct runner *r, int fd, unsigned kind, size_t idx)
{
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)kind << 32) | (uint32_t)idx };

        return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? NEG_ERRNO() : 0;
}

static size_t pipe_index(const struct runner *r, const char *name)
{
        return (size_t)(vb_spec_find_pipe(r->s, name) - r->s->pipes);
}

static size_t sock_index(const struct runner *r, const char *name)
{
        return (size_t)(vb_spec_find_socket(r->s, name) - r->s->sockets);
}

static size_t lsn_index(const struct runner *r, const char *name)
{
        return (size_t)(vb_spec_find_listener(r->s, name) - r->s->listeners);
}

/* The fd the shim watches for entrypoint e's trigger. */
static int trigger_fd(const struct runner *r, const struct vb_spec_entry *e)
{
        switch (e->trigger.kind) {
        case VB_TRIG_PIPE:
                return r->pipes[pipe_index(r, e->trigger.ref)].rx;
        case VB_TRIG_SOCKET:
                return r->socks[sock_index(r, e->trigger.ref)].rx;
        case VB_TRIG_LISTENER:
                return r->lsn[lsn_index(r, e->trigger.ref)];
        case VB_TRIG_STARTUP:
        default:
                return -1;
        }
}

/* ---- letting go of channel ends --------------------------------------------------- */

static bool end_needed(const struct runner *r, enum vb_spec_arg_kind kind, enum vb_spec_trigger_kind tkind,
                       const char *name, enum vb_spec_end end)
{
        for (size_t i = 0; i < r->s->n_entries; i++) {
                const struct vb_spec_entry *e = &r->s->entries[i];

                if (!r->alive[i])
                        continue;
                if (end == VB_END_RX && e->trigger.kind == tkind && strcmp(e->trigger.ref, name) == 0)
                        return true;
                for (size_t k = 0; k < e->n_args; k++)
                        if (e->args[k].kind == kind && e->args[k].end == end && strcmp(e->args[k].ref, name) == 0)
                                return true;
        }
        return false;
}

/*
 * Close every end no entrypoint that can still start needs.  This is what
 * lets a reader see end-of-file once its last writer is done, and what lets
 * a trigger die, which may in turn release more ends.
 */
static void release_ends(struct runner *r)
{
        for (size_t i = 0; i < r->s->n_pipes; i++) {
                if (r->pipes[i].rx >= 0 && !end_needed(r, VB_ARG_PIPE, VB_TRIG_PIPE, r->s->pipes[i].name, VB_END_RX))
                        closep_int(&r->pipes[i].rx);
                if (r->pipes[i].tx >= 0 && !end_needed(r, VB_ARG_PIPE, VB_TRIG_PIPE, r->s->pipes[i].name, VB_END_TX))
                        closep_int(&r->pipes[i].tx);
        }
        for (size_t i = 0; i < r->s->n_sockets; i++) {
                if (r->socks[i].rx >= 0 &&
                    !end_needed(r, VB_ARG_SOCKET, VB_TRIG_SOCKET, r->s->sockets[i].name, VB_END_RX))
                        closep_int(&r->socks[i].rx);
                if (r->socks[i].tx >= 0 &&
                    !end_needed(r, VB_ARG_SOCKET, VB_TRIG_SOCKET, r->s->sockets[i].name, VB_END_TX))
                        closep_int(&r->socks[i].tx);
        }
        for (size_t i = 0; i < r->s->n_listeners; i++)
                if (r->lsn[i] >= 0 &&
                    !end_needed(r, VB_ARG_LISTENER, VB_TRIG_LISTENER, r->s->listeners[i].name, VB_END_RX))
                        closep_int(&r->lsn[i]);
}

static void entry_done(struct runner *r, size_t idx)
{
        r->alive[idx] = false;
        exec_warm_stop(r, idx); /* its waiting voids hold channel ends too */
        release_ends(r);
}

/* ---- setting up ---------------------------------------------------------------- */

static int make_channels(struct runner *r)
{
        const struct vb_spec *s = r->s;
        int p[2];

        for (size_t i = 0; i < s->n_pipes; i++) {
                /* A plain (stream) pipe: the framing is explicit, so nothing is ever cut to a packet size. */
                if (pipe2(p, O_CLOEXEC) < 0)
                        return NEG_ERRNO();
                r->pipes[i] = (struct chan){ p[0], p[1] };
        }
        for (size_t i = 0; i < s->n_sockets; i++) {
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
                        return NEG_ERRNO();
                r->socks[i] = (struct chan){ p[0], p[1] };
        }
        return 0;
}

static int alloc_state(struct runner *r, const struct vb_spec *s)
{
        r->pipes = calloc(s->n_pipes + 1, sizeof(*r->pipes));
        r->socks = calloc(s->n_sockets + 1, sizeof(*r->socks));
        r->lsn = calloc(s->n_listeners + 1, sizeof(*r->lsn));
        r->frames = calloc(s->n_entries + 1, sizeof(*r->frames));
        r->alive = calloc(s->n_entries + 1, sizeof(*r->alive));
        r->warm = calloc(s->n_entries + 1, sizeof(*r->warm));
        r->firings = calloc(s->n_entries + 1, sizeof(*r->firings));
        r->grants = calloc(s->n_entries + 1, sizeof(*r->grants));
        r->ended = calloc(s->n_entries + 1, sizeof(*r->ended));
        if (!r->pipes || !r->socks || !r->lsn || !r->frames || !r->alive || !r->firings || !r->grants || !r->ended ||
            !r->warm)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_pipes; i++)
                r->pipes[i] = (struct chan){ -1, -1 };
        for (size_t i = 0; i < s->n_sockets; i++)
                r->socks[i] = (struct chan){ -1, -1 };
        for (size_t i = 0; i < s->n_listeners; i++)
                r->lsn[i] = -1;
        for (size_t i = 0; i < s->n_entries; i++) {
                r->alive[i] = true;
                r->ended[i] = -1;
                if (s->entries[i].trigger.kind == VB_TRIG_PIPE)
                        r->frames[i].max = vb_spec_find_pipe(s, s->entries[i].trigger.ref)->max_message;
        }
        return 0;
}

#define MAX_EACH_FDS 512 /* fds one "cmdline": "trailing" arg may take */

/*
 * The words the spec names by index ("cmdline" args and "bind-cmdline"
 * mounts) must all be given.  The "cmdline" args take theirs; the words
 * after are the trailing ones.
 */
static int split_words(struct runner *r, char **words, int n_words)
{
        size_t need = 0, args = 0;
        bool each = false;
        int e;

        for (size_t i = 0; i < r->s->n_entries; i++) {
                const struct vb_spec_entry *en = &r->s->entries[i];

                for (size_t k = 0; k < en->n_args; k++) {
                        const struct vb_spec_arg *a = &en->args[k];

                        if (a->kind == VB_ARG_CMDLINE && !a->each && a->index + 1 > args)
                                args = a->index + 1;
                        each |= a->kind == VB_ARG_CMDLINE && a->each;
                }
                for (size_t k = 0; k < en->v.n_mounts; k++)
                        if (en->v.mounts[k].kind == VB_SMNT_CMDLINE && en->v.mounts[k].cmdline >= 0 &&
                            (size_t)en->v.mounts[k].cmdline + 1 > need)
                                need = (size_t)en->v.mounts[k].cmdline + 1;
        }
        if (args > need)
                need = args;
        if ((size_t)n_words < need) {
                char cause[128];

                snprintf(cause, sizeof(cause), "the spec needs %zu path%s after \"--\", %d given", need,
                         need == 1 ? "" : "s", n_words);
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", cause);
        }
        e = exec_cmdline_init(&r->cl, words, (size_t)n_words, args);
        if (e < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "read the command line", strerror(-e));
        if (each && r->cl.n_paths > MAX_EACH_FDS) {
                char cause[128];

                snprintf(cause, sizeof(cause), "%zu paths, and a \"cmdline\": \"trailing\" arg takes at most %d",
                         r->cl.n_paths, MAX_EACH_FDS);
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", cause);
        }
        return 0;
}

/* What the command line grants each entrypoint, resolved once for the whole run. */
static int resolve_grants(struct runner *r)
{
        for (size_t i = 0; i < r->s->n_entries; i++) {
                _cleanup_free_ char *what = NULL;
                const char *cause = NULL;
                int e = exec_grants_resolve(&r->s->entries[i], &r->cl, &r->grants[i], &what, &cause);

                if (e == -ENOMEM || (e < 0 && !what))
                        return shim_fatal(SHIM_EXIT_SYSTEM, "resolve the command line", strerror(ENOMEM));
                if (e < 0)
                        return shim_fatal(SHIM_EXIT_USAGE, what, cause ? cause : strerror(-e));
        }
        return 0;
}

int runner_init(struct runner *r, const struct vb_spec *s, char **words, int n_words, unsigned depth)
{
        char what[256];
        int rc;

        *r = (struct runner){
                .s = s, .epfd = -1, .sig_rfd = -1, .sig_wfd = -1, .care.ctl_fd = -1, .warm_depth = depth
        };
        if (alloc_state(r, s) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "allocate", strerror(ENOMEM));
        rc = split_words(r, words, n_words);
        if (rc == 0)
                rc = resolve_grants(r);
        if (rc)
                return rc;
        r->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (r->epfd < 0 || (rc = make_channels(r)) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "create the channels", strerror(r->epfd < 0 ? errno : -rc));
        for (size_t i = 0; i < s->n_listeners; i++) {
                r->lsn[i] = exec_listen(&s->listeners[i]);
                if (r->lsn[i] < 0) {
                        snprintf(what, sizeof(what), "listen on %s (listener %s)", s->listeners[i].addr,
                                 s->listeners[i].name);
                        return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-r->lsn[i]));
                }
        }
        for (size_t i = 0; i < s->n_entries; i++) {
                int fd = trigger_fd(r, &s->entries[i]);

                /* Only the shim reads a trigger's end, so making it non-blocking touches no void. */
                if (fd >= 0 && (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || runner_watch(r, fd, EV_TRIGGER, i) < 0))
                        return shim_fatal(SHIM_EXIT_SYSTEM, "watch a trigger", strerror(errno));
        }
        return 0;
}

/* ---- spawning ------------------------------------------------------------------ */

void pending_close_held(struct pending *pend)
{
        for (size_t i = 0; i < pend->n_held; i++)
                close(pend->held[i]);
        free(pend->held);
        pend->held = NULL;
        pend->n_held = 0;
}

void pending_discard(struct exec_replace *repl, size_t n)
{
        for (size_t i = 0; i < n; i++)
                exec_replace_discard(&repl[i]);
        free(repl);
}

/*
 * Security: an arg is one file, opened by its name.  Never a directory (its
 * fd would be the whole tree below it), and never through a magic link
 * (/proc/self/fd/N, /dev/fd/N), which would hand the void one of our own
 * fds: a caretaker's pipe, the control socket.
 */
static int open_arg(const char *path, int flags)
{
        struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
                                .mode = (flags & O_CREAT) ? 0666 : 0,
                                .resolve = RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return NEG_ERRNO();
        return S_ISDIR(st.st_mode) ? -EISDIR : TAKE_FD(fd);
}

/*
 * A file or command-line path opened for one void: the shim holds the only
 * authority to open files, and the void gets this one fd.  It stays in pend
 * (held, or a "replace" file until the void's exit status decides its fate).
 */
static int open_path(enum vb_spec_fmode mode, const char *path, struct pending *pend)
{
        struct exec_replace *n;
        int *h, fd;

        if (mode == VB_FMODE_REPLACE) {
                n = reallocarray(pend->repl, pend->n + 1, sizeof(*n));
                if (!n)
                        return -ENOMEM;
                pend->repl = n;
                fd = exec_replace_open(path, &pend->repl[pend->n]);
                return fd < 0 ? fd : pend->repl[pend->n++].fd;
        }
        h = reallocarray(pend->held, pend->n_held + 1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        pend->held = h;
        fd = open_arg(path, exec_open_flags(mode));
        if (fd < 0)
                return fd;
        pend->held[pend->n_held++] = fd;
        return fd;
}

/* The path of word k of a "file" or "cmdline" arg. */
static const char *arg_path(const struct runner *r, const struct vb_spec_arg *a, size_t k)
{
        if (a->kind == VB_ARG_FILE)
                return a->path;
        return a->each ? r->cl.trailing[r->cl.paths[k]] : r->cl.words[a->index];
}

/*
 * Hand in the fds of a "file" or "cmdline" arg: one, or one per trailing path.
 * Opened again through /proc/self/fd, each allows no more than its mode.
 */
static int hand_in_paths(const struct runner *r, struct vb_plan *v, const struct vb_spec_arg *a, struct pending *pend,
                         struct vb_error **err)
{
        size_t n = a->each ? r->cl.n_paths : 1;

        for (size_t k = 0; k < n; k++) {
                const char *path = arg_path(r, a, k);
                int fd = open_path(a->mode, path, pend), rr;
                char name[96];

                snprintf(name, sizeof(name), a->each ? "%s.%zu" : "%s", a->name, k);
                if (fd < 0)
                        return vb_error_set(err, fd, "open arg \"%s\" %s%s", name, path,
                                            a->mode == VB_FMODE_REPLACE && fd == -EINVAL
                                                    ? " (\"replace\" takes a regular file, or a new one)"
                                            : fd == -EISDIR && a->mode != VB_FMODE_REPLACE
                                                    ? " (an arg is one file: a directory is bound, with a "
                                                      "\"bind-cmdline\" mount)"
                                            : fd == -ELOOP ? " (refused: a path through /proc/self/fd or /dev/fd "
                                                             "names one of voidshim's own fds; or a symlink loop)"
                                                           : "");
                rr = vb_plan_fd(v, fd, a->fd + (int)k, exec_reopen_access(a->mode), name);
                if (rr < 0)
                        return vb_error_set(err, rr, "hand in arg \"%s\"", name);
        }
        return 0;
}

/* The host fd of a channel or listener arg; the runner keeps it. */
static int arg_fd(const struct runner *r, const struct vb_spec_arg *a)
{
        const struct chan *c;

        switch (a->kind) {
        case VB_ARG_PIPE:
                c = &r->pipes[pipe_index(r, a->ref)];
                return a->end == VB_END_RX ? c->rx : c->tx;
        case VB_ARG_SOCKET:
                c = &r->socks[sock_index(r, a->ref)];
                return a->end == VB_END_RX ? c->rx : c->tx;
        case VB_ARG_LISTENER:
                return r->lsn[lsn_index(r, a->ref)];
        case VB_ARG_FILE:
        case VB_ARG_CMDLINE:
        case VB_ARG_TRIGGER:
        case VB_ARG_TRAILING:
        default:
                return -EINVAL;
        }
}

/* Is arg a given anew at each firing (the trigger, a file opened for it) or the same for all (a channel)? */
static bool per_firing(const struct vb_spec_arg *a)
{
        return a->kind == VB_ARG_TRIGGER || a->kind == VB_ARG_FILE || a->kind == VB_ARG_CMDLINE;
}

int exec_hand_in(const struct runner *r, struct vb_plan *v, const struct vb_spec_entry *e, const int *trig,
                 size_t n_trig, struct pending *pend, enum exec_part part, struct vb_error **err)
{
        for (size_t i = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];
                int fd, rr;

                if (a->kind == VB_ARG_TRAILING || (part == PART_FIXED && per_firing(a)) ||
                    (part == PART_FIRING && !per_firing(a)))
                        continue;
                if (a->kind == VB_ARG_TRIGGER) {
                        for (size_t k = 0; k < a->n_fds; k++)
                                if ((rr = vb_plan_fd(v, k < n_trig ? trig[k] : -1, a->fd + (int)k, 0, a->name)) < 0)
                                        return vb_error_set(err, rr, "hand in the trigger");
                        continue;
                }
                if (a->kind == VB_ARG_FILE || a->kind == VB_ARG_CMDLINE) {
                        if ((rr = hand_in_paths(r, v, a, pend, err)) < 0)
                                return rr;
                        continue;
                }
                fd = arg_fd(r, a);
                if (fd < 0)
                        return vb_error_set(err, EBADF, "hand in arg \"%s\"", a->name);
                rr = vb_plan_fd(v, fd, a->fd, 0, a->name);
                if (rr < 0)
                        return vb_error_set(err, rr, "hand in arg \"%s\"", a->name);
        }
        return 0;
}

static int add_running(struct runner *r, struct vb_proc *p, size_t entry, unsigned long firing, struct pending *pend,
                       struct vb_caretaker *net)
{
        size_t slot = 0;
        int rc;

        while (slot < r->n_run && r->run[slot].p)
                slot++;
        if (slot == r->n_run) {
                struct running *n = reallocarray(r->run, r->n_run + 8, sizeof(*n));

                if (!n)
                        return -ENOMEM;
                memset(n + r->n_run, 0, 8 * sizeof(*n));
                r->run = n;
                r->n_run += 8;
        }
        rc = runner_watch(r, vb_proc_pidfd(p), EV_VOID, slot);
        if (rc < 0)
                return rc; /* the slot stays free: the caller frees p and pend */
        r->run[slot] = (struct running){
                .p = p,
                .entry = entry,
                .firing = firing,
                .repl = pend->repl,
                .n_repl = pend->n,
                .net = net,
        };
        pend->repl = NULL, pend->n = 0; /* the slot has them now */
        r->n_running++;
        return 0;
}

/*
 * A cold void for entrypoint idx: the plan, the fds of this firing, the
 * caretakers, a spawn.  *files is set when what failed was the shim's part
 * (the files or caretakers), not the program's.
 */
static int spawn_cold(struct runner *r, size_t idx, const int *trig, size_t n_trig, struct pending *pend,
                      struct vb_caretaker **net, struct vb_proc **p, bool *files, struct vb_error **err)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        struct vb_plan *plan = NULL;
        struct vb_void *v = NULL;
        int rc;

        rc = exec_plan(r->s, e, &r->cl, &r->grants[idx], &plan, err);
        if (rc >= 0 && (rc = exec_hand_in(r, plan, e, trig, n_trig, pend, PART_ALL, err)) < 0)
                *files = true;
        if (rc >= 0 && (rc = exec_care_void(r, plan, net, err)) < 0)
                *files = true; /* a caretaker that cannot start (pasta missing: ENOENT) is not the program's fault */
        if (rc >= 0)
                rc = vb_plan_apply(plan, false, &v, err);
        if (rc >= 0)
                rc = vb_void_spawn(v, p, err);
        vb_plan_free(plan);
        vb_void_free(v);
        return rc;
}

/*
 * Start one void for entrypoint idx, warm when it has warm voids, else cold;
 * returns 0, or -errno after printing why (-EIO when the shim could not
 * prepare its files or caretakers: the errnos that say the program could not
 * be run, ENOENT above all, are the library's alone).
 */
static int spawn(struct runner *r, size_t idx, const int *trig, size_t n_trig)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        struct vb_caretaker *net = NULL;
        struct pending pend = {};
        const char *changed = NULL;
        bool files = false;
        unsigned long firing = e->trigger.kind == VB_TRIG_STARTUP ? 0 : ++r->firings[idx];
        char what[256];
        int rc;

        rc = exec_grants_verify(&r->grants[idx], &changed);
        if (rc < 0) {
                files = true;
                vb_error_set(&err, rc, "grant %s%s", changed,
                             rc == -ESTALE ? ": it is not what it was when voidshim started" : "");
        }
        if (rc >= 0 && firing)
                rc = exec_warm_spawn(r, idx, trig, n_trig, &pend, &p, &files, &err);
        if (rc == -EAGAIN || (rc >= 0 && !p)) /* no warm void for this one: start it cold */
                rc = spawn_cold(r, idx, trig, n_trig, &pend, &net, &p, &files, &err);
        pending_close_held(&pend); /* the void has its copies (or never will) */
        if (rc >= 0 && (rc = add_running(r, p, idx, firing, &pend, net)) < 0)
                vb_proc_free(p);
        if (rc < 0)
                care_set_drop(&r->care.set, net); /* a void that did not start needs no caretaker */
        pending_discard(pend.repl, pend.n);       /* a void that did not start leaves no new file */
        pending_close_held(&pend);
        if (rc < 0) {
                snprintf(what, sizeof(what), "start entrypoint %s", e->name);
                if (firing)
                        warn(e, "firing %lu: unable to start: %s", firing, err && err->msg ? err->msg : strerror(-rc));
                else
                        shim_fatal_err(0, what, err, rc);
        }
        /* Only the exec step's ENOENT/EACCES/ENOEXEC are the program's (127, 126): the rest is the system's (111). */
        if (rc < 0 && !(err && err->step && strcmp(err->step, "exec") == 0))
                files |= rc == -ENOENT || rc == -EACCES || rc == -ENOEXEC;
        return rc < 0 && files ? -EIO : rc;
}

int runner_start(struct runner *r)
{
        for (size_t i = 0; i < r->s->n_entries; i++) {
                int rc;

                if (r->s->entries[i].trigger.kind != VB_TRIG_STARTUP)
                        continue;
                rc = spawn(r, i, NULL, 0);
                if (rc < 0)
                        return rc == -ENOENT                     ? SHIM_EXIT_NOENT
                               : rc == -ENOEXEC || rc == -EACCES ? SHIM_EXIT_NOEXEC
                                                                 : SHIM_EXIT_SYSTEM;
                r->alive[i] = false; /* started once, never again */
        }
        release_ends(r);
        for (size_t i = 0; i < r->s->n_entries; i++)
                if (r->alive[i])
                        exec_warm_start(r, i);
        return 0;
}

/* ---- triggers ------------------------------------------------------------------- */

static int fire_pipe(struct runner *r, size_t idx, int fd)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        struct frame_reader *fr = &r->frames[idx];

        for (;;) {
                enum frame_result res = frame_read(fd, fr);
                int mfd;

                switch (res) {
                case FRAME_MESSAGE:
                        mfd = exec_message_memfd(fr->buf, fr->len);
                        if (mfd < 0)
                                return shim_fatal(SHIM_EXIT_SYSTEM, "hold a message", strerror(-mfd));
                        (void)spawn(r, idx, &mfd, 1);
                        close(mfd);
                        continue;
                case FRAME_AGAIN:
                        return 0;
                case FRAME_OVERSIZE:
                        warn(e,
                             "pipe %s: a message of %" PRIu32 " bytes is over the limit of %" PRIu32
                             "; closing the pipe",
                             e->trigger.ref, fr->len, fr->max);
                        break;
                case FRAME_TRUNCATED:
                        warn(e, "pipe %s: the writer closed it in the middle of a message", e->trigger.ref);
                        break;
                case FRAME_ERROR:
                        warn(e, "pipe %s: read failed: %s", e->trigger.ref, strerror(errno));
                        break;
                case FRAME_EOF:
                default:
                        break;
                }
                frame_reader_done(fr);
                entry_done(r, idx);
                return 0;
        }
}

static int fire_socket(struct runner *r, size_t idx, int fd)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        unsigned want = vb_spec_find_socket(r->s, e->trigger.ref)->fds;

        for (;;) {
                int fds[VB_SPEC_MAX_SOCKET_FDS];
                int n = exec_recv_fds(fd, fds, VB_SPEC_MAX_SOCKET_FDS);

                if (n == -EAGAIN)
                        return 0;
                if (n == 0 || (n < 0 && n != -EBADMSG)) {
                        entry_done(r, idx);
                        return 0;
                }
                if (n == -EBADMSG || (unsigned)n != want) {
                        warn(e, "socket %s: dropped a message with %d fds (the spec says %u per message)",
                             e->trigger.ref, n < 0 ? 0 : n, want);
                        for (int i = 0; i < n; i++)
                                close(fds[i]);
                        continue;
                }
                (void)spawn(r, idx, fds, (size_t)n);
                for (int i = 0; i < n; i++)
                        close(fds[i]);
        }
}

static int fire_listener(struct runner *r, size_t idx, int fd)
{
        for (;;) {
                int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0 && errno == EINTR)
                        continue;
                if (c < 0)
                        return 0; /* EAGAIN, or a connection that went away before we took it */
                (void)spawn(r, idx, &c, 1);
                close(c);
        }
}

int runner_fire(struct runner *r, size_t idx)
{
        const struct vb_spec_entry *e = &r->s->entries[idx];
        int fd = trigger_fd(r, e);

        if (!r->alive[idx] || fd < 0)
                return 0;
        switch (e->trigger.kind) {
        case VB_TRIG_PIPE:
                return fire_pipe(r, idx, fd);
        case VB_TRIG_SOCKET:
                return fire_socket(r, idx, fd);
        case VB_TRIG_LISTENER:
                return fire_listener(r, idx, fd);
        case VB_TRIG_STARTUP:
        default:
                return 0;
        }
}

/* ---- reaping ------------------------------------------------------------------- */

static void describe(int status, char *buf, size_t len)
{
        if (WIFEXITED(status))
                snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
                snprintf(buf, len, "ended with wait status %#x", (unsigned)status);
}

/*
 * The void of run ended with status: its "replace" files take the place of
 * their targets if it exited 0, else they vanish.  Returns status, or an
 * exit status of 111 when a file could not be put in place (said on stderr).
 */
static int settle_files(struct running *run, const struct vb_spec_entry *e, int status)
{
        for (size_t i = 0; i < run->n_repl; i++) {
                struct exec_replace *x = &run->repl[i];
                char what[PATH_MAX + 64];
                int e2;

                if (status != 0) {
                        exec_replace_discard(x);
                        continue;
                }
                snprintf(what, sizeof(what), "replace %s", x->path);
                e2 = exec_replace_commit(x);
                if (e2 < 0 && run->firing)
                        warn(e, "firing %lu: unable to %s: %s", run->firing, what, strerror(-e2));
                else if (e2 < 0)
                        shim_fatal(0, what, strerror(-e2));
                if (e2 < 0)
                        status = W_EXITCODE(SHIM_EXIT_SYSTEM, 0);
        }
        free(run->repl);
        run->repl = NULL;
        run->n_repl = 0;
        return status;
}

int runner_reap(struct runner *r, size_t idx)
{
        struct running *run = idx < r->n_run ? &r->run[idx] : NULL;
        const struct vb_spec_entry *e;
        char what[256], cause[128];
        int status = 0, w;

        if (!run || !run->p)
                return 0;
        e = &r->s->entries[run->entry];
        w = vb_proc_wait(run->p, &status);
        /*
         * Out of the epoll set before the pidfd closes: a warm pool's helper holds a copy of the
         * same pidfd (warm.c, hold_mnt_ns()) for a while, and epoll would go on reporting the
         * ended void under this slot, and the loop spin on it.
         */
        (void)epoll_ctl(r->epfd, EPOLL_CTL_DEL, vb_proc_pidfd(run->p), NULL);
        run->p = vb_proc_free(run->p);
        r->n_running--;
        care_set_drop(&r->care.set, run->net); /* its network caretaker ends with it */
        run->net = NULL;
        snprintf(what, sizeof(what), "%s entrypoint %s", w < 0 ? "wait for" : "run", e->name);
        if (w < 0) {
                shim_fatal(0, what, strerror(-w));
                status = W_EXITCODE(SHIM_EXIT_SYSTEM, 0);
        }
        status = settle_files(run, e, status);
        if (status == 0)
                return 0;
        describe(status, cause, sizeof(cause));
        if (run->firing) {
                fprintf(stderr, "voidshim: warning: entrypoint %s (firing %lu) %s\n", e->name, run->firing, cause);
                return 0;
        }
        /*
         * A startup void's exit status is passed on, as `voidshim run` passes on
         * its payload's: the program has said why, and a second line would only
         * repeat it.  A signal is said now: the program had no chance to.
         */
        r->ended[run->entry] = status;
        if (WIFSIGNALED(status))
                shim_fatal(0, what, cause);
        if (r->status == 0)
                r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

int runner_finish(struct runner *r)
{
        int first = -1;
        bool disagree = false;

        for (size_t i = 0; i < r->s->n_entries; i++) {
                int st = r->ended[i] < 0 ? 0 : r->ended[i];

                if (r->s->entries[i].trigger.kind != VB_TRIG_STARTUP)
                        continue;
                if (first < 0)
                        first = st;
                disagree |= st != first;
        }
        /* Startup voids that ended differently: the status names one, these lines say which failed how. */
        for (size_t i = 0; disagree && i < r->s->n_entries; i++) {
                char what[256], cause[128];
                int st = r->ended[i];

                if (r->s->entries[i].trigger.kind != VB_TRIG_STARTUP || st <= 0 || !WIFEXITED(st))
                        continue;
                snprintf(what, sizeof(what), "run entrypoint %s", r->s->entries[i].name);
                describe(st, cause, sizeof(cause));
                shim_fatal(0, what, cause);
        }
        return r->status;
}

void runner_done(struct runner *r)
{
        for (size_t i = 0; r->warm && i < r->s->n_entries; i++)
                exec_warm_stop(r, i);
        free(r->warm);
        for (size_t i = 0; i < r->n_run; i++) {
                r->run[i].p = vb_proc_free(r->run[i].p);           /* SIGKILL the void's init, then reap it */
                pending_discard(r->run[i].repl, r->run[i].n_repl); /* a killed void replaces nothing */
        }
        free(r->run);
        exec_care_done(r); /* after the voids: none outlives its caretakers' revocation unseen */
        for (size_t i = 0; r->grants && i < r->s->n_entries; i++)
                exec_grants_done(&r->grants[i]);
        free(r->grants), free(r->ended);
        exec_cmdline_done(&r->cl);
        for (size_t i = 0; r->pipes && i < r->s->n_pipes; i++)
                closep_int(&r->pipes[i].rx), closep_int(&r->pipes[i].tx);
        for (size_t i = 0; r->socks && i < r->s->n_sockets; i++)
                closep_int(&r->socks[i].rx), closep_int(&r->socks[i].tx);
        for (size_t i = 0; r->lsn && i < r->s->n_listeners; i++) {
                struct stat st;

                closep_int(&r->lsn[i]);
                if (r->s->listeners[i].kind == VB_LISTEN_UNIX && r->s->listeners[i].addr &&
                    lstat(r->s->listeners[i].addr, &st) == 0 && S_ISSOCK(st.st_mode))
                        (void)unlink(r->s->listeners[i].addr);
        }
        for (size_t i = 0; r->frames && i < r->s->n_entries; i++)
                frame_reader_done(&r->frames[i]);
        free(r->pipes), free(r->socks), free(r->lsn), free(r->frames), free(r->alive), free(r->firings);
        closep_int(&r->epfd);
        closep_int(&r->sig_rfd);
        closep_int(&r->sig_wfd);
        *r = (struct runner){ .epfd = -1, .sig_rfd = -1, .sig_wfd = -1, .care.ctl_fd = -1 };
}
