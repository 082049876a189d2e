#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/stop.h"
#include "dlt/cli.h"

/* The options of every program. */
static const struct option common[] = {
	{ "config",	required_argument, NULL, 'c' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "resource",	required_argument, NULL, 'r' },
	{ "version",	no_argument,	   NULL, OPT_VERSION },
	{ NULL,		0,		   NULL, 0 }
};

void
cli_usage(const struct cli *p, int status)
{
	FILE *fp = status == EX_OK ? stdout : stderr;

	fputs(p->synopsis, fp);
	if (status == EX_OK)
		fprintf(fp, "%s%s"
		    "  -h, --help                 show this help\n"
		    "      --version              show the version\n", p->help,
		    p->more != NULL ? p->more : "");
	exit(status);
}

static int
by_name(const void *a, const void *b)
{
	const struct option *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Append table t to all[*n...), or count it when all is NULL. */
static void
add_options(struct option *all, size_t *n, const struct option *t)
{
	for (; t->name != NULL; t++, (*n)++)
		if (all != NULL)
			all[*n] = *t;
}

/* The long options of p and of every program, sorted by name. */
static struct option *
options(const struct cli *p)
{
	const struct option *const *t;
	struct option *all = NULL;
	size_t n;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		n = 0;
		add_options(all, &n, common);
		for (t = p->longopts; t != NULL && *t != NULL; t++)
			add_options(all, &n, *t);
		if (all == NULL)
			all = xcalloc(n + 1, sizeof(*all));
	}
	qsort(all, n, sizeof(*all), by_name);
	return all;
}

/*
 * Find -c FILE and -r NAME before the other options are read, and load
 * FILE's parts for p into c, a child's filled from the parent record rec
 * (NULL: none).  Returns 1 if it was read, else 0 with c zeroed.  getopt
 * starts over afterwards.
 */
static int
load_config(const struct cli *p, int argc, char *argv[],
    const char *shortopts, const struct option *longopts, struct config *c,
    void *ctx, const char *rec)
{
	const char *file = NULL, *resource = NULL;
	const int *early;
	int opt, saved = opterr;
	struct err e = { 0 };

	memset(c, 0, sizeof(*c));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	    -1) {
		if (opt == 'c')
			file = optarg;
		else if (opt == 'r')
			resource = optarg;
		for (early = p->early; early != NULL && *early != 0; early++)
			if (opt == *early && p->option(ctx, opt, optarg,
			    &e) == -1)
				die_err(&e);
	}
	opterr = saved;
	optind = 0;	/* glibc: start over, reinitializing */
	if (file == NULL && resource != NULL)
		die(EX_USAGE, "--resource needs --config");
	if (file == NULL)
		return 0;
	if (config_load_record(c, file, resource, p->parts, rec,
	    rec != NULL ? strlen(rec) : 0, &e) == -1)
		die_err(&e);
	return 1;
}

void
cli_start(const struct cli *p, int *argc, char ***argv, struct config *c,
    void *ctx)
{
	cli_start_record(p, argc, argv, c, ctx, NULL);
}

void
cli_start_record(const struct cli *p, int *argc, char ***argv,
    struct config *c, void *ctx, const char *rec)
{
	struct option *longopts;
	struct err e = { 0 };
	struct buf shortopts;
	int opt, rc;

	startup(p->name, p->flags & ~(CLI_DEFER_STOP | CLI_OWN_CONFIG));
	if ((p->flags & CLI_DEFER_STOP) && stop_is_pipe(STDIN_FILENO))
		stop_defer();
	(*argv)[0] = (char *)p->name;	/* getopt names it in messages */
	buf_init(&shortopts, 0);
	buf_printf(&shortopts, "c:hr:%s", p->shortopts);
	longopts = options(p);
	if (p->flags & CLI_OWN_CONFIG)
		memset(c, 0, sizeof(*c));
	else if (load_config(p, *argc, *argv, buf_str(&shortopts), longopts,
	    c, ctx, rec) && p->config != NULL)
		p->config(ctx, c);
	while ((opt = getopt_long(*argc, *argv, shortopts.data, longopts,
	    NULL)) != -1) {
		switch (opt) {
		case 'c':
		case 'r':
			if (!(p->flags & CLI_OWN_CONFIG))
				continue;
			break;
		case 'h':
			cli_usage(p, EX_OK);
		case OPT_VERSION:
			version();
		case '?':
			cli_usage(p, EX_USAGE);
		}
		if ((rc = p->option(ctx, opt, optarg, &e)) == -1)
			die_err(&e);
		if (rc == 0)
			cli_usage(p, EX_USAGE);
	}
	free(longopts);
	buf_free(&shortopts);
	*argc -= optind;
	*argv += optind;
}
