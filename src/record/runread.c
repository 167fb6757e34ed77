/* runread.c: a run directory's events.jsonl back into a struct rr_run.
 * Each line is one JSON object; JSON is a subset of the YAML that libyaml
 * reads, so libyaml (already a dependency) parses them. */
#include "runread.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <yaml.h>

#include "event.h"
#include "fsat.h"
#include "ordinal.h"
#include "runlog.h"
#include "xmalloc.h"

/* Indices beyond this are not believed: a damaged file must not make the
 * reader allocate without end. */
#define RR_MAX_INDEX 100000
#define RR_MAX_GROW 64

/* Deeper lines are not parsed: drove writes depth 4 at most, and libyaml
 * takes time quadratic in the depth. */
#define RR_MAX_DEPTH 16

/* One parsed line. */
struct rr_line {
	yaml_document_t doc;
	yaml_node_t *root;
};

/* How deep the line nests, outside strings; stops counting past max. */
static int
rr_depth(const char *text, size_t len, int max)
{
	int depth = 0, deepest = 0;
	bool in_str = false;

	for (size_t i = 0; i < len && deepest <= max; i++) {
		char c = text[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"')
			in_str = true;
		else if (c == '[' || c == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return deepest;
}

static int
rr_parse(struct rr_line *l, const char *text, size_t len)
{
	yaml_parser_t p;
	int ok;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	ok = yaml_parser_load(&p, &l->doc);
	yaml_parser_delete(&p);
	if (!ok)
		return -1;
	l->root = yaml_document_get_root_node(&l->doc);
	if (l->root == NULL || l->root->type != YAML_MAPPING_NODE) {
		yaml_document_delete(&l->doc);
		return -1;
	}
	return 0;
}

static yaml_node_t *
rr_node(struct rr_line *l, yaml_node_t *map, enum rec_field f)
{
	const char *key = rec_field(f);
	yaml_node_pair_t *pr;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start;
	    pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&l->doc, pr->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&l->doc, pr->value);
	}
	return NULL;
}

/* A string member (NULL if absent or JSON null). */
static const char *
rr_str(struct rr_line *l, yaml_node_t *map, enum rec_field f)
{
	yaml_node_t *n = rr_node(l, map, f);

	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    strcmp((char *)n->data.scalar.value, "null") == 0)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static double
rr_num(struct rr_line *l, yaml_node_t *map, enum rec_field f, double dflt)
{
	const char *s = rr_str(l, map, f);
	char *end;
	double v;

	if (s == NULL)
		return dflt;
	v = strtod(s, &end);
	return end == s ? dflt : v;
}

/* A whole number member within [lo, hi], else dflt: the file may say
 * anything, and converting an out-of-range double is undefined. */
static long
rr_int(struct rr_line *l, yaml_node_t *map, enum rec_field f, long lo,
    long hi, long dflt)
{
	double v = rr_num(l, map, f, (double)dflt);

	if (!(v >= (double)lo && v <= (double)hi))
		return dflt;
	return (long)v;
}

/* Arrays here grow one element at a time; their capacity is implied by
 * their count (the power of two at or above it), so that appending stays
 * linear without a capacity field in the public structs. */
static size_t
rr_cap(size_t n)
{
	size_t c = 8;

	if (n == 0)
		return 0;
	while (c < n)
		c *= 2;
	return c;
}

static void *
rr_grow(void *p, size_t n, size_t need, size_t size)
{
	size_t cap = rr_cap(n);

	return xreallocarray_grow(p, &cap, need, size);
}

static void __attribute__((format(printf, 2, 3)))
rr_warn(struct rr_run *run, const char *fmt, ...)
{
	va_list ap;

	run->warnings = rr_grow(run->warnings, run->n_warnings,
	    run->n_warnings + 1, sizeof *run->warnings);
	va_start(ap, fmt);
	run->warnings[run->n_warnings++] = xvasprintf(fmt, ap);
	va_end(ap);
}

static char *
rr_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* The array p of *n entries of SIZE bytes, made to reach index i: grown,
 * its new entries zeroed, *n then i + 1. An index may reach at most
 * RR_MAX_GROW past the ones known: a genuine record only names what its
 * plan listed (or, with the plan lost, the next one), and a crafted one
 * must not make the reader allocate millions of entries a line. NULL when
 * refused, p and *n left as they were. */
static void *
rr_reach(void *p, size_t *n, size_t i, size_t size)
{
	if (i < *n)
		return p;
	if (i >= *n + RR_MAX_GROW)
		return NULL;
	p = rr_grow(p, *n, i + 1, size);
	memset((char *)p + *n * size, 0, (i + 1 - *n) * size);
	*n = i + 1;
	return p;
}

/* Sequence i, made if needed (see rr_reach). NULL when refused. */
static struct rr_seq *
rr_seq_at(struct rr_run *run, size_t i, const char *name)
{
	struct rr_seq *seqs = rr_reach(run->seqs, &run->n_seqs, i,
	    sizeof *run->seqs);

	if (seqs == NULL)
		return NULL;
	run->seqs = seqs;
	if (seqs[i].name == NULL)
		seqs[i].name = xstrdup(name != NULL ? name : "?");
	return &seqs[i];
}

static struct rr_step *
rr_step_at(struct rr_seq *seq, size_t i, const char *name)
{
	bool all_main = seq->n_main == seq->n_steps;
	struct rr_step *steps = rr_reach(seq->steps, &seq->n_steps, i,
	    sizeof *seq->steps);

	if (steps == NULL)
		return NULL;
	seq->steps = steps;
	/* Steps beyond the plan are steps, after steps only. */
	if (all_main)
		seq->n_main = seq->n_steps;
	if (steps[i].name == NULL)
		steps[i].name = xstrdup(name != NULL ? name : "?");
	return &steps[i];
}

/* The plan's roles of seq's steps (what each is: main, a handler's, a
 * cleanup step), and the step each handler step handles. A plan that
 * does not say has steps only; a role out of order (a main step after a
 * handler's) or an `of` that is not a main step before it are taken as
 * main: a damaged record shows steps, never indexes past them. */
static void
rr_plan_roles(struct rr_line *l, struct rr_seq *seq, yaml_node_t *roles,
    yaml_node_t *of)
{
	size_t k, n_of = 0;
	bool past_main = false;

	seq->n_main = seq->n_steps;
	if (roles == NULL || roles->type != YAML_SEQUENCE_NODE)
		return;
	if (of != NULL && of->type == YAML_SEQUENCE_NODE)
		n_of = (size_t)(of->data.sequence.items.top -
		    of->data.sequence.items.start);
	for (k = 0; k < seq->n_steps && k < (size_t)(roles->data.sequence.
	    items.top - roles->data.sequence.items.start); k++) {
		yaml_node_t *n = yaml_document_get_node(&l->doc,
		    roles->data.sequence.items.start[k]);
		yaml_node_t *o = k < n_of ? yaml_document_get_node(&l->doc,
		    of->data.sequence.items.start[k]) : NULL;
		enum step_role role = STEP_ROLE_MAIN;
		unsigned long v = 0;
		char *end = NULL;

		if (n != NULL && n->type == YAML_SCALAR_NODE)
			(void)step_role_parse((char *)n->data.scalar.value,
			    &role);
		if (role == STEP_ROLE_MAIN) {
			if (past_main)
				break;
			continue;
		}
		if (!past_main) {
			past_main = true;
			seq->n_main = k;
		}
		if (role == STEP_ROLE_HANDLER) {
			if (o == NULL || o->type != YAML_SCALAR_NODE)
				break;
			v = strtoul((char *)o->data.scalar.value, &end, 10);
			if (*end != '\0' || v >= seq->n_main)
				break;
		}
		seq->steps[k].role = role;
		seq->steps[k].of = (size_t)v;
	}
	if (past_main && k < seq->n_steps) {
		/* Damaged: all steps again. */
		for (k = 0; k < seq->n_steps; k++) {
			seq->steps[k].role = STEP_ROLE_MAIN;
			seq->steps[k].of = 0;
		}
		seq->n_main = seq->n_steps;
	}
}

/* Attempt `attempt` of a step. A genuine record starts attempts in
 * ascending order, so they stay sorted: a new one is appended, a known
 * one found by bisection (linear loading however many attempts). NULL
 * for a new attempt below the last: the record is out of order. */
static struct rr_attempt *
rr_attempt_at(struct rr_step *step, unsigned attempt)
{
	size_t lo = 0, hi = step->n_attempts;
	struct rr_attempt *a;

	if (hi > 0 && step->attempts[hi - 1].attempt < attempt)
		lo = hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (step->attempts[mid].attempt == attempt)
			return &step->attempts[mid];
		if (step->attempts[mid].attempt < attempt)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo != step->n_attempts)
		return NULL;
	step->attempts = rr_grow(step->attempts, step->n_attempts,
	    step->n_attempts + 1, sizeof *step->attempts);
	a = &step->attempts[step->n_attempts++];
	memset(a, 0, sizeof *a);
	a->attempt = attempt;
	a->exit_code = -1;
	a->log_bytes = -1;
	a->status = STEP_RUNNING;
	return a;
}

/* The sequence an event is about, by its index (every event about a
 * sequence has one). NULL if the line names none. */
static struct rr_seq *
rr_event_seq(struct rr_run *run, struct rr_line *l)
{
	const char *name = rr_str(l, l->root, REC_F_SEQ);
	long idx = rr_int(l, l->root, REC_F_SEQ_INDEX, 0, RR_MAX_INDEX, -1);

	if (idx < 0)
		return NULL;
	return rr_seq_at(run, (size_t)idx, name);
}

/* The plan's sequences (run_start's), or those a fan-out made (grow's),
 * numbered from base. Returns how many. */
static size_t
rr_plan(struct rr_run *run, struct rr_line *l, size_t base)
{
	yaml_node_t *seqs = rr_node(l, l->root, REC_F_SEQUENCES);
	yaml_node_item_t *it, *st;
	size_t made = 0;

	if (seqs == NULL || seqs->type != YAML_SEQUENCE_NODE)
		return 0;
	for (it = seqs->data.sequence.items.start;
	    it < seqs->data.sequence.items.top; it++) {
		yaml_node_t *s = yaml_document_get_node(&l->doc, *it);
		yaml_node_t *steps = rr_node(l, s, REC_F_STEPS);
		struct rr_seq *seq = rr_seq_at(run, base +
		    (size_t)(it - seqs->data.sequence.items.start),
		    rr_str(l, s, REC_F_NAME));
		yaml_node_t *retries = rr_node(l, s, REC_F_RETRIES);
		if (seq == NULL)
			break;
		made++;
		if (steps == NULL || steps->type != YAML_SEQUENCE_NODE)
			continue;
		for (st = steps->data.sequence.items.start;
		    st < steps->data.sequence.items.top; st++) {
			yaml_node_t *n = yaml_document_get_node(&l->doc, *st);
			if (rr_step_at(seq,
			    (size_t)(st - steps->data.sequence.items.start),
			    n && n->type == YAML_SCALAR_NODE ?
			    (char *)n->data.scalar.value : NULL) == NULL)
				break;
		}
		rr_plan_roles(l, seq, rr_node(l, s, REC_F_ROLES),
		    rr_node(l, s, REC_F_OF));
		if (retries == NULL || retries->type != YAML_SEQUENCE_NODE)
			continue;
		for (st = retries->data.sequence.items.start;
		    st < retries->data.sequence.items.top; st++) {
			yaml_node_t *n = yaml_document_get_node(&l->doc, *st);
			size_t k = (size_t)(st - retries->data.sequence.items.start);
			unsigned long v;
			char *end;
			if (k >= seq->n_steps || n == NULL ||
			    n->type != YAML_SCALAR_NODE)
				continue;
			v = strtoul((char *)n->data.scalar.value, &end, 10);
			if (*end == '\0' && v <= 1000000)
				seq->steps[k].retries = (unsigned)v;
		}
	}
	return made;
}

/* Is this step_end of attempt `at`, which had ended, the one a mark (m)
 * wrote? The mark is recorded just before it: the sequence's last action,
 * on this step and attempt, after the attempt's own end. */
static bool
rr_marked(const struct rr_seq *seq, const struct rr_attempt *at,
    size_t sidx)
{
	const struct rr_action *a;

	if (at->end_line == 0 || at->marked || seq->n_actions == 0)
		return false;
	a = &seq->actions[seq->n_actions - 1];
	return a->event == REC_ACTION && a->action == RUN_ACT_MARK &&
	    a->step == (long)sidx && a->line > at->end_line &&
	    (a->attempt == 0 || a->attempt == at->attempt);
}

/* A status as recorded; one nobody writes (a damaged line) leaves it. */
static void
rr_status(struct rr_line *l, enum step_status *st)
{
	enum step_status v;

	if (step_status_parse(rr_str(l, l->root, REC_F_STATUS), &v))
		*st = v;
}

static void
rr_event(struct rr_run *run, struct rr_line *l, size_t lineno)
{
	double ts = rr_num(l, l->root, REC_F_TS, 0);
	enum rec_event ev;
	enum run_action act = RUN_ACT_RETRY;
	struct rr_seq *seq;
	struct rr_step *step;
	struct rr_attempt *at;
	long sidx;

	if (!rec_event_parse(rr_str(l, l->root, REC_F_EVENT), &ev, &act))
		return;
	if (ts > run->last)
		run->last = ts;
	if (ev == REC_RUN_START) {
		run->start = ts;
		free(run->config);
		run->config = rr_dup(rr_str(l, l->root, REC_F_CONFIG));
		rr_plan(run, l, 0);
		return;
	}
	if (ev == REC_SETTLED) {
		run->settled = true;
		run->duration = rr_num(l, l->root, REC_F_DURATION, -1);
		free(run->settled_status);
		run->settled_status = rr_dup(rr_str(l, l->root,
		    REC_F_STATUS));
		return;
	}
	if (ev == REC_RUN_END) {
		run->ended = true;
		run->end = ts;
		run->duration = rr_num(l, l->root, REC_F_DURATION, -1);
		free(run->status);
		run->status = rr_dup(rr_str(l, l->root, REC_F_STATUS));
		run->exit_code = (int)rr_int(l, l->root, REC_F_EXIT_CODE, 0,
		    255, 1);
		return;
	}
	if (ev != REC_NOTICE)
		run->settled = false; /* something happened since */
	if (ev == REC_NOTICE && rr_str(l, l->root, REC_F_SEQ_INDEX) == NULL) {
		/* About the whole run: the writer lost part of the record
		 * (a full disk), and says what. */
		const char *msg = rr_str(l, l->root, REC_F_MESSAGE);
		run->incomplete = true;
		rr_warn(run, "events.jsonl:%zu: %s", lineno, msg ? msg :
		    "the record is incomplete");
		return;
	}
	if ((seq = rr_event_seq(run, l)) == NULL)
		return;
	sidx = rr_int(l, l->root, REC_F_STEP_INDEX, 0, RR_MAX_INDEX, -1);
	if (ev == REC_GROW) {
		long first = rr_int(l, l->root, REC_F_FIRST, 0, RR_MAX_INDEX,
		    -1);
		const char *v = rr_str(l, l->root, REC_F_VALUE);
		size_t ph = (size_t)(seq - run->seqs);
		if (first < 0 || seq->grown)
			return;
		seq->grown = true;
		seq->from = rr_dup(rr_str(l, l->root, REC_F_FROM));
		seq->value = rr_dup(v);
		seq->first = (size_t)first;
		/* The sequences may move: seq is not used after this. */
		run->seqs[ph].count = rr_plan(run, l,
		    (size_t)first);
		return;
	}
	if (ev == REC_SEQ_STATE) {
		enum seq_state st;
		if (seq_state_parse(rr_str(l, l->root, REC_F_STATE), &st)) {
			seq->state = st;
			seq->stated = true;
		}
		return;
	}
	if (ev == REC_ACTION || ev == REC_NOTICE) {
		struct rr_action *a;
		const char *why = rr_str(l, l->root, REC_F_REASON);
		if (why == NULL)
			why = rr_str(l, l->root, REC_F_MESSAGE);
		if (why == NULL)
			why = rr_str(l, l->root, REC_F_NOTE);
		seq->actions = rr_grow(seq->actions, seq->n_actions,
		    seq->n_actions + 1, sizeof *seq->actions);
		a = &seq->actions[seq->n_actions++];
		a->event = ev;
		a->action = act;
		a->time = ts;
		a->step = sidx;
		a->attempt = (unsigned)rr_int(l, l->root, REC_F_ATTEMPT, 0,
		    INT_MAX, 0);
		a->reason = rr_dup(why);
		a->by = rr_dup(rr_str(l, l->root, REC_F_BY));
		a->line = lineno;
		return;
	}
	if (sidx < 0)
		return;
	step = rr_step_at(seq, (size_t)sidx, rr_str(l, l->root, REC_F_STEP));
	if (step == NULL)
		return;
	if (ev == REC_CAPTURE) {
		/* The step's last word: a later attempt's value replaces an
		 * earlier one's. */
		yaml_node_t *v = rr_node(l, l->root, REC_F_VALUE);
		free(step->var);
		free(step->value);
		step->var = rr_dup(rr_str(l, l->root, REC_F_VAR));
		step->value = NULL;
		step->value_len = 0;
		if (v != NULL && v->type == YAML_SCALAR_NODE &&
		    v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
			step->value_len = v->data.scalar.length;
			step->value = xmalloc(step->value_len + 1);
			memcpy(step->value, v->data.scalar.value,
			    step->value_len);
			step->value[step->value_len] = '\0';
		}
		return;
	}
	if (ev == REC_STEP_END &&
	    rr_int(l, l->root, REC_F_ATTEMPT, 0, INT_MAX, 1) == 0) {
		/* A step --resume did not run again: no attempt, no log. */
		step->resumed = true;
		rr_status(l, &step->status);
		return;
	}
	at = rr_attempt_at(step, (unsigned)rr_int(l, l->root, REC_F_ATTEMPT,
	    1, INT_MAX, 1));
	if (at == NULL)
		return;
	if (ev == REC_STEP_START) {
		at->start = ts;
		at->line = lineno;
		free(at->log);
		at->log = rr_dup(rr_str(l, l->root, REC_F_LOG));
		free(at->run);
		at->run = rr_dup(rr_str(l, l->root, REC_F_RUN));
		free(at->wait_for);
		at->wait_for = rr_dup(rr_str(l, l->root, REC_F_WAIT_FOR));
		if (seq->start == 0 || ts < seq->start)
			seq->start = ts;
	} else if (ev == REC_STEP_END && rr_marked(seq, at, (size_t)sidx)) {
		/* Marked done by hand: ok now, how it failed kept. */
		at->marked = true;
		at->failed = at->status;
		rr_status(l, &at->status);
		step->status = at->status;
		if (ts > seq->end)
			seq->end = ts;
	} else if (ev == REC_STEP_END) {
		at->end = ts;
		at->end_line = lineno;
		if (at->start == 0)
			at->start = ts - rr_num(l, l->root, REC_F_DURATION, 0);
		rr_status(l, &at->status);
		at->exit_code = (int)rr_int(l, l->root, REC_F_EXIT_CODE, -1,
		    255, -1);
		at->signal = (int)rr_int(l, l->root, REC_F_SIGNAL, 0, 128, 0);
		if (at->log == NULL)
			at->log = rr_dup(rr_str(l, l->root, REC_F_LOG));
		at->log_bytes = rr_int(l, l->root, REC_F_LOG_BYTES, 0,
		    LONG_MAX, -1);
		free(at->host);
		at->host = rr_dup(rr_str(l, l->root, REC_F_HOST));
		free(at->why);
		at->why = rr_dup(rr_str(l, l->root, REC_F_MESSAGE));
		step->status = at->status;
		if (ts > seq->end)
			seq->end = ts;
	}
}

/* Why a file of the record could not be read, for the user. */
static char *
rr_open_error(const char *dir, const char *rel, int err)
{
	if (err == EINVAL && !fsat_rel_ok(rel))
		return xasprintf("%s: not inside the run directory %s "
		    "(refused)", rel, dir);
	if (err == ELOOP || err == ENOTDIR)
		return xasprintf("%s/%s: a symlink (refused)", dir, rel);
	if (err == EINVAL)
		return xasprintf("%s/%s: not a regular file (refused)", dir,
		    rel);
	return xasprintf("%s/%s: %s", dir, rel, strerror(err));
}

/* Is NAME in the directory dfd a socket nobody listens on? connect()
 * says so (ECONNREFUSED); a live master's socket accepts. Through
 * /proc/self/fd: the run directory's path may not fit a sun_path. */
static bool
rr_socket_dead(int dfd, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc, e;

	if (snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s",
	    dfd, name) >= (int)sizeof sa.sun_path ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	e = errno;
	close(fd);
	return rc != 0 && e == ECONNREFUSED;
}

/* fn(dfd, entry) for each entry of the directory dfd. */
static void
rr_each_entry(int dfd, void (*fn)(int, const struct dirent *))
{
	int fd = dup(dfd);
	DIR *d;
	struct dirent *e;

	if (fd < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		fn(dfd, e);
	closedir(d);
}

/* A control socket whose master is gone. */
static void
rr_sweep_socket(int dfd, const struct dirent *e)
{
	struct stat sb;

	if ((e->d_type == DT_SOCK || (e->d_type == DT_UNKNOWN &&
	    fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISSOCK(sb.st_mode))) && rr_socket_dead(dfd, e->d_name))
		(void)unlinkat(dfd, e->d_name, 0);
}

/* The ssh control directory (remote.c) of a run whose drove was killed
 * outright is left behind, with the socket of any master that had to be
 * SIGKILLed (the keeper's grace ran out before it removed it): remove
 * the sockets nobody listens on, then the directory. Only an empty one
 * (rmdir refuses any other), and never through a symlink. */
static void
rr_sweep_ssh_dir(int dfd, const struct dirent *e)
{
	int sub;

	if (strncmp(e->d_name, "ssh-", 4) != 0 || e->d_type != DT_DIR)
		return;
	sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sub >= 0) {
		rr_each_entry(sub, rr_sweep_socket);
		close(sub);
	}
	(void)unlinkat(dfd, e->d_name, AT_REMOVEDIR);
}

static void
rr_sweep_ssh(int dfd)
{
	rr_each_entry(dfd, rr_sweep_ssh_dir);
}

struct rr_run *
runread_load(const char *dir, char **err)
{
	char *buf, *slash;
	struct rr_run *run;
	size_t len = 0, lineno = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		return NULL;
	}
	if ((buf = fsat_slurp(dfd, "events.jsonl", &len)) == NULL) {
		*err = rr_open_error(dir, "events.jsonl", errno);
		close(dfd);
		return NULL;
	}

	run = xcalloc(1, sizeof *run);
	run->dirfd = dfd;
	run->dir = xstrdup(dir);
	slash = strrchr(run->dir, '/');
	run->id = xstrdup(slash != NULL && slash[1] != '\0' ? slash + 1 :
	    run->dir);
	run->exit_code = -1;
	run->duration = -1;
	for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
		struct rr_line l;
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		lineno++;
		if (nl == NULL) {
			/* The writer was cut off in the middle of a line. */
			run->cut_off = true;
			rr_warn(run, "events.jsonl:%zu: the last line is cut "
			    "off (skipped)", lineno);
			break;
		}
		if (nl == p)
			continue;
		if (rr_depth(p, (size_t)(nl - p), RR_MAX_DEPTH) >
		    RR_MAX_DEPTH) {
			rr_warn(run, "events.jsonl:%zu: nested deeper than %d "
			    "(skipped)", lineno, RR_MAX_DEPTH);
			continue;
		}
		if (rr_parse(&l, p, (size_t)(nl - p)) != 0) {
			rr_warn(run, "events.jsonl:%zu: unreadable line "
			    "(skipped)", lineno);
			continue;
		}
		rr_event(run, &l, lineno);
		yaml_document_delete(&l.doc);
	}
	free(buf);
	if (!run->ended) {
		run->live = runlog_live(dir);
		if (!run->live)
			rr_sweep_ssh(dfd);
		free(run->status);
		/* Finished, its dashboard left open: the run is over. */
		if (run->live && run->settled && run->settled_status != NULL)
			run->status = xstrdup(run->settled_status);
		else
			run->status = xstrdup(run->live ? "running" :
			    "interrupted");
		if (!run->settled)
			run->duration = -1;
	}
	if (run->status == NULL)
		run->status = xstrdup("?");
	return run;
}

void
runread_free(struct rr_run *run)
{
	if (run == NULL)
		return;
	for (size_t i = 0; i < run->n_seqs; i++) {
		struct rr_seq *seq = &run->seqs[i];
		for (size_t k = 0; k < seq->n_steps; k++) {
			struct rr_step *st = &seq->steps[k];
			for (size_t a = 0; a < st->n_attempts; a++) {
				free(st->attempts[a].log);
				free(st->attempts[a].run);
				free(st->attempts[a].host);
				free(st->attempts[a].wait_for);
				free(st->attempts[a].why);
			}
			free(st->attempts);
			free(st->name);
			free(st->var);
			free(st->value);
		}
		for (size_t a = 0; a < seq->n_actions; a++) {
			free(seq->actions[a].reason);
			free(seq->actions[a].by);
		}
		free(seq->actions);
		free(seq->steps);
		free(seq->name);
		free(seq->from);
		free(seq->value);
	}
	xstrs_free(run->warnings, run->n_warnings);
	if (run->dirfd >= 0)
		close(run->dirfd);
	free(run->seqs);
	free(run->id);
	free(run->dir);
	free(run->config);
	free(run->status);
	free(run->settled_status);
	free(run);
}

static bool
rr_is_run_dir(const char *path)
{
	char *ev = xasprintf("%s/events.jsonl", path);
	struct stat st;
	bool ok = stat(ev, &st) == 0 && S_ISREG(st.st_mode);

	free(ev);
	return ok;
}

struct rr_run *
runread_open(const char *log_dir, const char *spec, char **err)
{
	char *dir = runread_resolve(log_dir, spec, err);
	struct rr_run *run;

	if (dir == NULL)
		return NULL;
	run = runread_load(dir, err);
	free(dir);
	return run;
}

char *
runread_resolve(const char *log_dir, const char *spec, char **err)
{
	char **ids, *found = NULL, *list = NULL, *tmp, link[PATH_MAX];
	size_t n, matches = 0, speclen = strlen(spec);
	ssize_t ll;

	if (strchr(spec, '/') != NULL) {
		if (rr_is_run_dir(spec))
			return xstrdup(spec);
		*err = xasprintf("%s is not a run directory (it has no "
		    "events.jsonl)", spec);
		return NULL;
	}
	n = runlog_list(log_dir, &ids);
	if (strcmp(spec, "latest") == 0) {
		/* The link drove made: a symlink of this user's naming a run
		 * id. Anything else there (a directory, another user's link
		 * into /etc) is not followed: the newest run is latest. */
		struct stat st;
		tmp = xasprintf("%s/latest", log_dir);
		ll = -1;
		if (lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode) &&
		    st.st_uid == geteuid())
			ll = readlink(tmp, link, sizeof link - 1);
		free(tmp);
		if (ll > 0) {
			link[ll] = '\0';
			if (!runlog_is_run_id(link))
				ll = -1;
		}
		if (ll <= 0 && n == 0) {
			*err = xasprintf("no runs in %s yet", log_dir);
			free(ids);
			return NULL;
		}
		if (ll <= 0) {
			snprintf(link, sizeof link, "%s", ids[0]);
			ll = (ssize_t)strlen(link);
		}
		spec = link;
		speclen = (size_t)ll;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ids[i], spec) == 0) {
			free(found);
			found = xstrdup(ids[i]);
			matches = 1;
			break;
		}
		if (strncmp(ids[i], spec, speclen) != 0)
			continue;
		matches++;
		if (found == NULL)
			found = xstrdup(ids[i]);
		tmp = list ? xasprintf("%s, %s", list, ids[i]) :
		    xstrdup(ids[i]);
		free(list);
		list = tmp;
	}
	xstrs_free(ids, n);
	if (matches == 1) {
		tmp = xasprintf("%s/%s", log_dir, found);
		free(found);
		free(list);
		return tmp;
	}
	free(found);
	if (matches > 1)
		*err = xasprintf("'%s' matches %zu runs in %s: %s", spec,
		    matches, log_dir, list);
	else if (rr_is_run_dir(spec))
		*err = NULL;
	else
		*err = xasprintf("no run '%s' in %s ('drove logs' lists "
		    "those; for a run of a config that sets log_dir: -c "
		    "FILE or --log-dir DIR)", spec, log_dir);
	free(list);
	if (*err == NULL)
		return xstrdup(spec);
	return NULL;
}

const struct rr_seq *
runread_find_seq(const struct rr_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->n_seqs; i++)
		if (run->seqs[i].name && strcmp(run->seqs[i].name, name) == 0)
			return &run->seqs[i];
	i = ordinal_parse(name, run->n_seqs);
	return i < run->n_seqs ? &run->seqs[i] : NULL;
}

long
runread_find_step(const struct rr_seq *seq, const char *name)
{
	size_t i;

	char ref[64];

	for (i = 0; i < seq->n_steps; i++)
		if (seq->steps[i].name && strcmp(seq->steps[i].name, name) == 0)
			return (long)i;
	/* A handler's or a cleanup step as drove ctl names it
	 * (2.handler:1, cleanup:1). */
	for (i = seq->n_main; i < seq->n_steps; i++) {
		const struct rr_step *st = &seq->steps[i];
		size_t nth = 0;
		for (size_t j = seq->n_main; j <= i; j++)
			nth += seq->steps[j].role == st->role &&
			    (st->role != STEP_ROLE_HANDLER ||
			    seq->steps[j].of == st->of);
		if (strcmp(step_ref(st->role, i, nth, st->of, ref, sizeof ref),
		    name) == 0)
			return (long)i;
	}
	i = ordinal_parse(name, seq->n_steps);
	return i < seq->n_steps ? (long)i : -1;
}

char *
runread_log(const struct rr_run *run, const char *rel, size_t *len,
    char **err)
{
	char *buf = fsat_slurp(run->dirfd, rel, len);

	if (buf == NULL)
		*err = rr_open_error(run->dir, rel, errno);
	return buf;
}

const char *
runread_step_label(const struct rr_seq *seq, size_t k, char *buf,
    size_t size)
{
	const struct rr_step *st = &seq->steps[k];
	size_t nth = 0, group = 0;

	for (size_t j = seq->n_main; j < seq->n_steps; j++) {
		const struct rr_step *o = &seq->steps[j];
		if (o->role != st->role || (st->role == STEP_ROLE_HANDLER &&
		    o->of != st->of))
			continue;
		group++;
		if (j <= k)
			nth++;
	}
	return step_label(k < seq->n_main ? STEP_ROLE_MAIN : st->role, k,
	    seq->n_main, nth, group, st->of, buf, size);
}

bool
runread_log_absent_ok(const struct rr_attempt *a)
{
	return a->log_bytes == 0 || (a->log_bytes < 0 && a->end == 0);
}

char *
runread_attempt_log(const struct rr_run *run, const struct rr_attempt *a,
    size_t *len, char **err)
{
	char *buf = fsat_slurp(run->dirfd, a->log, len);

	if (buf == NULL && errno == ENOENT && runread_log_absent_ok(a)) {
		*len = 0;
		return xstrdup("");
	}
	if (buf == NULL)
		*err = rr_open_error(run->dir, a->log, errno);
	return buf;
}
