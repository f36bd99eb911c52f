#!/bin/bash
# Denied servers in a spec's environment are enforced in every void, the same way as
# `voidshim run --server NAME=denied`: each use answers EACCES (doc/servers.md).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

SRV="$STAGE/apps/srv_probe"
spec() { # MODES-JSON -> a spec running srv_probe with the command line's words
        cat >"$T_TMP/s.json" <<EOJ
{
  "voidshim": 1,
  "environment": { $1 "exec": "denied" },
  "entrypoints": {
    "main": { "program": "$SRV", "args": [ "trailing" ], "void": { "stdout": true, "stderr": true } }
  }
}
EOJ
        echo "$T_TMP/s.json"
}
denied=$(spec '"unix": "denied", "ipc": "denied", "uts": "denied",')
t_ok "a spec denying unix, ipc and uts passes check" "$VS" check "$denied"
t_eq "unix denied: socket(AF_UNIX) is refused" "EACCES" "$VS" exec "$denied" -- uconnect /nonexistent.sock hi
for kind in shm msg sem mq; do
        t_eq "ipc denied: $kind is refused" "EACCES" "$VS" exec "$denied" -- ipc "$kind"
done
t_eq "uts denied: sethostname is refused" "EACCES" "$VS" exec "$denied" -- sethostname

fresh=$(spec '')
t_eq "ipc fresh: the void's own IPC works" "ok" "$VS" exec "$fresh" -- ipc shm
t_eq "unix fresh: socket(AF_UNIX) is allowed (the connect finds nothing: ENOENT)" "ENOENT" \
        "$VS" exec "$fresh" -- uconnect /nonexistent.sock hi

# exec: denied in a spec is Landlock without EXECUTE, as --server exec=denied: the program runs, nothing else.
cp "$PROBE" "$T_TMP/other"
exec_spec() { # EXEC-MODE
        cat >"$T_TMP/e-$1.json" <<EOJ
{
  "voidshim": 1,
  "environment": { "exec": "$1" },
  "entrypoints": {
    "main": { "program": "$SRV", "args": [ "trailing" ],
              "void": { "mounts": [ { "ro-bind": "$T_TMP/other", "at": "/other" } ], "stdout": true, "stderr": true } }
  }
}
EOJ
        echo "$T_TMP/e-$1.json"
}
t_eq "exec denied (spec): another program is EACCES" "EACCES" "$VS" exec "$(exec_spec denied)" -- exec /other true
t_eq "exec fresh (spec): the same exec works" "ok" "$VS" exec "$(exec_spec fresh)" -- exec /other true
t_eq "uts fresh: no capability to rename it, a different refusal" "EPERM" "$VS" exec "$fresh" -- sethostname
# fs and exec "shared": the host's root (read-only) and programs, as with --server fs=shared.
cat >"$T_TMP/shared.json" <<EOJ
{
  "voidshim": 1,
  "environment": { "fs": "shared", "exec": "shared" },
  "entrypoints": {
    "main": { "program": "/bin/sh", "args": [ "trailing" ], "void": { "stdout": true, "stderr": true } }
  }
}
EOJ
t_eq "fs shared: the host's files are readable" "yes" \
        "$VS" exec "$T_TMP/shared.json" -- -c 'test -r /etc/hostname && echo yes'
t_match "fs shared: ... and read-only" "Read-only file system" \
        "$VS" exec "$T_TMP/shared.json" -- -c 'echo x > /etc/voidshim-test'
t_eq "exec shared: the host's programs run" "ok" "$VS" exec "$T_TMP/shared.json" -- -c '/bin/echo ok'
t_done
