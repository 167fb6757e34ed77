#!/usr/bin/env bash
# Thirty sequences on a 120x35 terminal: the list, not a grid of panes
# too small to read; the list shows the sequences waiting for the
# operator first; H hides the ones that finished ok, and shows them again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

{
	echo "settings: {log_dir: runs}"
	echo "sequences:"
	for i in $(seq -w 1 30); do
		echo "  - name: host$i"
		echo "    steps:"
		case $i in
		07 | 19) echo "      - {name: install, run: exit 4, on_failure: pause}" ;;
		*) echo "      - echo done on $i" ;;
		esac
	done
} >"$T/many.yaml"

cd "$T" || exit 1
tui_start -x 120 -y 35 many.yaml
tui_check "two wait for the operator" tui_wait_re "!2 "
tui_check "28 finished ok" tui_wait_re "✔ host30 +ok 1/1"
# The list: one status line a sequence, the focused pane beside it.
row() { tui_screen | sed -n "$1p" | grep -qE "$2"; }
tui_check "30 sequences on 120x35: the list, the focus beside it" wait_for 20 row 1 '^.! host07 .*│ . host[0-9]+ '
check "one line a sequence" test "$(tui_screen | grep -cE '^ . host[0-9]+ ')" -eq 29
tui_check "the paused ones first" row 2 '^.! host19 '
tui_check "then the rest, in order" row 3 '^.✔ host01 '
tui_keys H
tui_check "H says what it hides" tui_wait "hiding the 28 sequences that finished ok (H shows them)"
tui_check "the ok ones are gone" tui_gone "host30"
check "the paused ones stay" sh -c "$TUI capture-pane -p -t drove | grep -q host07 && $TUI capture-pane -p -t drove | grep -q host19"
# Two fit a grid again. The focus was on a hidden one: it moved to the
# first shown (its mark: ▌). Tab goes between the shown ones only.
tui_check "two left: a grid again" tui_wait_re "host07 .*│ ! host19 "
tui_check "the focus moved to a shown one" tui_wait_re "▌! host07 "
tui_keys Tab
tui_check "Tab: the next shown" tui_wait_re "▌! host19 "
tui_keys Tab
tui_check "Tab: round to the first" tui_wait_re "▌! host07 "
tui_keys H
tui_check "H again shows them" tui_wait "showing every sequence"
tui_check "all of them" tui_wait "host30"
tui_keys q
tui_check "quit asks" tui_wait "Quit drove?"
tui_keys y
tui_check "quit" tui_dead

finish
