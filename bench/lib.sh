# lib.sh: what the benchmarks share, sourced by bench/*.sh from the
# source tree's top: the drove to measure, a scratch directory with the
# line generator, ratios, the 4 x 200,000-line flood, and a tmux server
# of their own whose 200x50 panes run a command under GNU time.

# bench_setup BUILD_DIR: $drove (absolute; $DROVE if set), $T (removed on
# exit, with whatever bench_cleanup adds), $gen.
bench_setup() {
	drove=${DROVE:-$(pwd)/$1/drove}
	[ -x "$drove" ] || { echo "build drove first (cmake --build $1)"; exit 1; }
	T=$(mktemp -d)
	trap 'bench_cleanup; rm -rf "$T"' EXIT
	cc -O2 -o "$T/gen" bench/gen.c
	gen=$T/gen
}
bench_cleanup() { :; }

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# bench_flood [LOG_DIR]: a config of 4 sequences printing 200,000 lines
# of 80 bytes each, on stdout.
bench_flood() {
	[ -n "${1:-}" ] && echo "settings: {log_dir: $1}"
	echo "sequences:"
	for i in 1 2 3 4; do echo "  - {name: g$i, steps: ['$gen 200000']}"; done
}

# bench_tmux: tmx, a tmux of the benchmark's own (killed on exit), and
# its config.
bench_tmux() {
	command -v tmux >/dev/null || { echo "needs tmux"; exit 1; }
	SOCK=drove-bench-$$
	printf 'set -g status off\nset -g default-terminal tmux-256color\n' >"$T/tmux.conf"
	trap 'tmx kill-server 2>/dev/null || true; bench_cleanup; rm -rf "$T"' EXIT
}
tmx() { tmux -u -L "$SOCK" "$@"; }

# in_pane NAME COMMAND: COMMAND in a fresh 200x50 pane under GNU time;
# prints "wall user sys maxrss_kib" once it is done.
in_pane() {
	local name=$1 cmd=$2
	rm -f "$T/$name.time"
	tmx -f "$T/tmux.conf" new-session -d -s "$name" -x 200 -y 50 \
		"cd '$T' && env LANG=C.UTF-8 TERM=tmux-256color /usr/bin/time -f '%e %U %S %M' -o '$T/$name.tmp' sh -c '$cmd'; mv '$T/$name.tmp' '$T/$name.time'"
	while [ ! -s "$T/$name.time" ]; do sleep 0.05; done
	tmx kill-session -t "$name" 2>/dev/null || true
	cat "$T/$name.time"
}
