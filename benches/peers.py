#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A whole void against the tools people use instead, timed by hyperfine.

    peers.py [--rounds R] [--runs N] [--who root,voidtest] OUTDIR

Every command is timed by hyperfine (--shell=none: no shell in the loop),
as root and as an unprivileged user.  The runs are interleaved: R rounds,
each running every command for its share of N runs, so that slow drift of
this (shared, virtual) machine hits all commands alike.  Slow peers get
fewer runs (their weight below).  Before timing, each command is run once
on its own: one that fails is reported with its first line of error and
not timed.

Writes OUTDIR/peers.tsv (one row per command), OUTDIR/peers-ratios.tsv
(voidshim-side command / peer: ratio of medians with a bootstrap 95%
interval and the ratio of minima) and OUTDIR/peers-times.json (all times).
Needs root (to become the user, and for crun's cgroup work-around).
"""
import argparse
import json
import os
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
BWRAP = ("bwrap --unshare-all --ro-bind /usr /usr --symlink usr/lib64 /lib64 --symlink usr/lib /lib "
         "--symlink usr/bin /bin --proc /proc --dev /dev /bin/true")
UNSHARE8 = "unshare --user --map-root-user --mount --pid --fork --net --ipc --uts --cgroup --time /bin/true"
UNSHARE7 = "unshare --user --map-root-user --mount --pid --fork --ipc --uts --cgroup --time /bin/true"
NSPAWN = "systemd-nspawn -q --register=no --keep-unit --private-network -D {nsroot} /bin/true"

# name, side ("vs" = voidshim or libvoidbuilder, "part" = a piece of voidshim's time, "peer"), who ("root", "user", "both"),
# weight (share of the runs), wrap (None, "parked", "cgroupfix", "served"), command, description.
# Every command runs with VOIDSHIM_SERVE=0 (voidshim run never asks a server) but those wrapped "served", which
# ask the server this script starts for each user (voidshim serve, doc/voidshim-serve.md) and keeps for the run.
COMMANDS = [
    ("direct", "peer", "both", 1, None, "/bin/true", "/bin/true, no sandbox"),
    ("vs-static", "vs", "both", 1, None, "{vs} run --exec-host -- {probe} true",
     "voidshim, static probe by fd, empty root"),
    ("vs-libs", "vs", "both", 1, None, "{vs} run --libs /bin/true -- /bin/true",
     "voidshim, /bin/true + its libraries"),
    ("vs-full", "vs", "both", 1, None, "{vs} run --proc --libs /bin/true -- /bin/true",
     "voidshim full void: 8 fresh ns, empty root, /proc, seccomp, no caps"),
    ("vs-served", "vs", "both", 1, "served", "{vs} run --proc --libs /bin/true -- /bin/true",
     "the same full void, served by voidshim serve (a void built ahead of time, used once)"),
    ("vs-served-static", "vs", "both", 1, "served", "{vs} run --exec-host -- {probe} true",
     "static probe by fd, empty root, served by voidshim serve"),
    ("vs-full-joinnet", "vs", "root", 1, None,
     "{vs} run --join net={netns} --proc --libs /bin/true -- /bin/true",
     "full void joining one pre-made empty netns (setns; shared by all)"),
    ("vs-full-joinnet", "vs", "user", 1, None,
     "{vs} run --join user={userns} --join net={netns} --proc --libs /bin/true -- /bin/true",
     "full void joining a holder's user ns + empty netns (weaker: shared user ns)"),
    ("vs-full-parked", "vs", "both", 1, "parked", "{vs} run --net shared --proc --libs /bin/true -- /bin/true",
     "full void, voidshim started inside a pre-made empty netns (--net shared)"),
    ("lib-full", "vs", "both", 1, None, "{vbonce} full /bin/true",
     "libvoidbuilder alone (no CLI), full void"),
    ("lib-full-static", "vs", "both", 1, None, "{vbonce_static} full /bin/true",
     "the same, libseccomp and libcap linked statically"),
    # Parts of voidshim's own time, not compared with peers: its start-up with its libraries, and start-up
    # plus parsing plus the ELF closure of /bin/true (--explain stops before the spawn).
    ("vs-version", "part", "both", 1, None, "{vs} --version", "voidshim --version: exec + dynamic linking only"),
    ("vs-explain", "part", "both", 1, None, "{vs} run --explain --proc --libs /bin/true -- /bin/true",
     "voidshim run --explain: + option parsing + ELF closure, no void"),
    ("unshare-all8", "peer", "both", 1, None, UNSHARE8, "unshare(1), all eight namespaces"),
    ("unshare-no-net", "peer", "both", 1, None, UNSHARE7, "unshare(1), all but net"),
    ("bwrap", "peer", "both", 1, None, BWRAP, "bwrap --unshare-all, usual binds, --proc, --dev"),
    ("firejail", "peer", "both", 0.25, None, "firejail --noprofile --net=none --quiet /bin/true",
     "firejail --noprofile --net=none"),
    ("crun", "peer", "both", 0.5, "cgroupfix", "crun --root {crun_state} run -b {crun_bundle} vsbench",
     "crun run of an OCI bundle (root: pid net ipc uts mnt cgroup; rootless: + user, time)"),
    ("nspawn", "peer", "root", 0.25, None, NSPAWN,
     "systemd-nspawn --register=no --keep-unit --private-network"),
    ("nspawn-default", "peer", "root", 0.25, None, "systemd-nspawn -q -D {nsroot} /bin/true",
     "systemd-nspawn as usually run (registers with machined)"),
]

USER = "voidtest"


def log(msg):
    print(f"peers: {msg}", file=sys.stderr, flush=True)


def as_user(argv, env=()):
    return ["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", "--",
            "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/tmp"] + list(env) + argv


class Fixtures:
    """Bundles, roots and namespace holders the commands refer to."""

    def __init__(self, tmp, args):
        self.tmp = tmp
        self.holders = []
        self.vars = {"root": {}, "user": {}}
        self.notes = []
        common = {
            "vs": os.path.abspath(args.voidshim), "probe": os.path.abspath(args.probe),
            "vbonce": os.path.join(args.bindir, "vbonce"),
            "vbonce_static": os.path.join(args.bindir, "vbonce-static"),
            "nsroot": os.path.join(tmp, "nsroot"),
        }
        for who in self.vars:
            self.vars[who].update(common)
        self.cgroup_fix = self._needs_cgroup_fix()
        self._servers(tmp, common["vs"])
        self._crun("root", os.path.join(tmp, "crun-root"), "")
        self._crun("user", os.path.join(tmp, "crun-user"), "rootless")
        self._nsroot()
        self._holders()

    @staticmethod
    def _needs_cgroup_fix():
        # crun refuses "hybrid" cgroups (v1 controllers plus a v2 tree that has controllers).
        try:
            with open("/sys/fs/cgroup/unified/cgroup.controllers") as f:
                return f.read().strip() != ""
        except OSError:
            return False

    def _crun(self, who, d, mode):
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o777)
        argv = [os.path.join(HERE, "mk-crun-bundle.sh"), os.path.join(d, "bundle")] + ([mode] if mode else [])
        if who == "user":
            shutil.chown(d, USER, USER)
            argv = as_user(argv)
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        self.vars[who]["crun_bundle"] = os.path.join(d, "bundle")
        self.vars[who]["crun_state"] = os.path.join(d, "state")

    def _nsroot(self):
        # nspawn wants something that looks like an OS tree: /bin/true, its libraries, /etc/os-release.
        root = self.vars["root"]["nsroot"]
        shutil.copytree(os.path.join(self.vars["root"]["crun_bundle"], "rootfs"), root, symlinks=True)
        os.makedirs(os.path.join(root, "etc"), exist_ok=True)
        os.makedirs(os.path.join(root, "usr"), exist_ok=True)
        with open(os.path.join(root, "etc/os-release"), "w") as f:
            f.write("ID=vsbench\n")

    def _servers(self, tmp, vs):
        """A voidshim serve per user, each with a runtime directory of its own (the served commands ask it)."""
        self.rundirs = {}
        for who in self.vars:
            d = os.path.join(tmp, f"rt-{who}")
            os.makedirs(d, mode=0o700)
            if who == "user":
                shutil.chown(d, USER, USER)
            self.rundirs[who] = d
            env = [f"VOIDSHIM_RUNTIME_DIR={d}"]
            argv = [vs, "serve", "--background", "--depth", "4"]
            subprocess.run(as_user(argv, env) if who == "user" else ["env"] + env + argv, check=True,
                           stdin=subprocess.DEVNULL)

    def stop_servers(self, vs):
        for who, d in self.rundirs.items():
            env = [f"VOIDSHIM_RUNTIME_DIR={d}"]
            argv = [vs, "serve", "--stop"]
            subprocess.run(as_user(argv, env) if who == "user" else ["env"] + env + argv, stdin=subprocess.DEVNULL)

    def _holder(self, argv):
        p = subprocess.Popen(argv + ["sleep", "1000000"], stdin=subprocess.DEVNULL)
        self.holders.append(p)
        time.sleep(0.2)
        if p.poll() is not None:
            raise RuntimeError(f"namespace holder {argv} exited")
        return p.pid

    def _holders(self):
        pid = self._holder(["unshare", "--net", "--"])
        self.vars["root"]["netns"] = f"/proc/{pid}/ns/net"
        pid = self._holder(as_user(["unshare", "--user", "--map-root-user", "--net", "--"]))
        self.vars["user"]["netns"] = f"/proc/{pid}/ns/net"
        self.vars["user"]["userns"] = f"/proc/{pid}/ns/user"

    def close(self):
        for p in self.holders:
            p.send_signal(signal.SIGKILL)
            p.wait()


def wrap(fx, who, wrapkind, argv):
    """argv (hyperfine or the command itself) as run for `who`, with the command's wrapper."""
    v = fx.vars[who]
    env = [f"VOIDSHIM_RUNTIME_DIR={fx.rundirs[who]}"] + ([] if wrapkind == "served" else ["VOIDSHIM_SERVE=0"])
    if wrapkind == "parked":
        if who == "root":
            argv = ["nsenter", f"--net={v['netns']}", "--"] + argv
        else:
            argv = ["nsenter", "--preserve-credentials", f"--user={v['userns']}", f"--net={v['netns']}", "--"] + argv
    argv = as_user(argv, env) if who == "user" else ["env"] + env + argv
    if wrapkind == "cgroupfix" and fx.cgroup_fix:
        # A private mount ns where the v2 half of the hybrid tree is gone: crun then sees cgroup v1
        # (and, rootless, ignores cgroups it cannot write).  Set up once per hyperfine, not per run.
        argv = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                'umount /sys/fs/cgroup/unified && exec "$@"', "sh"] + argv
    return argv


def installed(exe, args):
    """Is exe there (a name on PATH, or a path), and not one of --without?"""
    if os.path.basename(exe) in args.without:
        return False
    return bool(shutil.which(exe)) or os.access(exe, os.X_OK)


def try_once(fx, who, wrapkind, cmd):
    r = subprocess.run(wrap(fx, who, wrapkind, shlex.split(cmd)), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    if r.returncode == 0:
        return None
    err = r.stderr.decode(errors="replace").strip().splitlines()
    return f"exit {r.returncode}: {err[0] if err else '(no message)'}"


def hyperfine(fx, who, wrapkind, name, cmd, runs, jsondir):
    out = os.path.join(jsondir, f"{who}-{name}-{time.monotonic_ns()}.json")
    argv = ["hyperfine", "-N", "--style", "none", "--warmup", "3", "--runs", str(runs),
            "--export-json", out, "--command-name", name, cmd]
    r = subprocess.run(wrap(fx, who, wrapkind, argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:  # hyperfine's warnings about outliers are expected here; only failures matter
        raise RuntimeError(f"hyperfine {name} failed: {r.stderr.decode(errors='replace')}")
    with open(out) as f:
        return json.load(f)["results"][0]["times"]


def median_boot(a, b, n=400, rng=random.Random(5)):
    """Bootstrap 95% interval of median(a)/median(b)."""
    rs = []
    for _ in range(n):
        ra = statistics.median(rng.choices(a, k=len(a)))
        rb = statistics.median(rng.choices(b, k=len(b)))
        rs.append(ra / rb)
    rs.sort()
    return rs[int(0.025 * n)], rs[int(0.975 * n) - 1]


def pct(xs, p):
    s = sorted(xs)
    i = p * (len(s) - 1)
    lo = int(i)
    return s[lo] if lo + 1 >= len(s) else s[lo] + (s[lo + 1] - s[lo]) * (i - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--runs", type=int, default=480, help="runs of a weight-1 command, over all rounds")
    ap.add_argument("--who", default=f"root,{USER}")
    ap.add_argument("--voidshim", default=os.path.join(TOP, "voidshim"))
    ap.add_argument("--probe", default=os.path.join(TOP, "build/tests/probe"))
    ap.add_argument("--bindir", default=os.path.join(HERE, "build"))
    ap.add_argument("--without", default="", help="tools taken as not installed (comma or space separated)")
    args = ap.parse_args()
    args.without = set(args.without.replace(",", " ").split())
    whos = ["root" if w == "root" else "user" for w in args.who.split(",") if w]
    os.makedirs(args.outdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="vsbench-")
    os.chmod(tmp, 0o755)
    jsondir = os.path.join(tmp, "json")
    os.makedirs(jsondir)
    os.chmod(jsondir, 0o777)
    fx = Fixtures(tmp, args)
    try:
        rows, ratios, alltimes = run(fx, whos, args, jsondir)
    finally:
        fx.stop_servers(os.path.abspath(args.voidshim))
        fx.close()
        shutil.rmtree(tmp, ignore_errors=True)
    write(args.outdir, rows, ratios, alltimes, fx)


def run(fx, whos, args, jsondir):
    rows, ratios, alltimes = [], [], {}
    for who in whos:
        label = "root" if who == "root" else USER
        cmds = [c for c in COMMANDS if c[2] in (who, "both")]
        times = {c[0]: [] for c in cmds}
        status = {}
        for name, _, _, _, wk, cmd, _ in cmds:
            if wk == "cgroupfix" and not installed("crun", args):
                status[name] = "not installed (crun)"
                continue
            exe = shlex.split(cmd.format(**fx.vars[who]))[0]
            if not installed(exe, args):
                status[name] = f"not installed ({os.path.basename(exe)})"
                continue
            if not installed("hyperfine", args):  # what times them all
                status[name] = "not timed (hyperfine is not installed)"
                continue
            status[name] = try_once(fx, who, wk, cmd.format(**fx.vars[who])) or "ok"
            log(f"[{label}] {name}: {status[name]}")
        for r in range(args.rounds):
            log(f"[{label}] round {r + 1}/{args.rounds}")
            for name, side, _, weight, wk, cmd, _ in cmds:
                if status[name] != "ok":
                    continue
                runs = max(3, round(args.runs * weight / args.rounds))
                times[name] += hyperfine(fx, who, wk, name, cmd.format(**fx.vars[who]), runs, jsondir)
        for name, side, _, weight, wk, cmd, desc in cmds:
            t = [x * 1e3 for x in times[name]]
            alltimes[f"{label}/{name}"] = t
            rows.append((label, name, side, desc, t, status[name], cmd))
        for a in cmds:
            for b in cmds:
                ta, tb = times[a[0]], times[b[0]]
                if a[1] != "vs" or b[1] != "peer" or not ta or not tb:
                    continue
                lo, hi = median_boot(ta, tb)
                ratios.append((label, a[0], b[0], statistics.median(ta) / statistics.median(tb), lo, hi,
                               min(ta) / min(tb)))
    return rows, ratios, alltimes


def write(outdir, rows, ratios, alltimes, fx):
    with open(os.path.join(outdir, "peers.tsv"), "w") as f:
        f.write("who\tname\tside\tn\tmedian_ms\tp10_ms\tp90_ms\tmean_ms\tmin_ms\tmax_ms\tstatus\tdescription\tcommand\n")
        for label, name, side, desc, t, st, cmd in rows:
            if t:
                stats = [f"{x:.3f}" for x in (statistics.median(t), pct(t, 0.1), pct(t, 0.9),
                                             statistics.fmean(t), min(t), max(t))]
            else:
                stats = ["-"] * 6
            f.write("\t".join([label, name, side, str(len(t))] + stats + [st, desc, cmd]) + "\n")
    with open(os.path.join(outdir, "peers-ratios.tsv"), "w") as f:
        f.write("who\tvoidshim_side\tpeer\tratio_of_medians\tci95_lo\tci95_hi\tratio_of_minima\n")
        for label, a, b, r, lo, hi, rmin in ratios:
            f.write(f"{label}\t{a}\t{b}\t{r:.3f}\t{lo:.3f}\t{hi:.3f}\t{rmin:.3f}\n")
    with open(os.path.join(outdir, "peers-times.json"), "w") as f:
        json.dump({"unit": "ms", "cgroup_fix_for_crun": fx.cgroup_fix, "times": alltimes}, f)


if __name__ == "__main__":
    main()
