#!/usr/bin/env bash
# hosts.sh: many hosts at once (issue: scale). Not a test: it prints
# figures and ratios measured in one run. N host aliases of one private
# sshd on loopback (tests/e2e/sshd_lib.sh, with MaxStartups raised so that
# N connections at once are all let in), each running 5 remote `true`:
#   - plain OpenSSH, the baseline: per host, `ssh -M -f -N` (a master,
#     back once it is up), the 5 commands through `ssh -S`, `ssh -O exit`;
#     all hosts at once;
#   - drove with its default max_connecting (8 connections being made at
#     once), and with no limit (0), as the baseline has none.
# For each: the wall time, the TCP connections sshd accepted (exactly N),
# the most connections it held at once before they were authenticated
# (what its MaxStartups counts); for drove its own CPU apart from its ssh
# children's, its peak RSS (bench/own.py), and where a step's time went,
# from the engine's own timestamps (DROVE_DEBUG).
#   bench/hosts.sh [BUILD_DIR [N...]]      (default: build 500)
# BEFORE=DIR also runs DIR/drove, an older build (one without
# max_connecting), with no limit, for a before/after of drove's own CPU.
#
# The sshd, the ssh clients and drove share this machine's CPUs: the wall
# times are mostly sshd's handshakes and sessions. Compare ratios measured
# in the same run, and read them with the load printed beside them.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=${*:-500}
case $build in /*) drove=$build/drove ;; *) drove=$(pwd)/$build/drove ;; esac
[ -x "$drove" ] || { echo "build drove first (cmake --build $build)"; exit 1; }
T=$(mktemp -d)
. tests/e2e/sshd_lib.sh
trap 'sshd_stop; rm -rf "$T"' EXIT
most=0
for n in $sizes; do [ "$n" -gt "$most" ] && most=$n; done
SSHD_MAX_STARTUPS="$((2 * most + 10)):30:$((4 * most + 20))" \
	sshd_start "$T/sshd" >/dev/null
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# Where the time of each step went, from a DROVE_DEBUG file: the wait for
# the host's connection (from the step's start to its master being up),
# the remote step itself (drove's spawn of ssh to its end), and drove's
# hand-over (a step's end to the next step's spawn).
breakdown() {
	python3 - "$1" <<'EOF'
import re, sys
from datetime import datetime
t = lambda s: datetime.strptime(s, "%H:%M:%S.%f").timestamp()
wait, step, hand = [], [], []
began, spawned, ended = {}, {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) drove\[\d+\]: (.*)", line)
    if not m:
        continue
    at, what = t(m.group(1)), m.group(2)
    if (w := re.match(r"connection to \S+: waiting for it \((.*) step (\d+)\)", what)):
        began[w.group(1)] = at
    elif (w := re.match(r"connection to \S+: up \((.*) step (\d+)\)", what)):
        wait.append(at - began.pop(w.group(1), at))
    elif (w := re.match(r"spawn (.*) step (\d+) \(.*\) #\d+ on ", what)):
        seq, k = w.group(1), int(w.group(2))
        spawned[seq, k] = at
        if (seq, k - 1) in ended:
            hand.append(at - ended[seq, k - 1])
    elif (w := re.match(r"end (.*) step (\d+) \(", what)):
        seq, k = w.group(1), int(w.group(2))
        ended[seq, k] = at
        if (seq, k) in spawned:
            step.append(at - spawned[seq, k])
def q(v):
    if not v:
        return "-"
    v = sorted(v)
    pick = lambda f: v[min(len(v) - 1, int(f * len(v)))]
    return f"median {pick(0.5):.3f}s, p90 {pick(0.9):.3f}s, max {v[-1]:.3f}s"
print(f"  waiting for the connection: {q(wait)}  ({len(wait)} hosts)")
print(f"  a remote step (ssh run):    {q(step)}  ({len(step)} steps)")
print(f"  drove's hand-over:          {q(hand)}  (a step's end to the next spawn)")
EOF
}

for n in $sizes; do
	echo "== $n hosts x 5 remote 'true', all at once ($(nproc) CPUs)"
	runs="8 0"
	[ -n "${BEFORE:-}" ] && runs="$runs before"
	for mc in $runs; do
		{
			if [ "$mc" = before ]; then
				echo "settings: {ssh_config: $SSHD_CONFIG}"
			else
				echo "settings: {ssh_config: $SSHD_CONFIG, max_connecting: $mc}"
			fi
			echo "hosts:"
			for h in $(seq 1 "$n"); do echo "  h$h: {}"; done
			echo "sequences:"
			echo "  - name: s"
			echo "    hosts: all"
			echo "    steps:"
			for i in 1 2 3 4 5; do echo "      - {remote: \"true\"}"; done
		} >"$T/hosts-$mc.yaml"
	done
	{
		echo "b() {"
		echo "  ssh -F $SSHD_CONFIG -o BatchMode=yes -M -S $T/b/\$1 -o ControlPersist=no -f -N \$1 || return"
		echo "  for i in 1 2 3 4 5; do ssh -F $SSHD_CONFIG -o BatchMode=yes -S $T/b/\$1 -T \$1 true </dev/null || return; done"
		echo "  ssh -F $SSHD_CONFIG -S $T/b/\$1 -O exit \$1 2>/dev/null"
		echo "}"
		echo "for h in \$(seq 1 $n); do b h\$h & done; wait"
	} >"$T/base.sh"
	mkdir -p "$T/b"

	from=$(( $(wc -l <"$SSHD_LOG") + 1 ))
	before=$(sshd_connections || true)
	echo "load before the baseline: $(load)"
	read -r base _ _ < <(python3 bench/measure.py 1 "bash $T/base.sh")
	echo "plain OpenSSH:           ${base}s  ($(( $(sshd_connections) - before )) connections, $(sshd_most_unauthenticated "$from") unauthenticated at once)"

	for mc in $runs; do
		d=$drove what="max_connecting $mc"
		[ "$mc" = before ] && d=$(cd "$BEFORE" && pwd)/drove what="before"
		rm -rf "$T/runs" "$T/debug"
		from=$(( $(wc -l <"$SSHD_LOG") + 1 ))
		before=$(sshd_connections || true)
		echo "load before drove ($what): $(load)"
		read -r wall user sys rss kids rc < <(DROVE_DEBUG=$T/debug \
			python3 bench/own.py "$d" --headless --log-dir "$T/runs" "$T/hosts-$mc.yaml")
		echo "drove, $what: ${wall}s  (exit $rc, $(( $(sshd_connections) - before )) connections, $(sshd_most_unauthenticated "$from") unauthenticated at once)"
		echo "  drove's own CPU:          $(python3 -c "print(f'{$user + $sys:.2f}')")s (user ${user}s, system ${sys}s; its children ${kids}s)"
		echo "  drove's peak RSS:         $((rss / 1024)) MiB"
		echo "  drove/plain OpenSSH:      $(ratio "$wall" "$base")x   (target <= 1.2)"
		# (An older build may write no such file.)
		[ -s "$T/debug" ] && breakdown "$T/debug"
	done
done
