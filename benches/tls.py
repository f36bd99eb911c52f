#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Issue 5, part 4: the TLS server example under the shim against the same binary without it.

    tls.py [--rounds R] [--secs S] [--conns C] [--who root,voidtest] OUTDIR

Three servers run side by side for the whole run, all started as `who`:

  shim       `voidshim exec` of specs/tls-server.json (pointed at this run's port and files,
             as tests/integration/test-tls.sh does): a void per connection, the key in the
             signer void.  Each connection takes a warm void (voidshim exec's default
             --warm 4): built ahead of time by the warm pool's helper, with namespaces of its
             own, used once.
  shim-cold  the same with --warm 0: each connection's void is built when it arrives.
  plain      benches/tlsplain: the same static binary, started the same way (a process per
             connection, the signer a process of its own), with no void (see tlsplain.c).

Loopback only.  Modes, each timed for S seconds per side per round, the sides' order
alternating from round to round so that the machine's drift hits both alike:

  keepalive  wrk -t2 -cC --latency: C connections kept alive (the server closes one after
             1000 requests, so a void serves up to 1000 requests).  Latency: wrk's, from the
             request written to the response read.
  close      hey -cC -disable-keepalive: one request per connection, so one void per
             request.  Latency: hey's, from the connect to the response read (TCP connect,
             TLS handshake, the void's start, the request).
  close-c1   the same with one client: the unloaded cost of a connection.

Why two load generators: wrk busy-polls while a TLS handshake waits for the server (it
stays on the writable event while SSL_connect wants to read), so with a connection per
request it burns a core per waiting handshake and takes CPU from whichever server is
slower; h2load does the same.  hey (Go) waits on the poller and sets TCP_NODELAY.  ab has
no TCP_NODELAY: every connection stalls 40 ms on a delayed ACK, and one ab tops out near
280 connections/s here.  With keep-alive, wrk's polling costs nothing (16 handshakes), and
hey's Go client is slower than the servers.

TCP_NODELAY: the example writes a response's header and body as two TLS records and does
not set TCP_NODELAY, so on a kept-alive connection the body waits for the client's delayed
ACK (~40 ms per request).  One short "as shipped" keep-alive pass shows it; then this script
sets TCP_NODELAY on both listeners (pidfd_getfd; accepted sockets inherit it) so that the
rest measures the servers, not the stall.

CPU per request by component (from /proc: the server's own time, its reaped children's =
the connection processes (a warm void's setup in the child included: it is the shim's
child), the signer's, the warm pool's helper's (it clone3()s every void ahead of time, so
the namespaces' creation is charged to it); the load generator's rusage; "other" = all
CPUs' busy time while the load generator ran, minus those: kernel workers such as netns
cleanup, and the rest of the machine).

Writes OUTDIR/tls-runs.tsv (one row per timed run) and OUTDIR/tls.tsv (per who, side and
mode: requests/s over all rounds, median p50/p99 over rounds, CPU per request, and the
shim/plain ratio with the range of the per-round ratios).  Needs root (to become the user
and to reach the servers' listeners).
"""
import argparse
import csv
import ctypes
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
USER = "voidtest"
SIDES = ("plain", "shim", "shim-cold")
TICK = os.sysconf("SC_CLK_TCK")
libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_getfd = 438


def log(msg):
    print(f"tls: {msg}", file=sys.stderr, flush=True)


def as_user(argv):
    return ["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", "--",
            "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp"] + argv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what):
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} is not listening on {port}")


def set_nodelay(pid, port):
    """TCP_NODELAY on the listener of process pid bound to port (its accepted sockets inherit it)."""
    pfd = os.pidfd_open(pid)
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    continue
            except OSError:
                continue
            n = libc.syscall(SYS_pidfd_getfd, pfd, int(fd), 0)
            if n < 0:
                continue
            with socket.socket(fileno=n) as s:
                if (s.family == socket.AF_INET and s.type == socket.SOCK_STREAM and s.getsockname()[1] == port
                        and s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    return True
    finally:
        os.close(pfd)
    return False


def children(pid):
    kids = []
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/children") as f:
            kids += [int(x) for x in f.read().split()]
    return kids


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def proc_cpu(pid):
    """(own, reaped children) CPU seconds of pid; 0 when it is gone."""
    stat = read_file(f"/proc/{pid}/stat")
    if not stat:
        return 0.0, 0.0
    v = stat.rsplit(")", 1)[1].split()
    # After the ')': state is [0], utime [11], stime [12], cutime [13], cstime [14].
    return (int(v[11]) + int(v[12])) / TICK, (int(v[13]) + int(v[14])) / TICK


class Server:
    def __init__(self, side, argv, port, tmp):
        self.side, self.port = side, port
        self.err = open(os.path.join(tmp, f"{side}.err"), "w+")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.err)
        wait_listening(port, self.proc, side)
        self.pid = self.proc.pid
        time.sleep(0.5)
        # Its children at idle: the signer (it runs the example's binary), and under the shim the warm
        # pool's helper and the warm voids it made (still voidshim's code, each in a pid namespace of its own).
        comm = read_file(f"/proc/{self.pid}/comm")
        signers = [k for k in children(self.pid) if read_file(f"/proc/{k}/comm") != comm]
        if len(signers) != 1:
            raise RuntimeError(f"{side}: expected one child that is not {comm.strip()} (the signer), found {signers}")
        self.signer = signers[0]

    def helpers(self):
        """The warm pools' helper processes: children running voidshim in our own pid namespace."""
        comm = read_file(f"/proc/{self.pid}/comm")
        out = []
        for k in children(self.pid):
            status = read_file(f"/proc/{k}/status")
            nspid = re.search(r"^NSpid:\s+(.*)$", status, re.M)
            if read_file(f"/proc/{k}/comm") == comm and nspid and len(nspid.group(1).split()) == 1:
                out.append(k)
        return out

    def cpu(self):
        """(own, reaped children, signer, warm helpers) CPU seconds."""
        own, kids = proc_cpu(self.pid)
        signer = proc_cpu(self.signer)[0]
        helpers = sum(proc_cpu(h)[0] for h in self.helpers())
        return own, kids, signer, helpers

    def warnings(self):
        self.err.seek(0)
        return sum(1 for line in self.err if "warning" in line or "fatal" in line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def busy_s():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / TICK


def wrk_time(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[m.group(2)]


def parse_wrk(out):
    req = int(re.search(r"(\d+) requests in", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errs = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs += int(m.group(1)) if m else 0
    return req, errs, wrk_time(lat["50"]), wrk_time(lat["99"])


def parse_hey(out):
    rows = list(csv.reader(io.StringIO(out)))[1:]
    ok = sorted(float(r[0]) * 1e3 for r in rows if len(r) >= 7 and r[6] == "200")
    errs = len(rows) - len(ok)
    if not ok:
        return 0, errs, float("nan"), float("nan")
    return len(ok), errs, pct(ok, 0.5), pct(ok, 0.99)


def pct(s, p):
    i = p * (len(s) - 1)
    lo = int(i)
    return s[lo] if lo + 1 >= len(s) else s[lo] + (s[lo + 1] - s[lo]) * (i - lo)


# The load generator of each mode.
TOOL = {"keepalive-as-shipped": "wrk", "keepalive": "wrk", "close": "hey", "close-c1": "hey"}


def client_argv(mode, port, secs, conns):
    url = f"https://127.0.0.1:{port}/"
    if mode.startswith("keepalive"):
        return ["wrk", "-t2", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "10s", url], parse_wrk
    c = 1 if mode == "close-c1" else conns
    return ["hey", "-z", f"{secs}s", "-c", str(c), "-disable-keepalive", "-o", "csv", url], parse_hey


def measure(srv, mode, secs, conns):
    argv, parse = client_argv(mode, srv.port, secs, conns)
    c0, b0 = srv.cpu(), busy_s()
    h0 = set(srv.helpers())
    r0 = os.times()
    t0 = time.monotonic()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True)
    wall = time.monotonic() - t0
    r1, b1 = os.times(), busy_s()
    time.sleep(1)  # the last connections end and are reaped, so their CPU is counted
    c1 = srv.cpu()
    if p.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {p.stderr.decode(errors='replace')[-500:]}")
    if set(srv.helpers()) != h0:
        log(f"{srv.side}: its warm pool's helper changed during the run: its CPU is not all counted")
    req, errs, p50, p99 = parse(p.stdout.decode(errors="replace"))
    client = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    own, kids, signer, warm = (c1[i] - c0[i] for i in range(4))
    busy = b1 - b0
    return {"secs": secs, "wall": wall, "requests": req, "errors": errs, "p50_ms": p50, "p99_ms": p99,
            "cpu_server": own, "cpu_conns": kids, "cpu_signer": signer, "cpu_warm": warm, "cpu_client": client,
            "cpu_other": busy - own - kids - signer - warm - client, "cpu_busy": busy}


def setup(who, tmp, args):
    """Files for `who`: cert, key (readable by who only), document root, the rewritten spec."""
    d = os.path.join(tmp, who)
    os.makedirs(d)
    os.chmod(d, 0o755)
    shutil.copy(args.cert, os.path.join(d, "cert.pem"))
    shutil.copy(args.key, os.path.join(d, "key.pem"))
    os.chmod(os.path.join(d, "key.pem"), 0o600)
    shutil.copytree(args.www, os.path.join(d, "www"))
    if who == USER:
        for f in ("cert.pem", "key.pem"):
            shutil.chown(os.path.join(d, f), USER, USER)
    ports = {side: free_port() for side in SIDES}
    with open(args.spec) as f:
        spec = json.load(f)
    spec["program"] = os.path.abspath(args.bin)
    spec["entrypoints"]["signer"]["args"][0]["file"] = os.path.join(d, "key.pem")
    spec["entrypoints"]["conn"]["args"][1]["file"] = os.path.join(d, "cert.pem")
    spec["entrypoints"]["conn"]["void"]["mounts"][0]["ro-bind"] = os.path.join(d, "www")
    for side in ("shim", "shim-cold"):
        spec["listeners"]["https"]["tcp"] = f"127.0.0.1:{ports[side]}"
        with open(os.path.join(d, f"{side}.json"), "w") as f:
            json.dump(spec, f, indent=1)
    argvs = {
        "shim": [os.path.abspath(args.voidshim), "exec", os.path.join(d, "shim.json")],
        "shim-cold": [os.path.abspath(args.voidshim), "exec", "--warm", "0", os.path.join(d, "shim-cold.json")],
        "plain": [os.path.abspath(args.plain), "-p", str(ports["plain"]), "-b", os.path.abspath(args.bin),
                  "-c", os.path.join(d, "cert.pem"), "-k", os.path.join(d, "key.pem"), "-w", os.path.join(d, "www")],
    }
    if who == USER:
        argvs = {k: as_user(v) for k, v in argvs.items()}
    return d, ports, argvs


def run_who(who, tmp, args, runs):
    if not args.modes:  # no load generator at all
        return
    d, ports, argvs = setup(who, tmp, args)
    servers = {}
    try:
        for side in SIDES:
            servers[side] = Server(side, argvs[side], ports[side], d)
        for side in SIDES:  # warm up: page cache, the signer's first key use
            measure(servers[side], args.modes[0], 1, args.conns)
        if "keepalive-as-shipped" not in args.skipped:
            log(f"[{who}] as shipped (no TCP_NODELAY): keep-alive, {args.secs} s per side")
            for side in SIDES:
                runs.append({"who": who, "side": side, "mode": "keepalive-as-shipped", "round": 1,
                             **measure(servers[side], "keepalive-as-shipped", args.secs, args.conns)})
        for side in SIDES:
            if not set_nodelay(servers[side].pid, ports[side]):
                raise RuntimeError(f"{side}: could not find its listener to set TCP_NODELAY")
        for r in range(args.rounds):
            log(f"[{who}] round {r + 1}/{args.rounds}")
            for mode in args.modes:
                sides = SIDES if r % 2 == 0 else tuple(reversed(SIDES))
                for side in sides:
                    runs.append({"who": who, "side": side, "mode": mode, "round": r + 1,
                                 **measure(servers[side], mode, args.secs, args.conns)})
        for side in SIDES:
            n = servers[side].warnings()
            if n:
                log(f"[{who}] {side}: {n} warning lines on its stderr (see below)")
                servers[side].err.seek(0)
                sys.stderr.write("".join(servers[side].err.readlines()[-5:]))
    finally:
        for s in servers.values():
            s.stop()


def summarize(runs):
    out = []
    keys = []
    for r in runs:
        k = (r["who"], r["mode"])
        if k not in keys:
            keys.append(k)
    for who, mode in keys:
        sel = {s: [r for r in runs if r["who"] == who and r["mode"] == mode and r["side"] == s] for s in SIDES}
        row = {}
        for s, rs in sel.items():
            secs = sum(r["secs"] for r in rs)
            req = sum(r["requests"] for r in rs)
            row[s] = {
                "rps": req / secs if secs else 0, "requests": req, "errors": sum(r["errors"] for r in rs),
                "p50_ms": statistics.median(r["p50_ms"] for r in rs),
                "p99_ms": statistics.median(r["p99_ms"] for r in rs),
                "p99_max_ms": max(r["p99_ms"] for r in rs),
            }
            for c in ("server", "conns", "signer", "warm", "client", "other", "busy"):
                row[s][f"cpu_{c}_ms_per_req"] = 1e3 * sum(r[f"cpu_{c}"] for r in rs) / req if req else 0
        for s in SIDES:
            # Paired ratios: each shim run against the plain run of the same round.
            per_round = []
            for rp in sel["plain"]:
                rs = [r for r in sel[s] if r["round"] == rp["round"]]
                if rs and rp["requests"] and s != "plain":
                    per_round.append(rs[0]["requests"] / rs[0]["secs"] / (rp["requests"] / rp["secs"]))
            ratio = row[s]["rps"] / row["plain"]["rps"] if row["plain"]["rps"] else float("nan")
            out.append({"who": who, "mode": mode, "side": s, "status": "ok", **row[s],
                        "ratio_shim_plain": ratio,
                        "ratio_round_min": min(per_round) if per_round else "",
                        "ratio_round_max": max(per_round) if per_round else ""})
    return out


def write_tsv(path, rows):
    """Every row's keys, in the order first seen; a key a row lacks is "-"."""
    cols = []
    for r in rows:
        cols += [c for c in r if c not in cols]
    with open(path, "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            f.write("\t".join(f"{r[c]:.4g}" if isinstance(r.get(c), float) else str(r.get(c, "-")) for c in cols)
                    + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--secs", type=int, default=5, help="seconds per side, mode and round")
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--modes", default="keepalive,close,close-c1")
    ap.add_argument("--who", default=f"root,{USER}")
    ap.add_argument("--voidshim", default=os.path.join(TOP, "voidshim"))
    ap.add_argument("--plain", default=os.path.join(HERE, "build/tlsplain"))
    ap.add_argument("--bin", default=os.path.join(TOP, "build/examples/tls-server/tls-server"))
    ap.add_argument("--cert", default=os.path.join(TOP, "build/examples/tls-server/cert.pem"))
    ap.add_argument("--key", default=os.path.join(TOP, "build/examples/tls-server/key.pem"))
    ap.add_argument("--www", default=os.path.join(TOP, "examples/tls-server/www"))
    ap.add_argument("--spec", default=os.path.join(TOP, "specs/tls-server.json"))
    ap.add_argument("--without", default="", help="tools taken as not installed (comma or space separated)")
    args = ap.parse_args()
    without = set(args.without.replace(",", " ").split())
    missing = {t for t in ("wrk", "hey") if t in without or not shutil.which(t)}
    # A mode whose load generator is missing is not run: its rows say so, and the rest is measured.
    args.skipped = [m for m in ["keepalive-as-shipped"] + args.modes.split(",") if m and TOOL[m] in missing]
    args.modes = [m for m in args.modes.split(",") if m and m not in args.skipped]
    for t in sorted(missing):
        log(f"{t} is not installed (benches/install-peers.sh): its modes are marked, not run")
    os.makedirs(args.outdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="vstls-")
    os.chmod(tmp, 0o755)
    runs = []
    try:
        for who in [w for w in args.who.split(",") if w]:
            run_who(who, tmp, args, runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_tsv(os.path.join(args.outdir, "tls-runs.tsv"), runs)
    rows = summarize(runs)
    for who in [w for w in args.who.split(",") if w]:
        for m in args.skipped:
            rows += [{"who": who, "mode": m, "side": s, "status": f"not installed ({TOOL[m]})"} for s in SIDES]
    write_tsv(os.path.join(args.outdir, "tls.tsv"), rows)


if __name__ == "__main__":
    main()
