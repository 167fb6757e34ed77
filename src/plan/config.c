/* config.c: the YAML file turned into a plan: the file read and parsed,
 * the top level of the document, and the plan's lifetime. The parts:
 * cfg_node.c (nodes, and the generic checker of a mapping's table of
 * keys), cfg_hosts.c (the inventory), cfg_seq.c (sequences, steps,
 * matrices, needs), cfg_print.c (the plan as `drove check` prints it). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cfg.h"
#include "tmpl.h"
#include "xmalloc.h"

/*
 * Paths.
 */

const char *
cfg_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && *home != '\0')
		return home;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL)
		return pw->pw_dir;
	return "/";
}

char *
config_default_log_dir(void)
{
	const char *state = getenv("XDG_STATE_HOME");

	/* The XDG spec says to ignore a relative value. */
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/drove/runs", state);
	return xasprintf("%s/.local/state/drove/runs", cfg_home());
}

static char *
cfg_getcwd(void)
{
	char *cwd = getcwd(NULL, 0);

	return cwd != NULL ? cwd : xstrdup(".");
}

/* The directory holding path, absolute. */
static char *
cfg_dir_of(const char *path)
{
	char *copy = xstrdup(path), *slash, *dir, *cwd;

	slash = strrchr(copy, '/');
	if (slash == NULL) {
		free(copy);
		return cfg_getcwd();
	}
	if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	/* realpath, so "../x" in the config means what the kernel thinks. */
	if ((dir = realpath(copy, NULL)) == NULL) {
		if (copy[0] == '/')
			dir = xstrdup(copy);
		else {
			cwd = cfg_getcwd();
			dir = xasprintf("%s/%s", cwd, copy);
			free(cwd);
		}
	}
	free(copy);
	return dir;
}

/* A path from the config: "~/" is the home directory and a relative path
 * is relative to the config file's directory. */
char *
cfg_resolve(const struct config *cfg, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return xasprintf("%s%s", cfg_home(), path + 1);
	while (path[0] == '.' && path[1] == '/')
		path += 2 + strspn(path + 2, "/");
	if (strcmp(path, ".") == 0 || path[0] == '\0')
		return xstrdup(cfg->dir);
	if (strcmp(cfg->dir, "/") == 0)
		return xasprintf("/%s", path);
	return xasprintf("%s/%s", cfg->dir, path);
}

/*
 * The top level.
 */

/* Where the top level's keys land: each is checked in cfg_top, in an
 * order of its own (host_defaults before hosts, sequences last). */
struct cfg_top {
	yaml_node_t *settings, *vars, *env, *env_file, *hosts, *host_defaults;
	yaml_node_t *sequences;
};

static const struct cfg_key cfg_top_keys[] = {
	{ .name = "settings", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, settings) },
	{ .name = "vars", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, vars) },
	{ .name = "env", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, env) },
	{ .name = "env_file", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, env_file) },
	{ .name = "hosts", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, hosts) },
	{ .name = "host_defaults", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, host_defaults) },
	{ .name = "sequences", .type = CFG_T_FUNC, .flags = CFG_KEEP,
	  .at = offsetof(struct cfg_top, sequences) },
};
/* "x-" keys are ignored: a place to define YAML anchors (as in
 * docker-compose). */
static const struct cfg_table cfg_top_table =
    CFG_TABLE("at the top level", cfg_top_keys, 0, true);

/* max_log: 0, or room for a head, the marker and a tail. */
static int
cfg_parse_max_log(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *v)
{
	size_t n = *(size_t *)(void *)((char *)in->base + k->at);

	if (n != 0 && n < CONFIG_MAX_LOG_MIN)
		return cfg_error(in->ld, &v->start_mark, "'max_log' must be 0 "
		    "(no limit) or at least %llu bytes, got %zu",
		    CONFIG_MAX_LOG_MIN, n);
	return 0;
}

/* secret_vars: a list of variable names. */
static int
cfg_parse_secret_vars(struct cfg_in *in, const struct cfg_key *k,
    yaml_node_t *v)
{
	struct cfg_loader *ld = in->ld;
	struct config *cfg = in->base;
	yaml_node_item_t *it;
	const char *name;
	size_t n;

	(void)k;
	if (v->type != YAML_SEQUENCE_NODE)
		return cfg_expected(ld, v, "a list of variable names",
		    "'secret_vars'");
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > CONFIG_NAMES_MAX)
		return cfg_error(ld, &v->start_mark, "'secret_vars' has more "
		    "than %d entries", CONFIG_NAMES_MAX);
	cfg->secret_vars = xcalloc(n ? n : 1, sizeof *cfg->secret_vars);
	for (it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = cfg_node(ld, *it);
		if (cfg_nonempty(ld, e, "an entry of 'secret_vars'", &name) != 0)
			return -1;
		if (!tmpl_valid_name(name))
			return cfg_error(ld, &e->start_mark, "invalid variable "
			    "name '%s' in 'secret_vars' (use letters, digits, "
			    "'_' and '-')", name);
		cfg->secret_vars[cfg->n_secret_vars++] = xstrdup(name);
	}
	return 0;
}

bool
config_secret_var(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_secret_vars; i++)
		if (strcmp(cfg->secret_vars[i], name) == 0)
			return true;
	return false;
}

void
cfg_secrets_of(struct cfg_loader *ld, const struct cfg_kv *v, size_t n)
{
	struct config *cfg = ld->cfg;

	for (size_t i = 0; cfg->n_secret_vars > 0 && i < n; i++) {
		size_t k;

		if (!config_secret_var(cfg, v[i].name) || *v[i].value == '\0')
			continue;
		for (k = 0; k < cfg->n_secret_values; k++)
			if (strcmp(cfg->secret_values[k], v[i].value) == 0)
				break;
		if (k < cfg->n_secret_values)
			continue;
		cfg->secret_values = xrealloc(cfg->secret_values, (k + 1) *
		    sizeof *cfg->secret_values);
		cfg->secret_values[cfg->n_secret_values++] =
		    xstrdup(v[i].value);
	}
}

static const struct cfg_key cfg_settings_keys[] = {
	{ .name = "shell", .type = CFG_T_STRING,
	  .at = offsetof(struct config, shell) },
	{ .name = "max_parallel", .type = CFG_T_UINT, .max = UINT_MAX,
	  .at = offsetof(struct config, max_parallel) },
	{ .name = "log_dir", .type = CFG_T_PATH,
	  .at = offsetof(struct config, log_dir) },
	{ .name = "scrollback", .type = CFG_T_SIZE, .min = 1,
	  .max = CONFIG_SCROLLBACK_MAX,
	  .at = offsetof(struct config, scrollback) },
	{ .name = "kill_grace", .type = CFG_T_DURATION,
	  .at = offsetof(struct config, kill_grace) },
	{ .name = "finally_timeout", .type = CFG_T_DURATION,
	  .at = offsetof(struct config, finally_timeout) },
	{ .name = "keep_runs", .type = CFG_T_UINT, .max = UINT_MAX,
	  .at = offsetof(struct config, keep_runs) },
	{ .name = "ssh_config", .type = CFG_T_PATH,
	  .at = offsetof(struct config, ssh_config) },
	{ .name = "max_connecting", .type = CFG_T_UINT, .max = UINT_MAX,
	  .at = offsetof(struct config, max_connecting) },
	{ .name = "notify", .type = CFG_T_COMMAND,
	  .at = offsetof(struct config, notify) },
	{ .name = "max_log", .type = CFG_T_SIZE, .max = CONFIG_MAX_LOG_MAX,
	  .parse = cfg_parse_max_log,
	  .at = offsetof(struct config, max_log) },
	{ .name = "secret_vars", .type = CFG_T_FUNC,
	  .parse = cfg_parse_secret_vars },
};
static const struct cfg_table cfg_settings_table =
    CFG_TABLE("in settings", cfg_settings_keys, 0, false);

static int
cfg_top(struct cfg_loader *ld, yaml_node_t *root,
    const struct cfg_kv *overrides, size_t n_overrides)
{
	struct cfg_top top;
	struct cfg_in in = { .ld = ld, .table = &cfg_top_table, .map = root,
	    .base = &top };
	struct cfg_in set = { .ld = ld, .table = &cfg_settings_table,
	    .base = ld->cfg };
	yaml_node_t *seqs;
	yaml_node_item_t *it;
	char buf[64];
	size_t i;

	memset(&top, 0, sizeof top);
	for (i = 0; i < n_overrides; i++) {
		if (!tmpl_valid_name(overrides[i].name))
			return cfg_error(ld, NULL, "invalid variable name "
			    "'%s' in --set (use letters, digits, '_' and '-')",
			    overrides[i].name);
	}
	if (root->type != YAML_MAPPING_NODE)
		return cfg_error(ld, &root->start_mark, "expected a "
		    "mapping with 'sequences' at the top level, got %s",
		    cfg_describe(ld, root, buf, sizeof buf));
	if (cfg_table_check(&in) != 0)
		return -1;
	if ((set.map = top.settings) != NULL) {
		if (set.map->type != YAML_MAPPING_NODE)
			return cfg_expected(ld, set.map, "a mapping",
			    "'settings'");
		if (cfg_table_check(&set) != 0)
			return -1;
	}
	if (top.vars != NULL) {
		if (cfg_check_vars(ld, top.vars, "'vars'") != 0)
			return -1;
		if (cfg_add_vars(ld, top.vars, &ld->vars, &ld->n_vars,
		    &ld->vars_cap) != 0)
			return -1;
		/* Before --set replaces them: the copy of the file in the
		 * record must not show them either. */
		cfg_secrets_of(ld, ld->vars, ld->n_vars);
	}
	for (i = 0; i < n_overrides; i++)
		cfg_kv_set(&ld->vars, &ld->n_vars, &ld->vars_cap,
		    overrides[i].name, xstrdup(overrides[i].value));
	ld->overrides = overrides;
	ld->n_overrides = n_overrides;
	if ((ld->env = top.env) != NULL && cfg_check_env(ld, ld->env) != 0)
		return -1;
	if (top.env_file != NULL && cfg_env_file(ld, top.env_file,
	    &ld->env_file, &ld->n_env_file, &ld->env_file_cap) != 0)
		return -1;
	if (cfg_hosts(ld, top.hosts, top.host_defaults) != 0)
		return -1;

	if ((seqs = top.sequences) == NULL)
		return cfg_error(ld, &root->start_mark,
		    "missing key 'sequences' at the top level");
	if (seqs->type != YAML_SEQUENCE_NODE)
		return cfg_expected(ld, seqs, "a list of sequences",
		    "'sequences'");
	if (seqs->data.sequence.items.start == seqs->data.sequence.items.top)
		return cfg_error(ld, &seqs->start_mark,
		    "'sequences' is empty");
	cfg_dyn_scan(ld, seqs);
	for (it = seqs->data.sequence.items.start;
	    it < seqs->data.sequence.items.top; it++) {
		if (cfg_seq(ld, cfg_node(ld, *it)) != 0)
			return -1;
	}
	if (cfg_needs(ld) != 0 || cfg_hosts_check(ld) != 0)
		return -1;
	return cfg_dyn_check(ld);
}

/*
 * YAML's structure, checked with libyaml's event parser before it builds
 * the document: how deep it nests, how many anchors and aliases it has,
 * and how many nodes it makes once every alias is expanded (a "billion
 * laughs" is a few lines). Returns NULL, or the message; a syntax error
 * is left for yaml_parser_load to report.
 */

/* An anchor, and the nodes it stands for once expanded. */
struct cfg_anchor {
	char *name;
	size_t nodes;
};

struct cfg_scan {
	size_t inside[CONFIG_DEPTH_MAX]; /* nodes so far in each open
	                                    collection, aliases expanded */
	char *anchor[CONFIG_DEPTH_MAX];   /* its anchor, or NULL */
	size_t depth;
	struct cfg_anchor *anchors;
	size_t n_anchors, anchors_cap, n_aliases;
	size_t nodes;                     /* in all, aliases expanded */
};

/* n nodes in the open collection (and in the document). */
static void
cfg_scan_add(struct cfg_scan *sc, size_t n)
{
	if (sc->depth > 0)
		sc->inside[sc->depth - 1] += n;
	sc->nodes += n;
}

/* Record an anchor of n nodes (a later one of the same name wins); the
 * name is the caller's. */
static int
cfg_scan_anchor(struct cfg_scan *sc, char *name, size_t n)
{
	if (name == NULL)
		return 0;
	if (sc->n_anchors == CONFIG_ANCHORS_MAX) {
		free(name);
		return -1;
	}
	sc->anchors = xreallocarray_grow(sc->anchors, &sc->anchors_cap,
	    sc->n_anchors + 1, sizeof *sc->anchors);
	sc->anchors[sc->n_anchors].name = name;
	sc->anchors[sc->n_anchors++].nodes = n;
	return 0;
}

/* The nodes of the anchor an alias names (1 if none: an unknown anchor
 * is libyaml's error to report). */
static size_t
cfg_scan_alias(const struct cfg_scan *sc, const yaml_char_t *name)
{
	size_t i;

	for (i = sc->n_anchors; i > 0; i--) {
		if (strcmp(sc->anchors[i - 1].name, (const char *)name) == 0)
			return sc->anchors[i - 1].nodes;
	}
	return 1;
}

static char *
cfg_scan_event(struct cfg_scan *sc, const yaml_event_t *ev)
{
	const yaml_char_t *anchor;
	size_t n;

	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (sc->depth == CONFIG_DEPTH_MAX)
			return xasprintf("nested more than %d levels deep",
			    CONFIG_DEPTH_MAX);
		anchor = ev->type == YAML_SEQUENCE_START_EVENT ?
		    ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor;
		sc->anchor[sc->depth] = anchor != NULL ?
		    xstrdup((const char *)anchor) : NULL;
		sc->inside[sc->depth++] = 0;
		sc->nodes++;
		return NULL;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		n = 1 + sc->inside[--sc->depth];
		if (sc->depth > 0)
			sc->inside[sc->depth - 1] += n;
		if (cfg_scan_anchor(sc, sc->anchor[sc->depth], n) != 0)
			return xasprintf("more than %d anchors",
			    CONFIG_ANCHORS_MAX);
		return NULL;
	case YAML_SCALAR_EVENT:
		cfg_scan_add(sc, 1);
		if (ev->data.scalar.anchor != NULL &&
		    cfg_scan_anchor(sc, xstrdup((const char *)
		    ev->data.scalar.anchor), 1) != 0)
			return xasprintf("more than %d anchors",
			    CONFIG_ANCHORS_MAX);
		return NULL;
	case YAML_ALIAS_EVENT:
		if (++sc->n_aliases > CONFIG_ALIASES_MAX)
			return xasprintf("more than %d aliases",
			    CONFIG_ALIASES_MAX);
		cfg_scan_add(sc, cfg_scan_alias(sc, ev->data.alias.anchor));
		return NULL;
	default:
		return NULL;
	}
}

static char *
cfg_scan(const char *file, const char *text, size_t len)
{
	struct cfg_scan sc;
	yaml_parser_t parser;
	yaml_event_t ev;
	char *err = NULL, *msg;
	size_t i;
	bool done = false;

	memset(&sc, 0, sizeof sc);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && err == NULL && yaml_parser_parse(&parser, &ev)) {
		done = ev.type == YAML_STREAM_END_EVENT;
		msg = cfg_scan_event(&sc, &ev);
		if (msg == NULL && sc.nodes > CONFIG_NODES_MAX)
			msg = xasprintf("more than %d YAML nodes once aliases "
			    "are expanded", CONFIG_NODES_MAX);
		if (msg != NULL) {
			err = xasprintf("%s:%zu:%zu: error: %s", file,
			    ev.start_mark.line + 1, ev.start_mark.column + 1,
			    msg);
			free(msg);
		}
		yaml_event_delete(&ev);
	}
	while (sc.depth > 0)
		free(sc.anchor[--sc.depth]);
	for (i = 0; i < sc.n_anchors; i++)
		free(sc.anchors[i].name);
	free(sc.anchors);
	yaml_parser_delete(&parser);
	return err;
}

/*
 * Loading.
 */

/* Line `line` (0-based) of text: where it starts and how long it is. */
static const char *
cfg_line(const char *text, size_t len, size_t line, size_t *line_len)
{
	const char *p = text, *end = text + len, *nl;

	for (; line > 0 && p < end; line--) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*line_len = (size_t)((nl != NULL ? nl : end) - p);
	return p;
}

/*
 * What to do about the two YAML mistakes libyaml's words do not explain
 * (NULL for the others; caller frees): a tab used to indent, and a plain
 * value holding ": " (run: echo a: b), which YAML reads as a second key.
 */
static char *
cfg_yaml_hint(const yaml_parser_t *p, const char *text, size_t len)
{
	const char *l, *key, *colon, *val;
	size_t n, i, vlen;
	char quote;

	if ((l = cfg_line(text, len, p->problem_mark.line, &n)) == NULL)
		return NULL;
	/* Only blanks before it, in the line: a column is then a byte. */
	if (strstr(p->problem, "tab") != NULL ||
	    (p->problem_mark.column < n && l[p->problem_mark.column] == '\t' &&
	    strspn(l, " \t") > p->problem_mark.column))
		return xstrdup("use spaces to indent, not tabs");
	if (strcmp(p->problem, "mapping values are not allowed in this "
	    "context") != 0)
		return NULL;
	/* A line "[- ]KEY: VALUE: MORE", not a misplaced key. */
	key = l + strspn(l, " ");
	while (key[0] == '-' && key[1] == ' ')
		key += 2 + strspn(key + 2, " ");
	colon = memmem(key, n - (size_t)(key - l), ": ", 2);
	if (colon == NULL || colon == key || *key == '{' || *key == '[' ||
	    memmem(colon + 2, n - (size_t)(colon + 2 - l), ": ", 2) == NULL)
		return NULL;
	val = colon + 2 + strspn(colon + 2, " ");
	for (vlen = n - (size_t)(val - l); vlen > 0 &&
	    (val[vlen - 1] == ' ' || val[vlen - 1] == '\r'); vlen--)
		;
	for (i = 0; i < vlen && (unsigned char)val[i] >= ' '; i++)
		;
	if (i < vlen || vlen > 60 || colon - key > 30 || *val == '"' ||
	    *val == '\'')
		return xstrdup("a value with ': ' in it needs quotes");
	quote = memchr(val, '"', vlen) == NULL &&
	    memchr(val, '\\', vlen) == NULL ? '"' : '\'';
	if (quote == '\'' && memchr(val, '\'', vlen) != NULL)
		return xstrdup("a value with ': ' in it needs quotes");
	return xasprintf("a value with ': ' in it needs quotes: %.*s: "
	    "%c%.*s%c", (int)(colon - key), key, quote, (int)vlen, val,
	    quote);
}

/* libyaml's own message, in our format, with a hint when there is one. */
static char *
cfg_yaml_error(const char *file, const yaml_parser_t *p, const char *text,
    size_t len)
{
	size_t line = 1, col = 1, i;
	char *msg, *hint, *with;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return xasprintf("%s: error: out of memory", file);
	case YAML_READER_ERROR:
		/* Only a byte offset: count the lines ourselves. */
		for (i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		return xasprintf("%s:%zu:%zu: error: %s", file, line, col,
		    p->problem);
	default:
		break;
	}
	if (p->problem == NULL)
		return xasprintf("%s:%zu:%zu: error: malformed YAML", file,
		    p->problem_mark.line + 1, p->problem_mark.column + 1);
	if (p->context != NULL &&
	    p->context_mark.line != p->problem_mark.line)
		msg = xasprintf("%s:%zu:%zu: error: %s (%s at line %zu)", file,
		    p->problem_mark.line + 1, p->problem_mark.column + 1,
		    p->problem, p->context, p->context_mark.line + 1);
	else if (p->context != NULL)
		msg = xasprintf("%s:%zu:%zu: error: %s (%s)", file,
		    p->problem_mark.line + 1, p->problem_mark.column + 1,
		    p->problem, p->context);
	else
		msg = xasprintf("%s:%zu:%zu: error: %s", file,
		    p->problem_mark.line + 1, p->problem_mark.column + 1,
		    p->problem);
	if ((hint = cfg_yaml_hint(p, text, len)) == NULL)
		return msg;
	with = xasprintf("%s; %s", msg, hint);
	free(msg);
	free(hint);
	return with;
}

static int
cfg_load_text(const char *name, char *dir, const char *text, size_t len,
    const struct cfg_kv *overrides, size_t n_overrides,
    struct config **out, char **err)
{
	struct cfg_loader ld;
	struct config *cfg;
	yaml_parser_t parser;
	yaml_document_t doc, next;
	yaml_node_t *root, *extra;
	size_t i;
	int rc = -1;

	*out = NULL;
	*err = NULL;
	if (len > CONFIG_FILE_MAX) {
		*err = xasprintf("%s: error: larger than %d MiB", name,
		    CONFIG_FILE_MAX >> 20);
		free(dir);
		return -1;
	}
	if ((*err = cfg_scan(name, text, len)) != NULL) {
		free(dir);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		*err = cfg_yaml_error(name, &parser, text, len);
		yaml_parser_delete(&parser);
		free(dir);
		return -1;
	}
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		*err = xasprintf("%s: error: the file is empty (expected a "
		    "mapping with 'sequences')", name);
		goto done;
	}
	/* A second document would be ignored: refuse it, and find the
	 * syntax errors after the first. */
	if (!yaml_parser_load(&parser, &next)) {
		*err = cfg_yaml_error(name, &parser, text, len);
		goto done;
	}
	extra = yaml_document_get_root_node(&next);
	if (extra != NULL)
		*err = xasprintf("%s:%zu:%zu: error: a second YAML document "
		    "(a config file holds one)", name,
		    extra->start_mark.line + 1, extra->start_mark.column + 1);
	yaml_document_delete(&next);
	if (*err != NULL)
		goto done;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(name);
	cfg->dir = dir;
	dir = NULL;
	cfg->shell = xstrdup(CONFIG_DEFAULT_SHELL);
	cfg->log_dir = config_default_log_dir();
	cfg->scrollback = CONFIG_DEFAULT_SCROLLBACK;
	cfg->kill_grace = CONFIG_DEFAULT_KILL_GRACE;
	cfg->finally_timeout = CONFIG_DEFAULT_FINALLY_TIMEOUT;
	cfg->keep_runs = CONFIG_DEFAULT_KEEP_RUNS;
	cfg->max_connecting = CONFIG_DEFAULT_MAX_CONNECTING;

	memset(&ld, 0, sizeof ld);
	ld.file = name;
	ld.doc = &doc;
	ld.cfg = cfg;
	rc = cfg_top(&ld, root, overrides, n_overrides);
	for (i = 0; i < cfg->n_seqs; i++)
		free(ld.aux[i].need_nodes);
	free(ld.need_stamp);
	free(ld.by_name);
	free(ld.name_slots);
	free(ld.by_template);
	free(ld.aux);
	free(ld.captures);
	free(ld.pending);
	cfg_kv_free(ld.vars, ld.n_vars);
	cfg_kv_free(ld.env_file, ld.n_env_file);
	if (rc == 0)
		*out = cfg;
	else {
		*err = ld.err;
		config_free(cfg);
	}

done:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(dir);
	return rc;
}

int
config_load_string(const char *name, const char *text,
    const struct cfg_kv *overrides, size_t n_overrides,
    struct config **out, char **err)
{
	return cfg_load_text(name, cfg_getcwd(), text, strlen(text),
	    overrides, n_overrides, out, err);
}

/*
 * The bytes of path, at most CONFIG_FILE_MAX, into *buf (caller frees).
 * Only a regular file: a device (/dev/zero) or a FIFO has no end, and
 * opening a FIFO would wait for a writer, so it is opened non-blocking.
 * Returns 0, or -1 and a message.
 */
static int
cfg_read_file(const char *path, char **buf, size_t *len, char **err)
{
	struct stat sb;
	size_t cap = 0;
	ssize_t got;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		*err = xasprintf("%s: error: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		*err = S_ISDIR(sb.st_mode) ?
		    xasprintf("%s: error: %s", path, strerror(EISDIR)) :
		    xasprintf("%s: error: not a regular file (a %s); drove "
		    "reads its config from a file", path,
		    S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "device" :
		    S_ISFIFO(sb.st_mode) ? "FIFO" : S_ISSOCK(sb.st_mode) ?
		    "socket" : "special file");
		close(fd);
		return -1;
	}
	/* Read one byte more than allowed, in case the file grew. */
	for (;;) {
		*buf = xreallocarray_grow(*buf, &cap, *len + 65536, 1);
		got = read(fd, *buf + *len, cap - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		*len += (size_t)got;
		if (*len > CONFIG_FILE_MAX)
			break;
	}
	if (got < 0 || *len > CONFIG_FILE_MAX) {
		*err = got < 0 ?
		    xasprintf("%s: error: %s", path, strerror(errno)) :
		    xasprintf("%s: error: larger than %d MiB", path,
		    CONFIG_FILE_MAX >> 20);
		free(*buf);
		*buf = NULL;
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
config_load(const char *path, const struct cfg_kv *overrides,
    size_t n_overrides, struct config **out, char **err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (cfg_read_file(path, &buf, &len, err) != 0)
		return -1;
	rc = cfg_load_text(path, cfg_dir_of(path), buf, len, overrides,
	    n_overrides, out, err);
	free(buf);
	return rc;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_seqs; i++)
		cfg_seq_clear(&cfg->seqs[i]);
	for (i = 0; i < cfg->n_hosts; i++)
		cfg_host_clear(&cfg->hosts[i]);
	free(cfg->hosts);
	if (cfg->host_defaults != NULL) {
		cfg->host_defaults->name = NULL;
		cfg_host_clear(cfg->host_defaults);
		free(cfg->host_defaults);
	}
	free(cfg->hosts_file);
	free(cfg->ssh_config);
	free(cfg->notify);
	free(cfg->seqs);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->shell);
	free(cfg->log_dir);
	for (i = 0; i < cfg->n_only; i++)
		free(cfg->only[i]);
	free(cfg->only);
	for (i = 0; i < cfg->n_secret_vars; i++)
		free(cfg->secret_vars[i]);
	free(cfg->secret_vars);
	for (i = 0; i < cfg->n_secret_values; i++)
		free(cfg->secret_values[i]);
	free(cfg->secret_values);
	free(cfg);
}

long
config_find_seq(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_seqs; i++) {
		if (strcmp(cfg->seqs[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

long
config_find_host(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_hosts; i++) {
		if (strcmp(cfg->hosts[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

int
config_select(struct config *cfg, char *const *patterns, size_t n_patterns,
    char **err)
{
	size_t *to, i, j, k, n;
	bool any;

	*err = NULL;
	if (n_patterns == 0)
		return 0;
	for (k = 0; k < n_patterns; k++) {
		/* A fan-out's sequences are named at run time: a pattern
		 * may be for them. */
		for (i = 0, any = false; i < cfg->n_seqs && !any; i++)
			any = cfg->seqs[i].fanout != NULL ||
			    fnmatch(patterns[k], cfg->seqs[i].name, 0) == 0;
		if (!any) {
			*err = xasprintf("--only '%s' matches no sequence",
			    patterns[k]);
			return -1;
		}
	}
	/* to[i]: the new index of sequence i, or SIZE_MAX once left out. */
	to = xcalloc(cfg->n_seqs, sizeof *to);
	for (i = 0, n = 0; i < cfg->n_seqs; i++) {
		to[i] = SIZE_MAX;
		if (cfg->seqs[i].fanout != NULL) {
			/* Kept: the patterns apply to what it makes. */
			to[i] = n++;
			continue;
		}
		for (k = 0; k < n_patterns; k++) {
			if (fnmatch(patterns[k], cfg->seqs[i].name, 0) == 0) {
				to[i] = n++;
				break;
			}
		}
	}
	for (i = 0; i < cfg->n_seqs; i++) {
		struct cfg_seq *seq = &cfg->seqs[i];
		if (to[i] == SIZE_MAX) {
			cfg_seq_clear(seq);
			continue;
		}
		for (j = 0, k = 0; j < seq->n_needs; j++) {
			if (to[seq->needs[j]] != SIZE_MAX)
				seq->needs[k++] = to[seq->needs[j]];
		}
		seq->n_needs = k;
		for (j = 0; j < seq->n_all; j++) {
			struct cfg_wait *w = &seq->steps[j].wait;
			if (seq->steps[j].kind == CFG_STEP_WAIT && w->seq >= 0)
				w->seq = to[w->seq] == SIZE_MAX ? -1 :
				    (long)to[w->seq];
		}
		if (seq->fanout != NULL)
			seq->fanout->by_seq = to[seq->fanout->by_seq];
		if (to[i] != i)
			cfg->seqs[to[i]] = *seq;
	}
	cfg->n_seqs = n;
	free(to);
	cfg->only = xcalloc(n_patterns + 1, sizeof *cfg->only);
	for (k = 0; k < n_patterns; k++)
		cfg->only[k] = xstrdup(patterns[k]);
	cfg->n_only = n_patterns;
	return 0;
}

