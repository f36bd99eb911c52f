# The Debian image the podman and containerd tests share (sourced by test-oci-*.sh).
# One root file system tarball per machine, made once with mmdebstrap from the Debian mirror the
# host's own sources name, kept in $OCI_CACHE (default /var/tmp/voidshim-oci) and reused by every
# later run; each client imports it once into its own store there.
OCI_CACHE=${VOIDSHIM_OCI_CACHE:-/var/tmp/voidshim-oci}
OCI_ROOTFS=$OCI_CACHE/rootfs.tar

# oci_sources: the host's deb822 sources file (mmdebstrap reads its mirrors from it).
oci_sources() {
        local f
        for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
                [ -s "$f" ] && { echo "$f"; return 0; }
        done
        return 1
}

# oci_rootfs: make the tarball if it is missing (root only); 0 when it exists, else a reason on
# stdout and 1 when the machine lacks something (a skip), 2 when making it failed (a failure).
oci_rootfs() {
        local src
        [ -s "$OCI_ROOTFS" ] && return 0
        command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed"; return 1; }
        src=$(oci_sources) || { echo "no apt sources file to take the mirror from"; return 1; }
        if ! is_root; then # root's run (run.sh runs it first) makes it; it failed or did not run
                echo "the Debian image is made by the root run of this test, and $OCI_ROOTFS is missing"
                return 2
        fi
        mkdir -p "$OCI_CACHE" && chmod 755 "$OCI_CACHE"
        # A fixed SOURCE_DATE_EPOCH: the same packages give the same tarball.
        if ! SOURCE_DATE_EPOCH=1747699200 timeout 600 mmdebstrap --quiet --variant=minbase bookworm \
                "$OCI_ROOTFS.tmp" "$src" >"$OCI_CACHE/mmdebstrap.log" 2>&1; then
                rm -f "$OCI_ROOTFS.tmp"
                echo "mmdebstrap failed (see $OCI_CACHE/mmdebstrap.log)"
                return 2
        fi
        mv "$OCI_ROOTFS.tmp" "$OCI_ROOTFS" && chmod 644 "$OCI_ROOTFS"
}

# oci_need_rootfs DESC: the image, or a skip (the machine lacks something) or a failure, and the end.
oci_need_rootfs() {
        local why rc
        why=$(oci_rootfs)
        rc=$?
        [ "$rc" = 0 ] && return 0
        if [ "$rc" = 1 ]; then
                t_skip "$1" "$why"
        else
                _report 1 "$1: the Debian image" "$why"
        fi
        t_done
}

# The version the image says: what `cat /etc/debian_version` prints in a container of it.
oci_debian_version() { tar -xOf "$OCI_ROOTFS" ./etc/debian_version 2>/dev/null; }
