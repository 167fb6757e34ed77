#!/usr/bin/env bash
# Acting on many hosts at once, over the loopback sshd: R retries every
# failed or paused sequence, or (o) only those stopped at the focused
# one's step; S skips; each asks first, naming how many, and the record
# holds one action per sequence. $ opens a shell on a host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
. "$(dirname "$0")/tui_lib.sh"

sshd_need
sshd_up

# h1-h4 fail at 'install' (a bad file pushed to them), h5-h6 at 'config'.
cat >"$T/bulk.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs}
hosts: {h1: {}, h2: {}, h3: {}, h4: {}, h5: {}, h6: {}}
sequences:
  - name: web {{host}}
    hosts: all
    steps:
      - name: install
        remote: case {{host}} in h[1-4]) test -e $T/fixed || exit 4;; esac
        on_failure: pause
      - name: config
        remote: case {{host}} in h[56]) exit 5;; esac
        on_failure: pause
      - remote: echo done on {{host}}
YAML

cd "$T" || exit 1
tui_start bulk.yaml
tui_check "six panes, six failures" tui_wait_re "!6 "
tui_keys R
tui_check "R asks, naming how many" tui_wait "Retry 6 failed or paused sequences?"
tui_check "and offers the focused one's step" tui_wait "o: only the 4 stopped at step 'install'"
tui_keys n
tui_check "any other key cancels" tui_wait "retry: cancelled"
check "nothing was retried" test "$(grep -c '"event":"retry"' runs/latest/events.jsonl)" -eq 0
touch "$T/fixed"
tui_keys R o
tui_check "the four at install were retried" tui_wait "retried 4 sequences"
tui_check "they went on" tui_wait_re "✔ web h4 +ok 3/3"
tui_check "the others still wait" tui_wait_re "!2 "
# $ on a bound sequence: a shell on its host, through its connection.
before=$(sshd_connections)
tui_keys '!' '$'
tui_check "\$: the shell has the terminal" tui_gone "!2 "
tui_keys "touch $T/on-the-host; exit" Enter
check "\$: the shell ran on the host" wait_for 20 test -e "$T/on-the-host"
tui_check "\$: back from the shell" tui_wait_re "back from the shell for web h[56]"
check "\$: through the host's connection" test "$(sshd_connections)" -eq "$before"
check "\$: recorded, with the host" grep -q '"event":"shell".*"seq":"web h[56]".*"operator":true.*"host":"h[56]"' runs/latest/events.jsonl
tui_keys S
tui_check "S asks too" tui_wait "Skip 2 failed or paused sequences?"
tui_keys y
tui_check "both skipped" tui_wait "skipped 2 sequences"
tui_check "everything finished" tui_wait_re "finished in 0:[0-9]+"
tui_check "h6 went on past its skip" tui_wait_re "web h6 +ok 2/3, 1 skipped"
ev=runs/latest/events.jsonl
check "one retry recorded per sequence" test "$(grep '"event":"retry"' $ev | grep -c '"operator":true')" -eq 4
check "for each host" test "$(grep '"event":"retry"' $ev | grep -o '"seq":"web h[0-9]"' | sort -u | wc -l)" -eq 4
check "one skip recorded per sequence" test "$(grep -c '"event":"skip"' $ev)" -eq 2
tui_keys q
tui_check "quit" tui_dead

finish
