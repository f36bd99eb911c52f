/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ELF dependency closure: what an empty root must hold for a host binary to
 * run at the same path (the binary, its PT_INTERP loader, its DT_NEEDED
 * libraries recursively, and every symlink met on the way).
 *
 * Pure userspace code: it only reads files, so it is unit-tested without root
 * (tests/unit/test_elf.c).
 */
#ifndef VB_ELF_H
#define VB_ELF_H

#include <stdbool.h>
#include <stddef.h>

#include "voidbuilder.h"

enum vb_elf_kind {
        VB_ELF_FILE,    /* a regular file, to be bound at `path` */
        VB_ELF_SYMLINK, /* a symlink `path` -> `target`, to be recreated */
};

struct vb_elf_entry {
        enum vb_elf_kind kind;
        char *path;   /* absolute, normalised, without the sysroot prefix */
        char *target; /* symlink contents exactly as read; NULL for files */
};

struct vb_elf_closure {
        struct vb_elf_entry *entries;
        size_t n;
        bool dlopen; /* the binary names dlopen(): it may load code at run time that no closure shows */
};

/*
 * Compute the dependency closure of the host binary `path`: one VB_ELF_FILE
 * entry for every regular file needed (the binary, its PT_INTERP loader, its
 * DT_NEEDED libraries, recursively, breadth-first) and one VB_ELF_SYMLINK
 * entry for every symlink met while resolving those paths, so that recreating
 * the symlinks and binding the files in an empty root reproduces the host's
 * resolution.  Entries are unique by path and in no particular order.
 *
 * Libraries are searched like glibc's ld.so does, except that LD_LIBRARY_PATH
 * is deliberately ignored: DT_RPATH of the object and of its loaders (only when
 * the object has no DT_RUNPATH), DT_RUNPATH, /etc/ld.so.cache, then the default
 * directories.  $ORIGIN, $LIB and $PLATFORM are expanded; relative search
 * directories are skipped.  A candidate counts only if it is an ELF shared
 * object of the binary's class and machine.
 *
 * `root` is a sysroot prefix (NULL or "" mean "/"): every path, including
 * absolute symlink targets, is looked up under it, and reported without it.
 * `path` must be absolute unless root is "/", in which case it may be relative
 * to the current directory.
 *
 * Returns 0 and fills *out (release with vb_elf_closure_done()); on failure
 * *out is left untouched.  Errors: -ENOEXEC when `path` (or its loader) is not
 * an ELF file of the host's class and machine, -ENOENT when the binary, its
 * loader or a needed library cannot be found, -EINVAL for a relative path with
 * a sysroot, -ENOMEM, or another -errno from the file system (-EACCES, -ELOOP).
 * If `missing` is non-NULL, *missing is set to NULL on entry and, on failure,
 * to a malloc'd string naming what was missing or unusable: either a path or
 * "libfoo.so.1 (needed by /usr/bin/x)".  The caller frees it.
 */
int vb_elf_closure(const char *root, const char *path, struct vb_elf_closure *out, char **missing)
        VB_NONNULL(2, 3) VB_WUR;

/* Free the contents of a closure and reset it to empty; accepts NULL. */
void vb_elf_closure_done(struct vb_elf_closure *c);

/*
 * Read the PT_INTERP string of the ELF file open on fd into buf (NUL-terminated),
 * using fstat() and pread() only: no malloc, so it may be called in a child
 * after clone3() to explain an execve() ENOENT.  Returns the string's length,
 * 0 when the file has no PT_INTERP (a static binary), -ENOEXEC when the file is
 * not a well-formed ELF file of the host's byte order, -ENAMETOOLONG when buf
 * is too small, or another -errno.
 */
int vb_elf_interp_fd(int fd, char *buf, size_t len) VB_WUR;

#endif
