/* complete.c: the words the shell completions ask drove for. */
#include "complete.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "runlog.h"
#include "runread.h"
#include "sockdir.h"

static int
complete_sequences(const char *path, FILE *out)
{
	struct config *cfg;
	char *err = NULL;

	if (config_load(path, NULL, 0, &cfg, &err) != 0) {
		free(err);
		return 1;
	}
	for (size_t i = 0; i < cfg->n_seqs; i++)
		fprintf(out, "%s\n", cfg->seqs[i].name);
	config_free(cfg);
	return 0;
}

static int
complete_runs(const char *log_dir, FILE *out)
{
	char **ids;
	size_t n = runlog_list(log_dir, &ids);

	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s\n", ids[i]);
		free(ids[i]);
	}
	free(ids);
	return 0;
}

/* The ids of the runs that serve a socket (attach, ctl, wait, stop),
 * newest first. */
static int
complete_live(FILE *out)
{
	char *dir = sockdir_default(), **ids;
	size_t n = sockdir_list(dir, &ids);

	for (size_t i = n; i > 0; i--) {
		fprintf(out, "%s\n", ids[i - 1]);
		free(ids[i - 1]);
	}
	free(ids);
	free(dir);
	return 0;
}

/* The names of RUN's sequences, or of the steps of its sequence SEQ. */
static int
complete_run(const char *log_dir, const char *spec, const char *seq_name,
    FILE *out)
{
	char *dir, *err = NULL;
	struct rr_run *run;
	const struct rr_seq *seq;

	if ((dir = runread_resolve(log_dir, spec, &err)) == NULL) {
		free(err);
		return 1;
	}
	run = runread_load(dir, &err);
	free(dir);
	if (run == NULL) {
		free(err);
		return 1;
	}
	if (seq_name == NULL) {
		for (size_t i = 0; i < run->n_seqs; i++)
			fprintf(out, "%s\n", run->seqs[i].name);
	} else if ((seq = runread_find_seq(run, seq_name)) != NULL) {
		for (size_t i = 0; i < seq->n_steps; i++)
			fprintf(out, "%s\n", seq->steps[i].name);
	}
	runread_free(run);
	return 0;
}

int
complete_command(const char *log_dir, char **args, int nargs, FILE *out)
{
	if (nargs == 2 && strcmp(args[0], "sequences") == 0)
		return complete_sequences(args[1], out);
	if (nargs == 1 && strcmp(args[0], "runs") == 0)
		return complete_runs(log_dir, out);
	if (nargs == 1 && strcmp(args[0], "live") == 0)
		return complete_live(out);
	if (nargs == 2 && strcmp(args[0], "run-sequences") == 0)
		return complete_run(log_dir, args[1], NULL, out);
	if (nargs == 3 && strcmp(args[0], "run-steps") == 0)
		return complete_run(log_dir, args[1], args[2], out);
	return 1;
}
