#!/bin/sh
# Reserve the host ids that voidshim gives the voids root starts (doc/servers.md, "auth"):
# the user "voidshim" (no login, no home) and a range of COUNT subordinate uids and gids for
# it in /etc/subuid and /etc/subgid, as podman's --userns=auto takes the range of "containers".
# Each running void takes one uid and one gid of the range.  The range starts after every
# range already in either file (and at 100000 at least, login.defs' SUB_UID_MIN), so it
# overlaps none of them; useradd(8) leaves it alone when it allocates ranges later.
#   tools/reserve-ids.sh [COUNT]      (as root; idempotent: an existing entry is kept)
set -eu
user=voidshim
count=${1:-65536}
[ "$(id -u)" -eq 0 ] || { echo "reserve-ids: must run as root" >&2; exit 1; }
if ! getent passwd "$user" >/dev/null; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$user"
fi
touch /etc/subuid /etc/subgid
if grep -q "^$user:" /etc/subuid && grep -q "^$user:" /etc/subgid; then
        echo "reserve-ids: $user already has $(grep "^$user:" /etc/subuid | head -1 | cut -d: -f2-) in /etc/subuid"
        exit 0
fi
start=$(awk -F: 'BEGIN { top = 100000 } NF >= 3 && $2 + $3 > top { top = $2 + $3 } END { print top }' \
        /etc/subuid /etc/subgid)
end=$((start + count - 1))
grep -q "^$user:" /etc/subuid || usermod --add-subuids "$start-$end" "$user"
grep -q "^$user:" /etc/subgid || usermod --add-subgids "$start-$end" "$user"
echo "reserve-ids: $user has uids and gids $start-$end"
