/* cfg_dyn.c: the parts of a plan that are known only while it runs: the
 * keys that capture a step's output (capture), run a step on a condition
 * (if), handle a failure with steps (on_failure: {steps, then}), clean up
 * (finally), wait on the loop (wait_for), and grow the plan from a
 * captured value (matrix: {KEY: {from: NAME}}, hosts: {from: NAME}); the
 * references left for run time, and the checks that they can be met. */
#include "cfg.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "xmalloc.h"

const char *const cfg_then_names[] = {
	"stop", "continue", "pause", "retry", NULL
};
_Static_assert(CFG_ONFAIL_RETRY == 3, "then: names in enum order");

/*
 * capture: NAME, or {name: NAME, secret: true}.
 */

struct cfg_capturedef {
	yaml_node_t *name;
	bool secret;
};

static const struct cfg_key cfg_capture_keys[] = {
	{ .name = "name", .type = CFG_T_STRING, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_capturedef, name) },
	{ .name = "secret", .type = CFG_T_BOOL,
	  .at = offsetof(struct cfg_capturedef, secret) },
};
static const struct cfg_table cfg_capture_table =
    CFG_TABLE("in 'capture'", cfg_capture_keys, 0, false);

static bool
cfg_kv_has(const struct cfg_kv *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0)
			return true;
	}
	return false;
}

int
cfg_parse_capture(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	struct cfg_loader *ld = in->ld;
	struct cfg_step *st = in->base;
	struct cfg_capturedef def = { 0 };
	struct cfg_in sub = { .ld = ld, .table = &cfg_capture_table, .map = n,
	    .base = &def };
	const char *name = NULL;

	(void)k;
	if (n->type == YAML_MAPPING_NODE && !cfg_is_braces(ld, n)) {
		if (cfg_table_check(&sub) != 0)
			return -1;
		if (def.name == NULL)
			return cfg_error(ld, &n->start_mark,
			    "'capture' has no 'name'");
		n = def.name;
	} else if (n->type != YAML_SCALAR_NODE)
		return cfg_expected(ld, n, "a variable name, or a mapping "
		    "with 'name' and 'secret'", "'capture'");
	if (cfg_nonempty(ld, n, "'capture'", &name) != 0)
		return -1;
	if (!tmpl_valid_name(name))
		return cfg_error(ld, &n->start_mark, "invalid capture name "
		    "'%s' (use letters, digits, '_' and '-')", name);
	if (cfg_kv_has(in->vars, in->n_vars, name))
		return cfg_error(ld, &n->start_mark, "capture '%s' has the "
		    "name of a variable already defined here", name);
	if (ld->fan_key != NULL && strcmp(name, ld->fan_key) == 0)
		return cfg_error(ld, &n->start_mark, "capture '%s' has the "
		    "name of the sequence's fan-out key", name);
	st->capture = xstrdup(name);
	/* settings.secret_vars names it: secret, whatever it says. */
	st->secret = def.secret || config_secret_var(ld->cfg, name);
	return 0;
}

/*
 * on_failure: {steps: [...], then: stop | continue | pause | retry}.
 */

struct cfg_handlerdef {
	yaml_node_t *steps;
	int then;
};

static const struct cfg_key cfg_handler_keys[] = {
	{ .name = "steps", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_parse_steps_list,
	  .at = offsetof(struct cfg_handlerdef, steps) },
	{ .name = "then", .type = CFG_T_CHOICE, .choices = cfg_then_names,
	  .at = offsetof(struct cfg_handlerdef, then) },
};
static const struct cfg_table cfg_handler_table =
    CFG_TABLE("in 'on_failure'", cfg_handler_keys, 0, false);

int
cfg_parse_on_failure(struct cfg_in *in, const struct cfg_key *k,
    yaml_node_t *n)
{
	struct cfg_loader *ld = in->ld;
	struct cfg_step *st = in->base;
	struct cfg_handlerdef def = { .then = CFG_ONFAIL_STOP };
	struct cfg_in sub = { .ld = ld, .table = &cfg_handler_table,
	    .map = n, .base = &def };

	(void)k;
	if (n->type != YAML_MAPPING_NODE)
		return 0;       /* stop, continue or pause: checked */
	if (in->kind == 0)
		return cfg_error(ld, &n->start_mark, "a handler ('on_failure' "
		    "with 'steps') goes on a step, not on a sequence");
	if (st->role != CFG_ROLE_MAIN)
		return cfg_error(ld, &n->start_mark, "a %s step cannot have "
		    "a handler of its own", st->role == CFG_ROLE_HANDLER ?
		    "handler" : "finally");
	if (cfg_table_check(&sub) != 0)
		return -1;
	if (def.steps == NULL)
		return cfg_error(ld, &n->start_mark,
		    "'on_failure' has no 'steps' (or use stop, continue or "
		    "pause)");
	st->on_failure = CFG_ONFAIL_STOP;
	st->then = (enum cfg_on_failure)def.then;
	ld->pending = xreallocarray_grow(ld->pending, &ld->pending_cap,
	    ld->n_pending + 1, sizeof *ld->pending);
	ld->pending[ld->n_pending].step = (size_t)(st - ld->cur->steps);
	ld->pending[ld->n_pending].steps = def.steps;
	ld->n_pending++;
	return 0;
}

int
cfg_parse_steps_list(struct cfg_in *in, const struct cfg_key *k,
    yaml_node_t *n)
{
	char ctx[64];

	snprintf(ctx, sizeof ctx, "'%s'", k->name);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expected(in->ld, n, "a list of steps", ctx);
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		return cfg_error(in->ld, &n->start_mark, "%s has no steps",
		    ctx);
	return 0;
}

/*
 * wait_for: {tcp: HOST:PORT} | {path: FILE} | {output: {sequence: NAME,
 * match: REGEX}} | {ssh: true}.
 */

struct cfg_waitdef {
	char *tcp, *path;
	yaml_node_t *output;
	bool ssh;
};

static int cfg_wait_output(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);

static const struct cfg_key cfg_wait_keys[] = {
	{ .name = "tcp", .type = CFG_T_STRING, .flags = CFG_EXPAND,
	  .at = offsetof(struct cfg_waitdef, tcp) },
	{ .name = "path", .type = CFG_T_PATH, .flags = CFG_EXPAND,
	  .at = offsetof(struct cfg_waitdef, path) },
	{ .name = "output", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_wait_output,
	  .at = offsetof(struct cfg_waitdef, output) },
	{ .name = "ssh", .type = CFG_T_BOOL,
	  .at = offsetof(struct cfg_waitdef, ssh) },
};
static const struct cfg_table cfg_wait_table =
    CFG_TABLE("in 'wait_for'", cfg_wait_keys, 0, false);

struct cfg_outputdef {
	char *sequence, *match;
};

static const struct cfg_key cfg_output_keys[] = {
	{ .name = "sequence", .type = CFG_T_STRING, .flags = CFG_EXPAND,
	  .at = offsetof(struct cfg_outputdef, sequence) },
	{ .name = "match", .type = CFG_T_STRING, .flags = CFG_EXPAND,
	  .at = offsetof(struct cfg_outputdef, match) },
};
static const struct cfg_table cfg_output_table =
    CFG_TABLE("in 'output'", cfg_output_keys, 0, false);

static int
cfg_wait_output(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	(void)in;
	(void)k;
	if (n->type != YAML_MAPPING_NODE)
		return cfg_expected(in->ld, n, "a mapping with 'sequence' and "
		    "'match'", "'output'");
	return 0;
}

/* "HOST:PORT", or why not. */
static const char *
cfg_tcp_problem(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s || colon[1] == '\0')
		return "expects HOST:PORT";
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return "has a port that is not a number from 1 to 65535";
	return NULL;
}

/* Where in the plan the regex of an output wait is wrong, or NULL. */
static char *
cfg_regex_problem(const char *re)
{
	regex_t rx;
	char buf[128];
	int rc;

	if ((rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) == 0) {
		regfree(&rx);
		return NULL;
	}
	regerror(rc, &rx, buf, sizeof buf);
	return xstrdup(buf);
}

int
cfg_parse_wait(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	struct cfg_loader *ld = in->ld;
	struct cfg_step *st = in->base;
	struct cfg_waitdef def = { 0 };
	struct cfg_outputdef out = { 0 };
	struct cfg_in sub = { .ld = ld, .table = &cfg_wait_table, .map = n,
	    .base = &def, .vars = in->vars, .n_vars = in->n_vars };
	struct cfg_in osub = { .ld = ld, .table = &cfg_output_table,
	    .base = &out, .vars = in->vars, .n_vars = in->n_vars };
	const struct cfg_key *one = NULL;
	const char *bad;
	char *why;
	size_t i;
	int rc = -1;

	(void)k;
	ld->any_dyn = true;
	if (n->type != YAML_MAPPING_NODE || cfg_is_braces(ld, n))
		return cfg_expected(ld, n, "a mapping with 'tcp', 'path', "
		    "'output' or 'ssh'", "'wait_for'");
	if (cfg_table_fields(&sub) != 0)
		return -1;
	for (i = 0; i < sub.table->n_keys; i++) {
		if (sub.f[i].key == NULL)
			continue;
		if (one != NULL)
			return cfg_error(ld, &sub.f[i].key->start_mark,
			    "'wait_for' has both '%s' and '%s' (one condition "
			    "per step)", one->name, sub.table->keys[i].name);
		one = &sub.table->keys[i];
	}
	if (one == NULL)
		return cfg_error(ld, &n->start_mark, "'wait_for' needs one of "
		    "'tcp', 'path', 'output' or 'ssh'");
	if (cfg_table_values(&sub) != 0)
		goto out;
	if (strcmp(one->name, "tcp") == 0) {
		st->wait.kind = CFG_WAIT_TCP;
		st->wait.target = def.tcp;
		def.tcp = NULL;
		if (strstr(st->wait.target, "{{") == NULL &&
		    (bad = cfg_tcp_problem(st->wait.target)) != NULL) {
			cfg_error(ld, &sub.f[0].val->start_mark, "'tcp' %s, "
			    "got '%s'", bad, st->wait.target);
			goto out;
		}
	} else if (strcmp(one->name, "path") == 0) {
		st->wait.kind = CFG_WAIT_PATH;
		st->wait.target = def.path;
		def.path = NULL;
	} else if (strcmp(one->name, "ssh") == 0) {
		st->wait.kind = CFG_WAIT_SSH;
		if (!def.ssh) {
			cfg_error(ld, &sub.f[3].val->start_mark, "'ssh' takes "
			    "true (the step waits until the host accepts ssh)");
			goto out;
		}
		if (ld->cur->host < 0 && (ld->cur->fanout == NULL ||
		    !ld->cur->fanout->hosts)) {
			cfg_error(ld, &sub.f[3].key->start_mark, "'ssh' needs "
			    "a host: bind the sequence to one with 'host' or "
			    "'hosts'");
			goto out;
		}
	} else {
		st->wait.kind = CFG_WAIT_OUTPUT;
		osub.map = def.output;
		if (cfg_table_check(&osub) != 0)
			goto out;
		if (out.sequence == NULL || out.match == NULL) {
			cfg_error(ld, &def.output->start_mark, "'output' needs "
			    "'sequence' and 'match'");
			goto out;
		}
		if (strstr(out.match, "{{") == NULL &&
		    (why = cfg_regex_problem(out.match)) != NULL) {
			cfg_error(ld, &osub.f[1].val->start_mark, "'match' is "
			    "not a valid regular expression: %s", why);
			free(why);
			goto out;
		}
		st->wait.seq_name = out.sequence;
		st->wait.match = out.match;
		out.sequence = out.match = NULL;
	}
	st->wait.seq = -1;
	rc = 0;
out:
	free(def.tcp);
	free(def.path);
	free(out.sequence);
	free(out.match);
	return rc;
}

/*
 * from: NAME, the values of a matrix key or the hosts of 'hosts'.
 */

static yaml_node_t *cfg_dyn_get(struct cfg_loader *, yaml_node_t *,
    const char *);

static const struct cfg_key cfg_from_keys[] = {
	{ .name = "from", .type = CFG_T_STRING, .flags = CFG_KEEP },
};
static const struct cfg_table cfg_from_table =
    CFG_TABLE("", cfg_from_keys, 0, false);

int
cfg_parse_from(struct cfg_loader *ld, yaml_node_t *n, const char *ctx,
    const char **from)
{
	yaml_node_t *node = NULL;
	struct cfg_in sub = { .ld = ld, .table = &cfg_from_table, .map = n,
	    .base = &node };
	char where[96];
	struct cfg_table t = cfg_from_table;

	/* Without 'from', it is some other mistake, said by the caller. */
	if (n->type != YAML_MAPPING_NODE || cfg_is_braces(ld, n) ||
	    cfg_dyn_get(ld, n, "from") == NULL)
		return 1;
	snprintf(where, sizeof where, "in %s", ctx);
	t.where = where;
	sub.table = &t;
	if (cfg_table_check(&sub) != 0)
		return -1;
	*from = cfg_text(node);
	if (!tmpl_valid_name(*from))
		return cfg_error(ld, &node->start_mark, "invalid capture name "
		    "'%s' in 'from' (use letters, digits, '_' and '-')", *from);
	return 0;
}

/*
 * References left for run time.
 */

static void
cfg_dyn_add_capture(struct cfg_loader *ld, const char *name)
{
	for (size_t i = 0; i < ld->n_captures; i++) {
		if (strcmp(ld->captures[i], name) == 0)
			return;
	}
	ld->captures = xreallocarray_grow(ld->captures, &ld->captures_cap,
	    ld->n_captures + 1, sizeof *ld->captures);
	ld->captures[ld->n_captures++] = name;
}

/* The value of key in mapping n, or NULL (n need not be a mapping). */
static yaml_node_t *
cfg_dyn_get(struct cfg_loader *ld, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfg_node(ld, pair->key);
		if (k->type == YAML_SCALAR_NODE && strcmp(cfg_text(k), key) == 0)
			return cfg_node(ld, pair->value);
	}
	return NULL;
}

static void
cfg_dyn_scan_steps(struct cfg_loader *ld, yaml_node_t *list, int depth)
{
	yaml_node_item_t *it;
	yaml_node_t *st, *c;

	if (list == NULL || list->type != YAML_SEQUENCE_NODE || depth > 1)
		return;
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		st = cfg_node(ld, *it);
		if ((c = cfg_dyn_get(ld, st, "capture")) != NULL &&
		    c->type == YAML_MAPPING_NODE)
			c = cfg_dyn_get(ld, c, "name");
		if (c != NULL && c->type == YAML_SCALAR_NODE &&
		    tmpl_valid_name(cfg_text(c)))
			cfg_dyn_add_capture(ld, cfg_text(c));
		cfg_dyn_scan_steps(ld, cfg_dyn_get(ld,
		    cfg_dyn_get(ld, st, "on_failure"), "steps"), depth + 1);
	}
}

void
cfg_dyn_scan(struct cfg_loader *ld, yaml_node_t *seqs)
{
	yaml_node_item_t *it;
	yaml_node_t *seq;

	for (it = seqs->data.sequence.items.start;
	    it < seqs->data.sequence.items.top; it++) {
		seq = cfg_node(ld, *it);
		cfg_dyn_scan_steps(ld, cfg_dyn_get(ld, seq, "steps"), 0);
		cfg_dyn_scan_steps(ld, cfg_dyn_get(ld, seq, "finally"), 0);
	}
}

/* name (len bytes) is key, or key_SOMETHING. */
static bool
cfg_dyn_is_key(const char *key, const char *name, size_t len)
{
	size_t kl = strlen(key);

	return strncmp(name, key, kl) == 0 && (len == kl ||
	    (len > kl + 1 && name[kl] == '_'));
}

bool
cfg_dyn_defer(void *arg, const char *name, size_t len, bool known)
{
	struct cfg_loader *ld = arg;

	if (ld->fan_key != NULL && cfg_dyn_is_key(ld->fan_key, name, len))
		return true;
	if (known)
		return false;
	for (size_t i = 0; i < ld->n_captures; i++) {
		if (strlen(ld->captures[i]) == len &&
		    strncmp(ld->captures[i], name, len) == 0)
			return true;
	}
	return false;
}

/* The strings of a step that templates may be in; returns how many. */
static size_t
cfg_step_strings(struct cfg_step *st, char ***out, size_t max)
{
	size_t n = 0;

	char **fixed[] = { &st->name, &st->run, &st->to, &st->cwd, &st->cond,
	    &st->wait.target, &st->wait.match, &st->wait.seq_name };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (*fixed[i] != NULL && n < max)
			out[n++] = fixed[i];
	}
	for (size_t i = 0; i < st->n_env && n < max; i++)
		out[n++] = &st->env[i].value;
	return n;
}

#define CFG_STEP_STRINGS_MAX(st) (8 + (st)->n_env)

void
cfg_dyn_step_done(struct cfg_loader *ld, struct cfg_step *st)
{
	size_t max = CFG_STEP_STRINGS_MAX(st), n;
	char ***s, *final, *err;

	if (!ld->deferring)
		return;
	if (ld->deferred) {
		st->late = true;
		return;
	}
	/* Nothing left for later: the template is the text, its "{{{{"
	 * still to be made "{{". */
	s = xcalloc(max, sizeof *s);
	n = cfg_step_strings(st, s, max);
	for (size_t i = 0; i < n; i++) {
		if (strstr(*s[i], "{{") == NULL)
			continue;
		final = tmpl_expand(*s[i], NULL, 0, &err, NULL);
		if (final == NULL) {
			free(err);
			continue;
		}
		free(*s[i]);
		*s[i] = final;
	}
	free(s);
}

/*
 * At run time: a late step made ready to run.
 */

int
config_step_instance(const struct cfg_step *st, const struct cfg_kv *vars,
    size_t n_vars, struct cfg_step *out, char **err)
{
	size_t max = CFG_STEP_STRINGS_MAX(st), n;
	char ***s, *final, *why;

	/* Every string its own copy first, so that one clear frees them
	 * whatever expansion failed. */
	*out = *st;
	out->env = st->n_env > 0 ? xcalloc(st->n_env, sizeof *out->env) : NULL;
	for (size_t i = 0; i < st->n_env; i++) {
		out->env[i].name = xstrdup(st->env[i].name);
		out->env[i].value = xstrdup(st->env[i].value);
	}
	char **fixed[] = { &out->name, &out->run, &out->to, &out->cwd,
	    &out->cond, &out->capture, &out->wait.target, &out->wait.match,
	    &out->wait.seq_name };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (*fixed[i] != NULL)
			*fixed[i] = xstrdup(*fixed[i]);
	s = xcalloc(max, sizeof *s);
	n = cfg_step_strings(out, s, max);
	for (size_t i = 0; i < n; i++) {
		if ((final = tmpl_expand(*s[i], vars, n_vars, &why,
		    NULL)) == NULL) {
			*err = why;
			free(s);
			cfg_step_clear(out);
			return -1;
		}
		free(*s[i]);
		*s[i] = final;
	}
	free(s);
	out->late = false;
	return 0;
}

void
config_step_instance_free(struct cfg_step *inst)
{
	if (inst != NULL)
		cfg_step_clear(inst);
}

bool
config_step_refers(const struct cfg_step *st, const char *name)
{
	struct cfg_step *w = (struct cfg_step *)st; /* only read */
	size_t max = CFG_STEP_STRINGS_MAX(st), n;
	char ***s = xcalloc(max, sizeof *s);
	bool found = false;

	n = cfg_step_strings(w, s, max);
	for (size_t i = 0; i < n && !found; i++)
		found = tmpl_uses(*s[i], name);
	free(s);
	return found;
}

/*
 * After needs: what each late reference needs can be had.
 */

/* Which sequences i needs, directly or not: mark[j] = stamp. */
static void
cfg_dyn_closure(const struct config *cfg, size_t i, size_t *mark,
    size_t stamp, size_t *stack)
{
	size_t top = 0, u;

	stack[top++] = i;
	while (top > 0) {
		u = stack[--top];
		for (size_t k = 0; k < cfg->seqs[u].n_needs; k++) {
			size_t v = cfg->seqs[u].needs[k];
			if (mark[v] == stamp)
				continue;
			mark[v] = stamp;
			stack[top++] = v;
		}
	}
}

/* The first step of seq that captures name among steps [from, to), or
 * SIZE_MAX. */
static size_t
cfg_dyn_captured_in(const struct cfg_seq *seq, const char *name,
    size_t len, size_t from, size_t to)
{
	for (size_t j = from; j < to && j < seq->n_all; j++) {
		const char *c = seq->steps[j].capture;
		if (c != NULL && strlen(c) == len && strncmp(c, name, len) == 0)
			return j;
	}
	return SIZE_MAX;
}

/* Can step j of sequence i have {{name}} when it starts? */
static int
cfg_dyn_check_ref(struct cfg_loader *ld, size_t i, size_t j,
    const char *name, size_t len, const size_t *mark, size_t stamp)
{
	const struct config *cfg = ld->cfg;
	const struct cfg_seq *seq = &cfg->seqs[i];
	const struct cfg_step *st = &seq->steps[j];
	size_t before, k, at;

	if (seq->fanout != NULL && cfg_dyn_is_key(seq->fanout->key, name, len))
		return 0;
	/* In its own sequence: the main steps that ran before it, and the
	 * earlier steps of its handler or of finally. */
	switch (st->role) {
	case CFG_ROLE_MAIN:
		before = j;
		break;
	case CFG_ROLE_HANDLER:
		before = st->of;
		if (cfg_dyn_captured_in(seq, name, len,
		    seq->steps[st->of].handler, j) != SIZE_MAX)
			return 0;
		break;
	default:
		before = seq->n_steps;
		if (cfg_dyn_captured_in(seq, name, len, seq->finally_at,
		    j) != SIZE_MAX)
			return 0;
		break;
	}
	if (cfg_dyn_captured_in(seq, name, len, 0, before) != SIZE_MAX)
		return 0;
	for (k = 0; k < cfg->n_seqs; k++) {
		if (mark[k] == stamp && cfg_dyn_captured_in(&cfg->seqs[k],
		    name, len, 0, cfg->seqs[k].n_all) != SIZE_MAX)
			return 0;
	}
	/* Say where it is captured, if anywhere. */
	for (k = 0; k < cfg->n_seqs; k++) {
		at = cfg_dyn_captured_in(&cfg->seqs[k], name, len, 0,
		    cfg->seqs[k].n_all);
		if (at == SIZE_MAX)
			continue;
		if (k == i)
			return cfg_file_error(ld, ld->file, (size_t)st->line,
			    (size_t)st->column, "'{{%.*s}}' is captured by "
			    "step '%s', which does not run before this one",
			    (int)len, name, seq->steps[at].name);
		return cfg_file_error(ld, ld->file, (size_t)st->line,
		    (size_t)st->column, "'{{%.*s}}' is captured in sequence "
		    "'%s', which '%s' does not need (add it to needs)",
		    (int)len, name, cfg->seqs[k].name, seq->name);
	}
	return cfg_file_error(ld, ld->file, (size_t)st->line,
	    (size_t)st->column, "no step captures '{{%.*s}}'", (int)len, name);
}

static int
cfg_dyn_check_step(struct cfg_loader *ld, size_t i, size_t j,
    const size_t *mark, size_t stamp)
{
	struct cfg_seq *seq = &ld->cfg->seqs[i];
	struct cfg_step *st = &seq->steps[j];
	size_t max = CFG_STEP_STRINGS_MAX(st), n, len;
	const char *p, *name;
	char ***s;
	int rc = 0;

	if (!st->late)
		return 0;
	s = xcalloc(max, sizeof *s);
	n = cfg_step_strings(st, s, max);
	for (size_t f = 0; f < n && rc == 0; f++) {
		p = *s[f];
		while (rc == 0 && tmpl_next_ref(&p, &name, &len))
			rc = cfg_dyn_check_ref(ld, i, j, name, len, mark,
			    stamp);
	}
	free(s);
	return rc;
}

/* The sequence a wait_for output names: by its name, or a template's
 * only expansion. */
static int
cfg_dyn_wait_seq(struct cfg_loader *ld, size_t i, struct cfg_step *st)
{
	const struct config *cfg = ld->cfg;
	long found = config_find_seq(cfg, st->wait.seq_name);
	size_t k, n = 0;

	if (found < 0) {
		for (k = 0; k < cfg->n_seqs; k++) {
			if (strcmp(cfg->seqs[k].template_name,
			    st->wait.seq_name) == 0) {
				found = (long)k;
				n++;
			}
		}
		if (n > 1)
			return cfg_file_error(ld, ld->file, (size_t)st->line,
			    (size_t)st->column, "wait_for output: '%s' names "
			    "%zu sequences (name one of them)",
			    st->wait.seq_name, n);
	}
	if (found < 0)
		return cfg_file_error(ld, ld->file, (size_t)st->line,
		    (size_t)st->column, "unknown sequence '%s' in wait_for "
		    "output", st->wait.seq_name);
	if ((size_t)found == i)
		return cfg_file_error(ld, ld->file, (size_t)st->line,
		    (size_t)st->column, "a step cannot wait for the output of "
		    "its own sequence");
	st->wait.seq = found;
	return 0;
}

static int
cfg_dyn_check_fanout(struct cfg_loader *ld, size_t i, const size_t *mark,
    size_t stamp)
{
	const struct config *cfg = ld->cfg;
	struct cfg_fanout *fo = cfg->seqs[i].fanout;
	const char *from = fo->from;
	size_t k, at;

	for (k = 0; k < cfg->n_seqs; k++) {
		at = cfg_dyn_captured_in(&cfg->seqs[k], from, strlen(from), 0,
		    cfg->seqs[k].n_steps);
		if (at == SIZE_MAX)
			continue;
		if (mark[k] == stamp) {
			fo->by_seq = k;
			fo->by_step = at;
			return 0;
		}
		return cfg_file_error(ld, ld->file, (size_t)fo->line,
		    (size_t)fo->column, "'from: %s': it is captured in "
		    "sequence '%s', which '%s' does not need (add it to "
		    "needs)", from, cfg->seqs[k].name, cfg->seqs[i].name);
	}
	return cfg_file_error(ld, ld->file, (size_t)fo->line,
	    (size_t)fo->column, "'from: %s': no step captures '%s' (a step "
	    "with 'capture: %s')", from, from, from);
}

int
cfg_dyn_check(struct cfg_loader *ld)
{
	struct config *cfg = ld->cfg;
	size_t *mark, *stack, i, j;
	int rc = 0;

	if (ld->n_captures == 0 && !ld->any_dyn)
		return 0;
	mark = xcalloc(cfg->n_seqs, sizeof *mark);
	stack = xcalloc(cfg->n_seqs * 2 + 1, sizeof *stack);
	for (i = 0; i < cfg->n_seqs && rc == 0; i++) {
		struct cfg_seq *seq = &cfg->seqs[i];
		cfg_dyn_closure(cfg, i, mark, i + 1, stack);
		if (seq->fanout != NULL)
			rc = cfg_dyn_check_fanout(ld, i, mark, i + 1);
		for (j = 0; j < seq->n_all && rc == 0; j++) {
			if (seq->steps[j].capture != NULL && seq->steps[j].tty)
				rc = cfg_file_error(ld, ld->file,
				    (size_t)seq->steps[j].line,
				    (size_t)seq->steps[j].column, "a 'tty: "
				    "true' step cannot capture: its stdout and "
				    "stderr are one terminal");
			if (rc == 0)
				rc = cfg_dyn_check_step(ld, i, j, mark, i + 1);
			if (rc == 0 && seq->steps[j].kind == CFG_STEP_WAIT &&
			    seq->steps[j].wait.kind == CFG_WAIT_OUTPUT &&
			    strstr(seq->steps[j].wait.seq_name, "{{") == NULL)
				rc = cfg_dyn_wait_seq(ld, i, &seq->steps[j]);
		}
	}
	free(stack);
	free(mark);
	return rc;
}
