/* cfg_envfile.c: env_file, .env files read as docker compose reads them:
 * KEY=VALUE lines, `export KEY=VALUE` too; blank lines and lines that
 * start with # are comments; a value in double quotes may hold escapes
 * (\n, \t, \r, \\, \", \$) and newlines, one in single quotes is taken
 * as it is (newlines too), an unquoted one ends at the end of the line or
 * at a # after a blank, and is trimmed. Values are used as written: no
 * ${VAR} and no {{var}} in them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "strbuf.h"
#include "xmalloc.h"

/* A .env file is a few lines; this keeps a wrong path (a log, an image)
 * from being read whole. */
#define CFG_ENV_FILE_MAX (1 << 20)

struct cfg_envp {
	struct cfg_loader *ld;
	const char *file;        /* for messages */
	const char *p;           /* the next byte */
	size_t line, col;        /* of p, 1-based */
};

static void
cfg_envp_next(struct cfg_envp *e)
{
	if (*e->p == '\n') {
		e->line++;
		e->col = 1;
	} else
		e->col++;
	e->p++;
}

static void
cfg_envp_blanks(struct cfg_envp *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		cfg_envp_next(e);
}

/* After a quoted value: blanks, maybe a comment, then the end of the
 * line. */
static int
cfg_envp_rest(struct cfg_envp *e)
{
	cfg_envp_blanks(e);
	if (*e->p == '#')
		while (*e->p != '\n' && *e->p != '\0')
			cfg_envp_next(e);
	if (*e->p == '\r' && e->p[1] == '\n')
		cfg_envp_next(e);
	if (*e->p != '\n' && *e->p != '\0')
		return cfg_file_error(e->ld, e->file, e->line, e->col,
		    "unexpected text after a quoted value");
	return 0;
}

/* The value at e->p, into v. */
static int
cfg_envp_value(struct cfg_envp *e, struct strbuf *v)
{
	size_t line = e->line, col = e->col, keep;
	char q = *e->p;

	if (q == '"' || q == '\'') {
		cfg_envp_next(e);
		while (*e->p != q) {
			if (*e->p == '\0')
				return cfg_file_error(e->ld, e->file, line,
				    col, "unterminated %s quote",
				    q == '"' ? "double" : "single");
			if (q == '"' && *e->p == '\\' && e->p[1] != '\0') {
				cfg_envp_next(e);
				switch (*e->p) {
				case 'n':
					strbuf_puts(v, "\n");
					break;
				case 't':
					strbuf_puts(v, "\t");
					break;
				case 'r':
					strbuf_puts(v, "\r");
					break;
				case '\\':
				case '"':
				case '$':
					strbuf_add(v, e->p, 1);
					break;
				default:
					/* Not an escape: as written. */
					strbuf_puts(v, "\\");
					strbuf_add(v, e->p, 1);
				}
			} else
				strbuf_add(v, e->p, 1);
			cfg_envp_next(e);
		}
		cfg_envp_next(e);
		return cfg_envp_rest(e);
	}
	/* Unquoted: to the end of the line or a comment, trimmed. */
	keep = 0;
	while (*e->p != '\n' && *e->p != '\0') {
		if (*e->p == '#' && (v->len == 0 ||
		    v->buf[v->len - 1] == ' ' || v->buf[v->len - 1] == '\t'))
			break;
		strbuf_add(v, e->p, 1);
		if (*e->p != ' ' && *e->p != '\t' && *e->p != '\r')
			keep = v->len;
		cfg_envp_next(e);
	}
	while (*e->p != '\n' && *e->p != '\0')
		cfg_envp_next(e);
	v->len = keep;
	if (v->buf != NULL)
		v->buf[keep] = '\0';
	return 0;
}

/* The lines of text (a whole file) into env. */
static int
cfg_envp_parse(struct cfg_envp *e, struct cfg_kv **env, size_t *n,
    size_t *cap)
{
	struct strbuf key = { 0 }, val = { 0 };
	size_t line, col;
	int rc = 0;

	while (rc == 0 && *e->p != '\0') {
		cfg_envp_blanks(e);
		if (*e->p == '#') {
			while (*e->p != '\n' && *e->p != '\0')
				cfg_envp_next(e);
		}
		if (*e->p == '\r' && e->p[1] == '\n')
			cfg_envp_next(e);
		if (*e->p == '\n') {
			cfg_envp_next(e);
			continue;
		}
		if (*e->p == '\0')
			break;
		if (strncmp(e->p, "export", 6) == 0 &&
		    (e->p[6] == ' ' || e->p[6] == '\t')) {
			for (int i = 0; i < 6; i++)
				cfg_envp_next(e);
			cfg_envp_blanks(e);
		}
		line = e->line;
		col = e->col;
		key.len = 0;
		while (*e->p != '=' && *e->p != '\n' && *e->p != '\0' &&
		    *e->p != ' ' && *e->p != '\t') {
			strbuf_add(&key, e->p, 1);
			cfg_envp_next(e);
		}
		cfg_envp_blanks(e);
		if (key.len == 0 || *e->p != '=') {
			rc = cfg_file_error(e->ld, e->file, line, col,
			    "expected KEY=VALUE");
			break;
		}
		cfg_envp_next(e);
		cfg_envp_blanks(e);
		val.len = 0;
		strbuf_puts(&val, "");
		if ((rc = cfg_envp_value(e, &val)) != 0)
			break;
		if ((rc = cfg_charge(e->ld, NULL, key.len + val.len)) != 0)
			break;
		cfg_kv_set(env, n, cap, key.buf, xstrdup(val.buf));
		if (*e->p == '\n')
			cfg_envp_next(e);
	}
	free(key.buf);
	free(val.buf);
	return rc;
}

/* One file, named by node f (a string), into env. */
static int
cfg_env_file_one(struct cfg_loader *ld, yaml_node_t *f, struct cfg_kv **env,
    size_t *n, size_t *cap)
{
	struct cfg_envp e = { .ld = ld, .line = 1, .col = 1 };
	const char *s;
	char *path, *text = NULL;
	struct stat sb;
	FILE *fp;
	size_t len;
	int rc;

	if (cfg_nonempty(ld, f, "'env_file'", &s) != 0)
		return -1;
	path = cfg_resolve(ld->cfg, s);
	if ((fp = fopen(path, "r")) == NULL) {
		rc = cfg_error(ld, &f->start_mark, "cannot read env_file "
		    "'%s': %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > CFG_ENV_FILE_MAX) {
		fclose(fp);
		rc = cfg_error(ld, &f->start_mark, "env_file '%s' is not a "
		    "regular file of at most %d MiB", path,
		    CFG_ENV_FILE_MAX >> 20);
		free(path);
		return rc;
	}
	text = xmalloc((size_t)sb.st_size + 1);
	len = fread(text, 1, (size_t)sb.st_size, fp);
	text[len] = '\0';
	if (ferror(fp))
		rc = cfg_error(ld, &f->start_mark, "cannot read env_file "
		    "'%s': %s", path, strerror(errno));
	else if (strlen(text) != len)
		rc = cfg_file_error(ld, path, 1, 1, "a NUL character");
	else {
		e.file = path;
		e.p = text;
		rc = cfg_envp_parse(&e, env, n, cap);
	}
	fclose(fp);
	free(text);
	free(path);
	return rc;
}

int
cfg_env_file(struct cfg_loader *ld, yaml_node_t *n, struct cfg_kv **env,
    size_t *n_env, size_t *cap)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE)
		return cfg_env_file_one(ld, n, env, n_env, cap);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expected(ld, n, "a file name, or a list of them",
		    "'env_file'");
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (cfg_env_file_one(ld, cfg_node(ld, *it), env, n_env,
		    cap) != 0)
			return -1;
	}
	return 0;
}
