#!/bin/bash
# One mapping, seen from the command line: for every server in every mode both front ends offer,
# `voidshim run --explain --json` and `voidshim explain --json SPEC` print the same plan and the same
# void (mounts, Landlock rules, a hash of the seccomp program's bytes).  tests/unit/test_plan.c
# compares the same voids byte for byte inside the library.
. "${LIB:-$(dirname "$0")/lib.sh}"

command -v python3 >/dev/null || { t_skip "one mapping" "no python3 to compare JSON"; t_done; }

cmp_json() { # RUN-JSON-FILE SPEC-JSON-FILE: exit 0 when plan and void are the same, else print how they differ
        python3 - "$1" "$2" <<'PY' 2>&1
import json, sys
run = json.load(open(sys.argv[1]))
spec = json.load(open(sys.argv[2]))["entrypoints"][0]
for part in ("plan", "void"):
    if run[part] != spec[part]:
        a, b = run[part], spec[part]
        keys = [k for k in a if a.get(k) != b.get(k)]
        print(part, "differs in", keys, "run:", {k: a.get(k) for k in keys}, "spec:", {k: b.get(k) for k in keys})
        sys.exit(1)
PY
}
same() { # DESC RUN-JSON-FILE SPEC-JSON-FILE
        local out
        out=$(cmp_json "$2" "$3")
        t_check "$1" $? "$out"
}

env_of() { # SERVER MODE -> the spec's environment entry
        case "$1=$2" in
        net=proxied) echo '"net": {"mode": "proxied", "allow": ["8080"]}' ;;
        unix=proxied) echo '"unix": {"mode": "proxied", "connect": [{"at": "/run/x.sock", "upstream": "tcp:127.0.0.1:9"}]}' ;;
        *) echo "\"$1\": \"$2\"" ;;
        esac
}
extra_of() { # SERVER MODE -> run's options for the same caretaker
        case "$1=$2" in
        net=proxied) echo "--net-allow 8080" ;;
        unix=proxied) echo "--proxy-connect /run/x.sock=tcp:127.0.0.1:9" ;;
        esac
}

compared=0
for s in fs exec proc auth net unix term dev ipc uts time; do
        for m in fresh shared denied proxied; do
                [ "$s=$m" = term=proxied ] && continue # run's alone: a spec's voids share no terminal
                # Only what run offers: a mode Linux cannot give is refused (exit 100) by both.
                "$VS" run --explain --exec-host --server "$s=$m" $(extra_of "$s" "$m") -- "$PROBE" >/dev/null 2>&1 || continue
                # A spec refuses stdio next to term denied (a check of its own): neither side hands it in there.
                std='"stdin": true, "stdout": true, "stderr": true' nostdio=
                [ "$s=$m" = term=denied ] && std= nostdio=--no-stdio
                cat >"$T_TMP/s.json" <<EOJ
{"voidshim": 1, "program": "$PROBE", "environment": { $(env_of "$s" "$m") },
 "entrypoints": { "main": { "void": { $std } } } }
EOJ
                exec_mode=fresh
                [ "$s" = exec ] && exec_mode=$m
                "$VS" run --explain --json --exec-host --argv0 main --server "exec=$exec_mode" $nostdio \
                        $([ "$s" != exec ] && echo "--server $s=$m") $(extra_of "$s" "$m") \
                        --setenv VOIDSHIM_ENTRYPOINT main --setenv VOIDSHIM_FDS "" -- "$PROBE" >"$T_TMP/run.json" 2>&1
                "$VS" explain --json "$T_TMP/s.json" >"$T_TMP/spec.json" 2>&1
                same "$s $m: run and spec give the same plan and void" "$T_TMP/run.json" "$T_TMP/spec.json"
                compared=$((compared + 1))
        done
done
t_check "every offered server and mode was compared ($compared)" "$([ "$compared" -ge 30 ]; echo $?)"

# Limits and the identity: --limit and --identity against a spec's "limits" and "identity".
for id in auto host reserved; do
        "$VS" run --explain --json --exec-host --argv0 main --server exec=fresh --limit pids=64,memory=64m \
                --limit cpu=50% --identity "$id" --setenv VOIDSHIM_ENTRYPOINT main --setenv VOIDSHIM_FDS "" \
                -- "$PROBE" >"$T_TMP/run.json" 2>&1
        cat >"$T_TMP/s.json" <<EOJ
{"voidshim": 1, "program": "$PROBE", "entrypoints": { "main": { "void": { "stdin": true, "stdout": true,
  "stderr": true, "limits": { "pids": 64, "memory": "64m", "cpu": "50%" }, "identity": "$id" } } } }
EOJ
        "$VS" explain --json "$T_TMP/s.json" >"$T_TMP/spec.json" 2>&1
        same "limits and identity $id: run and spec give the same plan and void" "$T_TMP/run.json" "$T_TMP/spec.json"
done
sed 's/"pids": 64/"pids": 65/' "$T_TMP/s.json" >"$T_TMP/s2.json"
"$VS" explain --json "$T_TMP/s2.json" >"$T_TMP/spec.json"
t_fails "(control: pids 64 against pids 65 is told apart)" cmp_json "$T_TMP/run.json" "$T_TMP/spec.json"
# The root, pid 1, /sys, chown and the ids: --overlay ... --uid against the spec's "void" keys of the same names.
mkdir -p "$T_TMP/tree/usr" "$T_TMP/tree/etc" "$T_TMP/up"
run_of() { "$VS" run --explain --json --exec-host --argv0 main --server exec=fresh "$@" -- "$PROBE"; }
run_of --overlay "$T_TMP/tree" --overlay-persist "$T_TMP/up" --init --chown-noop --setenv VOIDSHIM_ENTRYPOINT main \
        --setenv VOIDSHIM_FDS "" --sys >"$T_TMP/run.json" 2>&1
cat >"$T_TMP/s.json" <<EOJ
{"voidshim": 1, "program": "$PROBE", "entrypoints": { "main": { "void": { "stdin": true, "stdout": true,
 "stderr": true, "overlay": "$T_TMP/tree", "overlay-persist": "$T_TMP/up", "init": true, "chown-noop": true,
 "sys": true } } } }
EOJ
"$VS" explain --json "$T_TMP/s.json" >"$T_TMP/spec.json" 2>&1
same "an overlay root, pid 1, /sys, chown-noop: run and spec give the same plan and void" "$T_TMP/run.json" "$T_TMP/spec.json"
run_of --root "$T_TMP/tree" --root-rw --uid 5 --gid 6 --setenv VOIDSHIM_ENTRYPOINT main --setenv VOIDSHIM_FDS "" \
        >"$T_TMP/run.json" 2>&1
cat >"$T_TMP/s.json" <<EOJ
{"voidshim": 1, "program": "$PROBE", "entrypoints": { "main": { "void": { "stdin": true, "stdout": true,
 "stderr": true, "root": "$T_TMP/tree", "root-writable": true, "uid": 5, "gid": 6 } } } }
EOJ
"$VS" explain --json "$T_TMP/s.json" >"$T_TMP/spec.json" 2>&1
same "a writable directory root and ids: run and spec give the same plan and void" "$T_TMP/run.json" "$T_TMP/spec.json"
sed -i 's/"root-writable": true, //' "$T_TMP/s.json"
"$VS" explain --json "$T_TMP/s.json" >"$T_TMP/spec.json" 2>&1
t_fails "(control: a read-only root against a writable one is told apart)" cmp_json "$T_TMP/run.json" "$T_TMP/spec.json"

# The comparison can fail: a different mode is a different plan and a different seccomp program.
"$VS" run --explain --json --exec-host --argv0 main --server exec=fresh --server ipc=denied \
        --setenv VOIDSHIM_ENTRYPOINT main --setenv VOIDSHIM_FDS "" -- "$PROBE" >"$T_TMP/run.json"
cat >"$T_TMP/s.json" <<EOJ
{"voidshim": 1, "program": "$PROBE", "environment": { "ipc": "fresh" },
 "entrypoints": { "main": { "void": { "stdin": true, "stdout": true, "stderr": true } } } }
EOJ
"$VS" explain --json "$T_TMP/s.json" >"$T_TMP/spec.json"
t_fails "(control: ipc denied against ipc fresh is told apart)" cmp_json "$T_TMP/run.json" "$T_TMP/spec.json"
t_done
