/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The child's side of vb_void_spawn(): a fixed sequence of small steps
 * (doc/architecture.md: what can be prepared is prepared in the parent), each
 * returning -errno.  The first failure is sent
 * to the parent as {step, errno, detail} over a CLOEXEC pipe, and the child
 * _exit()s; a successful execve() closes the pipe, which the parent reads as EOF.
 */
#ifndef VB_CHILD_H
#define VB_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/identity.h"
#include "core/void.h"

enum vb_step {
        VB_STEP_DEATHSIG,
        VB_STEP_JOIN,
        VB_STEP_UNSHARE,
        VB_STEP_ID_MAPS,
        VB_STEP_FORK,
        VB_STEP_SESSION,
        VB_STEP_TIME,
        VB_STEP_ROOT,
        VB_STEP_MOUNT,
        VB_STEP_DEVNULL,
        VB_STEP_PIVOT,
        VB_STEP_HOSTNAME,
        VB_STEP_LOOPBACK,
        VB_STEP_RLIMIT,
        VB_STEP_CHDIR,
        VB_STEP_CAPS,
        VB_STEP_NNP,
        VB_STEP_LANDLOCK,
        VB_STEP_WAIT,
        VB_STEP_SECCOMP,
        VB_STEP_FDS,
        VB_STEP_EXEC,
        VB_STEP_SYSCTL, /* container.h: sysctls, oom_score_adj */
        VB_STEP_USER,   /* container.h: the program's user */
        VB_STEP_COUNT,
};

#define VB_REPORT_DETAIL 512

struct vb_report {
        int32_t step;
        int32_t errnum;
        char detail[VB_REPORT_DETAIL];
};

struct vb_child_ctx {
        struct vb_void *v;     /* the child's copy-on-write view */
        int report_fd;         /* write end, O_CLOEXEC */
        int alive_fd;          /* read end of a pipe whose write end only the parent holds */
        int close_in_child[2]; /* the parent's ends of both pipes */
        uid_t uid;             /* caller's ids, mapped to v->uid and v->gid inside */
        gid_t gid;
        struct _cap_struct *caps; /* prepared by the parent */
        uint64_t unshare_flags;   /* namespaces to unshare() in the child (two-stage / time offsets) */
        bool two_stage;           /* joined namespaces: setns, unshare, then fork the void's init */
        int warm_fd;              /* a warm void's request socket (warm.c), or -1 */
        /* warm: room for the template's fds and a request's, allocated by the caller (warm.c) */
        struct vb_keep_fd *warm_fds;
        /* container.h: */
        bool hold;                      /* report VB_STEP_WAIT ("ready") and wait at the gate; see spawn.c */
        bool ctr_sync;                  /* ask the spawner (VB_STEP_ID_MAPS) for id maps and cgroup v1 */
        bool defer_cgroupns;            /* unshare the cgroup namespace only after the spawner's sync */
        bool cloexec_done;              /* fds above the void's marked close-on-exec before the filter */
        bool sync_asked;                /* the spawner was asked and has not answered yet */
        struct _cap_struct *caps_final; /* no_new_privs off: the caps once the filter is on, or NULL */
        /*
         * The parent has steps to take after the clone (moving the void into v1 cgroups, writing
         * the id maps of a reserved identity): the child waits for its byte on sync_fd before
         * anything else (two-stage: before it forks the void's init), after saying, with a
         * report {VB_STEP_ID_MAPS, 0}, that its user namespace exists when the parent must wait
         * for that (announce).  EOF there: the parent is gone.
         */
        bool sync;
        bool announce;
        int sync_fd;
        bool become; /* reserved identity: take v->uid, v->gid (mapped to the reserved ids), no groups */
        const struct vb_id_range
                *range; /* warm: the reserved range, read by the caller (the zygote allocates nothing) */
        int cgroup_fd;  /* the cgroup v2 directory to clone into (CLONE_INTO_CGROUP), or -1 */
        int init_sock;  /* a held void's reaper serves newcomers on it (init_serve.c), or -1 */
};
/*
 * Reports with errnum 0 are notices, not failures: VB_STEP_ID_MAPS asks the
 * spawner to write the id maps and cgroup.procs and then a byte to the
 * lifeline; VB_STEP_FORK carries a held void's first process ("PID", in the
 * spawner's pid namespace); VB_STEP_WAIT says a held void is ready.
 */

/* Name of a step for messages ("mount", "pivot_root", "exec", ...). */
const char *vb_step_name(enum vb_step step);
/*
 * A warm void, built, its capabilities dropped and no_new_privs set (the
 * built-in seccomp filter on too), but Landlock not yet: say so on
 * c->warm_fd and wait there for the program's arguments and fds (warm.c).
 * Returns when they are in c->v; exits at EOF.
 */
void vb_warm_await(struct vb_child_ctx *c);
/* Report a step's failure to the parent and _exit(). */
_Noreturn void vb_child_fail(struct vb_child_ctx *c, enum vb_step step, int r, const char *what);
/* Run the child's steps and exec; never returns. */
_Noreturn void vb_child_main(struct vb_child_ctx *c);
/* vb_void_join()'s child: setns(init_pidfd, ns_flags), fork, restrictions, exec c->v's program. */
_Noreturn void vb_child_join_main(struct vb_child_ctx *c, int init_pidfd, int ns_flags);
/*
 * vb_void_init(): when the void has a reaper, fork; the child returns to exec
 * the program, this process stays as pid 1 and never returns (a held void's
 * serving newcomers on c->init_sock).  No-op without.
 */
void vb_init_run(struct vb_child_ctx *c);

#endif
