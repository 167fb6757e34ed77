/* config.c: the YAML file turned into a plan: every key and type checked,
 * matrices expanded, {{vars}} substituted, needs resolved to indices. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "tmpl.h"
#include "xmalloc.h"

#define CONFIG_DEFAULT_SHELL      "/bin/sh"
#define CONFIG_DEFAULT_SCROLLBACK 10000
#define CONFIG_DEFAULT_KILL_GRACE 5.0
#define CONFIG_DEFAULT_RETRY_DELAY 1.0
#define CONFIG_DEFAULT_KEEP_RUNS  50

/*
 * Limits that keep a typo from becoming an allocation of gigabytes: the
 * engine allocates the scrollback ring up front, and a matrix grows as a
 * product.
 */
#define CONFIG_SCROLLBACK_MAX 10000000ULL
#define CONFIG_SEQS_MAX       10000
/* About 31 years: longer is a typo, and keeps timers in range. */
#define CONFIG_DURATION_MAX   1e9

/* An inventory of 10000 hosts is well under this. */
#define CONFIG_HOSTS_FILE_MAX (16 << 20)

#define CONFIG_DURATION_HINT "(use 500ms, 3s, 2m, 1h or seconds)"

/* Step settings a sequence may give for all of its steps. */
struct cfg_defaults {
	double timeout;
	unsigned retries;
	double retry_delay;
	enum cfg_on_failure on_failure;
	bool tty;
};

/* One matrix key and its values (text in the document, or host names). */
struct cfg_matrix {
	const char *name;
	const char **values;
	size_t n_values;
};

/* A sequence as written, shared by its matrix expansions. */
struct cfg_seqdef {
	yaml_node_t *node;
	yaml_node_t *name, *steps, *needs, *cwd, *env, *vars;
	yaml_node_t *host;       /* 'host: NAME', expanded per instance */
	bool by_hosts;           /* 'hosts:' made matrix[0], the host key */
	struct cfg_defaults defaults;
	struct cfg_matrix *matrix;
	size_t n_matrix;
};

/* What the loader keeps about each sequence until needs are resolved. */
struct cfg_aux {
	yaml_node_t *needs;      /* as written, or NULL */
	yaml_mark_t name_mark;   /* where its name is, for duplicates */
	const yaml_node_t **need_nodes; /* per resolved need: the entry
	                                   naming it */
	size_t need_cap;
};

struct cfg_loader {
	const char *file;        /* the name used in messages */
	yaml_document_t *doc;
	struct config *cfg;
	size_t seq_cap;
	struct cfg_aux *aux;     /* parallel to cfg->seqs */
	size_t aux_cap;
	struct cfg_kv *vars;     /* top-level vars after --set */
	size_t n_vars, vars_cap;
	yaml_node_t *env;        /* top-level env, or NULL */
	const struct cfg_kv *overrides; /* --set */
	size_t n_overrides;
	size_t *need_stamp;      /* [j] == i + 1: sequence i already needs j */
	size_t host_cap;
	char *err;
};

/* A key of a mapping the loader knows, and its value. */
struct cfg_field {
	yaml_node_t *key;
	yaml_node_t *val;
};

static const char *const config_top_keys[] = {
	"settings", "vars", "env", "hosts", "host_defaults", "sequences", NULL
};
enum { TOP_SETTINGS, TOP_VARS, TOP_ENV, TOP_HOSTS, TOP_HOST_DEFAULTS,
	TOP_SEQUENCES, TOP_N };

static const char *const config_settings_keys[] = {
	"shell", "max_parallel", "log_dir", "scrollback", "kill_grace",
	"keep_runs", "ssh_config", NULL
};
enum { SET_SHELL, SET_MAX_PARALLEL, SET_LOG_DIR, SET_SCROLLBACK,
	SET_KILL_GRACE, SET_KEEP_RUNS, SET_SSH_CONFIG, SET_N };

static const char *const config_seq_keys[] = {
	"name", "steps", "matrix", "needs", "cwd", "env", "vars", "timeout",
	"retries", "retry_delay", "on_failure", "tty", "host", "hosts", NULL
};
enum { SEQ_NAME, SEQ_STEPS, SEQ_MATRIX, SEQ_NEEDS, SEQ_CWD, SEQ_ENV,
	SEQ_VARS, SEQ_TIMEOUT, SEQ_RETRIES, SEQ_RETRY_DELAY, SEQ_ON_FAILURE,
	SEQ_TTY, SEQ_HOST, SEQ_HOSTS, SEQ_N };

static const char *const config_step_keys[] = {
	"name", "run", "remote", "upload", "download", "to", "sleep",
	"timeout", "retries", "retry_delay", "on_failure", "tty", "cwd", "env",
	NULL
};
enum { STEP_NAME, STEP_RUN, STEP_REMOTE, STEP_UPLOAD, STEP_DOWNLOAD,
	STEP_TO, STEP_SLEEP, STEP_TIMEOUT, STEP_RETRIES, STEP_RETRY_DELAY,
	STEP_ON_FAILURE, STEP_TTY, STEP_CWD, STEP_ENV, STEP_N };

/* The keys that say what a step does: exactly one per step. */
static const int config_step_actions[] = {
	STEP_RUN, STEP_SLEEP, STEP_REMOTE, STEP_UPLOAD, STEP_DOWNLOAD
};

static const char *const config_host_keys[] = {
	"address", "user", "port", "identity", "ssh_options", "tags", "vars",
	"multiplex", NULL
};
enum { HOST_ADDRESS, HOST_USER, HOST_PORT, HOST_IDENTITY, HOST_SSH_OPTIONS,
	HOST_TAGS, HOST_VARS, HOST_MULTIPLEX, HOST_N };

/* host_defaults: what every host may share (not its address, tags or
 * vars, which make a host what it is). */
static const char *const config_host_default_keys[] = {
	"user", "port", "identity", "ssh_options", "multiplex", NULL
};
enum { HDEF_USER, HDEF_PORT, HDEF_IDENTITY, HDEF_SSH_OPTIONS,
	HDEF_MULTIPLEX, HDEF_N };

/*
 * ssh options drove sets on every ssh it runs: it owns the run's
 * connections (one master per host, in a directory of its own) and never
 * lets ssh wait for a password nobody will type.
 */
static const char *const config_ssh_owned[] = {
	"BatchMode", "ControlMaster", "ControlPath", "ControlPersist",
	"RemoteCommand", NULL
};

static const char *const config_on_failure_names[] = {
	"stop", "continue", "pause", NULL
};

static int config_error(struct cfg_loader *, const yaml_mark_t *,
    const char *, ...) __attribute__((format(printf, 3, 4)));

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
	long long ms, h, m, s, frac;
	size_t off = 0;
	int n, places;

	if (!(seconds > 0)) {
		snprintf(buf, size, "0s");
		return buf;
	}
	if (seconds > CONFIG_DURATION_MAX)
		seconds = CONFIG_DURATION_MAX;
	ms = llround(seconds * 1000);
	if (ms < 1000) {
		snprintf(buf, size, "%lldms", ms);
		return buf;
	}
	h = ms / 3600000;
	m = ms / 60000 % 60;
	s = ms / 1000 % 60;
	frac = ms % 1000;
	buf[0] = '\0';
	if (h != 0 && off < size) {
		n = snprintf(buf + off, size - off, "%lldh", h);
		off += n > 0 ? (size_t)n : 0;
	}
	if (m != 0 && off < size) {
		n = snprintf(buf + off, size - off, "%lldm", m);
		off += n > 0 ? (size_t)n : 0;
	}
	if ((s != 0 || frac != 0) && off < size) {
		if (frac == 0)
			snprintf(buf + off, size - off, "%llds", s);
		else {
			/* 1.5s, not 1.500s. */
			for (places = 3; frac % 10 == 0; places--)
				frac /= 10;
			snprintf(buf + off, size - off, "%lld.%0*llds", s,
			    places, frac);
		}
	}
	return buf;
}

/*
 * Paths.
 */

static const char *
config_home(void)
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
	return xasprintf("%s/.local/state/drove/runs", config_home());
}

static char *
config_getcwd(void)
{
	char *cwd = getcwd(NULL, 0);

	return cwd != NULL ? cwd : xstrdup(".");
}

/* The directory holding path, absolute. */
static char *
config_dir_of(const char *path)
{
	char *copy = xstrdup(path), *slash, *dir, *cwd;

	slash = strrchr(copy, '/');
	if (slash == NULL) {
		free(copy);
		return config_getcwd();
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
			cwd = config_getcwd();
			dir = xasprintf("%s/%s", cwd, copy);
			free(cwd);
		}
	}
	free(copy);
	return dir;
}

/* A path from the config: "~/" is the home directory and a relative path
 * is relative to the config file's directory. */
static char *
config_resolve(const struct config *cfg, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return xasprintf("%s%s", config_home(), path + 1);
	while (path[0] == '.' && path[1] == '/')
		path += 2 + strspn(path + 2, "/");
	if (strcmp(path, ".") == 0 || path[0] == '\0')
		return xstrdup(cfg->dir);
	if (strcmp(cfg->dir, "/") == 0)
		return xasprintf("/%s", path);
	return xasprintf("%s/%s", cfg->dir, path);
}

/*
 * Variable lists: one entry per name, a later value replaces an earlier one
 * in place so the order stays the order of first definition.
 */

static void
config_kv_set(struct cfg_kv **v, size_t *n, size_t *cap, const char *name,
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

static void
config_kv_free(struct cfg_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/*
 * Errors and nodes.
 */

static int
config_error(struct cfg_loader *ld, const yaml_mark_t *mark,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* The first error is the one worth reading. */
	if (ld->err == NULL) {
		if (mark != NULL)
			ld->err = xasprintf("%s:%zu:%zu: error: %s", ld->file,
			    mark->line + 1, mark->column + 1, msg);
		else
			ld->err = xasprintf("%s: error: %s", ld->file, msg);
	}
	free(msg);
	return -1;
}

static yaml_node_t *
config_node(struct cfg_loader *ld, int index)
{
	return yaml_document_get_node(ld->doc, index);
}

static const char *
config_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* YAML's null: an empty or ~ or null plain scalar. */
static bool
config_is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = config_text(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/*
 * An unquoted value starting with "{{" is a YAML flow mapping whose key is
 * another one: {{host}} reads as { {host: null}: null }. Say so.
 */
static bool
config_is_braces(struct cfg_loader *ld, const yaml_node_t *n)
{
	const yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE ||
	    n->data.mapping.style != YAML_FLOW_MAPPING_STYLE ||
	    n->data.mapping.pairs.start == n->data.mapping.pairs.top)
		return false;
	k = config_node(ld, n->data.mapping.pairs.start->key);
	return k->type == YAML_MAPPING_NODE &&
	    k->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
}

#define CONFIG_BRACES_HINT \
	"a mapping (a value that starts with {{ needs quotes)"

/* What a node is, for the "got ..." of a message. */
static const char *
config_describe(struct cfg_loader *ld, const yaml_node_t *n, char *buf,
    size_t size)
{
	const char *s;
	size_t len;

	if (config_is_braces(ld, n))
		return CONFIG_BRACES_HINT;
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (config_is_null(n))
		return "nothing";
	s = config_text(n);
	len = strcspn(s, "\n");
	if (len > 40 || s[len] != '\0')
		snprintf(buf, size, "'%.*s...'", (int)(len > 40 ? 40 : len), s);
	else
		snprintf(buf, size, "'%s'", s);
	return buf;
}

static int
config_expected(struct cfg_loader *ld, const yaml_node_t *n,
    const char *what, const char *ctx)
{
	char buf[64];

	return config_error(ld, &n->start_mark, "expected %s for %s, got %s",
	    what, ctx, config_describe(ld, n, buf, sizeof buf));
}

/* A string scalar (numbers and booleans are strings too), not null. The
 * result points into the document. */
static int
config_string(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    const char **out)
{
	if (n->type != YAML_SCALAR_NODE || config_is_null(n))
		return config_expected(ld, n, "a string", ctx);
	if (strlen(config_text(n)) != n->data.scalar.length)
		return config_error(ld, &n->start_mark,
		    "%s contains a NUL character", ctx);
	*out = config_text(n);
	return 0;
}

static int
config_nonempty(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    const char **out)
{
	if (config_string(ld, n, ctx, out) != 0)
		return -1;
	if (**out == '\0')
		return config_error(ld, &n->start_mark, "%s is empty", ctx);
	return 0;
}

static int
config_uint(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    unsigned long long min, unsigned long long max, unsigned long long *out)
{
	const char *s, *p;
	unsigned long long v = 0;
	bool neg = false;

	if (n->type != YAML_SCALAR_NODE || config_is_null(n))
		return config_expected(ld, n, "an integer", ctx);
	s = p = config_text(n);
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p == '\0' || p[strspn(p, "0123456789")] != '\0')
		return config_expected(ld, n, "an integer", ctx);
	for (; *p != '\0'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			v = ULLONG_MAX;
		else
			v = v * 10 + (unsigned)(*p - '0');
	}
	if ((neg && v != 0) || v < min)
		return config_error(ld, &n->start_mark,
		    "%s must be %llu or more, got %s", ctx, min, s);
	if (v > max)
		return config_error(ld, &n->start_mark,
		    "%s must be %llu or less, got %s", ctx, max, s);
	*out = v;
	return 0;
}

static int
config_bool(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", NULL };
	static const char *const no[] = { "false", "False", "FALSE", NULL };
	size_t i;

	/* YAML 1.2 booleans only: "yes" and "no" are too easy to mistake. */
	if (n->type == YAML_SCALAR_NODE) {
		for (i = 0; yes[i] != NULL; i++) {
			if (strcmp(config_text(n), yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(config_text(n), no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	return config_expected(ld, n, "true or false", ctx);
}

static int
config_duration(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    double *out)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || config_is_null(n))
		return config_expected(ld, n, "a duration", ctx);
	s = config_text(n);
	if (s[0] == '-' && config_parse_duration(s + 1, out) == 0)
		return config_error(ld, &n->start_mark,
		    "negative duration '%s' for %s", s, ctx);
	if (config_parse_duration(s, out) != 0)
		return config_error(ld, &n->start_mark,
		    "malformed duration '%s' for %s " CONFIG_DURATION_HINT,
		    s, ctx);
	return 0;
}

static int
config_on_failure(struct cfg_loader *ld, const yaml_node_t *n,
    enum cfg_on_failure *out)
{
	char buf[64];
	size_t i;

	if (n->type == YAML_SCALAR_NODE) {
		for (i = 0; config_on_failure_names[i] != NULL; i++) {
			if (strcmp(config_text(n),
			    config_on_failure_names[i]) != 0)
				continue;
			*out = (enum cfg_on_failure)i;
			return 0;
		}
	}
	return config_error(ld, &n->start_mark,
	    "invalid on_failure %s (valid: stop, continue, pause)",
	    config_describe(ld, n, buf, sizeof buf));
}

/* "a, b, c" of a NULL-terminated list; caller frees. */
static char *
config_join(const char *const *list)
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
 * Check the keys of a mapping, in file order: each a string, none twice,
 * and (if keys is not NULL) each one of keys[], whose values land in f[].
 * where is "in step" or "at the top level".
 */
static int
config_fields(struct cfg_loader *ld, yaml_node_t *map, const char *where,
    const char *const *keys, struct cfg_field *f)
{
	yaml_node_pair_t *pair, *prev;
	yaml_node_t *k, *pk;
	size_t i;
	char buf[64], *valid;
	int rc;

	for (i = 0; keys != NULL && keys[i] != NULL; i++)
		f[i].key = f[i].val = NULL;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = config_node(ld, pair->key);
		if (k->type == YAML_MAPPING_NODE &&
		    k->data.mapping.style == YAML_FLOW_MAPPING_STYLE &&
		    map->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
			return config_error(ld, &map->start_mark,
			    "expected a string, got " CONFIG_BRACES_HINT);
		if (k->type != YAML_SCALAR_NODE)
			return config_error(ld, &k->start_mark,
			    "expected a string as a key, got %s",
			    config_describe(ld, k, buf, sizeof buf));
		if (config_is_null(k))
			return config_error(ld, &k->start_mark, "empty key");
		for (prev = map->data.mapping.pairs.start; prev < pair;
		    prev++) {
			pk = config_node(ld, prev->key);
			if (strcmp(config_text(pk), config_text(k)) == 0)
				return config_error(ld, &k->start_mark,
				    "duplicate key '%s' (first at line %zu)",
				    config_text(k), pk->start_mark.line + 1);
		}
		if (keys == NULL)
			continue;
		/* "x-" keys at the top level are ignored: a place to define
		 * YAML anchors (as in docker-compose). */
		if (keys == config_top_keys &&
		    strncmp(config_text(k), "x-", 2) == 0)
			continue;
		for (i = 0; keys[i] != NULL; i++) {
			if (strcmp(keys[i], config_text(k)) == 0)
				break;
		}
		if (keys[i] == NULL) {
			valid = config_join(keys);
			rc = config_error(ld, &k->start_mark,
			    "unknown key '%s' %s (valid: %s)", config_text(k),
			    where, valid);
			free(valid);
			return rc;
		}
		f[i].key = k;
		f[i].val = config_node(ld, pair->value);
	}
	return 0;
}

static int
config_mapping(struct cfg_loader *ld, yaml_node_t *n, const char *ctx)
{
	if (n->type != YAML_MAPPING_NODE)
		return config_expected(ld, n, "a mapping", ctx);
	return config_fields(ld, n, NULL, NULL, NULL);
}

/* A vars mapping: valid names, string values. */
static int
config_check_vars(struct cfg_loader *ld, yaml_node_t *map, const char *ctx)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	const char *value;
	char what[128];

	if (config_mapping(ld, map, ctx) != 0)
		return -1;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = config_node(ld, pair->key);
		if (!tmpl_valid_name(config_text(k)))
			return config_error(ld, &k->start_mark,
			    "invalid variable name '%s' (use letters, digits, "
			    "'_' and '-')", config_text(k));
		snprintf(what, sizeof what, "variable '%s'", config_text(k));
		if (config_string(ld, config_node(ld, pair->value), what,
		    &value) != 0)
			return -1;
	}
	return 0;
}

/* An env mapping: names without '=', string values. */
static int
config_check_env(struct cfg_loader *ld, yaml_node_t *map)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	const char *value;
	char what[128];

	if (config_mapping(ld, map, "'env'") != 0)
		return -1;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = config_node(ld, pair->key);
		if (*config_text(k) == '\0' ||
		    strchr(config_text(k), '=') != NULL ||
		    strlen(config_text(k)) != k->data.scalar.length)
			return config_error(ld, &k->start_mark,
			    "invalid environment variable name '%s'",
			    config_text(k));
		snprintf(what, sizeof what, "'%s' in env", config_text(k));
		if (config_string(ld, config_node(ld, pair->value), what,
		    &value) != 0)
			return -1;
	}
	return 0;
}

/* Expand a scalar already checked to be a string; errors point at it. */
static char *
config_expand(struct cfg_loader *ld, const yaml_node_t *n,
    const struct cfg_kv *vars, size_t n_vars)
{
	char *s, *msg;

	s = tmpl_expand(config_text(n), vars, n_vars, &msg, NULL);
	if (s == NULL) {
		config_error(ld, &n->start_mark, "%s", msg);
		free(msg);
	}
	return s;
}

/* Add (or replace) the entries of an env mapping, expanded. */
static int
config_add_env(struct cfg_loader *ld, yaml_node_t *map,
    const struct cfg_kv *vars, size_t n_vars, struct cfg_kv **env,
    size_t *n_env, size_t *cap)
{
	yaml_node_pair_t *pair;
	char *value;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		value = config_expand(ld, config_node(ld, pair->value), vars,
		    n_vars);
		if (value == NULL)
			return -1;
		config_kv_set(env, n_env, cap,
		    config_text(config_node(ld, pair->key)), value);
	}
	return 0;
}

/* The step defaults a sequence or a step sets; d keeps what is not set. */
static int
config_step_settings(struct cfg_loader *ld, const struct cfg_field *timeout,
    const struct cfg_field *retries, const struct cfg_field *retry_delay,
    const struct cfg_field *on_failure, const struct cfg_field *tty,
    struct cfg_defaults *d)
{
	unsigned long long v = 0;

	if (timeout->val != NULL &&
	    config_duration(ld, timeout->val, "'timeout'", &d->timeout) != 0)
		return -1;
	if (retries->val != NULL) {
		if (config_uint(ld, retries->val, "'retries'", 0, UINT_MAX,
		    &v) != 0)
			return -1;
		d->retries = (unsigned)v;
	}
	if (retry_delay->val != NULL && config_duration(ld, retry_delay->val,
	    "'retry_delay'", &d->retry_delay) != 0)
		return -1;
	if (on_failure->val != NULL &&
	    config_on_failure(ld, on_failure->val, &d->on_failure) != 0)
		return -1;
	if (tty->val != NULL &&
	    config_bool(ld, tty->val, "'tty'", &d->tty) != 0)
		return -1;
	return 0;
}

/*
 * The top level.
 */

static int
config_settings(struct cfg_loader *ld, yaml_node_t *n)
{
	struct config *cfg = ld->cfg;
	struct cfg_field f[SET_N];
	unsigned long long v = 0;
	const char *s = NULL;

	if (n->type != YAML_MAPPING_NODE)
		return config_expected(ld, n, "a mapping", "'settings'");
	if (config_fields(ld, n, "in settings", config_settings_keys, f) != 0)
		return -1;
	if (f[SET_SHELL].val != NULL) {
		if (config_nonempty(ld, f[SET_SHELL].val, "'shell'", &s) != 0)
			return -1;
		free(cfg->shell);
		cfg->shell = xstrdup(s);
	}
	if (f[SET_MAX_PARALLEL].val != NULL) {
		if (config_uint(ld, f[SET_MAX_PARALLEL].val, "'max_parallel'",
		    0, UINT_MAX, &v) != 0)
			return -1;
		cfg->max_parallel = (unsigned)v;
	}
	if (f[SET_LOG_DIR].val != NULL) {
		if (config_nonempty(ld, f[SET_LOG_DIR].val, "'log_dir'",
		    &s) != 0)
			return -1;
		free(cfg->log_dir);
		cfg->log_dir = config_resolve(cfg, s);
	}
	if (f[SET_SCROLLBACK].val != NULL) {
		if (config_uint(ld, f[SET_SCROLLBACK].val, "'scrollback'", 1,
		    CONFIG_SCROLLBACK_MAX, &v) != 0)
			return -1;
		cfg->scrollback = (size_t)v;
	}
	if (f[SET_KILL_GRACE].val != NULL && config_duration(ld,
	    f[SET_KILL_GRACE].val, "'kill_grace'", &cfg->kill_grace) != 0)
		return -1;
	if (f[SET_KEEP_RUNS].val != NULL) {
		if (config_uint(ld, f[SET_KEEP_RUNS].val, "'keep_runs'", 0,
		    UINT_MAX, &v) != 0)
			return -1;
		cfg->keep_runs = (unsigned)v;
	}
	if (f[SET_SSH_CONFIG].val != NULL) {
		if (config_nonempty(ld, f[SET_SSH_CONFIG].val, "'ssh_config'",
		    &s) != 0)
			return -1;
		free(cfg->ssh_config);
		cfg->ssh_config = config_resolve(cfg, s);
	}
	return 0;
}

/* Add (or replace) the entries of a vars mapping already checked. */
static void
config_add_vars(struct cfg_loader *ld, yaml_node_t *map, struct cfg_kv **v,
    size_t *n, size_t *cap)
{
	yaml_node_pair_t *pair;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++)
		config_kv_set(v, n, cap,
		    config_text(config_node(ld, pair->key)),
		    xstrdup(config_text(config_node(ld, pair->value))));
}

/*
 * Hosts: the inventory.
 */

/* Why text cannot be one word of ssh's command line (a host name, an
 * address, a user), or NULL when it can. */
static const char *
config_word_problem(const char *s)
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

static int
config_word(struct cfg_loader *ld, const yaml_node_t *n, const char *ctx,
    const char **out)
{
	const char *why;

	if (config_string(ld, n, ctx, out) != 0)
		return -1;
	if ((why = config_word_problem(*out)) != NULL)
		return config_error(ld, &n->start_mark, "%s %s", ctx, why);
	return 0;
}

/* Set an ssh option in a list, in place when it is there already: ssh
 * option names ignore case. */
static void
config_opt_set(struct cfg_kv **v, size_t *n, size_t *cap, const char *name,
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
config_ssh_options(struct cfg_loader *ld, yaml_node_t *map,
    struct cfg_host *h)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	const char *name, *value = NULL, *p;
	char what[128];
	size_t i, cap = h->n_ssh_options;

	if (config_mapping(ld, map, "'ssh_options'") != 0)
		return -1;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = config_node(ld, pair->key);
		name = config_text(k);
		for (p = name; isalnum((unsigned char)*p); p++)
			;
		if (*p != '\0' || p == name)
			return config_error(ld, &k->start_mark,
			    "invalid ssh option name '%s' (as in ssh_config: "
			    "letters and digits)", name);
		for (i = 0; config_ssh_owned[i] != NULL; i++) {
			if (strcasecmp(name, config_ssh_owned[i]) == 0)
				return config_error(ld, &k->start_mark,
				    "ssh option '%s' is set by drove (one "
				    "connection per host, never a prompt)",
				    name);
		}
		snprintf(what, sizeof what, "ssh option '%s'", name);
		if (config_nonempty(ld, config_node(ld, pair->value), what,
		    &value) != 0)
			return -1;
		if (strpbrk(value, "\r\n") != NULL)
			return config_error(ld,
			    &config_node(ld, pair->value)->start_mark,
			    "ssh option '%s' has a line break", name);
		config_opt_set(&h->ssh_options, &h->n_ssh_options, &cap,
		    name, value);
	}
	return 0;
}

/* The settings a host and host_defaults share. */
static int
config_host_common(struct cfg_loader *ld, const struct cfg_field *user,
    const struct cfg_field *port, const struct cfg_field *identity,
    const struct cfg_field *options, const struct cfg_field *multiplex,
    struct cfg_host *h)
{
	unsigned long long v = 0;
	const char *s = NULL;

	if (user->val != NULL) {
		if (config_word(ld, user->val, "'user'", &s) != 0)
			return -1;
		free(h->user);
		h->user = xstrdup(s);
	}
	if (port->val != NULL) {
		if (config_uint(ld, port->val, "'port'", 1, 65535, &v) != 0)
			return -1;
		h->port = (unsigned)v;
	}
	if (identity->val != NULL) {
		if (config_nonempty(ld, identity->val, "'identity'", &s) != 0)
			return -1;
		free(h->identity);
		h->identity = config_resolve(ld->cfg, s);
	}
	if (options->val != NULL &&
	    config_ssh_options(ld, options->val, h) != 0)
		return -1;
	if (multiplex->val != NULL && config_bool(ld, multiplex->val,
	    "'multiplex'", &h->multiplex) != 0)
		return -1;
	return 0;
}

static int
config_host_defaults(struct cfg_loader *ld, yaml_node_t *n,
    struct cfg_host *d)
{
	struct cfg_field f[HDEF_N];

	if (n->type != YAML_MAPPING_NODE)
		return config_expected(ld, n, "a mapping", "'host_defaults'");
	if (config_fields(ld, n, "in host_defaults", config_host_default_keys,
	    f) != 0)
		return -1;
	return config_host_common(ld, &f[HDEF_USER], &f[HDEF_PORT],
	    &f[HDEF_IDENTITY], &f[HDEF_SSH_OPTIONS], &f[HDEF_MULTIPLEX], d);
}

static void
config_host_clear(struct cfg_host *h)
{
	size_t i;

	free(h->name);
	free(h->address);
	free(h->user);
	free(h->identity);
	config_kv_free(h->ssh_options, h->n_ssh_options);
	for (i = 0; i < h->n_tags; i++)
		free(h->tags[i]);
	free(h->tags);
	config_kv_free(h->vars, h->n_vars);
}

/* A new host called name, given the defaults; NULL (and the error) when
 * the name is taken or no good. */
static struct cfg_host *
config_host_add(struct cfg_loader *ld, const char *name,
    const struct cfg_host *dflt, const char *file, size_t line, size_t col)
{
	struct config *cfg = ld->cfg;
	struct cfg_host *h;
	const char *why;
	char *msg;
	size_t i;

	msg = NULL;
	if ((why = config_word_problem(name)) != NULL)
		msg = xasprintf("host name '%s' %s", name, why);
	for (i = 0; msg == NULL && i < cfg->n_hosts; i++) {
		if (strcmp(cfg->hosts[i].name, name) == 0)
			msg = xasprintf("duplicate host '%s' (first at line "
			    "%d)", name, cfg->hosts[i].line);
	}
	if (msg == NULL && cfg->n_hosts == CONFIG_SEQS_MAX)
		msg = xasprintf("more than %d hosts", CONFIG_SEQS_MAX);
	if (msg != NULL) {
		if (ld->err == NULL)
			ld->err = xasprintf("%s:%zu:%zu: error: %s", file, line,
			    col, msg);
		free(msg);
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

static void
config_host_tag(struct cfg_host *h, const char *tag)
{
	size_t i;

	for (i = 0; i < h->n_tags; i++) {
		if (strcmp(h->tags[i], tag) == 0)
			return;
	}
	h->tags = xrealloc(h->tags, (h->n_tags + 1) * sizeof *h->tags);
	h->tags[h->n_tags++] = xstrdup(tag);
}

static int
config_host_tag_node(struct cfg_loader *ld, yaml_node_t *n,
    struct cfg_host *h)
{
	const char *s = NULL;

	if (config_nonempty(ld, n, "a tag", &s) != 0)
		return -1;
	if (!tmpl_valid_name(s))
		return config_error(ld, &n->start_mark, "invalid tag '%s' (use "
		    "letters, digits, '_' and '-')", s);
	config_host_tag(h, s);
	return 0;
}

/* tags: a list of names, or one. */
static int
config_host_tags(struct cfg_loader *ld, yaml_node_t *n, struct cfg_host *h)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE)
		return config_host_tag_node(ld, n, h);
	if (n->type != YAML_SEQUENCE_NODE)
		return config_expected(ld, n, "a list of tags", "'tags'");
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (config_host_tag_node(ld, config_node(ld, *it), h) != 0)
			return -1;
	}
	return 0;
}

/* One entry of an inline inventory: NAME: ADDRESS, or NAME: {...}. */
static int
config_host_entry(struct cfg_loader *ld, yaml_node_t *k, yaml_node_t *v,
    const struct cfg_host *dflt)
{
	struct cfg_field f[HOST_N];
	struct cfg_host *h;
	const char *s = NULL;
	char buf[64];
	size_t vars_cap = 0;

	if ((h = config_host_add(ld, config_text(k), dflt, ld->file,
	    k->start_mark.line + 1, k->start_mark.column + 1)) == NULL)
		return -1;
	if (v->type == YAML_SCALAR_NODE && !config_is_null(v)) {
		if (config_word(ld, v, "'address'", &s) != 0)
			return -1;
		free(h->address);
		h->address = xstrdup(s);
		return 0;
	}
	if (v->type != YAML_MAPPING_NODE || config_is_braces(ld, v))
		return config_error(ld, &v->start_mark, "expected an address "
		    "or a mapping for host '%s', got %s", h->name,
		    config_describe(ld, v, buf, sizeof buf));
	if (config_fields(ld, v, "in host", config_host_keys, f) != 0)
		return -1;
	if (f[HOST_ADDRESS].val != NULL) {
		if (config_word(ld, f[HOST_ADDRESS].val, "'address'", &s) != 0)
			return -1;
		free(h->address);
		h->address = xstrdup(s);
	}
	if (config_host_common(ld, &f[HOST_USER], &f[HOST_PORT],
	    &f[HOST_IDENTITY], &f[HOST_SSH_OPTIONS], &f[HOST_MULTIPLEX],
	    h) != 0)
		return -1;
	if (f[HOST_TAGS].val != NULL &&
	    config_host_tags(ld, f[HOST_TAGS].val, h) != 0)
		return -1;
	if (f[HOST_VARS].val != NULL) {
		if (config_check_vars(ld, f[HOST_VARS].val, "'vars'") != 0)
			return -1;
		config_add_vars(ld, f[HOST_VARS].val, &h->vars, &h->n_vars,
		    &vars_cap);
	}
	return 0;
}

/* An error in a hosts file, at a line and column of its own. */
static int
config_file_error(struct cfg_loader *ld, const char *file, size_t line,
    size_t col, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
config_file_error(struct cfg_loader *ld, const char *file, size_t line,
    size_t col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (ld->err == NULL)
		ld->err = xasprintf("%s:%zu:%zu: error: %s", file, line, col,
		    msg);
	free(msg);
	return -1;
}

/*
 * One line of a hosts file: NAME [KEY=VALUE ...], the keys being address,
 * user, port, identity and tags (comma-separated). Blank lines and
 * comments (from a '#' that starts a word) are skipped.
 */
static int
config_hosts_line(struct cfg_loader *ld, const char *file, size_t lineno,
    char *line, const struct cfg_host *dflt)
{
	struct cfg_host *h = NULL;
	char *p = line, *word, *eq, *tag, *save = NULL;
	const char *why;
	size_t col;
	unsigned long v;

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
			h = config_host_add(ld, word, dflt, file, lineno, col);
			if (h == NULL)
				return -1;
			continue;
		}
		if ((eq = strchr(word, '=')) == NULL)
			return config_file_error(ld, file, lineno, col,
			    "expected KEY=VALUE after the host name, got '%s' "
			    "(keys: address, user, port, identity, tags)",
			    word);
		*eq++ = '\0';
		if (strcmp(word, "tags") == 0) {
			for (tag = strtok_r(eq, ",", &save); tag != NULL;
			    tag = strtok_r(NULL, ",", &save)) {
				if (tmpl_valid_name(tag))
					config_host_tag(h, tag);
				else
					return config_file_error(ld, file,
					    lineno, col, "invalid tag '%s' "
					    "(use letters, digits, '_' and "
					    "'-')", tag);
			}
			continue;
		}
		if (strcmp(word, "port") == 0) {
			errno = 0;
			v = strtoul(eq, &tag, 10);
			if (errno != 0 || tag == eq || *tag != '\0' || v < 1 ||
			    v > 65535 || !isdigit((unsigned char)*eq))
				return config_file_error(ld, file, lineno, col,
				    "'port' must be 1 to 65535, got '%s'", eq);
			h->port = (unsigned)v;
			continue;
		}
		if (strcmp(word, "identity") == 0) {
			if (*eq == '\0')
				return config_file_error(ld, file, lineno, col,
				    "'identity' is empty");
			free(h->identity);
			h->identity = config_resolve(ld->cfg, eq);
			continue;
		}
		if (strcmp(word, "address") != 0 && strcmp(word, "user") != 0)
			return config_file_error(ld, file, lineno, col,
			    "unknown key '%s' in hosts file (valid: address, "
			    "user, port, identity, tags)", word);
		if ((why = config_word_problem(eq)) != NULL)
			return config_file_error(ld, file, lineno, col,
			    "'%s' %s", word, why);
		if (word[0] == 'a') {
			free(h->address);
			h->address = xstrdup(eq);
		} else {
			free(h->user);
			h->user = xstrdup(eq);
		}
	}
}

static int
config_hosts_file(struct cfg_loader *ld, yaml_node_t *n,
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

	if (config_nonempty(ld, n, "'hosts'", &s) != 0)
		return -1;
	cfg->hosts_file = config_resolve(cfg, s);
	if ((fp = fopen(cfg->hosts_file, "r")) == NULL)
		return config_error(ld, &n->start_mark,
		    "cannot read hosts file '%s': %s", cfg->hosts_file,
		    strerror(errno));
	/* A device or a FIFO could feed a line without end. */
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > CONFIG_HOSTS_FILE_MAX) {
		fclose(fp);
		return config_error(ld, &n->start_mark, "hosts file '%s' is "
		    "not a regular file of at most %d MiB", cfg->hosts_file,
		    CONFIG_HOSTS_FILE_MAX >> 20);
	}
	while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(line))
			rc = config_file_error(ld, cfg->hosts_file, lineno, 1,
			    "a NUL character");
		else
			rc = config_hosts_line(ld, cfg->hosts_file, lineno,
			    line, dflt);
	}
	if (rc == 0 && ferror(fp))
		rc = config_error(ld, &n->start_mark,
		    "cannot read hosts file '%s': %s", cfg->hosts_file,
		    strerror(errno));
	free(line);
	fclose(fp);
	if (rc == 0 && cfg->n_hosts == 0)
		rc = config_error(ld, &n->start_mark, "hosts file '%s' lists "
		    "no hosts", cfg->hosts_file);
	return rc;
}

/* hosts: a mapping of name to host, or the name of a hosts file. */
static int
config_hosts(struct cfg_loader *ld, yaml_node_t *n, yaml_node_t *defaults)
{
	struct cfg_host dflt;
	yaml_node_pair_t *pair;
	int rc = -1;

	memset(&dflt, 0, sizeof dflt);
	dflt.multiplex = true;
	if (defaults != NULL && config_host_defaults(ld, defaults, &dflt) != 0)
		goto out;
	if (n == NULL) {
		if (defaults != NULL)
			config_error(ld, &defaults->start_mark,
			    "'host_defaults' without 'hosts'");
		else
			rc = 0;
		goto out;
	}
	if (n->type == YAML_SCALAR_NODE) {
		rc = config_hosts_file(ld, n, &dflt);
		goto out;
	}
	if (n->type != YAML_MAPPING_NODE || config_is_braces(ld, n)) {
		config_expected(ld, n, "a mapping of host names (or the name "
		    "of a hosts file)", "'hosts'");
		goto out;
	}
	if (config_fields(ld, n, NULL, NULL, NULL) != 0)
		goto out;
	if (n->data.mapping.pairs.start == n->data.mapping.pairs.top) {
		config_error(ld, &n->start_mark, "'hosts' is empty");
		goto out;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		if (config_host_entry(ld, config_node(ld, pair->key),
		    config_node(ld, pair->value), &dflt) != 0)
			goto out;
	}
	rc = 0;
out:
	dflt.name = NULL;
	config_host_clear(&dflt);
	return rc;
}

/* Does host h match one item of a 'hosts:' selection? An item is 'all',
 * 'tag:NAME', or a shell pattern of host names. */
static bool
config_host_selected(const struct cfg_host *h, const char *item)
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

/*
 * A sequence's 'hosts:' selection becomes the first key of its matrix,
 * 'host', whose values are the names of the hosts selected, in inventory
 * order. Items are expanded with the variables every expansion shares
 * (the top level's and the sequence's, and --set).
 */
static int
config_select_hosts(struct cfg_loader *ld, yaml_node_t *n,
    struct cfg_seqdef *def)
{
	struct config *cfg = ld->cfg;
	struct cfg_kv *vars = NULL;
	size_t n_vars = 0, vars_cap = 0, n_items, i, j;
	yaml_node_t **items, *item;
	char **text;
	bool *on;
	struct cfg_matrix *m;
	const char *s = NULL;
	int rc = -1;

	if (n->type == YAML_SEQUENCE_NODE) {
		n_items = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
		if (n_items == 0)
			return config_error(ld, &n->start_mark,
			    "'hosts' is empty");
	} else if (n->type == YAML_SCALAR_NODE)
		n_items = 1;
	else
		return config_expected(ld, n, "'all', a tag:NAME or a host "
		    "name pattern, or a list of them", "'hosts'");
	items = xcalloc(n_items, sizeof *items);
	text = xcalloc(n_items, sizeof *text);
	on = xcalloc(cfg->n_hosts, sizeof *on);
	for (i = 0; i < ld->n_vars; i++)
		config_kv_set(&vars, &n_vars, &vars_cap, ld->vars[i].name,
		    xstrdup(ld->vars[i].value));
	if (def->vars != NULL)
		config_add_vars(ld, def->vars, &vars, &n_vars, &vars_cap);
	for (i = 0; i < ld->n_overrides; i++)
		config_kv_set(&vars, &n_vars, &vars_cap,
		    ld->overrides[i].name, xstrdup(ld->overrides[i].value));

	for (i = 0; i < n_items; i++) {
		item = n->type == YAML_SCALAR_NODE ? n :
		    config_node(ld, n->data.sequence.items.start[i]);
		items[i] = item;
		if (config_nonempty(ld, item, "'hosts'", &s) != 0)
			goto out;
		if ((text[i] = config_expand(ld, item, vars, n_vars)) == NULL)
			goto out;
	}
	for (i = 0; i < n_items; i++) {
		bool any = false;
		for (j = 0; j < cfg->n_hosts; j++) {
			if (config_host_selected(&cfg->hosts[j], text[i]))
				on[j] = any = true;
		}
		if (!any) {
			config_error(ld, &items[i]->start_mark,
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
	config_kv_free(vars, n_vars);
	return rc;
}

/*
 * Sequences.
 */

static int
config_matrix(struct cfg_loader *ld, yaml_node_t *n, struct cfg_seqdef *def)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v, *item;
	yaml_node_item_t *it;
	struct cfg_matrix *m;
	size_t total = 1;
	const char *s = NULL;
	char what[128], buf[64];

	if (config_mapping(ld, n, "'matrix'") != 0)
		return -1;
	if (n->data.mapping.pairs.start == n->data.mapping.pairs.top)
		return config_error(ld, &n->start_mark, "'matrix' is empty");
	def->n_matrix = (size_t)(n->data.mapping.pairs.top -
	    n->data.mapping.pairs.start);
	def->matrix = xcalloc(def->n_matrix, sizeof *def->matrix);
	m = def->matrix;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++, m++) {
		k = config_node(ld, pair->key);
		v = config_node(ld, pair->value);
		m->name = config_text(k);
		if (!tmpl_valid_name(m->name))
			return config_error(ld, &k->start_mark,
			    "invalid variable name '%s' (use letters, digits, "
			    "'_' and '-')", m->name);
		if (v->type != YAML_SEQUENCE_NODE)
			return config_error(ld, &v->start_mark,
			    "expected a list of values for matrix '%s', got %s",
			    m->name, config_describe(ld, v, buf, sizeof buf));
		m->n_values = (size_t)(v->data.sequence.items.top -
		    v->data.sequence.items.start);
		if (m->n_values == 0)
			return config_error(ld, &v->start_mark,
			    "matrix '%s' has no values", m->name);
		m->values = xcalloc(m->n_values, sizeof *m->values);
		snprintf(what, sizeof what, "a value of matrix '%s'", m->name);
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			item = config_node(ld, *it);
			if (config_string(ld, item, what, &s) != 0)
				return -1;
			m->values[it - v->data.sequence.items.start] = s;
		}
		if (total > CONFIG_SEQS_MAX / m->n_values)
			return config_error(ld, &n->start_mark,
			    "'matrix' makes more than %d sequences",
			    CONFIG_SEQS_MAX);
		total *= m->n_values;
	}
	return 0;
}

static int
config_check_needs(struct cfg_loader *ld, yaml_node_t *n)
{
	yaml_node_item_t *it;
	const char *s = NULL;

	if (n->type == YAML_SCALAR_NODE)
		return config_nonempty(ld, n, "'needs'", &s);
	if (n->type != YAML_SEQUENCE_NODE)
		return config_expected(ld, n, "a list of sequence names",
		    "'needs'");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		if (config_nonempty(ld, config_node(ld, *it), "'needs'",
		    &s) != 0)
			return -1;
	}
	return 0;
}

/* The name a step gets from its command: its first line, and " ..." if
 * more follows. */
static char *
config_step_name(const char *run)
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
config_step(struct cfg_loader *ld, struct cfg_seq *seq, size_t *step_cap,
    yaml_node_t *n, const struct cfg_defaults *d)
{
	static const char *const op_names[] = {
		[CFG_OP_RUN] = "run", [CFG_OP_REMOTE] = "remote",
		[CFG_OP_UPLOAD] = "upload", [CFG_OP_DOWNLOAD] = "download",
	};
	struct cfg_step *st;
	struct cfg_field f[STEP_N];
	struct cfg_field *action = NULL;
	struct cfg_defaults sd = *d;
	size_t env_cap = 0, i;
	const char *s = NULL;
	char buf[64], *cwd, what[32];
	int act = -1;

	seq->steps = xreallocarray_grow(seq->steps, step_cap, seq->n_steps + 1,
	    sizeof *seq->steps);
	st = &seq->steps[seq->n_steps++];
	memset(st, 0, sizeof *st);
	st->line = (int)n->start_mark.line + 1;
	st->column = (int)n->start_mark.column + 1;

	if (n->type == YAML_SCALAR_NODE && !config_is_null(n)) {
		if (config_string(ld, n, "a step", &s) != 0)
			return -1;
		if (s[strspn(s, " \t\n")] == '\0')
			return config_error(ld, &n->start_mark, "empty step");
		st->kind = CFG_STEP_RUN;
		if ((st->run = config_expand(ld, n, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
		st->name = config_step_name(st->run);
		goto defaults;
	}
	if (n->type != YAML_MAPPING_NODE || config_is_braces(ld, n))
		return config_error(ld, &n->start_mark, "expected a step (a "
		    "command, or a mapping with 'run' or 'sleep'), got %s",
		    config_describe(ld, n, buf, sizeof buf));
	if (config_fields(ld, n, "in step", config_step_keys, f) != 0)
		return -1;
	/* Exactly one key says what the step does. */
	for (i = 0; i < sizeof config_step_actions /
	    sizeof config_step_actions[0]; i++) {
		if (f[config_step_actions[i]].val == NULL)
			continue;
		if (act >= 0)
			return config_error(ld, &n->start_mark,
			    "step has both '%s' and '%s'",
			    config_step_keys[act],
			    config_step_keys[config_step_actions[i]]);
		act = config_step_actions[i];
	}
	if (act < 0)
		return config_error(ld, &n->start_mark, "step has no 'run', "
		    "'remote', 'upload', 'download' or 'sleep'");
	action = &f[act];

	if (act == STEP_SLEEP) {
		/* A timer has no process, so nothing else applies to it. */
		for (i = 0; i < STEP_N; i++) {
			if (i == STEP_NAME || i == STEP_SLEEP ||
			    f[i].key == NULL)
				continue;
			return config_error(ld, &f[i].key->start_mark,
			    "'%s' does not apply to a sleep step",
			    config_step_keys[i]);
		}
		st->kind = CFG_STEP_SLEEP;
		if (config_duration(ld, f[STEP_SLEEP].val, "'sleep'",
		    &st->sleep) != 0)
			return -1;
		s = config_text(f[STEP_SLEEP].val);
		if (f[STEP_NAME].val == NULL) {
			/* As written, with a unit: "sleep 3s", "sleep 1.5s". */
			st->name = xasprintf("sleep %s%s", s,
			    strchr("0123456789", s[strlen(s) - 1]) != NULL ?
			    "s" : "");
		}
	} else {
		st->kind = CFG_STEP_RUN;
		st->op = act == STEP_REMOTE ? CFG_OP_REMOTE :
		    act == STEP_UPLOAD ? CFG_OP_UPLOAD :
		    act == STEP_DOWNLOAD ? CFG_OP_DOWNLOAD : CFG_OP_RUN;
		snprintf(what, sizeof what, "'%s'", op_names[st->op]);
		if (st->op != CFG_OP_RUN && seq->host < 0)
			return config_error(ld, &action->key->start_mark,
			    "a %s step needs a host: bind the sequence to one "
			    "with 'host' or 'hosts'", op_names[st->op]);
		if (config_string(ld, action->val, what, &s) != 0)
			return -1;
		if (s[strspn(s, " \t\n")] == '\0')
			return config_error(ld, &action->val->start_mark,
			    "%s is empty", what);
		if ((st->run = config_expand(ld, action->val, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
		if (st->op == CFG_OP_UPLOAD || st->op == CFG_OP_DOWNLOAD) {
			if (f[STEP_TO].val == NULL)
				return config_error(ld, &n->start_mark,
				    "%s step has no 'to' (where the copy goes)",
				    what);
			if (config_nonempty(ld, f[STEP_TO].val, "'to'",
			    &s) != 0)
				return -1;
			if ((st->to = config_expand(ld, f[STEP_TO].val,
			    seq->vars, seq->n_vars)) == NULL)
				return -1;
			if (f[STEP_TTY].key != NULL)
				return config_error(ld,
				    &f[STEP_TTY].key->start_mark, "'tty' "
				    "does not apply to a %s step",
				    op_names[st->op]);
			if (f[STEP_NAME].val == NULL)
				st->name = xasprintf("%s %s", op_names[st->op],
				    st->run);
		} else {
			if (f[STEP_TO].key != NULL)
				return config_error(ld,
				    &f[STEP_TO].key->start_mark, "'to' applies "
				    "to upload and download steps only");
			if (f[STEP_NAME].val == NULL)
				st->name = config_step_name(st->run);
		}
		if (st->op == CFG_OP_REMOTE && f[STEP_CWD].key != NULL)
			return config_error(ld, &f[STEP_CWD].key->start_mark,
			    "'cwd' does not apply to a remote step (it runs on "
			    "the host: cd there in the command)");
	}
	if (f[STEP_NAME].val != NULL) {
		if (config_nonempty(ld, f[STEP_NAME].val, "'name'", &s) != 0)
			return -1;
		if ((st->name = config_expand(ld, f[STEP_NAME].val, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
	}
	if (st->kind == CFG_STEP_SLEEP)
		return 0;

	/* A copy has no terminal: the sequence's tty is not for it. */
	if (st->op == CFG_OP_UPLOAD || st->op == CFG_OP_DOWNLOAD)
		sd.tty = false;
	if (config_step_settings(ld, &f[STEP_TIMEOUT], &f[STEP_RETRIES],
	    &f[STEP_RETRY_DELAY], &f[STEP_ON_FAILURE], &f[STEP_TTY], &sd) != 0)
		return -1;
	if (f[STEP_CWD].val != NULL) {
		if (config_nonempty(ld, f[STEP_CWD].val, "'cwd'", &s) != 0)
			return -1;
		if ((cwd = config_expand(ld, f[STEP_CWD].val, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
		st->cwd = config_resolve(ld->cfg, cwd);
		free(cwd);
	}
	if (f[STEP_ENV].val != NULL) {
		if (config_check_env(ld, f[STEP_ENV].val) != 0)
			return -1;
		if (config_add_env(ld, f[STEP_ENV].val, seq->vars, seq->n_vars,
		    &st->env, &st->n_env, &env_cap) != 0)
			return -1;
	}

defaults:
	st->timeout = sd.timeout;
	st->retries = sd.retries;
	st->retry_delay = sd.retry_delay;
	st->on_failure = sd.on_failure;
	st->tty = sd.tty;
	return 0;
}

/*
 * The variables of one expansion of def. Scope: top-level vars, the
 * sequence's, the host's (its vars, then host and host_address), --set,
 * the matrix. The host is more specific than the sequence; the command
 * line beats the file; the matrix beats everything, or its expansions
 * would all be the same.
 */
static void
config_scope(struct cfg_loader *ld, struct cfg_seqdef *def,
    const size_t *at, const struct cfg_host *h, struct cfg_kv **v,
    size_t *n)
{
	size_t cap = 0, i;

	*v = NULL;
	*n = 0;
	for (i = 0; i < ld->n_vars; i++)
		config_kv_set(v, n, &cap, ld->vars[i].name,
		    xstrdup(ld->vars[i].value));
	if (def->vars != NULL)
		config_add_vars(ld, def->vars, v, n, &cap);
	if (h != NULL) {
		for (i = 0; i < h->n_vars; i++)
			config_kv_set(v, n, &cap, h->vars[i].name,
			    xstrdup(h->vars[i].value));
		config_kv_set(v, n, &cap, "host", xstrdup(h->name));
		config_kv_set(v, n, &cap, "host_address",
		    xstrdup(h->address));
	}
	for (i = 0; i < ld->n_overrides; i++)
		config_kv_set(v, n, &cap, ld->overrides[i].name,
		    xstrdup(ld->overrides[i].value));
	for (i = 0; i < def->n_matrix; i++)
		config_kv_set(v, n, &cap, def->matrix[i].name,
		    xstrdup(def->matrix[i].values[at[i]]));
}

/* Which host an expansion of def is bound to: -1 for none, -2 on error. */
static long
config_seq_host(struct cfg_loader *ld, struct cfg_seqdef *def,
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
	config_scope(ld, def, at, NULL, &vars, &n_vars);
	name = config_expand(ld, def->host, vars, n_vars);
	config_kv_free(vars, n_vars);
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
		config_error(ld, &def->host->start_mark,
		    "unknown host '%s' (hosts: %s)", name, list);
		free(list);
		free(name);
		return -2;
	}
	free(name);
	return h;
}

/* One sequence out of def, for the matrix values at[] (if any). */
static int
config_seq_instance(struct cfg_loader *ld, struct cfg_seqdef *def,
    const size_t *at)
{
	struct config *cfg = ld->cfg;
	struct cfg_seq *seq;
	struct cfg_aux *aux;
	size_t env_cap = 0, step_cap = 0, i;
	const char *value;
	yaml_node_item_t *it;
	char *name, *cwd;
	long host;

	if (cfg->n_seqs == CONFIG_SEQS_MAX)
		return config_error(ld, &def->node->start_mark,
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
	seq->template_name = xstrdup(config_text(def->name));
	seq->line = (int)def->node->start_mark.line + 1;
	seq->column = (int)def->node->start_mark.column + 1;

	if ((host = config_seq_host(ld, def, at)) == -2)
		return -1;
	seq->host = host;
	config_scope(ld, def, at, host >= 0 ? &cfg->hosts[host] : NULL,
	    &seq->vars, &seq->n_vars);

	if ((seq->name = config_expand(ld, def->name, seq->vars,
	    seq->n_vars)) == NULL)
		return -1;
	/* Matrix values the name does not show are appended, so that every
	 * expansion gets a name of its own. */
	for (i = 0; i < def->n_matrix; i++) {
		if (tmpl_uses(seq->template_name, def->matrix[i].name))
			continue;
		value = def->matrix[i].values[at[i]];
		name = xasprintf("%s %s", seq->name, value);
		free(seq->name);
		seq->name = name;
	}
	if (seq->name[0] == '\0')
		return config_error(ld, &def->name->start_mark,
		    "sequence name '%s' is empty once expanded",
		    seq->template_name);
	for (i = 0; i + 1 < cfg->n_seqs; i++) {
		if (strcmp(cfg->seqs[i].name, seq->name) == 0)
			return config_error(ld, &def->name->start_mark,
			    "duplicate sequence name '%s' (first at line %zu)",
			    seq->name, ld->aux[i].name_mark.line + 1);
	}

	if (def->cwd != NULL) {
		if ((cwd = config_expand(ld, def->cwd, seq->vars,
		    seq->n_vars)) == NULL)
			return -1;
		seq->cwd = config_resolve(cfg, cwd);
		free(cwd);
	}
	if (ld->env != NULL && config_add_env(ld, ld->env, seq->vars,
	    seq->n_vars, &seq->env, &seq->n_env, &env_cap) != 0)
		return -1;
	if (def->env != NULL && config_add_env(ld, def->env, seq->vars,
	    seq->n_vars, &seq->env, &seq->n_env, &env_cap) != 0)
		return -1;

	for (it = def->steps->data.sequence.items.start;
	    it < def->steps->data.sequence.items.top; it++) {
		/* seq may not move: only steps grow here. */
		if (config_step(ld, seq, &step_cap, config_node(ld, *it),
		    &def->defaults) != 0)
			return -1;
	}
	return 0;
}

/* 'host' or 'hosts': which machine the sequence's remote steps run on. */
static int
config_seq_binding(struct cfg_loader *ld, const struct cfg_field *f,
    struct cfg_seqdef *def)
{
	const struct cfg_field *key = f[SEQ_HOSTS].key ? &f[SEQ_HOSTS] :
	    &f[SEQ_HOST];
	const char *s = NULL;
	size_t i, total = 1;

	if (key->key == NULL)
		return 0;
	if (f[SEQ_HOST].key != NULL && f[SEQ_HOSTS].key != NULL)
		return config_error(ld, &f[SEQ_HOSTS].key->start_mark,
		    "sequence has both 'host' and 'hosts'");
	if (ld->cfg->n_hosts == 0)
		return config_error(ld, &key->key->start_mark, "'%s' needs a "
		    "host inventory: there is no 'hosts' at the top level",
		    config_text(key->key));
	if (f[SEQ_HOST].val != NULL) {
		def->host = f[SEQ_HOST].val;
		return config_nonempty(ld, def->host, "'host'", &s);
	}
	for (i = 0; i < def->n_matrix; i++) {
		if (strcmp(def->matrix[i].name, "host") == 0)
			return config_error(ld, &f[SEQ_HOSTS].key->start_mark,
			    "'hosts' makes the matrix key 'host', and "
			    "'matrix' has one too");
		total *= def->matrix[i].n_values;
	}
	if (config_select_hosts(ld, f[SEQ_HOSTS].val, def) != 0)
		return -1;
	if (total > CONFIG_SEQS_MAX / def->matrix[0].n_values)
		return config_error(ld, &f[SEQ_HOSTS].key->start_mark,
		    "'hosts' and 'matrix' make more than %d sequences",
		    CONFIG_SEQS_MAX);
	return 0;
}

static int
config_seq(struct cfg_loader *ld, yaml_node_t *n)
{
	struct cfg_seqdef def;
	struct cfg_field f[SEQ_N];
	size_t at[64], i;
	const char *s = NULL;
	char buf[64];
	int rc = -1;

	memset(&def, 0, sizeof def);
	def.node = n;
	def.defaults.retry_delay = CONFIG_DEFAULT_RETRY_DELAY;
	def.defaults.on_failure = CFG_ONFAIL_STOP;

	if (n->type != YAML_MAPPING_NODE)
		return config_error(ld, &n->start_mark, "expected a sequence "
		    "(a mapping with 'name' and 'steps'), got %s",
		    config_describe(ld, n, buf, sizeof buf));
	if (config_fields(ld, n, "in sequence", config_seq_keys, f) != 0)
		return -1;
	if (f[SEQ_NAME].val == NULL)
		return config_error(ld, &n->start_mark,
		    "sequence has no 'name'");
	if (config_nonempty(ld, f[SEQ_NAME].val, "'name'", &s) != 0)
		return -1;
	def.name = f[SEQ_NAME].val;
	if (f[SEQ_STEPS].val == NULL)
		return config_error(ld, &n->start_mark,
		    "sequence '%s' has no 'steps'", s);
	def.steps = f[SEQ_STEPS].val;
	if (def.steps->type != YAML_SEQUENCE_NODE)
		return config_expected(ld, def.steps, "a list of steps",
		    "'steps'");
	if (def.steps->data.sequence.items.start ==
	    def.steps->data.sequence.items.top)
		return config_error(ld, &def.steps->start_mark,
		    "sequence '%s' has no steps", s);

	if (f[SEQ_MATRIX].val != NULL &&
	    config_matrix(ld, f[SEQ_MATRIX].val, &def) != 0)
		goto out;
	/* One key is kept for 'hosts'. */
	if (def.n_matrix + 1 > sizeof at / sizeof at[0]) {
		config_error(ld, &f[SEQ_MATRIX].val->start_mark,
		    "'matrix' has more than %zu keys",
		    sizeof at / sizeof at[0] - 1);
		goto out;
	}
	if ((def.needs = f[SEQ_NEEDS].val) != NULL &&
	    config_check_needs(ld, def.needs) != 0)
		goto out;
	if ((def.cwd = f[SEQ_CWD].val) != NULL &&
	    config_nonempty(ld, def.cwd, "'cwd'", &s) != 0)
		goto out;
	if ((def.env = f[SEQ_ENV].val) != NULL &&
	    config_check_env(ld, def.env) != 0)
		goto out;
	if ((def.vars = f[SEQ_VARS].val) != NULL &&
	    config_check_vars(ld, def.vars, "'vars'") != 0)
		goto out;
	if (config_step_settings(ld, &f[SEQ_TIMEOUT], &f[SEQ_RETRIES],
	    &f[SEQ_RETRY_DELAY], &f[SEQ_ON_FAILURE], &f[SEQ_TTY],
	    &def.defaults) != 0)
		goto out;
	if (config_seq_binding(ld, f, &def) != 0)
		goto out;

	/* The cartesian product, first key outermost: an odometer. */
	memset(at, 0, sizeof at);
	for (;;) {
		if (config_seq_instance(ld, &def, at) != 0)
			goto out;
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
	for (i = 0; i < def.n_matrix; i++)
		free(def.matrix[i].values);
	free(def.matrix);
	return rc;
}

/*
 * Needs.
 */

static void
config_add_need(struct cfg_loader *ld, size_t seq, size_t need,
    const yaml_node_t *entry)
{
	struct cfg_seq *s = &ld->cfg->seqs[seq];
	struct cfg_aux *aux = &ld->aux[seq];
	size_t cap;

	/* A stamp rather than a search: a template can name thousands. */
	if (ld->need_stamp[need] == seq + 1)
		return;
	ld->need_stamp[need] = seq + 1;
	cap = aux->need_cap;
	s->needs = xreallocarray_grow(s->needs, &cap, s->n_needs + 1,
	    sizeof *s->needs);
	aux->need_nodes = xreallocarray_grow(aux->need_nodes, &aux->need_cap,
	    s->n_needs + 1, sizeof *aux->need_nodes);
	s->needs[s->n_needs] = need;
	aux->need_nodes[s->n_needs] = entry;
	s->n_needs++;
}

/*
 * One entry of needs. Expanded with the sequence's variables, it names a
 * sequence, or a template (all of its expansions): that pairs "deploy
 * {{host}}" with "build {{host}}" in a matrix. If it does not expand (a
 * variable this sequence lacks), it can still name a template as written.
 */
static int
config_resolve_need(struct cfg_loader *ld, size_t idx, const yaml_node_t *n)
{
	struct config *cfg = ld->cfg;
	const char *text = config_text(n);
	char *exp, *msg;
	size_t i, found = 0;
	long one = -1;

	exp = tmpl_expand(text, cfg->seqs[idx].vars, cfg->seqs[idx].n_vars,
	    &msg, NULL);
	if (exp == NULL)
		free(msg);
	else
		one = config_find_seq(cfg, exp);
	if (one >= 0) {
		if ((size_t)one == idx)
			goto self;
		config_add_need(ld, idx, (size_t)one, n);
		free(exp);
		return 0;
	}
	for (i = 0; i < cfg->n_seqs; i++) {
		if ((exp != NULL &&
		    strcmp(cfg->seqs[i].template_name, exp) == 0) ||
		    strcmp(cfg->seqs[i].template_name, text) == 0) {
			if (i == idx)
				goto self;
			config_add_need(ld, idx, i, n);
			found++;
		}
	}
	free(exp);
	if (found == 0)
		return config_error(ld, &n->start_mark,
		    "unknown sequence '%s' in needs", text);
	return 0;

self:
	free(exp);
	return config_error(ld, &n->start_mark, "sequence '%s' needs itself",
	    cfg->seqs[idx].name);
}

enum { CFG_WHITE, CFG_GREY, CFG_BLACK };

static int
config_visit(struct cfg_loader *ld, size_t u, unsigned char *colour,
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
			if (config_visit(ld, v, colour, stack, depth + 1) != 0)
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
		config_error(ld, &ld->aux[u].need_nodes[k]->start_mark,
		    "dependency cycle: %s", msg);
		free(msg);
		return -1;
	}
	colour[u] = CFG_BLACK;
	return 0;
}

static int
config_needs(struct cfg_loader *ld)
{
	struct config *cfg = ld->cfg;
	yaml_node_t *n;
	yaml_node_item_t *it;
	unsigned char *colour;
	size_t i, *stack;
	int rc = 0;

	ld->need_stamp = xcalloc(cfg->n_seqs, sizeof *ld->need_stamp);
	for (i = 0; i < cfg->n_seqs; i++) {
		if ((n = ld->aux[i].needs) == NULL)
			continue;
		if (n->type == YAML_SCALAR_NODE) {
			if (config_resolve_need(ld, i, n) != 0)
				return -1;
			continue;
		}
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			if (config_resolve_need(ld, i,
			    config_node(ld, *it)) != 0)
				return -1;
		}
	}

	colour = xcalloc(cfg->n_seqs, 1);
	stack = xcalloc(cfg->n_seqs, sizeof *stack);
	for (i = 0; i < cfg->n_seqs && rc == 0; i++) {
		if (colour[i] == CFG_WHITE)
			rc = config_visit(ld, i, colour, stack, 0);
	}
	free(stack);
	free(colour);
	return rc;
}

static int
config_top(struct cfg_loader *ld, yaml_node_t *root,
    const struct cfg_kv *overrides, size_t n_overrides)
{
	struct cfg_field f[TOP_N];
	yaml_node_t *seqs;
	yaml_node_item_t *it;
	char buf[64];
	size_t i;

	for (i = 0; i < n_overrides; i++) {
		if (!tmpl_valid_name(overrides[i].name))
			return config_error(ld, NULL, "invalid variable name "
			    "'%s' in --set (use letters, digits, '_' and '-')",
			    overrides[i].name);
	}
	if (root->type != YAML_MAPPING_NODE)
		return config_error(ld, &root->start_mark, "expected a "
		    "mapping with 'sequences' at the top level, got %s",
		    config_describe(ld, root, buf, sizeof buf));
	if (config_fields(ld, root, "at the top level", config_top_keys,
	    f) != 0)
		return -1;
	if (f[TOP_SETTINGS].val != NULL &&
	    config_settings(ld, f[TOP_SETTINGS].val) != 0)
		return -1;
	if (f[TOP_VARS].val != NULL) {
		if (config_check_vars(ld, f[TOP_VARS].val, "'vars'") != 0)
			return -1;
		config_add_vars(ld, f[TOP_VARS].val, &ld->vars, &ld->n_vars,
		    &ld->vars_cap);
	}
	for (i = 0; i < n_overrides; i++)
		config_kv_set(&ld->vars, &ld->n_vars, &ld->vars_cap,
		    overrides[i].name, xstrdup(overrides[i].value));
	ld->overrides = overrides;
	ld->n_overrides = n_overrides;
	if ((ld->env = f[TOP_ENV].val) != NULL &&
	    config_check_env(ld, ld->env) != 0)
		return -1;
	if (config_hosts(ld, f[TOP_HOSTS].val, f[TOP_HOST_DEFAULTS].val) != 0)
		return -1;

	if ((seqs = f[TOP_SEQUENCES].val) == NULL)
		return config_error(ld, &root->start_mark,
		    "missing key 'sequences' at the top level");
	if (seqs->type != YAML_SEQUENCE_NODE)
		return config_expected(ld, seqs, "a list of sequences",
		    "'sequences'");
	if (seqs->data.sequence.items.start == seqs->data.sequence.items.top)
		return config_error(ld, &seqs->start_mark,
		    "'sequences' is empty");
	for (it = seqs->data.sequence.items.start;
	    it < seqs->data.sequence.items.top; it++) {
		if (config_seq(ld, config_node(ld, *it)) != 0)
			return -1;
	}
	return config_needs(ld);
}

/*
 * Loading.
 */

/* libyaml's own message, in our format. */
static char *
config_yaml_error(const char *file, const yaml_parser_t *p, const char *text,
    size_t len)
{
	size_t line = 1, col = 1, i;

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
	if (p->context != NULL &&
	    p->context_mark.line != p->problem_mark.line)
		return xasprintf("%s:%zu:%zu: error: %s (%s at line %zu)", file,
		    p->problem_mark.line + 1, p->problem_mark.column + 1,
		    p->problem, p->context, p->context_mark.line + 1);
	if (p->context != NULL)
		return xasprintf("%s:%zu:%zu: error: %s (%s)", file,
		    p->problem_mark.line + 1, p->problem_mark.column + 1,
		    p->problem, p->context);
	return xasprintf("%s:%zu:%zu: error: %s", file,
	    p->problem_mark.line + 1, p->problem_mark.column + 1,
	    p->problem != NULL ? p->problem : "malformed YAML");
}

static int
config_load_text(const char *name, char *dir, const char *text, size_t len,
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
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		*err = config_yaml_error(name, &parser, text, len);
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
		*err = config_yaml_error(name, &parser, text, len);
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
	cfg->keep_runs = CONFIG_DEFAULT_KEEP_RUNS;

	memset(&ld, 0, sizeof ld);
	ld.file = name;
	ld.doc = &doc;
	ld.cfg = cfg;
	rc = config_top(&ld, root, overrides, n_overrides);
	for (i = 0; i < cfg->n_seqs; i++)
		free(ld.aux[i].need_nodes);
	free(ld.need_stamp);
	free(ld.aux);
	config_kv_free(ld.vars, ld.n_vars);
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
	return config_load_text(name, config_getcwd(), text, strlen(text),
	    overrides, n_overrides, out, err);
}

int
config_load(const char *path, const struct cfg_kv *overrides,
    size_t n_overrides, struct config **out, char **err)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0, len = 0, got;
	int rc, saved;

	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		*err = xasprintf("%s: error: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		buf = xreallocarray_grow(buf, &cap, len + 65536, 1);
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		/* A directory opens fine and fails here, with EISDIR. */
		saved = errno;
		fclose(fp);
		free(buf);
		*err = xasprintf("%s: error: %s", path, strerror(saved));
		return -1;
	}
	fclose(fp);
	rc = config_load_text(path, config_dir_of(path), buf, len, overrides,
	    n_overrides, out, err);
	free(buf);
	return rc;
}

static void
config_seq_clear(struct cfg_seq *seq)
{
	struct cfg_step *st;
	size_t j;

	for (j = 0; j < seq->n_steps; j++) {
		st = &seq->steps[j];
		free(st->name);
		free(st->run);
		free(st->to);
		free(st->cwd);
		config_kv_free(st->env, st->n_env);
	}
	free(seq->steps);
	free(seq->name);
	free(seq->template_name);
	free(seq->cwd);
	config_kv_free(seq->env, seq->n_env);
	config_kv_free(seq->vars, seq->n_vars);
	free(seq->needs);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_seqs; i++)
		config_seq_clear(&cfg->seqs[i]);
	for (i = 0; i < cfg->n_hosts; i++)
		config_host_clear(&cfg->hosts[i]);
	free(cfg->hosts);
	free(cfg->hosts_file);
	free(cfg->ssh_config);
	free(cfg->seqs);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->shell);
	free(cfg->log_dir);
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
		for (i = 0, any = false; i < cfg->n_seqs && !any; i++)
			any = fnmatch(patterns[k], cfg->seqs[i].name, 0) == 0;
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
			config_seq_clear(seq);
			continue;
		}
		for (j = 0, k = 0; j < seq->n_needs; j++) {
			if (to[seq->needs[j]] != SIZE_MAX)
				seq->needs[k++] = to[seq->needs[j]];
		}
		seq->n_needs = k;
		if (to[i] != i)
			cfg->seqs[to[i]] = *seq;
	}
	cfg->n_seqs = n;
	free(to);
	return 0;
}

/*
 * The plan.
 */

/* Text for a terminal: control characters (a raw ESC in a command would
 * restyle the screen of `drove check`) shown as escapes. */
static void
config_print_text(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == 0x1b)
			fputs("\\e", fp);
		else if (p[i] < 0x20 && p[i] != '\t')
			fprintf(fp, "\\x%02x", p[i]);
		else if (p[i] == 0x7f)
			fputs("\\x7f", fp);
		else
			fputc(p[i], fp);
	}
}

/* A value as a shell would read it back: bare if it is plain. */
static void
config_print_value(FILE *fp, const char *s)
{
	const char *p;

	if (*s != '\0' && s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=")] == '\0') {
		fputs(s, fp);
		return;
	}
	fputc('\'', fp);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			config_print_text(fp, p, 1);
	}
	fputc('\'', fp);
}

static void
config_print_env(FILE *fp, const char *indent, const struct cfg_kv *env,
    size_t n)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(fp, "%senv:", indent);
	for (i = 0; i < n; i++) {
		fprintf(fp, " %s=", env[i].name);
		config_print_value(fp, env[i].value);
	}
	fputc('\n', fp);
}

static void
config_print_step(const struct cfg_step *st, const struct cfg_host *host,
    size_t n, FILE *fp)
{
	char d1[32], d2[32], sleep[64];
	const char *sep = "  (", *p, *nl;

	fprintf(fp, "  step %zu: ", n);
	config_print_text(fp, st->name, strlen(st->name));
	if (st->kind == CFG_STEP_SLEEP) {
		snprintf(sleep, sizeof sleep, "sleep %s",
		    config_format_duration(st->sleep, d1, sizeof d1));
		if (strcmp(sleep, st->name) != 0)
			fprintf(fp, "  (%s)", sleep);
		fputc('\n', fp);
		return;
	}
	if (st->timeout > 0) {
		fprintf(fp, "%stimeout %s", sep,
		    config_format_duration(st->timeout, d1, sizeof d1));
		sep = ", ";
	}
	if (st->retries > 0) {
		fprintf(fp, "%sretries %u, retry_delay %s", sep, st->retries,
		    config_format_duration(st->retry_delay, d2, sizeof d2));
		sep = ", ";
	}
	if (st->on_failure != CFG_ONFAIL_STOP) {
		fprintf(fp, "%son_failure %s", sep,
		    config_on_failure_names[st->on_failure]);
		sep = ", ";
	}
	if (st->tty) {
		fprintf(fp, "%stty", sep);
		sep = ", ";
	}
	fputs(sep[0] == ',' ? ")\n" : "\n", fp);
	if (st->op == CFG_OP_UPLOAD || st->op == CFG_OP_DOWNLOAD) {
		fprintf(fp, "    %s: %s", st->op == CFG_OP_UPLOAD ? "upload" :
		    "download", st->op == CFG_OP_UPLOAD ? "" : host->name);
		if (st->op == CFG_OP_DOWNLOAD)
			fputc(':', fp);
		config_print_text(fp, st->run, strlen(st->run));
		fprintf(fp, " -> %s", st->op == CFG_OP_UPLOAD ? host->name :
		    "");
		if (st->op == CFG_OP_UPLOAD)
			fputc(':', fp);
		config_print_text(fp, st->to, strlen(st->to));
		fputc('\n', fp);
	} else if (st->op == CFG_OP_REMOTE || strcmp(st->name, st->run) != 0) {
		/* Every line of a script, aligned under the first. */
		fputs(st->op == CFG_OP_REMOTE ? "    remote: " : "    run: ",
		    fp);
		for (p = st->run; *p != '\0'; p = nl + 1) {
			nl = p + strcspn(p, "\n");
			config_print_text(fp, p, (size_t)(nl - p));
			fputc('\n', fp);
			if (*nl == '\0' || nl[1] == '\0')
				break;
			fputs(st->op == CFG_OP_REMOTE ? "            " :
			    "         ", fp);
		}
	}
	if (st->cwd != NULL)
		fprintf(fp, "    cwd: %s\n", st->cwd);
	config_print_env(fp, "    ", st->env, st->n_env);
}

static void
config_print_host(const struct cfg_host *h, FILE *fp)
{
	size_t i;

	fprintf(fp, "host %s: %s%s%s", h->name, h->user ? h->user : "",
	    h->user ? "@" : "", h->address);
	if (h->port != 0)
		fprintf(fp, " port %u", h->port);
	if (!h->multiplex)
		fputs("  (a connection per step)", fp);
	fputc('\n', fp);
	if (h->identity != NULL)
		fprintf(fp, "  identity: %s\n", h->identity);
	for (i = 0; i < h->n_tags; i++)
		fprintf(fp, "%s%s", i == 0 ? "  tags: " : ", ", h->tags[i]);
	if (h->n_tags > 0)
		fputc('\n', fp);
	for (i = 0; i < h->n_ssh_options; i++) {
		fprintf(fp, "%s %s=", i == 0 ? "  ssh_options:" : "",
		    h->ssh_options[i].name);
		config_print_value(fp, h->ssh_options[i].value);
	}
	if (h->n_ssh_options > 0)
		fputc('\n', fp);
	for (i = 0; i < h->n_vars; i++) {
		fprintf(fp, "%s %s=", i == 0 ? "  vars:" : "", h->vars[i].name);
		config_print_value(fp, h->vars[i].value);
	}
	if (h->n_vars > 0)
		fputc('\n', fp);
}

void
config_print_plan(const struct config *cfg, FILE *fp)
{
	const struct cfg_seq *seq;
	char d[32];
	size_t i, j;

	fprintf(fp, "settings: shell=%s max_parallel=%u scrollback=%zu "
	    "kill_grace=%s log_dir=%s", cfg->shell, cfg->max_parallel,
	    cfg->scrollback, config_format_duration(cfg->kill_grace, d,
	    sizeof d), cfg->log_dir);
	if (cfg->ssh_config != NULL)
		fprintf(fp, " ssh_config=%s", cfg->ssh_config);
	fputc('\n', fp);
	for (i = 0; i < cfg->n_hosts; i++)
		config_print_host(&cfg->hosts[i], fp);
	for (i = 0; i < cfg->n_seqs; i++) {
		seq = &cfg->seqs[i];
		fprintf(fp, "sequence %zu: ", i + 1);
		config_print_text(fp, seq->name, strlen(seq->name));
		for (j = 0; j < seq->n_needs; j++) {
			fputs(j == 0 ? "  (needs: " : ", ", fp);
			config_print_text(fp, cfg->seqs[seq->needs[j]].name,
			    strlen(cfg->seqs[seq->needs[j]].name));
		}
		fputs(seq->n_needs > 0 ? ")\n" : "\n", fp);
		if (seq->host >= 0)
			fprintf(fp, "  host: %s\n", cfg->hosts[seq->host].name);
		if (seq->cwd != NULL)
			fprintf(fp, "  cwd: %s\n", seq->cwd);
		config_print_env(fp, "  ", seq->env, seq->n_env);
		for (j = 0; j < seq->n_steps; j++)
			config_print_step(&seq->steps[j], seq->host >= 0 ?
			    &cfg->hosts[seq->host] : NULL, j + 1, fp);
	}
}
