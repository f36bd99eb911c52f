# Shared helpers for the integration tests (bubblewrap's tests/libtest.sh, in TAP).
# Each test file sources this, calls the t_* functions, and ends with t_done.
# Environment from run.sh: VS (voidshim), PROBE (static probe), AS (root or user name).
set -u
n=0
fails=0
: "${VS:?}" "${PROBE:?}"

# One scratch directory per test file on the host, owned by the user running it, removed at exit.
T_TMP=$(mktemp -d /tmp/voidshim-t.XXXXXX) || exit 1
chmod 755 "$T_TMP"
# t_at_exit CMD: run CMD (a string, eval'd) when the test file exits, before T_TMP goes.
T_AT_EXIT=""
t_at_exit() { T_AT_EXIT="$1; $T_AT_EXIT"; }
trap 'eval "$T_AT_EXIT"; rm -rf "$T_TMP"' EXIT
# VOIDSHIM_TEST_SERVED=1: a `voidshim serve` of this file's own (its runtime directory in T_TMP) runs
# while the tests do, so every `voidshim run` it serves is served; t_done checks that it was asked.
if [ -n "${VOIDSHIM_TEST_SERVED:-}" ]; then
        export VOIDSHIM_RUNTIME_DIR=$T_TMP/rt
        if ! "$VS" serve --background; then
                echo "not ok 1 - voidshim serve starts [$AS]"
                exit 1
        fi
        t_at_exit '"$VS" serve --stop'
fi
# Golden files: the shim's exact error text, one line each (doc/architecture.md).
EXPECTED=${EXPECTED:-$(cd "$(dirname "${LIB:-$0}")" && pwd)/expected}

# The void as most tests want it: the probe run by fd, nothing else granted.
void() { "$VS" run --exec-host "$@"; }

_report() { # STATUS DESC [DETAIL]
        n=$((n + 1))
        if [ "$1" = 0 ]; then
                echo "ok $n - $2 [$AS]"
        else
                echo "not ok $n - $2 [$AS]"
                [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
                fails=$((fails + 1))
        fi
}

# t_ok DESC CMD...: passes when CMD exits 0.
t_ok() { local d=$1; shift; local o; o=$("$@" 2>&1); _report $? "$d" "$o"; }
# t_fails DESC CMD...: passes when CMD exits non-zero.
t_fails() { local d=$1; shift; local o; o=$("$@" 2>&1); [ $? -ne 0 ]; _report $? "$d" "$o"; }
# t_eq DESC EXPECTED CMD...: passes when CMD's stdout is exactly EXPECTED.
t_eq() {
        local d=$1 want=$2; shift 2; local got; got=$("$@" 2>/dev/null)
        [ "$got" = "$want" ]; _report $? "$d" "expected: $want"$'\n'"got:      $got"
}
# t_match DESC REGEX CMD...: passes when CMD's stdout+stderr matches the extended REGEX.
t_match() {
        local d=$1 re=$2; shift 2; local got; got=$("$@" 2>&1)
        grep -Eq -- "$re" <<<"$got"; _report $? "$d" "expected /$re/"$'\n'"got: $got"
}
# t_nomatch DESC REGEX CMD...
t_nomatch() {
        local d=$1 re=$2; shift 2; local got; got=$("$@" 2>&1)
        ! grep -Eq -- "$re" <<<"$got"; _report $? "$d" "unexpected /$re/ in: $got"
}
# t_status DESC CODE CMD...: passes when CMD exits with CODE.
t_status() {
        local d=$1 want=$2; shift 2; local o; o=$("$@" 2>&1); local rc=$?
        [ "$rc" = "$want" ]; _report $? "$d" "exit $rc, expected $want: $o"
}
# t_golden DESC NAME CODE CMD...: passes when CMD exits with CODE and its stderr, with host-specific
# paths replaced (the probe by PROBE, T_TMP by TMP, the staging dir by STAGE), is exactly
# expected/NAME.expected.  With VOIDSHIM_BLESS=DIR, the text is also written to DIR/NAME.expected
# (to update the golden files after a deliberate change: review the diff before committing).
t_golden() {
        local d=$1 name=$2 want=$3; shift 3; local got rc delta
        got=$("$@" 2>&1 >/dev/null); rc=$?
        got=$(printf '%s\n' "$got" | sed -e "s|$PROBE|PROBE|g" -e "s|$T_TMP|TMP|g" -e "s|${STAGE:-/nonexistent}|STAGE|g")
        [ -n "${VOIDSHIM_BLESS:-}" ] && printf '%s\n' "$got" >"$VOIDSHIM_BLESS/$name.expected"
        delta=$(diff -u "$EXPECTED/$name.expected" - <<<"$got" 2>&1)
        [ "$rc" = "$want" ] && [ -z "$delta" ]; _report $? "$d" "exit $rc, expected $want${delta:+$'\n'$delta}"
}
# t_skip DESC REASON
# A skip is for a machine that lacks a feature; under VOIDSHIM_MUST_WORK=1 (CI) the feature must be there.
t_skip() {
        n=$((n + 1))
        if [ -n "${VOIDSHIM_MUST_WORK:-}" ]; then
                echo "not ok $n - $1 [$AS] # VOIDSHIM_MUST_WORK, but: $2"
                fails=$((fails + 1))
        else
                echo "ok $n - $1 [$AS] # SKIP $2"
        fi
}
# t_check DESC COND-STATUS [DETAIL]: record a result computed by the caller.
t_check() { _report "$2" "$1" "${3:-}"; }

is_root() { [ "$(id -u)" -eq 0 ]; }
# pid_alive PID: PID runs.  An empty PID (a look-up that found nothing) is not alive: `kill -0 ""`
# fails but `kill -0 "${p:-0}"` signals our own process group, so a control could pass vacuously.
pid_alive() { [ -n "${1:-}" ] && [ "$1" -gt 0 ] 2>/dev/null && kill -0 "$1" 2>/dev/null; }

# User namespaces are the base of every void: skip everything when the kernel refuses them,
# unless CI says they must work.
require_userns() {
        if ! "$VS" run --exec-host -- "$PROBE" true >/dev/null 2>&1; then
                if [ -n "${VOIDSHIM_MUST_WORK:-}" ]; then
                        _report 1 "voids can be created" "$("$VS" run --exec-host -- "$PROBE" true 2>&1)"
                        t_done
                fi
                t_skip "all tests in $(basename "$0")" "user namespaces unavailable"
                t_done
        fi
}

# A feature of the machine is missing: skip, unless CI says it must work (then it is a failure).
t_need() { # DESC REASON
        if [ -n "${VOIDSHIM_MUST_WORK:-}" ]; then _report 1 "$1" "missing: $2"; else t_skip "$1" "$2"; fi
}

# The Debian mirror of the host's apt sources (http), as voidshim bootstrap takes it: "HOST".
mirror_host() {
        sed -n 's|^URIs: *http://\([^/:]*\).*|\1|p; s|^deb  *http://\([^/:]*\).*|\1|p' \
                /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null | head -1
}

# t_tree: the path of a minbase Debian tree (with make) of this user's, made once per run.sh with
# `voidshim bootstrap ~/envs/bw --include make` (HOME is the run's tree directory for this user) and
# shared by the test files; its output and exit status are kept beside it.  Empty when it cannot be
# made (no mmdebstrap, no mirror): the caller skips with t_need.
t_tree() {
        local home="${STAGE:-/nonexistent}/trees/$(id -u)"
        mkdir -p "$home/envs" 2>/dev/null || return 0
        (
                flock 9
                if [ ! -e "$home/envs/bw.status" ] && command -v mmdebstrap >/dev/null; then
                        start=$(date +%s)
                        HOME=$home timeout 900 "$VS" bootstrap "$home/envs/bw" --include make >"$home/envs/bw.log" 2>&1
                        echo "$? $(($(date +%s) - start))" >"$home/envs/bw.status"
                fi
        ) 9>"$home/envs/.lock"
        [ -d "$home/envs/bw/usr" ] && echo "$home/envs/bw"
}

# served_asked: how many runs the file's server was asked for (served or declined), from --status.
served_asked() {
        "$VS" serve --status 2>/dev/null | awk '/^served / {n += $2} /^declined / {for (i = 2; i <= NF; i++) {split($i, kv, "="); n += kv[2]}} END {print n + 0}'
}
t_done() {
        if [ -n "${VOIDSHIM_TEST_SERVED:-}" ]; then
                local asked; asked=$(served_asked)
                [ "$asked" -gt 0 ]
                _report $? "voidshim serve was asked for runs of this file ($asked; $("$VS" serve --status | grep -E '^(served|declined)' | paste -sd' ' -))"
        fi
        echo "1..$n"; exit $((fails > 0))
}
