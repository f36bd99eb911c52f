#!/bin/bash
# Story 10: the sub-Hurd.  A tree's own init (runit, from Debian) as pid 1 of a void, starting a
# service; the session's end asks runit to stop; a console of its own.  Needs the run's Debian tree
# (t_tree: mmdebstrap and the mirror) and runit-init, installed into the tree's overlay here.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
export VOIDSHIM_RUNTIME_DIR="$T_TMP/run"
MIRROR=$(mirror_host)
bw=$(t_tree)
[ -n "$bw" ] && [ -n "$MIRROR" ] || { t_need "story 10" "no Debian tree (mmdebstrap, the mirror)"; t_done; }
t_at_exit "'$VS' session end setup >/dev/null 2>&1; '$VS' session end vm >/dev/null 2>&1"
up="$T_TMP/vm"
mkdir -p "$up"

# The tree's init and a service, into an upper of its own (the tree itself is never written).
t_ok "session begin setup --overlay ~/envs/bw --overlay-persist UP --chown-noop --net-allow tcp:$MIRROR:80" \
        "$VS" session begin setup --overlay "$bw" --overlay-persist "$up" --chown-noop --net-allow "tcp:$MIRROR:80"
t_match "apt-get install -y runit-init (maintainer scripts chown: --chown-noop)" "Setting up runit-init" \
        timeout 300 "$VS" session run setup -- apt-get install -y runit-init
t_ok "a service: /etc/sv/hello, enabled in /etc/service" "$VS" session run setup -- sh -c \
        'mkdir -p /etc/sv/hello && printf "#!/bin/sh\necho up > /run/hello.state\nexec sleep 100000\n" >/etc/sv/hello/run &&
         chmod +x /etc/sv/hello/run && ln -sf /etc/sv/hello /etc/service/hello'
"$VS" session end setup

t_ok "voidshim session begin vm --overlay ~/envs/bw --overlay-persist UP --boot" \
        "$VS" session begin vm --overlay "$bw" --overlay-persist "$up" --boot
t_match "session list: the tree's init is pid 1" "^vm	[0-9]+	boot	" "$VS" session list
for _ in $(seq 100); do "$VS" session run vm -- test -e /run/hello.state 2>/dev/null && break; sleep 0.1; done
t_eq "runit started the service" "up" "$VS" session run vm -- cat /run/hello.state
t_eq "pid 1 is runit" "runit" "$VS" session run vm -- cat /proc/1/comm
t_match "... which supervises the service" "runsv hello" "$VS" session run vm -- sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " "'
t_eq "a booted init gets CAP_SYS_BOOT and nothing else (its reboot(2) ends only the void)" "0000000000400000" \
        "$VS" session run vm -- sh -c "awk '/^CapEff/ {print \$2}' /proc/1/status"
start=$(date +%s%N)
t_ok "voidshim session end vm: runit is asked to stop (its stopit file, SIGCONT)" "$VS" session end vm
ms=$((($(date +%s%N) - start) / 1000000))
t_check "... and stops by itself, well before the 20 s after which it would be killed (${ms} ms)" \
        "$([ "$ms" -lt 15000 ]; echo $?)"
t_fails "... nothing of it runs" pgrep -f "runsvdir -P /etc/service"
t_eq "... nothing is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"

# voidshim boot DIR: in the foreground, the console relayed to this terminal.
if command -v python3 >/dev/null; then
        t_match "voidshim boot DIR: the init's console is a pty of its own (/dev/console)" "output: /dev/console" \
                timeout 60 python3 "$(dirname "$LIB")/ptyrun.py" -- "$VS" boot "$bw" -- /bin/sh -c tty
else
        t_need "voidshim boot: console" "python3 (ptyrun.py)"
fi
t_status "session begin --boot on a DIR that is not a tree: exit 100" 100 \
        "$VS" session begin vm2 --overlay "$T_TMP/run" --boot
t_golden "session begin --boot: an init that exits at once: one line, exit 111" session-init-exits 111 \
        "$VS" session begin vm3 --overlay "$bw" --boot -- /bin/sh -c 'exit 3'
t_eq "... and no session is left" "" ls -A "$VOIDSHIM_RUNTIME_DIR"
t_status "boot: an init that exits at once ends the void: its status" 3 \
        timeout 60 "$VS" boot "$bw" -- /bin/sh -c 'exit 3'
t_done
