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
# Entries of /tmp that are ours, by name (another user's work on the machine is not ours).
ours() { find /tmp -mindepth 1 -maxdepth 1 -user "$(id -u)" -printf '%f\n' | sort; }
before=$(ours)
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
t_eq "no temp entry of ours is left behind" "" comm -13 <(printf '%s\n' "$before") <(ours)
# A session keeps its namespaces: what one run leaves behind, the next one sees.
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
t_at_exit "'$VS' session end s8 >/dev/null 2>&1"
"$VS" session begin s8 --proc --ro-bind "$PROBE" /probe
"$VS" session run s8 -- /probe orphan 30 mark-s8 >/dev/null
host_pid=$(pgrep -f "mark-s8" | head -1)
inner=$(awk '/^NSpid:/ {print $NF}' "/proc/${host_pid:-0}/status" 2>/dev/null)
t_eq "a background process from one session run is seen by the next" "ok" \
        bash -c "'$VS' session run s8 -- /probe stat /proc/${inner:-0} | cut -d' ' -f1"
t_eq "(control: a plain run does not see it)" "ENOENT" void --proc -- "$PROBE" stat "/proc/${inner:-0}"
reaper=$(ps -o ppid= -p "${host_pid:-0}" | tr -d ' ')
pidns=$(stat -L -c %i "/proc/${reaper:-0}/ns/pid" 2>/dev/null)
cgroup=$(cat "/proc/${reaper:-0}/cgroup" 2>/dev/null)
# Every process of the void, as PID:START (a pid may be reused; with its start time it is that process).
members() {
        for p in /proc/[0-9]*; do
                [ "$(stat -L -c %i "$p/ns/pid" 2>/dev/null)" = "$pidns" ] &&
                        echo "${p#/proc/}:$(awk '{print $22}' "$p/stat" 2>/dev/null)"
        done
}
before_end=$(members)
"$VS" session end s8
t_fails "ending the session ends what ran in it" pgrep -f "mark-s8"
t_check "the void had its processes (reaper and the orphan: $(wc -w <<<"$before_end"))" \
        "$([ "$(wc -w <<<"$before_end")" -ge 2 ]; echo $?)"
left=""
for m in $before_end; do
        [ "$(awk '{print $22}' "/proc/${m%%:*}/stat" 2>/dev/null)" = "${m#*:}" ] && left="$left $m"
done
t_eq "... none of its processes is left, so its mount namespace, with every mount in it, and its cgroup namespace are gone" \
        "" echo "$left"
t_eq "... it made no cgroup: its processes ran in the caller's" "$(cat /proc/self/cgroup)" echo "$cgroup"
t_eq "... and no socket or directory of it is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_done
