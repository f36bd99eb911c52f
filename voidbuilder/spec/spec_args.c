/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An entrypoint's "trigger" and "args": what starts a void and the fds it gets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_json.h"
#include "voidbuilder/cleanup.h"

#define MAX_ARGS 256

void spec_parse_trigger(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_trigger *t);
void spec_parse_args(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_entry *e);

static const char *const trigger_keys[] = { "pipe", "socket", "listener", NULL };

void spec_parse_trigger(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_trigger *t)
{
        int found = 0;

        if (json_is_string(j) && strcmp(json_string_value(j), "startup") == 0)
                return;
        if (!json_is_object(j)) {
                P_DIAG(c, ptr, false,
                       "\"trigger\" must be \"startup\" or one of {\"pipe\": NAME}, {\"socket\": NAME}, "
                       "{\"listener\": NAME}");
                return;
        }
        spec_check_keys(c, j, ptr, trigger_keys, "a trigger");
        for (int k = 0; trigger_keys[k]; k++) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, trigger_keys[k]);
                char *ref = NULL;

                if (!spec_get_string(c, j, ptr, trigger_keys[k], &ref))
                        continue;
                if (found++) {
                        P_DIAG(c, p, true, "a trigger is one pipe, socket or listener, not several");
                        free(ref);
                        continue;
                }
                t->kind = (enum vb_spec_trigger_kind)(VB_TRIG_PIPE + k);
                t->ref = ref;
        }
        if (!found && json_object_size(j) == 0)
                P_DIAG(c, ptr, false,
                       "\"trigger\" is empty: say {\"pipe\": NAME}, {\"socket\": NAME} or "
                       "{\"listener\": NAME}, or \"startup\"");
}

static const struct {
        const char *key;
        enum vb_spec_arg_kind kind;
        const char *const keys[4]; /* the other keys it allows */
} arg_kinds[] = {
        { "file", VB_ARG_FILE, { "name", "mode", NULL } },
        { "pipe", VB_ARG_PIPE, { "name", "end", NULL } },
        { "socket", VB_ARG_SOCKET, { "name", "end", NULL } },
        { "listener", VB_ARG_LISTENER, { "name", NULL } },
        { "trigger", VB_ARG_TRIGGER, { "name", NULL } },
        { "cmdline", VB_ARG_CMDLINE, { "name", "mode", NULL } },
        { "trailing", VB_ARG_TRAILING, { NULL } },
};

static int find_kind(struct spec_ctx *c, json_t *j, const char *ptr)
{
        int kind = -1, n = 0;

        for (int k = 0; k < (int)ELEMENTSOF(arg_kinds); k++)
                if (json_object_get(j, arg_kinds[k].key)) {
                        if (n++ == 0)
                                kind = k;
                }
        if (n == 0)
                P_DIAG(c, ptr, false,
                       "an arg needs one of \"file\", \"pipe\", \"socket\", \"listener\", \"trigger\", "
                       "\"cmdline\" or \"trailing\"");
        else if (n > 1)
                P_DIAG(c, ptr, false,
                       "an arg is one of \"file\", \"pipe\", \"socket\", \"listener\", \"trigger\", "
                       "\"cmdline\" or \"trailing\", not several");
        return n == 1 ? kind : -1;
}

static void parse_mode(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_arg *a)
{
        static const char *const modes[] = { "r", "w", "rw", "append", "create", "replace" };
        json_t *m = json_object_get(j, "mode");
        _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "mode");

        if (!m)
                return;
        for (int i = 0; json_is_string(m) && i < (int)ELEMENTSOF(modes); i++)
                if (strcmp(modes[i], json_string_value(m)) == 0) {
                        a->mode = (enum vb_spec_fmode)i;
                        return;
                }
        P_DIAG(c, p, false, "\"mode\" must be \"r\", \"w\", \"rw\", \"append\", \"create\" or \"replace\"");
}

static void parse_end(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_arg *a, const char *what)
{
        json_t *m = json_object_get(j, "end");
        _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "end");

        if (!m)
                P_DIAG(c, ptr, false, "a %s arg needs \"end\": \"rx\" (read) or \"tx\" (write)", what);
        else if (json_is_string(m) && strcmp(json_string_value(m), "rx") == 0)
                a->end = VB_END_RX;
        else if (json_is_string(m) && strcmp(json_string_value(m), "tx") == 0)
                a->end = VB_END_TX;
        else
                P_DIAG(c, p, false, "\"end\" must be \"rx\" (read) or \"tx\" (write)");
}

/* The value under the kind key: a path, a channel name, true, or an index. */
static void parse_kind_value(struct spec_ctx *c, json_t *v, const char *p, int k, struct vb_spec_arg *a)
{
        const char *key = arg_kinds[k].key;
        char what[40];

        snprintf(what, sizeof(what), "\"%s\"", key);
        switch (a->kind) {
        case VB_ARG_FILE:
                if (spec_expect(c, v, JSON_STRING, p, what))
                        a->path = spec_host_path(c, json_string_value(v));
                break;
        case VB_ARG_PIPE:
        case VB_ARG_SOCKET:
        case VB_ARG_LISTENER:
                if (spec_expect(c, v, JSON_STRING, p, what) && !(a->ref = strdup(json_string_value(v))))
                        c->oom = -ENOMEM;
                break;
        case VB_ARG_CMDLINE:
                if (json_is_string(v) && strcmp(json_string_value(v), "trailing") == 0)
                        a->each = true;
                else if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4096)
                        P_DIAG(c, p, false,
                               "\"cmdline\" must be the index (0, 1, ...) of a word after \"--\", or "
                               "\"trailing\" (an fd per path among the trailing words)");
                else
                        a->index = (unsigned)json_integer_value(v);
                break;
        case VB_ARG_TRIGGER:
        case VB_ARG_TRAILING:
        default:
                if (!json_is_true(v))
                        P_DIAG(c, p, false, "%s must be true", what);
                break;
        }
}

static void parse_arg_object(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_arg *a)
{
        const char *keys[6];
        int k = find_kind(c, j, ptr), n = 0;
        _cleanup_free_ char *p = NULL;
        char *name = NULL;

        if (k < 0)
                return;
        a->kind = arg_kinds[k].kind;
        keys[n++] = arg_kinds[k].key;
        for (int i = 0; arg_kinds[k].keys[i]; i++)
                keys[n++] = arg_kinds[k].keys[i];
        keys[n] = NULL;
        spec_check_keys(c, j, ptr, keys, a->kind == VB_ARG_TRAILING ? "a trailing arg" : "this kind of arg");
        p = vb_spec_ptr_key(ptr, arg_kinds[k].key);
        if (!p) {
                c->oom = -ENOMEM;
                return;
        }
        parse_kind_value(c, json_object_get(j, arg_kinds[k].key), p, k, a);
        if (a->kind == VB_ARG_FILE || a->kind == VB_ARG_CMDLINE)
                parse_mode(c, j, ptr, a);
        if (a->kind == VB_ARG_PIPE || a->kind == VB_ARG_SOCKET)
                parse_end(c, j, ptr, a, arg_kinds[k].key);
        if (spec_get_string(c, j, ptr, "name", &name)) {
                _cleanup_free_ char *np = vb_spec_ptr_key(ptr, "name");

                if (!spec_valid_name(name))
                        P_DIAG(c, np, false, "\"%s\" is not a valid fd name (letters, digits, '_', '-', '.')", name);
                a->name = name;
        }
}

static void default_name(struct spec_ctx *c, const char *ptr, struct vb_spec_arg *a)
{
        if (a->name || a->kind == VB_ARG_TRAILING)
                return;
        if (a->kind == VB_ARG_FILE || a->kind == VB_ARG_CMDLINE) {
                P_DIAG(c, ptr, false, "a %s arg needs a \"name\" (how the program finds its fd)",
                       a->kind == VB_ARG_FILE ? "file" : "cmdline");
                return;
        }
        a->name = strdup(a->kind == VB_ARG_TRIGGER ? "trigger" : a->ref ? a->ref : "?");
        if (!a->name)
                c->oom = -ENOMEM;
}

static void parse_arg(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_arg *a)
{
        a->fd = -1;
        a->where = strdup(ptr);
        if (!a->where)
                c->oom = -ENOMEM;
        if (json_is_string(j) && strcmp(json_string_value(j), "trigger") == 0)
                a->kind = VB_ARG_TRIGGER;
        else if (json_is_string(j) && strcmp(json_string_value(j), "trailing") == 0)
                a->kind = VB_ARG_TRAILING;
        else if (json_is_object(j))
                parse_arg_object(c, j, ptr, a);
        else {
                P_DIAG(c, ptr, false,
                       "an arg is \"trigger\", \"trailing\" or an object such as {\"file\": PATH, "
                       "\"name\": NAME}, not %s",
                       spec_type_name(j));
                a->kind = VB_ARG_TRAILING; /* takes no fd: keeps the numbering of the others */
                return;
        }
        default_name(c, ptr, a);
}

/* Args become fds 3, 4, ... in declaration order; a socket trigger may take several. */
static void assign_fds(const struct vb_spec *s, struct vb_spec_entry *e)
{
        const struct vb_spec_socket *so = NULL;
        int next = VB_SPEC_FIRST_FD;

        if (e->trigger.kind == VB_TRIG_SOCKET && e->trigger.ref)
                so = vb_spec_find_socket(s, e->trigger.ref);
        for (size_t i = 0; i < e->n_args; i++) {
                struct vb_spec_arg *a = &e->args[i];

                if (a->kind == VB_ARG_TRAILING)
                        continue;
                /* One fd per trailing path: how many is known only at run time (the check keeps it last). */
                a->n_fds = a->kind == VB_ARG_TRIGGER && so ? so->fds : a->each ? 0 : 1;
                a->fd = next;
                next += (int)a->n_fds;
        }
}

void spec_parse_args(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_entry *e)
{
        size_t i;
        json_t *item;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"args\""))
                return;
        if (json_array_size(j) > MAX_ARGS) {
                P_DIAG(c, ptr, false, "too many args (at most %d)", MAX_ARGS);
                return;
        }
        e->args = calloc(json_array_size(j) + 1, sizeof(*e->args));
        if (!e->args) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, item)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);

                if (!p) {
                        c->oom = -ENOMEM;
                        return;
                }
                parse_arg(c, item, p, &e->args[e->n_args++]);
        }
        assign_fds(c->s, e);
}
