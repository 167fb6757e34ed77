#!/usr/bin/env bash
# make.sh: photograph real runs of the dashboard for the README.
#
#   screenshots/make.sh [BUILD_DIR]          (default: build)
#
# Runs build/drove on screenshots/scene.yaml in a 140x40 tmux pane, waits
# for each moment worth showing (never a fixed sleep), captures the pane
# with its colours (tmux capture-pane -e), turns the capture into HTML
# (screenshots/ansi2html.py, python3 only) and photographs the page with
# headless Chromium. The run over many hosts (screenshots/hosts.yaml)
# goes through a private sshd on loopback, started as the tests start
# theirs (tests/e2e/sshd_lib.sh). Needs, all from Debian:
#
#   apt-get install tmux python3 openssh-server openssh-client
#   apt-get install chromium fonts-dejavu-core
#
# chromium and fonts-dejavu-core are for this script alone: neither the
# build nor the tests need them.
#
# Writes screenshots/{grid,paused,zoom,help,review,bulk}.png.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-build}
drove=$root/$build/drove
COLS=140
ROWS=40
[ -x "$drove" ] || { echo "build drove first: cmake --build $build" >&2; exit 1; }
for tool in tmux python3 ssh ssh-keygen /usr/sbin/sshd; do
	command -v $tool >/dev/null || { echo "needs $tool (apt-get install tmux python3 openssh-server openssh-client)" >&2; exit 1; }
done
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "needs chromium (apt-get install chromium fonts-dejavu-core)" >&2; exit 1; }

T=$(mktemp -d)
SOCK=drove-shots-$$
tmx() { tmux -u -L "$SOCK" "$@"; }
. "$root/tests/e2e/sshd_lib.sh"
trap 'touch "$T/stop"; tmx kill-server 2>/dev/null; sshd_stop; rm -rf "$T"' EXIT

# wait_for TEXT: poll the pane until it shows TEXT (deadline 60 s).
wait_for() {
	local i
	for i in $(seq 1 1200); do
		tmx capture-pane -p -t shots | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $1" >&2
	tmx capture-pane -p -t shots >&2
	exit 1
}

# shot NAME: capture the pane and photograph it as NAME.png.
shot() {
	local name=$1
	# Let the frame that shows the awaited text settle (a frame is 33 ms).
	sleep 0.2
	tmx capture-pane -e -N -p -t shots >"$T/$name.ans"
	python3 "$here/ansi2html.py" $COLS $ROWS "drove: $name" <"$T/$name.ans" >"$T/$name.html"
	"$chrome" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --hide-scrollbars \
		--user-data-dir="$T/chrome" \
		--window-size=$((COLS * 17 / 2 + 24)),$((ROWS * 17 + 20)) \
		--screenshot="$here/$name.png" "file://$T/$name.html" >/dev/null 2>&1
	echo "wrote screenshots/$name.png"
}

cat >"$T/tmux.conf" <<'EOF'
set -g status off
set -g default-terminal tmux-256color
set -g escape-time 0
EOF
cp "$here/scene.yaml" "$T/scene.yaml"
tmx -f "$T/tmux.conf" new-session -d -s shots -x $COLS -y $ROWS \
	"cd '$T' && exec env SCENE='$T' LANG=C.UTF-8 TERM=tmux-256color '$drove' --log-dir '$T/runs' scene.yaml"

# 1. The grid, with live output.
wait_for "Compiling"
wait_for "tests/test_models.py"
wait_for "asset dist/index"
shot grid

# 2. A failed step paused for the operator: jump to it.
wait_for "PAUSED"
tmx send-keys -t shots '!'
wait_for "0044_ledger"
shot paused

# 3. Zoom: the step list.
tmx send-keys -t shots z
wait_for "apply migrations"
wait_for "verify schema"
shot zoom

# 4. Help.
tmx send-keys -t shots Escape '?'
wait_for "drove: keys"
shot help

tmx send-keys -t shots Escape q y
while tmx has-session -t shots 2>/dev/null; do sleep 0.05; done

# 5. The morning after: drove review on that run, the failed sequence
#    zoomed, with the time each line arrived.
tmx -f "$T/tmux.conf" new-session -d -s shots -x $COLS -y $ROWS \
	"cd '$T' && exec env LANG=C.UTF-8 TERM=tmux-256color '$drove' review --log-dir '$T/runs' latest"
wait_for "read only"
# db migrate is the fourth sequence.
tmx send-keys -t shots Tab Tab Tab z t
wait_for "apply migrations"
tmx send-keys -t shots '/' l e d g e r Enter
wait_for "0044_ledger"
shot review
tmx send-keys -t shots q
while tmx has-session -t shots 2>/dev/null; do sleep 0.05; done

# 6. Many hosts: twenty web servers over ssh (one sshd on loopback stands
#    for them all); four hold the dpkg lock and pause at the same step,
#    one at another. R asks first, naming how many, and offers the four.
sshd_start "$T/sshd" >/dev/null || { echo "sshd did not start" >&2; exit 1; }
sed -e "s|@SSH_CONFIG@|$SSHD_CONFIG|" -e "s|@SCENE@|$T|g" \
	"$here/hosts.yaml" >"$T/hosts.yaml"
tmx -f "$T/tmux.conf" new-session -d -s shots -x $COLS -y $ROWS \
	"cd '$T' && exec env LANG=C.UTF-8 TERM=tmux-256color '$drove' --log-dir '$T/runs-hosts' hosts.yaml"
# Everything has settled: 5 paused, 15 ok (the status bar's counts).
wait_for "!5 ✔15 "
tmx send-keys -t shots '!'
tmx send-keys -t shots R
wait_for "stopped at step 'install'"
shot bulk
tmx send-keys -t shots Escape q y
while tmx has-session -t shots 2>/dev/null; do sleep 0.05; done
