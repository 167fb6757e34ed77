/* test_tmpl.c: {{name|q}}, the value as one shell word, checked by a real
 * shell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "testutil.h"
#include "tmpl.h"
#include "xmalloc.h"

static const struct cfg_kv vars[] = {
	{ (char *)"plain", (char *)"abc" },
	{ (char *)"empty", (char *)"" },
	{ (char *)"quote", (char *)"it's" },
	{ (char *)"hostile", (char *)"$(touch PWNED) `touch PWNED` $HOME "
	                              "\"'\\ ;|&><*?{{x}} \n\t end" },
};
#define N_VARS (sizeof vars / sizeof vars[0])

static char *
expand(const char *text)
{
	char *err = NULL, *s = tmpl_expand(text, vars, N_VARS, &err, NULL);

	if (s == NULL)
		fail_msg("%s: %s", text, err ? err : "too long");
	return s;
}

static void
test_quote_text(void **state)
{
	char *s;

	(void)state;
	s = expand("echo {{plain|q}} {{ empty | q }} {{quote|q}} {{plain}}");
	assert_string_equal(s, "echo 'abc' '' 'it'\\''s' abc");
	free(s);
}

/* What the shell makes of each quoted value is the value itself, and
 * nothing in it ran. */
static void
test_quote_shell(void **state)
{
	char *dir = tu_tmpdir(), *cmd, *out, *text, *pwned;
	int status;

	(void)state;
	for (size_t i = 0; i < N_VARS; i++) {
		text = xasprintf("cd %s && printf '%%s' {{%s|q}} > out",
		    dir, vars[i].name);
		cmd = expand(text);
		status = system(cmd);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		out = xasprintf("%s/out", dir);
		free(text);
		text = tu_read_file(out, NULL);
		assert_non_null(text);
		assert_string_equal(text, vars[i].value);
		free(text);
		free(out);
		free(cmd);
	}
	pwned = xasprintf("%s/PWNED", dir);
	assert_null(tu_read_file(pwned, NULL));
	free(pwned);
	tu_rmrf(dir);
	free(dir);
}

static void
test_quote_errors(void **state)
{
	char *err = NULL;

	(void)state;
	assert_null(tmpl_expand("{{plain|x}}", vars, N_VARS, &err, NULL));
	assert_non_null(strstr(err, "unknown filter 'x'"));
	free(err);
	err = NULL;
	assert_null(tmpl_expand("{{plain|}}", vars, N_VARS, &err, NULL));
	assert_non_null(err);
	free(err);
	assert_true(tmpl_uses("echo {{plain|q}}", "plain"));
}

/* A reference left for later keeps its filter. */
static bool
defer_all(void *arg, const char *name, size_t len, bool known)
{
	(void)arg;
	(void)name;
	(void)len;
	(void)known;
	return true;
}

static void
test_quote_deferred(void **state)
{
	char *err = NULL, *t, *s;
	bool deferred;

	(void)state;
	t = tmpl_expand_defer("echo {{quote|q}}", vars, N_VARS, 1 << 20,
	    defer_all, NULL, &deferred, &err, NULL);
	assert_non_null(t);
	assert_true(deferred);
	assert_string_equal(t, "echo {{quote|q}}");
	s = expand(t);
	assert_string_equal(s, "echo 'it'\\''s'");
	free(s);
	free(t);
}

TU_MAIN(
	cmocka_unit_test(test_quote_text),
	cmocka_unit_test(test_quote_shell),
	cmocka_unit_test(test_quote_errors),
	cmocka_unit_test(test_quote_deferred),
)
