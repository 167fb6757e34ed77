#!/usr/bin/env bash
# Scale in the dashboard: 300 sequences (the list layout, and ! finds the
# one that waits for the operator among them), and scrollback beyond the
# memory budget (a budget of a few lines: scrolling to the top and a
# search reach lines read back from the logs, in the dashboard and in a
# dashboard attached later).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# --- 300 sequences ---------------------------------------------------------------
# They wait on a lock this script holds (no polling: 300 loops would load
# the machine more than drove does).
exec 9>"$T/hold"
flock -x 9
{
	echo "settings: {log_dir: runs}"
	echo "sequences:"
	for i in $(seq 1 300); do
		if [ "$i" = 250 ]; then
			echo "  - {name: s$i, on_failure: pause, steps: [{name: broken, run: 'echo wrong fs type; exit 3'}]}"
		else
			echo "  - {name: s$i, steps: ['flock -s hold true']}"
		fi
	done
} >"$T/many.yaml"
tui_start -x 200 -y 50 many.yaml
tui_check "300: all of them run" tui_wait_re "^▶299 !1 "
tui_check "300: the list layout, one line each" tui_wait_re "^▌▶ s1 +step 1/1 .*│"
# The list puts those waiting for the operator first: s250 is on the
# first screen, ahead of the 299 running, but not focused.
tui_check "300: s250, paused, is listed first" tui_wait_re "^ ! s250 +PAUSED"
tui_check "300: s250 is not focused yet" tui_lacks "▌! s250"
tui_keys '!'
tui_check "!: s250 is focused" tui_wait_re "^▌! s250 +PAUSED"
tui_check "!: its output beside the list" tui_wait "│wrong fs type"
flock -u 9
exec 9>&-
tui_check "300: the others end" tui_wait_re "^(!1 ✔299|✔299 !1) "
tui_keys a
tui_check "abort asks first" tui_wait "abort"
tui_keys y
tui_check "300: all over" tui_wait_re "^(■1 ✔299|✔299 ■1) "
tui_keys q
tui_dead
tui_cleanup

# --- beyond the scrollback budget -------------------------------------------------
cat >"$T/budget.yaml" <<'YAML'
settings: {log_dir: runs2, scrollback: 4096}
sequences:
  - name: big
    steps:
      - name: first
        run: i=1; while [ $i -le 3000 ]; do [ $i = 17 ] && printf 'needle \033[1mearly\033[0m\n'; echo "line $i"; i=$((i+1)); done
      - name: second
        run: seq -f 'more %g' 1 2000; echo counted; while [ ! -e stop ]; do sleep 0.05; done
  - name: other
    steps:
      - seq 1 3000
YAML
tui_start budget.yaml
tui_check "budget: the output came" tui_wait "counted"
tui_keys z g
tui_check "budget: the top is the first line ever" tui_wait_re "^-- step 1/2: first --$"
tui_check "budget: line 1 under it, from the log" tui_has_re "^line 1$"
tui_keys G / n e e d l e Enter
tui_check "budget: search finds a line read back" tui_wait_re "^needle early$"
tui_check "budget: in view with its neighbours" tui_has_re "^line 17$"
tui_keys Escape Escape d
tui_dead
id=$(ls "$T/runs2" | grep -v latest | tail -n 1)
tui_cleanup
tui_start attach "$id"
tui_check "attached: the output is there" tui_wait "counted"
tui_keys z g
tui_check "attached: the top is the first line ever" tui_wait_re "^-- step 1/2: first --$"
tui_check "attached: line 1 under it" tui_has_re "^line 1$"
tui_keys G / n e e d l e Enter
tui_check "attached: search finds it" tui_wait_re "^needle early$"
touch "$T/stop"
tui_check "attached: the run ends" tui_wait_re "✔2"
tui_keys q
tui_dead
finish
