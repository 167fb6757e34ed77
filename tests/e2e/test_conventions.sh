#!/usr/bin/env bash
# The conventions of the tools people already use: drove.yaml by default
# and -f FILE, --version with the libraries' versions, the hidden
# __complete that the shell completions ask.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/p" "$T/empty"
cat >"$T/p/drove.yml" <<'YAML'
sequences:
  - {name: from yml, steps: [echo yml]}
YAML
cd "$T/p" || exit 1
"$DROVE" check >"$T/out" 2>&1
check "no FILE: drove.yml is read when there is no drove.yaml" contains "$T/out" "from yml"
cat >"$T/p/drove.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - {name: from yaml, steps: ['echo "hello from $DROVE_SEQUENCE"']}
YAML
"$DROVE" check >"$T/out" 2>&1
check "no FILE: drove.yaml comes first" contains "$T/out" "from yaml"
"$DROVE" --headless >"$T/out" 2>&1
check "no FILE: drove runs drove.yaml" test $? -eq 0
check "... and its steps ran" contains "$T/out" "hello from from yaml"
"$DROVE" -f drove.yml check >"$T/out" 2>&1
check "-f FILE before the command" contains "$T/out" "from yml"
"$DROVE" check --file=drove.yml >"$T/out" 2>&1
check "--file=FILE after it" contains "$T/out" "from yml"
"$DROVE" check -f drove.yml drove.yaml >"$T/out" 2>&1
check "-f FILE and FILE: a usage error" test $? -eq 2
check "... that says so" contains "$T/out" "one FILE expected"

cd "$T/empty" || exit 1
"$DROVE" >"$T/out" 2>&1
check "no FILE and no drove.yaml: exit 2" test $? -eq 2
check "... saying what was looked for" contains "$T/out" \
    "no drove.yaml or drove.yml in the current directory"
"$DROVE" check >"$T/out" 2>&1
check "check without a file: exit 2" test $? -eq 2

"$DROVE" --version >"$T/out" 2>&1
check "--version exits 0" test $? -eq 0
check "--version: drove's" grep -qE '^drove [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"
check "--version: libev, libyaml, ncurses" \
    grep -qE '^libev [0-9]+\.[0-9]+, libyaml [0-9]+\.[0-9]+\.[0-9]+, ncurses [0-9]+\.[0-9]+' "$T/out"
yaml_pc=$(pkg-config --modversion yaml-0.1 2>/dev/null)
[ -n "$yaml_pc" ] && check "--version: libyaml's is the one installed" \
    contains "$T/out" "libyaml $yaml_pc"

# --color, NO_COLOR, FORCE_COLOR on the plain output.
cd "$T/p" || exit 1
esc=$(printf '\033[')
colored() { grep -qF "$esc" "$1"; }
plain() { ! grep -qF "$esc" "$1"; }
unset NO_COLOR FORCE_COLOR
"$DROVE" --headless drove.yaml >"$T/c1" 2>&1
check "not a terminal: no colour" plain "$T/c1"
"$DROVE" --headless --color=always drove.yaml >"$T/c2" 2>&1
check "--color=always: colour into a pipe" colored "$T/c2"
"$DROVE" --headless --color drove.yaml >"$T/c3" 2>&1
check "a bare --color is always" colored "$T/c3"
FORCE_COLOR=1 "$DROVE" --headless drove.yaml >"$T/c4" 2>&1
check "FORCE_COLOR=1: colour into a pipe" colored "$T/c4"
FORCE_COLOR=1 NO_COLOR=1 "$DROVE" --headless drove.yaml >"$T/c5" 2>&1
check "FORCE_COLOR wins over NO_COLOR" colored "$T/c5"
FORCE_COLOR=1 "$DROVE" --headless --color=never drove.yaml >"$T/c6" 2>&1
check "--color=never wins over FORCE_COLOR" plain "$T/c6"
NO_COLOR=1 "$DROVE" --headless --color=always drove.yaml >"$T/c7" 2>&1
check "--color=always wins over NO_COLOR" colored "$T/c7"
"$DROVE" --headless --color=sometimes drove.yaml >"$T/c8" 2>&1
check "--color=sometimes: a usage error" test $? -eq 2
check "... naming the values" contains "$T/c8" "auto, always or never"
# On a real terminal (tmux), auto colours unless NO_COLOR says not to.
if command -v tmux >/dev/null; then
	tmx="tmux -L drove-color-$$ -f $T/tmux.conf"
	echo "set -g remain-on-exit on" >"$T/tmux.conf"
	for nc in "" 1; do
		rm -f "$T/tty.done"
		$tmx new-session -d -s c -x 100 -y 20 "cd '$T/p' && \
		    env TERM=xterm NO_COLOR='$nc' '$DROVE' --headless drove.yaml; \
		    touch '$T/tty.done'"
		wait_for 20 test -e "$T/tty.done"
		$tmx capture-pane -e -p -t c >"$T/tty$nc.out"
		# Until the server is gone: the next new-session would
		# reach it while it exits.
		tpid=$($tmx list-sessions -F '#{pid}' 2>/dev/null | head -n 1)
		$tmx kill-server 2>/dev/null
		[ -z "$tpid" ] || wait_for 20 eval "! pid_alive $tpid"
	done
	check "a terminal: colour" colored "$T/tty.out"
	check "a terminal with NO_COLOR=1: none" plain "$T/tty1.out"
fi
export NO_COLOR=1

# The DROVE_* variables in every step's environment.
mkdir -p "$T/env" "$T/elsewhere"
cat >"$T/env/drove.yaml" <<'YAML'
settings: {log_dir: runs}
hosts: {web1: 192.0.2.1, web2: 192.0.2.2}
sequences:
  - name: build {{os}}
    matrix: {os: [linux, bsd]}
    steps:
      - name: show
        run: env | grep '^DROVE_' | sort >"out-$DROVE_SEQUENCE"
  - name: deploy
    hosts: all
    steps:
      - name: show
        run: env | grep '^DROVE_' | sort >"out-$DROVE_SEQUENCE"
  - name: plain
    cwd: ../elsewhere
    steps:
      - sleep: 0
      - name: show
        retries: 1
        retry_delay: 0
        run: |
          env | grep '^DROVE_' | sort >"out-$DROVE_SEQUENCE"
          test "$DROVE_ATTEMPT" = 2
YAML
(cd "$T/env" && "$DROVE" --headless >"$T/env.out" 2>&1)
check "the run with DROVE_* checks succeeds" test $? -eq 0 || cat "$T/env.out"
rid=$(basename "$(readlink -f "$T/env/runs/latest")")
e() { grep -qx -- "$2" "$1"; }
p="$T/elsewhere/out-plain"
check "DROVE_RUN_ID is the run's id" e "$p" "DROVE_RUN_ID=$rid"
check "DROVE_RUN_DIR is its directory, absolute, from any cwd" \
    e "$p" "DROVE_RUN_DIR=$T/env/runs/$rid"
check "DROVE_SEQUENCE" e "$p" "DROVE_SEQUENCE=plain"
check "DROVE_STEP" e "$p" "DROVE_STEP=show"
check "DROVE_ATTEMPT counts the retry" e "$p" "DROVE_ATTEMPT=2"
check "no DROVE_HOST nor DROVE_INDEX outside a matrix or hosts" \
    test "$(grep -c 'DROVE_HOST\|DROVE_INDEX' "$p")" -eq 0
check "DROVE_INDEX of a matrix, 0-based" e "$T/env/out-build linux" "DROVE_INDEX=0"
check "... the second" e "$T/env/out-build bsd" "DROVE_INDEX=1"
check "a matrix without hosts: no DROVE_HOST" \
    test "$(grep -c DROVE_HOST "$T/env/out-build bsd")" -eq 0
check "DROVE_HOST of a sequence bound by hosts:" e "$T/env/out-deploy web2" "DROVE_HOST=web2"
check "... and its DROVE_INDEX" e "$T/env/out-deploy web2" "DROVE_INDEX=1"
check "DROVE_RUN_ID in a matrix sequence too" e "$T/env/out-deploy web1" "DROVE_RUN_ID=$rid"

# env_file: .env files, at the top level and per sequence, relative to
# the config, under env.
mkdir -p "$T/ef/conf" "$T/ef/cwd"
cat >"$T/ef/conf/drove.yaml" <<'YAML'
env_file: common.env
env: {LEVEL: top-env}
sequences:
  - name: s
    env_file: [seq.env]
    steps:
      - run: printf '%s|%s|%s|%s\n' "$GREETING" "$LEVEL" "$ONLY_SEQ" "$QUOTED"
YAML
printf '# shared\nGREETING=hello world  # a comment\nLEVEL=top-file\nQUOTED="a\\"b"\n' \
    >"$T/ef/conf/common.env"
printf 'export ONLY_SEQ=seq-file\nLEVEL=seq-file\n' >"$T/ef/conf/seq.env"
(cd "$T/ef/cwd" && "$DROVE" --headless --log-dir runs ../conf/drove.yaml) \
    >"$T/ef.out" 2>&1
check "env_file: the run succeeds" test $? -eq 0
check "env_file: read relative to the config, in order, under env" \
    contains "$T/ef.out" 's | hello world|seq-file|seq-file|a"b'
printf 'BROKEN LINE\n' >"$T/ef/conf/seq.env"
"$DROVE" check "$T/ef/conf/drove.yaml" >"$T/ef.err" 2>&1
check "env_file: a bad line is an error of the config" test $? -eq 2
check "... at its place in the .env file" contains "$T/ef.err" \
    "$T/ef/conf/seq.env:1:1: error: expected KEY=VALUE"

# __complete: what the completion scripts ask.
cd "$T/p" || exit 1
"$DROVE" __complete sequences drove.yaml >"$T/out"
check "__complete sequences" test "$(cat "$T/out")" = "from yaml"
"$DROVE" __complete sequences missing.yaml >"$T/out" 2>&1
check "__complete on a bad file: status 1, silent" \
    test $? -eq 1 -a ! -s "$T/out"
"$DROVE" --log-dir runs __complete runs >"$T/out" 2>&1
check "__complete runs: the run id" grep -qE '^[0-9]{8}-[0-9]{6}$' "$T/out"
"$DROVE" --log-dir runs __complete run-sequences latest >"$T/out" 2>&1
check "__complete run-sequences" test "$(cat "$T/out")" = "from yaml"
"$DROVE" -c drove.yaml __complete run-steps latest 1 >"$T/out" 2>&1
check "__complete run-steps, runs found with -c" \
    test "$(cat "$T/out")" = 'echo "hello from $DROVE_SEQUENCE"'
"$DROVE" __complete nonsense >"$T/out" 2>&1
check "__complete of nothing known: status 1" test $? -eq 1
finish
