#!/usr/bin/env bash
# Hostile output on a real terminal: a step that writes an OSC 52
# clipboard write, a title, a window name and a screen clear, in a
# sequence whose name holds escapes too, through --headless and every
# form of `drove logs`, in a tmux that lets output set its clipboard and
# rename its windows. Nothing may reach tmux's buffers or titles; the
# escapes are shown instead. --raw and pipes keep the bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

TUI_CONF_EXTRA='set -g set-clipboard on
set -g allow-rename on
set -g automatic-rename off'
cat >"$T/evil.yaml" <<'YAML'
sequences:
  - name: "evil\e]2;TITLE-BY-NAME\a"
    steps:
      - name: "out\e]0;TITLE-BY-STEP\a"
        run: printf '\033]52;c;UFdORUQ=\007\033]2;PWNED-TITLE\007\033kPWNED-NAME\033\\\033[2J\033[32mgreen\033[0m\n'
YAML

# untouched WHAT: no tmux buffer, and no title or window name set by
# what drove printed.
untouched() {
	local what=$1 bufs title name
	bufs=$($TUI list-buffers 2>/dev/null)
	title=$(tui_fmt '#{pane_title}')
	name=$(tui_fmt '#{window_name}')
	check "$what: nothing in tmux's buffers" test -z "$bufs"
	check "$what: the pane title is not set" eval '! echo "$title" | grep -q TITLE'
	check "$what: the window is not renamed" eval '! echo "$name" | grep -q PWNED'
}

# shown TEXT: the pane shows TEXT, its history included (tmux scrolls a
# dead pane's last lines up).
# Polled: tmux may parse the pane's last bytes after drove has exited.
shown_now() { $TUI capture-pane -p -S - -t drove 2>/dev/null | grep -qF -- "$1"; }
shown() { wait_for 20 shown_now "$1"; }

# in_pane ARGS...: drove ARGS in a fresh pane, until it exits.
# Each in a tmux server of its own: the buffers are the server's, and a
# server that is still exiting would not take a new session.
PANES=0
in_pane() {
	$TUI kill-server 2>/dev/null
	PANES=$((PANES + 1))
	TUI="tmux -u -L $TUI_SOCK-$PANES"
	tui_start "$@"
	tui_exit_status >/dev/null
}

in_pane --headless --log-dir runs evil.yaml
tui_check "--headless: the run ends ok" test "$(cat "$T/exit.status")" = 0
tui_check "--headless: the clipboard write is shown" shown '\e]52;c;UFdORUQ=\x07'
tui_check "--headless: the name's escape is shown" shown 'evil\e]2;TITLE-BY-NAME\x07'
untouched "--headless"

in_pane logs --log-dir runs latest
tui_check "logs RUN: the name's escape is shown" shown 'evil\e]2;TITLE-BY-NAME\x07'
untouched "logs RUN"
in_pane logs --log-dir runs latest 1
tui_check "logs RUN SEQ: the step name's escape is shown" shown 'out\e]0;TITLE-BY-STEP\x07'
untouched "logs RUN SEQ"
in_pane logs --log-dir runs latest 1 1
tui_check "logs RUN SEQ STEP: the escapes are shown" shown '\e]52;c;UFdORUQ=\x07\e]2;PWNED-TITLE\x07\ekPWNED-NAME\e\\e[2J'
untouched "logs RUN SEQ STEP"

# Not a terminal: the bytes as the step wrote them.
"$DROVE" logs --log-dir "$T/runs" latest 1 1 >"$T/piped"
check "logs to a pipe: exactly the log" cmp -s "$T/piped" "$T"/runs/latest/01-*/01-*.1.log
# --raw on the terminal: the bytes too, and then tmux obeys them (which
# shows the checks above can fail).
# The pane's process stays until tmux has the buffer: tmux may not parse
# what a pane wrote once the pane is dead (the check fails after 20 s).
cat >"$T/raw-then-wait.sh" <<SH
#!/bin/sh
"$DROVE" "\$@"
rc=\$?
n=0
while [ -z "\$(tmux -u -L $TUI_SOCK-$((PANES + 1)) list-buffers 2>/dev/null)" ] && [ \$n -lt 400 ]; do
	sleep 0.05; n=\$((n + 1))
done
exit \$rc
SH
chmod +x "$T/raw-then-wait.sh"
REAL_DROVE=$DROVE
DROVE=$T/raw-then-wait.sh in_pane logs --raw --log-dir runs latest 1 1
DROVE=$REAL_DROVE
check "--raw: the bytes reach the terminal" test -n "$($TUI list-buffers 2>/dev/null)"

finish
