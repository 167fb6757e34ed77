/* ordinal.c: 1-based numbers on the command line. */
#include "ordinal.h"

#include <errno.h>
#include <stdlib.h>

size_t
ordinal_parse(const char *spec, size_t n)
{
	char *end;
	unsigned long v;

	/* Digits only: strtoul would take "-1" or " 2". */
	if (*spec < '0' || *spec > '9')
		return n;
	errno = 0;
	v = strtoul(spec, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > n)
		return n;
	return (size_t)v - 1;
}
