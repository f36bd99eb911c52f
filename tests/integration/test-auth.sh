#!/bin/bash
# The auth server: the void's own ids (--uid, --gid) and nullauth (--server auth=denied), tried from inside.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
AT=${STAGE:-/nonexistent}/apps/auth_term
[ -x "$AT" ] || { t_skip "all auth tests" "no auth_term (make build/tests/apps/auth_term)"; t_done; }
me=$(id -u) mygid=$(id -g)

# --uid/--gid: the caller's one uid and gid are mapped to the ids asked for, and no other id exists.
t_eq "--uid/--gid: the ids inside" "ok 1000 1001 1000 1001" void --uid 1000 --gid 1001 -- "$PROBE" uid
t_eq "--uid alone: the gid stays 0" "ok 1000 0 1000 0" void --uid 1000 -- "$PROBE" uid
t_eq "--uid: the program ends with every capability set empty" "ok 0 0 0 BND=0 AMB=0" \
        void --uid 1000 --gid 1000 -- "$PROBE" caps
t_eq "--uid: no_new_privs" "ok 1" void --uid 1000 -- "$PROBE" nnp
t_match "--uid: uid 0 cannot be had back (it is not mapped)" "^(EINVAL|EPERM)$" void --uid 1000 -- "$AT" setuid 0
t_match "--gid: nor gid 0" "^(EINVAL|EPERM)$" void --gid 1000 -- "$AT" setgid 0
t_eq "--uid: changing to its own uid is no change, and allowed" "ok" void --uid 1000 -- "$AT" setuid 1000
t_eq "--uid: setgroups is denied" "EPERM" void --uid 1000 -- "$AT" setgroups
# The setup still has every capability in the namespace: /proc, /dev and binds work for a non-root void.
t_match "--uid: a fresh /proc and /dev are still set up" "^ok" void --uid 1000 --proc --dev -- "$PROBE" stat /proc/1
t_eq "--uid: a kept capability still reaches the program (ambient)" "ok 1000 1000 1000 BND=1000 AMB=1000" \
        void --uid 1000 --cap-add CAP_NET_ADMIN -- "$PROBE" caps
mkdir "$T_TMP/w"
t_eq "--uid: writes into a bind as that uid inside" "ok" \
        void --uid "$me" --gid "$mygid" --bind "$T_TMP/w" /w -- "$PROBE" write /w/f
owner=$(stat -c %u:%g "$T_TMP/w/f" 2>&1)
[ "$owner" = "$me:$mygid" ]
t_check "--uid: ... and the file is the caller's outside" $? "owner: $owner"
t_match "--uid: inside, the file is the void's uid" "^ok $me $mygid " \
        void --uid "$me" --gid "$mygid" --ro-bind "$T_TMP/w" /w -- "$PROBE" stat /w/f
if is_root; then # root's void is a uid of its own (test-identity.sh); root stays root only when asked
        t_match "--explain shows the ids (a host uid and gid of the void's own)" \
                "uid 1000 and gid 7 inside are a host uid and gid of the void's own" \
                "$VS" run --explain --uid 1000 --gid 7 -- /bin/true
        t_match "--explain shows the ids (--identity host: root's)" "uid 1000 and gid 7 inside are uid 0 and gid 0 outside" \
                "$VS" run --explain --identity host --uid 1000 --gid 7 -- /bin/true
else
        t_match "--explain shows the ids" "uid 1000 and gid 7 inside are uid $me and gid $mygid outside" \
                "$VS" run --explain --uid 1000 --gid 7 -- /bin/true
fi
t_status "--uid with --share user: exit 100" 100 void --uid 1000 --share user -- "$PROBE" true
t_status "--uid with net=proxied (the caretaker's user ns): exit 100" 100 void --uid 1000 --net-allow 80 -- "$PROBE" true
t_status "--uid -1 is not an id: exit 100" 100 void --uid -1 -- "$PROBE" true
t_status "--gid 4294967295 is not an id: exit 100" 100 void --gid 4294967295 -- "$PROBE" true

# auth denied = nullauth: uid and gid 65534, no capabilities, no_new_privs, no call changes an id.
t_eq "auth denied: uid and gid 65534" "ok 65534 65534 65534 65534" void --server auth=denied -- "$PROBE" uid
t_eq "auth denied: no capabilities in any set" "ok 0 0 0 BND=0 AMB=0" void --server auth=denied -- "$PROBE" caps
t_eq "auth denied: no_new_privs" "ok 1" void --server auth=denied -- "$PROBE" nnp
t_eq "auth denied: setuid(0) is EPERM" "EPERM" void --server auth=denied -- "$AT" setuid 0
t_eq "auth denied: setgid(0) is EPERM" "EPERM" void --server auth=denied -- "$AT" setgid 0
t_eq "auth denied: even setuid(65534) is EPERM" "EPERM" void --server auth=denied -- "$AT" setuid 65534
t_eq "auth denied: setgroups is EPERM" "EPERM" void --server auth=denied -- "$AT" setgroups
# Supplementary groups: a caller with CAP_SETGID sheds them before the spawn; an unprivileged caller
# cannot (setgroups is "deny" in its user namespace), and inside each one reads as 65534.
if is_root; then
        t_eq "auth denied: no supplementary groups" "ok 65534 65534 groups=none" \
                void --server auth=denied -- "$AT" ids
else
        t_match "auth denied: every supplementary group left reads as 65534" "^ok 65534 65534 groups=(none|65534(,65534)*)$" \
                void --server auth=denied -- "$AT" ids
fi
t_eq "auth denied: the seccomp rules hold with --seccomp off too" "EPERM" \
        void --seccomp off --server auth=denied -- "$AT" setuid 0
t_eq "auth fresh (default): setgroups is still denied by the kernel" "EPERM" void -- "$AT" setgroups
t_status "auth denied with --cap-add is a contradiction (exit 100)" 100 \
        void --server auth=denied --cap-add CAP_NET_ADMIN -- "$PROBE" true
t_status "auth denied with --uid is a contradiction (exit 100)" 100 void --server auth=denied --uid 7 -- "$PROBE" true
t_status "auth denied with net=proxied: exit 100" 100 void --server auth=denied --net-allow 80 -- "$PROBE" true
t_match "--explain: auth denied lists its rules" "setuid -> errno EPERM" \
        "$VS" run --explain --server auth=denied -- /bin/true
t_status "auth proxied is refused (exit 100)" 100 void --server auth=proxied -- "$PROBE" true

t_done
