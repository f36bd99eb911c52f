#!/bin/bash
# make install into a fresh PREFIX and use what it installed, as a user would: the binary finds the
# shipped profiles there (not in the build tree), every man page renders without a warning, the
# bash completion completes, the shipped specs pass check; then make uninstall leaves no file.
# Usage: check-install.sh MAKE.  TAP on stdout.
set -u
MAKE=${1:-make}
n=0 fails=0
check() { # DESC STATUS [DETAIL]
        n=$((n + 1))
        if [ "$2" = 0 ]; then echo "ok $n - $1"; else
                echo "not ok $n - $1"; [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'; fails=$((fails + 1))
        fi
}
P=$(mktemp -d /tmp/voidshim-install.XXXXXX) || exit 1
trap 'rm -rf "$P"' EXIT
chmod 755 "$P"

out=$($MAKE --no-print-directory install PREFIX="$P" 2>&1)
check "make install PREFIX=$P" $? "$out"
VS=$P/bin/voidshim
"$VS" version >/dev/null
check "the installed voidshim runs" $?
got=$("$P/bin/voidshim-runc" --version 2>&1 | head -1)
grep -q "^voidshim version " <<<"$got"
check "the installed voidshim-runc is the OCI runtime (runc's --version)" $? "$got"
for p in host-usr shell python3 git; do
        [ -f "$P/share/voidshim/profiles/$p.json" ]
        check "profile $p is installed" $?
done
# Run from elsewhere, so that no build tree is next to the binary: the profile comes from PREFIX.
got=$(cd / && "$VS" run --profile host-usr --explain -- /bin/true 2>&1 | head -1)
grep -q "from $P/share/voidshim/profiles/host-usr.json" <<<"$got"
check "the installed voidshim finds its profiles under PREFIX/share/voidshim" $? "$got"
for m in voidshim voidshim-run voidshim-exec voidshim-check voidshim-explain voidshim-ctl voidshim-learn voidshim-oci; do
        f=$P/share/man/man1/$m.1
        w=$( [ -f "$f" ] && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
        [ -f "$f" ] && [ -z "$w" ]
        check "man page $m(1) installed, renders without a warning" $? "$w"
done
w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$P/share/man/man5/voidshim-spec.5" 2>&1 >/dev/null)
[ -f "$P/share/man/man5/voidshim-spec.5" ] && [ -z "$w" ]
check "man page voidshim-spec(5) installed, renders without a warning" $? "$w"
out=$("$VS" check "$P"/share/voidshim/specs/*.json 2>&1)
check "the installed specs pass the installed voidshim's check" $? "$out"
got=$(bash -c 'source "$1"; PATH=$2:$PATH; COMP_WORDS=(voidshim run --profile ""); COMP_CWORD=3; _voidshim; echo "${COMPREPLY[*]}"' \
        _ "$P/share/bash-completion/completions/voidshim" "$P/bin")
[ "$got" = "git host-usr python3 shell" ]
check "bash completion completes --profile with the installed profiles" $? "got: $got"
got=$(bash -c 'source "$1"; PATH=$2:$PATH; COMP_WORDS=(voidshim le); COMP_CWORD=1; _voidshim; echo "${COMPREPLY[*]}"' \
        _ "$P/share/bash-completion/completions/voidshim" "$P/bin")
[ "$got" = "learn" ]
check "bash completion completes the commands" $? "got: $got"
got=$(bash -c 'source "$1"; PATH=$2:$PATH; COMP_WORDS=(voidshim session b); COMP_CWORD=2; _voidshim; echo "${COMPREPLY[*]}"' \
        _ "$P/share/bash-completion/completions/voidshim" "$P/bin")
[ "$got" = "begin" ]
check "bash completion completes session's subcommands" $? "got: $got"
out=$($MAKE --no-print-directory uninstall PREFIX="$P" 2>&1)
check "make uninstall PREFIX=$P" $? "$out"
left=$(find "$P" -type f -o -type l)
[ -z "$left" ]
check "make uninstall leaves no file behind" $? "left: $left"
echo "1..$n"
exit $((fails > 0))
