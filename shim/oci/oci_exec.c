/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim oci exec: another process in a running container, as a void that
 * joins every namespace of the container's init and keeps its root
 * (vb_plan_from_oci_process()): held until its pid is known, then let go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci/oci.h"
#include "oci/oci_run.h"
#include "voidbuilder/cleanup.h"

struct exec_opts {
        const char *id, *process, *console_socket, *pid_file, *cwd, *user;
        bool detach, tty, tty_set, no_new_privs;
        char **env, **caps, **args; /* env and caps: NULL-terminated, borrowed from argv */
        int n_env, n_caps, preserve_fds;
};

static bool is(const char *a, const char *s, const char *l)
{
        return (s && strcmp(a, s) == 0) || strcmp(a, l) == 0 || (l[1] == '-' && strcmp(a, l + 1) == 0);
}

static int exec_args(int argc, char **argv, struct exec_opts *o)
{
        static char *list[2][64];
        int i = 1;

        o->env = list[0], o->caps = list[1];
        for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
                const char *a = argv[i];
                const char **slot = NULL;

                if (is(a, "-d", "--detach"))
                        o->detach = true;
                else if (is(a, "-t", "--tty"))
                        o->tty = o->tty_set = true;
                else if (is(a, NULL, "--no-new-privs"))
                        o->no_new_privs = true;
                else if (is(a, NULL, "--ignore-paused"))
                        continue;
                else if (is(a, "-p", "--process"))
                        slot = &o->process;
                else if (is(a, NULL, "--console-socket"))
                        slot = &o->console_socket;
                else if (is(a, NULL, "--pid-file"))
                        slot = &o->pid_file;
                else if (is(a, NULL, "--cwd"))
                        slot = &o->cwd;
                else if (is(a, "-u", "--user"))
                        slot = &o->user;
                else if ((is(a, "-e", "--env") || is(a, "-c", "--cap")) && i + 1 < argc) {
                        bool env = is(a, "-e", "--env");
                        int *n = env ? &o->n_env : &o->n_caps;

                        if (*n >= 63)
                                return oci_fail("exec", "too many %s", a);
                        (env ? o->env : o->caps)[(*n)++] = argv[++i];
                        continue;
                } else if (is(a, NULL, "--preserve-fds") && i + 1 < argc) {
                        o->preserve_fds = atoi(argv[++i]);
                        continue;
                } else if (is(a, NULL, "--apparmor") || is(a, NULL, "--process-label") || is(a, NULL, "--cgroup")) {
                        if (++i >= argc)
                                return oci_fail("exec", "%s needs a value", a);
                        oci_warn("exec: %s %s ignored", a, argv[i]);
                        continue;
                } else
                        return oci_fail("exec", "unknown option %s", a);
                if (slot && ++i >= argc)
                        return oci_fail("exec", "%s needs a value", a);
                if (slot)
                        *slot = argv[i];
        }
        if (i >= argc)
                return oci_fail("exec", "no container id given");
        o->id = argv[i++];
        o->args = argv + i;
        if (!o->process && !argv[i])
                return oci_fail("exec", "no program given (after the id, or with --process)");
        return 0;
}

/* runc's exec without --process: the container's process, with the arguments and the options given. */
static int process_from_args(const struct exec_opts *o, struct vb_oci_process *p)
{
        size_t n_env = 0;
        char **env;

        size_t n_args = 0;

        while (o->args[n_args])
                n_args++;
        vb_strv_free(p->args);
        p->args = calloc(n_args + 1, sizeof(char *));
        if (!p->args)
                return -ENOMEM;
        for (size_t i = 0; i < n_args; i++)
                if (!(p->args[i] = strdup(o->args[i])))
                        return -ENOMEM;
        while (p->env && p->env[n_env])
                n_env++;
        env = reallocarray(p->env, n_env + (size_t)o->n_env + 1, sizeof(char *));
        if (!env)
                return -ENOMEM;
        p->env = env;
        for (int i = 0; i < o->n_env; i++)
                if (!(env[n_env++] = strdup(o->env[i])))
                        return -ENOMEM;
        env[n_env] = NULL;
        if (o->cwd && vb_plan_set_str(&p->cwd, o->cwd) < 0)
                return -ENOMEM;
        if (o->tty_set)
                p->terminal = o->tty;
        if (o->no_new_privs)
                p->no_new_privs = true;
        if (o->user) {
                unsigned uid, gid;
                int n = sscanf(o->user, "%u:%u", &uid, &gid);

                if (n < 1)
                        return -EINVAL;
                p->uid = uid;
                p->gid = n == 2 ? gid : p->gid;
        }
        for (int i = 0; i < o->n_caps; i++) {
                cap_value_t c;

                if (cap_from_name(o->caps[i], &c) < 0)
                        return -EINVAL;
                p->caps.bounding |= 1ULL << c, p->caps.effective |= 1ULL << c, p->caps.permitted |= 1ULL << c;
                p->caps.inheritable |= 1ULL << c, p->caps.ambient |= 1ULL << c;
        }
        return 0;
}

struct exec_live {
        int gate[2], slave;
        char *console;
        int cg[16];
        size_t n_cg;
};

static void live_done(struct exec_live *l)
{
        vb_closep(&l->gate[0]);
        vb_closep(&l->gate[1]);
        vb_closep(&l->slave);
        free(l->console);
        for (size_t i = 0; i < l->n_cg; i++)
                vb_closep(&l->cg[i]);
}

/* Build and hold the void, then open its gate: *out is the running process. */
static int spawn(const struct exec_opts *o, const struct oci_ctr *c, const struct vb_oci *cfg,
                 const struct vb_oci_process *p, struct exec_live *l, struct vb_proc **out)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        struct vb_plan *plan = NULL;
        struct vb_plan_oci_start start = {
                .terminal_fd = l->slave,
                .n_preserve = o->preserve_fds,
                .stdio = true,
                .gate_fd = l->gate[0],
                .cgroup_v1 = l->cg,
                .n_cgroup_v1 = l->n_cg,
                .cgroup_v2_fd = -1,
                .join_pid = c->pid,
        };
        int r = vb_plan_from_oci_process(cfg, p, &start, &plan, &err);

        if (r >= 0)
                r = vb_plan_apply(plan, false, &v, &err);
        vb_plan_free(plan);
        if (r >= 0)
                r = vb_void_spawn(v, out, &err);
        if (r < 0)
                return oci_fail_err("exec in the container", err, r);
        if (write(l->gate[1], "0", 1) != 1) {
                *out = vb_proc_free(*out);
                return oci_fail("exec in the container", "starting the process: %s", strerror(errno));
        }
        return 0;
}

int oci_cmd_exec(int argc, char **argv)
{
        struct exec_opts o = {};
        struct oci_ctr c;
        struct vb_oci *cfg = NULL;
        struct vb_oci_process fromfile = {}, *p;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *why = NULL;
        struct exec_live l = { .gate = { -1, -1 }, .slave = -1 };
        struct vb_proc *proc = NULL;
        int r = exec_args(argc, argv, &o), status;

        if (r)
                return r;
        if ((r = oci_ctr_open(o.id, &c, &why)) < 0)
                return oci_fail("exec in the container", "%s", why ? why : strerror(-r));
        if (c.status != VB_OCI_RUNNING && c.status != VB_OCI_CREATED) {
                r = oci_fail("exec in the container", "container %s is %s", o.id, vb_oci_status_name(c.status));
                goto out;
        }
        if ((r = oci_ctr_config(&c, &cfg, &err)) < 0) {
                r = oci_fail_err("exec in the container", err, r);
                goto out;
        }
        p = &cfg->process;
        if (o.process && (r = vb_oci_load_process(o.process, "process.json", &fromfile, &err)) < 0) {
                r = oci_fail_err("exec in the container", err, r);
                goto out;
        }
        if (o.process)
                p = &fromfile;
        else if ((r = process_from_args(&o, p)) < 0) {
                r = oci_fail("exec in the container", "reading the options: %s", strerror(-r));
                goto out;
        }
        if (p->terminal && !o.console_socket) {
                r = oci_fail("exec in the container", "a terminal needs --console-socket");
                goto out;
        }
        if (p->terminal && (r = oci_console(o.console_socket, p, &l.slave, &l.console, &why)) < 0) {
                r = oci_fail("exec in the container", "the console: %s", why ? why : strerror(-r));
                goto out;
        }
        l.n_cg = oci_cgroup_open_v1(c.st.cgroups, l.cg, ELEMENTSOF(l.cg));
        if (pipe2(l.gate, O_CLOEXEC) < 0) {
                r = oci_fail("exec in the container", "a pipe: %s", strerror(errno));
                goto out;
        }
        if ((r = spawn(&o, &c, cfg, p, &l, &proc)) != 0)
                goto out;
        if (o.pid_file && (r = oci_write_pid_file(o.pid_file, vb_proc_pid(proc))) < 0) {
                proc = vb_proc_free(proc);
                r = oci_fail("exec in the container", "--pid-file %s: %s", o.pid_file, strerror(-r));
                goto out;
        }
        oci_ctr_close(&c);
        live_done(&l);
        if (o.detach) {
                vb_proc_release(proc);
                r = 0;
        } else {
                r = vb_proc_wait(proc, &status) < 0 ? OCI_EXIT_FAIL
                    : WIFEXITED(status)             ? WEXITSTATUS(status)
                                                    : 128 + WTERMSIG(status);
                vb_proc_free(proc);
        }
        vb_oci_free(cfg);
        vb_oci_process_done(&fromfile);
        return r;
out:
        live_done(&l);
        vb_oci_free(cfg);
        vb_oci_process_done(&fromfile);
        oci_ctr_close(&c);
        return r;
}
