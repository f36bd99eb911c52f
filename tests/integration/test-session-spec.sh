#!/bin/bash
# `voidshim session begin NAME SPEC [ENTRYPOINT]`: a session whose void is a spec's entrypoint.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
S=vs-sspec # the runtime directory is this file's own
t_at_exit "'$VS' session end $S >/dev/null 2>&1"

# spec FILE ENTRYPOINTS-JSON: a spec of the probe's, with a session-like environment.
spec() {
        cat >"$T_TMP/$1" <<EOJ
{ "voidshim": 1, "name": "not-the-session", "environment": { "net": "fresh" }, "entrypoints": { $2 } }
EOJ
        echo "$T_TMP/$1"
}
VOID='"void": { "mounts": [ { "ro-bind": "'"$PROBE"'", "at": "/probe" } ], "proc": true,
        "hostname": "specsess", "rlimits": { "nofile": 77 } }'
one=$(spec one.json '"main": { "program": "'"$PROBE"'", "argv": [ "sleep", "60", "first-'"$S"'" ], '"$VOID"' }')

t_ok "session begin NAME SPEC" "$VS" session begin "$S" "$one"
t_match "session list shows it under the session's name" "^$S	[0-9]+	reaper	-" "$VS" session list
t_eq "a newcomer has the spec's hostname" "ok specsess" "$VS" session run "$S" -- /probe hostname
t_eq "... and its rlimit (nofile 77)" "EMFILE" "$VS" session run "$S" -- /probe open-many 100
t_eq "control: a plain run does not have that hostname" "ok void" \
        "$VS" run --ro-bind "$PROBE" /probe -- /probe hostname
t_match "the entrypoint's program is the session's first process (pid 2, beside the newcomer)" "^ok 1 2 [0-9]+ " \
        "$VS" session run "$S" -- /probe ls /proc
t_eq "the host's files are not there" "ENOENT" "$VS" session run "$S" -- /probe stat /etc/passwd
t_ok "ctl NAME reaches it by the session's name, not the spec's \"name\"" "$VS" ctl "$S" list
t_fails "... the spec's name is not a control name" "$VS" ctl not-the-session list
t_ok "session end" "$VS" session end "$S"
t_eq "... nothing of it is left in the runtime directory" "" ls -A "$T_TMP/run"
t_fails "... and its first process is gone" pgrep -f "first-$S"

# Which entrypoint: the only one, or the one named; one a session cannot start is refused, and nothing is left.
two=$(spec two.json '"a": { "program": "'"$PROBE"'", "argv": [ "sleep", "60", "a-'"$S"'" ], '"$VOID"' },
        "b": { "program": "'"$PROBE"'", "argv": [ "sleep", "60", "b-'"$S"'" ], '"$VOID"' }')
t_golden "a spec with two entrypoints and none named: one line, exit 100" session-spec-two 100 \
        "$VS" session begin "$S" "$two"
t_golden "an entrypoint the spec does not have: exit 100" session-spec-unknown 100 \
        "$VS" session begin "$S" "$two" c
t_ok "naming one begins it" "$VS" session begin "$S" "$two" b
t_ok "... its program runs" pgrep -f "b-$S"
t_fails "... not the other's" pgrep -f "a-$S"
t_ok "session end" "$VS" session end "$S"
trig=$(spec trig.json '"m": { "program": "'"$PROBE"'", "args": [ { "pipe": "p", "end": "tx" } ] },
        "w": { "program": "'"$PROBE"'", "trigger": { "pipe": "p" } }')
sed -i 's/"entrypoints"/"pipes": { "p": {} }, "entrypoints"/' "$trig"
t_ok "(a spec with a pipe-triggered entrypoint checks)" "$VS" check "$trig"
t_golden "an entrypoint with a trigger: exit 100" session-spec-trigger 100 "$VS" session begin "$S" "$trig" w
cmdl=$(spec cmdl.json '"w": { "program": "'"$PROBE"'", "args": [ { "cmdline": 0, "name": "in", "mode": "r" } ] }')
t_golden "an entrypoint with args: exit 100" session-spec-args 100 "$VS" session begin "$S" "$cmdl"
t_golden "grants beside a spec: exit 100" session-spec-grants 100 "$VS" session begin "$S" "$one" --proc
echo '{ "voidshim": 1, "entrypoints": { "x": { "program": "/nope/nothing" } } }' >"$T_TMP/bad.json"
t_status "a spec that does not check: exit 100" 100 "$VS" session begin "$S" "$T_TMP/bad.json"
t_eq "after every refusal nothing is left in the runtime directory" "" ls -A "$T_TMP/run"
t_fails "... and no session runs" "$VS" session run "$S" -- /probe true

# --explain: the plan, and nothing started.
t_match "session begin NAME SPEC --explain prints the void" "^pid 1: voidshim's reaper" \
        "$VS" session begin "$S" "$one" --explain
t_match "... --json too (the plan's control name is the session's)" '"name":"'"$S"'"' \
        "$VS" session begin "$S" "$one" --explain --json
t_fails "... and starts nothing" pgrep -f "first-$S"
t_done
