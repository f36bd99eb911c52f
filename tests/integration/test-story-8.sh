#!/bin/bash
# Story 8: own clocks; halt stops only the void.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "story 8" "no srv_probe"; t_done; }
up=$(void --time-offset boottime=864000 --proc -- "$PROBE" read /proc/uptime | awk '{print int($2)}')
[ "${up:-0}" -ge 864000 ]
t_check "a boot-time offset of ten days shows in /proc/uptime" $? "uptime $up"
# A process of ours started before the poweroff must still run after it.
sleep 60 &
sentinel=$!
t_at_exit "kill $sentinel 2>/dev/null"
t_status "poweroff -f inside ends the void (its init gets SIGINT: 128+2)" 130 \
        void --cap-add CAP_SYS_BOOT -- "$SRV" poweroff
t_ok "...and only the void: a process of the caller's runs on" kill -0 "$sentinel"
t_eq "without CAP_SYS_BOOT poweroff is refused" "EPERM" void -- "$SRV" poweroff
before=$(ls /tmp | wc -l)
# The probe's orphan is a fork of it: its command line is the run's own, "PROBE orphan 30".
orphans() { pgrep -x -f -- "$PROBE orphan $1"; }
void --proc -- "$PROBE" orphan 30 >/dev/null 2>&1
t_fails "a background process of an ended run is gone with it" orphans 30
# Control: in the caller's pid namespace (--share pid) the orphan outlives the run, and is found.
void --share pid -- "$PROBE" orphan 31 >/dev/null 2>&1
left=$(orphans 31)
[ -n "$left" ]
t_check "control: with --share pid the orphan outlives its run, and the search finds it" $?
[ -n "$left" ] && kill $left
t_eq "no temp directory is left behind" "$before" bash -c "ls /tmp | wc -l"
t_skip "a background process from one run is seen by the next" \
        "pending: needs sessions (a run that keeps its namespaces and a later 'voidshim run --session NAME' joining them)"
t_skip "ending the session leaves no mounts or cgroups" "pending: needs sessions and a per-session cgroup"
t_done
