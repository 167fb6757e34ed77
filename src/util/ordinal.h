/* ordinal.h: a sequence or a step named on the command line by its
 * number from 1 (drove logs RUN SEQ STEP, drove ctl RUN SEQ STEP), once
 * no name matched: one reading of that number for every command. */
#ifndef DROVE_ORDINAL_H
#define DROVE_ORDINAL_H

#include <stddef.h>

/* The index (0 to n-1) that spec, a decimal number from 1 to n and
 * nothing else, stands for; n when it is anything else. */
size_t ordinal_parse(const char *spec, size_t n);

#endif
