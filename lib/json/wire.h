/*
 * wire.h: what one restpipe program tells another for a machine to act
 * on.  stderr is for people and may be reworded freely; these records
 * are a promise.  Each is one JSON object on a line of its own, written
 * with one write(2):
 *
 *	{"wire":1,"kind":"page","stage":"rest-paginate",
 *	 "position":"--offset 200","pages":2,"requests":3,"records":200}
 *
 * "wire" is the version: a reader refuses a version it does not know,
 * and ignores members it does not know (a member added keeps the
 * version; a meaning changed bumps it).  The kinds, and the members each
 * may have (a count not known is left out):
 *
 *	page	after each page written to stdout: "position" (how to resume
 *		after it, see below), "pages", "requests", "records" so far,
 *		"total" when the API gave one
 *	retry	a request failed and will be sent again: "cause" (the HTTP
 *		status, or "timeout", "connect", "reset", "transport"),
 *		"attempt" (1 for the first failure), "attempts" (the most
 *		there will be), "wait" (seconds), "url" (redacted)
 *	end	the program reached the end of its input or of the API and
 *		succeeded: rest-paginate "pages", "requests", "records",
 *		"sent" (requests by status class: "2xx", "3xx", "4xx", "5xx",
 *		"transport"), "retries" (by cause), "longest_wait";
 *		rest-select "records", "values"; rest-merge "inserted",
 *		"updated", "unchanged", "deleted", "rows", or "already": true
 *		when the run had committed before
 *	cursor	rest-merge committed an incremental state: "cursor_path",
 *		"value" (the JSON value, as text)
 *	fail	the failure that ends the program: "status" (its exit
 *		status), "reason" (one line, the secret hidden), "url" (the
 *		request's, redacted) when a request failed
 *
 * Every record carries "stage", the program's name.  A run is complete
 * only if its programs wrote "end" and exited 0.
 *
 * The position is the options that resume after a page, as one string:
 * "--offset N", "--page N", "--next-url URL", "--cursor VALUE" (a URL
 * or a cursor: any text on one line, empty after the last page), or,
 * for a child resource, "--parent-start N" or "--parent-start N:HASH"
 * (HASH, 16 hex digits, of the keys of the first N parent records),
 * followed by one space and the position within parent N, if any.  A
 * link or a cursor may hold the secret: a record with one is not for
 * people's eyes, and a report file is made mode 0600.
 */
#ifndef WIRE_H
#define WIRE_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"

#define WIRE_VERSION	1
#define WIRE_LINE_MAX	65536	/* a longer record is refused */
#define WIRE_TALLIES	16	/* causes or classes in one record */
#define WIRE_POSITION_MAX 32768	/* a link or a cursor, with its option */

enum wire_kind { WIRE_PAGE, WIRE_RETRY, WIRE_END, WIRE_CURSOR, WIRE_FAIL };

/* A count by name: a retry cause ("503") or a status class ("2xx"). */
struct wire_tally {
	char		 name[16];
	long long	 n;
};

/*
 * One record.  Numbers not known are -1, strings NULL; a record read
 * owns its strings (wire_free()), one to write may point anywhere.
 */
struct wire {
	enum wire_kind	 kind;
	char		*stage;
	char		*position;
	long long	 pages, requests, records, values, total;
	long long	 inserted, updated, unchanged, deleted, rows;
	int		 already;
	char		*cause;
	long long	 attempt, attempts;
	double		 wait, longest_wait;	/* -1: not known */
	char		*url;
	struct wire_tally sent[WIRE_TALLIES];
	size_t		 nsent;
	struct wire_tally retries[WIRE_TALLIES];
	size_t		 nretries;
	char		*cursor_path;
	char		*value;
	int		 status;		/* -1: not known */
	char		*reason;
};

/* Make w a record of kind from stage, every member not known. */
void	wire_init(struct wire *w, enum wire_kind kind, const char *stage);

/* Free the strings of a record wire_parse() filled, and reset it. */
void	wire_free(struct wire *w);

/* Add n to the tally named name in t (*nt of them); -1 if t is full. */
int	wire_tally_add(struct wire_tally *t, size_t *nt, const char *name,
	    long long n);

/* Append the tallies t as a JSON object, {"503":2,...}, to b. */
void	wire_tallies_json(struct buf *b, const struct wire_tally *t,
	    size_t n);

/* The count named name in t, or 0. */
long long wire_tally_get(const struct wire_tally *t, size_t nt,
	    const char *name);

/* The name of a kind ("page"), or NULL. */
const char *wire_kind_name(enum wire_kind);

/* Append w to b as a line. */
void	wire_format(const struct wire *w, struct buf *b);

/*
 * Read the record on line[0..n) (a line break at its end is allowed)
 * into w, whose strings are then owned.  Returns 0; or -1 with e set
 * (EX_DATAERR) and w empty: not JSON, not an object, a version other
 * than WIRE_VERSION, a kind not known, a member known with a value of
 * the wrong type.
 */
int	wire_parse(const char *line, size_t n, struct wire *w, struct err *e);

/*
 * Where a program writes its records: the descriptor its parent named
 * (--report-fd) and a file (--report), either or both.
 */
struct wire_sink {
	int		 fd;		/* -1: none */
	int		 file;		/* -1: none */
	const char	*stage;		/* the program's name */
};

/*
 * Set up s for stage: fd (-1 for none) must be open; path (NULL for
 * none) is created or truncated, mode 0600.  Returns 0, or -1 with e set
 * (EX_USAGE for a descriptor that is not open, EX_CANTCREAT).
 */
int	wire_sink_open(struct wire_sink *s, const char *stage, int fd,
	    const char *path, struct err *e);

/* 1 if s writes anywhere. */
int	wire_sink_on(const struct wire_sink *s);

/*
 * Write w to each of s's outputs in one write(2) each.  Returns 0, or
 * -1 with errno set if a write failed (the reader is gone, the disk
 * full): what the caller does then is its own decision.
 */
int	wire_send(const struct wire_sink *s, const struct wire *w);

/*
 * From now on, die() and die_err() also send a "fail" record with the
 * status and the message to s, which must stay valid.  NULL stops it.
 */
void	wire_catch_die(const struct wire_sink *s);

/*
 * The options every program that reports takes: --report-fd N and
 * --report FILE, codes WIRE_OPT_* (between cli.h's OPT_REQUEST and
 * OPT_PROGRAM), in a table to add to a program's long options, with the
 * help lines of WIRE_USAGE.
 */
enum { WIRE_OPT_REPORT_FD = 480, WIRE_OPT_REPORT };

#define WIRE_USAGE \
"      --report FILE          write the report for machines (see the man\n" \
"                             page's REPORT) to FILE\n" \
"      --report-fd FD         and to descriptor FD, as a parent names it\n"

extern const struct option wire_longopts[];

/* What the options said: -1 and NULL without them. */
struct wire_args {
	long		 fd;
	const char	*file;
};

/*
 * Take option opt of the table above into a: 1 if it is one of them, 0
 * if not, or -1 with e set for a bad value.
 */
int	wire_option(struct wire_args *a, int opt, const char *arg,
	    struct err *e);

/* A position, parsed: see the top of this file. */
enum wire_pos_kind { POS_NONE, POS_OFFSET, POS_PAGE, POS_NEXT_URL,
	POS_CURSOR };

struct wire_pos {
	int		 parent;	/* a --parent-start part came first */
	long long	 parent_n;
	uint64_t	 parent_hash;
	int		 hashed;	/* parent_hash was given */
	enum wire_pos_kind kind;	/* POS_NONE: the parent part alone */
	long long	 n;		/* an offset or a page */
	const char	*ref;		/* a link or cursor, into the string */
};

/* Parse position s into p; returns 0, or -1 if it is not one. */
int	wire_pos_parse(const char *s, struct wire_pos *p);

/*
 * Parse the N or N:HASH of --parent-start at s, as far as it goes:
 * returns its length (0 if it is neither), with *n, *hash and *hashed
 * set.
 */
size_t	wire_parent_start(const char *s, long long *n, uint64_t *hash,
	    int *hashed);

/* The option of a position kind: "--offset"; NULL for POS_NONE. */
const char *wire_pos_option(enum wire_pos_kind);

/*
 * Append a position to b: of kind with the number n or the text ref; or,
 * with parent set, "--parent-start N[:HASH]" and, unless inner is NULL,
 * a space and inner (a position itself).
 */
void	wire_pos_number(struct buf *b, enum wire_pos_kind kind, long long n);
void	wire_pos_ref(struct buf *b, enum wire_pos_kind kind, const char *ref);
void	wire_pos_parent(struct buf *b, long long n, uint64_t hash, int hashed,
	    const char *inner);

#endif
