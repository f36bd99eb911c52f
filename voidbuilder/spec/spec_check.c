/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cross-checks of a parsed spec: how the voids connect (every pipe one reader
 * and one writer, every socket one reader and writers, every trigger able to
 * fire), what contradicts a denied server, and which host paths are missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/spec_pos.h"
#include "voidbuilder/cleanup.h"

struct check {
        const struct vb_spec *s;
        struct vb_spec_diags *d;
        vb_spec_access_fn access;
        void *ud;
        size_t before;
};

#define DIAG(k, ptr, at_key, ...) vb_spec_diag((k)->d, (k)->s, (ptr), (at_key), __VA_ARGS__)

static char *sub(const char *base, const char *key)
{
        return vb_spec_ptr_key(base, key);
}

/* ---- channels ---------------------------------------------------------- */

struct ends {
        size_t readers, writers;
        const char *reader_ptr[2]; /* where the first two readers are */
        const char *writer_ptr[2];
};

static void count_ends(const struct vb_spec *s, enum vb_spec_arg_kind kind, enum vb_spec_trigger_kind tkind,
                       const char *name, struct ends *e)
{
        *e = (struct ends){};
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct vb_spec_entry *en = &s->entries[i];

                if (en->trigger.kind == tkind && en->trigger.ref && strcmp(en->trigger.ref, name) == 0) {
                        if (e->readers < 2)
                                e->reader_ptr[e->readers] = en->where;
                        e->readers++;
                }
                for (size_t k = 0; k < en->n_args; k++) {
                        const struct vb_spec_arg *a = &en->args[k];

                        if (a->kind != kind || !a->ref || strcmp(a->ref, name) != 0)
                                continue;
                        if (a->end == VB_END_RX) {
                                if (e->readers < 2)
                                        e->reader_ptr[e->readers] = a->where;
                                e->readers++;
                        } else {
                                if (e->writers < 2)
                                        e->writer_ptr[e->writers] = a->where;
                                e->writers++;
                        }
                }
        }
}

static void check_pipes(struct check *k)
{
        for (size_t i = 0; i < k->s->n_pipes; i++) {
                const char *name = k->s->pipes[i].name;
                _cleanup_free_ char *p = sub("/pipes", name);
                struct ends e;

                count_ends(k->s, VB_ARG_PIPE, VB_TRIG_PIPE, name, &e);
                if (e.readers == 0)
                        DIAG(k, p, true, "pipe \"%s\" has no reader (an \"rx\" arg or a trigger)", name);
                else if (e.readers > 1)
                        DIAG(k, e.reader_ptr[1], false, "pipe \"%s\" has a second reader: a pipe has exactly one",
                             name);
                if (e.writers == 0)
                        DIAG(k, p, true, "pipe \"%s\" has no writer (a \"tx\" arg)", name);
                else if (e.writers > 1)
                        DIAG(k, e.writer_ptr[1], false, "pipe \"%s\" has a second writer: a pipe has exactly one",
                             name);
        }
}

static void check_sockets(struct check *k)
{
        for (size_t i = 0; i < k->s->n_sockets; i++) {
                const char *name = k->s->sockets[i].name;
                _cleanup_free_ char *p = sub("/sockets", name);
                struct ends e;

                count_ends(k->s, VB_ARG_SOCKET, VB_TRIG_SOCKET, name, &e);
                if (e.readers == 0)
                        DIAG(k, p, true, "socket \"%s\" has no reader (an \"rx\" arg or a trigger)", name);
                else if (e.readers > 1)
                        DIAG(k, e.reader_ptr[1], false, "socket \"%s\" has a second reader: a socket has exactly one",
                             name);
                if (e.writers == 0)
                        DIAG(k, p, true, "socket \"%s\" has no writer (a \"tx\" arg)", name);
        }
}

static void check_listeners(struct check *k)
{
        for (size_t i = 0; i < k->s->n_listeners; i++) {
                const struct vb_spec_listener *l = &k->s->listeners[i];
                _cleanup_free_ char *p = sub("/listeners", l->name);
                struct ends e;
                size_t triggers = 0;

                count_ends(k->s, VB_ARG_LISTENER, VB_TRIG_LISTENER, l->name, &e);
                for (size_t n = 0; n < k->s->n_entries; n++) {
                        const struct vb_spec_trigger *t = &k->s->entries[n].trigger;

                        triggers += t->kind == VB_TRIG_LISTENER && t->ref && strcmp(t->ref, l->name) == 0;
                }
                /* count_ends counts a listener arg (end rx by default) and a listener trigger as readers. */
                if (e.readers == 0)
                        DIAG(k, p, true, "listener \"%s\" is declared but no entrypoint uses it", l->name);
                else if (triggers && e.readers > 1)
                        DIAG(k, p, true,
                             "listener \"%s\" triggers an entrypoint, so no void may also hold it "
                             "(they would race to accept)",
                             l->name);
                if (triggers && l->kind == VB_LISTEN_UDP)
                        DIAG(k, p, true,
                             "udp listener \"%s\" cannot be a trigger: datagrams have no connections "
                             "to accept",
                             l->name);
        }
}

/* ---- references inside each entrypoint ----------------------------------- */

static bool ref_known(const struct vb_spec *s, enum vb_spec_arg_kind kind, const char *ref)
{
        if (kind == VB_ARG_PIPE)
                return vb_spec_find_pipe(s, ref) != NULL;
        if (kind == VB_ARG_SOCKET)
                return vb_spec_find_socket(s, ref) != NULL;
        return vb_spec_find_listener(s, ref) != NULL;
}

static const char *kind_word(enum vb_spec_arg_kind kind)
{
        return kind == VB_ARG_PIPE ? "pipe" : kind == VB_ARG_SOCKET ? "socket" : "listener";
}

static void check_trigger_ref(struct check *k, const struct vb_spec_entry *e)
{
        static const enum vb_spec_arg_kind as_arg[] = {
                [VB_TRIG_PIPE] = VB_ARG_PIPE, [VB_TRIG_SOCKET] = VB_ARG_SOCKET, [VB_TRIG_LISTENER] = VB_ARG_LISTENER
        };
        _cleanup_free_ char *p = NULL;

        if (e->trigger.kind == VB_TRIG_STARTUP || !e->trigger.ref)
                return;
        p = sub(e->where, "trigger");
        if (p && !ref_known(k->s, as_arg[e->trigger.kind], e->trigger.ref))
                DIAG(k, p, false, "trigger names %s \"%s\", which is not declared in \"%ss\"",
                     kind_word(as_arg[e->trigger.kind]), e->trigger.ref, kind_word(as_arg[e->trigger.kind]));
}

static void check_args(struct check *k, const struct vb_spec_entry *e)
{
        bool each = false;
        size_t triggers = 0, trailing = 0;

        for (size_t i = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];

                /* Its fds are as many as the words: anything after it would have no fixed number. */
                if (each && a->kind != VB_ARG_TRAILING)
                        DIAG(k, a->where, false,
                             "this arg comes after a \"cmdline\": \"trailing\" arg, which takes "
                             "one fd per trailing path: put that one last, so that every other fd "
                             "keeps a fixed number");
                if (a->kind == VB_ARG_CMDLINE && a->each)
                        each = true;

                if ((a->kind == VB_ARG_PIPE || a->kind == VB_ARG_SOCKET || a->kind == VB_ARG_LISTENER) && a->ref &&
                    !ref_known(k->s, a->kind, a->ref))
                        DIAG(k, a->where, false, "%s \"%s\" is not declared in \"%ss\"", kind_word(a->kind), a->ref,
                             kind_word(a->kind));
                if (a->kind == VB_ARG_TRIGGER && e->trigger.kind == VB_TRIG_STARTUP)
                        DIAG(k, a->where, false,
                             "a \"trigger\" arg needs a trigger: entrypoint \"%s\" starts at "
                             "startup, with no message or fds to hand in",
                             e->name);
                if (a->kind == VB_ARG_TRIGGER && triggers++)
                        DIAG(k, a->where, false, "the trigger is handed in once: a second \"trigger\" arg");
                if (a->kind == VB_ARG_TRAILING && trailing++)
                        DIAG(k, a->where, false, "the trailing words are handed in once: a second \"trailing\" arg");
                for (size_t j = 0; j < i && a->name; j++)
                        if (e->args[j].name && strcmp(e->args[j].name, a->name) == 0) {
                                DIAG(k, a->where, false, "fd name \"%s\" is used twice in entrypoint \"%s\"", a->name,
                                     e->name);
                                break;
                        }
        }
}

/* Mounts that name command-line words: the words must reach the program. */
static void check_cmdline_mounts(struct check *k, const struct vb_spec_entry *e)
{
        bool has_trailing = false;

        for (size_t i = 0; i < e->n_args; i++)
                has_trailing |= e->args[i].kind == VB_ARG_TRAILING;
        for (size_t i = 0; i < e->v.n_mounts; i++) {
                const struct vb_spec_mount *m = &e->v.mounts[i];

                if (m->kind == VB_SMNT_CMDLINE && m->cmdline == VB_SPEC_CMDLINE_TRAILING && !has_trailing)
                        DIAG(k, m->where, false,
                             "this mount grants the paths among the trailing words, but entrypoint "
                             "\"%s\" has no \"trailing\" arg: its program would never see them",
                             e->name);
        }
}

/* ---- can every trigger fire? -------------------------------------------- */

static bool holds_writer(const struct vb_spec_entry *e, enum vb_spec_arg_kind kind, const char *ref)
{
        for (size_t i = 0; i < e->n_args; i++)
                if (e->args[i].kind == kind && e->args[i].end == VB_END_TX && e->args[i].ref &&
                    strcmp(e->args[i].ref, ref) == 0)
                        return true;
        return false;
}

static bool has_writer(const struct vb_spec *s, enum vb_spec_arg_kind kind, const char *ref, const bool *live)
{
        for (size_t i = 0; i < s->n_entries; i++)
                if ((!live || live[i]) && holds_writer(&s->entries[i], kind, ref))
                        return true;
        return false;
}

/* Startup voids run; a triggered one can run when a void that can run holds a writer, or a listener feeds it. */
static void check_liveness(struct check *k)
{
        const struct vb_spec *s = k->s;
        _cleanup_free_ bool *live = calloc(s->n_entries + 1, sizeof(bool));
        bool changed = true, any_startup = false;

        if (!live)
                return;
        while (changed) {
                changed = false;
                for (size_t i = 0; i < s->n_entries; i++) {
                        const struct vb_spec_trigger *t = &s->entries[i].trigger;
                        bool can = t->kind == VB_TRIG_STARTUP || t->kind == VB_TRIG_LISTENER ||
                                   (t->ref &&
                                    has_writer(s, t->kind == VB_TRIG_PIPE ? VB_ARG_PIPE : VB_ARG_SOCKET, t->ref, live));

                        if (can && !live[i])
                                live[i] = changed = true;
                }
        }
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct vb_spec_entry *e = &s->entries[i];
                enum vb_spec_arg_kind kind = e->trigger.kind == VB_TRIG_PIPE ? VB_ARG_PIPE : VB_ARG_SOCKET;
                _cleanup_free_ char *p = sub(e->where, "trigger");

                any_startup |= e->trigger.kind != VB_TRIG_PIPE && e->trigger.kind != VB_TRIG_SOCKET;
                if (live[i] || !e->trigger.ref || !ref_known(s, kind, e->trigger.ref))
                        continue;
                if (!has_writer(s, kind, e->trigger.ref, NULL))
                        DIAG(k, p, false, "the trigger of \"%s\" can never fire: nothing writes to %s \"%s\"", e->name,
                             kind_word(kind), e->trigger.ref);
                else
                        DIAG(k, p, false,
                             "the trigger of \"%s\" can never fire: every writer of %s \"%s\" waits "
                             "for a trigger that can never fire",
                             e->name, kind_word(kind), e->trigger.ref);
        }
        if (s->n_entries && !any_startup)
                DIAG(k, "/entrypoints", false,
                     "no entrypoint starts at \"startup\" or on a listener: nothing would "
                     "ever run");
}

/* ---- the environment and grants that contradict it ----------------------- */

static void contradiction(struct check *k, const char *ptr, const char *grant, enum vb_server srv)
{
        DIAG(k, ptr, true, "%s contradicts the environment's \"%s\": \"%s\"", grant, vb_server_name(srv),
             vb_server_mode_name(k->s->env[srv]));
}

/*
 * proxied where voidshim has a caretaker for it (net, unix), refused elsewhere with
 * vb_server_refusal()'s sentence, as `voidshim run --server NAME=proxied` refuses it.
 */
static void check_environment(struct check *k)
{
        const struct vb_spec *s = k->s;

        for (int i = 0; i < VB_SERVER_COUNT; i++) {
                const char *name = vb_server_name((enum vb_server)i);
                int srv = vb_server_from_name(name);
                const char *why = srv >= 0 ? vb_server_refusal((enum vb_server)srv, VB_SERVER_PROXIED) : NULL;
                _cleanup_free_ char *p = sub("/environment", name);

                if (s->env[i] == VB_SERVER_PROXIED && why)
                        DIAG(k, p, false, "server \"%s\": \"proxied\": %s", name, why);
                else if (s->env[i] == VB_SERVER_PROXIED && i == VB_SERVER_TERM)
                        /* The pty relay joins one void to the caller's terminal: that is `voidshim run`'s case. */
                        DIAG(k, p, false,
                             "server \"term\": \"proxied\" is offered by `voidshim run --server term=proxied` "
                             "only: a spec's voids are many, and none of them is given the caller's terminal");
                why = srv >= 0 ? vb_server_refusal((enum vb_server)srv, VB_SERVER_DENIED) : NULL;
                if (s->env[i] == VB_SERVER_DENIED && why)
                        DIAG(k, p, false, "server \"%s\": \"denied\": %s", name, why);
        }
        /* Nullauth maps the void to 65534; the network caretaker's user namespace maps it to 0. */
        if (s->env[VB_SERVER_NET] == VB_SERVER_PROXIED && s->env[VB_SERVER_AUTH] == VB_SERVER_DENIED) {
                _cleanup_free_ char *p = sub("/environment", "auth");

                DIAG(k, p, false,
                     "server \"auth\": \"denied\" contradicts a proxied \"net\" (the void joins the "
                     "network caretaker's user namespace, where it is uid 0)");
        }
        /* The void joins the network caretaker's user namespace: it cannot also keep the caller's. */
        if (s->env[VB_SERVER_NET] == VB_SERVER_PROXIED && s->env[VB_SERVER_AUTH] == VB_SERVER_SHARED) {
                _cleanup_free_ char *p = sub("/environment", "net");

                DIAG(k, p, false,
                     "a proxied \"net\" puts every void in its caretaker's user namespace, which "
                     "contradicts the environment's \"auth\": \"shared\"");
        }
        /* The caretakers' sockets are binds, and a denied fs takes no mounts. */
        if (s->env[VB_SERVER_UNIX] == VB_SERVER_PROXIED && s->env[VB_SERVER_FS] == VB_SERVER_DENIED) {
                _cleanup_free_ char *p = sub("/environment", "unix");

                DIAG(k, p, false,
                     "a proxied \"unix\" binds its caretakers' sockets into every void, which "
                     "contradicts the environment's \"fs\": \"denied\" (no mounts)");
        }
}

static bool denied(const struct check *k, enum vb_server srv)
{
        return k->s->env[srv] == VB_SERVER_DENIED;
}

static void check_void_grants(struct check *k, const struct vb_spec_entry *e)
{
        const struct vb_spec_void *v = &e->v;
        _cleanup_free_ char *vp = sub(e->where, "void");
        static const char *const std_names[] = { "stdin", "stdout", "stderr" };

        if (!vp)
                return;
#define AT(key) _cleanup_free_ char *p_##key = sub(vp, #key)
        AT(mounts);
        AT(libs);
        AT(proc);
        AT(caps);
        AT(net);
        AT(dev);
        AT(hostname);
        AT(landlock);
        if (v->n_mounts && denied(k, VB_SERVER_FS))
                contradiction(k, p_mounts, "\"mounts\"", VB_SERVER_FS);
        if (v->libs && v->libs[0] && denied(k, VB_SERVER_EXEC))
                contradiction(k, p_libs, "\"libs\"", VB_SERVER_EXEC);
        /* A denied exec server is Landlock without EXECUTE: it cannot be had without Landlock. */
        if (v->landlock_off && denied(k, VB_SERVER_EXEC))
                contradiction(k, p_landlock, "\"landlock\": false", VB_SERVER_EXEC);
        if (v->proc && k->s->env[VB_SERVER_PROC] != VB_SERVER_FRESH)
                contradiction(k, p_proc, "a fresh \"proc\"", VB_SERVER_PROC);
        if (v->n_caps && denied(k, VB_SERVER_AUTH))
                contradiction(k, p_caps, "\"caps\"", VB_SERVER_AUTH);
        if (v->identity == VB_IDENTITY_RESERVED && k->s->env[VB_SERVER_AUTH] == VB_SERVER_SHARED) {
                _cleanup_free_ char *p = sub(vp, "identity");

                contradiction(k, p, "\"identity\": \"reserved\"", VB_SERVER_AUTH);
        }
        if (v->loopback && k->s->env[VB_SERVER_NET] != VB_SERVER_FRESH)
                contradiction(k, p_net, "\"net\": \"loopback\"", VB_SERVER_NET);
        if (v->dev && denied(k, VB_SERVER_DEV))
                contradiction(k, p_dev, "\"dev\"", VB_SERVER_DEV);
        for (size_t i = 0; i < v->n_mounts && denied(k, VB_SERVER_DEV); i++)
                if (v->mounts[i].flags & VB_MOUNT_DEV)
                        contradiction(k, v->mounts[i].where, "a \"dev-bind\"", VB_SERVER_DEV);
        /* The powerbox, as run's --inbox: grants come by name (ctl NAME grant), and a denied fs opens none. */
        if (v->inbox) {
                _cleanup_free_ char *p = sub(vp, "inbox");

                if (denied(k, VB_SERVER_FS))
                        contradiction(k, p, "\"inbox\"", VB_SERVER_FS);
                else if (!k->s->name)
                        DIAG(k, p, true,
                             "\"inbox\" needs the spec's \"name\": grants come through voidshim ctl NAME grant PATH");
        }
        if (v->hostname && k->s->env[VB_SERVER_UTS] != VB_SERVER_FRESH)
                contradiction(k, p_hostname, "\"hostname\"", VB_SERVER_UTS);
        if ((v->has_boottime || v->has_monotonic) && k->s->env[VB_SERVER_TIME] != VB_SERVER_FRESH) {
                _cleanup_free_ char *p = sub(vp, "time-offset");

                contradiction(k, p, "\"time-offset\"", VB_SERVER_TIME);
        }
        for (int i = 0; i < 3; i++)
                if (v->std[i] && denied(k, VB_SERVER_TERM)) {
                        _cleanup_free_ char *p = sub(vp, std_names[i]);
                        char what[16];

                        snprintf(what, sizeof(what), "\"%s\"", std_names[i]);
                        contradiction(k, p, what, VB_SERVER_TERM);
                }
#undef AT
}

/* Args and triggers that bring network or AF_UNIX sockets into a void. */
static void check_socket_grants(struct check *k, const struct vb_spec_entry *e)
{
        const struct vb_spec_listener *l;

        for (size_t i = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];

                if (a->kind == VB_ARG_LISTENER && a->ref && (l = vb_spec_find_listener(k->s, a->ref))) {
                        if (l->kind != VB_LISTEN_UNIX && denied(k, VB_SERVER_NET))
                                contradiction(k, a->where,
                                              l->kind == VB_LISTEN_TCP ? "a tcp listener" : "a udp listener",
                                              VB_SERVER_NET);
                        if (l->kind == VB_LISTEN_UNIX && denied(k, VB_SERVER_UNIX))
                                contradiction(k, a->where, "a unix listener", VB_SERVER_UNIX);
                }
                if (a->kind == VB_ARG_SOCKET && denied(k, VB_SERVER_UNIX))
                        contradiction(k, a->where, "a socket end", VB_SERVER_UNIX);
        }
        if (e->trigger.kind == VB_TRIG_LISTENER && e->trigger.ref &&
            (l = vb_spec_find_listener(k->s, e->trigger.ref))) {
                _cleanup_free_ char *p = sub(e->where, "trigger");
                enum vb_server srv = l->kind == VB_LISTEN_UNIX ? VB_SERVER_UNIX : VB_SERVER_NET;

                if (denied(k, srv))
                        contradiction(k, p, "a connection from a listener", srv);
        }
        if (e->trigger.kind == VB_TRIG_SOCKET && denied(k, VB_SERVER_UNIX)) {
                _cleanup_free_ char *p = sub(e->where, "trigger");

                contradiction(k, p, "a socket trigger", VB_SERVER_UNIX);
        }
}

/* ---- host paths -------------------------------------------------------- */

static void check_path(struct check *k, const char *ptr, const char *path, int mode, const char *what)
{
        int r = k->access(k->ud, path, mode);

        if (r < 0)
                DIAG(k, ptr, false, "%s %s: %s", what, path, strerror(-r));
}

static void check_parent(struct check *k, const char *ptr, const char *path, const char *what)
{
        _cleanup_free_ char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;

        if (!slash)
                return;
        if (slash == dir)
                slash[1] = '\0';
        else
                *slash = '\0';
        check_path(k, ptr, dir, F_OK, what);
}

static void check_entry_paths(struct check *k, const struct vb_spec_entry *e)
{
        const struct vb_spec_void *v = &e->v;
        _cleanup_free_ char *pp = sub(e->where, "program");

        if (e->program)
                check_path(k, pp, e->program, X_OK, "program");
        for (size_t i = 0; i < e->n_args; i++) {
                const struct vb_spec_arg *a = &e->args[i];

                if (a->kind == VB_ARG_FILE && a->path && (a->mode == VB_FMODE_CREATE || a->mode == VB_FMODE_REPLACE))
                        check_parent(k, a->where, a->path, "directory of file");
                else if (a->kind == VB_ARG_FILE && a->path)
                        check_path(k, a->where, a->path, F_OK, "file");
        }
        for (size_t i = 0; i < v->n_mounts; i++)
                if (v->mounts[i].kind == VB_SMNT_BIND && v->mounts[i].src && !(v->mounts[i].flags & VB_MOUNT_OPTIONAL))
                        check_path(k, v->mounts[i].where, v->mounts[i].src, F_OK, "bind source");
        for (size_t i = 0; v->libs && v->libs[i]; i++)
                if (*v->libs[i]) {
                        _cleanup_free_ char *p = sub(e->where, "void");
                        _cleanup_free_ char *lp = p ? sub(p, "libs") : NULL;

                        check_path(k, lp, v->libs[i], F_OK, "libs");
                }
        if (v->seccomp_file) {
                _cleanup_free_ char *p = sub(e->where, "void");
                _cleanup_free_ char *sp = p ? sub(p, "seccomp") : NULL;

                check_path(k, sp, v->seccomp_file, R_OK, "seccomp policy");
        }
}

static void check_listener_paths(struct check *k)
{
        for (size_t i = 0; i < k->s->n_listeners; i++) {
                const struct vb_spec_listener *l = &k->s->listeners[i];
                _cleanup_free_ char *p = sub("/listeners", l->name);
                _cleanup_free_ char *up = p ? sub(p, "unix") : NULL;

                if (l->kind == VB_LISTEN_UNIX && l->addr)
                        check_parent(k, up, l->addr, "directory of unix listener");
        }
}

int vb_spec_validate(const struct vb_spec *s, vb_spec_access_fn access, void *userdata, struct vb_spec_diags *d)
{
        struct check k = { .s = s, .d = d, .access = access, .ud = userdata, .before = d->n };

        check_environment(&k);
        for (size_t i = 0; i < s->n_entries; i++) {
                check_void_grants(&k, &s->entries[i]);
                check_socket_grants(&k, &s->entries[i]);
                if (access)
                        check_entry_paths(&k, &s->entries[i]);
        }
        if (access)
                check_listener_paths(&k);
        /*
         * The connection checks read references that parse errors may have
         * dropped; after a parse error they would only add noise.
         */
        if (!s->parse_errors) {
                for (size_t i = 0; i < s->n_entries; i++) {
                        check_trigger_ref(&k, &s->entries[i]);
                        check_args(&k, &s->entries[i]);
                        check_cmdline_mounts(&k, &s->entries[i]);
                }
                check_pipes(&k);
                check_sockets(&k);
                check_listeners(&k);
                check_liveness(&k);
        }
        if (d->oom)
                return -ENOMEM;
        return (int)(d->n - k.before);
}
