/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A network caretaker's allowlist, changed while the void runs: the holder
 * (uid 0 of the namespace's owner, with CAP_NET_ADMIN there) reloads the
 * nftables filter and routes the new hosts, in one transaction; the void,
 * without CAP_NET_ADMIN, sees the change at its next connect().
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "helpers/caretaker.h"

static bool same(const struct vb_net_allow *a, const struct vb_net_allow *b)
{
        return a->udp == b->udp && a->port == b->port && a->family == b->family &&
               memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Send the whole list to the holder and wait for its word. */
static int push(struct vb_caretaker *c, const struct vb_net_allow *allow, size_t n, struct vb_error **err)
{
        struct {
                int r;
                char step[96];
        } st = {};
        uint32_t count = (uint32_t)n;
        struct pollfd p = { .fd = c->holder_status, .events = POLLIN };

        if (write(c->holder_go, &count, sizeof(count)) != sizeof(count) ||
            (n && write(c->holder_go, allow, n * sizeof(*allow)) != (ssize_t)(n * sizeof(*allow))))
                return vb_error_set(err, ECHILD, "network caretaker: its namespace holder is gone");
        if (poll(&p, 1, 10 * 1000) <= 0 || read(c->holder_status, &st, sizeof(st)) != sizeof(st))
                return vb_error_set(err, ECHILD, "network caretaker: its namespace holder did not answer");
        if (st.r < 0)
                return vb_error_set(err, -st.r, "network caretaker: %s", st.step);
        return 0;
}

VB_API int vb_caretaker_net_change(struct vb_caretaker *c, const struct vb_net_allow *entry, bool allow,
                                   struct vb_error **err)
{
        _cleanup_free_ struct vb_net_allow *next = NULL;
        size_t n = 0, at = c->n_allow;
        int r;

        if (c->kind != VB_CARE_PASTA)
                return vb_error_set(err, EINVAL, "not a network caretaker");
        if (entry->family == 0)
                return vb_error_set(err, EOPNOTSUPP,
                                    "network caretaker: the host's loopback ports are pasta's, fixed when it starts");
        if (c->holder_go < 0)
                return vb_error_set(err, EOPNOTSUPP,
                                    "network caretaker: it has no link to remote hosts (start it with one host "
                                    "allowed)");
        for (size_t i = 0; i < c->n_allow; i++)
                if (same(&c->allow[i], entry))
                        at = i;
        if (allow && at < c->n_allow)
                return 0; /* allowed already */
        if (!allow && at == c->n_allow)
                return vb_error_set(err, ENOENT, "network caretaker: that entry is not allowed");
        next = calloc(c->n_allow + 1, sizeof(*next));
        if (!next)
                return vb_error_set(err, ENOMEM, "network caretaker");
        for (size_t i = 0; i < c->n_allow; i++)
                if (i != at)
                        next[n++] = c->allow[i];
        if (allow)
                next[n++] = *entry;
        r = push(c, next, n, err);
        if (r < 0)
                return r;
        free(c->allow);
        c->allow = TAKE_PTR(next);
        c->n_allow = n;
        return vb_caretaker_describe_net(c, c->allow, n) < 0 ? vb_error_set(err, ENOMEM, "network caretaker") : 0;
}
