#!/bin/sh
# Install everything voidshim needs to build, test and benchmark on Debian 12.
# Idempotent; used by .ci/run and by the README's set-up command.
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
        build-essential clang clang-format pkg-config make git ca-certificates \
        libseccomp-dev libcap-dev libmnl-dev libcmocka-dev libbsd-dev libjansson-dev libclang-rt-14-dev \
        libssl-dev zlib1g-dev \
        jq curl openssl graphviz perl \
        iproute2 procps psmisc util-linux passwd python3 python3-jsonschema \
        passt nftables xdg-dbus-proxy dbus dbus-tests mmdebstrap \
        podman conmon containerd runc crun uidmap slirp4netns \
        >/dev/null
# The host ids of the voids root starts: the user voidshim and its range in /etc/subuid and
# /etc/subgid (doc/servers.md, "auth").  Idempotent.
$SUDO sh "$(dirname "$0")/../tools/reserve-ids.sh"
