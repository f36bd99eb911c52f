/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing for `voidshim run`, kept apart from everything with side
 * effects so it can be unit-tested (minijail0_cli.c): vb_cli_parse() turns the
 * options into a plan (include/voidbuilder/plan.h), in command-line order, and
 * returns an error; it never prints and never exits.
 */
#ifndef SHIM_CLI_H
#define SHIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "voidbuilder.h"
#include "voidbuilder/plan.h"
#include "voidbuilder/spec.h"

enum run_net_choice { NET_NONE, NET_LOOPBACK, NET_SHARED };

/* What `voidshim run` was asked: a plan, and what to do with it. */
struct run_opts {
        struct vb_plan *plan;
        bool explain, json, verbose, help, version, seccomp_print;
        /* Parsing state: what an option says about the ones after it. */
        uint64_t next_size; /* --size for the next --tmpfs */
        enum run_net_choice net;
        bool net_given; /* --net or --share net seen */
        bool no_stdio;
        char *argv0;                       /* --argv0: the program's argv[0], when not its path */
        struct vb_spec_profile **profiles; /* --profile: each loaded, in order (for explain) */
        size_t n_profiles;
        int info_fd;   /* --info-fd: the void's pid as one JSON object, then closed; -1 */
        int status_fd; /* --json-status-fd: the pid, then the exit status, as JSON lines; -1 */
};

/*
 * Parse the arguments of `voidshim run` (argv[0] is "run").  On error returns
 * -EINVAL (-ENOMEM) and stores a malloc'd one-line cause in *why ("unknown
 * option '--frob'"); o is left for run_opts_done() either way.  argv may be
 * edited in place.
 */
int vb_cli_parse(int argc, char **argv, struct run_opts *o, char **why);
/* The same, where the program may be left out (voidshim session begin): the plan then holds a reaper alone. */
int vb_cli_parse_opts(int argc, char **argv, bool program_optional, struct run_opts *o, char **why);
void run_opts_done(struct run_opts *o);
/* The help text of `voidshim run`. */
const char *vb_cli_usage(void);

#endif
