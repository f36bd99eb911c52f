#!/bin/bash
# --cgroup: the void starts inside the given cgroup v2 directory (CLONE_INTO_CGROUP), and its
# cgroup namespace makes that directory its root. The layout is detected, never assumed
# (this machine mounts cgroup v2 at /sys/fs/cgroup/unified, in a hybrid layout).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -z "$cg2" ]; then
        t_skip "voids start in a given cgroup" "no cgroup v2 hierarchy is mounted"
        t_done
fi
# Below the root of the hierarchy (root), or below our own cgroup where it was delegated to us.
own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
dir="$cg2/voidshim-test.$$"
mkdir "$dir" 2>/dev/null || dir="$cg2${own%/}/voidshim-test.$$"
if ! [ -d "$dir" ] && ! mkdir "$dir" 2>/dev/null; then
        t_skip "voids start in a given cgroup" "no cgroup v2 directory this user may create under $cg2 (no delegation)"
        t_done
fi
t_at_exit "rmdir '$dir' 2>/dev/null"
marker="vs-cgroup-$$"

"$VS" run --exec-host --cgroup "$dir" -- "$PROBE" sleep 30 "$marker" >/dev/null 2>&1 &
shim=$!
pid=""
for _ in $(seq 50); do
        pid=$(pgrep -f "sleep 30 $marker" | grep -v "^$shim$" | head -1)
        [ -n "$pid" ] && grep -q "voidshim-test.$$" "/proc/$pid/cgroup" 2>/dev/null && break
        sleep 0.1
done
t_match "the void's init is in the given cgroup (seen from the host)" "voidshim-test\.$$" cat "/proc/$pid/cgroup"
t_eq "the cgroup directory lists it" "1" bash -c "wc -l < '$dir/cgroup.procs'"
kill "$shim" 2>/dev/null
wait "$shim" 2>/dev/null
for _ in $(seq 50); do [ -s "$dir/cgroup.procs" ] || break; sleep 0.1; done
t_eq "when voidshim ends, the cgroup is empty again" "0" bash -c "wc -l < '$dir/cgroup.procs'"
# (v1 hierarchies of a hybrid layout are listed too; the v2 line is the one that counts)
t_match "inside, the cgroup namespace makes it the root" "(^ok | )0::/$" \
        "$VS" run --exec-host --proc --cgroup "$dir" -- "$PROBE" read /proc/self/cgroup
t_status "a cgroup directory that does not exist: exit 100" 100 \
        "$VS" run --exec-host --cgroup "$dir/nope" -- "$PROBE" true
t_match "... and the message names it" "^voidshim: fatal: unable to prepare the void: open cgroup .*/nope: No such file or directory$" \
        "$VS" run --exec-host --cgroup "$dir/nope" -- "$PROBE" true
t_done
