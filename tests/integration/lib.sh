# Shared helpers for the integration tests (bubblewrap's tests/libtest.sh, in TAP).
# Each test file sources this, calls the t_* functions, and ends with t_done.
# Environment from run.sh: VS (voidshim), PROBE (static probe), AS (root or user name).
set -u
n=0
fails=0
: "${VS:?}" "${PROBE:?}"

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
# t_skip DESC REASON
t_skip() { n=$((n + 1)); echo "ok $n - $1 [$AS] # SKIP $2"; }
# t_check DESC COND-STATUS [DETAIL]: record a result computed by the caller.
t_check() { _report "$2" "$1" "${3:-}"; }

is_root() { [ "$(id -u)" -eq 0 ]; }

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

t_done() { echo "1..$n"; exit $((fails > 0)); }
