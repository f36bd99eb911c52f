/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim oci start, state, kill, delete, pause, resume, list: a container after its create. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "oci/oci.h"
#include "oci/oci_run.h"
#include "voidbuilder/cleanup.h"

/* The one id a command takes, after its options (which it reads with these flags). */
struct id_args {
        const char *id;
        bool force, all;
        const char *signal;
};

static int one_id(int argc, char **argv, const char *what, struct id_args *a)
{
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
                        a->force = true;
                else if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
                        a->all = true;
                else if (argv[i][0] == '-' && argv[i][1])
                        return oci_fail(what, "unknown option %s", argv[i]);
                else if (!a->id)
                        a->id = argv[i];
                else if (!a->signal)
                        a->signal = argv[i];
                else
                        return oci_fail(what, "unexpected argument %s", argv[i]);
        }
        if (!a->id || !*a->id)
                return oci_fail(what, "no container id given");
        return 0;
}

/* Open container id or fail as runc does: exit 1 and a line naming it. */
static int open_ctr(const char *id, const char *what, struct oci_ctr *c)
{
        _cleanup_free_ char *why = NULL;
        int r = oci_ctr_open(id, c, &why);

        if (r < 0)
                return oci_fail(what, "%s", why ? why : strerror(-r));
        return 0;
}

static void run_poststart(struct oci_ctr *c)
{
        struct vb_oci *cfg = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *json = NULL, *why = NULL;

        if (!(c->st.hooks & (1U << VB_OCI_POSTSTART)) || oci_ctr_config(c, &cfg, &err) < 0 ||
            !cfg->n_hooks[VB_OCI_POSTSTART]) {
                vb_oci_free(cfg);
                return;
        }
        json = vb_oci_state_json(&c->st, VB_OCI_RUNNING, c->pid);
        /* runtime-spec: a failing poststart hook is a warning; the container runs on. */
        if (json && oci_hooks_run(cfg, VB_OCI_POSTSTART, json, 0, &why) < 0)
                oci_warn("container %s: poststart hook: %s", c->id, why ? why : "failed");
        vb_oci_free(cfg);
}

/* The state letter of /proc/PID/stat ('R', 'S', ...), or 0 when the process is gone. */
static char proc_state(pid_t pid)
{
        char buf[512];
        const char *p = oci_proc_stat(pid, buf, sizeof(buf));

        return p ? *p : 0;
}

/*
 * The void holds its gate close-on-exec: once it is closed, the program runs (or the void ended).
 * Then start gives the program until it first waits for something (or ends), at most ~100 ms, so
 * that "running" means the program runs and a signal sent right after start finds it past its
 * first steps (a shell's trap installed), not still in the void's last ones.  A void stuck before
 * exec is left to the engine after 2 s.
 */
static void await_exec(const struct oci_ctr *c, int watch)
{
        struct pollfd p = { .fd = watch, .events = POLLIN };
        const struct timespec tick = { 0, 200 * 1000 };
        /* Its end wakes us at once (a pidfd polls readable when the process exits). */
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        struct pollfd end = { .fd = pidfd, .events = POLLIN };
        int i, settled;
        char st;

        for (i = 0; watch >= 0 && i < 400; i++)
                /* The gate's byte may still be there for an instant: POLLIN alone is not the end. */
                if (poll(&p, 1, 5) > 0 && (p.revents & (POLLHUP | POLLERR)))
                        break;
        if (watch >= 0 && i == 400) {
                oci_warn("container %s: its program had not started 2 s after start", c->id);
                return;
        }
        /*
         * Settled: asleep three looks in a row (the end of execve() can sleep an instant), or
         * ended: a program that is gone, or a zombie, has nothing left to settle.
         */
        for (i = 0, settled = 0; i < 500 && settled < 3; i++) {
                st = proc_state(c->pid);
                if (st == 0 || st == 'Z' || st == 'X')
                        return;
                settled = st == 'R' || st == 'D' ? 0 : settled + 1;
                if (settled < 3 && pidfd >= 0)
                        (void)ppoll(&end, 1, &tick, NULL);
                else if (settled < 3)
                        nanosleep(&tick, NULL);
        }
}

int oci_start(struct oci_ctr *c)
{
        char fifo[4096];
        _cleanup_close_ int fd = -1, watch = -1;
        struct vb_oci *cfg = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *json = NULL, *why = NULL;
        int r;

        if (c->st.pid == 0)
                return oci_fail("start container", "container %s has no process (config.json: /process)", c->id);
        if (c->status != VB_OCI_CREATED)
                return oci_fail("start container", "container %s is %s, not created", c->id,
                                vb_oci_status_name(c->status));
        if (c->st.hooks & (1U << VB_OCI_START_CONTAINER)) { /* the config is read again only for hooks */
                if (oci_ctr_config(c, &cfg, &err) < 0)
                        return oci_fail_err("start container", err, -EINVAL);
                json = vb_oci_state_json(&c->st, VB_OCI_CREATED, c->pid);
                r = json ? oci_hooks_run(cfg, VB_OCI_START_CONTAINER, json, c->pid, &why) : -ENOMEM;
                vb_oci_free(cfg);
                if (r < 0)
                        return oci_fail("start container", "startContainer hook: %s", why ? why : strerror(-r));
        }
        if (!oci_state_path(fifo, sizeof(fifo), c->id, "exec.fifo"))
                return oci_fail("start container", "%s: the id is too long", c->id);
        /* Non-blocking: with nobody reading (the void gone), ENXIO rather than a hang. */
        fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return oci_fail("start container", "container %s does not wait at its gate: %s", c->id,
                                errno == ENXIO ? "its init is gone" : strerror(errno));
        /* Opened after a writer (fd above): it reports POLLHUP once the last writer, the void's, is closed. */
        watch = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        /*
         * The gate gone is the container started (oci_ctr_refresh(): no state.json to write again):
         * removed before its byte, as a state saved first would say, so that a start that dies
         * in between leaves a container that is not "created" any more and is not started twice.
         */
        if (unlink(fifo) < 0)
                return oci_fail("start container", "removing its gate: %s", strerror(errno));
        if (write(fd, "0", 1) != 1)
                return oci_fail("start container", "opening its gate: %s", strerror(errno));
        vb_closep(&fd);
        fd = -1; /* its number may be taken again before this function's end closes fd */
        await_exec(c, watch);
        c->status = VB_OCI_RUNNING;
        run_poststart(c);
        return 0;
}

int oci_cmd_start(int argc, char **argv)
{
        struct id_args a = {};
        struct oci_ctr c;
        int r = one_id(argc, argv, "start container", &a);

        if (r || (r = open_ctr(a.id, "start container", &c)))
                return r;
        r = oci_start(&c);
        oci_ctr_close(&c);
        return r;
}

int oci_cmd_state(int argc, char **argv)
{
        struct id_args a = {};
        struct oci_ctr c;
        _cleanup_free_ char *json = NULL;
        int r = one_id(argc, argv, "show the state", &a);

        if (r || (r = open_ctr(a.id, "show the state", &c)))
                return r;
        json = vb_oci_state_json(&c.st, c.status, c.pid);
        oci_ctr_close(&c);
        if (!json)
                return oci_fail("show the state", "out of memory");
        printf("%s\n", json);
        return 0;
}

/* "TERM", "SIGTERM", "15", "sigkill": runc's spellings.  -1 if none. */
static int parse_signal(const char *s)
{
        char *end;
        long n;

        if (!s)
                return SIGTERM;
        n = strtol(s, &end, 10);
        if (*s && !*end)
                return n > 0 && n < NSIG ? (int)n : -1;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (int sig = 1; sig < NSIG; sig++) {
                const char *abbrev = sigabbrev_np(sig);

                if (abbrev && strcasecmp(abbrev, s) == 0)
                        return sig;
        }
        return -1;
}

/* Signal the init by pidfd, after checking it is still the same process. */
static int signal_init(const struct oci_ctr *c, int sig)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);

        if (pidfd < 0 || oci_pid_start_time(c->pid) != c->st.start_time)
                return -ESRCH;
        return pidfd_send_signal(pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int oci_cmd_kill(int argc, char **argv)
{
        struct id_args a = {};
        struct oci_ctr c;
        int r = one_id(argc, argv, "kill container", &a), sig;

        if (r)
                return r;
        sig = parse_signal(a.signal);
        if (sig < 0)
                return oci_fail("kill container", "unknown signal %s", a.signal);
        if ((r = open_ctr(a.id, "kill container", &c)))
                return r;
        if (c.status == VB_OCI_STOPPED) {
                oci_ctr_close(&c);
                return oci_fail("kill container", "container %s is not running", a.id);
        }
        if (a.all)
                (void)oci_cgroup_kill_all(c.st.cgroups, sig);
        r = signal_init(&c, sig);
        oci_ctr_close(&c);
        if (r < 0 && !(a.all && r == -ESRCH))
                return oci_fail("kill container", "%s: %s", a.id, r == -ESRCH ? "it is not running" : strerror(-r));
        return 0;
}

/* SIGKILL and wait (at most 10 s) until the init is gone. */
static int kill_and_wait(struct oci_ctr *c)
{
        struct timespec tick = { 0, 5 * 1000 * 1000 };

        (void)oci_cgroup_kill_all(c->st.cgroups, SIGKILL);
        (void)signal_init(c, SIGKILL);
        for (int i = 0; i < 2000; i++) {
                if (oci_pid_start_time(c->pid) != c->st.start_time)
                        return 0;
                nanosleep(&tick, NULL);
        }
        return -ETIMEDOUT;
}

static void run_poststop(struct oci_ctr *c, struct vb_oci *cfg)
{
        _cleanup_free_ char *json = NULL, *why = NULL;

        if (!cfg || !cfg->n_hooks[VB_OCI_POSTSTOP])
                return;
        json = vb_oci_state_json(&c->st, VB_OCI_STOPPED, 0);
        /* runtime-spec: a failing poststop hook is a warning; the container is gone already. */
        if (json && oci_hooks_run(cfg, VB_OCI_POSTSTOP, json, 0, &why) < 0)
                oci_warn("container %s: poststop hook: %s", c->id, why ? why : "failed");
}

int oci_cmd_delete(int argc, char **argv)
{
        struct id_args a = {};
        struct oci_ctr c;
        struct vb_oci *cfg = NULL;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        _cleanup_free_ char *why = NULL;
        int r = one_id(argc, argv, "delete container", &a);

        if (r)
                return r;
        r = oci_ctr_open(a.id, &c, &why);
        if (r == -ENOENT && a.force) /* runc: deleting what is not there, forcibly, is no error */
                return 0;
        if (r < 0)
                return oci_fail("delete container", "%s", why ? why : strerror(-r));
        if (c.status == VB_OCI_RUNNING || c.status == VB_OCI_PAUSED) {
                if (!a.force) {
                        r = oci_fail("delete container", "container %s is %s: stop it first, or use --force", a.id,
                                     vb_oci_status_name(c.status));
                        oci_ctr_close(&c);
                        return r;
                }
                if (c.status == VB_OCI_PAUSED)
                        (void)oci_cgroup_freeze(c.st.cgroups, false);
        }
        if (c.status != VB_OCI_STOPPED && kill_and_wait(&c) < 0) {
                oci_ctr_close(&c);
                return oci_fail("delete container", "container %s did not end after SIGKILL", a.id);
        }
        if (c.st.hooks & (1U << VB_OCI_POSTSTOP))
                (void)oci_ctr_config(&c, &cfg, &err);
        r = c.st.cgroups_made ? oci_cgroup_remove(c.st.cgroups_made) : 0;
        if (r < 0)
                oci_warn("container %s: removing its cgroups: %s", a.id, strerror(-r));
        r = oci_state_remove(a.id);
        run_poststop(&c, cfg);
        vb_oci_free(cfg);
        oci_ctr_close(&c);
        if (r < 0)
                return oci_fail("delete container", "removing its state: %s", strerror(-r));
        return 0;
}

static int pause_resume(int argc, char **argv, bool freeze)
{
        const char *what = freeze ? "pause container" : "resume container";
        struct id_args a = {};
        struct oci_ctr c;
        int r = one_id(argc, argv, what, &a);

        if (r || (r = open_ctr(a.id, what, &c)))
                return r;
        if (c.status != (freeze ? VB_OCI_RUNNING : VB_OCI_PAUSED)) {
                r = oci_fail(what, "container %s is %s, not %s", a.id, vb_oci_status_name(c.status),
                             freeze ? "running" : "paused");
        } else if ((r = oci_cgroup_freeze(c.st.cgroups, freeze)) < 0) {
                r = oci_fail(what, "%s: %s", a.id,
                             r == -ENOENT ? "it has no freezer cgroup (give it a cgroupsPath)" : strerror(-r));
        }
        oci_ctr_close(&c);
        return r;
}

int oci_cmd_pause(int argc, char **argv)
{
        return pause_resume(argc, argv, true);
}

int oci_cmd_resume(int argc, char **argv)
{
        return pause_resume(argc, argv, false);
}

int oci_cmd_list(int argc, char **argv)
{
        DIR *d = opendir(oci_opt.root);
        struct dirent *e;

        printf("%-24s %-8s %-10s %s\n", "ID", "PID", "STATUS", "BUNDLE");
        while (d && (e = readdir(d))) {
                struct oci_ctr c;
                _cleanup_free_ char *why = NULL;

                if (e->d_name[0] == '.' || oci_ctr_open(e->d_name, &c, &why) < 0)
                        continue;
                printf("%-24s %-8d %-10s %s\n", c.id, (int)c.pid, vb_oci_status_name(c.status), c.st.bundle);
                oci_ctr_close(&c);
        }
        if (d)
                closedir(d);
        return 0;
}
