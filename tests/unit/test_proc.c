/* test_proc.c: the shell-or-exec decision and the report helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc.h"
#include "report.h"
#include "runlog.h"

static void
test_needs_shell(void **state)
{
	(void)state;
	assert_false(proc_needs_shell("/bin/true"));
	assert_false(proc_needs_shell("make -j2 all"));
	assert_false(proc_needs_shell("ssh web1 uptime"));
	assert_true(proc_needs_shell("echo $HOME"));
	assert_true(proc_needs_shell("a && b"));
	assert_true(proc_needs_shell("echo 'quoted'"));
	assert_true(proc_needs_shell("ls > out"));
	assert_true(proc_needs_shell("FOO=1 env"));
	assert_true(proc_needs_shell("echo ~"));
	assert_true(proc_needs_shell("ls *.c"));
	assert_true(proc_needs_shell("a\nb"));
	assert_true(proc_needs_shell("   "));
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
	char *s;

	(void)state;
	s = runlog_slug("deploy web1");
	assert_string_equal(s, "deploy-web1");
	free(s);
	s = runlog_slug("ssh {{host}} sudo mount /dev/xvdb /data");
	assert_string_equal(s, "ssh-host-sudo-mount-dev-xvdb-data");
	free(s);
	s = runlog_slug("..");
	assert_string_equal(s, ".._");
	free(s);
	s = runlog_slug("/// ");
	assert_string_equal(s, "_");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_shell),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_slug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
