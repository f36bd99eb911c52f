#!/bin/bash
# Landlock: with --landlock, only the granted paths stay reachable, each with what its grant allows.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# The probe is bound in (rather than run by fd) so that its own path is granted.
lvoid() { "$VS" run --ro-bind "$PROBE" /probe "$@"; }

out=$(lvoid --landlock -- /probe true 2>&1)
if grep -q "this kernel has none" <<<"$out"; then
        t_skip "all Landlock tests" "the kernel has no Landlock"
        t_done
fi
t_eq "--landlock: the program runs" "ok" lvoid --landlock -- /probe true

a=$T_TMP/a b=$T_TMP/b
mkdir -p "$a/sub" "$b" && echo in-a >"$a/file" && echo in-b >"$b/file"

# Granted paths: what their mounts allow.
t_eq "a --ro-bind is readable" "ok in-a" lvoid --landlock --ro-bind "$a" /a --ro-bind "$b" /b -- /probe read /a/file
t_eq "a second --ro-bind is readable" "ok in-b" lvoid --landlock --ro-bind "$a" /a --ro-bind "$b" /b -- /probe read /b/file
t_eq "a --ro-bind directory can be listed" "ok file sub" lvoid --landlock --ro-bind "$a" /a -- /probe ls /a
t_eq "a --bind is writable" "ok" lvoid --landlock --bind "$a" /a -- /probe write /a/sub/new
t_eq "a --tmpfs is writable" "ok" lvoid --landlock --tmpfs /t -- /probe write /t/x
t_eq "a symlink into a granted path works" "ok in-a" \
        lvoid --landlock --ro-bind "$a" /a --symlink /a/file /s -- /probe read /s
t_match "--proc stays readable" "^ok 1 " lvoid --landlock --proc -- /probe read /proc/self/stat
t_eq "--dev: /dev/null stays writable" "ok" lvoid --landlock --dev -- /probe write /dev/null

# Paths no grant covers: the root tmpfs itself and --dir directories.
t_eq "without Landlock, a --dir can be listed" "ok" lvoid --dir /d -- /probe ls /d
t_eq "a --dir without a rule cannot be listed" "EACCES" lvoid --landlock --ro-bind "$a" /a --dir /d -- /probe ls /d
t_eq "the root cannot be listed" "EACCES" lvoid --landlock --ro-bind "$a" /a -- /probe ls /
t_eq "a --dir above a grant cannot be listed" "EACCES" lvoid --landlock --ro-bind "$a" /d/a -- /probe ls /d
t_eq "... while the grant below it can" "ok in-a" lvoid --landlock --ro-bind "$a" /d/a -- /probe read /d/a/file
t_eq "--landlock-allow PATH:r opens a --dir for listing" "ok" \
        lvoid --landlock --dir /d --landlock-allow /d:r -- /probe ls /d
t_eq "--landlock-allow implies --landlock" "EACCES" lvoid --dir /d --landlock-allow /d:r -- /probe ls /
t_status "--landlock-allow with a bad access is refused (exit 100)" 100 \
        lvoid --dir /d --landlock-allow /d:q -- /probe true
t_status "--landlock-allow on a path missing in the void fails (exit 111)" 111 \
        lvoid --landlock-allow /nonexistent:r -- /probe true

# A program run by fd (--exec-host) lies below no rule, so Landlock refuses to exec it (EACCES,
# exit 126), although --exec-host is documented as needing no file system at all.
t_match "--landlock with --exec-host runs the program" "^ok in-a$" \
        void --landlock --ro-bind "$a" /a -- "$PROBE" read /a/file

# rlimits bind the program, not the setup: Landlock's ruleset needs fds of its own.
t_eq "a low nofile limit does not stop Landlock from being set up" "ok" \
        void --landlock --proc --rlimit nofile=4 -- "$PROBE" true

t_done
