/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim learn [-o SPEC] [OPTION...] -- PROGRAM [ARGS...]: run PROGRAM once
 * in a void that watches it, then write the spec of what it used
 * (voidshim-learn(1)).
 *
 * The learning void must let the program do what it does, so it is
 * permissive: the host's tree read-only (fs shared), a fresh /proc and a
 * minimal /dev, a /tmp of its own, the caller's network, and writable: the
 * working directory, the directories of the paths on the command line and
 * each --write DIR.  Every process in it stops at each call of
 * learn_syscalls until the observer (learn_watch.c) has read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "learn/learn.h"
#include "shim.h"
#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"
#include "voidbuilder/plan.h"

#define LEARN_PATH "/usr/local/bin:/usr/bin:/bin"

static const char usage[] = "usage: voidshim learn [-o SPEC] [--name NAME] [--write DIR]... [--setenv NAME VALUE]...\n"
                            "                      [--keep-env NAME]... [--] PROGRAM [ARGS...]\n"
                            "\n"
                            "Run PROGRAM once in a void that watches which paths it opens (read or written),\n"
                            "which programs it runs and which sockets it connects to, and write a spec that\n"
                            "grants exactly those (doc/spec-format.md), each grant with a \"why\".  Then\n"
                            "voidshim exec SPEC -- ARGS runs it again in a void holding only that: the paths\n"
                            "the words of the command line named become the paths the new words name.\n"
                            "\n"
                            "The learning void holds the host's tree read-only, a fresh /proc, a minimal /dev,\n"
                            "a /tmp of its own and the caller's network; it can write the working directory,\n"
                            "the directories of the paths on the command line, and each --write DIR.\n"
                            "Writes elsewhere fail there (the spec still grants them writable).\n"
                            "\n"
                            "  -o SPEC, --output SPEC  write the spec to SPEC (default: standard output); it is\n"
                            "                          written only when the program started, in one rename\n"
                            "  --name NAME             the entrypoint's name (default: PROGRAM's base name)\n"
                            "  --write DIR             let the program write DIR while it is learned\n"
                            "  --setenv NAME VALUE     a variable, for the run and in the spec\n"
                            "  --keep-env NAME         NAME from voidshim's environment, if set (PATH is\n"
                            "                          " LEARN_PATH " unless given)\n"
                            "\n"
                            "Exit status: PROGRAM's own; 100 usage error, 111 system failure, 126 PROGRAM not\n"
                            "executable, 127 PROGRAM not found (no spec is written then).  See voidshim-learn(1).\n";

struct learn_opts {
        const char *output, *name;
        char **write; /* --write DIRs (NULL-terminated) */
        size_t n_write;
        char **env; /* NAME=VALUE */
        size_t n_env;
        int first; /* index of PROGRAM in argv */
};

static void opts_done(struct learn_opts *o)
{
        vb_strv_free(o->write);
        vb_strv_free(o->env);
}

static int strv_add(char ***v, size_t *n, char *s)
{
        char **g;

        if (!s)
                return -ENOMEM;
        g = reallocarray(*v, *n + 2, sizeof(char *));
        if (!g) {
                free(s);
                return -ENOMEM;
        }
        *v = g;
        g[(*n)++] = s;
        g[*n] = NULL;
        return 0;
}

static int add_env(struct learn_opts *o, const char *name, const char *value)
{
        char *s = NULL;

        for (size_t i = 0; i < o->n_env; i++)
                if (strncmp(o->env[i], name, strlen(name)) == 0 && o->env[i][strlen(name)] == '=') {
                        if (asprintf(&s, "%s=%s", name, value) < 0)
                                return -ENOMEM;
                        free(o->env[i]);
                        o->env[i] = s;
                        return 0;
                }
        return asprintf(&s, "%s=%s", name, value) < 0 ? -ENOMEM : strv_add(&o->env, &o->n_env, s);
}

/* Parse learn's options; 0, or the exit status after a one-line message. */
static int parse(int argc, char **argv, struct learn_opts *o, bool *help)
{
        int i = 1, r = 0;

        for (; i < argc && r >= 0; i++) {
                const char *a = argv[i];
                bool more = i + 1 < argc;

                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (a[0] != '-')
                        break;
                if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                        *help = true;
                        return 0;
                } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && more) {
                        o->output = argv[++i];
                } else if (strcmp(a, "--name") == 0 && more) {
                        o->name = argv[++i];
                        if (!*o->name ||
                            strspn(o->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                                    strlen(o->name) ||
                            strlen(o->name) > 64)
                                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                                  "--name: must be 1 to 64 of [A-Za-z0-9_.-]");
                } else if (strcmp(a, "--write") == 0 && more) {
                        if (argv[i + 1][0] != '/' || strcmp(argv[i + 1], "/") == 0) {
                                char cause[PATH_MAX + 64];

                                snprintf(cause, sizeof(cause), "--write %s: DIR must be an absolute path other than /",
                                         argv[i + 1]);
                                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", cause);
                        }
                        r = strv_add(&o->write, &o->n_write, strdup(argv[++i]));
                } else if (strcmp(a, "--setenv") == 0 && i + 2 < argc) {
                        if (!*argv[i + 1] || strchr(argv[i + 1], '='))
                                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                                  "--setenv: NAME must be a variable name");
                        r = add_env(o, argv[i + 1], argv[i + 2]);
                        i += 2;
                } else if (strcmp(a, "--keep-env") == 0 && more) {
                        const char *v = getenv(argv[++i]);

                        if (v)
                                r = add_env(o, argv[i], v);
                } else {
                        static const char *const takes[] = { "-o",      "--output", "--name",
                                                             "--write", "--setenv", "--keep-env" };
                        bool known = false;
                        char text[256];

                        for (size_t k = 0; k < ELEMENTSOF(takes); k++)
                                known |= strcmp(a, takes[k]) == 0;
                        snprintf(text, sizeof(text), known ? "%s needs %s" : "unknown option '%s'%s", a,
                                 known ? (strcmp(a, "--setenv") == 0 ? "NAME VALUE" : "an argument")
                                       : " (see voidshim learn --help)");
                        return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", text);
                }
        }
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "parse the command line", strerror(-r));
        if (i >= argc)
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                                  "no program given (voidshim learn [-o SPEC] -- PROGRAM [ARGS...])");
        o->first = i;
        for (size_t k = 0; k < o->n_env; k++)
                if (strncmp(o->env[k], "PATH=", 5) == 0)
                        return 0;
        return add_env(o, "PATH", LEARN_PATH) < 0
                       ? shim_fatal(SHIM_EXIT_SYSTEM, "parse the command line", strerror(ENOMEM))
                       : 0;
}

/* PROGRAM on the host: a name without a slash from the learning void's PATH, as the void will look it up. */
static char *find_program(const char *prog, const struct learn_opts *o, const char *cwd)
{
        const char *path = LEARN_PATH;

        if (strchr(prog, '/'))
                return learn_abs_path(cwd, prog);
        for (size_t i = 0; i < o->n_env; i++)
                if (strncmp(o->env[i], "PATH=", 5) == 0)
                        path = o->env[i] + 5;
        for (const char *d = path; *d;) {
                const char *e = strchrnul(d, ':');
                char *cand = NULL;

                if (d[0] == '/' && asprintf(&cand, "%.*s/%s", (int)(e - d), d, prog) >= 0 && access(cand, X_OK) == 0)
                        return cand;
                free(cand);
                d = *e ? e + 1 : e;
        }
        return NULL;
}

/*
 * A "#!" script is run by its interpreter: the spec's program is the interpreter, its words the
 * interpreter's argument (if any) and the script.  *interp, *argv stay NULL for any other program.
 */
static int script_of(const char *path, char **interp, char ***argv)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[512], *save = NULL, *word, *arg;
        size_t n = 0;

        *interp = NULL, *argv = NULL;
        if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "#!", 2) != 0)
                return 0;
        line[strcspn(line, "\n")] = '\0';
        word = strtok_r(line + 2, " \t", &save);
        arg = word ? strtok_r(NULL, "", &save) : NULL;
        if (!word || word[0] != '/')
                return 0;
        if (!(*interp = strdup(word)))
                return -ENOMEM;
        if (arg) { /* the rest of the line is one argument, as the kernel passes it */
                size_t len;

                arg += strspn(arg, " \t");
                len = strlen(arg);
                while (len && (arg[len - 1] == ' ' || arg[len - 1] == '\t'))
                        arg[--len] = '\0';
        }
        if ((arg && *arg && strv_add(argv, &n, strdup(arg)) < 0) || strv_add(argv, &n, strdup(path)) < 0)
                return -ENOMEM;
        return 1;
}

/* For each word after PROGRAM, the path it names now (absolute), when it names one. */
static int word_paths(char **words, size_t n, const char *cwd, char ***out)
{
        *out = calloc(n + 1, sizeof(char *));
        if (!*out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                char *abs;

                if (!words[i][0] || words[i][0] == '-')
                        continue;
                abs = learn_abs_path(cwd, words[i]);
                if (!abs)
                        return -ENOMEM;
                if (lstat(abs, &st) == 0 && strcmp(abs, "/") != 0)
                        (*out)[i] = abs;
                else
                        free(abs);
        }
        return 0;
}

/* The learning void's writable directories: the working directory, the words' directories, --write. */
static int writable_dirs(const char *cwd, char **paths, size_t n, const struct learn_opts *o, char ***out,
                         size_t *n_out)
{
        int r = 0;

        *out = NULL, *n_out = 0;
        if (strcmp(cwd, "/") != 0)
                r = strv_add(out, n_out, strdup(cwd));
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct stat st;

                if (!paths[i])
                        continue;
                if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
                        r = strv_add(out, n_out, strdup(paths[i]));
                else
                        r = strv_add(out, n_out, learn_abs_path(paths[i], ".."));
                if (r >= 0 && strcmp((*out)[*n_out - 1], "/") == 0) /* never the whole tree */
                        free((*out)[--*n_out]), (*out)[*n_out] = NULL;
        }
        for (size_t i = 0; r >= 0 && i < o->n_write; i++)
                r = strv_add(out, n_out, strdup(o->write[i]));
        return r;
}

/* The learning void: the host read-only, its own /proc, /dev and /tmp, the caller's network, rw where asked. */
static int learning_plan(const char *program, char **argv, const char *cwd, char **rw, const struct learn_opts *o,
                         struct vb_plan **out)
{
        struct vb_plan *p = vb_plan_new();
        int r;

        *out = NULL;
        if (!p)
                return -ENOMEM;
        r = vb_plan_set_server(p, VB_SERVER_FS, VB_SERVER_SHARED, NULL);
        p->ns[VB_NS_NET] = VB_NS_SHARED;
        for (int fd = 0; fd <= 2; fd++)
                p->stdio[fd] = true;
        if (r >= 0)
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_PROC, .dst = "/proc", .origin = "learn" });
        if (r >= 0)
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_DEV, .dst = "/dev", .origin = "learn" });
        if (r >= 0)
                r = vb_plan_add(p, &(struct vb_plan_grant){ .kind = VB_PLAN_TMPFS, .dst = "/tmp", .origin = "learn" });
        for (size_t i = 0; r >= 0 && rw[i]; i++)
                r = vb_plan_bind(p, rw[i], rw[i], VB_MOUNT_RW, "learn: writable");
        for (size_t i = 0; r >= 0 && i < o->n_env; i++) {
                _cleanup_free_ char *name = strndup(o->env[i], strcspn(o->env[i], "="));

                r = name ? vb_plan_setenv(p, name, strchr(o->env[i], '=') + 1, "learn") : -ENOMEM;
        }
        if (r >= 0)
                r = vb_plan_set_str(&p->chdir, cwd);
        if (r >= 0)
                r = vb_plan_set_program(p, program, false, argv);
        if (r < 0) {
                vb_plan_free(p);
                return r;
        }
        *out = p;
        return 0;
}

static int exit_status_of(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return SHIM_EXIT_SYSTEM;
}

/* Build the learning void and run it, watched; *status is the program's.  0, or the exit status of a failure. */
static int run_watched(struct vb_plan *plan, struct learn_log *log, int *status)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        struct learn_watch w = {};
        struct vb_proc *p = NULL;
        int sv[2], r, wst;
        char what[PATH_MAX + 16];

        snprintf(what, sizeof(what), "start %s", plan->program);
        r = vb_plan_apply(plan, false, &v, &err);
        if (r < 0)
                return shim_fatal_err(r == -ENOMEM ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE, "prepare the learning void",
                                      err, r);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "watch the program", strerror(errno));
        r = vb_void_observe(v, learn_syscalls, sv[1], &err);
        close(sv[1]);
        if (r >= 0)
                r = learn_watch_start(&w, sv[0], log);
        if (r < 0) {
                close(sv[0]);
                return shim_fatal_err(SHIM_EXIT_SYSTEM, "watch the program", err, r);
        }
        r = vb_void_spawn(v, &p, &err);
        v = vb_void_free(v); /* our copy of the child's end of the socket goes too */
        if (r < 0) {
                bool exec_step = err && err->step && strcmp(err->step, "exec") == 0;

                learn_watch_stop(&w);
                close(sv[0]);
                if (exec_step)
                        snprintf(what, sizeof(what), "run %s", plan->program);
                return shim_fatal_err(exec_step ? (r == -ENOENT ? SHIM_EXIT_NOENT : SHIM_EXIT_NOEXEC)
                                                : SHIM_EXIT_SYSTEM,
                                      what, err, r);
        }
        r = vb_proc_wait(p, &wst);
        vb_proc_free(p);
        learn_watch_stop(&w);
        close(sv[0]);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "wait for the learning void", strerror(-r));
        *status = exit_status_of(wst);
        return 0;
}

/* Write text to path in one rename (or to stdout for none): a reader sees no spec or the whole one. */
static int write_spec(const char *path, const char *text)
{
        _cleanup_free_ char *tmp = NULL, *real = NULL;
        struct stat st;
        size_t len = strlen(text), off = 0;
        int fd, r = 0;

        if (!path)
                return fputs(text, stdout) < 0 || fflush(stdout) != 0 ? -EIO : 0;
        /* Not a file (a terminal, a pipe, /dev/null): write to it, as `> PATH` would; never rename over it. */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
                _cleanup_fclose_ FILE *f = fopen(path, "we");

                return f && fputs(text, f) >= 0 && fflush(f) == 0 ? 0 : -(errno ? errno : EIO);
        }
        /* A symlink to a file: the file is replaced, not the link. */
        real = realpath(path, NULL);
        if (real)
                path = real;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (r == 0 && off < len) {
                ssize_t n = write(fd, text + off, len - off);

                if (n < 0 && errno != EINTR)
                        r = -errno;
                else if (n > 0)
                        off += (size_t)n;
        }
        if (r == 0 && (fchmod(fd, 0644 & ~(mode_t)0) < 0 || fsync(fd) < 0))
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

/* The command line as one string, for the spec's description. */
static char *command_text(int argc, char **argv)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (int i = 0; i < argc; i++)
                fprintf(f, "%s%s", i ? " " : "", argv[i]);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* The entrypoint's name: --name, or PROGRAM's base name made a valid name. */
static char *entry_name(const struct learn_opts *o, const char *program)
{
        const char *base = strrchr(program, '/');
        char *n = strdup(o->name ? o->name : base ? base + 1 : program);

        for (char *c = n; c && *c; c++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *c))
                        *c = '_';
        if (n && (!*n || n[0] == '.' || strlen(n) > 64)) {
                free(n);
                n = strdup("main");
        }
        return n;
}

static void summarize(const struct learn_input *in, const struct learn_summary *s, const char *output)
{
        size_t refused = 0;
        const char *first = NULL;

        /* What the program tried to write outside what the learning void let it: it failed there. */
        for (size_t i = 0; i < in->log->n_recs; i++) {
                const struct learn_rec *r = &in->log->recs[i];
                bool rw = false;

                for (size_t k = 0; in->rw[k]; k++)
                        rw |= learn_path_under(r->path, in->rw[k]);
                if (!(r->seen & (SEEN_WRITE | SEEN_CHANGE)) || rw || learn_path_under(r->path, "/tmp") ||
                    learn_path_under(r->path, "/proc") || learn_path_under(r->path, "/dev") || !r->existed)
                        continue;
                refused++;
                first = first ? first : r->path;
        }
        fprintf(stderr,
                "voidshim: learned %s (exit status %d, %lu calls watched): %zu mounts (%zu for the command line's "
                "words), %zu programs run, %zu connections; %s %s\n",
                in->name, in->status, in->log->notifications, s->mounts, s->words, s->programs, s->conns,
                output ? "wrote" : "printed", output ? output : "the spec");
        if (refused)
                fprintf(stderr,
                        "voidshim: note: %zu write%s failed in the learning void, which is read-only there (first: "
                        "%s); the spec grants %s: learn again with --write DIR to let the program go on\n",
                        refused, refused == 1 ? "" : "s", first, refused == 1 ? "it" : "them");
        if (s->refused)
                fprintf(stderr, "voidshim: note: %zu connection%s cannot be given by a caretaker and %s left out\n",
                        s->refused, s->refused == 1 ? "" : "s", s->refused == 1 ? "is" : "are");
}

/* Everything cmd_learn() holds, released at once. */
struct learn_run {
        struct learn_opts o;
        struct learn_log log;
        char *cwd, *program, *interp, *name, *command, *text;
        char **script_argv, **paths, **rw, **void_argv;
        size_t n_rw;
        struct vb_plan *plan;
};

static void learn_run_done(struct learn_run *lr, size_t n_words)
{
        opts_done(&lr->o);
        learn_log_done(&lr->log);
        pthread_mutex_destroy(&lr->log.lock);
        free(lr->cwd), free(lr->program), free(lr->interp), free(lr->name), free(lr->command), free(lr->text);
        vb_strv_free(lr->script_argv);
        for (size_t i = 0; lr->paths && i < n_words; i++)
                free(lr->paths[i]);
        free(lr->paths);
        vb_strv_free(lr->rw);
        free(lr->void_argv);
        vb_plan_free(lr->plan);
}

/* What to learn from: PROGRAM, its words, where they point, the learning void.  0 or an exit status. */
static int prepare(struct learn_run *lr, int argc, char **argv)
{
        char **words = argv + lr->o.first + 1;
        size_t n_words = (size_t)(argc - lr->o.first - 1);
        char what[PATH_MAX + 8];
        int r;

        lr->cwd = getcwd(NULL, 0);
        if (!lr->cwd)
                return shim_fatal(SHIM_EXIT_SYSTEM, "find the working directory", strerror(errno));
        lr->program = find_program(argv[lr->o.first], &lr->o, lr->cwd);
        snprintf(what, sizeof(what), "run %s", argv[lr->o.first]);
        if (!lr->program || access(lr->program, F_OK) < 0)
                return shim_fatal(SHIM_EXIT_NOENT, what,
                                  strchr(argv[lr->o.first], '/') ? strerror(ENOENT)
                                                                 : "not found in the learning void's PATH");
        if (access(lr->program, X_OK) < 0)
                return shim_fatal(SHIM_EXIT_NOEXEC, what, strerror(errno));
        r = script_of(lr->program, &lr->interp, &lr->script_argv);
        if (r >= 0)
                r = word_paths(words, n_words, lr->cwd, &lr->paths);
        if (r >= 0)
                r = writable_dirs(lr->cwd, lr->paths, n_words, &lr->o, &lr->rw, &lr->n_rw);
        lr->void_argv = calloc(n_words + 2, sizeof(char *));
        lr->name = entry_name(&lr->o, lr->program);
        lr->command = command_text(argc - lr->o.first, argv + lr->o.first);
        if (r < 0 || !lr->void_argv || !lr->name || !lr->command)
                return shim_fatal(SHIM_EXIT_SYSTEM, "prepare the learning void", strerror(ENOMEM));
        if (!lr->rw)
                lr->rw = calloc(1, sizeof(char *));
        lr->void_argv[0] = argv[lr->o.first];
        memcpy(lr->void_argv + 1, words, n_words * sizeof(char *));
        r = lr->rw ? learning_plan(lr->program, lr->void_argv, lr->cwd, lr->rw, &lr->o, &lr->plan) : -ENOMEM;
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, "prepare the learning void", strerror(-r));
        return 0;
}

int cmd_learn(int argc, char **argv)
{
        struct learn_run lr = { .log = { .lock = PTHREAD_MUTEX_INITIALIZER } };
        struct learn_summary sum = {};
        struct learn_input in = {};
        size_t n_words = 0;
        bool help = false;
        int r, status = 0;

        r = parse(argc, argv, &lr.o, &help);
        if (r == 0 && help) {
                fputs(usage, stdout);
                learn_run_done(&lr, 0);
                return 0;
        }
        if (r == 0) {
                n_words = (size_t)(argc - lr.o.first - 1);
                r = prepare(&lr, argc, argv);
        }
        if (r == 0)
                r = run_watched(lr.plan, &lr.log, &status);
        if (r != 0) { /* the program did not start: no spec */
                learn_run_done(&lr, n_words);
                return r;
        }
        in = (struct learn_input){ .log = &lr.log,
                                   .cwd = lr.cwd,
                                   .program = lr.interp ? lr.interp : lr.program,
                                   .argv = lr.script_argv,
                                   .words = argv + lr.o.first + 1,
                                   .word_paths = lr.paths,
                                   .n_words = n_words,
                                   .env = lr.o.env,
                                   .name = lr.name,
                                   .rw = (const char *const *)lr.rw,
                                   .status = status,
                                   .command = lr.command };
        r = learn_spec(&in, &lr.text, &sum);
        if (r >= 0)
                r = write_spec(lr.o.output, lr.text);
        if (r < 0) {
                char what[PATH_MAX + 16];

                snprintf(what, sizeof(what), "write the spec%s%s", lr.o.output ? " " : "",
                         lr.o.output ? lr.o.output : "");
                learn_run_done(&lr, n_words);
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-r));
        }
        summarize(&in, &sum, lr.o.output);
        learn_run_done(&lr, n_words);
        return status;
}
