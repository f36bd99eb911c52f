/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What keeps each thing a void is handed to exactly that thing (doc/fds.md):
 * Landlock rules for the mounts the servers add, the fallback where the
 * kernel has no Landlock, and the caller's terminal handed in confined.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/landlock.h"
#include "core/server.h"
#include "core/void.h"

/* ---- Landlock rules of the servers' mounts ------------------------------------- */

/* What a mount allows, as VB_LANDLOCK_* (0: it is no grant of what is in it). */
static unsigned mount_access(const struct vb_mount *m)
{
        switch (m->kind) {
        case VB_MNT_BIND:
                /* A missing optional source is not mounted: a rule on its path would fail. */
                if ((m->flags & VB_MOUNT_OPTIONAL) && access(m->src, F_OK) < 0)
                        return 0;
                return VB_LANDLOCK_READ | ((m->flags & VB_MOUNT_RW) ? VB_LANDLOCK_WRITE : 0) |
                       ((m->flags & VB_MOUNT_NOEXEC) ? 0 : VB_LANDLOCK_EXEC);
        case VB_MNT_TMPFS:
                return VB_LANDLOCK_READ | VB_LANDLOCK_WRITE | ((m->flags & VB_MOUNT_EXEC) ? VB_LANDLOCK_EXEC : 0);
        case VB_MNT_PROC:
        case VB_MNT_DEVPTS:
        case VB_MNT_INBOX: /* each grant's own mount flags decide writes */
                return VB_LANDLOCK_READ | VB_LANDLOCK_WRITE;
        case VB_MNT_DIR:
        case VB_MNT_SYMLINK:
        default:
                return 0;
        }
}

/* Does an existing rule on "/" (an ancestor of every path) already allow acc? */
static bool root_allows(const struct vb_void *v, unsigned acc)
{
        for (size_t i = 0; i < v->n_landlock; i++)
                if (strcmp(v->landlock_rules[i].path, "/") == 0 && (v->landlock_rules[i].access & acc) == acc)
                        return true;
        return false;
}

int vb_confine_server_mounts(struct vb_void *v, size_t from, size_t to)
{
        bool no_exec = v->servers_given[VB_SERVER_EXEC] && v->servers[VB_SERVER_EXEC] == VB_SERVER_DENIED;
        int r = 0;

        if (!v->landlock)
                return 0;
        for (size_t i = from; r >= 0 && i < to; i++) {
                unsigned acc = mount_access(&v->mounts[i]);

                /* exec denied: EXECUTE only on the program and its loader, whatever comes later. */
                if (no_exec)
                        acc &= ~(unsigned)VB_LANDLOCK_EXEC;
                if (acc && !root_allows(v, acc))
                        r = vb_void_landlock_allow(v, v->mounts[i].dst, acc);
        }
        return r;
}

/* ---- host paths no bind may show --------------------------------------------------- */

static int strv_push(char ***v, size_t *n, char *s)
{
        char **grown = reallocarray(*v, *n + 2, sizeof(char *));

        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        *v = grown;
        grown[(*n)++] = s;
        grown[*n] = NULL;
        return 0;
}

VB_API int vb_void_hide(struct vb_void *v, const char *host_path)
{
        char real[PATH_MAX];
        char *copy;

        if (host_path[0] != '/')
                return -EINVAL;
        /* Compared with the bind sources' own real paths: a symlink on the way must not hide it. */
        copy = strdup(realpath(host_path, real) ? real : host_path);
        return copy ? strv_push(&v->hide, &v->n_hide, copy) : -ENOMEM;
}

/* If host path h lies at or below directory src, the rest of h after src ("" or "/a/b"), else NULL. */
static const char *below(const char *h, const char *src)
{
        size_t len = strlen(src);

        if (strcmp(src, "/") == 0)
                return h;
        if (strncmp(h, src, len) != 0 || (h[len] != '\0' && h[len] != '/'))
                return NULL;
        return h + len;
}

int vb_void_covers(const struct vb_void *v, char ***out, size_t *n)
{
        char **list = NULL;
        size_t k = 0;
        int r = 0;

        *out = NULL;
        *n = 0;
        for (size_t i = 0; r >= 0 && i < v->n_mounts; i++) {
                const struct vb_mount *m = &v->mounts[i];
                char real[PATH_MAX], *cover;

                if (m->kind != VB_MNT_BIND || !realpath(m->src, real))
                        continue;
                for (size_t j = 0; r >= 0 && j < v->n_hide; j++) {
                        const char *rest = below(v->hide[j], real);

                        /* A bind of something inside a hidden directory was asked for by name: it stays. */
                        if (!rest)
                                continue;
                        if (asprintf(&cover, "%s%s", strcmp(m->dst, "/") == 0 && *rest ? "" : m->dst, rest) < 0)
                                r = -ENOMEM;
                        else
                                r = strv_push(&list, &k, cover);
                }
        }
        if (r < 0) {
                vb_strv_free(list);
                return r;
        }
        *out = list;
        *n = k;
        return 0;
}

int vb_void_prepare_covers(struct vb_void *v, struct vb_error **err)
{
        int r;

        vb_strv_free(v->covers);
        v->covers = NULL;
        v->n_covers = 0;
        r = vb_void_covers(v, &v->covers, &v->n_covers);
        return r < 0 ? vb_error_set(err, r, "hiding host paths") : 0;
}

/* ---- without Landlock ------------------------------------------------------------- */

bool vb_void_reaches_proc(const struct vb_void *v)
{
        if (v->keep_caps & (1ULL << CAP_SYS_ADMIN)) /* it could mount a procfs of its own */
                return true;
        for (size_t i = 0; i < v->n_mounts; i++)
                if (v->mounts[i].kind == VB_MNT_PROC || strcmp(v->mounts[i].dst, "/proc") == 0)
                        return true;
        return false;
}

/* null, zero, full, random, urandom: opened again with any mode, they give nothing more. */
static bool harmless_device(int fd)
{
        struct stat st;

        return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
               (minor(st.st_rdev) == 3 || minor(st.st_rdev) == 5 || minor(st.st_rdev) == 7 || minor(st.st_rdev) == 8 ||
                minor(st.st_rdev) == 9);
}

const char *vb_void_fallback_refusal(const struct vb_void *v, int fd)
{
        struct vb_fd_rule rule;

        if (vb_landlock_fd_rule(fd, &rule) < 0)
                return NULL;
        if (rule.kind == VB_FD_DIR)
                return "a directory, and without Landlock (this kernel has none) openat(fd, \"..\") would reach "
                       "its parents: bind it instead";
        if ((rule.kind == VB_FD_FILE || rule.kind == VB_FD_FIFO ||
             (rule.kind == VB_FD_DEVICE && !harmless_device(fd))) &&
            vb_void_reaches_proc(v))
                return "a file and the void has /proc: without Landlock (this kernel has none) it could be opened "
                       "again through /proc/self/fd with more rights than it was handed in with: drop /proc, or "
                       "hand it in as a pipe";
        return NULL;
}

VB_API int vb_void_landlock_fallback(struct vb_void *v, struct vb_error **err)
{
        /* Recorded first: explain shows the void even when it would be refused, and says which fd. */
        v->landlock_fallback = true;
        for (size_t i = 0; i < v->n_fds; i++) {
                const char *why = vb_void_fallback_refusal(v, v->fds[i].fd);

                if (why)
                        return vb_error_set(err, EPERM, "fd %d is %s", v->fds[i].target, why);
        }
        return 0;
}

/* ---- the caller's terminal, handed in confined ------------------------------------ */

/*
 * Every ioctl that changes a terminal or its line: settings (termios, the
 * old termio, termios2), window size, flow, flushing, breaks, the
 * foreground group and the controlling terminal, exclusive mode, the line
 * discipline, console redirection, modem lines, serial settings, hangup and
 * locked settings.  Reading (TCGETS, TIOCGWINSZ, FIONREAD...) stays.  The
 * kernel reads the request as 32 bits: the upper ones are masked off.
 */
const char vb_server_rules_term_confined[] =
        "group term-confined  the caller's terminal, confined: read, written and looked at, never changed\n"
        "override ioctl errno EPERM when arg1 & 0xffffffff in TCSETS TCSETSW TCSETSF TCSETA TCSETAW TCSETAF "
        "TCSETS2 TCSETSW2 TCSETSF2 TIOCSWINSZ TCFLSH TCXONC TCSBRK TCSBRKP TIOCSBRK TIOCCBRK TIOCSPGRP TIOCSCTTY "
        "TIOCNOTTY TIOCEXCL TIOCNXCL TIOCSETD TIOCCONS TIOCMSET TIOCMBIS TIOCMBIC TIOCSSOFTCAR TIOCSSERIAL "
        "TIOCSRS485 TIOCSISO7816 TIOCVHANGUP TIOCSLCKTRMIOS\n";

VB_API int vb_void_confine_terminals(struct vb_void *v, struct vb_error **err)
{
        bool tty = false;
        int r;

        if (v->term_confined)
                return 0;
        for (size_t i = 0; i < v->n_fds; i++)
                tty |= isatty(v->fds[i].fd);
        if (!tty)
                return 0;
        r = vb_void_seccomp_append(v, vb_server_rules_term_confined, "term confined", err);
        if (r < 0)
                return r;
        v->term_confined = true;
        return 0;
}
