#!/bin/bash
# Story 5: fake root over my files.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns
mkdir -p "$T_TMP/work"
t_eq "uid 0 inside, with my own ids mapped" "ok 0 0 0 0" void --bind "$T_TMP/work" /work -- "$PROBE" uid
t_ok "root inside creates a file" void --bind "$T_TMP/work" /work -- "$PROBE" write /work/made-as-root
t_eq "...which belongs to me outside" "$(id -u):$(id -g)" stat -c %u:%g "$T_TMP/work/made-as-root"
t_eq "...and inside it is root's" "ok 0 0 644 file" void --bind "$T_TMP/work" /work -- "$PROBE" stat /work/made-as-root
t_done
