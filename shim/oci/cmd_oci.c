/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim oci: runc's global options, the commands, and the one way they fail (shim/oci/oci.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/oci.h"
#include "shim.h"
#include "voidbuilder/cleanup.h"

struct oci_global oci_opt;

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} commands[] = {
        { "create", oci_cmd_create, "create a container from a bundle, held before its program" },
        { "start", oci_cmd_start, "start the program of a created container" },
        { "state", oci_cmd_state, "print a container's state as JSON" },
        { "kill", oci_cmd_kill, "send a signal to a container's init (or, with --all, to all of it)" },
        { "delete", oci_cmd_delete, "remove a stopped (or, with --force, any) container" },
        { "exec", oci_cmd_exec, "run another process in a running container" },
        { "pause", oci_cmd_pause, "freeze every process of a container" },
        { "resume", oci_cmd_resume, "thaw a paused container" },
        { "run", oci_cmd_run, "create, start and wait for a container" },
        { "list", oci_cmd_list, "list the containers under --root" },
        { "features", oci_cmd_features, "print what this runtime supports (runtime-spec features.md)" },
};

/* JSON string escaping for the log's one line. */
static void log_escaped(FILE *f, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
}

static void log_line(const char *level, const char *msg)
{
        char stamp[64];
        struct timespec ts;
        struct tm tm;
        FILE *f;

        if (!oci_opt.log)
                return;
        f = fopen(oci_opt.log, "ae");
        if (!f)
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        if (oci_opt.log_json) {
                fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
                log_escaped(f, msg);
                fprintf(f, "\",\"time\":\"%s.%09ldZ\"}\n", stamp, ts.tv_nsec);
        } else {
                fprintf(f, "time=\"%s.%09ldZ\" level=%s msg=\"", stamp, ts.tv_nsec, level);
                log_escaped(f, msg);
                fprintf(f, "\"\n");
        }
        fclose(f);
}

int oci_fail(const char *what, const char *fmt, ...)
{
        _cleanup_free_ char *cause = NULL, *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&cause, fmt, ap) < 0)
                cause = NULL;
        va_end(ap);
        if (asprintf(&msg, "unable to %s: %s", what, cause ? cause : "out of memory") < 0)
                msg = NULL;
        fprintf(stderr, "voidshim: fatal: %s\n", msg ? msg : what);
        log_line("error", msg ? msg : what);
        return OCI_EXIT_FAIL;
}

int oci_fail_err(const char *what, const struct vb_error *err, int r)
{
        return oci_fail(what, "%s", err && err->msg ? err->msg : strerror(r < 0 ? -r : r));
}

void oci_warn(const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return;
        log_line("warning", msg);
        if (oci_opt.debug)
                fprintf(stderr, "voidshim: warning: %s\n", msg);
}

static int usage(FILE *f)
{
        fprintf(f, "usage: voidshim oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID\n"
                   "       (also as voidshim-runc, with runc's command line)\n\ncommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nSee voidshim-oci(1) and doc/oci.md.\n");
        return f == stdout ? 0 : OCI_EXIT_FAIL;
}

static int version(void)
{
        printf("voidshim version %s\nspec: %s\n", VB_VERSION, VB_OCI_VERSION);
        return 0;
}

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if argv[*i] is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
        size_t len = strlen(opt);

        if (strncmp(argv[*i], opt, len) != 0)
                return NULL;
        if (argv[*i][len] == '=')
                return argv[*i] + len + 1;
        if (argv[*i][len] != '\0')
                return NULL;
        if (*i + 1 >= argc) {
                *missing = true;
                return NULL;
        }
        return argv[++*i];
}

/*
 * A directory of its own, next to voidshim's runtime directory and never in
 * it (as runc's /run/user/UID/runc): that one is checked to be 0700 and
 * refused otherwise (shim/ctl/ctl_sock.c), and a state root made inside it
 * would make it first, with the state root's looser mode.
 */
static const char *default_root(void)
{
        static char buf[512];
        const char *xdg = getenv("XDG_RUNTIME_DIR");

        if (geteuid() == 0 && (!xdg || !*xdg))
                return "/run/voidshim-oci";
        if (xdg && *xdg)
                snprintf(buf, sizeof(buf), "%s/voidshim-oci", xdg);
        else
                snprintf(buf, sizeof(buf), "/tmp/voidshim-oci-%u", (unsigned)geteuid());
        return buf;
}

/* Global options; returns the index of the command, or -1 after reporting an error. */
static int globals(int argc, char **argv)
{
        int i = 1;

        oci_opt.root = default_root();
        for (; i < argc && argv[i][0] == '-'; i++) {
                bool missing = false;
                const char *v;

                if ((v = opt_value(argc, argv, &i, "--root", &missing)))
                        oci_opt.root = v;
                else if ((v = opt_value(argc, argv, &i, "--log", &missing)))
                        oci_opt.log = v;
                else if ((v = opt_value(argc, argv, &i, "--log-format", &missing)))
                        oci_opt.log_json = strcmp(v, "json") == 0;
                else if ((v = opt_value(argc, argv, &i, "--criu", &missing)) ||
                         (v = opt_value(argc, argv, &i, "--rootless", &missing)))
                        continue; /* accepted, as runc's, and meaning nothing here */
                else if (missing)
                        return oci_fail("read the options", "%s needs a value", argv[i]), -1;
                else if (strcmp(argv[i], "--debug") == 0)
                        oci_opt.debug = true;
                else if (strcmp(argv[i], "--systemd-cgroup") == 0)
                        return oci_fail("read the options", "--systemd-cgroup: voidshim manages cgroupfs only"), -1;
                else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                        return usage(stdout), -2;
                else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0)
                        return version(), -2;
                else
                        return oci_fail("read the options", "unknown global option %s", argv[i]), -1;
        }
        return i;
}

int cmd_oci(int argc, char **argv)
{
        int i = globals(argc, argv);

        if (i == -2)
                return 0;
        if (i < 0)
                return OCI_EXIT_FAIL;
        if (i >= argc)
                return usage(stderr);
        if (strcmp(argv[i], "help") == 0)
                return usage(stdout);
        if (strcmp(argv[i], "version") == 0)
                return version();
        for (size_t k = 0; k < ELEMENTSOF(commands); k++)
                if (strcmp(commands[k].name, argv[i]) == 0)
                        return commands[k].run(argc - i, argv + i);
        return oci_fail("run an OCI command", "unknown command %s (try voidshim oci help)", argv[i]);
}
