/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An OCI runtime's record of one container (ID/state.json), and the state runtime-spec prints. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "voidbuilder/cleanup.h"
#include "voidbuilder/oci.h"

static const char *const status_names[] = {
        [VB_OCI_CREATING] = "creating", [VB_OCI_CREATED] = "created", [VB_OCI_RUNNING] = "running",
        [VB_OCI_STOPPED] = "stopped",   [VB_OCI_PAUSED] = "paused",
};

const char *vb_oci_status_name(enum vb_oci_status s)
{
        return (unsigned)s < ELEMENTSOF(status_names) ? status_names[s] : "unknown";
}

void vb_oci_state_done(struct vb_oci_state *st)
{
        free(st->id);
        free(st->bundle);
        free(st->created);
        free(st->annotations);
        vb_strv_free(st->cgroups);
        vb_strv_free(st->cgroups_made);
        free(st->owner);
        *st = (struct vb_oci_state){};
}

static json_t *annotations(const char *text)
{
        json_t *j = text ? json_loads(text, 0, NULL) : NULL;

        return j && json_is_object(j) ? j : (json_decref(j), json_object());
}

/* A NULL-terminated list (NULL: none) as a JSON array, or NULL on OOM. */
static json_t *strv_json(char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; a && v && v[i]; i++)
                if (json_array_append_new(a, json_string(v[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

int vb_oci_state_save(const struct vb_oci_state *st, const char *path)
{
        _cleanup_free_ char *tmp = NULL;
        json_t *cg = strv_json(st->cgroups), *made = strv_json(st->cgroups_made), *j;
        int r = 0;

        j = cg && made ? json_pack("{s:s, s:I, s:I, s:s, s:s, s:b, s:o, s:O, s:O, s:s}", "id", st->id, "pid",
                                   (json_int_t)st->pid, "start_time", (json_int_t)st->start_time, "bundle", st->bundle,
                                   "created", st->created ? st->created : "", "started", st->started, "annotations",
                                   annotations(st->annotations), "cgroups", cg, "cgroups_made", made, "owner",
                                   st->owner ? st->owner : "voidshim")
                       : NULL;
        json_decref(cg);
        json_decref(made);
        if (j && json_object_set_new(j, "hooks", json_integer((json_int_t)st->hooks)) < 0)
                r = -ENOMEM;
        if (!j || r < 0 || asprintf(&tmp, "%s.tmp", path) < 0) {
                json_decref(j);
                return -ENOMEM;
        }
        r = json_dump_file(j, tmp, JSON_COMPACT) < 0 ? -EIO : 0;
        json_decref(j);
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

/* A JSON array of strings as a NULL-terminated list (*out, malloc'd).  -EINVAL, -ENOMEM. */
static int json_strv(json_t *a, char ***out)
{
        json_t *e;
        size_t i;

        if (!json_is_array(a))
                return -EINVAL;
        *out = calloc(json_array_size(a) + 1, sizeof(char *));
        if (!*out)
                return -ENOMEM;
        json_array_foreach(a, i, e)
        {
                if (!json_is_string(e))
                        return -EINVAL;
                if (!((*out)[i] = strdup(json_string_value(e))))
                        return -ENOMEM;
        }
        return 0;
}

static int get_str(json_t *j, const char *key, char **out)
{
        json_t *v = json_object_get(j, key);

        if (!json_is_string(v))
                return -EINVAL;
        *out = strdup(json_string_value(v));
        return *out ? 0 : -ENOMEM;
}

int vb_oci_state_load(const char *path, struct vb_oci_state *st)
{
        json_t *j, *e;
        int r;

        *st = (struct vb_oci_state){};
        j = json_load_file(path, 0, NULL);
        if (!j)
                return access(path, F_OK) < 0 ? -errno : -EINVAL;
        r = get_str(j, "id", &st->id);
        if (r >= 0)
                r = get_str(j, "bundle", &st->bundle);
        if (r >= 0)
                r = get_str(j, "created", &st->created);
        e = json_object_get(j, "annotations");
        if (r >= 0 && !(st->annotations = json_is_object(e) ? json_dumps(e, JSON_COMPACT) : strdup("{}")))
                r = -ENOMEM;
        if (r >= 0 && !json_is_integer(json_object_get(j, "pid")))
                r = -EINVAL;
        if (r >= 0)
                r = json_strv(json_object_get(j, "cgroups"), &st->cgroups);
        if (r >= 0)
                r = json_strv(json_object_get(j, "cgroups_made"), &st->cgroups_made);
        if (r >= 0) {
                st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
                st->start_time = (uint64_t)json_integer_value(json_object_get(j, "start_time"));
                st->started = json_is_true(json_object_get(j, "started"));
                st->hooks = (unsigned)json_integer_value(json_object_get(j, "hooks"));
                r = get_str(j, "owner", &st->owner);
        }
        json_decref(j);
        if (r < 0)
                vb_oci_state_done(st);
        return r;
}

char *vb_oci_state_json(const struct vb_oci_state *st, enum vb_oci_status status, pid_t pid)
{
        json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o}", "ociVersion", VB_OCI_VERSION, "id", st->id, "status",
                              vb_oci_status_name(status), "pid", (json_int_t)pid, "bundle", st->bundle, "annotations",
                              annotations(st->annotations));
        char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

        json_decref(j);
        return s;
}
