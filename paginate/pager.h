/*
 * pager.h: what rest-paginate's paging families share.  paginate.c drives
 * offset and page-number paging and holds main; links.c follows a link
 * or a cursor to the next page (dlt's json_link, header_link, cursor and
 * header_cursor paginators), one page at a time.
 */
#ifndef PAGER_H
#define PAGER_H

#include <limits.h>
#include <stdnoreturn.h>

#include "base/buf.h"
#include "dlt/config.h"
#include "net/detect.h"
#include "base/hash.h"
#include "net/http.h"
#include "json/jpath.h"
#include "json/json.h"
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
	/* A run for one parent, or one whose report is read: its starter
	   says how to resume, not this process. */
	int		 quiet_resume;
};

/*
 * Where paging is.  A position is an offset, or a page number when
 * paging by page number (o->page_param set).
 */
struct pager {
	const struct pager_opts *o;
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
	/* Link and cursor paging. */
	struct jpath	*ref_path;	/* next_url_path, cursor_path */
	struct strtab	 seen;		/* every link or cursor followed */
	struct buf	 resume;	/* the option that resumes, or empty */
	struct buf	 resume_base;	/* the URL relative links start from */
	int		 resume_safe;	/* 0: it could hold the secret */
	int		 rec_tok;	/* the page's records, in json */
	struct http	*http;		/* the client of run(), while it runs */
	struct http_stats stats;	/* its counts, at its end */
};

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


/*
 * Read the configuration and the command line into o and c, check them
 * together and complete them with dlt's defaults; exits on an error.
 */
void	options_read(struct pager_opts *o, int *argc, char ***argv,
	    struct config *c);

/* Bind the incremental start and end values to their parameters. */
void	settle_incremental(struct pager_opts *);

void	options_free(struct pager_opts *, struct config *);

/* Compile path, the value of option opt, or exit 78 naming both. */
struct jpath	*compile(const char *opt, const char *path);

/*
 * Say how to resume (or that no position is safe to print) and exit with
 * status; the pages before are on stdout.
 */
noreturn void	fail(struct pager *, int status);

/* "page at offset N", or "page N" in link and cursor paging: static. */
const char	*where(const struct pager *);

/*
 * Parse the page in r's body, find its records and flatten it to one line.
 * Returns how many records it holds; exits 65 when it is not JSON or the
 * selector matches nothing.
 */
long	parse_page(struct pager *, struct http_req *r);

/* 1 if the page (parsed) says there is more, 0 if not; else exits 65. */
int	read_has_more(struct pager *);

/*
 * Write a page already flattened to one line, holding count records,
 * then make position (an option and its value: "--cursor abc") the one
 * a signal, a failure, --position-fd and the report say to resume with;
 * safe 0 prints none.
 */
void	write_ref_page(struct pager *, const struct buf *body,
	    const char *position, int safe, long count);

/*
 * Say why request r failed for good, for people and for the report's
 * "fail" record (its URL, the secret hidden), and free it.  Returns its
 * exit status, for fail().
 */
int	failed_request(struct http_req *r);

/*
 * Send o's report the "fail" record of status: the reason and URL of
 * from (a run's own), or else the last reason said and the URL of the
 * request that failed.
 */
void	pager_report_fail(const struct pager_opts *o, int status,
	    const struct wire *from);

/*
 * Make position ("--cursor abc", or NULL: from the start) the one a
 * signal and fail() say to resume with; safe 0 says none is safe.
 */
void	set_resume_ref(struct pager *, const char *position, int safe);

void	show_progress(struct pager *, int last);

/* Put value, a number or JSON text, at the dotted path of JSON body. */
void	body_set(struct buf *body, const char *opt, const char *path,
	    const char *value);

/*
 * Page by links or cursors (o->ref) through client h until the end,
 * from first, the first page's response already fetched (freed here),
 * or NULL to fetch it.
 */
void	run_links(struct pager *, struct http *h, struct http_req *first);

#endif
