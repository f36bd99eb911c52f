#!/bin/bash
# voidshim oci: an OCI runtime with runc's command line (doc/oci.md).  A bundle whose root holds
# only the probe: its lifecycle (create, start, state, kill, delete), the contract's errors (exit 1,
# one line naming the container or the config field; nothing left behind), what the container
# gets (user, capabilities, no_new_privs, masked and read-only paths, sysctls, devices, hooks,
# the console), exec, pause/resume, and what it is refused from inside.  As root and as the
# ordinary user (whose config adds a user namespace mapping its own ids, as runc's --rootless does).
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

RT="$T_TMP/voidshim-runc"
ln -s "$VS" "$RT"
ROOT="$T_TMP/state"
oci() { "$RT" --root "$ROOT" "$@"; }
# create ARGS...: the container's stdio goes to files, not to a test's $(...), which would wait for it.
create() { oci create "$@" </dev/null >"$T_TMP/ctr.out" 2>"$T_TMP/ctr.err" || { cat "$T_TMP/ctr.err"; return 1; }; }
B="$T_TMP/bundle"
mkdir -p "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/sys" "$B/rootfs/tmp" "$B/rootfs/secret"
cp "$PROBE" "$B/rootfs/probe"
echo "do not read" >"$B/rootfs/secret/file"
chmod -R a+rX "$T_TMP"

# config.json for the bundle: ARGS... is the program; OCI_SET holds python statements on `c`.
cat >"$T_TMP/mkconfig.py" <<'EOF'
import json, os, sys
uid, gid = os.geteuid(), os.getegid()
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"]
c = {
    "ociVersion": "1.0.2",
    "root": {"path": "rootfs", "readonly": False},
    "hostname": "oci-void",
    "process": {
        "args": sys.argv[2:], "cwd": "/", "env": ["PATH=/bin", "MARK=oci"],
        "user": {"uid": 0, "gid": 0},
        "capabilities": {k: caps for k in ("bounding", "effective", "permitted", "inheritable")},
        "noNewPrivileges": True,
        "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 512}],
    },
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]},
    ],
    "linux": {
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
        "maskedPaths": ["/secret", "/proc/kcore"],
        "readonlyPaths": ["/proc/sys"],
    },
}
if uid != 0:  # as runc --rootless: a user namespace holding only our own ids
    c["linux"]["namespaces"].append({"type": "user"})
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": gid, "size": 1}]
exec(os.environ.get("OCI_SET", ""))
json.dump(c, open(sys.argv[1] + "/config.json", "w"), indent=1)
EOF
config() { python3 "$T_TMP/mkconfig.py" "$B" "$@"; }
# run ARGS...: one container, created, started, waited for and deleted; its output on stdout.
run() { config "$@" && oci run --bundle "$B" "r$((++runs))"; }
runs=0
leftovers() { # nothing of a container may stay: no state, no process rooted in the bundle
        local p left=""
        [ -n "$(ls -A "$ROOT" 2>/dev/null)" ] && left="state: $(ls -A "$ROOT")"
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/root" 2>/dev/null)" = "$B/rootfs" ] && left="$left process ${p#/proc/}"
        done
        echo "${left:-none}"
}

t_match "features: runtime-spec features JSON" '"ociVersionMax":"1.0.2"' oci features
t_ok "features: valid JSON" bash -c "'$RT' features | python3 -m json.tool"
t_match "--version: name and version on the first line" '^voidshim version [0-9]' oci --version

# ---- the lifecycle ---------------------------------------------------------------------
config /probe write-str /tmp/x started
t_ok "create: exit 0" create --bundle "$B" --pid-file "$T_TMP/pid" c1
t_match "state after create: created" '"status": "created"' oci state c1
t_eq "the pid file holds the init's pid" "$(oci state c1 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')" cat "$T_TMP/pid"
t_ok "the held init is alive" kill -0 "$(cat "$T_TMP/pid")"
t_golden "create: a second container with the same id fails" oci-duplicate 1 oci create --bundle "$B" c1
t_golden "start: an unknown id fails" oci-unknown 1 oci start nope
t_golden "state: an unknown id fails" oci-unknown-state 1 oci state nope
t_golden "delete: an unknown id fails" oci-unknown-delete 1 oci delete nope
t_ok "delete --force: an unknown id is no error" oci delete --force nope
t_ok "start: exit 0" oci start c1
for _ in $(seq 100); do oci state c1 | grep -q '"stopped"' && break; sleep 0.05; done
t_match "state after the program ended: stopped, pid 0" '"pid": 0' oci state c1
t_golden "start: a stopped container cannot start again" oci-start-stopped 1 oci start c1
t_golden "kill: a stopped container cannot be signalled" oci-kill-stopped 1 oci kill c1 TERM
t_ok "delete: a stopped container" oci delete c1
t_golden "state: a deleted container is gone" oci-deleted 1 oci state c1
t_eq "nothing left of it" "none" leftovers

config /probe sleep 100
create --bundle "$B" c2 && oci start c2
t_match "state of a running container: running" '"status": "running"' oci state c2
t_golden "delete: a running container needs --force" oci-delete-running 1 oci delete c2
t_match "...and keeps running" '"status": "running"' oci state c2
# The probe is its pid namespace's init, with no handler: the kernel drops TERM, KILL it is.
t_ok "kill: a signal by name (TERM) is sent" oci kill c2 TERM
oci delete --force c2
for sig in KILL SIGKILL 9; do
        create --bundle "$B" c3 && oci start c3
        oci kill c3 "$sig"
        for _ in $(seq 100); do oci state c3 | grep -q '"stopped"' && break; sleep 0.05; done
        t_match "kill $sig ends a running container" '"status": "stopped"' oci state c3
        oci delete c3
done
t_golden "kill: an unknown signal" oci-bad-signal 1 oci kill c3 NOSUCH
create --bundle "$B" c4
t_ok "delete --force: a created container" oci delete --force c4
create --bundle "$B" c4 && oci start c4
t_ok "delete --force: a running container" oci delete --force c4
t_eq "nothing left of them" "none" leftovers

# ---- what the container is, from inside ------------------------------------------------
t_eq "the program runs as uid 0 with the config's ids" "ok 0 0 0 0" run /probe uid
t_eq "hostname from the config" "ok oci-void" run /probe hostname
t_match "the environment is the config's" 'MARK=oci' run /probe env
t_eq "no_new_privs as asked (true)" "ok 1" run /probe nnp
OCI_SET='c["process"]["noNewPrivileges"] = False' t_eq "no_new_privs as asked (false)" "ok 0" run /probe nnp
t_eq "the void's seccomp filter (no linux.seccomp)" "ok 2" run /probe seccomp
# CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID NET_BIND_SERVICE = 0x4eb, in every set but ambient.
t_eq "only the config's capabilities, set by set" "ok 4eb 4eb 4eb BND=4eb AMB=0" run /probe caps
t_eq "a masked directory is empty" "ok" run /probe ls /secret
t_match "...and its file is gone" 'ENOENT' run /probe read /secret/file
t_match "a read-only path cannot be written" 'EROFS|EACCES' run /probe write /proc/sys/kernel/domainname
t_match "the rootfs is writable (root.readonly false)" '^ok' run /probe mkdir /newdir
OCI_SET='c["root"]["readonly"] = True' t_match "root.readonly: the rootfs cannot be written" 'EROFS' \
        run /probe mkdir /newdir2
t_match "the default devices: /dev/null" '^ok' run /probe write /dev/null
t_match "mounting is refused (no CAP_SYS_ADMIN)" 'EPERM' run /probe mount-tmpfs /tmp
t_match "mknod is refused (no CAP_MKNOD)" 'EPERM' run /probe mknod /tmp/n
t_match "another process's namespace cannot be joined" 'EPERM|EACCES|ENOENT' run /probe setns /proc/1/ns/net
OCI_SET='c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}' t_eq "a namespaced sysctl is set" "ok 1" \
        run /probe read /proc/sys/net/ipv4/ip_forward
OCI_SET='c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95}]}' \
        t_match "linux.seccomp is translated and applied (mkdir: EOPNOTSUPP)" 'EOPNOTSUPP' run /probe mkdir /tmp/d
if is_root; then
        OCI_SET='c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5]}' \
                t_eq "process.user: uid and gid switched" "ok 1000 1000 1000 1000" run /probe uid
        OCI_SET='c["linux"]["devices"] = [{"path": "/dev/vs-test", "type": "c", "major": 1, "minor": 3, "fileMode": 420}]' \
                t_match "linux.devices: a node made as asked" '^ok' run /probe stat /dev/vs-test
        # The image's root is used as runc uses it: its setuid files work (no nosuid), where the host's allows it.
        if ! findmnt -n -o OPTIONS -T "$B/rootfs" | grep -qw nosuid; then
                cp "$PROBE" "$B/rootfs/probe-suid" && chmod 4755 "$B/rootfs/probe-suid"
                OCI_SET='c["process"]["user"] = {"uid": 1000, "gid": 1000}; c["process"]["noNewPrivileges"] = False' \
                        t_eq "root: a setuid file in the image works" "ok 1000 1000 0 1000" run /probe-suid uid
                rm -f "$B/rootfs/probe-suid"
        fi
        # Where the runtime's "/" is shared (systemd's default), no mount made in the container propagates back.
        config /probe true
        t_eq "no mount of the container's shows in a runtime's namespace whose / is shared" "0" \
                unshare -m --propagation shared bash -c "'$RT' --root '$ROOT' run --bundle '$B' leak >/dev/null; grep -c ' $B/rootfs' /proc/self/mountinfo"
fi

# ---- exec, hooks, console ----------------------------------------------------------------
config /probe sleep 100
create --bundle "$B" c5 && oci start c5
t_eq "exec: a process in the running container" "ok oci-void" oci exec c5 /probe hostname
t_ok "exec --detach --pid-file" bash -c "'$RT' --root '$ROOT' exec --detach --pid-file '$T_TMP/epid' c5 /probe sleep 100 >/dev/null 2>&1"
t_ok "...its pid is alive" kill -0 "$(cat "$T_TMP/epid")"
t_eq "exec joins the container's namespaces" "$(readlink /proc/"$(oci state c5 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')"/ns/pid)" \
        readlink /proc/"$(cat "$T_TMP/epid")"/ns/pid
t_golden "exec: an unknown container" oci-exec-unknown 1 oci exec nope /probe true
oci delete --force c5

cat >"$T_TMP/hook" <<EOF
#!/bin/sh
cat > "$T_TMP/hook-\$1.json"
EOF
chmod 755 "$T_TMP/hook"
OCI_SET="c['hooks'] = {k: [{'path': '$T_TMP/hook', 'args': ['hook', k]}] for k in ('createRuntime', 'poststart', 'poststop')}" \
        config /probe true
create --bundle "$B" c6 && oci start c6 && sleep 0.2 && oci delete --force c6
for h in createRuntime poststart poststop; do
        t_match "hook $h gets the state on stdin" '"id": "c6"' cat "$T_TMP/hook-$h.json"
done
t_match "poststop's state says stopped" '"status": "stopped"' cat "$T_TMP/hook-poststop.json"
# runtime-spec: a failing poststart or poststop hook is a warning; the hooks after it still run.
rm -f "$T_TMP"/hook-*.json
OCI_SET="c['hooks'] = {k: [{'path': '/bin/false'}, {'path': '$T_TMP/hook', 'args': ['hook', k]}] for k in ('poststart', 'poststop')}" \
        config /probe true
create --bundle "$B" c7 && t_ok "start: a failing poststart hook is no error" oci start c7
sleep 0.2
t_ok "delete: a failing poststop hook is no error" oci delete --force c7
for h in poststart poststop; do
        t_match "the $h hook after a failing one still runs" '"id": "c7"' cat "$T_TMP/hook-$h.json"
done

cat >"$T_TMP/console.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)
print("listening", flush=True)
c, _ = s.accept(); msg, fds, _, _ = socket.recv_fds(c, 4096, 1)
out = b""
while True:
    try:
        d = os.read(fds[0], 4096)
    except OSError:
        break
    if not d:
        break
    out += d
print(out.decode(errors="replace").strip())
EOF
OCI_SET='c["process"]["terminal"] = True' config /probe fdstat 0
coproc CONS { timeout 20 python3 "$T_TMP/console.py" "$T_TMP/console.sock"; }
# A copy of its output: bash unsets CONS once the coproc ends, which may be before it is read.
exec {cons}<&"${CONS[0]}"
read -r -t 10 _ <&"$cons"
create --bundle "$B" --console-socket "$T_TMP/console.sock" c7 && oci start c7
t_match "terminal: the pty's master goes to --console-socket, stdin is the pty" 'ok.*(chr|char)' \
        timeout 20 cat <&"$cons"
exec {cons}<&-
oci delete --force c7
OCI_SET='c["process"]["terminal"] = True' config /probe true
t_golden "terminal without --console-socket: refused" oci-no-console 1 oci create --bundle "$B" c8
t_eq "nothing left of them" "none" leftovers

# ---- pause and resume: the freezer cgroup (root: unprivileged users have no cgroups here) --
if is_root; then
        OCI_SET='c["linux"]["cgroupsPath"] = "voidshim-test/'"$$"'"; c["linux"]["resources"] = {"pids": {"limit": 64}}' \
                config /probe sleep 100
        create --bundle "$B" c9 && oci start c9
        t_ok "pause" oci pause c9
        t_match "...state: paused" '"status": "paused"' oci state c9
        t_ok "resume" oci resume c9
        t_match "...state: running" '"status": "running"' oci state c9
        pidsdir=$(grep ':pids:' /proc/"$(oci state c9 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')"/cgroup | cut -d: -f3)
        t_eq "linux.resources.pids applied to the container's cgroup" 64 cat "/sys/fs/cgroup/pids$pidsdir/pids.max"
        oci delete --force c9
        t_ok "delete removes the cgroups it made" test ! -e "/sys/fs/cgroup/pids$pidsdir"
fi

# ---- the default state root leaves voidshim's runtime directory alone -----------------------
# voidshim's runtime directory (XDG_RUNTIME_DIR/voidshim) must stay 0700, or every `exec --name`
# and `ctl` is refused: a state root made inside it would make it first, more open (0711).
XR="$T_TMP/xdg"
mkdir -m 0700 "$XR"
echo '{"voidshim": 1, "entrypoints": {"s": {"program": "/bin/sleep", "args": ["trailing"]}}}' >"$T_TMP/sleep.json"
chmod a+r "$T_TMP/sleep.json"
xenv() { env -u VOIDSHIM_RUNTIME_DIR XDG_RUNTIME_DIR="$XR" "$@"; }
config /probe true
xcreate() { xenv "$RT" create "$@" </dev/null >"$T_TMP/ctr.out" 2>"$T_TMP/ctr.err" || { cat "$T_TMP/ctr.err"; return 1; }; }
t_ok "default root: create" xcreate --bundle "$B" rd1
t_ok "default root: XDG_RUNTIME_DIR/voidshim-oci holds the state" test -d "$XR/voidshim-oci/rd1"
t_ok "default root: delete" xenv "$RT" delete --force rd1
t_eq "voidshim's runtime directory is not made by oci" "absent" \
        bash -c "[ -e '$XR/voidshim' ] && stat -c %a '$XR/voidshim' || echo absent"
xenv timeout 60 "$VS" exec --name rdx "$T_TMP/sleep.json" -- 30 >"$T_TMP/rdx.out" 2>&1 &
rdx=$!
for _ in $(seq 100); do
        xenv "$VS" ctl rdx list >/dev/null 2>&1 && break
        kill -0 $rdx 2>/dev/null || break
        sleep 0.05
done
t_match "after oci create/delete: exec --name runs and ctl list answers" "^void s.*running" xenv "$VS" ctl rdx list
xenv "$VS" ctl rdx stop >/dev/null 2>&1
kill $rdx 2>/dev/null
wait $rdx 2>/dev/null
t_eq "voidshim's runtime directory is 0700" "700" stat -c %a "$XR/voidshim"
xcreate --bundle "$B" rd2 >/dev/null
xenv "$RT" delete --force rd2 >/dev/null 2>&1
t_eq "an oci create afterwards leaves it 0700" "700" stat -c %a "$XR/voidshim"
mkdir -m 0777 "$T_TMP/open-root"
chmod 0777 "$T_TMP/open-root"
"$RT" --root "$T_TMP/open-root" create --bundle "$B" rd3 </dev/null >"$T_TMP/ctr.out" 2>"$T_TMP/ctr.err"
t_match "a state root others may write is refused" "not ours alone" cat "$T_TMP/ctr.err"
t_ok "...and nothing made in it" test -z "$(ls -A "$T_TMP/open-root")"
"$RT" --root "$T_TMP/open-root" delete --force rd3 >/dev/null 2>&1 # only had it been made

# ---- bad input: a line naming the field, exit 1, nothing left -----------------------------
mounts_before=$(wc -l </proc/self/mountinfo)
printf '{"ociVersion": "1.0.2", "root": {"path": "rootfs"},' >"$B/config.json"
t_golden "config.json that does not parse: FILE:LINE:COL" oci-bad-json 1 oci create --bundle "$B" b1
OCI_SET='c["process"]["args"] = "probe"' config
t_golden "a field of the wrong type: its JSON path" oci-bad-args 1 oci create --bundle "$B" b2
OCI_SET='c["linux"]["namespaces"].insert(0, {"type": "foo"})' config /probe true
t_golden "an unknown namespace type: its JSON path" oci-bad-ns 1 oci create --bundle "$B" b3
OCI_SET='c["mounts"].append({"destination": "/x", "type": "bind", "source": "/nonexistent-vs", "options": ["rbind"]})' \
        config /probe true
t_golden "a bind source that does not exist: named" oci-bad-bind 1 oci create --bundle "$B" b4
config /nonexistent-vs
t_golden "a program that does not exist: create fails" oci-no-program 1 oci create --bundle "$B" b5
OCI_SET='c["linux"]["resources"] = {"blockIO": {"weight": 10}}' config /probe true
t_golden "a resource voidshim cannot apply: refused" oci-refused 1 oci create --bundle "$B" b6
t_golden "an id runc would refuse" oci-bad-id 1 oci create --bundle "$B" "../x"
t_eq "nothing left of the failed creates" "none" leftovers
t_eq "...and no mount" "$mounts_before" bash -c 'wc -l </proc/self/mountinfo'

config /probe true
t_match "explain --oci: the void's root is the bundle's rootfs" "root: host $B/rootfs .bind, a container image's" \
        "$VS" explain --oci "$B"
t_eq "explain --oci --json: the plan's root" "$B/rootfs" \
        bash -c "'$VS' explain --oci '$B' --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j[\"plan\"][\"root\"][\"dir\"] if j[\"plan\"][\"container\"][\"image_root\"] else None)'"

t_done
