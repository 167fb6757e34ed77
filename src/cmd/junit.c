/* junit.c: a past run as JUnit XML. */
#include "junit.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logs.h"
#include "runread.h"
#include "utf8.h"
#include "xmalloc.h"

#define JUNIT_REPLACEMENT "\xef\xbf\xbd"

/* The length of the UTF-8 sequence at s (at most n bytes) that XML
 * takes, or 0: valid, and not U+FFFE or U+FFFF, which XML does not allow
 * either. */
static size_t
junit_utf8(const unsigned char *s, size_t n)
{
	unsigned cp = 0;
	size_t len = utf8_len(s, n, &cp);

	return cp == 0xfffe || cp == 0xffff ? 0 : len;
}

/* The characters XML content and attribute values spell as entities. */
static const char *const junit_entities[UCHAR_MAX + 1] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
};

/* text (len bytes) escaped for XML content or an attribute value. */
static void
junit_text(FILE *fp, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		if (junit_entities[s[i]] != NULL) {
			fputs(junit_entities[s[i]], fp);
			i++;
			continue;
		}
		switch (s[i]) {
		case '\t':
		case '\n':
			fputc(s[i], fp);
			break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f) {
				fputs(JUNIT_REPLACEMENT, fp);
				break;
			}
			if ((n = junit_utf8(s + i, len - i)) == 0) {
				fputs(JUNIT_REPLACEMENT, fp);
				break;
			}
			fwrite(s + i, 1, n, fp);
			i += n;
			continue;
		}
		i++;
	}
}

static void
junit_str(FILE *fp, const char *s)
{
	junit_text(fp, s, strlen(s));
}

static bool
junit_failed(enum step_status st)
{
	return st == STEP_FAILED || st == STEP_TIMEOUT || st == STEP_KILLED;
}

/* "failed (exit 2)", "killed (signal 15)", "timeout". */
static void
junit_how(const struct rr_attempt *a, char *buf, size_t size)
{
	if (a->signal > 0)
		snprintf(buf, size, "%s (signal %d)",
		    step_status_name(a->status), a->signal);
	else if (a->exit_code >= 0 && a->status != STEP_OK)
		snprintf(buf, size, "%s (exit %d)",
		    step_status_name(a->status), a->exit_code);
	else
		snprintf(buf, size, "%s", step_status_name(a->status));
}

static double
junit_step_time(const struct rr_step *st)
{
	double t = 0;

	for (size_t i = 0; i < st->n_attempts; i++)
		if (st->attempts[i].end > st->attempts[i].start)
			t += st->attempts[i].end - st->attempts[i].start;
	return t;
}

static void
junit_case(FILE *fp, const struct rr_run *run, const struct rr_seq *seq,
    const struct rr_step *st)
{
	const struct rr_attempt *last = st->n_attempts > 0 ?
	    &st->attempts[st->n_attempts - 1] : NULL;
	char how[64];

	fputs("    <testcase name=\"", fp);
	junit_str(fp, st->name);
	fputs("\" classname=\"", fp);
	junit_str(fp, seq->name);
	fprintf(fp, "\" time=\"%.3f\">\n", junit_step_time(st));
	if (st->resumed)
		fputs("      <skipped message=\"done in the run this one "
		    "resumed\"/>\n", fp);
	else if (st->status == STEP_PENDING || st->status == STEP_SKIPPED)
		fprintf(fp, "      <skipped message=\"%s\"/>\n",
		    st->status == STEP_SKIPPED ? "skipped" : "not run");
	else if (last != NULL && junit_failed(st->status)) {
		junit_how(last, how, sizeof how);
		fprintf(fp, "      <failure type=\"%s\" message=\"",
		    step_status_name(st->status));
		junit_str(fp, how);
		fprintf(fp, " after %zu attempt%s\"/>\n", st->n_attempts,
		    st->n_attempts == 1 ? "" : "s");
	} else if (last != NULL && step_status_unreachable(st->status)) {
		/* Not the step's failure: its host's. JUnit's error is
		 * for what kept a test from running. */
		fprintf(fp, "      <error type=\"%s\" message=\"",
		    step_status_name(st->status));
		junit_str(fp, step_host_why(st->status, last->host, how,
		    sizeof how));
		fprintf(fp, " after %zu attempt%s\"/>\n", st->n_attempts,
		    st->n_attempts == 1 ? "" : "s");
	} else if (st->status != STEP_OK)
		fputs("      <error type=\"unfinished\" message=\"the run "
		    "ended before the step did\"/>\n", fp);
	if (st->n_attempts > 0) {
		fputs("      <system-out>", fp);
		for (size_t i = 0; i < st->n_attempts; i++) {
			const struct rr_attempt *a = &st->attempts[i];
			char *err = NULL, *text;
			size_t len = 0;

			junit_how(a, how, sizeof how);
			fprintf(fp, "-- attempt %u: %s --\n", a->attempt, how);
			if (a->log == NULL)
				continue;
			text = runread_attempt_log(run, a, &len, &err);
			if (text == NULL) {
				fputs("(log unreadable: ", fp);
				junit_str(fp, err);
				fputs(")\n", fp);
				free(err);
				continue;
			}
			junit_text(fp, text, len);
			if (len > 0 && text[len - 1] != '\n')
				fputc('\n', fp);
			free(text);
		}
		fputs("</system-out>\n", fp);
	}
	fputs("    </testcase>\n", fp);
}

/* A handler's or cleanup step that did not run is no test case: nothing
 * failed, nothing was left undone. */
static bool
junit_unrun_extra(const struct rr_seq *seq, size_t k)
{
	return k >= seq->n_main && seq->steps[k].n_attempts == 0;
}

/* What a suite counts: its test cases, and those that failed, that ended
 * otherwise than ok or failed (errors), and that did not run (skipped). */
struct junit_counts {
	size_t tests, failures, errors, skipped;
};

/* Adds seq's test cases to c. */
static void
junit_count(const struct rr_seq *seq, struct junit_counts *c)
{
	for (size_t k = 0; k < seq->n_steps; k++) {
		const struct rr_step *st = &seq->steps[k];

		if (junit_unrun_extra(seq, k))
			continue;
		c->tests++;
		if (st->resumed || st->status == STEP_PENDING ||
		    st->status == STEP_SKIPPED)
			c->skipped++;
		else if (junit_failed(st->status))
			c->failures++;
		else if (st->status != STEP_OK)
			c->errors++;
	}
}

void
junit_write(const struct rr_run *run, FILE *fp)
{
	struct junit_counts all = { 0 };
	char stamp[32];
	time_t t = (time_t)run->start;
	struct tm tm;

	/* A placeholder that grew: its sequences are the suites. */
	for (size_t i = 0; i < run->n_seqs; i++)
		if (!run->seqs[i].grown)
			junit_count(&run->seqs[i], &all);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fputs("<testsuites name=\"drove ", fp);
	junit_str(fp, run->id);
	fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	    "skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\">\n", all.tests,
	    all.failures, all.errors, all.skipped, run->end > run->start ?
	    run->end - run->start : 0.0, stamp);
	for (size_t i = 0; i < run->n_seqs; i++) {
		const struct rr_seq *seq = &run->seqs[i];
		struct junit_counts c = { 0 };

		if (seq->grown)
			continue;
		junit_count(seq, &c);
		fputs("  <testsuite name=\"", fp);
		junit_str(fp, seq->name);
		fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		    "skipped=\"%zu\" time=\"%.3f\">\n", c.tests, c.failures,
		    c.errors, c.skipped,
		    seq->end > seq->start ? seq->end - seq->start : 0.0);
		for (size_t k = 0; k < seq->n_steps; k++)
			if (!junit_unrun_extra(seq, k))
				junit_case(fp, run, seq, &seq->steps[k]);
		fputs("  </testsuite>\n", fp);
	}
	fputs("</testsuites>\n", fp);
}

int
junit_command(const char *log_dir, const char *spec, const char *path)
{
	char *tmp;
	struct rr_run *run;
	FILE *fp;
	int rc = 0;

	if ((run = logs_open(log_dir, spec)) == NULL)
		return 1;
	/* Beside FILE, then renamed: a CI job never reads half a report. */
	tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	if ((fp = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "drove: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		runread_free(run);
		return 1;
	}
	junit_write(run, fp);
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		fprintf(stderr, "drove: %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		rc = 1;
	} else if (rename(tmp, path) != 0) {
		fprintf(stderr, "drove: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		rc = 1;
	}
	free(tmp);
	runread_free(run);
	return rc;
}
