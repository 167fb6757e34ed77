/* json.h: building one JSON object (one events.jsonl line) in memory.
 * Just enough JSON for drove's own records: flat objects of strings,
 * numbers and booleans, with nested objects by hand. */
#ifndef DROVE_JSON_H
#define DROVE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct json {
	struct strbuf out; /* the line so far */
	bool first;     /* no member yet in the current object */
};

void json_init(struct json *j);   /* starts with "{" */
void json_free(struct json *j);
void json_str(struct json *j, const char *key, const char *value);
void json_strn(struct json *j, const char *key, const char *value,
    size_t len);
void json_num(struct json *j, const char *key, double value);
void json_int(struct json *j, const char *key, long long value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
void json_open(struct json *j, const char *key);  /* "key": { */
void json_close(struct json *j);                   /* } */
void json_array(struct json *j, const char *key);  /* "key": [ */
void json_array_end(struct json *j);               /* ] */
void json_item_str(struct json *j, const char *value); /* in an array */
void json_item_int(struct json *j, long long value);   /* in an array */
void json_item_open(struct json *j);               /* { in an array */
/* Close the top object and add a newline; j->out.buf is the line. */
void json_end(struct json *j);

/* Append value as a JSON string literal (with quotes) to j. Bytes that are
 * not valid UTF-8 become U+FFFD so the result is always valid JSON. */
void json_quote(struct json *j, const char *value, size_t len);

#endif
