/* utf8.h: the one check of UTF-8 that the writers of JSON and XML share:
 * what they pass through as it is, and what they replace with U+FFFD. */
#ifndef DROVE_UTF8_H
#define DROVE_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, of at most n
 * bytes, or 0: a stray or missing continuation byte, an overlong form, a
 * surrogate or a code point past U+10FFFF. *cp gets the code point when
 * cp is not NULL. */
size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp);

#endif
