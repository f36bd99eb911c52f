/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vgzip: gzip written for the shim (doc/examples/gzip.md, specs/gzip-zlib.json).
 *
 * One static binary, two entrypoints:
 *
 *   gzip    the opener.  It runs in a void that holds the directories of
 *           the named files and nothing else.  It parses the command line,
 *           opens each input, creates a temporary output next to the final
 *           name, and hands (input, output, control) to a worker over the
 *           socket "work".  It renames the output into place and removes the
 *           input only after the worker said "ok", so a failure never loses
 *           the input nor leaves partial output behind.  It never reads the
 *           compressed data itself.
 *   worker  one void per file, started by the shim for each message on
 *           "work".  It holds three fds and nothing else: no file system,
 *           no network, a seccomp allowlist (specs/seccomp/gzip-worker.policy).
 *           It is the only part that parses untrusted data (zlib).
 *
 * The control socket carries one request line from the opener ("z6\n":
 * compress at level 6, "d\n": decompress) and one answer line from the
 * worker ("ok IN OUT\n" or "error MESSAGE\n").  A worker that dies answers
 * nothing, and the opener takes end-of-file for a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "voidshim/app.h"

#define CHUNK (64 * 1024)
#define LINE_MAX_LEN 512

/* ---- small I/O helpers (shared by both entrypoints) ---------------------- */

static ssize_t read_some(int fd, void *buf, size_t len)
{
        ssize_t n;

        do
                n = read(fd, buf, len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

/* Read one '\n'-terminated line (without it) into buf; -EPROTO on EOF first or overlong. */
static int read_line(int fd, char *buf, size_t len)
{
        size_t got = 0;

        while (got + 1 < len) {
                ssize_t n = read_some(fd, buf + got, 1);

                if (n < 0)
                        return (int)n;
                if (n == 0)
                        return -EPROTO;
                if (buf[got] == '\n') {
                        buf[got] = '\0';
                        return 0;
                }
                got++;
        }
        return -EPROTO;
}

/* ======================================================================== */
/* The worker: untrusted bytes in, bytes out, nothing else.                 */
/* ======================================================================== */

struct job {
        int in, out;
        unsigned long long n_in, n_out;
        char err[256];
};

static int job_fail(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int job_fail(struct job *j, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(j->err, sizeof(j->err), fmt, ap);
        va_end(ap);
        return -1;
}

static int flush_out(struct job *j, const unsigned char *buf, size_t len)
{
        int r = vs_write_all(j->out, buf, len);

        if (r < 0)
                return job_fail(j, "write: %s", strerror(-r));
        j->n_out += len;
        return 0;
}

static int compress_stream(struct job *j, int level)
{
        static unsigned char inbuf[CHUNK], outbuf[CHUNK];
        z_stream z = {};
        int flush, r = 0;

        /* windowBits 15 + 16: a gzip header and trailer (no name, mtime 0, as gzip -n). */
        if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return job_fail(j, "deflateInit2 failed");
        do {
                ssize_t n = read_some(j->in, inbuf, sizeof(inbuf));

                if (n < 0) {
                        r = job_fail(j, "read: %s", strerror((int)-n));
                        break;
                }
                j->n_in += (unsigned long long)n;
                flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
                z.next_in = inbuf;
                z.avail_in = (uInt)n;
                do {
                        z.next_out = outbuf;
                        z.avail_out = sizeof(outbuf);
                        (void)deflate(&z, flush); /* cannot fail with valid state and buffers */
                        r = flush_out(j, outbuf, sizeof(outbuf) - z.avail_out);
                } while (r == 0 && z.avail_out == 0);
        } while (r == 0 && flush != Z_FINISH);
        deflateEnd(&z);
        return r;
}

/* After a member ended: true when what is left is only zero padding (GNU gzip accepts it). */
static bool only_zeros(const unsigned char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

static int decompress_stream(struct job *j)
{
        static unsigned char inbuf[CHUNK], outbuf[CHUNK];
        z_stream z = {};
        bool member_done = false, any = false, out_full = false;
        int zr, r = 0;

        /* 15 + 16: gzip only (not zlib or raw); members may be concatenated, as GNU gzip allows. */
        if (inflateInit2(&z, 15 + 16) != Z_OK)
                return job_fail(j, "inflateInit2 failed");
        while (r == 0) {
                if (z.avail_in == 0 && !out_full) {
                        ssize_t n = read_some(j->in, inbuf, sizeof(inbuf));

                        if (n < 0) {
                                r = job_fail(j, "read: %s", strerror((int)-n));
                                break;
                        }
                        if (n == 0)
                                break;
                        any = true;
                        j->n_in += (unsigned long long)n;
                        z.next_in = inbuf;
                        z.avail_in = (uInt)n;
                }
                if (member_done && z.avail_in > 0) {
                        /* Zero padding after the last member is accepted; anything else must be a member. */
                        if (only_zeros(z.next_in, z.avail_in)) {
                                z.avail_in = 0;
                                continue;
                        }
                        if (z.next_in[0] == 0) {
                                r = job_fail(j, "trailing garbage after the compressed data");
                                break;
                        }
                        inflateReset(&z);
                        member_done = false;
                }
                z.next_out = outbuf;
                z.avail_out = sizeof(outbuf);
                zr = inflate(&z, Z_NO_FLUSH);
                if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_MEM_ERROR || zr == Z_STREAM_ERROR) {
                        r = job_fail(j, "invalid compressed data: %s", z.msg ? z.msg : zError(zr));
                        break;
                }
                out_full = z.avail_out == 0;
                r = flush_out(j, outbuf, sizeof(outbuf) - z.avail_out);
                if (zr == Z_STREAM_END)
                        member_done = true, out_full = false;
        }
        if (r == 0 && !any)
                r = job_fail(j, "unexpected end of file (empty input)");
        else if (r == 0 && !member_done)
                r = job_fail(j, "unexpected end of file (truncated compressed data)");
        inflateEnd(&z);
        return r;
}

static int worker_main(int argc, char **argv)
{
        struct job j = {};
        char req[16], ans[LINE_MAX_LEN];
        int ctl = vs_fd("trigger.2"), r;

        j.in = vs_fd("trigger");
        j.out = vs_fd("trigger.1");
        if (j.in < 0 || j.out < 0 || ctl < 0)
                return 2; /* not started by the shim as specs/gzip-zlib.json says */
        r = read_line(ctl, req, sizeof(req));
        if (r < 0)
                return 2;
        if (req[0] == 'z' && req[1] >= '1' && req[1] <= '9' && !req[2])
                r = compress_stream(&j, req[1] - '0');
        else if (req[0] == 'd' && !req[1])
                r = decompress_stream(&j);
        else
                r = job_fail(&j, "bad request");
        if (r == 0)
                snprintf(ans, sizeof(ans), "ok %llu %llu\n", j.n_in, j.n_out);
        else
                snprintf(ans, sizeof(ans), "error %s\n", j.err);
        /* A failure is reported in the answer, and the opener tells the user: exit 0 once answered. */
        return vs_write_all(ctl, ans, strlen(ans)) < 0 ? 1 : 0;
}

/* ======================================================================== */
/* The opener: file names, temporary outputs, renames.                      */
/* ======================================================================== */

struct opts {
        bool stdout_, decompress, keep, force, quiet;
        int level;
        int work; /* the socket to the workers */
        const char *prog;
};

static void complain(const struct opts *o, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void complain(const struct opts *o, const char *name, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: %s: ", o->prog, name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* Hand (in, out) to a fresh worker void and wait for its answer.  0, or -1 with msg set. */
static int run_worker(const struct opts *o, int in, int out, char *msg, size_t len)
{
        char req[8], ans[LINE_MAX_LEN];
        int sv[2], fds[3], r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                snprintf(msg, len, "socketpair: %s", strerror(errno));
                return -1;
        }
        fds[0] = in, fds[1] = out, fds[2] = sv[1];
        r = vs_send_fds(o->work, fds, 3);
        close(sv[1]); /* the worker holds the only other end: its death is our EOF */
        if (r < 0) {
                close(sv[0]);
                snprintf(msg, len, "cannot reach the workers: %s", strerror(-r));
                return -1;
        }
        snprintf(req, sizeof(req), o->decompress ? "d\n" : "z%d\n", o->level);
        r = vs_write_all(sv[0], req, strlen(req));
        if (r == 0)
                r = read_line(sv[0], ans, sizeof(ans));
        close(sv[0]);
        if (r < 0) {
                snprintf(msg, len, "the worker ended without an answer");
                return -1;
        }
        if (strncmp(ans, "ok ", 3) == 0)
                return 0;
        snprintf(msg, len, "%s", strncmp(ans, "error ", 6) == 0 ? ans + 6 : "the worker's answer is garbled");
        return -1;
}

/* The output name, or NULL with a warning printed (and *warned set) when the file is skipped. */
static char *output_name(const struct opts *o, const char *in, int *status)
{
        size_t n = strlen(in);
        char *out = NULL;

        if (o->decompress) {
                if (n > 3 && strcmp(in + n - 3, ".gz") == 0)
                        out = strndup(in, n - 3);
                else if (n > 4 && strcmp(in + n - 4, ".tgz") == 0 && asprintf(&out, "%.*s.tar", (int)(n - 4), in) < 0)
                        out = NULL;
                else if (!out) {
                        if (!o->quiet)
                                complain(o, in, "unknown suffix -- ignored");
                        if (*status == 0)
                                *status = 2;
                        return NULL;
                }
        } else {
                if (n > 3 && strcmp(in + n - 3, ".gz") == 0) {
                        if (!o->quiet)
                                complain(o, in, "already has .gz suffix -- unchanged");
                        if (*status == 0)
                                *status = 2;
                        return NULL;
                }
                if (asprintf(&out, "%s.gz", in) < 0)
                        out = NULL;
        }
        if (!out) {
                complain(o, in, "%s", strerror(ENOMEM));
                *status = 1;
        }
        return out;
}

/* A new, empty, private file next to final (same directory, so rename() is atomic). */
static int make_temp(const char *final, char **tmp)
{
        const char *slash = strrchr(final, '/');
        int dirlen = slash ? (int)(slash - final + 1) : 0;

        for (int attempt = 0; attempt < 100; attempt++) {
                unsigned rnd;
                int fd;

                if (getentropy(&rnd, sizeof(rnd)) < 0)
                        rnd = (unsigned)getpid() * 2654435761u + (unsigned)attempt;
                free(*tmp);
                if (asprintf(tmp, "%.*s.vgzip-%08x.tmp", dirlen, final, rnd) < 0) {
                        *tmp = NULL;
                        return -ENOMEM;
                }
                fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0 || errno != EEXIST)
                        return fd >= 0 ? fd : -errno;
        }
        return -EEXIST;
}

/* The input's mode and times go to the output, as gzip does; ownership is best effort. */
static void copy_attrs(int out, const struct stat *st)
{
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        (void)!fchown(out, st->st_uid, st->st_gid);
        (void)fchmod(out, st->st_mode & 07777);
        (void)futimens(out, ts);
}

static int one_file(const struct opts *o, const char *name)
{
        char *final = NULL, *tmp = NULL, msg[LINE_MAX_LEN];
        struct stat st, ost;
        int in = -1, out = -1, status = 0, r;

        in = open(name, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (in < 0) {
                complain(o, name, "%s", strerror(errno));
                return 1;
        }
        if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
                complain(o, name, "%s", S_ISDIR(st.st_mode) ? "is a directory -- ignored" : "not a regular file -- ignored");
                close(in);
                return 2;
        }
        (void)fcntl(in, F_SETFL, 0);
        if (o->stdout_) {
                r = run_worker(o, in, STDOUT_FILENO, msg, sizeof(msg));
                close(in);
                if (r < 0)
                        complain(o, name, "%s", msg);
                return r < 0;
        }
        final = output_name(o, name, &status);
        if (!final) {
                close(in);
                return status;
        }
        if (!o->force && lstat(final, &ost) == 0) {
                complain(o, final, "already exists (use -f to overwrite)");
                status = 1;
                goto out;
        }
        out = make_temp(final, &tmp);
        if (out < 0) {
                complain(o, final, "cannot create: %s", strerror(-out));
                status = 1;
                goto out;
        }
        r = run_worker(o, in, out, msg, sizeof(msg));
        if (r == 0 && fsync(out) < 0)
                r = -1, snprintf(msg, sizeof(msg), "cannot write %s: %s", final, strerror(errno));
        if (r == 0) {
                copy_attrs(out, &st);
                if (rename(tmp, final) < 0)
                        r = -1, snprintf(msg, sizeof(msg), "cannot rename to %s: %s", final, strerror(errno));
        }
        if (r < 0) {
                /* The input was never touched; the partial output goes. */
                (void)unlink(tmp);
                complain(o, name, "%s", msg);
                status = 1;
                goto out;
        }
        if (!o->keep && unlink(name) < 0) {
                complain(o, name, "cannot remove the input: %s", strerror(errno));
                status = 1;
        }
out:
        if (out >= 0)
                close(out);
        close(in);
        free(final);
        free(tmp);
        return status;
}

static int stream(const struct opts *o)
{
        char msg[LINE_MAX_LEN];

        if (!o->force && !o->decompress && isatty(STDOUT_FILENO)) {
                fprintf(stderr, "%s: compressed data not written to a terminal (use -f to force)\n", o->prog);
                return 1;
        }
        if (run_worker(o, STDIN_FILENO, STDOUT_FILENO, msg, sizeof(msg)) < 0) {
                complain(o, "stdin", "%s", msg);
                return 1;
        }
        return 0;
}

static int usage(const char *prog, int code)
{
        fprintf(code ? stderr : stdout,
                "usage: %s [-cdfkqn1-9] [FILE...]\n"
                "Compress (or with -d decompress) each FILE in place, or stdin to stdout.\n"
                "  -c  write to stdout, keep the files     -d  decompress\n"
                "  -k  keep the input files                -f  overwrite existing outputs\n"
                "  -q  no warnings                         -1 .. -9  fast .. best (default 6)\n"
                "  -n  accepted: the output never holds a name or a time\n",
                prog);
        return code;
}

/* Returns the index of the first file argument, or -1 after printing a usage error. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
        int i;

        for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
                if (strcmp(argv[i], "--") == 0)
                        return i + 1;
                for (const char *c = argv[i] + 1; *c; c++) {
                        if (*c >= '1' && *c <= '9')
                                o->level = *c - '0';
                        else if (*c == 'c')
                                o->stdout_ = true;
                        else if (*c == 'd')
                                o->decompress = true;
                        else if (*c == 'k')
                                o->keep = true;
                        else if (*c == 'f')
                                o->force = true;
                        else if (*c == 'q')
                                o->quiet = true;
                        else if (*c == 'n')
                                continue;
                        else if (*c == 'h')
                                return usage(o->prog, 0), -2;
                        else {
                                fprintf(stderr, "%s: invalid option -- '%c'\n", o->prog, *c);
                                return usage(o->prog, 1), -1;
                        }
                }
        }
        return i;
}

static int gzip_main(int argc, char **argv)
{
        struct opts o = { .level = 6, .prog = "gzip" };
        int first, status = 0;

        o.work = vs_fd("work");
        if (o.work < 0) {
                fprintf(stderr, "%s: no worker socket: run me with voidshim exec specs/gzip-zlib.json\n", o.prog);
                return 1;
        }
        first = parse_opts(argc, argv, &o);
        if (first < 0)
                return first == -2 ? 0 : 1;
        if (first == argc)
                return stream(&o);
        for (int i = first; i < argc; i++) {
                int r = strcmp(argv[i], "-") == 0 ? stream(&o) : one_file(&o, argv[i]);

                if (r == 1 || (r == 2 && status == 0))
                        status = r;
        }
        return status;
}

VS_MAIN({ "gzip", gzip_main }, { "worker", worker_main })
