#!/bin/bash
# Run every tests/integration/test-*.sh, as root and as an unprivileged user,
# print TAP, and finish with "N passed, N failed, N skipped".
#   VOIDSHIM_MUST_WORK=1  a missing feature (no user namespaces, no test user) fails instead of skipping
#   VOIDSHIM_QUICK=1      tests may shorten long loops (the sanitizer build)
#   TESTS="a b"           run only test-a.sh and test-b.sh
#   VOIDSHIM_TEST_SERVED=1  each file runs with a `voidshim serve` of its own started first (lib.sh)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/tests/integration"
user=${VOIDSHIM_TEST_USER:-voidtest}

# A copy that an ordinary user can read and run, whatever the checkout's permissions.
stage=$(mktemp -d /tmp/voidshim-it.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp "$top/voidshim" "$top/build/tests/probe" "$stage/"
cp -r "$here" "$stage/integration"
[ -d "$top/specs" ] && cp -r "$top/specs" "$stage/specs"
[ -d "$top/doc" ] && cp -r "$top/doc" "$stage/doc" # the man pages: test-habits checks their exit statuses
# The shipped specs name the examples' files relative to themselves (../build/examples/..., ../examples/...).
[ -d "$top/build/examples" ] && mkdir -p "$stage/build" && cp -r "$top/build/examples" "$stage/build/"
[ -d "$top/examples" ] && cp -r "$top/examples" "$stage/examples"
[ -d "$top/build/tests/apps" ] && cp -r "$top/build/tests/apps" "$stage/apps"
chmod -R a+rX "$stage"
# Debian trees made by `voidshim bootstrap` (lib.sh, t_tree): one per user per run, shared by the test files.
mkdir -m 1777 "$stage/trees"

passed=0 failed=0 skipped=0

run_file() { # FILE AS-USER
        local f=$1 who=$2 out rc
        local env="VS=$stage/voidshim PROBE=$stage/probe LIB=$stage/integration/lib.sh AS=$who VOIDSHIM_MUST_WORK=${VOIDSHIM_MUST_WORK:-} VOIDSHIM_QUICK=${VOIDSHIM_QUICK:-} VOIDSHIM_TEST_SERVED=${VOIDSHIM_TEST_SERVED:-} STAGE=$stage"
        echo "# $(basename "$f") as $who"
        if [ "$who" = "$(id -un)" ]; then # as ourselves: no su (it would ask a password)
                out=$(cd "$stage" && env $env bash "$stage/integration/$(basename "$f")" 2>&1); rc=$?
        else
                # In the cgroup delegated to the user (below), as a login manager would put its session.
                out=$(cd "$stage" && sh -c "[ -z '$deleg' ] || echo \$\$ > '$deleg/cgroup.procs'; exec su '$user' -s /bin/bash -c 'env $env bash $stage/integration/$(basename "$f")'" 2>&1); rc=$?
        fi
        echo "$out"
        passed=$((passed + $(grep -c '^ok .*' <<<"$out" | tr -d ' ') - $(grep -c '^ok .*# SKIP' <<<"$out" | tr -d ' ')))
        skipped=$((skipped + $(grep -c '^ok .*# SKIP' <<<"$out" | tr -d ' ')))
        failed=$((failed + $(grep -c '^not ok' <<<"$out" | tr -d ' ')))
        if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
                echo "not ok - $(basename "$f") as $who exited $rc without a failing test"
                failed=$((failed + 1))
        fi
}

if [ "$(id -u)" -eq 0 ] && ! id "$user" >/dev/null 2>&1; then
        useradd -M -s /bin/bash "$user" || true
fi
# A cgroup v2 directory delegated to the ordinary user (owned by it, with its cgroup.procs,
# cgroup.threads and cgroup.subtree_control), its test files run inside: what systemd does for a
# user's session, so that --cgroup can be tried unprivileged.  Wherever cgroup2 is mounted.
deleg=""
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ "$(id -u)" -eq 0 ] && [ -n "$cg2" ] && id "$user" >/dev/null 2>&1 && mkdir "$cg2/voidshim-it.$$" 2>/dev/null; then
        deleg="$cg2/voidshim-it.$$"
        chown "$user" "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.threads" "$deleg/cgroup.subtree_control"
        trap 'rm -rf "$stage"; find "$deleg" -depth -type d -exec rmdir {} + 2>/dev/null' EXIT
fi
for f in "$here"/test-*.sh; do
        name=$(basename "$f" .sh); name=${name#test-}
        if [ -n "${TESTS:-}" ] && ! grep -qw "$name" <<<"$TESTS"; then continue; fi
        if [ "$(id -u)" -eq 0 ]; then
                run_file "$f" root
                if id "$user" >/dev/null 2>&1; then
                        run_file "$f" "$user"
                elif [ -n "${VOIDSHIM_MUST_WORK:-}" ]; then
                        echo "not ok - no unprivileged test user '$user'"; failed=$((failed + 1))
                fi
        else
                run_file "$f" "$(id -un)"
        fi
done
echo "# integration: $passed passed, $failed failed, $skipped skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
