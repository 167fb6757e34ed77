/* event.c: the record's event and field names, both ways. */
#include "event.h"

#include <string.h>

static const char *const event_names[] = {
#define REC_EVENT_NAME(NAME, name) name,
	REC_EVENTS(REC_EVENT_NAME)
#undef REC_EVENT_NAME
};

static const char *const event_fields[] = {
#define REC_FIELD_NAME(NAME, name) name,
	REC_FIELDS(REC_FIELD_NAME)
#undef REC_FIELD_NAME
};

#define EVENT_N(a) (sizeof (a) / sizeof (a)[0])

const char *
rec_event_name(enum rec_event ev)
{
	return (size_t)ev < EVENT_N(event_names) ? event_names[ev] : "?";
}

bool
rec_event_parse(const char *name, enum rec_event *ev, enum run_action *act)
{
	if (name == NULL)
		return false;
	for (size_t i = 0; i < EVENT_N(event_names); i++) {
		if (strcmp(name, event_names[i]) == 0) {
			*ev = (enum rec_event)i;
			return true;
		}
	}
	if (run_action_parse(name, act)) {
		*ev = REC_ACTION;
		return true;
	}
	return false;
}

const char *
rec_field(enum rec_field f)
{
	return (size_t)f < EVENT_N(event_fields) ? event_fields[f] : "?";
}
