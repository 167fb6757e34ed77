/* tmpl.c: {{name}} substitution for the config loader. */
#include "tmpl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"

/* How many names an "unknown variable" message lists before "...". */
#define TMPL_LIST_MAX 10

static bool
tmpl_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool
tmpl_valid_name(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '-')
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!tmpl_name_char(*p))
			return false;
	}
	return true;
}

/* What a reference does to its value: {{name}} puts it as it is,
 * {{name|q}} shell-quoted. */
enum tmpl_filter { TMPL_PLAIN, TMPL_QUOTE, TMPL_UNKNOWN };

/*
 * Read the reference starting at p (which points at "{{", not "{{{{").
 * Returns the first character after its "}}", the name in *name, *len and
 * its filter in *filter (TMPL_UNKNOWN: a filter that does not exist, its
 * name in *fname, *flen), or NULL if it is not a well-formed reference.
 */
static const char *
tmpl_scan_filter(const char *p, const char **name, size_t *len,
    enum tmpl_filter *filter, const char **fname, size_t *flen)
{
	const char *q = p + 2;

	while (*q == ' ' || *q == '\t')
		q++;
	*name = q;
	while (tmpl_name_char(*q))
		q++;
	*len = (size_t)(q - *name);
	while (*q == ' ' || *q == '\t')
		q++;
	*filter = TMPL_PLAIN;
	if (*q == '|') {
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		*fname = q;
		while (tmpl_name_char(*q))
			q++;
		*flen = (size_t)(q - *fname);
		*filter = *flen == 1 && **fname == 'q' ? TMPL_QUOTE :
		    TMPL_UNKNOWN;
		while (*q == ' ' || *q == '\t')
			q++;
	}
	if (*len == 0 || **name == '-' || q[0] != '}' || q[1] != '}')
		return NULL;
	return q + 2;
}

static const char *
tmpl_scan(const char *p, const char **name, size_t *len)
{
	enum tmpl_filter filter;
	const char *fname;
	size_t flen;

	return tmpl_scan_filter(p, name, len, &filter, &fname, &flen);
}

static const struct cfg_kv *
tmpl_find(const struct cfg_kv *vars, size_t n_vars, const char *name,
    size_t len)
{
	size_t i;

	/* Backwards, so that a later definition overrides an earlier one. */
	for (i = n_vars; i > 0; i--) {
		if (strncmp(vars[i - 1].name, name, len) == 0 &&
		    vars[i - 1].name[len] == '\0')
			return &vars[i - 1];
	}
	return NULL;
}

static char *
tmpl_unknown(const char *name, size_t len, const struct cfg_kv *vars,
    size_t n_vars)
{
	struct strbuf b = STRBUF_INIT;
	size_t i, j, listed = 0;
	char *msg;

	for (i = 0; i < n_vars; i++) {
		/* Each name once, even if it is defined at several levels. */
		for (j = 0; j < i; j++) {
			if (strcmp(vars[i].name, vars[j].name) == 0)
				break;
		}
		if (j != i)
			continue;
		if (listed == TMPL_LIST_MAX) {
			strbuf_puts(&b, ", ...");
			break;
		}
		if (listed++ > 0)
			strbuf_puts(&b, ", ");
		strbuf_puts(&b, vars[i].name);
	}
	if (listed == 0)
		msg = xasprintf("unknown variable '%.*s' (no variables are "
		    "defined)", (int)len, name);
	else
		msg = xasprintf("unknown variable '%.*s' (defined: %s)",
		    (int)len, name, strbuf_str(&b));
	strbuf_free(&b);
	return msg;
}

/* Put value in b, its braces escaped when the result is a template. */
static void
tmpl_put(struct strbuf *b, const char *value, bool templ)
{
	const char *p;

	if (!templ) {
		strbuf_puts(b, value);
		return;
	}
	while ((p = strstr(value, "{{")) != NULL) {
		strbuf_add(b, value, (size_t)(p - value));
		strbuf_puts(b, "{{{{");
		value = p + 2;
	}
	strbuf_puts(b, value);
}

/* value as one word of the shell: in single quotes, each ' as '\'' (the
 * quote closed, an escaped quote, the quote opened again). Nothing in it
 * is expanded then: not $(...), not `...`, not $VAR. Caller frees. */
static char *
tmpl_shell_quote(const char *value)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_putc(&b, '\'');
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\'')
			strbuf_puts(&b, "'\\''");
		else
			strbuf_putc(&b, *p);
	}
	strbuf_putc(&b, '\'');
	return strbuf_detach(&b);
}

static char *
tmpl_run(const char *text, const struct cfg_kv *vars, size_t n_vars,
    size_t max, tmpl_defer_fn *defer, void *arg, bool *deferred, char **err,
    bool *unknown)
{
	struct strbuf b = STRBUF_INIT;
	const struct cfg_kv *kv;
	const char *p = text, *open, *name, *end, *close, *fname = NULL;
	bool templ = defer != NULL;
	enum tmpl_filter filter;
	char *quoted = NULL;
	size_t len, flen = 0;

	if (unknown != NULL)
		*unknown = false;
	if (deferred != NULL)
		*deferred = false;
	while ((open = strstr(p, "{{")) != NULL) {
		strbuf_add(&b, p, (size_t)(open - p));
		if (strncmp(open, "{{{{", 4) == 0) {
			strbuf_puts(&b, templ ? "{{{{" : "{{");
			p = open + 4;
			continue;
		}
		end = tmpl_scan_filter(open, &name, &len, &filter, &fname,
		    &flen);
		if (end != NULL && filter == TMPL_UNKNOWN) {
			*err = xasprintf("unknown filter '%.*s' in '%.*s' (the "
			    "one filter is q: {{name|q}}, the value "
			    "shell-quoted)", (int)flen, fname,
			    (int)(end - open), open);
			goto fail;
		}
		if (end == NULL) {
			close = strstr(open + 2, "}}");
			if (close == NULL)
				*err = xstrdup("unterminated '{{' (write {{{{ "
				    "for a literal {{)");
			else if (close - open > 40)
				*err = xasprintf("malformed '%.32s...' (use "
				    "{{name}}, or {{{{ for a literal {{)",
				    open);
			else
				*err = xasprintf("malformed '%.*s' (use "
				    "{{name}}, or {{{{ for a literal {{)",
				    (int)(close + 2 - open), open);
			goto fail;
		}
		kv = tmpl_find(vars, n_vars, name, len);
		if (defer != NULL && defer(arg, name, len, kv != NULL)) {
			strbuf_puts(&b, "{{");
			strbuf_add(&b, name, len);
			strbuf_puts(&b, filter == TMPL_QUOTE ? "|q}}" : "}}");
			if (deferred != NULL)
				*deferred = true;
			p = end;
			continue;
		}
		if (kv == NULL) {
			*err = tmpl_unknown(name, len, vars, n_vars);
			if (unknown != NULL)
				*unknown = true;
			goto fail;
		}
		if (filter == TMPL_QUOTE)
			quoted = tmpl_shell_quote(kv->value);
		/* Checked before it grows: "{{a}}{{a}}..." multiplies. */
		if (b.len + strlen(quoted ? quoted : kv->value) > max) {
			free(quoted);
			goto too_long;
		}
		tmpl_put(&b, quoted ? quoted : kv->value, templ);
		free(quoted);
		quoted = NULL;
		p = end;
	}
	if (b.len + strlen(p) > max)
		goto too_long;
	strbuf_puts(&b, p);
	return strbuf_detach(&b);

too_long:
	*err = NULL;

fail:
	strbuf_free(&b);
	return NULL;
}

char *
tmpl_expand(const char *text, const struct cfg_kv *vars, size_t n_vars,
    char **err, bool *unknown)
{
	return tmpl_run(text, vars, n_vars, SIZE_MAX, NULL, NULL, NULL, err,
	    unknown);
}

char *
tmpl_expand_max(const char *text, const struct cfg_kv *vars, size_t n_vars,
    size_t max, char **err, bool *unknown)
{
	return tmpl_run(text, vars, n_vars, max, NULL, NULL, NULL, err,
	    unknown);
}

char *
tmpl_expand_defer(const char *text, const struct cfg_kv *vars,
    size_t n_vars, size_t max, tmpl_defer_fn *defer, void *arg,
    bool *deferred, char **err, bool *unknown)
{
	return tmpl_run(text, vars, n_vars, max, defer, arg, deferred, err,
	    unknown);
}

bool
tmpl_next_ref(const char **p, const char **name, size_t *len)
{
	const char *open, *end;

	while ((open = strstr(*p, "{{")) != NULL) {
		if (strncmp(open, "{{{{", 4) == 0) {
			*p = open + 4;
			continue;
		}
		if ((end = tmpl_scan(open, name, len)) == NULL)
			return false;
		*p = end;
		return true;
	}
	return false;
}

bool
tmpl_uses(const char *text, const char *name)
{
	const char *p = text, *open, *ref, *end;
	size_t len;

	while ((open = strstr(p, "{{")) != NULL) {
		if (strncmp(open, "{{{{", 4) == 0) {
			p = open + 4;
			continue;
		}
		if ((end = tmpl_scan(open, &ref, &len)) == NULL)
			return false;
		if (strlen(name) == len && strncmp(ref, name, len) == 0)
			return true;
		p = end;
	}
	return false;
}
