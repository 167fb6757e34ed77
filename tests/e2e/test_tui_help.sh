#!/usr/bin/env bash
# The ? help box at any size: its text stays inside its border, however
# small the terminal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/help.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: a
    steps: [echo hello]
YAML

# box_closed: every row of the help box that opens with a border ends
# with one at the column of its top right corner.
box_closed() {
	tui_screen | python3 -c '
import sys
rows = sys.stdin.read().split("\n")
top = [i for i, r in enumerate(rows) if "┐" in r]
if not top:
	sys.exit(1)
right = rows[top[0]].index("┐")
left = rows[top[0]].index("┌")
inner = []
for r in rows[top[0] + 1:]:
	if "└" in r:
		break
	inner.append(r)
bad = [r for r in inner if len(r) <= right or r[left] != "│" or r[right] != "│"]
sys.exit(1 if not inner or bad else 0)'
}

for size in "20 5" "30 8" "12 6" "120 40"; do
	set -- $size
	tui_start -x "$1" -y "$2" help.yaml
	tui_check "${1}x$2: the run is shown" tui_wait_re "."
	tui_keys '?'
	tui_check "${1}x$2: the help box is drawn" tui_wait "┐"
	tui_check "${1}x$2: its text stays inside its border" box_closed
	[ "$1" = 120 ] && tui_check "${1}x$2: the help says what ! does" tui_wait "paused, then failed"
	tui_keys Escape q
	tui_cleanup
done

finish
