/* cfg_grow.c: a fan-out at run time. When the value a placeholder
 * (matrix: {KEY: {from: NAME}}, hosts: {from: NAME}) takes its values from
 * is captured, the placeholder's sequences are made from it and appended
 * to the plan: one per non-empty line, per item of a JSON array, or per
 * line of the hosts-file format (then with a host of its own). */
#include "cfg.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "xmalloc.h"

/* One value of the fan-out: the variables it gives (KEY first), and its
 * host (hosts:), or -1. */
struct cfg_item {
	struct cfg_kv *vars;
	size_t n_vars, cap;
	long host;
};

struct cfg_items {
	struct cfg_item *v;
	size_t n, cap;
};

static struct cfg_item *
cfg_item_new(struct cfg_items *items)
{
	struct cfg_item *it;

	items->v = xreallocarray_grow(items->v, &items->cap, items->n + 1,
	    sizeof *items->v);
	it = &items->v[items->n++];
	memset(it, 0, sizeof *it);
	it->host = -1;
	return it;
}

static void
cfg_items_free(struct cfg_items *items)
{
	for (size_t i = 0; i < items->n; i++)
		cfg_kv_free(items->v[i].vars, items->v[i].n_vars);
	free(items->v);
}

/* Where a mistake of the value is: "capture 'machines'" (a line of its
 * own, as a hosts file's). */
static char *
cfg_grow_where(const struct cfg_fanout *fo)
{
	return xasprintf("the value captured as '%s'", fo->from);
}

/* hosts: {from: ...}: each line a host, NAME [address=... user=...
 * port=... identity=... tags=...], with the host_defaults. */
static int
cfg_grow_hosts(struct config *cfg, const struct cfg_fanout *fo,
    const char *value, struct cfg_items *items, char **err)
{
	struct cfg_host none = { .multiplex = true };
	struct cfg_loader ld;
	char *where = cfg_grow_where(fo), *copy = xstrdup(value), *line, *next;
	size_t lineno = 0, before;
	struct cfg_item *it;
	int rc = 0;

	memset(&ld, 0, sizeof ld);
	ld.cfg = cfg;
	ld.file = where;
	ld.host_cap = cfg->n_hosts;
	for (line = copy; rc == 0 && line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		before = cfg->n_hosts;
		rc = cfg_hosts_line(&ld, where, lineno, line,
		    cfg->host_defaults != NULL ? cfg->host_defaults : &none);
		if (rc != 0 || cfg->n_hosts == before)
			continue;
		it = cfg_item_new(items);
		it->host = (long)before;
		cfg_kv_set(&it->vars, &it->n_vars, &it->cap, "host",
		    xstrdup(cfg->hosts[before].name));
		cfg_kv_set(&it->vars, &it->n_vars, &it->cap, "host_address",
		    xstrdup(cfg->hosts[before].address));
	}
	if (rc != 0)
		*err = ld.err;
	else
		free(ld.err);
	free(copy);
	free(where);
	return rc;
}

/* A JSON array (read by libyaml: JSON is YAML's flow style) of strings,
 * or of objects of scalars: {{KEY}} is a string, or an object's field
 * KEY, else its field "name", else its first field; each field F is
 * {{KEY_F}} too. */
static int
cfg_grow_json(const struct cfg_fanout *fo, const char *value,
    struct cfg_items *items, char **err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *n, *k, *v;
	yaml_node_item_t *i;
	yaml_node_pair_t *p;
	struct cfg_item *it;
	const char *key, *main, *main_key = NULL;
	char *name;
	int rc = -1;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)value,
	    strlen(value));
	if (!yaml_parser_load(&parser, &doc)) {
		*err = xasprintf("the value captured as '%s' starts with '[' "
		    "but is not a JSON array: %s at line %zu", fo->from,
		    parser.problem != NULL ? parser.problem : "a syntax error",
		    parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_SEQUENCE_NODE) {
		*err = xasprintf("the value captured as '%s' is not a JSON "
		    "array", fo->from);
		goto out;
	}
	for (i = root->data.sequence.items.start;
	    i < root->data.sequence.items.top; i++) {
		n = yaml_document_get_node(&doc, *i);
		it = cfg_item_new(items);
		if (n->type == YAML_SCALAR_NODE) {
			cfg_kv_set(&it->vars, &it->n_vars, &it->cap, fo->key,
			    xstrdup((const char *)n->data.scalar.value));
			continue;
		}
		if (n->type != YAML_MAPPING_NODE ||
		    n->data.mapping.pairs.start == n->data.mapping.pairs.top) {
			*err = xasprintf("item %zu of the value captured as "
			    "'%s' is neither a string nor an object of "
			    "strings", (size_t)(i -
			    root->data.sequence.items.start) + 1, fo->from);
			goto out;
		}
		/* {{KEY}}: the field KEY, else "name", else the first. */
		main = NULL;
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(&doc, p->key);
			v = yaml_document_get_node(&doc, p->value);
			if (k->type != YAML_SCALAR_NODE ||
			    v->type != YAML_SCALAR_NODE ||
			    !tmpl_valid_name((const char *)
			    k->data.scalar.value)) {
				*err = xasprintf("item %zu of the value "
				    "captured as '%s' has a field that is not "
				    "NAME: string", (size_t)(i -
				    root->data.sequence.items.start) + 1,
				    fo->from);
				goto out;
			}
			key = (const char *)k->data.scalar.value;
			if (main == NULL || strcmp(key, fo->key) == 0 ||
			    (strcmp(key, "name") == 0 &&
			    strcmp(main_key, fo->key) != 0)) {
				main_key = key;
				main = (const char *)v->data.scalar.value;
			}
		}
		cfg_kv_set(&it->vars, &it->n_vars, &it->cap, fo->key,
		    xstrdup(main));
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(&doc, p->key);
			v = yaml_document_get_node(&doc, p->value);
			name = xasprintf("%s_%s", fo->key,
			    (const char *)k->data.scalar.value);
			cfg_kv_set(&it->vars, &it->n_vars, &it->cap, name,
			    xstrdup((const char *)v->data.scalar.value));
			free(name);
		}
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* The values: a JSON array, or one per non-empty line. */
static int
cfg_grow_values(const struct cfg_fanout *fo, const char *value,
    struct cfg_items *items, char **err)
{
	const char *p = value + strspn(value, " \t\r\n"), *end;
	size_t len;
	struct cfg_item *it;
	char *v;

	if (*p == '[')
		return cfg_grow_json(fo, p, items, err);
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' ||
		    p[len - 1] == '\t'))
			len--;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len == 0)
			continue;
		it = cfg_item_new(items);
		v = xmalloc(len + 1);
		memcpy(v, p, len);
		v[len] = '\0';
		cfg_kv_set(&it->vars, &it->n_vars, &it->cap, fo->key, v);
	}
	return 0;
}

/* Defer what the item does not give: the captures, for run time. */
static bool
cfg_grow_defer(void *arg, const char *name, size_t len, bool known)
{
	(void)arg;
	(void)name;
	(void)len;
	return !known;
}

/*
 * A placeholder's string (a template) with the item's variables: a
 * template still when a reference is left (*late), else the final text.
 * NULL stays NULL.
 */
static char *
cfg_grow_str(const char *tmpl, const struct cfg_kv *vars, size_t n_vars,
    bool *late, char **err)
{
	char *t, *final;
	bool deferred = false;

	if (tmpl == NULL)
		return NULL;
	t = tmpl_expand_defer(tmpl, vars, n_vars, CONFIG_PLAN_MAX,
	    cfg_grow_defer, NULL, &deferred, err, NULL);
	if (t == NULL || deferred) {
		if (deferred && late != NULL)
			*late = true;
		return t;
	}
	final = tmpl_expand(t, NULL, 0, err, NULL);
	free(t);
	return final;
}

/* A step of the placeholder for an item: a late one's strings expanded
 * (still templates, and late, when a capture is left in them), another's
 * copied. */
static int
cfg_grow_step(const struct cfg_step *src, struct cfg_step *dst,
    const struct cfg_kv *vars, size_t n_vars, char **err)
{
	char *const *from[] = { &src->name, &src->run, &src->to, &src->cwd,
	    &src->cond, &src->wait.target, &src->wait.match,
	    &src->wait.seq_name };
	char **to[] = { &dst->name, &dst->run, &dst->to, &dst->cwd,
	    &dst->cond, &dst->wait.target, &dst->wait.match,
	    &dst->wait.seq_name };
	size_t n_to = sizeof to / sizeof to[0], i;
	char ***s;
	bool late = false, one;
	char *t;

	*dst = *src;
	dst->env = NULL;
	dst->n_env = 0;
	dst->capture = src->capture != NULL ? xstrdup(src->capture) : NULL;
	for (i = 0; i < n_to; i++)
		*to[i] = *from[i] != NULL ? xstrdup(*from[i]) : NULL;
	if (src->n_env > 0)
		dst->env = xcalloc(src->n_env, sizeof *dst->env);
	for (; dst->n_env < src->n_env; dst->n_env++) {
		dst->env[dst->n_env].name = xstrdup(src->env[dst->n_env].name);
		dst->env[dst->n_env].value =
		    xstrdup(src->env[dst->n_env].value);
	}
	if (!src->late)
		return 0;
	/* The templates with the item's values; final text when no capture
	 * is left in any of them. */
	s = xcalloc(n_to + src->n_env, sizeof *s);
	memcpy(s, to, sizeof to);
	for (i = 0; i < src->n_env; i++)
		s[n_to++] = &dst->env[i].value;
	for (i = 0; i < n_to; i++) {
		if (*s[i] == NULL)
			continue;
		one = false;
		t = tmpl_expand_defer(*s[i], vars, n_vars, CONFIG_PLAN_MAX,
		    cfg_grow_defer, NULL, &one, err, NULL);
		if (t == NULL)
			goto fail;
		late |= one;
		free(*s[i]);
		*s[i] = t;
	}
	for (i = 0; i < n_to && !late; i++) {
		if (*s[i] == NULL)
			continue;
		if ((t = tmpl_expand(*s[i], NULL, 0, err, NULL)) == NULL)
			goto fail;
		free(*s[i]);
		*s[i] = t;
	}
	free(s);
	dst->late = late;
	return 0;
fail:
	free(s);
	return -1;
}

static bool
cfg_grow_only(const struct config *cfg, const char *name)
{
	if (cfg->n_only == 0)
		return true;
	for (size_t k = 0; k < cfg->n_only; k++) {
		if (fnmatch(cfg->only[k], name, 0) == 0)
			return true;
	}
	return false;
}

/* The sequence placeholder ph makes for item it (index made among its
 * own), in *seq (zeroed). */
static int
cfg_grow_seq(const struct cfg_seq *ph,
    const struct cfg_item *it, long made, struct cfg_seq *seq, char **err)
{
	const struct cfg_fanout *fo = ph->fanout;
	size_t cap = 0, i;
	char *name;

	seq->template_name = xstrdup(ph->template_name);
	seq->line = ph->line;
	seq->column = ph->column;
	seq->host = it->host >= 0 ? it->host : ph->host;
	seq->index = made;
	if ((seq->name = cfg_grow_str(ph->name, it->vars, it->n_vars, NULL,
	    err)) == NULL)
		return -1;
	/* The key's value is in the name, as a matrix's is. */
	if (!tmpl_uses(ph->template_name, fo->key)) {
		name = xasprintf("%s %s", seq->name, it->vars[0].value);
		free(seq->name);
		seq->name = name;
	}
	if (ph->cwd != NULL && (seq->cwd = cfg_grow_str(ph->cwd, it->vars,
	    it->n_vars, NULL, err)) == NULL)
		return -1;
	if (ph->n_env > 0)
		seq->env = xcalloc(ph->n_env, sizeof *seq->env);
	for (i = 0; i < ph->n_env; i++, seq->n_env++) {
		seq->env[i].name = xstrdup(ph->env[i].name);
		if ((seq->env[i].value = cfg_grow_str(ph->env[i].value,
		    it->vars, it->n_vars, NULL, err)) == NULL) {
			free(seq->env[i].name);
			return -1;
		}
	}
	for (i = 0; i < ph->n_vars; i++)
		cfg_kv_set(&seq->vars, &seq->n_vars, &cap, ph->vars[i].name,
		    xstrdup(ph->vars[i].value));
	for (i = 0; i < it->n_vars; i++)
		cfg_kv_set(&seq->vars, &seq->n_vars, &cap, it->vars[i].name,
		    xstrdup(it->vars[i].value));
	if (ph->n_needs > 0) {
		seq->needs = xcalloc(ph->n_needs, sizeof *seq->needs);
		memcpy(seq->needs, ph->needs, ph->n_needs * sizeof *seq->needs);
		seq->n_needs = ph->n_needs;
	}
	seq->steps = xcalloc(ph->n_all ? ph->n_all : 1, sizeof *seq->steps);
	seq->n_steps = ph->n_steps;
	seq->finally_at = ph->finally_at;
	seq->n_finally = ph->n_finally;
	for (i = 0; i < ph->n_all; i++, seq->n_all++) {
		if (cfg_grow_step(&ph->steps[i], &seq->steps[i], it->vars,
		    it->n_vars, err) != 0) {
			cfg_step_clear(&seq->steps[i]);
			return -1;
		}
	}
	return 0;
}

int
config_grow(struct config *cfg, size_t p, const char *value, size_t *first,
    size_t *n, char **err)
{
	const struct cfg_fanout *fo;
	struct cfg_items items = { 0 };
	struct cfg_seq *made = NULL;
	size_t n_made = 0, hosts_before = cfg->n_hosts, i, j;
	char *msg = NULL;
	int rc = -1;

	*err = NULL;
	*first = cfg->n_seqs;
	*n = 0;
	if (p >= cfg->n_seqs || (fo = cfg->seqs[p].fanout) == NULL) {
		*err = xstrdup("not a fan-out");
		return -1;
	}
	if ((fo->hosts ? cfg_grow_hosts(cfg, fo, value, &items, &msg) :
	    cfg_grow_values(fo, value, &items, &msg)) != 0)
		goto out;
	if (cfg->n_seqs + items.n > CONFIG_SEQS_MAX) {
		msg = xasprintf("'%s' gives %zu values: more than %d "
		    "sequences in all", fo->from, items.n, CONFIG_SEQS_MAX);
		goto out;
	}
	made = xcalloc(items.n ? items.n : 1, sizeof *made);
	for (i = 0; i < items.n; i++) {
		struct cfg_seq *seq = &made[n_made];
		memset(seq, 0, sizeof *seq);
		if (cfg_grow_seq(&cfg->seqs[p], &items.v[i], (long)i, seq,
		    &msg) != 0) {
			cfg_seq_clear(seq);
			goto out;
		}
		for (j = 0; j < cfg->n_seqs + n_made && msg == NULL; j++) {
			const char *other = j < cfg->n_seqs ?
			    cfg->seqs[j].name : made[j - cfg->n_seqs].name;
			if (strcmp(other, seq->name) == 0)
				msg = xasprintf("'%s' makes the sequence '%s' "
				    "twice (value %zu): a sequence of that "
				    "name is there", fo->from, seq->name,
				    i + 1);
		}
		if (msg != NULL) {
			cfg_seq_clear(seq);
			goto out;
		}
		/* --only: the names made are matched as the file's are. */
		if (!cfg_grow_only(cfg, seq->name)) {
			cfg_seq_clear(seq);
			continue;
		}
		n_made++;
	}
	if (n_made > 0) {
		cfg->seqs = xrealloc(cfg->seqs, (cfg->n_seqs + n_made) *
		    sizeof *cfg->seqs);
		memcpy(&cfg->seqs[cfg->n_seqs], made, n_made * sizeof *made);
		cfg->n_seqs += n_made;
	}
	*n = n_made;
	n_made = 0;
	rc = 0;
out:
	for (i = 0; i < n_made; i++)
		cfg_seq_clear(&made[i]);
	free(made);
	cfg_items_free(&items);
	if (rc != 0) {
		/* Nothing of it is kept: the hosts it made go too. */
		for (i = hosts_before; i < cfg->n_hosts; i++)
			cfg_host_clear(&cfg->hosts[i]);
		cfg->n_hosts = hosts_before;
		*err = msg;
	}
	return rc;
}
