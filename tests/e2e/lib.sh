# lib.sh: helpers for the end-to-end tests, which drive the built binary.
# Sourced by tests/e2e/test_*.sh; ctest sets DROVE and DROVE_SOURCE_DIR.
set -u

: "${DROVE:=$(cd "$(dirname "$0")/../.." && pwd)/build/drove}"
: "${DROVE_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
export NO_COLOR=1
T=$(mktemp -d "${TMPDIR:-/tmp}/drove-e2e.XXXXXX")
# Steps that make scratch files under $TMPDIR (the demo does) must not
# meet those of another test, or another checkout's, running at once.
export TMPDIR="$T"
# Every run serves a socket in $XDG_RUNTIME_DIR/drove: each test its own,
# so that drove ps and attach see only the test's runs.
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -m 700 "$XDG_RUNTIME_DIR"
E2E_FAILED=0
E2E_PASSED=0
trap 'e2e_cleanup' EXIT

e2e_cleanup() {
	[ -n "${E2E_CLEANUP:-}" ] && eval "$E2E_CLEANUP"
	e2e_stop_servers
	rm -rf "$T"
}

# many_seqs N STEPS: the YAML of N sequences s1..sN, each with the steps
# STEPS (a flow sequence), one a line.
many_seqs() {
	local i
	for i in $(seq 1 "$1"); do
		echo "  - {name: s$i, steps: $2}"
	done
}

# A run outlives its terminal by design, so a test that ends (or fails)
# while its dashboard is attached leaves the run's server going once tmux
# is gone. Stop every drove of this test (they alone have its
# XDG_RUNTIME_DIR) as `drove stop` would, then make sure.
e2e_stop_servers() {
	local p pids=()
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = drove ] || continue
		{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null |
			grep -qxF "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" || continue
		pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	wait_for 10 pids_dead "${pids[@]}" || kill -KILL "${pids[@]}" 2>/dev/null
	return 0
}

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok - $*"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok - $*"; }

# check NAME CONDITION...: run the condition, pass or fail by its status.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

# wait_for DEADLINE_S COMMAND...: poll until COMMAND succeeds; the
# deadline only turns a hang into a failure.
wait_for() {
	local deadline=$(( $(date +%s) + $1 ))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# pids_dead PID...: none of them is alive.
pids_dead() {
	local p
	for p; do
		pid_alive "$p" && return 1
	done
	return 0
}

pid_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

finish() {
	echo "$E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" -eq 0 ]
}
