/* action.c: the names of the operator's actions, both ways. */
#include "action.h"

#include <string.h>

static const struct {
	const char *name, *done;
} action_words[] = {
#define ACTION_ROW(NAME, name, done, engine) { #name, done },
	RUN_ACTIONS(ACTION_ROW)
#undef ACTION_ROW
};

const char *
run_action_name(enum run_action act)
{
	return (size_t)act < RUN_ACTION_COUNT ? action_words[act].name : "?";
}

const char *
run_action_done(enum run_action act)
{
	return (size_t)act < RUN_ACTION_COUNT ? action_words[act].done : "?";
}

bool
run_action_parse(const char *name, enum run_action *act)
{
	for (size_t i = 0; name != NULL && i < RUN_ACTION_COUNT; i++) {
		if (strcmp(name, action_words[i].name) == 0) {
			*act = (enum run_action)i;
			return true;
		}
	}
	return false;
}
