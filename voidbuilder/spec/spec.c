/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parse an application spec (doc/spec-format.md) into struct vb_spec.
 * Strict: unknown keys, wrong types and bad values are all reported, each
 * at its line and column, and parsing goes on to find the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_json.h"
#include "voidbuilder/cleanup.h"

int vb_spec_split_addr(const char *addr, char *host, size_t host_len, uint16_t *port)
{
        const char *colon, *h = addr;
        size_t hl;
        char *end;
        long p;

        if (addr[0] == '[') {
                const char *close = strchr(addr, ']');

                if (!close || close[1] != ':')
                        return -EINVAL;
                h = addr + 1;
                hl = (size_t)(close - h);
                colon = close + 1;
        } else {
                colon = strrchr(addr, ':');
                if (!colon || strchr(addr, ':') != colon)
                        return -EINVAL;
                hl = (size_t)(colon - addr);
        }
        if (hl == 0 || hl >= host_len || !colon[1])
                return -EINVAL;
        errno = 0;
        p = strtol(colon + 1, &end, 10);
        if (errno || *end || p < 1 || p > 65535 || colon[1] < '0' || colon[1] > '9')
                return -EINVAL;
        memcpy(host, h, hl);
        host[hl] = '\0';
        *port = (uint16_t)p;
        return 0;
}

size_t vb_spec_path_words(char *const *words, size_t n, size_t *idx)
{
        bool options = true;
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                const char *w = words[i];

                if (options && strcmp(w, "--") == 0) {
                        options = false;
                        continue;
                }
                if (!*w || strcmp(w, "-") == 0 || (options && w[0] == '-'))
                        continue;
                idx[k++] = i;
        }
        return k;
}

/* ---- top-level tables -------------------------------------------------- */

/* Walk a name -> object table; fn parses one member.  Returns the member count. */
static size_t each_named(struct spec_ctx *c, json_t *j, const char *ptr, const char *what,
                         void (*fn)(struct spec_ctx *c, const char *name, json_t *val, const char *ptr, size_t i))
{
        const char *key;
        json_t *val;
        size_t i = 0;

        if (!spec_expect(c, j, JSON_OBJECT, ptr, what))
                return 0;
        json_object_foreach(j, key, val)
        {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, key);

                if (!p) {
                        c->oom = -ENOMEM;
                        return i;
                }
                if (!spec_valid_name(key))
                        P_DIAG(c, p, true, "\"%s\" is not a valid name (letters, digits, '_', '-', '.'; 1 to 64)", key);
                fn(c, key, val, p, i++);
        }
        return i;
}

static void parse_pipe(struct spec_ctx *c, const char *name, json_t *val, const char *ptr, size_t i)
{
        static const char *const keys[] = { "max_message", "description", NULL };
        struct vb_spec_pipe *pp = &c->s->pipes[i];
        json_t *m;

        pp->name = strdup(name);
        pp->max_message = VB_SPEC_MAX_MESSAGE_DEFAULT;
        if (!pp->name)
                c->oom = -ENOMEM;
        if (!spec_expect(c, val, JSON_OBJECT, ptr, "a pipe"))
                return;
        spec_check_keys(c, val, ptr, keys, "a pipe");
        m = json_object_get(val, "max_message");
        if (m) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "max_message");
                uint64_t v;

                if (!spec_parse_size(m, &v) || v == 0 || v > VB_SPEC_MAX_MESSAGE_LIMIT)
                        P_DIAG(c, p, false, "\"max_message\" must be a size from 1 to 16m bytes");
                else
                        pp->max_message = (uint32_t)v;
        }
}

static void parse_socket(struct spec_ctx *c, const char *name, json_t *val, const char *ptr, size_t i)
{
        static const char *const keys[] = { "fds", "description", NULL };
        struct vb_spec_socket *so = &c->s->sockets[i];
        json_t *f;

        so->name = strdup(name);
        so->fds = 1;
        if (!so->name)
                c->oom = -ENOMEM;
        if (!spec_expect(c, val, JSON_OBJECT, ptr, "a socket"))
                return;
        spec_check_keys(c, val, ptr, keys, "a socket");
        f = json_object_get(val, "fds");
        if (f) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "fds");

                if (!json_is_integer(f) || json_integer_value(f) < 1 || json_integer_value(f) > VB_SPEC_MAX_SOCKET_FDS)
                        P_DIAG(c, p, false, "\"fds\" must be an integer from 1 to %d (fds per message)",
                               VB_SPEC_MAX_SOCKET_FDS);
                else
                        so->fds = (unsigned)json_integer_value(f);
        }
}

static void check_inet(struct spec_ctx *c, const char *ptr, const char *kind, const char *addr)
{
        unsigned char buf[16];
        char host[64];
        uint16_t port;

        if (vb_spec_split_addr(addr, host, sizeof(host), &port) < 0)
                P_DIAG(c, ptr, false, "%s address \"%s\" is not HOST:PORT (port 1 to 65535; IPv6 as [ADDR]:PORT)", kind,
                       addr);
        else if (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1)
                P_DIAG(c, ptr, false, "%s address \"%s\": \"%s\" is not an IP address (names are not resolved)", kind,
                       addr, host);
}

static void parse_listener(struct spec_ctx *c, const char *name, json_t *val, const char *ptr, size_t i)
{
        static const char *const keys[] = { "tcp", "udp", "unix", "backlog", "description", NULL };
        static const char *const kinds[] = { "tcp", "udp", "unix" };
        struct vb_spec_listener *l = &c->s->listeners[i];
        int found = 0;
        json_t *b;

        l->name = strdup(name);
        l->backlog = 64;
        if (!l->name)
                c->oom = -ENOMEM;
        if (!spec_expect(c, val, JSON_OBJECT, ptr, "a listener"))
                return;
        spec_check_keys(c, val, ptr, keys, "a listener");
        for (int k = 0; k < 3; k++) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, kinds[k]);
                char *addr = NULL;

                if (!spec_get_string(c, val, ptr, kinds[k], &addr))
                        continue;
                if (found++) {
                        P_DIAG(c, p, true, "a listener is one of \"tcp\", \"udp\" or \"unix\", not several");
                        free(addr);
                        continue;
                }
                l->kind = (enum vb_spec_listen_kind)k;
                if (k == VB_LISTEN_UNIX) {
                        l->addr = spec_host_path(c, addr);
                        free(addr);
                } else {
                        check_inet(c, p, kinds[k], addr);
                        l->addr = addr;
                }
        }
        if (!found)
                P_DIAG(c, ptr, false, "listener \"%s\" needs one of \"tcp\", \"udp\" or \"unix\"", name);
        b = json_object_get(val, "backlog");
        if (b && (!json_is_integer(b) || json_integer_value(b) < 1 || json_integer_value(b) > 4096)) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "backlog");

                P_DIAG(c, p, false, "\"backlog\" must be an integer from 1 to 4096");
        } else if (b) {
                l->backlog = (int)json_integer_value(b);
        }
}

/* ---- entrypoints ------------------------------------------------------- */

void spec_parse_trigger(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_trigger *t);
void spec_parse_args(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_entry *e);

static void parse_argv(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_entry *e)
{
        size_t i;
        json_t *w;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"argv\""))
                return;
        e->argv = calloc(json_array_size(j) + 1, sizeof(char *));
        if (!e->argv) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, w)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);

                if (p && spec_expect(c, w, JSON_STRING, p, "an \"argv\" word"))
                        e->argv[i] = strdup(json_string_value(w));
                else
                        e->argv[i] = strdup("");
        }
}

static void parse_entry(struct spec_ctx *c, const char *name, json_t *val, const char *ptr, size_t i)
{
        static const char *const keys[] = { "program", "argv", "trigger", "args", "void", "description", NULL };
        struct vb_spec_entry *e = &c->s->entries[i];
        _cleanup_free_ char *prog = NULL;
        json_t *j;

        e->name = strdup(name);
        e->where = strdup(ptr);
        if (!e->name || !e->where)
                c->oom = -ENOMEM;
        if (!spec_expect(c, val, JSON_OBJECT, ptr, "an entrypoint"))
                return;
        spec_check_keys(c, val, ptr, keys, "an entrypoint");
        if (spec_get_string(c, val, ptr, "program", &prog)) {
                free(e->program);
                e->program = spec_host_path(c, prog);
        }
        if (!e->program && !json_object_get(val, "program"))
                P_DIAG(c, ptr, true, "entrypoint \"%s\" has no \"program\" (and there is no top-level one)", name);
        if ((j = json_object_get(val, "argv"))) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "argv");

                if (p)
                        parse_argv(c, j, p, e);
        }
        if ((j = json_object_get(val, "trigger"))) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "trigger");

                if (p)
                        spec_parse_trigger(c, j, p, &e->trigger);
        }
        if ((j = json_object_get(val, "args"))) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "args");

                if (p)
                        spec_parse_args(c, j, p, e);
        }
        if ((j = json_object_get(val, "void"))) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "void");

                if (p)
                        spec_parse_void(c, j, p, &e->v);
        }
}

/* ---- the whole document ------------------------------------------------ */

static void parse_version(struct spec_ctx *c, json_t *root)
{
        json_t *v = json_object_get(root, "voidshim");

        if (!v)
                P_DIAG(c, "", false, "missing \"voidshim\": 1 (the spec format version)");
        else if (!json_is_integer(v) || json_integer_value(v) != VB_SPEC_VERSION)
                P_DIAG(c, "/voidshim", false, "unsupported spec version (this voidshim reads \"voidshim\": %d)",
                       VB_SPEC_VERSION);
}

static int alloc_table(struct spec_ctx *c, json_t *j, size_t elem, void **out)
{
        size_t n = json_is_object(j) ? json_object_size(j) : 0;

        *out = calloc(n ? n : 1, elem);
        if (!*out)
                c->oom = -ENOMEM;
        return *out ? 0 : -ENOMEM;
}

static void parse_root(struct spec_ctx *c, json_t *root)
{
        static const char *const keys[] = { "voidshim", "description", "program",     "environment", "pipes",
                                            "sockets",  "listeners",   "entrypoints", "name",        NULL };
        struct vb_spec *s = c->s;
        _cleanup_free_ char *prog = NULL;
        json_t *j;

        spec_check_keys(c, root, "", keys, "the spec");
        parse_version(c, root);
        /* The control name, as `voidshim exec --name NAME` gives it: a file name in the runtime directory. */
        if (spec_get_string(c, root, "", "name", &s->name) && (!spec_valid_name(s->name) || s->name[0] == '.'))
                P_DIAG(c, "/name", false, "\"name\" \"%s\" must be 1 to 64 of [A-Za-z0-9_.-], not starting with '.'",
                       s->name);
        if ((j = json_object_get(root, "environment")))
                spec_parse_environment(c, j);
        if ((j = json_object_get(root, "pipes")) && alloc_table(c, j, sizeof(*s->pipes), (void **)&s->pipes) == 0)
                s->n_pipes = each_named(c, j, "/pipes", "\"pipes\"", parse_pipe);
        if ((j = json_object_get(root, "sockets")) && alloc_table(c, j, sizeof(*s->sockets), (void **)&s->sockets) == 0)
                s->n_sockets = each_named(c, j, "/sockets", "\"sockets\"", parse_socket);
        if ((j = json_object_get(root, "listeners")) &&
            alloc_table(c, j, sizeof(*s->listeners), (void **)&s->listeners) == 0)
                s->n_listeners = each_named(c, j, "/listeners", "\"listeners\"", parse_listener);
        spec_get_string(c, root, "", "program", &prog);
        j = json_object_get(root, "entrypoints");
        if (!j) {
                P_DIAG(c, "", false, "missing \"entrypoints\": there is nothing to run");
                return;
        }
        if (alloc_table(c, j, sizeof(*s->entries), (void **)&s->entries) < 0)
                return;
        /* Entrypoints inherit the top-level program; their own "program" replaces it. */
        s->n_entries = json_is_object(j) ? json_object_size(j) : 0;
        for (size_t i = 0; prog && i < s->n_entries; i++)
                s->entries[i].program = spec_host_path(c, prog);
        each_named(c, j, "/entrypoints", "\"entrypoints\"", parse_entry);
        if (json_is_object(j) && s->n_entries == 0)
                P_DIAG(c, "/entrypoints", false, "\"entrypoints\" is empty: there is nothing to run");
}

static char *dirname_of(const char *file)
{
        const char *slash = strrchr(file, '/');

        if (!slash)
                return strdup(".");
        if (slash == file)
                return strdup("/");
        return strndup(file, (size_t)(slash - file));
}

int vb_spec_parse(const char *text, size_t len, const char *file, const char *basedir, struct vb_spec **out,
                  struct vb_spec_diags *d)
{
        struct vb_spec *s = NULL;
        struct spec_ctx c = { .d = d };
        json_error_t jerr;
        json_t *root;
        int r;

        *out = NULL;
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                vb_spec_diag_at(d, file, jerr.line > 0 ? (unsigned)jerr.line : 1,
                                jerr.column > 0 ? (unsigned)jerr.column : 1, "%s", jerr.text);
                return -EINVAL;
        }
        s = calloc(1, sizeof(*s));
        if (!s || !(s->file = strdup(file)) || !(s->basedir = basedir ? strdup(basedir) : dirname_of(file))) {
                json_decref(root);
                vb_spec_free(s);
                return -ENOMEM;
        }
        r = vb_spec_posidx_build(text, len, &s->idx);
        if (r < 0 && r != -ELOOP) {
                json_decref(root);
                vb_spec_free(s);
                return r;
        }
        c.s = s;
        if (!json_is_object(root)) {
                vb_spec_diag(d, s, "", false, "a spec is a JSON object, not %s", spec_type_name(root));
                json_decref(root);
                vb_spec_free(s);
                return -EINVAL;
        }
        parse_root(&c, root);
        json_decref(root);
        if (c.oom || d->oom) {
                vb_spec_free(s);
                return -ENOMEM;
        }
        *out = s;
        return 0;
}

static void free_strv(char **v)
{
        vb_strv_free(v);
}

struct vb_spec *vb_spec_free(struct vb_spec *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_pipes; i++)
                free(s->pipes[i].name);
        for (size_t i = 0; i < s->n_sockets; i++)
                free(s->sockets[i].name);
        for (size_t i = 0; i < s->n_listeners; i++)
                free(s->listeners[i].name), free(s->listeners[i].addr);
        for (size_t i = 0; i < s->n_entries; i++) {
                struct vb_spec_entry *e = &s->entries[i];

                free(e->name), free(e->where), free(e->program), free(e->trigger.ref);
                free_strv(e->argv);
                for (size_t k = 0; k < e->n_args; k++)
                        free(e->args[k].name), free(e->args[k].path), free(e->args[k].ref), free(e->args[k].where);
                free(e->args);
                spec_void_done(&e->v);
        }
        free(s->pipes), free(s->sockets), free(s->listeners), free(s->entries);
        spec_care_done(&s->care);
        free(s->file), free(s->basedir), free(s->name);
        vb_spec_posidx_free(s->idx);
        free(s);
        return NULL;
}

#define FIND_FN(fname, type, arr, count)                                         \
        const type *fname(const struct vb_spec *s, const char *name)             \
        {                                                                        \
                for (size_t i = 0; i < s->count; i++)                            \
                        if (s->arr[i].name && strcmp(s->arr[i].name, name) == 0) \
                                return &s->arr[i];                               \
                return NULL;                                                     \
        }
FIND_FN(vb_spec_find_entry, struct vb_spec_entry, entries, n_entries)
FIND_FN(vb_spec_find_pipe, struct vb_spec_pipe, pipes, n_pipes)
FIND_FN(vb_spec_find_socket, struct vb_spec_socket, sockets, n_sockets)
FIND_FN(vb_spec_find_listener, struct vb_spec_listener, listeners, n_listeners)
