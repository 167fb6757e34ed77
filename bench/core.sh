#!/usr/bin/env bash
# core.sh: the engine's benchmarks (issue: drove core). Not a test: it
# prints figures and ratios measured in one run on this machine.
#   bench/core.sh [BUILD_DIR]      (default: build; needs GNU parallel)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
command -v parallel >/dev/null || { echo "needs GNU parallel: apt-get install parallel"; exit 1; }
bench_setup "${1:-build}"
R=${REPEAT:-3}
m() { python3 bench/measure.py "$R" "$1"; }

echo "== throughput: 4 sequences x 200,000 lines of 80 bytes"
bench_flood >"$T/tp.yaml"
read -r plain _ _ < <(m "for i in 1 2 3 4; do $gen 200000 >/dev/null & done; wait")
read -r par _ _ < <(m "parallel --line-buffer --tag ::: '$gen 200000' '$gen 200000' '$gen 200000' '$gen 200000' >/dev/null")
read -r dr rss rc < <(m "$drove --headless --log-dir $T/runs $T/tp.yaml >/dev/null")
echo "plain sh:      ${plain}s"
echo "GNU parallel:  ${par}s"
echo "drove:         ${dr}s (exit $rc, peak RSS ${rss} KiB)"
echo "drove/plain:    $(ratio "$dr" "$plain")   (target <= 3)"
echo "drove/parallel: $(ratio "$dr" "$par")   (target <= 0.33)"
rm -rf "$T/runs"

echo "== many steps: 50 sequences x 20 steps of /bin/true"
{
	echo "sequences:"
	for s in $(seq 1 50); do
		printf '  - name: s%d\n    steps: [' "$s"
		for i in $(seq 1 20); do printf '/bin/true%s' "$([ "$i" -lt 20 ] && echo ', ')"; done
		echo ']'
	done
} >"$T/many.yaml"
read -r loops _ _ < <(m "for s in \$(seq 1 50); do (for i in \$(seq 1 20); do sh -c /bin/true || exit 1; done) & done; wait")
read -r dr _ rc < <(m "$drove --headless --log-dir $T/runs $T/many.yaml >/dev/null")
echo "50 shell loops: ${loops}s"
echo "drove:          ${dr}s (exit $rc)"
echo "drove/loops:    $(ratio "$dr" "$loops")   (target <= 1)"
rm -rf "$T/runs"

echo "== long output: one step printing 2,000,000 lines"
cat >"$T/long.yaml" <<YAML
sequences:
  - {name: long, steps: ['$gen 2000000']}
YAML
read -r plain _ _ < <(m "$gen 2000000 >/dev/null")
read -r dr rss rc < <(m "$drove --headless --log-dir $T/runs $T/long.yaml >/dev/null")
echo "plain:         ${plain}s"
echo "drove:         ${dr}s (exit $rc)"
echo "drove/plain:   $(ratio "$dr" "$plain")   (target <= 3)"
echo "drove peak RSS: $((rss / 1024)) MiB ($rss KiB; target < 16 MiB)"
