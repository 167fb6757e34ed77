/* test_capture.c: captured values (capture.c): what a step's stdout makes,
 * its limit, what {{NAME}} is for a later step and why it has none; a late
 * step made ready to run (config_step_instance); and runs that capture,
 * with real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "config.h"
#include "run.h"
#include "testutil.h"
#include "xmalloc.h"

static struct config *
load(const char *text)
{
	struct config *cfg = NULL;
	char *err = NULL;

	if (config_load_string("t.yaml", text, NULL, 0, &cfg, &err) != 0) {
		print_error("unexpected error: %s\n", err);
		free(err);
		fail();
	}
	return cfg;
}

static const char two_seqs[] =
    "sequences:\n"
    "  - name: a\n"
    "    steps:\n"
    "      - {run: make-ip, capture: ip}\n"
    "      - echo {{ip}}\n"
    "  - name: b\n"
    "    needs: a\n"
    "    steps: ['echo b {{ip}}']\n";

/* two_seqs and its store, for the tests that feed the store by hand:
 * made before each, freed after it (cmocka's setup and teardown). */
static struct config *two_cfg;
static struct capture_store *two_cs;

static int
two_setup(void **state)
{
	(void)state;
	two_cfg = load(two_seqs);
	two_cs = capture_create(two_cfg);
	return 0;
}

static int
two_teardown(void **state)
{
	(void)state;
	capture_free(two_cs);
	config_free(two_cfg);
	return 0;
}

/* The value of {{name}} for step j of sequence i, or the error. */
static char *
value_for(struct capture_store *cs, const struct config *cfg, size_t i,
    size_t j, bool *failed)
{
	struct cfg_kv *vars;
	size_t n;
	char *err = NULL, *v;

	*failed = capture_vars(cs, i, j, &cfg->seqs[i].steps[j], &vars, &n,
	    &err) != 0;
	if (*failed)
		return err;
	assert_int_equal(n, 1);
	v = xstrdup(vars[0].value);
	capture_vars_free(vars, n);
	return v;
}

static void
test_value_trimmed_last_attempt(void **state)
{
	size_t len;
	bool failed;
	char *v;

	(void)state;
	/* A first attempt that failed leaves nothing. */
	capture_begin(two_cs, 0);
	assert_true(capture_feed(two_cs, 0, "old\n", 4));
	capture_end(two_cs, 0, 0, STEP_FAILED);
	assert_null(capture_value(two_cs, 0, 0, NULL));
	/* Only the last attempt counts, less one trailing newline. */
	capture_begin(two_cs, 0);
	assert_true(capture_feed(two_cs, 0, "10.0.", 5));
	assert_true(capture_feed(two_cs, 0, "0.1\n\n", 5));
	capture_end(two_cs, 0, 0, STEP_OK);
	assert_string_equal(capture_value(two_cs, 0, 0, &len), "10.0.0.1\n");
	assert_int_equal(len, 9);
	/* Its own later step and a sequence that needs it see it. */
	v = value_for(two_cs, two_cfg, 0, 1, &failed);
	assert_false(failed);
	assert_string_equal(v, "10.0.0.1\n");
	free(v);
	v = value_for(two_cs, two_cfg, 1, 0, &failed);
	assert_false(failed);
	assert_string_equal(v, "10.0.0.1\n");
	free(v);
	/* Empty output is an empty value, not none. */
	capture_begin(two_cs, 0);
	capture_end(two_cs, 0, 0, STEP_OK);
	assert_string_equal(capture_value(two_cs, 0, 0, &len), "");
}

static void
test_none_says_why(void **state)
{
	bool failed;
	char *v;

	(void)state;
	v = value_for(two_cs, two_cfg, 1, 0, &failed);
	assert_true(failed);
	assert_string_equal(v, "'{{ip}}' has no value: step 1 'make-ip' of "
	    "sequence 'a', which captures it, did not run");
	free(v);
	capture_begin(two_cs, 0);
	capture_end(two_cs, 0, 0, STEP_SKIPPED);
	v = value_for(two_cs, two_cfg, 0, 1, &failed);
	assert_true(failed);
	assert_non_null(strstr(v, "which captures it, was skipped"));
	free(v);
	capture_begin(two_cs, 0);
	capture_feed(two_cs, 0, "x", 1);
	capture_end(two_cs, 0, 0, STEP_TIMEOUT);
	v = value_for(two_cs, two_cfg, 1, 0, &failed);
	assert_true(failed);
	assert_non_null(strstr(v, "which captures it, failed"));
	free(v);
}

static void
test_limit(void **state)
{
	size_t max = CONFIG_CAPTURE_MAX;
	char *big = xmalloc(max + 2);

	(void)state;
	memset(big, 'x', max + 2);
	/* Exactly the limit, and its trailing newline: fits. */
	big[max] = '\n';
	capture_begin(two_cs, 0);
	assert_true(capture_feed(two_cs, 0, big, max + 1));
	assert_false(capture_over(two_cs, 0));
	capture_end(two_cs, 0, 0, STEP_OK);
	assert_non_null(capture_value(two_cs, 0, 0, NULL));
	/* One byte more of value: over, whatever follows. */
	big[max] = 'x';
	capture_begin(two_cs, 0);
	assert_true(capture_feed(two_cs, 0, big, max + 1));
	assert_true(capture_over(two_cs, 0));
	capture_begin(two_cs, 0);
	assert_false(capture_feed(two_cs, 0, big, max + 2));
	assert_false(capture_feed(two_cs, 0, "\n", 1));
	assert_true(capture_over(two_cs, 0));
	capture_end(two_cs, 0, 0, STEP_OK);
	assert_null(capture_value(two_cs, 0, 0, NULL));
	free(big);
}

/* A matrix that captures: one value per line, in the order of needs; the
 * sequence's own capture wins over one it needs. */
static void
test_matrix_and_own(void **state)
{
	struct config *cfg = load(
	    "sequences:\n"
	    "  - name: m {{n}}\n"
	    "    matrix: {n: [1, 2, 3]}\n"
	    "    steps: [{run: 'echo {{n}}', capture: v}]\n"
	    "  - name: use\n"
	    "    needs: ['m 3', 'm 1', 'm 2']\n"
	    "    steps:\n"
	    "      - echo {{v}}\n"
	    "      - {run: echo mine, capture: v}\n"
	    "      - echo {{v}}\n");
	struct capture_store *cs = capture_create(cfg);
	const char *vals[] = { "one", "two", "three" };
	bool failed;
	char *v;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		capture_begin(cs, i);
		capture_feed(cs, i, vals[i], strlen(vals[i]));
		capture_end(cs, i, 0, STEP_OK);
	}
	v = value_for(cs, cfg, 3, 0, &failed);
	assert_false(failed);
	assert_string_equal(v, "three\none\ntwo");
	free(v);
	capture_set(cs, 3, 1, "mine", 4);
	v = value_for(cs, cfg, 3, 2, &failed);
	assert_string_equal(v, "mine");
	free(v);
	capture_free(cs);
	config_free(cfg);
}

static void
test_instance(void **state)
{
	struct config *cfg = load(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - {run: x, capture: ip}\n"
	    "      - name: ping {{ip}}\n"
	    "        run: echo '{{{{' {{ip|q}} {{ip}}\n"
	    "        env: {IP: '{{ip}}'}\n"
	    "        if: test -n {{ip}}\n");
	const struct cfg_step *plan = &cfg->seqs[0].steps[1];
	char name[] = "ip", value[] = "a b";
	struct cfg_kv var = { .name = name, .value = value };
	struct cfg_step inst;
	char *err = NULL;

	(void)state;
	assert_true(plan->late);
	assert_false(cfg->seqs[0].steps[0].late);
	assert_true(config_step_refers(plan, "ip"));
	assert_false(config_step_refers(plan, "other"));
	assert_int_equal(config_step_instance(plan, &var, 1, &inst, &err), 0);
	assert_string_equal(inst.name, "ping a b");
	assert_string_equal(inst.run, "echo '{{' 'a b' a b");
	assert_string_equal(inst.env[0].value, "a b");
	assert_string_equal(inst.cond, "test -n a b");
	assert_false(inst.late);
	config_step_instance_free(&inst);
	/* The plan is left as it was. */
	assert_true(strstr(plan->run, "{{ip}}") != NULL);
	assert_int_equal(config_step_instance(plan, NULL, 0, &inst, &err), -1);
	assert_non_null(strstr(err, "unknown variable 'ip'"));
	free(err);
	config_free(cfg);
}

/* The run: stdout becomes the value, stderr does not; later steps and
 * sequences that need it get it when they start. */
static void
test_run_capture(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - {run: 'echo out; echo err >&2; echo more', capture: v}\n"
	    "      - printf '%s|' '{{v}}' > {{T}}/a\n"
	    "  - name: b\n"
	    "    needs: a\n"
	    "    steps:\n"
	    "      - printf '%s|' '{{v}}' > {{T}}/b\n", false);
	char *a, *b;

	(void)state;
	run_start(w->run);
	tu_world_until(w, NULL);
	tu_assert_has(tu_world_log(w), "capture a/1 out\nmore\n");
	/* stderr reached the output, not the value. */
	tu_assert_has(tu_world_log(w), "line a: err\n");
	a = tu_world_file(w, "a");
	b = tu_world_file(w, "b");
	assert_string_equal(a, "out\nmore|");
	assert_string_equal(b, "out\nmore|");
	assert_string_equal(run_captured(w->run, 0, 0, NULL), "out\nmore");
	assert_null(run_captured(w->run, 0, 1, NULL));
	assert_int_equal(run_exit_status(w->run), 0);
	free(a);
	free(b);
	tu_world_free(w);
}

/* A step whose value is missing fails at once, saying why, without its
 * retries; a secret value is announced without its text. */
static void
test_run_missing_and_secret(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - {run: echo x, capture: v, if: 'false'}\n"
	    "      - {run: 'echo {{v}}', retries: 3, retry_delay: 10m}\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - run: echo hush\n"
	    "        capture: {name: tok, secret: true}\n"
	    "      - echo got {{tok}}\n", false);

	(void)state;
	run_start(w->run);
	tu_world_until(w, NULL);
	tu_assert_has(tu_world_log(w), "notice a: step 'echo {{v}}' failed: "
	    "'{{v}}' has no value: step 1 'echo x' of sequence 'a', which "
	    "captures it, was skipped\n");
	tu_assert_has(tu_world_log(w), "end a/2 #1 failed");
	assert_int_equal(tu_count(tu_world_log(w), "start a/2"), 1);
	tu_assert_has(tu_world_log(w), "capture s/1 (secret)\n");
	/* Not its stdout; the later step's own output is its business. */
	assert_int_equal(tu_count(tu_world_log(w), "line s: hush"), 0);
	tu_assert_has(tu_world_log(w), "line s: got hush\n");
	assert_string_equal(run_captured(w->run, 1, 0, NULL), "hush");
	tu_world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_value_trimmed_last_attempt, two_setup,
		    two_teardown),
		cmocka_unit_test_setup_teardown(test_none_says_why, two_setup,
		    two_teardown),
		cmocka_unit_test_setup_teardown(test_limit, two_setup,
		    two_teardown),
		cmocka_unit_test(test_matrix_and_own),
		cmocka_unit_test(test_instance),
		cmocka_unit_test(test_run_capture),
		cmocka_unit_test(test_run_missing_and_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
