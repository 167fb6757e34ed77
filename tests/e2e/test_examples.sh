#!/usr/bin/env bash
# The examples keep their scratch files in the run's own directory: two
# runs of one example at once never meet. And a sequence blocked by one
# that failed names it.
. "$(dirname "$0")/lib.sh"

ex=$DROVE_SOURCE_DIR/config/examples

# Two runs of example $1 at once, headless, logging to $T/$2-a and
# $T/$2-b, their output in $T/$3-a.out and $T/$3-b.out; the rest are
# their options. Sets rc_a and rc_b to their exit statuses.
twice() {
	local yaml=$1 dir=$2 out=$3 r pid_a pid_b
	shift 3
	for r in a b; do
		"$DROVE" --headless --log-dir "$T/$dir-$r" "$ex/$yaml" "$@" \
		    >"$T/$out-$r.out" 2>&1 &
		eval "pid_$r=\$!"
	done
	wait "$pid_a"; rc_a=$?
	wait "$pid_b"; rc_b=$?
}

# Two runs of cloud.yaml at once, vm3 broken in both: each fails on its
# own vm3, whose missing disk it names in its own run directory.
twice cloud.yaml runs cloud --set count=3 --set broken=vm3
check "cloud: both runs end, vm3 failed in each" test "$rc_a$rc_b" = 11
fixed() { sed -n 's/.*no disk on vm3: touch \(.*\)\.fixed, then retry.*/\1/p' "$1" | head -1; }
disk_a=$(fixed "$T/cloud-a.out")
disk_b=$(fixed "$T/cloud-b.out")
check "cloud: each names the disk to fix" test -n "$disk_a" -a -n "$disk_b"
check "cloud: a different one" test "$disk_a" != "$disk_b"
check "cloud: in the first run's directory" test "${disk_a#"$T"/runs-a/}" != "$disk_a"
check "cloud: in the second run's directory" test "${disk_b#"$T"/runs-b/}" != "$disk_b"
# What report waits for is named, headless and in the record.
check "cloud: headless names what blocks report" grep -qE "^report +\| blocked: waits for setup vm3 \(failed\)$" "$T/cloud-a.out"
check "cloud: so does the record" grep -q '"seq":"report".*"state":"blocked","waits_for":"setup vm3 (failed)"' "$T"/runs-a/latest/events.jsonl
# Fixing the first run's disk fixes the first run only.
touch "$disk_a.fixed"
"$DROVE" --headless --log-dir "$T/runs-a" --resume latest "$ex/cloud.yaml" \
    --set count=3 --set broken=vm3 >"$T/resume-a.out" 2>&1
check "cloud: the first run, resumed, succeeds" test $? = 0
"$DROVE" --headless --log-dir "$T/runs-b" --resume latest "$ex/cloud.yaml" \
    --set count=3 --set broken=vm3 >"$T/resume-b.out" 2>&1
check "cloud: the second, resumed, still fails on its own vm3" test $? = 1

# setup-hosts.yaml, twice at once, web2's disk missing in both: each
# names its own.
twice setup-hosts.yaml hosts hosts --set broken=web2
check "setup-hosts: two runs at once, web2 failed in each" test "$rc_a$rc_b" = 11
attach() { sed -n 's/.*(to attach it: touch \(.*\))$/\1/p' "$1" | head -1; }
disk_a=$(attach "$T/hosts-a.out")
disk_b=$(attach "$T/hosts-b.out")
check "setup-hosts: each names the disk to attach" test -n "$disk_a" -a -n "$disk_b"
check "setup-hosts: in its own run's directory" \
    test "${disk_a#"$T"/hosts-a/}" != "$disk_a" -a "${disk_b#"$T"/hosts-b/}" != "$disk_b"

finish
