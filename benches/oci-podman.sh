#!/bin/bash
# oci-podman.sh OUTDIR [RUNS]: `podman run --rm --network=none IMAGE cat /etc/debian_version` wall
# time with each OCI runtime (voidshim, crun, runc), rootful, timed by hyperfine in one run
# (--shell=none; the commands interleaved by running hyperfine once per round).  The image is the
# tests' Debian one (tests/integration/oci-image.sh; made by their root run, or here if missing).
# podman and its store run in a mount namespace of their own in which a hybrid host's cgroup2 tree is
# hidden (crun 1.8 refuses hybrid hosts), so every runtime sees the same cgroups and none pays for a
# wrapper.  The store and its runroot stay in the image cache between runs (podman's database
# records the runroot: one per run would not match).  Writes OUTDIR/oci-podman.tsv (runtime, median and min ms, runs) and the ratios.
set -euo pipefail
out=$1 runs=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
is_root() { [ "$(id -u)" -eq 0 ]; }
. "$top/tests/integration/oci-image.sh"
oci_rootfs >/dev/null || { echo "oci-podman: no image ($OCI_ROOTFS): $(oci_rootfs)" >&2; exit 1; }
w=$(mktemp -d /tmp/oci-podman.XXXXXX)
trap 'rm -rf "$w"' EXIT
ln -s "$top/voidshim" "$w/voidshim-runc"
cat >"$w/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_json = ["voidshim", "crun", "runc"]
runtime_supports_nocgroup = ["voidshim", "crun"]
[engine.runtimes]
voidshim = ["$w/voidshim-runc"]
crun = ["$(command -v crun)"]
runc = ["$(command -v runc)"]
CONF
cat >"$w/run.sh" <<RUN
set -eu
if [ "\$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        mount -t tmpfs -o size=16m none /sys/fs/cgroup/unified
fi
export CONTAINERS_CONF=$w/containers.conf
P="podman --root $OCI_CACHE/bench-podman --runroot $OCI_CACHE/bench-podman-run --tmpdir $w/tmp"
\$P image exists localhost/voidshim-oci-bench:deb12 || \$P import $OCI_ROOTFS localhost/voidshim-oci-bench:deb12 >/dev/null
c="run --rm --network=none localhost/voidshim-oci-bench:deb12 cat /etc/debian_version"
hyperfine -N -w 2 -r $runs --export-json $w/hf.json \
        -n voidshim "\$P --runtime voidshim \$c" -n crun "\$P --runtime crun \$c" -n runc "\$P --runtime runc \$c" >&2
RUN
unshare -m --propagation private bash "$w/run.sh"
python3 - "$w/hf.json" "$out/oci-podman.tsv" <<'PY'
import json, statistics, sys
r = {x["command"]: [t * 1000 for t in x["times"]] for x in json.load(open(sys.argv[1]))["results"]}
with open(sys.argv[2], "w") as f:
    f.write("runtime\tmedian_ms\tmin_ms\truns\n")
    for k, v in r.items():
        f.write(f"{k}\t{statistics.median(v):.1f}\t{min(v):.1f}\t{len(v)}\n")
    m = {k: statistics.median(v) for k, v in r.items()}
    f.write("ratio\tof_medians\n")
    for a in ("voidshim",):
        for b in ("crun", "runc"):
            f.write(f"{a}/{b}\t{m[a] / m[b]:.3f}\n")
PY
cat "$out/oci-podman.tsv"
