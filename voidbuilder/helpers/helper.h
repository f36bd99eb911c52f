/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the one way the library starts a helper process: the caretakers
 * (forwarder, pasta and its namespace holder, nft, xdg-dbus-proxy, the pty
 * relay), the inbox holder, the netns pool and the warm-void zygote.
 *
 * A helper is a child of the calling *thread*, made by one raw clone3() with
 * CLONE_PIDFD, not by glibc's fork():
 *
 *   - the caller gets the helper's pidfd atomically with its pid, so no other
 *     reaper (SIGCHLD set to SIG_IGN, another thread's waitpid(-1)) can make
 *     it name a recycled pid;
 *   - nothing of the caller's runs in the helper: no atfork handler (fork()
 *     runs them) and no signal handler (every signal is blocked around the
 *     clone, CLONE_CLEAR_SIGHAND drops the handlers, and the helper resets
 *     every disposition, SIG_IGN included, before it unblocks).
 *
 * The price, and THE RULE every helper obeys: after a raw clone3() of a
 * process that may have other threads, a lock another thread held at that
 * moment (malloc's arenas, stdio's streams, libc's internals) stays held for
 * good in the helper.  So from vb_helper_start() to its execve(), or for the
 * whole of its loop when it runs library code, a helper makes system calls
 * and calls only functions that neither allocate nor lock: no malloc (nor
 * strdup, asprintf, getaddrinfo, fopen, libmnl's mnl_socket_open...), no
 * stdio streams, no glibc fork() (_Fork() or vb_helper_start() instead).
 * snprintf() into a buffer of its own, the str and mem functions, inet_pton
 * and execvp() (which glibc's own posix_spawnp() runs after a raw clone) are
 * fine.  Whatever needs memory is prepared by the caller before the clone
 * (argv, paths, the nftables ruleset), or is mmap()ed.
 *
 * The helper keeps only the fds listed; 0, 1 and 2, unless listed, are
 * /dev/null.  It dies with the calling thread (PR_SET_PDEATHSIG, SIGKILL),
 * and if that thread or its process ended before the prctl() took hold it
 * exits at once (VB_HELPER_EXIT_SETUP).  Its exit signal is SIGCHLD: the
 * caller reaps it, by its pidfd.
 */
#ifndef VB_HELPER_H
#define VB_HELPER_H

#include <stddef.h>
#include <sys/types.h>

/* A helper whose setup failed, or whose caller was gone before it was armed, exits with this. */
#define VB_HELPER_EXIT_SETUP 125

/*
 * Start a helper keeping the n_keep fds in keep (any order, at the same
 * numbers, O_CLOEXEC flags unchanged; negative entries are ignored).
 * Returns, in the caller, the helper's pid (> 0) with its pidfd (O_CLOEXEC,
 * the caller's to close) in *pidfd; in the helper, 0, with its signals at
 * SIG_DFL and none blocked; or -errno from clone3() (-ENOSYS where seccomp
 * hides it), with no process made.  The caller's signal mask is as before.
 */
pid_t vb_helper_start(const int *keep, size_t n_keep, int *pidfd) __attribute__((warn_unused_result));

/*
 * The helper's side of vb_helper_start(), run in the new process with every
 * signal blocked: dispositions to SIG_DFL, PR_SET_PDEATHSIG(SIGKILL), then
 * the check that the thread parent_tid of process parent (both recorded
 * before the clone) is still there and still our parent, every fd but keep
 * closed (0-2 not kept opened on /dev/null), and the mask emptied.  Returns
 * 0, -ESRCH when the parent or its thread is gone (no SIGKILL would come),
 * or -errno of prctl() or close_range().  Exposed for the tests.
 */
int vb_helper_child_setup(pid_t parent, pid_t parent_tid, const int *keep, size_t n_keep);

#endif
