#!/bin/sh
# mk-crun-bundle.sh DIR [rootless]: an OCI bundle whose rootfs holds /bin/true and
# its libraries (copied), for crun.  "rootless" makes the spec with --rootless
# (run it as the user who will run crun).  Namespaces: crun's defaults (pid,
# network, ipc, uts, mount, user when rootless) plus cgroup, and time when
# rootless, so that it creates as many as it can of the eight voidshim creates.
# As root, crun 1.8.1 fails with a time namespace ("write to sync socket:
# Connection reset by peer"), so the root bundle has six (no user, no time).
set -eu
dir=$1 mode=${2:-}
rm -rf "$dir" && mkdir -p "$dir/rootfs"
cd "$dir"
if [ "$mode" = rootless ]; then crun spec --rootless; else crun spec; fi
# /bin/true and its ELF closure, at the same paths (ldd prints the loader last).
for f in /bin/true $(ldd /bin/true | awk '/=>/ { print $3 } !/=>/ && /^\t\// { print $1 }'); do
        mkdir -p "rootfs$(dirname "$f")"
        cp -L "$f" "rootfs$f"
done
python3 - "$mode" <<'PY'
import json, sys
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
ns = c["linux"]["namespaces"]
have = {n["type"] for n in ns}
for t in ["cgroup", "time"] if sys.argv[1:] == ["rootless"] else ["cgroup"]:
    if t not in have:
        ns.append({"type": t})
json.dump(c, open("config.json", "w"), indent=1)
PY
