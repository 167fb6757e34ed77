/* fuzz_runread.c: the run reader on an arbitrary events.jsonl (a run cut
 * off, a disk gone bad, a file edited by hand). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "logidx.h"
#include "runread.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path, *err = NULL;
	struct rr_run *run;
	FILE *fp;

	if (dir == NULL) {
		dir = xstrdup("/tmp/drove-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	path = xasprintf("%s/events.jsonl", dir);
	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	run = runread_load(dir, &err);
	if (run == NULL)
		free(err);
	else {
		for (size_t i = 0; i < run->n_seqs; i++)
			logidx_free(logidx_build(run, i));
		runread_free(run);
	}
	unlink(path);
	free(path);
	return 0;
}
