/* test_proc.c: the shell-or-exec decision, the report helpers,
 * processes short of descriptors, and an output another process writes
 * the end of. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "proc.h"
#include "report.h"
#include "run.h"
#include "runlog.h"
#include "strbuf.h"
#include "testutil.h"

static void
test_needs_shell(void **state)
{
	/* Each command, and whether it goes through the shell. */
	static const char *const direct[] = {
		"/bin/true", "make -j2 all", "ssh web1 uptime",
	}, *const shell[] = {
		"echo $HOME", "a && b", "echo 'quoted'", "ls > out",
		"FOO=1 env", "echo ~", "ls *.c", "a\nb", "   ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++)
		if (proc_needs_shell(direct[i]))
			fail_msg("'%s' needs no shell", direct[i]);
	for (size_t i = 0; i < sizeof shell / sizeof shell[0]; i++)
		if (!proc_needs_shell(shell[i]))
			fail_msg("'%s' needs the shell", shell[i]);
}

static void
test_strip(void **state)
{
	char text[] = "\033[1;31mred\033[0m \033]0;title\007plain\tx\r\033[K!";
	size_t n;

	(void)state;
	n = report_strip(text, strlen(text));
	text[n] = '\0';
	assert_string_equal(text, "red plain\tx!");
}

static void
test_slug(void **state)
{
	static const struct {
		const char *name, *slug;
	} cases[] = {
		{ "deploy web1", "deploy-web1" },
		{ "ssh {{host}} sudo mount /dev/xvdb /data",
		  "ssh-host-sudo-mount-dev-xvdb-data" },
		{ "..", ".._" },
		{ "/// ", "_" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = runlog_slug(cases[i].name);
		assert_string_equal(s, cases[i].slug);
		free(s);
	}
}

static bool
three_started(struct tu_world *w)
{
	return tu_count(tu_world_log(w), "start ") == 3;
}

/* With every descriptor taken, steps wait for one instead of failing, and
 * run once there are. */
static void
test_short_of_fds(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - {name: a, steps: [echo a]}\n"
	    "  - {name: b, steps: [echo b]}\n"
	    "  - {name: c, steps: [echo c]}\n", false);
	struct rlimit old, low;
	int fillers[512], fd, null;
	size_t n = 0;

	(void)state;
	/* The loop's own descriptors first, as in drove. */
	ev_now_update(EV_DEFAULT);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 128;   /* room for 16 steps by proc_max_running */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(null >= 0);
	while (n < sizeof fillers / sizeof fillers[0] &&
	    (fd = fcntl(null, F_DUPFD_CLOEXEC, 0)) >= 0)
		fillers[n++] = fd;
	assert_int_equal(errno, EMFILE);

	run_start(w->run);
	tu_world_until(w, three_started);
	/* None has its pipe: none can have ended. */
	assert_int_equal(tu_count(tu_world_log(w), "end "), 0);
	for (size_t i = 0; i < n; i++)
		close(fillers[i]);
	close(null);
	tu_world_until(w, NULL);
	assert_int_equal(tu_count(tu_world_log(w), " ok 0"), 3);
	assert_non_null(strstr(tu_world_log(w), "line a: a"));
	assert_int_equal(run_exit_status(w->run), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	tu_world_free(w);
}

struct got {
	struct strbuf out;
	bool exited;
};

static void
got_output(void *arg, const char *data, size_t len)
{
	strbuf_add(&((struct got *)arg)->out, data, len);
}

static void
got_exited(void *arg, int status)
{
	(void)status;
	((struct got *)arg)->exited = true;
}

/* A child that hands its output on to a process outside its group, which
 * writes the last of it once the child is gone, as an ssh master writes
 * what a multiplexed client's command printed last: with shared_output,
 * that is read too, up to the end of the output. */
static void
test_shared_output(void **state)
{
	struct proc_spec spec = {
		.shell = "/bin/sh",
		/* The writer waits, without a timer, until the child is
		 * reaped; the child, until the writer has left its group
		 * (field 5 of /proc/PID/stat). */
		.command = "setsid sh -c 'while kill -0 $0 2>/dev/null; do :; "
		    "done; echo late' $$ & "
		    "while [ \"$(cut -d' ' -f5 /proc/$!/stat)\" = $$ ]; do :; "
		    "done; echo early",
		.kill_grace = 1,
		.shared_output = true,
	};
	struct got g = { STRBUF_INIT, false };
	struct proc_callbacks cb = { .output = got_output,
		                     .exited = got_exited, .arg = &g };
	char *err = NULL;
	struct proc *p;

	(void)state;
	p = proc_start(&spec, &cb, &err);
	assert_non_null(p);
	while (!g.exited)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_string_equal(strbuf_str(&g.out), "early\nlate\n");
	proc_free(p);
	strbuf_free(&g.out);
}

TU_MAIN(
	cmocka_unit_test(test_needs_shell),
	cmocka_unit_test(test_strip),
	cmocka_unit_test(test_slug),
	cmocka_unit_test(test_short_of_fds),
	cmocka_unit_test(test_shared_output),
)
