/*
 * cmdline.c: rest-merge's command line and configuration: the options,
 * FILE and its format, the names of the sidecar and the journal, the
 * primary key (from -k, the configuration or the sidecar), and the start
 * of an incremental run.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/wire.h"
#include "dlt/cli.h"
#include "dlt/config.h"
#include "dlt/name.h"
#include "merge.h"
#include "run.h"

#define MEMORY		((size_t)64 << 20)	/* the default budget */
#define MEMORY_MIN	((size_t)64 << 10)

enum { OPT_ALLOW_EMPTY = OPT_PROGRAM, OPT_DEDUP_SORT, OPT_HARD_DELETE,
	OPT_MEMORY, OPT_PRUNE, OPT_RUN_ID, OPT_SCHEMA, OPT_FULL_REFRESH };

/* The formats, as -f and FILE's extension name them. */
static const struct name formats[] = {
	{ "jsonl",	FMT_JSONL },
	{ "csv",	FMT_CSV },
	{ "tsv",	FMT_TSV },
	{ NULL,		0 }
};

/* The format FILE's name implies; exits with EX_USAGE if none. */
static enum format
format_of(const char *file)
{
	const char *dot = strrchr(file, '.');
	const struct name *t;
	struct buf list;

	if (dot != NULL && strchr(dot, '/') == NULL) {
		/* .ndjson is jsonl too, as an extension only. */
		if (strcasecmp(dot, ".ndjson") == 0)
			return FMT_JSONL;
		for (t = formats; t->name != NULL; t++)
			if (strcasecmp(dot + 1, t->name) == 0)
				return (enum format)t->value;
	}
	buf_init(&list, 0);
	name_list(formats, &list);
	die(EX_USAGE, "%s: unknown file extension: use -f %s", file,
	    buf_str(&list));
}

static struct path *
new_path(const char *opt, const char *text)
{
	struct path p, *q;

	if (path_parse(&p, text) == -1)
		die(EX_CONFIG, "%s: '%s' is not a field path", opt, text);
	q = xmalloc(sizeof(*q));
	*q = p;
	return q;
}

static void
add_key(struct opts *o, const char *text)
{
	struct path *p = new_path("-k", text);

	o->key = xrealloc(o->key, (o->nkey + 1) * sizeof(*o->key));
	o->key[o->nkey++] = *p;
	free(p);
}

/* A configuration's table settings, before the command line's. */
static void
config(void *cmdline, const struct config *c)
{
	struct cmdline *cl = cmdline;
	struct opts *o = &cl->o;
	int i;

	for (i = 0; i < c->nprimary_key; i++)
		add_key(o, c->primary_key[i]);
	cl->config_keys = 1;
	cl->incr = c->incr;
	cl->resource = c->name;
	/* A resource without write_disposition appends, as in dlt. */
	o->wd = c->write_disposition == NULL ? WRITE_APPEND :
	    (enum write_disposition)name_value(write_dispositions,
	    c->write_disposition);
	if (c->hard_delete != NULL)
		o->hard_delete = new_path("--hard-delete", c->hard_delete);
	if (c->dedup_sort != NULL) {
		o->dedup_sort = new_path("--dedup-sort", c->dedup_sort);
		o->dedup_desc = name_value(sort_orders, c->dedup_order) ==
		    SORT_DESC;
	}
}

/* FIELD[:asc|:desc], split at the last colon. */
static int
set_dedup_sort(struct opts *o, const char *arg, struct err *e)
{
	const char *colon = strrchr(arg, ':');
	struct buf list;
	char *field;
	int order = SORT_DESC;

	if (colon != NULL &&
	    (order = name_value(sort_orders, colon + 1)) == -1) {
		buf_init(&list, 0);
		name_list(sort_orders, &list);
		err_set(e, EX_CONFIG, "--dedup-sort: '%s': the order is %s",
		    arg, buf_str(&list));
		buf_free(&list);
		return -1;
	}
	o->dedup_desc = order == SORT_DESC;
	field = colon != NULL ? xstrndup(arg, (size_t)(colon - arg)) :
	    xstrdup(arg);
	o->dedup_sort = new_path("--dedup-sort", field);
	free(field);
	return 0;
}

static void
free_path(struct path *p)
{
	if (p != NULL) {
		path_free(p);
		free(p);
	}
}

/*
 * Parse s as a size in bytes, with K, M or G for KiB, MiB or GiB, of at
 * least min.  Returns 0, or -1 with e set to EX_CONFIG.
 */
static int
parse_size(const char *opt, const char *s, size_t min, size_t *v,
    struct err *e)
{
	static const char units[] = "KMG";
	const char *u;
	unsigned long long n;
	char *end;
	int shift = 0;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end != '\0' && end[1] == '\0' &&
	    (u = strchr(units, toupper((unsigned char)*end))) != NULL) {
		shift = 10 * (int)(u - units + 1);
		end++;
	}
	if (*s < '0' || *s > '9' || *end != '\0' || errno == ERANGE ||
	    n > (SIZE_MAX >> 2) >> shift)
		return err_set(e, EX_CONFIG, "%s: '%s' is not a size (bytes, "
		    "or a number with K, M or G)", opt, s);
	*v = (size_t)n << shift;
	if (*v < min)
		return err_set(e, EX_CONFIG, "%s: %s is less than the least "
		    "budget, %zuK", opt, s, min >> 10);
	return 0;
}

static int
option(void *cmdline, int opt, const char *arg, struct err *e)
{
	struct cmdline *cl = cmdline;
	struct opts *o = &cl->o;
	int v;

	switch (opt) {
	case 'f':
		cl->format = arg;
		break;
	case 'k':
		/* Keys on the command line replace the file's. */
		for (; cl->config_keys && o->nkey > 0; o->nkey--)
			path_free(&o->key[o->nkey - 1]);
		cl->config_keys = 0;
		add_key(o, arg);
		break;
	case 'n':
		o->dry_run = 1;
		break;
	case 's':
		o->silent = 1;
		break;
	case 'w':
		if (parse_name("-w", arg, write_dispositions, &v, e) == -1)
			return -1;
		o->wd = (enum write_disposition)v;
		break;
	case OPT_ALLOW_EMPTY:
		o->allow_empty = 1;
		break;
	case OPT_PRUNE:
		o->prune = 1;
		break;
	case OPT_FULL_REFRESH:
		cl->full_refresh = 1;
		break;
	case OPT_RUN_ID:
		if (*arg == '\0' || strpbrk(arg, "\r\n") != NULL)
			return err_set(e, EX_CONFIG, "--run-id: '%s' is not an "
			    "id", arg);
		o->run_id = arg;
		break;
	case OPT_DEDUP_SORT:
		free_path(o->dedup_sort);
		o->dedup_sort = NULL;
		return set_dedup_sort(o, arg, e) == -1 ? -1 : 1;
	case OPT_HARD_DELETE:
		free_path(o->hard_delete);
		o->hard_delete = new_path("--hard-delete", arg);
		break;
	case OPT_MEMORY:
		return parse_size("--memory", arg, MEMORY_MIN, &o->memory, e) ==
		    -1 ? -1 : 1;
	case OPT_SCHEMA:
		o->schema = arg;
		break;
	default:
		return wire_option(&cl->wire, opt, arg, e);
	}
	return 1;
}

static const struct option own[] = {
	{ "allow-empty",	no_argument,	   NULL, OPT_ALLOW_EMPTY },
	{ "dedup-sort",		required_argument, NULL, OPT_DEDUP_SORT },
	{ "dry-run",		no_argument,	   NULL, 'n' },
	{ "format",		required_argument, NULL, 'f' },
	{ "full-refresh",	no_argument,	   NULL, OPT_FULL_REFRESH },
	{ "hard-delete",	required_argument, NULL, OPT_HARD_DELETE },
	{ "memory",		required_argument, NULL, OPT_MEMORY },
	{ "primary-key",	required_argument, NULL, 'k' },
	{ "prune",		no_argument,	   NULL, OPT_PRUNE },
	{ "run-id",		required_argument, NULL, OPT_RUN_ID },
	{ "schema",		required_argument, NULL, OPT_SCHEMA },
	{ "silent",		no_argument,	   NULL, 's' },
	{ "write-disposition",	required_argument, NULL, 'w' },
	{ NULL,			0,		   NULL, 0 }
};
static const struct option *const longopts[] = { own, wire_longopts, NULL };

static const struct cli program = {
	.name = "rest-merge",
	.flags = CLI_DEFER_STOP,
	.synopsis = "usage: rest-merge [-hns] [--allow-empty] "
	    "[--dedup-sort field[:asc|:desc]]\n"
	    "                  [-f format] [--hard-delete field] [-k field] "
	    "[--memory size]\n"
	    "                  [--full-refresh] [--prune] [--report file] "
	    "[--report-fd fd]\n"
	    "                  [--run-id id] [--schema file] [--version] "
	    "[-w disposition] FILE\n"
	    "       rest-merge -c config [-r resource] [options] [FILE]\n",
	.help = "  -k, --primary-key FIELD    primary key field; repeat for a "
	    "compound key\n"
	    "  -w, --write-disposition WD merge (default), append or "
	    "replace\n"
	    "  -f, --format FORMAT        jsonl, csv or tsv (FILE's "
	    "extension)\n"
	    "      --allow-empty          let a replace with no records "
	    "empty FILE\n"
	    "      --hard-delete FIELD    a record with FIELD true or set "
	    "deletes its key\n"
	    "      --full-refresh         ignore the incremental state "
	    "(start over)\n"
	    "      --dedup-sort FIELD[:asc|:desc]\n"
	    "                             of one key's records keep the "
	    "highest (desc)\n"
	    "      --memory SIZE          hold at most SIZE (K, M, G) of the "
	    "input; spill the\n"
	    "                             rest beside FILE (64M)\n"
	    "      --prune                merge: delete the rows whose key "
	    "the input lacks\n"
	    "      --run-id ID            record the run in the sidecar; a "
	    "run already\n"
	    "                             recorded there changes nothing\n"
	    "      --schema FILE          schema sidecar (FILE.schema.json)\n"
	    "  -n, --dry-run              print the summary, change nothing\n"
	    "  -s, --silent               no summary line\n"
	    WIRE_USAGE
	    CLI_CONFIG_USAGE,
	.shortopts = "f:k:nsw:",
	.longopts = longopts,
	.parts = CONFIG_TABLE,
	.config = config,
	.option = option
};

/* A new string: s with suffix appended. */
static char *
suffixed(const char *s, const char *suffix)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s%s", s, suffix);
	return buf_str(&b);
}

/* dlt's table name, normalized, as a file in the current directory. */
static char *
table_file(const char *table)
{
	struct buf b;
	char *file;

	buf_init(&b, 0);
	if (normalize(table, strlen(table), &b) == -1)
		die(EX_CONFIG, "table name '%s' gives no file name", table);
	buf_adds(&b, ".jsonl");
	file = xstrdup(buf_str(&b));
	buf_free(&b);
	return file;
}

/* Without -k, merge on the primary key the sidecar records. */
static void
key_from_schema(struct opts *o)
{
	struct schema s;
	struct err e = { 0 };
	size_t i;
	int loaded;

	check_regular(o->schema);
	schema_init(&s, o->fmt);
	if ((loaded = schema_load(&s, o, o->schema, &e)) == -1)
		die_err(&e);
	for (i = 0; i < s.npk; i++)
		add_key(o, s.pk[i].text);
	schema_free(&s);
	if (o->nkey > 0)
		return;
	if (loaded)
		die(EX_USAGE, "-w merge needs a primary key: -k FIELD (%s "
		    "records none)", o->schema);
	die(EX_USAGE, "-w merge needs a primary key: -k FIELD");
}

/*
 * Take FILE (the operand, else the configuration's table) and check the
 * options together; name the sidecar and the journal; without -k, take
 * the sidecar's key.
 */
static void
settle(struct cmdline *cl, int argc, char *argv[], const struct config *c)
{
	struct opts *o = &cl->o;
	struct err e = { 0 };
	int v;

	if (argc == 0 && c->table != NULL)
		o->file = cl->table = table_file(c->table);
	else if (argc == 1)
		o->file = argv[0];
	else
		cli_usage(&program, EX_USAGE);
	if (cl->format == NULL)
		o->fmt = format_of(o->file);
	else if (parse_name("-f", cl->format, formats, &v, &e) == -1)
		die_err(&e);
	else
		o->fmt = (enum format)v;
	if (o->wd != WRITE_MERGE && o->hard_delete != NULL)
		die(EX_USAGE, "--hard-delete needs -w merge");
	if (o->wd != WRITE_MERGE && o->dedup_sort != NULL)
		die(EX_USAGE, "--dedup-sort needs -w merge");
	if (o->wd != WRITE_MERGE && o->prune)
		die(EX_USAGE, "--prune needs -w merge");
	if (o->schema == NULL)
		o->schema = cl->schema = suffixed(o->file, ".schema.json");
	else if (strcmp(o->schema, o->file) == 0)
		die(EX_USAGE, "--schema: '%s' is FILE itself", o->schema);
	if (o->wd == WRITE_MERGE && o->nkey == 0)
		key_from_schema(o);
	o->journal = cl->journal = suffixed(o->file, ".journal");
	if (cl->incr == NULL && cl->full_refresh)
		die(EX_USAGE, "--full-refresh: the resource loads no "
		    "increments");
	if (cl->incr != NULL) {
		if (incr_run_init(&cl->ir, cl->incr, cl->resource, o->file,
		    cl->full_refresh, &e) == -1)
			die_err(&e);
		o->incr = &cl->ir;
	}
}

void
cmdline_start(struct cmdline *cl, int argc, char *argv[], struct config *c)
{
	struct err e = { 0 };

	memset(cl, 0, sizeof(*cl));
	cl->o.wd = WRITE_MERGE;
	cl->o.fmt = FMT_JSONL;
	cl->o.memory = MEMORY;
	cl->wire.fd = -1;
	cli_start(&program, &argc, &argv, c, cl);
	if (wire_sink_open(&cl->report, program.name, (int)cl->wire.fd,
	    cl->wire.file, &e) == -1)
		die_err(&e);
	wire_catch_die(&cl->report);
	settle(cl, argc, argv, c);
}

void
cmdline_free(struct cmdline *cl)
{
	size_t i;

	for (i = 0; i < cl->o.nkey; i++)
		path_free(&cl->o.key[i]);
	free(cl->o.key);
	free_path(cl->o.hard_delete);
	free_path(cl->o.dedup_sort);
	free(cl->table);
	free(cl->schema);
	free(cl->journal);
	if (cl->o.incr != NULL)
		incr_run_free(cl->o.incr);
}
