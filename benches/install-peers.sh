#!/bin/sh
# Install what `make bench` compares voidshim against, plus its tools.
# Not needed to build or test voidshim, and not run by CI: run it once by hand
# (as root or with sudo) before `make bench` on a fresh Debian 12 machine.
#   bubblewrap firejail crun systemd-container   the peers
#   hyperfine                                    timing of whole commands
#   gnuplot-nox                                  the PNG plots
#   wrk hey                                      TLS load generators (part 4, benches/tls.py)
#   util-linux (unshare, lsns), passwd (useradd) unshare peer, the unprivileged user
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
        bubblewrap firejail crun systemd-container hyperfine gnuplot-nox wrk hey \
        util-linux passwd procps strace python3 >/dev/null
# The unprivileged runs use this user (no home directory, no login).
id voidtest >/dev/null 2>&1 || $SUDO useradd -M -s /usr/sbin/nologin voidtest
