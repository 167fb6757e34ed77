#!/usr/bin/env bash
# The run directory under hostile conditions: names longer than a file
# name may be; a full disk; a log directory another user can write to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# Everything made here goes at the end, whatever failed.
FULL_MOUNTED=""
OTHER_USER=""
safety_cleanup() {
	tui_cleanup
	[ -n "$FULL_MOUNTED" ] && umount "$FULL_MOUNTED" 2>/dev/null
	[ -n "$OTHER_USER" ] && userdel "$OTHER_USER" 2>/dev/null
	true
}
E2E_CLEANUP=safety_cleanup

# --- names longer than a file name may be ------------------------------------
long=$(printf 'sequence-%.0s' $(seq 1 30))   # 270 bytes
step=$(printf 'step %.0s' $(seq 1 60))       # 300 bytes
cat >"$T/long.yaml" <<YAML
sequences:
  - name: $long
    steps:
      - {name: "$step", run: echo hello}
YAML
"$DROVE" --headless --log-dir "$T/runs" "$T/long.yaml" >"$T/out" 2>"$T/err"
check "a 270-byte sequence name runs" test $? -eq 0
check "its log is written" test "$(cat "$T"/runs/latest/01-*/01-*.1.log)" = hello
check "file names are short" test -z "$(find "$T/runs/" -name '????????????????????????????????????????????????????????????*')"
"$DROVE" logs --log-dir "$T/runs" latest >"$T/logs"
check "the record keeps the whole name" grep -q "^$long " "$T/logs"
"$DROVE" logs --log-dir "$T/runs" latest "$long" "$step" >"$T/logs"
check "the step's output by its whole name" test "$(cat "$T/logs")" = hello
check "no empty run directory" test -z "$(find "$T/runs" -mindepth 1 -maxdepth 1 -type d -empty)"

# --- a full disk ---------------------------------------------------------------
# A 256 KiB tmpfs: step 1 floods it, 40 steps run on a full disk (their
# events would cross a page of events.jsonl), then one frees some. The record
# says what was lost, never holds half a line, and the exit status says
# it is incomplete.
mkdir "$T/full"
if ! mount -t tmpfs -o size=256k,mode=0700 tmpfs "$T/full" 2>"$T/mount.err"; then
	echo "ok - # SKIP disk full: cannot mount a tmpfs here ($(cat "$T/mount.err"))"
else
	FULL_MOUNTED="$T/full"
	cat >"$T/full.yaml" <<YAML
sequences:
  - name: fill
    steps:
      - {name: flood, run: "yes 0123456789abcdef | head -c 400000"}
$(for i in $(seq 1 40); do echo "      - {name: while full $i, run: 'true'}"; done)
      - {name: free, run: "rm -f $T/full/filler"}
      - {name: after, run: echo after}
YAML
	full_run() {
		rm -rf "$T/full/runs" "$T/full/filler"
		head -c 65536 /dev/zero >"$T/full/filler"
	}
	full_run
	"$DROVE" --headless --log-dir "$T/full/runs" "$T/full.yaml" >"$T/full.out" 2>"$T/full.err"
	check "disk full: exit 3, the record is incomplete" test $? -eq 3
	check "disk full: said on stderr" grep -q "writing the log of step 1 of fill failed: No space left on device; the record of this run is incomplete" "$T/full.err"
	check "disk full: every line of events.jsonl is whole JSON" python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "a cut line"
for line in data.splitlines():
    json.loads(line)
' "$T"/full/runs/2*/events.jsonl
	check "disk full: a notice in the record" grep -q '"event":"notice","[^}]*No space left on device' "$T"/full/runs/2*/events.jsonl
	check "disk full: the record goes on after it" grep -q '"event":"run_end"' "$T"/full/runs/2*/events.jsonl
	"$DROVE" logs --log-dir "$T/full/runs" latest >"$T/full.logs" 2>"$T/full.logs.err"
	check "disk full: logs says the record is incomplete" grep -q "^record    incomplete" "$T/full.logs"
	check "disk full: logs warns with the notice" contains "$T/full.logs.err" "No space left on device"
	check "disk full: what came after is recorded" test "$("$DROVE" logs --log-dir "$T/full/runs" latest fill 43 2>/dev/null)" = after

	# On the dashboard: on the status bar, and it stays there.
	full_run
	tui_start --log-dir "$T/full/runs" "$T/full.yaml"
	tui_check "disk full: the dashboard's status bar says so" tui_wait "! writing the log of step 1 of fill failed"
	tui_check "disk full: the run finishes" tui_wait_re "fill +ok"
	tui_check "disk full: still said once all is done" tui_has "! writing the log of step 1 of fill failed"
	tui_check "disk full: nothing written over the screen" tui_lacks "drove: "
	tui_keys q
	check "disk full: the dashboard exits 3" test "$(tui_exit_status)" = 3
fi

# --- a log directory another user controls -----------------------------------
# Another user (made here) renames the run directory away while step 1
# runs and plants one with a symlink where step 2's log will go, to a
# file of root's. drove must refuse such a log directory, or, where it
# may use it (sticky, like /tmp), not be fooled.
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null; then
	echo "ok - # SKIP the symlink swap needs root and useradd to make a second user"
	finish
	exit
fi
U="drove-e2e-$$"
useradd --system --no-create-home --shell /bin/sh "$U" ||
	{ fail "useradd $U"; finish; exit; }
OTHER_USER=$U
as_other() { su -s /bin/sh "$U" -c "$1"; }
chmod 0711 "$T"
printf "root's secret\n" >"$T/secret"
chmod 0600 "$T/secret"
cat >"$T/swap.yaml" <<YAML
sequences:
  - name: s
    steps:
      - name: wait
        run: while [ ! -e "$T/go" ]; do sleep 0.05; done
      - {name: two, run: echo PWNED}
YAML

# attack LOG_DIR: run drove there; if a run directory appears, swap it.
# Sets rc to drove's exit status.
attack() {
	local dir=$1 run
	rm -f "$T/go"
	"$DROVE" --headless --log-dir "$dir" "$T/swap.yaml" >"$T/swap.out" 2>"$T/swap.err" &
	local pid=$!
	wait_for 20 sh -c "ls -d '$dir'/2*/01-s/01-wait.1.log >/dev/null 2>&1 || ! kill -0 $pid 2>/dev/null"
	run=$(ls -d "$dir"/2* 2>/dev/null | head -n 1)
	if [ -n "$run" ]; then
		as_other "mv '$run' '$run.away' && mkdir -p '$run/01-s' &&
		    ln -s '$T/secret' '$run/01-s/02-two.1.log' &&
		    ln -s '$T/secret' '$run/01-s/02-two.1.times'" 2>/dev/null
	fi
	touch "$T/go"
	wait "$pid"
	rc=$?
}

mkdir -m 0777 "$T/shared"
attack "$T/shared"
check "a log directory others can write to: refused, exit 2" test "$rc" -eq 2
check "it says why" contains "$T/swap.err" "log directory $T/shared is writable by others: refused"
check "root's file untouched" test "$(cat "$T/secret")" = "root's secret"

mkdir -m 0755 "$T/theirs"
chown "$U" "$T/theirs"
attack "$T/theirs"
check "another user's log directory: refused, exit 2" test "$rc" -eq 2
check "it says whose" contains "$T/swap.err" "belongs to another user"
check "nothing written in it" test -z "$(ls -A "$T/theirs")"

# A sticky directory, like /tmp: nobody can move another's run directory.
mkdir -m 1777 "$T/sticky"
as_other "mkdir '$T/sticky/latest'"      # a planted `latest`
attack "$T/sticky"
check "a sticky log directory is used" test "$rc" -eq 0
check "root's file still untouched" test "$(cat "$T/secret")" = "root's secret"
check "step 2's output in the run's own log" test "$(cat "$T"/sticky/2*[0-9]/01-s/02-two.1.log)" = PWNED
"$DROVE" logs --log-dir "$T/sticky" latest s two >"$T/latest.out" 2>&1
check "a planted latest directory: logs latest still finds the run" test "$(cat "$T/latest.out")" = PWNED
as_other "rm -rf '$T/sticky/latest'; ln -s /etc '$T/sticky/latest'"
"$DROVE" logs --log-dir "$T/sticky" latest s two >"$T/latest.out" 2>&1
check "a planted latest symlink is not followed" test "$(cat "$T/latest.out")" = PWNED

finish
