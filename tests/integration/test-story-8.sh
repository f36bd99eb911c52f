#!/bin/bash
# Story 8: own clocks; halt stops only the void.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "story 8" "no srv_probe"; t_done; }
up=$(void --time-offset boottime=864000 --proc -- "$PROBE" read /proc/uptime | awk '{print int($2)}')
[ "${up:-0}" -ge 864000 ]
t_check "a boot-time offset of ten days shows in /proc/uptime" $? "uptime $up"
t_status "poweroff -f inside ends the void (its init gets SIGINT: 128+2)" 130 \
        void --cap-add CAP_SYS_BOOT -- "$SRV" poweroff
t_ok "...and only the void: this shell and the host run on" true
t_eq "without CAP_SYS_BOOT poweroff is refused" "EPERM" void -- "$SRV" poweroff
before=$(ls /tmp | wc -l)
void --proc -- "$PROBE" orphan 30 >/dev/null 2>&1
t_fails "a background process of an ended run is gone with it" pgrep -f "probe sleep 30"
t_eq "no temp directory is left behind" "$before" bash -c "ls /tmp | wc -l"
t_skip "a background process from one run is seen by the next" \
        "pending: needs sessions (a run that keeps its namespaces and a later 'voidshim run --session NAME' joining them)"
t_skip "ending the session leaves no mounts or cgroups" "pending: needs sessions and a per-session cgroup"
t_done
