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
mounts=$(sed -n 's/.* mounts=\([^ ]*\).*/\1/p' <<<"$line" | tr ',' '\n' | grep -v '^/proc/' | paste -sd, -)
t_check "its mounts are the root, its own program and /proc (with its covers)" \
        "$([[ $mounts == "/,$APP,/proc" ]]; echo $?)" "$line"

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

# ---- failures ----
cat >"$tmp/fail.json" <<JSON
{ "voidshim": 1, "program": "$APP", "entrypoints": { "fail": {} } }
JSON
t_status "a startup void's failure is the exit status" 3 "$VS" exec "$tmp/fail.json"
t_match "... with one line saying which" "^voidshim: fatal: unable to run entrypoint fail: exited with status 3$" \
        "$VS" exec "$tmp/fail.json"

t_done
