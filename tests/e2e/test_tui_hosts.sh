#!/usr/bin/env bash
# What the dashboard says when something stands in a sequence's way: a
# blocked pane names what it waits for and why it is blocked; a step whose
# connection broke says "connection to HOST lost", not ssh's exit 255, and
# its sequence is unreachable rather than failed, as is one whose host
# never answered; live and review tell the same story. And the status
# bar's hints, made from the key table, are whole hints that fit (most
# important first), never cut at 120 or 80 columns; nor is the help. Over the loopback sshd
# (sshd_lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$(dirname "$0")/sshd_lib.sh"

sshd_need
sshd_up

# The hints of each moment, as the key table makes them: "? help", ...
# (the first named key of each request, then its label).
python3 - "$DROVE_SOURCE_DIR/ui/keys.h" >"$T/hints" <<'EOF'
import re, sys
src = open(sys.argv[1]).read().replace("\\\n", " ")
first = {}
for key, name, req in re.findall(r'B\(([^,]+), ("[^"]*"|NULL), (\w+)\)', src):
    if name != "NULL" and req not in first:
        first[req] = name.strip('"')
for m in re.finditer(r'#define KEYS_HINTS_\w+\(H\)(.*)', src):
    for req, label in re.findall(r'H\((\w+), "([^"]*)"\)', m.group(1)):
        print(first[req] + " " + label)
EOF
# The bottom line's hints: what follows the clock, cut at two blanks.
bar_hints() {
	tui_screen | tail -n 1 | sed -E 's/^.*[0-9]+:[0-9]{2}  //; s/ +$//' |
	    sed 's/  /\n/g'
}
# Every hint shown is one of the table's, whole; the first ones are there.
hints_whole() {
	local h n=0
	while IFS= read -r h; do
		[ -n "$h" ] || continue
		grep -qxF -- "$h" "$T/hints" || { echo "not a whole hint: '$h'"; return 1; }
		n=$((n + 1))
	done < <(bar_hints)
	[ "$n" -ge "$1" ]
}

cat >"$T/hosts.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs}
hosts: {h1: {}, gone: {port: $(sshd_free_port)}}
sequences:
  - name: work
    host: h1
    steps:
      - {name: hang, remote: "echo started; sleep 1000"}
  - name: never
    host: gone
    steps:
      - {name: first, remote: "true"}
  - name: after work
    needs: work
    steps: [echo never]
YAML

tui_start hosts.yaml
tui_check "the step runs on h1" tui_wait "started"
tui_check "live: whole hints at 120 columns" hints_whole 6
tui_check "live: the most important first" tui_has_re "  \? help  q quit  r retry  s skip  "
tui_check "the host that never answered: unreachable, not failed" \
    tui_wait_re "never +unreachable at step 1/1"
tui_check "its pane: ssh's words" tui_has "ssh: connect to host 127.0.0.1 port"
tui_check "its pane: the host unreachable" tui_wait_re "(^|│)-- gone unreachable after [0-9.]+s --"
# The server's process for the connection dies.
# shellcheck disable=SC2046
kill -KILL $(pgrep -P "$SSHD_PID")
tui_check "a lost connection: its pane's last line" \
    tui_wait_re "(^|│)-- connection to h1 lost after [0-9.]+s --"
tui_check "its title: unreachable, connection lost" \
    tui_wait_re "work +unreachable at step 1/1 .*\(connection lost\)"
tui_check "no exit 255" eval "! tui_has 'exit 255'"
tui_check "the blocked pane says what it waits for and why" \
    tui_wait "-- blocked: waits for work (unreachable) --"
tui_check "its title says it is blocked" tui_has "after work  blocked: a sequence it needs failed"
tui_check "the run is over" tui_wait_re "finished in 0:[0-9]+"
tui_check "done: whole hints at 120 columns" hints_whole 6
tui_resize 80 40
tui_check "done: whole hints at 80 columns" wait_for 10 hints_whole 2
# The help wraps a long text in its box rather than cut it at the edge.
tui_keys '?'
tui_check "help: a long text begins" tui_wait "hide the sequences that finished ok"
tui_check "help: and ends, on the next row, under the text" \
    tui_has_re "^ *│ {16}[a-z ]*waiting for you first\) +│"
tui_keys Escape
tui_check "help closes" tui_gone "drove: keys"
tui_keys q
tui_check "quit" tui_dead

tui_cleanup
tui_start review --log-dir runs
tui_check "review: the same last line" tui_wait_re "(^|│)-- connection to h1 lost after [0-9.]+s --"
tui_check "review: the same title" tui_has_re "work +unreachable at step 1/1 .*\(connection lost\)"
tui_check "review: the other host" tui_has_re "(^|│)-- gone unreachable after [0-9.]+s --"
tui_check "review: whole hints" hints_whole 4
# A search hit in a zoomed pane that shows its end hides nothing: the
# title does not call it scrolled.
tui_keys z / s t a r t e d Enter
tui_check "review: the hit" tui_wait_re "^started"
tui_check "review: not called scrolled" tui_lacks "scrolled: 0 below"
tui_keys q
tui_check "review: quit" tui_dead

finish
