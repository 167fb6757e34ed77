/* status.c: the names of step statuses and sequence states, both ways. */
#include "status.h"

#include <stdio.h>
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

#define ROLE_ROW(name, text, label) { text, label },

static const struct {
	const char *name;
	const char *label;
} status_roles[] = { STEP_ROLES(ROLE_ROW) };

#undef ROLE_ROW

#define STATUS_N(a) (sizeof (a) / sizeof (a)[0])

const char *
step_role_name(enum step_role role)
{
	return (size_t)role < STATUS_N(status_roles) ?
	    status_roles[role].name : "?";
}

const char *
step_role_label(enum step_role role)
{
	return (size_t)role < STATUS_N(status_roles) ?
	    status_roles[role].label : "?";
}

const char *
step_label(enum step_role role, size_t k, size_t n_main, size_t nth,
    size_t group, size_t of, char *buf, size_t size)
{
	if (role == STEP_ROLE_HANDLER)
		snprintf(buf, size, "%s %zu/%zu of step %zu",
		    step_role_label(role), nth, group, of + 1);
	else if (role == STEP_ROLE_FINALLY)
		snprintf(buf, size, "%s %zu/%zu", step_role_label(role), nth,
		    group);
	else
		snprintf(buf, size, "step %zu/%zu", k + 1, n_main);
	return buf;
}

const char *
step_ref(enum step_role role, size_t k, size_t nth, size_t of, char *buf,
    size_t size)
{
	if (role == STEP_ROLE_HANDLER)
		snprintf(buf, size, "%zu.%s:%zu", of + 1, step_role_label(role),
		    nth);
	else if (role == STEP_ROLE_FINALLY)
		snprintf(buf, size, "%s:%zu", step_role_label(role), nth);
	else
		snprintf(buf, size, "%zu", k + 1);
	return buf;
}

bool
step_role_parse(const char *name, enum step_role *role)
{
	for (size_t i = 0; name != NULL && i < STATUS_N(status_roles); i++) {
		if (strcmp(name, status_roles[i].name) == 0) {
			*role = (enum step_role)i;
			return true;
		}
	}
	return false;
}

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

bool
seq_state_failed(enum seq_state st)
{
	return st == SEQ_FAILED || st == SEQ_UNREACHABLE;
}

bool
step_status_unreachable(enum step_status st)
{
	return st == STEP_UNREACHABLE || st == STEP_LOST;
}

const char *
step_host_why(enum step_status st, const char *host, char *buf, size_t size)
{
	if (host == NULL)
		host = "the host";
	if (st == STEP_LOST)
		snprintf(buf, size, "connection to %s lost", host);
	else
		snprintf(buf, size, "%s unreachable", host);
	return buf;
}
