#!/usr/bin/env bash
# remote-try.sh: run remote.yaml without any machine. A private sshd on a
# free loopback port, with keys made for the occasion, stands for web1,
# web2 and db1 (tests/e2e/sshd_lib.sh); drove is told about it with
# settings.ssh_config. Arguments go to drove (--headless, --only ...).
# The sshd and its keys go when it ends; the run's record stays, under
# the example's work directory (DROVE_TRY_DIR, default /tmp/drove-example,
# the `work` variable of remote.yaml), so the "logs:" path drove prints
# is still there to read.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
drove=${DROVE:-$here/../../build/drove}
work=${DROVE_TRY_DIR:-/tmp/drove-example}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drove-remote-try.XXXXXX")
. "$here/../../tests/e2e/sshd_lib.sh"
trap 'sshd_stop; rm -rf "$tmp"' EXIT
mkdir -p "$work"
sshd_start "$tmp/sshd"
cp "$here/remote.yaml" "$here/remote-hosts.txt" "$tmp/"
printf 'settings: {ssh_config: "%s", log_dir: "%s/runs"}\n' \
	"$SSHD_CONFIG" "$work" >>"$tmp/remote.yaml"
status=0
"$drove" --set "work=$work" "$@" "$tmp/remote.yaml" || status=$?
echo "the record stays: drove logs --log-dir $work/runs latest" \
    "(or drove review --log-dir $work/runs)" >&2
exit $status
