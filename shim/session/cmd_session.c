/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim session begin|run|list|end, voidshim ps, voidshim boot: the commands around session_sup.c. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "run/cli.h"
#include "session/session.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

static const char usage[] =
        "usage: voidshim session begin NAME [GRANT...] [--boot] [-- PROGRAM [ARGS...]]\n"
        "       voidshim session begin NAME SPEC [ENTRYPOINT] [--explain [--json]]\n"
        "       voidshim session run NAME [--chdir DIR] [--] COMMAND [ARGS...]\n"
        "       voidshim session list\n"
        "       voidshim session end NAME\n"
        "\n"
        "begin  start a void that outlives this command: the grants of `voidshim run` (--root DIR,\n"
        "       --overlay DIR, --net-allow ..., see voidshim run --help), voidshim's reaper as its pid 1;\n"
        "       with --boot, PROGRAM (default /sbin/init) is the tree's own init instead;\n"
        "       with SPEC, the void is the spec's entrypoint (its only one, or ENTRYPOINT): its\n"
        "       environment, grants, caretakers and program, the spec's \"name\" replaced by NAME\n"
        "run    start COMMAND inside it, as confined as its first process: its namespaces, root,\n"
        "       capabilities, no_new_privs, Landlock, seccomp, rlimits and ids; stdin, stdout and\n"
        "       stderr are this command's, and its exit status is COMMAND's\n"
        "list   the running sessions (NAME, pid of the void's init, pid 1, root)\n"
        "end    stop everything in it (the init is asked first: SIGTERM, or an init's own\n"
        "       shutdown signal with --boot; SIGKILL after 20 s) and leave nothing behind\n"
        "\n"
        "`voidshim ctl NAME ...` works on a session as on a run started with --name NAME.\n";

int session_ask(const char *name, const char *req, char **out, int timeout_ms)
{
        _cleanup_close_ int fd = ctl_connect(name);
        char buf[8192];
        size_t got = 0;
        ssize_t n;
        struct pollfd p;

        *out = NULL;
        if (fd < 0)
                return fd;
        if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
                return -errno;
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        while (got + 1 < sizeof(buf) && poll(&p, 1, timeout_ms) > 0 &&
               (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                got += (size_t)n;
        buf[got] = '\0';
        *out = strdup(buf);
        return *out ? 0 : -ENOMEM;
}

/* The last line of an answer. */
static const char *last_line(char *answer)
{
        size_t len = strlen(answer);
        char *nl;

        while (len && answer[len - 1] == '\n')
                answer[--len] = '\0';
        nl = strrchr(answer, '\n');
        return nl ? nl + 1 : answer;
}

/* lstat path of the tree: in the overlay's upper first, then in the tree. */
static int tree_lstat(const struct vb_plan *p, const char *path, char *link, size_t len)
{
        char host[2 * PATH_MAX];
        struct stat st;
        ssize_t n;

        snprintf(host, sizeof(host), "%s/upper%s", p->overlay_upper ? p->overlay_upper : "", path);
        if (!p->overlay_upper || lstat(host, &st) < 0)
                snprintf(host, sizeof(host), "%s%s", p->root, path);
        if (lstat(host, &st) < 0 || !S_ISLNK(st.st_mode))
                return 0;
        n = readlink(host, link, len - 1);
        if (n < 0)
                return 0;
        link[n] = '\0';
        return 1;
}

/* The init's file name, through the tree's symlinks (/sbin -> usr/sbin, init -> /lib/runit/runit-init). */
static void init_name(const struct vb_plan *p, char *out, size_t len)
{
        char cur[PATH_MAX] = "", rest[PATH_MAX], link[PATH_MAX], next[2 * PATH_MAX];
        const char *base;
        int hops = 0;

        snprintf(rest, sizeof(rest), "%s", p->program ? p->program : "");
        while (p->root && rest[0]) {
                char comp[NAME_MAX + 1], *r = rest + strspn(rest, "/");
                size_t cl = strcspn(r, "/"), used = strlen(cur);

                if (cl == 0 || cl > NAME_MAX || used + cl + 2 >= sizeof(cur))
                        break;
                memcpy(comp, r, cl);
                comp[cl] = '\0';
                memmove(rest, r + cl, strlen(r + cl) + 1);
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        *strrchr(strcat(cur, "/"), '/') = '\0';
                        if (strrchr(cur, '/'))
                                *strrchr(cur, '/') = '\0';
                        continue;
                }
                snprintf(cur + used, sizeof(cur) - used, "/%s", comp);
                if (hops < 16 && tree_lstat(p, cur, link, sizeof(link))) {
                        hops++;
                        cur[link[0] == '/' ? 0 : used] = '\0'; /* absolute: from the root; else beside it */
                        snprintf(next, sizeof(next), "%s/%s", link, rest);
                        if (strlen(next) >= sizeof(rest))
                                break;
                        memcpy(rest, next, strlen(next) + 1);
                }
        }
        base = strrchr(cur, '/');
        base = base ? base + 1 : p->program ? p->program : "";
        if (strlen(base) < len)
                memcpy(out, base, strlen(base) + 1);
        else
                out[0] = '\0';
}

int session_shutdown_signal(const struct vb_plan *p)
{
        char name[256];

        init_name(p, name, sizeof(name));
        /* systemd(1): SIGRTMIN+4 powers off.  runit(8) stops on SIGCONT once /etc/runit/stopit is
         * executable (`runit-init 0` makes it so: the supervisor runs that first).  sysvinit's init(8)
         * has no signal that halts (SIGINT is ctrl-alt-del, a reboot): SIGTERM, then SIGKILL. */
        if (strcmp(name, "systemd") == 0)
                return SIGRTMIN + 4;
        if (strcmp(name, "runit") == 0 || strcmp(name, "runit-init") == 0)
                return SIGCONT;
        return SIGTERM;
}

static bool is_tree(const char *dir)
{
        char path[PATH_MAX];
        struct stat st;

        snprintf(path, sizeof(path), "%s/usr", dir);
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return false;
        snprintf(path, sizeof(path), "%s/etc", dir);
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* begin --explain: the session's void in words (or with --json as data), and nothing started. */
static int explain(const struct run_opts *o)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        _cleanup_free_ char *plan = NULL, *text = NULL;
        int r = vb_plan_apply(o->plan, true, &v, &err);

        if (r < 0)
                return shim_fatal_err(SHIM_EXIT_USAGE, "explain the session", err, r);
        if (o->json) {
                plan = vb_plan_to_json(o->plan);
                text = vb_void_explain_json(v);
                if (plan && text)
                        text[strcspn(text, "\n")] = '\0', printf("{\"plan\":%s,\"void\":%s}\n", plan, text);
        } else if ((text = vb_void_explain(v))) {
                fputs(text, stdout);
        }
        return text ? 0 : shim_fatal(SHIM_EXIT_SYSTEM, "explain the session", strerror(ENOMEM));
}

#define TREE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool has_env(const struct vb_plan *p, const char *name)
{
        for (size_t i = 0; i < p->n_grants; i++)
                if (p->grants[i].kind == VB_PLAN_SETENV && strcmp(p->grants[i].src, name) == 0)
                        return true;
        return false;
}

/* The entrypoint of s a session can start: the one named, else the only one; NULL after saying why. */
static const struct vb_spec_entry *session_entry(const struct vb_spec *s, const char *want, char *why, size_t len)
{
        const struct vb_spec_entry *e = NULL;

        for (size_t i = 0; i < s->n_entries; i++)
                if (want ? strcmp(s->entries[i].name, want) == 0 : s->n_entries == 1)
                        e = &s->entries[i];
        if (!e) {
                if (want)
                        snprintf(why, len, "spec %s has no entrypoint %s", s->file, want);
                else
                        snprintf(why, len, "spec %s has %zu entrypoints: name the one to begin", s->file, s->n_entries);
                return NULL;
        }
        /* A session starts its void once, now, without a command line: no trigger, no arg, no bind of one. */
        if (e->trigger.kind != VB_TRIG_STARTUP) {
                snprintf(why, len, "entrypoint %s has a trigger (%s): a session starts its void once, at begin",
                         e->name, e->trigger.ref);
                return NULL;
        }
        if (e->n_args) {
                snprintf(why, len, "entrypoint %s takes \"args\": a session hands in no fds", e->name);
                return NULL;
        }
        for (size_t i = 0; i < e->v.n_mounts; i++)
                if (e->v.mounts[i].kind == VB_SMNT_CMDLINE) {
                        snprintf(why, len, "entrypoint %s binds what a command line names (%s): a session has none",
                                 e->name, e->v.mounts[i].where);
                        return NULL;
                }
        return e;
}

/* begin NAME SPEC [ENTRYPOINT] [--explain [--json]]: the spec's entrypoint as the session's void. */
static int begin_spec(const char *name, int argc, char **argv)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        struct run_opts o = {};
        const struct vb_spec_entry *e;
        const char *want = NULL;
        struct vb_spec *s = NULL;
        char what[256], why[512];
        int r;

        snprintf(what, sizeof(what), "begin session %s", name);
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--explain") == 0)
                        o.explain = true;
                else if (strcmp(argv[i], "--json") == 0)
                        o.json = true;
                else if (argv[i][0] != '-' && !want)
                        want = argv[i];
                else
                        return shim_fatal(
                                SHIM_EXIT_USAGE, what,
                                "with a spec, only ENTRYPOINT, --explain and --json: the grants are the spec's");
        }
        if (o.json && !o.explain)
                return shim_fatal(SHIM_EXIT_USAGE, what, "--json goes with --explain");
        r = shim_spec_load(argv[0], &s);
        if (r == 0)
                r = shim_spec_resolve(s);
        if (r == 0 && !(e = session_entry(s, want, why, sizeof(why))))
                r = shim_fatal(SHIM_EXIT_USAGE, what, why);
        if (r == 0 && exec_plan(s, e, NULL, NULL, &o.plan, &err) < 0)
                r = shim_fatal_err(SHIM_EXIT_USAGE, what, err, -EINVAL);
        /* The session's name is its control name; our reaper holds it open, the entrypoint its first program. */
        if (r == 0 && vb_plan_set_str(&o.plan->care.name, name) < 0)
                r = shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(ENOMEM));
        if (r == 0 && o.plan->root && !is_tree(o.plan->root)) {
                snprintf(why, sizeof(why), "%s is not a tree (it has no usr/ and etc/)", o.plan->root);
                r = shim_fatal(SHIM_EXIT_USAGE, what, why);
        }
        if (r == 0 && o.plan->root && !has_env(o.plan, "PATH") &&
            vb_plan_setenv(o.plan, "PATH", TREE_PATH, "session begin (the tree's PATH)") < 0)
                r = shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(ENOMEM));
        if (r == 0) {
                o.plan->init = o.plan->init_hold = true;
                r = o.explain ? explain(&o) : session_start(name, o.plan, false);
        }
        vb_plan_free(o.plan);
        vb_spec_free(s);
        return r;
}

/* A SPEC where begin's grants would start: the first word after NAME, a file, not an option. */
static bool is_spec(const char *word)
{
        struct stat st;

        return word && word[0] != '-' && stat(word, &st) == 0 && S_ISREG(st.st_mode);
}

/* begin NAME [GRANT...] [--boot] [-- PROGRAM...]: the options are run's, the program optional. */
static int begin(int argc, char **argv)
{
        _cleanup_free_ char *why = NULL, *probe = NULL;
        const char *name = argv[1];
        bool boot = false;
        struct run_opts o;

        char what[256];
        int r, k = 1;

        const char *const *defaults;
        size_t n_defaults = boot_defaults(&defaults);
        _cleanup_free_ char **args = calloc((size_t)argc + 3 + n_defaults, sizeof(char *));
        bool options = true;

        if (!args)
                return shim_fatal(SHIM_EXIT_SYSTEM, "begin the session", strerror(ENOMEM));
        if (argc > 2 && is_spec(argv[2])) {
                if (!ctl_name_ok(name))
                        return shim_fatal(SHIM_EXIT_USAGE, "begin the session",
                                          "a name is 1 to 64 of [A-Za-z0-9_.-], not starting with '.'");
                if (session_ask(name, "\n", &probe, 200) == 0)
                        return shim_fatal(SHIM_EXIT_USAGE, "begin the session",
                                          "a session or run of that name is running");
                return begin_spec(name, argc - 2, argv + 2);
        }
        /* The session's name is its control name: "--name NAME" first; "--boot" is ours, taken out. */
        args[0] = argv[0], args[1] = "--name", args[2] = (char *)name, k = 2;
        for (int i = 2; i < argc; i++) {
                options &= strcmp(argv[i], "--") != 0;
                if (options && strcmp(argv[i], "--boot") == 0)
                        boot = true;
                else if (options && strcmp(argv[i], "--name") == 0)
                        return shim_fatal(SHIM_EXIT_USAGE, "begin the session",
                                          "--name: the session's name is its control name already");
                else
                        args[++k] = argv[i];
        }
        if (boot) { /* what an init needs, before the caller's grants (which go over them) */
                memmove(args + 3 + n_defaults, args + 3, (size_t)(k - 2) * sizeof(char *));
                for (size_t i = 0; i < n_defaults; i++)
                        args[3 + i] = (char *)defaults[i];
                k += (int)n_defaults;
        }
        argc = k + 1;
        argv = args;
        snprintf(what, sizeof(what), "begin session %s", name);
        if (!ctl_name_ok(name))
                return shim_fatal(SHIM_EXIT_USAGE, what, "a name is 1 to 64 of [A-Za-z0-9_.-], not starting with '.'");
        if (session_ask(name, "\n", &probe, 200) == 0)
                return shim_fatal(SHIM_EXIT_USAGE, what, "a session or run of that name is running");
        r = vb_cli_parse_opts(argc, argv, true, &o, &why);
        if (r >= 0 && !boot) /* our reaper holds the session open, with or without a first program */
                o.plan->init = o.plan->init_hold = true;
        if (r >= 0 && boot) { /* the tree's own init is pid 1 (default /sbin/init), not our reaper */
                o.plan->init = o.plan->init_hold = false;
                if (!o.plan->program)
                        r = vb_plan_set_program(o.plan, "/sbin/init", false, NULL);
        }
        if (r >= 0 && o.plan->root && !is_tree(o.plan->root))
                r = -EINVAL, why = NULL,
                r = asprintf(&why, "%s is not a tree (it has no usr/ and etc/)", o.plan->root) < 0 ? -ENOMEM : -EINVAL;
        if (r >= 0 && boot && !o.plan->root)
                r = -EINVAL, why = strdup("--boot needs --root DIR or --overlay DIR: the tree whose init runs");
        if (r >= 0 && o.plan->root && !has_env(o.plan, "PATH")) /* programs of the tree expect one */
                r = vb_plan_setenv(o.plan, "PATH", TREE_PATH, "session begin (the tree's PATH)");
        if (r < 0) {
                run_opts_done(&o);
                return shim_fatal(r == -ENOMEM ? SHIM_EXIT_SYSTEM : SHIM_EXIT_USAGE, what, why ? why : strerror(-r));
        }
        r = o.explain ? explain(&o) : session_start(name, o.plan, boot);
        run_opts_done(&o);
        return r;
}

static int end(const char *name)
{
        _cleanup_free_ char *answer = NULL, *kind = NULL;
        char what[256];
        int r;

        snprintf(what, sizeof(what), "end session %s", name);
        r = session_ask(name, "kind\n", &kind, 2000);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_USAGE, what,
                                  r == -ENOENT || r == -ECONNREFUSED ? "no session has that name" : strerror(-r));
        if (strncmp(kind, "session ", 8) != 0)
                return shim_fatal(SHIM_EXIT_USAGE, what, "it is a run, not a session (voidshim ctl NAME stop)");
        r = session_ask(name, "end\n", &answer, (SESSION_END_GRACE_SECONDS + 10) * 1000);
        if (r < 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, strerror(-r));
        if (strcmp(last_line(answer), "ok") != 0)
                return shim_fatal(SHIM_EXIT_SYSTEM, what, *answer ? last_line(answer) : "no answer");
        return 0;
}

/* Every control socket in the runtime directory, with its kind: sessions only, or every named void. */
static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

static int list(bool sessions_only)
{
        char dir[PATH_MAX];
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *e;

        if (ctl_runtime_dir(dir, sizeof(dir), false) < 0 || !(d = opendir(dir)))
                return 0; /* no directory: nothing runs */
        printf(sessions_only ? "NAME\tPID\tINIT\tROOT\n" : "NAME\tKIND\tPID\n");
        while ((e = readdir(d))) {
                _cleanup_free_ char *kind = NULL, *l = NULL;
                char name[256];
                size_t len = strlen(e->d_name);
                int pid = 0;

                if (len < 6 || len - 5 >= sizeof(name) || strcmp(e->d_name + len - 5, ".sock") != 0)
                        continue;
                snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
                if (session_ask(name, "kind\n", &kind, 1000) < 0)
                        continue; /* left by a run that was killed */
                if (strncmp(kind, "session ", 8) == 0) {
                        char init[16] = "", root[PATH_MAX] = "";

                        sscanf(kind + 8, "%d %15s %4095s", &pid, init, root);
                        if (sessions_only)
                                printf("%s\t%d\t%s\t%s\n", name, pid, init, root);
                        else
                                printf("%s\tsession\t%d\n", name, pid);
                } else if (!sessions_only && session_ask(name, "list\n", &l, 1000) == 0) {
                        char *v = strstr(l, "pid ");

                        printf("%s\trun\t%d\n", name, v ? atoi(v + 4) : 0);
                }
        }
        return 0;
}

int cmd_session(int argc, char **argv)
{
        const char *op = argc > 1 ? argv[1] : "";

        if (strcmp(op, "--help") == 0 || strcmp(op, "-h") == 0) {
                fputs(usage, stdout);
                return 0;
        }
        if (strcmp(op, "list") == 0 && argc == 2)
                return list(true);
        if (strcmp(op, "begin") == 0 && argc >= 3)
                return begin(argc - 1, argv + 1);
        if (strcmp(op, "run") == 0 && argc >= 4)
                return session_run(argc - 1, argv + 1);
        if (strcmp(op, "end") == 0 && argc == 3)
                return end(argv[2]);
        return shim_fatal(SHIM_EXIT_USAGE, "parse the command line",
                          "expected session begin NAME [GRANT...]|run NAME -- CMD|list|end NAME (see --help)");
}

int cmd_ps(int argc, char **argv)
{
        if (argc != 1)
                return shim_fatal(SHIM_EXIT_USAGE, "parse the command line", "voidshim ps takes no arguments");
        return list(false);
}
