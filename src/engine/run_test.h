/* run_test.h: what only the tests look at inside a run. */
#ifndef DROVE_RUN_TEST_H
#define DROVE_RUN_TEST_H

#include <stddef.h>

#include "run.h"

struct remote;

/* The run's ssh transport, or NULL when the config has no hosts. */
struct remote *run_remote(const struct run *run);
/* The first step sequence i runs (run_resume_from), 0 by default. */
size_t run_resume_at(const struct run *run, size_t i);

#endif
