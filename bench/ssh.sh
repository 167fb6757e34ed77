#!/usr/bin/env bash
# ssh.sh: the remote steps' benchmarks (issue: remote machines over
# OpenSSH). Not a test: it prints figures and ratios measured in one run,
# against a private sshd on loopback (tests/e2e/sshd_lib.sh) whose host
# aliases h1 ... h50 stand for fifty machines.
#   bench/ssh.sh [BUILD_DIR]      (default: build)
#
# Loopback has no network latency, so what remains is the cost of a
# connection (key exchange, authentication) against the cost of a session
# over an open one. The sshd keeps the login shell's rc files out (see
# sshd_lib.sh); the last figure shows what they add on this machine, for
# every session, with or without drove.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
drove=$(pwd)/$build/drove
[ -x "$drove" ] || { echo "build drove first (cmake --build $build)"; exit 1; }
T=$(mktemp -d)
. tests/e2e/sshd_lib.sh
trap 'sshd_stop; rm -rf "$T"' EXIT
sshd_start "$T/sshd" >/dev/null
R=${REPEAT:-3}
m() { python3 bench/measure.py "$R" "$1"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
per() { python3 -c "print(f'{1000*$1/$2:.0f}')"; }
# The CPU time, in clock ticks, of the sshd and all it started so far
# (a process's own and that of its children it reaped).
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
sshd_ticks() {
	local p t=0
	for p in "$SSHD_PID" $(descendants "$SSHD_PID"); do
		t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# sshd's CPU per session in ms, from ticks before and after N sessions.
sshd_per() { python3 -c "print(f'{($2 - $1) * 1000 / $(getconf CLK_TCK) / $3:.1f}')"; }
ssh_=(ssh -F "$SSHD_CONFIG" -o BatchMode=yes)

echo "== 50 remote 'true' steps on one host, one after another"
for mux in true false; do
	{
		echo "settings: {ssh_config: $SSHD_CONFIG}"
		echo "hosts: {h1: {multiplex: $mux}}"
		echo "sequences:"
		echo "  - name: s"
		echo "    host: h1"
		echo "    steps:"
		for i in $(seq 1 50); do echo "      - {remote: \"true\"}"; done
	} >"$T/one-$mux.yaml"
done
t0=$(sshd_ticks)
read -r mux _ rc1 < <(m "$drove --headless --log-dir $T/runs $T/one-true.yaml >/dev/null")
t1=$(sshd_ticks)
read -r fresh _ rc2 < <(m "$drove --headless --log-dir $T/runs $T/one-false.yaml >/dev/null")
# The same 50 sessions without drove: ssh alone, through a master and not.
"${ssh_[@]}" -o ControlMaster=yes -o ControlPath="$T/cm" -o ControlPersist=no -N h1 </dev/null &
master=$!
while [ ! -S "$T/cm" ]; do sleep 0.01; done
t2=$(sshd_ticks)
read -r raw_mux _ _ < <(m "for i in \$(seq 1 50); do ${ssh_[*]} -o ControlPath=$T/cm h1 true </dev/null; done")
kill "$master"; wait "$master" 2>/dev/null || true
t3=$(sshd_ticks)
read -r raw_fresh _ _ < <(m "for i in \$(seq 1 50); do ${ssh_[*]} -o ControlPath=none h1 true </dev/null; done")
echo "drove, one connection (multiplexed): ${mux}s  ($(per "$mux" 50) ms a step, exit $rc1)"
echo "drove, a connection per step:        ${fresh}s  ($(per "$fresh" 50) ms a step, exit $rc2)"
echo "fresh/multiplexed:                    $(ratio "$fresh" "$mux")x"
echo "ssh alone, through a master:          ${raw_mux}s  ($(per "$raw_mux" 50) ms a session)"
echo "ssh alone, a connection each:         ${raw_fresh}s  ($(per "$raw_fresh" 50) ms a session)"
echo "drove/ssh alone (multiplexed):        $(ratio "$mux" "$raw_mux")"
echo "sshd's CPU a session, drove's step:    $(sshd_per "$t0" "$t1" $((50 * R))) ms (the wrapper; with the master's set-up)"
echo "sshd's CPU a session, ssh alone:       $(sshd_per "$t2" "$t3" $((50 * R))) ms (through a master)"

echo "== 50 hosts (aliases of one sshd) x 5 remote steps, all at once"
{
	echo "settings: {ssh_config: $SSHD_CONFIG}"
	echo "hosts:"
	for h in $(seq 1 50); do echo "  h$h: {}"; done
	echo "sequences:"
	echo "  - name: s"
	echo "    hosts: all"
	echo "    steps:"
	for i in 1 2 3 4 5; do echo "      - {remote: \"true\"}"; done
} >"$T/many.yaml"
before=$(sshd_connections)
read -r many _ rc3 < <(m "$drove --headless --log-dir $T/runs $T/many.yaml >/dev/null")
conns=$(( ($(sshd_connections) - before) / R ))
serial=$(python3 -c "print(f'{$raw_fresh + 5 * $mux:.3f}')")
echo "drove, 50 hosts x 5 steps:            ${many}s  (exit $rc3, $conns connections a run, $(nproc) CPUs)"
echo "one host after another (estimated):   ${serial}s  (50 x (a connection + 5 steps), from the figures above)"
echo "one after another/all at once:        $(ratio "$serial" "$many")x"

echo "== the same 50 steps on one host with the login shell's rc files"
sshd_stop
SSHD_LOGIN_RC=1 sshd_start "$T/sshd-rc" >/dev/null
sed "s|ssh_config: [^}]*|ssh_config: $SSHD_CONFIG|" "$T/one-true.yaml" >"$T/one-rc.yaml"
read -r rc_mux _ rc4 < <(m "$drove --headless --log-dir $T/runs $T/one-rc.yaml >/dev/null")
echo "drove, one connection, with rc files: ${rc_mux}s  ($(per "$rc_mux" 50) ms a step, exit $rc4; +$(python3 -c "print(f'{1000*($rc_mux-$mux)/50:.0f}')") ms a session for $SHELL's rc)"
