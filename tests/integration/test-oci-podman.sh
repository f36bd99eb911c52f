#!/bin/bash
# podman with voidshim as its OCI runtime (doc/oci.md): registered in a containers.conf, on a
# Debian image made with mmdebstrap (oci-image.sh).  run --rm, --network=none and the default
# network, run -d + exec + logs + stop + rm, run -it on a terminal, and a forbidden thing tried
# from inside; rootful as root, rootless as the ordinary user (its subuids).  A store of its own
# under the scratch directory: the image is imported once per run and per user.
. "${LIB:-$(dirname "$0")/lib.sh}"
. "$(dirname "${LIB:-$0}")/oci-image.sh"

for tool in podman conmon; do
        if ! command -v "$tool" >/dev/null; then
                t_skip "podman with voidshim" "$tool is not installed"
                t_done
        fi
done
oci_need_rootfs "podman with voidshim"
if ! is_root && ! grep -q "^$(id -un):" /etc/subuid 2>/dev/null; then
        t_skip "rootless podman with voidshim" "$(id -un) has no subuids"
        t_done
fi

RT="$T_TMP/voidshim-runc"
ln -s "$VS" "$RT"
P="$T_TMP/podman"
mkdir -p "$P/graph" "$P/run" "$P/tmp" "$P/xdg"
chmod 700 "$P/xdg"
export XDG_RUNTIME_DIR="$P/xdg" HOME="$P"
# This host's limits: root lacks CAP_SYS_RESOURCE (podman's nofile 1048576 would fail) and podman's
# nproc default is the pid limit; only the runtime named here is used.
cat >"$P/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$(($(cat /proc/sys/kernel/pid_max) / 2)):$(($(cat /proc/sys/kernel/pid_max) / 2))"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$P/tmp"
runtime = "voidshim"
runtime_supports_json = ["voidshim"]
runtime_supports_nocgroup = ["voidshim"]
[engine.runtimes]
voidshim = ["$RT"]
EOF
cat >"$P/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$P/graph"
runroot = "$P/run"
EOF
export CONTAINERS_CONF="$P/containers.conf" CONTAINERS_STORAGE_CONF="$P/storage.conf"
# Rootless, the store holds files of the user's subuids: only podman can remove them.
t_at_exit "podman rm -af -t 0 >/dev/null 2>&1; podman system reset -f >/dev/null 2>&1"
IMG=localhost/voidshim-oci-test:deb12
pm() { timeout 120 podman "$@" 2>&1; }

t_ok "podman imports the Debian image" pm import "$OCI_ROOTFS" "$IMG"
t_eq "podman says voidshim is its runtime" voidshim pm info --format '{{.Host.OCIRuntime.Name}}'
ver=$(oci_debian_version)
t_eq "run --rm IMAGE cat /etc/debian_version" "$ver" pm run --rm "$IMG" cat /etc/debian_version
t_eq "run --rm --network=none" "$ver" pm run --rm --network=none "$IMG" cat /etc/debian_version
if is_root || command -v slirp4netns >/dev/null; then
        t_match "run --rm on the default network: an interface besides lo" 'eth0|tap0' \
                pm run --rm "$IMG" cat /proc/net/dev
else
        t_skip "run --rm on the default network" "slirp4netns is not installed (rootless networking)"
fi

t_ok "run -d: a container left running" pm run -d --name vs-d "$IMG" sh -c 'echo started; exec sleep 600'
t_eq "...it runs under voidshim" voidshim pm inspect --format '{{.OCIRuntime}}' vs-d
t_eq "exec: a second process in it" "in exec" pm exec vs-d sh -c 'echo in exec'
t_eq "exec joins its pid namespace: its pid 1 is the container's" "sleep600" \
        pm exec vs-d sh -c 'tr -d "\0" </proc/1/cmdline'
t_eq "logs: what it wrote" "started" pm logs vs-d
t_ok "stop" pm stop -t 1 vs-d
t_match "...stopped" 'Exited' pm ps -a --filter name=vs-d --format '{{.Status}}'
t_ok "rm" pm rm vs-d
t_eq "...gone" "" pm ps -aq --filter name=vs-d

# The shell computes the marker, so seeing it proves the container read the terminal and wrote back.
t_match "run -it: a terminal in, the program sees it and answers" 'output: tty-2ok' \
        timeout 60 python3 "$(dirname "${LIB:-$0}")/ptyrun.py" 'expect:# $' 'send:test -t 0 && echo tty-$((1+1))ok; exit\n' \
        -- podman run --rm -it "$IMG" sh

# The void's guarantees hold under podman: tried from inside, refused.
t_match "inside: mounting is refused" 'permission denied|Operation not permitted' \
        pm run --rm "$IMG" mount -t tmpfs none /mnt
t_match "inside: /proc/kcore is hidden" 'empty|No such|Permission' \
        pm run --rm "$IMG" sh -c 'test -s /proc/kcore && echo readable || echo empty'
t_eq "inside: no_new_privs and seccomp as podman asks (NoNewPrivs 0, filter on)" "0 2" \
        pm run --rm "$IMG" sh -c 'echo $(sed -n "s/^NoNewPrivs:\t//p;s/^Seccomp:\t//p" /proc/self/status)'
# Without a profile of podman's (seccomp=unconfined: no linux.seccomp), the void's own allow list
# holds, and an ordinary Debian workload runs under it: dpkg, apt, tar piping through gzip, sh.
t_eq "seccomp=unconfined: the void's built-in policy is on (Seccomp 2)" "2" \
        pm run --rm --security-opt seccomp=unconfined "$IMG" sed -n 's/^Seccomp:\t//p' /proc/self/status
t_eq "... and a Debian image's ordinary programs work under it" "works" \
        pm run --rm --security-opt seccomp=unconfined "$IMG" sh -c \
        'dpkg-query -W >/dev/null && apt-get --version >/dev/null && apt-cache policy >/dev/null &&
         tar -C / -czf /tmp/etc.tgz etc 2>/dev/null && gzip -t /tmp/etc.tgz && ls /usr/bin | sort | head -1 >/dev/null &&
         (sleep 0.1 & wait) && echo works'
# What the allow list refuses, the kernel grants: shown with an allow-all profile of podman's.
echo '{ "defaultAction": "SCMP_ACT_ALLOW" }' >"$P/allow-all.json"
t_eq "control: with an allow-all profile a user namespace is made (unshare -U)" "made" \
        pm run --rm --security-opt seccomp="$P/allow-all.json" "$IMG" sh -c 'unshare -U true && echo made'
t_match "the built-in policy refuses it (clone's namespace flags)" "Operation not permitted" \
        pm run --rm --security-opt seccomp=unconfined "$IMG" unshare -U true
t_eq "no container left" "" pm ps -aq
t_done
