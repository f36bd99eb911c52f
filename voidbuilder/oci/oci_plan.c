/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb_plan_from_oci(): a bundle's config as a plan, like a spec's entrypoint (doc/oci.md has the table). */
#include <errno.h>
#include <linux/mount.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oci/oci_plan.h"
#include "voidbuilder/cleanup.h"

int oci_plan_note(struct vb_plan *p, const char *fmt, ...)
{
        char *line = NULL, **n;
        size_t len = 0;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        while (p->ctr.notes && p->ctr.notes[len])
                len++;
        n = reallocarray(p->ctr.notes, len + 2, sizeof(char *));
        if (!n) {
                free(line);
                return -ENOMEM;
        }
        n[len] = line;
        n[len + 1] = NULL;
        p->ctr.notes = n;
        return 0;
}

static int add(struct vb_plan *p, struct vb_plan_grant g, const char *origin, struct vb_error **err)
{
        int r;

        g.origin = (char *)origin;
        r = vb_plan_add(p, &g);
        return r < 0 ? vb_error_set(err, -r, "building the plan") : 0;
}

static int add_device(struct vb_plan *p, const char *path, char type, unsigned maj, unsigned min, mode_t mode,
                      uid_t uid, gid_t gid, const char *origin, struct vb_error **err)
{
        return add(p,
                   (struct vb_plan_grant){ .kind = VB_PLAN_DEVICE,
                                           .dst = (char *)path,
                                           .resource = type,
                                           .dev = makedev(maj, min),
                                           .mode = mode,
                                           .uid = uid,
                                           .gid = gid },
                   origin, err);
}

/* runtime-spec's default devices and /dev symlinks, then linux.devices (which may replace a default). */
static int devices(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err)
{
        static const struct {
                const char *path;
                unsigned maj, min;
        } dflt[] = {
                { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
                { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
        };
        static const char *const links[][2] = {
                { "/proc/self/fd", "/dev/fd" },       { "/proc/self/fd/0", "/dev/stdin" },
                { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
                { "pts/ptmx", "/dev/ptmx" },
        };
        char origin[64];
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dflt); i++) {
                bool replaced = false;

                for (size_t k = 0; k < c->n_devices; k++)
                        replaced |= strcmp(c->devices[k].path, dflt[i].path) == 0;
                if (!replaced)
                        r = add_device(p, dflt[i].path, 'c', dflt[i].maj, dflt[i].min, 0666, 0, 0,
                                       "the default devices", err);
        }
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(links); i++)
                r = add(p,
                        (struct vb_plan_grant){
                                .kind = VB_PLAN_SYMLINK, .src = (char *)links[i][0], .dst = (char *)links[i][1] },
                        "the default /dev symlinks", err);
        for (size_t i = 0; r >= 0 && i < c->n_devices; i++) {
                const struct vb_oci_device *d = &c->devices[i];

                snprintf(origin, sizeof(origin), "config.json /linux/devices/%zu", i);
                r = add_device(p, d->path, d->type, d->major < 0 ? 0 : (unsigned)d->major,
                               d->minor < 0 ? 0 : (unsigned)d->minor, d->mode_set ? d->mode : 0666,
                               d->uid_set ? d->uid : 0, d->gid_set ? d->gid : 0, origin, err);
        }
        return r;
}

static int masks(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err)
{
        char origin[64];
        int r = 0;

        for (size_t i = 0; r >= 0 && c->masked && c->masked[i]; i++) {
                snprintf(origin, sizeof(origin), "config.json /linux/maskedPaths/%zu", i);
                r = add(p, (struct vb_plan_grant){ .kind = VB_PLAN_MASK, .dst = c->masked[i] }, origin, err);
        }
        for (size_t i = 0; r >= 0 && c->readonly && c->readonly[i]; i++) {
                snprintf(origin, sizeof(origin), "config.json /linux/readonlyPaths/%zu", i);
                r = add(p, (struct vb_plan_grant){ .kind = VB_PLAN_READONLY, .dst = c->readonly[i] }, origin, err);
        }
        return r;
}

static int sysctls(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err)
{
        _cleanup_free_ char *origin = NULL;
        int r = 0;

        for (size_t i = 0; r >= 0 && c->sysctl && c->sysctl[i]; i += 2) {
                free(origin);
                if (asprintf(&origin, "config.json /linux/sysctl/%s", c->sysctl[i]) < 0)
                        return vb_error_set(err, ENOMEM, "building the plan");
                r = add(p,
                        (struct vb_plan_grant){ .kind = VB_PLAN_SYSCTL, .src = c->sysctl[i], .dst = c->sysctl[i + 1] },
                        origin, err);
        }
        if (r >= 0 && c->domainname && *c->domainname)
                r = add(p,
                        (struct vb_plan_grant){
                                .kind = VB_PLAN_SYSCTL, .src = "kernel.domainname", .dst = c->domainname },
                        "config.json /domainname", err);
        return r;
}

/* A security module's profile: ignored where the module is off here, refused where it would matter. */
static int lsm(struct vb_plan *p, const char *what, const char *value, const char *enabled, const char *path,
               struct vb_error **err)
{
        if (!value || !*value)
                return 0;
        if (access(enabled, F_OK) == 0)
                return vb_error_set(err, EINVAL, "config.json: %s: voidshim does not apply %s profiles", path, what);
        return oci_plan_note(p, "%s: %s is not enabled on this host: \"%s\" is not applied", path, what, value) < 0
                       ? vb_error_set(err, ENOMEM, "building the plan")
                       : 0;
}

int oci_plan_process(struct vb_plan *p, const struct vb_oci_process *pr, const char *path, struct vb_error **err)
{
        char origin[96];
        int r;

        r = vb_plan_set_program(p, pr->args[0], false, pr->args);
        for (size_t i = 0; r >= 0 && pr->env && pr->env[i]; i++) {
                _cleanup_free_ char *name = strndup(pr->env[i], strcspn(pr->env[i], "="));

                snprintf(origin, sizeof(origin), "config.json %s/env/%zu", path, i);
                r = name ? vb_plan_setenv(p, name, strchr(pr->env[i], '=') + 1, origin) : -ENOMEM;
        }
        if (r >= 0)
                r = vb_plan_set_str(&p->chdir, pr->cwd);
        for (size_t i = 0; r >= 0 && i < pr->n_rlimits; i++) {
                struct vb_plan_grant g = { .kind = VB_PLAN_RLIMIT,
                                           .resource = pr->rlimits[i].resource,
                                           .soft = pr->rlimits[i].soft,
                                           .hard = pr->rlimits[i].hard };

                snprintf(origin, sizeof(origin), "config.json %s/rlimits/%zu", path, i);
                g.origin = origin;
                r = vb_plan_add(p, &g);
        }
        if (r < 0)
                return vb_error_set(err, -r, "building the plan");
        p->ctr.user_set = true;
        p->ctr.uid = pr->uid, p->ctr.gid = pr->gid;
        if (pr->n_groups && !(p->ctr.groups = malloc(pr->n_groups * sizeof(gid_t))))
                return vb_error_set(err, ENOMEM, "building the plan");
        if (pr->n_groups)
                memcpy(p->ctr.groups, pr->groups, pr->n_groups * sizeof(gid_t));
        p->ctr.n_groups = pr->n_groups;
        p->ctr.umask_set = true;
        p->ctr.umask = pr->umask_set ? pr->umask : 022; /* runc's */
        p->ctr.caps_set = true;
        p->ctr.caps = pr->caps; /* no "capabilities": every set empty */
        p->ctr.new_privs = !pr->no_new_privs;
        p->ctr.oom_set = pr->oom_set, p->ctr.oom_score_adj = pr->oom_score_adj;
        snprintf(origin, sizeof(origin), "%s/apparmorProfile", path);
        r = lsm(p, "AppArmor", pr->apparmor, "/sys/kernel/security/apparmor", origin, err);
        snprintf(origin, sizeof(origin), "%s/selinuxLabel", path);
        return r < 0 ? r : lsm(p, "SELinux", pr->selinux, "/sys/fs/selinux/enforce", origin, err);
}

static int namespaces(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err)
{
        for (int ns = 0; ns < VB_NS_COUNT; ns++) {
                p->ns[ns] = !c->ns_set[ns] ? VB_NS_SHARED : c->ns_path[ns] ? VB_NS_JOIN : VB_NS_FRESH;
                if (c->ns_path[ns] && vb_plan_set_str(&p->ns_path[ns], c->ns_path[ns]) < 0)
                        return vb_error_set(err, ENOMEM, "building the plan");
        }
        if (!c->ns_set[VB_NS_MNT])
                return vb_error_set(err, EINVAL,
                                    "config.json: /linux/namespaces: needs a mount namespace (a void builds its own "
                                    "root; the runtime's mounts are never the container's)");
        if (c->hostname && *c->hostname && p->ns[VB_NS_UTS] == VB_NS_SHARED)
                return vb_error_set(err, EINVAL,
                                    "config.json: /hostname: needs a uts namespace of the container's own");
        if (c->domainname && *c->domainname && p->ns[VB_NS_UTS] != VB_NS_FRESH)
                return vb_error_set(err, EINVAL,
                                    "config.json: /domainname: needs a uts namespace of the container's own");
        if (c->n_uid_map && p->ns[VB_NS_USER] == VB_NS_FRESH) {
                p->ctr.uid_map = malloc(c->n_uid_map * sizeof(*c->uid_map));
                p->ctr.gid_map = malloc(c->n_gid_map * sizeof(*c->gid_map));
                if (!p->ctr.uid_map || !p->ctr.gid_map)
                        return vb_error_set(err, ENOMEM, "building the plan");
                memcpy(p->ctr.uid_map, c->uid_map, c->n_uid_map * sizeof(*c->uid_map));
                memcpy(p->ctr.gid_map, c->gid_map, c->n_gid_map * sizeof(*c->gid_map));
                p->ctr.n_uid_map = c->n_uid_map, p->ctr.n_gid_map = c->n_gid_map;
        }
        /* A network namespace of its own has lo up, as runc and crun give it. */
        p->loopback = p->ns[VB_NS_NET] == VB_NS_FRESH;
        return 0;
}

static int seccomp(struct vb_plan *p, const char *policy, struct vb_error **err)
{
        if (!policy)
                return 0; /* the void's built-in policy */
        p->seccomp = VB_PLAN_SECCOMP_TEXT;
        if (vb_plan_set_str(&p->ctr.seccomp_text, policy) < 0 ||
            vb_plan_set_str(&p->ctr.seccomp_name, "config.json /linux/seccomp (translated)") < 0)
                return vb_error_set(err, ENOMEM, "building the plan");
        return 0;
}

static int notes(struct vb_plan *p, const struct vb_oci *c, struct vb_error **err)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && c->notes && c->notes[i]; i++)
                r = oci_plan_note(p, "%s", c->notes[i]);
        if (r >= 0 && c->rootfs_propagation && strcmp(c->rootfs_propagation, "private") != 0 &&
            strcmp(c->rootfs_propagation, "rprivate") != 0)
                r = oci_plan_note(p, "/linux/rootfsPropagation: \"%s\" is not applied: a void's mounts are all private",
                                  c->rootfs_propagation);
        if (r >= 0 && c->mount_label && *c->mount_label)
                r = oci_plan_note(p, "/linux/mountLabel: not applied (no SELinux)");
        for (int k = 0; r >= 0 && k < VB_OCI_HOOK_COUNT; k++)
                if (c->n_hooks[k])
                        r = oci_plan_note(p, "/hooks/%s: %zu hook(s), run by the runtime, not in the void",
                                          vb_oci_hook_name((enum vb_oci_hook_kind)k), c->n_hooks[k]);
        if (r >= 0 && c->resources_set)
                r = oci_plan_note(p, "/linux/resources: applied by the runtime to the container's cgroups");
        return r < 0 ? vb_error_set(err, ENOMEM, "building the plan") : 0;
}

/*
 * The term server: with process.terminal, proxied (the engine, conmon or containerd's shim, holds the
 * pty's master: a caretaker of the caller's; the library names the slave /dev/console); without, the
 * caller's stdio are passed through untouched, as the runtime contract says: shared.
 */
static int term_server(struct vb_plan *p, bool terminal, struct vb_error **err)
{
        const char *why = NULL;
        int r = vb_plan_set_server(p, VB_SERVER_TERM, terminal ? VB_SERVER_PROXIED : VB_SERVER_SHARED, &why);

        return r < 0 ? vb_error_set(err, -r, "the terminal: %s", why ? why : "refused") : 0;
}

/* What one create or exec adds: the console, stdio, preserved fds, the gate, the cgroups. */
int oci_plan_start(struct vb_plan *p, const struct vb_plan_oci_start *s, struct vb_error **err)
{
        int r = 0;

        if (!s)
                return 0;
        p->live.terminal_fd = s->terminal_fd;
        for (int fd = 0; fd <= 2; fd++)
                p->stdio[fd] = s->stdio && s->terminal_fd < 0;
        for (int i = 0; r >= 0 && i < s->n_preserve; i++)
                r = vb_plan_fd(p, 3 + i, 3 + i, 0, "--preserve-fds");
        p->live.gate_fd = s->gate_fd;
        p->live.cgroup_v1 = s->cgroup_v1;
        p->live.n_cgroup_v1 = s->n_cgroup_v1;
        return r < 0 ? vb_error_set(err, -r, "building the plan") : 0;
}

int vb_plan_from_oci(const struct vb_oci *c, const struct vb_plan_oci_start *start, struct vb_plan **out,
                     struct vb_error **err)
{
        struct vb_plan *p = vb_plan_new();
        int r;

        *out = NULL;
        if (!p)
                return vb_error_set(err, ENOMEM, "building the plan");
        if (!c->has_process) {
                vb_plan_free(p);
                return vb_error_set(err, EINVAL, "config.json: /process: required, and missing");
        }
        p->landlock = VB_PLAN_LANDLOCK_OFF; /* a container's root is its own: mounts and seccomp hold it */
        r = vb_plan_set_str(&p->root, c->root) < 0 ? vb_error_set(err, ENOMEM, "building the plan") : 0;
        p->root_rw = !c->root_readonly;
        p->ctr.image_root = true;
        if (r >= 0)
                r = namespaces(p, c, err);
        if (r >= 0 && c->hostname && *c->hostname && vb_plan_set_str(&p->hostname, c->hostname) < 0)
                r = vb_error_set(err, ENOMEM, "building the plan");
        if (r >= 0)
                r = oci_plan_mounts(p, c, err);
        if (r >= 0)
                r = devices(p, c, err);
        if (r >= 0)
                r = masks(p, c, err);
        if (r >= 0)
                r = sysctls(p, c, err);
        if (r >= 0)
                r = oci_plan_process(p, &c->process, "/process", err);
        if (r >= 0)
                r = term_server(p, c->process.terminal, err);
        if (r >= 0)
                r = seccomp(p, c->seccomp, err);
        if (r >= 0)
                r = notes(p, c, err);
        if (r >= 0)
                r = oci_plan_start(p, start, err);
        if (r < 0) {
                vb_plan_free(p);
                return r;
        }
        *out = p;
        return 0;
}

int vb_plan_from_oci_process(const struct vb_oci *c, const struct vb_oci_process *pr,
                             const struct vb_plan_oci_start *start, struct vb_plan **out, struct vb_error **err)
{
        struct vb_plan *p = vb_plan_new();
        char path[64];
        struct stat mine, theirs;
        int r = 0;

        *out = NULL;
        if (!p)
                return vb_error_set(err, ENOMEM, "building the plan");
        p->landlock = VB_PLAN_LANDLOCK_OFF;
        p->ctr.enter = true;
        /* Every namespace of the container's init that is not ours already (setns to one's own user ns is EINVAL). */
        for (int ns = 0; r >= 0 && ns < VB_NS_COUNT; ns++) {
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)start->join_pid, vb_ns_name((enum vb_ns)ns));
                char self[64];

                snprintf(self, sizeof(self), "/proc/self/ns/%s", vb_ns_name((enum vb_ns)ns));
                if (ns != VB_NS_MNT && stat(self, &mine) == 0 && stat(path, &theirs) == 0 &&
                    mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) {
                        p->ns[ns] = VB_NS_SHARED;
                        continue;
                }
                if (access(path, F_OK) < 0) { /* a namespace type this kernel lacks */
                        p->ns[ns] = VB_NS_SHARED;
                        continue;
                }
                p->ns[ns] = VB_NS_JOIN;
                r = vb_plan_set_str(&p->ns_path[ns], path) < 0 ? vb_error_set(err, ENOMEM, "building the plan") : 0;
        }
        if (r >= 0)
                r = oci_plan_process(p, pr, "", err);
        if (r >= 0)
                r = term_server(p, pr->terminal, err);
        if (r >= 0)
                r = seccomp(p, c->seccomp, err);
        if (r >= 0)
                r = oci_plan_start(p, start, err);
        if (r < 0) {
                vb_plan_free(p);
                return r;
        }
        *out = p;
        return 0;
}
