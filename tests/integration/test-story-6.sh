#!/bin/bash
# Story 6: a POLA launcher, then a powerbox.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
t_match "only the binary, its libraries and /dev/null: /etc is absent" "No such file" \
        "$VS" run --libs /bin/ls --ro-bind /dev/null /dev/null -- /bin/ls /etc
t_match "the root holds the binary's closure and /dev, nothing else" "^(bin|dev|lib|lib64|usr)( (bin|dev|lib|lib64|usr))*$" \
        bash -c "'$VS' run --libs /bin/ls --ro-bind /dev/null /dev/null -- /bin/ls / | tr '\n' ' ' | sed 's/ $//'"
t_eq "/dev holds only null" "null" "$VS" run --libs /bin/ls --ro-bind /dev/null /dev/null -- /bin/ls /dev
t_skip "powerbox: a directory granted while the program runs appears without restart" \
        "pending: needs an inbox mount propagated into the void (parent shared, void slave) and 'voidshim ctl NAME grant PATH'; the builder makes the void's tree private and has no propagated inbox yet"
t_skip "powerbox: revoking the grant makes new opens fail" "pending: same ('voidshim ctl NAME ungrant PATH', a MNT_DETACH in the inbox)"
t_done
