#!/usr/bin/env bash
# The run directory under hostile conditions: names longer than a file
# name may be; a log directory another user can write to.
. "$(dirname "$0")/lib.sh"

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
E2E_CLEANUP='userdel "$U" 2>/dev/null'
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
