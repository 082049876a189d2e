/*
 * rest-select: read a stream of JSON values and write what a dlt
 * data_selector picks from each as JSON Lines.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/stop.h"
#include "json/jpath.h"
#include "json/json.h"
#include "json/wire.h"
#include "net/detect.h"
#include "dlt/cli.h"
#include "dlt/config.h"
#include "dlt/incr.h"

#define READ_MIN	(64 * 1024)	/* never ask read(2) for less */
#define BUF_START	(1024 * 1024)
#define VALUE_MAX	(1UL << 30)	/* "value too large" past this */
#define OUT_BUF		(256 * 1024)

/*
 * One input and the splitter's state.  buf[head..tail) holds the bytes not
 * yet consumed; a value in progress (scanning set) starts at head and has
 * been scanned up to head + scanned.  The value last returned starts at
 * vstart.  line and col locate buf[0] in the input.
 */
struct reader {
	const char	*name;
	int		 fd;
	int		 eof;
	char		*buf;
	size_t		 cap;
	size_t		 head, tail;
	size_t		 vstart, scanned;
	size_t		 scan_until;	/* no whole-line try before */
	size_t		 line, col;
	struct json_scan scan;
	int		 scanning;
};

struct selection {
	const char	*selector;
	struct jpath	*path;		/* NULL: detect on the first value */
	char		*detected;	/* the selector detected */
	int		 allow_missing;
	int		 verbose;	/* -v: say the counts at the end */
	unsigned long	 values, records;
	unsigned long	 marks;		/* of them, incremental end marks */
	struct json	 json;
	struct wire_args wire;		/* --report-fd, --report */
	struct wire_sink report;
};

static char outbuf[OUT_BUF];

/*
 * Writing stdout failed, or its reader left without reading it all.  After
 * a signal (stop.h) the stage before may have promised a resume offset
 * that counted on this output: say it is not safe, and die of the signal.
 */
static noreturn void
output_failed(void)
{
	if (stop_requested()) {
		warnmsg("interrupted: the next stage ended before reading all "
		    "it was sent, so a resume offset printed before is not "
		    "safe; rerun from the start");
		stop_finish();
	}
	exit(finish_stdout());
}

/* Locate byte off of the buffer as a line and a column of the input. */
static void
locate(const struct reader *r, size_t off, size_t *line, size_t *col)
{
	size_t l, c;

	json_linecol(r->buf, off, &l, &c);
	*line = r->line + l - 1;
	*col = l == 1 ? r->col + c - 1 : c;
}

/* Move the unconsumed bytes to the front, keeping track of the location. */
static void
compact_reader(struct reader *r)
{
	const char *p = r->buf, *end = r->buf + r->head, *nl;

	if (r->head == 0)
		return;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		r->line++;
		r->col = 1;
		p = nl + 1;
	}
	r->col += (size_t)(end - p);
	memmove(r->buf, r->buf + r->head, r->tail - r->head);
	r->tail -= r->head;
	r->scan_until -= r->scan_until > r->head ? r->head : r->scan_until;
	r->head = 0;
}

/* Read more input; sets r->eof at the end. */
static void
fill(struct reader *r)
{
	size_t line, col;
	ssize_t n;

	compact_reader(r);
	if (r->cap - r->tail < READ_MIN) {
		if (r->cap >= VALUE_MAX + READ_MIN) {
			locate(r, r->head, &line, &col);
			die(EX_DATAERR, "%s:%zu:%zu: value too large", r->name,
			    line, col);
		}
		r->cap = r->cap == 0 ? BUF_START : r->cap * 2;
		if (r->cap > VALUE_MAX + READ_MIN)
			r->cap = VALUE_MAX + READ_MIN;
		r->buf = xrealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->tail, r->cap - r->tail);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		die(EX_IOERR, "%s:", r->name);
	if (n == 0)
		r->eof = 1;
	r->tail += (size_t)n;
}

/*
 * Find the next value: skip whitespace, then scan to its end, reading as
 * needed.  Returns 1 with r->vstart and *end set, 0 at the end of input.
 * A value cut short by the end of input is returned as it is, for the
 * parser to report.
 *
 * Most streams hold one value a line, so when the rest of the line is
 * already read the line itself is offered first (*whole_line set): the
 * parser validates it anyway, and the scan only runs when that fails.
 */
static int
next_value(struct reader *r, size_t *end, int *whole_line)
{
	const unsigned char *p;
	const char *nl;

	*whole_line = 0;
	for (;;) {
		if (!r->scanning) {
			p = (const unsigned char *)r->buf + r->head;
			while (p < (const unsigned char *)r->buf + r->tail &&
			    (*p == ' ' || *p == '\t' || *p == '\n' ||
			    *p == '\r'))
				p++;
			r->head = (size_t)((const char *)p - r->buf);
			if (r->head < r->tail && r->head >= r->scan_until &&
			    (nl = memchr(p, '\n', r->tail - r->head)) != NULL) {
				*end = (size_t)(nl - r->buf);
				*whole_line = 1;
				r->vstart = r->head;
				r->head = *end;
				return 1;
			}
			if (r->head < r->tail) {
				json_scan_init(&r->scan);
				r->scanned = 0;
				r->scanning = 1;
			}
		}
		if (r->scanning && json_scan(&r->scan, r->buf + r->head,
		    r->tail - r->head, r->eof, &r->scanned)) {
			*end = r->head + r->scanned;
			break;
		}
		if (r->eof) {
			if (!r->scanning)
				return 0;
			*end = r->tail;
			break;
		}
		fill(r);
	}
	r->scanning = 0;
	r->vstart = r->head;
	r->head = *end;
	return 1;
}

/*
 * A resource without a data_selector: dlt's guess on the first value
 * (lib/net/detect.h), as rest-paginate guesses it, kept for every value
 * after, as dlt keeps it for every page.
 */
static void
detect_selector(struct selection *sel)
{
	const char *err;
	int list;

	sel->detected = detect_records(&sel->json, &list);
	sel->selector = sel->detected;
	if ((sel->path = jpath_compile(sel->selector, &err)) == NULL)
		die(EX_SOFTWARE, "detected selector '%s': %s", sel->selector,
		    err);
}

/*
 * Parse one value and write what the selector picks from it.  Returns 0,
 * or -1 when a whole line offered as a value is not exactly one value.
 * The parse validates every byte but makes tokens only down to the picked
 * value's elements: the records of a page go out as spans of the input,
 * their insides never tokenized.
 */
static int
select_value(struct selection *sel, struct reader *r, size_t end,
    int whole_line, size_t ordinal)
{
	struct json *j = &sel->json;
	struct json_error err;
	size_t line, col;
	long n;
	int t;

	/* rest-paginate's end of an incremental run goes on to rest-merge. */
	if (end - r->vstart > sizeof(INCR_END_MARK) - 1 &&
	    memcmp(r->buf + r->vstart, INCR_END_MARK,
	    sizeof(INCR_END_MARK) - 1) == 0) {
		fwrite(r->buf + r->vstart, 1, end - r->vstart, stdout);
		putchar('\n');
		sel->records++;
		sel->marks++;
		return 0;
	}
	/* Detection looks at arrays three keys deep at most. */
	if (json_parse_shallow(j, r->buf + r->vstart, end - r->vstart,
	    sel->path != NULL ? jpath_depth(sel->path) + 1 : 4, &err) == -1) {
		if (whole_line)
			return -1;
		locate(r, r->vstart + err.off, &line, &col);
		/* The stage before was stopped: it may have cut its last value. */
		if (stop_requested() && r->eof && end == r->tail) {
			warnmsg("%s:%zu:%zu: interrupted: the last value is "
			    "incomplete; not selected", r->name, line, col);
			return 0;
		}
		die(EX_DATAERR, "%s:%zu:%zu: %s", r->name, line, col, err.msg);
	}
	if (sel->path == NULL)
		detect_selector(sel);
	if ((t = jpath_eval(sel->path, j, 0)) == -1) {
		if (sel->allow_missing)
			return 0;
		locate(r, r->vstart, &line, &col);
		die(EX_DATAERR, "%s:%zu: value %zu: selector '%s' matched "
		    "nothing", r->name, line, ordinal, sel->selector);
	}
	if (!json_is_null(j, t)) {
		if ((n = json_write_lines(j, t, stdout)) == -1)
			output_failed();
		sel->records += (unsigned long)n;
	}
	return 0;
}

static void
select_input(struct selection *sel, struct reader *r, const char *file)
{
	struct stat st;
	size_t end, ordinal = 0;
	int whole_line;

	if (strcmp(file, "-") == 0) {
		r->name = "<stdin>";
		r->fd = STDIN_FILENO;
	} else {
		r->name = file;
		if ((r->fd = open(file, O_RDONLY)) == -1)
			die(EX_NOINPUT, "%s:", file);
		if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			die(EX_NOINPUT, "%s:", file);
		}
	}
	r->eof = 0;
	r->head = r->tail = r->vstart = r->scanned = r->scan_until = 0;
	r->line = r->col = 1;
	r->scanning = 0;
	while (next_value(r, &end, &whole_line)) {
		if (select_value(sel, r, end, whole_line, ordinal + 1) == -1) {
			/* Not one value: scan this line the slow way. */
			r->head = r->vstart;
			r->scan_until = end;
			continue;
		}
		ordinal++;
		sel->values++;
		if (ferror(stdout))
			output_failed();
	}
	if (r->fd != STDIN_FILENO)
		close(r->fd);
}

static const struct option own[] = {
	{ "allow-missing",	no_argument,	NULL, 'm' },
	{ "verbose",		no_argument,	NULL, 'v' },
	{ NULL,			0,		NULL, 0 }
};
static const struct option *const longopts[] = { own, wire_longopts, NULL };

static int
option(void *sel, int opt, const char *arg, struct err *e)
{
	if (opt == 'm')
		((struct selection *)sel)->allow_missing = 1;
	else if (opt == 'v')
		((struct selection *)sel)->verbose = 1;
	else
		return wire_option(&((struct selection *)sel)->wire, opt, arg,
		    e);
	return 1;
}

static const struct cli program = {
	.name = "rest-select",
	.flags = START_STDOUT | CLI_DEFER_STOP,
	.synopsis = "usage: rest-select [-hmv] [--report file] [--report-fd fd] "
	    "[--version] PATH\n"
	    "                   [FILE ...]\n"
	    "       rest-select -c CONFIG [-r RESOURCE] [-hmv] [FILE ...]\n",
	.help = "  -m, --allow-missing        skip the values PATH matches "
	    "nothing in\n"
	    "  -v, --verbose              at the end, say how many records "
	    "came from how\n"
	    "                             many values\n"
	    WIRE_USAGE
	    "  -c, --config FILE          PATH is this dlt configuration's "
	    "data_selector\n"
	    "  -r, --resource NAME        the resource to read from it\n",
	.shortopts = "mv",
	.longopts = longopts,
	.parts = CONFIG_SELECT,
	.option = option
};

/*
 * Take the selector: with a configuration its data_selector, or detected
 * if it has none, and then every operand is a file; else the first
 * operand, PATH.  Leaves the files in (*argvp)[1..*argcp).
 */
static void
take_selector(struct selection *sel, const struct config *cfg, int *argcp,
    char ***argvp)
{
	const char *err;

	if (cfg->name != NULL) {
		(*argcp)++;
		(*argvp)--;
		sel->selector = cfg->data_selector;
	} else if (*argcp < 1) {
		cli_usage(&program, EX_USAGE);
	} else {
		sel->selector = (*argvp)[0];
	}
	if (sel->selector != NULL &&
	    (sel->path = jpath_compile(sel->selector, &err)) == NULL)
		die(EX_CONFIG, "unsupported selector '%s': %s; supported: %s",
		    sel->selector, err, jpath_syntax);
}

int
main(int argc, char *argv[])
{
	struct config cfg;
	struct selection sel = { 0 };
	struct reader r;
	struct err e = { 0 };
	struct wire w;
	int c, i;

	sel.wire.fd = -1;
	cli_start(&program, &argc, &argv, &cfg, &sel);
	if (wire_sink_open(&sel.report, program.name, (int)sel.wire.fd,
	    sel.wire.file, &e) == -1)
		die_err(&e);
	wire_catch_die(&sel.report);
	take_selector(&sel, &cfg, &argc, &argv);
	/* Reading a pipe alone, a signal ends the input, not the output. */
	for (i = 1; i < argc && strcmp(argv[i], "-") == 0; i++)
		;
	if (i < argc && (c = stop_cancel()) != 0)
		raise(c);
	json_init(&sel.json);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	memset(&r, 0, sizeof(r));

	if (argc == 1)
		select_input(&sel, &r, "-");
	for (i = 1; i < argc; i++)
		select_input(&sel, &r, argv[i]);

	free(r.buf);
	json_free(&sel.json);
	jpath_free(sel.path);
	free(sel.detected);
	config_free(&cfg);
	if (stop_requested() && (fflush(stdout) == EOF ||
	    stop_drain(STDOUT_FILENO) > 0))
		output_failed();
	if ((c = finish_stdout()) == EX_OK)
		stop_finish();
	if (c == EX_OK && sel.verbose)
		warnmsg("%lu record%s from %lu value%s", sel.records,
		    sel.records == 1 ? "" : "s", sel.values, sel.values == 1 ?
		    "" : "s");
	if (c == EX_OK) {
		/* The records of the API: an end mark is none. */
		wire_init(&w, WIRE_END, NULL);
		w.records = (long long)(sel.records - sel.marks);
		w.values = (long long)(sel.values - sel.marks);
		if (wire_send(&sel.report, &w) == -1) {
			warnmsg("--report: write failed:");
			c = EX_IOERR;
		}
	}
	return c;
}
