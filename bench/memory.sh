#!/usr/bin/env bash
# memory.sh: drove's memory with many sequences that print a lot, in the
# dashboard (issue #13). Not a test: it prints figures.
#   bench/memory.sh [BUILD_DIR]   (default: build; needs tmux)
#   N=1000 EACH=100000 by default (not LINES: ncurses would read it): 1,000 sequences each printing 100,000
#   lines (`seq`), in a 200x50 tmux pane.
# Figures: the peak RSS (VmHWM) of the dashboard and of the run's server,
# sampled until every sequence printed everything; then, in that same
# dashboard, that the first line and a line far beyond the memory budget
# are still reached by scrolling (g) and by search (/). Target: each
# process under 128 MiB.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
N=${N:-1000}
EACH=${EACH:-100000}
. bench/lib.sh
bench_setup "$build"
bench_tmux
# After its lines each sequence waits on a lock held here (no polling).
bench_hold
bench_printers "$N" "$EACH" >"$T/mem.yaml"

echo "== memory: $N sequences x $EACH lines, dashboard in a 200x50 tmux pane"
echo "load before: $(uptime | sed 's/.*load average: //')"
start=$(date +%s.%N)
bench_dashboard mem mem.yaml
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
c_kib=0 s_kib=0
while [ "$(find "$T/done" -type f | wc -l)" -lt "$N" ]; do
	c_kib=$(hwm "$client") s_kib=$(hwm "$server")
	sleep 0.5
done
wall=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
# The output still arriving in the dashboard counts too.
sleep 2
c_kib=$(hwm "$client") s_kib=$(hwm "$server")
echo "all $N sequences printed their $EACH lines in ${wall}s"
echo "peak RSS: dashboard $((c_kib / 1024)) MiB, server $((s_kib / 1024)) MiB   (target < 128 MiB each)"
echo "logs: $(du -sm "$T/runs" | cut -f1) MiB on disk"

# Every line still reachable: the first one, and one found by search.
tmx send-keys -t mem z g
if until_screen '^-- step 1/2: print --$' && screen | grep -qx 1; then
	echo "reachable: g shows the first line of s1"
fi
want=$((EACH * 2 / 3))
tmx send-keys -t mem G / $(echo "$want" | sed 's/./& /g') Enter
t0=$(date +%s.%N)
if until_screen "^$want\$"; then
	echo "reachable: / finds line $want of s1 (in $(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")s)"
fi
bench_release
bench_quit Escape Escape q
echo "load after: $(uptime | sed 's/.*load average: //')"
