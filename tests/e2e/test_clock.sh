#!/usr/bin/env bash
# Times that tell the truth under load: many sequences start at once, each
# a step with a timeout that ignores nothing and runs until it is killed.
# No step may be killed before its timeout of real running time (measured
# by the step itself), and the record's stamps and durations must agree
# with the wall clock. DROVE_CLOCK_SEQS sequences (200; bench/clock.sh
# runs 1,000).
. "$(dirname "$0")/lib.sh"

n=${DROVE_CLOCK_SEQS:-200}
timeout=3
mkdir "$T/stamps"
# On SIGTERM the step writes when its process was made (the kernel's start
# time, in clock ticks since boot, which the kernel knows whenever it is
# asked) and when SIGTERM came ($EPOCHREALTIME: no process to start, so
# nothing between the signal and its stamp but the step's turn on a busy
# CPU, which only makes it later). Both in the trap, set first: on a
# machine so loaded that a shell does not reach its second line within the
# timeout, the stamps are still written. A generous kill_grace leaves the
# trap its turn on the CPU.
cat >"$T/step.sh" <<'SH'
trap 'read -r stat </proc/$$/stat; set -- ${stat##*) }
echo "${20} $EPOCHREALTIME" >"$STAMPS/$DROVE_SEQUENCE"; exit 0' TERM
sleep 100 &
wait
SH
{
	echo "settings: {kill_grace: 30s}"
	echo "env: {STAMPS: $T/stamps}"
	echo "sequences:"
	many_seqs "$n" "[{run: bash $T/step.sh, timeout: ${timeout}s}]"
} >"$T/clock.yaml"

t0=$EPOCHREALTIME
"$DROVE" --headless --log-dir "$T/runs" "$T/clock.yaml" >"$T/clock.out" 2>&1
t1=$EPOCHREALTIME

python3 - "$T/runs/latest/events.jsonl" "$T/stamps" "$n" "$timeout" "$t0" "$t1" >"$T/verdict" <<'PY'
import json, os, sys

events, stamps, n, timeout, t0, t1 = sys.argv[1:]
n, timeout, t0, t1 = int(n), float(timeout), float(t0), float(t1)
import time
tick = 1 / os.sysconf("SC_CLK_TCK")
eps = tick + 0.002  # a process's start is to the tick, the record's stamps
                    # to the millisecond
since_boot = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
ev = [json.loads(line) for line in open(events)]
start = {e["seq"]: e for e in ev if e["event"] == "step_start"}
end = {e["seq"]: e for e in ev if e["event"] == "step_end"}
run_end = [e for e in ev if e["event"] == "run_end"]
bad = {}

def say(what, seq, detail):
    bad.setdefault(what, []).append(f"{seq}: {detail}")

first, last = None, None
for seq in sorted(start):
    st, en = start[seq], end.get(seq)
    try:
        ts = [float(x) for x in open(os.path.join(stamps, seq)).read().split()]
        ts[0] = ts[0] * tick + since_boot
    except OSError:
        # SIGTERM came before the shell set its trap (it got no CPU for
        # the whole timeout): the record must still say a timeout, no
        # sooner than the timeout.
        if en is None or en["status"] != "timeout" or \
           en["duration"] < timeout - eps:
            say("no stamps", seq, f"end {en and en['status']}")
        continue
    if en is None or len(ts) != 2:
        say("unfinished", seq, f"end {en and en['status']}, stamps {ts}")
        continue
    began, killed = ts
    first = began if first is None else min(first, began)
    last = killed if last is None else max(last, killed)
    real = killed - began
    if en["status"] != "timeout":
        say("not a timeout", seq, en["status"])
    if real < timeout - eps:
        say("killed early", seq, f"after {real:.3f}s of real running time")
    if st["ts"] > began + eps:
        say("step_start after the step began", seq, f"{st['ts']} > {began}")
    if en["ts"] < killed - eps:
        say("step_end before the step was killed", seq, f"{en['ts']} < {killed}")
    if en["duration"] < real - eps:
        say("duration shorter than the step ran", seq,
            f"{en['duration']} < {real:.3f}")
if len(start) != n:
    say("steps", "-", f"{len(start)} started of {n}")
if len(run_end) != 1:
    say("run_end", "-", f"{len(run_end)} run_end events")
elif first is not None:
    d = run_end[0]["duration"]
    if d > t1 - t0 + eps:
        say("run longer than drove ran", "-", f"{d} > {t1 - t0:.3f}")
    if d < last - first - eps:
        say("run shorter than its steps", "-", f"{d} < {last - first:.3f}")
for what, items in bad.items():
    print(f"{what}: {len(items)}, e.g. {'; '.join(items[:3])}")
PY
verdict() { [ ! -s "$T/verdict" ]; }
check "$n sequences with a timeout: the record tells the truth" verdict
cat "$T/verdict"

finish
