/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtnetlink through libmnl, after libmnl's examples/rtnl/rtnl-link-set.c:
 * one request, NLM_F_ACK, and mnl_cb_run() turning the kernel's
 * NLMSG_ERROR into -errno.  The message buffer lives on the caller's stack
 * (the caller owns its buffers; doc/architecture.md), and nothing is allocated: the
 * socket is a plain fd (rtnl_open()).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/net.h"

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
 * A NETLINK_ROUTE socket bound to a port id of the kernel's choosing.  Not
 * libmnl's mnl_socket_open(), which malloc()s: this runs in a void's child and
 * in helper processes after a raw clone3(), where nothing may allocate
 * (helpers/helper.h).  libmnl still builds and parses every message.
 */
static int rtnl_open(unsigned *portid)
{
        struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
        socklen_t len = sizeof(addr);
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

        if (fd < 0)
                return NEG_ERRNO();
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
                return NEG_ERRNO();
        if (len != sizeof(addr) || addr.nl_family != AF_NETLINK)
                return -EINVAL;
        *portid = addr.nl_pid;
        return TAKE_FD(fd);
}

/* One datagram from the kernel (nl_pid 0), whole: -ENOSPC when it did not fit, as libmnl says. */
static ssize_t rtnl_recv(int fd, char *buf, size_t bufsz)
{
        struct sockaddr_nl addr;
        struct iovec iov = { .iov_base = buf, .iov_len = bufsz };
        struct msghdr msg = { .msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        do
                n = recvmsg(fd, &msg, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return NEG_ERRNO();
        if (msg.msg_flags & MSG_TRUNC)
                return -ENOSPC;
        if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0)
                return -EPROTO;
        return n;
}

/*
 * Send the request in buf (built by the caller, nlmsg_seq not yet set) on a
 * fresh NETLINK_ROUTE socket and run replies through cb until the ack.
 * buf is reused for the replies.  Returns 0 or -errno (the ack's error).
 */
static int rtnl_talk(char *buf, size_t bufsz, mnl_cb_t cb, void *cb_data)
{
        const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
        _cleanup_close_ int fd = -1;
        unsigned seq, portid = 0;
        ssize_t n;
        int r;

        fd = rtnl_open(&portid);
        if (fd < 0)
                return fd;
        seq = (unsigned)time(NULL);
        nlh->nlmsg_seq = seq;

        if (sendto(fd, nlh, nlh->nlmsg_len, 0, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0)
                return NEG_ERRNO();

        /* Replies (if any) come first, then the ack; mnl_cb_run() returns
         * MNL_CB_STOP (0) on a zero ack and -1 with errno for an error ack. */
        do {
                n = rtnl_recv(fd, buf, bufsz);
                if (n < 0)
                        return (int)n;
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

int vb_net_link_up(const char *ifname)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifi;
        size_t len = strnlen(ifname, IFNAMSIZ);

        if (len == 0 || len >= IFNAMSIZ)
                return -EINVAL;
        /* No NLM_F_CREATE: an existing link is changed, a missing one is -ENODEV. */
        nlh = put_link_request(buf, RTM_NEWLINK, ifname);
        ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = IFF_UP;

        return rtnl_talk(buf, sizeof(buf), NULL, NULL);
}

int vb_net_loopback_up(void)
{
        return vb_net_link_up("lo");
}

static size_t addr_len(int family)
{
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Start an acknowledged request that creates (NLM_F_CREATE | NLM_F_EXCL) one object. */
static struct nlmsghdr *put_new_request(char *buf, uint16_t type)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        return nlh;
}

int vb_net_addr_add(unsigned ifindex, int family, const void *addr, unsigned prefixlen)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ifaddrmsg *ifa;
        size_t alen = addr_len(family);

        if (alen == 0 || prefixlen > alen * 8 || ifindex == 0)
                return -EINVAL;
        nlh = put_new_request(buf, RTM_NEWADDR);
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (uint8_t)family;
        ifa->ifa_prefixlen = (uint8_t)prefixlen;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = ifindex;
        mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
        mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
        /* No duplicate address detection: the link has one peer (the caretaker), and DAD
         * would leave an IPv6 address tentative, unusable as a source, for a second. */
        if (family == AF_INET6)
                mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
        return rtnl_talk(buf, sizeof(buf), NULL, NULL);
}

int vb_net_neigh_add(unsigned ifindex, int family, const void *addr, const uint8_t mac[6])
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ndmsg *nd;
        size_t alen = addr_len(family);

        if (alen == 0 || ifindex == 0)
                return -EINVAL;
        nlh = put_new_request(buf, RTM_NEWNEIGH);
        nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
        nd->ndm_family = (uint8_t)family;
        nd->ndm_ifindex = (int)ifindex;
        nd->ndm_state = NUD_PERMANENT;
        mnl_attr_put(nlh, NDA_DST, alen, addr);
        mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
        return rtnl_talk(buf, sizeof(buf), NULL, NULL);
}

int vb_net_route_add(unsigned ifindex, int family, const void *dst, unsigned dst_len, const void *gateway)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
        size_t alen = addr_len(family);

        if (alen == 0 || dst_len > alen * 8 || ifindex == 0)
                return -EINVAL;
        nlh = put_new_request(buf, RTM_NEWROUTE);
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (uint8_t)family;
        rtm->rtm_dst_len = (uint8_t)dst_len;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_type = RTN_UNICAST;
        rtm->rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
        /* The gateway is on the link although no route says so (the address is a /32 or /128). */
        if (gateway)
                rtm->rtm_flags = RTNH_F_ONLINK;
        if (dst_len)
                mnl_attr_put(nlh, RTA_DST, alen, dst);
        if (gateway)
                mnl_attr_put(nlh, RTA_GATEWAY, alen, gateway);
        mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
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
