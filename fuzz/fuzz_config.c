/* fuzz_config.c: the config loader on arbitrary bytes. It must reject or
 * accept, never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1), *err = NULL;
	struct config *cfg = NULL;
	struct cfg_kv set = { .name = (char *)"host", .value = (char *)"h" };
	FILE *null;

	memcpy(text, data, size);
	text[size] = '\0';
	if (config_load_string("fuzz.yaml", text, &set, 1, &cfg, &err) == 0) {
		if ((null = fopen("/dev/null", "w")) != NULL) {
			config_print_plan(cfg, null);
			fclose(null);
		}
		config_free(cfg);
	} else
		free(err);
	free(text);
	return 0;
}
