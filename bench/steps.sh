#!/usr/bin/env bash
# steps.sh: the cost of many short steps (issue: scale). Not a test: it
# prints figures and ratios measured in one run on this machine.
#   bench/steps.sh [BUILD_DIR [BEFORE_BUILD_DIR]]
# BEFORE_BUILD_DIR: another build measured beside it in the same run.
# Needs perf (linux-perf) for drove's own CPU; N (default 1000) sets the
# number of sequences, REPEAT (default 3) the runs kept best of.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
before=${2:-}
for b in "$build" $before; do
	[ -x "$b/drove" ] || { echo "build drove first (cmake --build $b)"; exit 1; }
done
T=$(mktemp -d)
yes_pids=()
cleanup() {
	for p in "${yes_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
R=${REPEAT:-3}
N=${N:-1000}
m() { python3 bench/measure.py "$R" "$1"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# N sequences of K /bin/true steps.
config() {
	local n=$1 k=$2 s i
	echo "sequences:"
	for s in $(seq 1 "$n"); do
		printf '  - name: s%d\n    steps: [' "$s"
		for i in $(seq 1 "$k"); do
			printf '/bin/true%s' "$([ "$i" -lt "$k" ] && echo ', ')"
		done
		echo ']'
	done
}
config "$N" 10 >"$T/many.yaml"
config 10 100 >"$T/few.yaml"

builds="$build $before"
loops="for s in \$(seq 1 $N); do (for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true || exit 1; done) & done; wait"

many() {
	local label=$1 plain dr b
	read -r plain _ _ < <(m "$loops")
	echo "$N shell loops:        ${plain}s"
	for b in $builds; do
		read -r dr _ rc < <(m "$b/drove --headless --log-dir $T/runs $T/many.yaml >/dev/null")
		echo "drove ($b): ${dr}s (exit $rc), drove/loops $(ratio "$dr" "$plain")   (target $label)"
		rm -rf "$T/runs"
	done
}

echo "== many steps: $N sequences x 10 /bin/true, headless; load: $(cut -d' ' -f1-3 /proc/loadavg)"
many "<= 1.2, quiet machine"

echo "== the same beside two CPU-bound jobs (yes >/dev/null)"
yes >/dev/null & yes_pids+=($!)
yes >/dev/null & yes_pids+=($!)
many "< 2"
kill "${yes_pids[@]}"
wait "${yes_pids[@]}" 2>/dev/null || true
yes_pids=()

# drove's own CPU (its main process; not the keeper nor the steps).
own_ms() {
	perf stat --no-inherit -x, -e task-clock -o "$T/stat" -- \
	    "$1/drove" --headless --log-dir "$T/runs" "$2" >/dev/null
	rm -rf "$T/runs"
	awk -F, '/task-clock/ { print $1 }' "$T/stat"
}
best_ms() {
	local best= v i
	for i in $(seq 1 "$R"); do
		v=$(own_ms "$1" "$2")
		best=$(python3 -c "b='$best'; print(min(float(b), $v) if b else $v)")
	done
	echo "$best"
}
if command -v perf >/dev/null; then
	echo "== drove's own CPU per step (perf stat --no-inherit, best of $R)"
	for b in $builds; do
		few=$(best_ms "$b" "$T/few.yaml")
		lot=$(best_ms "$b" "$T/many.yaml")
		pf=$(python3 -c "print(f'{$few/1000:.3f}')")
		pl=$(python3 -c "print(f'{$lot/($N*10):.3f}')")
		echo "drove ($b): 10 x 100 steps: $pf ms/step; $N x 10: $pl ms/step; growth $(ratio "$pl" "$pf")   (target <= 1.5)"
	done
else
	echo "== drove's own CPU per step: skipped (no perf)"
fi

echo "== start-up: drove check of $N sequences (wall, best of $R; and its CPU)"
for b in $builds; do
	read -r dr _ rc < <(m "$b/drove check $T/many.yaml >/dev/null")
	cpu=-
	if command -v perf >/dev/null; then
		perf stat -x, -e task-clock -o "$T/stat" -- "$b/drove" check "$T/many.yaml" >/dev/null
		cpu=$(awk -F, '/task-clock/ { printf "%.0f", $1 }' "$T/stat")
	fi
	echo "drove ($b): $(python3 -c "print(f'{$dr*1000:.0f}')") ms, CPU $cpu ms (exit $rc)   (target < 100 ms)"
done
