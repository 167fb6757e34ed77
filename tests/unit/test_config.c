/* test_config.c: the config loader: expansion, defaults, and the exact
 * message of every kind of mistake. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"
#include "tmpl.h"
#include "xmalloc.h"

/* struct cfg_kv holds char *, string literals are const under
 * -Wwrite-strings. */
#define KV(n, v) { (char *)(n), (char *)(v) }

/* Load text as "t.yaml" and insist that it works. */
static struct config *
load_ok(const char *text, const struct cfg_kv *ov, size_t n_ov)
{
	struct config *cfg = NULL;
	char *err = NULL;

	if (config_load_string("t.yaml", text, ov, n_ov, &cfg, &err) != 0) {
		print_error("unexpected error: %s\n", err);
		free(err);
		fail();
	}
	assert_non_null(cfg);
	assert_null(err);
	return cfg;
}

/* What config_print_plan prints for cfg. Caller frees. */
static char *
plan_text(const struct config *cfg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	config_print_plan(cfg, fp);
	fclose(fp);
	return out;
}

/* HEAD (settings, say) before a one-step sequence fails to load, saying
 * exactly want. */
static void
head_fails(const char *head, const char *want)
{
	struct config *cfg = NULL;
	char *err = NULL, *text;

	text = xasprintf("%ssequences: [{name: a, steps: [x]}]\n", head);
	assert_int_not_equal(config_load_string("t.yaml", text, NULL, 0, &cfg,
	    &err), 0);
	assert_null(cfg);
	assert_string_equal(err, want);
	free(err);
	free(text);
}

/* Loading the file at path fails, saying want (which it frees). */
static void
load_file_fails(const char *path, char *want)
{
	struct config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	assert_null(cfg);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static const struct cfg_seq *
seq_named(const struct config *cfg, const char *name)
{
	long i = config_find_seq(cfg, name);

	if (i < 0) {
		print_error("no sequence '%s'\n", name);
		fail();
	}
	return &cfg->seqs[i];
}

static const char *
env_get(const struct cfg_kv *env, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(env[i].name, name) == 0)
			return env[i].value;
	}
	return NULL;
}

/* The example of the issue, word for word. */
static const char example[] =
"settings:            # all optional\n"
"  shell: /bin/sh     # each step runs as: SHELL -c \"RUN\"\n"
"  max_parallel: 4    # sequences running at once; 0 = no limit (default)\n"
"  log_dir: runs      # where run directories go\n"
"  scrollback: 10000  # bytes of output kept in memory\n"
"  kill_grace: 5s     # SIGTERM, then SIGKILL this long after\n"
"vars: {user: deploy}            # {{user}} is substituted\n"
"env: {LANG: C.UTF-8}            # added to every step's environment\n"
"sequences:\n"
"  - name: build\n"
"    steps:\n"
"      - make -j2                # a plain string is a step\n"
"      - name: unit tests\n"
"        run: make check\n"
"        timeout: 10m            # then kill the step's process group\n"
"  - name: deploy {{host}}\n"
"    matrix: {host: [web1, web2, web3]}   # one sequence per value\n"
"    needs: [build]              # starts after build succeeded\n"
"    cwd: /srv\n"
"    env: {TARGET: \"{{host}}\"}\n"
"    steps:\n"
"      - name: wait for {{host}}\n"
"        run: ping -c1 {{host}}\n"
"        retries: 5              # automatic retries\n"
"        retry_delay: 2s\n"
"      - sleep: 3s               # a pause: a timer, no process\n"
"      - name: mount data\n"
"        run: ssh {{host}} sudo mount /dev/xvdb /data\n"
"        on_failure: pause       # stop (default) | continue | pause\n"
"        tty: true               # run under a pseudo-terminal\n";

static void
test_example(void **state)
{
	struct config *cfg = load_ok(example, NULL, 0);
	const struct cfg_seq *b, *d;
	const struct cfg_step *st;
	char *cwd, *runs;
	size_t i;

	(void)state;
	cwd = getcwd(NULL, 0);
	runs = xasprintf("%s/runs", cwd);
	assert_string_equal(cfg->path, "t.yaml");
	assert_string_equal(cfg->dir, cwd);
	assert_string_equal(cfg->shell, "/bin/sh");
	assert_int_equal(cfg->max_parallel, 4);
	assert_string_equal(cfg->log_dir, runs);
	assert_int_equal(cfg->scrollback, 10000);
	assert_true(cfg->kill_grace == 5.0);
	free(runs);
	free(cwd);

	assert_int_equal(cfg->n_seqs, 4);
	assert_string_equal(cfg->seqs[0].name, "build");
	assert_string_equal(cfg->seqs[1].name, "deploy web1");
	assert_string_equal(cfg->seqs[2].name, "deploy web2");
	assert_string_equal(cfg->seqs[3].name, "deploy web3");

	b = seq_named(cfg, "build");
	assert_string_equal(b->template_name, "build");
	assert_null(b->cwd);
	assert_int_equal(b->n_needs, 0);
	assert_int_equal(b->line, 10);
	assert_int_equal(b->column, 5);
	assert_int_equal(b->n_env, 1);
	assert_string_equal(b->env[0].name, "LANG");
	assert_string_equal(b->env[0].value, "C.UTF-8");
	assert_int_equal(b->n_steps, 2);
	st = &b->steps[0];
	assert_int_equal(st->kind, CFG_STEP_RUN);
	assert_string_equal(st->name, "make -j2");
	assert_string_equal(st->run, "make -j2");
	assert_true(st->timeout == 0);
	assert_int_equal(st->retries, 0);
	assert_true(st->retry_delay == 1.0);
	assert_int_equal(st->on_failure, CFG_ONFAIL_STOP);
	assert_false(st->tty);
	assert_null(st->cwd);
	assert_int_equal(st->n_env, 0);
	assert_int_equal(st->line, 12);
	assert_int_equal(st->column, 9);
	st = &b->steps[1];
	assert_string_equal(st->name, "unit tests");
	assert_string_equal(st->run, "make check");
	assert_true(st->timeout == 600);
	assert_int_equal(st->line, 13);

	for (i = 1; i <= 3; i++) {
		d = &cfg->seqs[i];
		assert_string_equal(d->template_name, "deploy {{host}}");
		assert_string_equal(d->cwd, "/srv");
		assert_int_equal(d->n_needs, 1);
		assert_int_equal(d->needs[0], 0);
		assert_int_equal(d->n_env, 2);
		assert_string_equal(d->env[0].name, "LANG");
		assert_string_equal(d->env[1].name, "TARGET");
		assert_int_equal(d->n_steps, 3);
		assert_int_equal(d->steps[1].kind, CFG_STEP_SLEEP);
		assert_null(d->steps[1].run);
		assert_string_equal(d->steps[1].name, "sleep 3s");
		assert_true(d->steps[1].sleep == 3.0);
	}
	d = seq_named(cfg, "deploy web2");
	assert_string_equal(env_get(d->env, d->n_env, "TARGET"), "web2");
	assert_string_equal(env_get(d->vars, d->n_vars, "host"), "web2");
	assert_string_equal(env_get(d->vars, d->n_vars, "user"), "deploy");
	st = &d->steps[0];
	assert_string_equal(st->name, "wait for web2");
	assert_string_equal(st->run, "ping -c1 web2");
	assert_int_equal(st->retries, 5);
	assert_true(st->retry_delay == 2.0);
	st = &d->steps[2];
	assert_string_equal(st->name, "mount data");
	assert_string_equal(st->run, "ssh web2 sudo mount /dev/xvdb /data");
	assert_int_equal(st->on_failure, CFG_ONFAIL_PAUSE);
	assert_true(st->tty);
	assert_int_equal(st->retries, 0);
	config_free(cfg);
}

static void
test_defaults(void **state)
{
	struct config *cfg;
	char *dflt;

	(void)state;
	cfg = load_ok("sequences: [{name: a, steps: [true]}]\n", NULL, 0);
	dflt = config_default_log_dir();
	assert_string_equal(cfg->shell, "/bin/sh");
	assert_int_equal(cfg->max_parallel, 0);
	assert_string_equal(cfg->log_dir, dflt);
	assert_int_equal(cfg->scrollback, 8 << 20);
	assert_true(cfg->kill_grace == 5.0);
	assert_int_equal(cfg->seqs[0].n_env, 0);
	assert_int_equal(cfg->seqs[0].n_vars, 0);
	assert_string_equal(cfg->seqs[0].steps[0].run, "true");
	free(dflt);
	config_free(cfg);
	config_free(NULL);
}

static void
test_matrix_product(void **state)
{
	static const char *const want[] = {
		"t 1 x", "t 1 y", "t 1 z", "t 2 x", "t 2 y", "t 2 z"
	};
	struct config *cfg;
	size_t i;

	(void)state;
	cfg = load_ok(
	    "sequences:\n"
	    "  - name: t\n"
	    "    matrix: {n: [1, 2], l: [x, y, z]}\n"
	    "    steps: [\"echo {{n}}{{l}}\"]\n", NULL, 0);
	assert_int_equal(cfg->n_seqs, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(cfg->seqs[i].name, want[i]);
		assert_string_equal(cfg->seqs[i].template_name, "t");
	}
	assert_string_equal(cfg->seqs[4].steps[0].run, "echo 2y");
	config_free(cfg);
}

static void
test_matrix_names(void **state)
{
	struct config *cfg;

	(void)state;
	/* No matrix variable in the name: the values are appended. */
	cfg = load_ok(
	    "sequences:\n"
	    "  - {name: deploy, matrix: {host: [a, b]}, steps: [x]}\n"
	    "  - name: \"{{host}}: up\"\n"
	    "    matrix: {host: [a, b]}\n"
	    "    steps: [x]\n"
	    "  - name: t-{{os}}\n"
	    "    matrix: {os: [linux, bsd], cc: [gcc, clang]}\n"
	    "    steps: [x]\n", NULL, 0);
	assert_int_equal(cfg->n_seqs, 8);
	assert_string_equal(cfg->seqs[0].name, "deploy a");
	assert_string_equal(cfg->seqs[1].name, "deploy b");
	assert_string_equal(cfg->seqs[2].name, "a: up");
	assert_string_equal(cfg->seqs[3].name, "b: up");
	/* Only the values the name does not show are appended. */
	assert_string_equal(cfg->seqs[4].name, "t-linux gcc");
	assert_string_equal(cfg->seqs[5].name, "t-linux clang");
	assert_string_equal(cfg->seqs[6].name, "t-bsd gcc");
	assert_string_equal(cfg->seqs[7].name, "t-bsd clang");
	config_free(cfg);
}

static void
test_template_syntax(void **state)
{
	struct config *cfg;
	const struct cfg_step *st;

	(void)state;
	cfg = load_ok(
	    "vars: {h: web, n: 3}\n"
	    "sequences:\n"
	    "  - name: \"{{ h }}\"\n"
	    "    steps:\n"
	    "      - \"echo {{h}} {{  h\t}}-{{n}}\"\n"
	    "      - \"echo {{{{h}} and {{{{ x }}\"\n"
	    "      - \"echo ${HOME} $h }} {x} {{{{{{{{\"\n"
	    "      - \"awk '{{{{print}}'\"\n", NULL, 0);
	st = cfg->seqs[0].steps;
	assert_string_equal(cfg->seqs[0].name, "web");
	assert_string_equal(st[0].run, "echo web web-3");
	assert_string_equal(st[1].run, "echo {{h}} and {{ x }}");
	assert_string_equal(st[2].run, "echo ${HOME} $h }} {x} {{{{");
	assert_string_equal(st[3].run, "awk '{{print}}'");
	config_free(cfg);
}

static void
test_tmpl(void **state)
{
	struct cfg_kv vars[] = { KV("a", "1"), KV("b-c", "2"), KV("a", "3") };
	char *s, *err = NULL;
	bool unknown;

	(void)state;
	s = tmpl_expand("{{a}}{{ b-c }}", vars, 3, &err, &unknown);
	assert_string_equal(s, "32");
	assert_false(unknown);
	free(s);
	assert_null(tmpl_expand("{{zz}}", vars, 3, &err, &unknown));
	assert_true(unknown);
	assert_string_equal(err, "unknown variable 'zz' (defined: a, b-c)");
	free(err);
	assert_null(tmpl_expand("{{zz}}", NULL, 0, &err, NULL));
	assert_string_equal(err,
	    "unknown variable 'zz' (no variables are defined)");
	free(err);
	assert_null(tmpl_expand("x {{a", vars, 3, &err, &unknown));
	assert_false(unknown);
	assert_string_equal(err,
	    "unterminated '{{' (write {{{{ for a literal {{)");
	free(err);
	assert_null(tmpl_expand("{{-a}}", vars, 3, &err, NULL));
	assert_string_equal(err,
	    "malformed '{{-a}}' (use {{name}}, or {{{{ for a literal {{)");
	free(err);
	assert_true(tmpl_uses("x {{ a }}", "a"));
	assert_false(tmpl_uses("x {{{{a}}", "a"));
	assert_false(tmpl_uses("x {{ab}}", "a"));
	assert_true(tmpl_valid_name("host_1-x"));
	assert_false(tmpl_valid_name("-x"));
	assert_false(tmpl_valid_name("a b"));
	assert_false(tmpl_valid_name(""));
}

static void
test_scopes(void **state)
{
	static const struct cfg_kv ov[] = {
		KV("a", "set"), KV("c", "new"), KV("m", "set")
	};
	struct config *cfg;

	(void)state;
	/* top vars < sequence vars < --set < matrix. */
	cfg = load_ok(
	    "vars: {a: top, b: top, m: top}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps: [\"{{a}} {{b}} {{c}} {{m}}\"]\n"
	    "  - name: v\n"
	    "    vars: {b: seq, a: seq}\n"
	    "    matrix: {m: [mx]}\n"
	    "    steps: [\"{{a}} {{b}} {{c}} {{m}}\"]\n", ov, 3);
	assert_string_equal(cfg->seqs[0].steps[0].run, "set top new set");
	assert_string_equal(cfg->seqs[1].name, "v mx");
	assert_string_equal(cfg->seqs[1].steps[0].run, "set seq new mx");
	/* One entry per name, in the order of first definition. */
	assert_int_equal(cfg->seqs[1].n_vars, 4);
	assert_string_equal(cfg->seqs[1].vars[0].name, "a");
	assert_string_equal(cfg->seqs[1].vars[0].value, "set");
	assert_string_equal(cfg->seqs[1].vars[1].value, "seq");
	assert_string_equal(cfg->seqs[1].vars[2].value, "mx");
	assert_string_equal(cfg->seqs[1].vars[3].name, "c");
	config_free(cfg);
}

static void
test_env(void **state)
{
	struct config *cfg;
	const struct cfg_seq *s;

	(void)state;
	cfg = load_ok(
	    "vars: {v: 1}\n"
	    "env: {A: top, B: \"{{v}}\", C: top}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    env: {C: seq, D: 42, E: true, B: \"b{{v}}\"}\n"
	    "    steps:\n"
	    "      - run: x\n"
	    "        env: {A: step, F: \"{{v}}\"}\n", NULL, 0);
	s = &cfg->seqs[0];
	assert_int_equal(s->n_env, 5);
	assert_string_equal(s->env[0].name, "A");
	assert_string_equal(s->env[0].value, "top");
	assert_string_equal(s->env[1].name, "B");
	assert_string_equal(s->env[1].value, "b1");
	assert_string_equal(s->env[2].name, "C");
	assert_string_equal(s->env[2].value, "seq");
	assert_string_equal(s->env[3].value, "42");
	assert_string_equal(s->env[4].value, "true");
	assert_int_equal(s->steps[0].n_env, 2);
	assert_string_equal(s->steps[0].env[0].name, "A");
	assert_string_equal(s->steps[0].env[0].value, "step");
	assert_string_equal(s->steps[0].env[1].value, "1");
	config_free(cfg);
}

static void
test_needs(void **state)
{
	struct config *cfg;
	const struct cfg_seq *s;

	(void)state;
	cfg = load_ok(
	    "sequences:\n"
	    "  - name: all\n"
	    "    needs: [\"build {{h}}\", prep, prep]\n"
	    "    steps: [x]\n"
	    "  - name: build {{h}}\n"
	    "    matrix: {h: [a, b]}\n"
	    "    needs: prep\n"
	    "    steps: [x]\n"
	    "  - name: test {{h}}\n"
	    "    matrix: {h: [a, b]}\n"
	    "    needs: \"build {{h}}\"\n"
	    "    steps: [x]\n"
	    "  - name: prep\n"
	    "    steps: [x]\n", NULL, 0);
	assert_int_equal(cfg->n_seqs, 6);
	/* A template name means every expansion; later sequences are fine;
	 * duplicates are dropped. */
	s = seq_named(cfg, "all");
	assert_int_equal(s->n_needs, 3);
	assert_int_equal(s->needs[0], 1);
	assert_int_equal(s->needs[1], 2);
	assert_int_equal(s->needs[2], 5);
	s = seq_named(cfg, "build a");
	assert_int_equal(s->n_needs, 1);
	assert_int_equal(s->needs[0], 5);
	/* In a matrix, the entry is expanded: each test its own build. */
	s = seq_named(cfg, "test b");
	assert_int_equal(s->n_needs, 1);
	assert_int_equal(s->needs[0], config_find_seq(cfg, "build b"));
	assert_int_equal(config_find_seq(cfg, "nope"), -1);
	config_free(cfg);
}

static void
test_anchors(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_ok(
	    "x-env: &env {A: \"{{h}}\"}\n"
	    "x-steps: &steps\n"
	    "  - echo {{h}}\n"
	    "  - sleep: 1s\n"
	    "sequences:\n"
	    "  - {name: a, vars: {h: one}, env: *env, steps: *steps}\n"
	    "  - {name: b, vars: {h: two}, env: *env, steps: *steps}\n",
	    NULL, 0);
	assert_string_equal(cfg->seqs[0].env[0].value, "one");
	assert_string_equal(cfg->seqs[1].env[0].value, "two");
	assert_string_equal(cfg->seqs[1].steps[0].run, "echo two");
	assert_int_equal(cfg->seqs[1].steps[1].kind, CFG_STEP_SLEEP);
	config_free(cfg);
}

static void
test_step_forms(void **state)
{
	struct config *cfg;
	const struct cfg_step *st;

	(void)state;
	cfg = load_ok(
	    "sequences:\n"
	    "  - name: s\n"
	    "    timeout: 1m\n"
	    "    retries: 2\n"
	    "    retry_delay: 500ms\n"
	    "    on_failure: continue\n"
	    "    tty: true\n"
	    "    steps:\n"
	    "      - |\n"
	    "        set -e\n"
	    "        make\n"
	    "      - run: echo hi\n"
	    "        retries: 0\n"
	    "        on_failure: stop\n"
	    "        tty: false\n"
	    "        timeout: 0\n"
	    "      - sleep: 1.5\n"
	    "      - {sleep: 250ms, name: nap}\n"
	    "      - run: \"true\"\n"
	    "        cwd: /tmp\n", NULL, 0);
	st = cfg->seqs[0].steps;
	assert_int_equal(cfg->seqs[0].n_steps, 5);
	/* Sequence-level settings are every step's default. */
	assert_string_equal(st[0].name, "set -e ...");
	assert_string_equal(st[0].run, "set -e\nmake\n");
	assert_true(st[0].timeout == 60);
	assert_int_equal(st[0].retries, 2);
	assert_true(st[0].retry_delay == 0.5);
	assert_int_equal(st[0].on_failure, CFG_ONFAIL_CONTINUE);
	assert_true(st[0].tty);
	/* ... unless the step says otherwise. */
	assert_string_equal(st[1].name, "echo hi");
	assert_true(st[1].timeout == 0);
	assert_int_equal(st[1].retries, 0);
	assert_int_equal(st[1].on_failure, CFG_ONFAIL_STOP);
	assert_false(st[1].tty);
	/* A sleep is a timer: none of that applies. */
	assert_int_equal(st[2].kind, CFG_STEP_SLEEP);
	assert_string_equal(st[2].name, "sleep 1.5s");
	assert_true(st[2].sleep == 1.5);
	assert_false(st[2].tty);
	assert_int_equal(st[2].retries, 0);
	assert_string_equal(st[3].name, "nap");
	assert_true(st[3].sleep == 0.25);
	assert_string_equal(st[4].cwd, "/tmp");
	config_free(cfg);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *text;
		double seconds;
	} good[] = {
		{ "500ms", 0.5 }, { "3s", 3 }, { "2m", 120 }, { "1h", 3600 },
		{ "10", 10 }, { "1.5", 1.5 }, { "0", 0 }, { ".25", 0.25 },
		{ "1m30s", 90 }, { "1h0m5s", 3605 }, { "1.5h", 5400 },
	};
	static const char *const bad[] = {
		"", "3x", "-1", "-3s", "s", "1.", "1 s", " 1", "1e3", "inf",
		"nan", "0x10", "1s2", "ms", "3S", "1,5", "99999999999",
	};
	double s;
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		s = -1;
		assert_int_equal(config_parse_duration(good[i].text, &s), 0);
		assert_true(s == good[i].seconds);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (config_parse_duration(bad[i], &s) == 0) {
			print_error("'%s' parsed as %g\n", bad[i], s);
			fail();
		}
	}
	assert_string_equal(config_format_duration(0, buf, sizeof buf), "0s");
	assert_string_equal(config_format_duration(0.5, buf, sizeof buf),
	    "500ms");
	assert_string_equal(config_format_duration(3, buf, sizeof buf), "3s");
	assert_string_equal(config_format_duration(1.5, buf, sizeof buf),
	    "1.5s");
	assert_string_equal(config_format_duration(90, buf, sizeof buf),
	    "1m30s");
	assert_string_equal(config_format_duration(3600, buf, sizeof buf),
	    "1h");
	assert_string_equal(config_format_duration(3661.25, buf, sizeof buf),
	    "1h1m1.25s");
}

static void
test_default_log_dir(void **state)
{
	char *old_xdg = getenv("XDG_STATE_HOME"), *old_home = getenv("HOME");
	char *d;

	(void)state;
	old_xdg = old_xdg != NULL ? xstrdup(old_xdg) : NULL;
	old_home = old_home != NULL ? xstrdup(old_home) : NULL;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	d = config_default_log_dir();
	assert_string_equal(d, "/x/state/drove/runs");
	free(d);
	/* A relative XDG_STATE_HOME is to be ignored. */
	setenv("XDG_STATE_HOME", "rel", 1);
	setenv("HOME", "/home/u", 1);
	d = config_default_log_dir();
	assert_string_equal(d, "/home/u/.local/state/drove/runs");
	free(d);
	unsetenv("XDG_STATE_HOME");
	d = config_default_log_dir();
	assert_string_equal(d, "/home/u/.local/state/drove/runs");
	free(d);
	if (old_xdg != NULL)
		setenv("XDG_STATE_HOME", old_xdg, 1);
	if (old_home != NULL)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
	free(old_xdg);
	free(old_home);
}

/* Relative paths are relative to the file's directory, wherever drove
 * runs from. */
static void
test_file(void **state)
{
	struct config *cfg;
	char *tmp, *sub, *path, *real, *want, *err = NULL;

	(void)state;
	tmp = tu_tmpdir();
	sub = xasprintf("%s/conf", tmp);
	assert_int_equal(mkdir(sub, 0700), 0);
	path = xasprintf("%s/conf/../conf/my.yaml", tmp);
	tu_write_file(path,
	    "settings: {log_dir: ./logs}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    cwd: work\n"
	    "    steps:\n"
	    "      - {run: x, cwd: ../other}\n"
	    "      - {run: y, cwd: /abs}\n"
	    "      - {run: z, cwd: .}\n");
	if (config_load(path, NULL, 0, &cfg, &err) != 0) {
		print_error("%s\n", err);
		fail();
	}
	real = realpath(sub, NULL);
	assert_non_null(real);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->dir, real);
	want = xasprintf("%s/logs", real);
	assert_string_equal(cfg->log_dir, want);
	free(want);
	want = xasprintf("%s/work", real);
	assert_string_equal(cfg->seqs[0].cwd, want);
	free(want);
	want = xasprintf("%s/../other", real);
	assert_string_equal(cfg->seqs[0].steps[0].cwd, want);
	free(want);
	assert_string_equal(cfg->seqs[0].steps[1].cwd, "/abs");
	assert_string_equal(cfg->seqs[0].steps[2].cwd, real);
	config_free(cfg);

	/* Errors name the file as it was given. */
	tu_write_file(path, "sequences: []\n");
	load_file_fails(path, xasprintf("%s:1:12: error: 'sequences' is empty",
	    path));

	free(real);
	free(path);
	free(sub);
	tu_rmrf(tmp);
	free(tmp);
}

static void
test_missing_file(void **state)
{
	struct config *cfg = (struct config *)1;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/t.yaml", NULL, 0, &cfg,
	    &err), -1);
	assert_null(cfg);
	assert_string_equal(err,
	    "/nonexistent/t.yaml: error: No such file or directory");
	free(err);
	assert_int_equal(config_load("/", NULL, 0, &cfg, &err), -1);
	assert_string_equal(err, "/: error: Is a directory");
	free(err);
}

static void
test_set_invalid(void **state)
{
	static const struct cfg_kv ov[] = { KV("a b", "x") };
	struct config *cfg;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load_string("t.yaml",
	    "sequences: [{name: a, steps: [x]}]\n", ov, 1, &cfg, &err), -1);
	assert_string_equal(err, "t.yaml: error: invalid variable name 'a b' "
	    "in --set (use letters, digits, '_' and '-')");
	free(err);
}

static void
test_print_plan(void **state)
{
	struct config *cfg;
	char *out;

	(void)state;
	cfg = load_ok(example, NULL, 0);
	out = plan_text(cfg);
	assert_non_null(strstr(out, "settings: shell=/bin/sh max_parallel=4 "
	    "scrollback=10000 kill_grace=5s log_dir=/"));
	assert_non_null(strstr(out,
	    "sequence 1: build\n"
	    "  env: LANG=C.UTF-8\n"
	    "  step 1: make -j2\n"
	    "  step 2: unit tests  (timeout 10m)\n"
	    "    run: make check\n"
	    "sequence 2: deploy web1  (needs: build)\n"
	    "  cwd: /srv\n"
	    "  env: LANG=C.UTF-8 TARGET=web1\n"
	    "  step 1: wait for web1  (retries 5, retry_delay 2s)\n"
	    "    run: ping -c1 web1\n"
	    "  step 2: sleep 3s\n"
	    "  step 3: mount data  (on_failure pause, tty)\n"
	    "    run: ssh web1 sudo mount /dev/xvdb /data\n"
	    "sequence 3: deploy web2  (needs: build)\n"));
	assert_int_equal(tu_count(out, "sequence "), 4);
	free(out);
	config_free(cfg);
}

/* Every shipped config must load. */
static void
test_shipped_configs(void **state)
{
	const char *src = getenv("DROVE_SOURCE_DIR");
	struct config *cfg;
	char *pattern, *err = NULL;
	glob_t g;
	size_t i, n = 0;

	(void)state;
	if (src == NULL)
		skip();
	pattern = xasprintf("%s/config/*.yaml", src);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	free(pattern);
	pattern = xasprintf("%s/config/examples/*.yaml", src);
	assert_int_equal(glob(pattern, GLOB_APPEND, NULL, &g), 0);
	free(pattern);
	for (i = 0; i < g.gl_pathc; i++, n++) {
		if (config_load(g.gl_pathv[i], NULL, 0, &cfg, &err) != 0) {
			print_error("%s\n", err);
			fail();
		}
		assert_true(cfg->n_seqs > 0);
		config_free(cfg);
	}
	assert_true(n >= 3);
	globfree(&g);
}

/*
 * Hosts, remote steps, --only.
 */

static const char hosts_example[] =
"settings: {ssh_config: ssh/config}\n"
"host_defaults:\n"
"  user: deploy\n"
"  port: 2222\n"
"  identity: keys/id\n"
"  ssh_options: {ConnectTimeout: 5, ServerAliveInterval: 15}\n"
"vars: {disk: sda, role: web}\n"
"hosts:\n"
"  web1: 10.0.0.1\n"
"  web2: {address: 10.0.0.2, tags: [web, eu], vars: {disk: nvme0}}\n"
"  db1:\n"
"    user: postgres\n"
"    port: 22\n"
"    tags: db\n"
"    multiplex: false\n"
"    ssh_options: {connecttimeout: 9, Compression: \"yes\"}\n"
"  lb: {}\n"
"sequences:\n"
"  - name: build\n"
"    steps: [make]\n"
"  - name: setup\n"
"    hosts: all\n"
"    needs: build\n"
"    vars: {disk: sdb}\n"
"    steps:\n"
"      - remote: mount /dev/{{disk}} /data && echo {{host}} {{host_address}}\n"
"      - upload: dist/app.tgz\n"
"        to: /tmp/app-{{host}}.tgz\n"
"      - download: /var/log/app.log\n"
"        to: logs/{{host}}.log\n"
"        cwd: out\n"
"      - echo local {{host}}\n"
"  - name: \"{{host}}: check\"\n"
"    hosts: [\"tag:{{role}}\", \"db*\"]\n"
"    needs: \"setup {{host}}\"\n"
"    tty: true\n"
"    steps:\n"
"      - {name: up, remote: uptime, timeout: 3s, retries: 2}\n"
"      - {upload: a, to: b}\n"
"  - name: one\n"
"    host: \"{{target}}\"\n"
"    vars: {target: lb}\n"
"    steps: [{remote: \"true\"}]\n";

/* settings.max_connecting: 8 by default, 0 for no limit, shown by
 * check when there are hosts, and a clear message for a bad value. */
static void
test_max_connecting(void **state)
{
	static const char *const bad[][2] = {
		{ "settings: {max_connecting: -1}\n",
		  "t.yaml:1:28: error: 'max_connecting' must be 0 or more, "
		  "got -1" },
		{ "settings: {max_connecting: many}\n",
		  "t.yaml:1:28: error: expected an integer for "
		  "'max_connecting', got 'many'" },
	};
	struct config *cfg;
	char *out;

	(void)state;
	cfg = load_ok(hosts_example, NULL, 0);
	assert_int_equal(cfg->max_connecting, 8);
	out = plan_text(cfg);
	assert_non_null(strstr(out, " max_connecting=8 "));
	free(out);
	config_free(cfg);

	cfg = load_ok("settings: {max_connecting: 0}\n"
	    "sequences: [{name: a, steps: [x]}]\n", NULL, 0);
	assert_int_equal(cfg->max_connecting, 0);
	config_free(cfg);
	cfg = load_ok("settings: {max_connecting: 200}\n"
	    "sequences: [{name: a, steps: [x]}]\n", NULL, 0);
	assert_int_equal(cfg->max_connecting, 200);
	config_free(cfg);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		head_fails(bad[i][0], bad[i][1]);
}

static void
test_hosts(void **state)
{
	struct config *cfg = load_ok(hosts_example, NULL, 0);
	const struct cfg_host *h;
	char *cwd, *want;

	(void)state;
	cwd = getcwd(NULL, 0);
	want = xasprintf("%s/ssh/config", cwd);
	assert_string_equal(cfg->ssh_config, want);
	free(want);
	assert_null(cfg->hosts_file);
	assert_int_equal(cfg->n_hosts, 4);

	/* Defaults apply; a plain value is the address; the name is the
	 * address when none is given. */
	h = &cfg->hosts[0];
	assert_string_equal(h->name, "web1");
	assert_string_equal(h->address, "10.0.0.1");
	assert_string_equal(h->user, "deploy");
	assert_int_equal(h->port, 2222);
	want = xasprintf("%s/keys/id", cwd);
	assert_string_equal(h->identity, want);
	free(want);
	assert_true(h->multiplex);
	assert_int_equal(h->n_ssh_options, 2);
	assert_string_equal(h->ssh_options[0].name, "ConnectTimeout");
	assert_string_equal(h->ssh_options[0].value, "5");
	assert_int_equal(h->n_tags, 0);
	h = &cfg->hosts[1];
	assert_int_equal(h->n_tags, 2);
	assert_string_equal(h->tags[1], "eu");
	assert_string_equal(h->vars[0].value, "nvme0");
	/* A host's own settings win; ssh option names ignore case, as in
	 * ssh_config, and keep their first place. */
	h = &cfg->hosts[2];
	assert_string_equal(h->user, "postgres");
	assert_int_equal(h->port, 22);
	assert_false(h->multiplex);
	assert_int_equal(h->n_ssh_options, 3);
	assert_string_equal(h->ssh_options[0].name, "ConnectTimeout");
	assert_string_equal(h->ssh_options[0].value, "9");
	assert_string_equal(h->ssh_options[2].name, "Compression");
	assert_string_equal(cfg->hosts[3].address, "lb");
	assert_int_equal(config_find_host(cfg, "db1"), 2);
	assert_int_equal(config_find_host(cfg, "db"), -1);
	free(cwd);
	config_free(cfg);
}

static void
test_hosts_binding(void **state)
{
	static const struct cfg_kv ov[] = { KV("role", "db") };
	struct config *cfg = load_ok(hosts_example, NULL, 0);
	const struct cfg_seq *s;
	const struct cfg_step *st;
	char *cwd, *want;

	(void)state;
	/* build, setup x4 (all hosts, inventory order), check x2 (tag web
	 * and db*), one. */
	assert_int_equal(cfg->n_seqs, 8);
	assert_int_equal(cfg->seqs[0].host, -1);
	s = seq_named(cfg, "setup web1");
	assert_int_equal(s->host, 0);
	assert_string_equal(s->template_name, "setup");
	assert_string_equal(seq_named(cfg, "setup lb")->name, "setup lb");
	/* The host's vars beat the sequence's, which beat the top level's. */
	assert_string_equal(s->steps[0].run,
	    "mount /dev/sdb /data && echo web1 10.0.0.1");
	s = seq_named(cfg, "setup web2");
	assert_string_equal(s->steps[0].run,
	    "mount /dev/nvme0 /data && echo web2 10.0.0.2");
	assert_string_equal(env_get(s->vars, s->n_vars, "host"), "web2");

	st = s->steps;
	assert_int_equal(st[0].kind, CFG_STEP_RUN);
	assert_int_equal(st[0].op, CFG_OP_REMOTE);
	assert_null(st[0].to);
	assert_string_equal(st[0].name,
	    "mount /dev/nvme0 /data && echo web2 10.0.0.2");
	assert_int_equal(st[1].op, CFG_OP_UPLOAD);
	assert_string_equal(st[1].run, "dist/app.tgz");
	assert_string_equal(st[1].to, "/tmp/app-web2.tgz");
	assert_string_equal(st[1].name, "upload dist/app.tgz");
	assert_int_equal(st[2].op, CFG_OP_DOWNLOAD);
	assert_string_equal(st[2].to, "logs/web2.log");
	cwd = getcwd(NULL, 0);
	want = xasprintf("%s/out", cwd);
	assert_string_equal(st[2].cwd, want);
	free(want);
	free(cwd);
	/* A plain string is still a local command. */
	assert_int_equal(st[3].op, CFG_OP_RUN);
	assert_string_equal(st[3].run, "echo local web2");

	/* A selection by tag and pattern; needs paired through {{host}}. */
	s = seq_named(cfg, "web2: check");
	assert_int_equal(s->n_needs, 1);
	assert_int_equal(s->needs[0], config_find_seq(cfg, "setup web2"));
	s = seq_named(cfg, "db1: check");
	assert_int_equal(s->host, 2);
	/* The sequence's tty is the remote steps' default, never a copy's. */
	assert_true(s->steps[0].tty);
	assert_true(s->steps[0].timeout == 3);
	assert_int_equal(s->steps[0].retries, 2);
	assert_false(s->steps[1].tty);
	assert_int_equal(config_find_seq(cfg, "web1: check"), -1);
	/* host: is expanded. */
	assert_int_equal(seq_named(cfg, "one")->host, 3);
	config_free(cfg);

	/* --set reaches the selection. */
	cfg = load_ok(hosts_example, ov, 1);
	assert_int_equal(config_find_seq(cfg, "web2: check"), -1);
	assert_true(config_find_seq(cfg, "db1: check") >= 0);
	config_free(cfg);

	/* hosts: and a matrix: the host is the outer key. */
	cfg = load_ok(
	    "hosts: {a: {}, b: {}}\n"
	    "sequences:\n"
	    "  - name: t\n"
	    "    hosts: all\n"
	    "    matrix: {n: [1, 2]}\n"
	    "    steps: [{remote: \"echo {{n}}\"}]\n", NULL, 0);
	assert_int_equal(cfg->n_seqs, 4);
	assert_string_equal(cfg->seqs[0].name, "t a 1");
	assert_string_equal(cfg->seqs[1].name, "t a 2");
	assert_string_equal(cfg->seqs[3].name, "t b 2");
	assert_int_equal(cfg->seqs[3].host, 1);
	config_free(cfg);
}

static void
test_hosts_file(void **state)
{
	struct config *cfg;
	char *tmp, *path, *inv, *err = NULL, *want;

	(void)state;
	tmp = tu_tmpdir();
	path = xasprintf("%s/site.yaml", tmp);
	inv = xasprintf("%s/inventory", tmp);
	tu_write_file(inv,
	    "# name  settings\n"
	    "\n"
	    "web1 address=10.0.0.1 tags=web,eu\n"
	    "  web2\taddress=10.0.0.2 user=admin port=2222 tags=web  # two\n"
	    "db1 identity=keys/db\n");
	tu_write_file(path,
	    "host_defaults: {user: deploy}\n"
	    "hosts: inventory\n"
	    "sequences:\n"
	    "  - {name: s, hosts: \"tag:web\", steps: [{remote: x}]}\n");
	if (config_load(path, NULL, 0, &cfg, &err) != 0) {
		print_error("%s\n", err);
		fail();
	}
	assert_string_equal(cfg->hosts_file, inv);
	assert_int_equal(cfg->n_hosts, 3);
	assert_string_equal(cfg->hosts[0].address, "10.0.0.1");
	assert_string_equal(cfg->hosts[0].user, "deploy");
	assert_int_equal(cfg->hosts[0].n_tags, 2);
	assert_int_equal(cfg->hosts[0].line, 3);
	assert_string_equal(cfg->hosts[1].user, "admin");
	assert_int_equal(cfg->hosts[1].port, 2222);
	assert_int_equal(cfg->hosts[1].column, 3);
	assert_string_equal(cfg->hosts[2].address, "db1");
	want = xasprintf("%s/keys/db", tmp);
	assert_string_equal(cfg->hosts[2].identity, want);
	free(want);
	assert_int_equal(cfg->n_seqs, 2);
	config_free(cfg);

	/* Its mistakes are reported at their place in it. */
	tu_write_file(inv, "web1\nweb2 port=99999\n");
	load_file_fails(path, xasprintf("%s:2:6: error: 'port' must be 1 to "
	    "65535, got '99999'", inv));
	tu_write_file(inv, "web1 colour=red\n");
	load_file_fails(path, xasprintf("%s:1:6: error: unknown key 'colour' "
	    "in hosts file (valid: address, user, port, identity, tags)", inv));
	tu_write_file(inv, "web1\n  web1 user=x\n");
	load_file_fails(path, xasprintf("%s:2:3: error: duplicate host 'web1' "
	    "(first at line 1)", inv));
	tu_write_file(inv, "-oProxyCommand=x\n");
	load_file_fails(path, xasprintf("%s:1:1: error: host name "
	    "'-oProxyCommand=x' starts with '-' (ssh would take it for an "
	    "option)", inv));
	tu_write_file(inv, "# nobody\n");
	load_file_fails(path, xasprintf("%s:2:8: error: hosts file '%s' lists "
	    "no hosts", path, inv));
	unlink(inv);
	load_file_fails(path, xasprintf("%s:2:8: error: cannot read hosts "
	    "file '%s': No such file or directory", path, inv));

	free(inv);
	free(path);
	tu_rmrf(tmp);
	free(tmp);
}

static void
test_select(void **state)
{
	static char *const one[] = { (char *)"deploy b" };
	static char *const globs[] = { (char *)"deploy *", (char *)"lint" };
	static char *const none[] = { (char *)"nope*" };
	static const char text[] =
	    "sequences:\n"
	    "  - {name: build, steps: [x]}\n"
	    "  - {name: lint, steps: [x]}\n"
	    "  - {name: deploy, matrix: {h: [a, b, c]}, needs: [build, lint],"
	    " steps: [x]}\n"
	    "  - {name: report, needs: \"deploy\", steps: [x]}\n";
	struct config *cfg;
	char *err = NULL;

	(void)state;
	cfg = load_ok(text, NULL, 0);
	assert_int_equal(config_select(cfg, NULL, 0, &err), 0);
	assert_int_equal(cfg->n_seqs, 6);
	assert_int_equal(config_select(cfg, one, 1, &err), 0);
	assert_int_equal(cfg->n_seqs, 1);
	assert_string_equal(cfg->seqs[0].name, "deploy b");
	/* What it needs was left out: taken as met. */
	assert_int_equal(cfg->seqs[0].n_needs, 0);
	config_free(cfg);

	cfg = load_ok(text, NULL, 0);
	assert_int_equal(config_select(cfg, globs, 2, &err), 0);
	assert_int_equal(cfg->n_seqs, 4);
	assert_string_equal(cfg->seqs[0].name, "lint");
	assert_string_equal(cfg->seqs[3].name, "deploy c");
	assert_int_equal(cfg->seqs[3].n_needs, 1);
	assert_int_equal(cfg->seqs[3].needs[0], 0);
	config_free(cfg);

	cfg = load_ok(text, NULL, 0);
	assert_int_equal(config_select(cfg, none, 1, &err), -1);
	assert_string_equal(err, "--only 'nope*' matches no sequence");
	free(err);
	assert_int_equal(cfg->n_seqs, 6);
	config_free(cfg);
}

static void
test_print_plan_hosts(void **state)
{
	struct config *cfg;
	char *out;

	(void)state;
	cfg = load_ok(hosts_example, NULL, 0);
	out = plan_text(cfg);
	assert_non_null(strstr(out, " ssh_config=/"));
	assert_non_null(strstr(out,
	    "host web2: deploy@10.0.0.2 port 2222\n"
	    "  identity: /"));
	assert_non_null(strstr(out,
	    "  tags: web, eu\n"
	    "  ssh_options: ConnectTimeout=5 ServerAliveInterval=15\n"
	    "  vars: disk=nvme0\n"));
	assert_non_null(strstr(out, "host db1: postgres@db1 port 22  "
	    "(a connection per step)\n"));
	assert_non_null(strstr(out,
	    "sequence 3: setup web2  (needs: build)\n"
	    "  host: web2\n"
	    "  step 1: mount /dev/nvme0 /data && echo web2 10.0.0.2\n"
	    "    remote: mount /dev/nvme0 /data && echo web2 10.0.0.2\n"
	    "  step 2: upload dist/app.tgz\n"
	    "    upload: dist/app.tgz -> web2:/tmp/app-web2.tgz\n"
	    "  step 3: download /var/log/app.log\n"
	    "    download: web2:/var/log/app.log -> logs/web2.log\n"));
	free(out);
	config_free(cfg);
}

/*
 * Plans that grow while they run.
 */

/* settings.secret_vars: the values of the variables it names (file,
 * even when --set replaces them, sequence and --set) are listed once for
 * the caller to register as secrets, a capture it names is secret, check
 * shows the names, and a value that is not a list of names is an error
 * where it is. */
static void
test_secret_vars(void **state)
{
	static const char *const bad[][2] = {
		{ "settings: {secret_vars: token}\n",
		  "t.yaml:1:25: error: expected a list of variable names for "
		  "'secret_vars', got 'token'" },
		{ "settings:\n  secret_vars: {token: 1}\n",
		  "t.yaml:2:16: error: expected a list of variable names for "
		  "'secret_vars', got a mapping" },
		{ "settings: {secret_vars: [token, [a]]}\n",
		  "t.yaml:1:33: error: expected a string for an entry of "
		  "'secret_vars', got a list" },
		{ "settings: {secret_vars: [\"a b\"]}\n",
		  "t.yaml:1:26: error: invalid variable name 'a b' in "
		  "'secret_vars' (use letters, digits, '_' and '-')" },
	};
	const struct cfg_kv ov[] = { KV("key", "k3y-from-the-command-line") };
	struct config *cfg;
	char *out;

	(void)state;
	cfg = load_ok("settings: {secret_vars: [token, key, pin, made]}\n"
	    "vars: {token: t0ken-value, key: file-key, open: visible}\n"
	    "sequences:\n"
	    "  - name: a\n"
	    "    vars: {pin: \"12345678\"}\n"
	    "    steps:\n"
	    "      - {run: echo x, capture: made}\n"
	    "      - {run: echo y, capture: plain}\n"
	    "  - name: b\n"
	    "    vars: {pin: \"12345678\"}\n"
	    "    steps: [\"echo {{token}}\"]\n", ov, 1);
	assert_int_equal(cfg->n_secret_vars, 4);
	/* The file's value that --set replaced too. */
	assert_int_equal(cfg->n_secret_values, 4);
	assert_string_equal(cfg->secret_values[0], "t0ken-value");
	assert_string_equal(cfg->secret_values[1], "file-key");
	assert_string_equal(cfg->secret_values[2], "k3y-from-the-command-line");
	assert_string_equal(cfg->secret_values[3], "12345678");
	assert_true(seq_named(cfg, "a")->steps[0].secret);
	assert_false(seq_named(cfg, "a")->steps[1].secret);
	assert_true(config_secret_var(cfg, "pin"));
	assert_false(config_secret_var(cfg, "open"));
	out = plan_text(cfg);
	assert_non_null(strstr(out, " secret_vars=token,key,pin,made\n"));
	free(out);
	config_free(cfg);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		head_fails(bad[i][0], bad[i][1]);
}

/* drove check of a fan-out: its sequences take the placeholder's place,
 * a capture made secret by secret_vars is said to be run again by
 * --resume, and a need on the placeholder is on all it makes. */
static void
test_print_fanout_secret(void **state)
{
	struct config *cfg;
	char *out;

	(void)state;
	cfg = load_ok("settings: {secret_vars: [machines]}\n"
	    "sequences:\n"
	    "  - name: provision\n"
	    "    steps: [{name: up, run: ./up, capture: machines}]\n"
	    "  - name: setup {{host}}\n"
	    "    needs: provision\n"
	    "    hosts: {from: machines}\n"
	    "    steps: [{remote: \"true\"}]\n"
	    "  - name: report\n"
	    "    needs: setup {{host}}\n"
	    "    steps: [x]\n", NULL, 0);
	out = plan_text(cfg);
	assert_non_null(strstr(out,
	    "    capture: machines (secret)\n"
	    "sequence 2: setup {{host}}  (needs: provision)\n"
	    "  hosts: from machines, captured by provision / up (secret: "
	    "--resume runs it again)\n"
	    "  (one sequence per value, made when it is captured, in its "
	    "place)\n"));
	assert_non_null(strstr(out, "sequence 3: report  (needs: setup "
	    "{{host}} (all it makes))\n"));
	free(out);
	config_free(cfg);
}

static const char dyn_example[] =
"vars: {disk: sdb}\n"
"sequences:\n"
"  - name: provision\n"
"    steps:\n"
"      - name: bring up machines\n"
"        run: ./up\n"
"        capture: machines\n"
"      - {run: 'echo {{machines}} {{{{x}} {{disk}}', capture: {name: key, "
"secret: true}}\n"
"      - {run: 'echo {{{{y}}', if: 'test -d /{{disk}}'}\n"
"    finally:\n"
"      - echo cleanup {{machines}}\n"
"  - name: setup {{host}}\n"
"    needs: provision\n"
"    hosts: {from: machines}\n"
"    steps:\n"
"      - wait_for: {ssh: true}\n"
"        timeout: 2m\n"
"      - remote: mount /dev/{{disk}} /data\n"
"        on_failure:\n"
"          steps: ['mkfs {{host}}', {remote: 'true'}]\n"
"          then: retry\n"
"      - {wait_for: {output: {sequence: provision, match: ready}}, "
"if: 'true'}\n"
"      - wait_for: {tcp: '{{host_address}}:80'}\n"
"      - {sleep: 1, if: 'false'}\n"
"  - name: web {{w}}\n"
"    needs: provision\n"
"    matrix: {w: {from: machines}, port: ['80', '443']}\n"
"    steps: ['curl {{w}}:{{port}} {{key}}', {wait_for: {path: out}}]\n";

/* A fan-out at run time: the placeholder's sequences from a value. */
static void
test_grow(void **state)
{
	struct config *cfg;
	const struct cfg_seq *s;
	size_t first, n;
	char *err = NULL;

	(void)state;
	cfg = load_ok(dyn_example, NULL, 0);
	/* hosts: one host and sequence per line, defaults applied. */
	assert_int_equal(config_grow(cfg, 1, "web1 address=10.0.0.1\n\n"
	    "# a comment\ndb1 address=10.0.0.2 port=2222 tags=db\n", &first,
	    &n, &err), 0);
	assert_null(err);
	assert_int_equal(first, 4);
	assert_int_equal(n, 2);
	assert_int_equal(cfg->n_seqs, 6);
	assert_int_equal(cfg->n_hosts, 2);
	s = &cfg->seqs[4];
	assert_string_equal(s->name, "setup web1");
	assert_null(s->fanout);
	assert_int_equal(s->host, 0);
	assert_int_equal(s->index, 0);
	assert_int_equal(s->n_needs, 1);
	assert_int_equal(s->needs[0], 0);
	assert_int_equal(s->n_all, 7);
	assert_string_equal(s->steps[5].run, "mkfs web1");
	assert_false(s->steps[5].late);
	assert_string_equal(s->steps[3].wait.target, "10.0.0.1:80");
	assert_false(s->steps[3].late);
	s = &cfg->seqs[5];
	assert_string_equal(s->name, "setup db1");
	assert_int_equal(s->index, 1);
	assert_string_equal(cfg->hosts[1].address, "10.0.0.2");
	assert_int_equal(cfg->hosts[1].port, 2222);
	assert_string_equal(cfg->hosts[1].tags[0], "db");

	/* A JSON array of objects: fields as {{KEY_F}}; a capture left. */
	assert_int_equal(config_grow(cfg, 2, " [{\"name\": \"a\", \"ip\": "
	    "\"1.2.3.4\"}, \"b\"]\n", &first, &n, &err), 0);
	assert_int_equal(n, 2);
	s = &cfg->seqs[6];
	assert_string_equal(s->name, "web a 80");
	assert_string_equal(s->steps[0].run, "curl a:80 {{key}}");
	assert_true(s->steps[0].late);
	assert_string_equal(cfg->seqs[7].name, "web b 80");

	/* Lines; nothing for an empty value. */
	assert_int_equal(config_grow(cfg, 3, "  c \n\n", &first, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cfg->seqs[8].name, "web c 443");
	assert_int_equal(config_grow(cfg, 3, "\n \n", &first, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cfg->n_seqs, 9);

	/* Mistakes: said, and nothing added. */
	assert_int_equal(config_grow(cfg, 1, "x1 address=a\nx2 colour=red\n",
	    &first, &n, &err), -1);
	assert_string_equal(err, "the value captured as 'machines':2:4: "
	    "error: unknown key 'colour' in hosts file (valid: address, "
	    "user, port, identity, tags)");
	free(err);
	assert_int_equal(cfg->n_hosts, 2);
	assert_int_equal(cfg->n_seqs, 9);
	assert_int_equal(config_grow(cfg, 3, "c\n", &first, &n, &err), -1);
	assert_string_equal(err, "'machines' makes the sequence 'web c 443' "
	    "twice (value 1): a sequence of that name is there");
	free(err);
	assert_int_equal(config_grow(cfg, 3, "[1, [2]]", &first, &n, &err),
	    -1);
	assert_string_equal(err, "item 2 of the value captured as 'machines' "
	    "is neither a string nor an object of strings");
	free(err);
	assert_int_equal(config_grow(cfg, 0, "x", &first, &n, &err), -1);
	free(err);

	/* --only applies to the names made. */
	cfg->only = calloc(2, sizeof *cfg->only);
	cfg->only[0] = strdup("setup x*");
	cfg->n_only = 1;
	assert_int_equal(config_grow(cfg, 1, "y1\nx1\n", &first, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cfg->seqs[9].name, "setup x1");
	config_free(cfg);
}

static void
test_dynamic(void **state)
{
	struct config *cfg;
	const struct cfg_seq *p, *setup, *web;
	const struct cfg_step *st;
	char *out;

	(void)state;
	cfg = load_ok(dyn_example, NULL, 0);
	assert_int_equal(cfg->n_seqs, 4);
	p = seq_named(cfg, "provision");
	assert_null(p->fanout);
	assert_int_equal(p->n_steps, 3);
	assert_int_equal(p->n_all, 4);
	assert_int_equal(p->finally_at, 3);
	assert_int_equal(p->n_finally, 1);
	st = &p->steps[0];
	assert_string_equal(st->capture, "machines");
	assert_false(st->secret);
	assert_false(st->late);
	st = &p->steps[1];
	assert_string_equal(st->capture, "key");
	assert_true(st->secret);
	/* Late: a template, whose own braces stay escaped. */
	assert_true(st->late);
	assert_string_equal(st->run, "echo {{machines}} {{{{x}} sdb");
	/* Not late in a plan with captures: final. */
	st = &p->steps[2];
	assert_false(st->late);
	assert_string_equal(st->run, "echo {{y}}");
	assert_string_equal(st->cond, "test -d /sdb");
	st = &p->steps[3];
	assert_int_equal(st->role, CFG_ROLE_FINALLY);
	assert_true(st->late);

	/* The placeholder of hosts made at run time. */
	setup = &cfg->seqs[1];
	assert_string_equal(setup->name, "setup {{host}}");
	assert_non_null(setup->fanout);
	assert_true(setup->fanout->hosts);
	assert_string_equal(setup->fanout->from, "machines");
	assert_string_equal(setup->fanout->key, "host");
	assert_int_equal(setup->fanout->by_seq, 0);
	assert_int_equal(setup->fanout->by_step, 0);
	assert_int_equal(setup->host, -1);
	assert_int_equal(setup->n_steps, 5);
	assert_int_equal(setup->n_all, 7);
	st = &setup->steps[0];
	assert_int_equal(st->kind, CFG_STEP_WAIT);
	assert_int_equal(st->wait.kind, CFG_WAIT_SSH);
	assert_true(st->timeout == 120);
	st = &setup->steps[1];
	assert_int_equal(st->op, CFG_OP_REMOTE);
	assert_int_equal(st->handler, 5);
	assert_int_equal(st->n_handler, 2);
	assert_int_equal(st->then, CFG_ONFAIL_RETRY);
	assert_int_equal(setup->steps[5].role, CFG_ROLE_HANDLER);
	assert_int_equal(setup->steps[5].of, 1);
	assert_true(setup->steps[5].late);
	assert_string_equal(setup->steps[5].run, "mkfs {{host}}");
	assert_int_equal(setup->steps[6].op, CFG_OP_REMOTE);
	st = &setup->steps[2];
	assert_int_equal(st->wait.kind, CFG_WAIT_OUTPUT);
	assert_int_equal(st->wait.seq, 0);
	assert_string_equal(st->wait.match, "ready");
	assert_string_equal(st->cond, "true");
	/* The default timeout of a wait. */
	assert_true(st->timeout == 300);
	st = &setup->steps[3];
	assert_int_equal(st->wait.kind, CFG_WAIT_TCP);
	assert_true(st->late);
	assert_string_equal(st->wait.target, "{{host_address}}:80");
	assert_string_equal(setup->steps[4].cond, "false");

	/* A matrix key from a capture, beside a key as written. */
	web = &cfg->seqs[2];
	assert_string_equal(web->name, "web {{w}} 80");
	assert_string_equal(cfg->seqs[3].name, "web {{w}} 443");
	assert_string_equal(web->fanout->key, "w");
	assert_false(web->fanout->hosts);
	assert_string_equal(web->steps[0].run, "curl {{w}}:80 {{key}}");
	assert_int_equal(web->steps[1].wait.kind, CFG_WAIT_PATH);
	assert_non_null(strstr(web->steps[1].wait.target, "/out"));

	out = plan_text(cfg);
	assert_non_null(strstr(out,
	    "sequence 1: provision\n"
	    "  step 1: bring up machines\n"
	    "    run: ./up\n"
	    "    capture: machines\n"));
	assert_non_null(strstr(out,
	    "    capture: key (secret)\n"
	    "  step 3: echo {{y}}\n"
	    "    if: test -d /sdb\n"
	    "  finally step 1: echo cleanup {{machines}}\n"));
	assert_non_null(strstr(out,
	    "sequence 2: setup {{host}}  (needs: provision)\n"
	    "  hosts: from machines, captured by provision / bring up "
	    "machines\n"
	    "  (one sequence per value, made when it is captured, in its "
	    "place)\n"
	    "  step 1: wait for ssh\n"
	    "    wait_for: ssh of the host, for at most 2m\n"
	    "  step 2: mount /dev/sdb /data  (on_failure: 2 handler steps, "
	    "then retry)\n"
	    "    remote: mount /dev/sdb /data\n"
	    "    handler step 1: mkfs {{host}}\n"
	    "    handler step 2: true\n"
	    "    remote: true\n"
	    "  step 3: wait for /ready/ in provision\n"
	    "    wait_for: a line of provision matching /ready/, for at most "
	    "5m\n"
	    "    if: true\n"));
	assert_non_null(strstr(out,
	    "  matrix w: from machines, captured by provision / bring up "
	    "machines\n"));
	free(out);

	config_free(cfg);
	/* A path or an output wait on a captured value is a late step: its
	 * template is filled as it starts, as a command's is. */
	cfg = load_ok("sequences:\n  - name: a\n    steps:\n"
	    "      - {run: x, capture: v}\n"
	    "      - wait_for: {path: '{{v}}'}\n"
	    "      - wait_for: {output: {sequence: b, match: '^{{v}}$'}}\n"
	    "  - name: b\n    steps: [x]\n", NULL, 0);
	assert_true(cfg->seqs[0].steps[1].late);
	assert_true(cfg->seqs[0].steps[2].late);
	assert_string_equal(cfg->seqs[0].steps[2].wait.match, "^{{v}}$");
	config_free(cfg);
}

static void
test_dynamic_select(void **state)
{
	struct config *cfg;
	char *pat[] = { (char *)"setup h*" }, *err = NULL;

	(void)state;
	cfg = load_ok(dyn_example, NULL, 0);
	assert_int_equal(config_select(cfg, pat, 1, &err), 0);
	assert_null(err);
	assert_int_equal(cfg->n_seqs, 3);
	assert_string_equal(cfg->seqs[0].name, "setup {{host}}");
	assert_int_equal(cfg->n_only, 1);
	assert_string_equal(cfg->only[0], "setup h*");
	/* The capturing sequence is left out: the wait on its output is
	 * not resolved any more. */
	assert_int_equal(cfg->seqs[0].steps[2].wait.seq, -1);
	config_free(cfg);
}

static bool
defer_x(void *arg, const char *name, size_t len, bool known)
{
	(void)arg;
	return !known && len == 1 && name[0] == 'x';
}

static void
test_tmpl_defer(void **state)
{
	struct cfg_kv vars[] = { KV("a", "A{{"), KV("x", "known") };
	char *s, *err = NULL;
	bool deferred = false;

	(void)state;
	s = tmpl_expand_defer("{{a}} {{x}} {{{{", vars, 1, SIZE_MAX, defer_x,
	    NULL, &deferred, &err, NULL);
	assert_true(deferred);
	assert_string_equal(s, "A{{{{ {{x}} {{{{");
	free(s);
	/* Expanded again with the late value: one expansion's result. */
	s = tmpl_expand("A{{{{ {{x}} {{{{", vars + 1, 1, &err, NULL);
	assert_string_equal(s, "A{{ known {{");
	free(s);
	/* Known names are not deferred by this predicate. */
	s = tmpl_expand_defer("{{x}}", vars + 1, 1, SIZE_MAX, defer_x, NULL,
	    &deferred, &err, NULL);
	assert_false(deferred);
	assert_string_equal(s, "known");
	free(s);
	assert_null(tmpl_expand_defer("{{y}}", vars, 1, SIZE_MAX, defer_x,
	    NULL, &deferred, &err, NULL));
	assert_non_null(strstr(err, "unknown variable 'y'"));
	free(err);
}

struct bad_case {
	const char *text;
	const char *err;
};

/*
 * Limits: what a hostile or mistaken file can make the loader do is
 * bounded, with a message rather than memory or time.
 */

/* text, made of parts: a prefix, a part repeated n times, a suffix. */
static char *
repeat(const char *pre, const char *part, size_t n, const char *post)
{
	size_t lp = strlen(pre), lr = strlen(part), i;
	char *s = xmalloc(lp + lr * n + strlen(post) + 1), *p = s;

	memcpy(p, pre, lp);
	p += lp;
	for (i = 0; i < n; i++, p += lr)
		memcpy(p, part, lr);
	strcpy(p, post);
	return s;
}

/* Load text, which must fail with a message that starts with want. */
static void
load_fails(char *text, const char *want)
{
	struct config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(config_load_string("t.yaml", text, NULL, 0, &cfg,
	    &err), -1);
	assert_null(cfg);
	if (strncmp(err, want, strlen(want)) != 0) {
		print_error("got: %.300s\nwant: %s\n", err, want);
		fail();
	}
	free(err);
	free(text);
}

/* "0, 1, ..., n-1"; caller frees. */
static char *
numbers(size_t n)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < n; i++) {
		t = xasprintf("%s%s%zu", s, i > 0 ? ", " : "", i);
		free(s);
		s = t;
	}
	return s;
}

/* "[[...]]", n levels deep; caller frees. */
static char *
nested(size_t n)
{
	char *s = xmalloc(2 * n + 1);

	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	return s;
}

static void
test_limit_depth(void **state)
{
	struct config *cfg;
	char *deep, *text;

	(void)state;
	/* 100,000 levels took minutes in libyaml; refused at the 65th. */
	load_fails(nested(100000),
	    "t.yaml:1:65: error: nested more than 64 levels deep");
	load_fails(repeat("sequences:\n", "- ", 1000, "x\n"),
	    "t.yaml:2:127: error: nested more than 64 levels deep");
	/* 64 levels (the top level's mapping is one) are fine. */
	deep = nested(63);
	text = xasprintf("x-a: %s\nsequences: [{name: a, steps: [x]}]\n",
	    deep);
	cfg = load_ok(text, NULL, 0);
	config_free(cfg);
	free(text);
	free(deep);
	deep = nested(64);
	load_fails(xasprintf("x-a: %s\n", deep),
	    "t.yaml:1:69: error: nested more than 64 levels deep");
	free(deep);
}

static void
test_limit_aliases(void **state)
{
	char *list = numbers(10);
	char *steps = repeat("", "true, ", 999, "true");

	(void)state;
	/* 10,000 sequences of 1,000 steps from 5 KB: 10 million steps. */
	load_fails(xasprintf("x-v: &v [%s]\nx-s: &s [%s]\nsequences:\n"
	    "  - name: n\n    matrix: {a: *v, b: *v, c: *v, d: *v}\n"
	    "    steps: *s\n", list, steps),
	    "t.yaml:4:5: error: more than 100000 steps in all (matrices "
	    "and aliases multiply them)");
	free(steps);
	free(list);
	/* A billion laughs, nine lines. */
	load_fails(xasprintf("x-a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	    "x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "sequences: [{name: a, steps: [x]}]\n"),
	    "t.yaml:6:31: error: more than 1000000 YAML nodes once aliases "
	    "are expanded");
	load_fails(repeat("x-a: [", "&a x, ", 1001, "x]\n"),
	    "t.yaml:1:6007: error: more than 1000 anchors");
	load_fails(repeat("x-a: &a x\nx-b: [", "*a, ", 100001, "x]\n"),
	    "t.yaml:2:400007: error: more than 100000 aliases");
}

static void
test_limit_plan(void **state)
{
	char *big = repeat("", "x", 100000, ""), *list, *refs;

	(void)state;
	/* A value of 100 KB ten times in an env, in 100 sequences. */
	list = numbers(100);
	refs = repeat("", "{{a}}", 1000, "");
	load_fails(xasprintf("x-s: &s %s\nsequences:\n  - name: n\n"
	    "    matrix: {a: [%s]}\n    env: {A: *s, B: *s, C: *s, D: *s, "
	    "E: *s, F: *s, G: *s, H: *s, I: *s, J: *s}\n    steps: [x]\n",
	    big, list),
	    "t.yaml:1:6: error: the plan is larger than 64 MiB once expanded "
	    "(matrices, aliases and {{vars}} multiply it)");
	/* {{a}} 1,000 times, a being 100 KB: refused before it is built. */
	load_fails(xasprintf("vars: {a: %s}\nsequences:\n  - name: n\n"
	    "    steps: ['%s']\n", big, refs),
	    "t.yaml:4:13: error: the plan is larger than 64 MiB");
	/* In needs, it names no sequence, and is not built either. */
	load_fails(xasprintf("vars: {a: %s}\nsequences:\n  - name: n\n"
	    "    needs: ['%s']\n    steps: [x]\n", big, refs),
	    "t.yaml:4:13: error: unknown sequence '{{a}}{{a}}");
	free(refs);
	free(list);
	free(big);
	big = xmalloc((8 << 20) + 2);
	memset(big, '#', (8 << 20) + 1);
	big[(8 << 20) + 1] = '\0';
	load_fails(big, "t.yaml: error: larger than 8 MiB");
}

static void
test_limit_needs(void **state)
{
	char *list = numbers(1001);

	(void)state;
	/* 1,001 deploys each needing all 1,001 builds: a million edges. */
	load_fails(xasprintf("x-v: &v [%s]\nsequences:\n  - name: b\n"
	    "    matrix: {a: *v}\n    steps: [x]\n  - name: d\n"
	    "    matrix: {a: *v}\n    needs: [b]\n    steps: [x]\n", list),
	    "t.yaml:8:13: error: more than 1000000 needs in all (a template "
	    "in needs names each of its sequences)");
	free(list);
}

/* A mapping's keys, "K0: v, K1: v, ..."; caller frees. */
static char *
keys(const char *prefix, size_t n)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < n; i++) {
		t = xasprintf("%s%s%s%zu: v", s, i > 0 ? ", " : "", prefix, i);
		free(s);
		s = t;
	}
	return s;
}

static void
test_limit_names(void **state)
{
	char *k = keys("K", 1001), *tags = numbers(1001);

	(void)state;
	/* Each name is kept once by a search of the others: 100,000 env
	 * names took a minute. */
	load_fails(xasprintf("env: {%s}\n", k),
	    "t.yaml:1:6: error: 'env' has more than 1000 entries");
	load_fails(xasprintf("sequences:\n  - name: a\n    vars: {%s}\n"
	    "    steps: [x]\n", k),
	    "t.yaml:3:11: error: 'vars' has more than 1000 entries");
	load_fails(xasprintf("hosts: {h: {tags: [%s]}}\n", tags),
	    "t.yaml:1:4910: error: host 'h' has more than 1000 tags");
	free(tags);
	free(k);
	/* Duplicates are found by a sort: the first one in file order is
	 * named, with the line of its first use. */
	k = keys("K", 900);
	load_fails(xasprintf("env: {%s,\n  K7: w, K3: w}\n", k),
	    "t.yaml:2:3: error: duplicate key 'K7' (first at line 1)");
	free(k);
}

/* config_load refuses what is not a regular file, and what is too big,
 * without reading it. */
static void
test_limit_files(void **state)
{
	struct config *cfg = NULL;
	char dir[] = "/tmp/drove-test-XXXXXX", *path, *err = NULL;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(config_load("/dev/zero", NULL, 0, &cfg, &err), -1);
	assert_string_equal(err, "/dev/zero: error: not a regular file (a "
	    "device); drove reads its config from a file");
	free(err);
	/* Nobody writes to it: opening it must not wait. */
	path = xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	assert_non_null(strstr(err, "fifo: error: not a regular file (a "
	    "FIFO)"));
	free(err);
	unlink(path);
	free(path);
	path = xasprintf("%s/big.yaml", dir);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(ftruncate(fileno(fp), (8 << 20) + 1), 0);
	fclose(fp);
	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	assert_non_null(strstr(err, "big.yaml: error: larger than 8 MiB"));
	free(err);
	unlink(path);
	free(path);
	rmdir(dir);
	assert_null(cfg);
}

static void
test_tmpl_max(void **state)
{
	const struct cfg_kv vars[] = { KV("a", "xyz") };
	char *err = (char *)"untouched", *s;

	(void)state;
	assert_null(tmpl_expand_max("{{a}}{{a}}", vars, 1, 5, &err, NULL));
	assert_null(err);
	s = tmpl_expand_max("{{a}}{{a}}", vars, 1, 6, &err, NULL);
	assert_string_equal(s, "xyzxyz");
	free(s);
	assert_null(tmpl_expand_max("{{a}}-", vars, 1, 3, &err, NULL));
	assert_null(err);
}

/*
 * libyaml's words, and what to do about them.
 */

static void
test_yaml_hints(void **state)
{
	static const struct bad_case hints[] = {
		{ "sequences:\n  - name: a\n    steps:\n"
		  "      - run: echo a: b\n",
		  "t.yaml:4:20: error: mapping values are not allowed in this "
		  "context; a value with ': ' in it needs quotes: run: "
		  "\"echo a: b\"" },
		{ "sequences:\n  - name: a\n    steps:\n"
		  "      - run: echo \"x\": b  \n",
		  "t.yaml:4:22: error: mapping values are not allowed in this "
		  "context; a value with ': ' in it needs quotes: run: "
		  "'echo \"x\": b'" },
		{ "sequences:\n  - name: a: x\n",
		  "t.yaml:2:12: error: mapping values are not allowed in this "
		  "context; a value with ': ' in it needs quotes: name: "
		  "\"a: x\"" },
		{ "sequences:\n  - name: a\n    steps:\n"
		  "      - echo a: b\n",
		  "t.yaml:4:9: error: this step is a mapping to YAML (key "
		  "'echo a'); a command with ': ' in it needs quotes: - "
		  "\"echo a: b\"" },
		/* A mapping written as one is not a slip. */
		{ "sequences:\n  - name: a\n    steps:\n"
		  "      - {echo a: b}\n",
		  "t.yaml:4:10: error: unknown key 'echo a' in step (valid: "
		  "name, run, remote, upload, download, to, sleep, wait_for, "
		  "timeout, retries, retry_delay, on_failure, tty, cwd, env, "
		  "capture, if)" },
		/* A key indented too far is not a value with ': '. */
		{ "a: b\n  c: d\n",
		  "t.yaml:2:4: error: mapping values are not allowed in this "
		  "context" },
		{ "sequences:\n  - name: a\n\tsteps: [x]\n",
		  "t.yaml:3:1: error: found a tab character that violates "
		  "indentation (while scanning a plain scalar at line 2); use "
		  "spaces to indent, not tabs" },
		{ "sequences:\n  - name: a\n    steps:\n\t- x\n",
		  "t.yaml:4:1: error: found character that cannot start any "
		  "token (while scanning for the next token); use spaces to "
		  "indent, not tabs" },
	};
	struct config *cfg = NULL;
	char *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		assert_int_equal(config_load_string("t.yaml", hints[i].text,
		    NULL, 0, &cfg, &err), -1);
		assert_string_equal(err, hints[i].err);
		free(err);
	}
}

/*
 * Mistakes: each config and the exact message it gets.
 */

static struct bad_case bad_cases[] = {
	/* 0: YAML syntax */
	{ "sequences:\n  - name: a\n    steps: [x\n  - name: b\n",
	  "t.yaml:4:9: error: did not find expected ',' or ']' "
	  "(while parsing a flow sequence at line 3)" },
	{ "sequences:\n\t- name: a\n",
	  "t.yaml:2:1: error: found character that cannot start any token "
	  "(while scanning for the next token); use spaces to indent, not "
	  "tabs" },
	/* 2: unknown keys */
	{ "sequences: [{name: a, steps: [x]}]\nsetings: {}\n",
	  "t.yaml:2:1: error: unknown key 'setings' at the top level "
	  "(valid: settings, vars, env, env_file, hosts, host_defaults, sequences)" },
	{ "sequences:\n  - name: a\n    steps:\n      - run: x\n"
	  "        retires: 3\n",
	  "t.yaml:5:9: error: unknown key 'retires' in step (valid: name, "
	  "run, remote, upload, download, to, sleep, wait_for, timeout, "
	  "retries, retry_delay, on_failure, tty, cwd, env, capture, if)" },
	{ "sequences:\n  - name: a\n    step: [x]\n",
	  "t.yaml:3:5: error: unknown key 'step' in sequence (valid: name, "
	  "steps, matrix, needs, cwd, env, env_file, vars, timeout, retries, "
	  "retry_delay, on_failure, tty, host, hosts, finally)" },
	{ "settings:\n  parallel: 2\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:2:3: error: unknown key 'parallel' in settings (valid: "
	  "shell, max_parallel, log_dir, scrollback, kill_grace, "
	  "finally_timeout, keep_runs, ssh_config, max_connecting, notify, "
	  "max_log, secret_vars)" },
	/* 6: integers */
	{ "sequences:\n  - name: a\n    steps:\n      - run: x\n"
	  "        retries: [1]\n",
	  "t.yaml:5:18: error: expected an integer for 'retries', got a list" },
	{ "sequences:\n  - name: a\n    steps:\n      - run: x\n"
	  "        retries: three\n",
	  "t.yaml:5:18: error: expected an integer for 'retries', got "
	  "'three'" },
	{ "sequences:\n  - name: a\n    steps:\n      - run: x\n"
	  "        retries: -2\n",
	  "t.yaml:5:18: error: 'retries' must be 0 or more, got -2" },
	{ "settings: {scrollback: 0}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:24: error: 'scrollback' must be 1 or more, got 0" },
	{ "settings: {max_parallel: 1.5}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:26: error: expected an integer for 'max_parallel', got "
	  "'1.5'" },
	/* 11: durations, booleans, enums */
	{ "sequences:\n  - name: a\n    steps:\n      - run: x\n"
	  "        timeout: 3x\n",
	  "t.yaml:5:18: error: malformed duration '3x' for 'timeout' "
	  "(use 500ms, 3s, 2m, 1h or seconds)" },
	{ "settings: {kill_grace: -1s}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:24: error: negative duration '-1s' for 'kill_grace'" },
	{ "sequences:\n  - name: a\n    steps:\n      - sleep:\n",
	  "t.yaml:4:15: error: expected a duration for 'sleep', got nothing" },
	{ "sequences:\n  - name: a\n    tty: yes\n    steps: [x]\n",
	  "t.yaml:3:10: error: expected true or false for 'tty', got 'yes'" },
	{ "sequences:\n  - name: a\n    on_failure: retry\n    steps: [x]\n",
	  "t.yaml:3:17: error: invalid on_failure 'retry' (valid: stop, "
	  "continue, pause)" },
	/* 16: templates */
	{ "vars: {user: me}\nsequences:\n  - name: a\n    steps:\n"
	  "      - echo {{usr}}\n",
	  "t.yaml:5:9: error: unknown variable 'usr' (defined: user)" },
	{ "env: {X: \"{{host}}\"}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:10: error: unknown variable 'host' (no variables are "
	  "defined)" },
	{ "sequences:\n  - name: a\n    steps: [\"echo {{ a b }}\"]\n",
	  "t.yaml:3:13: error: malformed '{{ a b }}' (use {{name}}, or {{{{ "
	  "for a literal {{)" },
	{ "sequences:\n  - name: a\n    steps:\n      - run: {{x}}\n",
	  "t.yaml:4:14: error: expected a string for 'run', got a mapping "
	  "(a value that starts with {{ needs quotes)" },
	{ "vars: {a b: 1}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:8: error: invalid variable name 'a b' (use letters, "
	  "digits, '_' and '-')" },
	/* 21: needs */
	{ "sequences:\n  - name: a\n    needs: [b, c]\n    steps: [x]\n"
	  "  - name: b\n    steps: [x]\n",
	  "t.yaml:3:16: error: unknown sequence 'c' in needs" },
	{ "sequences:\n  - name: a\n    needs: c\n    steps: [x]\n"
	  "  - name: b\n    needs: [a]\n    steps: [x]\n"
	  "  - name: c\n    needs: [b]\n    steps: [x]\n",
	  "t.yaml:6:13: error: dependency cycle: a -> c -> b -> a" },
	{ "sequences:\n  - name: a\n    needs: [a]\n    steps: [x]\n",
	  "t.yaml:3:13: error: sequence 'a' needs itself" },
	{ "sequences:\n  - name: d\n    matrix: {h: [x, y]}\n"
	  "    needs: d\n    steps: [x]\n",
	  "t.yaml:4:12: error: sequence 'd x' needs itself" },
	{ "sequences:\n  - name: a\n    needs: {b: 1}\n    steps: [x]\n",
	  "t.yaml:3:12: error: expected a list of sequence names for "
	  "'needs', got a mapping" },
	/* 26: names, matrices */
	{ "sequences:\n  - name: deploy a\n    steps: [x]\n"
	  "  - name: deploy\n    matrix: {h: [b, a]}\n    steps: [x]\n",
	  "t.yaml:4:11: error: duplicate sequence name 'deploy a' (first at "
	  "line 2)" },
	{ "sequences:\n  - name: a\n    matrix:\n      host: web1\n"
	  "    steps: [x]\n",
	  "t.yaml:4:13: error: expected a list of values for matrix 'host', "
	  "or {from: NAME}, got 'web1'" },
	{ "sequences:\n  - name: a\n    matrix: {h: []}\n    steps: [x]\n",
	  "t.yaml:3:17: error: matrix 'h' has no values" },
	{ "sequences:\n  - name: a\n    matrix: {h: [[1]]}\n    steps: [x]\n",
	  "t.yaml:3:18: error: expected a string for a value of matrix 'h', "
	  "got a list" },
	{ "sequences:\n  - steps: [x]\n",
	  "t.yaml:2:5: error: sequence has no 'name'" },
	{ "sequences:\n  - build\n",
	  "t.yaml:2:5: error: expected a sequence (a mapping with 'name' and "
	  "'steps'), got 'build'" },
	/* 32: steps */
	{ "sequences:\n  - name: a\n    steps: []\n",
	  "t.yaml:3:12: error: sequence 'a' has no steps" },
	{ "sequences:\n  - name: a\n",
	  "t.yaml:2:5: error: sequence 'a' has no 'steps'" },
	{ "sequences:\n  - name: a\n    steps: echo\n",
	  "t.yaml:3:12: error: expected a list of steps for 'steps', got "
	  "'echo'" },
	{ "sequences:\n  - name: a\n    steps:\n      - run: x\n"
	  "        sleep: 1s\n",
	  "t.yaml:4:9: error: step has both 'run' and 'sleep'" },
	{ "sequences:\n  - name: a\n    steps:\n      - name: x\n",
	  "t.yaml:4:9: error: step has no 'run', 'remote', 'upload', "
	  "'download', 'sleep' or 'wait_for'" },
	{ "sequences:\n  - name: a\n    steps:\n      - sleep: 2\n"
	  "        timeout: 3s\n",
	  "t.yaml:5:9: error: 'timeout' does not apply to a sleep step" },
	{ "sequences:\n  - name: a\n    steps:\n      - [x]\n",
	  "t.yaml:4:9: error: expected a step (a command, or a mapping with "
	  "'run' or 'sleep'), got a list" },
	/* 39: the top level */
	{ "settings: {shell: /bin/bash}\n",
	  "t.yaml:1:1: error: missing key 'sequences' at the top level" },
	{ "sequences: []\n",
	  "t.yaml:1:12: error: 'sequences' is empty" },
	{ "- a\n- b\n",
	  "t.yaml:1:1: error: expected a mapping with 'sequences' at the top "
	  "level, got a list" },
	{ "# nothing here\n",
	  "t.yaml: error: the file is empty (expected a mapping with "
	  "'sequences')" },
	{ "sequences: [{name: a, steps: [x]}]\n---\nsequences: []\n",
	  "t.yaml:3:1: error: a second YAML document (a config file holds "
	  "one)" },
	/* 44: duplicates, env */
	{ "sequences:\n  - name: a\n    steps: [x]\n    name: b\n",
	  "t.yaml:4:5: error: duplicate key 'name' (first at line 2)" },
	{ "env: {A: 1, A: 2}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:13: error: duplicate key 'A' (first at line 1)" },
	{ "env: {A=B: 1}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:7: error: invalid environment variable name 'A=B'" },
	{ "env: {A: }\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:10: error: expected a string for 'A' in env, got "
	  "nothing" },
	{ "settings: []\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:11: error: expected a mapping for 'settings', got a list" },
	/* 49: hosts */
	{ "hosts: {h: {adress: x}}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:13: error: unknown key 'adress' in host (valid: "
	  "address, user, port, identity, ssh_options, tags, vars, "
	  "multiplex)" },
	{ "hosts: {h: {port: 0}}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:19: error: 'port' must be 1 or more, got 0" },
	{ "hosts: {h: \"-oProxyCommand=evil\"}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:12: error: 'address' starts with '-' (ssh would "
	  "take it for an option)" },
	{ "hosts: {\"a b\": {}}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:9: error: host name 'a b' contains a blank or a "
	  "control character" },
	{ "hosts: {h: {ssh_options: {ControlPath: /tmp/x}}}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:27: error: ssh option 'ControlPath' is set by "
	  "drove (one connection per host, never a prompt)" },
	{ "hosts: {h: {ssh_options: {batchmode: \"no\"}}}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:27: error: ssh option 'batchmode' is set by drove "
	  "(one connection per host, never a prompt)" },
	{ "hosts: {h: {ssh_options: {\"Port=1\": x}}}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:27: error: invalid ssh option name 'Port=1' (as "
	  "in ssh_config: letters and digits)" },
	{ "hosts: {h: {tags: [\"a b\"]}}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:20: error: invalid tag 'a b' (use letters, "
	  "digits, '_' and '-')" },
	{ "hosts: {}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:8: error: 'hosts' is empty" },
	{ "hosts: [a, b]\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:8: error: expected a mapping of host names (or "
	  "the name of a hosts file) for 'hosts', got a list" },
	{ "host_defaults: {user: x}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:16: error: 'host_defaults' without 'hosts' (in the "
	  "inventory or a sequence's 'hosts: {from: ...}')" },
	{ "host_defaults: {address: x}\nhosts: {h: {}}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:17: error: unknown key 'address' in host_defaults "
	  "(valid: user, port, identity, ssh_options, multiplex)" },
	{ "hosts: {h: {multiplex: yes}}\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:24: error: expected true or false for "
	  "'multiplex', got 'yes'" },
	{ "hosts: /dev/null\nsequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:8: error: hosts file '/dev/null' is not a regular file "
	  "of at most 16 MiB" },
	/* 63: binding */
	{ "sequences:\n  - name: a\n    host: h\n    steps: [x]\n",
	  "t.yaml:3:5: error: 'host' needs a host inventory: there is "
	  "no 'hosts' at the top level" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: g\n"
	  "    steps: [x]\n",
	  "t.yaml:4:11: error: unknown host 'g' (hosts: h)" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    hosts: \"web*\"\n"
	  "    steps: [x]\n",
	  "t.yaml:4:12: error: 'web*' selects no host" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    hosts: all\n    steps: [x]\n",
	  "t.yaml:5:5: error: sequence has both 'host' and 'hosts'" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    hosts: all\n"
	  "    matrix: {host: [x]}\n    steps: [x]\n",
	  "t.yaml:4:5: error: 'hosts' makes the matrix key 'host', "
	  "and 'matrix' has one too" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    hosts: {tag: x}\n"
	  "    steps: [x]\n",
	  "t.yaml:4:12: error: expected 'all', a tag:NAME or a host "
	  "name pattern, or a list of them for 'hosts', got a mapping" },
	/* 69: remote steps */
	{ "sequences:\n  - name: a\n    steps:\n      - remote: uptime\n",
	  "t.yaml:4:9: error: a remote step needs a host: bind the "
	  "sequence to one with 'host' or 'hosts'" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - upload: x\n",
	  "t.yaml:6:9: error: 'upload' step has no 'to' (where the "
	  "copy goes)" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {remote: x, to: y}\n",
	  "t.yaml:6:21: error: 'to' applies to upload and download "
	  "steps only" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {remote: x, cwd: /srv}\n",
	  "t.yaml:6:21: error: 'cwd' does not apply to a remote step "
	  "(it runs on the host: cd there in the command)" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {download: x, to: y, tty: true}\n",
	  "t.yaml:6:30: error: 'tty' does not apply to a download "
	  "step" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {remote: x, run: y}\n",
	  "t.yaml:6:9: error: step has both 'run' and 'remote'" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {remote: \"  \"}\n",
	  "t.yaml:6:18: error: 'remote' is empty" },
	/* 76: which keys apply to which steps, from the step table */
	{ "sequences:\n  - name: a\n    steps:\n      - {sleep: 1, cwd: /}\n",
	  "t.yaml:4:20: error: 'cwd' does not apply to a sleep step" },
	{ "sequences:\n  - name: a\n    steps:\n      - {sleep: 1, to: x}\n",
	  "t.yaml:4:20: error: 'to' does not apply to a sleep step" },
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, to: y}\n",
	  "t.yaml:4:18: error: 'to' applies to upload and download steps "
	  "only" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {upload: x, to: y, tty: false}\n",
	  "t.yaml:6:28: error: 'tty' does not apply to a upload step" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {remote: x, sleep: 1}\n",
	  "t.yaml:6:9: error: step has both 'sleep' and 'remote'" },
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, env: [a]}\n",
	  "t.yaml:4:23: error: expected a mapping for 'env', got a list" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n"
	  "    steps:\n      - {download: x, to: y, on_failure: x}\n",
	  "t.yaml:6:42: error: invalid on_failure 'x' (valid: stop, "
	  "continue, pause)" },
	{ "host_defaults: {port: 99999}\nhosts: {h: {}}\n"
	  "sequences: [{name: a, steps: [x]}]\n",
	  "t.yaml:1:23: error: 'port' must be 65535 or less, got 99999" },	/* plans that grow: capture, if, handlers, finally, wait_for,
	 * fan-out */
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, capture: 'a b'}\n",
	  "t.yaml:4:27: error: invalid capture name 'a b' (use letters, "
	  "digits, '_' and '-')" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, capture: {secret: true}}\n",
	  "t.yaml:4:27: error: 'capture' has no 'name'" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, capture: {name: v, secret: maybe}}\n",
	  "t.yaml:4:45: error: expected true or false for 'secret', got "
	  "'maybe'" },
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, capture: [v]}\n",
	  "t.yaml:4:27: error: expected a variable name, or a mapping with "
	  "'name' and 'secret' for 'capture', got a list" },
	{ "vars: {v: 1}\nsequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, capture: v}\n",
	  "t.yaml:5:27: error: capture 'v' has the name of a variable already "
	  "defined here" },
	{ "sequences:\n  - name: a\n    steps:\n      - {sleep: 1, capture: v}\n",
	  "t.yaml:4:20: error: 'capture' does not apply to a sleep step" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, tty: true, capture: v}\n",
	  "t.yaml:4:9: error: a 'tty: true' step cannot capture: its stdout "
	  "and stderr are one terminal" },
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, if: ' '}\n",
	  "t.yaml:4:22: error: 'if' is empty" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, on_failure: {then: retry}}\n",
	  "t.yaml:4:30: error: 'on_failure' has no 'steps' (or use stop, "
	  "continue or pause)" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, on_failure: {steps: [y], then: again}}\n",
	  "t.yaml:4:49: error: invalid then 'again' (valid: stop, continue, "
	  "pause, retry)" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, on_failure: {steps: []}}\n",
	  "t.yaml:4:38: error: 'steps' has no steps" },
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, on_failure: "
	  "{steps: [{run: y, on_failure: {steps: [z]}}]}}\n",
	  "t.yaml:4:60: error: a handler step cannot have a handler of its "
	  "own" },
	{ "sequences:\n  - name: a\n    on_failure: {steps: [y]}\n"
	  "    steps: [x]\n",
	  "t.yaml:3:17: error: a handler ('on_failure' with 'steps') goes on "
	  "a step, not on a sequence" },
	{ "sequences:\n  - name: a\n    steps: [x]\n    finally: []\n",
	  "t.yaml:4:14: error: 'finally' has no steps" },
	{ "sequences:\n  - name: a\n    steps: [x]\n    finally: echo\n",
	  "t.yaml:4:14: error: expected a list of steps for 'finally', got "
	  "'echo'" },
	{ "sequences:\n  - name: a\n    steps: [x]\n    finally:\n"
	  "      - {run: y, on_failure: {steps: [z]}}\n",
	  "t.yaml:5:30: error: a finally step cannot have a handler of its "
	  "own" },
	{ "sequences:\n  - name: a\n    steps:\n      - wait_for: {}\n",
	  "t.yaml:4:19: error: 'wait_for' needs one of 'tcp', 'path', "
	  "'output' or 'ssh'" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {tcp: localhost, path: /x}\n",
	  "t.yaml:4:36: error: 'wait_for' has both 'tcp' and 'path' (one "
	  "condition per step)" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {tcp: localhost}\n",
	  "t.yaml:4:25: error: 'tcp' expects HOST:PORT, got 'localhost'" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {tcp: 'h:99999'}\n",
	  "t.yaml:4:25: error: 'tcp' has a port that is not a number from 1 "
	  "to 65535, got 'h:99999'" },
	{ "sequences:\n  - name: a\n    steps:\n      - wait_for: {ssh: true}\n",
	  "t.yaml:4:20: error: 'ssh' needs a host: bind the sequence to one "
	  "with 'host' or 'hosts'" },
	{ "hosts: {h: {}}\nsequences:\n  - name: a\n    host: h\n    steps:\n"
	  "      - wait_for: {ssh: false}\n",
	  "t.yaml:6:25: error: 'ssh' takes true (the step waits until the "
	  "host accepts ssh)" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {output: {sequence: b}}\n",
	  "t.yaml:4:28: error: 'output' needs 'sequence' and 'match'" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {output: {sequence: b, match: '(a'}}\n"
	  "  - name: b\n    steps: [x]\n",
	  "t.yaml:4:49: error: 'match' is not a valid regular expression: "
	  "Unmatched ( or \\(" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {output: {sequence: c, match: a}}\n",
	  "t.yaml:4:9: error: unknown sequence 'c' in wait_for output" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {output: {sequence: a, match: a}}\n",
	  "t.yaml:4:9: error: a step cannot wait for the output of its own "
	  "sequence" },
	{ "sequences:\n  - name: a\n    steps:\n      - wait_for: tcp\n",
	  "t.yaml:4:19: error: expected a mapping with 'tcp', 'path', "
	  "'output' or 'ssh' for 'wait_for', got 'tcp'" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {wait_for: {path: /x}, env: {A: b}}\n",
	  "t.yaml:4:32: error: 'env' does not apply to a wait_for step" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {wait_for: {path: /x}, retries: 2}\n",
	  "t.yaml:4:32: error: 'retries' does not apply to a wait_for step" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {wait_for: {path: /x}, sleep: 2}\n",
	  "t.yaml:4:9: error: step has both 'sleep' and 'wait_for'" },
	{ "sequences:\n  - name: a\n    steps:\n      - echo {{v}}\n"
	  "      - {run: x, capture: v}\n",
	  "t.yaml:4:9: error: '{{v}}' is captured by step 'x', which does not "
	  "run before this one" },
	/* A wait on a path or a line may use a captured value, but only one
	 * that a step can have captured by then. */
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - wait_for: {path: '{{v}}/ready'}\n"
	  "      - {run: x, capture: v}\n",
	  "t.yaml:4:9: error: '{{v}}' is captured by step 'x', which does not "
	  "run before this one" },
	{ "sequences:\n  - name: a\n    steps: [{run: x, capture: v}]\n"
	  "  - name: b\n    steps: [{wait_for: {output: {sequence: a, "
	  "match: '{{v}}'}}}]\n",
	  "t.yaml:5:13: error: '{{v}}' is captured in sequence 'a', which 'b' "
	  "does not need (add it to needs)" },
	{ "sequences:\n  - name: a\n    steps:\n      - {run: x, capture: v}\n"
	  "  - name: b\n    steps: ['echo {{v}}']\n",
	  "t.yaml:6:13: error: '{{v}}' is captured in sequence 'a', which 'b' "
	  "does not need (add it to needs)" },
	{ "sequences:\n  - name: a\n    steps:\n"
	  "      - {run: x, capture: v, on_failure: {steps: ['echo {{v}}']}}\n",
	  "t.yaml:4:51: error: '{{v}}' is captured by step 'x', which does not "
	  "run before this one" },
	{ "sequences:\n  - name: b\n    matrix: {h: {from: m}}\n"
	  "    steps: ['echo {{h}}']\n",
	  "t.yaml:3:17: error: 'from: m': no step captures 'm' (a step with "
	  "'capture: m')" },
	{ "sequences:\n  - name: p\n    steps: [{run: x, capture: m}]\n"
	  "  - name: b\n    matrix: {h: {from: m}}\n    steps: ['echo {{h}}']\n",
	  "t.yaml:5:17: error: 'from: m': it is captured in sequence 'p', "
	  "which 'b' does not need (add it to needs)" },
	{ "sequences:\n  - name: p\n    steps: [{run: x, capture: m}]\n"
	  "  - name: b\n    needs: p\n    matrix: {h: {from: m}, g: {from: m}}\n"
	  "    steps: ['echo {{h}}']\n",
	  "t.yaml:6:31: error: matrix 'h' and 'g' both take values 'from' a "
	  "capture (one may)" },
	{ "sequences:\n  - name: p\n    steps: [{run: x, capture: m}]\n"
	  "  - name: b\n    needs: p\n    matrix: {h: {from: m, x: 1}}\n"
	  "    steps: ['echo {{h}}']\n",
	  "t.yaml:6:27: error: unknown key 'x' in matrix 'h' (valid: from)" },
	{ "sequences:\n  - name: p\n    steps: [{run: x, capture: m}]\n"
	  "  - name: b\n    needs: p\n    hosts: {from: '{{m}}'}\n"
	  "    steps: ['echo {{host}}']\n",
	  "t.yaml:6:19: error: invalid capture name '{{m}}' in 'from' (use "
	  "letters, digits, '_' and '-')" },
	{ "sequences:\n  - name: p\n    steps: [{run: x, capture: m}]\n"
	  "  - name: b\n    needs: p\n    matrix: {h: {from: m}}\n"
	  "    steps: [{remote: x}]\n",
	  "t.yaml:7:14: error: a remote step needs a host: bind the sequence "
	  "to one with 'host' or 'hosts'" },
	{ "sequences:\n  - name: p\n    steps: [{run: x, capture: m}]\n"
	  "  - name: b\n    needs: p\n    matrix: {h: {from: m}}\n"
	  "    steps: [{run: x, capture: h}]\n",
	  "t.yaml:7:31: error: capture 'h' has the name of the sequence's "
	  "fan-out key" },
	{ "hosts: {h: {}}\nsequences:\n  - name: p\n"
	  "    steps: [{run: x, capture: m}]\n  - name: b\n    needs: p\n"
	  "    host: h\n    hosts: {from: m}\n    steps: [x]\n",
	  "t.yaml:8:5: error: sequence has both 'host' and 'hosts'" },
};

static void
test_bad(void **state)
{
	const struct bad_case *c = *state;
	struct config *cfg = (struct config *)1;
	char *err = NULL;

	if (config_load_string("t.yaml", c->text, NULL, 0, &cfg, &err) == 0) {
		print_error("loaded:\n%s", c->text);
		config_free(cfg);
		fail();
	}
	assert_null(cfg);
	assert_non_null(err);
	assert_string_equal(err, c->err);
	free(err);
}

int
main(void)
{
	struct CMUnitTest tests[64 + sizeof bad_cases / sizeof bad_cases[0]];
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_matrix_product),
		cmocka_unit_test(test_matrix_names),
		cmocka_unit_test(test_template_syntax),
		cmocka_unit_test(test_tmpl),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_step_forms),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_default_log_dir),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_set_invalid),
		cmocka_unit_test(test_print_plan),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_max_connecting),
		cmocka_unit_test(test_secret_vars),
		cmocka_unit_test(test_print_fanout_secret),
		cmocka_unit_test(test_hosts_binding),
		cmocka_unit_test(test_hosts_file),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_print_plan_hosts),
		cmocka_unit_test(test_limit_depth),
		cmocka_unit_test(test_limit_aliases),
		cmocka_unit_test(test_limit_plan),
		cmocka_unit_test(test_limit_needs),
		cmocka_unit_test(test_limit_names),
		cmocka_unit_test(test_limit_files),
		cmocka_unit_test(test_tmpl_max),
		cmocka_unit_test(test_yaml_hints),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_dynamic_select),
		cmocka_unit_test(test_tmpl_defer),
	};
	static char names[sizeof bad_cases / sizeof bad_cases[0]][32];
	size_t n = 0, i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		tests[n++] = good[i];
	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		snprintf(names[i], sizeof names[i], "test_bad_%02zu", i);
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_bad, &bad_cases[i]);
		tests[n++].name = names[i];
	}
	return _cmocka_run_group_tests("config", tests, n, NULL, NULL);
}
