/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim explain SPEC [--dot]: every void of an application, what it can
 * touch (vb_void_explain() of the void each entrypoint gets) and how the voids
 * are connected; --dot writes the same graph for Graphviz.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "oci/oci.h"
#include "run/cli.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static const char *mode_word(enum vb_spec_fmode m)
{
        static const char *const w[] = { "read-only",
                                         "write-only (truncated)",
                                         "read-write",
                                         "append-only",
                                         "created or truncated, write-only",
                                         "as a new file, write-only, put in its place only if the void exits 0" };

        return (unsigned)m < ELEMENTSOF(w) ? w[m] : "?";
}

static void describe_trigger(FILE *f, const struct vb_spec *s, const struct vb_spec_entry *e)
{
        const struct vb_spec_listener *l;

        switch (e->trigger.kind) {
        case VB_TRIG_PIPE:
                fprintf(f, "  starts: a new void for each message on pipe \"%s\" (at most %u bytes)\n", e->trigger.ref,
                        vb_spec_find_pipe(s, e->trigger.ref)->max_message);
                break;
        case VB_TRIG_SOCKET:
                fprintf(f, "  starts: a new void for each message of %u fd(s) on socket \"%s\"\n",
                        vb_spec_find_socket(s, e->trigger.ref)->fds, e->trigger.ref);
                break;
        case VB_TRIG_LISTENER:
                l = vb_spec_find_listener(s, e->trigger.ref);
                fprintf(f, "  starts: a new void for each connection accepted on listener \"%s\" (%s %s)\n",
                        e->trigger.ref, l->kind == VB_LISTEN_UNIX ? "unix" : "tcp", l->addr);
                break;
        case VB_TRIG_STARTUP:
        default:
                fprintf(f, "  starts: once, when the application starts\n");
                break;
        }
}

static void describe_arg(FILE *f, const struct vb_spec *s, const struct vb_spec_entry *e, const struct vb_spec_arg *a)
{
        const struct vb_spec_listener *l;

        if (a->kind == VB_ARG_TRAILING) {
                fprintf(f, "    argv: the words after the \"cmdline\" paths on the command line (data only)\n");
                return;
        }
        if (a->each)
                fprintf(f, "    %d... %s.0, %s.1, ...: ", a->fd, a->name, a->name);
        else
                fprintf(f, "    %d %s: ", a->fd, a->name);
        switch (a->kind) {
        case VB_ARG_FILE:
                fprintf(f, "host file %s, opened by the shim %s\n", a->path, mode_word(a->mode));
                break;
        case VB_ARG_CMDLINE:
                if (a->each)
                        fprintf(f, "one fd per path among the trailing words, in order, opened by the shim %s\n",
                                mode_word(a->mode));
                else
                        fprintf(f, "the path given as word %u after \"--\", opened by the shim %s\n", a->index,
                                mode_word(a->mode));
                break;
        case VB_ARG_PIPE:
                fprintf(f, "the %s end of pipe \"%s\" (framed messages)\n", a->end == VB_END_RX ? "reading" : "writing",
                        a->ref);
                break;
        case VB_ARG_SOCKET:
                fprintf(f, "the %s end of socket \"%s\" (fds by SCM_RIGHTS)\n",
                        a->end == VB_END_RX ? "receiving" : "sending", a->ref);
                break;
        case VB_ARG_LISTENER:
                l = vb_spec_find_listener(s, a->ref);
                fprintf(f, "listening socket \"%s\" (%s %s), bound by the shim\n", a->ref,
                        l->kind == VB_LISTEN_TCP   ? "tcp"
                        : l->kind == VB_LISTEN_UDP ? "udp"
                                                   : "unix",
                        l->addr);
                break;
        case VB_ARG_TRIGGER:
                if (e->trigger.kind == VB_TRIG_PIPE)
                        fprintf(f, "the message that started it (a sealed, read-only memfd)\n");
                else if (e->trigger.kind == VB_TRIG_LISTENER)
                        fprintf(f, "the accepted connection that started it\n");
                else
                        fprintf(f, "the %u fd(s) received that started it (%s.1, ... for more)\n", a->n_fds, a->name);
                break;
        case VB_ARG_TRAILING:
        default:
                break;
        }
}

/* What the command line grants, which the void below cannot show: it depends on the words. */
static void describe_cmdline(FILE *f, const struct vb_spec_entry *e)
{
        for (size_t i = 0; i < e->v.n_mounts; i++) {
                const struct vb_spec_mount *m = &e->v.mounts[i];
                char which[64];

                if (m->kind != VB_SMNT_CMDLINE)
                        continue;
                if (m->cmdline == VB_SPEC_CMDLINE_TRAILING)
                        snprintf(which, sizeof(which), "each path among the trailing words");
                else
                        snprintf(which, sizeof(which), "the path given as word %d after \"--\"", m->cmdline);
                fprintf(f, "  command line: %s%s, bound %s%s at its own path\n", m->parent ? "the directory of " : "",
                        which, (m->flags & VB_MOUNT_RW) ? "read-write" : "read-only",
                        (m->flags & VB_MOUNT_NOEXEC) ? ", noexec," : "");
        }
        for (size_t i = 0; e->v.profiles && e->v.profiles[i]; i++)
                fprintf(f, "  profile %s: from %s; its mounts are marked [profile %s] below\n", e->v.profiles[i],
                        e->v.profile_files && e->v.profile_files[i] && *e->v.profile_files[i] ? e->v.profile_files[i]
                                                                                              : "?",
                        e->v.profiles[i]);
        if (e->v.chdir_caller)
                fprintf(f, "  working directory: the caller's (an empty directory at the same path, unless granted)\n");
        if (!e->v.landlock && !e->v.landlock_off)
                fprintf(f, "  landlock (when the kernel has it): the void readable, writable only where granted, "
                           "each arg's fd confined to its object (doc/fds.md)\n");
}

/*
 * The plan of entrypoint e as explain sees it: no command line, no caretakers
 * running, and a stand-in (/dev/null, null_fd) at each arg's fd.
 */
static int plan_entry(const struct vb_spec *s, const struct vb_spec_entry *e, int null_fd, struct vb_plan **out,
                      struct vb_void **v, struct vb_error **err)
{
        int r = exec_plan(s, e, NULL, NULL, out, err);

        for (size_t i = 0; r >= 0 && i < e->n_args; i++)
                for (unsigned k = 0; r >= 0 && k < (e->args[i].each ? 1 : e->args[i].n_fds); k++)
                        r = vb_plan_fd(*out, null_fd, e->args[i].fd + (int)k, 0, e->args[i].name);
        if (r >= 0)
                r = vb_plan_apply(*out, true, v, err);
        return r;
}

/* The void explained as the library sees it. */
static int explain_void(FILE *f, const struct vb_spec *s, const struct vb_spec_entry *e)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        _cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *text = NULL;
        struct vb_plan *plan = NULL;
        char what[256];
        int r = plan_entry(s, e, null, &plan, &v, &err);

        vb_plan_free(plan);
        if (r >= 0 && !(text = vb_void_explain(v)))
                r = -ENOMEM;
        if (r < 0) {
                snprintf(what, sizeof(what), "explain entrypoint %s", e->name);
                shim_fatal_err(0, what, err, r);
                return r;
        }
        fprintf(f, "  the void:\n");
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                fprintf(f, "    %s\n", line);
        return 0;
}

/*
 * --json: for every entrypoint its plan and the void it gives (doc/plan-json.md):
 * {"spec": FILE, "entrypoints": [{"name": ..., "plan": {...}, "void": {...}}, ...]}.
 */
static int explain_json(FILE *f, const struct vb_spec *s)
{
        _cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

        fprintf(f, "{\"entrypoints\":[");
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct vb_spec_entry *e = &s->entries[i];
                _cleanup_vb_error_ struct vb_error *err = NULL;
                _cleanup_vb_void_ struct vb_void *v = NULL;
                _cleanup_free_ char *plan_text = NULL, *void_text = NULL;
                struct vb_plan *plan = NULL;
                char what[256];
                int r = plan_entry(s, e, null, &plan, &v, &err);

                if (r >= 0 && (!(plan_text = vb_plan_to_json(plan)) || !(void_text = vb_void_explain_json(v))))
                        r = -ENOMEM;
                vb_plan_free(plan);
                if (r < 0) {
                        snprintf(what, sizeof(what), "explain entrypoint %s", e->name);
                        return shim_fatal_err(SHIM_EXIT_SYSTEM, what, err, r);
                }
                void_text[strcspn(void_text, "\n")] = '\0';
                fprintf(f, "%s{\"name\":\"%s\",\"plan\":%s,\"void\":%s}", i ? "," : "", e->name, plan_text, void_text);
        }
        fprintf(f, "]}\n");
        return 0;
}

/* Who holds which end of channel ref (of kind k), and whose void a message on it starts. */
static void describe_channel(FILE *f, const struct vb_spec *s, const char *what, const char *ref,
                             enum vb_spec_arg_kind k, enum vb_spec_trigger_kind t)
{
        const char *sep = " ";

        fprintf(f, "  %s \"%s\":", what, ref);
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct vb_spec_entry *e = &s->entries[i];

                for (size_t j = 0; j < e->n_args; j++)
                        if (e->args[j].kind == k && e->args[j].ref && strcmp(e->args[j].ref, ref) == 0) {
                                fprintf(f, "%s%s %s", sep, e->name,
                                        k == VB_ARG_LISTENER          ? "accepts on it"
                                        : e->args[j].end == VB_END_TX ? "writes"
                                                                      : "reads");
                                sep = "; ";
                        }
                if (e->trigger.kind == t && e->trigger.ref && strcmp(e->trigger.ref, ref) == 0) {
                        fprintf(f, "%seach %s starts a new \"%s\" void", sep,
                                t == VB_TRIG_LISTENER ? "connection" : "message", e->name);
                        sep = "; ";
                }
        }
        fprintf(f, "%s\n", *sep == ' ' ? " unused" : "");
}

/* The graph in words: every channel with its ends (voidshim explain --dot draws it). */
static void explain_connections(FILE *f, const struct vb_spec *s)
{
        fprintf(f, "\nconnections:%s\n", s->n_pipes + s->n_sockets + s->n_listeners ? "" : " none");
        for (size_t i = 0; i < s->n_pipes; i++)
                describe_channel(f, s, "pipe", s->pipes[i].name, VB_ARG_PIPE, VB_TRIG_PIPE);
        for (size_t i = 0; i < s->n_sockets; i++)
                describe_channel(f, s, "socket", s->sockets[i].name, VB_ARG_SOCKET, VB_TRIG_SOCKET);
        for (size_t i = 0; i < s->n_listeners; i++)
                describe_channel(f, s, "listener (held by the shim)", s->listeners[i].name, VB_ARG_LISTENER,
                                 VB_TRIG_LISTENER);
}

/*
 * The caretakers of the proxied servers, by the names `voidshim ctl NAME revoke`
 * takes: everything a void gets through them is written here.
 */
static void explain_caretakers(FILE *f, const struct vb_spec *s)
{
        const struct vb_spec_care *c = &s->care;
        bool net = s->env[VB_SERVER_NET] == VB_SERVER_PROXIED, unx = s->env[VB_SERVER_UNIX] == VB_SERVER_PROXIED;

        if (!net && !unx)
                return;
        fprintf(f, "caretakers (processes of voidshim's; they die with it; `voidshim exec --name NAME`, then "
                   "`voidshim ctl NAME revoke CARETAKER` cuts one while the voids run):\n");
        if (net) {
                fprintf(f, "  net: every void joins a network caretaker of its own (pasta, holding a fresh user and "
                           "network namespace); it lets through only:");
                for (size_t i = 0; i < c->n_allow; i++)
                        fprintf(f, "%s %s", i ? "," : "", c->allow_text[i]);
                fprintf(f, "\n       any other port is refused, any other address unreachable; after revoke "
                           "every connect is refused, in running voids and later ones\n");
                /* The names were resolved once, now, as they will be when the application starts. */
                for (size_t i = 0; i < c->n_hosts; i++)
                        fprintf(f, "       the voids' /etc/hosts (read-only bind) names %s\n", c->hosts[i]);
        }
        for (size_t i = 0; unx && i < c->n_fwd; i++)
                fprintf(f,
                        "  %s: a socket bound in every void, forwarded to %s on the host by voidshim's "
                        "forwarder (fds sent over it are dropped); after revoke every connect is refused\n",
                        c->fwd[i].at, c->fwd[i].upstream);
        if (unx && c->dbus) {
                fprintf(f,
                        "  dbus: xdg-dbus-proxy at %s in every void (DBUS_SESSION_BUS_ADDRESS), to %s, filtered: "
                        "talk to",
                        c->dbus->at, c->dbus->bus);
                for (size_t i = 0; c->dbus->talk && c->dbus->talk[i]; i++)
                        fprintf(f, "%s %s", i ? "," : "", c->dbus->talk[i]);
                fprintf(f, "%s\n", c->dbus->talk && c->dbus->talk[0] ? "" : " nothing but the bus itself");
        }
}

/* What the void below cannot show: it is built without the caretakers, which start only with the run. */
static void describe_caretakers(FILE *f, const struct vb_spec *s)
{
        if (s->env[VB_SERVER_NET] == VB_SERVER_PROXIED)
                fprintf(f, "  net: through its own network caretaker (above): the user and network namespaces "
                           "are the caretaker's, not the fresh ones below\n");
        for (size_t i = 0; s->env[VB_SERVER_UNIX] == VB_SERVER_PROXIED && i < s->care.n_fwd; i++)
                fprintf(f, "  caretaker socket: %s (read-write bind), to %s\n", s->care.fwd[i].at,
                        s->care.fwd[i].upstream);
        if (s->env[VB_SERVER_UNIX] == VB_SERVER_PROXIED && s->care.dbus)
                fprintf(f, "  caretaker socket: %s (read-write bind), the D-Bus proxy\n", s->care.dbus->at);
}

static int explain_text(FILE *f, const struct vb_spec *s)
{
        fprintf(f, "environment:");
        for (int i = 0; i < VB_SERVER_COUNT; i++)
                fprintf(f, " %s=%s", vb_server_name((enum vb_server)i), vb_server_mode_name(s->env[i]));
        fprintf(f, "\n");
        if (s->name)
                fprintf(f,
                        "name: %s (voidshim ctl %s list|grant|revoke|stop while it runs; exec --name overrides it)\n",
                        s->name, s->name);
        explain_caretakers(f, s);
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct vb_spec_entry *e = &s->entries[i];

                fprintf(f, "\nentrypoint \"%s\"\n", e->name);
                describe_trigger(f, s, e);
                fprintf(f, "  program: %s, run by fd with VOIDSHIM_ENTRYPOINT=%s\n", e->program, e->name);
                fprintf(f, "  fds (VOIDSHIM_FDS):%s\n", e->n_args ? "" : " none beyond stdio");
                for (size_t k = 0; k < e->n_args; k++)
                        describe_arg(f, s, e, &e->args[k]);
                describe_cmdline(f, e);
                describe_caretakers(f, s);
                if (e->v.inbox)
                        fprintf(f,
                                "  powerbox: the application's inbox at %s, empty at start: voidshim ctl %s grant PATH "
                                "[ro|rw] puts PATH there, in every void of an entrypoint with an \"inbox\"\n",
                                e->v.inbox, s->name ? s->name : "NAME");
                if (explain_void(f, s, e) < 0)
                        return SHIM_EXIT_SYSTEM;
        }
        explain_connections(f, s);
        return 0;
}

/* ---- Graphviz ---------------------------------------------------------------- */

/* A host path inside a DOT string: quotes and backslashes escaped. */
static const char *dot_esc(const char *in, char *buf, size_t len)
{
        size_t o = 0;

        for (; *in && o + 3 < len; in++) {
                if (*in == '"' || *in == '\\')
                        buf[o++] = '\\';
                buf[o++] = *in;
        }
        buf[o] = '\0';
        return buf;
}

static void dot_arg(FILE *f, const struct vb_spec_entry *e, const struct vb_spec_arg *a)
{
        const char *prefix = a->kind == VB_ARG_PIPE ? "pipe" : a->kind == VB_ARG_SOCKET ? "socket" : "listener";
        char path[1024];

        switch (a->kind) {
        case VB_ARG_PIPE:
        case VB_ARG_SOCKET:
                if (a->end == VB_END_TX)
                        fprintf(f, "  \"ep:%s\" -> \"%s:%s\" [label=\"fd %d\"];\n", e->name, prefix, a->ref, a->fd);
                else
                        fprintf(f, "  \"%s:%s\" -> \"ep:%s\" [label=\"fd %d\"];\n", prefix, a->ref, e->name, a->fd);
                break;
        case VB_ARG_LISTENER:
                fprintf(f, "  \"listener:%s\" -> \"ep:%s\" [label=\"fd %d\", dir=both];\n", a->ref, e->name, a->fd);
                break;
        case VB_ARG_FILE:
                dot_esc(a->path, path, sizeof(path));
                fprintf(f, "  \"file:%s\" [shape=note, label=\"%s\"];\n", path, path);
                fprintf(f, "  \"file:%s\" -> \"ep:%s\" [label=\"fd %d (%s)\", style=dashed%s];\n", path, e->name, a->fd,
                        mode_word(a->mode), a->mode == VB_FMODE_R ? "" : ", dir=both");
                break;
        case VB_ARG_CMDLINE:
                if (a->each) {
                        fprintf(f, "  \"cmdline:trailing\" [shape=note, label=\"command line paths\"];\n");
                        fprintf(f, "  \"cmdline:trailing\" -> \"ep:%s\" [label=\"fds %d... (%s)\", style=dashed];\n",
                                e->name, a->fd, mode_word(a->mode));
                        break;
                }
                fprintf(f, "  \"cmdline:%u\" [shape=note, label=\"command line path #%u\"];\n", a->index, a->index);
                fprintf(f, "  \"cmdline:%u\" -> \"ep:%s\" [label=\"fd %d (%s)\", style=dashed];\n", a->index, e->name,
                        a->fd, mode_word(a->mode));
                break;
        case VB_ARG_TRIGGER:
        case VB_ARG_TRAILING:
        default:
                break;
        }
}

/* The caretakers of proxied servers, each serving every void (the network caretaker: one per void). */
static void dot_caretakers(FILE *f, const struct vb_spec *s)
{
        const struct vb_spec_care *c = &s->care;
        bool unx = s->env[VB_SERVER_UNIX] == VB_SERVER_PROXIED;
        char at[512], up[512];

        if (s->env[VB_SERVER_NET] == VB_SERVER_PROXIED)
                fprintf(f, "  \"care:net\" [shape=component, label=\"network caretaker\\n(one per void)\"];\n");
        for (size_t i = 0; unx && i < c->n_fwd; i++)
                fprintf(f, "  \"care:%s\" [shape=component, label=\"forwarder %s\\nto %s\"];\n",
                        dot_esc(c->fwd[i].at, at, sizeof(at)), at, dot_esc(c->fwd[i].upstream, up, sizeof(up)));
        if (unx && c->dbus)
                fprintf(f, "  \"care:dbus\" [shape=component, label=\"D-Bus proxy %s\"];\n",
                        dot_esc(c->dbus->at, at, sizeof(at)));
        for (size_t i = 0; i < s->n_entries; i++) {
                const char *e = s->entries[i].name;

                if (s->env[VB_SERVER_NET] == VB_SERVER_PROXIED)
                        fprintf(f, "  \"care:net\" -> \"ep:%s\" [dir=both, style=dotted];\n", e);
                for (size_t k = 0; unx && k < c->n_fwd; k++)
                        fprintf(f, "  \"care:%s\" -> \"ep:%s\" [dir=both, style=dotted];\n",
                                dot_esc(c->fwd[k].at, at, sizeof(at)), e);
                if (unx && c->dbus)
                        fprintf(f, "  \"care:dbus\" -> \"ep:%s\" [dir=both, style=dotted];\n", e);
        }
}

static int explain_dot(FILE *f, const struct vb_spec *s)
{
        static const char *const trig[] = { "", "pipe", "socket", "listener" };
        char buf[1024];

        fprintf(f, "digraph voidshim {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n");
        for (size_t i = 0; i < s->n_pipes; i++)
                fprintf(f, "  \"pipe:%s\" [shape=cds, label=\"pipe %s\"];\n", s->pipes[i].name, s->pipes[i].name);
        for (size_t i = 0; i < s->n_sockets; i++)
                fprintf(f, "  \"socket:%s\" [shape=hexagon, label=\"socket %s\"];\n", s->sockets[i].name,
                        s->sockets[i].name);
        for (size_t i = 0; i < s->n_listeners; i++)
                fprintf(f, "  \"listener:%s\" [shape=house, label=\"listener %s\\n%s\"];\n", s->listeners[i].name,
                        s->listeners[i].name, dot_esc(s->listeners[i].addr, buf, sizeof(buf)));
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct vb_spec_entry *e = &s->entries[i];

                fprintf(f, "  \"ep:%s\" [shape=box, style=%s, label=\"%s\\n(%s)\"];\n", e->name,
                        e->trigger.kind == VB_TRIG_STARTUP ? "\"rounded,bold\"" : "\"rounded,dashed\"", e->name,
                        e->trigger.kind == VB_TRIG_STARTUP ? "startup" : "a void per firing");
                if (e->trigger.kind != VB_TRIG_STARTUP)
                        fprintf(f, "  \"%s:%s\" -> \"ep:%s\" [label=\"starts\", style=bold, color=red];\n",
                                trig[e->trigger.kind], e->trigger.ref, e->name);
                for (size_t k = 0; k < e->n_args; k++)
                        dot_arg(f, e, &e->args[k]);
                for (size_t k = 0; k < e->v.n_mounts; k++) {
                        const struct vb_spec_mount *m = &e->v.mounts[k];

                        if (m->kind != VB_SMNT_CMDLINE)
                                continue;
                        fprintf(f, "  \"grant:%s:%zu\" [shape=folder, label=\"%s%s\"];\n", e->name, k,
                                m->parent ? "directories of " : "",
                                m->cmdline == VB_SPEC_CMDLINE_TRAILING ? "the command line paths"
                                                                       : "a command line path");
                        fprintf(f, "  \"grant:%s:%zu\" -> \"ep:%s\" [label=\"bind (%s)\", style=dashed%s];\n", e->name,
                                k, e->name, (m->flags & VB_MOUNT_RW) ? "rw" : "ro",
                                (m->flags & VB_MOUNT_RW) ? ", dir=both" : "");
                }
        }
        dot_caretakers(f, s);
        fprintf(f, "}\n");
        return 0;
}

int cmd_explain(int argc, char **argv)
{
        struct vb_spec *s = NULL;
        const char *path = NULL, *bundle = NULL;
        bool dot = false, json = false;
        int rc;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--dot") == 0)
                        dot = true;
                else if (strcmp(argv[i], "--oci") == 0 && i + 1 < argc)
                        bundle = argv[++i];
                else if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        printf("usage: voidshim explain SPEC [--dot|--json]\n"
                               "       voidshim explain --oci BUNDLE [--json]\n\nSay what every void of SPEC holds and "
                               "how they connect; --dot writes a Graphviz graph (voidshim explain app.json --dot | "
                               "dot -Tsvg > app.svg); --json writes each entrypoint's plan and void as data "
                               "(doc/plan-json.md).  --oci: the void an OCI bundle's config.json gives (doc/oci.md).\n");
                        return 0;
                } else if (!path)
                        path = argv[i];
                else
                        return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", "one SPEC only");
        }
        if (bundle && (path || dot))
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", "--oci BUNDLE takes no SPEC and no --dot");
        if (bundle)
                return oci_explain(bundle, json);
        if (!path)
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                  "usage: voidshim explain SPEC [--dot|--json] | --oci BUNDLE [--json]");
        rc = shim_spec_load(path, &s);
        if (rc != 0)
                return rc;
        /* The names, resolved now, as `voidshim run --net-allow NAME --explain` resolves them. */
        rc = shim_spec_resolve(s);
        if (rc != 0) {
                vb_spec_free(s);
                return rc;
        }
        rc = dot ? explain_dot(stdout, s) : json ? explain_json(stdout, s) : explain_text(stdout, s);
        vb_spec_free(s);
        return rc;
}
