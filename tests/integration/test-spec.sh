#!/bin/bash
# voidshim check / explain on the shipped specs, and the exact error text of a bad one.
. "${LIB:-$(dirname "$0")/lib.sh}"
specs=${STAGE:-.}/specs
tmp=${T_TMP:-$(mktemp -d)}

for s in "$specs"/*.json; do
        t_status "$(basename "$s") passes voidshim check" 0 "$VS" check "$s"
        t_match "$(basename "$s") can be explained" '^entrypoint "' "$VS" explain "$s"
        t_match "$(basename "$s") can be drawn" '^digraph voidshim \{' "$VS" explain "$s" --dot
done

cat >"$tmp/bad.json" <<'JSON'
{
  "voidshim": 1,
  "environment": { "net": "denied" },
  "pipes": { "jobs": {} },
  "listeners": { "web": { "tcp": "127.0.0.1:8080" } },
  "entrypoints": {
    "main": { "porgram": "/bin/true", "args": [ { "listener": "web" } ] }
  }
}
JSON
# Parse errors first; the connection checks (the unused pipe) wait until the spec reads cleanly.
want="$tmp/bad.json:7:5: entrypoint \"main\" has no \"program\" (and there is no top-level one)
$tmp/bad.json:7:15: unknown key \"porgram\" in an entrypoint (did you mean \"program\"?)
$tmp/bad.json:7:49: a tcp listener contradicts the environment's \"net\": \"denied\"
voidshim: fatal: unable to use spec $tmp/bad.json: 3 errors"
t_status "a bad spec is exit 100" 100 "$VS" check "$tmp/bad.json"
got=$("$VS" check "$tmp/bad.json" 2>&1)
t_check "every error at once, as FILE:LINE:COL: message" "$([ "$got" = "$want" ]; echo $?)" \
        "expected:"$'\n'"$want"$'\n'"got:"$'\n'"$got"
t_status "exec refuses a bad spec before starting anything" 100 "$VS" exec "$tmp/bad.json"

if "$VS" run --exec-host -- "$PROBE" true >/dev/null 2>&1; then
        t_eq "specs/hello.json runs" "hello world" "$VS" exec "$specs/hello.json" -- hello world
        # The consumers run concurrently: their lines come in either order.
        sorted() { "$@" | sort; }
        t_eq "specs/pipe-demo.json: a consumer void per message" \
                "consume got: hello"$'\n'"consume got: world" sorted "$VS" exec "$specs/pipe-demo.json"
        echo "only this file" >"$tmp/shown"
        t_eq "specs/cat-file.json shows the one file named" "only this file" "$VS" exec "$specs/cat-file.json" -- "$tmp/shown"
        # Issue 4, gap 5: a spec named by a relative path, whose host paths are relative to it.  They are
        # taken from the spec's directory made absolute when it is loaded, whatever the working directory.
        mkdir -p "$tmp/app/specs" "$tmp/app/data" "$tmp/elsewhere"
        echo "from data" >"$tmp/app/data/hello"
        cat >"$tmp/app/specs/rel.json" <<JSON
{
  "voidshim": 1,
  "program": "$PROBE",
  "environment": { "exec": "denied" },
  "entrypoints": {
    "p": {
      "args": [ { "file": "../data/hello", "name": "hello" }, "trailing" ],
      "void": { "mounts": [ { "ro-bind": "../data", "at": "/data" } ], "stdout": true }
    }
  }
}
JSON
        t_ok "check of a spec named by a relative path" sh -c "cd '$tmp/app' && '$VS' check specs/rel.json"
        t_match "explain shows its relative bind source made absolute" "/data <- host $tmp/app/data " \
                sh -c "cd '$tmp/app' && '$VS' explain specs/rel.json"
        t_eq "exec of it: the relative bind source works (it used to fail: mount /data: Invalid argument)" \
                "ok from data" sh -c "cd '$tmp/app' && '$VS' exec specs/rel.json -- read /data/hello"
        t_eq "... so does its relative file arg" "ok from data" \
                sh -c "cd '$tmp/app' && '$VS' exec specs/rel.json -- read-fd 3"
        t_eq "... from another directory, through ../" "ok from data" \
                sh -c "cd '$tmp/elsewhere' && '$VS' exec ../app/specs/rel.json -- read /data/hello"
        t_eq "... and from the spec's own directory" "ok from data" \
                sh -c "cd '$tmp/app/specs' && '$VS' exec rel.json -- read /data/hello"
else
        t_skip "running the shipped specs" "user namespaces unavailable"
fi
t_match "explain says how the voids connect, in words" 'pipe "jobs": produce writes; each message starts a new "consume" void' \
        "$VS" explain "$STAGE/specs/pipe-demo.json"
t_done
