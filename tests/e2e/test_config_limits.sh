#!/usr/bin/env bash
# Hostile config files: `drove check` refuses each one with FILE:LINE:COL
# and exit 2, under a memory limit that the files would blow many times
# over if they were expanded (an alias bomb made 1.75 GB of steps, a
# depth bomb kept libyaml busy for minutes, /dev/zero never ends).
. "$(dirname "$0")/lib.sh"

# The bombs, each a few KB.
python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
vals = "[" + ", ".join(str(i) for i in range(10)) + "]"
steps = "[" + ", ".join(["true"] * 1000) + "]"
open(t + "/alias.yaml", "w").write(
    "x-v: &v %s\nx-s: &s %s\nsequences:\n  - name: n\n"
    "    matrix: {a: *v, b: *v, c: *v, d: *v}\n    steps: *s\n" % (vals, steps))
s = "x-a: &a [x,x,x,x,x,x,x,x,x,x]\n"
prev = "a"
for n in "bcdefghi":
    s += "x-%s: &%s [%s]\n" % (n, n, ",".join(["*" + prev] * 10))
    prev = n
open(t + "/laughs.yaml", "w").write(s + "sequences: [{name: a, steps: [x]}]\n")
open(t + "/depth.yaml", "w").write("[" * 100000 + "]" * 100000 + "\n")
big = "x" * 100000
open(t + "/vars.yaml", "w").write(
    "vars: {a: %s}\nsequences:\n  - name: n\n    steps: ['%s']\n"
    % (big, "{{a}}" * 100000))
vals = ", ".join(str(i) for i in range(3000))
open(t + "/needs.yaml", "w").write(
    "x-v: &v [%s]\nsequences:\n  - name: b\n    matrix: {a: *v}\n"
    "    steps: [x]\n  - name: d\n    matrix: {a: *v}\n    needs: [b]\n"
    "    steps: [x]\n" % vals)
EOF
mkfifo "$T/fifo"

# check_refused NAME FILE MESSAGE: exit 2, the message, nothing else.
check_refused() {
	local name=$1 file=$2 want=$3 rc
	# The limit turns an expansion into a failure rather than a swap
	# storm; timeout turns a hang into one.
	(ulimit -v "$LIMIT_KB" 2>/dev/null
	 exec timeout 60 "$DROVE" check "$file") >"$T/out" 2>"$T/err"
	rc=$?
	check "$name: exit 2" test "$rc" -eq 2
	check "$name: says why" contains "$T/err" "$want"
	check "$name: no plan printed" test ! -s "$T/out"
}

# A sanitizer build reserves terabytes of address space: no limit there.
LIMIT_KB=unlimited
[ -z "${DROVE_SANITIZED:-}" ] && LIMIT_KB=262144

check_refused "alias bomb" "$T/alias.yaml" \
	"alias.yaml:4:5: error: more than 100000 steps in all"
check_refused "billion laughs" "$T/laughs.yaml" \
	"laughs.yaml:6:31: error: more than 1000000 YAML nodes once aliases are expanded"
check_refused "depth bomb" "$T/depth.yaml" \
	"depth.yaml:1:65: error: nested more than 64 levels deep"
check_refused "template bomb" "$T/vars.yaml" \
	"vars.yaml:4:13: error: the plan is larger than 64 MiB once expanded"
check_refused "needs bomb" "$T/needs.yaml" \
	"needs.yaml:8:13: error: more than 1000000 needs in all"
check_refused "/dev/zero" /dev/zero \
	"/dev/zero: error: not a regular file (a device)"
check_refused "a FIFO nobody writes to" "$T/fifo" \
	"fifo: error: not a regular file (a FIFO)"

# The run refuses them the same way, and starts nothing.
(ulimit -v "$LIMIT_KB" 2>/dev/null
 exec timeout 60 "$DROVE" --headless --log-dir "$T/runs" "$T/alias.yaml") \
	>"$T/out" 2>"$T/err"
check "run of an alias bomb: exit 2" test $? -eq 2
check "run of an alias bomb: no run directory" test ! -e "$T/runs"

finish
