#!/bin/sh
# Make sure unprivileged user namespaces (and /dev/net/tun, for pasta) are usable (bubblewrap's ci/enable-userns.sh).
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
# pasta (the network caretaker) opens /dev/net/tun as the calling user.  Debian's udev makes it
# 0666 (50-udev-default.rules: KERNEL=="tun", MODE="0666"); a system without udev leaves 0600.
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
        chmod 0666 /dev/net/tun
fi
