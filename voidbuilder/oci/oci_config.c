/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb_oci_load(): a bundle's config.json, read and checked field by field (include/voidbuilder/oci.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/oci_json.h"
#include "voidbuilder/cleanup.h"

static const char *const hook_names[VB_OCI_HOOK_COUNT] = {
        [VB_OCI_PRESTART] = "prestart",
        [VB_OCI_CREATE_RUNTIME] = "createRuntime",
        [VB_OCI_CREATE_CONTAINER] = "createContainer",
        [VB_OCI_START_CONTAINER] = "startContainer",
        [VB_OCI_POSTSTART] = "poststart",
        [VB_OCI_POSTSTOP] = "poststop",
};

const char *vb_oci_hook_name(enum vb_oci_hook_kind k)
{
        return (unsigned)k < VB_OCI_HOOK_COUNT ? hook_names[k] : NULL;
}

struct vb_oci *vb_oci_free(struct vb_oci *c)
{
        if (!c)
                return NULL;
        free(c->oci_version);
        free(c->bundle);
        free(c->root);
        free(c->hostname);
        free(c->domainname);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].dst);
                free(c->mounts[i].type);
                free(c->mounts[i].source);
                vb_strv_free(c->mounts[i].options);
        }
        free(c->mounts);
        vb_oci_process_done(&c->process);
        for (int i = 0; i < VB_NS_COUNT; i++)
                free(c->ns_path[i]);
        free(c->uid_map);
        free(c->gid_map);
        vb_strv_free(c->sysctl);
        for (size_t i = 0; i < c->n_devices; i++)
                free(c->devices[i].path);
        free(c->devices);
        vb_strv_free(c->masked);
        vb_strv_free(c->readonly);
        free(c->seccomp);
        oci_resources_done(&c->res);
        free(c->cgroups_path);
        free(c->rootfs_propagation);
        free(c->mount_label);
        for (int k = 0; k < VB_OCI_HOOK_COUNT; k++) {
                for (size_t i = 0; i < c->n_hooks[k]; i++) {
                        free(c->hooks[k][i].path);
                        vb_strv_free(c->hooks[k][i].args);
                        vb_strv_free(c->hooks[k][i].env);
                }
                free(c->hooks[k]);
        }
        free(c->annotations);
        vb_strv_free(c->notes);
        free(c);
        return NULL;
}

static int read_mounts(struct oci_rd *rd, json_t *j, struct vb_oci *c)
{
        char q[64];
        json_t *list, *e;
        size_t i;
        int r = oci_arr(rd, j, "mounts", "", &list);

        if (r < 0 || !list)
                return r;
        c->mounts = calloc(json_array_size(list) + 1, sizeof(*c->mounts));
        if (!c->mounts)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        json_array_foreach(list, i, e)
        {
                struct vb_oci_mount *m = &c->mounts[c->n_mounts++];

                oci_path_i(q, sizeof(q), "/mounts", i);
                if (!json_is_object(e))
                        return oci_bad(rd, q, "must be an object {destination, type, source, options}");
                if ((r = oci_str(rd, e, "destination", q, true, &m->dst)) < 0 ||
                    (r = oci_str(rd, e, "type", q, false, &m->type)) < 0 ||
                    (r = oci_str(rd, e, "source", q, false, &m->source)) < 0 ||
                    (r = oci_strv(rd, e, "options", q, false, &m->options)) < 0)
                        return r;
                if (m->dst[0] != '/')
                        return oci_bad(rd, q, "destination must be an absolute path, not \"%s\"", m->dst);
                if (json_object_get(e, "uidMappings") || json_object_get(e, "gidMappings"))
                        return oci_bad(rd, q, "idmapped mounts (uidMappings, gidMappings) are not supported");
        }
        return 0;
}

static int read_hook(struct oci_rd *rd, json_t *e, const char *q, struct vb_oci_hook *h)
{
        int64_t timeout = 0;
        int r;

        if (!json_is_object(e))
                return oci_bad(rd, q, "must be an object {path, args, env, timeout}");
        if ((r = oci_str(rd, e, "path", q, true, &h->path)) < 0 ||
            (r = oci_strv(rd, e, "args", q, false, &h->args)) < 0 ||
            (r = oci_strv(rd, e, "env", q, false, &h->env)) < 0 ||
            (r = oci_int(rd, e, "timeout", q, 1, INT32_MAX, &timeout, NULL)) < 0)
                return r;
        if (h->path[0] != '/')
                return oci_bad(rd, q, "path must be absolute, not \"%s\"", h->path);
        if (json_object_get(e, "timeout") && timeout <= 0)
                return oci_bad(rd, q, "timeout must be above 0");
        h->timeout = (int)timeout;
        return 0;
}

static int read_hooks(struct oci_rd *rd, json_t *j, struct vb_oci *c)
{
        char p[64], q[96];
        json_t *hooks, *list, *e;
        size_t i;
        int r = oci_obj(rd, j, "hooks", "", &hooks);

        if (r < 0 || !hooks)
                return r;
        for (int k = 0; k < VB_OCI_HOOK_COUNT; k++) {
                if ((r = oci_arr(rd, hooks, hook_names[k], "/hooks", &list)) < 0)
                        return r;
                if (!list)
                        continue;
                oci_path(p, sizeof(p), "/hooks", hook_names[k]);
                c->hooks[k] = calloc(json_array_size(list) + 1, sizeof(struct vb_oci_hook));
                if (!c->hooks[k])
                        return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
                json_array_foreach(list, i, e)
                {
                        r = read_hook(rd, e, oci_path_i(q, sizeof(q), p, i), &c->hooks[k][c->n_hooks[k]++]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* root.path, made absolute against the bundle. */
static int read_root(struct oci_rd *rd, json_t *j, struct vb_oci *c)
{
        _cleanup_free_ char *path = NULL;
        json_t *root;
        int r = oci_obj(rd, j, "root", "", &root);

        if (r < 0)
                return r;
        if (!root)
                return oci_bad(rd, "/root", "required, and missing");
        if ((r = oci_str(rd, root, "path", "/root", true, &path)) < 0 ||
            (r = oci_bool(rd, root, "readonly", "/root", &c->root_readonly)) < 0)
                return r;
        if (!*path)
                return oci_bad(rd, "/root/path", "must not be empty");
        if (path[0] == '/')
                c->root = TAKE_PTR(path);
        else if (asprintf(&c->root, "%s/%s", c->bundle, path) < 0)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        return 0;
}

static int read_top(struct oci_rd *rd, json_t *j, struct vb_oci *c)
{
        json_t *process, *linux_, *ann;
        int r;

        if (!json_is_object(j))
                return oci_bad(rd, "/", "must be an object");
        if ((r = oci_str(rd, j, "ociVersion", "", true, &c->oci_version)) < 0)
                return r;
        if (strncmp(c->oci_version, "1.", 2) != 0)
                return oci_bad(rd, "/ociVersion", "\"%s\" is not a runtime-spec 1.x version", c->oci_version);
        if ((r = read_root(rd, j, c)) < 0 || (r = read_mounts(rd, j, c)) < 0 ||
            (r = oci_str(rd, j, "hostname", "", false, &c->hostname)) < 0 ||
            (r = oci_str(rd, j, "domainname", "", false, &c->domainname)) < 0 || (r = read_hooks(rd, j, c)) < 0 ||
            (r = oci_obj(rd, j, "process", "", &process)) < 0 || (r = oci_obj(rd, j, "linux", "", &linux_)) < 0 ||
            (r = oci_obj(rd, j, "annotations", "", &ann)) < 0)
                return r;
        if (process) {
                c->has_process = true;
                if ((r = oci_read_process(rd, process, "/process", &c->process)) < 0)
                        return r;
        }
        if (linux_ && (r = oci_read_linux(rd, linux_, "/linux", c)) < 0)
                return r;
        c->annotations = ann ? json_dumps(ann, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
        if (!c->annotations)
                return vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        return 0;
}

static json_t *load_json(const char *path, const char *name, struct vb_error **err, int *r)
{
        json_error_t jerr;
        json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

        *r = 0;
        if (j)
                return j;
        if (access(path, R_OK) < 0) {
                *r = vb_error_set(err, errno, "%s: cannot read it", name);
                return NULL;
        }
        *r = vb_error_set(err, EINVAL, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
        return NULL;
}

int vb_oci_load(const char *bundle, struct vb_oci **out, struct vb_error **err)
{
        struct vb_oci *c = calloc(1, sizeof(*c));
        _cleanup_free_ char *path = NULL;
        char abs[PATH_MAX];
        struct oci_rd rd = { .file = "config.json", .err = err };
        json_t *j;
        int r;

        *out = NULL;
        if (!c)
                return vb_error_set(err, ENOMEM, "reading config.json");
        rd.notes = &c->notes;
        if (!realpath(bundle, abs)) {
                r = vb_error_set(err, errno, "bundle %s", bundle);
                vb_oci_free(c);
                return r;
        }
        c->bundle = strdup(abs);
        if (!c->bundle || asprintf(&path, "%s/config.json", abs) < 0) {
                vb_oci_free(c);
                return vb_error_set(err, ENOMEM, "reading config.json");
        }
        j = load_json(path, "config.json", err, &r);
        if (j) {
                r = read_top(&rd, j, c);
                json_decref(j);
        }
        if (r < 0) {
                vb_oci_free(c);
                return r;
        }
        *out = c;
        return 0;
}

int vb_oci_load_process(const char *path, const char *name, struct vb_oci_process *out, struct vb_error **err)
{
        char **notes = NULL;
        struct oci_rd rd = { .file = name, .err = err, .notes = &notes };
        json_t *j;
        int r;

        *out = (struct vb_oci_process){};
        j = load_json(path, name, err, &r);
        if (!j)
                return r;
        r = oci_read_process(&rd, j, "", out);
        json_decref(j);
        vb_strv_free(notes);
        if (r < 0)
                vb_oci_process_done(out);
        return r;
}
