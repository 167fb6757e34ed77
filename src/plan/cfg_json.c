/* cfg_json.c: the expanded plan as one JSON object, for `drove check
 * --json` and jq: the settings, the hosts, and every sequence after
 * expansion with its needs (by name) and its steps, each with every
 * setting in force (defaults included), durations in seconds. */
#include <string.h>

#include "cfg.h"
#include "json.h"

/* "KEY": {NAME: VALUE, ...} */
static void
cfg_json_kv(struct json *j, const char *key, const struct cfg_kv *kv,
    size_t n)
{
	json_open(j, key);
	for (size_t i = 0; i < n; i++)
		json_str(j, kv[i].name, kv[i].value);
	json_close(j);
}

static void
cfg_json_str_or_null(struct json *j, const char *key, const char *value)
{
	if (value != NULL)
		json_str(j, key, value);
	else
		json_null(j, key);
}

/* What a step does, as its key in the file says it. */
static const char *
cfg_json_kind(const struct cfg_step *st)
{
	if (st->kind == CFG_STEP_SLEEP)
		return "sleep";
	switch (st->op) {
	case CFG_OP_REMOTE:
		return "remote";
	case CFG_OP_UPLOAD:
		return "upload";
	case CFG_OP_DOWNLOAD:
		return "download";
	case CFG_OP_RUN:
		break;
	}
	return "run";
}

static void
cfg_json_step(struct json *j, const struct cfg_step *st)
{
	json_item_open(j);
	json_str(j, "name", st->name);
	json_str(j, "kind", cfg_json_kind(st));
	if (st->kind == CFG_STEP_SLEEP) {
		json_num(j, "sleep", st->sleep);
		json_close(j);
		return;
	}
	json_str(j, "command", st->run);
	if (st->to != NULL)
		json_str(j, "to", st->to);
	json_num(j, "timeout", st->timeout);
	json_int(j, "retries", st->retries);
	json_num(j, "retry_delay", st->retry_delay);
	json_str(j, "on_failure", cfg_on_failure_names[st->on_failure]);
	json_bool(j, "tty", st->tty);
	cfg_json_str_or_null(j, "cwd", st->cwd);
	cfg_json_kv(j, "env", st->env, st->n_env);
	json_int(j, "line", st->line);
	json_close(j);
}

static void
cfg_json_host(struct json *j, const struct cfg_host *h)
{
	json_item_open(j);
	json_str(j, "name", h->name);
	json_str(j, "address", h->address);
	cfg_json_str_or_null(j, "user", h->user);
	if (h->port != 0)
		json_int(j, "port", h->port);
	else
		json_null(j, "port");
	cfg_json_str_or_null(j, "identity", h->identity);
	cfg_json_kv(j, "ssh_options", h->ssh_options, h->n_ssh_options);
	json_array(j, "tags");
	for (size_t i = 0; i < h->n_tags; i++)
		json_item_str(j, h->tags[i]);
	json_array_end(j);
	cfg_json_kv(j, "vars", h->vars, h->n_vars);
	json_bool(j, "multiplex", h->multiplex);
	json_close(j);
}

static void
cfg_json_seq(struct json *j, const struct config *cfg,
    const struct cfg_seq *seq)
{
	json_item_open(j);
	json_str(j, "name", seq->name);
	json_str(j, "template_name", seq->template_name);
	if (seq->index >= 0)
		json_int(j, "index", seq->index);
	else
		json_null(j, "index");
	cfg_json_str_or_null(j, "host",
	    seq->host >= 0 ? cfg->hosts[seq->host].name : NULL);
	cfg_json_str_or_null(j, "cwd", seq->cwd);
	json_array(j, "needs");
	for (size_t i = 0; i < seq->n_needs; i++)
		json_item_str(j, cfg->seqs[seq->needs[i]].name);
	json_array_end(j);
	cfg_json_kv(j, "vars", seq->vars, seq->n_vars);
	cfg_json_kv(j, "env", seq->env, seq->n_env);
	json_array(j, "steps");
	for (size_t i = 0; i < seq->n_steps; i++)
		cfg_json_step(j, &seq->steps[i]);
	json_array_end(j);
	json_int(j, "line", seq->line);
	json_close(j);
}

void
config_print_plan_json(const struct config *cfg, FILE *fp)
{
	struct json j;

	json_init(&j);
	json_str(&j, "config", cfg->path);
	json_open(&j, "settings");
	json_str(&j, "shell", cfg->shell);
	json_int(&j, "max_parallel", cfg->max_parallel);
	json_str(&j, "log_dir", cfg->log_dir);
	json_int(&j, "scrollback", (long long)cfg->scrollback);
	json_num(&j, "kill_grace", cfg->kill_grace);
	json_num(&j, "finally_timeout", cfg->finally_timeout);
	json_int(&j, "keep_runs", cfg->keep_runs);
	cfg_json_str_or_null(&j, "ssh_config", cfg->ssh_config);
	json_int(&j, "max_connecting", cfg->max_connecting);
	json_array(&j, "secret_vars");
	for (size_t i = 0; i < cfg->n_secret_vars; i++)
		json_item_str(&j, cfg->secret_vars[i]);
	json_array_end(&j);
	json_close(&j);
	json_array(&j, "hosts");
	for (size_t i = 0; i < cfg->n_hosts; i++)
		cfg_json_host(&j, &cfg->hosts[i]);
	json_array_end(&j);
	json_array(&j, "sequences");
	for (size_t i = 0; i < cfg->n_seqs; i++)
		cfg_json_seq(&j, cfg, &cfg->seqs[i]);
	json_array_end(&j);
	json_end(&j);
	fputs(j.out.buf, fp);
	json_free(&j);
}
