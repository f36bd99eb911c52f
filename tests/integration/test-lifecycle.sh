#!/bin/bash
# A void's life: its status reaches the caller, it dies with voidshim, and it leaves nothing behind.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# Exit status.
t_status "exit status passes through (7)" 7 void -- "$PROBE" exit 7
t_status "exit status passes through (0)" 0 void -- "$PROBE" exit 0
t_status "exit status passes through (255)" 255 void -- "$PROBE" exit 255
t_status "a fault kills the program: 128+SIGSEGV" 139 void -- "$PROBE" segv
# The program is pid 1 of its namespace: a signal without a handler, even sent to itself, is ignored.
t_eq "pid 1 ignores its own SIGTERM (no handler)" "ok" void -- "$PROBE" kill-self 15
t_eq "pid 1 ignores even its own SIGKILL" "ok" void -- "$PROBE" kill-self 9

# wait_for CMD...: poll (up to 5 s) until CMD succeeds.
wait_for() { for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done; return 1; }
running() { [ "$(pgrep -f -- "$1" | wc -l)" -ge "$2" ]; }
gone() { ! pgrep -f -- "$1" >/dev/null; }

# SIGKILL from the host (the parent pid namespace) does reach pid 1: 128+9.
mark=voidshim-mark-$$-1
"$VS" run --exec-host -- "$PROBE" sleep 300 "$mark" &
vs=$!
wait_for running "$mark" 2
# The void's init: the other process with the mark (voidshim's child; a served void is the server's).
init=$(pgrep -f -- "$mark" | grep -vx "$vs")
kill -KILL $init 2>/dev/null
wait $vs; rc=$?
[ "$rc" = 137 ]
t_check "SIGKILL to the void's pid 1 from the host: 128+9" $? "exit $rc"

# The void dies with voidshim, whatever kills voidshim; and with its program.
for sig in KILL TERM HUP; do
        mark=voidshim-mark-$$-$sig
        "$VS" run --exec-host -- "$PROBE" fork-sleep 300 "$mark" &
        vs=$!
        # voidshim, the program, and the program's child.
        wait_for running "$mark" 3
        up=$(pgrep -f -- "$mark" | wc -l)
        kill -$sig $vs
        wait $vs 2>/dev/null
        wait_for gone "$mark"
        t_check "SIG$sig to voidshim: every process of the void ends ($up were up)" $? "$(pgrep -af -- "$mark")"
done
mark=voidshim-mark-$$-orphan
t_eq "a program that leaves a child behind exits at once" "ok" void -- "$PROBE" orphan 300 "$mark"
wait_for gone "$mark"
t_check "... and the child dies with the void's pid namespace" $? "$(pgrep -af -- "$mark")"

# Nothing left behind: the host's counts before and after many runs are equal.
dir=$(cd "$(dirname "$VS")" && pwd)
# Zombies of our process group: voidshim and the void's init stay in it (no job control here),
# while other runs on the machine have their own.
pgid=$(ps -o pgid= -p $$ | tr -d ' ')
zombies() { ps -e -o stat=,pgid= | awk -v g="$pgid" '$1 ~ /^Z/ && $2 == g' | wc -l; }
# The voids killed above were orphaned; the host's init reaps them in its own time.
no_zombies() { [ "$(zombies)" = 0 ]; }
wait_for no_zombies
snapshot() {
        local pids
        # Not a `voidshim serve` of this file's (VOIDSHIM_TEST_SERVED), its helpers nor the voids it keeps
        # ready: they are not a run's; a void it served runs its program, and is counted.
        pids=$(ps -u "$(id -u)" -o pid=,args= | grep -F -- "$dir/" | grep -vF -- "$dir/voidshim serve" |
                grep -v ' grep ' | awk '{print $1}')
        echo "processes running the staged binaries: $(wc -w <<<"$pids")"
        echo "user namespaces of those: $(for p in $pids; do readlink /proc/$p/ns/user; done 2>/dev/null | sort -u | wc -l)"
        echo "open fds of this shell: $(ls /proc/$$/fd | wc -l)"
}
# The host's mount table, /tmp and /dev/shm are shared with everything else on the machine
# (other test runs, benches): list them, and count what appeared.  A leak shows up once per run.
entries() { { sed 's/^/mount: /' /proc/self/mountinfo; ls -A /tmp /dev/shm 2>/dev/null; } | sort; }
# check_leaks DESC N STATUS CMD...: run CMD N times, each must exit with STATUS; then compare.
check_leaks() {
        local d=$1 runs=$2 want=$3; shift 3; local before after e0 e1 z0 z1 new bad=0 i
        before=$(snapshot); e0=$(entries); z0=$(zombies)
        for ((i = 0; i < runs; i++)); do
                "$@" >/dev/null 2>&1
                [ $? = "$want" ] || bad=$((bad + 1))
        done
        [ $bad = 0 ]
        t_check "$d: all $runs runs exited $want" $? "$bad did not"
        after=$(snapshot); e1=$(entries); z1=$(zombies)
        new=$(comm -13 <(echo "$e0") <(echo "$e1"))
        # Zombies orphaned by earlier tests may be reaped by the host's init meanwhile: fewer is no leak.
        [ "$before" = "$after" ] && [ "$z1" -le "$z0" ]
        t_check "$d: host counts unchanged after $runs runs" $? \
                "$(diff <(echo "$before") <(echo "$after"))"$'\n'"zombies in this process group: $z0 before, $z1 after"
        [ "$(grep -c . <<<"$new")" -lt 3 ]
        t_check "$d: no new mounts on the host, nor entries in /tmp or /dev/shm" $? "new: $new"
}
runs=1000
[ -n "${VOIDSHIM_QUICK:-}" ] && runs=100
check_leaks "successful runs" $runs 0 void --proc --dev --tmpfs /tmp -- "$PROBE" true
# A bind onto a path the fresh /proc does not have: it can only fail in the child.
check_leaks "spawns failing in the child" $((runs / 10)) 111 void --proc --ro-bind /dev/null /proc/x -- "$PROBE" true
check_leaks "programs failing to exec" $((runs / 10)) 127 "$VS" run -- /nonexistent-program

t_done
