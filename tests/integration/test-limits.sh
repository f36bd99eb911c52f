#!/bin/bash
# --limit pids=N,memory=SIZE,cpu=P% (and a spec's "limits"): the whole void is held by a cgroup of its
# own, v2 where a delegated tree enables the controller, the v1 hierarchies otherwise (this machine is
# hybrid).  A fork bomb and memory bombs (anonymous, memfd, tmpfs) end inside the void while the host
# goes on; a limit that cannot be applied is refused, never left out; nothing is left behind.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# The void cgroups voidshim makes are named voidshim-PID-N, wherever they go.
cgroups() { find /sys/fs/cgroup -maxdepth 6 -type d -name 'voidshim-[0-9]*-[0-9]*' 2>/dev/null | sort; }
before=$(cgroups)
left() { comm -13 <(echo "$before") <(cgroups) | grep .; }

# ---- bad input: one line, exit 100, nothing made -------------------------------------------------
t_golden "--limit pids=x: exit 100, one line" limit-pids-x 100 void --limit pids=x -- "$PROBE" true
t_golden "--limit memory=-1: exit 100, one line" limit-memory-negative 100 void --limit memory=-1 -- "$PROBE" true
t_golden "--limit with an unknown name: exit 100, one line" limit-unknown 100 void --limit swap=1m -- "$PROBE" true
t_status "--limit cpu=50 (a percentage needs %): exit 100" 100 void --limit cpu=50 -- "$PROBE" true
t_status "--limit pids=0: exit 100" 100 void --limit pids=0 -- "$PROBE" true
t_status "--limit memory=4k (below 1m): exit 100" 100 void --limit memory=4k -- "$PROBE" true
t_status "--limit with no NAME=VALUE: exit 100" 100 void --limit pids -- "$PROBE" true
t_check "... and no cgroup was made" "$(! left >/dev/null; echo $?)" "$(left)"
t_match "explain lists the limits" "pids: at most 64 processes.*memory: 65536 KiB.*cpu: 50% of one CPU" \
        bash -c '"$0" run --explain --limit pids=64,memory=64m,cpu=50% -- /bin/true | tr "\n" " "' "$VS"
t_match "... and so does its JSON (plan and void)" '"limits":\{"cgroup":null,"pids":64,"memory":67108864,"cpu":50\}.*"limits":\{"pids":64,"memory":67108864,"cpu":50\}' \
        "$VS" run --explain --json --limit pids=64,memory=64m,cpu=50% -- /bin/true

if ! is_root; then
        # This machine delegates no cgroup to an ordinary user: refused, with the reason.
        t_status "no cgroup delegated to this user: --limit pids is refused (exit 111)" 111 \
                void --limit pids=64 -- "$PROBE" true
        t_match "... saying where and why" "^voidshim: fatal: unable to start .*: limits: making a cgroup in /sys/fs/cgroup/.* \(it is not delegated to this user\): Permission denied$" \
                void --limit pids=64 -- "$PROBE" true
        t_status "... and --limit memory too (exit 111)" 111 void --limit memory=64m -- "$PROBE" true
        t_status "... and never runs the program unlimited" 111 void --limit pids=64 -- "$PROBE" forks 100
        cat >"$T_TMP/lim.json" <<EOF
{ "voidshim": 1, "program": "$PROBE", "entrypoints": { "main": { "void": { "limits": { "pids": 16 }, "stdout": true } } } }
EOF
        t_status "a spec's \"limits\" that cannot be applied: exit 111" 111 "$VS" exec "$T_TMP/lim.json" -- true
        t_check "nothing left behind" "$(! left >/dev/null; echo $?)" "$(left)"
        t_done
fi

# ---- processes ---------------------------------------------------------------------------------
t_eq "pids=16: the 16th process is refused (EAGAIN), in the void" "EAGAIN 15" \
        void --limit pids=16 -- "$PROBE" forks 100
t_eq "(control: without it the same forks all succeed)" "ok 100" void -- "$PROBE" forks 100
# A real fork bomb, every process forking for ever, for 3 s; seen from the host meanwhile.
void --limit pids=64 -- "$PROBE" forkbomb 3 >"$T_TMP/bomb.out" 2>&1 &
shim=$!
peak=0 cg=""
for _ in $(seq 30); do
        cg=$(comm -13 <(echo "$before") <(cgroups) | grep /pids/ | head -1)
        [ -n "$cg" ] && break
        sleep 0.05
done
t0=$(date +%s%N)
timeout 10 sh -c 'ls / >/dev/null; echo hi >/dev/null'
host_rc=$? host_ms=$((($(date +%s%N) - t0) / 1000000))
for _ in $(seq 20); do
        c=$(cat "$cg/pids.current" 2>/dev/null || echo 0)
        [ "$c" -gt "$peak" ] && peak=$c
        sleep 0.1
done
[ -r "$cg/pids.peak" ] && peak=$(cat "$cg/pids.peak")
refused=$(awk '$1 == "max" { print $2 }' "$cg/pids.events" 2>/dev/null)
wait "$shim"
rc=$?
t_check "fork bomb under pids=64: at most 64 processes in the void (peak $peak)" \
        "$([ "$peak" -le 64 ] && [ "$peak" -ge 32 ]; echo $?)" "cgroup $cg, peak $peak"
t_check "... forks beyond refused by the cgroup (${refused:-?} times)" "$([ "${refused:-0}" -gt 0 ]; echo $?)" "$(cat "$T_TMP/bomb.out")"
t_check "... the host answers meanwhile (a command took ${host_ms} ms)" "$([ $host_rc = 0 ] && [ $host_ms -lt 5000 ]; echo $?)"
t_match "... and the bomb ends with its init, as planned" "^ok [0-9]+ [0-9]+$" cat "$T_TMP/bomb.out"
echo "# fork bomb: pids=64 held at $peak, ${refused:-?} forks refused in ~3 s; host command ${host_ms} ms"
t_check "... its cgroup is gone" "$([ ! -e "$cg" ]; echo $?)" "$cg"

# ---- memory --------------------------------------------------------------------------------------
# Each bomb asks for 256 MiB under a 64 MiB limit: killed inside the void (128+9), or refused (ENOMEM);
# never "ok".  The same bomb under a 512 MiB limit completes: it is the limit that stops it.
for kind in anon memfd file; do
        extra=() arg=()
        [ $kind = file ] && extra=(--size 1g --tmpfs /t) && arg=(/t/fill)
        t0=$(date +%s%N)
        out=$(timeout 60 "$VS" run --exec-host --limit memory=64m "${extra[@]}" -- "$PROBE" memfill $kind 256 "${arg[@]}" 2>&1)
        rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
        t_check "memory=64m: a $kind memory bomb of 256 MiB ends inside the void (exit $rc, $out)" \
                "$([ $rc = 137 ] || [ "$out" = ENOMEM ]; echo $?)" "exit $rc: $out"
        echo "# memory bomb ($kind, 256 MiB): ended under memory=64m with exit $rc in $ms ms"
        t_eq "(control: under memory=512m the $kind bomb completes)" "ok" \
                timeout 60 "$VS" run --exec-host --limit memory=512m "${extra[@]}" -- "$PROBE" memfill $kind 256 "${arg[@]}"
done
t_eq "--rlimit as does not see a memfd's pages: the memfd bomb passes it" "ok" \
        void --rlimit as=64m -- "$PROBE" memfill memfd 128
t_match "... where memory=64m ends it" "^(ENOMEM)?$" void --limit memory=64m -- "$PROBE" memfill memfd 128

# ---- CPU -----------------------------------------------------------------------------------------
cpu=$(void --limit cpu=10% -- "$PROBE" spin 2 | awk '{ print $2 }')
t_check "cpu=10%: 2 s of spinning get about 0.2 s of CPU (got ${cpu:-?} s)" \
        "$(awk -v c="${cpu:-9}" 'BEGIN { exit !(c < 0.6) }'; echo $?)"
echo "# cpu=10%: 2 s busy got ${cpu:-?} s of CPU"

# ---- a spec's "limits" ---------------------------------------------------------------------------
cat >"$T_TMP/lim.json" <<EOF
{ "voidshim": 1, "program": "$PROBE", "entrypoints": { "main": { "args": [ "trailing" ],
  "void": { "limits": { "pids": 16, "memory": "64m" }, "stdout": true } } } }
EOF
t_eq "a spec's \"limits\" hold as --limit does" "EAGAIN 15" "$VS" exec "$T_TMP/lim.json" -- forks 100
t_match "voidshim explain shows them" "pids: at most 16 processes" "$VS" explain "$T_TMP/lim.json"

# ---- --cgroup DIR keeps working beside --limit -------------------------------------------------
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -n "$cg2" ] && mkdir "$cg2/voidshim-lim.$$" 2>/dev/null; then
        t_at_exit "rmdir '$cg2/voidshim-lim.$$' 2>/dev/null"
        t_match "--cgroup DIR with --limit: the void starts in DIR (v2) and is limited too" "EAGAIN 15" \
                void --cgroup "$cg2/voidshim-lim.$$" --limit pids=16 -- "$PROBE" forks 100
fi

# ---- leftovers: none after any end, even a SIGKILL of voidshim --------------------------------------
"$VS" run --exec-host --limit pids=64,memory=64m -- "$PROBE" sleep 20 "lim-$$" >/dev/null 2>&1 &
shim=$!
vp=""
for _ in $(seq 100); do
        vp=$(pgrep -f "^$PROBE sleep 20 lim-$$" | head -1)
        [ -n "$vp" ] && break
        sleep 0.1
done
kill -KILL "$shim"
wait "$shim" 2>/dev/null
for _ in $(seq 50); do kill -0 "$vp" 2>/dev/null || break; sleep 0.1; done
stale=$(comm -13 <(echo "$before") <(cgroups) | grep -- "voidshim-$shim-" | head -1)
t_check "SIGKILL to voidshim: its void ends, its (empty) cgroups stay behind" "$([ -n "$stale" ]; echo $?)" "$(cgroups)"
void --limit pids=64 -- "$PROBE" true >/dev/null
t_check "... and the next void with limits removes them" "$([ -z "$(cgroups | grep -- "voidshim-$shim-")" ]; echo $?)" "$(cgroups)"
pkill -f "^$PROBE sleep 20 lim-$$" 2>/dev/null
wait
t_check "no void cgroup is left behind" "$(! left >/dev/null; echo $?)" "$(left)"

# ---- an ordinary user with a delegated subtree (as systemd delegates one: the directory and its
# cgroup.procs chowned to the user): its voids are limited too.  Set up here, as root.
user=${VOIDSHIM_TEST_USER:-voidtest}
if id "$user" >/dev/null 2>&1; then
        dirs=()
        for ctl in pids memory; do
                self=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
                d="/sys/fs/cgroup/$ctl${self%/}/vs-deleg-$$"
                mkdir "$d" && chown "$user" "$d" "$d/cgroup.procs" && dirs+=("$d")
        done
        t_at_exit "rmdir ${dirs[*]} 2>/dev/null"
        out=$(su "$user" -s /bin/sh -c "for d in ${dirs[*]}; do echo \$\$ > \$d/cgroup.procs || exit 99; done;
                exec '$VS' run --exec-host --limit pids=16,memory=64m -- '$PROBE' forks 100" 2>&1)
        t_eq "$user in a delegated v1 subtree: pids=16 holds its void" "EAGAIN 15" echo "$out"
        out=$(su "$user" -s /bin/sh -c "for d in ${dirs[*]}; do echo \$\$ > \$d/cgroup.procs || exit 99; done;
                exec '$VS' run --exec-host --limit memory=64m -- '$PROBE' memfill anon 256" 2>&1)
        t_match "... and memory=64m ends its memory bomb" "^$" echo "$out"
        t_check "... nothing left in the delegated subtree" \
                "$(for d in "${dirs[@]}"; do find "$d" -mindepth 1 -type d; done | grep -q . && echo 1 || echo 0)"
fi
t_done
