#!/usr/bin/env bash
# capture: NAME, headless, with real processes: a step's stdout (not its
# stderr) passed to a later step and to a sequence that needs it, the
# 1 MiB limit, a consumer whose source was skipped, a secret kept out of
# the record, and a remote step's capture over the loopback sshd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
cd "$T" || exit 1

cat >"$T/cap.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: provision
    steps:
      - name: bring up
        run: printf 'web1\nweb2\n'; echo 'provisioning...' >&2
        capture: machines
      - name: count
        run: printf '%s\n' "{{machines}}" | wc -l | tr -d ' ' > count
  - name: setup
    needs: provision
    steps:
      - printf '[%s]' "{{machines}}" > setup.out
  - name: skipped
    steps:
      - run: echo never
        capture: ip
        if: "false"
  - name: consumer
    needs: skipped
    steps:
      - echo "ping {{ip}}"
  - name: big
    steps:
      - run: head -c 1048577 /dev/zero | tr '\0' x
        capture: blob
  - name: fits
    steps:
      - run: head -c 1048576 /dev/zero | tr '\0' y; echo
        capture: blob2
  - name: secret
    steps:
      - run: echo s3cr3t-$((6 * 7))
        capture: {name: token, secret: true}
      - name: use the token
        run: test "{{token}}" = "s3cr3t-$((40 + 2))" && echo token ok
YAML
"$DROVE" --headless cap.yaml >cap.out 2>&1
check "a failed or skipped capture fails the run" test $? -eq 1
out=$T/cap.out
ev=$T/runs/latest/events.jsonl
check "the capture step's stdout is shown" grep -qE '^provision +\| web2$' "$out"
check "and its stderr" grep -qE '^provision +\| provisioning...$' "$out"
check "a later step of its sequence has the value" test "$(cat count 2>/dev/null)" = 2
check "a sequence that needs it has it, stderr not in it" \
	test "$(cat setup.out 2>/dev/null)" = "[web1
web2]"
check "the record has the value" \
	grep -qF '"event":"capture","time"' "$ev"
check "as the variable, one trailing newline off" \
	grep -qF '"var":"machines","value":"web1\nweb2"' "$ev"
check "the step that ran has the command as it ran" \
	grep -qF '"run":"printf '"'"'[%s]'"'"' \"web1\nweb2\" > setup.out"' "$ev"
check "a skipped source fails its consumer, saying why" contains "$out" \
	"| !! step 'echo \"ping {{ip}}\"' failed: '{{ip}}' has no value: step 1 'echo never' of sequence 'skipped', which captures it, was skipped"
check "the consumer never ran its command" lacks "$out" "| ping"
check "over 1 MiB fails the step" contains "$out" \
	"| !! step 'head -c 1048577 /dev/zero | tr '\\0' x' failed: its stdout is over 1048576 bytes (1 MiB), the most a capture ('blob') may hold"
check "its bytes still reach its log" \
	test "$(wc -c <"$T/runs/latest/05-big/01-head--c-1048577-dev-zero-tr-0-x.1.log")" -eq 1048577
check "1 MiB and a newline fits" grep -qE '^fits +ok' "$out"
check "a secret value is used" grep -qE '^secret +\| token ok' "$out"
check "never shown" lacks "$out" "s3cr3t-42"
check "never in the record" sh -c "! grep -rqF s3cr3t-42 '$T/runs/latest/'"
check "which says it was captured, secret" \
	grep -qF '"var":"token","secret":true' "$ev"
check "and shows the command with ***" \
	grep -qF '"run":"test \"***\" = \"s3cr3t-$((40 + 2))\"' "$ev"

# --- drove logs shows the values; --resume reuses them -----------------------
"$DROVE" logs --log-dir runs latest provision >logs.out 2>&1
check "drove logs shows a sequence's captures" grep -qF '{{machines}}  step 1, 9 bytes' logs.out
check "with the value's lines" grep -qE '^    web2$' logs.out
"$DROVE" logs --log-dir runs latest secret >logs-secret.out 2>&1
check "and a secret one as not kept" grep -qF '{{token}}  step 1, secret: not kept' logs-secret.out
"$DROVE" logs --json --log-dir runs latest >logs.json 2>&1
check "drove logs --json has the value" \
	grep -qF '"capture":{"var":"machines","value":"web1\nweb2","secret":false}' logs.json

cat >"$T/resume.yaml" <<'YAML'
settings: {log_dir: rsruns}
sequences:
  - name: provision
    steps:
      - name: bring up
        run: echo once >> provisioned; printf 'db1\ndb2\n'
        capture: machines
      - run: echo "pw-$(cat provisioned | wc -l)"
        capture: {name: pw, secret: true}
  - name: setup
    needs: provision
    steps:
      - name: configure
        run: test -e ready && printf '%s|%s' "{{machines}}" "{{pw}}" > resumed.out
YAML
"$DROVE" --headless resume.yaml >resume1.out 2>&1
check "the first run fails in setup" test $? -eq 1
touch ready
"$DROVE" --headless --resume latest resume.yaml >resume2.out 2>&1
check "--resume succeeds" test $? -eq 0
check "the capturing step is not run again" test "$(wc -l <provisioned)" -eq 1
check "its value is used by what runs again" \
	test "$(cat resumed.out 2>/dev/null)" = "db1
db2|pw-1"
check "a secret capture, not in the record, runs again" \
	grep -qE '^provision +\| ==> step 2/2' resume2.out
check "the new record has the value reused" \
	grep -qF '"attempt":0,"var":"machines","value":"db1\ndb2"' rsruns/latest/events.jsonl

# --- a remote step's capture: stdout of the command on the host -----------
if command -v "$SSHD_BIN" >/dev/null && command -v ssh >/dev/null; then
	sshd_up
	cat >"$T/remote.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: rruns}
hosts: {h1: {}}
sequences:
  - name: r
    host: h1
    steps:
      - remote: echo "on \$(hostname)"; echo remote-noise >&2; echo second
        capture: where
      - printf '%s' "{{where}}" > remote.out
  - name: port
    steps:
      - run: echo 127.0.0.1:$SSHD_PORT
        capture: addr
      - wait_for: {tcp: "{{addr}}"}
        timeout: 1m
YAML
	"$DROVE" --headless remote.yaml >remote.log 2>&1
	check "a remote capture runs" test $? -eq 0
	check "its value is the host's stdout, not its stderr" \
		test "$(cat remote.out 2>/dev/null)" = "on $(hostname)
second"
	check "its stderr is shown" grep -qE '^r +\| remote-noise$' remote.log
	check "a wait_for tcp on a captured address" \
		grep -qE '^port +\| <== step 2/2 wait for tcp \{\{addr\}\}: ok' remote.log
else
	echo "ok - # SKIP no sshd for the remote capture"
fi
finish
