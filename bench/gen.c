/* gen.c: the benchmarks' output generator. Prints N lines of 80 bytes
 * (79 characters and a newline) as fast as it can, in 4 KiB writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char block[4096];
	size_t used = 0;
	long n = argc > 1 ? atol(argv[1]) : 200000;

	for (long i = 0; i < n; i++) {
		char line[81];
		int len = snprintf(line, sizeof line, "%08ld ", i);
		memset(line + len, 'a' + (int)(i % 26), (size_t)(79 - len));
		line[79] = '\n';
		if (used + 80 > sizeof block) {
			if (write(1, block, used) < 0)
				return 1;
			used = 0;
		}
		memcpy(block + used, line, 80);
		used += 80;
	}
	if (used > 0 && write(1, block, used) < 0)
		return 1;
	return 0;
}
