#!/bin/bash
# Real programs under the default seccomp policy (an allow list with a default refusal): what an
# ordinary program does must keep working.  Each runs on the host's files, read-only (fs shared),
# with a /dev and a /tmp of its own, and only the network a test grants.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# The Debian programs, not whatever PATH finds first (root's pyenv shim is not in the void's reach).
PY=/usr/bin/python3
need() { for p in "$@"; do [ -x "$p" ] || return 1; done; }
if ! need "$PY" /usr/bin/openssl /usr/bin/git /usr/bin/curl /usr/bin/make /usr/bin/perl /usr/bin/gzip; then
        t_skip "all program tests" "python3, openssl, git, curl, make, perl or gzip missing (ci/install-deps.sh)"
        t_done
fi

# prog [GRANT...] -- PROGRAM [ARG...]: a void on the host's files with the default policy.
prog() {
        "$VS" run --server fs=shared --dev --tmpfs /tmp --setenv PATH /usr/bin:/bin --setenv HOME /tmp \
                --setenv LANG C.UTF-8 "$@"
}

# The policy in force is the default one.
t_eq "the default policy is in force" "Seccomp:	2" prog --proc -- /bin/sh -c 'grep "^Seccomp:" /proc/self/status'

# ---- python3 ----------------------------------------------------------------------------------
t_eq "python3: import ssl, json, hashlib, sqlite3, threads" "ok OpenSSL 3 4" prog -- "$PY" -c '
import hashlib, json, sqlite3, ssl, threading
out = []
threads = [threading.Thread(target=lambda: out.append(hashlib.sha256(b"x").hexdigest())) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
db = sqlite3.connect(":memory:"); db.execute("create table t (x)")
print("ok", ssl.OPENSSL_VERSION.split(".")[0], json.loads(json.dumps(len(out))))'
t_eq "python3: subprocess and multiprocessing (clone3 falls back to clone)" "ok 0 [1, 4, 9]" prog -- "$PY" -c '
import multiprocessing, subprocess
r = subprocess.run(["/bin/true"]).returncode
with multiprocessing.Pool(2) as p: sq = p.map(abs, [-1, 4, -9])
print("ok", r, sq)'
t_eq "python3: name resolution from /etc/hosts (netlink route for AI_ADDRCONFIG)" "ok 127.0.0.1" prog -- "$PY" -c '
import socket; print("ok", socket.getaddrinfo("localhost", 80, socket.AF_INET)[0][4][0])'

# A TLS handshake with a local openssl s_server, the void on the host's network (net shared).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" >/dev/null 2>&1
timeout 120 openssl s_server -accept 127.0.0.1:0 -cert "$T_TMP/cert.pem" -key "$T_TMP/key.pem" -www \
        </dev/null >"$T_TMP/s_server" 2>&1 &
tls=$!
t_at_exit "kill $tls 2>/dev/null"
for _ in $(seq 50); do grep -q '^ACCEPT' "$T_TMP/s_server" && break; sleep 0.1; done
tport=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$T_TMP/s_server")
t_match "openssl s_server listens on the host" "^[0-9]+$" echo "$tport"
t_match "python3: a TLS handshake, certificate verified, with the host's s_server" "^ok TLSv1.3 HTTP/1.0 200" \
        prog --net shared --ro-bind "$T_TMP/cert.pem" /ca.pem -- "$PY" -c '
import socket, ssl, sys
ctx = ssl.create_default_context(cafile="/ca.pem")
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10), server_hostname="localhost") as s:
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    print("ok", s.version(), s.recv(4096).split(b"\r\n")[0].decode())' "$tport"
t_eq "python3: without a network the same handshake cannot start (the void's own empty stack)" \
        "OSError" prog --ro-bind "$T_TMP/cert.pem" /ca.pem -- "$PY" -c '
import socket, sys
try: socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
except OSError: print("OSError")' "$tport"

# ---- curl against python3 -m http.server on the host's loopback ---------------------------------
mkdir "$T_TMP/www" && echo "hello from the host" >"$T_TMP/www/hello.txt"
timeout 120 "$PY" -u -m http.server --bind 127.0.0.1 --directory "$T_TMP/www" 0 >"$T_TMP/http" 2>&1 &
web=$!
t_at_exit "kill $web 2>/dev/null"
for _ in $(seq 50); do grep -q 'port [0-9]' "$T_TMP/http" && break; sleep 0.1; done
hport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$T_TMP/http" | head -1)
t_eq "curl: a page from the host's loopback (net shared)" "hello from the host" \
        prog --net shared -- /usr/bin/curl -sS --max-time 10 "http://127.0.0.1:$hport/hello.txt"
if command -v pasta >/dev/null && [ -c /dev/net/tun ]; then
        t_eq "curl: the same page through the network caretaker (--net-allow)" "hello from the host" \
                prog --net-allow "$hport" -- /usr/bin/curl -sS --max-time 10 "http://127.0.0.1:$hport/hello.txt"
else
        t_skip "curl: the same page through the network caretaker" "no pasta or /dev/net/tun"
fi

# ---- git in a repository of the void's own -------------------------------------------------------
mkdir "$T_TMP/repo"
t_eq "git: init, add, commit, status, log" "ok 2 clean" prog --bind "$T_TMP/repo" /repo --chdir /repo -- /bin/sh -c '
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=v GIT_AUTHOR_EMAIL=v@void GIT_COMMITTER_NAME=v GIT_COMMITTER_EMAIL=v@void
git init -q . && echo one >f && git add f && git commit -qm one && echo two >>f && git commit -qam two &&
n=$(git log --oneline | wc -l) && [ -z "$(git status --porcelain)" ] && echo "ok $n clean"'
t_eq "git: the repository is on the host" "two" git -C "$T_TMP/repo" log -1 --format=%s

# ---- gzip, sh, make, perl ----------------------------------------------------------------------
t_eq "gzip/gunzip: a round trip of random bytes" "ok" prog -- /bin/sh -c '
head -c 300000 /dev/urandom >/tmp/a && gzip -9 -c /tmp/a >/tmp/a.gz && gunzip -c /tmp/a.gz | cmp -s - /tmp/a && echo ok'
t_eq "sh: pipes and background jobs (a | b & wait)" "1000 ok" prog -- /bin/sh -c '
seq 1000 | sort -rn | head -n 1 >/tmp/top & seq 5 | tr -d 5 >/dev/null & wait; echo "$(cat /tmp/top) ok"'
t_eq "bash: a subshell, process substitution and a coprocess" "6 ok" prog --proc -- /bin/bash -c '
coproc cat; echo 3 >&"${COPROC[1]}"; read -r x <&"${COPROC[0]}"; kill $COPROC_PID
echo "$(( x + $(wc -l < <(seq 3)) )) ok"'
t_eq "make: a target built by a recipe" "built" prog --chdir /tmp -- /bin/sh -c '
printf "out:\n\techo built >\$@\n" >Makefile && make -s && cat out'
t_eq "perl: POSIX and JSON::PP" '{"a":2}' prog -- /usr/bin/perl -MPOSIX -MJSON::PP -e \
        'print JSON::PP->new->canonical->encode({a => floor(2.5)}), "\n"'

# ---- and what the policy refuses, tried by a real program --------------------------------------
t_eq "python3: AF_VSOCK is refused" "PermissionError" prog -- "$PY" -c '
import socket
try: socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
except PermissionError: print("PermissionError")'
t_eq "python3: unshare(CLONE_NEWUSER) through libc is refused" "EPERM" prog -- "$PY" -c '
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
print("ok" if libc.unshare(0x10000000) == 0 else errno.errorcode[ctypes.get_errno()])'

t_done
