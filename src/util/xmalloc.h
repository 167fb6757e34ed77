/* xmalloc.h: allocation wrappers that abort on failure, so callers never
 * check for NULL. Whatever these return is owned by the caller (free()). */
#ifndef DROVE_XMALLOC_H
#define DROVE_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h> /* free() for what these return */

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array: ptr holds *cap elements of `size` bytes; ensure room for
 * `need` and return the (possibly moved) array, updating *cap. */
void *xreallocarray_grow(void *ptr, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Free a NULL-terminated array of strings and each of them (an argv, an
 * environment). NULL is fine. */
void xstrv_free(char **v);
/* Free the n strings of v and v (NULL when n is 0 is fine). */
void xstrs_free(char **v, size_t n);

#endif
