/*
 * pager.h: what the files of rest-paginate share.
 *
 *   paginate.c	main
 *   options.c	the options and the configuration, as struct pager_opts
 *   pager.c	the driver: requests in flight, pages taken in order,
 *		written, counted and told
 *   page.c	a page read: parsed, its records found, has_more read
 *   detect.c	an "auto" paginator settled from the first response
 *   report.c	what a run says of itself: a failure, where to resume,
 *		its end
 *   numbers.c	the offset and page_number paginators (numeric positions)
 *   single.c	the single_page paginator
 *   links.c	the json_link, header_link, cursor and header_cursor
 *		paginators (a reference to the next page)
 *   body.c	a position put into the JSON body of a request
 *   parents.c	a child resource: a run for each record of its parent
 *
 * The driver calls a paginator only through struct paginator, and no
 * paginator calls the driver: what both need (parsing a page, saying a
 * failure or a position) is in page.c and report.c, which call neither.
 */
#ifndef PAGER_H
#define PAGER_H

#include <limits.h>
#include <signal.h>
#include <stdnoreturn.h>

#include "base/buf.h"
#include "base/hash.h"
#include "json/jpath.h"
#include "json/json.h"
#include "net/detect.h"
#include "net/http.h"
#include "dlt/config.h"
#include "dlt/reqopt.h"

#define PROGRAM_NAME	"rest-paginate"

/* The largest offset (or page) paging may reach, as the options allow. */
#define POS_MAX	(LONG_MAX / 2)

/* Whether to detect the paginator: no, for a configuration, for --paginator. */
enum { AUTO_OFF, AUTO_CONFIG, AUTO_OPTION };

/* How a child resource's parents come. */
struct parent_opts {
	const char	*config;	/* -c FILE */
	const char	*file;		/* --parents FILE (- stdin), or NULL */
	long		 start;		/* --parent-start: records to skip */
	int		 start_set;
	uint64_t	 check;		/* N:HASH: their keys, hashed */
	int		 checked;	/* a HASH was given */
};

/*
 * What the user asked for, by options and a configuration: settled before
 * paging starts, and never changed by it.
 */
struct pager_opts {
	struct reqopt	 req;
	const char	*url;
	long		 limit;
	long		 start;		/* --offset; a configuration's page */
	long		 page;		/* --page, or -1 */
	const char	*offset_param;
	const char	*limit_param;
	const char	*total_path;	/* NULL: totals are off */
	int		 total_explicit;
	const char	*total_header;	/* the total from this header */
	long		 maximum;	/* --max-offset, --max-page; -1: none */
	const char	*page_param;	/* page-number paging when set */
	long		 base;		/* the first page's number, or 0 */
	int		 single;	/* one page only */
	int		 stop_after_empty;
	int		 allow_short;	/* short pages are warnings */
	const char	*has_more_path;
	const char	*data_selector;	/* NULL: detect on the first page */
	int		 autodetect;	/* AUTO_*: detect the paginator */
	const char	*kind_option;	/* an option that chose a paginator */
	long		 parallel;
	int		 position_fd;	/* -1, or where each resume goes */
	struct wire_args wire;		/* --report-fd, --report */
	struct wire_sink report;	/* where the records go (wire.h) */
	int		 progress;	/* -1: when stderr is a terminal */
	/* Body paths: the position goes into the JSON body instead. */
	const char	*offset_body_path, *limit_body_path, *page_body_path;
	/* Link and cursor paging (links.c): PAGER_NONE when off. */
	enum pager_type	 ref;
	const char	*next_url_path;	/* json_link */
	const char	*links_next_key; /* header_link */
	const char	*cursor_path;	/* cursor */
	const char	*cursor_param;	/* cursor, header_cursor */
	const char	*cursor_body_path; /* cursor, instead of the param */
	const char	*cursor_key;	/* header_cursor: the header */
	const char	*start_ref;	/* --next-url or --cursor, or NULL */
	int		 start_cursor;	/* start_ref is a --cursor */
	char		*start_buf;	/* start_ref read from @FILE */
	int		 stop_empty_set; /* stop_after_empty was given */
	int		 allow_other_host;
	/* A child resource's run for one parent: its include_from_parent. */
	struct buf	 columns;	/* "_posts_title":"..." or empty */
	/* Incremental loading: the state of the table fed. */
	const char	*table;		/* --table: whose state to read */
	int		 full_refresh;	/* ignore the incremental state */
	const char	*resource;	/* the configuration's, or NULL */
	const struct incremental *incr;	/* the configuration's, or NULL */
	char		*incr_start;	/* the incremental start, or NULL */
	struct parent_opts parents;	/* of a child resource */
	/*
	 * A run for one parent, or one whose report a process reads: that
	 * process says how to resume, not this one.
	 */
	int		 quiet_resume;
};

struct paginator;

/*
 * Where paging is.  A position is an offset, or a page number when
 * paging by page number (o->page_param set), or the count of pages in
 * link and cursor paging.
 */
struct pager {
	const struct pager_opts *o;
	const struct paginator *fam;	/* the family paging */
	long		 step;		/* from a page's position to the next */
	long		 pos;		/* of the next page to write */
	long		 first;		/* the position paging began at */
	struct jpath	*records, *total, *has_more;
	long		 known_total;	/* -1 until a page says */
	long		 header_total;	/* records, as a header says; or -1 */
	int		 warned_total;
	long		 short_offset;	/* a short page not yet known last */
	long		 short_count;
	long		 first_count;	/* records on the first page, or -1 */
	struct buf	 prev;		/* the page before, to catch a repeat */
	struct pager_opts *settle;	/* to settle an "auto" paginator */
	char		*found_selector; /* the records' selector detected */
	struct detected	 detected;
	int		 records_list;	/* the records are an array */
	long		 pages, nrecords;
	double		 started, shown_at;
	struct json	 json;
	struct http_req	**window;	/* pages fetched ahead, in order */
	struct buf	 position;	/* the option resuming after a page */
	/* Numeric paging: what the check of a page found, for its update. */
	long		 page_total;	/* the total it states, or -1 */
	int		 stop, more;	/* an empty page stops; has_more */
	/* Link and cursor paging. */
	struct jpath	*ref_path;	/* next_url_path, cursor_path */
	struct strtab	 seen;		/* every link or cursor followed */
	char		*ref_now;	/* to the page asked next, or NULL */
	char		*ref_next;	/* to the page after the one taken */
	struct buf	 ref_json;	/* the reference as the page had it */
	struct buf	 ref_body;	/* the reference as a body value */
	struct buf	 origin;	/* "scheme://host:port" of o->url */
	int		 bare;		/* the link goes without credentials */
	struct buf	 resume;	/* the option that resumes, or empty */
	struct buf	 resume_base;	/* the URL relative links start from */
	int		 resume_safe;	/* 0: it could hold the secret */
	int		 rec_tok;	/* the page's records, in json */
	struct http	*http;		/* the client of run(), while it runs */
	struct http_stats stats;	/* its counts, at its end */
};

/*
 * A family of paginators, as dlt's BasePaginator: the driver (pager.c)
 * asks it for each request and hands it each response, in order.
 */
struct paginator {
	/*
	 * Start paging at pg->pos (dlt's init_request).  Returns 0 when no
	 * page is to be asked for.
	 */
	int	(*init)(struct pager *);
	/*
	 * The request for the page at position pos (dlt's update_request),
	 * pos in its udata, from client pg->http.
	 */
	struct http_req *(*request)(struct pager *, long pos);
	/*
	 * 1 if the page at pos may be asked for before the page at pg->pos
	 * is taken: it is known to exist.
	 */
	int	(*ahead)(const struct pager *, long pos);
	/*
	 * Check the page of response r at pg->pos, parsed (parse_page())
	 * with count records, before it is written; exit if it is wrong.
	 * Put the option that resumes after it into position ("--offset
	 * 100"), and make *safe 0 if that could carry the secret.
	 */
	void	(*check)(struct pager *, struct http_req *r, long count,
		    struct buf *position, int *safe);
	/*
	 * The page is written and counted (dlt's update_state): 1 to go on
	 * to the next, 0 to stop.
	 */
	int	(*update)(struct pager *, struct http_req *r, long count);
	/*
	 * Response r was ignored, as response_actions or --ignore-* ask:
	 * nothing is written.  1 to go on, 0 to stop.
	 */
	int	(*ignored)(struct pager *, const struct http_req *r);
};

/* numbers.c: offset and page_number. */
extern const struct paginator numbers_paginator;
/* single.c: single_page, and an "auto" paginator's first request. */
extern const struct paginator single_paginator;
/* links.c: json_link, header_link, cursor and header_cursor. */
extern const struct paginator links_paginator;

/*
 * numbers.c's own steps, which single_page shares: it takes its one page
 * as numeric paging takes its first.
 */
int	numbers_init(struct pager *);
void	numbers_check(struct pager *, struct http_req *r, long count,
	    struct buf *position, int *safe);
int	numbers_update(struct pager *, struct http_req *r, long count);
int	numbers_ignored(struct pager *, const struct http_req *r);

/* options.c */

/*
 * Read the configuration and the command line into o and c, check them
 * together and complete them with dlt's defaults; exits on an error.
 * rec is the parent record of a run for one parent (parents_record()),
 * or NULL.
 */
void	options_read(struct pager_opts *o, int *argc, char ***argv,
	    struct config *c, const char *rec);

/* Bind the incremental start and end values to their parameters. */
void	settle_incremental(struct pager_opts *);

void	options_free(struct pager_opts *, struct config *);

/* Compile path, the value of option opt, or exit 78 naming both. */
struct jpath	*compile(const char *opt, const char *path);

/* pager.c */

/*
 * Set pg to start where o says: at --page, else at --offset (in page
 * mode never below the base page), with o's paths compiled, and what a
 * stop says before the first page is out.
 */
void	pager_init(struct pager *pg, struct pager_opts *o);

/* Page until the end, writing every page to stdout. */
void	run(struct pager *);

void	pager_free(struct pager *);

/* The counts of the report's "end" record, of a run that ended well. */
void	end_counts(const struct pager *, struct wire *);

/* page.c */

/*
 * Parse the page in r's body, find its records and flatten it to one line.
 * Returns how many records it holds; exits 65 when it is not JSON or the
 * selector matches nothing.  The first page of an "auto" paginator
 * settles it.
 */
long	parse_page(struct pager *, struct http_req *r);

/* 1 if the page (parsed) says there is more, 0 if not; else exits 65. */
int	read_has_more(struct pager *);

/* detect.c */

/*
 * Settle an "auto" paginator (pg->settle) from its first response r,
 * parsed, with count records, a list or not.
 */
void	settle(struct pager *pg, const struct http_req *r, long count,
	    int list);

/* report.c */

/*
 * Say how to resume (or that no position is safe to print) and exit with
 * status; the pages before are on stdout.
 */
noreturn void	fail(struct pager *, int status);

/* "page at offset N", or "page N" in link and cursor paging: static. */
const char	*where(const struct pager *);

/*
 * Say why request r failed for good, for people and for the report's
 * "fail" record (its URL, the secret hidden), and free it.  Returns its
 * exit status, for fail().
 */
int	failed_request(struct http_req *r);

/*
 * Send o's report the "fail" record of status: the reason and URL of
 * from (a run's own), or else the last reason said and the URL of the
 * request that failed, with the counts of client h if not NULL.
 */
void	pager_report_fail(const struct pager_opts *o, const struct http *h,
	    int status, const struct wire *from);

/*
 * Make position ("--cursor abc", "--offset 100", or NULL: from the
 * start) the one a signal and fail() say to resume with; safe 0 says
 * none is safe.
 */
void	set_resume_ref(struct pager *, const char *position, int safe);

/*
 * Catch SIGINT and SIGTERM: say how to resume (set_resume_ref()), and
 * end.  hold_stops() holds them while a page is written, until
 * release_stops().
 */
void	catch_stops(const struct pager_opts *);
void	hold_stops(sigset_t *saved);
void	release_stops(const sigset_t *saved);

/*
 * End the program: its output flushed and closed, then, if that went
 * well, the "end" record that says every page is out.  Returns the exit
 * status.
 */
int	report_end(const struct pager_opts *, const struct wire *end);

/*
 * Tell rest-merge that every page came, and the start value they were
 * asked from.
 */
void	end_incremental(const struct pager_opts *);

/* body.c */

/* Put value, a number or JSON text, at the dotted path of JSON body. */
void	body_set(struct buf *body, const char *opt, const char *path,
	    const char *value);

/* parents.c */

/*
 * The variable that hands a run for one parent (parents.c) the parent's
 * record, a JSON object on one line: the number of a descriptor to read
 * it from.
 */
#define PARENT_RECORD_ENV	"RESTPIPE_PARENT_RECORD"
#define PARENT_RECORD_MAX	((size_t)1 << 30)	/* bytes */

/* The resources whose parents are being fetched: "/a//b/". */
#define PARENT_CHAIN_ENV	"RESTPIPE_PARENT_CHAIN"

/*
 * The parent's record of a run for one parent, given it through
 * PARENT_RECORD_ENV, and given to the configuration's placeholders; or
 * NULL for any other run.
 */
char	*parents_record(void);

/*
 * A run for one parent, given its record rec (parents_record(); freed
 * here), or NULL: any other run.  Adds the include_from_parent columns
 * to o; the process that started the run says how to resume, and
 * handles stops.  Returns 1 for a run for one parent, else 0.
 */
int	parents_one(const struct config *c, char *rec, struct pager_opts *o);

/*
 * Run the child resource c, or in a dry run say what it is; then end
 * the run as main would (o and c freed).  Returns the exit status.
 */
int	parents_main(struct config *c, struct pager_opts *o, char **args);

/*
 * Run the child resource c: its pages for each record of its parent, in
 * the records' order, up to o->parallel runs of rest-paginate at once,
 * each with args (this command line, without the options of this
 * process) and the record in PARENT_RECORD_ENV.  After the pages of
 * each parent, says on o->position_fd and in o's report how to resume
 * (--parent-start N, and the position within parent N); passes the runs'
 * retries on to the report; adds their counts into end.  Returns 0 or
 * exits.
 */
int	parents_run(const struct parent_opts *, const struct config *c,
	    const struct pager_opts *o, char *const args[], struct wire *end);

/*
 * The include_from_parent columns of c from the record rec, as JSON
 * members into cols ("_posts_title":"x"); exits 65 when one is missing.
 */
void	parents_include(const struct config *c, const char *rec,
	    struct buf *cols);

/*
 * The page parsed in js into out, with cols added to each record (the
 * object at token i, or the objects of the array at i).
 */
void	parents_add_columns(const struct json *js, int i,
	    const struct buf *cols, struct buf *out);

#endif
