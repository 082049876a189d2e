/*
 * options.c: what rest-paginate is asked to do, as struct pager_opts: a
 * configuration's paging settings (config()), then the command line's
 * options (option()), checked together and completed with dlt's
 * defaults (options_read()); and the start of an incremental run, from
 * the state of the table it feeds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/opt.h"
#include "json/jpath.h"
#include "json/wire.h"
#include "dlt/cli.h"
#include "dlt/config.h"
#include "dlt/incr.h"
#include "dlt/name.h"
#include "dlt/reqopt.h"
#include "pager.h"

enum {
	OPT_DATA_SELECTOR = OPT_PROGRAM, OPT_HAS_MORE_PATH, OPT_LIMIT,
	OPT_LIMIT_PARAM, OPT_MAX_OFFSET, OPT_NO_STOP_EMPTY, OPT_OFFSET,
	OPT_OFFSET_PARAM, OPT_PROGRESS, OPT_TOTAL_PATH, OPT_BASE_PAGE,
	OPT_MAX_PAGE, OPT_PAGE, OPT_PAGE_PARAM, OPT_SINGLE_PAGE, OPT_ALLOW_SHORT,
	OPT_POSITION_FD, OPT_PAGINATOR, OPT_NEXT_URL_PATH, OPT_LINKS_NEXT_KEY,
	OPT_CURSOR_PATH, OPT_CURSOR_PARAM, OPT_CURSOR_BODY_PATH, OPT_CURSOR_KEY,
	OPT_NEXT_URL, OPT_CURSOR, OPT_ALLOW_OTHER_HOST, OPT_OFFSET_BODY_PATH,
	OPT_LIMIT_BODY_PATH, OPT_PAGE_BODY_PATH, OPT_STOP_EMPTY, OPT_TOTAL_HEADER,
	OPT_TABLE, OPT_FULL_REFRESH
};

/* Child resources (parents.c). */
enum { OPT_PARENTS = OPT_PROGRAM + 100, OPT_PARENT_START };

struct jpath *
compile(const char *opt, const char *path)
{
	const char *err;
	struct jpath *p;

	if ((p = jpath_compile(path, &err)) == NULL)
		die(EX_CONFIG, "%s: unsupported path '%s': %s; supported: %s",
		    opt, path, err, jpath_syntax);
	return p;
}

/* The keys of the body paths and of link and cursor paging. */
static void
config_refs(struct pager_opts *o, const struct config *c)
{
	if (c->offset_body_path != NULL)
		o->offset_body_path = c->offset_body_path;
	if (c->limit_body_path != NULL)
		o->limit_body_path = c->limit_body_path;
	if (c->page_body_path != NULL)
		o->page_body_path = c->page_body_path;
	if (c->next_url_path != NULL)
		o->next_url_path = c->next_url_path;
	if (c->links_next_key != NULL)
		o->links_next_key = c->links_next_key;
	if (c->cursor_path != NULL)
		o->cursor_path = c->cursor_path;
	if (c->cursor_param != NULL)
		o->cursor_param = c->cursor_param;
	if (c->cursor_body_path != NULL)
		o->cursor_body_path = c->cursor_body_path;
	if (c->cursor_key != NULL)
		o->cursor_key = c->cursor_key;
	if (c->allow_other_host >= 0)
		o->allow_other_host = c->allow_other_host;
	if (c->allow_short >= 0)
		o->allow_short = c->allow_short;
}

/* A parameter of the request, NAME=VALUE, as -q adds it. */
static void
add_query(struct pager_opts *o, const char *name, const char *v)
{
	struct buf q;
	struct err e = { 0 };

	buf_init(&q, 0);
	buf_printf(&q, "%s=", name);
	incr_param_value(v, &q);
	if (reqopt_parse(&o->req, 'q', buf_str(&q), &e) == -1)
		die_err(&e);
	buf_free(&q);
}

/*
 * The start of an incremental run: the state of the table it feeds
 * (--table, else the file rest-merge -c writes).
 */
static void
start_incremental(struct pager_opts *o, const struct config *c)
{
	const struct incremental *inc = o->incr;
	struct incr_state st;
	struct err e = { 0 };
	struct buf t;
	char *file, *statefile;
	int had = 0;

	buf_init(&t, 0);
	if (o->table != NULL)
		buf_adds(&t, o->table);
	else if (normalize(c->table, strlen(c->table), &t) == -1)
		die(EX_CONFIG, "table name '%s' gives no file name", c->table);
	else
		buf_adds(&t, ".jsonl");
	file = buf_str(&t);
	statefile = incr_state_file(file);
	if (!o->full_refresh &&
	    (had = incr_state_load(&st, statefile, o->resource, inc, &e)) == -1)
		die_err(&e);
	if (incr_start(inc, had ? &st : NULL, &o->incr_start, &e) == -1)
		die_err(&e);
	if (had)
		incr_state_free(&st);
	free(statefile);
	buf_free(&t);
}

/* Paging settings of a configuration, before the command line's. */
static void
config(void *opts, const struct config *c)
{
	struct pager_opts *o = opts;
	struct err e = { 0 };

	o->incr = c->incr;
	o->resource = c->name;
	if (c->incr != NULL) {
		/* --table and --full-refresh came first (early). */
		start_incremental(o, c);
		/* It is main's: its placeholders are filled in once, here. */
		if (config_bind_incremental((struct config *)c, o->incr_start,
		    &e) == -1)
			die_err(&e);
	}
	reqopt_config(&o->req, c);
	switch (c->pager) {
	case PAGER_OFFSET:
		o->limit = c->limit;
		if (c->offset >= 0)
			o->start = c->offset;
		if (c->offset_param != NULL)
			o->offset_param = c->offset_param;
		if (c->limit_param != NULL)
			o->limit_param = c->limit_param;
		o->maximum = c->maximum;
		break;
	case PAGER_PAGE_NUMBER:
		o->page_param = c->page_param != NULL ? c->page_param : "page";
		if (c->base_page >= 0)
			o->base = c->base_page;
		o->start = c->page >= 0 ? c->page : o->base;
		o->maximum = c->maximum;
		break;
	case PAGER_SINGLE:
		o->single = 1;
		break;
	case PAGER_JSON_LINK:
	case PAGER_HEADER_LINK:
	case PAGER_CURSOR:
	case PAGER_HEADER_CURSOR:
		o->ref = c->pager;
		break;
	case PAGER_NONE:
	case PAGER_AUTO:
		o->autodetect = AUTO_CONFIG;
		break;
	}
	config_refs(o, c);
	if (c->total_path_set) {
		o->total_path = c->total_path;
		o->total_explicit = 1;
	}
	if (c->total_header != NULL)
		o->total_header = c->total_header;
	if (c->stop_after_empty >= 0) {
		o->stop_after_empty = c->stop_after_empty;
		o->stop_empty_set = 1;
	}
	if (c->has_more_path != NULL)
		o->has_more_path = c->has_more_path;
	if (c->data_selector != NULL)
		o->data_selector = c->data_selector;
}

/* Read a resume value: as given, or @FILE's first line (@- stdin). */
static int
resume_option(struct pager_opts *o, const char *opt, const char *arg,
    struct err *e)
{
	struct err fe = { 0 };
	struct buf b;
	char *nl;
	int rc;

	o->start_cursor = strcmp(opt, "--cursor") == 0;
	if (arg[0] != '@') {
		o->start_ref = arg;
		return 0;
	}
	buf_init(&b, 1024 * 1024);
	rc = strcmp(arg, "@-") == 0 ? fd_read(STDIN_FILENO, "<stdin>",
	    1024 * 1024, &b, &fe) : file_read(arg + 1, 1024 * 1024, &b, &fe);
	if (rc == -1) {
		err_set(e, fe.status, "%s: %s", opt, fe.msg);
		err_free(&fe);
		buf_free(&b);
		return -1;
	}
	if ((nl = memchr(buf_str(&b), '\n', b.len)) != NULL)
		*nl = '\0';
	free(o->start_buf);
	o->start_ref = o->start_buf = b.data;
	return 0;
}

/*
 * Note an option that chooses a paginator, so that an "auto" one of the
 * configuration gives way to it, and --paginator auto refuses it.
 */
static void
chooses_paginator(struct pager_opts *o, int opt)
{
	static const struct {
		int		 opt;
		const char	*name;
	} kinds[] = {
		{ OPT_BASE_PAGE, "--base-page" }, { OPT_LIMIT, "--limit" },
		{ OPT_LIMIT_PARAM, "--limit-param" },
		{ OPT_MAX_OFFSET, "--max-offset" },
		{ OPT_MAX_PAGE, "--max-page" },
		{ OPT_OFFSET_PARAM, "--offset-param" },
		{ OPT_PAGE_PARAM, "--page-param" },
		{ OPT_SINGLE_PAGE, "--single-page" }
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].opt == opt)
			o->kind_option = kinds[i].name;
}

/* --paginator NAME: one of the configuration's types, with its defaults. */
static int
set_paginator(struct pager_opts *o, const char *arg, struct err *e)
{
	int type;

	if (parse_name("--paginator", arg, paginators, &type, e) == -1)
		return -1;
	o->autodetect = AUTO_OFF;
	o->single = 0;
	o->ref = PAGER_NONE;
	switch (type) {
	case PAGER_AUTO:
		o->autodetect = AUTO_OPTION;
		o->page_param = NULL;
		break;
	case PAGER_PAGE_NUMBER:
		if (o->page_param == NULL)
			o->page_param = "page";
		break;
	case PAGER_SINGLE:
		o->single = 1;
		break;
	default:
		o->page_param = NULL;
		if (type >= PAGER_JSON_LINK)
			o->ref = (enum pager_type)type;
	}
	return 0;
}

/*
 * The options of the body paths and of link and cursor paging.  Their
 * keys alone choose their paginator.  Returns 1, 0 if opt is none of
 * them, or -1 with e set.
 */
static int
ref_option(struct pager_opts *o, int opt, const char *arg, struct err *e)
{
	switch (opt) {
	case OPT_NEXT_URL_PATH:
		o->next_url_path = arg;
		o->ref = PAGER_JSON_LINK;
		break;
	case OPT_LINKS_NEXT_KEY:
		o->links_next_key = arg;
		o->ref = PAGER_HEADER_LINK;
		break;
	case OPT_CURSOR_PATH:
		o->cursor_path = arg;
		o->ref = PAGER_CURSOR;
		break;
	case OPT_CURSOR_PARAM:
		o->cursor_param = arg;
		if (o->ref != PAGER_HEADER_CURSOR)
			o->ref = PAGER_CURSOR;
		break;
	case OPT_CURSOR_BODY_PATH:
		o->cursor_body_path = arg;
		o->ref = PAGER_CURSOR;
		break;
	case OPT_CURSOR_KEY:
		o->cursor_key = arg;
		o->ref = PAGER_HEADER_CURSOR;
		break;
	case OPT_NEXT_URL:
	case OPT_CURSOR:
		return resume_option(o, opt == OPT_NEXT_URL ? "--next-url" :
		    "--cursor", arg, e) == -1 ? -1 : 1;
	case OPT_ALLOW_OTHER_HOST:
		o->allow_other_host = 1;
		break;
	case OPT_OFFSET_BODY_PATH:
		o->offset_body_path = arg;
		break;
	case OPT_LIMIT_BODY_PATH:
		o->limit_body_path = arg;
		break;
	case OPT_PAGE_BODY_PATH:
		o->page_body_path = arg;
		if (o->page_param == NULL)
			o->page_param = "page";
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * --parent-start N, or N:HASH as a run over the parents says it: HASH,
 * 16 hex digits, is of the keys of the first N parent records.
 */
static int
parse_parent_start(struct parent_opts *po, const char *arg, struct err *e)
{
	long long n;
	size_t len = wire_parent_start(arg, &n, &po->check, &po->checked);

	po->start_set = 1;
	if (len == 0 && strchr(arg, ':') == NULL)
		return parse_long("--parent-start", arg, 0, LONG_MAX,
		    &po->start, e);
	if (len == 0 || arg[len] != '\0' || n > LONG_MAX)
		return err_set(e, EX_CONFIG, "--parent-start: '%s': not N or "
		    "N:HASH (16 hex digits) as a resume hint says it", arg);
	po->start = (long)n;
	return 0;
}

/*
 * The options of offset, page-number and single-page paging, and of
 * what stops it.  Returns 1, 0 if opt is none of them, or -1 with e set.
 */
static int
number_option(struct pager_opts *o, int opt, const char *arg, struct err *e)
{
	int rc = 0;

	switch (opt) {
	case OPT_ALLOW_SHORT:
		o->allow_short = 1;
		break;
	case OPT_BASE_PAGE:
		rc = parse_long("--base-page", arg, 0, POS_MAX, &o->base, e);
		break;
	case OPT_LIMIT:
		rc = parse_long("--limit", arg, 1, 1000000000, &o->limit, e);
		break;
	case OPT_LIMIT_PARAM:
		o->limit_param = arg;
		break;
	case OPT_MAX_OFFSET:
	case OPT_MAX_PAGE:
		rc = parse_long(opt == OPT_MAX_PAGE ? "--max-page" :
		    "--max-offset", arg, 0, POS_MAX, &o->maximum, e);
		break;
	case OPT_NO_STOP_EMPTY:
	case OPT_STOP_EMPTY:
		o->stop_after_empty = opt == OPT_STOP_EMPTY;
		o->stop_empty_set = 1;
		break;
	case OPT_OFFSET:
		rc = parse_long("--offset", arg, 0, POS_MAX, &o->start, e);
		break;
	case OPT_OFFSET_PARAM:
		o->offset_param = arg;
		break;
	case OPT_PAGE:
		rc = parse_long("--page", arg, 0, POS_MAX, &o->page, e);
		break;
	case OPT_PAGE_PARAM:
		o->page_param = arg;
		break;
	case OPT_SINGLE_PAGE:
		o->single = 1;
		break;
	default:
		return 0;
	}
	return rc == -1 ? -1 : 1;
}

/*
 * The options of what a page holds (its records, a total, has_more), and
 * of the run: its parents, its positions, its progress, its state.
 * Returns 1, 0 if opt is none of them, or -1 with e set.
 */
static int
run_option(struct pager_opts *o, int opt, const char *arg, struct err *e)
{
	long fd;
	int rc = 0;

	switch (opt) {
	case 'P':
		rc = parse_long("--parallel", arg, 1, 64, &o->parallel, e);
		break;
	case OPT_DATA_SELECTOR:
		o->data_selector = arg;
		break;
	case OPT_HAS_MORE_PATH:
		o->has_more_path = arg;
		break;
	case OPT_TOTAL_HEADER:
		o->total_header = arg;
		break;
	case OPT_TOTAL_PATH:
		o->total_path = *arg != '\0' ? arg : NULL;
		o->total_explicit = 1;
		break;
	case OPT_PARENTS:
		o->parents.file = arg;
		break;
	case OPT_PARENT_START:
		rc = parse_parent_start(&o->parents, arg, e);
		break;
	case OPT_POSITION_FD:
		if ((rc = parse_long("--position-fd", arg, 3, 1023, &fd, e)) ==
		    0)
			o->position_fd = (int)fd;
		break;
	case OPT_PROGRESS:
		o->progress = 1;
		break;
	case OPT_FULL_REFRESH:
		o->full_refresh = 1;
		break;
	case OPT_TABLE:
		o->table = arg;
		break;
	default:
		return 0;
	}
	return rc == -1 ? -1 : 1;
}

static int
option(void *opts, int opt, const char *arg, struct err *e)
{
	struct pager_opts *o = opts;
	int rc;

	if ((rc = reqopt_parse(&o->req, opt, arg, e)) != 0)
		return rc;
	chooses_paginator(o, opt);
	if (opt == OPT_PAGINATOR)
		return set_paginator(o, arg, e) == -1 ? -1 : 1;
	if ((rc = number_option(o, opt, arg, e)) != 0 ||
	    (rc = ref_option(o, opt, arg, e)) != 0 ||
	    (rc = run_option(o, opt, arg, e)) != 0)
		return rc;
	return wire_option(&o->wire, opt, arg, e);
}

static const struct option own[] = {
	{ "allow-other-host",	no_argument,	   NULL, OPT_ALLOW_OTHER_HOST },
	{ "allow-short",	no_argument,	   NULL, OPT_ALLOW_SHORT },
	{ "base-page",		required_argument, NULL, OPT_BASE_PAGE },
	{ "cursor",		required_argument, NULL, OPT_CURSOR },
	{ "cursor-body-path",	required_argument, NULL, OPT_CURSOR_BODY_PATH },
	{ "cursor-key",		required_argument, NULL, OPT_CURSOR_KEY },
	{ "cursor-param",	required_argument, NULL, OPT_CURSOR_PARAM },
	{ "cursor-path",	required_argument, NULL, OPT_CURSOR_PATH },
	{ "data-selector",	required_argument, NULL, OPT_DATA_SELECTOR },
	{ "full-refresh",	no_argument,	   NULL, OPT_FULL_REFRESH },
	{ "has-more-path",	required_argument, NULL, OPT_HAS_MORE_PATH },
	{ "limit",		required_argument, NULL, OPT_LIMIT },
	{ "limit-body-path",	required_argument, NULL, OPT_LIMIT_BODY_PATH },
	{ "limit-param",	required_argument, NULL, OPT_LIMIT_PARAM },
	{ "links-next-key",	required_argument, NULL, OPT_LINKS_NEXT_KEY },
	{ "max-offset",		required_argument, NULL, OPT_MAX_OFFSET },
	{ "max-page",		required_argument, NULL, OPT_MAX_PAGE },
	{ "next-url",		required_argument, NULL, OPT_NEXT_URL },
	{ "next-url-path",	required_argument, NULL, OPT_NEXT_URL_PATH },
	{ "no-stop-after-empty-page", no_argument, NULL, OPT_NO_STOP_EMPTY },
	{ "offset",		required_argument, NULL, OPT_OFFSET },
	{ "offset-body-path",	required_argument, NULL, OPT_OFFSET_BODY_PATH },
	{ "offset-param",	required_argument, NULL, OPT_OFFSET_PARAM },
	{ "page",		required_argument, NULL, OPT_PAGE },
	{ "page-body-path",	required_argument, NULL, OPT_PAGE_BODY_PATH },
	{ "page-param",		required_argument, NULL, OPT_PAGE_PARAM },
	{ "paginator",		required_argument, NULL, OPT_PAGINATOR },
	{ "parallel",		required_argument, NULL, 'P' },
	{ "parent-start",	required_argument, NULL, OPT_PARENT_START },
	{ "parents",		required_argument, NULL, OPT_PARENTS },
	{ "position-fd",	required_argument, NULL, OPT_POSITION_FD },
	{ "progress",		no_argument,	   NULL, OPT_PROGRESS },
	{ "single-page",	no_argument,	   NULL, OPT_SINGLE_PAGE },
	{ "stop-after-empty-page", no_argument,	   NULL, OPT_STOP_EMPTY },
	{ "table",		required_argument, NULL, OPT_TABLE },
	{ "total-header",	required_argument, NULL, OPT_TOTAL_HEADER },
	{ "total-path",		required_argument, NULL, OPT_TOTAL_PATH },
	{ NULL,			0,		   NULL, 0 }
};
static const struct option *const longopts[] = {
	own, reqopt_options, wire_longopts, NULL
};

/* The options the state of an incremental resource depends on. */
static const int early[] = { OPT_TABLE, OPT_FULL_REFRESH, 0 };

static const struct cli program = {
	.early = early,
	.name = PROGRAM_NAME,
	.flags = START_STDOUT,
	.synopsis = "usage: rest-paginate [options] URL\n"
	    "       rest-paginate -c FILE [-r NAME] [options] [URL]\n",
	.help = "paging options:\n"
	    "      --limit N              records per page (100)\n"
	    "      --offset N             first offset (0)\n"
	    "      --offset-param NAME    offset parameter (offset)\n"
	    "      --limit-param NAME     limit parameter (limit)\n"
	    "      --total-path PATH      where the total is (total); "
	    "'' for none\n"
	    "      --total-header NAME    the total is in header NAME "
	    "(X-Total-Count,\n"
	    "                             Content-Range); not dlt's\n"
	    "      --max-offset N         stop before offset N\n"
	    "      --no-stop-after-empty-page\n"
	    "                             go on after an empty page\n"
	    "      --has-more-path PATH   stop when PATH is false\n"
	    "      --data-selector PATH   where a page's records are\n"
	    "      --page-param NAME      page by number in NAME instead\n"
	    "      --page N               first page (the base page)\n"
	    "      --base-page N          number of the first page (0)\n"
	    "      --max-page N           stop before page N\n"
	    "      --single-page          fetch one page only\n"
	    "      --paginator TYPE       auto, offset, page_number, "
	    "single_page,\n"
	    "                             json_link, header_link, cursor or\n"
	    "                             header_cursor\n"
	    "      --allow-short          warn, not fail, when pages are "
	    "short\n"
	    "      --stop-after-empty-page\n"
	    "                             stop at an empty page (cursor "
	    "paging)\n"
	    "      --offset-body-path PATH\n"
	    "                             put the offset into the JSON body\n"
	    "      --limit-body-path PATH put the limit into the JSON body\n"
	    "      --page-body-path PATH  put the page into the JSON body\n"
	    "link and cursor paging:\n"
	    "      --next-url-path PATH   json_link: where the next URL is "
	    "(next)\n"
	    "      --links-next-key REL   header_link: the Link rel to follow "
	    "(next)\n"
	    "      --cursor-path PATH     cursor: where it is (cursors.next)\n"
	    "      --cursor-param NAME    the query parameter it goes in "
	    "(cursor)\n"
	    "      --cursor-body-path PATH\n"
	    "                             put it into the JSON body instead\n"
	    "      --cursor-key NAME      header_cursor: the header it is in "
	    "(next)\n"
	    "      --next-url URL         resume at URL (@FILE: its first "
	    "line)\n"
	    "      --cursor VALUE         resume at cursor VALUE (@FILE too)\n"
	    "      --allow-other-host     follow links to another host, "
	    "without\n"
	    "                             credentials\n"
	    "      --position-fd FD       after each page, write the "
	    "option that\n"
	    "                             resumes after it to FD\n"
	    WIRE_USAGE
	    "      --table FILE           read the incremental state of "
	    "FILE\n"
	    "                             (TABLE.jsonl, as rest-merge -c "
	    "writes it)\n"
	    "      --full-refresh         ignore the incremental state "
	    "(start over)\n"
	    CLI_CONFIG_USAGE
	    "  -P, --parallel N           fetch up to N pages at once (1); of a\n"
	    "                             child resource, up to N parents\n"
	    "      --progress             show progress on stderr\n"
	    "child resources:\n"
	    "      --parents FILE         the parent's records, one a line (-: "
	    "stdin),\n"
	    "                             instead of fetching them\n"
	    "      --parent-start N[:HASH]\n"
	    "                             skip the first N parent records "
	    "(resume; HASH:\n"
	    "                             check that they did not change)\n",
	.more = REQOPT_USAGE,
	.shortopts = "P:" REQOPT_SHORT,
	.longopts = longopts,
	.parts = CONFIG_REQUEST | CONFIG_PAGER | CONFIG_SELECT,
	.config = config,
	.option = option
};

/* Check the options of link and cursor paging, and fill in dlt's defaults. */
static void
check_refs(struct pager_opts *o)
{
	/* A resume of a detected link or cursor paginator detects again. */
	int resumed = o->ref == PAGER_NONE && o->start_ref != NULL &&
	    o->autodetect != AUTO_OFF;

	if (resumed)
		o->ref = o->start_cursor ? PAGER_CURSOR : PAGER_JSON_LINK;
	if (o->ref == PAGER_NONE) {
		if (o->start_ref != NULL)
			die(EX_USAGE, "--next-url and --cursor resume link and "
			    "cursor paging: give its paginator too");
		if (o->offset_body_path != NULL && o->page_param != NULL)
			die(EX_USAGE, "--offset-body-path is for offset "
			    "paging, not page numbers");
		return;
	}
	if (o->autodetect == AUTO_OPTION && !resumed)
		die(EX_USAGE, "--paginator auto and link or cursor options: "
		    "give one or the other");
	if (!resumed)
		o->autodetect = AUTO_OFF;
	if (o->single || o->page_param != NULL)
		die(EX_USAGE, "link and cursor paging do not go with page "
		    "numbers or --single-page");
	if (o->offset_body_path != NULL || o->limit_body_path != NULL ||
	    o->page_body_path != NULL)
		die(EX_USAGE, "the body paths of offsets and pages do not go "
		    "with link and cursor paging");
	if (o->next_url_path == NULL)
		o->next_url_path = "next";
	if (o->links_next_key == NULL)
		o->links_next_key = "next";
	if (o->cursor_path == NULL)
		o->cursor_path = "cursors.next";
	if (o->cursor_key == NULL)
		o->cursor_key = "next";
	if (o->cursor_param == NULL)
		o->cursor_param = "cursor";
	if (o->ref == PAGER_CURSOR && o->cursor_body_path != NULL &&
	    o->cursor_param != NULL && strcmp(o->cursor_param, "cursor") != 0)
		die(EX_USAGE, "give --cursor-param or --cursor-body-path, not "
		    "both");
	if (*o->cursor_param == '\0' || *o->cursor_key == '\0' ||
	    *o->links_next_key == '\0')
		die(EX_CONFIG, "the paging parameters need names");
	if (o->parallel > 1) {
		warnmsg("warning: --parallel %ld: link and cursor paging is "
		    "sequential (each page names the next): fetching one page "
		    "at a time", o->parallel);
		o->parallel = 1;
	}
}

/*
 * Check the options together, take the URL (the operand, else the
 * configuration's) and settle what was left to be decided.
 */
static void
check_options(struct pager_opts *o, int argc, char *argv[],
    const struct config *c)
{
	struct err e = { 0 };

	if (o->position_fd >= 0 && fcntl(o->position_fd, F_GETFD) == -1)
		die(EX_USAGE, "--position-fd: %d is not open", o->position_fd);
	if (wire_sink_open(&o->report, program.name, (int)o->wire.fd,
	    o->wire.file, &e) == -1)
		die_err(&e);
	wire_catch_die(&o->report);
	/* The process that reads the report resumes: no advice to people. */
	if (o->wire.fd >= 0)
		o->quiet_resume = 1;
	if (argc == 1)
		o->url = argv[0];
	else if (argc == 0 && c->url != NULL)
		o->url = c->url;
	else
		cli_usage(&program, EX_USAGE);
	if (*o->offset_param == '\0' || *o->limit_param == '\0' ||
	    (o->page_param != NULL && *o->page_param == '\0'))
		die(EX_CONFIG, "the paging parameters need names");
	if (o->page_param != NULL && o->page >= 0 && o->page < o->base)
		die(EX_CONFIG, "--page: %ld is below --base-page %ld", o->page,
		    o->base);
	if (o->total_path == NULL && !o->stop_after_empty && !o->single &&
	    o->maximum < 0 && o->has_more_path == NULL && o->ref == PAGER_NONE)
		die(EX_USAGE, "paging would never stop: give --total-path, "
		    "--max-offset or --has-more-path, or stop after an empty "
		    "page");
	if (o->autodetect == AUTO_OPTION && o->kind_option != NULL)
		die(EX_USAGE, "--paginator auto and %s: give one or the other",
		    o->kind_option);
	if (o->autodetect == AUTO_CONFIG && o->kind_option != NULL)
		o->autodetect = AUTO_OFF;
	/* A resume by page number of a detected page_number paginator. */
	if (o->autodetect != AUTO_OFF && o->page >= 0)
		o->page_param = "page";
	/* A header's total replaces the body's default one. */
	if (o->total_header != NULL) {
		if (*o->total_header == '\0')
			die(EX_CONFIG, "--total-header: a header needs a name");
		if (o->total_explicit && o->total_path != NULL)
			die(EX_USAGE, "--total-header and --total-path: give "
			    "one or the other");
		o->total_path = NULL;
	}
	check_refs(o);
	if (o->progress == -1)
		o->progress = isatty(STDERR_FILENO);
	if (o->req.http.silent)
		o->progress = 0;
}

/* The start and end values bound to start_param and end_param, as dlt. */
void
settle_incremental(struct pager_opts *o)
{
	const struct incremental *inc = o->incr;

	if (inc == NULL) {
		if (o->full_refresh || o->table != NULL)
			die(EX_USAGE, "%s: the resource loads no increments",
			    o->full_refresh ? "--full-refresh" : "--table");
		return;
	}
	if (inc->start_param != NULL && o->incr_start != NULL)
		add_query(o, inc->start_param, o->incr_start);
	if (inc->end_param != NULL && inc->end != NULL)
		add_query(o, inc->end_param, inc->end);
}

void
options_read(struct pager_opts *o, int *argc, char ***argv,
    struct config *c, const char *rec)
{
	*o = (struct pager_opts){
		.limit = 100, .offset_param = "offset", .limit_param = "limit",
		.total_path = "total", .page = -1, .maximum = -1,
		.stop_after_empty = 1, .parallel = 1, .position_fd = -1,
		.progress = -1, .wire = { .fd = -1 }
	};
	reqopt_init(&o->req);
	buf_init(&o->columns, 0);
	cli_start_record(&program, argc, argv, c, o, rec);
	check_options(o, *argc, *argv, c);
	if (c->parent == NULL && (o->parents.file != NULL ||
	    o->parents.start_set))
		die(EX_USAGE, "--parents and --parent-start are for a child "
		    "resource (one with a resolve parameter or a "
		    "{resources.NAME.FIELD} placeholder)");
	o->parents.config = c->file;
}

void
options_free(struct pager_opts *o, struct config *c)
{
	free(o->incr_start);
	reqopt_free(&o->req);
	free(o->start_buf);
	buf_free(&o->columns);
	config_free(c);
}
