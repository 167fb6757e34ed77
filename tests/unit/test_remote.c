/* test_remote.c: the ssh transport. Its command lines and the remote
 * wrapper on their own (run by a local sh, in a session of its own as
 * sshd would start it), then the engine against a real sshd on loopback
 * (tests/e2e/sshd_lib.sh): output and exit codes, copies, one connection
 * per host, a host that is down, and a killed step that leaves nothing
 * running on the host. The sshd tests are skipped without OpenSSH. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "config.h"
#include "proc.h"
#include "remote.h"
#include "run.h"
#include "run_test.h"
#include "strbuf.h"
#include "testutil.h"
#include "xmalloc.h"

/* The private sshd shared by the tests of this file. */
static struct {
	char *dir;           /* NULL: no sshd (tests skip) */
	char *config;        /* client ssh_config */
	char *log;
	pid_t pid;
} sshd;

/* --- helpers ----------------------------------------------------------- */

/* The command line remote_argv makes, as "[word] [word] ..." (caller
 * frees). */
static char *
argv_of(struct remote *r, size_t h, const struct cfg_step *st,
    char *const *env, size_t n_env, double grace)
{
	char **argv = remote_argv(r, h, st, env, n_env, grace);
	struct strbuf sb = STRBUF_INIT;

	for (char **p = argv; *p != NULL; p++)
		strbuf_printf(&sb, "%s[%s]", p == argv ? "" : " ", *p);
	xstrv_free(argv);
	return strbuf_detach(&sb);
}

static size_t
sshd_connections(void)
{
	char *log = tu_read_file(sshd.log, NULL);
	size_t n = log ? tu_count(log, "Connection from 127.0.0.1") : 0;

	free(log);
	return n;
}

/* A world (testutil.h) on the private sshd, or the test skipped without
 * one: its settings are the ssh_config and SETTINGS (more of them, or
 * ""), and REST follows them. */
static struct tu_world *
w_sshd(const char *settings, const char *rest)
{
	struct tu_world *w;
	char *text;

	if (sshd.dir == NULL)
		skip();
	text = xasprintf("settings: {ssh_config: \"%s\"%s%s}\n%s",
	    sshd.config, *settings != '\0' ? ", " : "", settings, rest);
	w = tu_world_new(text, false);
	free(text);
	return w;
}

/* --- command lines ----------------------------------------------------- */

static void
test_argv(void **state)
{
	struct config *cfg;
	struct remote *r;
	char *s, *err = NULL, *env[] = { (char *)"A=it's" };
	const char *yaml =
	    "settings: {ssh_config: /etc/drove ssh}\n"
	    "hosts:\n"
	    "  h: {address: 10.0.0.1, user: me, port: 2222, identity: "
	    "\"/k/my key%\", ssh_options: {ConnectTimeout: 5}}\n"
	    "  v6: {address: \"::1\", multiplex: false}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    host: h\n"
	    "    steps:\n"
	    "      - remote: echo hi\n"
	    "      - {upload: \"a:b\", to: /tmp/x}\n"
	    "      - {download: /var/log/x, to: logs}\n"
	    "      - {remote: top, tty: true}\n"
	    "  - name: t\n"
	    "    host: v6\n"
	    "    steps: [{upload: f, to: /tmp}]\n";

	(void)state;
	if (config_load_string("t.yaml", yaml, NULL, 0, &cfg, &err) != 0)
		fail_msg("%s", err);
	r = remote_create(cfg);
	/* Before a connection exists there is no socket to name: the step
	 * would get a connection of its own. */
	s = argv_of(r, 0, &cfg->seqs[0].steps[0], env, 1, 5);
	assert_string_equal(s, "[ssh] [-F] [/etc/drove ssh] [-o] "
	    "[BatchMode=yes] [-o] [RemoteCommand=none] [-o] [ControlMaster=no] "
	    "[-o] [ControlPath=none] "
	    "[-o] [User=\"me\"] [-o] [Port=2222] [-o] "
	    "[IdentityFile=\"/k/my key%%\"] [-o] [ConnectTimeout=5] [-T] [--] "
	    "[10.0.0.1] [exec sh -c 'g=$1 m=$2 c=$3; shift 3; r() { [ $# "
	    "-eq 0 ] || command export \"$@\" 2>/dev/null || exec env \"$@\" "
	    "sh -c \"$c\"; exec sh -c \"$c\"; }; exec 3<&0 </dev/null; if "
	    "[ \"$m\" = 1 ]; then r \"$@\" 3<&- 2>&1 & else r \"$@\" 3<&- "
	    "& fi; p=$!; "
	    "{ while read -r "
	    "_; do :; done; trap \"\" TERM; kill -TERM 0; sleep \"$g\"; kill "
	    "-KILL 0; } <&3 >/dev/null 2>&1 & exec 3<&-; wait \"$p\"; s=$?; "
	    "trap \"\" TERM; kill -TERM 0 2>/dev/null; exit \"$s\"' drove 5 "
	    "1 'echo hi' 'A=it'\\''s']");
	free(s);

	s = argv_of(r, 0, &cfg->seqs[0].steps[1], NULL, 0, 5);
	/* "a:b" would be a host to scp. */
	assert_non_null(strstr(s, "[-r] [-p] [--] [./a:b] [10.0.0.1:/tmp/x]"));
	assert_true(strncmp(s, "[scp] [-F]", 10) == 0);
	free(s);
	s = argv_of(r, 0, &cfg->seqs[0].steps[2], NULL, 0, 5);
	assert_non_null(strstr(s, "[--] [10.0.0.1:/var/log/x] [logs]"));
	free(s);
	s = argv_of(r, 0, &cfg->seqs[0].steps[3], env, 1, 0.2);
	assert_non_null(strstr(s, "[-o] [LogLevel=ERROR] [-tt] [--] "
	    "[10.0.0.1] [exec env 'A=it'\\''s' sh -c 'top']"));
	free(s);
	s = argv_of(r, 1, &cfg->seqs[1].steps[0], NULL, 0, 5);
	assert_non_null(strstr(s, "[--] [f] [[::1]:/tmp]"));
	free(s);
	remote_free(r);
	config_free(cfg);
}

/*
 * The wrapper, with no ssh in between: a local sh in a session of its own
 * (what sshd gives a command) gets the command word, with stdin a pipe
 * the test holds. Returns the pid; *in is the pipe's write end.
 */
static pid_t
spawn_wrapped(const char *command, char **env, size_t n_env, int *in,
    int *out)
{
	struct config *cfg;
	struct remote *r;
	char **argv, *err = NULL, *word;
	int inp[2], outp[2];
	pid_t pid;

	if (config_load_string("t.yaml", "hosts: {h: {}}\nsequences: "
	    "[{name: s, host: h, steps: [{remote: x}]}]\n", NULL, 0, &cfg,
	    &err) != 0)
		fail_msg("%s", err);
	free(cfg->seqs[0].steps[0].run);
	cfg->seqs[0].steps[0].run = xstrdup(command);
	r = remote_create(cfg);
	argv = remote_argv(r, 0, &cfg->seqs[0].steps[0], env, n_env, 1);
	while (argv[1] != NULL)
		argv++;  /* the last word is what the login shell runs */
	word = xstrdup(*argv);
	while (argv[-1] != NULL && strcmp(argv[-1], "ssh") != 0)
		argv--;
	xstrv_free(argv - 1);
	remote_free(r);
	config_free(cfg);

	assert_int_equal(pipe(inp), 0);
	assert_int_equal(pipe(outp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		dup2(inp[0], 0);
		dup2(outp[1], 1);
		dup2(outp[1], 2);
		close_range(3, ~0U, 0);
		execl("/bin/sh", "sh", "-c", word, (char *)NULL);
		_exit(127);
	}
	free(word);
	close(inp[0]);
	close(outp[1]);
	*in = inp[1];
	*out = outp[0];
	return pid;
}

static char *
read_all(int fd)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		buf = xreallocarray_grow(buf, &cap, len + 4097, 1);
		n = read(fd, buf + len, 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* COMMAND through the wrapper (spawn_wrapped), the channel's stdin held
 * open until it exited: what it wrote, once it exited with STATUS.
 * Caller frees. */
static char *
run_wrapped(const char *command, char **env, size_t n_env, int status)
{
	int in, fd, st;
	pid_t pid = spawn_wrapped(command, env, n_env, &in, &fd);
	char *out = read_all(fd);

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), status);
	close(in);
	return out;
}

static void
test_wrapper_status_and_env(void **state)
{
	char *env[] = { (char *)"GREETING=it's \"here\"", (char *)"X=1" };
	char *out;

	(void)state;
	out = run_wrapped("echo \"$GREETING $X\"; echo err >&2; "
	    "read -r line && echo \"stdin: $line\"; exit 7", env, 2, 7);
	/* The command's stdin is /dev/null, never the channel's. */
	assert_string_equal(out, "it's \"here\" 1\nerr\n");
	free(out);
}

/* A name the shell cannot export (no identifier) does not keep the others
 * from the command (env(1) sets them; whether the odd one survives the
 * command's own sh is that shell's business: dash drops it); and no
 * variables at all is no `export` listing. */
static void
test_wrapper_odd_names(void **state)
{
	char *env[] = { (char *)"ODD-NAME=odd one", (char *)"X=1" };
	char *out;

	(void)state;
	out = run_wrapped("echo \"$X\"", env, 2, 0);
	assert_string_equal(out, "1\n");
	free(out);

	out = run_wrapped("echo none", NULL, 0, 0);
	assert_string_equal(out, "none\n");
	free(out);
}

static void
test_wrapper_end_of_input_kills_group(void **state)
{
	char *dir = tu_tmpdir(), *cmd, *cfile, *gfile, *out;
	pid_t pid, child = 0, grandchild = 0;
	int in, fd, status;

	(void)state;
	cfile = xasprintf("%s/c", dir);
	gfile = xasprintf("%s/g", dir);
	/* A child that ignores nothing and a grandchild that ignores
	 * SIGTERM: the second needs the SIGKILL after the grace. */
	cmd = xasprintf("sh -c 'trap \"\" TERM; echo $$ > %s/g; "
	    "while :; do sleep 0.05; done' & echo $$ > %s/c; wait", dir, dir);
	pid = spawn_wrapped(cmd, NULL, 0, &in, &fd);
	free(cmd);
	for (int i = 0; i < 2000; i++) {
		child = tu_read_pid(cfile);
		grandchild = tu_read_pid(gfile);
		if (child > 0 && grandchild > 0)
			break;
		usleep(5000);
	}
	assert_true(tu_pid_alive(child));
	assert_true(tu_pid_alive(grandchild));
	/* The end of input, no signal: what closing the ssh channel does. */
	close(in);
	out = read_all(fd);
	free(out);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < 2000 && (tu_pid_alive(child) ||
	    tu_pid_alive(grandchild)); i++)
		usleep(5000);
	assert_false(tu_pid_alive(child));
	assert_false(tu_pid_alive(grandchild));
	free(cfile);
	free(gfile);
	tu_rmrf(dir);
	free(dir);
}

static char *ready_err;
static bool ready_called;

static void
ready_cb(void *arg, const char *err)
{
	(void)arg;
	ready_called = true;
	ready_err = err ? xstrdup(err) : NULL;
}

/* A run directory too deep for a socket path: the control directory goes
 * to $TMPDIR (private all the same), and a master that cannot connect
 * fails its waits with ssh's words. No sshd needed: nothing listens on
 * port 1. */
static void
test_control_dir_fallback(void **state)
{
	struct config *cfg;
	struct remote *r;
	struct remote_wait *w = NULL;
	char *err = NULL, *deep, *tmp = tu_tmpdir(), *dir;
	const char *old = getenv("TMPDIR");
	struct stat sb;

	(void)state;
	if (system("command -v ssh >/dev/null") != 0)
		skip();
	if (config_load_string("t.yaml", "hosts: {h: {address: 127.0.0.1, "
	    "port: 1, ssh_options: {UserKnownHostsFile: /dev/null}}}\n"
	    "sequences: [{name: s, host: h, steps: [{remote: x}]}]\n", NULL,
	    0, &cfg, &err) != 0)
		fail_msg("%s", err);
	deep = xasprintf("%s/%0100d", tmp, 0);
	assert_int_equal(mkdir(deep, 0700), 0);
	old = old ? xstrdup(old) : NULL;
	setenv("TMPDIR", tmp, 1);
	unsetenv("XDG_RUNTIME_DIR");
	r = remote_create(cfg);
	remote_set_dir(r, deep);
	ready_called = false;
	assert_int_equal(remote_connect(r, 0, ready_cb, NULL, &w), 0);
	assert_non_null(w);
	assert_false(ready_called);
	dir = xstrdup(remote_dir(r));
	assert_true(strncmp(dir, tmp, strlen(tmp)) == 0);
	assert_null(strstr(dir, deep));
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(remote_masters(r), 1);
	while (!ready_called)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_non_null(ready_err);
	assert_non_null(strstr(ready_err, "Connection refused"));
	free(ready_err);
	assert_int_equal(remote_masters(r), 0);
	remote_free(r);
	assert_int_not_equal(stat(dir, &sb), 0);
	if (old != NULL) {
		setenv("TMPDIR", old, 1);
		free((char *)old);
	} else
		unsetenv("TMPDIR");
	free(dir);
	free(deep);
	tu_rmrf(tmp);
	free(tmp);
	config_free(cfg);
}

/* --- against sshd ------------------------------------------------------ */

static void
test_remote_output_and_status(void **state)
{
	struct tu_world *w;
	const size_t before = sshd.dir ? sshd_connections() : 0;

	(void)state;
	w = w_sshd("kill_grace: 1s",
	    "hosts: {h1: {}, h2: {}}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    hosts: all\n"
	    "    env: {WHERE: \"{{host}}\"}\n"
	    "    steps:\n"
	    "      - remote: echo \"on $WHERE step $DROVE_STEP\"; "
	    "echo oops >&2\n"
	    "        name: hello\n"
	    "      - remote: |\n"
	    "          x='single \"double\" $dollar'\n"
	    "          printf '%s\\n' \"$x\" '{{host}}'\n"
	    "      - remote: exit 3\n"
	    "        on_failure: continue\n"
	    "      - remote: kill -9 $$\n"
	    "        on_failure: continue\n"
	    "      - remote: \"true\"\n"
	    "      - remote: \"true\"\n");
	run_start(w->run);
	tu_world_until(w, NULL);
	tu_assert_has(tu_world_log(w), "line s h1: on h1 step hello");
	tu_assert_has(tu_world_log(w), "line s h2: oops");
	tu_assert_has(tu_world_log(w), "line s h2: single \"double\" $dollar\n"
	    "line s h2: h2\n");
	tu_assert_has(tu_world_log(w), "end s h1/3 #1 failed 3");
	/* Killed by a signal over there: sh's 128+N comes back. */
	tu_assert_has(tu_world_log(w), "end s h1/4 #1 failed 137");
	tu_assert_has(tu_world_log(w), "end s h2/6 #1 ok 0");
	/* Six steps on each of two hosts, one connection each. */
	assert_int_equal(sshd_connections() - before, 2);
	assert_int_equal(remote_masters(run_remote(w->run)), 2);
	tu_world_free(w);
}

static void
test_copies(void **state)
{
	struct tu_world *w;
	char *a, *b, *cmd;
	size_t la, lb;

	(void)state;
	w = w_sshd("",
	    "hosts: {h1: {}}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    host: h1\n"
	    "    cwd: \"{{T}}\"\n"
	    "    steps:\n"
	    "      - head -c 1048577 /dev/urandom > blob; mkdir -p d/e; "
	    "echo x > d/e/f; chmod 751 blob\n"
	    "      - {upload: blob, to: \"{{T}}/remote blob\"}\n"
	    "      - {upload: d, to: \"{{T}}/rd\"}\n"
	    "      - {download: \"{{T}}/remote blob\", to: back}\n"
	    "      - {download: \"{{T}}/rd\", to: backd}\n"
	    "      - {download: \"{{T}}/missing\", to: x, "
	    "on_failure: continue}\n");
	run_start(w->run);
	tu_world_until(w, NULL);
	a = tu_world_read(w, "blob", &la);
	b = tu_world_read(w, "back", &lb);
	tu_assert_same_bytes(b, lb, a, la, 1048577);
	/* Modes come along. */
	cmd = xasprintf("test \"$(stat -c %%a '%s/back')\" = 751", w->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(a);
	free(b);
	a = tu_world_file(w, "backd/e/f");
	assert_string_equal(a, "x\n");
	free(a);
	tu_assert_has(tu_world_log(w), "end s/6 #1 failed");
	tu_assert_has(tu_world_log(w), "No such file or directory");
	assert_int_equal(run_seq(w->run, 0)->state, SEQ_FAILED);
	tu_world_free(w);
}

static void
test_unreachable(void **state)
{
	struct tu_world *w;
	double t0;

	(void)state;
	/* Port 1 on loopback: nothing listens, the kernel says so at once. */
	w = w_sshd("",
	    "hosts: {down: {port: 1}, up: {}}\n"
	    "sequences:\n"
	    "  - name: d\n"
	    "    host: down\n"
	    "    steps:\n"
	    "      - {remote: \"true\", retries: 1, retry_delay: 10ms}\n"
	    "  - name: d2\n"
	    "    host: down\n"
	    "    steps: [{upload: /etc/hostname, to: /tmp/x}]\n"
	    "  - name: u\n"
	    "    host: up\n"
	    "    steps: [{remote: echo fine}]\n");
	ev_now_update(EV_DEFAULT);
	t0 = ev_now(EV_DEFAULT);
	run_start(w->run);
	tu_world_until(w, NULL);
	assert_true(ev_now(EV_DEFAULT) - t0 < 20);
	tu_assert_has(tu_world_log(w), "line d: ssh: connect to host 127.0.0.1 port 1: "
	    "Connection refused");
	/* The retry tried again (a new connection), and failed the same. */
	tu_assert_has(tu_world_log(w), "end d/1 #2 unreachable -1");
	tu_assert_has(tu_world_log(w), "end d2/1 #1 unreachable -1");
	tu_assert_has(tu_world_log(w), "line u: fine");
	/* A host it could not reach, not a command that failed. */
	assert_int_equal(run_seq(w->run, 0)->state, SEQ_UNREACHABLE);
	assert_int_equal(run_seq(w->run, 2)->state, SEQ_OK);
	tu_world_free(w);
}

/* Kill, skip, time out: the command on the host goes too, even one that
 * ignores SIGTERM (after the grace). The "host" is this machine, so the
 * test sees its processes. */
static void
test_stop_remote(void **state)
{
	struct tu_world *w;
	char *kfile;
	pid_t pid;

	(void)state;
	w = w_sshd("kill_grace: 1s",
	    "hosts: {h1: {}}\n"
	    "sequences:\n"
	    "  - name: k\n"
	    "    host: h1\n"
	    "    steps:\n"
	    "      - remote: sleep 1000 & echo $! > {{T}}/k; wait\n"
	    "      - remote: trap '' TERM; echo $$ > {{T}}/s; while :; do "
	    "sleep 0.1; done\n"
	    "      - remote: echo $$ > {{T}}/t; exec sleep 1000\n"
	    "        timeout: 1s\n"
	    "        on_failure: continue\n"
	    "      - {remote: echo done}\n");
	run_start(w->run);
	pid = tu_world_wait_pid(w, "k");
	assert_true(tu_pid_alive(pid));
	assert_null(run_act(w->run, 0, RUN_ACT_KILL));
	tu_world_wait_dead(w, pid);
	tu_world_wait_log(w, "end k/1 #1 killed");
	kfile = xasprintf("%s/k", w->dir);
	unlink(kfile);
	free(kfile);
	assert_null(run_act(w->run, 0, RUN_ACT_RETRY));
	pid = tu_world_wait_pid(w, "k");
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_wait_dead(w, pid);
	/* This one ignores SIGTERM: the SIGKILL after the grace. */
	pid = tu_world_wait_pid(w, "s");
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_wait_dead(w, pid);
	pid = tu_world_wait_pid(w, "t");
	tu_world_wait_dead(w, pid);
	tu_world_until(w, NULL);
	tu_assert_has(tu_world_log(w), "end k/2 #1 skipped");
	tu_assert_has(tu_world_log(w), "end k/3 #1 timeout");
	tu_assert_has(tu_world_log(w), "line k: done");
	tu_world_free(w);
}

/* A tty step has a terminal on the host: the terminal's hangup stops it,
 * and what is typed reaches it. */
static void
test_tty_remote(void **state)
{
	struct tu_world *w;
	pid_t pid;

	(void)state;
	w = w_sshd("kill_grace: 1s",
	    "hosts: {h1: {}}\n"
	    "sequences:\n"
	    "  - name: y\n"
	    "    host: h1\n"
	    "    tty: true\n"
	    "    steps:\n"
	    "      - remote: test -t 0 && test -t 1 && echo a terminal\n"
	    "      - remote: read -r answer; echo \"got $answer\"\n"
	    "      - remote: echo $$ > {{T}}/y; exec sleep 1000\n");
	run_start(w->run);
	tu_world_wait_log(w, "end y/1 #1 ok");
	tu_assert_has(tu_world_log(w), "line y: a terminal");
	tu_world_wait_log(w, "start y/2 #1");
	/* The step's terminal takes input before the command reads it. */
	assert_int_equal(run_write_input(w->run, 0, "yes\r", 4), 4);
	tu_world_wait_log(w, "line y: got yes");
	pid = tu_world_wait_pid(w, "y");
	assert_true(tu_pid_alive(pid));
	assert_null(run_act(w->run, 0, RUN_ACT_KILL));
	tu_world_wait_dead(w, pid);
	tu_world_wait_log(w, "end y/3 #1 killed");
	tu_world_free(w);
}

static bool
w_disconnected(struct tu_world *w)
{
	return !run_disconnecting(w->run);
}

/* The end of the run: no master, no socket, no directory. */
static void
test_disconnect(void **state)
{
	struct tu_world *w;
	struct remote_wait *wait = NULL;
	char *path, *dir, *cmd;
	struct stat sb;

	(void)state;
	w = w_sshd("",
	    "hosts: {h1: {}, h2: {}, h3: {multiplex: false}}\n"
	    "sequences:\n"
	    "  - {name: s, hosts: all, steps: [{remote: \"true\"}]}\n");
	run_start(w->run);
	tu_world_until(w, NULL);
	assert_int_equal(run_exit_status(w->run), 0);
	assert_int_equal(remote_masters(run_remote(w->run)), 2);
	dir = xstrdup(remote_dir(run_remote(w->run)));
	/* In the run's directory, private. */
	assert_true(strncmp(dir, w->dir, strlen(w->dir)) == 0);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	path = xstrdup(remote_control_path(run_remote(w->run), 0));
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	cmd = xasprintf("ssh -F '%s' -o ControlPath='%s' -O check h1 "
	    "2>/dev/null", sshd.config, path);
	assert_int_equal(system(cmd), 0);
	run_disconnect(w->run);
	/* Closing happens on the loop: nothing is gone yet, and a step
	 * that asks for the host meanwhile is told it is closed. */
	assert_true(run_disconnecting(w->run));
	assert_int_equal(stat(dir, &sb), 0);
	ready_called = false;
	assert_int_equal(remote_connect(run_remote(w->run), 0, ready_cb, NULL,
	    &wait), 0);
	assert_false(ready_called);
	tu_world_until(w, w_disconnected);
	assert_true(ready_called);
	assert_non_null(ready_err);
	assert_non_null(strstr(ready_err, "closed"));
	free(ready_err);
	assert_int_equal(remote_masters(run_remote(w->run)), 0);
	assert_int_not_equal(system(cmd), 0);
	assert_int_not_equal(stat(path, &sb), 0);
	assert_int_not_equal(stat(dir, &sb), 0);
	free(cmd);
	free(path);
	free(dir);
	tu_world_free(w);
}

/* --- setup ------------------------------------------------------------- */

static int
sshd_up(void **state)
{
	const char *src = getenv("DROVE_SOURCE_DIR");
	char *cmd, *path, *dir;

	(void)state;
	if (src == NULL || access("/usr/sbin/sshd", X_OK) != 0 ||
	    system("command -v ssh >/dev/null && command -v scp >/dev/null && "
	    "command -v python3 >/dev/null") != 0) {
		fprintf(stderr, "# no sshd, ssh, scp or python3: the sshd "
		    "tests are skipped\n");
		return 0;
	}
	dir = tu_tmpdir();
	cmd = xasprintf("bash -c '. \"%s/tests/e2e/sshd_lib.sh\" && "
	    "sshd_start \"%s/sshd\" >&2 && echo $SSHD_PID > \"%s/pid\"'", src,
	    dir, dir);
	if (system(cmd) != 0) {
		free(cmd);
		tu_rmrf(dir);
		free(dir);
		fail_msg("sshd did not start");
	}
	free(cmd);
	path = xasprintf("%s/pid", dir);
	sshd.pid = tu_read_pid(path);
	free(path);
	sshd.dir = dir;
	sshd.config = xasprintf("%s/sshd/ssh_config", dir);
	sshd.log = xasprintf("%s/sshd/sshd.log", dir);
	return 0;
}

static int
sshd_down(void **state)
{
	(void)state;
	if (sshd.dir == NULL)
		return 0;
	if (sshd.pid > 0)
		kill(sshd.pid, SIGTERM);
	for (int i = 0; i < 400 && sshd.pid > 0 && tu_pid_alive(sshd.pid); i++)
		usleep(5000);
	tu_rmrf(sshd.dir);
	free(sshd.dir);
	free(sshd.config);
	free(sshd.log);
	return 0;
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_wrapper_status_and_env),
		cmocka_unit_test(test_wrapper_odd_names),
		cmocka_unit_test(test_wrapper_end_of_input_kills_group),
		cmocka_unit_test(test_control_dir_fallback),
		cmocka_unit_test(test_remote_output_and_status),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_stop_remote),
		cmocka_unit_test(test_tty_remote),
		cmocka_unit_test(test_disconnect),
	};

	/* ssh's errors and the steps' output are read from pipes. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("remote", tests, sshd_up,
	    sshd_down);
}
