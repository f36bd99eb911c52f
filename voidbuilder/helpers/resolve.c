/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_net_allow_resolve(): an allowlist entry that names a host.  The name is
 * resolved once, by the caller, when the entry is granted; the void gets the
 * addresses (and, through its /etc/hosts, the name), never a resolver.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "voidbuilder.h"

/* "[tcp:|udp:]NAME:PORT" -> the protocol prefix, NAME, ":PORT" (NULL when it is not of that shape). */
static const char *split_name(const char *text, char *prefix, char *name, size_t len)
{
        const char *s = text, *colon;

        prefix[0] = '\0';
        if (strncmp(s, "udp:", 4) == 0 || strncmp(s, "tcp:", 4) == 0) {
                memcpy(prefix, s, 4);
                prefix[4] = '\0';
                s += 4;
        }
        colon = strrchr(s, ':');
        if (!colon || colon == s || (size_t)(colon - s) >= len || s[0] == '[')
                return NULL;
        memcpy(name, s, (size_t)(colon - s));
        name[colon - s] = '\0';
        /* A host name: letters, digits, dots and hyphens, not all digits and dots. */
        if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(name) ||
            strspn(name, "0123456789.") == strlen(name))
                return NULL;
        return colon;
}

VB_API bool vb_net_allow_is_name(const char *text)
{
        struct vb_net_allow probe;
        char prefix[8], name[256], entry[300];
        const char *port = split_name(text, prefix, name, sizeof(name));

        /* The port is checked as it would be with an address in the name's place. */
        if (!port || vb_net_allow_parse(text, &probe, NULL) == 0)
                return false;
        snprintf(entry, sizeof(entry), "%s192.0.2.1%s", prefix, port);
        return vb_net_allow_parse(entry, &probe, NULL) == 0;
}

VB_API int vb_net_allow_resolve(const char *text, struct vb_net_allow *out, size_t max, char *name, size_t name_len,
                                const char **why)
{
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG }, *res = NULL;
        char prefix[8], entry[INET6_ADDRSTRLEN + 32], addr[INET6_ADDRSTRLEN];
        const char *port, *unused;
        int n = 0, r;

        if (!why)
                why = &unused;
        name[0] = '\0';
        if (vb_net_allow_parse(text, &out[0], why) == 0)
                return max ? 1 : -E2BIG; /* numeric, or the host's loopback */
        port = split_name(text, prefix, name, name_len);
        if (!port) {
                name[0] = '\0';
                return -EINVAL; /* *why from the parse */
        }
        r = getaddrinfo(name, NULL, &hints, &res);
        if (r != 0) {
                *why = r == EAI_NONAME || r == EAI_NODATA ? "no address for this name" : gai_strerror(r);
                return r == EAI_NONAME || r == EAI_NODATA ? -ENOENT : -EHOSTUNREACH;
        }
        for (struct addrinfo *ai = res; ai && n >= 0; ai = ai->ai_next) {
                const void *a = ai->ai_family == AF_INET
                                        ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                        : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

                if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
                    !inet_ntop(ai->ai_family, a, addr, sizeof(addr)))
                        continue;
                snprintf(entry, sizeof(entry), ai->ai_family == AF_INET6 ? "%s[%s]%s" : "%s%s%s", prefix, addr, port);
                if ((size_t)n >= max)
                        n = -E2BIG;
                else if (vb_net_allow_parse(entry, &out[n], why) == 0)
                        n++;
        }
        freeaddrinfo(res);
        if (n == 0)
                *why = "none of its addresses can be routed to";
        return n == 0 ? -EINVAL : n;
}
