#!/bin/bash
# voidshim exec: an application of several voids, each proving from the inside what it holds.
# The app is tests/apps/spec_app.c (static, written with <voidshim/app.h>).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

APP=${STAGE:-.}/apps/spec_app
if [ ! -x "$APP" ]; then
        t_skip "all tests in $(basename "$0")" "no $APP (make build/tests/apps/spec_app)"
        t_done
fi
tmp=${T_TMP:-$(mktemp -d)}
# The control sockets of --name in a directory of this test's own (as test-caretaker.sh).
export VOIDSHIM_RUNTIME_DIR=$tmp/rt

# ---- a pipe trigger: one void per message, holding only the message and its declared args ----
cat >"$tmp/pipe.json" <<JSON
{
  "voidshim": 1,
  "program": "$APP",
  "environment": { "net": "denied" },
  "pipes": { "jobs": { "max_message": 1024 } },
  "entrypoints": {
    "feed": { "args": [ { "pipe": "jobs", "end": "tx" }, "trailing" ] },
    "work": {
      "trigger": { "pipe": "jobs" },
      "args": [ "trigger", { "cmdline": 0, "name": "out", "mode": "append" } ],
      "void": { "proc": true }
    }
  }
}
JSON
: >"$tmp/out"
t_status "exec runs feed and a work void per message, then exits 0" 0 \
        "$VS" exec "$tmp/pipe.json" -- "$tmp/out" hello world
t_eq "two messages started two voids" "2" grep -c '^work ' "$tmp/out"
t_match "each void got its own message, whole" "msg=hello.*" grep 'len=5 msg=hello ' "$tmp/out"
t_match "... and the other one" "msg=world" grep 'len=5 msg=world ' "$tmp/out"
line=$(grep 'msg=hello' "$tmp/out")
t_check "its fds are exactly 0-2, the trigger (3) and its one arg (4)" \
        "$([[ $line == *" fds=0,1,2,3,4 "* ]]; echo $?)" "$line"
t_check "VOIDSHIM_FDS names them" "$([[ $line == *" fdsvar=trigger=3,out=4 "* ]]; echo $?)" "$line"
t_check "the trigger is a sealed memfd it cannot write" \
        "$([[ $line == *" trigger=memfd seals=all write=EPERM "* ]]; echo $?)" "$line"
t_check "its environment is the shim's two variables and nothing else" \
        "$([[ $line == *" env=VOIDSHIM_ENTRYPOINT,VOIDSHIM_FDS "* ]]; echo $?)" "$line"
t_check "the message is not in argv, nor are the trailing words of another entrypoint" \
        "$([[ $line == *" argc=1 "* ]]; echo $?)" "$line"
# (in any order: a void of its own uid gets its binds made before its root, so they come first in mountinfo)
mounts=$(sed -n 's/.* mounts=\([^ ]*\).*/\1/p' <<<"$line" | tr ',' '\n' | grep -v '^/proc/' | sort | paste -sd, -)
t_check "its mounts are the root, its own program and /proc (with its covers)" \
        "$([[ $mounts == "$(printf '%s\n' / "$APP" /proc | sort | paste -sd, -)" ]]; echo $?)" "$line"

: >"$tmp/out"
t_match "an oversize message is refused loudly, never truncated" \
        "pipe jobs: a message of 2000 bytes is over the limit of 1024" \
        "$VS" exec "$tmp/pipe.json" -- "$tmp/out" BIG:2000 after
t_eq "... and no void saw any part of it" "0" grep -c . "$tmp/out"
t_status "a missing cmdline path is a usage error" 100 "$VS" exec "$tmp/pipe.json"
t_match "... that says how many are needed" 'needs 1 path after "--", 0 given' "$VS" exec "$tmp/pipe.json"

# ---- a socket trigger: fds received start a void each ----
cat >"$tmp/sock.json" <<JSON
{
  "voidshim": 1,
  "program": "$APP",
  "sockets": { "conns": {} },
  "entrypoints": {
    "send": { "args": [ { "socket": "conns", "end": "tx" }, { "cmdline": 0, "name": "out", "mode": "append" } ] },
    "recv": { "trigger": { "socket": "conns" }, "args": [ "trigger" ], "void": { "proc": "subset" } }
  }
}
JSON
: >"$tmp/out"
t_status "fds sent over a socket start a void per message" 0 "$VS" exec "$tmp/sock.json" -- "$tmp/out"
t_eq "two messages, two voids, each holding only the received fd" \
        "2" grep -c '^recv fds=0,1,2,3 fdsvar=trigger=3$' "$tmp/out"

# ---- a listener: a void per connection; SIGTERM stops everything ----
cat >"$tmp/listen.json" <<JSON
{
  "voidshim": 1,
  "program": "$APP",
  "environment": { "net": "denied" },
  "listeners": { "web": { "unix": "$tmp/web.sock" } },
  "entrypoints": { "serve": { "trigger": { "listener": "web" }, "args": [ "trigger" ] } }
}
JSON
"$VS" exec "$tmp/listen.json" 2>"$tmp/listen.err" &
shim=$!
for _ in $(seq 50); do [ -S "$tmp/web.sock" ] && break; sleep 0.1; done
greet=$(python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(100).decode().strip())' "$tmp/web.sock" 2>&1)
t_check "a connection on the shim's listener is served by a fresh void" "$([ "$greet" = "hello from serve" ]; echo $?)" "$greet"
kill -TERM $shim
wait $shim
rc=$?
t_check "SIGTERM stops the shim and its voids (exit 143)" "$([ $rc = 143 ]; echo $?)" "exit $rc: $(cat "$tmp/listen.err")"
t_check "the listener's socket file is removed" "$([ ! -e "$tmp/web.sock" ]; echo $?)"

# ---- warm voids: each firing of a triggered entrypoint takes a void built ahead of time ----
cat >"$tmp/ident.json" <<JSON
{
  "voidshim": 1,
  "program": "$APP",
  "listeners": { "id": { "unix": "$tmp/id.sock" } },
  "entrypoints": { "ident": { "trigger": { "listener": "id" }, "args": [ "trigger" ], "void": { "proc": true } } }
}
JSON
ask() { python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1]); print(s.recv(500).decode().strip())' "$tmp/id.sock" 2>&1; }
# idents WARM: start the listener with --warm WARM, ask twice, list its voids; sets one, two, list.
idents() {
        rm -f "$tmp/id.sock"
        "$VS" exec --name "wt$$" --warm "$1" "$tmp/ident.json" 2>"$tmp/ident.err" &
        shim=$!
        for _ in $(seq 50); do [ -S "$tmp/id.sock" ] && break; sleep 0.1; done
        one=$(ask); two=$(ask)
        list=$(timeout 10 "$VS" ctl "wt$$" list 2>&1)
        kill -TERM $shim; wait $shim
}
idents 4
t_match "a warm void serves a connection" "^ident ns=user:[0-9]+,.* fds=0,1,2,3$" echo "$one"
t_match "... as a void of its own: the shim's ctl list says each firing was warm" \
        "warm ident	4 ready; firings: 2 warm, 0 cold" echo "$list"
ns1=$(sed -n 's/^ident ns=\([^ ]*\).*/\1/p' <<<"$one" | tr ',' '\n')
ns2=$(sed -n 's/^ident ns=\([^ ]*\).*/\1/p' <<<"$two" | tr ',' '\n')
same=$(comm -12 <(sort <<<"$ns1") <(sort <<<"$ns2") | paste -sd, -)
t_check "two firings got two voids: not one of their eight namespaces is the same" \
        "$([ "$(wc -l <<<"$ns1")" = 8 ] && [ -z "$same" ] && ! grep -q ':0$' <<<"$ns1"; echo $?)" \
        "first: $one"$'\n'"second: $two"$'\n'"shared: $same"
mine=$(for n in user mnt pid net ipc uts cgroup time; do printf '%s:%s\n' $n "$(stat -L -c %i /proc/self/ns/$n)"; done)
t_check "... nor one of the shim's" "$([ -z "$(comm -12 <(sort <<<"$ns1") <(sort <<<"$mine"))" ]; echo $?)" "$one"
idents 0
t_match "--warm 0: every firing starts a cold void" "warm ident	off \(--warm 0\); firings: 0 warm, 2 cold" echo "$list"
t_match "... that holds the same: its namespaces and fds" "^ident ns=user:[0-9]+,.* fds=0,1,2,3$" echo "$two"
t_status "--warm takes 0 to 64 voids" 100 "$VS" exec --warm 65 "$tmp/ident.json"

# ---- failures: the exit status, and when the shim adds a line ----
cat >"$tmp/fail.json" <<JSON
{ "voidshim": 1, "program": "$APP", "entrypoints": { "fail": {} } }
JSON
t_status "a startup void's failure is the exit status" 3 "$VS" exec "$tmp/fail.json"
t_eq "... passed on as voidshim run does: the program's own words, no line of the shim's" "" \
        sh -c "'$VS' exec '$tmp/fail.json' 2>&1"
# exits SPEC ENTRY=ARGV...: startup entrypoints of the probe, each running its argv.
exits() {
        local out=$1 sep="" e w; shift
        { printf '{ "voidshim": 1, "program": "%s", "environment": { "exec": "denied" }, "entrypoints": {' "$PROBE"
          for e in "$@"; do
                  printf '%s "%s": { "argv": [' "$sep" "${e%%=*}"
                  w=""; for a in ${e#*=}; do printf '%s "%s"' "$w" "$a"; w=,; done
                  printf ' ] }'; sep=,
          done
          printf ' } }\n'; } >"$out"
}
exits "$tmp/same.json" a="exit 4" b="exit 4"
t_status "two startup voids with the same status: that status" 4 "$VS" exec "$tmp/same.json"
t_eq "... and no line: they agree" "" sh -c "'$VS' exec '$tmp/same.json' 2>&1"
exits "$tmp/differ.json" a="exit 4" b="exit 0" c="exit 5"
out=$("$VS" exec "$tmp/differ.json" 2>&1); rc=$?
t_check "startup voids that disagree: the status of the first that failed" "$([ $rc = 4 ]; echo $?)" "exit $rc"
t_check "... and one line for each that failed" "$([ "$out" = "voidshim: fatal: unable to run entrypoint a: exited with status 4
voidshim: fatal: unable to run entrypoint c: exited with status 5" ]; echo $?)" "$out"
exits "$tmp/segv.json" a="segv"
t_status "a startup void killed by a signal: 128+N" 139 "$VS" exec "$tmp/segv.json"
t_eq "... with the one line: the program could not say it" \
        "voidshim: fatal: unable to run entrypoint a: killed by signal 11 (Segmentation fault)" \
        sh -c "'$VS' exec '$tmp/segv.json' 2>&1"

# ---- what the command line grants: "bind-cmdline", "chdir": "caller" ----
mkdir -p "$tmp/g/a" "$tmp/g/b" "$tmp/g/secret"
echo A >"$tmp/g/a/file"; echo B >"$tmp/g/b/file"; echo S >"$tmp/g/secret/file"; mkfifo "$tmp/g/fifo"
# grant OUT MOUNT [ARGV...]: the probe under a spec granting MOUNT, running ARGV (the trailing words follow it).
grant() {
        local out=$1 mount=$2 argv=""; shift 2
        [ $# -gt 0 ] && argv=$(printf '"%s", ' "$@") && argv=${argv%, }
        cat >"$out" <<JSON
{
  "voidshim": 1,
  "program": "$PROBE",
  "environment": { "exec": "denied" },
  "entrypoints": {
    "p": { "argv": [ $argv ], "args": [ "trailing" ],
           "void": { "mounts": [ $mount ], "chdir": "caller", "stdout": true } }
  }
}
JSON
}
grant "$tmp/dirs.json" '{ "bind-cmdline": "trailing", "parent": true }' ls "$tmp/g"
t_eq "the directories of the named files, and nothing else beside them" "ok a b" \
        "$VS" exec "$tmp/dirs.json" -- -v "$tmp/g/a/file" "$tmp/g/b/new"
t_eq "relative names resolve against the caller's directory" "ok a" \
        sh -c "cd '$tmp/g/a' && '$VS' exec '$tmp/dirs.json' -- -- file"
grant "$tmp/pwd.json" '{ "bind-cmdline": "trailing", "parent": true }' chdir-pwd
t_eq "\"chdir\": \"caller\": the void starts where the caller is" "ok $tmp/g/b" \
        sh -c "cd '$tmp/g/b' && '$VS' exec '$tmp/pwd.json' -- ../a/file"
grant "$tmp/rw.json" '{ "bind-cmdline": "trailing", "parent": true }' write "$tmp/g/a/made"
t_eq "bind-cmdline is read-write" "ok" "$VS" exec "$tmp/rw.json" -- "$tmp/g/a/file"
t_check "... the file appeared on the host" "$([ -f "$tmp/g/a/made" ]; echo $?)"
grant "$tmp/ro.json" '{ "ro-bind-cmdline": "trailing" }' write "$tmp/g/a/made2"
t_match "ro-bind-cmdline: the path itself, read-only" "^(EROFS|EACCES)" "$VS" exec "$tmp/ro.json" -- "$tmp/g/a"
grant "$tmp/one.json" '{ "ro-bind-cmdline": 0 }' read "$tmp/g/secret/file"
t_eq "an index names one word: the others grant nothing" "ENOENT" "$VS" exec "$tmp/one.json" -- "$tmp/g/a/file" "$tmp/g/secret/file"
grant "$tmp/itself.json" '{ "ro-bind-cmdline": "trailing" }' true
t_status "\"/\" is never granted" 100 "$VS" exec "$tmp/itself.json" -- /
t_eq "... and says so" "voidshim: fatal: unable to grant /: it is the root directory" \
        sh -c "'$VS' exec '$tmp/itself.json' -- / 2>&1"
t_eq "... nor reached through .." "voidshim: fatal: unable to grant the directory of $tmp/..: it is the root directory" \
        sh -c "'$VS' exec '$tmp/dirs.json' -- '$tmp/..' 2>&1"
t_eq "the directory of a file in / is /: refused" "voidshim: fatal: unable to grant the directory of /etc: it is the root directory" \
        sh -c "'$VS' exec '$tmp/dirs.json' -- /etc 2>&1"
t_eq "a path that does not exist is refused" "voidshim: fatal: unable to grant $tmp/g/nope: No such file or directory" \
        sh -c "'$VS' exec '$tmp/itself.json' -- '$tmp/g/nope' 2>&1"
t_status "... exit 100" 100 "$VS" exec "$tmp/itself.json" -- "$tmp/g/nope"
t_eq "so is one that is neither a directory nor a regular file" \
        "voidshim: fatal: unable to grant $tmp/g/fifo: not a directory or a regular file" \
        sh -c "'$VS' exec '$tmp/itself.json' -- '$tmp/g/fifo' 2>&1"
t_eq "with \"parent\", only the directory must exist (the program may be making the file)" "ok" \
        "$VS" exec "$tmp/rw.json" -- "$tmp/g/a/not-yet"

# ---- "cmdline": "trailing": an fd per path ----
# each OUT [ARGV...]: the probe with fds in.0, in.1, ... for the trailing paths.
each() {
        local out=$1 argv; shift
        argv=$(printf '"%s", ' "$@"); argv=${argv%, }
        cat >"$out" <<JSON
{ "voidshim": 1, "program": "$PROBE", "environment": { "exec": "denied" },
  "entrypoints": { "p": { "argv": [ $argv ], "args": [ "trailing", { "cmdline": "trailing", "name": "in" } ],
                          "void": { "stdout": true } } } }
JSON
}
each "$tmp/each-env.json" env
t_match "one fd per path, named in.0, in.1, ... (options and - are not paths)" "VOIDSHIM_FDS=in.0=3,in.1=4( |$)" \
        "$VS" exec "$tmp/each-env.json" -- -v "$tmp/g/a/file" - "$tmp/g/b/file"
each "$tmp/each-read.json" read-fd 4
t_eq "... each the file named, in order" "ok B" "$VS" exec "$tmp/each-read.json" -- "$tmp/g/a/file" "$tmp/g/b/file"
t_match "no path: no fd" "VOIDSHIM_FDS=( |$)" "$VS" exec "$tmp/each-env.json" -- -v

# ---- "mode": "replace": the new file takes the target's place only when the void exits 0 ----
if [ -x /bin/sh ]; then
        cat >"$tmp/replace.json" <<'JSON'
{ "voidshim": 1, "program": "/bin/sh",
  "entrypoints": { "w": { "argv": [ "-c", "echo new >&3; echo more >&3; case $1 in loop) while :; do :; done;; esac; exit $1", "sh" ],
                          "args": [ { "cmdline": 0, "name": "out", "mode": "replace" }, "trailing" ] } } }
JSON
        mkdir -p "$tmp/r"; echo old >"$tmp/r/out"; chmod 640 "$tmp/r/out"
        t_status "the void fails" 3 "$VS" exec "$tmp/replace.json" -- "$tmp/r/out" 3
        t_eq "... the target is untouched" "old" cat "$tmp/r/out"
        t_eq "... and nothing is left beside it" "out" ls -A "$tmp/r"
        "$VS" exec "$tmp/replace.json" -- "$tmp/r/out" loop &
        shim=$!; sleep 0.5; kill -TERM $shim; wait $shim; rc=$?
        t_check "the shim is stopped while the void writes (143)" "$([ $rc = 143 ]; echo $?)" "exit $rc"
        t_eq "... the target is untouched" "old" cat "$tmp/r/out"
        t_eq "... and nothing is left beside it" "out" ls -A "$tmp/r"
        t_status "the void succeeds" 0 "$VS" exec "$tmp/replace.json" -- "$tmp/r/out" 0
        t_eq "... the target is the new file, whole" "new"$'\n'"more" cat "$tmp/r/out"
        t_eq "... with the target's mode" "640" stat -c %a "$tmp/r/out"
        t_eq "... and nothing else beside it" "out" ls -A "$tmp/r"
        t_status "a new file" 0 "$VS" exec "$tmp/replace.json" -- "$tmp/r/fresh" 0
        t_eq "... appears only now, whole" "new"$'\n'"more" cat "$tmp/r/fresh"
        t_match "a directory is not a file to replace" 'open arg "out" .*/r: Is a directory' \
                "$VS" exec "$tmp/replace.json" -- "$tmp/r" 0
else
        t_skip "\"mode\": \"replace\"" "no /bin/sh"
fi

# ---- the /proc hole: a file handed in read-only, opened again for writing through /proc/self/fd ----
echo original >"$tmp/victim"; echo logged >"$tmp/log"
cat >"$tmp/hole.json" <<JSON
{ "voidshim": 1, "program": "$PROBE",
  "entrypoints": { "p": { "args": [ { "file": "$tmp/victim", "name": "in" }, { "file": "$tmp/log", "name": "log", "mode": "append" },
                                     "trailing" ],
                          "void": { "proc": true, "stdout": true } } } }
JSON
sed 's/"proc": true,/"proc": true, "landlock": false,/' "$tmp/hole.json" >"$tmp/hole-noll.json"
# The caller's own identity, so that the hole shows for root as for anyone (test-identity.sh: a void of
# its own uid cannot write the caller's read-only file even without Landlock).
sed 's/"proc": true,/"proc": true, "landlock": false, "identity": "host",/' "$tmp/hole.json" >"$tmp/hole-open.json"
if "$VS" explain "$tmp/hole.json" | grep -q "landlock: on"; then
        t_eq "with /proc, a read-only fd cannot be opened again for writing (Landlock)" "EACCES" \
                "$VS" exec "$tmp/hole.json" -- write-str /proc/self/fd/3 pwned
        t_eq "... the file is untouched" "original" cat "$tmp/victim"
        t_eq "... it can still be opened again for reading (cat /dev/fd/3)" "ok original" \
                "$VS" exec "$tmp/hole.json" -- read /proc/self/fd/3
        t_eq "an append-only fd cannot be opened again at all (it would be readable, or writable anywhere)" "EACCES" \
                "$VS" exec "$tmp/hole.json" -- read /proc/self/fd/4
        t_eq "... the fds themselves work" "ok original" "$VS" exec "$tmp/hole.json" -- read-fd 3
        t_match "... and /proc is still there to read" "^ok" "$VS" exec "$tmp/hole.json" -- stat /proc/self/status
        # The hole is real: without Landlock the same void rewrites the file it was given read-only.
        t_eq "\"landlock\": false: the hole is real (the void writes the read-only file)" "ok" \
                "$VS" exec "$tmp/hole-open.json" -- write-str /proc/self/fd/3 pwned
        t_eq "... proof" "pwned" head -1 "$tmp/victim"
        if is_root; then
                echo original >"$tmp/victim"
                t_eq "root's void without Landlock, as a uid of its own: the file is not its to write" "EACCES" \
                        "$VS" exec "$tmp/hole-noll.json" -- write-str /proc/self/fd/3 pwned
                t_eq "... the file is untouched" "original" head -1 "$tmp/victim"
        fi
        # The same file handed in per firing, to a warm void: its Landlock goes on once the request is in,
        # so the file is confined as in a cold void (readable again, not writable), not unreachable.
        echo original >"$tmp/victim"
        cat >"$tmp/hole-warm.json" <<JSON
{ "voidshim": 1, "program": "$PROBE",
  "listeners": { "r": { "unix": "$tmp/r.sock" }, "w": { "unix": "$tmp/w.sock" } },
  "entrypoints": {
    "r": { "trigger": { "listener": "r" }, "argv": [ "read", "/proc/self/fd/4" ],
           "args": [ "trigger", { "file": "$tmp/victim", "name": "in" } ], "void": { "proc": true, "stdout": true } },
    "w": { "trigger": { "listener": "w" }, "argv": [ "write-str", "/proc/self/fd/4", "pwned" ],
           "args": [ "trigger", { "file": "$tmp/victim", "name": "in" } ], "void": { "proc": true, "stdout": true } } } }
JSON
        "$VS" exec --name "hw$$" "$tmp/hole-warm.json" >"$tmp/hole-warm.out" 2>&1 &
        shim=$!
        for _ in $(seq 50); do [ -S "$tmp/w.sock" ] && break; sleep 0.1; done
        for l in r w; do
                python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10); s.recv(1)' \
                        "$tmp/$l.sock" 2>/dev/null
        done
        list=$(timeout 10 "$VS" ctl "hw$$" list 2>&1)
        kill -TERM $shim; wait $shim
        t_match "a file handed in per firing to a warm void..." "warm r	4 ready; firings: 1 warm, 0 cold" echo "$list"
        t_eq "... can be opened again for reading through /proc, as in a cold void" "1" grep -c "^ok original" "$tmp/hole-warm.out"
        t_eq "... and not for writing" "1" grep -c "^EACCES" "$tmp/hole-warm.out"
        t_eq "... the file is untouched" "original" cat "$tmp/victim"
else
        t_skip "the /proc hole and its Landlock mitigation" "no Landlock in this kernel"
fi

t_done
