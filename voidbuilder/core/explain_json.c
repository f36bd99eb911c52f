/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_void_explain_json(): what a void will hold, as data (doc/plan-json.md,
 * "void").  Written by hand: the core library links no JSON library.
 */
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#define VB_CLEANUP_CAP
#include "core/cleanup.h"
#include "core/container_explain.h"
#include "core/identity.h"
#include "core/landlock.h"
#include "core/seccomp.h"
#include "core/server.h"
#include "core/spawn.h"
#include "core/void.h"

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes as they are (UTF-8 passes). */
static void jstr(FILE *f, const char *s)
{
        if (!s) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

/* A number, or null for 0 (not set). */
static void jnum(FILE *f, unsigned long long n)
{
        if (n)
                fprintf(f, "%llu", n);
        else
                fputs("null", f);
}

/*
 * Who the void is on the host: {"mode", "uid", "gid", "range"}.  A reserved
 * identity's ids are taken at spawn (null here); range is voidshim's, or null.
 */
static void json_identity(FILE *f, const struct vb_void *v)
{
        struct vb_id_range r;

        if (v->ns_mode[VB_NS_USER] != VB_NS_FRESH) {
                fprintf(f, "\"identity\":{\"mode\":\"%s\",\"uid\":null,\"gid\":null,\"range\":null},",
                        v->ns_mode[VB_NS_USER] == VB_NS_SHARED ? "shared" : "joined");
        } else if (vb_spawn_identity(v) == VB_IDENTITY_HOST) {
                fprintf(f, "\"identity\":{\"mode\":\"host\",\"uid\":%u,\"gid\":%u,\"range\":null},",
                        (unsigned)geteuid(), (unsigned)getegid());
        } else if (vb_id_range_read(NULL, NULL, &r) < 0) {
                fputs("\"identity\":{\"mode\":\"reserved\",\"uid\":null,\"gid\":null,\"range\":null},", f);
        } else {
                fprintf(f,
                        "\"identity\":{\"mode\":\"reserved\",\"uid\":null,\"gid\":null,"
                        "\"range\":{\"uid\":%u,\"gid\":%u,\"count\":%u}},",
                        (unsigned)r.uid, (unsigned)r.gid, (unsigned)r.count);
        }
}

static const char *ns_mode_name(enum vb_ns_mode m)
{
        return m == VB_NS_FRESH ? "fresh" : m == VB_NS_SHARED ? "shared" : "joined";
}

static void json_namespaces(FILE *f, const struct vb_void *v)
{
        fputs("\"namespaces\":{", f);
        for (int i = 0; i < VB_NS_COUNT; i++)
                fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", vb_ns_name((enum vb_ns)i), ns_mode_name(v->ns_mode[i]));
        fputs("},\"servers\":{", f);
        for (int i = 0, n = 0; i < VB_SERVER_COUNT; i++)
                if (v->servers_given[i])
                        fprintf(f, "%s\"%s\":\"%s\"", n++ ? "," : "", vb_server_name((enum vb_server)i),
                                vb_server_mode_name(v->servers[i]));
        fputs("},", f);
        if (v->ns_mode[VB_NS_USER] == VB_NS_FRESH)
                fprintf(f, "\"ids\":{\"uid\":%u,\"gid\":%u},", (unsigned)v->uid, (unsigned)v->gid);
        else
                fputs("\"ids\":null,", f);
        json_identity(f, v);
        if (v->time_offsets)
                fprintf(f, "\"time_offsets\":{\"monotonic\":%lld,\"boottime\":%lld},", (long long)v->off_monotonic,
                        (long long)v->off_boottime);
        else
                fputs("\"time_offsets\":null,", f);
}

static void json_flags(FILE *f, const struct vb_mount *m)
{
        const char *sep = "";

        fputc('[', f);
        if (m->kind == VB_MNT_BIND || m->kind == VB_MNT_TMPFS) {
                fprintf(f, "\"%s\"", (m->flags & VB_MOUNT_RW) ? "rw" : "ro");
                sep = ",";
        }
        if (m->kind == VB_MNT_BIND && !(m->flags & VB_MOUNT_DEV))
                fprintf(f, "%s\"nodev\"", sep), sep = ",";
        if ((m->kind == VB_MNT_BIND && (m->flags & VB_MOUNT_NOEXEC)) ||
            (m->kind == VB_MNT_TMPFS && !(m->flags & VB_MOUNT_EXEC)))
                fprintf(f, "%s\"noexec\"", sep), sep = ",";
        if (m->kind == VB_MNT_BIND && (m->flags & VB_MOUNT_OPTIONAL))
                fprintf(f, "%s\"optional\"", sep), sep = ",";
        if (m->kind == VB_MNT_PROC && (m->flags & VB_PROC_SUBSET_PID))
                fprintf(f, "%s\"subset=pid\"", sep), sep = ",";
        if (m->kind == VB_MNT_BIND && m->checked)
                fprintf(f, "%s\"checked\"", sep);
        fputc(']', f);
}

static void json_mounts(FILE *f, const struct vb_void *v)
{
        static const char *const kinds[] = {
                [VB_MNT_BIND] = "bind",     [VB_MNT_TMPFS] = "tmpfs", [VB_MNT_PROC] = "proc",
                [VB_MNT_DEVPTS] = "devpts", [VB_MNT_DIR] = "dir",     [VB_MNT_SYMLINK] = "symlink",
                [VB_MNT_INBOX] = "inbox",   [VB_MNT_FILE] = "file",   [VB_MNT_SYSFS] = "sysfs",
                [VB_MNT_FS] = "fs",         [VB_MNT_MASK] = "mask",   [VB_MNT_RDONLY] = "readonly",
                [VB_MNT_DEVICE] = "device",
        };

        fputs("\"mounts\":[", f);
        for (size_t i = 0; i < v->n_mounts; i++) {
                const struct vb_mount *m = &v->mounts[i];

                fprintf(f, "%s{\"kind\":\"%s\",\"dst\":", i ? "," : "",
                        (unsigned)m->kind < ELEMENTSOF(kinds) ? kinds[m->kind] : "?");
                jstr(f, m->dst);
                fputs(",\"src\":", f);
                jstr(f, m->src);
                fputs(",\"flags\":", f);
                json_flags(f, m);
                if (m->kind == VB_MNT_TMPFS)
                        fprintf(f, ",\"size\":%llu", (unsigned long long)m->size);
                if (m->kind == VB_MNT_DIR || m->kind == VB_MNT_TMPFS || m->kind == VB_MNT_FILE)
                        fprintf(f, ",\"mode\":\"%04o\"", (unsigned)m->mode);
                vb_ctr_explain_json_mount(f, m, jstr);
                fputs(",\"why\":", f);
                jstr(f, m->why);
                if (m->label) {
                        fputs(",\"label\":", f);
                        jstr(f, m->label);
                }
                fputc('}', f);
        }
        fputs("],", f);
}

/* "root" and "init" (added keys: doc/plan-json.md). */
static void json_root(FILE *f, const struct vb_void *v)
{
        static const char *const kinds[] = {
                [VB_ROOT_TMPFS] = "tmpfs", [VB_ROOT_DIR] = "dir", [VB_ROOT_OVERLAY] = "overlay"
        };

        fprintf(f, "\"root\":{\"kind\":\"%s\",\"dir\":", kinds[v->root.kind]);
        jstr(f, v->root.dir);
        fputs(",\"upper\":", f);
        jstr(f, v->root.upper);
        fprintf(f, ",\"writable\":%s,\"image\":%s},",
                v->root.kind == VB_ROOT_TMPFS   ? "false"
                : (v->root.flags & VB_MOUNT_RW) ? "true"
                                                : "false",
                (v->root.flags & VB_ROOT_IMAGE) ? "true" : "false");
        fprintf(f, "\"init\":%s,",
                !v->init                         ? "null"
                : (v->init_flags & VB_INIT_HOLD) ? "\"reaper, hold\""
                                                 : "\"reaper\"");
}

/* "hidden": where a bind would show a hidden host path, covered (the host paths themselves are not shown). */
static void json_hidden(FILE *f, const struct vb_void *v)
{
        char **covers = NULL;
        size_t n = 0;

        fputs("\"hidden\":[", f);
        if (vb_void_covers(v, &covers, &n) >= 0)
                for (size_t i = 0; i < n; i++) {
                        fputs(i ? "," : "", f);
                        jstr(f, covers[i]);
                }
        vb_strv_free(covers);
        fputs("],", f);
}

static void json_process(FILE *f, const struct vb_void *v)
{
        fputs("\"fds\":[", f);
        for (size_t i = 0; i < v->n_fds; i++) {
                struct vb_fd_rule r = { .kind = VB_FD_OTHER };

                (void)vb_landlock_fd_rule(v->fds[i].fd, &r);
                fprintf(f, "%s{\"target\":%d,\"terminal\":%s,\"kind\":", i ? "," : "", v->fds[i].target,
                        v->fds[i].target == v->tty_target ? "true" : "false");
                jstr(f, vb_fd_kind_name(r.kind));
                /* Landlock's rule made on the fd (beneath it for a directory): "r", "w", "rw" or "". */
                fprintf(f, ",\"open\":\"%s%s\",\"append\":%s,\"rule\":\"%s%s\"}",
                        (r.open & VB_LANDLOCK_READ) ? "r" : "", (r.open & VB_LANDLOCK_WRITE) ? "w" : "",
                        r.append ? "true" : "false",
                        v->landlock && (r.rights & LANDLOCK_ACCESS_FS_READ_FILE) ? "r" : "",
                        v->landlock && (r.rights & LANDLOCK_ACCESS_FS_WRITE_FILE) ? "w" : "");
        }
        fputs("],\"env\":[", f);
        for (size_t i = 0; i < v->n_env; i++) {
                fputs(i ? "," : "", f);
                jstr(f, v->env[i]);
        }
        fputs("],\"cwd\":", f);
        jstr(f, v->cwd ? v->cwd : "/");
        fputs(",\"hostname\":", f);
        jstr(f, v->ns_mode[VB_NS_UTS] == VB_NS_SHARED ? NULL : v->hostname ? v->hostname : "void");
        fprintf(f, ",\"loopback\":%s,\"capabilities\":[", v->loopback ? "true" : "false");
        for (int c = 0, n = 0; c < 64; c++)
                if (v->keep_caps & (1ULL << c)) {
                        char *name = cap_to_name(c);

                        fputs(n++ ? "," : "", f);
                        jstr(f, name ? name : "?");
                        cap_free(name);
                }
        fputs("],\"rlimits\":[", f);
        for (size_t i = 0; i < v->n_rlimits; i++) {
                const char *name = vb_rlimit_name(v->rlimits[i].resource);

                fprintf(f, "%s{\"resource\":%d,\"soft\":%llu,\"hard\":%llu", i ? "," : "", v->rlimits[i].resource,
                        (unsigned long long)v->rlimits[i].lim.rlim_cur, (unsigned long long)v->rlimits[i].lim.rlim_max);
                fputs(",\"name\":", f);
                jstr(f, name);
                fputc('}', f);
        }
        fprintf(f, "],\"cgroup\":%s,", v->cgroup_fd >= 0 ? "true" : "false");
        fputs("\"limits\":{\"pids\":", f);
        jnum(f, v->limits.pids);
        fputs(",\"memory\":", f);
        jnum(f, v->limits.memory);
        fputs(",\"cpu\":", f);
        jnum(f, v->limits.cpu);
        fputs("},", f);
        if (v->observe) {
                fputs("\"observe\":[", f);
                for (size_t i = 0; v->observe[i]; i++) {
                        fputs(i ? "," : "", f);
                        jstr(f, v->observe[i]);
                }
                fputs("],", f);
        }
}

/* FNV-1a, 64 bits: enough to tell two BPF programs apart in a comparison, not a security hash. */
static unsigned long long fnv1a64(const void *data, size_t len)
{
        unsigned long long h = 0xcbf29ce484222325ULL;

        for (const unsigned char *p = data; len--; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
        return h;
}

static void json_filters(FILE *f, const struct vb_void *v)
{
        static const char *const access[] = { "", "r", "w", "rw", "x", "rx", "wx", "rwx" };
        bool network = vb_server_has_network(v);
        unsigned flags = network ? VB_SECCOMP_NETWORK : 0;
        struct sock_fprog def = {};
        const struct sock_fprog *prog = &v->fprog;

        /* What the spawn will install (vb_void_prepare_seccomp()): compiled again when stale or not yet made. */
        if (v->seccomp_mode != VB_SECCOMP_OFF && (!v->fprog.filter || v->fprog_network != network) &&
            (v->seccomp_mode == VB_SECCOMP_DEFAULT
                     ? vb_seccomp_default_fprog(flags, &def)
                     : vb_seccomp_compile(v->seccomp_text, v->seccomp_name, flags, &def, NULL)) >= 0)
                prog = &def;
        fputs("\"seccomp\":{\"mode\":", f);
        jstr(f, v->seccomp_mode == VB_SECCOMP_OFF       ? "off"
                : v->seccomp_mode == VB_SECCOMP_DEFAULT ? "default"
                                                        : "policy");
        fputs(",\"name\":", f);
        jstr(f, v->seccomp_mode == VB_SECCOMP_POLICY ? v->seccomp_name : NULL);
        if (v->seccomp_mode != VB_SECCOMP_OFF && prog->filter)
                fprintf(f, ",\"instructions\":%u,\"fnv1a64\":\"%016llx\"", (unsigned)prog->len,
                        fnv1a64(prog->filter, prog->len * sizeof(*prog->filter)));
        vb_seccomp_fprog_done(&def);
        /* The caller's terminal handed in confined: its rules are in the program above. */
        fprintf(f, ",\"term_confined\":%s", v->term_confined ? "true" : "false");
        fprintf(f, "},\"landlock\":{\"on\":%s,\"rules\":[", v->landlock ? "true" : "false");
        for (size_t i = 0; v->landlock && i < v->n_landlock; i++) {
                fputs(i ? ",[" : "[", f);
                jstr(f, v->landlock_rules[i].path);
                fprintf(f, ",\"%s\"]", access[v->landlock_rules[i].access & 7]);
        }
        fprintf(f, "],\"scoped\":%s,\"fallback\":%s},", v->landlock && vb_landlock_abi() >= 6 ? "true" : "false",
                v->landlock_fallback ? "true" : "false");
}

VB_API char *vb_void_explain_json(const struct vb_void *v)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        fputc('{', f);
        json_namespaces(f, v);
        json_root(f, v);
        json_mounts(f, v);
        json_hidden(f, v);
        json_process(f, v);
        json_filters(f, v);
        vb_ctr_explain_json(f, v, jstr);
        fputs("\"program\":{\"path\":", f);
        jstr(f, v->exec_path);
        fputs(",\"host\":", f);
        jstr(f, v->exec_host_path);
        fprintf(f, ",\"by_fd\":%s,\"argv\":[", v->exec_fd >= 0 ? "true" : "false");
        for (size_t i = 0; v->argv && v->argv[i]; i++) {
                fputs(i ? "," : "", f);
                jstr(f, v->argv[i]);
        }
        fputs("]}}\n", f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
