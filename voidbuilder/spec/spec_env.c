/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The spec's "environment" section: each server's mode, as a string
 * ("fresh", "shared", "denied", "proxied") or as an object {"mode": M, ...}
 * whose other keys configure the caretaker of a proxied server:
 *
 *   "net":  {"mode": "proxied", "allow": ["5432", "udp:53"]}
 *   "unix": {"mode": "proxied",
 *            "connect": [{"at": "/run/db.sock", "upstream": "tcp:127.0.0.1:5432"}],
 *            "dbus": {"at": "/run/bus", "bus": "unix:path=/run/user/1000/bus", "talk": ["org.a.B"]}}
 *
 * Pure: allowlist entries go through vb_net_allow_parse(), upstreams are
 * checked for their form only (a host name is resolved when the forwarder
 * starts, by vb_caretaker_forward()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "spec/spec_json.h"
#include "voidbuilder/cleanup.h"

static const char *const mode_list = "\"fresh\", \"shared\", \"denied\" or \"proxied\"";

static int mode_from(const json_t *val)
{
        for (int m = VB_SERVER_FRESH; json_is_string(val) && m <= VB_SERVER_PROXIED; m++)
                if (strcmp(vb_server_mode_name((enum vb_server_mode)m), json_string_value(val)) == 0)
                        return m;
        return -1;
}

/* ---- net: the allowlist ------------------------------------------------------ */

static void parse_allow(struct spec_ctx *c, json_t *j, const char *ptr)
{
        struct vb_spec_care *care = &c->s->care;
        size_t i;
        json_t *w;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"allow\""))
                return;
        if (json_array_size(j) == 0) {
                P_DIAG(c, ptr, false, "\"allow\" is empty: a proxied \"net\" that lets nothing through is \"denied\"");
                return;
        }
        care->allow = calloc(json_array_size(j), sizeof(*care->allow));
        care->allow_text = calloc(json_array_size(j) + 1, sizeof(char *));
        if (!care->allow || !care->allow_text) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, w)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);
                const char *why = NULL;

                if (!p) {
                        c->oom = -ENOMEM;
                        return;
                }
                if (!spec_expect(c, w, JSON_STRING, p, "an \"allow\" entry"))
                        continue;
                /*
                 * The one parser of allowlist entries, shared with `voidshim run --net-allow`.  A host
                 * name is only checked for its form here (parsing is pure): vb_plan_spec_resolve()
                 * resolves it when the application starts, as --net-allow resolves it when given.
                 */
                if (vb_net_allow_is_name(json_string_value(w)))
                        care->n_named++;
                else if (vb_net_allow_parse(json_string_value(w), &care->allow[care->n_allow], &why) < 0) {
                        P_DIAG(c, p, false, "\"allow\" entry \"%s\": %s", json_string_value(w),
                               why ? why : "not [tcp:|udp:][127.0.0.1:]PORT");
                        continue;
                }
                if (!(care->allow_text[care->n_allow++] = strdup(json_string_value(w))))
                        c->oom = -ENOMEM;
        }
}

/* ---- unix: forwarders and the D-Bus proxy ------------------------------------------ */

/* "tcp:HOST:PORT" ("tcp:[V6]:PORT") or "unix:PATH" (a host path: relative ones are taken from the spec's directory). */
static char *parse_upstream(struct spec_ctx *c, const char *text, const char *ptr)
{
        const char *bad = "an upstream is \"tcp:HOST:PORT\" or \"unix:PATH\"";
        char host[256];
        uint16_t port;

        if (strncmp(text, "unix:", 5) == 0 && text[5]) {
                char *path = spec_host_path(c, text + 5), *out = NULL;

                if (!path)
                        return NULL;
                if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                        P_DIAG(c, ptr, false, "upstream \"%s\": the socket path %s is too long for AF_UNIX (%zu bytes)",
                               text, path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
                else if (asprintf(&out, "unix:%s", path) < 0)
                        c->oom = -ENOMEM;
                free(path);
                return out;
        }
        if (strncmp(text, "tcp:", 4) == 0 && vb_spec_split_addr(text + 4, host, sizeof(host), &port) == 0)
                return strdup(text);
        if (strncmp(text, "tcp:", 4) == 0)
                P_DIAG(c, ptr, false, "upstream \"%s\": \"%s\" is not HOST:PORT (port 1 to 65535; IPv6 as [ADDR]:PORT)",
                       text, text + 4);
        else
                P_DIAG(c, ptr, false, "upstream \"%s\": %s", text, bad);
        return NULL;
}

/* The socket path inside the void: absolute, no "..", and one caretaker per path. */
static void parse_at(struct spec_ctx *c, json_t *obj, const char *ptr, const char *what, char **out)
{
        _cleanup_free_ char *at = NULL, *p = vb_spec_ptr_key(ptr, "at");
        const struct vb_spec_care *care = &c->s->care;

        if (!spec_get_string(c, obj, ptr, "at", &at)) {
                if (!json_object_get(obj, "at"))
                        P_DIAG(c, ptr, false, "%s needs \"at\": the socket's path inside the void", what);
                return;
        }
        if (!spec_valid_void_path(at)) {
                P_DIAG(c, p, false, "\"at\" must be an absolute path inside the void, without \"..\"");
                return;
        }
        for (size_t i = 0; i < care->n_fwd; i++)
                if (care->fwd[i].at && strcmp(care->fwd[i].at, at) == 0) {
                        P_DIAG(c, p, false, "a second caretaker socket at %s", at);
                        return;
                }
        *out = TAKE_PTR(at);
}

static void parse_forward(struct spec_ctx *c, json_t *obj, const char *ptr)
{
        static const char *const keys[] = { "at", "upstream", "description", NULL };
        struct vb_spec_forward *f = &c->s->care.fwd[c->s->care.n_fwd];
        _cleanup_free_ char *up = NULL, *up_ptr = vb_spec_ptr_key(ptr, "upstream");

        if (!up_ptr || !(f->where = strdup(ptr))) {
                c->oom = -ENOMEM;
                return;
        }
        c->s->care.n_fwd++;
        if (!spec_expect(c, obj, JSON_OBJECT, ptr, "a \"connect\" entry"))
                return;
        spec_check_keys(c, obj, ptr, keys, "a \"connect\" entry");
        parse_at(c, obj, ptr, "a \"connect\" entry", &f->at);
        if (spec_get_string(c, obj, ptr, "upstream", &up))
                f->upstream = parse_upstream(c, up, up_ptr);
        else if (!json_object_get(obj, "upstream"))
                P_DIAG(c, ptr, false,
                       "a \"connect\" entry needs \"upstream\": \"tcp:HOST:PORT\" or \"unix:PATH\" on the host");
}

static void parse_connect(struct spec_ctx *c, json_t *j, const char *ptr)
{
        size_t i;
        json_t *w;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"connect\""))
                return;
        c->s->care.fwd = calloc(json_array_size(j) + 1, sizeof(*c->s->care.fwd));
        if (!c->s->care.fwd) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, w)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);

                if (!p) {
                        c->oom = -ENOMEM;
                        return;
                }
                parse_forward(c, w, p);
        }
}

static void parse_talk(struct spec_ctx *c, json_t *j, const char *ptr, struct vb_spec_dbus *d)
{
        size_t i, n = 0;
        json_t *w;

        if (!spec_expect(c, j, JSON_ARRAY, ptr, "\"talk\""))
                return;
        d->talk = calloc(json_array_size(j) + 1, sizeof(char *));
        if (!d->talk) {
                c->oom = -ENOMEM;
                return;
        }
        json_array_foreach(j, i, w)
        {
                _cleanup_free_ char *p = vb_spec_ptr_idx(ptr, i);

                if (p && spec_expect(c, w, JSON_STRING, p, "a bus name") &&
                    !(d->talk[n++] = strdup(json_string_value(w))))
                        c->oom = -ENOMEM;
        }
}

static void parse_dbus(struct spec_ctx *c, json_t *j, const char *ptr)
{
        static const char *const keys[] = { "at", "bus", "talk", "description", NULL };
        struct vb_spec_dbus *d;
        json_t *t;

        if (!spec_expect(c, j, JSON_OBJECT, ptr, "\"dbus\""))
                return;
        d = c->s->care.dbus = calloc(1, sizeof(*d));
        if (!d || !(d->where = strdup(ptr))) {
                c->oom = -ENOMEM;
                return;
        }
        spec_check_keys(c, j, ptr, keys, "\"dbus\"");
        parse_at(c, j, ptr, "\"dbus\"", &d->at);
        if (!spec_get_string(c, j, ptr, "bus", &d->bus) && !json_object_get(j, "bus"))
                P_DIAG(c, ptr, false, "\"dbus\" needs \"bus\": the address of the bus to proxy (unix:path=...)");
        if ((t = json_object_get(j, "talk"))) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, "talk");

                if (p)
                        parse_talk(c, t, p, d);
        }
}

/* ---- one server ------------------------------------------------------------------ */

/* The caretaker keys each server takes, and what a proxied one needs. */
static const char *const *server_keys(enum vb_server srv)
{
        static const char *const net[] = { "mode", "allow", "description", NULL };
        static const char *const unx[] = { "mode", "connect", "dbus", "description", NULL };
        static const char *const other[] = { "mode", "description", NULL };

        return srv == VB_SERVER_NET ? net : srv == VB_SERVER_UNIX ? unx : other;
}

static void missing_caretaker(struct spec_ctx *c, enum vb_server srv, const char *ptr)
{
        if (srv == VB_SERVER_NET)
                P_DIAG(c, ptr, false,
                       "a proxied \"net\" needs \"allow\": the host-loopback ports its caretaker lets "
                       "through ({\"mode\": \"proxied\", \"allow\": [\"PORT\", ...]})");
        else if (srv == VB_SERVER_UNIX)
                P_DIAG(c, ptr, false,
                       "a proxied \"unix\" needs \"connect\" (socket forwarders) or \"dbus\" (a D-Bus "
                       "proxy): {\"mode\": \"proxied\", \"connect\": [{\"at\": PATH, \"upstream\": ...}]}");
}

static void parse_server_object(struct spec_ctx *c, enum vb_server srv, json_t *val, const char *ptr)
{
        static const char *const care_keys[] = { "allow", "connect", "dbus" };
        const char *name = vb_server_name(srv);
        _cleanup_free_ char *mp = vb_spec_ptr_key(ptr, "mode");
        json_t *m = json_object_get(val, "mode");
        int mode = mode_from(m);
        char what[32];

        if (!mp) {
                c->oom = -ENOMEM;
                return;
        }
        snprintf(what, sizeof(what), "server \"%s\"", name);
        spec_check_keys(c, val, ptr, server_keys(srv), what);
        if (!m)
                P_DIAG(c, ptr, false, "server \"%s\" needs \"mode\": %s", name, mode_list);
        else if (mode < 0)
                P_DIAG(c, mp, false, "server \"%s\" must be %s", name, mode_list);
        else
                c->s->env[srv] = (enum vb_server_mode)mode, c->s->env_set[srv] = true;
        for (size_t i = 0; i < ELEMENTSOF(care_keys); i++) {
                _cleanup_free_ char *p = vb_spec_ptr_key(ptr, care_keys[i]);
                json_t *j = json_object_get(val, care_keys[i]);

                if (!j || !p)
                        continue;
                /* Another server's key was reported as unknown above. */
                if ((srv == VB_SERVER_NET) != (i == 0) || (srv != VB_SERVER_NET && srv != VB_SERVER_UNIX))
                        continue;
                if (mode >= 0 && mode != VB_SERVER_PROXIED)
                        P_DIAG(c, p, true,
                               "\"%s\" configures a caretaker, which only a proxied \"%s\" has (here \"%s\")",
                               care_keys[i], name, vb_server_mode_name((enum vb_server_mode)mode));
                else if (i == 0)
                        parse_allow(c, j, p);
                else if (i == 1)
                        parse_connect(c, j, p);
                else
                        parse_dbus(c, j, p);
        }
        /* An empty "connect" with no "dbus" gives the void nothing: say what is missing. */
        if (mode == VB_SERVER_PROXIED &&
            (srv == VB_SERVER_NET ? !json_object_get(val, "allow")
                                  : srv == VB_SERVER_UNIX && !json_array_size(json_object_get(val, "connect")) &&
                                            !json_object_get(val, "dbus")))
                missing_caretaker(c, srv, ptr);
}

void spec_parse_environment(struct spec_ctx *c, json_t *j)
{
        const char *names[VB_SERVER_COUNT + 1] = { NULL }, *key;
        json_t *val;

        for (int i = 0; i < VB_SERVER_COUNT; i++)
                names[i] = vb_server_name((enum vb_server)i);
        if (!spec_expect(c, j, JSON_OBJECT, "/environment", "\"environment\""))
                return;
        spec_check_keys(c, j, "/environment", names, "\"environment\" (servers)");
        json_object_foreach(j, key, val)
        {
                _cleanup_free_ char *p = vb_spec_ptr_key("/environment", key);
                int srv = -1, mode;

                for (int i = 0; i < VB_SERVER_COUNT; i++)
                        if (strcmp(names[i], key) == 0)
                                srv = i;
                if (srv < 0 || !p)
                        continue;
                if (json_is_object(val)) {
                        parse_server_object(c, (enum vb_server)srv, val, p);
                        continue;
                }
                mode = mode_from(val);
                if (mode < 0)
                        P_DIAG(c, p, false, "server \"%s\" must be %s, or an object {\"mode\": ...}", key, mode_list);
                else
                        c->s->env[srv] = (enum vb_server_mode)mode, c->s->env_set[srv] = true;
                if (mode == VB_SERVER_PROXIED)
                        missing_caretaker(c, (enum vb_server)srv, p);
        }
}

void spec_care_done(struct vb_spec_care *care)
{
        free(care->allow);
        vb_strv_free(care->allow_text);
        vb_strv_free(care->hosts);
        for (size_t i = 0; i < care->n_fwd; i++)
                free(care->fwd[i].at), free(care->fwd[i].upstream), free(care->fwd[i].where);
        free(care->fwd);
        if (care->dbus) {
                free(care->dbus->at), free(care->dbus->bus), free(care->dbus->where);
                vb_strv_free(care->dbus->talk);
                free(care->dbus);
        }
        *care = (struct vb_spec_care){};
}
