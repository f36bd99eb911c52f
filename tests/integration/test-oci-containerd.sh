#!/bin/bash
# containerd with voidshim as "a runc binary" (doc/oci.md): `ctr run --runc-binary voidshim-runc`
# through containerd's own runc shim (containerd-shim-runc-v2), on the Debian image of
# oci-image.sh wrapped as an OCI archive (oci-image.py).  A containerd of the test's own (its
# socket, root and state under the scratch directory).  Root only: containerd is a system daemon.
. "${LIB:-$(dirname "$0")/lib.sh}"
. "$(dirname "${LIB:-$0}")/oci-image.sh"

# Not a skip: nothing is missing.  containerd is a system daemon, root's; an ordinary user's
# containers go through podman (test-oci-podman.sh), the runtime's contract through test-oci.sh.
if ! is_root; then
        echo "# containerd is root's daemon: nothing of it runs as $(id -un)"
        t_done
fi
for tool in containerd ctr containerd-shim-runc-v2; do
        if ! command -v "$tool" >/dev/null; then
                t_skip "containerd with voidshim" "$tool is not installed"
                t_done
        fi
done
oci_need_rootfs "containerd with voidshim"

RT="$T_TMP/voidshim-runc"
ln -s "$VS" "$RT"
C="$T_TMP/containerd"
mkdir -p "$C"
cat >"$C/config.toml" <<EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$C/containerd.sock"
EOF
containerd --config "$C/config.toml" >"$C/log" 2>&1 &
cpid=$!
t_at_exit "kill $cpid 2>/dev/null; wait $cpid 2>/dev/null; umount -R '$C/root' 2>/dev/null"
CTR=$(command -v ctr)
ctr() { timeout 60 "$CTR" --address "$C/containerd.sock" -n voidshim "$@" 2>&1; }
for _ in $(seq 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
t_ok "containerd answers" ctr version

IMG=localhost/voidshim-oci-test:deb12
python3 "$(dirname "${LIB:-$0}")/oci-image.py" "$OCI_ROOTFS" "$C/image.tar" "$IMG"
t_ok "ctr imports the Debian image" ctr image import "$C/image.tar"
ver=$(oci_debian_version)
t_eq "ctr run --runc-binary voidshim-runc: cat /etc/debian_version" "$ver" \
        ctr run --rm --runc-binary "$RT" "$IMG" vs-1 cat /etc/debian_version
t_eq "...it ran in a void's own pid namespace (its pid 1 is the program)" "cat/proc/1/cmdline" \
        bash -c "timeout 60 $CTR --address '$C/containerd.sock' -n voidshim run --rm --runc-binary '$RT' '$IMG' vs-2 \
                cat /proc/1/cmdline | tr -d '\\0'"
t_ok "ctr run -d: a task left running" ctr run -d --runc-binary "$RT" "$IMG" vs-3 sleep 600
t_match "...its state is running (voidshim's state command)" 'RUNNING' ctr task ls
t_eq "ctr task exec: a second process in it" "in exec" ctr task exec --exec-id e1 vs-3 sh -c 'echo in exec'
t_ok "ctr task kill -s SIGKILL" ctr task kill -s SIGKILL vs-3
for _ in $(seq 100); do ctr task ls | grep -q 'vs-3.*STOPPED' && break; sleep 0.1; done
t_match "...stopped" 'vs-3.*STOPPED' ctr task ls
t_ok "ctr task delete" ctr task delete vs-3
t_ok "ctr container delete" ctr container delete vs-3
# (containerd-shim-runc-v2 1.6 may log "failed to remove runc container ... exit status 255" after a
# task ends: its reaper's race, seen with runc as well; the state below is what must be right.)
t_eq "no container left in the runtime's state (containerd's --root for the namespace)" "" \
        ls -A /run/containerd/runc/voidshim
t_done
