/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim oci create: the bundle's config.json becomes a plan, the plan a
 * held void (everything but its program), its init's pid goes to --pid-file,
 * and it waits at its gate, ROOT/ID/exec.fifo, for `start`.  Whatever fails
 * takes back everything made before it: the void, its cgroups, the state
 * directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci/oci.h"
#include "oci/oci_run.h"
#include "voidbuilder/cleanup.h"

static void oci_freep(struct vb_oci **c)
{
        vb_oci_free(*c);
}

static void plan_freep(struct vb_plan **p)
{
        vb_plan_free(*p);
}

/* What one create holds until it succeeds, and takes back if it does not. */
struct creating {
        const char *id;
        bool dir_made;
        struct oci_cgroups cg;
        struct vb_proc *proc;
        int gate, slave;
        char *console;
};

static void creating_undo(struct creating *k, bool ok)
{
        if (!ok) {
                vb_proc_free(k->proc); /* kills and reaps the held void */
                k->proc = NULL;
                (void)oci_cgroup_remove(k->cg.made);
                if (k->dir_made)
                        (void)oci_state_remove(k->id);
        }
        vb_proc_release(k->proc);
        oci_cgroups_done(&k->cg);
        vb_closep(&k->gate);
        vb_closep(&k->slave);
        free(k->console);
}

static int copy_file(const char *from, const char *to)
{
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int out = -1;
        char buf[65536];
        ssize_t n;

        if (in < 0)
                return -errno;
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        return -EIO;
        return n < 0 ? -errno : 0;
}

static char *now_rfc3339(void)
{
        struct timespec ts;
        struct tm tm;
        char stamp[40], *out = NULL;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        if (asprintf(&out, "%s.%09ldZ", stamp, ts.tv_nsec) < 0)
                return NULL;
        return out;
}

/*
 * mkdir -p ROOT.  The parents it makes are 0700: it never makes a directory
 * more open than voidshim's own runtime directory (shim/ctl/ctl_sock.c), and
 * one it finds is never changed.  ROOT itself is 0711, as runc's: others may
 * pass through it (a rootless podman's runroot), never list it; each
 * container's directory in it is 0700.
 */
static int mkdir_parents(const char *path)
{
        char buf[4096];

        if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
                return errno = ENAMETOOLONG, -1;
        for (char *p = buf + 1;; p++) {
                if (*p != '/' && *p)
                        continue;
                char c = *p;

                *p = '\0';
                if (mkdir(buf, c ? 0700 : 0711) < 0 && errno != EEXIST)
                        return -1;
                if (!c)
                        return 0;
                *p = c;
        }
}

/*
 * ROOT must be a directory of ours that no one else may write: in a shared
 * /tmp (the default without a runtime directory) someone may have made it
 * first, and could then replace a container's state.  0, or OCI_EXIT_FAIL
 * once said.
 */
static int check_root(const char *root)
{
        struct stat st;

        if (lstat(root, &st) < 0)
                return oci_fail("create the state directory", "%s: %s", root, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return oci_fail("create the state directory", "%s: not a directory (a symlink?)", root);
        if (st.st_uid != geteuid() || (st.st_mode & 022))
                return oci_fail("create the state directory", "%s: owned by uid %u, mode %04o: not ours alone", root,
                                (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        return 0;
}

/* ROOT (made if missing) and ROOT/ID, which must not exist: a second create of an id fails here. */
static int make_state_dir(const char *id, struct creating *k)
{
        char dir[4096];

        if (mkdir_parents(oci_opt.root) < 0)
                return oci_fail("create the state directory", "%s: %s", oci_opt.root, strerror(errno));
        if (check_root(oci_opt.root) != 0)
                return OCI_EXIT_FAIL;
        if (!oci_state_path(dir, sizeof(dir), id, NULL))
                return oci_fail("create container", "%s: the id is too long", id);
        if (mkdir(dir, 0700) < 0)
                return errno == EEXIST ? oci_fail("create container", "container %s already exists", id)
                                       : oci_fail("create the state directory", "%s: %s", dir, strerror(errno));
        k->dir_made = true;
        return 0;
}

/* The gate: a FIFO the void holds open read-write, so that it never sees end of file; start writes a byte. */
static int make_gate(const char *id, int *fd)
{
        char path[4096];

        if (!oci_state_path(path, sizeof(path), id, "exec.fifo") || mkfifo(path, 0600) < 0)
                return -errno;
        *fd = open(path, O_RDWR | O_CLOEXEC);
        return *fd < 0 ? -errno : 0;
}

/* LISTEN_FDS (socket activation) adds fds from 3 on, and tells the container, as runc does. */
static int listen_fds(struct vb_plan *p, int *n_preserve)
{
        const char *v = getenv("LISTEN_FDS");
        int n = v ? atoi(v) : 0;

        if (n <= 0)
                return 0;
        for (int i = *n_preserve; i < n + *n_preserve; i++)
                if (vb_plan_fd(p, 3 + i, 3 + i, 0, "LISTEN_FDS") < 0)
                        return -ENOMEM;
        *n_preserve += n;
        if (vb_plan_setenv(p, "LISTEN_FDS", v, "LISTEN_FDS") < 0 ||
            vb_plan_setenv(p, "LISTEN_PID", "1", "LISTEN_FDS") < 0)
                return -ENOMEM;
        return 0;
}

static int build_and_spawn(const struct oci_create_opts *o, const struct vb_oci *c, struct creating *k)
{
        _cleanup_(plan_freep) struct vb_plan *p = NULL;
        _cleanup_vb_void_ struct vb_void *v = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *why = NULL;
        int n_preserve = o->preserve_fds;
        struct vb_plan_oci_start start = {
                .terminal_fd = k->slave,
                .n_preserve = o->preserve_fds,
                .stdio = true,
                .gate_fd = k->gate,
                .cgroup_v1 = k->cg.v1_fds,
                .n_cgroup_v1 = k->cg.n_v1,
                .cgroup_v2_fd = -1,
        };
        int r = vb_plan_from_oci(c, &start, &p, &err);

        if (r < 0)
                return oci_fail_err("create container", err, r);
        if (k->cg.v2 && vb_plan_set_str(&p->cgroup, k->cg.v2) < 0)
                return oci_fail("create container", "out of memory");
        if (listen_fds(p, &n_preserve) < 0)
                return oci_fail("create container", "out of memory");
        for (size_t i = 0; p->ctr.notes && p->ctr.notes[i]; i++)
                oci_warn("container %s: %s", o->id, p->ctr.notes[i]);
        if (vb_plan_check(p, &why) < 0)
                return oci_fail("create container", "%s", why ? why : "the plan contradicts itself");
        r = vb_plan_apply(p, false, &v, &err);
        if (r < 0)
                return oci_fail_err("create container", err, r);
        r = vb_void_spawn(v, &k->proc, &err);
        if (r < 0 && err && err->step && strcmp(err->step, "exec") == 0)
                return oci_fail("create container", "config.json: /process/args/0: %s", err->msg);
        if (r < 0)
                return oci_fail_err("create container", err, r);
        return 0;
}

static int record_state(const struct oci_create_opts *o, const struct vb_oci *c, struct creating *k,
                        struct vb_oci_state *st)
{
        char path[4096];
        int r;

        *st = (struct vb_oci_state){ .pid = k->proc ? vb_proc_pid(k->proc) : 0, .owner = "voidshim" };
        st->start_time = oci_pid_start_time(st->pid);
        st->id = (char *)o->id;
        st->bundle = c->bundle;
        st->annotations = c->annotations;
        st->cgroups = k->cg.dirs;
        st->cgroups_made = k->cg.made; /* its cgroups must go with it */
        for (int h = 0; h < VB_OCI_HOOK_COUNT; h++)
                st->hooks |= c->n_hooks[h] ? 1U << h : 0;
        st->created = now_rfc3339();
        if (!oci_state_path(path, sizeof(path), o->id, "state.json"))
                r = -ENAMETOOLONG;
        else
                r = vb_oci_state_save(st, path);
        if (r < 0)
                return oci_fail("create container", "writing its state: %s", strerror(-r));
        return 0;
}

/* prestart and createRuntime in the runtime's namespaces, createContainer in the container's. */
static int create_hooks(const struct vb_oci *c, const struct vb_oci_state *st, const char *id)
{
        static const enum vb_oci_hook_kind kinds[] = { VB_OCI_PRESTART, VB_OCI_CREATE_RUNTIME,
                                                       VB_OCI_CREATE_CONTAINER };
        _cleanup_free_ char *json = vb_oci_state_json(st, VB_OCI_CREATED, st->pid);
        int r = 0;

        if (!json)
                return oci_fail("create container", "out of memory");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(kinds); i++) {
                _cleanup_free_ char *why = NULL;

                r = oci_hooks_run(c, kinds[i], json, kinds[i] == VB_OCI_CREATE_CONTAINER ? st->pid : 0, &why);
                if (r < 0)
                        return oci_fail("create container", "%s hook: %s", vb_oci_hook_name(kinds[i]),
                                        why ? why : strerror(-r));
        }
        return 0;
}

int oci_create(const struct oci_create_opts *o, struct vb_proc **keep)
{
        _cleanup_(oci_freep) struct vb_oci *c = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *why = NULL, *created = NULL;
        struct creating k = { .id = o->id, .gate = -1, .slave = -1 };
        struct vb_oci_state st = {};
        char from[4096], to[4096];
        int r;

        if (!oci_id_ok(o->id))
                return oci_fail("create container", "\"%s\" is not a container id (letters, digits and _+-.)", o->id);
        r = vb_oci_load(o->bundle, &c, &err);
        if (r < 0)
                return oci_fail_err("create container", err, r);
        if (c->res.refused)
                return oci_fail("create container", "config.json: %s: voidshim cannot apply it (doc/oci.md)",
                                c->res.refused[0]);
        if (c->has_process && c->process.terminal && !o->console_socket)
                return oci_fail("create container", "config.json: /process/terminal: true needs --console-socket");
        r = make_state_dir(o->id, &k);
        if (r == 0 && snprintf(from, sizeof(from), "%s/config.json", c->bundle) > 0 &&
            oci_state_path(to, sizeof(to), o->id, "config.json") && (r = copy_file(from, to)) < 0)
                r = oci_fail("create container", "copying config.json: %s", strerror(-r));
        if (r == 0 && c->has_process && c->process.terminal &&
            (r = oci_console(o->console_socket, &c->process, &k.slave, &k.console, &why)) < 0)
                r = oci_fail("create container", "the console: %s", why ? why : strerror(-r));
        if (r == 0 && (r = oci_cgroup_setup(c, o->id, &k.cg, &why)) < 0)
                r = oci_fail("create container", "its cgroups: %s", why ? why : strerror(-r));
        if (r == 0 && (r = make_gate(o->id, &k.gate)) < 0)
                r = oci_fail("create container", "its gate (exec.fifo): %s", strerror(-r));
        /* runtime-spec: process is needed by start, not by create: without one there is nothing to hold. */
        if (r == 0 && c->has_process)
                r = build_and_spawn(o, c, &k);
        if (r == 0)
                r = record_state(o, c, &k, &st);
        created = st.created;
        if (r == 0 && c->has_process)
                r = create_hooks(c, &st, o->id);
        if (r == 0 && o->pid_file && c->has_process && (r = oci_write_pid_file(o->pid_file, st.pid)) < 0)
                r = oci_fail("create container", "--pid-file %s: %s", o->pid_file, strerror(-r));
        if (r == 0 && keep)
                *keep = TAKE_PTR(k.proc);
        creating_undo(&k, r == 0);
        return r;
}

int oci_cmd_create(int argc, char **argv)
{
        struct oci_create_opts o = {};
        int r = oci_create_args(argc, argv, &o);

        return r ? r : oci_create(&o, NULL);
}
