#!/bin/bash
# The gzip examples (doc/examples/gzip.md): Debian's unmodified gzip under specs/gzip.json, and
# vgzip (examples/gzip) under specs/gzip-zlib.json, whose per-file worker void holds only its fds.
# Both get the directories of the files named on the command line from their specs ("bind-cmdline").
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

APPS=${STAGE:-.}/apps SPECS=${STAGE:-.}/specs
VGZIP=$APPS/vgzip HOSTILE=$APPS/hostile
for f in "$VGZIP" "$HOSTILE"; do
        if [ ! -x "$f" ]; then
                t_skip "all tests in $(basename "$0")" "no $f (make examples)"
                t_done
        fi
done
command -v jq >/dev/null || { t_skip "all tests in $(basename "$0")" "no jq (ci/install-deps.sh)"; t_done; }
tmp=$T_TMP

# The shipped specs point at ../build; the staged copies of the programs live in $APPS.
jq --arg p "$VGZIP" --arg sc "$SPECS/seccomp/gzip-worker.policy" \
        '.program = $p | .entrypoints.worker.void.seccomp = $sc' "$SPECS/gzip-zlib.json" >"$tmp/zlib.json"
# Exactly as a user types them: voidshim exec SPEC -- gzip's own arguments.
GNU="$VS exec $SPECS/gzip.json --"
VZ="$VS exec $tmp/zlib.json --"

t_ok "voidshim check accepts specs/gzip.json" "$VS" check "$SPECS/gzip.json"
t_ok "voidshim check accepts specs/gzip-zlib.json (as staged)" "$VS" check "$tmp/zlib.json"

# ---- 1. Debian's gzip, unmodified ----------------------------------------------------------
mkdir -p "$tmp/gnu/a" "$tmp/gnu/b" "$tmp/ref"
cp /usr/share/doc/bash/copyright "$tmp/gnu/a/file"
head -c 200000 /usr/share/doc/bash/copyright /usr/share/doc/*/copyright 2>/dev/null | head -c 300000 >"$tmp/gnu/b/big"
touch -d '2021-02-03 04:05:06' "$tmp/gnu/a/file" "$tmp/gnu/b/big"
cp -p "$tmp/gnu/a/file" "$tmp/gnu/b/big" "$tmp/ref/"
(cd "$tmp/ref" && gzip -c file >file.gz && gzip -9 -c file >file.9.gz && gzip -n -c big >big.n.gz && gzip -9 -c big >big.9.gz)
t_ok "gzip FILE in a void exits 0" $GNU "$tmp/gnu/a/file"
t_check "FILE.gz appears and FILE goes" "$([ -f "$tmp/gnu/a/file.gz" ] && [ ! -e "$tmp/gnu/a/file" ]; echo $?)"
t_ok "... byte-identical to gzip on the host (name and mtime in the header too)" cmp "$tmp/gnu/a/file.gz" "$tmp/ref/file.gz"
(cd "$tmp/gnu/b" && $GNU -n big 2>&1)
t_ok "a relative name, -n: byte-identical to gzip -n" cmp "$tmp/gnu/b/big.gz" "$tmp/ref/big.n.gz"
t_ok "gzip -d in a void restores the file" $GNU -d "$tmp/gnu/b/big.gz"
t_ok "... exactly" cmp "$tmp/gnu/b/big" "$tmp/ref/big"
$GNU -d "$tmp/gnu/a/file.gz"
t_ok "two files in two directories in one run (-9)" $GNU -9 "$tmp/gnu/b/big" "$tmp/gnu/a/file"
t_ok "... -9 output identical to gzip -9" cmp "$tmp/gnu/b/big.gz" "$tmp/ref/big.9.gz"
t_ok "... for both" cmp "$tmp/gnu/a/file.gz" "$tmp/ref/file.9.gz"
t_status "a missing file: gzip's own status, 1" 1 $GNU "$tmp/gnu/a/nope"
t_eq "... gzip's own message, and no line of the shim's" "gzip: $tmp/gnu/a/nope: No such file or directory" \
        sh -c "$GNU '$tmp/gnu/a/nope' 2>&1"
t_eq "a file in /: the shim refuses to grant the root directory" \
        "voidshim: fatal: unable to grant the directory of /nope.gz: it is the root directory" sh -c "$GNU -d /nope.gz 2>&1"
cp -p "$tmp/ref/file" "$tmp/gnu/a/file2"
t_ok "options after --, and a relative path through ..: gzip -- ../a/file2" sh -c "cd '$tmp/gnu/b' && $GNU -- ../a/file2"
t_check "... file2.gz appears and file2 goes" "$([ -f "$tmp/gnu/a/file2.gz" ] && [ ! -e "$tmp/gnu/a/file2" ]; echo $?)"
t_ok "stdin to stdout: no path, no grant" sh -c "$GNU -c <'$tmp/ref/big' | gzip -dc | cmp - '$tmp/ref/big'"
# What the void holds: the probe in gzip's place, under the same spec, run as gzip would be.
# (The probe is static: "libs" gives its void what "exec": "fresh" gives gzip's, gzip's closure.)
probe_as_gzip() { # CMD...: the probe runs CMD; the trailing words (the files) follow it and grant as for gzip
        jq --arg p "$PROBE" --argjson argv "$(printf '%s\n' "$@" | jq -R . | jq -s .)" \
                '.entrypoints.gzip.program = $p | .entrypoints.gzip.void.libs = ["/usr/bin/gzip"]
                 | .entrypoints.gzip.argv = $argv' "$SPECS/gzip.json" >"$tmp/gnu-probe.json"
}
probe_as_gzip ls /
t_eq "the gzip void's root holds only the loader's paths and the granted directory" "ok lib lib64 tmp usr" \
        sh -c "'$VS' exec '$tmp/gnu-probe.json' -- '$tmp/gnu/a/file.gz' | tr '\n' ' ' | sed 's/ \$//'"
probe_as_gzip ls "$tmp/gnu"
t_eq "... the granted directory is the file's, nothing else of $tmp" "ok a" "$VS" exec "$tmp/gnu-probe.json" -- "$tmp/gnu/a/file.gz"
probe_as_gzip chdir-pwd
t_eq "... it starts in the caller's directory, so relative names work" "ok $tmp/gnu/a" \
        sh -c "cd '$tmp/gnu/a' && '$VS' exec '$tmp/gnu-probe.json' -- file.gz"
probe_as_gzip ls /usr/bin
t_eq "... /usr/bin holds only gzip" "ok gzip" "$VS" exec "$tmp/gnu-probe.json" -- "$tmp/gnu/a/file.gz"
probe_as_gzip open /etc/passwd
t_match "... /etc/passwd is not there" "^ENOENT" "$VS" exec "$tmp/gnu-probe.json" -- "$tmp/gnu/a/file.gz"
probe_as_gzip write "$tmp/outside"
t_match "... nothing outside the granted directory can be written" "^(ENOENT|EROFS|EACCES)" \
        "$VS" exec "$tmp/gnu-probe.json" -- "$tmp/gnu/a/file.gz"

# ---- 2. vgzip: the worker parses, the opener renames ------------------------------------------
mkdir -p "$tmp/z"
cp -p "$tmp/ref/big" "$tmp/z/big"
t_ok "vgzip FILE exits 0" $VZ "$tmp/z/big"
t_check "FILE.gz appears and FILE goes" "$([ -f "$tmp/z/big.gz" ] && [ ! -e "$tmp/z/big" ]; echo $?)"
t_ok "GNU gzip decompresses it byte-exact" sh -c "gzip -dc '$tmp/z/big.gz' | cmp - '$tmp/ref/big'"
t_ok "its mtime and mode are the input's" sh -c "[ \$(stat -c %Y:%a '$tmp/z/big.gz') = \$(stat -c %Y:%a '$tmp/ref/big') ]"
t_ok "vgzip -d restores it exactly" sh -c "$VZ -d '$tmp/z/big.gz' && cmp '$tmp/z/big' '$tmp/ref/big'"
t_ok "vgzip -d of GNU gzip's output (with a name in the header)" \
        sh -c "cp '$tmp/ref/file.gz' '$tmp/z/' && $VZ -d '$tmp/z/file.gz' && cmp '$tmp/z/file' '$tmp/ref/file'"
t_ok "-k keeps the input" sh -c "$VZ -k '$tmp/z/file' && [ -f '$tmp/z/file' ] && gzip -t '$tmp/z/file.gz'"
t_ok "-c writes to stdout and keeps the file" sh -c "$VZ -c '$tmp/z/file' >'$tmp/z/c.gz' && [ -f '$tmp/z/file' ] && gzip -dc '$tmp/z/c.gz' | cmp - '$tmp/ref/file'"
t_ok "stdin to stdout" sh -c "$VZ <'$tmp/ref/big' | gzip -dc | cmp - '$tmp/ref/big'"
t_ok "-d stdin to stdout" sh -c "gzip -c '$tmp/ref/big' | $VZ -d | cmp - '$tmp/ref/big'"
t_ok "-1 and -9 both round-trip, and -9 is smaller" sh -c "$VZ -1 <'$tmp/ref/big' >'$tmp/z/1.gz' && $VZ -9 <'$tmp/ref/big' >'$tmp/z/9.gz' &&
        gzip -dc '$tmp/z/1.gz' | cmp - '$tmp/ref/big' && gzip -dc '$tmp/z/9.gz' | cmp - '$tmp/ref/big' &&
        [ \$(stat -c %s '$tmp/z/9.gz') -lt \$(stat -c %s '$tmp/z/1.gz') ]"
t_ok "concatenated members decompress as one stream" bash -c "cat '$tmp/z/1.gz' '$tmp/z/9.gz' | $VZ -d | cmp - <(cat '$tmp/ref/big' '$tmp/ref/big')"
t_ok "an empty file round-trips" sh -c ": >'$tmp/z/empty' && $VZ '$tmp/z/empty' && gzip -dc '$tmp/z/empty.gz' | cmp - /dev/null"

# ---- 3. a corpus: the first 300 regular files under /usr/share/doc --------------------------
mkdir -p "$tmp/corpus" "$tmp/orig" "$tmp/gnugz" "$tmp/debgz"
i=0
while IFS= read -r f && [ $i -lt 300 ]; do
        [ -r "$f" ] || continue
        i=$((i + 1)); b=$(printf '%03d_%s' $i "$(basename "$f")")
        case $b in
        *.gz) cp "$f" "$tmp/debgz/$b"; gzip -dc "$f" >"$tmp/orig/${b%.gz}" 2>/dev/null || cp "$f" "$tmp/orig/${b%.gz}" ;;
        *) cp "$f" "$tmp/orig/$b" ;;
        esac
done < <(find /usr/share/doc -type f 2>/dev/null | LC_ALL=C sort)
cp -p "$tmp/orig/"* "$tmp/corpus/"
(cd "$tmp/gnugz" && cp -p "$tmp/orig/"* . && gzip -9 -- *)
bytes=$(cat "$tmp/orig/"* | wc -c)
start=$(date +%s%N)
(cd "$tmp/corpus" && $VZ -- * 2>"$tmp/corpus.err")
rc=$?; ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# corpus: $i files, $bytes bytes: vgzip compressed them in $ms ms (one worker void per file)"
t_check "vgzip compresses the $i-file corpus in one run" "$rc" "$(head -5 "$tmp/corpus.err")"
bad=0; for f in "$tmp/orig/"*; do gzip -dc "$tmp/corpus/$(basename "$f").gz" 2>/dev/null | cmp -s - "$f" || bad=$((bad + 1)); done
t_eq "GNU gzip decompresses all $i byte-exact" "0" echo $bad
start=$(date +%s%N)
(cd "$tmp/gnugz" && $VZ -d -- *.gz 2>"$tmp/corpus.err")
rc=$?; ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# corpus: vgzip -d of GNU gzip -9's output in $ms ms"
t_check "vgzip decompresses GNU gzip -9's output of the corpus" "$rc" "$(head -5 "$tmp/corpus.err")"
bad=0; for f in "$tmp/orig/"*; do cmp -s "$tmp/gnugz/$(basename "$f")" "$f" || bad=$((bad + 1)); done
t_eq "... all $i byte-exact" "0" echo $bad
n_deb=$(ls "$tmp/debgz" | wc -l)
(cd "$tmp/debgz" && $VZ -d -- *.gz 2>"$tmp/corpus.err")
bad=0; for f in "$tmp/debgz/"*; do [ -f "$tmp/orig/$(basename "$f")" ] && { cmp -s "$f" "$tmp/orig/$(basename "$f")" || bad=$((bad + 1)); }; done
t_eq "vgzip -d of the $n_deb .gz files Debian shipped in that corpus: byte-exact" "0" echo $bad

# ---- 4. bad input: one clear line, input intact, no partial output ----------------------------
mkdir -p "$tmp/bad"
cp "$tmp/ref/big.9.gz" "$tmp/bad/corrupt.gz"
printf '\xff\xff\xff\xff' | dd of="$tmp/bad/corrupt.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
head -c 20000 "$tmp/ref/big.9.gz" >"$tmp/bad/trunc.gz"
printf 'not gzip at all\n' >"$tmp/bad/garbage.gz"
cp "$tmp/bad/"*.gz "$tmp/ref/" 2>/dev/null
# leftovers: anything in bad/ but the inputs themselves
leftovers() { ls -A "$tmp/bad" | grep -v -x -e corrupt.gz -e trunc.gz -e garbage.gz -e ro | tr '\n' ' '; }
for f in corrupt trunc garbage; do
        out=$($VZ -d "$tmp/bad/$f.gz" 2>&1 >/dev/null); rc=$?
        t_check "$f.gz: exit 1" "$([ $rc = 1 ]; echo $?)" "exit $rc: $out"
        first=$(printf '%s\n' "$out" | head -1)
        t_check "$f.gz: one clear line first: $first" \
                "$([[ $first =~ ^gzip:\ .*$f.gz:\ (invalid\ compressed\ data|unexpected\ end\ of\ file) ]]; echo $?)" "$out"
        t_ok "$f.gz: the input is intact" cmp "$tmp/bad/$f.gz" "$tmp/ref/$f.gz"
        t_eq "$f.gz: no output and no temporary file left" "" leftovers
done
t_match "a missing file: one line naming it" "^gzip: $tmp/bad/missing: No such file or directory" $VZ "$tmp/bad/missing"
mkdir -p "$tmp/bad/ro"; cp "$tmp/ref/file" "$tmp/bad/ro/file"; chmod 555 "$tmp/bad/ro"
t_match "an unwritable output directory: one line, Permission denied" \
        "^gzip: $tmp/bad/ro/file.gz: cannot create: Permission denied" $VZ "$tmp/bad/ro/file"
t_ok "... the input is intact" cmp "$tmp/bad/ro/file" "$tmp/ref/file"
t_eq "... and nothing was created" "file" ls -A "$tmp/bad/ro"
chmod 755 "$tmp/bad/ro"
cp "$tmp/ref/file" "$tmp/bad/ro/file"; : >"$tmp/bad/ro/file.gz"
t_match "an existing output is not overwritten without -f" "file.gz: already exists" $VZ "$tmp/bad/ro/file"
t_ok "... the input is intact" cmp "$tmp/bad/ro/file" "$tmp/ref/file"

# ---- 5. proof: hostile parts under the same spec ---------------------------------------------
# A loopback server on the host the hostile parts try to reach.
"$PROBE" serve 0 >"$tmp/serve.out" 2>&1 &
srv=$!; t_at_exit "kill $srv 2>/dev/null"
for _ in $(seq 50); do grep -q '^ok' "$tmp/serve.out" && break; sleep 0.1; done
port=$(awk '/^ok/ {print $2}' "$tmp/serve.out")
# The worker replaced: it reports into its output fd and answers "ok", so the opener keeps the report.
jq --arg h "$HOSTILE" --arg port "${port:-1}" --arg w "$tmp/outside-worker" --arg pid "$$" \
        '.entrypoints.worker.program = $h
         | .entrypoints.worker.argv = ["--report", "trigger.1", "--answer", "trigger.2", "--port", $port,
                                       "--pid", $pid, "--write", $w, "--key", "/etc/shadow"]' \
        "$tmp/zlib.json" >"$tmp/hostile-worker.json"
mkdir -p "$tmp/h"; cp "$tmp/ref/file" "$tmp/h/victim"
"$VS" exec "$tmp/hostile-worker.json" -- -k "$tmp/h/victim" 2>"$tmp/h.err"
rep=$(cat "$tmp/h/victim.gz" 2>/dev/null)
echo "$rep" | sed 's/^/#   worker: /'
t_match "the hostile worker ran and reported" "^hostile in entrypoint worker" echo "$rep"
for what in "open /etc/passwd" "open the key" "list /" "write /tmp/hostile" "write $tmp/outside-worker" "connect 127.0.0.1" \
        "see other pids" "kill -0 host pid" "ptrace host pid" "ptrace pid 1"; do
        line=$(grep -F "$what" <<<"$rep" | head -1)
        t_check "hostile worker: $what: fails (${line#*: })" "$([ -n "$line" ] && ! grep -q ': ok' <<<"$line"; echo $?)" "$line"
done
t_check "hostile worker: nothing appeared outside" "$([ ! -e "$tmp/outside-worker" ]; echo $?)"
# The opener replaced: it holds the directory (its job) but nothing else.
jq --arg h "$HOSTILE" --arg port "${port:-1}" --arg w "$tmp/outside-opener" \
        '.entrypoints.gzip.program = $h | .entrypoints.gzip.argv = ["--port", $port, "--write", $w]' \
        "$tmp/zlib.json" >"$tmp/hostile-opener.json"
rep=$("$VS" exec "$tmp/hostile-opener.json" -- "$tmp/h/victim" 2>&1)
echo "$rep" | sed 's/^/#   opener: /'
for what in "open /etc/passwd" "list /" "write /tmp/hostile" "write $tmp/outside-opener" "connect 127.0.0.1" "see other pids" \
        "ptrace pid 1"; do
        line=$(grep -F "$what" <<<"$rep" | head -1)
        t_check "hostile opener: $what: fails (${line#*: })" "$([ -n "$line" ] && ! grep -q ': ok' <<<"$line"; echo $?)" "$line"
done
t_check "hostile opener: nothing appeared outside" "$([ ! -e "$tmp/outside-opener" ]; echo $?)"
rm -f "$tmp/h/victim.gz"
t_ok "the real vgzip still works after the hostile runs" sh -c "$VZ '$tmp/h/victim' && gzip -dc '$tmp/h/victim.gz' | cmp - '$tmp/ref/file'"
t_done
