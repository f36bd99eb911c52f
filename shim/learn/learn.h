/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim learn: run a program once in a void that watches it (seccomp user
 * notification: vb_void_observe()), then write the spec of what it used.
 *
 *   learn_watch.c  the observer: a thread that answers every notification with
 *                  "continue" and records the path, program or address it names
 *   learn_path.c   host paths: normalising, walking symlinks, what exists
 *   learn_spec.c   the records as grants, and the spec's JSON
 *   cmd_learn.c    the command: the learning void, the run, the file
 */
#ifndef SHIM_LEARN_H
#define SHIM_LEARN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int cmd_learn(int argc, char **argv);

/* What the program did with a path (learn_rec.seen). */
enum {
        SEEN_READ = 1 << 0,   /* opened for reading */
        SEEN_WRITE = 1 << 1,  /* opened for writing, truncated, its metadata changed */
        SEEN_LIST = 1 << 2,   /* opened as a directory (its entries read) */
        SEEN_STAT = 1 << 3,   /* looked at: stat, access, readlink, chdir */
        SEEN_EXEC = 1 << 4,   /* executed */
        SEEN_CHANGE = 1 << 5, /* an entry was created, removed or renamed in it (a directory) */
};

struct learn_rec {
        char *path;    /* absolute, as the void saw it, "." ".." and "//" folded */
        unsigned seen; /* SEEN_* */
        bool existed;  /* it existed when first seen (before the call ran) */
        mode_t type;   /* S_IFMT of what existed, or 0 */
};

/* A connection the program made. */
struct learn_conn {
        int family; /* AF_UNIX, AF_INET, AF_INET6 */
        bool dgram; /* SOCK_DGRAM */
        char *addr; /* a unix path (abstract: "@name"), or the numeric address */
        unsigned port;
};

struct learn_log {
        pthread_mutex_t lock;
        struct learn_rec *recs;
        size_t n_recs, cap_recs;
        struct learn_conn *conns;
        size_t n_conns;
        unsigned long notifications, unreadable; /* how many were seen, and how many could not be read */
};

/* The observer thread: started before the spawn, stopped after the void ends. */
struct learn_watch {
        pthread_t thread;
        int sock;    /* our end of the socket the child sends the listener over */
        int stop[2]; /* a pipe: writing to stop[1] ends the thread */
        struct learn_log *log;
        bool started;
};

/* The system calls observed (libseccomp names, NULL-terminated). */
extern const char *const learn_syscalls[];

/* Start the observer on sock (borrowed until learn_watch_stop()).  0 or -errno. */
int learn_watch_start(struct learn_watch *w, int sock, struct learn_log *log);
/* Stop it and wait for it; the log is complete then.  Idempotent. */
void learn_watch_stop(struct learn_watch *w);
void learn_log_done(struct learn_log *log);

struct stat;
/* Record: path (absolute, as the void sees it) seen with the flags; st: what it was (NULL: nothing).  -ENOMEM. */
int learn_log_path(struct learn_log *log, const char *path, unsigned seen, const struct stat *st);
int learn_log_conn(struct learn_log *log, int family, bool dgram, const char *addr, unsigned port);

/* ---- paths (learn_path.c) ------------------------------------------------ */

/* base + "/" + rel made absolute with "." ".." "//" folded lexically (rel absolute: base ignored).  malloc'd. */
char *learn_abs_path(const char *base, const char *rel);
/* Is path equal to dir or below it? */
bool learn_path_under(const char *path, const char *dir);

/* A symlink met on the way to a path: `at` links to `target`. */
struct learn_link {
        char *at, *target;
};

/*
 * Resolve host path on the host one component at a time, as the kernel
 * would, recording each symlink met (links, *n_links; appended, deduplicated)
 * and returning the physical path (malloc'd) in *out.  -ELOOP, -ENOMEM;
 * a missing component is not an error (the rest is kept as written).
 */
int learn_resolve(const char *path, char **out, struct learn_link **links, size_t *n_links);
void learn_links_free(struct learn_link *links, size_t n);

/* ---- the spec (learn_spec.c) --------------------------------------------- */

/* What was learned, and from what command. */
struct learn_input {
        const struct learn_log *log;
        const char *cwd;     /* the caller's working directory (physical) */
        const char *program; /* the spec's program: the host program run, or a script's interpreter */
        char **argv;         /* the spec's static words (a script's interpreter argument and path), or NULL */
        char **words;        /* the words after PROGRAM (NULL-terminated) */
        char **word_paths;   /* for each word, what it named when learn started (absolute), or NULL */
        size_t n_words;
        char **env;            /* NAME=VALUE given to the learning void (NULL-terminated) */
        const char *name;      /* the entrypoint's name */
        const char *const *rw; /* the learning void's writable host directories (NULL-terminated) */
        int status;            /* the program's exit status */
        char *command;         /* the command line, for the description */
};

/* A summary of the spec, for the line learn prints. */
struct learn_summary {
        size_t mounts, programs, conns, words, refused;
        char *refused_first; /* a write the learning void refused (read-only), or NULL */
};

/*
 * The spec of what in->log shows, as JSON text (malloc'd): one entrypoint
 * running in->program with the words given to `voidshim exec SPEC --`, a
 * grant for each path, program and connection with a "why", generalised to
 * the words of the command line where the program used what they name.
 * -ENOMEM.
 */
int learn_spec(const struct learn_input *in, char **out, struct learn_summary *sum);

#endif
