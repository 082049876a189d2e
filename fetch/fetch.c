/* rest-fetch: one authenticated request, the body to stdout. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "config.h"
#include "diag.h"
#include "http.h"
#include "reqopt.h"

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: rest-fetch [options] URL\n"
	    "       rest-fetch -c FILE [-r NAME] [options] [URL]\n");
	if (status == EX_OK)
		fprintf(fp, "%s"
		    "  -c, --config FILE          read a dlt REST API source "
		    "configuration\n"
		    "  -r, --resource NAME        the resource to read from it\n"
		    "  -h, --help                 show this help\n"
		    "      --version              show the version\n",
		    reqopt_usage);
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option own[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "resource",	required_argument, NULL, 'r' },
		{ "version",	no_argument,	   NULL, OPT_VERSION },
		{ NULL,		0,		   NULL, 0 }
	};
	static const char shortopts[] = "c:hr:" REQOPT_SHORT;
	struct config cfg;
	struct reqopt o;
	struct option *longopts;
	struct http_req *r;
	struct http *h;
	struct err e = { 0 };
	int c, status;

	startup("rest-fetch", START_STDOUT);
	argv[0] = (char *)getprog();	/* getopt names it in messages */
	reqopt_init(&o);
	longopts = reqopt_table(own);
	if (config_from_argv(&cfg, argc, argv, shortopts, longopts,
	    CONFIG_REQUEST))
		reqopt_config(&o, &cfg);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if ((status = reqopt_parse(&o, c, optarg, &e)) == -1)
			die_err(&e);
		if (status == 1)
			continue;
		switch (c) {
		case 'c':
		case 'r':
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case OPT_VERSION:
			version();
		default:
			usage(stderr, EX_USAGE);
		}
	}
	free(longopts);
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 0 && cfg.url == NULL))
		usage(stderr, EX_USAGE);
	if (reqopt_finish(&o, &e) == -1)
		die_err(&e);

	if ((h = http_new(&o.http, &e)) == NULL)
		die_err(&e);
	r = http_req_new(h, argc == 1 ? argv[0] : cfg.url, NULL);
	if (o.http.dry_run) {
		http_req_describe(h, r, stdout);
		http_req_free(r);
		http_free(h);
		reqopt_free(&o);
		config_free(&cfg);
		return finish_stdout();
	}
	http_submit(h, r);
	if (http_next(h, &r, &e) == -1)
		die_err(&e);
	http_req_report(r);
	status = r->result;
	if (status == EX_OK && r->body.len > 0 &&
	    fwrite(r->body.data, 1, r->body.len, stdout) != r->body.len)
		status = EX_IOERR;
	http_req_free(r);
	http_free(h);
	reqopt_free(&o);
	config_free(&cfg);
	if (status != EX_OK && status != EX_IOERR)
		return status;
	return finish_stdout();
}
