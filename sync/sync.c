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

#include "buf.h"
#include "diag.h"
#include "opt.h"
#include "stop.h"
#include "sync.h"

enum {
	OPT_DRY_RUN = 256, OPT_FORMAT, OPT_JSON, OPT_PRUNE, OPT_STATUS,
	OPT_VERSION
};

static const struct name formats[] = {
	{ "jsonl",	0 },
	{ "csv",	1 },
	{ "tsv",	2 },
	{ NULL,		0 }
};

static noreturn void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: rest-sync -c FILE [-r NAME]... [-C DIR] [-j N] "
	    "[--format jsonl|csv|tsv]\n"
	    "                 [--prune] [--json] [--status] [--dry-run] "
	    "[-v] [-s] [-P N]\n");
	if (status == EX_OK)
		fprintf(fp,
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
		    "      --prune                delete the rows a complete "
		    "merge no longer sees\n"
		    "      --json                 one JSON object per resource "
		    "on stdout\n"
		    "      --status               show each table's rows, last "
		    "sync and pending run\n"
		    "      --dry-run              show each resource's first "
		    "request, send nothing\n"
		    "  -v, --verbose              report every request\n"
		    "  -s, --silent               no summary, no retry "
		    "reports\n"
		    "  -h, --help                 show this help\n"
		    "      --version              show the version\n");
	exit(status);
}

/* One option into o; exits on a bad one. */
static void
option(struct sync_opts *o, int c, char ***names, size_t *nnames)
{
	static char parallel[24];
	struct err e = { 0 };
	long v;
	int fmt;

	switch (c) {
	case 'c':
		o->config = optarg;
		return;
	case 'C':
		if (*optarg == '\0')
			die(EX_USAGE, "-C: an empty directory name");
		o->dir = optarg;
		return;
	case 'h':
		usage(stdout, EX_OK);
	case 'j':
	case 'P':
		if (parse_long(c == 'j' ? "--jobs" : "--parallel", optarg, 1,
		    64, &v, &e) == -1)
			die_err(&e);
		if (c == 'j')
			o->jobs = v;
		else {
			snprintf(parallel, sizeof(parallel), "%ld", v);
			o->parallel = parallel;
		}
		return;
	case 'r':
		*names = xrealloc(*names, (*nnames + 1) * sizeof(**names));
		(*names)[(*nnames)++] = optarg;
		return;
	case 's':
		o->silent = 1;
		return;
	case 'v':
		o->verbose = 1;
		return;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		return;
	case OPT_FORMAT:
		if (parse_name("--format", optarg, formats, &fmt, &e) == -1)
			die_err(&e);
		o->ext = formats[fmt].name;
		return;
	case OPT_JSON:
		o->json = 1;
		return;
	case OPT_PRUNE:
		o->prune = 1;
		return;
	case OPT_STATUS:
		o->status = 1;
		return;
	case OPT_VERSION:
		version();
	}
	usage(stderr, EX_USAGE);
}

static void
parse(struct sync_opts *o, int argc, char *argv[], char ***names,
    size_t *nnames)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "directory",	required_argument, NULL, 'C' },
		{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
		{ "format",	required_argument, NULL, OPT_FORMAT },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "jobs",	required_argument, NULL, 'j' },
		{ "json",	no_argument,	   NULL, OPT_JSON },
		{ "parallel",	required_argument, NULL, 'P' },
		{ "prune",	no_argument,	   NULL, OPT_PRUNE },
		{ "resource",	required_argument, NULL, 'r' },
		{ "silent",	no_argument,	   NULL, 's' },
		{ "status",	no_argument,	   NULL, OPT_STATUS },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "version",	no_argument,	   NULL, OPT_VERSION },
		{ NULL,		0,		   NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:C:hj:P:r:sv", longopts,
	    NULL)) != -1)
		option(o, c, names, nnames);
	if (optind < argc || o->config == NULL)
		usage(stderr, EX_USAGE);
	if (o->status && o->dry_run)
		die(EX_USAGE, "--status and --dry-run: choose one");
}

int
main(int argc, char *argv[])
{
	struct sync_opts o = { .dir = ".", .ext = "jsonl", .jobs = 1 };
	struct resource *r;
	char **names = NULL;
	size_t n, nnames = 0;
	int status, out;

	startup("rest-sync", START_STDOUT);
	argv[0] = (char *)getprog();	/* getopt names it in messages */
	parse(&o, argc, argv, &names, &nnames);
	signals_init();
	r = resources_load(&o, names, nnames, &n);
	if (o.status)
		status = show_status(&o, r, n);
	else if (o.dry_run)
		status = show_dry_run(&o, r, n);
	else
		status = sync_all(&o, r, n);
	resources_free(r, n);
	free(r);
	free(names);
	out = finish_stdout();
	stop_finish();
	return out != EX_OK ? worse(status, out) : status;
}
