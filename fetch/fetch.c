/* rest-fetch: one authenticated request, the body to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "base/diag.h"
#include "net/http.h"
#include "dlt/cli.h"
#include "dlt/config.h"
#include "dlt/reqopt.h"

/* Apply one option; rest-fetch has only the request options. */
static int
option(void *req, int opt, const char *arg, struct err *e)
{
	return reqopt_parse(req, opt, arg, e);
}

/* Apply a configuration's request, before the command line. */
static void
config(void *req, const struct config *c)
{
	if (c->incr != NULL && c->incr->placeholders)
		die(EX_CONFIG, "resource '%s': its {incremental.*} "
		    "placeholders take the values of a run, from the state of "
		    "its table: rest-paginate fills them in", c->name);
	reqopt_config(req, c);
}

static const struct option *const longopts[] = { reqopt_options, NULL };

static const struct cli program = {
	.name = "rest-fetch",
	.flags = START_STDOUT,
	.synopsis = "usage: rest-fetch [options] URL\n"
	    "       rest-fetch -c FILE [-r NAME] [options] [URL]\n",
	.help = REQOPT_USAGE CLI_CONFIG_USAGE,
	.shortopts = REQOPT_SHORT,
	.longopts = longopts,
	.parts = CONFIG_REQUEST,
	.config = config,
	.option = option
};

int
main(int argc, char *argv[])
{
	struct config cfg;
	struct reqopt o;
	struct http_req *r;
	struct http *h;
	struct err e = { 0 };
	int status;

	reqopt_init(&o);
	cli_start(&program, &argc, &argv, &cfg, &o);
	if (cfg.parent != NULL)
		die(EX_CONFIG, "%s: resource '%s' is a child of resource '%s' "
		    "(one request for each of its records): run it with "
		    "rest-paginate", cfg.file, cfg.name, cfg.parent);
	if (argc > 1 || (argc == 0 && cfg.url == NULL))
		cli_usage(&program, EX_USAGE);
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
	if (r->ignored != NULL)
		warnmsg("%s: taken as an empty response, nothing written",
		    r->ignored);
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
