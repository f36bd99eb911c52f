/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ELF dependency closure (see elf.h).
 *
 * Every file read here may be hostile or truncated: each offset and size read
 * from a file is checked against the file's size before use, and a malformed
 * file yields -ENOEXEC.  Paths are resolved one component at a time under a
 * sysroot directory fd, so that symlinks (even absolute ones) never lead out
 * of the sysroot and each one met can be recorded.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/elf.h" /* also the system <elf.h>: see there */

/* The host: the binary must match it; libraries must match the binary. */
#if defined(__x86_64__)
#define HOST_MACHINE     EM_X86_64
#define HOST_TRIPLET     "x86_64-linux-gnu"
#define HOST_CACHE_FLAGS 0x0303 /* FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */
#elif defined(__aarch64__)
#define HOST_MACHINE     EM_AARCH64
#define HOST_TRIPLET     "aarch64-linux-gnu"
#define HOST_CACHE_FLAGS 0x0a03 /* FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64 */
#else
#define HOST_MACHINE     EM_NONE /* unknown: take the binary's machine */
#define HOST_TRIPLET     "unknown-linux-gnu"
#define HOST_CACHE_FLAGS 0x0003 /* FLAG_ELF_LIBC6 */
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)
#define HOST_DATA  (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB)

#define MAX_SYMLINK_HOPS 40
#define MAX_DYNAMIC_SIZE (1u << 20) /* 65536 Elf64_Dyn entries */
#define MAX_RUNPATH_LEN  (64u << 10)
#define MAX_CACHE_SIZE   (128u << 20)

/* Searched after the object's own paths and ld.so.cache, as by glibc. */
static const char *const default_dirs[] = {
        ("/lib/" HOST_TRIPLET), ("/usr/lib/" HOST_TRIPLET), "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};
/* Values tried for $LIB: glibc's Debian value, then the usual fallbacks. */
static const char *const lib_values[] = { ("lib/" HOST_TRIPLET), "lib64", "lib" };

/* ---- ELF headers (no malloc: shared with vb_elf_interp_fd) ------------- */

/* Headers of either class, widened. */
struct ehdr {
        unsigned char class;
        uint16_t type, machine, phnum;
        uint64_t phoff, fsize;
};

struct phdr {
        uint32_t type;
        uint64_t offset, vaddr, filesz;
};

/* pread() exactly len bytes at off: 0, -ENOEXEC on a short read, or -errno. */
static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
        ssize_t n;

        if (off > INT64_MAX)
                return -ENOEXEC;
        /* A regular file (all callers checked) reads short only at its end. */
        n = pread(fd, buf, len, (off_t)off);
        if (n < 0)
                return NEG_ERRNO();
        return (size_t)n == len ? 0 : -ENOEXEC;
}

/* Is [off, off + len) inside a file of size fsize?  Overflow-safe. */
static bool in_file(uint64_t off, uint64_t len, uint64_t fsize)
{
        return off <= fsize && len <= fsize - off;
}

static int read_ehdr(int fd, struct ehdr *eh)
{
        union {
                unsigned char ident[EI_NIDENT];
                Elf64_Ehdr h64;
                Elf32_Ehdr h32;
        } u;
        struct stat st;
        size_t phsize;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st.st_mode))
                return -ENOEXEC;
        n = pread(fd, &u, sizeof(u), 0);
        if (n < (ssize_t)sizeof(u.h32) || memcmp(u.ident, ELFMAG, SELFMAG) != 0 || u.ident[EI_DATA] != HOST_DATA ||
            u.ident[EI_VERSION] != EV_CURRENT)
                return n < 0 ? NEG_ERRNO() : -ENOEXEC;
        if (u.ident[EI_CLASS] == ELFCLASS64 && n >= (ssize_t)sizeof(u.h64)) {
                *eh = (struct ehdr){ ELFCLASS64,    u.h64.e_type,  u.h64.e_machine,
                                     u.h64.e_phnum, u.h64.e_phoff, (uint64_t)st.st_size };
                phsize = u.h64.e_phentsize == sizeof(Elf64_Phdr) ? sizeof(Elf64_Phdr) : 0;
        } else if (u.ident[EI_CLASS] == ELFCLASS32) {
                *eh = (struct ehdr){ ELFCLASS32,    u.h32.e_type,  u.h32.e_machine,
                                     u.h32.e_phnum, u.h32.e_phoff, (uint64_t)st.st_size };
                phsize = u.h32.e_phentsize == sizeof(Elf32_Phdr) ? sizeof(Elf32_Phdr) : 0;
        } else
                return -ENOEXEC;
        /* PN_XNUM (the count in section 0) is only used by core files. */
        if (eh->phnum && (eh->phnum == PN_XNUM || !phsize || !in_file(eh->phoff, eh->phnum * phsize, eh->fsize)))
                return -ENOEXEC;
        return 0;
}

/*
 * Read program headers [first, first + n) of the table (bounds-checked by
 * read_ehdr()) into ph, with as few pread() calls as a 4 KiB buffer on the
 * stack allows (one for any ordinary binary).  Allocates nothing: the child
 * calls it, after clone3() (exec_failed() in child.c).
 */
static int read_phdrs(int fd, const struct ehdr *eh, unsigned first, unsigned n, struct phdr *ph)
{
        union {
                Elf64_Phdr p64[4096 / sizeof(Elf64_Phdr)];
                Elf32_Phdr p32[4096 / sizeof(Elf32_Phdr)];
        } u;
        size_t size = eh->class == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        unsigned per = (unsigned)(sizeof(u) / size);

        for (unsigned done = 0; done < n;) {
                unsigned k = n - done < per ? n - done : per;
                int r = pread_full(fd, &u, k * size, eh->phoff + (uint64_t)(first + done) * size);

                if (r < 0)
                        return r;
                for (unsigned i = 0; i < k; i++, done++)
                        if (eh->class == ELFCLASS64)
                                ph[done] = (struct phdr){ u.p64[i].p_type, u.p64[i].p_offset, u.p64[i].p_vaddr,
                                                          u.p64[i].p_filesz };
                        else
                                ph[done] = (struct phdr){ u.p32[i].p_type, u.p32[i].p_offset, u.p32[i].p_vaddr,
                                                          u.p32[i].p_filesz };
        }
        return 0;
}

/* The PT_INTERP of the n program headers ph into buf: its length, 0 for none, or -errno. */
static int read_interp(int fd, const struct ehdr *eh, const struct phdr *ph, unsigned n, char *buf, size_t len)
{
        size_t l;
        int r;

        for (unsigned i = 0; i < n; i++) {
                if (ph[i].type != PT_INTERP)
                        continue;
                if (ph[i].filesz == 0 || !in_file(ph[i].offset, ph[i].filesz, eh->fsize))
                        return -ENOEXEC;
                if (ph[i].filesz > len || ph[i].filesz > INT_MAX)
                        return -ENAMETOOLONG;
                r = pread_full(fd, buf, ph[i].filesz, ph[i].offset);
                if (r < 0)
                        return r;
                l = strnlen(buf, ph[i].filesz);
                if (l == ph[i].filesz) { /* not NUL-terminated in the file */
                        if (l >= len)
                                return -ENAMETOOLONG;
                        buf[l] = '\0';
                }
                return l == 0 ? -ENOEXEC : (int)l;
        }
        return 0;
}

int vb_elf_interp_fd(int fd, char *buf, size_t len)
{
        struct ehdr eh = { 0 };
        struct phdr ph[64];
        int r;

        r = read_ehdr(fd, &eh);
        for (unsigned first = 0; r >= 0 && first < eh.phnum; first += ELEMENTSOF(ph)) {
                unsigned n = eh.phnum - first < ELEMENTSOF(ph) ? eh.phnum - first : (unsigned)ELEMENTSOF(ph);

                r = read_phdrs(fd, &eh, first, n, ph);
                if (r >= 0)
                        r = read_interp(fd, &eh, ph, n, buf, len);
                if (r != 0)
                        return r;
        }
        return r < 0 ? r : 0;
}

/* ---- ELF dynamic section ----------------------------------------------- */

struct elf_info {
        char *interp;
        char *soname;
        char *runpath;
        char *rpath;   /* NULL when the object has a DT_RUNPATH, as in glibc */
        char **needed; /* NULL-terminated */
        bool dlopen;   /* "dlopen" is a string of its dynamic string table: it may load code at run time */
};

static void elf_info_done(struct elf_info *info)
{
        free(info->interp);
        free(info->soname);
        free(info->runpath);
        free(info->rpath);
        vb_strv_free(info->needed);
        *info = (struct elf_info){ 0 };
}

/* The dynamic entries we read, in elf_info's string order after DT_STRTAB and DT_STRSZ. */
enum { D_STRTAB, D_STRSZ, D_SONAME, D_RUNPATH, D_RPATH, D_MAX };
static const int64_t dyn_tags[D_MAX] = { DT_STRTAB, DT_STRSZ, DT_SONAME, DT_RUNPATH, DT_RPATH };

struct dyn {
        int64_t tag;
        uint64_t val;
};

/* Map a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_off(const struct phdr *ph, unsigned n, uint64_t vaddr, uint64_t fsize, uint64_t *off)
{
        for (unsigned i = 0; i < n; i++) {
                if (ph[i].type != PT_LOAD || vaddr < ph[i].vaddr || vaddr - ph[i].vaddr >= ph[i].filesz)
                        continue;
                if (ph[i].offset > fsize || vaddr - ph[i].vaddr > fsize - ph[i].offset)
                        return -ENOEXEC;
                *off = ph[i].offset + (vaddr - ph[i].vaddr);
                return 0;
        }
        return -ENOEXEC;
}

/* Read the NUL-terminated string at idx of the string table [base, base + size). */
static int read_str(int fd, uint64_t base, uint64_t size, uint64_t idx, size_t max, char **out)
{
        _cleanup_free_ char *s = NULL;
        size_t n;
        int r;

        if (idx >= size)
                return -ENOEXEC;
        n = size - idx < max ? (size_t)(size - idx) : max;
        s = malloc(n);
        if (!s)
                return -ENOMEM;
        r = pread_full(fd, s, n, base + idx);
        if (r < 0)
                return r;
        if (!memchr(s, '\0', n))
                return -ENOEXEC;
        *out = strdup(s);
        return *out ? 0 : -ENOMEM;
}

#define MAX_STRTAB_SCAN (16u << 20)

/*
 * Is "dlopen" one of the strings of the table [base, base + size)?  An object that calls dlopen()
 * names it there (as an undefined symbol); libc, which defines it, is not asked.
 */
static int strtab_names_dlopen(int fd, uint64_t base, uint64_t size, bool *found)
{
        static const char word[] = "dlopen";
        _cleanup_free_ char *buf = NULL;
        int r;

        *found = false;
        if (size > MAX_STRTAB_SCAN)
                size = MAX_STRTAB_SCAN;
        buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        r = pread_full(fd, buf, size, base);
        if (r < 0)
                return r;
        buf[size] = '\0';
        for (const char *p = buf; p < buf + size; p += strlen(p) + 1)
                if (strcmp(p, word) == 0) {
                        *found = true;
                        break;
                }
        return 0;
}

/* Fill info's strings from the dynamic entries d[0..n), which end at DT_NULL. */
static int dyn_strings(int fd, const struct ehdr *eh, const struct phdr *ph, const struct dyn *d, size_t n,
                       struct elf_info *info)
{
        char **strs[D_MAX] = { [D_SONAME] = &info->soname, [D_RUNPATH] = &info->runpath, [D_RPATH] = &info->rpath };
        uint64_t val[D_MAX] = { 0 }, base, size;
        bool has[D_MAX] = { false };
        size_t n_needed = 0, k = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                n_needed += d[i].tag == DT_NEEDED;
                for (size_t t = 0; t < D_MAX; t++)
                        if (d[i].tag == dyn_tags[t])
                                val[t] = d[i].val, has[t] = true;
        }
        has[D_RPATH] &= !has[D_RUNPATH]; /* glibc ignores DT_RPATH then */
        if (!has[D_STRTAB])
                return n_needed || has[D_SONAME] || has[D_RUNPATH] || has[D_RPATH] ? -ENOEXEC : 0;
        r = vaddr_to_off(ph, eh->phnum, val[D_STRTAB], eh->fsize, &base);
        if (r < 0)
                return r;
        size = has[D_STRSZ] && val[D_STRSZ] < eh->fsize - base ? val[D_STRSZ] : eh->fsize - base;
        for (size_t t = D_SONAME; t < D_MAX; t++)
                if (has[t] &&
                    (r = read_str(fd, base, size, val[t], t == D_SONAME ? PATH_MAX : MAX_RUNPATH_LEN, strs[t])) < 0)
                        return r;
        info->needed = calloc(n_needed + 1, sizeof(char *));
        if (!info->needed)
                return -ENOMEM;
        for (size_t i = 0; i < n && k < n_needed; i++) {
                if (d[i].tag != DT_NEEDED)
                        continue;
                r = read_str(fd, base, size, d[i].val, PATH_MAX, &info->needed[k]);
                if (r < 0)
                        return r;
                if (!info->needed[k++][0])
                        return -ENOEXEC;
        }
        return strtab_names_dlopen(fd, base, size, &info->dlopen);
}

static int read_dynamic(int fd, const struct ehdr *eh, const struct phdr *ph, struct elf_info *info)
{
        _cleanup_free_ unsigned char *buf = NULL;
        _cleanup_free_ struct dyn *d = NULL;
        size_t entsize = eh->class == ELFCLASS64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn), n;
        const struct phdr *dyn = NULL;
        int r;

        for (unsigned i = 0; i < eh->phnum; i++)
                if (ph[i].type == PT_DYNAMIC)
                        dyn = &ph[i];
        if (!dyn)
                return 0; /* static */
        if (dyn->filesz > MAX_DYNAMIC_SIZE || !in_file(dyn->offset, dyn->filesz, eh->fsize))
                return -ENOEXEC;
        buf = malloc(dyn->filesz + 1);
        d = calloc(dyn->filesz / entsize + 1, sizeof(*d));
        if (!buf || !d)
                return -ENOMEM;
        r = pread_full(fd, buf, dyn->filesz, dyn->offset);
        if (r < 0)
                return r;
        for (n = 0; n < dyn->filesz / entsize; n++) {
                if (eh->class == ELFCLASS64) {
                        Elf64_Dyn x;
                        memcpy(&x, buf + n * entsize, entsize);
                        d[n] = (struct dyn){ x.d_tag, x.d_un.d_val };
                } else {
                        Elf32_Dyn x;
                        memcpy(&x, buf + n * entsize, entsize);
                        d[n] = (struct dyn){ x.d_tag, x.d_un.d_val };
                }
                if (d[n].tag == DT_NULL)
                        break;
        }
        return dyn_strings(fd, eh, ph, d, n, info);
}

/*
 * Parse the ELF file open on fd.  It must be of the host's class, of machine
 * *machine (EM_NONE: any, then set) and, for a library, ET_DYN.
 * Returns 0 and fills *out, -ENOEXEC for anything else or malformed.
 */
static int elf_parse(int fd, uint16_t *machine, bool lib, struct elf_info *out)
{
        _cleanup_(elf_info_done) struct elf_info info = { 0 };
        _cleanup_free_ struct phdr *ph = NULL;
        char interp[PATH_MAX];
        struct ehdr eh = { 0 };
        int r;

        r = read_ehdr(fd, &eh);
        if (r < 0)
                return r;
        if (eh.class != HOST_CLASS || (*machine != EM_NONE && eh.machine != *machine) ||
            (eh.type != ET_DYN && (lib || eh.type != ET_EXEC)))
                return -ENOEXEC;
        ph = calloc(eh.phnum + 1u, sizeof(*ph));
        if (!ph)
                return -ENOMEM;
        r = read_phdrs(fd, &eh, 0, eh.phnum, ph);
        if (r >= 0)
                r = read_interp(fd, &eh, ph, eh.phnum, interp, sizeof(interp));
        if (r < 0)
                return r == -ENAMETOOLONG ? -ENOEXEC : r;
        if (r > 0 && !(info.interp = strdup(interp)))
                return -ENOMEM;
        r = read_dynamic(fd, &eh, ph, &info);
        if (r < 0)
                return r;
        *machine = eh.machine;
        *out = info;
        info = (struct elf_info){ 0 };
        return 0;
}

/* ---- the result ------------------------------------------------------------ */

struct ctx {
        int rootfd;
        uint16_t machine;
        struct vb_elf_closure res;
        size_t res_cap;
        struct node *nodes;
        size_t n_nodes, cap_nodes;
        char *cache; /* /etc/ld.so.cache, NULL when absent or unusable */
        size_t cache_size, cache_hdr;
        uint32_t cache_nlibs;
        bool cache_loaded;
};

void vb_elf_closure_done(struct vb_elf_closure *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n; i++) {
                free(c->entries[i].path);
                free(c->entries[i].target);
        }
        free(c->entries);
        *c = (struct vb_elf_closure){ 0 };
}

static bool res_has(const struct ctx *c, const char *path)
{
        for (size_t i = 0; i < c->res.n; i++)
                if (strcmp(c->res.entries[i].path, path) == 0)
                        return true;
        return false;
}

/* Add a copy of (kind, path, target) to the result unless path is listed already. */
static int res_add(struct ctx *c, enum vb_elf_kind kind, const char *path, const char *target)
{
        _cleanup_free_ char *p = NULL, *t = NULL;

        if (res_has(c, path))
                return 0;
        if (c->res.n == c->res_cap) {
                size_t cap = c->res_cap ? 2 * c->res_cap : 16;
                struct vb_elf_entry *e = reallocarray(c->res.entries, cap, sizeof(*e));
                if (!e)
                        return -ENOMEM;
                c->res.entries = e;
                c->res_cap = cap;
        }
        p = strdup(path);
        if (!p || (target && !(t = strdup(target))))
                return -ENOMEM;
        c->res.entries[c->res.n++] = (struct vb_elf_entry){ kind, TAKE_PTR(p), TAKE_PTR(t) };
        return 0;
}

/* Drop the entries added since the result had n (a candidate was refused). */
static void res_truncate(struct ctx *c, size_t n)
{
        for (; c->res.n > n; c->res.n--) {
                free(c->res.entries[c->res.n - 1].path);
                free(c->res.entries[c->res.n - 1].target);
        }
}

/* ---- path resolution under the sysroot ---------------------------------- */

/* Path relative to the sysroot fd: "/usr/lib" -> "usr/lib", "" -> ".". */
static const char *rel(const char *abs)
{
        while (*abs == '/')
                abs++;
        return *abs ? abs : ".";
}

static int readlink_rel(int rootfd, const char *path, char **out)
{
        char buf[PATH_MAX];
        ssize_t n = readlinkat(rootfd, rel(path), buf, sizeof(buf));

        if (n < 0)
                return NEG_ERRNO();
        if ((size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        if (n == 0)
                return -ENOENT;
        buf[n] = '\0';
        *out = strdup(buf);
        return *out ? 0 : -ENOMEM;
}

/*
 * Resolve the absolute path `path` under the sysroot one component at a time,
 * like the kernel would, into the path of a regular file (*real, normalised,
 * no symlinks).  Each symlink met is added to the result when `record`.
 * Components already resolved are real directories, so the fstatat() calls
 * below never follow a symlink out of the sysroot.
 */
static int resolve(struct ctx *c, const char *path, char **real, bool record)
{
        _cleanup_free_ char *rest = strdup(path), *cur = strdup("");
        unsigned hops = 0;
        struct stat st;
        const char *p;
        int r;

        if (!rest || !cur)
                return -ENOMEM;
        for (p = rest;;) {
                _cleanup_free_ char *cand = NULL, *target = NULL;
                size_t len;

                p += strspn(p, "/");
                if (!*p)
                        break;
                len = strcspn(p, "/");
                if (len == 1 && p[0] == '.') {
                        p += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        char *slash = strrchr(cur, '/');
                        if (slash) /* at the root, /.. is / */
                                *slash = '\0';
                        p += len;
                        continue;
                }
                if (asprintf(&cand, "%s/%.*s", cur, (int)len, p) < 0)
                        return -ENOMEM;
                p += len;
                if (fstatat(c->rootfd, rel(cand), &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return NEG_ERRNO();
                if (!S_ISLNK(st.st_mode)) {
                        if (!S_ISDIR(st.st_mode) && *p) /* "file/..." or "file/" */
                                return -ENOTDIR;
                        free(cur);
                        cur = TAKE_PTR(cand);
                        continue;
                }
                if (++hops > MAX_SYMLINK_HOPS)
                        return -ELOOP;
                r = readlink_rel(c->rootfd, cand, &target);
                if (r < 0)
                        return r;
                if (record && (r = res_add(c, VB_ELF_SYMLINK, cand, target)) < 0)
                        return r;
                /* Continue with the target, relative to the link's directory. */
                if (target[0] == '/')
                        cur[0] = '\0';
                free(cand);
                if (asprintf(&cand, "%s%s", target, p) < 0) /* p is "" or starts with '/' */
                        return -ENOMEM;
                free(rest);
                p = rest = TAKE_PTR(cand);
        }
        /* Stat again: the last step may have been a symlink, "." or "..". */
        if (fstatat(c->rootfd, rel(cur), &st, AT_SYMLINK_NOFOLLOW) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EACCES;
        *real = TAKE_PTR(cur);
        return 0;
}

/* ---- objects ------------------------------------------------------------- */

struct node {
        char *name;    /* DT_NEEDED string or loader path it was found by; NULL for the binary */
        char *real;    /* resolved path, as listed in the result */
        char *origin;  /* $ORIGIN */
        size_t loader; /* index of the object that needed it; SIZE_MAX for the binary */
        struct elf_info info;
};

static void ctx_done(struct ctx *c)
{
        for (size_t i = 0; i < c->n_nodes; i++) {
                free(c->nodes[i].name);
                free(c->nodes[i].real);
                free(c->nodes[i].origin);
                elf_info_done(&c->nodes[i].info);
        }
        free(c->nodes);
        free(c->cache);
        vb_elf_closure_done(&c->res);
        vb_closep(&c->rootfd);
}

/* Is a library of this name loaded already (by the name it was asked for, or its soname)? */
static bool node_has_name(const struct ctx *c, const char *name)
{
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *n = &c->nodes[i];
                if ((n->name && strcmp(n->name, name) == 0) || (n->info.soname && strcmp(n->info.soname, name) == 0))
                        return true;
        }
        return false;
}

/* Open and parse the resolved file real (lib: it must be a shared object). */
static int load_elf(struct ctx *c, const char *real, bool lib, struct elf_info *info)
{
        _cleanup_close_ int fd = -1;

        /* O_NONBLOCK: a FIFO swapped in after resolve() must not hang us;
         * read_ehdr() then refuses anything but a regular file. */
        fd = openat(c->rootfd, rel(real), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return NEG_ERRNO();
        return elf_parse(fd, &c->machine, lib, info);
}

static int dirname_dup(const char *path, char **out)
{
        const char *slash = strrchr(path, '/');
        size_t len = slash && slash != path ? (size_t)(slash - path) : 1;

        *out = strndup(slash ? path : "/", len);
        return *out ? 0 : -ENOMEM;
}

static int add_node(struct ctx *c, size_t loader, const char *name, const char *path, char **real)
{
        _cleanup_(elf_info_done) struct elf_info info = { 0 };
        _cleanup_free_ char *origin = NULL;
        struct node *n;
        int r;

        r = load_elf(c, *real, loader != SIZE_MAX, &info);
        if (r < 0)
                return r;
        /* The kernel gives the binary's $ORIGIN fully resolved, ld.so gives a
         * library's from the path it was found by. */
        r = dirname_dup(loader == SIZE_MAX ? *real : path, &origin);
        if (r < 0)
                return r;
        if (c->n_nodes == c->cap_nodes) {
                size_t cap = c->cap_nodes ? 2 * c->cap_nodes : 8;
                n = reallocarray(c->nodes, cap, sizeof(*n));
                if (!n)
                        return -ENOMEM;
                c->nodes = n;
                c->cap_nodes = cap;
        }
        r = res_add(c, VB_ELF_FILE, *real, NULL);
        if (r < 0)
                return r;
        n = &c->nodes[c->n_nodes++];
        *n = (struct node){ .real = TAKE_PTR(*real), .origin = TAKE_PTR(origin), .loader = loader, .info = info };
        info = (struct elf_info){ 0 };
        /* On failure the node stays, freed by ctx_done(): -ENOMEM ends the closure anyway. */
        if (name && !(n->name = strdup(name)))
                return -ENOMEM;
        return 0;
}

/*
 * Add the object at `path` (absolute, under the sysroot), needed by node
 * `loader` under `name`: resolve it, check it, record its symlinks and file.
 * Returns 0, or -errno when it cannot be used (-ENOEXEC: wrong kind of file);
 * the result is then as before.
 */
static int add_object(struct ctx *c, size_t loader, const char *name, const char *path)
{
        _cleanup_free_ char *real = NULL;
        size_t mark = c->res.n;
        int r;

        r = resolve(c, path, &real, true);
        /* An object met before by another path is already checked and listed. */
        if (r >= 0 && !res_has(c, real))
                r = add_node(c, loader, name, path, &real);
        if (r < 0)
                res_truncate(c, mark);
        return r;
}

/* ---- library search -------------------------------------------------------- */

/* Length of the dynamic string token `name` at p (just after '$'), or 0. */
static size_t dst_len(const char *p, const char *name)
{
        size_t n = strlen(name);

        if (p[0] == '{')
                return strncmp(p + 1, name, n) == 0 && p[1 + n] == '}' ? n + 2 : 0;
        return strncmp(p, name, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_' ? n : 0;
}

/* Expand $ORIGIN, $LIB and $PLATFORM (also ${...}) in s[0..len); unknown tokens stay. */
static char *expand_dst(const char *s, size_t len, const char *origin, const char *lib)
{
        const char *platform = (const char *)getauxval(AT_PLATFORM);
        const char *const dst[][2] = { { "ORIGIN", origin }, { "LIB", lib }, { "PLATFORM", platform ?: "" } };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                size_t t, n = 0;
                for (t = 0; s[i] == '$' && t < ELEMENTSOF(dst) && !n; t++)
                        n = dst_len(s + i + 1, dst[t][0]);
                if (n) {
                        fputs(dst[t - 1][1], f);
                        i += n;
                } else
                        fputc(s[i], f);
        }
        if (fclose(f) == 0)
                return buf;
        free(buf);
        return NULL;
}

/* Try dir/name.  Returns 1 when found, 0 when not usable, -ENOMEM. */
static int try_dir(struct ctx *c, size_t loader, const char *dir, const char *name)
{
        _cleanup_free_ char *path = NULL;
        int r;

        if (dir[0] != '/')
                return 0; /* relative search dirs depend on the cwd: never reproducible */
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        r = add_object(c, loader, name, path);
        if (r == -ENOMEM)
                return r;
        return r == 0;
}

/* Search a colon-separated DT_RPATH/DT_RUNPATH list with the given $ORIGIN. */
static int search_list(struct ctx *c, size_t loader, const char *list, const char *origin, const char *name)
{
        for (const char *p = list; *p;) {
                size_t len = strcspn(p, ":");
                bool has_lib = memmem(p, len, "$LIB", 4) || memmem(p, len, "${LIB}", 6);
                for (size_t v = 0; v < (has_lib ? ELEMENTSOF(lib_values) : 1); v++) {
                        _cleanup_free_ char *dir = expand_dst(p, len, origin, lib_values[v]);
                        int r;
                        if (!dir)
                                return -ENOMEM;
                        r = try_dir(c, loader, dir, name);
                        if (r != 0)
                                return r;
                }
                p += len;
                p += *p == ':';
        }
        return 0;
}

/* ---- /etc/ld.so.cache ------------------------------------------------------ */

#define CACHE_OLD_MAGIC "ld.so-1.7.0"
#define CACHE_NEW_MAGIC "glibc-ld.so.cache1.1"
#define CACHE_OLD_HDR   16 /* magic[11] + pad, uint32 nlibs */
#define CACHE_OLD_ENTRY 12 /* int32 flags, uint32 key, value */
#define CACHE_NEW_HDR   48 /* magic[20], nlibs, len_strings, flags, pad, ext, unused */
#define CACHE_NEW_ENTRY 24 /* int32 flags, uint32 key, value, osversion, uint64 hwcap */

static uint32_t get_u32(const char *p)
{
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

/* Check and locate the new-format table in c->cache.  -ENOEXEC when unusable. */
static int cache_check(struct ctx *c)
{
        uint64_t off = 0;

        if (c->cache_size >= CACHE_OLD_HDR && memcmp(c->cache, CACHE_OLD_MAGIC, strlen(CACHE_OLD_MAGIC)) == 0) {
                /* Old format, optionally followed by the new one, 8-byte aligned. */
                off = CACHE_OLD_HDR + (uint64_t)get_u32(c->cache + 12) * CACHE_OLD_ENTRY;
                off = (off + 7) & ~(uint64_t)7;
        }
        if (!in_file(off, CACHE_NEW_HDR, c->cache_size) ||
            memcmp(c->cache + off, CACHE_NEW_MAGIC, strlen(CACHE_NEW_MAGIC)) != 0)
                return -ENOEXEC;
        c->cache_hdr = (size_t)off;
        c->cache_nlibs = get_u32(c->cache + off + 20);
        if ((c->cache_size - off - CACHE_NEW_HDR) / CACHE_NEW_ENTRY < c->cache_nlibs)
                return -ENOEXEC;
        return 0;
}

/* Load the sysroot's /etc/ld.so.cache once.  A missing or bad cache is no error. */
static int cache_load(struct ctx *c)
{
        _cleanup_free_ char *real = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (c->cache_loaded)
                return 0;
        c->cache_loaded = true;
        r = resolve(c, "/etc/ld.so.cache", &real, false);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        fd = openat(c->rootfd, rel(real), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_CACHE_SIZE)
                return 0;
        c->cache_size = (size_t)st.st_size;
        c->cache = malloc(c->cache_size + 1);
        if (!c->cache)
                return -ENOMEM;
        if (pread_full(fd, c->cache, c->cache_size, 0) < 0 || cache_check(c) < 0) {
                free(TAKE_PTR(c->cache));
                c->cache_size = 0;
        }
        return 0;
}

/* String at offset off from the new header, or NULL when out of bounds. */
static const char *cache_str(const struct ctx *c, uint32_t off)
{
        size_t avail = c->cache_size - c->cache_hdr;

        if (off >= avail || !memchr(c->cache + c->cache_hdr + off, '\0', avail - off))
                return NULL;
        return c->cache + c->cache_hdr + off;
}

/* Try every ld.so.cache entry for name of the host's flavour, in cache order. */
static int search_cache(struct ctx *c, size_t loader, const char *name)
{
        int r = cache_load(c);

        if (r < 0 || !c->cache)
                return r;
        for (uint32_t i = 0; i < c->cache_nlibs; i++) {
                const char *e = c->cache + c->cache_hdr + CACHE_NEW_HDR + (size_t)i * CACHE_NEW_ENTRY;
                const char *key, *value;
                uint64_t hwcap;

                memcpy(&hwcap, e + 16, sizeof(hwcap));
                /* hwcap != 0: a glibc-hwcaps subdirectory variant, chosen by CPU; the
                 * baseline entry for the same name is always present too. */
                if (get_u32(e) != HOST_CACHE_FLAGS || hwcap != 0)
                        continue;
                key = cache_str(c, get_u32(e + 4));
                value = cache_str(c, get_u32(e + 8));
                if (!key || !value || strcmp(key, name) != 0 || value[0] != '/')
                        continue;
                r = add_object(c, loader, name, value);
                if (r == -ENOMEM || r == 0)
                        return r == 0 ? 1 : r;
        }
        return 0;
}

/* Find the library `name` needed by node i.  1: found, 0: not found, or -ENOMEM. */
static int search_lib(struct ctx *c, size_t i, const char *name)
{
        /* Strings, unlike c->nodes, do not move when nodes are added. */
        const char *runpath = c->nodes[i].info.runpath, *origin = c->nodes[i].origin;
        int r;

        if (!runpath)
                for (size_t l = i; l != SIZE_MAX; l = c->nodes[l].loader) {
                        if (!c->nodes[l].info.rpath)
                                continue;
                        r = search_list(c, i, c->nodes[l].info.rpath, c->nodes[l].origin, name);
                        if (r != 0)
                                return r;
                }
        if (runpath && (r = search_list(c, i, runpath, origin, name)) != 0)
                return r;
        r = search_cache(c, i, name);
        if (r != 0)
                return r;
        for (size_t d = 0; d < ELEMENTSOF(default_dirs); d++) {
                r = try_dir(c, i, default_dirs[d], name);
                if (r != 0)
                        return r;
        }
        return 0;
}

/* ---- the closure ------------------------------------------------------------ */

static int set_missing(char **missing, int r, const char *fmt, ...) VB_PRINTF(3, 4);
static int set_missing(char **missing, int r, const char *fmt, ...)
{
        va_list ap;

        if (!missing || *missing)
                return r;
        va_start(ap, fmt);
        if (vasprintf(missing, fmt, ap) < 0)
                *missing = NULL;
        va_end(ap);
        return r;
}

/* Load every DT_NEEDED library of node i. */
static int process_node(struct ctx *c, size_t i, char **missing)
{
        _cleanup_strv_free_ char **needed = TAKE_PTR(c->nodes[i].info.needed);
        int r;

        for (char **n = needed; n && *n; n++) {
                if (node_has_name(c, *n))
                        continue;
                if (strchr(*n, '/')) {
                        /* A relative path is opened from ld.so's cwd: not reproducible. */
                        r = (*n)[0] == '/' ? add_object(c, i, *n, *n) : -ENOENT;
                        r = r == 0 ? 1 : r == -ENOMEM ? r : 0;
                } else
                        r = search_lib(c, i, *n);
                if (r < 0)
                        return r;
                if (r == 0)
                        return set_missing(missing, -ENOENT, "%s (needed by %s)", *n, c->nodes[i].real);
        }
        return 0;
}

/* Make path absolute: relative paths are taken from the cwd, only without a sysroot. */
static int abs_path(const char *root, const char *path, char **out)
{
        _cleanup_free_ char *cwd = NULL;

        if (path[0] == '/')
                *out = strdup(path);
        else if (root[0] && strcmp(root, "/") != 0)
                return -EINVAL;
        else if (!(cwd = getcwd(NULL, 0)))
                return NEG_ERRNO();
        else if (asprintf(out, "%s/%s", cwd, path) < 0)
                *out = NULL;
        return *out ? 0 : -ENOMEM;
}

int vb_elf_closure(const char *root, const char *path, struct vb_elf_closure *out, char **missing)
{
        _cleanup_(ctx_done) struct ctx c = { .rootfd = -1, .machine = HOST_MACHINE };
        _cleanup_free_ char *abs = NULL;
        const char *interp;
        int r;

        if (missing)
                *missing = NULL;
        if (!root || !root[0])
                root = "/";
        r = abs_path(root, path, &abs);
        if (r < 0)
                return set_missing(missing, r, "%s", path);
        c.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c.rootfd < 0)
                return set_missing(missing, NEG_ERRNO(), "%s", root);
        r = add_object(&c, SIZE_MAX, NULL, abs);
        if (r < 0)
                return set_missing(missing, r, "%s", abs);
        interp = c.nodes[0].info.interp;
        if (interp) {
                /* The loader is not searched for: the kernel opens PT_INTERP as a path. */
                r = interp[0] == '/' ? add_object(&c, 0, interp, interp) : -ENOENT;
                if (r < 0)
                        return set_missing(missing, r, "%s (interpreter of %s)", interp, c.nodes[0].real);
        }
        for (size_t i = 0; i < c.n_nodes; i++) {
                r = process_node(&c, i, missing);
                if (r < 0)
                        return r;
        }
        *out = c.res;
        out->dlopen = c.nodes[0].info.dlopen;
        c.res = (struct vb_elf_closure){ 0 };
        return 0;
}
