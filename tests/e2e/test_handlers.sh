#!/usr/bin/env bash
# Handlers (on_failure with steps) and cleanup (finally:): a mount that
# fails, whose handler formats and whose then: retry mounts; a handler that
# fails; cleanup after success, failure, an abort, Ctrl-C and q, and the
# bound on it after a stop; what the record, drove logs and the review say.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# --- headless: a handler that fixes, one that fails, cleanup either way ----
cat >"$T/disk.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: disk
    steps:
      - name: mount
        run: |
          if [ -e formatted ]; then echo mounted; else echo "no filesystem" >&2; exit 32; fi
        on_failure:
          steps:
            - name: format
              run: echo formatting; touch formatted
          then: retry
      - name: use
        run: echo using the disk
    finally:
      - name: unmount
        run: echo unmounting; touch unmounted
  - name: broken
    steps:
      - name: mount
        run: echo "mount broken try"; exit 1
        on_failure:
          steps:
            - name: format broken
              run: echo "cannot format"; exit 3
            - name: never formatted
              run: echo never
          then: retry
      - name: after
        run: echo "not after a failed handler"
    finally:
      - name: release
        run: echo releasing the lock
YAML
(cd "$T" && "$DROVE" --headless disk.yaml >"$T/disk.out" 2>&1)
rc=$?
out=$T/disk.out
check "a failed sequence fails the run" test "$rc" -eq 1
check "the mount fails first" grep -qE "^disk +\| <== step 1/2 mount: failed \(exit 32" "$out"
check "its handler runs, marked as the handler of step 1" \
	grep -qE "^disk +\| ==> handler 1/1 of step 1 format$" "$out"
check "the handler's output is in the sequence's" grep -qE "^disk +\| formatting$" "$out"
check "then: retry mounts again" grep -qE "^disk +\| ==> step 1/2 mount \(try 2\)$" "$out"
check "and it succeeds" grep -qE "^disk +\| <== step 1/2 mount: ok" "$out"
check "the sequence goes on" grep -qE "^disk +\| using the disk$" "$out"
check "cleanup after success" grep -qE "^disk +\| ==> cleanup 1/1 unmount$" "$out"
check "cleanup after the last step" test "$(grep -nE '^disk +\| (using the disk|unmounting)$' "$out" | cut -d: -f1 | tr '\n' ' ')" \
	= "$(grep -nE '^disk +\| using the disk$' "$out" | cut -d: -f1) $(grep -nE '^disk +\| unmounting$' "$out" | cut -d: -f1) "
check "the fixed sequence is ok" grep -qE "^disk +ok +2 +0 +0 " "$out"
check "a failing handler step stops the sequence" grep -qE "^broken +failed +0 +1 +0 " "$out"
check "the failed handler step is shown" \
	grep -qE "^broken +\| <== handler 1/2 of step 1 format broken: failed \(exit 3" "$out"
check "no retry after a failed handler" test "$(grep -c 'mount broken try' "$out")" = 1
check "the rest of the handler does not run" lacks "$out" "| never"
check "nor the next step" lacks "$out" "not after a failed handler"
check "cleanup after failure" grep -qE "^broken +\| releasing the lock$" "$out"
check "the cleanup ran" test -e "$T/unmounted"

ev=$T/runs/latest/events.jsonl
check "the record's plan says what each step is" \
	grep -qF '"roles":["main","main","handler","finally"]' "$ev"
check "a handler step's events say so" \
	grep -qE '"event":"step_start".*"seq":"disk".*"step":"format".*"role":"handler"' "$ev"
check "a cleanup step's too" \
	grep -qE '"event":"step_end".*"seq":"disk".*"step":"unmount".*"role":"finally"' "$ev"
(cd "$T" && "$DROVE" logs --log-dir runs latest disk) >"$T/logs.out" 2>&1
check "drove logs lists the handler's step" grep -qE "^ +3 +handler of 1: format +ok " "$T/logs.out"
check "and the cleanup step" grep -qE "^ +4 +cleanup: unmount +ok " "$T/logs.out"
check "and the mount's two tries" grep -qE "^ +1 +mount +ok +0 .* 2 " "$T/logs.out"
(cd "$T" && "$DROVE" logs --log-dir runs latest disk 3) >"$T/log3.out" 2>&1
check "drove logs shows a handler step's log" contains "$T/log3.out" "formatting"
(cd "$T" && "$DROVE" logs --log-dir runs latest) >"$T/run.out" 2>&1
check "the run's counts are the steps'" grep -qE "^disk +ok +2 +0 +0 " "$T/run.out"

# --- Ctrl-C headless: cleanup runs, the run still says interrupted ----------
cat >"$T/int.yaml" <<YAML
settings: {log_dir: intruns, kill_grace: 2s}
sequences:
  - name: work
    steps:
      - name: long
        run: echo \$\$ > $T/int.pid; exec sleep 1000
    finally:
      - name: tidy
        run: echo tidying; touch $T/tidied
YAML
(cd "$T" && exec "$DROVE" --headless int.yaml >"$T/int.out" 2>&1) &
dpid=$!
wait_for 20 test -s "$T/int.pid"
kill -INT $dpid
wait $dpid
rc=$?
check "Ctrl-C: exits 130" test "$rc" -eq 130
check "Ctrl-C: the step was killed" grep -qE "^work +\| <== step 1/1 long: killed" "$T/int.out"
check "Ctrl-C: the cleanup ran after it" grep -qE "^work +\| tidying$" "$T/int.out"
check "Ctrl-C: and did its work" test -e "$T/tidied"
check "Ctrl-C: the sequence is aborted" grep -qE "^work +aborted " "$T/int.out"

# --- the bound: finally_timeout after a stop, and a second Ctrl-C -----------
cat >"$T/bound.yaml" <<YAML
settings: {log_dir: boundruns, kill_grace: 1s, finally_timeout: 1s}
sequences:
  - name: stuck
    steps:
      - name: long
        run: exec sleep 1000
    finally:
      - name: hangs
        run: echo \$\$ > $T/hang.pid; echo cleaning forever; exec sleep 1000
      - name: never reached
        run: touch $T/reached
YAML
(cd "$T" && exec "$DROVE" --headless bound.yaml >"$T/bound.out" 2>&1) &
dpid=$!
wait_for 20 contains "$T/bound.out" "==> step 1/1 long"
kill -INT $dpid
check "the bound: the cleanup starts" wait_for 20 test -s "$T/hang.pid"
wait $dpid
rc=$?
check "the bound: drove exits by itself" test "$rc" -eq 130
check "the bound: the cleanup step was killed" \
	grep -qE "^stuck +\| <== cleanup 1/2 hangs: killed" "$T/bound.out"
check "the bound: its process is gone" eval "! pid_alive $(cat "$T/hang.pid")"
check "the bound: no more cleanup after it" test ! -e "$T/reached"

# A run cut in its cleanup (exit status $2): drove says 130, the hanging
# cleanup step's process is gone, and the cleanup step after it never ran.
cut_in_cleanup() {
	check "$1: exit status 130" test "$2" = 130
	check "$1: the cleanup's process is gone" eval "! pid_alive $(cat "$T/hang.pid")"
	check "$1: no more cleanup" test ! -e "$T/reached"
}

sed -i 's/finally_timeout: 1s/finally_timeout: 10m/' "$T/bound.yaml"
rm -f "$T/hang.pid"
(cd "$T" && exec "$DROVE" --headless bound.yaml >"$T/twice.out" 2>&1) &
dpid=$!
wait_for 20 contains "$T/twice.out" "==> step 1/1 long"
kill -INT $dpid
check "a second Ctrl-C: the cleanup runs" wait_for 20 test -s "$T/hang.pid"
kill -INT $dpid
wait $dpid
cut_in_cleanup "a second Ctrl-C" "$?"

# --- the dashboard: a handler pane, abort then cleanup, q then cleanup -----
cat >"$T/tui.yaml" <<YAML
settings: {log_dir: tuiruns}
sequences:
  - name: disk
    steps:
      - name: mount
        run: test -e $T/fmt2 && echo mounted now || exit 32
        on_failure:
          steps:
            - name: format
              run: while [ ! -e $T/go ]; do sleep 0.05; done; touch $T/fmt2; echo formatted
          then: retry
    finally:
      - name: unmount
        run: echo unmounted disk
  - name: abortme
    steps:
      - name: long
        run: exec sleep 1000
    finally:
      - name: release
        run: echo released after abort
  - name: quitme
    steps:
      - name: long
        run: exec sleep 1000
    finally:
      - name: last words
        run: touch $T/quit-cleanup
YAML
tui_start tui.yaml
tui_check "the handler runs in the pane, marked" tui_wait "-- handler 1/1 of step 1: format --"
tui_check "the title says it is the handler" tui_wait_re "disk +handler 1/1 of step 1 +format"
touch "$T/go"
tui_check "then: retry mounts" tui_wait "mounted now"
tui_check "the cleanup is marked in the pane" tui_wait "-- ok: cleanup (finally, 1 step) --"
tui_check "the cleanup ran" tui_wait "unmounted disk"
tui_check "the sequence is ok" tui_wait_re "✔ disk +ok 1/1"
tui_keys Tab a
tui_check "abort asks first" tui_wait "Abort abortme?"
tui_keys y
tui_check "after an abort, the cleanup" tui_wait "released after abort"
tui_check "the sequence is aborted" tui_wait_re "■ abortme +aborted at step 1/1"
tui_keys q
tui_check "q asks first" tui_wait "Quit drove?"
tui_keys y
tui_check "q: drove quits once the cleanup ran" tui_dead
check "q: the cleanup ran" test -e "$T/quit-cleanup"

# The dashboard on bound.yaml afresh, up to its long step running.
bound_tui() {
	tui_cleanup
	rm -f "$T/hang.pid" "$T/reached"
	tui_start bound.yaml
	tui_check "$1: the long step runs" tui_wait "-- step 1/1: long --"
}

# --- the dashboard: a second Ctrl-C cuts the cleanup, as headless ---------
# The dashboard is a client of the run's server: its second Ctrl-C must
# reach the server as one too, not be swallowed after the first.
bound_tui "dashboard"
tui_keys C-c
tui_check "dashboard Ctrl-C: the cleanup runs" wait_for 20 test -s "$T/hang.pid"
tui_keys C-c
tui_check "dashboard, a second Ctrl-C: drove exits" tui_dead
cut_in_cleanup "dashboard, a second Ctrl-C" "$(tui_exit_status)"

# --- the dashboard: q while the run stops, d while it stops ----------------
bound_tui "q twice"
tui_keys q
tui_check "q asks first" tui_wait "Quit drove? 1 sequence is not done:"
tui_check "and says what a quit does" tui_has "its steps will be killed; any cleanup (finally:) then runs."
tui_keys y
tui_check "q: the cleanup runs" wait_for 20 test -s "$T/hang.pid"
tui_keys q
tui_check "q while it stops: says the run is stopping" tui_wait "The run is stopping: 1 sequence not stopped yet."
tui_check "q while it stops: says what y does" tui_has "y kills what is left now, cleanup (finally:) included."
tui_check "q while it stops: not 'Quit drove?'" tui_lacks "Quit drove?"
tui_keys n
tui_check "any other key lets it finish" tui_gone "The run is stopping"
check "the cleanup goes on" pid_alive "$(cat "$T/hang.pid")"
tui_keys q
tui_check "asked again" tui_wait "The run is stopping"
tui_keys y
tui_check "y: drove exits" tui_dead
# As a second Ctrl-C:
cut_in_cleanup "y" "$(tui_exit_status)"

bound_tui "d while it stops"
bid=$(basename "$(readlink -f "$T/boundruns/latest")")
tui_keys q
tui_check "q asks" tui_wait "Quit drove?"
tui_keys y
tui_check "the cleanup runs" wait_for 20 test -s "$T/hang.pid"
tui_keys d
tui_check "d while it stops: the dashboard exits" tui_dead
# What the dashboard said as it left: in the pane's history, its lines
# joined.
said() { $TUI capture-pane -p -J -S -100 -t drove | grep -qF -- "$1"; }
tui_check "d while it stops: says the stop goes on" said "detached from run $bid: the run is stopping; cleanup continues in the background: drove attach $bid"
check "d while it stops: exit status 1, as the stopped run's" test "$(tui_exit_status)" = 1
check "d while it stops: the cleanup goes on" pid_alive "$(cat "$T/hang.pid")"
bpid=$("$DROVE" ps 2>/dev/null | awk -v id="$bid" '$1 == id {print $2}')
check "the stopping run is still live" test -n "$bpid"
# The hanging cleanup step ends: the run ends, with nobody attached.
kill "$(cat "$T/hang.pid")"
check "d while it stops: then the run ends" wait_for 20 eval "! pid_alive $bpid"

# --- the review shows the handler and the cleanup as the live run did ------
tui_cleanup
tui_start review --log-dir tuiruns
tui_check "review: the handler step is marked" tui_wait "-- handler 1/1 of step 1: format --"
tui_check "review: and the cleanup step" tui_has "-- cleanup 1/1: unmount --"
tui_check "review: the retry after the handler" tui_has "-- step 1/1: mount (try 2) --"
tui_keys q
tui_check "review: quits" tui_dead
finish
