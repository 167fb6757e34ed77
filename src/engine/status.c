/* status.c: the names of step statuses and sequence states, both ways. */
#include "status.h"

#include <string.h>

#define STATUS_ROW(name, text, flag) { text, flag },

static const struct {
	const char *name;
	bool done;
} status_steps[] = { STEP_STATUSES(STATUS_ROW) };

static const struct {
	const char *name;
	bool over;
} status_seqs[] = { SEQ_STATES(STATUS_ROW) };

#undef STATUS_ROW

#define STATUS_N(a) (sizeof (a) / sizeof (a)[0])

const char *
step_status_name(enum step_status st)
{
	return (size_t)st < STATUS_N(status_steps) ?
	    status_steps[st].name : "?";
}

bool
step_status_parse(const char *name, enum step_status *st)
{
	for (size_t i = 0; name != NULL && i < STATUS_N(status_steps); i++) {
		if (strcmp(name, status_steps[i].name) == 0) {
			*st = (enum step_status)i;
			return true;
		}
	}
	return false;
}

bool
step_status_done(enum step_status st)
{
	return (size_t)st < STATUS_N(status_steps) && status_steps[st].done;
}

const char *
seq_state_name(enum seq_state st)
{
	return (size_t)st < STATUS_N(status_seqs) ? status_seqs[st].name : "?";
}

bool
seq_state_parse(const char *name, enum seq_state *st)
{
	for (size_t i = 0; name != NULL && i < STATUS_N(status_seqs); i++) {
		if (strcmp(name, status_seqs[i].name) == 0) {
			*st = (enum seq_state)i;
			return true;
		}
	}
	return false;
}

bool
seq_state_over(enum seq_state st)
{
	return (size_t)st < STATUS_N(status_seqs) && status_seqs[st].over;
}
