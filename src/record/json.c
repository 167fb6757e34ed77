/* json.c: a tiny JSON object writer for the event log. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "utf8.h"

void
json_init(struct json *j)
{
	memset(j, 0, sizeof *j);
	strbuf_puts(&j->out, "{");
	j->first = true;
}

void
json_free(struct json *j)
{
	strbuf_free(&j->out);
	memset(j, 0, sizeof *j);
}

void
json_quote(struct json *j, const char *value, size_t len)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t i = 0, n;
	char esc[8];

	strbuf_puts(&j->out, "\"");
	while (i < len) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			strbuf_add(&j->out, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n':
				strbuf_puts(&j->out, "\\n");
				break;
			case '\r':
				strbuf_puts(&j->out, "\\r");
				break;
			case '\t':
				strbuf_puts(&j->out, "\\t");
				break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", c);
				strbuf_puts(&j->out, esc);
			}
			i++;
		} else if ((n = utf8_len(s + i, len - i, NULL)) == 0) {
			strbuf_puts(&j->out, "\\ufffd");
			i++;
		} else if ((n == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) ||
		    (n == 3 && s[i] == 0xef && s[i + 1] == 0xbb &&
		    s[i + 2] == 0xbf) ||
		    (n == 3 && s[i] == 0xef && s[i + 1] == 0xbf &&
		    s[i + 2] >= 0xbe)) {
			/* C1 controls, BOM and U+FFFE/U+FFFF: valid JSON
			 * raw, but the run reader's YAML parser refuses
			 * them, so escape them. */
			unsigned cp = n == 2 ? s[i + 1] :
			    0xf000u | ((s[i + 1] & 0x3fu) << 6) |
			    (s[i + 2] & 0x3fu);
			snprintf(esc, sizeof esc, "\\u%04x", cp);
			strbuf_puts(&j->out, esc);
			i += n;
		} else {
			strbuf_add(&j->out, value + i, n);
			i += n;
		}
	}
	strbuf_puts(&j->out, "\"");
}

static void
json_key(struct json *j, const char *key)
{
	if (!j->first)
		strbuf_puts(&j->out, ",");
	j->first = false;
	json_quote(j, key, strlen(key));
	strbuf_puts(&j->out, ":");
}

void
json_str(struct json *j, const char *key, const char *value)
{
	if (value == NULL) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, value, strlen(value));
}

/* A string value: never a secret (see secret.h). */
static void
json_value(struct json *j, const char *value, size_t len)
{
	char *shown;
	size_t n;

	if (secret_any() && (shown = secret_redact(value, len, &n)) != NULL) {
		json_quote(j, shown, n);
		free(shown);
		return;
	}
	json_quote(j, value, len);
}

void
json_strn(struct json *j, const char *key, const char *value, size_t len)
{
	json_key(j, key);
	json_value(j, value, len);
}

void
json_num(struct json *j, const char *key, double value)
{
	char buf[64];

	json_key(j, key);
	snprintf(buf, sizeof buf, "%.3f", value);
	strbuf_puts(&j->out, buf);
}

void
json_int(struct json *j, const char *key, long long value)
{
	char buf[32];

	json_key(j, key);
	snprintf(buf, sizeof buf, "%lld", value);
	strbuf_puts(&j->out, buf);
}

void
json_bool(struct json *j, const char *key, bool value)
{
	json_key(j, key);
	strbuf_puts(&j->out, value ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	strbuf_puts(&j->out, "null");
}

/* An object or an array opens (the key's value, or an item): what
 * follows is its first member. */
static void
json_nest(struct json *j, const char *bracket)
{
	strbuf_puts(&j->out, bracket);
	j->first = true;
}

/* It closes: what follows is its parent's next member. */
static void
json_unnest(struct json *j, const char *bracket)
{
	strbuf_puts(&j->out, bracket);
	j->first = false;
}

void
json_open(struct json *j, const char *key)
{
	json_key(j, key);
	json_nest(j, "{");
}

void
json_close(struct json *j)
{
	json_unnest(j, "}");
}

void
json_array(struct json *j, const char *key)
{
	json_key(j, key);
	json_nest(j, "[");
}

void
json_array_end(struct json *j)
{
	json_unnest(j, "]");
}

static void
json_item(struct json *j)
{
	if (!j->first)
		strbuf_puts(&j->out, ",");
	j->first = false;
}

void
json_item_str(struct json *j, const char *value)
{
	json_item(j);
	json_value(j, value, strlen(value));
}

void
json_item_int(struct json *j, long long value)
{
	char buf[32];

	json_item(j);
	snprintf(buf, sizeof buf, "%lld", value);
	strbuf_puts(&j->out, buf);
}

void
json_item_open(struct json *j)
{
	json_item(j);
	json_nest(j, "{");
}

void
json_end(struct json *j)
{
	strbuf_puts(&j->out, "}\n");
}
