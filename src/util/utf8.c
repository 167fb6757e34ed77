/* utf8.c: validating UTF-8 sequences. */
#include "utf8.h"

size_t
utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len;
	unsigned min, c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		len = 1, min = 0, c = s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2, min = 0x80, c = s[0] & 0x1fu;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, min = 0x800, c = s[0] & 0x0fu;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, min = 0x10000, c = s[0] & 0x07u;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	if (cp != NULL)
		*cp = c;
	return len;
}
