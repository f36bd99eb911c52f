/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The voidshim command: subcommands and the one error format they all use. */
#ifndef SHIM_SHIM_H
#define SHIM_SHIM_H

#include "voidbuilder.h"

/* Fixed exit codes (doc/architecture.md, "Errors"). */
enum {
        SHIM_EXIT_USAGE = 100,  /* usage or spec error */
        SHIM_EXIT_SYSTEM = 111, /* system failure */
        SHIM_EXIT_NOEXEC = 126, /* program found but not executable */
        SHIM_EXIT_NOENT = 127,  /* program (or its loader) not found */
};

struct shim_command {
        const char *name;
        int (*run)(int argc, char **argv); /* argv[0] is the subcommand; returns the exit status */
        const char *summary;
};

extern const struct shim_command shim_commands[];

/*
 * Print "voidshim: fatal: unable to <what>: <cause>" on stderr and return code,
 * so callers write `return shim_fatal(SHIM_EXIT_USAGE, "parse", "...")`.
 */
int shim_fatal(int code, const char *what, const char *cause);
/* Same, with the cause taken from a vb_error (or strerror(-r) when err is NULL). */
int shim_fatal_err(int code, const char *what, const struct vb_error *err, int r);

/* The exit status of a run whose void ended with wait status ws: its own, 128+N for signal N, else 111. */
int shim_exit_status(int ws);
/* Read a whole file (at most 4 MiB: -EFBIG beyond) into *out (malloc'd, not NUL-terminated), *len bytes. */
int shim_read_all(const char *path, char **out, size_t *len);

int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
