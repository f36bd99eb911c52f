#!/bin/bash
# Story 9: a Debian environment of my own, then a session in it (bootstrap + session).
# Needs mmdebstrap and the Debian mirror of the host's apt sources.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
MIRROR=$(mirror_host)
command -v mmdebstrap >/dev/null || { t_need "story 9" "mmdebstrap is not installed (ci/install-deps.sh)"; t_done; }
[ -n "$MIRROR" ] || { t_need "story 9" "no http Debian mirror in /etc/apt"; t_done; }
t_at_exit "'$VS' session end dev >/dev/null 2>&1"

# voidshim bootstrap ~/envs/bw --include make  (once per test run and user: t_tree, in lib.sh)
bw=$(t_tree)
home=$(dirname "$(dirname "${bw:-/x/y}")")
read -r status secs <"$home/envs/bw.status" 2>/dev/null
t_eq "voidshim bootstrap ~/envs/bw --include make: exit 0 (took ${secs:-?} s)" "0" echo "${status:-none}"
[ -n "$bw" ] || { cat "$home/envs/bw.log" 2>/dev/null | tail -5 | sed 's/^/# /'; t_done; }
t_match "... progress was shown while it worked (mmdebstrap's own lines)" "I: downloading packages" cat "$home/envs/bw.log"
t_match "... through a network that reaches only the mirror" "network: $MIRROR port 80 only" cat "$home/envs/bw.log"
t_ok "... the tree has make" test -x "$bw/usr/bin/make"
t_fails "... and no partial tree is left" test -e "$bw.partial"
t_eq "... every file is the caller's (a one-id void sees them as root's)" "" \
        find "$bw" -xdev ! -user "$(id -u)" -print -quit
t_golden "a second bootstrap to the same DIR: one line, exit 100" bootstrap-exists 100 \
        bash -c "set -o pipefail; export HOME=$home; '$VS' bootstrap ~/envs/bw --include make 2>&1 >/dev/null |
                sed 's|$home|HOME|' >&2"
t_status "a mirror whose name has no address: exit 100" 100 \
        "$VS" bootstrap "$T_TMP/x" --mirror http://no-such-host.invalid/debian
t_fails "... and nothing is left" bash -c "ls -d $T_TMP/x $T_TMP/x.partial 2>/dev/null | grep ."
t_status "a mirror that cannot be reached (nothing listens): exit 111" 111 \
        timeout 300 "$VS" bootstrap "$T_TMP/y" --mirror http://127.0.0.1:9/debian
t_fails "... and no tree that looks complete is left" bash -c "ls -d $T_TMP/y $T_TMP/y.partial 2>/dev/null | grep ."

# voidshim session begin dev --overlay ~/envs/bw --net-allow tcp:MIRROR:80
t_ok "voidshim session begin dev --overlay ~/envs/bw --net-allow tcp:$MIRROR:80" \
        "$VS" session begin dev --overlay "$bw" --net-allow "tcp:$MIRROR:80"
t_match "voidshim session run dev -- apt-get install -y hello" "Setting up hello" \
        timeout 300 "$VS" session run dev -- apt-get install -y hello
t_eq "voidshim session run dev -- hello" "Hello, world!" "$VS" session run dev -- hello
t_fails "... it landed in the overlay, not in ~/envs/bw" test -e "$bw/usr/bin/hello"
t_match "... the void's /etc/hosts names the mirror (no resolver inside)" " $MIRROR$" \
        "$VS" session run dev -- cat /etc/hosts
t_match "... and it reaches nothing else (deb.debian.org's other ports)" "ECONNREFUSED|Connection refused|failed" \
        "$VS" session run dev -- bash -c "exec 3<>/dev/tcp/$MIRROR/443 && echo connected || echo failed"
t_ok "voidshim session end dev" "$VS" session end dev
t_eq "... nothing left behind: no socket, no directory" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_fails "... no pasta" pgrep -u "$(id -u)" -x pasta
t_status "a session begun on a DIR that is not a tree: exit 100" 100 "$VS" session begin dev --overlay "$T_TMP"
t_done
