/* test_envfile.c: env_file, .env files read as docker compose reads them,
 * as a table of files and the environment (or the error) they make, and
 * the order: env_file, then env, at the top level then the sequence's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "testutil.h"
#include "xmalloc.h"

/* "NAME=VALUE;" for each of seq's env, a newline shown as <NL>. */
static char *
env_text(const struct cfg_seq *seq)
{
	struct strbuf sb = { 0 };

	strbuf_puts(&sb, "");
	for (size_t i = 0; i < seq->n_env; i++) {
		strbuf_puts(&sb, seq->env[i].name);
		strbuf_puts(&sb, "=");
		for (const char *p = seq->env[i].value; *p != '\0'; p++)
			strbuf_puts(&sb, *p == '\n' ? "<NL>" : (char[]){ *p, 0 });
		strbuf_puts(&sb, ";");
	}
	return sb.buf;
}

/* Load a config whose top-level env_file is a file holding text. */
static int
load(const char *dir, const char *text, struct config **cfg, char **err)
{
	char *env = xasprintf("%s/test.env", dir);
	char *yaml = xasprintf("env_file: %s\nsequences: [{name: s, steps: "
	    "[x]}]\n", env);
	int rc;

	tu_write_file(env, text);
	rc = config_load_string("t.yaml", yaml, NULL, 0, cfg, err);
	free(env);
	free(yaml);
	return rc;
}

/* A table row: an env file's text, and what loading it must give (the
 * variables, or the error). */
struct env_row {
	const char *file, *want;
};

static void
test_parse(void **state)
{
	static const struct env_row rows[] = {
		{ "", "" },
		{ "A=1\n", "A=1;" },
		{ "A=1", "A=1;" },
		{ "# a comment\n\n   \nA=1\n", "A=1;" },
		{ "export A=1\n", "A=1;" },
		{ "A = spaced \n", "A=spaced;" },
		{ "A=two words  # a comment\n", "A=two words;" },
		{ "A=x#y\n", "A=x#y;" },
		{ "A=\n", "A=;" },
		{ "A=\"x # not a comment\"\n", "A=x # not a comment;" },
		{ "A=\"a\\nb\\t\\\"c\\\" \\$d \\q\"\n", "A=a<NL>b\t\"c\" $d \\q;" },
		{ "A='a\\nb $c'\n", "A=a\\nb $c;" },
		{ "A=\"two\nlines\"\nB=2\n", "A=two<NL>lines;B=2;" },
		{ "A='x' # comment\n", "A=x;" },
		{ "A=1\r\nB=2\r\n", "A=1;B=2;" },
		{ "A=1\nA=2\n", "A=2;" },
		{ "A=$HOME ${X}\n", "A=$HOME ${X};" },
	};
	char *dir = tu_tmpdir();

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct config *cfg;
		char *err = NULL, *got;

		if (load(dir, rows[i].file, &cfg, &err) != 0)
			fail_msg("row %zu: %s", i, err);
		got = env_text(&cfg->seqs[0]);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, got,
			    rows[i].want);
		free(got);
		config_free(cfg);
	}
	tu_rmrf(dir);
	free(dir);
}

static void
test_errors(void **state)
{
	static const struct env_row rows[] = {
		{ "A=1\nnot a line\n", "test.env:2:1: error: expected KEY=VALUE" },
		{ "=1\n", "test.env:1:1: error: expected KEY=VALUE" },
		{ "A B=1\n", "test.env:1:1: error: expected KEY=VALUE" },
		{ "A=\"open\n", "test.env:1:3: error: unterminated double quote" },
		{ "A='open\n", "test.env:1:3: error: unterminated single quote" },
		{ "A='x' y\n", "test.env:1:7: error: unexpected text after a "
		  "quoted value" },
	};
	char *dir = tu_tmpdir();

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct config *cfg = NULL;
		char *err = NULL;

		if (load(dir, rows[i].file, &cfg, &err) == 0)
			fail_msg("row %zu: loaded", i);
		if (strstr(err, rows[i].want) == NULL)
			fail_msg("row %zu: got '%s', want '%s'", i, err,
			    rows[i].want);
		free(err);
	}
	tu_rmrf(dir);
	free(dir);
}

/* drove's order: top env_file, top env, the sequence's env_file, its
 * env; and the files of a list in order. */
static void
test_order(void **state)
{
	char *dir = tu_tmpdir(), *yaml, *err = NULL, *got;
	char *a = xasprintf("%s/a.env", dir), *b = xasprintf("%s/b.env", dir);
	char *c = xasprintf("%s/c.env", dir);
	struct config *cfg;

	(void)state;
	tu_write_file(a, "X=a\nY=a\nZ=a\nW=a\n");
	tu_write_file(b, "Y=b\n");
	tu_write_file(c, "Z=c\nW=c\n");
	yaml = xasprintf("env_file: [%s, %s]\nenv: {Y: env, Z: env}\n"
	    "sequences:\n  - {name: s, env_file: %s, env: {W: seq},"
	    " steps: [x]}\n  - {name: t, steps: [x]}\n", a, b, c);
	if (config_load_string("t.yaml", yaml, NULL, 0, &cfg, &err) != 0)
		fail_msg("%s", err);
	got = env_text(&cfg->seqs[0]);
	assert_string_equal(got, "X=a;Y=env;Z=c;W=seq;");
	free(got);
	got = env_text(&cfg->seqs[1]);
	assert_string_equal(got, "X=a;Y=env;Z=env;W=a;");
	free(got);
	config_free(cfg);
	free(yaml);
	free(a);
	free(b);
	free(c);
	tu_rmrf(dir);
	free(dir);
}

static void
test_bad_value(void **state)
{
	struct config *cfg;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load_string("t.yaml", "env_file: {a: b}\n"
	    "sequences: [{name: s, steps: [x]}]\n", NULL, 0, &cfg, &err), -1);
	assert_non_null(strstr(err, "t.yaml:1:11: error: expected a file "
	    "name, or a list of them for 'env_file', got a mapping"));
	free(err);
	err = NULL;
	assert_int_equal(config_load_string("t.yaml", "sequences: [{name: s, "
	    "env_file: /nonexistent/x.env, steps: [x]}]\n", NULL, 0, &cfg,
	    &err), -1);
	assert_non_null(strstr(err, "cannot read env_file "
	    "'/nonexistent/x.env': No such file or directory"));
	free(err);
	err = NULL;
	assert_int_equal(config_load_string("t.yaml", "env_file: /\n"
	    "sequences: [{name: s, steps: [x]}]\n", NULL, 0, &cfg, &err), -1);
	assert_non_null(strstr(err, "is not a regular file"));
	free(err);
}

TU_MAIN(
	cmocka_unit_test(test_parse),
	cmocka_unit_test(test_errors),
	cmocka_unit_test(test_order),
	cmocka_unit_test(test_bad_value),
)
