/* standalone.c: runs a fuzz target over the files named on the command
 * line (or the files in named directories), without libFuzzer. The test
 * suite uses it to replay each target's corpus with any compiler. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (fp == NULL) {
		perror(path);
		return 1;
	}
	do {
		if (len + 65536 > cap) {
			cap = (cap ? cap * 2 : 65536) + 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		got = fread(buf + len, 1, 65536, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int n = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    (d = opendir(argv[i])) != NULL) {
			while ((e = readdir(d)) != NULL) {
				char path[4096];
				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof path, "%s/%s", argv[i],
				    e->d_name);
				rc |= run_file(path);
				n++;
			}
			closedir(d);
		} else {
			rc |= run_file(argv[i]);
			n++;
		}
	}
	printf("%d inputs replayed\n", n);
	return rc;
}
