#!/bin/bash
# File descriptors: only stdin, stdout, stderr and the ones handed in with --fd reach the void.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

echo secret-fd-content >"$T_TMP/five"
exec 5<"$T_TMP/five" 7>/dev/null
# fd 5 shares its offset with the void's copy: reopen it before each test that reads it.
reopen5() { exec 5<"$T_TMP/five"; }

t_eq "fds not handed in are closed (5 and 7 are open here)" "ok 0 1 2" void -- "$PROBE" fds
t_eq "the same with /proc to list them" "ok 0 1 2" void --proc -- "$PROBE" fds
t_eq "--fd 5 hands in 5" "ok 0 1 2 5" void --fd 5 -- "$PROBE" fds
t_eq "--fd 5: it is the same open file" "ok secret-fd-content" void --fd 5 -- "$PROBE" read-fd 5
t_eq "--fd 5:9 appears as 9 only" "ok 0 1 2 9" void --fd 5:9 -- "$PROBE" fds
reopen5
t_eq "--fd 5:9 is the same open file" "ok secret-fd-content" void --fd 5:9 -- "$PROBE" read-fd 9
reopen5
t_eq "--fd 5:3 lands where the child kept its own fds" "ok secret-fd-content" void --fd 5:3 -- "$PROBE" read-fd 3
t_eq "--fd 5:100 (above every fd the child used)" "ok 0 1 2 100" void --fd 5:100 -- "$PROBE" fds
t_eq "--fd 5 --fd 7: both" "ok 0 1 2 5 7" void --fd 5 --fd 7 -- "$PROBE" fds
reopen5
t_eq "--fd 5:0 replaces stdin" "ok secret-fd-content" void --fd 5:0 -- "$PROBE" read-fd 0
t_status "--fd of a closed fd is refused (exit 100)" 100 void --fd 42 -- "$PROBE" true
t_status "--fd twice to the same target is refused (exit 100)" 100 void --fd 5:9 --fd 7:9 -- "$PROBE" true
exec 5<&- 7>&-

# Handed-in fds are not close-on-exec inside (the program may exec another).
t_eq "a handed-in fd survives an exec inside" "ok 0 1 2 5" \
        bash -c "exec 5</dev/null; \"\$VS\" run --fd 5 --ro-bind \"\$PROBE\" /probe -- /probe exec /probe fds"

# --no-stdio: stdin, stdout and stderr are /dev/null (the caller's are not handed in).
out=$(void --no-stdio -- "$PROBE" true 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ]
t_check "--no-stdio: nothing the program writes reaches the caller" $? "exit $rc, output: $out"
out=$(void --no-stdio -- "$PROBE" exit 3 2>&1); rc=$?
[ $rc -eq 3 ] && [ -z "$out" ]
t_check "--no-stdio: the exit status still does" $? "exit $rc, output: $out"
t_eq "--no-stdio: stdin is /dev/null" "ok chr 1:3" void --no-stdio --fd 1 -- "$PROBE" fdstat 0
t_eq "--no-stdio: stderr is /dev/null" "ok chr 1:3" void --no-stdio --fd 1 -- "$PROBE" fdstat 2
t_eq "--no-stdio --fd 1: only fd 1 is the caller's" "ok fifo" \
        bash -c "\"\$VS\" run --exec-host --no-stdio --fd 1 -- \"\$PROBE\" fdstat 1 | cat"
t_eq "without --no-stdio, stdout is the caller's" "ok fifo" \
        bash -c "\"\$VS\" run --exec-host -- \"\$PROBE\" fdstat 1 | cat"
t_eq "a closed stdin is /dev/null inside" "ok chr 1:3" \
        bash -c "\"\$VS\" run --exec-host -- \"\$PROBE\" fdstat 0 <&-"

# The caller's controlling terminal (script(1) gives the test one): with --dev the void gets the
# host's /dev/tty node, and as it stays in the caller's session, opening it reaches the caller's
# terminal even with --no-stdio.
tty_open() { # GRANT...: what `open /dev/tty` says inside, run on a terminal
        rm -f "$T_TMP/tty"
        script -qec "\"$VS\" run --exec-host $* --no-stdio --fd 3:1 -- \"$PROBE\" open /dev/tty 3>\"$T_TMP/tty\"" \
                /dev/null </dev/null >/dev/null 2>&1
        cat "$T_TMP/tty" 2>&1
}
if command -v script >/dev/null 2>&1; then
        t_eq "--no-stdio: no /dev/tty without --dev" "ENOENT" tty_open
        t_match "--no-stdio --dev: the caller's terminal is not reachable through /dev/tty" \
                "^(ENXIO|ENOENT|EACCES|EPERM)$" tty_open --dev
else
        t_skip "the caller's terminal is not reachable through /dev/tty" "no script(1)"
fi

t_done
