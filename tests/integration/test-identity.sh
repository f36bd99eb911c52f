#!/bin/bash
# Who a void is on the host (doc/servers.md, "auth"): a void started by root runs as a uid and gid of
# its own, from voidshim's range in /etc/subuid and /etc/subgid, held by no other running void, with
# idmapped binds; root stays root only when asked (--identity host).  An ordinary user's void is that
# user, as before.  Tried from inside, and looked at from the host.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
me=$(id -u) mygid=$(id -g)
LOCKS=/run/voidshim/ids

# "ok 0 U 1" (probe read of a uid_map, one line): the host id.
outer() { awk '{ print $3 }' <<<"$1"; }
inner() { awk '{ print $2 }' <<<"$1"; }

t_status "--identity: an unknown mode is bad input (exit 100)" 100 void --identity root -- "$PROBE" true
t_match "... named in one line" "^voidshim: fatal: unable to parse the command line: --identity: 'root' is not one of auto, host, reserved$" \
        void --identity root -- "$PROBE" true
t_status "--identity reserved with --share user: a contradiction (exit 100)" 100 \
        void --identity reserved --share user -- "$PROBE" true
# Root of a user namespace of its own is a host uid already (the caller's): not the host's root.
if unshare -Ur true 2>/dev/null; then
        t_match "root of another user namespace (unshare -Ur): its void keeps that identity, no lease" "^ok +0 +0 +1$" \
                unshare -Ur "$VS" run --exec-host --proc -- "$PROBE" read /proc/self/uid_map
fi

if ! is_root; then
        map=$(void --proc -- "$PROBE" read /proc/self/uid_map)
        t_check "an ordinary user's void: uid 0 inside is the user outside, as before" \
                "$([ "$(inner "$map")" = 0 ] && [ "$(outer "$map")" = "$me" ]; echo $?)" "$map"
        t_match "... and explain says so" "uid 0 and gid 0 inside are uid $me and gid $mygid outside" \
                "$VS" run --explain -- /bin/true
        t_status "--identity reserved needs root: exit 111" 111 void --identity reserved -- "$PROBE" true
        t_match "... and says so" "only root can give a void a uid of its own" \
                void --identity reserved -- "$PROBE" true
        t_eq "--rlimit nproc binds the void (init and 9 more)" "EAGAIN 9" void --rlimit nproc=10 -- "$PROBE" forks 50
        t_done
fi

read -r start count < <(awk -F: '$1 == "voidshim" { print $2, $3; exit }' /etc/subuid)
read -r gstart _ < <(awk -F: '$1 == "voidshim" { print $2, $3; exit }' /etc/subgid)
if [ -z "${start:-}" ] || [ -z "${gstart:-}" ]; then
        if [ -n "${VOIDSHIM_MUST_WORK:-}" ]; then
                t_check "voidshim's range is reserved (tools/reserve-ids.sh)" 1
                t_done
        fi
        t_skip "root's voids of their own uid" "no range for voidshim in /etc/subuid (tools/reserve-ids.sh)"
        t_match "... and without one root's void refuses to start, saying why" "none is reserved: add a range for the user voidshim" \
                void -- "$PROBE" true
        t_done
fi
in_range() { [ "$1" -ge "$start" ] && [ "$1" -lt $((start + count)) ]; }

# ---- the void's ids --------------------------------------------------------------------------
map=$(void --proc -- "$PROBE" read /proc/self/uid_map)
u=$(outer "$map")
t_check "root's void: uid 0 inside ..." "$([ "$(inner "$map")" = 0 ]; echo $?)" "$map"
t_check "... is a host uid of its own, in voidshim's range ($start, $count ids)" "$(in_range "${u:-0}"; echo $?)" "$map"
gmap=$(void --proc -- "$PROBE" read /proc/self/gid_map)
g=$(outer "$gmap")
t_check "... and gid 0 a host gid of its own from the gid range" \
        "$([ "$(inner "$gmap")" = 0 ] && [ "${g:-0}" -ge "$gstart" ] && [ "${g:-0}" -lt $((gstart + count)) ]; echo $?)" "$gmap"
t_match "... with no supplementary groups (root's are dropped)" "Groups:[[:space:]]+NStgid" \
        void --proc -- "$PROBE" read /proc/self/status
t_eq "... and no capability in any set" "ok 0 0 0 BND=0 AMB=0" void -- "$PROBE" caps
map=$(void --identity host --proc -- "$PROBE" read /proc/self/uid_map)
t_check "--identity host: root's void is host root, as asked" \
        "$([ "$(inner "$map")" = 0 ] && [ "$(outer "$map")" = 0 ]; echo $?)" "$map"
map=$(void --host-root --proc -- "$PROBE" read /proc/self/uid_map)
t_check "--host-root is the same" "$([ "$(outer "$map")" = 0 ]; echo $?)" "$map"

# ---- never two running voids on one uid -------------------------------------------------------
nv=12 mark="idm-$$"
pids=()
for i in $(seq $nv); do
        "$VS" run --exec-host -- "$PROBE" sleep 20 "$mark-$i" >/dev/null 2>&1 &
        pids+=($!)
done
found=""
for _ in $(seq 100); do
        found=$(pgrep -f "^$PROBE sleep 20 $mark-" | while read -r p; do [ -r "/proc/$p/uid_map" ] && awk '{print $2}' "/proc/$p/uid_map"; done)
        [ "$(grep -c . <<<"$found")" -ge "$nv" ] && break
        sleep 0.1
done
uids=$(sort -u <<<"$found")
t_check "$nv voids at once: $nv different host uids" "$([ "$(grep -c . <<<"$uids")" = "$nv" ]; echo $?)" "$found"
t_check "... every one from the range" "$(for x in $uids; do in_range "$x" || echo no; done | grep -c no | grep -qx 0; echo $?)" "$uids"
held=0
for x in $uids; do [ -e "$LOCKS/$x" ] && held=$((held + 1)); done
t_check "... each held by a lease in $LOCKS" "$([ "$held" = "$nv" ]; echo $?)" "$(ls "$LOCKS")"
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
left=0
for x in $uids; do [ -e "$LOCKS/$x" ] && left=$((left + 1)); done
t_check "... given back when they end: no lease left" "$([ "$left" = 0 ]; echo $?)" "$(ls "$LOCKS")"

# A supervisor killed outright leaves its lease; the uid is used again (and the file goes) only once
# nothing runs as it any more.
"$VS" run --exec-host -- "$PROBE" sleep 20 "$mark-kill" >/dev/null 2>"$T_TMP/kill.err" &
shim=$!
vp="" ku=""
for _ in $(seq 200); do
        vp=$(pgrep -f "^$PROBE sleep 20 $mark-kill" | head -1)
        [ -n "$vp" ] && ku=$(awk '{print $2}' "/proc/$vp/uid_map" 2>/dev/null)
        [ -n "$ku" ] && break
        sleep 0.1
done
t_check "(the void to kill runs, with a uid of its own)" "$([ -n "$ku" ] && [ "$ku" != 0 ]; echo $?)" \
        "void '$vp' uid '$ku': $(cat "$T_TMP/kill.err")"
kill -KILL "$shim"
wait "$shim" 2>/dev/null
for _ in $(seq 50); do kill -0 "$vp" 2>/dev/null || break; sleep 0.1; done
t_check "SIGKILL to voidshim: its void ends too" "$([ -n "$vp" ] && ! kill -0 "$vp" 2>/dev/null; echo $?)"
t_check "... its lease is left behind (the supervisor could not give it back)" \
        "$([ -n "$ku" ] && [ -e "$LOCKS/$ku" ]; echo $?)" "uid $ku"
void -- "$PROBE" true >/dev/null
t_check "... and the next void removes it: nothing runs as that uid" \
        "$([ -n "$ku" ] && ! [ -e "$LOCKS/$ku" ]; echo $?)" "$(ls "$LOCKS")"

# ---- limits that bind once the void is not root ----------------------------------------------
t_eq "--rlimit nproc=10 stops a fork bomb at 10 processes (init and 9)" "EAGAIN 9" \
        void --rlimit nproc=10 -- "$PROBE" forks 50
t_eq "... which host root ignores (--identity host)" "ok 50" void --identity host --rlimit nproc=10 -- "$PROBE" forks 50

# ---- grants: usable, with the caller's files, and nothing of root beyond them --------------------
mkdir "$T_TMP/w" && chmod 700 "$T_TMP/w" && echo secret >"$T_TMP/w/f" && chmod 600 "$T_TMP/w/f"
echo theirs >"$T_TMP/w/theirs" && chown 65533:65533 "$T_TMP/w/theirs" && chmod 600 "$T_TMP/w/theirs"
t_eq "a writable bind of root's 0700 directory: the void writes in it" "ok" \
        void --bind "$T_TMP/w" /w -- "$PROBE" write /w/new
t_eq "... and the new file is root's on the host (idmapped)" "0:0" stat -c %u:%g "$T_TMP/w/new"
t_match "... inside, root's files are the void's own (uid 0)" "^ok 0 0 600 " \
        void --ro-bind "$T_TMP/w" /w -- "$PROBE" stat /w/f
t_eq "a read-only bind of root's 0600 file reads" "ok secret" void --ro-bind "$T_TMP/w" /w -- "$PROBE" read /w/f
t_eq "... and cannot be written" "EROFS" void --ro-bind "$T_TMP/w" /w -- "$PROBE" write /w/f
t_eq "another user's 0600 file in the grant is not the void's to read (no root authority in it)" "EACCES" \
        void --ro-bind "$T_TMP/w" /w -- "$PROBE" read /w/theirs
t_match "... and is nobody's inside" "^ok 65534 65534 " void --ro-bind "$T_TMP/w" /w -- "$PROBE" stat /w/theirs
# Device binds are never idmapped, so a device node of root's is not the void's: host root's void (its
# owner) could open it, a void of its own uid cannot.  A copy of /dev/null, root's, mode 0600.
mkdir "$T_TMP/dev" && mknod -m 600 "$T_TMP/dev/null0" c 1 3
t_eq "a device node of root's (--dev-bind): not the void's to open" "EACCES" \
        void --dev-bind "$T_TMP/dev" /d -- "$PROBE" open /d/null0
t_eq "... which host root's void opens (--identity host)" "ok" \
        void --identity host --dev-bind "$T_TMP/dev" /d -- "$PROBE" open /d/null0

# The inbox's grants, made while the void runs, are idmapped by its holder as the binds are.
mkdir -m 700 "$T_TMP/ib" && mkfifo "$T_TMP/in" "$T_TMP/out"
"$VS" run --exec-host --name "idi-$$" --inbox /inbox -- "$PROBE" repl <"$T_TMP/in" >"$T_TMP/out" 2>&1 &
shim=$!
exec 5>"$T_TMP/in" 6<"$T_TMP/out"
for _ in $(seq 50); do "$VS" ctl "idi-$$" list >/dev/null 2>&1 && break; sleep 0.1; done
"$VS" ctl "idi-$$" grant "$T_TMP/ib" rw >/dev/null 2>&1
echo "write /inbox/ib/made" >&5
read -r -t 20 line <&6 || line="(no answer)"
t_eq "an inbox grant of root's 0700 directory, read-write: the void writes in it" "ok" echo "$line"
t_eq "... the new file is root's on the host" "0:0" stat -c %u:%g "$T_TMP/ib/made"
exec 5>&-
wait "$shim" 2>/dev/null
exec 6<&-

# A newcomer in a session (vb_void_join()) is the session's void: its uid, its root.
mkdir -p "$T_TMP/tree/usr" "$T_TMP/tree/etc" && cp "$PROBE" "$T_TMP/tree/probe"
if "$VS" session begin "ids-$$" --overlay "$T_TMP/tree" --proc >/dev/null 2>&1; then
        first=$("$VS" session run "ids-$$" -- /probe read /proc/1/uid_map)
        mine=$("$VS" session run "ids-$$" -- /probe read /proc/self/uid_map)
        t_check "a newcomer in root's session is in the session void's user namespace, of its own uid" \
                "$(in_range "$(outer "$first")" && [ "$mine" = "$first" ]; echo $?)" "void: $first, newcomer: $mine"
        t_eq "... where it is uid 0, the void's (not root's, unmapped there)" "ok 0 0 0 0" \
                "$VS" session run "ids-$$" -- /probe uid
        t_match "... in the void's root (an overlay of idmapped layers), not the host's" "^ok etc probe proc usr$" \
                "$VS" session run "ids-$$" -- /probe ls /
        "$VS" session end "ids-$$" >/dev/null 2>&1
else
        t_check "a session of root's starts" 1 "$("$VS" session begin "ids-$$" --overlay "$T_TMP/tree" --proc 2>&1)"
fi

# ---- the caretakers, the supervisor and explain say who it is --------------------------------------
if command -v pasta >/dev/null; then
        map=$(void --net-allow 80 --proc -- "$PROBE" read /proc/self/uid_map)
        t_check "net proxied: root's void keeps a uid of its own (it joins only the caretaker's network)" \
                "$(in_range "$(outer "$map")"; echo $?)" "$map"
else
        t_skip "net proxied: root's void keeps a uid of its own" "no pasta"
fi
void --name "idn-$$" -- "$PROBE" sleep 10 >/dev/null 2>&1 &
shim=$!
for _ in $(seq 50); do "$VS" ctl "idn-$$" list >/dev/null 2>&1 && break; sleep 0.1; done
t_match "ctl list names the void's host uid" "^void	pid [0-9]+, host uid [0-9]+ gid [0-9]+, running" "$VS" ctl "idn-$$" list
"$VS" ctl "idn-$$" stop >/dev/null 2>&1
wait "$shim" 2>/dev/null
t_match "explain names the range" \
        "uid 0 and gid 0 inside are a host uid and gid of the void's own, taken when it starts from voidshim's range $start-$((start + count - 1))" \
        "$VS" run --explain -- /bin/true
t_match "explain --json: \"identity\" reserved, with the range" \
        "\"identity\":\\{\"mode\":\"reserved\",\"uid\":null,\"gid\":null,\"range\":\\{\"uid\":$start,\"gid\":$gstart,\"count\":$count\\}\\}" \
        "$VS" run --explain --json -- /bin/true
t_match "explain --identity host: HOST ROOT" "identity: HOST ROOT, kept on request" \
        "$VS" run --explain --identity host -- /bin/true
cat >"$T_TMP/host.json" <<EOF
{ "voidshim": 1, "program": "$PROBE", "entrypoints": { "main": { "void": { "identity": "host", "stdout": true } } } }
EOF
t_match "a spec's \"identity\": \"host\" is the same" "identity: HOST ROOT" "$VS" explain "$T_TMP/host.json"
t_done
