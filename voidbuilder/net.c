/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtnetlink through libmnl, after libmnl's examples/rtnl/rtnl-link-set.c:
 * one request, NLM_F_ACK, and mnl_cb_run() turning the kernel's
 * NLMSG_ERROR into -errno.  The message buffer lives on the caller's stack
 * (STYLE.md, "Buffers belong to the caller"); only the socket is allocated.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#define VB_CLEANUP_MNL
#include "cleanup.h"
#include "net.h"

struct link_flags {
        unsigned flags;
        bool found;
};

/* Data callback for vb_net_link_flags(): pick ifi_flags out of RTM_NEWLINK. */
static int link_flags_cb(const struct nlmsghdr *nlh, void *data)
{
        struct link_flags *lf = data;
        const struct ifinfomsg *ifi;

        if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
                return MNL_CB_OK;
        ifi = mnl_nlmsg_get_payload(nlh);
        lf->flags = ifi->ifi_flags;
        lf->found = true;
        return MNL_CB_OK;
}

/*
 * Send the request in buf (built by the caller, nlmsg_seq not yet set) on a
 * fresh NETLINK_ROUTE socket and run replies through cb until the ack.
 * buf is reused for the replies.  Returns 0 or -errno (the ack's error).
 */
static int rtnl_talk(char *buf, size_t bufsz, mnl_cb_t cb, void *cb_data)
{
        _cleanup_mnl_ struct mnl_socket *nl = NULL;
        struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
        unsigned seq, portid;
        ssize_t n;
        int r;

        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return NEG_ERRNO();
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return NEG_ERRNO();
        portid = mnl_socket_get_portid(nl);
        seq = (unsigned)time(NULL);
        nlh->nlmsg_seq = seq;

        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return NEG_ERRNO();

        /* Replies (if any) come first, then the ack; mnl_cb_run() returns
         * MNL_CB_STOP (0) on a zero ack and -1 with errno for an error ack. */
        do {
                n = mnl_socket_recvfrom(nl, buf, bufsz);
                if (n < 0)
                        return NEG_ERRNO();
                r = mnl_cb_run(buf, (size_t)n, seq, portid, cb, cb_data);
                if (r < 0)
                        return NEG_ERRNO();
        } while (r > MNL_CB_STOP);

        return 0;
}

/* Start an RTM_*LINK request naming the link by IFLA_IFNAME (ifi_index 0). */
static struct nlmsghdr *put_link_request(char *buf, uint16_t type, const char *ifname)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
        return nlh;
}

int vb_net_loopback_up(void)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifi;

        /* No NLM_F_CREATE: an existing link is changed, a missing one is -ENODEV. */
        nlh = put_link_request(buf, RTM_NEWLINK, "lo");
        ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = IFF_UP;

        return rtnl_talk(buf, sizeof(buf), NULL, NULL);
}

int vb_net_link_flags(const char *ifname, unsigned *flags)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct link_flags lf = { 0 };
        size_t len = strnlen(ifname, IFNAMSIZ);
        int r;

        if (len == 0 || len >= IFNAMSIZ)
                return -EINVAL;

        put_link_request(buf, RTM_GETLINK, ifname);
        r = rtnl_talk(buf, sizeof(buf), link_flags_cb, &lf);
        if (r < 0)
                return r;
        if (!lf.found)
                return -ENODEV;
        *flags = lf.flags;
        return 0;
}
