#!/bin/bash
# Bad input: the exit code and the exact one-line message, pinned by expected/*.expected
# (with the probe's path, the scratch directory and the staging directory normalised).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

printf 'plain text\n' >"$T_TMP/text" && chmod 644 "$T_TMP/text"
printf 'plain text\n' >"$T_TMP/script" && chmod 755 "$T_TMP/script"

# Usage errors: 100, before anything is created.
t_golden "unknown option: exit 100" unknown-option 100 "$VS" run --no-such-grant -- "$PROBE" true
t_golden "no PROGRAM: exit 100" no-program 100 "$VS" run --proc
t_golden "no PROGRAM after --: exit 100" no-program 100 "$VS" run --proc --
t_golden "a grant missing its arguments: exit 100" missing-argument 100 "$VS" run --ro-bind /etc
t_golden "unknown command: exit 100" unknown-command 100 "$VS" frobnicate
t_golden "missing bind source: exit 100, names the path" missing-bind-source 100 \
        "$VS" run --ro-bind /nonexistent-vs/src /x -- "$PROBE" true
t_golden "bad --rlimit name: exit 100" rlimit-name 100 "$VS" run --rlimit bogus=1 -- "$PROBE" true
t_golden "bad --rlimit value: exit 100" rlimit-value 100 "$VS" run --rlimit nofile=abc -- "$PROBE" true
t_golden "--rlimit soft above hard: exit 100" rlimit-order 100 "$VS" run --rlimit nofile=20:10 -- "$PROBE" true
t_golden "bad --net: exit 100" net-value 100 "$VS" run --net everything -- "$PROBE" true
t_golden "bad --fd: exit 100" fd-value 100 "$VS" run --fd five -- "$PROBE" true
t_golden "negative --fd target: exit 100" fd-negative 100 "$VS" run --fd 1:-1 -- "$PROBE" true
t_golden "--fd target past VB_FD_TARGET_MAX: exit 100" fd-target 100 "$VS" run --fd 1:2147483647 -- "$PROBE" true
t_golden "bad --size: exit 100" size-value 100 "$VS" run --size 1x --tmpfs /t -- "$PROBE" true
t_golden "--size without --tmpfs: exit 100" size-alone 100 "$VS" run --size 1m -- "$PROBE" true
t_golden "--share mnt: exit 100" share-mnt 100 "$VS" run --share mnt -- "$PROBE" true
t_golden "unknown --cap-add: exit 100" cap-name 100 "$VS" run --cap-add CAP_FLY -- "$PROBE" true
t_golden "--libs on a non-ELF file: exit 100" libs-not-elf 100 "$VS" run --libs "$T_TMP/text" -- /bin/true
t_golden "--libs on a missing file: exit 100" libs-missing 100 "$VS" run --libs /nonexistent-vs/prog -- /bin/true
printf 'default allow\nkeyctl errno EPERM\nkeyctl errno\n' >"$T_TMP/bad.policy"
t_golden "a malformed seccomp policy: exit 100, FILE:LINE" seccomp-policy 100 \
        "$VS" run --seccomp "$T_TMP/bad.policy" -- "$PROBE" true

# Exec failures: 127 when the program or its loader is missing, 126 when it cannot be run.
t_golden "a program missing in the void: exit 127, named" missing-program 127 "$VS" run -- /nonexistent-vs/prog
t_golden "a program missing on PATH: exit 127" missing-program-path 127 "$VS" run -- prog-vs
t_golden "a dynamic program without its loader: exit 127, names the loader" missing-loader 127 \
        "$VS" run --ro-bind /bin/true /bin/true -- /bin/true
t_golden "a file without exec permission: exit 126" not-executable 126 \
        "$VS" run --ro-bind "$T_TMP/text" /x -- /x
t_golden "an executable that is no program: exit 126" not-a-program 126 \
        "$VS" run --ro-bind "$T_TMP/script" /x -- /x
t_golden "a directory as the program: exit 126" directory 126 "$VS" run --tmpfs /t -- /t
t_golden "--exec-host on a file that is no program: exit 126" exec-host-not-a-program 126 \
        "$VS" run --exec-host -- "$T_TMP/script"
t_golden "--exec-host on a missing program: exit 127" exec-host-missing 127 \
        "$VS" run --exec-host -- /nonexistent-vs/prog

# System failures: 111.
t_golden "a spawn failing in the child: exit 111, names the mount" child-mount 111 \
        "$VS" run --proc --ro-bind /dev/null /proc/x -- "$PROBE" true
t_golden "--chdir to a missing directory: exit 111" chdir-missing 111 \
        "$VS" run --chdir /nonexistent-vs -- "$PROBE" true

# The kernel refusing user namespaces: the message names the sysctl, exit 111.  As root on a
# host that lets us, set user.max_user_namespaces=0 for a moment and run as the test user;
# otherwise (or as the test user) set the same limit inside a user namespace of our own:
# its sysctl is per namespace and governs the namespaces created below it.
refused() { "$VS" run --exec-host -- "$PROBE" true; }
user=${VOIDSHIM_TEST_USER:-voidtest}
old=$(cat /proc/sys/user/max_user_namespaces)
# Restored at exit whatever happens (a no-op when it was never changed).
is_root && t_at_exit "[ \"\$(cat /proc/sys/user/max_user_namespaces)\" = $old ] || sysctl -qw user.max_user_namespaces=$old"
if is_root && id "$user" >/dev/null 2>&1 && sysctl -qw user.max_user_namespaces=0 2>/dev/null; then
        t_golden "user namespaces refused (sysctl, as $user): exit 111, names the sysctl" userns-refused 111 \
                su "$user" -s /bin/bash -c "$(declare -p VS PROBE); $(declare -f refused); refused"
        sysctl -qw user.max_user_namespaces="$old"
        [ "$(cat /proc/sys/user/max_user_namespaces)" = "$old" ]
        t_check "user.max_user_namespaces restored to $old" $?
elif command -v unshare >/dev/null && unshare -Ur true 2>/dev/null; then
        t_golden "user namespaces refused (limit 0 in an outer user ns): exit 111, names the sysctl" \
                userns-refused 111 unshare -Ur bash -c \
                "echo 0 >/proc/sys/user/max_user_namespaces && $(declare -p VS PROBE); $(declare -f refused); refused"
else
        t_skip "user namespaces refused: exit 111, names the sysctl" "cannot lower user.max_user_namespaces"
fi
[ "$(cat /proc/sys/user/max_user_namespaces)" = "$old" ]
t_check "user.max_user_namespaces is unchanged afterwards" $?

t_done
