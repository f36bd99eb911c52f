/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The environment model (doc/servers.md): each Hurd server a void relies on,
 * given fresh, shared, denied or proxied through the builder's own setters.
 * A denied server is a no-op server: it answers every use with one errno,
 * made by seccomp RET_ERRNO or Landlock (EACCES), by a missing /proc or /dev
 * (ENOENT), or by the absence of any terminal (ENOTTY).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/elf.h"
#include "core/server.h"
#include "core/void.h"

static const char *const server_names[VB_SERVER_COUNT] = {
        [VB_SERVER_FS] = "fs",   [VB_SERVER_EXEC] = "exec", [VB_SERVER_PROC] = "proc", [VB_SERVER_AUTH] = "auth",
        [VB_SERVER_NET] = "net", [VB_SERVER_UNIX] = "unix", [VB_SERVER_TERM] = "term", [VB_SERVER_DEV] = "dev",
        [VB_SERVER_IPC] = "ipc", [VB_SERVER_UTS] = "uts",   [VB_SERVER_TIME] = "time",
};

static const char *const mode_names[VB_SERVER_MODE_COUNT] = { "fresh", "shared", "denied", "proxied" };

/*
 * Why a mode cannot be had.  Two kinds of sentence: Linux has no faithful
 * form ("cannot"), or Linux could but voidshim has no caretaker yet ("not
 * offered yet").  doc/servers.md says the same at more length.
 */
static const char *const refusals[VB_SERVER_COUNT][VB_SERVER_MODE_COUNT] = {
        [VB_SERVER_FS][VB_SERVER_PROXIED] =
                "not offered yet: a FUSE caretaker would do it (FUSE works in a user namespace), but voidshim has none; "
                "--inbox grants directories revocable by name, beside a fresh fs",
        [VB_SERVER_EXEC][VB_SERVER_PROXIED] =
                "Linux cannot: seccomp user-notify on execve can only advise, since the kernel reads the path again "
                "after the supervisor's check (TOCTOU)",
        [VB_SERVER_PROC][VB_SERVER_PROXIED] = "not offered yet: it would be a signal broker handing out chosen pidfds",
        [VB_SERVER_AUTH][VB_SERVER_PROXIED] =
                "Linux cannot without privilege: new ids come only from newuidmap (setuid) or idmapped mounts "
                "(CAP_SYS_ADMIN on the host)",
        [VB_SERVER_DEV][VB_SERVER_PROXIED] =
                "Linux cannot interpose on a device node without CUSE (privileged); hand in a socket with "
                "--proxy-connect instead",
        [VB_SERVER_IPC][VB_SERVER_PROXIED] =
                "Linux cannot: SysV and POSIX IPC live in the kernel and no user-space server can stand in between",
        [VB_SERVER_UTS][VB_SERVER_PROXIED] =
                "Linux cannot: uname() reads the hostname from the kernel with no server to stand in between",
        [VB_SERVER_TIME][VB_SERVER_DENIED] =
                "Linux cannot: the vDSO answers clock_gettime() without a system call, so neither seccomp nor a "
                "namespace can refuse reading the clocks",
        [VB_SERVER_TIME][VB_SERVER_PROXIED] =
                "Linux cannot: the vDSO reads the clocks without a system call (faketime is only an LD_PRELOAD)",
};

VB_API const char *vb_server_name(enum vb_server s)
{
        return (unsigned)s < VB_SERVER_COUNT ? server_names[s] : NULL;
}

VB_API const char *vb_server_mode_name(enum vb_server_mode m)
{
        return (unsigned)m < VB_SERVER_MODE_COUNT ? mode_names[m] : NULL;
}

VB_API int vb_server_from_name(const char *name)
{
        for (int i = 0; name && i < VB_SERVER_COUNT; i++)
                if (strcmp(name, server_names[i]) == 0)
                        return i;
        return -EINVAL;
}

VB_API int vb_server_mode_from_name(const char *name)
{
        for (int i = 0; name && i < VB_SERVER_MODE_COUNT; i++)
                if (strcmp(name, mode_names[i]) == 0)
                        return i;
        return -EINVAL;
}

VB_API const char *vb_server_refusal(enum vb_server s, enum vb_server_mode m)
{
        if ((unsigned)s >= VB_SERVER_COUNT || (unsigned)m >= VB_SERVER_MODE_COUNT)
                return "no such server or mode";
        return refusals[s][m];
}

VB_API int vb_server_denied_errno(enum vb_server s)
{
        switch (s) {
        case VB_SERVER_PROC: /* no /proc: every name under it is absent */
        case VB_SERVER_DEV:  /* no /dev */
                return ENOENT;
        case VB_SERVER_TERM: /* no terminal anywhere: every terminal request is "not a tty" */
                return ENOTTY;
        case VB_SERVER_FS:
        case VB_SERVER_EXEC:
        case VB_SERVER_NET:
        case VB_SERVER_UNIX:
        case VB_SERVER_IPC:
        case VB_SERVER_UTS:
                return EACCES; /* what Landlock answers: one word for every policy refusal */
        case VB_SERVER_AUTH:   /* what set*id(2) answer a process without the privilege */
                return EPERM;
        case VB_SERVER_TIME:
        case VB_SERVER_COUNT:
        default:
                return 0;
        }
}

/* ---- seccomp rules of the denied servers ------------------------------------ */

/*
 * Each denied server's rules are an `override` part added on top of the void's
 * policy (doc/seccomp-policy.md): each replaces the rules of the same call and
 * conditions there, so the allow list's `socket allow when arg0 == AF_INET`
 * becomes EACCES.  On a deny list, or with seccomp off, they are plain rules.
 *
 * Socket families by the modes of the net and unix servers (the policy itself
 * refuses every other family, and netlink but route; doc/seccomp-policy.md):
 *
 *   family          net denied   net fresh   net shared, proxied   unix denied
 *   AF_UNIX         yes          yes         yes                   EACCES
 *   AF_INET(6)      EACCES       yes         yes                   yes
 *   netlink route   EACCES       yes         yes                   yes
 *   AF_PACKET       EACCES       EPERM       yes                   -
 *
 * EACCES, not EAFNOSUPPORT or ENOSYS: programs read those two as "try another
 * family" or "this kernel lacks it" and fall back quietly; EACCES is the
 * refusal Landlock and LSMs give, so a denied server reads as a decision.
 */
const char vb_server_rules_net[] =
        "group net-denied  net denied: no IPv4, IPv6, packet or netlink route sockets (pfinet is absent)\n"
        "override socket errno EACCES when arg0 in AF_INET AF_INET6 AF_PACKET\n"
        "override socket errno EACCES when arg0 == AF_NETLINK and arg2 == NETLINK_ROUTE\n";

const char vb_server_rules_unix[] =
        "group unix-denied  unix denied: no AF_UNIX sockets, by path, abstract name or pair (pflocal is absent)\n"
        "override socket errno EACCES when arg0 == AF_UNIX\n"
        "override socketpair errno EACCES when arg0 == AF_UNIX\n";

const char vb_server_rules_ipc[] =
        "group ipc-denied  ipc denied: SysV shared memory, message queues, semaphores and POSIX message queues\n"
        "override shmget errno EACCES\noverride shmat errno EACCES\noverride shmctl errno EACCES\n"
        "override shmdt errno EACCES\noverride msgget errno EACCES\noverride msgsnd errno EACCES\n"
        "override msgrcv errno EACCES\noverride msgctl errno EACCES\noverride semget errno EACCES\n"
        "override semop errno EACCES\noverride semtimedop errno EACCES\noverride semctl errno EACCES\n"
        "optional override ipc errno EACCES\n"
        "override mq_open errno EACCES\noverride mq_unlink errno EACCES\noverride mq_timedsend errno EACCES\n"
        "override mq_timedreceive errno EACCES\noverride mq_notify errno EACCES\n"
        "override mq_getsetattr errno EACCES\n";

/*
 * EPERM: what setuid(2) and setgroups(2) themselves answer a process without
 * the privilege, so it reads as "you are nobody" and nothing retries.  Without
 * these rules a change to any other id would fail too (only 65534 is mapped),
 * but with EINVAL; with them even a no-op change is refused, as on the Hurd a
 * process with no auth port can make no auth call at all.  setfsuid/setfsgid
 * stay: they report no errors, only the previous id, and can change nothing.
 */
const char vb_server_rules_auth[] =
        "group auth-denied  auth denied (nullauth): uid and gid 65534, and no call changes ids or groups\n"
        "override setuid errno EPERM\noverride setgid errno EPERM\noverride setreuid errno EPERM\n"
        "override setregid errno EPERM\noverride setresuid errno EPERM\noverride setresgid errno EPERM\n"
        "override setgroups errno EPERM\n";

const char vb_server_rules_uts[] =
        "group uts-denied  uts denied: the void's hostname is fixed (uname still reads it: the kernel answers)\n"
        "override sethostname errno EACCES\noverride setdomainname errno EACCES\n";

/*
 * Every system call that takes a path.  The program itself is started with
 * execveat() on an fd opened by the caller, which stays allowed (an fd, not a
 * name), so fs denied needs vb_void_exec_fd() and a static program.
 */
const char vb_server_rules_fs[] =
        "group fs-denied  fs denied: no name resolves (every call that takes a path)\n"
        "optional override open errno EACCES\noverride openat errno EACCES\noverride openat2 errno EACCES\n"
        "optional override creat errno EACCES\noptional override stat errno EACCES\n"
        "optional override lstat errno EACCES\noverride newfstatat errno EACCES\noverride statx errno EACCES\n"
        "optional override access errno EACCES\noverride faccessat errno EACCES\n"
        "override faccessat2 errno EACCES\noptional override readlink errno EACCES\n"
        "override readlinkat errno EACCES\noptional override mkdir errno EACCES\n"
        "override mkdirat errno EACCES\noptional override rmdir errno EACCES\n"
        "optional override unlink errno EACCES\noverride unlinkat errno EACCES\n"
        "optional override rename errno EACCES\noverride renameat errno EACCES\n"
        "override renameat2 errno EACCES\noptional override link errno EACCES\noverride linkat errno EACCES\n"
        "optional override symlink errno EACCES\noverride symlinkat errno EACCES\n"
        "override chdir errno EACCES\noverride truncate errno EACCES\noptional override chmod errno EACCES\n"
        "override fchmodat errno EACCES\noptional override chown errno EACCES\n"
        "optional override lchown errno EACCES\noverride fchownat errno EACCES\n"
        "optional override utime errno EACCES\noptional override utimes errno EACCES\n"
        "optional override futimesat errno EACCES\noverride utimensat errno EACCES\n"
        "optional override mknod errno EACCES\noverride mknodat errno EACCES\n"
        "override execve errno EACCES\noverride statfs errno EACCES\n"
        "override getxattr errno EACCES\noverride lgetxattr errno EACCES\noverride setxattr errno EACCES\n"
        "override lsetxattr errno EACCES\noverride listxattr errno EACCES\noverride llistxattr errno EACCES\n"
        "override removexattr errno EACCES\noverride lremovexattr errno EACCES\n"
        "override inotify_add_watch errno EACCES\noverride fanotify_mark errno EACCES\n";

bool vb_server_has_network(const struct vb_void *v)
{
        return v->ns_mode[VB_NS_NET] == VB_NS_SHARED || v->ns_mode[VB_NS_NET] == VB_NS_JOIN;
}

VB_API int vb_void_seccomp_append(struct vb_void *v, const char *rules, const char *name, struct vb_error **err)
{
        _cleanup_free_ char *text = NULL;
        const char *base = "";

        if (v->seccomp_mode == VB_SECCOMP_DEFAULT)
                base = vb_seccomp_default_policy();
        else if (v->seccomp_mode == VB_SECCOMP_POLICY && v->seccomp_text)
                base = v->seccomp_text;
        if (asprintf(&text, "%s\n%s", base, rules) < 0)
                return vb_error_set(err, ENOMEM, "seccomp rules of %s", name ? name : "policy");
        /* Named after the base as well, so a line number can be found again ("default.policy+net denied"). */
        return vb_void_seccomp(v, VB_SECCOMP_POLICY, text, name ? name : "policy", err);
}

/* ---- mounts of the shared modes ---------------------------------------------- */

static bool has_mount_at(const struct vb_void *v, const char *prefix, int kind)
{
        size_t len = strlen(prefix);

        for (size_t i = 0; i < v->n_mounts; i++)
                if (strncmp(v->mounts[i].dst, prefix, len) == 0 &&
                    (v->mounts[i].dst[len] == '\0' || v->mounts[i].dst[len] == '/') &&
                    (kind < 0 || (int)v->mounts[i].kind == kind))
                        return true;
        return false;
}

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

/*
 * fs shared: the host's root, read-only, except what other servers own
 * (/proc, /sys, /dev) and the scratch directories (/tmp, /run), as the spec's
 * fs "shared" does (shim/exec_build.c).  Top-level symlinks stay symlinks.
 */
static int share_root(struct vb_void *v)
{
        static const char *const skip[] = { ".", "..", "proc", "sys", "dev", "tmp", "run" };
        _cleanup_(closedirp) DIR *d = opendir("/");
        struct dirent *de;
        int r = 0;

        if (!d)
                return NEG_ERRNO();
        while (r >= 0 && (de = readdir(d))) {
                char src[NAME_MAX + 2], target[PATH_MAX];
                bool skipped = false;
                ssize_t n;

                for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                        skipped |= strcmp(de->d_name, skip[i]) == 0;
                if (skipped)
                        continue;
                snprintf(src, sizeof(src), "/%s", de->d_name);
                n = readlink(src, target, sizeof(target) - 1);
                if (n > 0) {
                        target[n] = '\0';
                        r = vb_void_symlink(v, target, src);
                } else {
                        r = vb_void_bind(v, src, src, VB_MOUNT_OPTIONAL);
                }
        }
        return r;
}

/* exec shared: the host's programs and libraries, read-only (symlinked /bin, /lib... stay links). */
static int share_exec(struct vb_void *v)
{
        static const char *const dirs[] = { "/usr",   "/bin",   "/sbin",   "/lib",
                                            "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache" };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++) {
                char target[PATH_MAX];
                ssize_t n = readlink(dirs[i], target, sizeof(target) - 1);

                if (n > 0) {
                        target[n] = '\0';
                        r = vb_void_symlink(v, target, dirs[i]);
                } else if (access(dirs[i], F_OK) == 0) {
                        r = vb_void_bind(v, dirs[i], dirs[i], 0);
                }
        }
        return r;
}

/* unix shared: the caller's runtime directory (its sockets: D-Bus, Wayland, PulseAudio) and X11's. */
static int share_unix(struct vb_void *v)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        char fallback[64];
        int r;

        if (!xdg || xdg[0] != '/') {
                snprintf(fallback, sizeof(fallback), "/run/user/%u", (unsigned)getuid());
                xdg = fallback;
        }
        if (access(xdg, F_OK) == 0) {
                r = vb_void_bind(v, xdg, xdg, VB_MOUNT_RW);
                if (r >= 0)
                        r = vb_void_setenv(v, "XDG_RUNTIME_DIR", xdg);
                if (r < 0)
                        return r;
        }
        return vb_void_bind(v, "/tmp/.X11-unix", "/tmp/.X11-unix", VB_MOUNT_RW | VB_MOUNT_OPTIONAL);
}

/* ---- the denied modes that are not seccomp rules ------------------------------ */

/*
 * exec denied: Landlock grants EXECUTE on the program and its ELF interpreter
 * (the kernel opens the interpreter with the same check) and nowhere else.
 * A program run by fd gets its rule from the fd itself (vb_landlock_apply()),
 * so it need not be in the void at all.  When Landlock was off, everything
 * else stays readable and writable (a rule on "/"); when it was on, only
 * EXECUTE is taken from the existing rules.
 */
static int deny_exec(struct vb_void *v, struct vb_error **err)
{
        char interp[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int r, n = 0;

        if (v->exec_fd < 0 && (!v->exec_path || v->exec_path[0] != '/'))
                return vb_error_set(err, EINVAL,
                                    "exec denied: give the program as an absolute path inside the void or run it "
                                    "by fd (not a PATH search), so Landlock can allow exactly that file");
        r = vb_void_landlock(v);
        if (r < 0)
                return vb_error_set(err, r, "exec denied: Landlock");
        if (v->n_landlock == 0) {
                r = vb_void_landlock_allow(v, "/", VB_LANDLOCK_READ | VB_LANDLOCK_WRITE);
                if (r < 0)
                        return vb_error_set(err, r, "exec denied: Landlock rule for /");
        }
        for (size_t i = 0; i < v->n_landlock; i++)
                v->landlock_rules[i].access &= ~(unsigned)VB_LANDLOCK_EXEC;
        if (v->exec_fd < 0) {
                r = vb_void_landlock_allow(v, v->exec_path, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC);
                /* The host file at the same path tells the interpreter: the usual case (--libs, fs shared). */
                fd = open(v->exec_path, O_RDONLY | O_CLOEXEC);
        } else {
                fd = fcntl(v->exec_fd, F_DUPFD_CLOEXEC, 3);
        }
        if (r >= 0 && fd >= 0)
                n = vb_elf_interp_fd(fd, interp, sizeof(interp));
        /* A program run by fd whose interpreter is not in the void cannot start anyway: no rule to fail on. */
        if (r >= 0 && n > 0 && (v->exec_fd < 0 || has_mount_at(v, interp, -1)))
                r = vb_void_landlock_allow(v, interp, VB_LANDLOCK_READ | VB_LANDLOCK_EXEC);
        return r < 0 ? vb_error_set(err, r, "exec denied: Landlock rule for %s", v->exec_path) : 0;
}

/* The terminal device behind fd, or 0 when it is none. */
static dev_t tty_rdev(int fd)
{
        struct stat st;

        return isatty(fd) && fstat(fd, &st) == 0 ? st.st_rdev : 0;
}

/* No fd handed to the void is a terminal, but `keep` (a device, 0 for none); std fds left out become /dev/null. */
static void drop_tty_fds(struct vb_void *v, dev_t keep)
{
        size_t kept = 0;

        for (size_t i = 0; i < v->n_fds; i++) {
                dev_t rdev = tty_rdev(v->fds[i].fd);

                if (rdev && rdev != keep) {
                        vb_closep(&v->fds[i].fd);
                        continue;
                }
                v->fds[kept++] = v->fds[i];
        }
        v->n_fds = kept;
}

/* term denied: no terminal fds; a /dev of the void's own gets /dev/null at tty and ptmx. */
static int deny_term(struct vb_void *v)
{
        int r;

        drop_tty_fds(v, 0);
        if (!has_mount_at(v, "/dev", -1))
                return 0;
        r = vb_void_add_mount(v, VB_MNT_BIND, "/dev/null", "/dev/tty", VB_MOUNT_RW | VB_MOUNT_DEV | VB_MOUNT_NOEXEC, 0,
                              0, "term denied");
        if (r >= 0 && has_mount_at(v, "/dev/pts", VB_MNT_DEVPTS))
                r = vb_void_add_mount(v, VB_MNT_BIND, "/dev/null", "/dev/pts/ptmx",
                                      VB_MOUNT_RW | VB_MOUNT_DEV | VB_MOUNT_NOEXEC, 0, 0, "term denied");
        return r;
}

/* term fresh: a devpts instance of the void's own; the caller's terminal is not handed in. */
static int fresh_term(struct vb_void *v)
{
        int r = 0;

        drop_tty_fds(v, 0);
        if (!has_mount_at(v, "/dev/pts", VB_MNT_DEVPTS)) {
                r = vb_void_add_mount(v, VB_MNT_DEVPTS, NULL, "/dev/pts", VB_MOUNT_RW, 0, 0, "term fresh");
                if (r >= 0 && !has_mount_at(v, "/dev/ptmx", -1))
                        r = vb_void_symlink(v, "pts/ptmx", "/dev/ptmx");
        }
        return r;
}

/*
 * With a /dev of its own, the void's pty gets a name there, /dev/console (as
 * systemd-nspawn does): it lives in the host's devpts, which the void does not
 * see, and ttyname(3) finds a terminal only by a name.  Bound by the file the
 * fd is (checked by device and inode), not by whatever the path holds later.
 */
static int name_console(struct vb_void *v, int target)
{
        char link[64], path[PATH_MAX];
        struct stat st;
        ssize_t n;

        if (!has_mount_at(v, "/dev", -1) || has_mount_at(v, "/dev/console", -1))
                return 0;
        for (size_t i = 0; i < v->n_fds; i++) {
                if (v->fds[i].target != target)
                        continue;
                snprintf(link, sizeof(link), "/proc/self/fd/%d", v->fds[i].fd);
                n = readlink(link, path, sizeof(path) - 1);
                if (n <= 0 || fstat(v->fds[i].fd, &st) < 0)
                        return 0; /* no /proc here: the pty stays nameless, as without a /dev */
                path[n] = '\0';
                return vb_void_bind_checked(v, path, "/dev/console", VB_MOUNT_RW | VB_MOUNT_DEV | VB_MOUNT_NOEXEC,
                                            st.st_dev, st.st_ino);
        }
        return 0;
}

/*
 * term proxied: the caller has handed in the slave of a terminal caretaker's
 * pty (vb_void_terminal()); any other terminal, above all the caller's own,
 * stays out.
 */
static int proxy_term(struct vb_void *v, struct vb_error **err)
{
        dev_t keep = 0;

        for (size_t i = 0; i < v->n_fds && v->tty_target >= 0; i++)
                if (v->fds[i].target == v->tty_target)
                        keep = tty_rdev(v->fds[i].fd);
        if (!keep)
                return vb_error_set(err, EINVAL,
                                    "term proxied: hand in the terminal caretaker's pty first "
                                    "(vb_caretaker_pty, vb_void_terminal)");
        drop_tty_fds(v, keep);
        return name_console(v, v->tty_target);
}

/* ---- one function per server -------------------------------------------------- */

static int set_ns(struct vb_void *v, enum vb_ns ns, enum vb_server_mode m)
{
        return vb_void_set_ns(v, ns, m == VB_SERVER_SHARED ? VB_NS_SHARED : VB_NS_FRESH, -1);
}

static int contradiction(struct vb_error **err, enum vb_server s, enum vb_server_mode m, const char *what)
{
        return vb_error_set(err, EINVAL, "%s %s contradicts %s", vb_server_name(s), vb_server_mode_name(m), what);
}

/*
 * The mounts made since index `first` become the base layer: they move down,
 * below every grant, so that what the caller granted lands on top of the
 * shared root or /usr whatever the order of the calls was.
 */
static int into_base(struct vb_void *v, size_t first, int r)
{
        size_t n = v->n_mounts - first;
        struct vb_mount *tmp;

        if (r < 0 || n == 0 || first == v->n_base) {
                v->n_base += r < 0 ? 0 : n;
                return r;
        }
        tmp = malloc(n * sizeof(*tmp));
        if (!tmp)
                return -ENOMEM;
        memcpy(tmp, v->mounts + first, n * sizeof(*tmp));
        memmove(v->mounts + v->n_base + n, v->mounts + v->n_base, (first - v->n_base) * sizeof(*tmp));
        memcpy(v->mounts + v->n_base, tmp, n * sizeof(*tmp));
        free(tmp);
        v->n_base += n;
        return r;
}

static int server_fs(struct vb_void *v, enum vb_server_mode m, struct vb_error **err)
{
        size_t first = v->n_mounts;

        if (m == VB_SERVER_SHARED)
                return into_base(v, first, share_root(v));
        if (m != VB_SERVER_DENIED)
                return 0;
        if (v->exec_fd < 0)
                return vb_error_set(err, EINVAL,
                                    "fs denied: no path can be opened, so the program must be opened "
                                    "by the caller and be static (--exec-host)");
        for (size_t i = 0; i < v->n_mounts; i++)
                if (v->mounts[i].kind == VB_MNT_BIND || v->mounts[i].kind == VB_MNT_TMPFS ||
                    v->mounts[i].kind == VB_MNT_INBOX)
                        return contradiction(err, VB_SERVER_FS, m, v->mounts[i].dst);
        return vb_void_seccomp_append(v, vb_server_rules_fs, "fs denied", err);
}

static int server_exec(struct vb_void *v, enum vb_server_mode m, struct vb_error **err)
{
        size_t first = v->n_mounts;

        if (m == VB_SERVER_SHARED)
                return into_base(v, first, share_exec(v));
        if (m == VB_SERVER_DENIED)
                return deny_exec(v, err);
        /* With fs denied no library could be opened: the program must be static, and the void gets no mounts. */
        if (v->servers_given[VB_SERVER_FS] && v->servers[VB_SERVER_FS] == VB_SERVER_DENIED)
                return 0;
        /* fresh: the program's own ELF closure: the host file it was opened from, or the same path on the host. */
        if (v->exec_fd >= 0)
                return v->exec_host_path ? into_base(v, first, vb_void_add_libs(v, v->exec_host_path, err)) : 0;
        if (v->exec_path && v->exec_path[0] == '/' && access(v->exec_path, F_OK) == 0)
                return into_base(v, first, vb_void_add_libs(v, v->exec_path, err));
        return 0;
}

static int server_proc(struct vb_void *v, enum vb_server_mode m, struct vb_error **err)
{
        bool has_proc = has_mount_at(v, "/proc", -1);
        int r = set_ns(v, VB_NS_PID, m);

        if (r < 0)
                return r;
        if (m == VB_SERVER_DENIED)
                return has_proc ? contradiction(err, VB_SERVER_PROC, m, "a /proc mount") : 0;
        if (has_proc)
                return m == VB_SERVER_SHARED ? contradiction(err, VB_SERVER_PROC, m, "a fresh /proc") : 0;
        if (m == VB_SERVER_SHARED) /* the caller's pid ns: its procfs is the honest view of it */
                return vb_void_bind(v, "/proc", "/proc", 0);
        return vb_void_proc(v, "/proc", 0);
}

/*
 * auth: the user namespace.  Denied is nullauth: uid and gid 65534 inside (the
 * caller's mapped to them, no other id), no capabilities (as every void, so a
 * kept one contradicts it), no_new_privs (every void), and the set*id calls
 * refused.  Supplementary groups: the caller's stay, each read as 65534 unless
 * it is the caller's gid; only a privileged caller can shed them, with
 * setgroups(0, NULL) before the spawn (voidshim does), since an unprivileged
 * user namespace needs setgroups "deny" (so that groups used to *deny* access
 * cannot be dropped).
 */
static int server_auth(struct vb_void *v, enum vb_server_mode m, struct vb_error **err)
{
        int r;

        if (v->ns_mode[VB_NS_USER] == VB_NS_JOIN)
                return contradiction(err, VB_SERVER_AUTH, m, "a joined user namespace");
        if (m != VB_SERVER_DENIED)
                return set_ns(v, VB_NS_USER, m);
        if (v->keep_caps)
                return contradiction(err, VB_SERVER_AUTH, m, "kept capabilities");
        if (v->ids_set && (v->uid != VB_NULLAUTH_ID || v->gid != VB_NULLAUTH_ID))
                return contradiction(err, VB_SERVER_AUTH, m, "ids of the void's choosing");
        r = set_ns(v, VB_NS_USER, VB_SERVER_FRESH);
        if (r >= 0)
                r = vb_void_set_ids(v, VB_NULLAUTH_ID, VB_NULLAUTH_ID);
        if (r < 0)
                return r;
        return vb_void_seccomp_append(v, vb_server_rules_auth, "auth denied", err);
}

static int server_net(struct vb_void *v, enum vb_server_mode m, struct vb_error **err)
{
        int r;

        if (m == VB_SERVER_PROXIED) {
                if (v->ns_mode[VB_NS_NET] != VB_NS_JOIN)
                        return vb_error_set(err, EINVAL,
                                            "net proxied: join the caretaker's network namespace "
                                            "first (vb_void_set_ns VB_NS_JOIN)");
                v->loopback = false; /* the caretaker's namespace is set up by the caretaker */
                return 0;
        }
        r = set_ns(v, VB_NS_NET, m);
        if (r < 0)
                return r;
        v->loopback = m == VB_SERVER_FRESH;
        if (m == VB_SERVER_DENIED)
                return vb_void_seccomp_append(v, vb_server_rules_net, "net denied", err);
        return 0;
}

static int server_dev(struct vb_void *v, enum vb_server_mode m, struct vb_error **err)
{
        bool has_dev = has_mount_at(v, "/dev", -1);

        if (m == VB_SERVER_DENIED)
                return has_dev ? contradiction(err, VB_SERVER_DEV, m, "a /dev mount") : 0;
        if (has_dev)
                return 0;
        if (m == VB_SERVER_SHARED)
                return vb_void_bind(v, "/dev", "/dev", VB_MOUNT_RW | VB_MOUNT_DEV);
        return vb_void_dev(v, "/dev");
}

static int apply(struct vb_void *v, enum vb_server s, enum vb_server_mode m, struct vb_error **err)
{
        switch (s) {
        case VB_SERVER_FS:
                return server_fs(v, m, err);
        case VB_SERVER_EXEC:
                return server_exec(v, m, err);
        case VB_SERVER_PROC:
                return server_proc(v, m, err);
        case VB_SERVER_AUTH:
                return server_auth(v, m, err);
        case VB_SERVER_NET:
                return server_net(v, m, err);
        case VB_SERVER_UNIX:
                if (m == VB_SERVER_SHARED)
                        return share_unix(v);
                return m == VB_SERVER_DENIED ? vb_void_seccomp_append(v, vb_server_rules_unix, "unix denied", err) : 0;
        case VB_SERVER_TERM:
                if (m == VB_SERVER_DENIED)
                        return deny_term(v);
                if (m == VB_SERVER_PROXIED)
                        return proxy_term(v, err);
                return m == VB_SERVER_FRESH ? fresh_term(v) : 0;
        case VB_SERVER_DEV:
                return server_dev(v, m, err);
        case VB_SERVER_IPC: {
                int r = set_ns(v, VB_NS_IPC, m);

                return r >= 0 && m == VB_SERVER_DENIED
                               ? vb_void_seccomp_append(v, vb_server_rules_ipc, "ipc denied", err)
                               : r;
        }
        case VB_SERVER_UTS: {
                int r = set_ns(v, VB_NS_UTS, m);

                return r >= 0 && m == VB_SERVER_DENIED
                               ? vb_void_seccomp_append(v, vb_server_rules_uts, "uts denied", err)
                               : r;
        }
        case VB_SERVER_TIME:
                return set_ns(v, VB_NS_TIME, m);
        case VB_SERVER_COUNT:
        default:
                return -EINVAL;
        }
}

VB_API int vb_void_server(struct vb_void *v, enum vb_server s, enum vb_server_mode m, struct vb_error **err)
{
        size_t before, base;
        const char *why;
        int r;

        if ((unsigned)s >= VB_SERVER_COUNT || (unsigned)m >= VB_SERVER_MODE_COUNT)
                return vb_error_set(err, EINVAL, "server %d mode %d", (int)s, (int)m);
        why = refusals[s][m];
        if (why)
                return vb_error_set(err, EOPNOTSUPP, "%s %s: %s", server_names[s], mode_names[m], why);
        before = v->n_mounts;
        base = v->n_base;
        r = apply(v, s, m, err);
        /* What the server mounted: at the end, or moved down into the base layer (into_base()). */
        if (r >= 0 && v->n_base - base == v->n_mounts - before)
                r = vb_confine_server_mounts(v, base, v->n_base);
        else if (r >= 0)
                r = vb_confine_server_mounts(v, before, v->n_mounts);
        if (r < 0)
                return vb_error_wrap(err, r, "%s %s%s", server_names[s], mode_names[m],
                                     r == -E2BIG ? ": Landlock rules for its mounts (at most 64 per void)" : "");
        v->servers_given[s] = true;
        v->servers[s] = m;
        return 0;
}
