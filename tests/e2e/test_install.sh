#!/usr/bin/env bash
# cmake --install into a DESTDIR: the tree Debian expects, man pages that
# render without a warning, and the installed completions at work in
# bash, zsh (in tmux, with Tab) and fish, answered by the installed drove.
. "$(dirname "$0")/lib.sh"
# zsh's first compinit on a loaded machine can be slow: the deadline only
# turns a hang into a failure.
TUI_DEADLINE=60
. "$(dirname "$0")/tui_lib.sh"

B=$(dirname "$DROVE")
D=$T/dest
DESTDIR=$D cmake --install "$B" --prefix /usr >"$T/install.log" 2>&1
check "cmake --install succeeds" test $? -eq 0
for f in usr/bin/drove usr/share/man/man1/drove.1 \
    usr/share/man/man5/drove.yaml.5 \
    usr/share/bash-completion/completions/drove \
    usr/share/zsh/vendor-completions/_drove \
    usr/share/fish/vendor_completions.d/drove.fish \
    usr/share/drove/drove.schema.json \
    usr/share/doc/drove/examples/demo.yaml \
    usr/share/doc/drove/examples/failing.yaml; do
	check "installed: /$f" test -s "$D/$f"
done
check "the binary is executable" test -x "$D/usr/bin/drove"
check "nothing outside /usr" test "$(ls "$D")" = usr
# The installed README's links resolve beside it.
for f in config/README.md screenshots/grid.png; do
	check "README link installed: $f" test -s "$D/usr/share/doc/drove/$f"
done
check "no test helper among the examples" \
    test ! -e "$D/usr/share/doc/drove/examples/remote-try.sh"
DESTDIR=$D cmake --install "$B" --prefix /usr/local >/dev/null 2>&1
check "the prefix is honoured" test -x "$D/usr/local/bin/drove"

# The man pages: no warning from groff, a NAME line for whatis.
for page in man1/drove.1 man5/drove.yaml.5; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$D/usr/share/man/$page" \
	    >"$T/page.txt" 2>"$T/warn.txt"
	check "$page renders" test -s "$T/page.txt"
	check "$page renders without warnings" test ! -s "$T/warn.txt"
	[ -s "$T/warn.txt" ] && cat "$T/warn.txt"
	check "$page has a NAME for whatis" eval "lexgrog \"$D/usr/share/man/$page\" >/dev/null"
done
LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$D/usr/share/man/man5/drove.yaml.5" \
    >"$T/yaml5.txt" 2>&1
# drove.yaml(5) is config/README.md: each key of its tables is there.
for key in max_parallel kill_grace keep_runs ssh_config retry_delay \
    on_failure host_defaults multiplex; do
	check "drove.yaml(5) documents $key" grep -q "^ *$key\b" "$T/yaml5.txt"
done
check "drove.yaml(5) has the reference's sections" \
    grep -q '^HOSTS AND REMOTE STEPS' "$T/yaml5.txt"
LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$D/usr/share/man/man1/drove.1" \
    >"$T/drove1.txt" 2>&1
for sec in SYNOPSIS OPTIONS KEYS 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES; do
	check "drove(1) has $sec" grep -q "^$sec" "$T/drove1.txt"
done

# A project to complete in: sequence names with blanks, and past runs.
mkdir -p "$T/proj"
cat >"$T/proj/drove.yaml" <<'YAML'
sequences:
  - name: build {{arch}}
    matrix: {arch: [amd64, arm64]}
    steps: [echo built]
  - name: report
    steps:
      - {name: write it, run: echo written}
      - {name: mail it, run: echo mailed}
YAML
export XDG_STATE_HOME=$T/state
export PATH=$D/usr/bin:$PATH
(cd "$T/proj" && drove --headless >/dev/null 2>&1)
check "the installed drove runs drove.yaml" test $? -eq 0
run_id=$(ls "$T/state/drove/runs" | grep -v latest)

# A run that serves a socket, for attach/ctl/wait/stop.
printf 'sequences:\n  - {name: s, steps: ["sleep 60"]}\n' >"$T/live.yaml"
live_id=$(drove -d --log-dir "$T/liveruns" "$T/live.yaml" 2>/dev/null)

# bash: the installed script, its completion function driven as readline
# would.
cd "$T/proj" || exit 1
cat >"$T/bash-t.sh" <<'SH'
source "$1"
complete -p drove
t() {
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
	_drove drove
	printf '%s\n' "${COMPREPLY[@]}"
}
echo "== subcommands"; t drove ""
echo "== options"; t drove --re
echo "== only"; t drove --only ""
echo "== only b"; t drove --only b
echo "== runs"; t drove logs ""
echo "== seqs"; t drove logs latest ""
echo "== steps"; t drove logs latest report ""
echo "== color"; t drove --color ""
echo "== check opts"; t drove check --
echo "== ctl"; t drove ctl RUN ""
echo "== live"; t drove attach ""
SH
bash "$T/bash-t.sh" "$D/usr/share/bash-completion/completions/drove" \
    >"$T/bash.out" 2>&1
check "bash: complete -p drove" contains "$T/bash.out" "complete -F _drove drove"
sect() { sed -n "/^== $1\$/,/^==/p" "$T/bash.out"; }
check "bash: subcommands" test "$(sect subcommands | grep -cE '^(check|run|logs|review|drove.yaml)$')" -eq 5
check "bash: options" sect options | grep -qx -- --resume
check "bash: drove check -- offers check's options only" \
	bash -c "sed -n '/^== check opts\$/,/^==/p' '$T/bash.out' | grep -qx -- --json && ! sed -n '/^== check opts\$/,/^==/p' '$T/bash.out' | grep -qx -- --resume"
check "bash: ctl RUN offers the verbs" bash -c "sed -n '/^== ctl\$/,/^==/p' '$T/bash.out' | grep -qx retry"
check "bash: attach offers the live run" bash -c "sed -n '/^== live\$/,/^==/p' '$T/bash.out' | grep -qx '$live_id'"
check "bash: --only offers the config's sequences" \
    test "$(sect only | grep -c .)" -eq 5
check "bash: a name with a blank is quoted" sect 'only b' | grep -qxF 'build\ amd64'
check "bash: logs offers latest and the run id" \
    test "$(sect runs | grep -cxE "latest|$run_id")" -eq 2
check "bash: logs RUN offers its sequences" sect seqs | grep -qx report
check "bash: logs RUN SEQ offers its steps" sect steps | grep -qxF 'mail\ it'
check "bash: --color values" test "$(sect color | grep -cxE 'auto|always|never')" -eq 3

# fish: its own completion engine, finding the script where it is
# installed.
if command -v fish >/dev/null; then
	fish -N -c "set -p fish_complete_path $D/usr/share/fish/vendor_completions.d
		echo '== only'; complete -C 'drove --only '
		echo '== seqs'; complete -C 'drove logs latest '
		echo '== steps'; complete -C 'drove logs latest report '
		echo '== sub'; complete -C 'drove '" >"$T/fish.out" 2>&1
	fsect() { sed -n "/^== $1\$/,/^==/p" "$T/fish.out"; }
	check "fish: --only offers the config's sequences" \
	    fsect only | grep -q '^build arm64'
	check "fish: logs RUN offers its sequences" fsect seqs | grep -q '^report'
	check "fish: logs RUN SEQ offers its steps" fsect steps | grep -q '^mail it'
	check "fish: subcommands" fsect sub | grep -q '^review'
else
	echo "# fish not installed: its completion not exercised"
fi

# zsh: an interactive shell in tmux, compinit finding _drove in the
# installed fpath, and real Tab presses.
if command -v zsh >/dev/null; then
	mkdir -p "$T/zdot"
	cat >"$T/zdot/.zshrc" <<ZSH
fpath=($D/usr/share/zsh/vendor-completions \$fpath)
autoload -Uz compinit && compinit -u -d $T/zcompdump
PS1='zsh> '
ZSH
	cat >"$T/tmux.conf" <<-'CONF'
		set -g status off
		set -g escape-time 0
	CONF
	$TUI -f "$T/tmux.conf" new-session -d -s drove -x 120 -y 30 \
	    "cd '$T/proj' && env ZDOTDIR='$T/zdot' PATH='$PATH' XDG_STATE_HOME='$XDG_STATE_HOME' TERM=screen zsh -i"
	# The last line on the screen is an empty prompt.
	zsh_fresh() {
		tui_screen | grep -v '^$' | tail -n 1 | grep -qE '^zsh> ?$'
	}
	tui_check "zsh starts" tui_wait 'zsh>'
	$TUI send-keys -t drove 'drove --only ' Tab
	tui_check "zsh: --only lists the config's sequences" tui_wait 'build\ arm64'
	$TUI send-keys -t drove C-c
	# Type only at a fresh prompt: keys sent while zsh still finishes
	# the completion land on the old line.
	tui_check "zsh: a fresh prompt" wait_for "$TUI_DEADLINE" zsh_fresh
	$TUI send-keys -t drove 'drove logs latest rep' Tab
	tui_check "zsh: logs RUN completes a sequence" tui_wait 'drove logs latest report'
	$TUI send-keys -t drove C-c
	tui_check "zsh: a fresh prompt again" wait_for "$TUI_DEADLINE" zsh_fresh
	$TUI send-keys -t drove 'drove rev' Tab
	tui_check "zsh: completes a subcommand" tui_wait 'drove review'
else
	echo "# zsh not installed: its completion not exercised"
fi
[ -n "$live_id" ] && drove stop "$live_id" >/dev/null 2>&1
finish
