# sshd_lib.sh: a private OpenSSH server on loopback for the tests and the
# benchmarks, run as whoever runs them. Everything it makes lives in one
# directory: a host key, a user key, the server's config, its log, and a
# client config in which every host name (h1, h2, web1, ...) is an alias of
# that one server, so that one sshd stands for many machines. Nothing of
# the user's own ~/.ssh is read or written.
#
#   sshd_start DIR        start it; sets SSHD_DIR, SSHD_PORT, SSHD_PID,
#                         SSHD_CONFIG (pass to ssh -F, or drove's
#                         settings.ssh_config) and SSHD_LOG
#   sshd_stop             stop it (also safe when it never started)
#   sshd_need [TOOL...]   a test that needs the server: skip it (TAP's
#                         "1..0 # SKIP") unless sshd, ssh, python3 and
#                         each TOOL are here
#   sshd_up               a test's server in $T/sshd (lib.sh), stopped
#                         when the test ends; failing the test if it does
#                         not start
#   sshd_connections      TCP connections the server has accepted so far
#   sshd_sessions         sessions (commands, sftp) it has opened so far
#   sshd_most_unauthenticated [LINE]
#                         the most connections it held at once that were
#                         not yet authenticated (from line LINE of its log
#                         on; default 1): what its MaxStartups counts
#
# sshd logs at VERBOSE, so the log has one "Connection from" line per TCP
# connection: that is how a test counts connections per host.
#
# Sessions get SHLVL=1, so that a bash login shell does not read
# ~/.bashrc for every command (bash does that for ssh commands unless SHLVL
# says it is nested): the tests and benchmarks are about drove and OpenSSH,
# not this machine's rc files, which can cost more than the rest. Set
# SSHD_LOGIN_RC=1 before sshd_start to keep them. SSHD_MAX_STARTUPS sets
# its MaxStartups (default 400:30:800).

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}

# A free TCP port on 127.0.0.1 (the kernel picks; a race with another
# process taking it is caught by sshd_start, which then tries again).
sshd_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

sshd_start() {
	local dir=$1 user try deadline
	user=$(id -un)
	mkdir -p "$dir"
	chmod 700 "$dir"
	SSHD_DIR=$(cd "$dir" && pwd)
	ssh-keygen -q -t ed25519 -N '' -C drove-test-host \
		-f "$SSHD_DIR/host_ed25519" </dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -C drove-test-user \
		-f "$SSHD_DIR/id_ed25519" </dev/null || return 1
	cp "$SSHD_DIR/id_ed25519.pub" "$SSHD_DIR/authorized_keys"
	# As root, sshd wants its privilege separation directory (Debian's
	# service creates it at boot; a container may not have it).
	if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 755 /run/sshd
	fi
	for try in 1 2 3 4 5; do
		SSHD_PORT=$(sshd_free_port) || return 1
		cat >"$SSHD_DIR/sshd_config" <<-EOF
			ListenAddress 127.0.0.1
			Port $SSHD_PORT
			HostKey $SSHD_DIR/host_ed25519
			PidFile $SSHD_DIR/sshd.pid
			AuthorizedKeysFile $SSHD_DIR/authorized_keys
			AllowUsers $user
			PermitRootLogin prohibit-password
			PubkeyAuthentication yes
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			StrictModes no
			UsePAM no
			PrintMotd no
			PrintLastLog no
			LogLevel VERBOSE
			# Many "machines" share this server: room for them all.
			MaxStartups ${SSHD_MAX_STARTUPS:-400:30:800}
			MaxSessions 200
			Subsystem sftp internal-sftp
		EOF
		[ -n "${SSHD_LOGIN_RC:-}" ] ||
			echo "SetEnv SHLVL=1" >>"$SSHD_DIR/sshd_config"
		SSHD_LOG=$SSHD_DIR/sshd.log
		: >"$SSHD_LOG"
		"$SSHD_BIN" -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_LOG" &
		SSHD_PID=$!
		deadline=$(( $(date +%s) + 10 ))
		while ! grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" \
			"$SSHD_LOG" 2>/dev/null; do
			if ! kill -0 "$SSHD_PID" 2>/dev/null ||
				[ "$(date +%s)" -ge "$deadline" ]; then
				kill "$SSHD_PID" 2>/dev/null
				wait "$SSHD_PID" 2>/dev/null
				SSHD_PID=
				break
			fi
			sleep 0.02
		done
		[ -n "$SSHD_PID" ] && break
	done
	if [ -z "$SSHD_PID" ]; then
		echo "sshd_lib: sshd did not start:" >&2
		cat "$SSHD_LOG" >&2
		return 1
	fi
	# The host key is known in advance: checking stays on, as it would
	# be for a real machine.
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" \
		"$(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" \
		>"$SSHD_DIR/known_hosts"
	SSHD_CONFIG=$SSHD_DIR/ssh_config
	cat >"$SSHD_CONFIG" <<-EOF
		# Every name is this one server: h1, h2, web1 ... stand for machines.
		Host *
		  HostName 127.0.0.1
		  Port $SSHD_PORT
		  User $user
		  IdentityFile $SSHD_DIR/id_ed25519
		  IdentitiesOnly yes
		  UserKnownHostsFile $SSHD_DIR/known_hosts
		  GlobalKnownHostsFile /dev/null
		  StrictHostKeyChecking yes
		  UpdateHostKeys no
		  LogLevel ERROR
	EOF
	export SSHD_DIR SSHD_PORT SSHD_PID SSHD_CONFIG SSHD_LOG
}

sshd_need() {
	local tool
	for tool in "$SSHD_BIN" ssh python3 "$@"; do
		command -v "$tool" >/dev/null ||
			{ echo "1..0 # SKIP no $tool"; exit 0; }
	done
}

sshd_up() {
	E2E_CLEANUP="${E2E_CLEANUP:+$E2E_CLEANUP; }sshd_stop"
	sshd_start "$T/sshd" || { echo "not ok - sshd did not start"; exit 1; }
}

sshd_stop() {
	[ -n "${SSHD_PID:-}" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

sshd_connections() {
	grep -c "Connection from 127.0.0.1 port" "$SSHD_LOG"
}

sshd_sessions() {
	grep -cE "Starting session|session opened|subsystem request for sftp" \
		"$SSHD_LOG"
}

# A connection is unauthenticated from its "Connection from ... port P"
# to its "Accepted ... port P" (or its end before that, "[preauth]").
sshd_most_unauthenticated() {
	tail -n +"${1:-1}" "$SSHD_LOG" | awk '
		/^Connection from 127\.0\.0\.1 port / {
			open[$5] = 1
			if (++n > most) most = n
			next
		}
		/^Accepted / || /\[preauth\]/ {
			for (i = 1; i < NF; i++)
				if ($i == "port" && ($(i + 1)) in open) {
					delete open[$(i + 1)]
					n--
					break
				}
		}
		END { print most + 0 }'
}
