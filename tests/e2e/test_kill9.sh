#!/usr/bin/env bash
# Nothing a step starts outlives drove, even when drove is killed outright
# (SIGKILL): the keeper takes down every kind of leftover, in the step's
# group or escaped from it. Each process carries a token of this test in
# its environment (K9TOK), so the test looks at its own processes only.
. "$(dirname "$0")/lib.sh"

tok="k9-$$-$RANDOM"

# The tokens in the environments of live processes, one per line.
tokens() {
	grep -a -o -h "K9TOK=$tok-[a-z-]*" /proc/[0-9]*/environ 2>/dev/null |
		sed "s/^K9TOK=$tok-//" | sort -u
}
# The pids of live processes that carry one.
token_pids() {
	local f p
	for f in $(grep -a -l -F "K9TOK=$tok-" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/environ}
		pid_alive "$p" && echo "$p"
	done
}
none_left() { [ -z "$(token_pids)" ]; }
# Whatever a failed run left must not outlive the test.
E2E_CLEANUP='for p in $(token_pids); do kill -9 "$p" 2>/dev/null; done'
show_left() {
	local p
	for p in $(token_pids); do
		ps -o pid=,ppid=,pgid=,sid=,args= -p "$p" >&2
	done
}

# The seven kinds of leftover; an escapee gets a token of its own.
cat >"$T/kinds.yaml" <<YAML
settings: {kill_grace: 1s}
sequences:
  - name: plain child
    steps: [{run: sleep 1000, env: {K9TOK: $tok-plain}}]
  - name: cmd and cmd
    steps: [{run: 'K9TOK=$tok-bg sleep 1000 & sleep 1000', env: {K9TOK: $tok-fg}}]
  - name: setsid
    steps: [{run: 'K9TOK=$tok-setsid setsid sleep 1000 & sleep 1000', env: {K9TOK: $tok-setsid-parent}}]
  - name: double fork
    steps: [{run: 'K9TOK=$tok-dfork sh -c "sleep 1000 &"; sleep 1000', env: {K9TOK: $tok-dfork-parent}}]
  - name: setsid -f
    steps: [{run: 'K9TOK=$tok-setsidf setsid -f sleep 1000; sleep 1000', env: {K9TOK: $tok-setsidf-parent}}]
  - name: tty
    steps: [{run: "trap '' HUP TERM; sleep 1000", tty: true, env: {K9TOK: $tok-tty}}]
  - name: trap TERM
    steps: [{run: "trap '' TERM; sleep 1000", env: {K9TOK: $tok-trap}}]
YAML
want="bg
dfork
dfork-parent
fg
plain
setsid
setsid-parent
setsidf
setsidf-parent
trap
tty"
all_there() { [ "$(tokens)" = "$want" ]; }

"$DROVE" --headless --log-dir "$T/runs" "$T/kinds.yaml" >"$T/kinds.out" 2>&1 &
dpid=$!
check "every kind of leftover is running" wait_for 30 all_there
# Seven steps start at once: up to four keepers, side by side.
keepers=$(pgrep -P "$dpid" -x drove-keeper | tr '\n' ' ')
n_keepers=$(echo $keepers | wc -w)
check "drove has one to four keepers ($n_keepers)" \
	test "$n_keepers" -ge 1 -a "$n_keepers" -le 4
kept() { local k; for k in $keepers; do pgrep -P "$k"; done; }
check "the steps are the keepers'" test -n "$(kept)"
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
check "no leftover survives SIGKILL of drove" wait_for 30 none_left ||
	show_left
keepers_gone() {
	local k
	[ -n "$keepers" ] || return 1
	for k in $keepers; do ! pid_alive "$k" || return 1; done
}
check "the keepers are gone too" wait_for 30 keepers_gone

# --- a normal end: what a step left outside its group goes with drove -------
cat >"$T/daemon.yaml" <<YAML
settings: {kill_grace: 1s}
sequences:
  - name: daemon
    steps:
      - run: >-
          K9TOK=$tok-daemon setsid -f sleep 1000;
          until grep -aq "K9TOK=$tok-daemon" /proc/[0-9]*/environ; do sleep 0.05; done
        timeout: 30s
YAML
"$DROVE" --headless --log-dir "$T/runs" "$T/daemon.yaml" >"$T/daemon.out" 2>&1
check "the daemon's run succeeds" test $? -eq 0
# drove waits for its keeper: nothing is left when it returns.
check "no daemon outlives drove" none_left || show_left

finish
