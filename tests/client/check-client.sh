#!/bin/bash
# A client of the installed library, as a user of `make install` would be one (make check-client):
# the README's C example is compiled with `pkg-config --cflags --libs voidbuilder` against the staged
# install STAGE (make install DESTDIR=STAGE PREFIX=/usr), linked to the staged libvoidbuilder.so.0,
# and run under AddressSanitizer's leak checker; and every VB_API function that the installed header
# declares must be exported by the installed .so, and nothing else.  TAP on stdout.
# Usage: check-client.sh STAGE README WORKDIR [SANITIZE]
set -u
STAGE=$1 README=$2 W=$3 SAN=${4:-address}
LIBDIR=$STAGE/usr/lib
n=0 fails=0

check() { # DESC STATUS [DETAIL]
        n=$((n + 1))
        if [ "$2" = 0 ]; then
                echo "ok $n - $1"
        else
                echo "not ok $n - $1"
                [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
                fails=$((fails + 1))
        fi
}
done_() { echo "1..$n"; exit $((fails > 0)); }

rm -rf "$W" && mkdir -p "$W" || exit 1

# The header's public functions: every `VB_API ... name(` declaration, joined across lines, in
# voidbuilder.h and the two parts of it that it includes (as installed).
cat "$STAGE/usr/include/voidbuilder.h" "$STAGE/usr/include/voidbuilder/helpers.h" \
        "$STAGE/usr/include/voidbuilder/container.h" | grep -v '^#' | tr '\n' ' ' | grep -o 'VB_API [^;#(]*(' |
        sed -E 's/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*) *\($/\1/' | sort -u >"$W/declared"
nm -D --defined-only "$LIBDIR/libvoidbuilder.so.0" | awk '$2 ~ /^[TWi]$/ { sub(/@.*/, "", $3); print $3 }' |
        sort -u >"$W/exported"
[ -s "$W/declared" ] && [ -s "$W/exported" ]
check "the installed header declares functions and the .so exports some" $? \
        "declared: $(wc -l <"$W/declared"), exported: $(wc -l <"$W/exported")"
missing=$(comm -23 "$W/declared" "$W/exported")
[ -z "$missing" ]
check "every VB_API function in voidbuilder.h is exported by libvoidbuilder.so.0" $? "not exported: $missing"
extra=$(comm -13 "$W/declared" "$W/exported")
[ -z "$extra" ]
check "libvoidbuilder.so.0 exports nothing voidbuilder.h does not declare" $? "undeclared: $extra"

# The README's block that starts with the "ls-void.c" comment, to its closing fence: the one source.
awk '/^```c$/ { getline l; if (l ~ /^\/\* ls-void\.c:/) on = 1; if (on) print l; next }
     on && /^```$/ { exit } on' "$README" >"$W/ls-void.c"
grep -q 'int main' "$W/ls-void.c"
check "the README has the ls-void.c example" $? "extracted: $(cat "$W/ls-void.c")"

# pkg-config finds the staged voidbuilder.pc first, and prefixes its paths with the stage.
pc() { PKG_CONFIG_PATH=$LIBDIR/pkgconfig PKG_CONFIG_SYSROOT_DIR=$STAGE pkg-config "$@"; }
where=$(pc --variable=pcfiledir voidbuilder 2>&1)
[ "$where" = "$LIBDIR/pkgconfig" ]
check "pkg-config reads the staged voidbuilder.pc" $? "pcfiledir: $where"
flags=$(pc --cflags --libs voidbuilder 2>&1)
check "pkg-config --cflags --libs voidbuilder (staged)" $? "$flags"
want=$(sed -n 's/^#define VB_VERSION "\(.*\)"/\1/p' "$STAGE/usr/include/voidbuilder.h")
got=$(pc --modversion voidbuilder 2>&1)
[ -n "$want" ] && [ "$got" = "$want" ]
check "voidbuilder.pc's version is the header's ($want)" $? "pc says: $got"

# A static link needs what the .so needs: Requires.private names exactly its libraries (but libc, and
# the sanitizers' runtimes of make SANITIZE=...).
needs=$(readelf -d "$LIBDIR/libvoidbuilder.so.0" | sed -n 's/.*(NEEDED).*\[\(lib[^.]*\)\.so.*\]/\1/p' |
        grep -vxE 'libc|lib(a|ub|l|t)san' | sort -u)
private=$(pc --print-requires-private voidbuilder 2>&1 | awk '{ print $1 }' | sort -u)
[ -n "$needs" ] && [ "$needs" = "$private" ]
check "voidbuilder.pc's Requires.private is what libvoidbuilder.so.0 needs" $? \
        "the .so needs: $(echo $needs)"$'\n'"Requires.private: $(echo $private)"

# -fsanitize: the leak checker, and whatever the library itself was built with (make SANITIZE=...).
# shellcheck disable=SC2086 # the flags are words
out=$(${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -g -fsanitize="$SAN" -fno-omit-frame-pointer \
        "$W/ls-void.c" -o "$W/ls-void" $flags 2>&1)
check "the README example compiles and links with pkg-config's flags alone" $? "$out"
[ -x "$W/ls-void" ] || done_

needed=$(readelf -d "$W/ls-void" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -qx 'libvoidbuilder.so.0' <<<"$needed" && ! nm "$W/ls-void" | grep -q ' T vb_void_spawn$'
check "it needs libvoidbuilder.so.0 and has no copy of the library in it" $? "NEEDED: $needed"
resolved=$(LD_LIBRARY_PATH=$LIBDIR ldd "$W/ls-void" 2>&1 | awk '$1 == "libvoidbuilder.so.0" { print $3 }')
[ "$resolved" = "$LIBDIR/libvoidbuilder.so.0" ]
check "the loader finds the staged libvoidbuilder.so.0" $? "libvoidbuilder.so.0 => $resolved"

# Both paths of the example: the void's root listed, and a missing program said in one line.
# ASan's own failures (a leak above all) exit 86, never the program's 0 or 111.
export ASAN_OPTIONS=exitcode=86:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
got=$(LD_LIBRARY_PATH=$LIBDIR timeout 60 "$W/ls-void" 2>"$W/err")
rc=$?
[ $rc = 0 ] && [ "$got" = "$(printf 'bin\nlib\nlib64\nproc\nusr')" ] && [ ! -s "$W/err" ]
check "ls-void lists the void's root (bin lib lib64 proc usr), leak-free" $? \
        "exit $rc"$'\n'"stdout: $got"$'\n'"stderr: $(cat "$W/err")"
got=$(LD_LIBRARY_PATH=$LIBDIR timeout 60 "$W/ls-void" /nonexistent 2>&1)
rc=$?
want="ls-void: computing the libraries of /nonexistent: missing /nonexistent: No such file or directory"
[ $rc = 111 ] && [ "$got" = "$want" ]
check "ls-void /nonexistent: one line, exit 111, its vb_error freed (leak-free)" $? "exit $rc"$'\n'"got: $got"
done_
