#!/usr/bin/env bash
# Many sequences at a low limit on open descriptors: drove raises its soft
# limit to the hard one, and beyond what the hard limit allows, steps wait
# instead of failing. The record stays complete.
. "$(dirname "$0")/lib.sh"

n=400
{
	echo "sequences:"
	many_seqs $n "['echo out of \$DROVE_SEQUENCE']"
} >"$T/many.yaml"

# complete DIR: every step ended ok, and every log has its .times.
complete() {
	local ev=$1/events.jsonl
	[ "$(grep -c '"event":"step_end"' "$ev")" -eq $n ] &&
		[ "$(grep '"event":"step_end"' "$ev" | grep -c '"status":"ok"')" -eq $n ] &&
		[ "$(find "$1/" -name '*.times' | wc -l)" -eq $n ] &&
		[ "$(find "$1/" -name '*.log' -size +0 | wc -l)" -eq $n ]
}

# --- soft and hard limit 256: the steps take turns ---------------------------
(ulimit -n 256 && exec "$DROVE" --headless --log-dir "$T/hard" "$T/many.yaml") \
	>"$T/hard.out" 2>&1
check "at a hard limit of 256, $n sequences exit 0" test $? -eq 0
check "no step is short of descriptors" lacks "$T/hard.out" "Too many open files"
check "every step ended ok, every .times is there" complete "$T/hard/latest"
check "the summary counts them all" contains "$T/hard.out" "$n sequences: $n ok"

# --- soft limit 64, hard limit higher: drove raises its own ------------------
cat >"$T/raise.yaml" <<YAML
sequences:
  - name: limits
    steps:
      - name: look
        env: {DROVE_BIN: "$(readlink -f "$DROVE")"}
        run: >-
          p=\$PPID;
          while [ "\$p" -gt 1 ] && [ "\$(readlink /proc/\$p/exe)" != "\$DROVE_BIN" ]; do p=\$(ps -o ppid= -p \$p | tr -d ' '); done;
          echo "drove: \$(grep 'open files' /proc/\$p/limits)";
          echo "step: \$(ulimit -Sn)"
YAML
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 64 ]; then
	(ulimit -Sn 64 && exec "$DROVE" --headless --log-dir "$T/soft" "$T/raise.yaml") \
		>"$T/soft.out" 2>&1
	check "at a soft limit of 64 the run exits 0" test $? -eq 0
	check "drove raised its soft limit to the hard one" grep -qE "drove: Max open files +$hard +$hard" "$T/soft.out"
	check "the step has the limit drove was given" contains "$T/soft.out" "step: 64"
else
	echo "# the hard limit is $hard: nothing to raise, skipped"
fi

finish
