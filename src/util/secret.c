/* secret.c: the secrets kept out of the record, and their redaction. */
#include "secret.h"

#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"

#define SECRET_SHOWN "***"

static char **secrets;      /* longest first */
static size_t n_secrets, cap_secrets;

void
secret_add(const char *value)
{
	size_t len = strlen(value), i;

	if (len == 0)
		return;
	for (i = 0; i < n_secrets; i++) {
		if (strcmp(secrets[i], value) == 0)
			return;
	}
	secrets = xreallocarray_grow(secrets, &cap_secrets, n_secrets + 1,
	    sizeof *secrets);
	/* Longest first: a secret that contains another is hidden whole. */
	for (i = n_secrets; i > 0 && strlen(secrets[i - 1]) < len; i--)
		secrets[i] = secrets[i - 1];
	secrets[i] = xstrdup(value);
	n_secrets++;
}

bool
secret_any(void)
{
	return n_secrets > 0;
}

/* The secret that starts at text (at most left bytes), or NULL. */
static const char *
secret_at(const char *text, size_t left)
{
	for (size_t i = 0; i < n_secrets; i++) {
		size_t len = strlen(secrets[i]);
		if (len <= left && memcmp(text, secrets[i], len) == 0)
			return secrets[i];
	}
	return NULL;
}

char *
secret_redact(const char *text, size_t len, size_t *out_len)
{
	struct strbuf b = STRBUF_INIT;
	const char *s;
	size_t i = 0, from = 0;
	bool found = false;

	while (i < len) {
		if ((s = secret_at(text + i, len - i)) == NULL) {
			i++;
			continue;
		}
		strbuf_add(&b, text + from, i - from);
		strbuf_puts(&b, SECRET_SHOWN);
		i += strlen(s);
		from = i;
		found = true;
	}
	if (!found) {
		strbuf_free(&b);
		return NULL;
	}
	strbuf_add(&b, text + from, len - from);
	*out_len = b.len;
	return strbuf_detach(&b);
}
