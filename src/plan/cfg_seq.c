/* cfg_seq.c: sequences and their steps: the keys of each, matrices and
 * 'hosts:' expanded into one sequence per combination, needs resolved to
 * indices and checked for cycles. */
#include "cfg.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "xmalloc.h"

/* Matrix keys a sequence may have, 'hosts' included. */
#define CFG_MATRIX_KEYS 64

static int cfg_seq_steps(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
static int cfg_seq_matrix(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
static int cfg_seq_needs(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
static int cfg_seq_host(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
static int cfg_seq_hosts(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
static int cfg_step_env(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);

/*
 * The settings of a step that a sequence may also give, for all of its
 * steps: rows of both tables, landing in a struct cfg_step (a step's own,
 * or the sequence's proto). path leads to it in T.
 */
#define CFG_STEP_SETTINGS(T, path)					\
	{ .name = "timeout", .type = CFG_T_DURATION,			\
	  .flags = CFG_DEFAULT, .kinds = CFG_K_PROCESS | CFG_K_WAIT,	\
	  .at = offsetof(T, path timeout) },				\
	{ .name = "retries", .type = CFG_T_UINT, .flags = CFG_DEFAULT,	\
	  .kinds = CFG_K_PROCESS, .min = 0, .max = UINT_MAX,		\
	  .at = offsetof(T, path retries) },				\
	{ .name = "retry_delay", .type = CFG_T_DURATION,		\
	  .flags = CFG_DEFAULT, .kinds = CFG_K_PROCESS,			\
	  .at = offsetof(T, path retry_delay) },			\
	{ .name = "on_failure", .type = CFG_T_CHOICE,			\
	  .flags = CFG_DEFAULT, .kinds = CFG_K_PROCESS,			\
	  .choices = cfg_on_failure_names,				\
	  .parse = cfg_parse_on_failure,				\
	  .at = offsetof(T, path on_failure) },			\
	/* A copy has no terminal. */					\
	{ .name = "tty", .type = CFG_T_BOOL, .flags = CFG_DEFAULT,	\
	  .kinds = CFG_K_RUN | CFG_K_REMOTE,				\
	  .at = offsetof(T, path tty) }

/* The keys of a sequence. What is kept as a node is expanded once per
 * matrix combination (cfg_seq_instance). */
static const struct cfg_key cfg_seq_keys[] = {
	{ .name = "name", .type = CFG_T_STRING, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_seqdef, name) },
	{ .name = "steps", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_seq_steps, .at = offsetof(struct cfg_seqdef, steps) },
	{ .name = "matrix", .type = CFG_T_FUNC, .parse = cfg_seq_matrix },
	{ .name = "needs", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_seq_needs, .at = offsetof(struct cfg_seqdef, needs) },
	{ .name = "cwd", .type = CFG_T_STRING, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_seqdef, cwd) },
	{ .name = "env", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_parse_env, .at = offsetof(struct cfg_seqdef, env) },
	{ .name = "env_file", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_seqdef, env_file) },
	{ .name = "vars", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_parse_vars, .at = offsetof(struct cfg_seqdef, vars) },
	CFG_STEP_SETTINGS(struct cfg_seqdef, proto.),
	{ .name = "host", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_seq_host, .at = offsetof(struct cfg_seqdef, host) },
	{ .name = "hosts", .type = CFG_T_FUNC, .parse = cfg_seq_hosts },
	{ .name = "finally", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .parse = cfg_parse_steps_list,
	  .at = offsetof(struct cfg_seqdef, finally) },
};
static const struct cfg_table cfg_seq_table =
    CFG_TABLE("in sequence", cfg_seq_keys, 0, false);

/* The keys of a step (the mapping form). Exactly one CFG_ACTION key says
 * what the step does, and so its kind. */
static const struct cfg_key cfg_step_keys[] = {
	{ .name = "name", .type = CFG_T_STRING, .flags = CFG_EXPAND,
	  .kinds = CFG_K_ALL, .at = offsetof(struct cfg_step, name) },
	{ .name = "run", .type = CFG_T_COMMAND,
	  .flags = CFG_ACTION | CFG_EXPAND, .kinds = CFG_K_RUN,
	  .at = offsetof(struct cfg_step, run) },
	{ .name = "remote", .type = CFG_T_COMMAND,
	  .flags = CFG_ACTION | CFG_EXPAND, .kinds = CFG_K_REMOTE,
	  .at = offsetof(struct cfg_step, run) },
	{ .name = "upload", .type = CFG_T_COMMAND,
	  .flags = CFG_ACTION | CFG_EXPAND, .kinds = CFG_K_UPLOAD,
	  .at = offsetof(struct cfg_step, run) },
	{ .name = "download", .type = CFG_T_COMMAND,
	  .flags = CFG_ACTION | CFG_EXPAND, .kinds = CFG_K_DOWNLOAD,
	  .at = offsetof(struct cfg_step, run) },
	{ .name = "to", .type = CFG_T_STRING, .flags = CFG_EXPAND,
	  .kinds = CFG_K_COPY, .at = offsetof(struct cfg_step, to),
	  .na = "applies to upload and download steps only" },
	{ .name = "sleep", .type = CFG_T_DURATION, .flags = CFG_ACTION,
	  .kinds = CFG_K_SLEEP, .at = offsetof(struct cfg_step, sleep) },
	{ .name = "wait_for", .type = CFG_T_FUNC, .flags = CFG_ACTION,
	  .kinds = CFG_K_WAIT, .parse = cfg_parse_wait },
	CFG_STEP_SETTINGS(struct cfg_step, ),
	{ .name = "cwd", .type = CFG_T_PATH, .flags = CFG_EXPAND,
	  .kinds = CFG_K_RUN | CFG_K_COPY,
	  .at = offsetof(struct cfg_step, cwd),
	  .na = "does not apply to a remote step (it runs on the host: cd "
	  "there in the command)" },
	{ .name = "env", .type = CFG_T_FUNC, .kinds = CFG_K_PROCESS,
	  .parse = cfg_step_env },
	{ .name = "capture", .type = CFG_T_FUNC,
	  .kinds = CFG_K_RUN | CFG_K_REMOTE, .parse = cfg_parse_capture,
	  .na = "applies to run and remote steps only (their output is "
	  "captured)" },
	{ .name = "if", .type = CFG_T_COMMAND, .flags = CFG_EXPAND,
	  .kinds = CFG_K_ALL, .at = offsetof(struct cfg_step, cond) },
};
static const struct cfg_table cfg_step_table =
    CFG_TABLE("in step", cfg_step_keys, 0, false);

/* What each kind of step is in the plan. */
static const struct {
	unsigned kind;
	enum cfg_step_kind step;
	enum cfg_step_op op;
} cfg_step_kinds[] = {
	{ CFG_K_RUN, CFG_STEP_RUN, CFG_OP_RUN },
	{ CFG_K_SLEEP, CFG_STEP_SLEEP, CFG_OP_RUN },
	{ CFG_K_REMOTE, CFG_STEP_RUN, CFG_OP_REMOTE },
	{ CFG_K_UPLOAD, CFG_STEP_RUN, CFG_OP_UPLOAD },
	{ CFG_K_DOWNLOAD, CFG_STEP_RUN, CFG_OP_DOWNLOAD },
	{ CFG_K_WAIT, CFG_STEP_WAIT, CFG_OP_RUN },
};

/*
 * Scopes: the variables a sequence's strings are expanded with.
 */

/* Add a variable to a scope, charged to the plan. */
static int
cfg_scope_add(struct cfg_loader *ld, const struct cfg_seqdef *def,
    struct cfg_kv **v, size_t *n, size_t *cap, const char *name,
    const char *value)
{
	if (cfg_charge(ld, &def->node->start_mark, strlen(name) +
	    strlen(value)) != 0)
		return -1;
	cfg_kv_set(v, n, cap, name, xstrdup(value));
	return 0;
}

/*
 * The variables of one expansion of def (*v, *n: the caller frees them,
 * even on error). Scope: top-level vars, the sequence's, the host's (its
 * vars, then host and host_address), --set, the first n_matrix keys of
 * the matrix. The host is more specific than the sequence; the command
 * line beats the file; the matrix beats everything, or its expansions
 * would all be the same.
 */
static int
cfg_scope(struct cfg_loader *ld, const struct cfg_seqdef *def,
    const size_t *at, size_t n_matrix, const struct cfg_host *h,
    struct cfg_kv **v, size_t *n)
{
	size_t cap = 0, i;
	int rc = 0;

	*v = NULL;
	*n = 0;
	for (i = 0; rc == 0 && i < ld->n_vars; i++)
		rc = cfg_scope_add(ld, def, v, n, &cap, ld->vars[i].name,
		    ld->vars[i].value);
	if (rc == 0 && def->vars != NULL)
		rc = cfg_add_vars(ld, def->vars, v, n, &cap);
	for (i = 0; rc == 0 && h != NULL && i < h->n_vars; i++)
		rc = cfg_scope_add(ld, def, v, n, &cap, h->vars[i].name,
		    h->vars[i].value);
	if (rc == 0 && h != NULL)
		rc = cfg_scope_add(ld, def, v, n, &cap, "host", h->name);
	if (rc == 0 && h != NULL)
		rc = cfg_scope_add(ld, def, v, n, &cap, "host_address",
		    h->address);
	/* The file's values of secret_vars, even those --set replaces:
	 * the copy of the file in the record must not show them. */
	cfg_secrets_of(ld, *v, *n);
	for (i = 0; rc == 0 && i < ld->n_overrides; i++)
		rc = cfg_scope_add(ld, def, v, n, &cap, ld->overrides[i].name,
		    ld->overrides[i].value);
	/* A fan-out's key (NULL) has its values at run time. */
	for (i = 0; rc == 0 && i < n_matrix; i++) {
		if (def->matrix[i].values[at[i]] != NULL)
			rc = cfg_scope_add(ld, def, v, n, &cap,
			    def->matrix[i].name, def->matrix[i].values[at[i]]);
	}
	cfg_secrets_of(ld, *v, *n);
	return rc;
}

/*
 * Matrices and 'hosts:'.
 */

static int
cfg_seq_matrix(struct cfg_in *in, const struct cfg_key *key, yaml_node_t *n)
{
	struct cfg_loader *ld = in->ld;
	struct cfg_seqdef *def = in->base;
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v, *item;
	yaml_node_item_t *it;
	struct cfg_matrix *m;
	size_t total = 1;
	const char *s = NULL;
	char what[128], buf[64];
	int rc;

	(void)key;
	if (cfg_mapping(ld, n, "'matrix'") != 0)
		return -1;
	if (n->data.mapping.pairs.start == n->data.mapping.pairs.top)
		return cfg_error(ld, &n->start_mark, "'matrix' is empty");
	def->n_matrix = (size_t)(n->data.mapping.pairs.top -
	    n->data.mapping.pairs.start);
	def->matrix = xcalloc(def->n_matrix, sizeof *def->matrix);
	m = def->matrix;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++, m++) {
		k = cfg_node(ld, pair->key);
		v = cfg_node(ld, pair->value);
		m->name = cfg_text(k);
		if (!tmpl_valid_name(m->name))
			return cfg_error(ld, &k->start_mark,
			    "invalid variable name '%s' (use letters, digits, "
			    "'_' and '-')", m->name);
		snprintf(what, sizeof what, "matrix '%s'", m->name);
		if ((rc = cfg_parse_from(ld, v, what, &s)) < 0)
			return -1;
		if (rc == 0) {
			/* Values at run time: one, NULL, until then. */
			if (def->from != NULL)
				return cfg_error(ld, &v->start_mark, "matrix "
				    "'%s' and '%s' both take values 'from' a "
				    "capture (one may)", def->from_key,
				    m->name);
			def->from = s;
			def->from_key = m->name;
			def->from_node = v;
			m->n_values = 1;
			m->values = xcalloc(1, sizeof *m->values);
			continue;
		}
		if (v->type != YAML_SEQUENCE_NODE)
			return cfg_error(ld, &v->start_mark,
			    "expected a list of values for matrix '%s', or "
			    "{from: NAME}, got %s", m->name,
			    cfg_describe(ld, v, buf, sizeof buf));
		m->n_values = (size_t)(v->data.sequence.items.top -
		    v->data.sequence.items.start);
		if (m->n_values == 0)
			return cfg_error(ld, &v->start_mark,
			    "matrix '%s' has no values", m->name);
		m->values = xcalloc(m->n_values, sizeof *m->values);
		snprintf(what, sizeof what, "a value of matrix '%s'", m->name);
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			item = cfg_node(ld, *it);
			if (cfg_string(ld, item, what, &s) != 0)
				return -1;
			m->values[it - v->data.sequence.items.start] = s;
		}
		if (total > CONFIG_SEQS_MAX / m->n_values)
			return cfg_error(ld, &n->start_mark,
			    "'matrix' makes more than %d sequences",
			    CONFIG_SEQS_MAX);
		total *= m->n_values;
	}
	/* One key is kept for 'hosts'. */
	if (def->n_matrix + 1 > CFG_MATRIX_KEYS)
		return cfg_error(ld, &n->start_mark,
		    "'matrix' has more than %d keys", CFG_MATRIX_KEYS - 1);
	return 0;
}

/*
 * A sequence's 'hosts:' selection becomes the first key of its matrix,
 * 'host', whose values are the names of the hosts selected, in inventory
 * order. Items are expanded with the variables every expansion shares
 * (the top level's and the sequence's, and --set).
 */
static int
cfg_select_hosts(struct cfg_loader *ld, yaml_node_t *n,
    struct cfg_seqdef *def)
{
	struct config *cfg = ld->cfg;
	struct cfg_kv *vars = NULL;
	size_t n_vars = 0, n_items, i, j;
	yaml_node_t **items, *item;
	char **text;
	bool *on, any;
	struct cfg_matrix *m;
	const char *s = NULL;
	int rc = -1;

	if (n->type == YAML_SEQUENCE_NODE) {
		n_items = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
		if (n_items == 0)
			return cfg_error(ld, &n->start_mark,
			    "'hosts' is empty");
	} else if (n->type == YAML_SCALAR_NODE)
		n_items = 1;
	else
		return cfg_expected(ld, n, "'all', a tag:NAME or a host "
		    "name pattern, or a list of them", "'hosts'");
	items = xcalloc(n_items, sizeof *items);
	text = xcalloc(n_items, sizeof *text);
	on = xcalloc(cfg->n_hosts, sizeof *on);
	if (cfg_scope(ld, def, NULL, 0, NULL, &vars, &n_vars) != 0)
		goto out;

	for (i = 0; i < n_items; i++) {
		item = n->type == YAML_SCALAR_NODE ? n :
		    cfg_node(ld, n->data.sequence.items.start[i]);
		items[i] = item;
		if (cfg_nonempty(ld, item, "'hosts'", &s) != 0)
			goto out;
		if ((text[i] = cfg_expand(ld, item, vars, n_vars)) == NULL)
			goto out;
	}
	for (i = 0; i < n_items; i++) {
		any = false;
		for (j = 0; j < cfg->n_hosts; j++) {
			if (cfg_host_selected(&cfg->hosts[j], text[i]))
				on[j] = any = true;
		}
		if (!any) {
			cfg_error(ld, &items[i]->start_mark,
			    "'%s' selects no host", text[i]);
			goto out;
		}
	}
	/* matrix[0] is the host key; the matrix as written follows. */
	def->matrix = xrealloc(def->matrix,
	    (def->n_matrix + 1) * sizeof *def->matrix);
	memmove(def->matrix + 1, def->matrix,
	    def->n_matrix * sizeof *def->matrix);
	def->n_matrix++;
	def->by_hosts = true;
	m = &def->matrix[0];
	memset(m, 0, sizeof *m);
	m->name = "host";
	m->values = xcalloc(cfg->n_hosts, sizeof *m->values);
	for (j = 0; j < cfg->n_hosts; j++) {
		if (on[j])
			m->values[m->n_values++] = cfg->hosts[j].name;
	}
	rc = 0;
out:
	for (i = 0; i < n_items; i++)
		free(text[i]);
	free(text);
	free(items);
	free(on);
	cfg_kv_free(vars, n_vars);
	return rc;
}

/*
 * 'host' or 'hosts': which machine the sequence's remote steps run on.
 * Both rows check the binding; 'host' comes first in the table, so it is
 * the one that sees both.
 */
static int
cfg_seq_binding(struct cfg_in *in, const struct cfg_key *k, bool later)
{
	const struct cfg_field *host, *hosts;

	host = cfg_in_field(in, cfg_key(in->table, "host"));
	hosts = cfg_in_field(in, cfg_key(in->table, "hosts"));
	if (host->key != NULL && hosts->key != NULL)
		return cfg_error(in->ld, &hosts->key->start_mark,
		    "sequence has both 'host' and 'hosts'");
	/* Hosts made at run time need no inventory. */
	if (in->ld->cfg->n_hosts == 0 && !later)
		return cfg_error(in->ld,
		    &cfg_in_field(in, k)->key->start_mark, "'%s' needs a "
		    "host inventory: there is no 'hosts' at the top level",
		    k->name);
	return 0;
}

static int
cfg_seq_host(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	const char *s = NULL;

	if (cfg_seq_binding(in, k, false) != 0)
		return -1;
	return cfg_nonempty(in->ld, n, "'host'", &s);
}

static int
cfg_seq_hosts(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	struct cfg_seqdef *def = in->base;
	const yaml_node_t *key = cfg_in_field(in, k)->key;
	size_t i, total = 1;

	const char *from = NULL;
	int rc;

	if ((rc = cfg_parse_from(in->ld, n, "'hosts'", &from)) < 0)
		return -1;
	if (cfg_seq_binding(in, k, rc == 0) != 0)
		return -1;
	for (i = 0; i < def->n_matrix; i++) {
		if (strcmp(def->matrix[i].name, "host") == 0)
			return cfg_error(in->ld, &key->start_mark,
			    "'hosts' makes the matrix key 'host', and "
			    "'matrix' has one too");
		total *= def->matrix[i].n_values;
	}
	if (rc == 0) {
		/* Hosts made at run time: the host key, one value (NULL)
		 * until then. */
		if (def->from != NULL)
			return cfg_error(in->ld, &key->start_mark, "'hosts' "
			    "and matrix '%s' both take values 'from' a "
			    "capture (one may)", def->from_key);
		def->matrix = xrealloc(def->matrix,
		    (def->n_matrix + 1) * sizeof *def->matrix);
		memmove(def->matrix + 1, def->matrix,
		    def->n_matrix * sizeof *def->matrix);
		def->n_matrix++;
		memset(&def->matrix[0], 0, sizeof def->matrix[0]);
		def->matrix[0].name = "host";
		def->matrix[0].n_values = 1;
		def->matrix[0].values = xcalloc(1,
		    sizeof *def->matrix[0].values);
		def->from = from;
		def->from_key = "host";
		def->from_hosts = true;
		def->from_node = n;
		return 0;
	}
	if (cfg_select_hosts(in->ld, n, def) != 0)
		return -1;
	if (total > CONFIG_SEQS_MAX / def->matrix[0].n_values)
		return cfg_error(in->ld, &key->start_mark,
		    "'hosts' and 'matrix' make more than %d sequences",
		    CONFIG_SEQS_MAX);
	return 0;
}

/*
 * The other keys of a sequence.
 */

static int
cfg_seq_steps(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	struct cfg_seqdef *def = in->base;

	(void)k;
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expected(in->ld, n, "a list of steps", "'steps'");
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		return cfg_error(in->ld, &n->start_mark,
		    "sequence '%s' has no steps", cfg_text(def->name));
	return 0;
}

static int
cfg_seq_needs(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	struct cfg_loader *ld = in->ld;
	yaml_node_item_t *it;
	const char *s = NULL;

	(void)k;
	if (n->type == YAML_SCALAR_NODE)
		return cfg_nonempty(ld, n, "'needs'", &s);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expected(ld, n, "a list of sequence names",
		    "'needs'");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		if (cfg_nonempty(ld, cfg_node(ld, *it), "'needs'", &s) != 0)
			return -1;
	}
	return 0;
}

/*
 * Steps.
 */

/* The name a step gets from its command: its first line, and " ..." if
 * more follows. */
static char *
cfg_step_name(const char *run)
{
	const char *p = run + strspn(run, " \t\n"), *nl, *end;

	nl = p + strcspn(p, "\n");
	for (end = nl; end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	if (*nl != '\0' && nl[strspn(nl, " \t\n")] != '\0')
		return xasprintf("%.*s ...", (int)(end - p), p);
	return xstrndup(p, (size_t)(end - p));
}

static int
cfg_step_env(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *n)
{
	struct cfg_step *st = in->base;
	size_t cap = st->n_env;

	(void)k;
	if (cfg_check_env(in->ld, n) != 0)
		return -1;
	return cfg_add_env(in->ld, n, in->vars, in->n_vars, &st->env,
	    &st->n_env, &cap);
}

/* The action key given: exactly one. */
static const struct cfg_key *
cfg_step_action(struct cfg_in *in)
{
	const struct cfg_table *t = in->table;
	const struct cfg_key *act = NULL;
	size_t i, j, n;
	char *list, *p;

	for (j = 0; j < sizeof cfg_step_kinds / sizeof cfg_step_kinds[0];
	    j++) {
		for (i = 0; i < t->n_keys; i++) {
			if (!(t->keys[i].flags & CFG_ACTION) ||
			    t->keys[i].kinds != cfg_step_kinds[j].kind ||
			    in->f[i].val == NULL)
				continue;
			if (act != NULL) {
				cfg_error(in->ld, &in->map->start_mark,
				    "step has both '%s' and '%s'", act->name,
				    t->keys[i].name);
				return NULL;
			}
			act = &t->keys[i];
		}
	}
	if (act != NULL)
		return act;
	/* "'run', 'remote' or 'sleep'" */
	for (i = 0, n = 0; i < t->n_keys; i++)
		n += (t->keys[i].flags & CFG_ACTION) != 0;
	list = xstrdup("");
	for (i = 0, j = 0; i < t->n_keys; i++) {
		if (!(t->keys[i].flags & CFG_ACTION))
			continue;
		p = xasprintf("%s%s'%s'", list, j == 0 ? "" : j + 1 < n ?
		    ", " : " or ", t->keys[i].name);
		free(list);
		list = p;
		j++;
	}
	cfg_error(in->ld, &in->map->start_mark, "step has no %s", list);
	free(list);
	return NULL;
}

/*
 * "- echo a: b" is a command to whoever wrote it, and a mapping to YAML
 * (a key "echo a"): say so, rather than "unknown key 'echo a'". Only in
 * block style, with one key that no step has and that holds a blank, and
 * a string for its value.
 */
static int
cfg_step_colon(struct cfg_loader *ld, const yaml_node_t *n)
{
	const yaml_node_t *k, *v;
	size_t i;

	if (n->data.mapping.style == YAML_FLOW_MAPPING_STYLE ||
	    n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
		return 0;
	k = cfg_node(ld, n->data.mapping.pairs.start->key);
	v = cfg_node(ld, n->data.mapping.pairs.start->value);
	if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE ||
	    k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    cfg_is_null(v) || strchr(cfg_text(k), ' ') == NULL ||
	    strpbrk(cfg_text(k), "\"\n") != NULL ||
	    strpbrk(cfg_text(v), "\"\n") != NULL)
		return 0;
	for (i = 0; i < cfg_step_table.n_keys; i++) {
		if (strcmp(cfg_step_table.keys[i].name, cfg_text(k)) == 0)
			return 0;
	}
	return cfg_error(ld, &n->start_mark, "this step is a mapping to YAML "
	    "(key '%s'); a command with ': ' in it needs quotes: - \"%s: "
	    "%s\"", cfg_text(k), cfg_text(k), cfg_text(v));
}

/* The name a wait_for step gets: what it waits for. */
static char *
cfg_wait_name(const struct cfg_seq *seq, const struct cfg_wait *w)
{
	switch (w->kind) {
	case CFG_WAIT_TCP:
		return xasprintf("wait for tcp %s", w->target);
	case CFG_WAIT_PATH:
		return xasprintf("wait for path %s", w->target);
	case CFG_WAIT_OUTPUT:
		return xasprintf("wait for /%s/ in %s", w->match, w->seq_name);
	case CFG_WAIT_SSH:
		break;
	}
	(void)seq;
	return xstrdup("wait for ssh");
}

static int cfg_step_parse(struct cfg_loader *, struct cfg_seq *, size_t *,
    yaml_node_t *, const struct cfg_step *, enum cfg_step_role, size_t);

static int
cfg_step(struct cfg_loader *ld, struct cfg_seq *seq, size_t *step_cap,
    yaml_node_t *n, const struct cfg_step *proto, enum cfg_step_role role,
    size_t of)
{
	int rc;

	ld->cur = seq;
	ld->deferred = false;
	rc = cfg_step_parse(ld, seq, step_cap, n, proto, role, of);
	if (rc == 0)
		cfg_dyn_step_done(ld, &seq->steps[seq->n_all - 1]);
	return rc;
}

int
cfg_steps(struct cfg_loader *ld, struct cfg_seq *seq, size_t *step_cap,
    yaml_node_t *list, const struct cfg_step *proto, enum cfg_step_role role,
    size_t of)
{
	yaml_node_item_t *it;

	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		/* seq may not move: only steps grow here. */
		if (cfg_step(ld, seq, step_cap, cfg_node(ld, *it), proto, role,
		    of) != 0)
			return -1;
	}
	return 0;
}

static int
cfg_step_parse(struct cfg_loader *ld, struct cfg_seq *seq, size_t *step_cap,
    yaml_node_t *n, const struct cfg_step *proto, enum cfg_step_role role,
    size_t of)
{
	struct cfg_in in = { .ld = ld, .table = &cfg_step_table, .map = n,
	    .vars = seq->vars, .n_vars = seq->n_vars };
	const struct cfg_key *act;
	struct cfg_step *st;
	yaml_mark_t mark = { 0, 0, 0 };
	const char *s = NULL;
	char buf[64];
	size_t i;

	if (ld->n_steps++ == CONFIG_STEPS_MAX) {
		/* At the sequence: the step may be an alias's. */
		mark.line = (size_t)seq->line - 1;
		mark.column = (size_t)seq->column - 1;
		return cfg_error(ld, &mark, "more than %d steps in all "
		    "(matrices and aliases multiply them)", CONFIG_STEPS_MAX);
	}
	seq->steps = xreallocarray_grow(seq->steps, step_cap, seq->n_all + 1,
	    sizeof *seq->steps);
	st = &seq->steps[seq->n_all++];
	if (role == CFG_ROLE_MAIN)
		seq->n_steps++;
	memset(st, 0, sizeof *st);
	st->line = (int)n->start_mark.line + 1;
	st->column = (int)n->start_mark.column + 1;
	st->role = role;
	st->of = of;
	st->wait.seq = -1;
	in.base = st;

	if (n->type == YAML_SCALAR_NODE && !cfg_is_null(n)) {
		if (cfg_string(ld, n, "a step", &s) != 0)
			return -1;
		if (s[strspn(s, " \t\n")] == '\0')
			return cfg_error(ld, &n->start_mark, "empty step");
		st->kind = CFG_STEP_RUN;
		if ((st->run = cfg_expand(ld, n, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
		st->name = cfg_step_name(st->run);
		cfg_step_defaults(&cfg_step_table, CFG_K_RUN, proto, st);
		return cfg_charge(ld, &n->start_mark, strlen(st->name));
	}
	if (n->type != YAML_MAPPING_NODE || cfg_is_braces(ld, n))
		return cfg_error(ld, &n->start_mark, "expected a step (a "
		    "command, or a mapping with 'run' or 'sleep'), got %s",
		    cfg_describe(ld, n, buf, sizeof buf));
	if (cfg_step_colon(ld, n) != 0 || cfg_table_fields(&in) != 0 ||
	    (act = cfg_step_action(&in)) == NULL)
		return -1;
	in.kind = act->kinds;
	for (i = 0; cfg_step_kinds[i].kind != in.kind; i++)
		;
	st->kind = cfg_step_kinds[i].step;
	st->op = cfg_step_kinds[i].op;
	if (st->op != CFG_OP_RUN && seq->host < 0 &&
	    (seq->fanout == NULL || !seq->fanout->hosts))
		return cfg_error(ld, &cfg_in_field(&in, act)->key->start_mark,
		    "a %s step needs a host: bind the sequence to one with "
		    "'host' or 'hosts'", act->name);
	if (cfg_table_applies(&in) != 0)
		return -1;
	if ((in.kind & CFG_K_COPY) &&
	    cfg_in_field(&in, cfg_key(in.table, "to"))->val == NULL)
		return cfg_error(ld, &n->start_mark, "'%s' step has no 'to' "
		    "(where the copy goes)", act->name);
	cfg_step_defaults(in.table, in.kind, proto, st);
	if (cfg_table_values(&in) != 0)
		return -1;
	if (st->kind == CFG_STEP_WAIT && st->timeout == 0)
		st->timeout = CONFIG_WAIT_TIMEOUT;
	if (st->name != NULL)
		return 0;
	if (st->kind == CFG_STEP_WAIT)
		st->name = cfg_wait_name(seq, &st->wait);
	else if (st->kind == CFG_STEP_SLEEP) {
		/* As written, with a unit: "sleep 3s", "sleep 1.5s". */
		s = cfg_text(cfg_in_field(&in, act)->val);
		st->name = xasprintf("sleep %s%s", s,
		    strchr("0123456789", s[strlen(s) - 1]) != NULL ? "s" : "");
	} else if (in.kind & CFG_K_COPY)
		st->name = xasprintf("%s %s", act->name, st->run);
	else
		st->name = cfg_step_name(st->run);
	return cfg_charge(ld, &n->start_mark, strlen(st->name));
}

/*
 * Sequences.
 */

/* Which host an expansion of def is bound to: -1 for none, -2 on error. */
static long
cfg_instance_host(struct cfg_loader *ld, struct cfg_seqdef *def,
    const size_t *at)
{
	struct config *cfg = ld->cfg;
	struct cfg_kv *vars;
	size_t n_vars, i, len;
	char *name, *list;
	long h;

	if (def->by_hosts)
		return config_find_host(cfg, def->matrix[0].values[at[0]]);
	if (def->host == NULL)
		return -1;
	name = NULL;
	if (cfg_scope(ld, def, at, def->n_matrix, NULL, &vars, &n_vars) == 0)
		name = cfg_expand(ld, def->host, vars, n_vars);
	cfg_kv_free(vars, n_vars);
	if (name == NULL)
		return -2;
	if ((h = config_find_host(cfg, name)) < 0) {
		for (i = 0, len = 1; i < cfg->n_hosts && i < 10; i++)
			len += strlen(cfg->hosts[i].name) + 2;
		list = xmalloc(len + 8);
		list[0] = '\0';
		for (i = 0; i < cfg->n_hosts && i < 10; i++) {
			if (i > 0)
				strcat(list, ", ");
			strcat(list, cfg->hosts[i].name);
		}
		if (cfg->n_hosts > 10)
			strcat(list, ", ...");
		cfg_error(ld, &def->host->start_mark,
		    "unknown host '%s' (hosts: %s)", name, list);
		free(list);
		free(name);
		return -2;
	}
	free(name);
	return h;
}

static size_t
cfg_name_hash(const char *s)
{
	size_t h = 14695981039346656037u;   /* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* Enter sequence i's name in the loader's index. Returns 0, or the
 * index + 1 of the sequence that already has that name (i is then not
 * entered). */
static size_t
cfg_name_add(struct cfg_loader *ld, size_t i)
{
	const struct config *cfg = ld->cfg;
	size_t k, mask;

	if (2 * (i + 1) > ld->name_cap) {
		/* Grow at half full: probes stay short. */
		size_t *old = ld->name_slots, old_cap = ld->name_cap;
		ld->name_cap = old_cap ? 2 * old_cap : 64;
		ld->name_slots = xcalloc(ld->name_cap, sizeof *ld->name_slots);
		mask = ld->name_cap - 1;
		for (size_t o = 0; o < old_cap; o++) {
			if (old[o] == 0)
				continue;
			k = cfg_name_hash(cfg->seqs[old[o] - 1].name) & mask;
			while (ld->name_slots[k] != 0)
				k = (k + 1) & mask;
			ld->name_slots[k] = old[o];
		}
		free(old);
	}
	mask = ld->name_cap - 1;
	for (k = cfg_name_hash(cfg->seqs[i].name) & mask;
	    ld->name_slots[k] != 0; k = (k + 1) & mask)
		if (strcmp(cfg->seqs[ld->name_slots[k] - 1].name,
		    cfg->seqs[i].name) == 0)
			return ld->name_slots[k];
	ld->name_slots[k] = i + 1;
	return 0;
}

/* One sequence out of def, for the matrix values at[] (if any). */
static int
cfg_seq_instance(struct cfg_loader *ld, struct cfg_seqdef *def,
    const size_t *at)
{
	struct config *cfg = ld->cfg;
	struct cfg_seq *seq;
	struct cfg_aux *aux;
	size_t env_cap = 0, step_cap = 0, i;
	const char *value;
	char *name, *cwd;
	long host;

	if (cfg->n_seqs == CONFIG_SEQS_MAX)
		return cfg_error(ld, &def->node->start_mark,
		    "more than %d sequences", CONFIG_SEQS_MAX);
	cfg->seqs = xreallocarray_grow(cfg->seqs, &ld->seq_cap,
	    cfg->n_seqs + 1, sizeof *cfg->seqs);
	ld->aux = xreallocarray_grow(ld->aux, &ld->aux_cap, cfg->n_seqs + 1,
	    sizeof *ld->aux);
	seq = &cfg->seqs[cfg->n_seqs];
	aux = &ld->aux[cfg->n_seqs];
	cfg->n_seqs++;
	memset(seq, 0, sizeof *seq);
	memset(aux, 0, sizeof *aux);
	aux->needs = def->needs;
	aux->name_mark = def->name->start_mark;
	/* A placeholder's strings keep its key for run time; another's
	 * steps keep what captures give. */
	ld->fan_key = def->from_key;
	ld->deferring = def->from != NULL;
	if (def->from != NULL) {
		seq->fanout = xcalloc(1, sizeof *seq->fanout);
		seq->fanout->from = xstrdup(def->from);
		seq->fanout->key = xstrdup(def->from_key);
		seq->fanout->hosts = def->from_hosts;
		seq->fanout->line = (int)def->from_node->start_mark.line + 1;
		seq->fanout->column =
		    (int)def->from_node->start_mark.column + 1;
		ld->any_dyn = true;
	}
	seq->template_name = xstrdup(cfg_text(def->name));
	seq->line = (int)def->node->start_mark.line + 1;
	seq->column = (int)def->node->start_mark.column + 1;

	if ((host = cfg_instance_host(ld, def, at)) == -2)
		return -1;
	seq->host = host;
	if (cfg_scope(ld, def, at, def->n_matrix, host >= 0 ?
	    &cfg->hosts[host] : NULL, &seq->vars, &seq->n_vars) != 0)
		return -1;
	if (cfg_charge(ld, &def->name->start_mark,
	    strlen(seq->template_name)) != 0)
		return -1;

	if ((seq->name = cfg_expand(ld, def->name, seq->vars,
	    seq->n_vars)) == NULL)
		return -1;
	/* Matrix values the name does not show are appended, so that every
	 * expansion gets a name of its own. */
	for (i = 0; i < def->n_matrix; i++) {
		if (tmpl_uses(seq->template_name, def->matrix[i].name))
			continue;
		if ((value = def->matrix[i].values[at[i]]) == NULL)
			continue;
		name = xasprintf("%s %s", seq->name, value);
		free(seq->name);
		seq->name = name;
	}
	if (seq->name[0] == '\0')
		return cfg_error(ld, &def->name->start_mark,
		    "sequence name '%s' is empty once expanded",
		    seq->template_name);
	if ((i = cfg_name_add(ld, cfg->n_seqs - 1)) > 0)
		return cfg_error(ld, &def->name->start_mark,
		    "duplicate sequence name '%s' (first at line %zu)",
		    seq->name, ld->aux[i - 1].name_mark.line + 1);

	if (def->cwd != NULL) {
		if ((cwd = cfg_expand(ld, def->cwd, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
		seq->cwd = cfg_resolve(cfg, cwd);
		free(cwd);
	}
	/* Each env_file first, then the env beside it: env wins, as in
	 * docker compose. */
	for (i = 0; i < ld->n_env_file; i++)
		cfg_kv_set(&seq->env, &seq->n_env, &env_cap,
		    ld->env_file[i].name, xstrdup(ld->env_file[i].value));
	if (ld->env != NULL && cfg_add_env(ld, ld->env, seq->vars,
	    seq->n_vars, &seq->env, &seq->n_env, &env_cap) != 0)
		return -1;
	for (i = 0; i < def->n_envf; i++)
		cfg_kv_set(&seq->env, &seq->n_env, &env_cap, def->envf[i].name,
		    xstrdup(def->envf[i].value));
	if (def->env != NULL && cfg_add_env(ld, def->env, seq->vars,
	    seq->n_vars, &seq->env, &seq->n_env, &env_cap) != 0)
		return -1;

	ld->n_pending = 0;
	ld->deferring = def->from != NULL || ld->n_captures > 0;
	if (cfg_steps(ld, seq, &step_cap, def->steps, &def->proto,
	    CFG_ROLE_MAIN, 0) != 0)
		return -1;
	/* Then each handler's steps, then the cleanup, after the main steps
	 * (whose indices the record and the front ends know). */
	for (i = 0; i < ld->n_pending; i++) {
		size_t of = ld->pending[i].step, first = seq->n_all;
		if (cfg_steps(ld, seq, &step_cap, ld->pending[i].steps,
		    &def->proto, CFG_ROLE_HANDLER, of) != 0)
			return -1;
		seq->steps[of].handler = first;
		seq->steps[of].n_handler = seq->n_all - first;
	}
	seq->finally_at = seq->n_all;
	if (def->finally != NULL && cfg_steps(ld, seq, &step_cap,
	    def->finally, &def->proto, CFG_ROLE_FINALLY, 0) != 0)
		return -1;
	seq->n_finally = seq->n_all - seq->finally_at;
	ld->deferring = false;
	ld->fan_key = NULL;
	return 0;
}

int
cfg_seq(struct cfg_loader *ld, yaml_node_t *n)
{
	struct cfg_in in = { .ld = ld, .table = &cfg_seq_table, .map = n };
	const struct cfg_field *name, *steps;
	struct cfg_seqdef def;
	size_t at[CFG_MATRIX_KEYS], i;
	const char *s = NULL;
	char buf[64];
	int rc = -1;

	memset(&def, 0, sizeof def);
	def.node = n;
	def.proto.retry_delay = CONFIG_DEFAULT_RETRY_DELAY;
	def.proto.on_failure = CFG_ONFAIL_STOP;
	in.base = &def;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_error(ld, &n->start_mark, "expected a sequence "
		    "(a mapping with 'name' and 'steps'), got %s",
		    cfg_describe(ld, n, buf, sizeof buf));
	if (cfg_table_fields(&in) != 0)
		return -1;
	name = cfg_in_field(&in, cfg_key(in.table, "name"));
	steps = cfg_in_field(&in, cfg_key(in.table, "steps"));
	if (name->val == NULL)
		return cfg_error(ld, &n->start_mark,
		    "sequence has no 'name'");
	if (cfg_nonempty(ld, name->val, "'name'", &s) != 0)
		return -1;
	if (steps->val == NULL)
		return cfg_error(ld, &n->start_mark,
		    "sequence '%s' has no 'steps'", s);
	if (cfg_table_values(&in) != 0)
		goto out;

	if (def.env_file != NULL && cfg_env_file(ld, def.env_file, &def.envf,
	    &def.n_envf, &def.envf_cap) != 0)
		goto out;

	/* The cartesian product, first key outermost: an odometer. */
	memset(at, 0, sizeof at);
	for (long made = 0;; made++) {
		if (cfg_seq_instance(ld, &def, at) != 0)
			goto out;
		ld->cfg->seqs[ld->cfg->n_seqs - 1].index =
		    def.n_matrix > 0 ? made : -1;
		for (i = def.n_matrix; i > 0; i--) {
			if (++at[i - 1] < def.matrix[i - 1].n_values)
				break;
			at[i - 1] = 0;
		}
		if (i == 0)
			break;
	}
	rc = 0;

out:
	cfg_kv_free(def.envf, def.n_envf);
	for (i = 0; i < def.n_matrix; i++)
		free(def.matrix[i].values);
	free(def.matrix);
	return rc;
}

void
cfg_step_clear(struct cfg_step *st)
{
	free(st->name);
	free(st->run);
	free(st->to);
	free(st->cwd);
	cfg_kv_free(st->env, st->n_env);
	free(st->capture);
	free(st->cond);
	free(st->wait.target);
	free(st->wait.match);
	free(st->wait.seq_name);
}

void
cfg_seq_clear(struct cfg_seq *seq)
{
	for (size_t j = 0; j < seq->n_all; j++)
		cfg_step_clear(&seq->steps[j]);
	free(seq->steps);
	if (seq->fanout != NULL) {
		free(seq->fanout->from);
		free(seq->fanout->key);
		free(seq->fanout);
	}
	free(seq->name);
	free(seq->template_name);
	free(seq->cwd);
	cfg_kv_free(seq->env, seq->n_env);
	cfg_kv_free(seq->vars, seq->n_vars);
	free(seq->needs);
}

/*
 * Needs.
 */

static int
cfg_add_need(struct cfg_loader *ld, size_t seq, size_t need,
    const yaml_node_t *entry)
{
	struct cfg_seq *s = &ld->cfg->seqs[seq];
	struct cfg_aux *aux = &ld->aux[seq];
	size_t cap;

	/* A stamp rather than a search: a template can name thousands. */
	if (ld->need_stamp[need] == seq + 1)
		return 0;
	ld->need_stamp[need] = seq + 1;
	if (++ld->n_needs > CONFIG_NEEDS_MAX)
		return cfg_error(ld, &entry->start_mark, "more than %d needs "
		    "in all (a template in needs names each of its "
		    "sequences)", CONFIG_NEEDS_MAX);
	cap = aux->need_cap;
	s->needs = xreallocarray_grow(s->needs, &cap, s->n_needs + 1,
	    sizeof *s->needs);
	aux->need_nodes = xreallocarray_grow(aux->need_nodes, &aux->need_cap,
	    s->n_needs + 1, sizeof *aux->need_nodes);
	s->needs[s->n_needs] = need;
	aux->need_nodes[s->n_needs] = entry;
	s->n_needs++;
	return 0;
}

/* The first of the n entries of by[] called name, and how many there
 * are (*count). */
static const struct cfg_named *
cfg_named_find(const struct cfg_named *by, size_t n, const char *name,
    size_t *count)
{
	size_t lo = 0, hi = n, mid, end;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(by[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && strcmp(by[end].name, name) == 0; end++)
		;
	*count = end - lo;
	return by + lo;
}

static struct cfg_named *
cfg_named_index(const struct config *cfg, bool templates)
{
	struct cfg_named *by = xcalloc(cfg->n_seqs + 1, sizeof *by);
	size_t i;

	for (i = 0; i < cfg->n_seqs; i++) {
		by[i].name = templates ? cfg->seqs[i].template_name :
		    cfg->seqs[i].name;
		by[i].index = i;
	}
	qsort(by, cfg->n_seqs, sizeof *by, cfg_named_cmp);
	return by;
}

/*
 * One entry of needs. Expanded with the sequence's variables, it names a
 * sequence, or a template (all of its expansions): that pairs "deploy
 * {{host}}" with "build {{host}}" in a matrix. If it does not expand (a
 * variable this sequence lacks), it can still name a template as written.
 */
static int
cfg_resolve_need(struct cfg_loader *ld, size_t idx, const yaml_node_t *n)
{
	struct config *cfg = ld->cfg;
	const struct cfg_named *a = NULL, *b;
	const char *text = cfg_text(n);
	char *exp, *msg;
	size_t na = 0, nb, i;
	int rc = 0;

	/* Each entry counts, found or not: an alias can repeat a long list
	 * in every expansion of a matrix. */
	if (++ld->n_needs > CONFIG_NEEDS_MAX)
		return cfg_error(ld, &n->start_mark, "more than %d needs in "
		    "all (a template in needs names each of its sequences)",
		    CONFIG_NEEDS_MAX);
	/* No longer than a name it could match: "{{a}}{{a}}..." in needs
	 * is not worth building. */
	exp = tmpl_expand_max(text, cfg->seqs[idx].vars, cfg->seqs[idx].n_vars,
	    ld->name_max, &msg, NULL);
	if (exp == NULL)
		free(msg);
	else {
		a = cfg_named_find(ld->by_name, cfg->n_seqs, exp, &na);
		if (na == 1) {
			free(exp);
			if (a->index == idx)
				goto self;
			return cfg_add_need(ld, idx, a->index, n);
		}
		a = cfg_named_find(ld->by_template, cfg->n_seqs, exp, &na);
	}
	b = cfg_named_find(ld->by_template, cfg->n_seqs, text, &nb);
	if (exp != NULL && strcmp(exp, text) == 0)
		nb = 0;
	free(exp);
	if (na + nb == 0)
		return cfg_error(ld, &n->start_mark,
		    "unknown sequence '%s' in needs", text);
	/* Both runs are in index order: merge them. */
	while (rc == 0 && (na > 0 || nb > 0)) {
		if (nb == 0 || (na > 0 && a->index < b->index)) {
			i = a->index;
			a++, na--;
		} else {
			i = b->index;
			b++, nb--;
		}
		if (i == idx)
			goto self;
		rc = cfg_add_need(ld, idx, i, n);
	}
	return rc;

self:
	return cfg_error(ld, &n->start_mark, "sequence '%s' needs itself",
	    cfg->seqs[idx].name);
}

enum { CFG_WHITE, CFG_GREY, CFG_BLACK };

static int
cfg_visit(struct cfg_loader *ld, size_t u, unsigned char *colour,
    size_t *stack, size_t depth)
{
	struct config *cfg = ld->cfg;
	size_t k, v, j, len;
	char *msg, *p;

	colour[u] = CFG_GREY;
	stack[depth] = u;
	for (k = 0; k < cfg->seqs[u].n_needs; k++) {
		v = cfg->seqs[u].needs[k];
		if (colour[v] == CFG_BLACK)
			continue;
		if (colour[v] == CFG_WHITE) {
			if (cfg_visit(ld, v, colour, stack, depth + 1) != 0)
				return -1;
			continue;
		}
		/* v is on the stack: the cycle is v ... u -> v. */
		for (j = depth; stack[j] != v; j--)
			;
		len = strlen(cfg->seqs[v].name) + 1;
		for (; j <= depth; j++)
			len += strlen(cfg->seqs[stack[j]].name) + 4;
		msg = p = xmalloc(len);
		for (j = depth; stack[j] != v; j--)
			;
		for (; j <= depth; j++)
			p += sprintf(p, "%s -> ", cfg->seqs[stack[j]].name);
		strcpy(p, cfg->seqs[v].name);
		cfg_error(ld, &ld->aux[u].need_nodes[k]->start_mark,
		    "dependency cycle: %s", msg);
		free(msg);
		return -1;
	}
	colour[u] = CFG_BLACK;
	return 0;
}

int
cfg_needs(struct cfg_loader *ld)
{
	struct config *cfg = ld->cfg;
	yaml_node_t *n;
	yaml_node_item_t *it;
	unsigned char *colour;
	size_t i, *stack;
	int rc = 0;

	ld->need_stamp = xcalloc(cfg->n_seqs, sizeof *ld->need_stamp);
	ld->by_name = cfg_named_index(cfg, false);
	ld->by_template = cfg_named_index(cfg, true);
	for (i = 0; i < cfg->n_seqs; i++) {
		if (strlen(cfg->seqs[i].name) > ld->name_max)
			ld->name_max = strlen(cfg->seqs[i].name);
		if (strlen(cfg->seqs[i].template_name) > ld->name_max)
			ld->name_max = strlen(cfg->seqs[i].template_name);
	}
	for (i = 0; i < cfg->n_seqs; i++) {
		if ((n = ld->aux[i].needs) == NULL)
			continue;
		if (n->type == YAML_SCALAR_NODE) {
			if (cfg_resolve_need(ld, i, n) != 0)
				return -1;
			continue;
		}
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			if (cfg_resolve_need(ld, i,
			    cfg_node(ld, *it)) != 0)
				return -1;
		}
	}

	colour = xcalloc(cfg->n_seqs, 1);
	stack = xcalloc(cfg->n_seqs, sizeof *stack);
	for (i = 0; i < cfg->n_seqs && rc == 0; i++) {
		if (colour[i] == CFG_WHITE)
			rc = cfg_visit(ld, i, colour, stack, 0);
	}
	free(stack);
	free(colour);
	return rc;
}
