#!/bin/bash
# Habits a bwrap user brings, and the command itself: --proc DEST and --dev DEST, grant errors that
# name the option as typed and the rule broken, grants given without `run`, `voidshim help run`, a bare
# `voidshim`, --libs on scripts and bare names, and the exit statuses the man pages promise.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# --proc DEST, --dev DEST as bwrap writes them; the word after --proc stays the program otherwise.
t_eq "--proc /proc -- (bwrap's form): a procfs at /proc" "ok probe" void --proc /proc -- "$PROBE" read /proc/self/comm
t_eq "--proc=/proc: the same" "ok probe" void --proc=/proc -- "$PROBE" read /proc/self/comm
t_eq "--proc /p --dev /d --: a procfs at /p" "ok probe" void --proc /p --dev /d -- "$PROBE" read /p/self/comm
t_eq "--proc /p --dev /d --: a /dev at /d" "ok" void --proc /p --dev /d -- "$PROBE" open /d/null
t_eq "--proc /p --dev /d --: nothing at the defaults" "ENOENT" void --proc /p --dev /d -- "$PROBE" open /proc/self/comm
t_eq "--dev /dev --: /dev/null works" "ok" void --dev /dev -- "$PROBE" open /dev/null
t_eq "--proc PROGRAM ARG (no --): the word is the program, not DEST" "ok probe" \
        "$VS" run --exec-host --proc "$PROBE" read /proc/self/comm
t_eq "--proc PROGRAM alone: the word is the program" "ok" "$VS" run --exec-host --proc "$PROBE" true

# Grant errors: the option as typed, the rule, exit 100, and no void started.
t_golden "--ro-bind / /: names the option and the rule" habit-bind-root 100 "$VS" run --ro-bind / / -- "$PROBE" true
t_golden "--tmpfs /: names the option and the rule" habit-tmpfs-root 100 "$VS" run --tmpfs / -- "$PROBE" true
t_golden "--dir tmp: names the option and the rule" habit-dir-relative 100 "$VS" run --dir tmp -- "$PROBE" true
t_golden "--symlink a b: a relative destination" habit-symlink-relative 100 "$VS" run --symlink a b -- "$PROBE" true
t_golden "--bind SRC /a/../b: '..' refused" habit-dotdot 100 "$VS" run --bind "$T_TMP" /a/../b -- "$PROBE" true
t_golden "--proc=tmp: a relative DEST" habit-proc-relative 100 "$VS" run --proc=tmp -- "$PROBE" true
t_golden "--passwd=etc: a relative DIR" habit-passwd-relative 100 "$VS" run --passwd=etc -- "$PROBE" true
t_match "--passwd: /etc/passwd names uid 0 and nobody, nothing of the host's" "^ok root:x:0:0:" \
        void --passwd -- "$PROBE" read /etc/passwd
t_eq "--passwd: the host's accounts are not there" "ENOENT" void --passwd -- "$PROBE" stat /etc/shadow
t_golden "--bind with a missing source names the option" habit-bind-missing 100 \
        "$VS" run --bind /nonexistent-vs/x /x -- "$PROBE" true

# The command: grants without `run`, help, a bare voidshim.
t_golden "voidshim --ro-bind ...: suggests voidshim run, exit 100" habit-top-level-option 100 \
        "$VS" --ro-bind / / "$PROBE" true
t_golden "voidshim help nope: exit 100" habit-help-unknown 100 "$VS" help nope
t_match "voidshim help run: run's own help" "^usage: voidshim run \[GRANT" "$VS" help run
t_status "voidshim help run: exit 0" 0 "$VS" help run
t_status "a bare voidshim: exit 100, like other tools" 100 "$VS"
t_match "a bare voidshim: the commands on stderr" "usage: voidshim COMMAND" bash -c '"$VS" 2>&1 >/dev/null'
t_eq "a bare voidshim: nothing on stdout" "" "$VS"
t_status "voidshim help: exit 0" 0 "$VS" help
t_status "voidshim --help: exit 0" 0 "$VS" --help
for c in run check exec explain ctl learn; do
        t_match "voidshim help $c: its usage" "^usage: voidshim $c" "$VS" help $c
done

# --libs on a #! script: the script and its interpreter's closure; on a bare name: the void's PATH.
mkdir -p "$T_TMP/bin" && chmod 755 "$T_TMP/bin"
printf '#!/bin/sh\necho "script says $1"\n' >"$T_TMP/bin/hello.sh" && chmod 755 "$T_TMP/bin/hello.sh"
t_eq "--libs SCRIPT: the script runs with its #! interpreter" "script says hi" \
        "$VS" run --libs "$T_TMP/bin/hello.sh" -- "$T_TMP/bin/hello.sh" hi
t_golden "a script without its interpreter: exit 127, names the interpreter" habit-script-no-interp 127 "$VS" run --ro-bind "$T_TMP/bin/hello.sh" /hello.sh -- /hello.sh
printf '#!/nonexistent-vs/interp\n' >"$T_TMP/bin/bad.sh" && chmod 755 "$T_TMP/bin/bad.sh"
t_golden "--libs SCRIPT whose interpreter is missing: names it, exit 100" habit-libs-bad-interp 100 \
        "$VS" run --libs "$T_TMP/bin/bad.sh" -- "$T_TMP/bin/bad.sh"
t_eq "--libs NAME: found in the void's PATH, as the void finds it" "ok" \
        bash -c '"$VS" run --libs sh -- sh -c "echo ok"'
t_eq "--libs NAME with --setenv PATH: that PATH" "script says path" \
        "$VS" run --setenv PATH "$T_TMP/bin" --libs hello.sh -- hello.sh path
t_golden "--libs NAME not in the void's PATH: exit 100" habit-libs-not-in-path 100 \
        "$VS" run --libs nonexistent-vs-prog -- nonexistent-vs-prog
if [ -x /usr/bin/python3 ]; then
        t_match "--libs python3 --explain: says it calls dlopen" "calls dlopen" \
                "$VS" run --libs python3 --explain -- python3
        printf 'import ssl\n' >"$T_TMP/ssl.py" && chmod 644 "$T_TMP/ssl.py"
        t_match "--libs python3 failing on 'import ssl': a note names --libs and dlopen" \
                "^voidshim: note: --libs python3: .* calls dlopen\(\)" bash -c \
                '"$VS" run --libs python3 --ro-bind /usr/lib/python3.11 /usr/lib/python3.11 --ro-bind "$1" /x.py -- python3 /x.py 2>&1 >/dev/null | tail -1' \
                _ "$T_TMP/ssl.py"
        t_nomatch "a program that succeeds gets no note" "note" \
                "$VS" run --libs python3 --ro-bind /usr/lib/python3.11 /usr/lib/python3.11 -- python3 -c 'print(1)'
else
        t_skip "--libs python3: dlopen note" "no /usr/bin/python3"
fi
t_nomatch "--libs of a program without dlopen: no note even when it fails" "note" \
        "$VS" run --libs /bin/ls -- /bin/ls /nonexistent-vs

# Status for programs that drive voidshim: --info-fd and --json-status-fd (bwrap's keys).
void --info-fd 5 --json-status-fd 6 -- "$PROBE" exit 3 5>"$T_TMP/info" 6>"$T_TMP/status"
t_check "--json-status-fd: exit 3 passed on" "$([ $? = 3 ]; echo $?)"
t_match "--info-fd: one JSON object with the pid" '^\{"child-pid": [0-9]+\}$' cat "$T_TMP/info"
t_eq "--json-status-fd: the pid, then the exit code, as JSON lines" "child-pid exit-code:3" \
        bash -c 'python3 -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; print(list(l[0])[0], \"exit-code:%d\" % l[1][\"exit-code\"])" "$1"' _ "$T_TMP/status"
t_eq "--json-status-fd: the fd is not handed in" "ok 0 1 2" void --json-status-fd 6 -- "$PROBE" fds 6>/dev/null
# The pid is the void's init: killing it ends the void, and the status says so.
rm -f "$T_TMP/status"
void --json-status-fd 6 -- "$PROBE" sleep 30 6>"$T_TMP/status" &
runner=$!
for _ in $(seq 100); do grep -q child-pid "$T_TMP/status" 2>/dev/null && break; sleep 0.1; done
pid=$(grep -o '[0-9]*' "$T_TMP/status" | head -1)
kill -9 "$pid" 2>/dev/null
timeout 20 tail --pid=$runner -f /dev/null
t_match "--json-status-fd: killing the reported pid ends the void (exit-code 137)" '"exit-code": 137' cat "$T_TMP/status"
t_golden "--info-fd on a closed fd: exit 100" habit-info-fd-closed 100 void --info-fd 9 -- "$PROBE" true
t_golden "--json-status-fd on stdout: exit 100" habit-status-fd-stdio 100 void --json-status-fd 1 -- "$PROBE" true

# explain names limits as --rlimit does.
t_match "explain: rlimits by name" "^rlimit nofile: soft 64, hard 128$" void --rlimit nofile=64:128 --explain -- "$PROBE" true
t_match "explain: an unlimited limit says so" "^rlimit core: soft 0, hard unlimited$" \
        void --rlimit core=0:18446744073709551615 --explain -- "$PROBE" true

# The exit statuses the man pages list are the ones voidshim gives.
for page in voidshim-run.1 voidshim.1 voidshim-learn.1; do
        man="$STAGE/doc/$page"
        [ -f "$man" ] || man="$(dirname "$LIB")/../../doc/$page"
        # The fixed codes (three digits, not the "128+N" of a signal).
        codes=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man" 2>/dev/null | grep -oE '\b1[0-9][0-9]\b([^+]|$)' |
                grep -oE '^1[0-9][0-9]' | sort -u | tr '\n' ' ')
        t_eq "$page lists exit statuses 100 111 126 127" "100 111 126 127 " echo "$codes"
done
t_status "exit 100: a usage error" 100 "$VS" run --frob -- "$PROBE" true
t_status "exit 111: a system failure" 111 void --chdir /nonexistent-vs -- "$PROBE" true
t_status "exit 126: not executable" 126 "$VS" run --tmpfs /t -- /t
t_status "exit 127: not found" 127 "$VS" run -- /nonexistent-vs/prog
t_status "the program's own status" 7 void -- "$PROBE" exit 7
t_status "128+N when killed by signal N" 139 void -- "$PROBE" segv

t_done
