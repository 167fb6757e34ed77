/* cli.c: drove ps, ctl, wait and stop. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "duration.h"
#include "json.h"
#include "runread.h"
#include "wire.h"
#include "xmalloc.h"

static const char *const cli_usage[] = {
	"usage: drove ps [--json]",
	("usage: drove ctl RUN retry|skip|kill|abort|pause|resume|mark SEQ [STEP]\n"
	 "       drove ctl RUN status [--json]"),
	"usage: drove wait RUN",
	"usage: drove stop RUN",
};

/* Connect to spec, saying why not. */
static struct client *
cli_open(const char *spec, int *rc)
{
	enum client_error why;
	char *over = NULL, *err = NULL;
	struct client *c = client_open(spec, &why, &over, &err);

	if (c != NULL)
		return c;
	if (why == CLIENT_OVER)
		fprintf(stderr, "drove: %s; 'drove review %s' shows it\n", err,
		    over);
	else
		fprintf(stderr, "drove: %s\n", err);
	*rc = why == CLIENT_NO_RUN ? CLI_USAGE : 1;
	free(over);
	free(err);
	return NULL;
}

/* The state of a run: a SNAPSHOT read into seqs. */
static int
cli_snapshot(struct client *c, struct wire_run *run, struct wire_seq **seqs,
    size_t *n)
{
	struct proto_msg m;
	char *err = NULL;
	int r = client_ask(c, PROTO_STATUS, PROTO_SNAPSHOT, &m, &err);

	if (r <= 0) {
		fprintf(stderr, "drove: %s\n", r == 0 ? "the run's server "
		    "closed the connection" : err);
		free(err);
		return -1;
	}
	if (wire_get_snapshot(&m, run, seqs, n) != 0) {
		fprintf(stderr, "drove: a malformed snapshot from the run's "
		    "server\n");
		return -1;
	}
	return 0;
}

static void
cli_counts(const struct wire_seq *seqs, size_t n, size_t *count)
{
	memset(count, 0, SEQ_STATE_COUNT * sizeof *count);
	for (size_t i = 0; i < n; i++)
		/* A placeholder that grew: its sequences are counted. */
		if (!seqs[i].grown)
			count[seqs[i].state]++;
}

/* What ps --json and ctl status --json say of a run, first. */
static void
cli_json_run(struct json *j, const struct client_info *info,
    const struct wire_run *run)
{
	json_str(j, "run_id", info->id);
	json_int(j, "pid", info->pid);
	json_str(j, "config", info->config);
	json_str(j, "dir", info->run_dir);
	json_num(j, "started", info->started);
	json_bool(j, "settled", run->settled);
}

/* --- ps ----------------------------------------------------------------- */

size_t
cli_ps_write(FILE *out, bool as_json)
{
	char **names;
	size_t n = client_list(&names), shown = 0;
	struct json j;

	if (as_json)
		fprintf(out, "[");
	else if (n > 0)
		fprintf(out, "%-18s %-8s %-19s %-28s %s\n", "RUN", "PID",
		    "STARTED", "SEQUENCES", "CONFIG");
	for (size_t i = n; i-- > 0;) {
		enum client_error why;
		char *over = NULL, *err = NULL, when[32];
		struct client *c = client_open(names[i], &why, &over, &err);
		struct wire_run run;
		struct wire_seq *seqs;
		size_t ns, count[SEQ_STATE_COUNT];
		const struct client_info *info;

		free(over);
		free(err);
		/* A run that ended meanwhile, or a dead one: not live. */
		if (c == NULL)
			continue;
		if (cli_snapshot(c, &run, &seqs, &ns) != 0) {
			client_free(c);
			continue;
		}
		info = client_info(c);
		cli_counts(seqs, ns, count);
		if (as_json) {
			json_init(&j);
			cli_json_run(&j, info, &run);
			json_open(&j, "sequences");
			for (int s = 0; s < SEQ_STATE_COUNT; s++)
				json_int(&j, seq_state_name((enum seq_state)s),
				    (long long)count[s]);
			json_close(&j);
			json_end(&j);
			/* json_end adds a newline: one object a line. */
			fprintf(out, "%s%s", shown ? "," : "", j.out.buf);
			json_free(&j);
		} else {
			struct strbuf sb = STRBUF_INIT;
			for (int s = 0; s < SEQ_STATE_COUNT; s++)
				if (count[s] > 0)
					strbuf_printf(&sb, "%s%zu %s", sb.len ?
					    ", " : "", count[s],
					    seq_state_name((enum seq_state)s));
			duration_when(info->started, when, sizeof when);
			fprintf(out, "%-18s %-8ld %-19s %-28s %s\n", info->id,
			    info->pid, when, strbuf_str(&sb), info->config);
			strbuf_free(&sb);
		}
		shown++;
		wire_seqs_free(seqs, ns);
		client_free(c);
	}
	if (as_json)
		fprintf(out, "]\n");
	xstrs_free(names, n);
	return shown;
}

static int
cli_ps(const struct cli_options *opt)
{
	if (cli_ps_write(stdout, opt->json) == 0 && !opt->json)
		printf("no live run\n");
	return 0;
}

/* --- status ------------------------------------------------------------- */

/* Step k's place among the steps of its handler or of the cleanup
 * (1-based), and their number; 0 and the sequence's own steps' number
 * for one of them. */
static size_t
cli_step_nth(const struct wire_seq *s, size_t k, size_t *group)
{
	const struct wire_step *st = &s->steps[k];
	size_t nth = 0;

	*group = 0;
	for (size_t j = 0; j < s->n_steps; j++) {
		const struct wire_step *o = &s->steps[j];
		if (o->role != st->role || (st->role == STEP_ROLE_HANDLER &&
		    o->of != st->of))
			continue;
		(*group)++;
		if (j <= k && st->role != STEP_ROLE_MAIN)
			nth++;
	}
	return nth;
}

/* How ctl names step k ("3", "3.handler:1", "cleanup:1"), in buf. */
static const char *
cli_step_ref(const struct wire_seq *s, size_t k, char *buf, size_t size)
{
	size_t group;

	return step_ref(s->steps[k].role, k, cli_step_nth(s, k, &group),
	    s->steps[k].of, buf, size);
}

/* Where the sequence is, as a screen says it: "step 2/3", "handler 1/1
 * of step 2", "cleanup 1/2": counted among its own steps, its handlers'
 * and its cleanup's apart. */
static const char *
cli_step_at(const struct wire_seq *s, char *buf, size_t size)
{
	size_t k = s->current, group, n_main = 0, nth;

	for (size_t j = 0; j < s->n_steps; j++)
		n_main += s->steps[j].role == STEP_ROLE_MAIN;
	nth = cli_step_nth(s, k, &group);
	return step_label(s->steps[k].role, k, n_main, nth, group,
	    s->steps[k].of, buf, size);
}

static void
cli_status_json(const struct client_info *info, const struct wire_run *run,
    const struct wire_seq *seqs, size_t n)
{
	struct json j;
	char ref[64];

	json_init(&j);
	cli_json_run(&j, info, run);
	json_array(&j, "sequences");
	for (size_t i = 0; i < n; i++) {
		const struct wire_seq *s = &seqs[i];
		if (s->grown)
			continue;       /* replaced by its sequences */
		json_item_open(&j);
		json_str(&j, "name", s->name);
		json_str(&j, "state", seq_state_name(s->state));
		/* "step": the number of its own step it is at; "at": any
		 * step it is at, as ctl names it ("cleanup:1"). */
		if (s->current < s->n_steps &&
		    s->steps[s->current].role == STEP_ROLE_MAIN)
			json_int(&j, "step", (long long)s->current + 1);
		else
			json_null(&j, "step");
		if (s->current < s->n_steps)
			json_str(&j, "at", cli_step_ref(s, s->current, ref,
			    sizeof ref));
		else
			json_null(&j, "at");
		json_array(&j, "steps");
		for (size_t k = 0; k < s->n_steps; k++) {
			const struct wire_step *st = &s->steps[k];
			json_item_open(&j);
			json_str(&j, "name", st->name);
			json_str(&j, "ref", cli_step_ref(s, k, ref,
			    sizeof ref));
			if (st->role != STEP_ROLE_MAIN)
				json_str(&j, "role", step_role_name(st->role));
			json_str(&j, "status", step_status_name(st->status));
			json_int(&j, "attempt", st->attempt);
			if (st->exit_code >= 0)
				json_int(&j, "exit_code", st->exit_code);
			else
				json_null(&j, "exit_code");
			if (st->signal > 0)
				json_int(&j, "signal", st->signal);
			if (st->started > 0)
				json_num(&j, "started", st->started);
			if (st->ended > 0)
				json_num(&j, "ended", st->ended);
			json_close(&j);
		}
		json_array_end(&j);
		json_close(&j);
	}
	json_array_end(&j);
	json_end(&j);
	fputs(j.out.buf, stdout);
	json_free(&j);
}

static void
cli_status_text(const struct client_info *info, const struct wire_run *run,
    const struct wire_seq *seqs, size_t n)
{
	size_t w = 4, rw = 2;
	char when[32], ref[64], at[96];

	duration_when(info->started, when, sizeof when);
	printf("run %s: %s (pid %ld, started %s, config %s)\n", info->id,
	    run->settled ? "settled" : "running", info->pid, when,
	    info->config);
	/* Columns: how ctl names the step, its name, its status. */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < seqs[i].n_steps; k++) {
			if (strlen(seqs[i].steps[k].name) > w)
				w = strlen(seqs[i].steps[k].name);
			cli_step_ref(&seqs[i], k, ref, sizeof ref);
			if (strlen(ref) > rw)
				rw = strlen(ref);
		}
	for (size_t i = 0; i < n; i++) {
		const struct wire_seq *s = &seqs[i];

		if (s->grown)
			continue;       /* replaced by its sequences */
		printf("%s: %s", s->name, seq_state_name(s->state));
		if (s->current < s->n_steps && s->state != SEQ_OK)
			printf(", %s", cli_step_at(s, at, sizeof at));
		printf("\n");
		for (size_t k = 0; k < s->n_steps; k++) {
			const struct wire_step *st = &s->steps[k];
			cli_step_ref(s, k, ref, sizeof ref);
			printf("  %-*s  %-*s  %-*s", (int)rw, ref, (int)w,
			    st->name, st->attempt > 0 ? 10 : 0,
			    step_status_name(st->status));
			if (st->attempt > 0)
				printf(" try %u", st->attempt);
			if (step_status_done(st->status) && st->signal > 0)
				printf(", signal %d", st->signal);
			else if (step_status_done(st->status) &&
			    st->exit_code >= 0)
				printf(", exit %d", st->exit_code);
			if (st->started > 0 && st->ended >= st->started)
				printf(", %.1fs", st->ended - st->started);
			printf("\n");
		}
	}
}

static int
cli_status(struct client *c, const struct cli_options *opt)
{
	struct wire_run run;
	struct wire_seq *seqs;
	size_t n;

	if (cli_snapshot(c, &run, &seqs, &n) != 0)
		return 1;
	if (opt->json)
		cli_status_json(client_info(c), &run, seqs, n);
	else
		cli_status_text(client_info(c), &run, seqs, n);
	wire_seqs_free(seqs, n);
	return 0;
}

/* --- ctl, stop, wait ---------------------------------------------------- */

/* Send a request and print the server's RESULT. */
static int
cli_answer(struct client *c, struct proto_buf *b)
{
	struct proto_msg m;
	char *err = NULL, *text;
	int r;
	bool ok;

	if (client_send(c, b, &err) != 0 ||
	    (r = client_recv(c, &m, &err)) < 0) {
		fprintf(stderr, "drove: %s\n", err);
		free(err);
		return 1;
	}
	if (r == 0 || m.type != PROTO_RESULT) {
		fprintf(stderr, "drove: the run's server did not answer\n");
		return 1;
	}
	ok = proto_get_u8(&m) != 0;
	text = proto_get_cstr(&m);
	free(proto_get_cstr(&m));    /* the bare reason: for dashboards */
	if (!proto_done(&m)) {
		free(text);
		fprintf(stderr, "drove: a malformed answer from the run's "
		    "server\n");
		return 1;
	}
	if (ok)
		printf("%s\n", text);
	else
		fprintf(stderr, "drove: %s\n", text);
	free(text);
	return ok ? 0 : CLI_REFUSED;
}

/* cli_answer, and then the request and the connection are done with. */
static int
cli_result(struct client *c, struct proto_buf *b)
{
	int rc = cli_answer(c, b);

	proto_buf_free(b);
	client_free(c);
	return rc;
}

static int
cli_ctl(char **args, int nargs, const struct cli_options *opt)
{
	struct client *c;
	struct proto_buf b = { 0 };
	int rc = 0;
	bool status = nargs == 2 && strcmp(args[1], "status") == 0;

	if (!status && nargs != 3 && nargs != 4) {
		fprintf(stderr, "%s\n", cli_usage[1]);
		return CLI_USAGE;
	}
	if ((c = cli_open(args[0], &rc)) == NULL)
		return rc;
	if (status) {
		rc = cli_status(c, opt);
		client_free(c);
		return rc;
	}
	proto_begin(&b, PROTO_ACT);
	proto_cstr(&b, args[1]);
	proto_cstr(&b, args[2]);
	proto_cstr(&b, nargs == 4 ? args[3] : "");
	proto_cstr(&b, "");
	proto_end(&b);
	return cli_result(c, &b);
}

static int
cli_stop(char **args, int nargs)
{
	struct client *c;
	struct proto_buf b = { 0 };
	int rc = 0;

	if (nargs != 1) {
		fprintf(stderr, "%s\n", cli_usage[3]);
		return CLI_USAGE;
	}
	if ((c = cli_open(args[0], &rc)) == NULL)
		return rc;
	proto_begin(&b, PROTO_STOP);
	proto_u8(&b, 0);
	proto_end(&b);
	return cli_result(c, &b);
}

/* A run that is not live: what its record says of its end. rc gets
 * its exit status, or CLI_UNKNOWN_END when the record has no run_end
 * and no drove runs it (killed outright). 0 when the record was found,
 * else -1 (nothing said). spec: a run id or prefix, or a run
 * directory's path; dir: where to look for it. */
static int
cli_recorded_end(const char *dir, const char *spec, int *rc)
{
	char *err = NULL, *path;
	struct rr_run *rec;

	if (dir == NULL || *dir == '\0' || spec == NULL)
		return -1;
	path = runread_resolve(dir, spec, &err);
	free(err);
	if (path == NULL)
		return -1;
	err = NULL;
	rec = runread_load(path, &err);
	free(err);
	free(path);
	if (rec == NULL)
		return -1;
	if (rec->ended) {
		fprintf(stderr, "drove: run %s already ended: %s\n", rec->id,
		    rec->status ? rec->status : "?");
		*rc = rec->exit_code >= 0 && rec->exit_code <= 255 ?
		    rec->exit_code : 1;
	} else if (rec->live) {
		/* Its drove runs without a socket (it could not have one):
		 * nothing to wait on from here. */
		fprintf(stderr, "drove: run %s is running, but has no socket "
		    "to wait on ('drove logs %s' shows it)\n", rec->id,
		    rec->id);
		*rc = 1;
	} else {
		fprintf(stderr, "drove: run %s ended without saying how: its "
		    "record has no end and no drove runs it (killed "
		    "outright?); 'drove logs %s' shows what it did\n",
		    rec->id, rec->id);
		*rc = CLI_UNKNOWN_END;
	}
	runread_free(rec);
	return 0;
}

static int
cli_wait(char **args, int nargs, const struct cli_options *opt)
{
	struct client *c;
	struct proto_msg m;
	char *err = NULL, *id, *dir, *status;
	int rc = 0, r, code;
	enum client_error why;
	char *over = NULL;

	if (nargs != 1) {
		fprintf(stderr, "%s\n", cli_usage[2]);
		return CLI_USAGE;
	}
	c = client_open(args[0], &why, &over, &err);
	if (c == NULL) {
		/* Over already: the record says how it ended (where the
		 * index of runs elsewhere says it is, else among the runs
		 * of the log directory). */
		if (cli_recorded_end(opt->run_dir, opt->run_dir, &rc) == 0 ||
		    cli_recorded_end(opt->log_dir, over ? over : args[0],
		    &rc) == 0) {
			free(over);
			free(err);
			return rc;
		}
		fprintf(stderr, "drove: %s\n", err);
		free(over);
		free(err);
		return why == CLIENT_NO_RUN ? CLI_USAGE :
		    why == CLIENT_OVER ? CLI_UNKNOWN_END : 1;
	}
	r = client_ask(c, PROTO_WAIT, PROTO_END, &m, &err);
	if (r > 0) {
		code = proto_get_i32(&m);
		status = proto_get_cstr(&m);
		if (proto_done(&m) && code >= 0 && code <= 255) {
			free(status);
			client_free(c);
			return code;
		}
		free(status);
	}
	/* The server went away without saying: its record may. */
	id = xstrdup(client_info(c)->id);
	dir = xstrdup(client_info(c)->run_dir);
	client_free(c);
	if (cli_recorded_end(dir, dir, &rc) != 0) {
		fprintf(stderr, "drove: the run %s ended without saying how "
		    "(its server is gone); 'drove logs %s' shows what it did\n",
		    id, id);
		rc = CLI_UNKNOWN_END;
	}
	free(err);
	free(id);
	free(dir);
	return rc;
}

bool
cli_is_command(const char *cmd)
{
	return strcmp(cmd, "ps") == 0 || strcmp(cmd, "ctl") == 0 ||
	    strcmp(cmd, "wait") == 0 || strcmp(cmd, "stop") == 0;
}

int
cli_command(const char *cmd, char **args, int nargs,
    const struct cli_options *opt)
{
	if (strcmp(cmd, "ps") == 0) {
		if (nargs != 0) {
			fprintf(stderr, "%s\n", cli_usage[0]);
			return CLI_USAGE;
		}
		return cli_ps(opt);
	}
	if (strcmp(cmd, "ctl") == 0)
		return cli_ctl(args, nargs, opt);
	if (strcmp(cmd, "wait") == 0)
		return cli_wait(args, nargs, opt);
	return cli_stop(args, nargs);
}
