/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_elf_closure() and vb_elf_interp_fd() against real host binaries, small
 * programs built here with gcc (tests needing it skip when it is missing),
 * sysroots built in temporary directories, and truncated or corrupted files.
 * Every test gets its own temporary directory from setup() (*state), which
 * teardown() removes even when an assertion fails.
 */
#include <elf.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/elf.h"
#include "need.h"

/* ---- helpers ------------------------------------------------------------ */

static int setup(void **state)
{
        char tmpl[] = "/tmp/vb-elf-XXXXXX";

        if (!mkdtemp(tmpl))
                return -1;
        /* realpath: reported paths are fully resolved, even if /tmp were a symlink. */
        *state = realpath(tmpl, NULL);
        return *state ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int teardown(void **state)
{
        int r = nftw(*state, rm_one, 16, FTW_DEPTH | FTW_PHYS);

        free(*state);
        return r;
}

/* Run a shell command built from fmt; returns its exit status (-1 if it did not exit). */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        assert_true(r >= 0);
        r = system(cmd);
        return r >= 0 && WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static void need_gcc(void)
{
        NEED(sh("gcc --version >/dev/null 2>&1") == 0, "gcc");
}

static char *path_join(const char *a, const char *b)
{
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", a, b) >= 0);
        return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
}

/* Read a whole file into a malloc'd buffer. */
static char *read_file(const char *path, size_t *len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        char *buf;

        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        buf = malloc((size_t)st.st_size + 1);
        assert_non_null(buf);
        assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
        *len = (size_t)st.st_size;
        return buf;
}

static void copy_file(const char *src, const char *dst)
{
        size_t len;
        _cleanup_free_ char *buf = read_file(src, &len);

        write_file(dst, buf, len);
}

/* The host's true(1). */
static const char *host_true(void)
{
        return access("/bin/true", X_OK) == 0 ? "/bin/true" : "/usr/bin/true";
}

static const struct vb_elf_entry *find(const struct vb_elf_closure *c, const char *path)
{
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->entries[i].path, path) == 0)
                        return &c->entries[i];
        return NULL;
}

static void assert_file(const struct vb_elf_closure *c, const char *path)
{
        const struct vb_elf_entry *e = find(c, path);

        if (!e)
                fail_msg("no entry for %s", path);
        assert_int_equal(e->kind, VB_ELF_FILE);
        assert_null(e->target);
}

static void assert_link(const struct vb_elf_closure *c, const char *path, const char *target)
{
        const struct vb_elf_entry *e = find(c, path);

        if (!e)
                fail_msg("no entry for %s", path);
        assert_int_equal(e->kind, VB_ELF_SYMLINK);
        assert_string_equal(e->target, target);
}

/* Paths absolute, normalised, unique; kinds and targets consistent. */
static void assert_sane(const struct vb_elf_closure *c, const char *root)
{
        for (size_t i = 0; i < c->n; i++) {
                const char *p = c->entries[i].path;
                size_t len = strlen(p);

                assert_true(p[0] == '/' && len > 1 && p[len - 1] != '/');
                assert_null(strstr(p, "//"));
                assert_null(strstr(p, "/./"));
                assert_null(strstr(p, "/../"));
                assert_false(len >= 2 && strcmp(p + len - 2, "/.") == 0);
                assert_false(len >= 3 && strcmp(p + len - 3, "/..") == 0);
                if (root)
                        assert_false(strncmp(p, root, strlen(root)) == 0);
                assert_true(c->entries[i].kind == VB_ELF_FILE || c->entries[i].kind == VB_ELF_SYMLINK);
                assert_true((c->entries[i].kind == VB_ELF_SYMLINK) == (c->entries[i].target != NULL));
                for (size_t j = i + 1; j < c->n; j++)
                        assert_string_not_equal(p, c->entries[j].path);
        }
}

/* On the host: FILE entries are regular files, SYMLINK entries symlinks with that target. */
static void assert_matches_host(const struct vb_elf_closure *c)
{
        for (size_t i = 0; i < c->n; i++) {
                const struct vb_elf_entry *e = &c->entries[i];
                char buf[PATH_MAX];
                struct stat st;
                ssize_t n;

                assert_int_equal(lstat(e->path, &st), 0);
                if (e->kind == VB_ELF_FILE) {
                        assert_true(S_ISREG(st.st_mode));
                        continue;
                }
                assert_true(S_ISLNK(st.st_mode));
                n = readlink(e->path, buf, sizeof(buf) - 1);
                assert_true(n > 0);
                buf[n] = '\0';
                assert_string_equal(buf, e->target);
        }
}

/* Every symlink met while resolving path on the host is listed. */
static void assert_links_of(const struct vb_elf_closure *c, const char *path)
{
        char prefix[PATH_MAX];
        char target[PATH_MAX];
        struct stat st;

        for (const char *s = strchr(path + 1, '/'); ; s = strchr(s + 1, '/')) {
                size_t len = s ? (size_t)(s - path) : strlen(path);
                ssize_t n;

                memcpy(prefix, path, len);
                prefix[len] = '\0';
                if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode)) {
                        /* The first symlink of the path as given is always met. */
                        n = readlink(prefix, target, sizeof(target) - 1);
                        assert_true(n > 0);
                        target[n] = '\0';
                        assert_link(c, prefix, target);
                        return;
                }
                if (!s)
                        return;
        }
}

static int closure(const char *root, const char *path, struct vb_elf_closure *c, char **missing)
{
        *c = (struct vb_elf_closure){ 0 };
        return vb_elf_closure(root, path, c, missing);
}

/* ---- the host's /bin/true ------------------------------------------------- */

/* Recreate the closure's symlinks and copy its files under root. */
static void reproduce(const struct vb_elf_closure *c, const char *root)
{
        for (size_t i = 0; i < c->n; i++) {
                const struct vb_elf_entry *e = &c->entries[i];
                _cleanup_free_ char *dst = path_join(root, e->path + 1);

                /* Parents are real directories: entries are resolved one component at a time. */
                assert_int_equal(sh("mkdir -p \"$(dirname '%s')\"", dst), 0);
                if (e->kind == VB_ELF_SYMLINK)
                        assert_int_equal(symlink(e->target, dst), 0);
                else
                        copy_file(e->path, dst);
        }
}

static void test_host_true(void **state)
{
        struct vb_elf_closure c, again;
        char interp[PATH_MAX], *real;
        _cleanup_free_ char *root = path_join(*state, "root");
        _cleanup_close_ int fd = open(host_true(), O_RDONLY | O_CLOEXEC);
        char *missing = NULL;
        Dl_info dli;

        assert_int_equal(closure(NULL, host_true(), &c, &missing), 0);
        assert_null(missing);
        assert_sane(&c, NULL);
        assert_matches_host(&c);
        assert_links_of(&c, host_true());

        /* The libc this test runs on is the one true(1) gets. */
        /* (A libc function that sanitizers do not intercept.) */
        assert_true(dladdr((void *)gnu_get_libc_version, &dli) != 0);
        real = realpath(dli.dli_fname, NULL);
        assert_non_null(real);
        assert_file(&c, real);
        free(real);

        /* The loader, at its real path, and the symlinks on its way (/lib64). */
        assert_true(fd >= 0);
        assert_true(vb_elf_interp_fd(fd, interp, sizeof(interp)) > 0);
        real = realpath(interp, NULL);
        assert_non_null(real);
        assert_file(&c, real);
        free(real);
        assert_links_of(&c, interp);

        /* Recreating the entries in an empty root reproduces the same closure. */
        reproduce(&c, root);
        assert_int_equal(closure(root, host_true(), &again, &missing), 0);
        assert_sane(&again, root);
        assert_int_equal(again.n, c.n);
        for (size_t i = 0; i < c.n; i++) {
                const struct vb_elf_entry *e = find(&again, c.entries[i].path);
                assert_non_null(e);
                assert_int_equal(e->kind, c.entries[i].kind);
        }
        vb_elf_closure_done(&again);
        vb_elf_closure_done(&c);
        assert_null(c.entries);
        assert_int_equal(c.n, 0);
        vb_elf_closure_done(NULL);
}

/* ---- static binaries ------------------------------------------------------- */

static void test_static(void **state)
{
        _cleanup_free_ char *src = path_join(*state, "s.c"), *bin = path_join(*state, "static");
        struct vb_elf_closure c;
        _cleanup_close_ int fd = -1;
        char buf[16];

        need_gcc();
        write_file(src, "int main(void) { return 0; }\n", 29);
        NEED(sh("test -f \"$(gcc -print-file-name=libc.a)\"") == 0, "libc.a (libc6-dev), for gcc -static");
        assert_int_equal(sh("gcc -static -o '%s' '%s'", bin, src), 0);
        assert_int_equal(closure(NULL, bin, &c, NULL), 0);
        assert_int_equal(c.n, 1);
        assert_file(&c, bin);
        vb_elf_closure_done(&c);

        fd = open(bin, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(vb_elf_interp_fd(fd, buf, sizeof(buf)), 0);
}

/* ---- files that are not (good) ELF ---------------------------------------- */

static void test_not_elf(void **state)
{
        _cleanup_free_ char *script = path_join(*state, "script"), *gone = path_join(*state, "gone");
        _cleanup_free_ char *bad = path_join(*state, "bad");
        struct vb_elf_closure c;
        char *missing = NULL;
        size_t len;
        _cleanup_free_ char *img = read_file(host_true(), &len);

        write_file(script, "#!/bin/sh\nexit 0\n", 17);
        assert_int_equal(closure(NULL, script, &c, &missing), -ENOEXEC);
        assert_string_equal(missing, script);
        free(missing);

        assert_int_equal(closure(NULL, gone, &c, &missing), -ENOENT);
        assert_string_equal(missing, gone);
        free(missing);

        assert_true(closure(NULL, *state, &c, NULL) < 0); /* a directory */
        assert_int_equal(closure(*state, "relative", &c, NULL), -EINVAL);
        assert_int_equal(closure(NULL, "/dev/null", &c, NULL), -EACCES);

        /* Right file, wrong class, then wrong machine. */
        img[EI_CLASS] = ELFCLASS32;
        write_file(bad, img, len);
        assert_int_equal(closure(NULL, bad, &c, NULL), -ENOEXEC);
        img[EI_CLASS] = ELFCLASS64;
        ((Elf64_Ehdr *)(void *)img)->e_machine = EM_S390;
        write_file(bad, img, len);
        assert_int_equal(closure(NULL, bad, &c, NULL), -ENOEXEC);
}

/* ---- truncated and corrupted files ---------------------------------------- */

/* r is a clean outcome: success with a sane closure, or an -errno. */
static void check_outcome(int r, struct vb_elf_closure *c, char *missing)
{
        if (r == 0) {
                assert_sane(c, NULL);
                vb_elf_closure_done(c);
        } else
                assert_true(r < 0 && r > -4096);
        free(missing);
}

static void try_image(const char *path, const char *img, size_t len)
{
        struct vb_elf_closure c;
        char *missing = NULL, buf[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int r;

        write_file(path, img, len);
        r = closure(NULL, path, &c, &missing);
        check_outcome(r, &c, missing);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        r = vb_elf_interp_fd(fd, buf, sizeof(buf));
        assert_true(r > -4096);
        if (r > 0)
                assert_int_equal(strlen(buf), r);
}

static void test_truncated(void **state)
{
        static const size_t lens[] = { 0, 16, 63, 64, 200, 1000 };
        _cleanup_free_ char *path = path_join(*state, "trunc");
        size_t len;
        _cleanup_free_ char *img = read_file(host_true(), &len);
        struct vb_elf_closure c;
        char buf[PATH_MAX];

        for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
                _cleanup_close_ int fd = -1;
                int r;

                write_file(path, img, lens[i]);
                r = closure(NULL, path, &c, NULL);
                if (lens[i] < sizeof(Elf64_Ehdr))
                        assert_int_equal(r, -ENOEXEC);
                else
                        assert_true(r == -ENOEXEC || r == 0);
                if (r == 0)
                        vb_elf_closure_done(&c);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                assert_true(fd >= 0);
                r = vb_elf_interp_fd(fd, buf, sizeof(buf));
                if (lens[i] < sizeof(Elf64_Ehdr))
                        assert_int_equal(r, -ENOEXEC);
        }
}

static void test_corrupted_headers(void **state)
{
        _cleanup_free_ char *path = path_join(*state, "corrupt");
        size_t len;
        _cleanup_free_ char *orig = read_file(host_true(), &len);
        _cleanup_free_ char *img = malloc(len);
        Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)img;
        struct vb_elf_closure c;

        assert_non_null(img);
        for (int k = 0; k < 6; k++) {
                memcpy(img, orig, len);
                switch (k) {
                case 0: eh->e_phoff = UINT64_MAX - 8; break;
                case 1: eh->e_phoff = len - 10; break;
                case 2: eh->e_phnum = 0xffff; break;
                case 3: eh->e_phnum = 1000; break;
                case 4: eh->e_phentsize = 7; break;
                default: eh->e_phnum = 0; break;
                }
                write_file(path, img, len);
                assert_int_equal(closure(NULL, path, &c, NULL), k == 5 ? 0 : -ENOEXEC);
                if (k == 5) { /* no program headers: nothing to load */
                        assert_int_equal(c.n, 1);
                        vb_elf_closure_done(&c);
                }
        }
        /* Every program header's offset and size, pointed past the end in turn. */
        for (unsigned i = 0; i < eh->e_phnum; i++) {
                Elf64_Phdr *ph;
                memcpy(img, orig, len);
                ph = (Elf64_Phdr *)(void *)(img + eh->e_phoff) + i;
                ph->p_offset = (i % 2) ? UINT64_MAX - 4 : len;
                ph->p_filesz = (i % 3) ? UINT64_MAX / 2 : 17;
                ph->p_vaddr = (i % 4) ? UINT64_MAX - 1 : 0;
                try_image(path, img, len);
        }
}

/* Random byte changes (fixed seed), most in the headers and dynamic data. */
static void test_fuzz(void **state)
{
        _cleanup_free_ char *path = path_join(*state, "fuzz");
        size_t len;
        _cleanup_free_ char *orig = read_file(host_true(), &len);
        _cleanup_free_ char *img = malloc(len);
        unsigned seed = 12345;

        assert_non_null(img);
        for (int iter = 0; iter < 300; iter++) {
                memcpy(img, orig, len);
                for (int k = 0; k < 1 + iter % 6; k++) {
                        size_t span = iter % 3 == 0 ? len : (len < 4096 ? len : 4096);
                        size_t off = (size_t)rand_r(&seed) % span;
                        img[off] = (char)(iter % 2 ? rand_r(&seed) : 0xff);
                }
                try_image(path, img, len);
        }
}

/* ---- $ORIGIN, DT_RUNPATH, DT_RPATH ------------------------------------------ */

/* dir/lib/libvbtfoo.so.1 (needing libvbtbar.so.1 when bar) and dir/lib/libvbtbar.so.1. */
static void build_libs(const char *dir, const char *libdir, bool bar)
{
        assert_int_equal(sh("mkdir -p '%s/%s' && cd '%s' && "
                            "printf 'int bar(void) { return 2; }\\n' > bar.c && "
                            "printf 'int bar(void); int foo(void) { return %s; }\\n' > foo.c && "
                            "printf 'int foo(void); int main(void) { return foo(); }\\n' > main.c && "
                            "gcc -shared -fPIC -Wl,-soname,libvbtbar.so.1 -o %s/libvbtbar.so.1 bar.c && "
                            "gcc -shared -fPIC -Wl,-soname,libvbtfoo.so.1 -o %s/libvbtfoo.so.1 foo.c %s%s",
                            dir, libdir, dir, bar ? "bar()" : "1", libdir, libdir,
                            bar ? libdir : "", bar ? "/libvbtbar.so.1" : ""),
                         0);
}

static void test_origin_runpath(void **state)
{
        const char *dir = *state;
        _cleanup_free_ char *prog = path_join(dir, "prog"), *lib = path_join(dir, "lib/libvbtfoo.so.1");
        _cleanup_free_ char *prog2 = path_join(dir, "prog2"), *lib64 = path_join(dir, "lib64/libvbtfoo.so.1");
        _cleanup_free_ char *want = NULL;
        struct vb_elf_closure c;
        char *missing = NULL;

        need_gcc();
        build_libs(dir, "lib", false);
        assert_int_equal(sh("cd '%s' && gcc -o prog main.c lib/libvbtfoo.so.1 "
                            "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib'", dir), 0);
        assert_int_equal(closure(NULL, prog, &c, &missing), 0);
        assert_sane(&c, NULL);
        assert_file(&c, prog);
        assert_file(&c, lib);
        vb_elf_closure_done(&c);

        /* ${ORIGIN} and $LIB (tried as lib/<triplet>, lib64, lib). */
        assert_int_equal(sh("cd '%s' && mkdir lib64 && cp lib/libvbtfoo.so.1 lib64/ && "
                            "gcc -o prog2 main.c lib/libvbtfoo.so.1 "
                            "-Wl,--enable-new-dtags,-rpath,'/nonexistent:${ORIGIN}/$LIB'", dir), 0);
        assert_int_equal(closure(NULL, prog2, &c, NULL), 0);
        assert_file(&c, lib64);
        assert_null(find(&c, lib));
        vb_elf_closure_done(&c);

        /* A DT_NEEDED holding a path (a library without soname, linked by path). */
        assert_int_equal(sh("cd '%s' && gcc -shared -fPIC -o abs.so foo.c && gcc -o prog3 main.c '%s/abs.so'",
                            dir, dir), 0);
        free(want);
        want = path_join(dir, "prog3");
        assert_int_equal(closure(NULL, want, &c, NULL), 0);
        free(want);
        want = path_join(dir, "abs.so");
        assert_file(&c, want);
        vb_elf_closure_done(&c);
        free(want);
        want = NULL;

        assert_int_equal(unlink(lib), 0);
        assert_int_equal(closure(NULL, prog, &c, &missing), -ENOENT);
        assert_true(asprintf(&want, "libvbtfoo.so.1 (needed by %s)", prog) >= 0);
        assert_string_equal(missing, want);
        free(missing);
}

/* A DT_RPATH serves the libraries' libraries too; a DT_RUNPATH does not (as in glibc). */
static void test_rpath_inherited(void **state)
{
        const char *dir = *state;
        _cleanup_free_ char *prog = path_join(dir, "prog"), *bar = path_join(dir, "lib/libvbtbar.so.1");
        _cleanup_free_ char *foo = path_join(dir, "lib/libvbtfoo.so.1"), *want = NULL;
        struct vb_elf_closure c;
        char *missing = NULL;

        need_gcc();
        build_libs(dir, "lib", true);
        assert_int_equal(sh("cd '%s' && gcc -o prog main.c lib/libvbtfoo.so.1 "
                            "-Wl,--disable-new-dtags,-rpath,'${ORIGIN}/lib' "
                            "-Wl,-rpath-link,lib", dir), 0);
        assert_int_equal(closure(NULL, prog, &c, NULL), 0);
        assert_file(&c, foo);
        assert_file(&c, bar);
        vb_elf_closure_done(&c);

        assert_int_equal(sh("cd '%s' && gcc -o prog main.c lib/libvbtfoo.so.1 "
                            "-Wl,--enable-new-dtags,-rpath,'${ORIGIN}/lib' "
                            "-Wl,-rpath-link,lib", dir), 0);
        assert_int_equal(closure(NULL, prog, &c, &missing), -ENOENT);
        assert_true(asprintf(&want, "libvbtbar.so.1 (needed by %s)", foo) >= 0);
        assert_string_equal(missing, want);
        free(missing);
}

/* ---- sysroots ------------------------------------------------------------------ */

/*
 * Build under root a libc-free program /usr/bin/prog needing libvbtfoo.so.1
 * from libdir (runpath: a search path or NULL), with the host's loader at
 * /usr/lib/x86_64-linux-gnu/ld.so reached through /lib64 -> /usr/lib64
 * (absolute) and /usr/lib64/<loader name> -> ../lib/x86_64-linux-gnu/ld.so.
 */
static char *build_sysroot(const char *dir, const char *libdir, const char *runpath)
{
        char *root = path_join(dir, "root"), interp[PATH_MAX];
        _cleanup_close_ int fd = open(host_true(), O_RDONLY | O_CLOEXEC);
        const char *base;

        assert_true(fd >= 0);
        assert_true(vb_elf_interp_fd(fd, interp, sizeof(interp)) > 0);
        NEED(strncmp(interp, "/lib64/", 7) == 0, "x86-64's loader in /lib64 (the layout below is x86-64's)");
        base = interp + 7;
        assert_int_equal(sh("set -e; mkdir '%s'; cd '%s'; mkdir -p usr/bin usr/lib64 usr/lib/x86_64-linux-gnu .%s; "
                            "ln -s usr/bin bin; ln -s /usr/lib64 lib64; "
                            "ln -s ../lib/x86_64-linux-gnu/ld.so usr/lib64/%s; cp '%s' usr/lib/x86_64-linux-gnu/ld.so; "
                            "printf 'int foo(void) { return 1; }\\n' > foo.c; "
                            "printf 'int foo(void); void _start(void) { foo(); for (;;); }\\n' > main.c; "
                            "gcc -shared -fPIC -nostdlib -Wl,-soname,libvbtfoo.so.1 -o .%s/libvbtfoo.so.1 foo.c; "
                            "gcc -nostdlib -o usr/bin/prog main.c .%s/libvbtfoo.so.1 -Wl,-dynamic-linker,%s %s%s",
                            root, root, libdir, base, interp, libdir, libdir, interp,
                            runpath ? "-Wl,--enable-new-dtags,-rpath," : "", runpath ? runpath : ""),
                         0);
        return root;
}

static void assert_sysroot_loader(const struct vb_elf_closure *c, const char *interp)
{
        _cleanup_free_ char *target = NULL;

        assert_link(c, "/bin", "usr/bin");
        assert_file(c, "/usr/bin/prog");
        assert_link(c, "/lib64", "/usr/lib64");
        assert_true(asprintf(&target, "/usr%s", interp) >= 0);
        assert_link(c, target, "../lib/x86_64-linux-gnu/ld.so");
        assert_file(c, "/usr/lib/x86_64-linux-gnu/ld.so");
}

static void test_sysroot(void **state)
{
        _cleanup_free_ char *root = NULL, *real = NULL;
        struct vb_elf_closure c;
        char interp[PATH_MAX];
        _cleanup_close_ int fd = -1;

        need_gcc();
        root = build_sysroot(*state, "/opt/vb", "/opt/vbsym");
        assert_int_equal(sh("cd '%s' && ln -s /opt/vb opt/vbsym", root), 0);
        real = path_join(root, "usr/bin/prog");
        fd = open(real, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_true(vb_elf_interp_fd(fd, interp, sizeof(interp)) > 0);

        /* /opt/vbsym -> /opt/vb is absolute: it must resolve inside the root. */
        assert_int_equal(closure(root, "/bin/prog", &c, NULL), 0);
        assert_sane(&c, root);
        assert_sysroot_loader(&c, interp);
        assert_link(&c, "/opt/vbsym", "/opt/vb");
        assert_file(&c, "/opt/vb/libvbtfoo.so.1");
        assert_int_equal(c.n, 7);
        vb_elf_closure_done(&c);

        /* ".." and "." in the path given, and a relative path with a sysroot. */
        assert_int_equal(closure(root, "/usr/./lib/../bin//prog", &c, NULL), 0);
        assert_int_equal(c.n, 6);
        vb_elf_closure_done(&c);
        assert_int_equal(closure(root, "/bin/prog/", &c, NULL), -ENOTDIR);
        assert_int_equal(closure(root, "/", &c, NULL), -EISDIR);

        /* Symlinks cannot climb out of the root; loops end with ELOOP. */
        assert_int_equal(sh("cd '%s' && ln -s ../../../../../../usr/bin/prog opt/up && ln -s loop2 opt/loop1 && "
                            "ln -s loop1 opt/loop2 && ln -s . opt/dot", root), 0);
        assert_int_equal(closure(root, "/opt/up", &c, NULL), 0);
        assert_link(&c, "/opt/up", "../../../../../../usr/bin/prog");
        assert_file(&c, "/usr/bin/prog");
        vb_elf_closure_done(&c);
        assert_int_equal(closure(root, "/../../bin/prog", &c, NULL), 0);
        vb_elf_closure_done(&c);
        assert_int_equal(closure(root, "/opt/loop1", &c, NULL), -ELOOP);
        assert_int_equal(closure(root, "/opt/dot", &c, NULL), -EISDIR);
}

/* Append a NUL-terminated string to buf at *used; return its offset from base. */
static uint32_t put_str(char *buf, size_t *used, size_t base, const char *s)
{
        uint32_t off = (uint32_t)(*used - base);

        memcpy(buf + *used, s, strlen(s) + 1);
        *used += strlen(s) + 1;
        return off;
}

static void put_entry(char *buf, size_t *at, int32_t flags, uint32_t key, uint32_t value, uint64_t hwcap)
{
        memcpy(buf + *at, &flags, 4);
        memcpy(buf + *at + 4, &key, 4);
        memcpy(buf + *at + 8, &value, 4);
        memset(buf + *at + 12, 0, 4);
        memcpy(buf + *at + 16, &hwcap, 8);
        *at += 24;
}

/*
 * Write root/etc/ld.so.cache in the "glibc-ld.so.cache1.1" format, after an
 * "ld.so-1.7.0" table when old is set: three entries for libvbtfoo.so.1, the
 * first two (i386 flags, then a glibc-hwcaps variant) pointing at a decoy.
 */
static size_t write_cache(const char *root, bool old)
{
        _cleanup_free_ char *path = path_join(root, "etc/ld.so.cache");
        char buf[1024] = { 0 };
        size_t base = 0, at, used;
        uint32_t n = 3, key, decoy, good;

        if (old) {
                memcpy(buf, "ld.so-1.7.0", 11);
                n = 1;
                memcpy(buf + 12, &n, 4);
                base = 32; /* 16 + 1 * 12, aligned to 8 */
                n = 3;
        }
        memcpy(buf + base, "glibc-ld.so.cache1.1", 20);
        memcpy(buf + base + 20, &n, 4);
        buf[base + 28] = 2;
        at = base + 48;
        used = at + n * 24;
        key = put_str(buf, &used, base, "libvbtfoo.so.1");
        decoy = put_str(buf, &used, base, "/opt/decoy/libvbtfoo.so.1");
        good = put_str(buf, &used, base, "/opt/cached/libvbtfoo.so.1");
        put_entry(buf, &at, 0x0003, key, decoy, 0);
        put_entry(buf, &at, 0x0303, key, decoy, 1ull << 62);
        put_entry(buf, &at, 0x0303, key, good, 0);
        assert_int_equal(sh("mkdir -p '%s/etc'", root), 0);
        write_file(path, buf, used);
        return used;
}

static void test_ld_cache(void **state)
{
        _cleanup_free_ char *root = NULL, *cache = NULL;
        char interp[PATH_MAX], *missing = NULL;
        struct vb_elf_closure c;
        _cleanup_close_ int fd = open(host_true(), O_RDONLY | O_CLOEXEC);
        size_t len;

        need_gcc();
        assert_true(vb_elf_interp_fd(fd, interp, sizeof(interp)) > 0);
        root = build_sysroot(*state, "/opt/cached", NULL);
        assert_int_equal(sh("cd '%s' && mkdir -p opt/decoy && cp opt/cached/libvbtfoo.so.1 opt/decoy/", root), 0);
        cache = path_join(root, "etc/ld.so.cache");

        for (int old = 0; old < 2; old++) {
                len = write_cache(root, old);
                assert_int_equal(closure(root, "/usr/bin/prog", &c, NULL), 0);
                assert_file(&c, "/opt/cached/libvbtfoo.so.1");
                assert_null(find(&c, "/opt/decoy/libvbtfoo.so.1"));
                assert_int_equal(c.n, 5);
                vb_elf_closure_done(&c);
        }

        /* Broken caches are ignored: the library is then just not found. */
        for (size_t cut = 0; cut < len; cut += 7) {
                _cleanup_free_ char *buf = read_file(cache, &len);
                write_file(cache, buf, cut);
                assert_int_equal(closure(root, "/usr/bin/prog", &c, &missing), -ENOENT);
                free(missing);
                write_file(cache, buf, len);
        }
        for (size_t off = 0; off < len; off++) {
                _cleanup_free_ char *buf = read_file(cache, &len);
                char save = buf[off];
                int r;
                buf[off] = (char)0xff;
                write_file(cache, buf, len);
                r = closure(root, "/usr/bin/prog", &c, &missing);
                check_outcome(r, &c, missing);
                buf[off] = save;
                write_file(cache, buf, len);
        }
}

/* ---- vb_elf_interp_fd ------------------------------------------------------- */

static void test_interp_fd(void **state)
{
        _cleanup_free_ char *script = path_join(*state, "script");
        _cleanup_close_ int fd = open(host_true(), O_RDONLY | O_CLOEXEC), sfd = -1;
        char buf[PATH_MAX], small[8];
        int pipefd[2];
        int r;

        assert_true(fd >= 0);
        r = vb_elf_interp_fd(fd, buf, sizeof(buf));
        assert_true(r > 0);
        assert_int_equal(strlen(buf), r);
        assert_true(buf[0] == '/');
        assert_int_equal(access(buf, X_OK), 0);
        assert_int_equal(vb_elf_interp_fd(fd, small, sizeof(small)), -ENAMETOOLONG);
        assert_int_equal(vb_elf_interp_fd(fd, buf, (size_t)r), -ENAMETOOLONG); /* no room for NUL */
        assert_int_equal(vb_elf_interp_fd(fd, buf, (size_t)r + 1), r);

        write_file(script, "#!/bin/sh\n", 10);
        sfd = open(script, O_RDONLY | O_CLOEXEC);
        assert_true(sfd >= 0);
        assert_int_equal(vb_elf_interp_fd(sfd, buf, sizeof(buf)), -ENOEXEC);
        assert_int_equal(vb_elf_interp_fd(-1, buf, sizeof(buf)), -EBADF);
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        assert_int_equal(vb_elf_interp_fd(pipefd[0], buf, sizeof(buf)), -ENOEXEC);
        close(pipefd[0]);
        close(pipefd[1]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_host_true, setup, teardown),
                cmocka_unit_test_setup_teardown(test_static, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_elf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupted_headers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
                cmocka_unit_test_setup_teardown(test_origin_runpath, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rpath_inherited, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sysroot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ld_cache, setup, teardown),
                cmocka_unit_test_setup_teardown(test_interp_fd, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
