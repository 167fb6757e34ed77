#!/usr/bin/env bash
# The clock's ticks in the list redraw only what changed in each running
# row (its elapsed time): what they leave on the screen is what a full
# redraw (Ctrl-L) draws, row for row, names in UTF-8 and the list
# scrolled included.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

{
	echo "settings: {log_dir: runs}"
	echo "sequences:"
	for i in $(seq 1 60); do
		echo "  - {name: \"café-$i séquence\", steps: [{name: \"dormir ☕ $i\", run: 'sleep 600'}]}"
	done
} >"$T/ticks.yaml"

cd "$T" || exit 1
tui_start -x 150 -y 30 ticks.yaml
tui_check "the list, all running" tui_wait_re "^▶60 "

# A tick went by: the screen changed from what it was, and stays so
# while nothing else happens.
ticked() { [ "$(tui_screen)" != "$1" ]; }
# A full redraw: the help covers the screen, and closing it redraws all
# that was under it.
full_redraw() {
	tui_keys "?" && tui_wait "drove: keys (any other key closes)" && tui_keys Escape &&
		tui_gone "drove: keys (any other key closes)"
}
# After a tick, the screen is the full redraw of the same second. A tick
# may fall between the two: then another try.
same_as_redrawn() {
	local before shown try
	for try in 1 2 3 4 5; do
		before=$(tui_screen)
		wait_for 10 ticked "$before" || return 1
		shown=$(tui_screen)
		full_redraw || return 1
		[ "$(tui_screen)" = "$shown" ] && return 0
	done
	return 1
}

tui_check "ticks leave the rows as a full redraw draws them" same_as_redrawn
for i in $(seq 1 45); do tui_keys j; done
tui_check "the focus scrolled the list" tui_wait_re "^▌▶ café-46 séquence"
tui_check "and in the scrolled list too" same_as_redrawn

tui_keys q
tui_check "q asks" tui_wait "Quit drove?"
tui_keys y
tui_check "drove quits" tui_dead
finish
