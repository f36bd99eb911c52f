#!/bin/bash
# Profiles: the shipped presets run what they say and hold nothing else; --profile and a spec's
# "profiles" are the same grants; where profiles are found; bad profiles get one line and exit 100.
. "${LIB:-$(dirname "$0")/lib.sh}"
require_userns

# Where profiles are found: a HOME of the test's own, so that the message is the same for every user.
export HOME=$T_TMP/home XDG_CONFIG_HOME=
mkdir -p "$HOME/.config/voidshim/profiles"
for p in host-usr shell python3 git; do
        t_match "profile $p: explain names it and marks its mounts" "\[profile $p\]" \
                "$VS" run --profile "$p" --explain -- /bin/true
done

# host-usr: programs run; the accounts file names the void's ids; nothing of the host's /etc beyond it.
t_eq "host-usr: a dynamic program runs" "hello" "$VS" run --profile host-usr -- /bin/echo hello
t_eq "host-usr: /etc/passwd names uid 0 root" "root" "$VS" run --profile host-usr -- /usr/bin/id -un
me=$(id -un)
t_eq "host-usr with --uid 1000: the void's uid has the caller's name" "$me 1000" \
        "$VS" run --profile host-usr --uid 1000 --gid 1000 -- /bin/sh -c 'echo "$(id -un) $(id -u)"'
t_eq "host-usr: /etc/passwd holds only the void's ids and nobody" "2" \
        bash -c '"$VS" run --profile host-usr -- /bin/cat /etc/passwd | wc -l'
for f in /etc/shadow /etc/hostname /etc/ssl/private /home /root /run /var /tmp; do
        t_eq "host-usr: $f is not there" "ENOENT" void --profile host-usr -- "$PROBE" stat "$f"
done
t_eq "host-usr: /usr is read-only" "EROFS" void --profile host-usr -- "$PROBE" write /usr/voidshim-test
t_eq "host-usr: the CA certificates are" "ok" void --profile host-usr -- "$PROBE" open /etc/ssl/certs/ca-certificates.crt

# shell: a script with sed and awk, a background job (needs /dev/null), a writable /tmp.
cat >"$T_TMP/job.sh" <<'EOF'
#!/bin/sh
printf 'a b\nc d\n' | sed 's/a/A/' | awk '{ print $2 $1 }' &
wait
echo done >/tmp/x && cat /tmp/x
EOF
chmod 755 "$T_TMP/job.sh"
t_eq "shell: sed, awk, a background job and /tmp" "bA dc done" \
        bash -c '"$VS" run --profile shell --ro-bind "$1" /job.sh -- /job.sh | tr "\n" " " | sed "s/ $//"' _ "$T_TMP/job.sh"
t_match "without the shell profile's /dev, the background job has no /dev/null" "cannot open /dev/null" \
        "$VS" run --profile host-usr --tmpfs /tmp --ro-bind "$T_TMP/job.sh" /job.sh -- /job.sh

# python3: ssl and json, which --libs python3 alone cannot give (they are dlopen()ed).
if [ -x /usr/bin/python3 ]; then
        t_eq "python3: import ssl, json" "ok [1]" \
                "$VS" run --profile python3 -- python3 -c 'import ssl, json; print("ok", json.dumps([1]))'
        t_fails "python3: --libs python3 alone cannot import ssl" \
                "$VS" run --libs python3 -- python3 -c 'import ssl'
else
        t_skip "python3 profile" "no /usr/bin/python3"
fi

# git: status in a repository the caller grants.
if command -v git >/dev/null; then
        repo=$T_TMP/repo
        git init -q "$repo" && echo a >"$repo/a" && git -C "$repo" add a &&
                git -C "$repo" -c user.email=t@t -c user.name=t commit -qm one
        echo b >"$repo/b"
        t_match "git: status in a granted repository" "Untracked files" \
                "$VS" run --profile git --bind "$repo" "$repo" --chdir "$repo" -- git status
        t_eq "git: the repository's neighbours are not there" "ENOENT" \
                void --profile git --bind "$repo" "$repo" -- "$PROBE" stat "$T_TMP/job.sh"
else
        t_skip "git profile" "no git"
fi

# Combinable, in command-line order: a later grant goes over a profile's.
echo mine >"$T_TMP/mine" && chmod 644 "$T_TMP/mine"
t_eq "--profile with another grant: both" "mine" \
        "$VS" run --profile host-usr --ro-bind "$T_TMP/mine" /etc/mine -- /bin/cat /etc/mine
t_eq "a grant after --profile goes over it" "mine" \
        "$VS" run --profile host-usr --ro-bind "$T_TMP/mine" /etc/passwd -- /bin/cat /etc/passwd

# Where profiles come from: the user's own first, then the shipped ones; a path is a file.
cat >"$HOME/.config/voidshim/profiles/host-usr.json" <<'EOF'
{ "voidshim-profile": 1, "description": "the user's own", "mounts": [ { "tmpfs": "/mine" } ] }
EOF
t_match "the user's ~/.config/voidshim/profiles comes first" "/mine: empty tmpfs.*\[profile host-usr\]" \
        "$VS" run --profile host-usr --explain -- /bin/true
rm "$HOME/.config/voidshim/profiles/host-usr.json"
cat >"$T_TMP/my.json" <<'EOF'
{ "voidshim-profile": 1, "profiles": [ "host-usr" ], "env": { "MINE": "yes" } }
EOF
t_eq "--profile ./FILE: a profile file, building on a shipped one" "yes" \
        "$VS" run --profile "$T_TMP/my.json" -- /bin/sh -c 'echo $MINE'

# Bad profiles: one line, the option and the cause, exit 100, nothing started.
t_golden "--profile with no such profile: names where it looked" profile-missing 100 \
        "$VS" run --profile nope-vs -- "$PROBE" true
printf '{ "voidshim-profile": 1,\n  "chdir": "/x" }\n' >"$T_TMP/sets.json"
t_golden "a profile that sets instead of granting" profile-sets 100 "$VS" run --profile "$T_TMP/sets.json" -- "$PROBE" true
printf '{ "voidshim-profile": 1,\n  "profiles": [ "%s" ] }\n' "$T_TMP/loop.json" >"$T_TMP/loop.json"
t_golden "a profile that builds on itself" profile-cycle 100 "$VS" run --profile "$T_TMP/loop.json" -- "$PROBE" true
printf '{ "voidshim-profile": 1,, }\n' >"$T_TMP/syntax.json"
t_golden "a profile that is not JSON" profile-syntax 100 "$VS" run --profile "$T_TMP/syntax.json" -- "$PROBE" true

# A spec's "profiles": the same grants as --profile, checked with the spec, shown by explain.
cat >"$T_TMP/app.json" <<EOF
{ "voidshim": 1,
  "entrypoints": { "py": { "program": "/bin/sh", "args": [ "trailing" ],
    "void": { "profiles": [ "shell" ], "stdout": true, "stderr": true } } } }
EOF
t_ok "a spec with profiles passes check" "$VS" check "$T_TMP/app.json"
t_eq "exec: the profile's grants" "ok" "$VS" exec "$T_TMP/app.json" -- -c 'echo x | sed s/x/ok/'
t_match "explain: names the profile and its file" "profile shell: from .*/profiles/shell.json" \
        "$VS" explain "$T_TMP/app.json"
"$VS" run --explain --json --profile shell -- /bin/true >"$T_TMP/run.json" 2>&1
"$VS" explain --json "$T_TMP/app.json" >"$T_TMP/spec.json" 2>&1
t_ok "run --profile and a spec's profiles: the same mounts, each labelled" python3 - "$T_TMP/run.json" "$T_TMP/spec.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["void"]["mounts"]
spec = json.load(open(sys.argv[2]))["entrypoints"][0]["void"]["mounts"]
# The spec also binds its program's ELF closure (exec fresh): compare what the profiles gave.
labelled = lambda ms: [m for m in ms if m.get("label", "").startswith("profile ")]
assert len(labelled(run)) == len(run) and len(run) > 20, run
assert labelled(run) == labelled(spec), (run, spec)
PY
cat >"$T_TMP/bad.json" <<EOF
{ "voidshim": 1, "environment": { "dev": "denied" },
  "entrypoints": { "x": { "program": "/bin/true",
    "void": { "profiles": [ "shell", "nope-vs" ] } } } }
EOF
t_golden "check: a profile's grant against a denied server, and a missing profile, at their line and column" \
        profile-spec-errors 100 "$VS" check "$T_TMP/bad.json"

t_done
