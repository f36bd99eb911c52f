/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim bootstrap DIR: a Debian tree made by mmdebstrap(1), run in a void.
 *
 * mmdebstrap runs in its unshare mode as uid 0 of a void whose one id is the
 * caller (mmdebstrap: "we are already root, so we do not have to unshare the
 * user namespace"), with the capabilities of that user namespace (mount,
 * chroot, chown), no Landlock (it must mount) and a seccomp policy that is the
 * default one less its mount and namespace rules, with chown(2) and friends
 * answering success without doing anything: in a void there is one id, so
 * every file of the tree belongs to the caller, which every later void (one
 * id, the caller as root) sees as root's.  Its network is a network caretaker
 * that reaches only the mirror, port 80, by the address its name has now
 * (the void's /etc/hosts names it).  Of the host it sees /usr and the few
 * files of /etc that apt, dpkg and perl read, read-only, and DIR.partial.
 *
 * The tree is made in DIR.partial and renamed to DIR once mmdebstrap has
 * succeeded: DIR exists only complete.  A failure removes DIR.partial.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap/bootstrap.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static const char usage[] = "usage: voidshim bootstrap DIR [--suite SUITE] [--variant VARIANT] [--include PKG,...]\n"
                            "                              [--mirror http://HOST[:PORT]/PATH] [--explain]\n"
                            "\n"
                            "Make a Debian tree at DIR with mmdebstrap, in a void whose network reaches only the\n"
                            "mirror.  SUITE defaults to bookworm, VARIANT to minbase (see mmdebstrap(1)), the mirror\n"
                            "to the first of the host's apt sources that carries SUITE.  DIR must not exist; the\n"
                            "tree is made in DIR.partial and appears at DIR only complete.  Every file belongs to\n"
                            "the caller: use it with voidshim run --root DIR or --overlay DIR, or a session.\n";

/* Capabilities mmdebstrap uses in its void (inside its user namespace only). */
static const char *const caps[] = { "CAP_SYS_ADMIN",       "CAP_SYS_CHROOT", "CAP_CHOWN",   "CAP_DAC_OVERRIDE",
                                    "CAP_DAC_READ_SEARCH", "CAP_FOWNER",     "CAP_FSETID",  "CAP_SETUID",
                                    "CAP_SETGID",          "CAP_KILL",       "CAP_SETFCAP", "CAP_MKNOD" };

/* What of the host's /etc apt, dpkg, perl and the resolver's files read (read-only). */
static const char *const etc[] = { "/etc/alternatives",   "/etc/apt",           "/etc/dpkg",   "/etc/perl",
                                   "/etc/ld.so.cache",    "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
                                   "/etc/debian_version", "/etc/os-release" };

/* The system calls mmdebstrap must make, which the default policy refuses: mount, chroot, namespaces. */
static const char *const needed[] = { "mount",         "umount2", "pivot_root", "chroot",     "fsopen",
                                      "fsconfig",      "fsmount", "fspick",     "move_mount", "open_tree",
                                      "mount_setattr", "unshare", "setns",      "clone",      NULL };

/* Is line a rule for one of needed (after "optional")? */
static bool about_needed(const char *line, size_t len)
{
        if (len > 9 && strncmp(line, "optional ", 9) == 0)
                line += 9, len -= 9;
        for (const char *const *n = needed; *n; n++) {
                size_t l = strlen(*n);

                if (len > l && strncmp(line, *n, l) == 0 && line[l] == ' ')
                        return true;
        }
        return false;
}

/*
 * The bootstrap's seccomp policy, in a memfd whose /proc/self/fd path the plan reads: the default
 * one, with the rules for what mmdebstrap needs replaced by "allow" (the plan's --chown-noop then
 * replaces the chown rules in turn).
 */
static int policy_fd(void)
{
        const char *p = vb_seccomp_default_policy();
        _cleanup_close_ int fd = memfd_create("voidshim-bootstrap.policy", MFD_CLOEXEC);
        FILE *f;

        if (fd < 0)
                return -errno;
        f = fdopen(dup(fd), "w");
        if (!f)
                return -errno;
        for (const char *nl; *p; p = nl + 1) {
                nl = strchrnul(p, '\n');
                if (!about_needed(p, (size_t)(nl - p)))
                        fprintf(f, "%.*s\n", (int)(nl - p), p);
                if (!*nl)
                        break;
        }
        fputs("# voidshim bootstrap: mmdebstrap mounts, chroots and unshares (in the void's own namespaces)\n", f);
        for (const char *const *n = needed; *n; n++)
                fprintf(f, "%s allow\n", *n);
        if (fclose(f) != 0)
                return -EIO;
        return TAKE_FD(fd);
}

/* HOST and PORT of an http:// mirror; false for anything else. */
static bool mirror_host(const char *url, char *host, size_t len, unsigned *port)
{
        const char *h = url + 7, *end;

        if (strncmp(url, "http://", 7) != 0)
                return false;
        end = h + strcspn(h, ":/");
        if (end == h || (size_t)(end - h) >= len)
                return false;
        memcpy(host, h, (size_t)(end - h));
        host[end - h] = '\0';
        *port = *end == ':' ? (unsigned)atoi(end + 1) : 80;
        return *port > 0 && *port < 65536;
}

/* The first http URI of the host's apt sources that lists suite (deb822 .sources and one-line .list). */
static bool host_mirror(const char *suite, char *out, size_t len)
{
        static const char *const files[] = { "/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list" };
        char line[1024], uri[512] = "";

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                _cleanup_fclose_ FILE *f = fopen(files[i], "re");

                while (f && fgets(line, sizeof(line), f)) {
                        char a[512], b[512], c[256];

                        if (sscanf(line, "URIs: %511s", a) == 1)
                                snprintf(uri, sizeof(uri), "%s", a);
                        else if (uri[0] && strncmp(line, "Suites:", 7) == 0 && strstr(line, suite) &&
                                 strncmp(uri, "http://", 7) == 0)
                                return snprintf(out, len, "%s", uri) < (int)len;
                        else if (sscanf(line, "deb %511s %511s %255s", a, b, c) == 3 && strcmp(b, suite) == 0 &&
                                 strncmp(a, "http://", 7) == 0)
                                return snprintf(out, len, "%s", a) < (int)len;
                        if (line[0] == '\n')
                                uri[0] = '\0';
                }
        }
        return false;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        if (flag == FTW_DP)
                return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
        return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int make_writable(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        if (flag == FTW_D)
                (void)chmod(path, 0700);
        return 0;
}

/* Remove a failed bootstrap's DIR.partial (all of it is ours; directories may be read-only). */
static void remove_tree(const char *dir)
{
        (void)nftw(dir, make_writable, 32, FTW_PHYS);
        (void)nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

struct boot_opts {
        const char *dir, *suite, *variant, *include, *mirror;
        bool explain;
};

static int parse(int argc, char **argv, struct boot_opts *o)
{
        *o = (struct boot_opts){ .suite = "bookworm", .variant = "minbase" };
        for (int i = 1; i < argc; i++) {
                const char **slot = strcmp(argv[i], "--suite") == 0     ? &o->suite
                                    : strcmp(argv[i], "--variant") == 0 ? &o->variant
                                    : strcmp(argv[i], "--include") == 0 ? &o->include
                                    : strcmp(argv[i], "--mirror") == 0  ? &o->mirror
                                                                        : NULL;

                if (strcmp(argv[i], "--explain") == 0)
                        o->explain = true;
                else if (slot && i + 1 < argc)
                        *slot = argv[++i];
                else if (argv[i][0] != '-' && !o->dir)
                        o->dir = argv[i];
                else
                        return -EINVAL;
        }
        return o->dir ? 0 : -EINVAL;
}

#define MAX_ARGS 160

/* The argument vector being built, its strings in one buffer. */
struct argbuf {
        char **args;
        int n;
        char *store;
        size_t used, len;
};

static void add_arg(struct argbuf *b, const char *fmt, ...) VB_PRINTF(2, 3);
static void add_arg(struct argbuf *b, const char *fmt, ...)
{
        va_list ap;
        int k;

        if (b->n >= MAX_ARGS - 1 || b->used >= b->len)
                return;
        va_start(ap, fmt);
        k = vsnprintf(b->store + b->used, b->len - b->used, fmt, ap);
        va_end(ap);
        b->args[b->n++] = b->store + b->used;
        b->used += (size_t)k + 1;
}

/* voidshim run's arguments for mmdebstrap's void. */
static int build_args(const struct boot_opts *o, const char *partial, const char *host, unsigned port, int policy,
                      char **args, char *store, size_t len)
{
        struct argbuf b = { .args = args, .store = store, .len = len };
#define ARG(...) add_arg(&b, __VA_ARGS__)

        ARG("run");
        if (o->explain)
                ARG("--explain");
        ARG("--ro-bind"), ARG("/usr"), ARG("/usr");
        ARG("--symlink"), ARG("usr/bin"), ARG("/bin"), ARG("--symlink"), ARG("usr/sbin"), ARG("/sbin");
        ARG("--symlink"), ARG("usr/lib"), ARG("/lib"), ARG("--symlink"), ARG("usr/lib64"), ARG("/lib64");
        for (size_t i = 0; i < sizeof(etc) / sizeof(etc[0]); i++)
                ARG("--ro-bind-try"), ARG("%s", etc[i]), ARG("%s", etc[i]);
        ARG("--proc"), ARG("--dev"), ARG("--tmpfs"), ARG("/tmp");
        ARG("--bind"), ARG("%s", partial), ARG("%s", partial);
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
                ARG("--cap-add"), ARG("%s", caps[i]);
        ARG("--no-landlock"), ARG("--seccomp"), ARG("/proc/self/fd/%d", policy), ARG("--chown-noop");
        ARG("--net-allow"), ARG("tcp:%s:%u", host, port);
        ARG("--setenv"), ARG("PATH"), ARG("/usr/sbin:/usr/bin");
        ARG("--setenv"), ARG("TMPDIR"), ARG("/tmp");
        ARG("--"), ARG("mmdebstrap"), ARG("--mode=unshare"), ARG("--variant=%s", o->variant);
        if (o->include)
                ARG("--include=%s", o->include);
        /* Keep the package lists, so that apt-get install works in the tree at once. */
        ARG("--skip=cleanup/apt/lists");
        /* A one-id void cannot mount devpts with uid=5: the void's own /dev goes in instead. */
        ARG("--skip=chroot/mount/dev");
        ARG("--extract-hook=mount --rbind /dev \"$1/dev\"");
        /* In a void there is one id: apt cannot drop to _apt; and programs need /etc/hosts. */
        ARG("--customize-hook=echo 'APT::Sandbox::User \"root\";' >\"$1/etc/apt/apt.conf.d/99voidshim\"");
        ARG("--customize-hook=printf '127.0.0.1\\tlocalhost\\n::1\\tlocalhost\\n' >\"$1/etc/hosts\"");
        ARG("--customize-hook=umount -R \"$1/dev\"");
        ARG("%s", o->suite), ARG("%s", partial), ARG("%s", o->mirror);
#undef ARG
        args[b.n] = NULL;
        return b.used < len && b.n < MAX_ARGS - 1 ? b.n : -E2BIG;
}

int cmd_bootstrap(int argc, char **argv)
{
        char partial[PATH_MAX], mirror[512], host[256], what[PATH_MAX + 32], store[16384], *args[MAX_ARGS];
        _cleanup_close_ int policy = -1;
        struct boot_opts o;
        struct stat st;
        unsigned port;
        int n, r;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return 0;
        }
        if (parse(argc, argv, &o) < 0)
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                  "expected bootstrap DIR [--suite S] [--variant V] [--include P,...] [--mirror URL]");
        snprintf(what, sizeof(what), "bootstrap %s", o.dir);
        if (!o.mirror && !host_mirror(o.suite, mirror, sizeof(mirror)))
                return shim_fatal(SHIM_EXIT_USAGE, what, "no http mirror for this suite in /etc/apt (give --mirror)");
        if (!o.mirror)
                o.mirror = mirror;
        if (!mirror_host(o.mirror, host, sizeof(host), &port))
                return shim_fatal(SHIM_EXIT_USAGE, what, "the mirror must be http://HOST[:PORT]/PATH");
        if ((size_t)snprintf(partial, sizeof(partial), "%s.partial", o.dir) >= sizeof(partial) - 64 ||
            o.dir[0] != '/' || strchr(o.dir, ' '))
                return shim_fatal(SHIM_EXIT_USAGE, what, "DIR must be an absolute path without spaces");
        if (!o.explain && lstat(o.dir, &st) == 0)
                return shim_fatal(SHIM_EXIT_USAGE, what, "it exists already (a tree is made only where none is)");
        if (!o.explain && lstat(partial, &st) == 0)
                return shim_fatal(SHIM_EXIT_USAGE, what,
                                  "DIR.partial exists: a bootstrap is running there, or one was killed (remove it)");
        policy = policy_fd();
        if (policy < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-policy));
        n = build_args(&o, partial, host, port, policy, args, store, sizeof(store));
        if (n < 0 || n >= MAX_ARGS)
                return shim_fatal(SHIM_EXIT_USAGE, what, "arguments too long");
        if (!o.explain && mkdir(partial, 0755) < 0)
                return shim_fatal(SHIM_EXIT_USAGE, what, strerror(errno));
        if (!o.explain)
                fprintf(stderr, "voidshim: bootstrapping %s %s from %s (network: %s port %u only) into %s\n", o.suite,
                        o.variant, o.mirror, host, port, partial);
        r = cmd_run(n, args);
        if (o.explain)
                return r;
        if (r == 0 && rename(partial, o.dir) == 0) {
                fprintf(stderr, "voidshim: %s is ready\n", o.dir);
                return 0;
        }
        remove_tree(partial);
        if (r == SHIM_EXIT_USAGE) /* run said why (a mirror whose name has no address, ...) */
                return r;
        return shim_fatal(SHIM_EXIT_SYSTEM, what,
                          r ? "mmdebstrap failed (above); nothing is left at DIR or DIR.partial" : strerror(errno));
}
