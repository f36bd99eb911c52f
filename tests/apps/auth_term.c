/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth_term: a static program that looks at the void's credentials and
 * terminal from inside, for test-auth.sh and test-term.sh.  Each command
 * prints "ok[ DETAIL]" or the errno's symbol ("EPERM"), one line, and exits
 * 0 or 1 (2 for usage).
 *
 *   ids                 ok UID GID groups=G1,G2|none
 *   setuid N, setgid N  the raw system call (glibc's wrapper may retry)
 *   setgroups           setgroups(0, NULL)
 *   tty                 fd 0: ok MAJ:MIN ctty|noctty (is it our controlling terminal)
 *   ttyname             fd 0: ok NAME, the name ttyname(3) finds for it
 *   echo-line           prints "ready", reads one line from stdin, prints "got LINE"
 *   hangup FILE         prints "ready", reads stdin until it fails or ends, then tries
 *                       a write and an ioctl on the terminal, writes what each gave
 *                       (and whether SIGHUP came) to FILE, and sleeps for a minute
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
        const char *n = strerrorname_np(e);

        return n ? n : "EOTHER";
}

static int fail(int e)
{
        printf("%s\n", errname(e));
        return 1;
}

static int result(long r)
{
        if (r < 0)
                return fail(errno);
        puts("ok");
        return 0;
}

static int cmd_ids(void)
{
        gid_t g[64];
        int n = getgroups(64, g);

        if (n < 0)
                return fail(errno);
        printf("ok %u %u groups=", (unsigned)getuid(), (unsigned)getgid());
        for (int i = 0; i < n; i++)
                printf("%s%u", i ? "," : "", (unsigned)g[i]);
        puts(n ? "" : "none");
        return 0;
}

/* fd 0: which terminal, and is it the controlling terminal of our session (TIOCGSID answers only then)? */
static int cmd_tty(void)
{
        struct stat st;
        pid_t sid;

        if (!isatty(0))
                return fail(errno);
        if (fstat(0, &st) < 0)
                return fail(errno);
        printf("ok %u:%u %s\n", major(st.st_rdev), minor(st.st_rdev),
               ioctl(0, TIOCGSID, &sid) == 0 && sid == getsid(0) ? "ctty" : "noctty");
        return 0;
}

static int cmd_echo_line(void)
{
        char line[256];

        puts("ready");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
                return fail(ferror(stdin) ? errno : ENODATA);
        line[strcspn(line, "\r\n")] = '\0';
        printf("got %s\n", line);
        return 0;
}

static volatile sig_atomic_t got_hup;

static void on_hup(int sig)
{
        got_hup = 1;
}

static void what(char *buf, size_t len, const char *name, long r, int e)
{
        size_t used = strlen(buf);

        snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", name, r < 0 ? errname(e) : r == 0 ? "EOF" : "ok");
}

/* Wait for the terminal to go away under us, then say how it answers. */
static int cmd_hangup(const char *file)
{
        struct sigaction sa = { .sa_handler = on_hup };
        char buf[64], report[256] = "";
        struct winsize ws;
        ssize_t n;
        FILE *f;

        sigaction(SIGHUP, &sa, NULL);
        puts("ready");
        fflush(stdout);
        do
                n = read(0, buf, sizeof(buf));
        while (n > 0 || (n < 0 && errno == EINTR));
        what(report, sizeof(report), "read", n, errno);
        n = write(1, "x\n", 2);
        what(report, sizeof(report), "write", n < 0 ? -1 : 1, errno);
        n = ioctl(0, TIOCGWINSZ, &ws);
        what(report, sizeof(report), "ioctl", n < 0 ? -1 : 1, errno);
        f = fopen(file, "we");
        if (!f)
                return 1;
        fprintf(f, "%s sighup=%d\n", report, (int)got_hup);
        fclose(f);
        /* Still running: the test looks for that, then stops the void. */
        nanosleep(&(struct timespec){ .tv_sec = 60 }, NULL);
        return 0;
}

static int parse_id(const char *s, long *out)
{
        char *end;

        errno = 0;
        *out = strtol(s, &end, 10);
        return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
        const char *c = argc > 1 ? argv[1] : "";
        long id;

        if (strcmp(c, "ids") == 0)
                return cmd_ids();
        if (strcmp(c, "setuid") == 0 && argc == 3 && parse_id(argv[2], &id) == 0)
                return result(syscall(SYS_setuid, id));
        if (strcmp(c, "setgid") == 0 && argc == 3 && parse_id(argv[2], &id) == 0)
                return result(syscall(SYS_setgid, id));
        if (strcmp(c, "setgroups") == 0)
                return result(syscall(SYS_setgroups, 0, NULL));
        if (strcmp(c, "tty") == 0)
                return cmd_tty();
        if (strcmp(c, "ttyname") == 0) {
                const char *name = ttyname(0);

                return name ? printf("ok %s\n", name), 0 : fail(errno);
        }
        if (strcmp(c, "echo-line") == 0)
                return cmd_echo_line();
        if (strcmp(c, "hangup") == 0 && argc == 3)
                return cmd_hangup(argv[2]);
        puts("usage");
        return 2;
}
