#!/bin/sh
# Make sure unprivileged user namespaces are allowed (bubblewrap's ci/enable-userns.sh).
set -eu
[ "$(id -u)" -eq 0 ] || exit 0
if [ -e /proc/sys/kernel/unprivileged_userns_clone ]; then
        sysctl -q -w kernel.unprivileged_userns_clone=1
fi
if [ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ]; then
        sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
fi
if [ "$(cat /proc/sys/user/max_user_namespaces)" -lt 1000 ]; then
        sysctl -q -w user.max_user_namespaces=10000
fi
