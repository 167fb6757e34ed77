#!/usr/bin/env bash
# drove attach without a run: with several live runs it lists them and
# asks for one instead of taking the newest; with one it attaches and
# says which run it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/hold.yaml" <<'YAML'
sequences:
  - name: hold
    steps:
      - run: echo holding; while [ ! -e go ]; do sleep 0.05; done
YAML

nlive() { "$DROVE" ps | grep -c "hold.yaml"; }

id1=$(cd "$T" && "$DROVE" -d --log-dir "$T/runs1" hold.yaml)
id2=$(cd "$T" && "$DROVE" -d --log-dir "$T/runs2" hold.yaml)
# Whatever happens, no run outlives the test.
E2E_CLEANUP='tui_cleanup; "$DROVE" stop "$id1" >/dev/null 2>&1; "$DROVE" stop "$id2" >/dev/null 2>&1'
check "two runs start" test -n "$id1" -a -n "$id2"
check "both are live" wait_for 20 eval '[ "$(nlive)" = 2 ]'

tui_start_stay attach
tui_check "attach with two live runs exits" tui_exited
check "exit status 2" test "$(tui_exit_status)" = 2
tui_check "it asks for one" tui_wait "drove: 2 runs are live: name one, drove attach RUN"
tui_check "and lists them as ps does" tui_wait_re "^RUN +PID +STARTED +SEQUENCES +CONFIG"
tui_check "the first" tui_wait "$id1"
tui_check "the second" tui_wait "$id2"
check "neither run was touched" eval '[ "$(nlive)" = 2 ]'
tui_cleanup

"$DROVE" stop "$id1" >/dev/null
check "one run is left" wait_for 20 eval '[ "$(nlive)" = 1 ]'
tui_start_stay attach
tui_check "attach with one live run attaches" tui_wait "holding"
tui_keys d
tui_check "d detaches" tui_exited
tui_check "it says which run it was attached to" tui_wait "attached to run $id2 (config $T/hold.yaml)"
check "exit status 0" test "$(tui_exit_status)" = 0
tui_cleanup

touch "$T/go"
check "the run ends" wait_for 30 eval '[ "$(nlive)" = 0 ]'

finish
