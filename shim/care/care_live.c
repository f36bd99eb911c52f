/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Authority that changes while the void runs, beyond the inbox's grants:
 * `voidshim ctl NAME allow|deny [tcp:|udp:]HOST:PORT` on the network caretaker
 * (a host name is resolved here, now, and named in the void's /etc/hosts),
 * and `voidshim ctl A connect B PATH`: a socket served in B's void, handed to
 * A's through a forwarder of A's supervisor and A's inbox.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "care/care.h"
#include "voidbuilder/cleanup.h"

static struct vb_caretaker *find(struct care_set *s, const char *name)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->name[i], name) == 0 && vb_caretaker_alive(s->care[i]))
                        return s->care[i];
        return NULL;
}

/* Name the host in the void's /etc/hosts (the run's file, bound in: rewritten in place, the void sees it). */
static void name_host(struct care_set *s, const struct vb_net_allow *a, const char *name)
{
        char path[PATH_MAX + 16], addr[INET6_ADDRSTRLEN];
        _cleanup_fclose_ FILE *f = NULL;

        if (!s->run_dir[0] || !name[0] || !inet_ntop(a->family, a->addr, addr, sizeof(addr)))
                return;
        snprintf(path, sizeof(path), "%s/hosts", s->run_dir);
        f = fopen(path, "ae"); /* only a file that exists: the void was given it */
        if (f && ftell(f) > 0)
                fprintf(f, "%s %s\n", addr, name);
}

void care_net_change(struct care_set *s, int fd, const char *text, bool allow)
{
        struct vb_caretaker *net = find(s, "net");
        struct vb_net_allow entries[16];
        const char *why = NULL;
        char name[256];
        int n;

        if (!net) {
                care_reply(fd, "error: this run has no network caretaker (--net-allow)\n");
                return;
        }
        n = vb_net_allow_resolve(text, entries, 16, name, sizeof(name), &why);
        if (n < 0) {
                care_reply(fd, "error: %s: %s\n", text, why ? why : strerror(-n));
                return;
        }
        for (int i = 0; i < n; i++) {
                struct vb_error *err = NULL;

                if (vb_caretaker_net_change(net, &entries[i], allow, &err) < 0) {
                        care_reply(fd, "%s: %s\n",
                                   err->errnum == ENOENT || err->errnum == EOPNOTSUPP ? "error" : "failed", err->msg);
                        vb_error_free(err);
                        return;
                }
                if (allow)
                        name_host(s, &entries[i], name);
        }
        care_reply(fd, "ok\n");
}

void care_connect(struct care_set *s, struct vb_inbox *inbox, int fd, char *args)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        char upstream[PATH_MAX + 64], *path = strchr(args, ' ');
        const char *base;
        _cleanup_close_ int sock = -1;
        struct stat st;
        int pid;

        /* "PID PATH": the ctl client found B's void and checked PATH there. */
        if (!inbox) {
                care_reply(fd, "error: this run has no inbox to hand the socket in (--inbox DIR)\n");
                return;
        }
        if (!path || (pid = atoi(args)) <= 0 || path[1] != '/') {
                care_reply(fd, "error: expected connect PID /PATH\n");
                return;
        }
        path++;
        base = strrchr(path, '/') + 1;
        snprintf(upstream, sizeof(upstream), "unix:/proc/%d/root%s", pid, path);
        if (stat(upstream + 5, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                care_reply(fd, "error: %s is not a socket in that void\n", path);
                return;
        }
        if (care_set_forward(s, base, upstream, &err) < 0) {
                care_reply(fd, "failed: %s\n", err->msg);
                return;
        }
        sock = open(s->host[s->n - 1], O_PATH | O_CLOEXEC);
        if (sock < 0 || vb_inbox_grant(inbox, sock, base, VB_MOUNT_RW, &err) < 0) {
                care_reply(fd, "failed: %s\n", err ? err->msg : strerror(errno));
                care_set_revoke(s, base);
                return;
        }
        care_reply(fd, "%s\tlinked to %s in pid %d's void\nok\n", base, path, pid);
}
