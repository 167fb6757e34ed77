/* cfg_node.c: YAML nodes checked one by one (strings, integers, durations,
 * booleans, vars and env mappings) and the generic checker of a mapping
 * against its table of keys. */
#include "cfg.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "tmpl.h"
#include "xmalloc.h"

/* CFG_T_CHOICE lands as an int. */
_Static_assert(sizeof(enum cfg_on_failure) == sizeof(int),
    "an enum is an int");

const char *const cfg_on_failure_names[] = {
	"stop", "continue", "pause", NULL
};

/*
 * Durations.
 */

int
config_parse_duration(const char *text, double *seconds)
{
	const char *p = text;
	double total = 0, value, scale;
	bool digits;
	int groups;

	if (*p == '\0')
		return -1;
	for (groups = 0; *p != '\0'; groups++) {
		/*
		 * By hand rather than strtod: strtod follows LC_NUMERIC
		 * (the UI sets the locale) and accepts "inf", "0x1p3" and
		 * leading spaces, none of which is a duration.
		 */
		value = 0;
		digits = false;
		while (*p >= '0' && *p <= '9') {
			value = value * 10 + (*p++ - '0');
			digits = true;
		}
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			for (scale = 0.1; *p >= '0' && *p <= '9'; scale /= 10)
				value += (*p++ - '0') * scale;
			digits = true;
		}
		if (!digits)
			return -1;
		if (strncmp(p, "ms", 2) == 0) {
			value /= 1000;
			p += 2;
		} else if (*p == 's')
			p++;
		else if (*p == 'm') {
			value *= 60;
			p++;
		} else if (*p == 'h') {
			value *= 3600;
			p++;
		} else if (*p != '\0' || groups > 0) {
			/* Only a number on its own may go without a unit. */
			return -1;
		}
		total += value;
		if (!isfinite(total) || total > CONFIG_DURATION_MAX)
			return -1;
	}
	*seconds = total;
	return 0;
}

char *
config_format_duration(double seconds, char *buf, size_t size)
{
	return duration_format(seconds, DURATION_CONFIG, buf, size);
}

/*
 * Variable lists: one entry per name, a later value replaces an earlier one
 * in place so the order stays the order of first definition.
 */

void
cfg_kv_set(struct cfg_kv **v, size_t *n, size_t *cap, const char *name,
    char *value)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0) {
			free((*v)[i].value);
			(*v)[i].value = value;
			return;
		}
	}
	*v = xreallocarray_grow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].value = value;
	(*n)++;
}

void
cfg_kv_free(struct cfg_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

char *
cfg_join(const char *const *list)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; list[i] != NULL; i++)
		len += strlen(list[i]) + 2;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; list[i] != NULL; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, list[i]);
	}
	return s;
}

/*
 * Errors and nodes.
 */

static void
cfg_keep_error(struct cfg_loader *ld, char *where, char *msg)
{
	/* The first error is the one worth reading. */
	if (ld->err == NULL)
		ld->err = xasprintf("%s: error: %s", where, msg);
	free(where);
	free(msg);
}

int
cfg_error(struct cfg_loader *ld, const yaml_mark_t *mark, const char *fmt,
    ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (mark != NULL)
		cfg_keep_error(ld, xasprintf("%s:%zu:%zu", ld->file,
		    mark->line + 1, mark->column + 1), msg);
	else
		cfg_keep_error(ld, xstrdup(ld->file), msg);
	return -1;
}

/* An error in another file (a hosts file), at a line and column of its
 * own. */
int
cfg_file_error(struct cfg_loader *ld, const char *file, size_t line,
    size_t col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cfg_keep_error(ld, xasprintf("%s:%zu:%zu", file, line, col), msg);
	return -1;
}

yaml_node_t *
cfg_node(struct cfg_loader *ld, int index)
{
	return yaml_document_get_node(ld->doc, index);
}

const char *
cfg_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* YAML's null: an empty or ~ or null plain scalar. */
bool
cfg_is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = cfg_text(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/*
 * An unquoted value starting with "{{" is a YAML flow mapping whose key is
 * another one: {{host}} reads as { {host: null}: null }. Say so.
 */
bool
cfg_is_braces(struct cfg_loader *ld, const yaml_node_t *n)
{
	const yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE ||
	    n->data.mapping.style != YAML_FLOW_MAPPING_STYLE ||
	    n->data.mapping.pairs.start == n->data.mapping.pairs.top)
		return false;
	k = cfg_node(ld, n->data.mapping.pairs.start->key);
	return k->type == YAML_MAPPING_NODE &&
	    k->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
}

/* What a node is, for the "got ..." of a message. */
const char *
cfg_describe(struct cfg_loader *ld, const yaml_node_t *n, char *buf,
    size_t size)
{
	const char *s;
	size_t len;

	if (cfg_is_braces(ld, n))
		return CONFIG_BRACES_HINT;
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (cfg_is_null(n))
		return "nothing";
	s = cfg_text(n);
	len = strcspn(s, "\n");
	if (len > 40 || s[len] != '\0')
		snprintf(buf, size, "'%.*s...'", (int)(len > 40 ? 40 : len), s);
	else
		snprintf(buf, size, "'%s'", s);
	return buf;
}

int
cfg_expected(struct cfg_loader *ld, const yaml_node_t *n, const char *what,
    const char *ctx)
{
	char buf[64];

	return cfg_error(ld, &n->start_mark, "expected %s for %s, got %s",
	    what, ctx, cfg_describe(ld, n, buf, sizeof buf));
}

/* A string scalar (numbers and booleans are strings too), not null. The
 * result points into the document. */
int
cfg_string(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    const char **out)
{
	if (n->type != YAML_SCALAR_NODE || cfg_is_null(n))
		return cfg_expected(ld, n, "a string", ctx);
	if (strlen(cfg_text(n)) != n->data.scalar.length)
		return cfg_error(ld, &n->start_mark,
		    "%s contains a NUL character", ctx);
	*out = cfg_text(n);
	return 0;
}

int
cfg_nonempty(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    const char **out)
{
	if (cfg_string(ld, n, ctx, out) != 0)
		return -1;
	if (**out == '\0')
		return cfg_error(ld, &n->start_mark, "%s is empty", ctx);
	return 0;
}

static int
cfg_uint(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    unsigned long long min, unsigned long long max, unsigned long long *out)
{
	const char *s, *p;
	unsigned long long v = 0;
	bool neg = false;

	if (n->type != YAML_SCALAR_NODE || cfg_is_null(n))
		return cfg_expected(ld, n, "an integer", ctx);
	s = p = cfg_text(n);
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p == '\0' || p[strspn(p, "0123456789")] != '\0')
		return cfg_expected(ld, n, "an integer", ctx);
	for (; *p != '\0'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			v = ULLONG_MAX;
		else
			v = v * 10 + (unsigned)(*p - '0');
	}
	if ((neg && v != 0) || v < min)
		return cfg_error(ld, &n->start_mark,
		    "%s must be %llu or more, got %s", ctx, min, s);
	if (v > max)
		return cfg_error(ld, &n->start_mark,
		    "%s must be %llu or less, got %s", ctx, max, s);
	*out = v;
	return 0;
}

static int
cfg_bool(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", NULL };
	static const char *const no[] = { "false", "False", "FALSE", NULL };
	size_t i;

	/* YAML 1.2 booleans only: "yes" and "no" are too easy to mistake. */
	if (n->type == YAML_SCALAR_NODE) {
		for (i = 0; yes[i] != NULL; i++) {
			if (strcmp(cfg_text(n), yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(cfg_text(n), no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	return cfg_expected(ld, n, "true or false", ctx);
}

static int
cfg_duration(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    double *out)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || cfg_is_null(n))
		return cfg_expected(ld, n, "a duration", ctx);
	s = cfg_text(n);
	if (s[0] == '-' && config_parse_duration(s + 1, out) == 0)
		return cfg_error(ld, &n->start_mark,
		    "negative duration '%s' for %s", s, ctx);
	if (config_parse_duration(s, out) != 0)
		return cfg_error(ld, &n->start_mark,
		    "malformed duration '%s' for %s " CONFIG_DURATION_HINT,
		    s, ctx);
	return 0;
}

static int
cfg_choice(struct cfg_loader *ld, const yaml_node_t *n,
    const struct cfg_key *k, int *out)
{
	char buf[64], *valid;
	size_t i;
	int rc;

	if (n->type == YAML_SCALAR_NODE) {
		for (i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(cfg_text(n), k->choices[i]) == 0) {
				*out = (int)i;
				return 0;
			}
		}
	}
	valid = cfg_join(k->choices);
	rc = cfg_error(ld, &n->start_mark, "invalid %s %s (valid: %s)",
	    k->name, cfg_describe(ld, n, buf, sizeof buf), valid);
	free(valid);
	return rc;
}

/*
 * Keys of a mapping.
 */

static bool
cfg_key_exists(const struct cfg_table *t, const struct cfg_key *k)
{
	return t->only == 0 || (k->flags & t->only) != 0;
}

const struct cfg_key *
cfg_key(const struct cfg_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_keys; i++) {
		if (strcmp(t->keys[i].name, name) == 0)
			return &t->keys[i];
	}
	abort();
}

const struct cfg_field *
cfg_in_field(const struct cfg_in *in, const struct cfg_key *k)
{
	return &in->f[k - in->table->keys];
}

/* The keys of t, "a, b, c"; caller frees. */
static char *
cfg_table_names(const struct cfg_table *t)
{
	const char *names[CFG_KEYS_MAX + 1];
	size_t i, n = 0;

	for (i = 0; i < t->n_keys; i++) {
		if (cfg_key_exists(t, &t->keys[i]))
			names[n++] = t->keys[i].name;
	}
	names[n] = NULL;
	return cfg_join(names);
}

int
cfg_named_cmp(const void *a, const void *b)
{
	const struct cfg_named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * For each pair of map, the index of the first earlier pair with the same
 * key, or SIZE_MAX: by a sort, not a search per pair, as a mapping may
 * have a hundred thousand keys. Caller frees.
 */
static size_t *
cfg_keys_seen(struct cfg_loader *ld, const yaml_node_t *map)
{
	size_t n = (size_t)(map->data.mapping.pairs.top -
	    map->data.mapping.pairs.start), i, m = 0, first = 0;
	struct cfg_named *by = xcalloc(n + 1, sizeof *by);
	size_t *seen = xcalloc(n + 1, sizeof *seen);
	const yaml_node_t *k;

	for (i = 0; i < n; i++) {
		seen[i] = SIZE_MAX;
		k = cfg_node(ld, map->data.mapping.pairs.start[i].key);
		/* The first key that is not a string stops the check. */
		if (k->type != YAML_SCALAR_NODE)
			break;
		by[m].name = cfg_text(k);
		by[m++].index = i;
	}
	qsort(by, m, sizeof *by, cfg_named_cmp);
	for (i = 1; i < m; i++) {
		if (strcmp(by[i].name, by[i - 1].name) != 0)
			first = i;
		else
			seen[by[i].index] = by[first].index;
	}
	free(by);
	return seen;
}

/*
 * The keys of a mapping, in file order: each a string, none twice, and
 * (with in) each one of the table's, whose values land in in->f.
 */
static int
cfg_keys(struct cfg_loader *ld, yaml_node_t *map, struct cfg_in *in)
{
	const struct cfg_table *t = in != NULL ? in->table : NULL;
	yaml_node_pair_t *pair;
	yaml_node_t *k, *pk;
	size_t i, *seen;
	char buf[64], *valid;
	int rc = 0;

	if (t != NULL) {
		if (t->n_keys > CFG_KEYS_MAX)
			abort();
		memset(in->f, 0, sizeof in->f);
	}
	seen = cfg_keys_seen(ld, map);
	for (pair = map->data.mapping.pairs.start;
	    rc == 0 && pair < map->data.mapping.pairs.top; pair++) {
		k = cfg_node(ld, pair->key);
		if (k->type == YAML_MAPPING_NODE &&
		    k->data.mapping.style == YAML_FLOW_MAPPING_STYLE &&
		    map->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
			rc = cfg_error(ld, &map->start_mark,
			    "expected a string, got " CONFIG_BRACES_HINT);
			break;
		}
		if (k->type != YAML_SCALAR_NODE) {
			rc = cfg_error(ld, &k->start_mark,
			    "expected a string as a key, got %s",
			    cfg_describe(ld, k, buf, sizeof buf));
			break;
		}
		if (cfg_is_null(k)) {
			rc = cfg_error(ld, &k->start_mark, "empty key");
			break;
		}
		i = seen[pair - map->data.mapping.pairs.start];
		if (i != SIZE_MAX) {
			pk = cfg_node(ld, map->data.mapping.pairs.start[i].key);
			rc = cfg_error(ld, &k->start_mark,
			    "duplicate key '%s' (first at line %zu)",
			    cfg_text(k), pk->start_mark.line + 1);
			break;
		}
		if (t == NULL ||
		    (t->extensions && strncmp(cfg_text(k), "x-", 2) == 0))
			continue;
		for (i = 0; i < t->n_keys; i++) {
			if (cfg_key_exists(t, &t->keys[i]) &&
			    strcmp(t->keys[i].name, cfg_text(k)) == 0)
				break;
		}
		if (i == t->n_keys) {
			valid = cfg_table_names(t);
			rc = cfg_error(ld, &k->start_mark,
			    "unknown key '%s' %s (valid: %s)", cfg_text(k),
			    t->where, valid);
			free(valid);
			break;
		}
		in->f[i].key = k;
		in->f[i].val = cfg_node(ld, pair->value);
	}
	free(seen);
	return rc;
}

int
cfg_table_fields(struct cfg_in *in)
{
	return cfg_keys(in->ld, in->map, in);
}

/* The action key of kind, whose name names the kind in messages. */
static const struct cfg_key *
cfg_kind_key(const struct cfg_table *t, unsigned kind)
{
	size_t i;

	for (i = 0; i < t->n_keys; i++) {
		if ((t->keys[i].flags & CFG_ACTION) && t->keys[i].kinds == kind)
			return &t->keys[i];
	}
	abort();
}

int
cfg_table_applies(struct cfg_in *in)
{
	const struct cfg_table *t = in->table;
	const struct cfg_key *k;
	size_t i;

	if (in->kind == 0)
		return 0;
	for (i = 0; i < t->n_keys; i++) {
		k = &t->keys[i];
		if (in->f[i].key == NULL || (k->kinds & in->kind) != 0)
			continue;
		if (k->na != NULL && (in->kind & CFG_K_PROCESS))
			return cfg_error(in->ld, &in->f[i].key->start_mark,
			    "'%s' %s", k->name, k->na);
		return cfg_error(in->ld, &in->f[i].key->start_mark,
		    "'%s' does not apply to a %s step", k->name,
		    cfg_kind_key(t, in->kind)->name);
	}
	return 0;
}

const char *
cfg_word_problem(const char *s)
{
	const unsigned char *p;

	if (*s == '\0')
		return "is empty";
	if (*s == '-')
		return "starts with '-' (ssh would take it for an option)";
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f)
			return "contains a blank or a control character";
	}
	return NULL;
}

/* Check a string value of k; *out is it, expanded when k says so (then
 * owned by the caller, else NULL). */
static int
cfg_string_value(struct cfg_in *in, const struct cfg_key *k,
    const yaml_node_t *v, const char *ctx, const char **s, char **out)
{
	struct cfg_loader *ld = in->ld;
	const char *why;

	*out = NULL;
	switch (k->type) {
	case CFG_T_COMMAND:
		if (cfg_string(ld, v, ctx, s) != 0)
			return -1;
		if ((*s)[strspn(*s, " \t\n")] == '\0')
			return cfg_error(ld, &v->start_mark, "%s is empty",
			    ctx);
		break;
	case CFG_T_WORD:
		if (cfg_string(ld, v, ctx, s) != 0)
			return -1;
		if ((why = cfg_word_problem(*s)) != NULL)
			return cfg_error(ld, &v->start_mark, "%s %s", ctx,
			    why);
		break;
	default:
		if (cfg_nonempty(ld, v, ctx, s) != 0)
			return -1;
		break;
	}
	if ((k->flags & (CFG_EXPAND | CFG_KEEP)) == CFG_EXPAND &&
	    (*out = cfg_expand(ld, v, in->vars, in->n_vars)) == NULL)
		return -1;
	return 0;
}

int
cfg_table_value(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *v)
{
	struct cfg_loader *ld = in->ld;
	char *at = (char *)in->base + k->at, ctx[64], *exp, **sp;
	const char *s = NULL;
	bool keep = (k->flags & CFG_KEEP) != 0;
	unsigned long long u = 0;
	double d = 0;
	bool b = false;
	int c = 0;

	snprintf(ctx, sizeof ctx, "'%s'", k->name);
	switch (k->type) {
	case CFG_T_STRING:
	case CFG_T_COMMAND:
	case CFG_T_WORD:
	case CFG_T_PATH:
		if (cfg_string_value(in, k, v, ctx, &s, &exp) != 0)
			return -1;
		if (keep)
			break;
		sp = (char **)(void *)at;
		free(*sp);
		if (k->type == CFG_T_PATH) {
			*sp = cfg_resolve(ld->cfg, exp != NULL ? exp : s);
			free(exp);
		} else
			*sp = exp != NULL ? exp : xstrdup(s);
		break;
	case CFG_T_UINT:
	case CFG_T_SIZE:
		if (cfg_uint(ld, v, ctx, k->min, k->max, &u) != 0)
			return -1;
		if (keep)
			break;
		if (k->type == CFG_T_UINT)
			*(unsigned *)(void *)at = (unsigned)u;
		else
			*(size_t *)(void *)at = (size_t)u;
		break;
	case CFG_T_DURATION:
		if (cfg_duration(ld, v, ctx, &d) != 0)
			return -1;
		if (!keep)
			*(double *)(void *)at = d;
		break;
	case CFG_T_BOOL:
		if (cfg_bool(ld, v, ctx, &b) != 0)
			return -1;
		if (!keep)
			*(bool *)(void *)at = b;
		break;
	case CFG_T_CHOICE:
		/* A mapping is the parse function's (on_failure's handler). */
		if (v->type == YAML_MAPPING_NODE && k->parse != NULL)
			break;
		if (cfg_choice(ld, v, k, &c) != 0)
			return -1;
		if (!keep)
			*(int *)(void *)at = c;
		break;
	case CFG_T_TAGS:
		if (cfg_host_tags(ld, v, (struct cfg_host *)in->base) != 0)
			return -1;
		break;
	case CFG_T_FUNC:
		break;
	}
	if (k->parse != NULL && k->parse(in, k, v) != 0)
		return -1;
	if (keep)
		*(yaml_node_t **)(void *)at = v;
	return 0;
}

int
cfg_table_values(struct cfg_in *in)
{
	size_t i;

	for (i = 0; i < in->table->n_keys; i++) {
		if (in->f[i].val != NULL &&
		    cfg_table_value(in, &in->table->keys[i], in->f[i].val) != 0)
			return -1;
	}
	return 0;
}

int
cfg_table_check(struct cfg_in *in)
{
	if (cfg_table_fields(in) != 0 || cfg_table_applies(in) != 0)
		return -1;
	return cfg_table_values(in);
}

static size_t
cfg_type_size(enum cfg_type type)
{
	switch (type) {
	case CFG_T_UINT:
		return sizeof(unsigned);
	case CFG_T_SIZE:
		return sizeof(size_t);
	case CFG_T_DURATION:
		return sizeof(double);
	case CFG_T_BOOL:
		return sizeof(bool);
	case CFG_T_CHOICE:
		return sizeof(int);
	default:
		/* A default a sequence gives its steps is a scalar. */
		abort();
	}
}

void
cfg_step_defaults(const struct cfg_table *steps, unsigned kind,
    const struct cfg_step *src, struct cfg_step *dst)
{
	const struct cfg_key *k;
	size_t i;

	for (i = 0; i < steps->n_keys; i++) {
		k = &steps->keys[i];
		if ((k->flags & CFG_DEFAULT) && (k->kinds & kind) != 0)
			memcpy((char *)dst + k->at, (const char *)src + k->at,
			    cfg_type_size(k->type));
	}
}

/*
 * Mappings of names.
 */

int
cfg_mapping(struct cfg_loader *ld, yaml_node_t *n, const char *ctx)
{
	if (n->type != YAML_MAPPING_NODE)
		return cfg_expected(ld, n, "a mapping", ctx);
	return cfg_keys(ld, n, NULL);
}

/* A mapping of names to strings: vars (names as {{name}} has them) or
 * env (names without '='). */
static int
cfg_check_names(struct cfg_loader *ld, yaml_node_t *map, const char *ctx,
    bool env)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	const char *name, *value;
	char what[128];

	if (cfg_mapping(ld, map, ctx) != 0)
		return -1;
	if (map->data.mapping.pairs.top - map->data.mapping.pairs.start >
	    CONFIG_NAMES_MAX)
		return cfg_error(ld, &map->start_mark, "%s has more than %d "
		    "entries", ctx, CONFIG_NAMES_MAX);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = cfg_node(ld, pair->key);
		name = cfg_text(k);
		if (!env && !tmpl_valid_name(name))
			return cfg_error(ld, &k->start_mark,
			    "invalid variable name '%s' (use letters, digits, "
			    "'_' and '-')", name);
		if (env && (*name == '\0' || strchr(name, '=') != NULL ||
		    strlen(name) != k->data.scalar.length))
			return cfg_error(ld, &k->start_mark,
			    "invalid environment variable name '%s'", name);
		if (env)
			snprintf(what, sizeof what, "'%s' in env", name);
		else
			snprintf(what, sizeof what, "variable '%s'", name);
		if (cfg_string(ld, cfg_node(ld, pair->value), what,
		    &value) != 0)
			return -1;
	}
	return 0;
}

int
cfg_check_vars(struct cfg_loader *ld, yaml_node_t *map, const char *ctx)
{
	return cfg_check_names(ld, map, ctx, false);
}

int
cfg_check_env(struct cfg_loader *ld, yaml_node_t *map)
{
	return cfg_check_names(ld, map, "'env'", true);
}

int
cfg_parse_vars(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *v)
{
	char ctx[64];

	snprintf(ctx, sizeof ctx, "'%s'", k->name);
	return cfg_check_vars(in->ld, v, ctx);
}

int
cfg_parse_env(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *v)
{
	(void)k;
	return cfg_check_env(in->ld, v);
}

int
cfg_charge(struct cfg_loader *ld, const yaml_mark_t *mark, size_t n)
{
	ld->plan_bytes += n + CFG_ENTRY_COST;
	if (ld->plan_bytes <= CONFIG_PLAN_MAX)
		return 0;
	return cfg_error(ld, mark, "the plan is larger than %d MiB once "
	    "expanded (matrices, aliases and {{vars}} multiply it)",
	    CONFIG_PLAN_MAX >> 20);
}

/* Expand a scalar already checked to be a string; errors point at it.
 * The result is charged to the plan. */
char *
cfg_expand(struct cfg_loader *ld, const yaml_node_t *n,
    const struct cfg_kv *vars, size_t n_vars)
{
	char *s, *msg;
	bool deferred = false;

	if (ld->deferring) {
		s = tmpl_expand_defer(cfg_text(n), vars, n_vars,
		    CONFIG_PLAN_MAX - ld->plan_bytes, cfg_dyn_defer, ld,
		    &deferred, &msg, NULL);
		ld->deferred |= deferred;
	} else
		s = tmpl_expand_max(cfg_text(n), vars, n_vars,
		    CONFIG_PLAN_MAX - ld->plan_bytes, &msg, NULL);
	if (s == NULL) {
		if (msg == NULL)
			cfg_charge(ld, &n->start_mark, CONFIG_PLAN_MAX);
		else
			cfg_error(ld, &n->start_mark, "%s", msg);
		free(msg);
		return NULL;
	}
	if (cfg_charge(ld, &n->start_mark, strlen(s)) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Add (or replace) the entries of an env mapping, expanded. */
int
cfg_add_env(struct cfg_loader *ld, yaml_node_t *map,
    const struct cfg_kv *vars, size_t n_vars, struct cfg_kv **env,
    size_t *n_env, size_t *cap)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	char *value;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = cfg_node(ld, pair->key);
		if (cfg_charge(ld, &k->start_mark, strlen(cfg_text(k))) != 0 ||
		    (value = cfg_expand(ld, cfg_node(ld, pair->value), vars,
		    n_vars)) == NULL)
			return -1;
		cfg_kv_set(env, n_env, cap, cfg_text(k), value);
	}
	return 0;
}

/* Add (or replace) the entries of a vars mapping already checked,
 * charged to the plan. */
int
cfg_add_vars(struct cfg_loader *ld, yaml_node_t *map, struct cfg_kv **v,
    size_t *n, size_t *cap)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *val;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = cfg_node(ld, pair->key);
		val = cfg_node(ld, pair->value);
		if (cfg_charge(ld, &k->start_mark, strlen(cfg_text(k)) +
		    strlen(cfg_text(val))) != 0)
			return -1;
		cfg_kv_set(v, n, cap, cfg_text(k), xstrdup(cfg_text(val)));
	}
	return 0;
}
