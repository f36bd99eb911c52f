/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: shared declarations of the test program's parts (see probe.c). */
#ifndef PROBE_H
#define PROBE_H
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

extern char **environ;

/* Every command has the dispatch table's signature; many ignore their arguments. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Output and parsing helpers (probe.c). */
int ok(void);
int fail_errno(int e);
int fail(void);
int usage(void);
int result(long r);
bool parse_long(const char *s, long min, long max, long *out);
int cmp_str(const void *a, const void *b);
int cmp_int(const void *a, const void *b);

/* Commands: one line of output, see probe.c. */
int cmd_addroute(char **argv);
int cmd_bpf(char **argv);
int cmd_caps(char **argv);
int cmd_chdir_pwd(char **argv);
int cmd_clock(char **argv);
int cmd_clone(char **argv);
int cmd_clone3(char **argv);
int cmd_connect(char **argv);
int cmd_copy_exec(char **argv);
int cmd_env(char **argv);
int cmd_exec(char **argv);
int cmd_exit(char **argv);
int cmd_fds(char **argv);
int cmd_fdstat(char **argv);
int cmd_fill(char **argv);
int cmd_fork_sleep(char **argv);
int cmd_getpid(char **argv);
int cmd_hostname(char **argv);
int cmd_ifaces(char **argv);
int cmd_int80(char **argv);
int cmd_ioctl_tiocsti(char **argv);
int cmd_keyctl(char **argv);
int cmd_kill_self(char **argv);
int cmd_listen(char **argv);
int cmd_ls(char **argv);
int cmd_mkdir(char **argv);
int cmd_mknod(char **argv);
int cmd_mount_proc(char **argv);
int cmd_mount_tmpfs(char **argv);
int cmd_nnp(char **argv);
int cmd_open(char **argv);
int cmd_open_many(char **argv);
int cmd_open_w(char **argv);
int cmd_orphan(char **argv);
int cmd_personality(char **argv);
int cmd_pid(char **argv);
int cmd_ptrace(char **argv);
int cmd_read(char **argv);
int cmd_read_fd(char **argv);
int cmd_readn(char **argv);
int cmd_remount_rw(char **argv);
int cmd_seccomp(char **argv);
int cmd_segv(char **argv);
int cmd_selfconnect(char **argv);
int cmd_serve(char **argv);
int cmd_userve(char **argv);
int cmd_uconnect(char **argv);
int cmd_zombies(char **argv);
int cmd_setns(char **argv);
int cmd_signal(char **argv);
int cmd_sleep(char **argv);
int cmd_socket(char **argv);
int cmd_socketpair(char **argv);
int cmd_syscall(char **argv);
int cmd_io_uring(char **argv);
int cmd_stat(char **argv);
int cmd_true(char **argv);
int cmd_uid(char **argv);
int cmd_umount(char **argv);
int cmd_umount_ls(char **argv);
int cmd_unshare(char **argv);
int cmd_wait_signal(char **argv);
int cmd_write(char **argv);
int cmd_write_str(char **argv);
int cmd_x32(char **argv);
int cmd_mountpoints(char **argv);
int cmd_repl(char **argv);
int cmd_readat(char **argv);
int cmd_term(char **argv);
int cmd_unix_req(char **argv);
int cmd_unix_serve(char **argv);
int cmd_perf(char **argv);
int cmd_userfaultfd(char **argv);
int cmd_no_landlock(char **argv);
int cmd_writeat(char **argv);
int cmd_forks(char **argv);
int cmd_forkbomb(char **argv);
int cmd_memfill(char **argv);
int cmd_spin(char **argv);

#endif
