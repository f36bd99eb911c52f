/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Authority that changes while the void runs, beyond the inbox's grants:
 * `voidshim ctl NAME allow|deny [tcp:|udp:]HOST:PORT` on the network caretaker
 * (a host name is resolved here, now, and named in the void's /etc/hosts),
 * and `voidshim ctl A connect B PATH`: a socket served in B's void, handed to
 * A's through a forwarder of A's supervisor and A's inbox, which either side
 * may cut (B's supervisor asks A's: see care.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* ---- the other side of a link ------------------------------------------------------------- */

bool care_link_is_name(const char *name)
{
        const char *slash = strchr(name, '/');
        char peer[128];

        if (!slash || slash == name || !slash[1] || strchr(slash + 1, '/') || (size_t)(slash - name) >= sizeof(peer))
                return false;
        memcpy(peer, name, (size_t)(slash - name));
        peer[slash - name] = '\0';
        return ctl_name_ok(peer);
}

/* The forwarder (alive) that links us to the socket at path in pid's void, or -1. */
static ssize_t find_link(const struct care_set *s, int pid, const char *path)
{
        char up[PATH_MAX + 64];

        snprintf(up, sizeof(up), "unix:/proc/%d/root%s", pid, path);
        for (size_t i = 0; i < s->n; i++)
                if (s->up[i] && strcmp(s->up[i], up) == 0 && strcmp(s->name[i], strrchr(path, '/') + 1) == 0 &&
                    vb_caretaker_alive(s->care[i]))
                        return (ssize_t)i;
        return -1;
}

/* "unlink PID /PATH" (cut it) or "haslink PID /PATH" (do we hold it?), from the supervisor of PID's void. */
static void unlink_req(struct care_set *s, struct vb_inbox *inbox, int fd, char *args, bool cut)
{
        char *path = strchr(args, ' ');
        int pid = atoi(args);
        ssize_t i;

        if (!path || pid <= 0 || path[1] != '/') {
                care_reply(fd, "error: expected %s PID /PATH\n", cut ? "unlink" : "haslink");
                return;
        }
        i = find_link(s, pid, ++path);
        if (i < 0) {
                care_reply(fd, "error: no link to %s in pid %d's void\n", path, pid);
                return;
        }
        if (cut) { /* the forwarder and its grant, as `revoke BASENAME` here would */
                vb_caretaker_revoke(s->care[i]);
                if (inbox)
                        (void)vb_inbox_ungrant(inbox, s->name[i], NULL);
        }
        care_reply(fd, "ok\n");
}

static ssize_t link_index(const struct care_set *s, const char *peer, const char *base)
{
        for (size_t i = 0; i < s->n_links; i++)
                if (strcmp(s->links[i].peer, peer) == 0 && strcmp(strrchr(s->links[i].path, '/') + 1, base) == 0)
                        return (ssize_t)i;
        return -1;
}

static void forget_link(struct care_set *s, size_t i)
{
        free(s->links[i].peer), free(s->links[i].path);
        s->links[i] = s->links[--s->n_links];
}

/* "linked PEER /PATH": PEER was handed our socket at PATH (the ctl client says so once PEER holds it). */
static void note_link(struct care_set *s, int fd, char *args)
{
        char *path = strchr(args, ' ');
        struct care_link *grown;
        ssize_t old;

        if (!path || path[1] != '/' || (*path = '\0', !ctl_name_ok(args))) {
                care_reply(fd, "error: expected linked PEER /PATH\n");
                return;
        }
        path++;
        old = link_index(s, args, strrchr(path, '/') + 1);
        if (old >= 0) /* PEER's inbox holds one BASENAME: a new link of that name replaced the old one */
                forget_link(s, (size_t)old);
        grown = reallocarray(s->links, s->n_links + 1, sizeof(*grown));
        if (!grown) {
                care_reply(fd, "failed: %s\n", strerror(ENOMEM));
                return;
        }
        s->links = grown;
        s->links[s->n_links] = (struct care_link){ .peer = strdup(args), .path = strdup(path) };
        if (!s->links[s->n_links].peer || !s->links[s->n_links].path) {
                free(s->links[s->n_links].peer), free(s->links[s->n_links].path);
                care_reply(fd, "failed: %s\n", strerror(ENOMEM));
                return;
        }
        s->n_links++;
        care_reply(fd, "ok\n");
}

/*
 * Ask the supervisor of peer one request: 1 when it answers "ok", 0 when it answers an error
 * (*why: its line), -errno when it cannot be reached or does not answer in time.
 */
static int ask_peer(const char *peer, const char *req, char *why, size_t len, int timeout_ms)
{
        _cleanup_close_ int fd = ctl_connect(peer);
        char buf[1024], *last;
        size_t got = 0;
        ssize_t n;
        struct pollfd p;

        why[0] = '\0';
        if (fd < 0)
                return fd;
        if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
                return NEG_ERRNO();
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        while (got + 1 < sizeof(buf) && poll(&p, 1, timeout_ms) > 0 &&
               (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                got += (size_t)n;
        buf[got] = '\0';
        while (got && buf[got - 1] == '\n')
                buf[--got] = '\0';
        if (!got)
                return -ETIMEDOUT;
        last = strrchr(buf, '\n');
        last = last ? last + 1 : buf;
        if (strcmp(last, "ok") == 0)
                return 1;
        snprintf(why, len, "%s", strncmp(last, "error: ", 7) == 0 ? last + 7 : last);
        return 0;
}

void care_link_revoke(struct care_set *s, pid_t self, int fd, const char *name)
{
        const char *slash = strchr(name, '/');
        char peer[128], req[PATH_MAX + 64], why[1024];
        ssize_t i;
        int r;

        snprintf(peer, sizeof(peer), "%.*s", (int)(slash - name), name);
        i = link_index(s, peer, slash + 1);
        if (i < 0 || self <= 0) {
                care_reply(fd, "error: no link named %s into this void (voidshim ctl NAME list shows them)\n", name);
                return;
        }
        snprintf(req, sizeof(req), "unlink %d %s\n", (int)self, s->links[i].path);
        r = ask_peer(peer, req, why, sizeof(why), 5000);
        if (r == -ETIMEDOUT || (r < 0 && r != -ENOENT && r != -ECONNREFUSED)) {
                care_reply(fd, "failed: %s does not answer: %s\n", peer, strerror(-r));
                return;
        }
        forget_link(s, (size_t)i);
        if (r > 0)
                care_reply(fd, "ok\n");
        else if (r == 0)
                care_reply(fd, "error: %s holds no such link any more (%s)\n", name, why);
        else
                care_reply(fd, "error: %s is not running any more: the link ended with it\n", peer);
}

void care_links_list(struct care_set *s, pid_t self, int fd)
{
        for (size_t i = s->n_links; i-- > 0;) {
                char req[PATH_MAX + 64], why[1024];
                int r;

                snprintf(req, sizeof(req), "haslink %d %s\n", (int)self, s->links[i].path);
                r = ask_peer(s->links[i].peer, req, why, sizeof(why), 1000);
                /* Cut by its peer, or gone with it: forgotten.  A peer that is only slow keeps it. */
                if (r == 0 || r == -ENOENT || r == -ECONNREFUSED) {
                        forget_link(s, i);
                        continue;
                }
                care_reply(fd, "%s/%s\tlink: %s here, in %s's inbox as %s (revoke %s/%s cuts it)\n", s->links[i].peer,
                           strrchr(s->links[i].path, '/') + 1, s->links[i].path, s->links[i].peer,
                           strrchr(s->links[i].path, '/') + 1, s->links[i].peer, strrchr(s->links[i].path, '/') + 1);
        }
}

bool care_serve_links(struct care_set *s, struct vb_inbox *inbox, pid_t self, int fd, char *req)
{
        if (strncmp(req, "connect ", 8) == 0)
                care_connect(s, inbox, fd, req + 8);
        else if (strncmp(req, "unlink ", 7) == 0)
                unlink_req(s, inbox, fd, req + 7, true);
        else if (strncmp(req, "haslink ", 8) == 0)
                unlink_req(s, inbox, fd, req + 8, false);
        else if (strncmp(req, "linked ", 7) == 0 && self > 0)
                note_link(s, fd, req + 7);
        else
                return false;
        return true;
}
