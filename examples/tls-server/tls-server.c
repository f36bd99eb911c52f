/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls-server: an HTTPS static-file server written for the shim (doc/examples/tls-server.md,
 * specs/tls-server.json).  One static binary, two entrypoints:
 *
 *   signer  started once.  It holds the private key (the "key" fd) and the receiving end of
 *           the socket "sign", and nothing else.  Each request on "sign" is a digest plus an
 *           fd to answer on; it answers with an ECDSA signature (DER) and closes that fd.
 *   conn    a fresh void for every connection the shim accepts on the listener "https".
 *           It holds the connection ("trigger"), the certificate ("cert"), the sending end of
 *           "sign", and the document root read-only at /srv.  Its private key object is only
 *           the certificate's public key with an EC_KEY_METHOD whose sign() asks the signer,
 *           so the TLS handshake (1.2 and 1.3) works without the key ever entering the void.
 *
 * The certificate's key must be ECDSA (P-256 or P-384): the signer then only ever signs a
 * digest, which cannot be turned into a decryption oracle as a raw RSA private operation could.
 */
#define OPENSSL_API_COMPAT 0x10101000L
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "voidshim/app.h"

#define MAX_DIGEST 64
#define MAX_SIG 160
#define REQ_MAX 8192
#define MAX_REQUESTS 1000

static const char *prog = "tls-server";

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
        char buf[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        fprintf(stderr, "%s: %s: %s\n", prog, vs_entrypoint() ? vs_entrypoint() : "?", buf);
}

/* ======================================================================== */
/* The signer: the only void that holds the private key.                    */
/* ======================================================================== */

/* One request: 'S', then the digest (1..MAX_DIGEST bytes), with exactly one fd to answer on. */
static ssize_t recv_request(int sock, unsigned char *buf, size_t len, int *reply)
{
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int) * 4)];
        } ctl;
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
        ssize_t n;
        int nfds = 0;

        *reply = -1;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return n < 0 ? -errno : 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (nfds++ == 0)
                                *reply = fd;
                        else
                                close(fd); /* one answer fd per request, no more */
                }
        }
        if (*reply < 0 || nfds != 1 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
                return -EBADMSG;
        return n;
}

static int signer_main(int argc, char **argv)
{
        int keyfd = vs_fd("key"), sock = vs_fd("sign");
        unsigned long served = 0, refused = 0;
        EVP_PKEY *key = NULL;
        BIO *bio;

        if (keyfd < 0 || sock < 0) {
                logf_("no \"key\" or \"sign\" fd: run me with voidshim exec specs/tls-server.json");
                return 1;
        }
        bio = BIO_new_fd(keyfd, BIO_CLOSE);
        key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
                logf_("the key is not a PEM ECDSA private key");
                return 1;
        }
        for (;;) {
                unsigned char req[1 + MAX_DIGEST + 1], sig[MAX_SIG];
                size_t siglen = sizeof(sig);
                EVP_PKEY_CTX *ctx;
                int reply, ok;
                ssize_t n = recv_request(sock, req, sizeof(req), &reply);

                if (n == 0)
                        break; /* every conn void and the shim let go of "sign": done */
                if (n < 0 || n < 2 || n > 1 + MAX_DIGEST || req[0] != 'S') {
                        /* A malformed request gets no signature; the requester just sees EOF. */
                        if (reply >= 0)
                                close(reply);
                        refused++;
                        continue;
                }
                ctx = EVP_PKEY_CTX_new(key, NULL);
                ok = ctx && EVP_PKEY_sign_init(ctx) > 0 && EVP_PKEY_sign(ctx, sig, &siglen, req + 1, (size_t)n - 1) > 0;
                EVP_PKEY_CTX_free(ctx);
                if (ok)
                        (void)vs_write_all(reply, sig, siglen);
                close(reply);
                served++;
        }
        EVP_PKEY_free(key);
        return 0;
}

/* ======================================================================== */
/* The conn void: TLS with a key it never holds, then HTTP from /srv.       */
/* ======================================================================== */

static int sign_sock = -1;

/* Ask the signer to sign dgst; the DER signature goes to sig.  Its length, or -1. */
static int remote_sign(const unsigned char *dgst, int dlen, unsigned char *sig, size_t max)
{
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int))];
        } ctl = {};
        unsigned char req[1 + MAX_DIGEST];
        struct iovec iov = { .iov_base = req, .iov_len = (size_t)dlen + 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        size_t got = 0;
        int sv[2];

        if (dlen < 1 || dlen > MAX_DIGEST || sign_sock < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        req[0] = 'S';
        memcpy(req + 1, dgst, (size_t)dlen);
        c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &sv[1], sizeof(int));
        if (sendmsg(sign_sock, &msg, MSG_NOSIGNAL) < 0) {
                close(sv[0]), close(sv[1]);
                return -1;
        }
        close(sv[1]);
        for (;;) {
                ssize_t n = read(sv[0], sig + got, max - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t)n;
                if (got == max)
                        break;
        }
        close(sv[0]);
        return got > 0 ? (int)got : -1;
}

static int ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig, unsigned int *siglen,
                   const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
        int n = remote_sign(dgst, dlen, sig, (size_t)ECDSA_size(ec));

        if (n < 0)
                return 0;
        *siglen = (unsigned)n;
        return 1;
}

static ECDSA_SIG *ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
        unsigned char der[MAX_SIG];
        const unsigned char *p = der;
        int n = remote_sign(dgst, dlen, der, sizeof(der));

        return n < 0 ? NULL : d2i_ECDSA_SIG(NULL, &p, n);
}

static int ec_sign_setup(EC_KEY *ec, BN_CTX *ctx, BIGNUM **kinv, BIGNUM **r)
{
        return 1; /* nothing to precompute here: the signer does it all */
}

/* A key object made of the certificate's public key whose signing is done by the signer. */
static EVP_PKEY *remote_key(X509 *cert)
{
        static EC_KEY_METHOD *meth;
        const EC_KEY *pub = EVP_PKEY_get0_EC_KEY(X509_get0_pubkey(cert));
        EVP_PKEY *pk = NULL;
        EC_KEY *ec;

        if (!pub)
                return NULL;
        if (!meth) {
                meth = EC_KEY_METHOD_new(EC_KEY_OpenSSL());
                if (!meth)
                        return NULL;
                EC_KEY_METHOD_set_sign(meth, ec_sign, ec_sign_setup, ec_sign_sig);
        }
        ec = EC_KEY_dup(pub);
        if (!ec || !EC_KEY_set_method(ec, meth) || !(pk = EVP_PKEY_new()) || !EVP_PKEY_assign_EC_KEY(pk, ec)) {
                EVP_PKEY_free(pk);
                EC_KEY_free(ec);
                return NULL;
        }
        return pk;
}

static SSL_CTX *make_ctx(int certfd)
{
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        BIO *bio = BIO_new_fd(certfd, BIO_NOCLOSE);
        X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        EVP_PKEY *pk = cert ? remote_key(cert) : NULL;
        X509 *extra;
        bool ok = ctx && cert && pk;

        ok = ok && SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) && SSL_CTX_use_certificate(ctx, cert) &&
             SSL_CTX_use_PrivateKey(ctx, pk);
        /* The rest of the PEM file is the chain. */
        while (ok && (extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
                if (!SSL_CTX_add_extra_chain_cert(ctx, extra))
                        X509_free(extra), ok = false;
        ERR_clear_error();
        BIO_free(bio);
        X509_free(cert);
        EVP_PKEY_free(pk);
        if (!ok) {
                SSL_CTX_free(ctx);
                return NULL;
        }
        SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); /* one connection per void: nothing to reuse */
        SSL_CTX_set_num_tickets(ctx, 0);
        return ctx;
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

struct req {
        char method[8], path[1024];
        bool keep_alive, head;
};

static const char *mime(const char *path)
{
        static const struct { const char *ext, *type; } types[] = {
                { ".html", "text/html; charset=utf-8" }, { ".txt", "text/plain; charset=utf-8" },
                { ".css", "text/css" }, { ".js", "text/javascript" }, { ".json", "application/json" },
                { ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".svg", "image/svg+xml" },
        };
        const char *dot = strrchr(path, '.');

        for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
                if (strcasecmp(dot, types[i].ext) == 0)
                        return types[i].type;
        return "application/octet-stream";
}

static int ssl_write_all(SSL *ssl, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                int n = SSL_write(ssl, p, len > (1 << 30) ? 1 << 30 : (int)len);

                if (n <= 0)
                        return -1;
                p += n, len -= (size_t)n;
        }
        return 0;
}

static int respond(SSL *ssl, const struct req *rq, int code, const char *reason, const char *type, off_t len,
                   bool keep)
{
        char hdr[512];
        int n = snprintf(hdr, sizeof(hdr),
                         "HTTP/1.1 %d %s\r\nServer: voidshim-tls-server\r\nContent-Type: %s\r\n"
                         "Content-Length: %lld\r\nConnection: %s\r\n\r\n",
                         code, reason, type, (long long)len, keep ? "keep-alive" : "close");

        return ssl_write_all(ssl, hdr, (size_t)n);
}

static int respond_text(SSL *ssl, const struct req *rq, int code, const char *reason, bool keep)
{
        char body[128];
        int n = snprintf(body, sizeof(body), "%d %s\n", code, reason);

        if (respond(ssl, rq, code, reason, "text/plain; charset=utf-8", n, keep) < 0)
                return -1;
        return rq && rq->head ? 0 : ssl_write_all(ssl, body, (size_t)n);
}

/* Percent-decode in place; false for a bad escape or a NUL. */
static bool url_decode(char *s)
{
        char *o = s;

        for (; *s; s++) {
                if (*s == '?' || *s == '#')
                        break;
                if (*s == '%') {
                        unsigned v;

                        if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &v) != 1 || v == 0)
                                return false;
                        *o++ = (char)v, s += 2;
                } else {
                        *o++ = *s;
                }
        }
        *o = '\0';
        return true;
}

/* A path is served only if every segment is a plain name: no "..", no ".", no empty segment tricks. */
static bool path_ok(const char *p)
{
        if (p[0] != '/')
                return false;
        for (const char *s = p; *s;) {
                size_t n;

                s += strspn(s, "/");
                n = strcspn(s, "/");
                if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return false;
                s += n;
        }
        return true;
}

/* Open under /srv, never leaving it (RESOLVE_BENEATH), never through a symlink out. */
static int open_beneath(int root, const char *rel)
{
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
                                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };

        return (int)syscall(SYS_openat2, root, *rel ? rel : ".", &how, sizeof(how));
}

static int serve_file(SSL *ssl, const struct req *rq, int root, bool keep)
{
        static char buf[64 * 1024];
        const char *type = mime(rq->path);
        struct stat st;
        int fd;

        fd = open_beneath(root, rq->path + 1);
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
                int dir = fd;

                fd = open_beneath(dir, "index.html");
                type = mime("index.html");
                close(dir);
        }
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                bool missing = fd < 0 && (errno == ENOENT || errno == ENOTDIR);

                if (fd >= 0)
                        close(fd);
                return missing ? respond_text(ssl, rq, 404, "Not Found", keep)
                               : respond_text(ssl, rq, 403, "Forbidden", keep);
        }
        if (respond(ssl, rq, 200, "OK", type, st.st_size, keep) < 0) {
                close(fd);
                return -1;
        }
        for (off_t left = rq->head ? 0 : st.st_size; left > 0;) {
                ssize_t n = read(fd, buf, sizeof(buf));

                if (n <= 0 || ssl_write_all(ssl, buf, (size_t)n) < 0) {
                        close(fd);
                        return -1; /* the file changed under us or the client left: drop the connection */
                }
                left -= n;
        }
        close(fd);
        return 0;
}

/* Read one request head (up to the blank line).  1 ok, 0 clean close/timeout, -1 too long or broken. */
static int read_head(SSL *ssl, char *buf, size_t max, size_t *have, size_t *used)
{
        for (;;) {
                char *end = memmem(buf, *have, "\r\n\r\n", 4);
                int n;

                if (end) {
                        *end = '\0';
                        *used = (size_t)(end - buf) + 4;
                        return 1;
                }
                if (*have + 1 >= max)
                        return -1;
                n = SSL_read(ssl, buf + *have, (int)(max - 1 - *have));
                if (n <= 0)
                        return *have ? -1 : 0;
                *have += (size_t)n;
        }
}

static int parse_head(char *head, struct req *rq)
{
        char version[16], *line = strtok(head, "\r\n"), *h;

        if (!line || sscanf(line, "%7s %1023s %15s", rq->method, rq->path, version) != 3)
                return -1;
        if (strcmp(version, "HTTP/1.1") != 0 && strcmp(version, "HTTP/1.0") != 0)
                return -1;
        rq->keep_alive = strcmp(version, "HTTP/1.1") == 0;
        while ((h = strtok(NULL, "\r\n"))) {
                if (strncasecmp(h, "Connection:", 11) == 0) {
                        const char *v = h + 11 + strspn(h + 11, " \t");

                        if (strncasecmp(v, "close", 5) == 0)
                                rq->keep_alive = false;
                        else if (strncasecmp(v, "keep-alive", 10) == 0)
                                rq->keep_alive = true;
                }
        }
        rq->head = strcmp(rq->method, "HEAD") == 0;
        return 0;
}

/* One request; 1 to go on with the connection, 0 to close it. */
static int handle(SSL *ssl, int root, char *head, int n_served)
{
        struct req rq = {};
        bool keep;

        if (parse_head(head, &rq) < 0) {
                respond_text(ssl, NULL, 400, "Bad Request", false);
                return 0;
        }
        keep = rq.keep_alive && n_served + 1 < MAX_REQUESTS;
        if (strcmp(rq.method, "GET") != 0 && !rq.head) {
                respond_text(ssl, &rq, 405, "Method Not Allowed", false);
                return 0;
        }
        if (!url_decode(rq.path) || !path_ok(rq.path)) {
                respond_text(ssl, &rq, 400, "Bad Request", false);
                return 0;
        }
        return serve_file(ssl, &rq, root, keep) == 0 && keep;
}

static int conn_main(int argc, char **argv)
{
        static char buf[REQ_MAX];
        int fd = vs_fd("trigger"), certfd = vs_fd("cert"), timeout = 10, root, served = 0;
        size_t have = 0;
        struct timeval tv;
        SSL_CTX *ctx;
        SSL *ssl;

        for (int i = 1; i + 1 < argc; i++)
                if (strcmp(argv[i], "--timeout") == 0)
                        timeout = atoi(argv[++i]);
        sign_sock = vs_fd("sign");
        if (fd < 0 || certfd < 0 || sign_sock < 0) {
                logf_("no \"trigger\", \"cert\" or \"sign\" fd: run me with voidshim exec specs/tls-server.json");
                return 1;
        }
        signal(SIGPIPE, SIG_IGN);
        /* A stalled client (in the handshake or between requests) is dropped after the timeout. */
        tv = (struct timeval){ .tv_sec = timeout > 0 ? timeout : 10 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        /* A response goes out as two TLS records (header, body): without this, Nagle holds the
         * second until the client's delayed ACK, about 40 ms per keep-alive request (benches/). */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
        root = open("/srv", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ctx = make_ctx(certfd);
        if (root < 0 || !ctx) {
                logf_("%s", root < 0 ? "no document root at /srv" : "cannot use the certificate (is it ECDSA?)");
                return 1;
        }
        ssl = SSL_new(ctx);
        if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) <= 0) {
                unsigned long e = ERR_peek_error();

                logf_("TLS handshake failed: %s", e ? ERR_reason_error_string(e) : "connection closed or timed out");
                return 0; /* the client's fault, not ours: nothing for the shim to report */
        }
        for (;;) {
                size_t used = 0;
                int r = read_head(ssl, buf, sizeof(buf), &have, &used);

                if (r < 0)
                        respond_text(ssl, NULL, r == -1 && have + 1 >= sizeof(buf) ? 431 : 400,
                                     have + 1 >= sizeof(buf) ? "Request Header Fields Too Large" : "Bad Request", false);
                if (r <= 0 || !handle(ssl, root, buf, served++))
                        break;
                memmove(buf, buf + used, have - used); /* a pipelined next request */
                have -= used;
        }
        SSL_shutdown(ssl);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        return 0;
}

VS_MAIN({ "signer", signer_main }, { "conn", conn_main })
