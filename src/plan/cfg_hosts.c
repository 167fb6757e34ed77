/* cfg_hosts.c: the host inventory: 'hosts' (inline, or a hosts file),
 * 'host_defaults', and which hosts a selection names. */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tmpl.h"
#include "xmalloc.h"

static int cfg_host_ssh_options(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
static int cfg_host_vars(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);

/*
 * The keys of a host. host_defaults may give the CFG_SHARED ones (not its
 * address, tags or vars, which make a host what it is), a hosts file line
 * the CFG_LINE ones.
 */
static const struct cfg_key cfg_host_keys[] = {
	{ .name = "address", .type = CFG_T_WORD, .flags = CFG_LINE,
	  .at = offsetof(struct cfg_host, address) },
	{ .name = "user", .type = CFG_T_WORD, .flags = CFG_SHARED | CFG_LINE,
	  .at = offsetof(struct cfg_host, user) },
	{ .name = "port", .type = CFG_T_UINT, .flags = CFG_SHARED | CFG_LINE,
	  .min = 1, .max = 65535, .at = offsetof(struct cfg_host, port) },
	{ .name = "identity", .type = CFG_T_PATH,
	  .flags = CFG_SHARED | CFG_LINE,
	  .at = offsetof(struct cfg_host, identity) },
	{ .name = "ssh_options", .type = CFG_T_FUNC, .flags = CFG_SHARED,
	  .parse = cfg_host_ssh_options },
	{ .name = "tags", .type = CFG_T_TAGS, .flags = CFG_LINE },
	{ .name = "vars", .type = CFG_T_FUNC, .parse = cfg_host_vars },
	{ .name = "multiplex", .type = CFG_T_BOOL, .flags = CFG_SHARED,
	  .at = offsetof(struct cfg_host, multiplex) },
};
static const struct cfg_table cfg_host_table =
    CFG_TABLE("in host", cfg_host_keys, 0, false);
static const struct cfg_table cfg_host_defaults_table =
    CFG_TABLE("in host_defaults", cfg_host_keys, CFG_SHARED, false);
static const struct cfg_table cfg_host_line_table =
    CFG_TABLE("in hosts file", cfg_host_keys, CFG_LINE, false);

/*
 * ssh options drove sets on every ssh it runs: it owns the run's
 * connections (one master per host, in a directory of its own) and never
 * lets ssh wait for a password nobody will type.
 */
static const char *const cfg_ssh_owned[] = {
	"BatchMode", "ControlMaster", "ControlPath", "ControlPersist",
	"RemoteCommand", NULL
};

/* Set an ssh option in a list, in place when it is there already: ssh
 * option names ignore case. */
static void
cfg_opt_set(struct cfg_kv **v, size_t *n, size_t *cap, const char *name,
    const char *value)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcasecmp((*v)[i].name, name) == 0) {
			free((*v)[i].value);
			(*v)[i].value = xstrdup(value);
			return;
		}
	}
	*v = xreallocarray_grow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].value = xstrdup(value);
	(*n)++;
}

static int
cfg_host_ssh_options(struct cfg_in *in, const struct cfg_key *key,
    yaml_node_t *map)
{
	struct cfg_loader *ld = in->ld;
	struct cfg_host *h = in->base;
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	const char *name, *value = NULL, *p;
	char what[128];
	size_t i, cap = h->n_ssh_options;

	(void)key;
	if (cfg_mapping(ld, map, "'ssh_options'") != 0)
		return -1;
	if (map->data.mapping.pairs.top - map->data.mapping.pairs.start >
	    CONFIG_NAMES_MAX)
		return cfg_error(ld, &map->start_mark, "'ssh_options' has more "
		    "than %d entries", CONFIG_NAMES_MAX);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = cfg_node(ld, pair->key);
		name = cfg_text(k);
		for (p = name; isalnum((unsigned char)*p); p++)
			;
		if (*p != '\0' || p == name)
			return cfg_error(ld, &k->start_mark,
			    "invalid ssh option name '%s' (as in ssh_config: "
			    "letters and digits)", name);
		for (i = 0; cfg_ssh_owned[i] != NULL; i++) {
			if (strcasecmp(name, cfg_ssh_owned[i]) == 0)
				return cfg_error(ld, &k->start_mark,
				    "ssh option '%s' is set by drove (one "
				    "connection per host, never a prompt)",
				    name);
		}
		snprintf(what, sizeof what, "ssh option '%s'", name);
		if (cfg_nonempty(ld, cfg_node(ld, pair->value), what,
		    &value) != 0)
			return -1;
		if (strpbrk(value, "\r\n") != NULL)
			return cfg_error(ld,
			    &cfg_node(ld, pair->value)->start_mark,
			    "ssh option '%s' has a line break", name);
		cfg_opt_set(&h->ssh_options, &h->n_ssh_options, &cap,
		    name, value);
	}
	return 0;
}

static int
cfg_host_vars(struct cfg_in *in, const struct cfg_key *k, yaml_node_t *v)
{
	struct cfg_host *h = in->base;
	size_t cap = h->n_vars;

	if (cfg_parse_vars(in, k, v) != 0)
		return -1;
	return cfg_add_vars(in->ld, v, &h->vars, &h->n_vars, &cap);
}

void
cfg_host_clear(struct cfg_host *h)
{
	size_t i;

	free(h->name);
	free(h->address);
	free(h->user);
	free(h->identity);
	cfg_kv_free(h->ssh_options, h->n_ssh_options);
	for (i = 0; i < h->n_tags; i++)
		free(h->tags[i]);
	free(h->tags);
	cfg_kv_free(h->vars, h->n_vars);
}

/* A new host called name, given the defaults; NULL (and the error) when
 * the name is taken or no good. */
static struct cfg_host *
cfg_host_add(struct cfg_loader *ld, const char *name,
    const struct cfg_host *dflt, const char *file, size_t line, size_t col)
{
	struct config *cfg = ld->cfg;
	struct cfg_host *h;
	const char *why;
	size_t i;

	if ((why = cfg_word_problem(name)) != NULL) {
		cfg_file_error(ld, file, line, col, "host name '%s' %s", name,
		    why);
		return NULL;
	}
	for (i = 0; i < cfg->n_hosts; i++) {
		if (strcmp(cfg->hosts[i].name, name) == 0) {
			cfg_file_error(ld, file, line, col, "duplicate host "
			    "'%s' (first at line %d)", name,
			    cfg->hosts[i].line);
			return NULL;
		}
	}
	if (cfg->n_hosts == CONFIG_SEQS_MAX) {
		cfg_file_error(ld, file, line, col, "more than %d hosts",
		    CONFIG_SEQS_MAX);
		return NULL;
	}
	cfg->hosts = xreallocarray_grow(cfg->hosts, &ld->host_cap,
	    cfg->n_hosts + 1, sizeof *cfg->hosts);
	h = &cfg->hosts[cfg->n_hosts++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	h->address = xstrdup(name);
	h->user = dflt->user != NULL ? xstrdup(dflt->user) : NULL;
	h->port = dflt->port;
	h->identity = dflt->identity != NULL ? xstrdup(dflt->identity) : NULL;
	h->multiplex = dflt->multiplex;
	if (dflt->n_ssh_options > 0) {
		h->ssh_options = xcalloc(dflt->n_ssh_options,
		    sizeof *h->ssh_options);
		for (i = 0; i < dflt->n_ssh_options; i++) {
			h->ssh_options[i].name =
			    xstrdup(dflt->ssh_options[i].name);
			h->ssh_options[i].value =
			    xstrdup(dflt->ssh_options[i].value);
		}
		h->n_ssh_options = dflt->n_ssh_options;
	}
	h->line = (int)line;
	h->column = (int)col;
	return h;
}

/* Add a tag, once; -1 when the host has too many. */
static int
cfg_host_tag(struct cfg_host *h, const char *tag)
{
	size_t i;

	for (i = 0; i < h->n_tags; i++) {
		if (strcmp(h->tags[i], tag) == 0)
			return 0;
	}
	if (h->n_tags == CONFIG_NAMES_MAX)
		return -1;
	h->tags = xrealloc(h->tags, (h->n_tags + 1) * sizeof *h->tags);
	h->tags[h->n_tags++] = xstrdup(tag);
	return 0;
}

#define CFG_TAGS_MAX_MSG "host '%s' has more than %d tags"

#define CFG_TAG_HINT "(use letters, digits, '_' and '-')"

static int
cfg_host_tag_node(struct cfg_loader *ld, yaml_node_t *n, struct cfg_host *h)
{
	const char *s = NULL;

	if (cfg_nonempty(ld, n, "a tag", &s) != 0)
		return -1;
	if (!tmpl_valid_name(s))
		return cfg_error(ld, &n->start_mark,
		    "invalid tag '%s' " CFG_TAG_HINT, s);
	if (cfg_host_tag(h, s) != 0)
		return cfg_error(ld, &n->start_mark, CFG_TAGS_MAX_MSG,
		    h->name, CONFIG_NAMES_MAX);
	return 0;
}

/* tags: a list of names, or one. */
int
cfg_host_tags(struct cfg_loader *ld, yaml_node_t *n, struct cfg_host *h)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE)
		return cfg_host_tag_node(ld, n, h);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expected(ld, n, "a list of tags", "'tags'");
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (cfg_host_tag_node(ld, cfg_node(ld, *it), h) != 0)
			return -1;
	}
	return 0;
}

static int
cfg_host_defaults(struct cfg_loader *ld, yaml_node_t *n, struct cfg_host *d)
{
	struct cfg_in in = { .ld = ld, .table = &cfg_host_defaults_table,
	    .map = n, .base = d };

	if (n->type != YAML_MAPPING_NODE)
		return cfg_expected(ld, n, "a mapping", "'host_defaults'");
	return cfg_table_check(&in);
}

/* One entry of an inline inventory: NAME: ADDRESS, or NAME: {...}. */
static int
cfg_host_entry(struct cfg_loader *ld, yaml_node_t *k, yaml_node_t *v,
    const struct cfg_host *dflt)
{
	struct cfg_in in = { .ld = ld, .table = &cfg_host_table, .map = v };
	struct cfg_host *h;
	char buf[64];

	if ((h = cfg_host_add(ld, cfg_text(k), dflt, ld->file,
	    k->start_mark.line + 1, k->start_mark.column + 1)) == NULL)
		return -1;
	in.base = h;
	if (v->type == YAML_SCALAR_NODE && !cfg_is_null(v))
		return cfg_table_value(&in, cfg_key(&cfg_host_table,
		    "address"), v);
	if (v->type != YAML_MAPPING_NODE || cfg_is_braces(ld, v))
		return cfg_error(ld, &v->start_mark, "expected an address "
		    "or a mapping for host '%s', got %s", h->name,
		    cfg_describe(ld, v, buf, sizeof buf));
	return cfg_table_check(&in);
}

/*
 * The value of a key on a hosts file line, as text. Returns NULL, or a
 * message the caller frees.
 */
static char *
cfg_host_text(struct cfg_loader *ld, const struct cfg_key *k, char *text,
    struct cfg_host *h)
{
	char *at = (char *)h + k->at, **sp, *tag, *save = NULL;
	unsigned long long v = 0;
	const char *why, *p;

	switch (k->type) {
	case CFG_T_TAGS:
		for (tag = strtok_r(text, ",", &save); tag != NULL;
		    tag = strtok_r(NULL, ",", &save)) {
			if (!tmpl_valid_name(tag))
				return xasprintf("invalid tag '%s' "
				    CFG_TAG_HINT, tag);
			if (cfg_host_tag(h, tag) != 0)
				return xasprintf(CFG_TAGS_MAX_MSG, h->name,
				    CONFIG_NAMES_MAX);
		}
		return NULL;
	case CFG_T_UINT:
		for (p = text; isdigit((unsigned char)*p); p++)
			v = v > k->max ? v : v * 10 + (unsigned)(*p - '0');
		if (p == text || *p != '\0' || v < k->min || v > k->max)
			return xasprintf("'%s' must be %llu to %llu, got '%s'",
			    k->name, k->min, k->max, text);
		*(unsigned *)(void *)at = (unsigned)v;
		return NULL;
	case CFG_T_PATH:
		if (*text == '\0')
			return xasprintf("'%s' is empty", k->name);
		sp = (char **)(void *)at;
		free(*sp);
		*sp = cfg_resolve(ld->cfg, text);
		return NULL;
	case CFG_T_WORD:
		if ((why = cfg_word_problem(text)) != NULL)
			return xasprintf("'%s' %s", k->name, why);
		sp = (char **)(void *)at;
		free(*sp);
		*sp = xstrdup(text);
		return NULL;
	default:
		/* A CFG_LINE key is one of the above. */
		abort();
	}
}

/*
 * One line of a hosts file: NAME [KEY=VALUE ...], the keys being the
 * host's CFG_LINE ones (tags comma-separated). Blank lines and comments
 * (from a '#' that starts a word) are skipped.
 */
int
cfg_hosts_line(struct cfg_loader *ld, const char *file, size_t lineno,
    char *line, const struct cfg_host *dflt)
{
	const struct cfg_table *t = &cfg_host_line_table;
	struct cfg_host *h = NULL;
	char *p = line, *word, *eq, *keys, *msg;
	size_t col, i;
	int rc;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0' || *p == '#')
			return 0;
		word = p;
		col = (size_t)(word - line) + 1;
		p += strcspn(p, " \t\r\n");
		if (*p != '\0')
			*p++ = '\0';
		if (h == NULL) {
			h = cfg_host_add(ld, word, dflt, file, lineno, col);
			if (h == NULL)
				return -1;
			continue;
		}
		eq = strchr(word, '=');
		if (eq != NULL)
			*eq++ = '\0';
		for (i = 0; eq != NULL && i < t->n_keys; i++) {
			if ((t->keys[i].flags & t->only) &&
			    strcmp(t->keys[i].name, word) == 0)
				break;
		}
		if (eq == NULL || i == t->n_keys) {
			keys = NULL;
			for (i = 0; i < t->n_keys; i++) {
				if (!(t->keys[i].flags & t->only))
					continue;
				msg = keys == NULL ?
				    xstrdup(t->keys[i].name) :
				    xasprintf("%s, %s", keys,
				    t->keys[i].name);
				free(keys);
				keys = msg;
			}
			if (eq == NULL)
				rc = cfg_file_error(ld, file, lineno, col,
				    "expected KEY=VALUE after the host name, "
				    "got '%s' (keys: %s)", word, keys);
			else
				rc = cfg_file_error(ld, file, lineno, col,
				    "unknown key '%s' %s (valid: %s)", word,
				    t->where, keys);
			free(keys);
			return rc;
		}
		if ((msg = cfg_host_text(ld, &t->keys[i], eq, h)) != NULL) {
			cfg_file_error(ld, file, lineno, col, "%s", msg);
			free(msg);
			return -1;
		}
	}
}

static int
cfg_hosts_file(struct cfg_loader *ld, yaml_node_t *n,
    const struct cfg_host *dflt)
{
	struct config *cfg = ld->cfg;
	const char *s = NULL;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	struct stat sb;
	FILE *fp;
	int rc = 0;

	if (cfg_nonempty(ld, n, "'hosts'", &s) != 0)
		return -1;
	cfg->hosts_file = cfg_resolve(cfg, s);
	if ((fp = fopen(cfg->hosts_file, "r")) == NULL)
		return cfg_error(ld, &n->start_mark,
		    "cannot read hosts file '%s': %s", cfg->hosts_file,
		    strerror(errno));
	/* A device or a FIFO could feed a line without end. */
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > CONFIG_HOSTS_FILE_MAX) {
		fclose(fp);
		return cfg_error(ld, &n->start_mark, "hosts file '%s' is "
		    "not a regular file of at most %d MiB", cfg->hosts_file,
		    CONFIG_HOSTS_FILE_MAX >> 20);
	}
	while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(line))
			rc = cfg_file_error(ld, cfg->hosts_file, lineno, 1,
			    "a NUL character");
		else
			rc = cfg_hosts_line(ld, cfg->hosts_file, lineno,
			    line, dflt);
	}
	if (rc == 0 && ferror(fp))
		rc = cfg_error(ld, &n->start_mark,
		    "cannot read hosts file '%s': %s", cfg->hosts_file,
		    strerror(errno));
	free(line);
	fclose(fp);
	if (rc == 0 && cfg->n_hosts == 0)
		rc = cfg_error(ld, &n->start_mark, "hosts file '%s' lists "
		    "no hosts", cfg->hosts_file);
	return rc;
}

/* hosts: a mapping of name to host, or the name of a hosts file. */
int
cfg_hosts(struct cfg_loader *ld, yaml_node_t *n, yaml_node_t *defaults)
{
	struct cfg_host dflt;
	yaml_node_pair_t *pair;
	int rc = -1;

	memset(&dflt, 0, sizeof dflt);
	dflt.multiplex = true;
	if (defaults != NULL && cfg_host_defaults(ld, defaults, &dflt) != 0)
		goto out;
	if (n == NULL) {
		/* Hosts may come at run time (hosts: {from: ...}): the check
		 * waits for the sequences (cfg_hosts_check). */
		rc = 0;
		goto out;
	}
	if (n->type == YAML_SCALAR_NODE) {
		rc = cfg_hosts_file(ld, n, &dflt);
		goto out;
	}
	if (n->type != YAML_MAPPING_NODE || cfg_is_braces(ld, n)) {
		cfg_expected(ld, n, "a mapping of host names (or the name "
		    "of a hosts file)", "'hosts'");
		goto out;
	}
	if (cfg_mapping(ld, n, "'hosts'") != 0)
		goto out;
	if (n->data.mapping.pairs.start == n->data.mapping.pairs.top) {
		cfg_error(ld, &n->start_mark, "'hosts' is empty");
		goto out;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		if (cfg_host_entry(ld, cfg_node(ld, pair->key),
		    cfg_node(ld, pair->value), &dflt) != 0)
			goto out;
	}
	rc = 0;
out:
	/* Kept for the hosts a capture makes at run time. */
	ld->cfg->host_defaults = xmalloc(sizeof dflt);
	*ld->cfg->host_defaults = dflt;
	if (defaults != NULL)
		ld->dflt_mark = defaults->start_mark;
	ld->any_dflt = defaults != NULL;
	return rc;
}

int
cfg_hosts_check(struct cfg_loader *ld)
{
	struct config *cfg = ld->cfg;

	if (!ld->any_dflt || cfg->n_hosts > 0)
		return 0;
	for (size_t i = 0; i < cfg->n_seqs; i++) {
		if (cfg->seqs[i].fanout != NULL && cfg->seqs[i].fanout->hosts)
			return 0;
	}
	return cfg_error(ld, &ld->dflt_mark, "'host_defaults' without 'hosts' "
	    "(in the inventory or a sequence's 'hosts: {from: ...}')");
}

/* Does host h match one item of a 'hosts:' selection? An item is 'all',
 * 'tag:NAME', or a shell pattern of host names. */
bool
cfg_host_selected(const struct cfg_host *h, const char *item)
{
	size_t i;

	if (strcmp(item, "all") == 0)
		return true;
	if (strncmp(item, "tag:", 4) == 0) {
		for (i = 0; i < h->n_tags; i++) {
			if (strcmp(h->tags[i], item + 4) == 0)
				return true;
		}
		return false;
	}
	return fnmatch(item, h->name, 0) == 0;
}
