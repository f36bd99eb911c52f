#!/bin/sh
# crun for a hybrid cgroup host (v1 controllers beside a cgroup2 tree that holds none): crun 1.8
# refuses those, so run it in a mount namespace of its own where that tree is hidden under a tmpfs.
# For comparing runtimes on such a host only (tests/oci/Makefile peers).
exec unshare -m --propagation private sh -c \
        'mount -t tmpfs -o size=16m none /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"
