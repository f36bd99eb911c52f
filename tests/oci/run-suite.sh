#!/bin/bash
# Run the opencontainers/runtime-tools validation programs against one OCI runtime and record a
# verdict per program (doc/oci.md, "Conformance").  The suite is not part of voidshim: build it
# from its own repository (opencontainers/runtime-tools, commit 0105384, with its vendor/ tree:
# `GOFLAGS=-mod=vendor GOPROXY=off make runtimetest validation-executables`) and point RT_DIR at it.
#
#   RT_DIR=/path/to/runtime-tools RUNTIME=/path/to/runtime OUT=dir tests/oci/run-suite.sh [NAME...]
#
# Each validation/*/NAME.t runs under `timeout 120` from RT_DIR (it needs ./rootfs-amd64.tar.gz and
# ./runtimetest there); its TAP goes to OUT/NAME.tap.  Verdict, as the TAP says it: FAIL when the
# program exits non-zero, prints no plan, or any "not ok"; a "1..0" plan is SKIP, or FAIL when its
# diagnostics hold an "error" (the hook programs report failure only so); else PASS.  Two programs
# print nothing when the runtime does as asked (they expect the runtime to refuse the config, and
# only print, then exit 1, when it does not): process_capabilities_fail and process_rlimits_fail
# PASS on exit 0 with no TAP at all.
# OUT/summary.tsv holds one line per program; the last line printed is the total.
set -u
: "${RT_DIR:?RT_DIR: a built runtime-tools tree}" "${RUNTIME:?RUNTIME: the runtime to test}"
OUT=${OUT:-$PWD/oci-suite-$(basename "$RUNTIME")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$RT_DIR" || exit 1
[ -x ./runtimetest ] || { echo "no ./runtimetest in $RT_DIR: build the suite first" >&2; exit 1; }
if [ $# -gt 0 ]; then
        tests=$(for n in "$@"; do echo "validation/$n/$n.t"; done)
else
        tests=$(ls validation/*/*.t | sort)
fi
: > "$OUT/summary.tsv"
for t in $tests; do
        n=$(basename "$t" .t)
        RUNTIME=$RUNTIME timeout -k 5 120 "./$t" > "$OUT/$n.tap" 2> "$OUT/$n.err"
        rc=$?
        ok=$(grep -cE '^ok ' "$OUT/$n.tap")
        nok=$(grep -cE '^not ok ' "$OUT/$n.tap")
        skip=$(grep -ciE '^ok .*# skip' "$OUT/$n.tap")
        plan=$(grep -oE '^1\.\.[0-9]+' "$OUT/$n.tap" | head -1)
        v=PASS
        if [ "${plan:-none}" = 1..0 ]; then
                if grep -q '"error"' "$OUT/$n.tap"; then v=FAIL; else v=SKIP; fi
        fi
        if [ $rc -ne 0 ] || [ -z "$plan" ] || [ "$nok" -gt 0 ]; then v=FAIL; fi
        case $n in process_capabilities_fail | process_rlimits_fail)
                if [ $rc -eq 0 ] && ! grep -qvE '^TAP version' "$OUT/$n.tap"; then v=PASS; fi ;;
        esac
        printf '%s\t%s\trc=%s\tplan=%s\tok=%s\tskip=%s\tnot_ok=%s\n' "$n" "$v" "$rc" "${plan:-none}" \
                "$((ok - skip))" "$skip" "$nok" >> "$OUT/summary.tsv"
        printf '%-40s %s\n' "$n" "$v"
done
awk -F'\t' '{ c[$2]++ } END { printf "%d programs: %d PASS, %d FAIL, %d SKIP\n", NR, c["PASS"], c["FAIL"], c["SKIP"] }' \
        "$OUT/summary.tsv"
