#!/bin/bash
# voidshim learn: a program run once, watched, gives a spec that grants exactly what it used; exec of
# that spec runs it again, with other words, and nothing outside the spec is reachable (tried from
# inside).  gzip, python3 with ssl and json, git status, curl to a local server, a #!/bin/sh script
# running sed and awk.  No spec when the program does not start.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

L() { timeout 120 "$VS" learn "$@"; }
X() { timeout 120 "$VS" exec "$@"; }
cd "$T_TMP" || exit 1

# --- gzip: the file's directory is written (a.txt.gz made): the word generalises. ----------------------
mkdir -p g other && echo hello >g/a.txt && echo secret >g/secret && echo other >other/c.txt
t_ok "gzip: learn runs it (exit 0)" L -o gz.json -- gzip -k g/a.txt
t_ok "gzip: it really ran (a.txt.gz made)" test -f g/a.txt.gz
t_ok "gzip: the spec passes voidshim check" "$VS" check gz.json
t_match "gzip: the word's directory is a bind-cmdline with parent" '"bind-cmdline": 1, "parent": true' cat gz.json
t_ok "gzip: exec runs it again on another file in another directory" X gz.json -- -k other/c.txt
t_ok "gzip: ... which it compressed" test -f other/c.txt.gz
t_match "gzip: a file named at a word not learned is not there" "secret: No such file" \
        X gz.json -- -k other/c.txt "$T_TMP/g/secret"

# --- python3: a script that imports ssl and json (dlopen()ed modules that --libs cannot see). --------
if [ -x /usr/bin/python3 ]; then
        mkdir -p py && cat >py/t.py <<'EOF'
import ssl, json
print(json.dumps({"ssl": ssl.OPENSSL_VERSION.split()[0]}))
EOF
        t_eq "python3: learn runs the script" '{"ssl": "OpenSSL"}' L -o py.json -- python3 py/t.py
        t_ok "python3: the spec passes voidshim check" "$VS" check py.json
        t_eq "python3: exec runs it in a void holding only what it used" '{"ssl": "OpenSSL"}' X py.json -- py/t.py
        # What is not granted, tried from inside by a script in the learned script's place.
        libssl=$(grep -o '"ro-bind": "[^"]*libssl[^"]*"' py.json | head -1 | cut -d'"' -f4)
        cat >py/t.py <<EOF
import os
for p in ["/etc/hostname", "/etc/shadow", "$(dirname "$libssl")/libsqlite3.so.0", "/usr/lib/python3.11/os.py",
          "$libssl", "$T_TMP/g/secret", "/home", "/root"]:
    try:
        os.stat(p); print(p, "there")
    except OSError as e:
        print(p, e.strerror)
EOF
        X py.json -- py/t.py >py.out 2>&1
        t_match "python3: a file next to a granted library is not there" "libsqlite3.so.0 No such file" cat py.out
        t_match "python3: the granted library is" "libssl.so.3 there" cat py.out
        t_match "python3: the standard library it listed is" "os.py there" cat py.out
        for p in /etc/hostname /etc/shadow "$T_TMP/g/secret" /home /root; do
                t_match "python3: $p is not there" "^$p No such file" cat py.out
        done
else
        t_skip "python3" "no /usr/bin/python3"
fi

# --- git status in a repository. --------------------------------------------------------------------------
if command -v git >/dev/null; then
        git init -q repo && echo a >repo/a && git -C repo add a && git -C repo -c user.email=t@t -c user.name=t \
                commit -qm one && echo new >repo/untracked
        t_match "git: learn runs git status" "untracked" bash -c 'cd repo && timeout 120 "$VS" learn -o ../git.json -- git status'
        t_ok "git: the spec passes voidshim check" "$VS" check git.json
        t_match "git: exec runs git status there again" "Untracked files" bash -c 'cd repo && timeout 120 "$VS" exec ../git.json -- status'
        t_match "git: the repository's neighbours are not there" "cannot change to" \
                bash -c 'cd repo && timeout 120 "$VS" exec ../git.json -- -C "$1" status' _ "$T_TMP/other"
else
        t_skip "git" "no git"
fi

# --- curl to an HTTP server on the host's loopback: net proxied, that port only. ------------------------
if command -v curl >/dev/null && [ -x /usr/bin/python3 ] && command -v pasta >/dev/null; then
        mkdir -p www && echo page-one >www/one && echo page-two >www/two
        python3 -u -m http.server 0 --bind 127.0.0.1 --directory www >http.log 2>&1 &
        srv=$!
        t_at_exit "kill $srv 2>/dev/null"
        for _ in $(seq 100); do grep -q "port" http.log && break; sleep 0.1; done
        port=$(grep -o 'port [0-9]*' http.log | head -1 | cut -d' ' -f2)
        t_eq "curl: learn fetches a page" "page-one" L -o curl.json -- curl -s "http://127.0.0.1:$port/one"
        t_ok "curl: the spec passes voidshim check" "$VS" check curl.json
        t_match "curl: the spec allows that port, through a caretaker" "\"allow\": \[\"$port\"\]" cat curl.json
        t_eq "curl: exec fetches another page" "page-two" X curl.json -- -s "http://127.0.0.1:$port/two"
        t_status "curl: another port of the host is refused (curl: 7)" 7 X curl.json -- -s -m 10 "http://127.0.0.1:9/"
        t_fails "curl: a local file is not there" X curl.json -- -s -f file:///etc/hostname
else
        t_skip "curl" "no curl, python3 or pasta"
fi

# --- a #!/bin/sh script running sed and awk. ------------------------------------------------------------
mkdir -p sh && echo secret >sh/secret && cat >sh/s.sh <<'EOF'
#!/bin/sh
printf 'one two\nthree four\n' | sed 's/one/ONE/' | awk '{ print $2, $1 }'
EOF
chmod 755 sh/s.sh
t_eq "sh: learn runs the script" "two ONE four three" bash -c 'timeout 120 "$VS" learn -o sh.json -- sh/s.sh | tr "\n" " " | sed "s/ $//"'
t_ok "sh: the spec passes voidshim check" "$VS" check sh.json
t_match "sh: the spec runs the script with its interpreter" '"program": "/(usr/)?bin/(da)?sh"' cat sh.json
t_eq "sh: exec runs it again" "two ONE four three" bash -c 'timeout 120 "$VS" exec sh.json | tr "\n" " " | sed "s/ $//"'
cat >sh/s.sh <<EOF
#!/bin/sh
read x <"$T_TMP/sh/secret" && echo "read: \$x" || echo "read: no"
cat "$T_TMP/sh/secret" 2>/dev/null || echo "cat: no"
sed 1q "$T_TMP/sh/secret" 2>/dev/null || echo "sed: no"
EOF
t_eq "sh: the file next to the script, a program it never ran: not there" "read: no cat: no sed: no" \
        bash -c 'timeout 120 "$VS" exec sh.json 2>/dev/null | tr "\n" " " | sed "s/ $//"'

# --- no spec when the program does not start; bad input. ----------------------------------------------
printf 'not a program\n' >noexec.txt
t_golden "learn a missing program: exit 127" learn-missing 127 "$VS" learn -o none.json -- /nonexistent-vs/prog
t_golden "learn a file that cannot run: exit 126" learn-noexec 126 "$VS" learn -o none.json -- ./noexec.txt
t_golden "learn a name not in PATH: exit 127" learn-not-in-path 127 "$VS" learn -o none.json -- nonexistent-vs
chmod 755 noexec.txt
t_status "learn a file that is no program: exit 126" 126 "$VS" learn -o none.json -- ./noexec.txt
t_eq "... and no spec, not even a part of one" "" bash -c 'ls none.json* 2>/dev/null'
t_golden "learn without a program: exit 100" learn-no-program 100 "$VS" learn -o x.json
t_golden "learn with an unknown option: exit 100" learn-unknown-option 100 "$VS" learn --frob -- true
t_golden "learn -o without its argument: exit 100" learn-missing-argument 100 "$VS" learn -o
t_golden "learn --write relative: exit 100" learn-write-relative 100 "$VS" learn --write tmp -- true
t_status "a program that fails still gets its spec, and learn gives its status" 1 L -o false.json -- false
t_ok "... the spec" test -s false.json

# -o onto what is not a file is written to, never renamed over (a pipe stays a pipe); a link's file is replaced.
mkfifo spec.fifo
timeout 60 cat spec.fifo >fifo.out &
reader=$!
t_ok "learn -o FIFO: the spec goes through the pipe" L -o spec.fifo -- true
wait $reader
t_ok "... the pipe is still a pipe" test -p spec.fifo
t_match "... and the reader got the spec" '"voidshim": 1' cat fifo.out
echo old >target.json && ln -s target.json link.json
t_ok "learn -o SYMLINK: the file it points to gets the spec" L -o link.json -- true
t_ok "... the link is still a link" test -L link.json
t_match "... to the new spec" '"voidshim": 1' cat target.json

t_done
