#!/usr/bin/env bash
# mprocs.sh: short steps in the dashboard beside mprocs, the fastest
# process dashboard we know of (issue #13). Not a test: it prints figures
# measured in one run, alternating the two, on this machine.
#   bench/mprocs.sh [BUILD_DIR]    (default: build; needs tmux and npm)
# 50 sequences x 20 `/bin/true` steps in drove (--exit-when-done), against
# mprocs running 50 processes of `sh -c 'true && true && ...'` (20 each)
# and quitting when all are done (--on-all-finished), each in a 200x50
# tmux pane, under GNU time. mprocs is installed from npm into a temporary
# prefix (npm install --prefix), nothing else is touched. Target: drove
# faster.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
command -v npm >/dev/null || { echo "needs npm (apt-get install npm)"; exit 1; }
. bench/lib.sh
bench_setup "${1:-build}"
bench_tmux
npm install --silent --prefix "$T/npm" mprocs >/dev/null 2>&1 ||
	{ echo "npm install mprocs failed (no network?)"; exit 1; }
mprocs=$T/npm/node_modules/.bin/mprocs

chain=$(printf 'true && %.0s' $(seq 1 19))true
{
	echo "settings: {log_dir: $T/runs}"
	echo "sequences:"
	for i in $(seq 1 50); do
		printf '  - {name: s%d, steps: [' "$i"
		for k in $(seq 1 20); do
			printf '/bin/true%s' "$([ "$k" -lt 20 ] && echo ', ')"
		done
		echo ']}'
	done
} >"$T/drove.yaml"
{
	echo "procs:"
	for i in $(seq 1 50); do
		echo "  p$i: {shell: \"sh -c '$chain'\"}"
	done
} >"$T/mprocs.yaml"

echo "== 50 sequences x 20 /bin/true in a 200x50 tmux pane: drove and mprocs $("$mprocs" --version 2>/dev/null | awk '{print $2}')"
echo "load before: $(uptime | sed 's/.*load average: //')"
dw="" mw=""
for r in $(seq 1 "$ROUNDS"); do
	read -r w u s _ < <(in_pane d$r "'$drove' --exit-when-done drove.yaml")
	echo "drove:  ${w}s wall (${u}s user, ${s}s sys, steps included)"
	dw="$dw $w"
	rm -rf "$T/runs"
	read -r w u s _ < <(in_pane m$r "'$mprocs' --config mprocs.yaml --on-all-finished '{c: quit}'")
	echo "mprocs: ${w}s wall (${u}s user, ${s}s sys, processes included)"
	mw="$mw $w"
done
python3 - "$dw" "$mw" <<'PY'
import statistics, sys
d = [float(x) for x in sys.argv[1].split()]
m = [float(x) for x in sys.argv[2].split()]
print(f"median: drove {statistics.median(d):.2f}s, mprocs {statistics.median(m):.2f}s, drove/mprocs {statistics.median(d) / statistics.median(m):.2f}   (target < 1)")
PY
echo "load after: $(uptime | sed 's/.*load average: //')"
