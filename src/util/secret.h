/* secret.h: values that must not be written down (--secret NAME=VALUE).
 * Each value registered is replaced by "***" wherever it occurs in a
 * string the record writes (json.c), so that events.jsonl never holds it.
 * Process-wide, as the command line they come from; the strings are the
 * module's own copies, kept until exit. */
#ifndef DROVE_SECRET_H
#define DROVE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Register a secret (an empty one is ignored). */
void secret_add(const char *value);
/* Is any secret registered? */
bool secret_any(void);
/* TEXT (LEN bytes) with every secret in it replaced by "***": a new
 * string (caller frees) and its length in *out_len, or NULL when no
 * secret occurs in it. Longer secrets are replaced first. */
char *secret_redact(const char *text, size_t len, size_t *out_len);

#endif
