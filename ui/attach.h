/* attach.h: the dashboard on a run hosted by a drove server (drove
 * attach, and drove FILE on a terminal): a client of the run's socket
 * that keeps a replica of the run (src/server/replica.h) and shows it
 * with the same dashboard as a run of this process. The operator's keys
 * go to the server; d detaches (the run goes on), q stops the run as
 * ever. Losing the terminal (SIGHUP) or SIGTERM detaches too; Ctrl-C
 * stops the run, as it does a run of this process. */
#ifndef DROVE_ATTACH_H
#define DROVE_ATTACH_H

#include <stdbool.h>

struct attach_options {
	bool exit_when_done;  /* leave once the run has settled */
};

/* Attach to the live run `spec` names (client.h's client_open; NULL:
 * the only live run, or the newest) until the run ends (returns its exit
 * status), the operator detaches (0), or the server goes away (1). Says
 * what happened on stderr, after the terminal is restored. */
int attach_run(const char *spec, const struct attach_options *opt);

#endif
