/* cfg_print.c: the expanded plan as `drove check` prints it. */
#include "cfg.h"

#include <stdio.h>
#include <string.h>

/* Text for a terminal: control characters (a raw ESC in a command would
 * restyle the screen of `drove check`) shown as escapes. */
static void
cfg_print_text(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == 0x1b)
			fputs("\\e", fp);
		else if (p[i] < 0x20 && p[i] != '\t')
			fprintf(fp, "\\x%02x", p[i]);
		else if (p[i] == 0x7f)
			fputs("\\x7f", fp);
		else
			fputc(p[i], fp);
	}
}

/* A value as a shell would read it back: bare if it is plain. */
static void
cfg_print_value(FILE *fp, const char *s)
{
	const char *p;

	if (*s != '\0' && s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=")] == '\0') {
		fputs(s, fp);
		return;
	}
	fputc('\'', fp);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			cfg_print_text(fp, p, 1);
	}
	fputc('\'', fp);
}

static void
cfg_print_env(FILE *fp, const char *indent, const struct cfg_kv *env,
    size_t n)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(fp, "%senv:", indent);
	for (i = 0; i < n; i++) {
		fprintf(fp, " %s=", env[i].name);
		cfg_print_value(fp, env[i].value);
	}
	fputc('\n', fp);
}

/* What a step has of the plan that grows: its condition and capture. */
static void
cfg_print_dyn(const struct cfg_step *st, const char *indent, FILE *fp)
{
	if (st->cond != NULL) {
		fprintf(fp, "%sif: ", indent);
		cfg_print_text(fp, st->cond, strlen(st->cond));
		fputc('\n', fp);
	}
	if (st->capture != NULL)
		fprintf(fp, "%scapture: %s%s\n", indent, st->capture,
		    st->secret ? " (secret)" : "");
}

static void
cfg_print_wait(const struct cfg_step *st, const struct config *cfg,
    const char *indent, FILE *fp)
{
	char d[32];

	fprintf(fp, "%swait_for: ", indent);
	switch (st->wait.kind) {
	case CFG_WAIT_TCP:
		fputs("tcp ", fp);
		cfg_print_text(fp, st->wait.target, strlen(st->wait.target));
		break;
	case CFG_WAIT_PATH:
		fputs("path ", fp);
		cfg_print_text(fp, st->wait.target, strlen(st->wait.target));
		break;
	case CFG_WAIT_OUTPUT:
		fputs("a line of ", fp);
		if (st->wait.seq >= 0)
			cfg_print_text(fp, cfg->seqs[st->wait.seq].name,
			    strlen(cfg->seqs[st->wait.seq].name));
		else
			cfg_print_text(fp, st->wait.seq_name,
			    strlen(st->wait.seq_name));
		fputs(" matching /", fp);
		cfg_print_text(fp, st->wait.match, strlen(st->wait.match));
		fputc('/', fp);
		break;
	case CFG_WAIT_SSH:
		fputs("ssh of the host", fp);
		break;
	}
	fprintf(fp, ", for at most %s\n", config_format_duration(st->timeout,
	    d, sizeof d));
}

static void
cfg_print_step(const struct config *cfg, const struct cfg_seq *seq,
    const struct cfg_step *st, const struct cfg_host *host,
    const char *label, size_t n, FILE *fp)
{
	char d1[32], d2[32], sleep[64];
	const char *sep = "  (", *p, *nl;

	fprintf(fp, "  %s %zu: ", label, n);
	cfg_print_text(fp, st->name, strlen(st->name));
	if (st->kind == CFG_STEP_SLEEP || st->kind == CFG_STEP_WAIT) {
		snprintf(sleep, sizeof sleep, "sleep %s",
		    config_format_duration(st->sleep, d1, sizeof d1));
		if (st->kind == CFG_STEP_SLEEP && strcmp(sleep, st->name) != 0)
			fprintf(fp, "  (%s)", sleep);
		fputc('\n', fp);
		if (st->kind == CFG_STEP_WAIT)
			cfg_print_wait(st, cfg, "    ", fp);
		cfg_print_dyn(st, "    ", fp);
		return;
	}
	if (st->timeout > 0) {
		fprintf(fp, "%stimeout %s", sep,
		    config_format_duration(st->timeout, d1, sizeof d1));
		sep = ", ";
	}
	if (st->retries > 0) {
		fprintf(fp, "%sretries %u, retry_delay %s", sep, st->retries,
		    config_format_duration(st->retry_delay, d2, sizeof d2));
		sep = ", ";
	}
	if (st->n_handler > 0) {
		fprintf(fp, "%son_failure: %zu handler step%s, then %s", sep,
		    st->n_handler, st->n_handler == 1 ? "" : "s",
		    cfg_then_names[st->then]);
		sep = ", ";
	} else if (st->on_failure != CFG_ONFAIL_STOP) {
		fprintf(fp, "%son_failure %s", sep,
		    cfg_on_failure_names[st->on_failure]);
		sep = ", ";
	}
	if (st->tty) {
		fprintf(fp, "%stty", sep);
		sep = ", ";
	}
	fputs(sep[0] == ',' ? ")\n" : "\n", fp);
	if (st->op == CFG_OP_UPLOAD || st->op == CFG_OP_DOWNLOAD) {
		/* A fan-out's host is known at run time. */
		const char *hn = host != NULL ? host->name : "{{host}}";

		fprintf(fp, "    %s: %s", st->op == CFG_OP_UPLOAD ? "upload" :
		    "download", st->op == CFG_OP_UPLOAD ? "" : hn);
		if (st->op == CFG_OP_DOWNLOAD)
			fputc(':', fp);
		cfg_print_text(fp, st->run, strlen(st->run));
		fprintf(fp, " -> %s", st->op == CFG_OP_UPLOAD ? hn : "");
		if (st->op == CFG_OP_UPLOAD)
			fputc(':', fp);
		cfg_print_text(fp, st->to, strlen(st->to));
		fputc('\n', fp);
	} else if (st->op == CFG_OP_REMOTE || strcmp(st->name, st->run) != 0) {
		/* Every line of a script, aligned under the first. */
		fputs(st->op == CFG_OP_REMOTE ? "    remote: " : "    run: ",
		    fp);
		for (p = st->run; *p != '\0'; p = nl + 1) {
			nl = p + strcspn(p, "\n");
			cfg_print_text(fp, p, (size_t)(nl - p));
			fputc('\n', fp);
			if (*nl == '\0' || nl[1] == '\0')
				break;
			fputs(st->op == CFG_OP_REMOTE ? "            " :
			    "         ", fp);
		}
	}
	if (st->cwd != NULL)
		fprintf(fp, "    cwd: %s\n", st->cwd);
	cfg_print_env(fp, "    ", st->env, st->n_env);
	cfg_print_dyn(st, "    ", fp);
	for (size_t k = 0; k < st->n_handler; k++)
		cfg_print_step(cfg, seq, &seq->steps[st->handler + k], host,
		    "  handler step", k + 1, fp);
}

/* A fan-out: where its values come from, and who captures them. */
static void
cfg_print_fanout(const struct config *cfg, const struct cfg_seq *seq,
    FILE *fp)
{
	const struct cfg_fanout *fo = seq->fanout;
	const struct cfg_seq *by;

	if (fo->hosts)
		fprintf(fp, "  hosts: from %s", fo->from);
	else
		fprintf(fp, "  matrix %s: from %s", fo->key, fo->from);
	if (fo->by_seq >= cfg->n_seqs) {
		fputs(", captured by a sequence --only leaves out\n", fp);
		return;
	}
	by = &cfg->seqs[fo->by_seq];
	fprintf(fp, ", captured by ");
	cfg_print_text(fp, by->name, strlen(by->name));
	fputs(" / ", fp);
	cfg_print_text(fp, by->steps[fo->by_step].name,
	    strlen(by->steps[fo->by_step].name));
	/* Never recorded: --resume cannot make them again without it. */
	if (by->steps[fo->by_step].secret)
		fputs(" (secret: --resume runs it again)", fp);
	fputs("\n  (one sequence per value, made when it is captured, in "
	    "its place)\n", fp);
}

static void
cfg_print_host(const struct cfg_host *h, FILE *fp)
{
	size_t i;

	fprintf(fp, "host %s: %s%s%s", h->name, h->user ? h->user : "",
	    h->user ? "@" : "", h->address);
	if (h->port != 0)
		fprintf(fp, " port %u", h->port);
	if (!h->multiplex)
		fputs("  (a connection per step)", fp);
	fputc('\n', fp);
	if (h->identity != NULL)
		fprintf(fp, "  identity: %s\n", h->identity);
	for (i = 0; i < h->n_tags; i++)
		fprintf(fp, "%s%s", i == 0 ? "  tags: " : ", ", h->tags[i]);
	if (h->n_tags > 0)
		fputc('\n', fp);
	for (i = 0; i < h->n_ssh_options; i++) {
		fprintf(fp, "%s %s=", i == 0 ? "  ssh_options:" : "",
		    h->ssh_options[i].name);
		cfg_print_value(fp, h->ssh_options[i].value);
	}
	if (h->n_ssh_options > 0)
		fputc('\n', fp);
	for (i = 0; i < h->n_vars; i++) {
		fprintf(fp, "%s %s=", i == 0 ? "  vars:" : "", h->vars[i].name);
		cfg_print_value(fp, h->vars[i].value);
	}
	if (h->n_vars > 0)
		fputc('\n', fp);
}

void
config_print_plan(const struct config *cfg, FILE *fp)
{
	const struct cfg_seq *seq;
	char d[32];
	size_t i, j;

	fprintf(fp, "settings: shell=%s max_parallel=%u scrollback=%zu "
	    "kill_grace=%s log_dir=%s", cfg->shell, cfg->max_parallel,
	    cfg->scrollback, config_format_duration(cfg->kill_grace, d,
	    sizeof d), cfg->log_dir);
	/* It only matters with hosts. */
	if (cfg->n_hosts > 0)
		fprintf(fp, " max_connecting=%u", cfg->max_connecting);
	if (cfg->ssh_config != NULL)
		fprintf(fp, " ssh_config=%s", cfg->ssh_config);
	if (cfg->max_log != 0)
		fprintf(fp, " max_log=%zu", cfg->max_log);
	if (cfg->finally_timeout != CONFIG_DEFAULT_FINALLY_TIMEOUT)
		fprintf(fp, " finally_timeout=%s",
		    config_format_duration(cfg->finally_timeout, d, sizeof d));
	for (i = 0; i < cfg->n_secret_vars; i++)
		fprintf(fp, "%s%s", i == 0 ? " secret_vars=" : ",",
		    cfg->secret_vars[i]);
	fputc('\n', fp);
	for (i = 0; i < cfg->n_hosts; i++)
		cfg_print_host(&cfg->hosts[i], fp);
	for (i = 0; i < cfg->n_seqs; i++) {
		seq = &cfg->seqs[i];
		fprintf(fp, "sequence %zu: ", i + 1);
		cfg_print_text(fp, seq->name, strlen(seq->name));
		for (j = 0; j < seq->n_needs; j++) {
			fputs(j == 0 ? "  (needs: " : ", ", fp);
			cfg_print_text(fp, cfg->seqs[seq->needs[j]].name,
			    strlen(cfg->seqs[seq->needs[j]].name));
			/* A placeholder: the sequences it will make. */
			if (cfg->seqs[seq->needs[j]].fanout != NULL)
				fputs(" (all it makes)", fp);
		}
		fputs(seq->n_needs > 0 ? ")\n" : "\n", fp);
		if (seq->fanout != NULL)
			cfg_print_fanout(cfg, seq, fp);
		if (seq->host >= 0)
			fprintf(fp, "  host: %s\n", cfg->hosts[seq->host].name);
		if (seq->cwd != NULL)
			fprintf(fp, "  cwd: %s\n", seq->cwd);
		cfg_print_env(fp, "  ", seq->env, seq->n_env);
		for (j = 0; j < seq->n_steps; j++)
			cfg_print_step(cfg, seq, &seq->steps[j], seq->host >= 0 ?
			    &cfg->hosts[seq->host] : NULL, "step", j + 1, fp);
		for (j = 0; j < seq->n_finally; j++)
			cfg_print_step(cfg, seq, &seq->steps[seq->finally_at +
			    j], seq->host >= 0 ? &cfg->hosts[seq->host] : NULL,
			    "finally step", j + 1, fp);
	}
}
