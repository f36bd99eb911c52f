#!/bin/bash
# What a spec gained of the environments' CLI (issue 13): the application's control "name" (as
# `voidshim exec --name`), an entrypoint's "inbox" (the powerbox, as `voidshim run --inbox`) and a net
# allowlist entry that names a host (as `voidshim run --net-allow tcp:HOST:PORT`: resolved once when
# the application starts, the name in the voids' /etc/hosts).  Each tried from inside the void: what
# is granted works, what is not fails.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
SRV=${STAGE:-/nonexistent}/apps/srv_probe
[ -x "$SRV" ] || { t_skip "all spec environment tests" "no srv_probe"; t_done; }
export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
N=se$$

wait_run() { for _ in $(seq 100); do "$VS" ctl "$1" list >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

# ---- "name" and "inbox" ------------------------------------------------------------------------
cat >"$T_TMP/box.json" <<EOJ
{ "voidshim": 1, "name": "$N", "program": "$PROBE",
  "entrypoints": { "main": { "argv": [ "repl" ], "void": { "inbox": "/inbox", "stdin": true, "stdout": true } } } }
EOJ
t_ok "check: a spec with a \"name\" and an entrypoint's \"inbox\"" "$VS" check "$T_TMP/box.json"
t_match "explain names the application and its powerbox" "name: $N .*powerbox: the application's inbox at /inbox" \
        bash -c "'$VS' explain '$T_TMP/box.json' | tr '\n' ' '"
t_eq "explain --json: the plan's caretakers have the name and the inbox (run's --name, --inbox)" "$N /inbox" \
        bash -c "'$VS' explain --json '$T_TMP/box.json' | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"entrypoints\"][0][\"plan\"][\"caretakers\"]; print(c[\"name\"], c[\"inbox\"])'"
sed 's/"name": "[^"]*", //' "$T_TMP/box.json" >"$T_TMP/noname.json"
t_status "an \"inbox\" without the spec's \"name\": exit 100 (no ctl could grant into it)" 100 \
        "$VS" check "$T_TMP/noname.json"
sed 's|"inbox": "/inbox"|"inbox": "/"|' "$T_TMP/box.json" >"$T_TMP/rootbox.json"
t_status "\"inbox\": \"/\": exit 100" 100 "$VS" check "$T_TMP/rootbox.json"
sed 's|"name": "[^"]*"|"name": ".hidden"|' "$T_TMP/box.json" >"$T_TMP/badname.json"
t_status "a \"name\" that is no control name: exit 100" 100 "$VS" check "$T_TMP/badname.json"

mkdir -p "$T_TMP/docs" && echo secret >"$T_TMP/docs/f"
mkfifo "$T_TMP/in" "$T_TMP/out"
"$VS" exec "$T_TMP/box.json" <"$T_TMP/in" >"$T_TMP/out" 2>"$T_TMP/exec.err" &
run=$!
t_at_exit "kill $run 2>/dev/null"
exec 5>"$T_TMP/in" 6<"$T_TMP/out"
ask() { echo "$1" >&5; local l; read -r -t 20 l <&6 || l="(no answer)"; echo "$l"; }
wait_run "$N"
t_check "the spec's \"name\" is the control name: voidshim ctl $N list answers" $?
t_eq "before any grant the powerbox is empty" "ENOENT" ask "read /inbox/docs/f"
t_ok "voidshim ctl $N grant DIR (read-only)" "$VS" ctl "$N" grant "$T_TMP/docs"
t_eq "the grant appears in the running void" "ok secret" ask "read /inbox/docs/f"
t_match "... read-only" "EROFS|EACCES" ask "write /inbox/docs/g"
t_match "ctl list shows the grant" "docs	grant" "$VS" ctl "$N" list
t_ok "voidshim ctl $N revoke docs" "$VS" ctl "$N" revoke docs
t_eq "the revoked grant is gone from the running void" "ENOENT" ask "read /inbox/docs/f"
t_ok "... and granted again" "$VS" ctl "$N" grant "$T_TMP/docs"
t_eq "... it is back" "ok secret" ask "read /inbox/docs/f"
t_ok "ctl $N stop" "$VS" ctl "$N" stop
exec 5>&- 6<&-
timeout 10 tail --pid=$run -f /dev/null
t_eq "... nothing left in the runtime directory" "" ls -A "$VOIDSHIM_RUNTIME_DIR"

# exec --name overrides the spec's name.
mkfifo "$T_TMP/in2"
exec 7<>"$T_TMP/in2" # the program's stdin stays open (and empty) until the run is stopped
"$VS" exec --name "$N-o" "$T_TMP/box.json" <&7 >/dev/null 2>&1 &
run=$!
wait_run "$N-o"
t_check "exec --name NAME is the control name over the spec's" $?
t_fails "... the spec's name is not taken" "$VS" ctl "$N" list
"$VS" ctl "$N-o" stop >/dev/null 2>&1
timeout 10 tail --pid=$run -f /dev/null
exec 7>&-

# ---- a net allowlist entry naming a host ---------------------------------------------------------
if ! command -v pasta >/dev/null || ! [ -r /dev/net/tun ] || ! [ -w /dev/net/tun ]; then
        t_need "a spec's allowlist by host name" "no usable pasta (Debian package passt, /dev/net/tun)"
        t_done
fi
# A name of the host's /etc/hosts for its loopback, not "localhost" (which the void's /etc/hosts
# always has): the stand-in for a remote host, so that no network is needed.
name=$(awk '$1 == "127.0.0.1" { for (i = 2; i <= NF; i++) if ($i != "localhost") { print $i; exit } }' /etc/hosts)
if [ -z "$name" ]; then
        t_need "a spec's allowlist by host name" "/etc/hosts names no host at 127.0.0.1 but localhost"
        t_done
fi
other=$(awk -v n="$name" '$1 ~ /^[0-9.]+$/ { for (i = 2; i <= NF; i++) if ($i != "localhost" && $i != n) { print $i; exit } }' /etc/hosts)
"$SRV" tserve >"$T_TMP/tserve" 2>&1 &
ts=$!
t_at_exit "kill $ts 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$T_TMP/tserve" && break; sleep 0.1; done
port=$(awk '{print $2}' "$T_TMP/tserve")
cat >"$T_TMP/net.json" <<EOJ
{ "voidshim": 1, "program": "$SRV",
  "environment": { "exec": "denied", "net": { "mode": "proxied", "allow": [ "tcp:$name:$port" ] } },
  "entrypoints": { "main": { "args": [ "trailing" ], "void": { "stdout": true, "stderr": true } } } }
EOJ
t_ok "check: an allowlist entry that names a host (nothing is looked up)" "$VS" check "$T_TMP/net.json"
t_match "explain resolves it and says what the voids' /etc/hosts names" "/etc/hosts .*names 127.0.0.1 $name" \
        "$VS" explain "$T_TMP/net.json"
t_eq "explain --json: the plan's hosts, as run --net-allow gives them" "true" bash -c \
        "a=\$('$VS' explain --json '$T_TMP/net.json' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"entrypoints\"][0][\"plan\"][\"caretakers\"][\"hosts\"])'); \
         b=\$('$VS' run --explain --json --server net=proxied --net-allow 'tcp:$name:$port' -- /x | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"plan\"][\"caretakers\"][\"hosts\"])'); \
         [ \"\$a\" = \"\$b\" ] && [ \"\$a\" != '[]' ] && echo true || echo \"spec \$a run \$b\""
t_eq "the named host's port answers, by name, through the caretaker" "ok hi" \
        timeout 30 "$VS" exec "$T_TMP/net.json" -- tconnect "$name" "$port" hi
t_eq "... another port of it is refused" "ECONNREFUSED" \
        timeout 30 "$VS" exec "$T_TMP/net.json" -- tconnect "$name" "$((port == 65535 ? 1 : port + 1))" hi
t_eq "... another address is unreachable" "ENETUNREACH" timeout 30 "$VS" exec "$T_TMP/net.json" -- tconnect 192.0.2.1 80 hi
if [ -n "$other" ]; then
        t_eq "... a name the host knows but the allowlist does not is not in the void's /etc/hosts" "ENOENT" \
                timeout 30 "$VS" exec "$T_TMP/net.json" -- tconnect "$other" "$port" hi
fi
sed "s/tcp:$name:$port/tcp:no-such-host.invalid:80/" "$T_TMP/net.json" >"$T_TMP/nohost.json"
t_ok "check: a name that does not resolve is only a name to check" "$VS" check "$T_TMP/nohost.json"
t_status "exec: a name with no address: exit 100" 100 timeout 30 "$VS" exec "$T_TMP/nohost.json" -- tconnect x 80 hi
t_match "... one line naming the entry and the cause" \
        "^voidshim: fatal: unable to resolve the allowlist of spec .*: \"allow\" entry tcp:no-such-host.invalid:80: " \
        timeout 30 "$VS" exec "$T_TMP/nohost.json" -- tconnect x 80 hi
t_status "explain too: exit 100" 100 "$VS" explain "$T_TMP/nohost.json"
t_eq "... nothing left in the runtime directory" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_done
