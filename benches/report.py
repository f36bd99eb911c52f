#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn the TSVs in results/ into results/results.md and gnuplot PNGs.

    report.py [--voidshim PATH] RESULTS_DIR

Reads nsbench.tsv, steps.tsv, peers.tsv, peers-ratios.tsv, scale-{rate,mem,leak}.tsv,
tls.tsv (whichever exist; the parts can come from different runs: the report lists
when each file was written) and env.tsv (written here on first use: the machine and
versions).  Plots need gnuplot (gnuplot-nox); without it the tables are still
written and the report says the plots are missing.
"""
import argparse
import csv
import datetime
import os
import platform
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
TARGET_BWRAP = 0.35
TARGET_UNSHARE = 0.7
# Issue 16 (warm voids on every path): a served one-shot run, the cold one, the TLS server, library throughput.
TARGET_SERVED_BWRAP = 0.3
TARGET_SERVED_UNSHARE = 0.55
TARGET_COLD_BWRAP = 0.55
TARGET_TLS = 0.9
TARGET_RATE_2 = 900


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def environment(voidshim, top):
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    rev = sh(f"git -C {top} rev-parse --short HEAD")
    if sh(f"git -C {top} status --porcelain -- voidbuilder shim include Makefile"):
        rev += " + uncommitted changes in voidbuilder/shim"
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    return [
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("kernel", platform.release()),
        ("cpu", f"{cpu} x {os.cpu_count()} (virtual machine)" if cpu else str(os.cpu_count())),
        ("memory", mem),
        ("voidshim git rev", rev or "unknown"),
        ("voidshim", sh(f"{voidshim} --version 2>&1 | head -1") or voidshim),
        ("load average (1/5/15 min) at report time", sh("cut -d' ' -f1-3 /proc/loadavg")),
        ("hyperfine", sh("hyperfine --version") or "not installed"),
        ("bubblewrap", sh("bwrap --version") or "not installed"),
        ("crun", sh("crun --version | head -1") or "not installed"),
        ("firejail", sh("firejail --version | head -1") or "not installed"),
        ("systemd-nspawn", sh("systemd-nspawn --version | head -1") or "not installed"),
        ("unshare", sh("unshare --version") or "not installed"),
        ("wrk", sh("wrk -v 2>&1 | head -1 | cut -d' ' -f1-2") or "not installed"),
        ("hey", sh("dpkg-query -W -f='${Version}' hey 2>/dev/null") or "not installed"),
    ]


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def fnum(x, nd=0):
    try:
        return f"{float(x):,.{nd}f}"
    except (TypeError, ValueError):
        return x or "-"


def by_who(rows):
    whos = []
    for r in rows:
        if r["who"] not in whos:
            whos.append(r["who"])
    return whos


# ---- part 1 -------------------------------------------------------------------

def part1(res, plots):
    rows = read_tsv(os.path.join(res, "nsbench.tsv"))
    if not rows:
        return "## 1. Namespace creation (nsbench)\n\nNot run.\n"
    whos = by_who(rows)
    base = {w: next((float(r["median_us"]) for r in rows if r["who"] == w and r["variant"] == "none"), None)
            for w in whos}
    table = []
    for r in rows:
        delta = "-"
        if r["status"] == "ok" and base.get(r["who"]):
            delta = f"{float(r['median_us']) - base[r['who']]:+,.0f}"
        table.append([r["who"], f"`{r['variant']}`", r["method"], r["flags"], r["n"], fnum(r["median_us"]),
                      delta, fnum(r["p90_us"]), fnum(r["cpu_us"]), fnum(r["busy_us"]), fnum(r["per_s"]),
                      r["status"]])
    text = ["## 1. Namespace creation (nsbench)\n",
            "A child that does only its namespace chores and exits, reaped (waitid on its pidfd) before the "
            "next. Times in µs per spawn+reap. *over none*: median minus the plain clone3's. *cpu*: "
            "getrusage of the bench and its reaped children per spawn; *busy*: all CPUs' busy time per "
            "spawn from /proc/stat (includes kernel workers, e.g. deferred netns cleanup, and any other "
            "load); *per s*: spawns over the loop's wall time. Unprivileged, every namespace but user is "
            "created together with a user namespace (flags column).\n",
            md_table(["who", "variant", "method", "flags", "n", "median", "over none", "p90", "cpu",
                      "busy", "per s", "status"], table)]
    if plots.get("nsbench"):
        text.append("\n![namespace cost](nsbench.png)\n")
    steps = read_tsv(os.path.join(res, "steps.tsv"))
    if steps:
        text.append("\n### 1b. Where a void's time goes (stepbench, ablation)\n\n"
                    "voidbuilder's child sequence replayed with raw system calls, one step more per row "
                    "(see stepbench.c); *step cost* is the difference to the row above it in the same "
                    "group. Filter: `" + steps[0].get("filter", "?") + "`.\n\n")
        prev = {}
        order = {"ns": None, "+root": "ns", "+proc": "+root", "+caps": "+proc", "+seccomp": "+caps",
                 "+seccomp(deny list)": "+caps", "+seccomp(4 insns)": "+caps", "+exec": "+seccomp",
                 "exec-noseccomp": "+caps", "exec(deny list)": "+seccomp(deny list)", "+libs": "+exec"}
        for r in steps:
            prev[(r["who"], r["step"])] = r
        t = []
        for r in steps:
            ref = order.get(r["step"])
            d = "-"
            if ref and (r["who"], ref) in prev and r["status"] == "ok" and prev[(r["who"], ref)]["status"] == "ok":
                d = f"{float(r['median_us']) - float(prev[(r['who'], ref)]['median_us']):+,.0f} (vs {ref})"
            t.append([r["who"], f"`{r['step']}`", r["n"], fnum(r["median_us"]), d, fnum(r["p90_us"]),
                      fnum(r["cpu_us"]), fnum(r["per_s"]), r["status"]])
        text.append(md_table(["who", "step", "n", "median µs", "step cost µs", "p90 µs", "cpu µs", "per s",
                              "status"], t))
    attach = read_tsv(os.path.join(res, "attach.tsv"))
    if attach:
        text.append("\n### 1c. The seccomp filter's attach cost (attachbench)\n\n"
                    "The seccomp(2) call that installs the filter, timed inside a child that does nothing "
                    "else; the variants take turns sample by sample. *vs deny list*: the median against the "
                    "deny list the allow list replaced (issue 12: at most 1.25).\n\n")
        t = [[r["who"], r["filter"], r["insns"], r["n"], fnum(r["attach_median_us"]), fnum(r["attach_p10_us"]),
              fnum(r["attach_p90_us"]), fnum(r["total_median_us"]), r["attach_vs_deny_list"], r["verdict"]]
             for r in attach]
        text.append(md_table(["who", "filter", "insns", "n", "attach median µs", "p10", "p90",
                              "fork+attach+exit µs", "vs deny list", "verdict"], t))
    return "\n".join(text)


# ---- part 2 -------------------------------------------------------------------

def part2(res, plots):
    rows = read_tsv(os.path.join(res, "peers.tsv"))
    if not rows:
        return "## 2. A whole void against its peers\n\nNot run.\n"
    ratios = read_tsv(os.path.join(res, "peers-ratios.tsv"))
    whos = by_who(rows)
    t = [[r["who"], f"`{r['name']}`", r["description"], r["n"], fnum(r["median_ms"], 2), fnum(r["p10_ms"], 2),
          fnum(r["p90_ms"], 2), fnum(r["min_ms"], 2), r["status"]] for r in rows]
    text = ["## 2. A whole void against its peers (hyperfine)\n",
            "Each command starts a sandboxed `/bin/true` (or the static probe) and waits for it; hyperfine "
            "with `--shell=none`, rounds interleaved, times in ms. Exact commands are in peers.tsv.\n",
            md_table(["who", "command", "what", "n", "median", "p10", "p90", "min", "status"], t)]
    if plots.get("peers"):
        text.append("\n![peer comparison](peers.png)\n")
    text.append("\n### Ratios voidshim-side / peer (same run)\n\n"
                "Ratio of medians, with a bootstrap 95% interval in brackets; below 1 means voidshim is "
                "faster.\n")
    peers = []
    for r in ratios:
        if r["peer"] not in peers:
            peers.append(r["peer"])
    for w in whos:
        sides = []
        for r in ratios:
            if r["who"] == w and r["voidshim_side"] not in sides:
                sides.append(r["voidshim_side"])
        cell = {(r["voidshim_side"], r["peer"]): r for r in ratios if r["who"] == w}
        tab = []
        for s in sides:
            row = [f"`{s}`"]
            for p in peers:
                c = cell.get((s, p))
                row.append(f"{float(c['ratio_of_medians']):.2f} [{float(c['ci95_lo']):.2f}–"
                           f"{float(c['ci95_hi']):.2f}]" if c else "-")
            tab.append(row)
        text.append(f"\n**{w}**\n\n" + md_table(["voidshim side \\ peer"] + peers, tab))
    text.append("\n### The issue's targets (full void = `vs-full`)\n\n")
    tt = []
    for w in whos:
        cell = {(r["voidshim_side"], r["peer"]): r for r in ratios if r["who"] == w}
        for side in ("vs-full", "vs-full-parked", "lib-full"):
            for peer, target in (("bwrap", TARGET_BWRAP), ("unshare-all8", TARGET_UNSHARE)):
                c = cell.get((side, peer))
                if not c:
                    continue
                r, hi = float(c["ratio_of_medians"]), float(c["ci95_hi"])
                verdict = "met" if hi <= target else ("not met" if r > target else "met at the median only")
                tt.append([w, f"`{side}` / `{peer}`", f"≤ {target}", f"{r:.2f} [{float(c['ci95_lo']):.2f}–"
                           f"{hi:.2f}]", verdict])
    text.append(md_table(["who", "ratio", "target", "measured", "verdict"], tt))
    return "\n".join(text)


# ---- issue 16's targets, gathered from the parts ------------------------------

def ratio_cell(ratios, who, side, peer):
    for r in ratios:
        if r["who"] == who and r["voidshim_side"] == side and r["peer"] == peer:
            return float(r["ratio_of_medians"]), float(r["ci95_lo"]), float(r["ci95_hi"])
    return None


def verdict_le(value, target, hi=None):
    if value is None:
        return "not run"
    if hi is not None and hi <= target:
        return "met"
    if value <= target:
        return "met at the median only" if hi is not None else "met"
    return "not met"


def targets16(res):
    """Each target of issue 16 with the figure that decides it (each a ratio within one part's run)."""
    rows = []
    ratios = read_tsv(os.path.join(res, "peers-ratios.tsv"))
    for w in by_who(ratios) if ratios else []:
        for side, peer, target, what in (
                ("vs-served", "bwrap", TARGET_SERVED_BWRAP, "served `voidshim run` / bwrap (hyperfine)"),
                ("vs-served", "unshare-all8", TARGET_SERVED_UNSHARE, "served `voidshim run` / unshare all 8"),
                ("vs-full", "bwrap", TARGET_COLD_BWRAP, "cold `voidshim run` / bwrap (hyperfine)")):
            c = ratio_cell(ratios, w, side, peer)
            rows.append([w, what, f"≤ {target}", f"{c[0]:.2f} [{c[1]:.2f}–{c[2]:.2f}]" if c else "-",
                         verdict_le(c[0] if c else None, target, c[2] if c else None)])
    paced = read_tsv(os.path.join(res, "scale-paced.tsv"))
    cell = {(r["who"], r["variant"]): r for r in paced if r["median_us"] not in ("-", "")}
    for w in by_who(paced) if paced else []:
        b, u = cell.get((w, "bwrap")), cell.get((w, "unshare"))
        for side, peer, target, what in (
                ("cli-served", b, TARGET_SERVED_BWRAP, "served `voidshim run` / bwrap (paced loop)"),
                ("cli-served", u, TARGET_SERVED_UNSHARE, "served `voidshim run` / unshare (paced loop)"),
                ("cli", b, TARGET_COLD_BWRAP, "cold `voidshim run` / bwrap (paced loop)")):
            v = cell.get((w, side))
            r = float(v["median_us"]) / float(peer["median_us"]) if v and peer else None
            rows.append([w, what, f"≤ {target}", f"{r:.2f}" if r is not None else "-", verdict_le(r, target)])
    rate = read_tsv(os.path.join(res, "scale-rate.tsv"))
    rc = {(r["who"], r["variant"], r["jobs"]): r for r in rate if r["per_s"] not in ("-", "")}
    for w in by_who(rate) if rate else []:
        r = rc.get((w, "full", "2"))
        v = float(r["per_s"]) if r else None
        rows.append([w, "library voids/s, fresh namespaces, 2 workers (`full`)", f"≥ {TARGET_RATE_2}",
                     fnum(v) if v is not None else "-",
                     "not run" if v is None else ("met" if v >= TARGET_RATE_2 else "not met")])
    roots = {r["variant"]: r for r in rate if r["who"] == "root" and r["jobs"] == "1"}
    for w in by_who(rate) if rate else []:
        if w == "root" or (w, "full-pool", "1") not in rc or "full-pool" not in roots:
            continue
        mine, root = rc[(w, "full-pool", "1")], roots["full-pool"]
        rows.append([w, "unprivileged pool (`vb_pool_enter`): median latency / root's", "≈ 1 (root's path)",
                     f"{float(mine['median_us']) / float(root['median_us']):.2f}", "measured"])
    tls = read_tsv(os.path.join(res, "tls.tsv"))
    for r in tls:
        if r["side"] == "shim" and r["mode"] in ("keepalive", "close"):
            v = float(r["ratio_shim_plain"])
            rows.append([r["who"], f"TLS server, warm void per connection, `{r['mode']}` / unshimmed",
                         f"≥ {TARGET_TLS}", f"{v:.2f}", "met" if v >= TARGET_TLS else "not met"])
    if not rows:
        return ""
    return ("## Issue 16's targets\n\nEach figure is a ratio within one part's run (the peers timed side by side, "
            "in the same rounds); the parts below give the details.\n\n"
            + md_table(["who", "figure", "target", "measured", "verdict"], rows))


# ---- part 3 -------------------------------------------------------------------

def part3(res, plots):
    rate = read_tsv(os.path.join(res, "scale-rate.tsv"))
    mem = read_tsv(os.path.join(res, "scale-mem.tsv"))
    leak = read_tsv(os.path.join(res, "scale-leak.tsv"))
    if not rate:
        return "## 3. Scale\n\nNot run.\n"
    t = [[r["who"], f"`{r['variant']}`", r["jobs"], r["n"], fnum(r["wall_s"], 2), fnum(r["per_s"]),
          fnum(r["median_us"]), fnum(r["p90_us"]), fnum(r["p99_us"]), r["failed"]] for r in rate]
    text = ["## 3. Scale (libvoidbuilder, one vb_void reused: vb_void_spawn + vb_proc_wait)\n",
            "Voids started one after the other by 1 worker, or by 2 workers at once (both cores); latency "
            "is spawn to reap, per void, in µs. Variants in scale.c.\n",
            md_table(["who", "variant", "workers", "voids", "wall s", "voids/s", "median", "p90", "p99",
                      "failed"], t)]
    if plots.get("scale"):
        text.append("\n![voids per second](scale.png)\n")
    text.append(part3_ratios(rate))
    paced = read_tsv(os.path.join(res, "scale-paced.tsv"))
    if paced:
        text.append(part3_ratios(
            paced, "The same, paced: a pause before each spawn",
            "One worker waits `SCALE_GAP` µs (5,000 by default; outside the timed part) before each spawn, "
            "for every variant and peer alike: the latency a spawner sees when it is not saturated, as a "
            "server handling requests is. A pool (`vb_pool`, `vb_warm`) has time to make the next "
            "namespaces or voids, and every side's kernel work after a run (netns teardown) has time to "
            "finish. Saturated throughput is the table above.\n\n"))
        t = [[r["who"], f"`{r['variant']}`", r["n"], fnum(r["median_us"]), fnum(r["p90_us"]), fnum(r["p99_us"]),
              r["failed"]] for r in paced]
        text.append("\n" + md_table(["who", "variant", "voids", "median µs", "p90", "p99", "failed"], t))
    if mem:
        m = [[r["who"], r["live"], fnum(r["memavail_kib"]), fnum(r["slab_kib"], 1), fnum(r["pagetables_kib"], 1),
              fnum(r["kernelstack_kib"], 1), fnum(r["percpu_kib"], 1), fnum(r["after_kill_memavail_kib"])]
             for r in mem]
        text.append("\n### Memory per live void\n\nFull voids running `/bin/sleep 30`, all alive at once; "
                    "growth of /proc/meminfo divided by their number (KiB per void). The last column is how "
                    "much MemAvailable had not come back 2 s after killing them all (KiB, total; noise from "
                    "the rest of the machine included).\n\n")
        text.append(md_table(["who", "live voids", "MemAvailable", "Slab", "PageTables", "KernelStack", "Percpu",
                              "not back after kill"], m))
    if leak:
        lk = [[r["who"], r["item"], r["before"], r["after"], r["verdict"]] for r in leak]
        text.append("\n### Leak check over the whole run\n\n*driver_* and *workers_* are the bench's own "
                    "processes (must be equal); *_visible* count what the user can see on the whole machine, "
                    "which other work may change.\n\n")
        text.append(md_table(["who", "item", "before", "after", "verdict"], lk))
    return "\n".join(text)


SCALE_SIDES = (("full", "library, fresh netns per void"), ("full-pool", "library, netns from vb_pool"),
               ("full-warm", "library, voids built ahead of time by vb_warm (each used once)"),
               ("full-hop", "library, pooled netns joined by hand around one clone3"),
               ("full-parked", "library, all voids share one empty netns (weaker; a lower bound)"),
               ("cli", "one-shot CLI, `voidshim run --proc --libs /bin/true`"),
               ("cli-served", "the same command served by `voidshim serve` (a warm void per run)"))


def part3_ratios(rate, title="The issue's targets, measured in this loop", note=""):
    """The issue's targets, from the scale run alone: the same loop times the voids and the peers."""
    cell = {(r["who"], r["variant"], r["jobs"]): r for r in rate}
    rows = []
    for (who, variant, jobs), r in cell.items():
        if variant not in dict(SCALE_SIDES) or r["per_s"] == "-":
            continue
        b, u = cell.get((who, "bwrap", jobs)), cell.get((who, "unshare", jobs))
        out = [who, jobs, f"`{variant}`", fnum(r["median_us"])]
        for peer, target in ((b, TARGET_BWRAP), (u, TARGET_UNSHARE)):
            if not peer or peer["per_s"] == "-":
                out += ["-", "-"]
                continue
            ratio = float(r["median_us"]) / float(peer["median_us"])
            out += [f"{ratio:.2f}", "met" if ratio <= target else "not met"]
        if b and u and b["per_s"] != "-" and u["per_s"] != "-":
            out.append(f"{float(r['per_s']) / float(b['per_s']):.2f} / {float(r['per_s']) / float(u['per_s']):.2f}")
        else:
            out.append("-")
        rows.append(out)
    if not rows:
        return ""
    peers = [f"bwrap {fnum(cell[(w, 'bwrap', j)]['median_us'])} µs, unshare {fnum(cell[(w, 'unshare', j)]['median_us'])} µs"
             f" ({w}, {j} worker{'s' if j != '1' else ''})"
             for (w, v, j) in cell if v == "bwrap" and (w, "unshare", j) in cell and cell[(w, v, j)]["per_s"] != "-"]
    return (f"\n### {title}\n\n" + note +
            "Ratio of median latency (spawn to reap) to that of `bwrap --unshare-all` and of `unshare` with all "
            "eight namespaces, both started by the same loop (posix_spawn + waitpid) in the same interleaved "
            f"rounds. Targets: ≤ {TARGET_BWRAP} × bwrap and ≤ {TARGET_UNSHARE} × unshare. The last column is "
            "voids/s over the peer's commands/s. Peers' medians: " + "; ".join(peers) + ".\n\n"
            + md_table(["who", "workers", "variant", "median µs", "/ bwrap", "target", "/ unshare", "target",
                        "voids/s ÷ (bwrap, unshare)"], rows))


TLS_MODES = {
    "keepalive-as-shipped": "wrk, 16 kept-alive connections, the example as shipped (no TCP_NODELAY)",
    "keepalive": "wrk, 16 kept-alive connections (≤ 1000 requests each), TCP_NODELAY on the listener",
    "close": "hey, 16 clients, one request per connection (a void per request)",
    "close-c1": "hey, 1 client, one request per connection (unloaded cost of a connection)",
}


def part4(res):
    rows = read_tsv(os.path.join(res, "tls.tsv"))
    if not rows:
        return ("## 4. TLS server\n\nNot run (`make -C benches tls`).\n")
    t, cpu, verdicts = [], [], []
    for r in rows:
        if r.get("status", "ok") != "ok":  # a mode whose load generator is missing
            t.append([r["who"], f"`{r['mode']}`", r["side"], "-", "-", "-", "-", r["status"]])
            continue
        t.append([r["who"], f"`{r['mode']}`", r["side"], fnum(r["rps"]), fnum(r["p50_ms"], 2), fnum(r["p99_ms"], 2),
                  fnum(r["p99_max_ms"], 2), r["errors"]])
        cpu.append([r["who"], f"`{r['mode']}`", r["side"]] +
                   [fnum(float(r.get(f"cpu_{c}_ms_per_req") or 0) * 1e3) for c in
                    ("server", "conns", "signer", "warm", "client", "other", "busy")])
        if r["side"] != "plain":
            ratio = float(r["ratio_shim_plain"])
            rng = (f"{float(r['ratio_round_min']):.2f}–{float(r['ratio_round_max']):.2f}"
                   if r["ratio_round_min"] else "-")
            verdict = "" if r["mode"] == "keepalive-as-shipped" or r["side"] != "shim" else (
                "met" if ratio >= TARGET_TLS else "not met")
            verdicts.append([r["who"], f"`{r['mode']}`", r["side"], f"{ratio:.2f}", rng,
                             f"≥ {TARGET_TLS}" if r["side"] == "shim" else "", verdict])
    modes = "\n".join(f"- `{m}`: {d}" for m, d in TLS_MODES.items())
    return "\n".join([
        "## 4. TLS server (tls.py)\n",
        "examples/tls-server under specs/tls-server.json (`shim`: a warm void per connection, built ahead of "
        "time and used once, voidshim exec's default; `shim-cold`: the same with `--warm 0`, each void built "
        "when its connection arrives; the key in the signer void) against the same binary started by "
        "benches/tlsplain (`plain`: a process per connection, the signer a process, no void), all on "
        "loopback, all running as the user in the first column. Each mode is timed per side per round, sides "
        "alternating; requests/s is over all rounds, p50/p99 (ms) are medians over the rounds of each round's "
        "value, *p99 max* the worst round.\n",
        modes + "\n",
        md_table(["who", "mode", "side", "requests/s", "p50", "p99", "p99 max", "errors or status"], t),
        "\n### Shim / plain, requests per second\n\nRatio over all rounds; the range is that of the per-round "
        "ratios (each shim run against the plain run of the same round).\n",
        md_table(["who", "mode", "side", "side / plain", "per-round range", "target", "verdict"], verdicts),
        "\n### Where the CPU goes (µs per request)\n\n*server*: the shim's or tlsplain's own time (accept, "
        "building and spawning the void, or handing a warm void its request); *conns*: the connection processes "
        "(reaped children: exec, OpenSSL start, handshake, HTTP; in the shim also the void's setup in the "
        "child); *signer*; *warm*: the warm pool's helper, which clone3()s each void ahead of time (the "
        "namespaces' creation is charged to it); *client*: the load generator; *other*: all CPUs' busy time "
        "while the client ran minus those (kernel workers, e.g. netns teardown, and the rest of the machine); "
        "*busy*: the total.\n",
        md_table(["who", "mode", "side", "server", "conns", "signer", "warm", "client", "other", "busy"], cpu),
    ])


def provenance(res):
    files = ["nsbench.tsv", "steps.tsv", "attach.tsv", "peers.tsv", "scale-rate.tsv", "scale-paced.tsv", "tls.tsv"]
    rows = [[f, datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(res, f))).astimezone()
             .strftime("%Y-%m-%d %H:%M %Z")] for f in files if os.path.exists(os.path.join(res, f))]
    return ("\nThe parts can come from different runs (`make -C benches PART`); each file was written at:\n\n"
            + md_table(["file", "written"], rows))


# ---- plots ----------------------------------------------------------------------

WITHOUT = set()  # --without: tools taken as not installed


def have_gnuplot():
    return "gnuplot" not in WITHOUT and bool(shutil.which("gnuplot"))


def gnuplot(res, name, data, script):
    if not have_gnuplot():
        return False
    dat = os.path.join(res, f"{name}.dat")
    with open(dat, "w") as f:
        f.write(data)
    r = subprocess.run(["gnuplot"], input=script.replace("@DAT@", dat).replace("@PNG@",
                       os.path.join(res, f"{name}.png")), text=True, capture_output=True)
    os.unlink(dat)
    if r.returncode != 0:
        print(f"report: gnuplot {name}: {r.stderr}", file=sys.stderr)
        return False
    return True


COMMON = """set terminal pngcairo size 1200,650 font "DejaVu Sans,11"
set output "@PNG@"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by -35 scale 0 font ",10"
set bmargin 9
set rmargin 8
"""


def plot_all(res):
    plots = {}
    ns = read_tsv(os.path.join(res, "nsbench.tsv"))
    if ns:
        whos = by_who(ns)
        variants = []
        for r in ns:
            if r["variant"] not in variants:
                variants.append(r["variant"])
        val = {(r["who"], r["variant"]): r["median_us"] if r["status"] == "ok" else "-" for r in ns}
        data = "\n".join(f'"{v}" ' + " ".join(val.get((w, v), "-") for w in whos) for v in variants)
        cols = " , ".join(f'"@DAT@" using {i + 2}:xtic(1) title "{w}"' if i == 0 else
                          f'"" using {i + 2} title "{w}"' for i, w in enumerate(whos))
        plots["nsbench"] = gnuplot(res, "nsbench", data + "\n", COMMON + """
set title "clone3 of a child that exits at once: median spawn+reap (µs)"
set ylabel "µs"
set yrange [0:*]
set datafile missing "-"
plot """ + cols + "\n")
    peers = read_tsv(os.path.join(res, "peers.tsv"))
    if peers:
        whos = by_who(peers)
        names = []
        for r in peers:
            if r["name"] not in names:
                names.append(r["name"])
        val = {(r["who"], r["name"]): r["median_ms"] if r["status"] == "ok" else "-" for r in peers}
        names = [n for n in names if any(val.get((w, n), "-") != "-" for w in whos)]
        data = "\n".join(f'"{n}" ' + " ".join(val.get((w, n), "-") for w in whos) for n in names)
        cols = " , ".join(f'"@DAT@" using {i + 2}:xtic(1) title "{w}"' if i == 0 else
                          f'"" using {i + 2} title "{w}"' for i, w in enumerate(whos))
        plots["peers"] = gnuplot(res, "peers", data + "\n", COMMON + """
set title "Start a sandboxed /bin/true and wait for it: median (ms, log scale)"
set ylabel "ms"
set logscale y
set yrange [0.3:*]
set datafile missing "-"
plot """ + cols + "\n")
    paced = read_tsv(os.path.join(res, "scale-paced.tsv"))
    if paced:
        whos = by_who(paced)
        order = (("full", "library, cold"), ("full-warm", "library, warm"), ("cli", "voidshim run, cold"),
                 ("cli-served", "voidshim run, served"), ("unshare", "unshare, all 8"), ("bwrap", "bwrap"))
        val = {(r["who"], r["variant"]): r["median_us"] for r in paced if r["median_us"] not in ("", "-")}
        order = [o for o in order if any((w, o[0]) in val for w in whos)]
        data = "\n".join(f'"{label}" ' + " ".join(str(float(val[(w, v)]) / 1e3) if (w, v) in val else "-"
                                                  for w in whos) for v, label in order)
        cols = " , ".join(f'"@DAT@" using {i + 2}:xtic(1) title "{w}"' if i == 0 else
                          f'"" using {i + 2} title "{w}"' for i, w in enumerate(whos))
        plots["latency"] = gnuplot(res, "latency", data + "\n", COMMON + """
set title "Start a void running /bin/true and reap it, paced (one loop, median ms): cold, warm, served vs peers"
set ylabel "ms"
set yrange [0:*]
set datafile missing "-"
plot """ + cols + "\n")
    rate = read_tsv(os.path.join(res, "scale-rate.tsv"))
    if rate:
        keys = []
        for r in rate:
            k = (r["who"], r["jobs"])
            if k not in keys:
                keys.append(k)
        variants = []
        for r in rate:
            if r["variant"] not in variants:
                variants.append(r["variant"])
        val = {(r["who"], r["jobs"], r["variant"]): r["per_s"] for r in rate}
        data = "\n".join(f'"{v}" ' + " ".join(val.get((w, j, v), "-") for w, j in keys) for v in variants)
        cols = " , ".join(
            (f'"@DAT@" using {i + 2}:xtic(1)' if i == 0 else f'"" using {i + 2}') +
            f' title "{w}, {j} worker{"s" if j != "1" else ""}"' for i, (w, j) in enumerate(keys))
        plots["scale"] = gnuplot(res, "scale", data + "\n", COMMON + """
set title "Voids per second sustained (libvoidbuilder, spawn + exec + reap)"
set ylabel "voids/s"
set yrange [0:*]
set datafile missing "-"
plot """ + cols + "\n")
    return plots


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--voidshim", default=os.path.join(TOP, "voidshim"))
    ap.add_argument("--top", default=TOP, help="the voidshim tree that was measured (for its git revision)")
    ap.add_argument("--without", default="", help="tools taken as not installed (gnuplot)")
    args = ap.parse_args()
    WITHOUT.update(args.without.replace(",", " ").split())
    res = args.results
    env = environment(args.voidshim, args.top)
    with open(os.path.join(res, "env.tsv"), "w") as f:
        f.write("key\tvalue\n" + "".join(f"{k}\t{v}\n" for k, v in env))
    plots = plot_all(res)
    parts = ["# voidshim benchmark results\n",
             "Written by `make bench` (benches/report.py). Every comparison is a ratio within one part's run; "
             "absolute times are for scale only (a shared 2-vCPU VM: see the load average).\n",
             md_table(["", ""], env), provenance(res)]
    if not have_gnuplot():
        parts.append("\nPlots missing: gnuplot is not installed (benches/install-peers.sh).\n")
    failed = [n for n, ok in plots.items() if not ok]
    if have_gnuplot() and failed:
        parts.append(f"\nPlots missing: gnuplot failed for {', '.join(failed)} (its message is on stderr).\n")
    parts.append(targets16(res))
    if plots.get("latency"):
        parts.append("\n![latency: cold, warm and served paths against bwrap and unshare](latency.png)\n")
    parts += [part1(res, plots), part2(res, plots), part3(res, plots), part4(res)]
    with open(os.path.join(res, "results.md"), "w") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
