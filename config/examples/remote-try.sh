#!/usr/bin/env bash
# remote-try.sh: run remote.yaml without any machine. A private sshd on a
# free loopback port, with keys made for the occasion, stands for web1,
# web2 and db1 (tests/e2e/sshd_lib.sh); drove is told about it with
# settings.ssh_config. Arguments go to drove (--headless, --only ...).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
drove=${DROVE:-$here/../../build/drove}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drove-remote-try.XXXXXX")
. "$here/../../tests/e2e/sshd_lib.sh"
trap 'sshd_stop; rm -rf "$tmp"' EXIT
mkdir -p /tmp/drove-example
sshd_start "$tmp/sshd"
cp "$here/remote.yaml" "$here/remote-hosts.txt" "$tmp/"
printf 'settings: {ssh_config: "%s", log_dir: "%s/runs"}\n' \
	"$SSHD_CONFIG" "$tmp" >>"$tmp/remote.yaml"
"$drove" "$@" "$tmp/remote.yaml"
