/*
 * rest-sync: run rest-paginate | rest-select | rest-merge for every
 * resource of a configuration, a replace committed only whole, any
 * interrupt resumed by the next run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"
#include "base/stop.h"
#include "dlt/cli.h"
#include "sync.h"

enum {
	OPT_DRY_RUN = OPT_PROGRAM, OPT_FORMAT, OPT_JSON, OPT_PRUNE, OPT_STATUS,
	OPT_FULL_REFRESH, OPT_GRACE, OPT_PROGRESS
};

static const struct name formats[] = {
	{ "jsonl",	0 },
	{ "csv",	1 },
	{ "tsv",	2 },
	{ NULL,		0 }
};

/* The options, with the resource names -r gave. */
struct args {
	struct sync_opts o;
	char		**names;
	size_t		  nnames;
};

/* One option into a; see struct cli. */
static int
option(void *ctx, int c, const char *arg, struct err *e)
{
	static char parallel[24];
	struct args *a = ctx;
	struct sync_opts *o = &a->o;
	long v;
	int fmt;

	switch (c) {
	case 'c':
		o->config = arg;
		return 1;
	case 'C':
		if (*arg == '\0')
			return err_set(e, EX_USAGE, "-C: an empty directory "
			    "name");
		o->dir = arg;
		return 1;
	case 'j':
	case 'P':
		if (parse_long(c == 'j' ? "--jobs" : "--parallel", arg, 1, 64,
		    &v, e) == -1)
			return -1;
		if (c == 'j')
			o->jobs = v;
		else {
			snprintf(parallel, sizeof(parallel), "%ld", v);
			o->parallel = parallel;
		}
		return 1;
	case 'r':
		a->names = xrealloc(a->names, (a->nnames + 1) *
		    sizeof(*a->names));
		a->names[a->nnames++] = (char *)arg;
		return 1;
	case 's':
		o->silent = 1;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	case OPT_PROGRESS:
		o->progress = 1;
		return 1;
	case 'v':
		o->verbose = 1;
		return 1;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		return 1;
	case OPT_FORMAT:
		if (parse_name("--format", arg, formats, &fmt, e) == -1)
			return -1;
		o->ext = formats[fmt].name;
		return 1;
	case OPT_FULL_REFRESH:
		o->full_refresh = 1;
		return 1;
	case OPT_GRACE:
		return parse_double("--grace", arg, 0, 3600, &o->grace, e) ==
		    -1 ? -1 : 1;
	case OPT_JSON:
		o->json = 1;
		return 1;
	case OPT_PRUNE:
		o->prune = 1;
		return 1;
	case OPT_STATUS:
		o->status = 1;
		return 1;
	}
	return 0;
}

static const struct option own[] = {
	{ "directory",	required_argument, NULL, 'C' },
	{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
	{ "format",	required_argument, NULL, OPT_FORMAT },
	{ "full-refresh", no_argument,	   NULL, OPT_FULL_REFRESH },
	{ "grace",	required_argument, NULL, OPT_GRACE },
	{ "jobs",	required_argument, NULL, 'j' },
	{ "json",	no_argument,	   NULL, OPT_JSON },
	{ "parallel",	required_argument, NULL, 'P' },
	{ "progress",	no_argument,	   NULL, OPT_PROGRESS },
	{ "prune",	no_argument,	   NULL, OPT_PRUNE },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "silent",	no_argument,	   NULL, 's' },
	{ "status",	no_argument,	   NULL, OPT_STATUS },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ NULL,		0,		   NULL, 0 }
};
static const struct option *const longopts[] = { own, NULL };

static const struct cli program = {
	.name = "rest-sync",
	.flags = START_STDOUT | CLI_OWN_CONFIG,
	.synopsis = "usage: rest-sync [-hqsv] -c file [-C dir] [--dry-run] "
	    "[--format format] [-j jobs]\n"
	    "                 [--full-refresh] [--grace seconds] [--json] "
	    "[-P count] [--progress]\n"
	    "                 [--prune] [-r name]... [--status] [--version]\n",
	.help =
	    "  -c, --config FILE          the dlt REST API source "
	    "configuration\n"
	    "  -r, --resource NAME        sync this resource "
	    "(repeatable; all by default)\n"
	    "  -C, --directory DIR        the tables go into DIR (.)\n"
	    "  -j, --jobs N               sync N resources at once (1)\n"
	    "  -P, --parallel N           fetch up to N pages of a "
	    "resource at once (1)\n"
	    "      --format FORMAT        tables as jsonl (default), "
	    "csv or tsv\n"
	    "      --full-refresh         ignore the incremental states "
	    "once (start over)\n"
	    "      --grace SECONDS        after a signal, stop within "
	    "SECONDS (2)\n"
	    "      --prune                delete the rows a complete "
	    "merge no longer sees\n"
	    "      --json                 one JSON object per resource "
	    "on stdout\n"
	    "      --status               show each table's rows, last "
	    "sync and pending run\n"
	    "      --dry-run              show each resource's first "
	    "request, send nothing\n"
	    "      --progress             show the progress off a terminal "
	    "too\n"
	    "  -q, --quiet                no progress on a terminal\n"
	    "  -v, --verbose              report every request and retry\n"
	    "  -s, --silent               no progress, summary, retries "
	    "or recap\n",
	.shortopts = "C:j:P:qsv",
	.longopts = longopts,
	.option = option
};

int
main(int argc, char *argv[])
{
	struct args a = {
		.o = { .dir = ".", .ext = "jsonl", .jobs = 1, .grace = 2 }
	};
	struct sync_opts *o = &a.o;
	struct config unused;
	struct resource *r;
	size_t n;
	int status, out;

	cli_start(&program, &argc, &argv, &unused, &a);
	if (argc > 0 || o->config == NULL)
		cli_usage(&program, EX_USAGE);
	if (o->status && o->dry_run)
		die(EX_USAGE, "--status and --dry-run: choose one");
	signals_init();
	r = resources_load(o, a.names, a.nnames, &n);
	/* Its warnings are said: the programs it runs need not again. */
	setenv(CONFIG_QUIET_ENV, "1", 1);
	if (o->status)
		status = show_status(o, r, n);
	else if (o->dry_run)
		status = show_dry_run(o, r, n);
	else
		status = sync_all(o, r, n);
	resources_free(r, n);
	free(r);
	free(a.names);
	out = finish_stdout();
	stop_finish();
	return out != EX_OK ? worse(status, out) : status;
}
