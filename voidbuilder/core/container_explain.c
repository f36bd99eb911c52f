/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What container.h adds to a void, in vb_void_explain()'s words and in vb_void_explain_json()'s data. */
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/cleanup.h"
#include "core/container.h"
#include "core/container_explain.h"

static void caps_words(FILE *f, uint64_t set)
{
        int n = 0;

        for (int c = 0; c < 64; c++)
                if (set & (1ULL << c)) {
                        char *name = cap_to_name(c);

                        fprintf(f, "%s%s", n++ ? " " : "", name ? name : "?");
                        cap_free(name);
                }
        if (!n)
                fprintf(f, "none");
}

static void attrs_words(FILE *f, unsigned a)
{
        fprintf(f, "%s%s%s%s%s", a & MOUNT_ATTR_RDONLY ? "read-only" : "read-write",
                a & MOUNT_ATTR_NOSUID ? ", nosuid" : "", a & MOUNT_ATTR_NODEV ? ", nodev" : "",
                a & MOUNT_ATTR_NOEXEC ? ", noexec" : "",
                (a & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME       ? ", noatime"
                : (a & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME ? ", strictatime"
                                                                    : "");
}

bool vb_ctr_explain_mount(FILE *f, const struct vb_mount *m)
{
        switch (m->kind) {
        case VB_MNT_FS:
                fprintf(f, "  %s: new %s \"%s\" (", m->dst, m->fstype, m->src);
                attrs_words(f, m->attrs);
                fprintf(f, "%s%s)%s", m->data ? "; " : "", m->data ? m->data : "",
                        strcmp(m->fstype, "proc") == 0 ? ", host-wide files covered as for a void's /proc" : "");
                return true;
        case VB_MNT_MASK:
                fprintf(f, "  %s: hidden (an empty read-only tmpfs, or /dev/null), if it exists", m->dst);
                return true;
        case VB_MNT_RDONLY:
                fprintf(f, "  %s: made read-only, recursively, if it exists", m->dst);
                return true;
        case VB_MNT_DEVICE:
                fprintf(f,
                        "  %s: device node %c %u:%u, mode %04o, owner %u:%u (the host's node bound where mknod is "
                        "not allowed)",
                        m->dst,
                        S_ISCHR(m->mode)   ? 'c'
                        : S_ISBLK(m->mode) ? 'b'
                                           : 'p',
                        major(m->rdev), minor(m->rdev), (unsigned)(m->mode & 07777), (unsigned)m->uid,
                        (unsigned)m->gid);
                return true;
        default:
                return false;
        }
}

void vb_ctr_explain_caps(FILE *f, const struct vb_void *v)
{
        const struct vb_container *c = v->ctr;
        struct vb_cap_sets s = vb_ctr_cap_sets(v);
        const char *names[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
        const uint64_t sets[] = { s.bounding, s.effective, s.permitted, s.inheritable, s.ambient };

        fprintf(f, "capabilities:\n");
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                fprintf(f, "  %-11s ", names[i]);
                caps_words(f, sets[i]);
                fprintf(f, "\n");
        }
        fprintf(f, "no_new_privs: %s\n",
                c->new_privs ? "NOT SET (setuid programs and file capabilities work; the filter goes on with "
                               "CAP_SYS_ADMIN held)"
                             : "set (setuid bits and file capabilities grant nothing)");
}

void vb_ctr_explain(FILE *f, const struct vb_void *v)
{
        const struct vb_container *c = v->ctr;

        if (!c)
                return;
        for (size_t i = 0; i < c->n_uid_map; i++)
                fprintf(f, "uid_map: %u..%u inside are %u..%u outside (written by the spawner)\n", c->uid_map[i].inner,
                        c->uid_map[i].inner + c->uid_map[i].count - 1, c->uid_map[i].outer,
                        c->uid_map[i].outer + c->uid_map[i].count - 1);
        for (size_t i = 0; i < c->n_gid_map; i++)
                fprintf(f, "gid_map: %u..%u inside are %u..%u outside\n", c->gid_map[i].inner,
                        c->gid_map[i].inner + c->gid_map[i].count - 1, c->gid_map[i].outer,
                        c->gid_map[i].outer + c->gid_map[i].count - 1);
        if (c->user_set) {
                fprintf(f, "user: uid %u, gid %u, groups", (unsigned)c->uid, (unsigned)c->gid);
                for (size_t i = 0; i < c->n_groups; i++)
                        fprintf(f, " %u", (unsigned)c->groups[i]);
                fprintf(f, "%s\n", c->n_groups ? "" : " none");
        }
        if (c->umask_set)
                fprintf(f, "umask: %04o\n", (unsigned)c->umask);
        for (size_t i = 0; i < c->n_sysctls; i++)
                fprintf(f, "sysctl: /proc/sys/%s = %s (in the void's own namespace)\n", c->sysctls[i].path,
                        c->sysctls[i].value);
        if (c->oom_set)
                fprintf(f, "oom_score_adj: %d\n", c->oom_score_adj);
        if (c->n_cgroup_v1)
                fprintf(f, "cgroup v1: started in %zu given directories (the spawner moves it there first)\n",
                        c->n_cgroup_v1);
        if (c->gate_fd >= 0)
                fprintf(f, "held: built, then waits at its gate until started; it outlives its spawner\n");
}

static void jcaps(FILE *f, const char *key, uint64_t set)
{
        int n = 0;

        fprintf(f, "\"%s\":[", key);
        for (int c = 0; c < 64; c++)
                if (set & (1ULL << c)) {
                        char *name = cap_to_name(c);

                        fprintf(f, "%s\"%s\"", n++ ? "," : "", name ? name : "?");
                        cap_free(name);
                }
        fputc(']', f);
}

void vb_ctr_explain_json(FILE *f, const struct vb_void *v, void (*jstr)(FILE *, const char *))
{
        const struct vb_container *c = v->ctr;
        struct vb_cap_sets s = vb_ctr_cap_sets(v);

        if (!c) {
                fputs("\"container\":null,", f);
                return;
        }
        fprintf(f, "\"container\":{\"enter\":%s,\"uid_map\":[", c->enter ? "true" : "false");
        for (size_t i = 0; i < c->n_uid_map; i++)
                fprintf(f, "%s[%u,%u,%u]", i ? "," : "", c->uid_map[i].inner, c->uid_map[i].outer, c->uid_map[i].count);
        fputs("],\"gid_map\":[", f);
        for (size_t i = 0; i < c->n_gid_map; i++)
                fprintf(f, "%s[%u,%u,%u]", i ? "," : "", c->gid_map[i].inner, c->gid_map[i].outer, c->gid_map[i].count);
        fputs("],\"user\":", f);
        if (c->user_set) {
                fprintf(f, "{\"uid\":%u,\"gid\":%u,\"groups\":[", (unsigned)c->uid, (unsigned)c->gid);
                for (size_t i = 0; i < c->n_groups; i++)
                        fprintf(f, "%s%u", i ? "," : "", (unsigned)c->groups[i]);
                fputs("]}", f);
        } else {
                fputs("null", f);
        }
        fputs(",\"caps\":{", f);
        jcaps(f, "bounding", s.bounding);
        fputc(',', f);
        jcaps(f, "effective", s.effective);
        fputc(',', f);
        jcaps(f, "permitted", s.permitted);
        fputc(',', f);
        jcaps(f, "inheritable", s.inheritable);
        fputc(',', f);
        jcaps(f, "ambient", s.ambient);
        fprintf(f, "},\"no_new_privs\":%s,\"sysctl\":[", c->new_privs ? "false" : "true");
        for (size_t i = 0; i < c->n_sysctls; i++) {
                fputs(i ? ",[" : "[", f);
                jstr(f, c->sysctls[i].path);
                fputc(',', f);
                jstr(f, c->sysctls[i].value);
                fputc(']', f);
        }
        fputs("],\"oom_score_adj\":", f);
        if (c->oom_set)
                fprintf(f, "%d", c->oom_score_adj);
        else
                fputs("null", f);
        fprintf(f, ",\"cgroup_v1\":%zu,\"held\":%s},", c->n_cgroup_v1, c->gate_fd >= 0 ? "true" : "false");
}

void vb_ctr_explain_json_mount(FILE *f, const struct vb_mount *m, void (*jstr)(FILE *, const char *))
{
        if (m->kind == VB_MNT_FS) {
                fputs(",\"fstype\":", f);
                jstr(f, m->fstype);
                fputs(",\"options\":", f);
                jstr(f, m->data);
                fprintf(f, ",\"attrs\":%u", m->attrs);
        } else if (m->kind == VB_MNT_DEVICE) {
                fprintf(f, ",\"type\":\"%c\",\"major\":%u,\"minor\":%u,\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u",
                        S_ISCHR(m->mode)   ? 'c'
                        : S_ISBLK(m->mode) ? 'b'
                                           : 'p',
                        major(m->rdev), minor(m->rdev), (unsigned)(m->mode & 07777), (unsigned)m->uid,
                        (unsigned)m->gid);
        }
}
