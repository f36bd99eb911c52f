/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidbuilder: the helper processes: caretakers, the powerbox, namespace pools and warm voids.
 * Part of <voidbuilder.h>, which includes it: include that.
 */
#ifndef VOIDBUILDER_HELPERS_H
#define VOIDBUILDER_HELPERS_H

#include <voidbuilder.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- caretakers: revocable forwarders between a void and the outside ------- */

/*
 * A caretaker is a process of the caller's that holds the real object and
 * hands the void an endpoint to itself, never the real object.  Each one is
 * a child of the calling thread that dies with it (PR_SET_PDEATHSIG, checked
 * against a parent that died first) and when its control pipe closes.
 * Revoking it (vb_caretaker_revoke) closes that pipe, SIGKILLs it through its
 * pidfd and reaps it: every later use by the void fails (ECONNREFUSED on
 * connect, EOF/ECONNRESET/EPIPE on an open connection), and the void's
 * program keeps running.  The caller must reap nothing itself.  Like every
 * helper process of the library (inbox holder, pools), a caretaker inherits
 * none of the caller's signal handlers, ignored or blocked signals, nor any
 * fd but those it serves (0-2 are /dev/null; xdg-dbus-proxy keeps stderr).
 */
struct vb_caretaker;

/*
 * A socket forwarder: listens on a new AF_UNIX stream socket at host path
 * sock_path (which must not exist; bind it into a void with vb_void_bind(...,
 * VB_MOUNT_RW)) and forwards every connection to upstream, "tcp:HOST:PORT"
 * or "unix:/PATH".  Fds passed with SCM_RIGHTS in either direction are closed
 * by the forwarder and never cross.  -EINVAL (with err) for a bad upstream.
 */
VB_API int vb_caretaker_forward(const char *sock_path, const char *upstream, struct vb_caretaker **out,
                                struct vb_error **err) VB_NONNULL(1, 2, 3);

/*
 * One destination that a network caretaker lets through: a port of the host's
 * loopback (family 0, the original form) or a port of one remote host.  New
 * fields are added at the end; all of them zero means the host's loopback.
 */
struct vb_net_allow {
        bool udp;         /* UDP rather than TCP */
        uint16_t port;    /* family 0: on 127.0.0.1, the same number inside and outside */
        int family;       /* 0 (the host's loopback), AF_INET or AF_INET6 */
        uint8_t addr[16]; /* AF_INET: 4 bytes, AF_INET6: 16 bytes, network order */
};
/*
 * Parse one allowlist entry, as `voidshim run --net-allow` and a spec's
 * environment take it: "[tcp:|udp:][HOST:]PORT".  Without HOST, or with
 * 127.0.0.1 or localhost, it is a port of the host's loopback (family 0).
 * Otherwise HOST is a numeric IPv4 address or an IPv6 one in brackets
 * ("tcp:[2001:db8::1]:443"); names are not resolved.  -EINVAL when it is not
 * one, or names an address no caretaker can route to (the void's own
 * loopback, ::1, multicast, unspecified, link-local IPv6, the caretaker's
 * link), with *why (if why is non-NULL) a static one-line reason.
 */
VB_API int vb_net_allow_parse(const char *text, struct vb_net_allow *out, const char **why) VB_NONNULL(1, 2);
/*
 * Is text an allowlist entry that names a host by name, "[tcp:|udp:]NAME:PORT"
 * (NAME letters, digits, dots and hyphens, not an address; PORT 1 to 65535)?
 * Pure: nothing is looked up (vb_net_allow_resolve() does that).
 */
VB_API bool vb_net_allow_is_name(const char *text) VB_NONNULL(1);
/*
 * vb_net_allow_parse(), where HOST may also be a host name: the name is
 * resolved now (getaddrinfo(3): the caller's resolver, once, when the entry is
 * granted) and each of its addresses that a caretaker can route to becomes an
 * entry, at most max of them in out.  Returns how many (1 for a numeric entry),
 * with the name in name (name_len bytes; "" for a numeric entry), so that the
 * caller can put it in the void's /etc/hosts: the void itself needs no
 * resolver.  -ENOENT when the name has no address, -EHOSTUNREACH when the
 * resolver fails, -E2BIG past max, -EINVAL (with *why) as vb_net_allow_parse().
 */
VB_API int vb_net_allow_resolve(const char *text, struct vb_net_allow *out, size_t max, char *name, size_t name_len,
                                const char **why) VB_NONNULL(1, 2, 4);
/*
 * A network caretaker: a fresh user and network namespace (ids mapped as a
 * void's, lo up), held by a small child, with pasta(1) (package passt)
 * attached to it.  Loopback entries: pasta splices connections to
 * 127.0.0.1:PORT inside to the host's loopback for exactly those ports.
 * Host entries: pasta's tap is configured by the holder (not by pasta): its
 * address as a /32 and /128, a host route to each allowed host and no other
 * route, and an nftables output filter (nft(8), package nftables) that lets
 * through exactly the listed (host, port, protocol) triples: another host is
 * ENETUNREACH, another TCP port ECONNREFUSED, another UDP port EPERM.  The
 * void, without CAP_NET_ADMIN over the namespace, can change neither.  Make
 * the void join the namespaces with vb_void_set_ns(v, VB_NS_USER / VB_NS_NET,
 * VB_NS_JOIN, vb_caretaker_ns_fd(c, ...)).  Returns once pasta listens on
 * every loopback port and the tap is configured (at most 5 s each).  -ENOENT
 * when pasta (or, for hosts, nft) is not installed, -ETIMEDOUT when pasta
 * does not come up.
 */
VB_API int vb_caretaker_pasta(const struct vb_net_allow *allow, size_t n, struct vb_caretaker **out,
                              struct vb_error **err) VB_NONNULL(3);
/*
 * Change a running network caretaker's allowlist: allow (true) or deny
 * (false) one remote-host entry (family AF_INET or AF_INET6, as from
 * vb_net_allow_resolve()).  The new filter is loaded in one nftables
 * transaction and a new host is routed; the void's next connect() sees it
 * (a connection made before a deny stays open: Linux cannot take it back
 * without cutting pasta).  Allowing an entry allowed already is a no-op.
 * -EOPNOTSUPP for a loopback entry (pasta's ports are fixed when it starts) or
 * a caretaker started with no remote host (it has no link to route on),
 * -ENOENT to deny what is not allowed, -EINVAL for another kind of caretaker,
 * -ECHILD when its holder is gone.
 */
VB_API int vb_caretaker_net_change(struct vb_caretaker *c, const struct vb_net_allow *entry, bool allow,
                                   struct vb_error **err) VB_NONNULL(1, 2);
/*
 * A D-Bus caretaker: xdg-dbus-proxy listening at host path sock_path,
 * forwarding to bus_address (a D-Bus address) with --filter, letting the
 * void talk to the names in talk (NULL-terminated) and nothing else.  Its
 * dead-man fd is the control pipe.  -ENOENT when xdg-dbus-proxy is missing.
 */
VB_API int vb_caretaker_dbus(const char *sock_path, const char *bus_address, char *const talk[],
                             struct vb_caretaker **out, struct vb_error **err) VB_NONNULL(1, 2, 4);

/*
 * A terminal caretaker (term proxied): makes a pty pair on the host and
 * returns its slave in *slave_fd (O_CLOEXEC, the caller's to close; hand it to
 * the void with vb_void_terminal() and close it).  A child holds the master
 * and relays it to and from in_fd and out_fd (normally the caller's own
 * terminal, 0 and 1), which are never handed to the void.  The slave starts
 * with in_fd's line settings and window size where in_fd is a terminal, and
 * the size follows the caller's on SIGWINCH.  Only the relay holds the master:
 * revoking it, or the caller's death, hangs the slave up (writes and terminal
 * ioctls EIO, reads end of file, SIGHUP to the void's session leader), and the
 * void keeps running.  Putting the caller's terminal in raw mode while it
 * relays is the caller's choice.  -ENOENT/-EACCES when no pty can be made.
 */
VB_API int vb_caretaker_pty(int in_fd, int out_fd, struct vb_caretaker **out, int *slave_fd, struct vb_error **err)
        VB_NONNULL(3, 4);
/*
 * Let a terminal caretaker finish: once every slave fd is closed (the void
 * ended and the caller closed its own), the relay copies what the void wrote
 * last and exits.  Waits at most timeout_ms for that; -ETIMEDOUT if it did not
 * (vb_caretaker_free() then revokes it), -EINVAL for another kind of caretaker.
 */
VB_API int vb_caretaker_pty_drain(struct vb_caretaker *c, int timeout_ms) VB_NONNULL(1);

/* The caretaker's namespace fd (network caretaker only; -EBADF otherwise). Owned by c. */
VB_API int vb_caretaker_ns_fd(const struct vb_caretaker *c, enum vb_ns ns) VB_NONNULL(1);
/* Its process (the forwarder, pasta, xdg-dbus-proxy), or -1 once revoked. */
VB_API pid_t vb_caretaker_pid(const struct vb_caretaker *c) VB_NONNULL(1);
/* A one-line account: "forwarder unix:/s -> tcp:127.0.0.1:80, pid 12, live". Static per caretaker. */
VB_API const char *vb_caretaker_describe(struct vb_caretaker *c) VB_NONNULL(1);
/* True while the caretaker's process runs (it may also have died on its own). */
VB_API bool vb_caretaker_alive(struct vb_caretaker *c) VB_NONNULL(1);
/* Revoke: close the control pipe, SIGKILL, reap.  Idempotent; returns 0. */
VB_API int vb_caretaker_revoke(struct vb_caretaker *c) VB_NONNULL(1);
/* Revoke, unlink the socket it listened on, free.  Accepts NULL; returns NULL. */
VB_API struct vb_caretaker *vb_caretaker_free(struct vb_caretaker *c);

/* ---- the powerbox: directories granted to a running void, and revoked ------- */

/*
 * An inbox is a small tmpfs held, shared, by a holder process of the caller's
 * in a mount namespace of its own (and, unless the caller is root, a user
 * namespace of its own, so that it may mount).  A void given the inbox with
 * vb_void_inbox() receives a clone of it that is a *slave* of the holder's:
 * every directory granted later appears in it at once, every revocation
 * disappears from it, without a restart; nothing propagates back.  In the
 * void the inbox is read-only, and each grant, having crossed user
 * namespaces, has its flags locked (a void cannot remount a read-only grant
 * writable).  The holder dies with the calling thread and with
 * vb_inbox_free(); its namespace, with every grant, dies with it.  A void's
 * copies of the grants outlive the holder, though (the end of a namespace
 * does not propagate): a caller whose holder died can no longer revoke, and
 * should stop the void (voidshim does).
 *
 * Revocation detaches the mount (MNT_DETACH) and removes its mount point:
 * every later open under it is ENOENT.  Linux has no revoke(2): a file, a
 * directory or a working directory the void opened before keeps working,
 * and a directory fd still reaches the whole granted tree (cutting those
 * needs a FUSE server in between).
 *
 * Grants, spawns and revocations on one inbox must not run concurrently.
 */
struct vb_inbox;

/* Start the holder and its inbox.  Errors from its namespaces or mounts come back in err. */
VB_API int vb_inbox_new(struct vb_inbox **out, struct vb_error **err) VB_NONNULL(1);
/* Stop the holder (revoking every grant) and free; accepts NULL; returns NULL. */
VB_API struct vb_inbox *vb_inbox_free(struct vb_inbox *box);
/*
 * Grant the directory dirfd (any fd: O_PATH is enough; the caller keeps it)
 * as inbox/name, recursively nosuid and nodev, read-only unless flags holds
 * VB_MOUNT_RW.  name NULL: the directory's own name.  The holder re-opens
 * the directory by the path the fd reads as (/proc/self/fd), following no
 * symlink, and binds it only if it is the same (st_dev, st_ino): so it binds
 * what the caller could open, nothing beside it.  -ENOTDIR, -EINVAL for a
 * bad name, -EEXIST for a name in use, -ESTALE when the directory moved,
 * -ECHILD when the holder is gone.
 */
VB_API int vb_inbox_grant(struct vb_inbox *box, int dirfd, const char *name, unsigned flags, struct vb_error **err)
        VB_NONNULL(1);
/* Revoke inbox/name in the holder and so in every void.  -ENOENT when nothing has that name. */
VB_API int vb_inbox_ungrant(struct vb_inbox *box, const char *name, struct vb_error **err) VB_NONNULL(1, 2);
/* How many grants are live. */
VB_API size_t vb_inbox_count(const struct vb_inbox *box) VB_NONNULL(1);
/*
 * Grant i (0 .. count-1) as "docs <- /home/u/docs, read-only" (static per
 * inbox, valid until the next call), and its name in *name if non-NULL.
 * NULL when i is out of range.
 */
VB_API const char *vb_inbox_describe(struct vb_inbox *box, size_t i, const char **name) VB_NONNULL(1);
/* The holder's pid, and its pidfd (owned by box), which polls readable once the holder has died. */
VB_API pid_t vb_inbox_pid(const struct vb_inbox *box) VB_NONNULL(1);
VB_API int vb_inbox_pidfd(const struct vb_inbox *box) VB_NONNULL(1);
/*
 * Give the void the inbox at dst (made as an empty directory).  box is
 * borrowed and must outlive the void's spawns; box NULL plans the mount for
 * vb_void_explain() only (a spawn then fails at step "mount").  One inbox per
 * void: -EEXIST for a second.  Each spawn takes a clone of the inbox with the
 * grants it holds at that moment.
 */
VB_API int vb_void_inbox(struct vb_void *v, struct vb_inbox *box, const char *dst) VB_NONNULL(1, 3);

/* ---- a pool of namespaces made ahead of time ------------------------------ */

struct vb_pool;
/*
 * Start a helper process that keeps `depth` (1..64) empty network namespaces
 * ready.  Each spawn of a void given the pool with vb_void_use_pool() joins
 * one of them instead of creating its own, which takes the namespace's cost
 * off the spawn path.  Each namespace goes to exactly one void: isolation is
 * that of a fresh namespace.  Unprivileged, the pooled namespaces belong to the
 * helper's user namespace and the void's own user namespace is made inside it.
 * The helper dies with the caller.  NULL on failure, with err set.
 */
VB_API struct vb_pool *vb_pool_new(unsigned depth, struct vb_error **err);
/* Stop the helper and free the pool; accepts NULL; returns NULL.  Running voids are unaffected. */
VB_API struct vb_pool *vb_pool_free(struct vb_pool *p);
/*
 * Let v take its network namespace from p at every spawn (p is borrowed and
 * must outlive the spawns; NULL stops).  When the pool is empty a spawn makes
 * its own namespace, as without a pool.  -EINVAL unless v's net and user
 * namespaces are fresh.
 */
VB_API int vb_void_use_pool(struct vb_void *v, struct vb_pool *p) VB_NONNULL(1);
/*
 * Give an unprivileged caller the spawn path root has: one clone3() from
 * inside the pooled network namespace.  A pooled namespace belongs to the
 * helper's user namespace, which a thread of the initial one cannot step into
 * and back out of; so this moves the whole calling process, once, into that
 * user namespace (where it is uid 0 over the caller's one uid outside, with
 * every capability over the pool's namespaces and none elsewhere) and into a
 * network namespace of its own made there, its "home": from then on the
 * caller reaches no network but through the sockets it already holds (a
 * spawner, such as a server of voids, needs none).  Each spawn then steps its
 * thread into a pooled namespace for the clone3() and back home, and the
 * void's own user namespace nests in the pool's, as it does without this
 * call.  Files the caller creates still belong to its uid.  Irreversible.
 * For a privileged pool there is nothing to do: 0.  -EINVAL from a process
 * with more than one thread (the kernel's rule for entering a user
 * namespace), -EALREADY when the caller entered another pool's namespace.
 */
VB_API int vb_pool_enter(struct vb_pool *p, struct vb_error **err) VB_NONNULL(1);

/* ---- warm voids: built ahead of time, waiting for their program ---------- */

struct vb_warm;
/* An fd handed to a warm void when it starts: the caller's fd (sent, not given away) becomes target. */
struct vb_warm_fd {
        int fd;
        int target;
};
/*
 * Build voids from the template v ahead of time.  A helper process forked
 * now (which dies with the calling thread) keeps `depth` (1..64) voids
 * ready: each has its own fresh namespaces, its root, mounts, id maps,
 * capabilities dropped and no_new_privs in place (and the built-in seccomp
 * filter; a policy of the caller's goes on after the request, which may
 * forbid what reading it takes), and waits for vb_warm_spawn() to give it its
 * arguments and fds; Landlock goes on after that, so that the fds handed in
 * are confined as a cold void's are.  Each void serves one spawn and is never reused, so a warm void is
 * as isolated as one made by vb_void_spawn(); it was only made earlier.  The
 * voids are children of the calling process (CLONE_PARENT), so
 * vb_proc_wait() reaps them as usual.  v is copied as it is now (later
 * changes to it, or freeing it, do not reach the pool); a netns pool
 * (vb_void_use_pool) is refused (-EINVAL): the namespaces are already made
 * off the spawn path.  The first void is waited for, so a setup step that
 * fails (a bind source that does not exist, ...) fails here, with err naming
 * the step.  NULL on failure, with err set.
 */
VB_API struct vb_warm *vb_warm_new(struct vb_void *v, unsigned depth, struct vb_error **err) VB_NONNULL(1);
/*
 * Start the template's program in the next warm void (waiting for it when
 * none is ready yet) and ask the helper for a replacement.  argv replaces the
 * template's arguments (NULL keeps them; the program is the template's); fds
 * (n_fds, at most 32) are handed in on top of the template's fds, replacing a
 * template fd with the same target.  The request is at most 64 KiB of
 * arguments.  On success *out is the running void, as from vb_void_spawn().
 * -E2BIG for too many fds or arguments, -EINVAL for a negative fd or target;
 * a failing step in the void (exec, seccomp, fds) comes back as from
 * vb_void_spawn().
 */
VB_API int vb_warm_spawn(struct vb_warm *w, char *const argv[], const struct vb_warm_fd *fds, size_t n_fds,
                         struct vb_proc **out, struct vb_error **err) VB_NONNULL(1, 5);
/* Stop the helper, kill and reap every void still waiting, free.  Accepts NULL; returns NULL. */
VB_API struct vb_warm *vb_warm_free(struct vb_warm *w);

#ifdef __cplusplus
}
#endif
#endif
