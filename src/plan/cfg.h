/* cfg.h: what the parts of the config loader share (private to src/plan:
 * config.c, cfg_node.c, cfg_hosts.c, cfg_seq.c, cfg_print.c).
 *
 * Each YAML mapping the loader knows is described by one table of keys
 * (struct cfg_key rows: name, type, bounds, the step kinds it applies to,
 * where its value lands), read by one generic checker, cfg_table_check, in
 * the manner of tmux's options-table.c. A key that holds a scalar is one
 * row; a key that holds a structure (a list, a mapping) is one row and a
 * parse function.
 *
 * To add a key: a field for its value in the plan (config.h), and a row
 * in its mapping's table: cfg_settings_keys (config.c), cfg_host_keys
 * (cfg_hosts.c), cfg_seq_keys or cfg_step_keys (cfg_seq.c). A step key
 * says which kinds of step it applies to (the others are told "does not
 * apply"); one that a sequence may give for all of its steps goes in
 * CFG_STEP_SETTINGS, which both tables share. The key is then checked,
 * named in "unknown key" messages, and lands in the plan; printing it in
 * `drove check` (cfg_print.c) and documenting it (config/README.md, and
 * config/drove.schema.json) remain. */
#ifndef DROVE_CFG_H
#define DROVE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config.h"

#define CONFIG_DEFAULT_SHELL      "/bin/sh"
/* 8 MiB for the output lines of the whole run kept in memory: about
 * 100,000 lines of 80 bytes; older ones are read back from the logs. More
 * costs a flood its page faults (32 MiB made a dashboard's flood 1.2x the
 * first day's wall time; 8 MiB, 1.0x) and buys only faster scrolling far
 * back. */
#define CONFIG_DEFAULT_SCROLLBACK (8UL << 20)
#define CONFIG_DEFAULT_KILL_GRACE 5.0
#define CONFIG_DEFAULT_FINALLY_TIMEOUT 30.0
#define CONFIG_DEFAULT_RETRY_DELAY 1.0
#define CONFIG_DEFAULT_KEEP_RUNS  50
/* ssh connections being made at once. sshd's default MaxStartups
 * (10:30:100) starts refusing unauthenticated connections at random beyond
 * 10 at once: 8 leaves room below it for a connection sshd has not yet
 * counted as authenticated and for someone else's login to the same
 * bastion. */
#define CONFIG_DEFAULT_MAX_CONNECTING 8

/*
 * Limits that keep a typo from becoming an allocation of gigabytes: a
 * matrix grows as a product. The scrollback budget travels to a
 * dashboard as a u32 (wire.h).
 */
#define CONFIG_SCROLLBACK_MAX 4294967295ULL
#define CONFIG_SEQS_MAX       10000
/* max_log: 0 (no limit), or at least room for a head, a marker and a
 * tail (runlog.c), at most 1 TiB. */
#define CONFIG_MAX_LOG_MIN    1024ULL
#define CONFIG_MAX_LOG_MAX    (SIZE_MAX < (1ULL << 40) ? SIZE_MAX : \
                               (1ULL << 40))
/* About 31 years: longer is a typo, and keeps timers in range. */
#define CONFIG_DURATION_MAX   1e9

/* An inventory of 10000 hosts is well under this. */
#define CONFIG_HOSTS_FILE_MAX (16 << 20)

/*
 * Limits on what a hostile or mistaken file can make drove do (see
 * config/README.md, "Limits"): the bytes read, YAML's own structure (it is
 * checked before libyaml builds the document, whose cost grows with the
 * nesting and the number of anchors times aliases), and the plan, which
 * matrices and aliases multiply.
 */
#define CONFIG_FILE_MAX     (8 << 20)
#define CONFIG_DEPTH_MAX    64
#define CONFIG_ANCHORS_MAX  1000
#define CONFIG_ALIASES_MAX  100000
#define CONFIG_NODES_MAX    1000000   /* with aliases expanded */
#define CONFIG_STEPS_MAX    100000    /* in all sequences */
#define CONFIG_NEEDS_MAX    1000000   /* entries and edges, in all */
/* Entries of one vars, env or ssh_options mapping, tags of one host:
 * each is kept once per name, by a search of those before it. */
#define CONFIG_NAMES_MAX    1000
#define CONFIG_PLAN_MAX     (64 << 20) /* bytes of text in the plan */
/* What the plan is charged for each string it holds, beyond its bytes. */
#define CFG_ENTRY_COST      32

#define CONFIG_DURATION_HINT "(use 500ms, 3s, 2m, 1h or seconds)"
#define CONFIG_BRACES_HINT \
	"a mapping (a value that starts with {{ needs quotes)"

/* The most keys one mapping's table may have. */
#define CFG_KEYS_MAX 32

/* One matrix key and its values (text in the document, or host names). */
struct cfg_matrix {
	const char *name;
	const char **values;
	size_t n_values;
};

/* A sequence as written, shared by its matrix expansions: the nodes kept
 * to be expanded per instance, and the step settings it gives all of its
 * steps (in proto, a step that never runs). */
struct cfg_seqdef {
	yaml_node_t *node;
	yaml_node_t *name, *steps, *needs, *cwd, *env, *vars;
	yaml_node_t *env_file;   /* as written; read once into envf */
	struct cfg_kv *envf;
	size_t n_envf, envf_cap;
	yaml_node_t *host;       /* 'host: NAME', expanded per instance */
	bool by_hosts;           /* 'hosts:' made matrix[0], the host key */
	yaml_node_t *finally;    /* its cleanup steps, or NULL */
	/* A fan-out: the matrix key (or 'hosts') whose values come from a
	 * capture at run time. Its matrix entry has one value, NULL. */
	const char *from;        /* the capture, or NULL */
	const char *from_key;
	bool from_hosts;
	yaml_node_t *from_node;
	struct cfg_step proto;
	struct cfg_matrix *matrix;
	size_t n_matrix;
};

/* Something by its name, for a sorted index. */
struct cfg_named {
	const char *name;
	size_t index;
};
/* qsort's order of struct cfg_named: by name, then index. */
int cfg_named_cmp(const void *, const void *);

/* What the loader keeps about each sequence until needs are resolved. */
struct cfg_aux {
	yaml_node_t *needs;      /* as written, or NULL */
	yaml_mark_t name_mark;   /* where its name is, for duplicates */
	const yaml_node_t **need_nodes; /* per resolved need: the entry
	                                   naming it */
	size_t need_cap;
};

struct cfg_loader {
	const char *file;        /* the name used in messages */
	yaml_document_t *doc;
	struct config *cfg;
	size_t seq_cap;
	struct cfg_aux *aux;     /* parallel to cfg->seqs */
	size_t aux_cap;
	struct cfg_kv *vars;     /* top-level vars after --set */
	size_t n_vars, vars_cap;
	yaml_node_t *env;        /* top-level env, or NULL */
	struct cfg_kv *env_file; /* top-level env_file, read */
	size_t n_env_file, env_file_cap;
	const struct cfg_kv *overrides; /* --set */
	size_t n_overrides;
	size_t *need_stamp;      /* [j] == i + 1: sequence i already needs j */
	struct cfg_named *by_name, *by_template; /* sorted: for needs */
	size_t n_needs;          /* needs entries and edges, in all */
	size_t host_cap;
	size_t n_steps;          /* in all sequences so far */
	size_t plan_bytes;       /* charged by cfg_charge */
	size_t name_max;         /* the longest sequence name (for needs) */
	size_t *name_slots;      /* open addressing on the names of the
	                            sequences so far: index + 1, 0 free;
	                            duplicates are found in constant time
	                            however many there are */
	size_t name_cap;         /* slots, a power of two (0: none yet) */
	char *err;

	/* Plans that grow (cfg_dyn.c). */
	const char **captures;   /* every capture name of the document */
	size_t n_captures, captures_cap;
	bool deferring;          /* cfg_expand leaves late references */
	bool deferred;           /* ... and it left one since cleared */
	bool any_dyn;            /* a wait_for or a fan-out: cfg_dyn_check */
	const char *fan_key;     /* a placeholder's key: {{KEY}}, {{KEY_*}} */
	bool any_dflt;           /* host_defaults was given ... */
	yaml_mark_t dflt_mark;   /* ... there */
	struct cfg_seq *cur;     /* the sequence whose steps are parsed */
	struct cfg_pending *pending; /* handler nodes, parsed after the
	                                main steps */
	size_t n_pending, pending_cap;
};

/* A handler (on_failure: {steps: ..., then: ...}) seen on step `step` of
 * the sequence being parsed: its steps are parsed once all main steps
 * are. */
struct cfg_pending {
	size_t step;
	yaml_node_t *steps;
};

/* A key of a mapping the loader knows, and its value. */
struct cfg_field {
	yaml_node_t *key;
	yaml_node_t *val;
};

/*
 * Step kinds, one bit each, for a key's `kinds`: which steps it applies
 * to. A step's kind is the bit of its action key (CFG_ACTION). The bits
 * are in the order "step has both 'X' and 'Y'" names two actions.
 */
enum {
	CFG_K_RUN = 1 << 0,
	CFG_K_SLEEP = 1 << 1,
	CFG_K_REMOTE = 1 << 2,
	CFG_K_UPLOAD = 1 << 3,
	CFG_K_DOWNLOAD = 1 << 4,
	CFG_K_WAIT = 1 << 5,
};
#define CFG_K_COPY    (CFG_K_UPLOAD | CFG_K_DOWNLOAD)
#define CFG_K_PROCESS (CFG_K_RUN | CFG_K_REMOTE | CFG_K_COPY)
#define CFG_K_ALL     (CFG_K_PROCESS | CFG_K_SLEEP | CFG_K_WAIT)

/* How a key's value is checked, and what lands at its `at`. */
enum cfg_type {
	CFG_T_STRING,   /* a string, not empty: char * (owned) */
	CFG_T_COMMAND,  /* a string with more than blanks: char * */
	CFG_T_WORD,     /* one word of ssh's command line: char * */
	CFG_T_PATH,     /* a string, not empty, resolved against the
	                   config's directory ("~/" is home): char * */
	CFG_T_UINT,     /* an integer in [min, max]: unsigned */
	CFG_T_SIZE,     /* an integer in [min, max]: size_t */
	CFG_T_DURATION, /* "500ms", "3s", ...: double seconds */
	CFG_T_BOOL,     /* true or false: bool */
	CFG_T_CHOICE,   /* one of choices[]: its index, as an enum */
	CFG_T_TAGS,     /* a list of tag names, or one (in a hosts file,
	                   comma-separated): added to a struct cfg_host */
	CFG_T_FUNC,     /* parse() checks it and puts it where it goes */
};

/* A key's flags. */
enum {
	CFG_ACTION = 1 << 0, /* says what a step does: exactly one per step */
	CFG_EXPAND = 1 << 1, /* a string: {{vars}} expanded with the scope's */
	CFG_KEEP = 1 << 2,   /* checked now, and the node kept at `at`
	                        (yaml_node_t *) to be expanded later */
	CFG_SHARED = 1 << 3, /* a host key that host_defaults may give */
	CFG_LINE = 1 << 4,   /* a host key that a hosts file line may give */
	CFG_DEFAULT = 1 << 5, /* a step key that a sequence may give for all
	                         of its steps (see CFG_STEP_SETTINGS) */
};

struct cfg_in;

/* One key of a mapping: a row of its table. */
struct cfg_key {
	const char *name;
	enum cfg_type type;
	unsigned flags;
	unsigned kinds;          /* steps: the kinds it applies to */
	unsigned long long min, max; /* CFG_T_UINT, CFG_T_SIZE */
	const char *const *choices;  /* CFG_T_CHOICE, NULL-terminated */
	size_t at;               /* where the value lands: offsetof in the
	                            struct the mapping fills */
	/* Steps: what follows "'KEY' " when the key is given to a process
	 * step it does not apply to; NULL: "does not apply to a KIND step".
	 * A sleep or a wait_for always gets the latter. */
	const char *na;
	/* CFG_T_FUNC (and any type, after the generic check): the rest. */
	int (*parse)(struct cfg_in *, const struct cfg_key *, yaml_node_t *);
};

/* A mapping: its keys, and how its messages name it. */
struct cfg_table {
	const char *where;       /* "in step": "unknown key 'x' in step" */
	const struct cfg_key *keys;
	size_t n_keys;
	unsigned only;           /* nonzero: only the keys with this flag
	                            exist here (host_defaults, hosts file) */
	bool extensions;         /* "x-" keys are ignored (the top level: a
	                            place for YAML anchors) */
};
#define CFG_TABLE(where, keys, only, ext) \
	{ (where), (keys), sizeof (keys) / sizeof (keys)[0], (only), (ext) }

/* One mapping being checked: what the generic checker and the parse
 * functions see. */
struct cfg_in {
	struct cfg_loader *ld;
	const struct cfg_table *table;
	yaml_node_t *map;
	struct cfg_field f[CFG_KEYS_MAX]; /* parallel to table->keys */
	void *base;              /* where values land */
	unsigned kind;           /* steps: the step's kind bit; else 0 */
	const struct cfg_kv *vars; /* for CFG_EXPAND */
	size_t n_vars;
};

/* The key of t called name (a table must have it). */
const struct cfg_key *cfg_key(const struct cfg_table *t, const char *name);

/* The field of in's mapping for key k. */
const struct cfg_field *cfg_in_field(const struct cfg_in *in,
    const struct cfg_key *k);

/* Check the keys of the mapping in->map against in->table, in file order:
 * each a string, none twice, each one of the table's. Fills in->f. */
int cfg_table_fields(struct cfg_in *in);

/* Refuse the keys given that do not apply to in->kind (a step's). */
int cfg_table_applies(struct cfg_in *in);

/* Check each key given (in table order) and land its value in in->base. */
int cfg_table_values(struct cfg_in *in);

/* Fields, then (with a kind) applicability, then values. */
int cfg_table_check(struct cfg_in *in);

/* Copy to dst (a struct cfg_step) the CFG_DEFAULT settings of src (one
 * too) that apply to kind. */
void cfg_step_defaults(const struct cfg_table *steps, unsigned kind,
    const struct cfg_step *src, struct cfg_step *dst);

/* Check the value v of key k of in's mapping, and land it. */
int cfg_table_value(struct cfg_in *in, const struct cfg_key *k,
    yaml_node_t *v);

/* Errors: the first one is kept in ld->err; these return -1. */
int cfg_error(struct cfg_loader *, const yaml_mark_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_file_error(struct cfg_loader *, const char *file, size_t line,
    size_t col, const char *, ...) __attribute__((format(printf, 5, 6)));
int cfg_expected(struct cfg_loader *, const yaml_node_t *, const char *what,
    const char *ctx);

/* Nodes. */
yaml_node_t *cfg_node(struct cfg_loader *, int index);
const char *cfg_text(const yaml_node_t *);
bool cfg_is_null(const yaml_node_t *);
bool cfg_is_braces(struct cfg_loader *, const yaml_node_t *);
const char *cfg_describe(struct cfg_loader *, const yaml_node_t *, char *buf,
    size_t size);
int cfg_string(struct cfg_loader *, const yaml_node_t *, const char *ctx,
    const char **out);
int cfg_nonempty(struct cfg_loader *, const yaml_node_t *, const char *ctx,
    const char **out);
int cfg_mapping(struct cfg_loader *, yaml_node_t *, const char *ctx);
int cfg_check_vars(struct cfg_loader *, yaml_node_t *, const char *ctx);
int cfg_check_env(struct cfg_loader *, yaml_node_t *);
char *cfg_expand(struct cfg_loader *, const yaml_node_t *,
    const struct cfg_kv *vars, size_t n_vars);
int cfg_add_env(struct cfg_loader *, yaml_node_t *map,
    const struct cfg_kv *vars, size_t n_vars, struct cfg_kv **env,
    size_t *n_env, size_t *cap);
int cfg_add_vars(struct cfg_loader *, yaml_node_t *map, struct cfg_kv **v,
    size_t *n, size_t *cap);
/* Charge the plan n bytes (and CFG_ENTRY_COST): an error at mark once it
 * is over CONFIG_PLAN_MAX. */
int cfg_charge(struct cfg_loader *, const yaml_mark_t *mark, size_t n);
/* cfg_envfile.c: env_file (a file name or a list of them, relative to
 * the config) read into env, later names replacing earlier ones. */
int cfg_env_file(struct cfg_loader *, yaml_node_t *n, struct cfg_kv **env,
    size_t *n_env, size_t *cap);
/* Parse functions for CFG_T_FUNC keys shared by several tables. */
int cfg_parse_vars(struct cfg_in *, const struct cfg_key *, yaml_node_t *);
int cfg_parse_env(struct cfg_in *, const struct cfg_key *, yaml_node_t *);

/* settings.secret_vars: keep (in the plan, once each) the values in v
 * of the variables it names. */
void cfg_secrets_of(struct cfg_loader *, const struct cfg_kv *v, size_t n);

/* Variable lists: one entry per name, a later value replaces an earlier
 * one in place. */
void cfg_kv_set(struct cfg_kv **v, size_t *n, size_t *cap, const char *name,
    char *value);
void cfg_kv_free(struct cfg_kv *v, size_t n);
/* "a, b, c" of a NULL-terminated list; caller frees. */
char *cfg_join(const char *const *list);

/* Why text cannot be one word of ssh's command line (a host name, an
 * address, a user), or NULL when it can. */
const char *cfg_word_problem(const char *s);

/* Paths. */
const char *cfg_home(void);
char *cfg_resolve(const struct config *cfg, const char *path);

/* The on_failure names, by enum cfg_on_failure. */
extern const char *const cfg_on_failure_names[];

/* cfg_hosts.c: the inventory. */
int cfg_hosts(struct cfg_loader *, yaml_node_t *hosts,
    yaml_node_t *defaults);
/* host_defaults with neither an inventory nor a hosts: {from: ...}
 * (after the sequences). */
int cfg_hosts_check(struct cfg_loader *);
/* One line of a hosts file (NAME [KEY=VALUE ...]; blank and '#' lines
 * add nothing) as a new host with the defaults dflt; line is cut up.
 * Errors are at file:lineno:COL. */
int cfg_hosts_line(struct cfg_loader *, const char *file, size_t lineno,
    char *line, const struct cfg_host *dflt);
int cfg_host_tags(struct cfg_loader *, yaml_node_t *, struct cfg_host *h);
bool cfg_host_selected(const struct cfg_host *h, const char *item);
void cfg_host_clear(struct cfg_host *h);

/* cfg_seq.c: sequences, their steps, matrices and needs. */
int cfg_seq(struct cfg_loader *, yaml_node_t *);
int cfg_needs(struct cfg_loader *);
void cfg_seq_clear(struct cfg_seq *seq);
void cfg_step_clear(struct cfg_step *st);
/* Parse the steps of list (a YAML sequence, checked) into seq as `role`
 * steps (handler steps: of step `of`). */
int cfg_steps(struct cfg_loader *, struct cfg_seq *seq, size_t *step_cap,
    yaml_node_t *list, const struct cfg_step *proto, enum cfg_step_role role,
    size_t of);

/*
 * cfg_dyn.c: the parts of a plan known only at run time: captures, if:,
 * handlers, finally:, wait_for:, fan-out (matrix or hosts from a capture).
 */
#define CONFIG_WAIT_TIMEOUT 300.0     /* a wait_for's default timeout */
extern const char *const cfg_then_names[];
/* Rows of the step table and their parse functions. */
int cfg_parse_capture(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
int cfg_parse_on_failure(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
int cfg_parse_wait(struct cfg_in *, const struct cfg_key *, yaml_node_t *);
int cfg_parse_steps_list(struct cfg_in *, const struct cfg_key *,
    yaml_node_t *);
/* 'from: NAME' (a mapping) as a matrix value list or 'hosts': the name
 * in *from; 1 when n is not such a mapping, -1 on error. */
int cfg_parse_from(struct cfg_loader *, yaml_node_t *n, const char *ctx,
    const char **from);
/* Collect every capture name of the document's sequences (before any is
 * parsed), so that references to them are left for run time. */
void cfg_dyn_scan(struct cfg_loader *, yaml_node_t *seqs);
/* Whether the loader may leave a reference to name for later. */
bool cfg_dyn_defer(void *ld, const char *name, size_t len, bool known);
/* A step parsed in deferring mode: late if a reference was left, else
 * its strings made final. */
void cfg_dyn_step_done(struct cfg_loader *, struct cfg_step *st);
/* After needs: every late reference can be met, fan-outs need their
 * captures, wait_for output names a sequence. */
int cfg_dyn_check(struct cfg_loader *);

#endif
