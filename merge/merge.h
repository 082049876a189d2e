/*
 * merge.h: what the files of rest-merge share, with the unit tests and
 * the fuzzer; run.h adds the state of one run, for main()'s own files.
 */
#ifndef MERGE_H
#define MERGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"
#include "json/jpath.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/name.h"

#define MAX_LINE	((size_t)64 << 20)	/* longest line, in bytes */
#define SHAPE		64		/* leaves of a record remembered */

enum format { FMT_JSONL, FMT_CSV, FMT_TSV };

/* A dotted field path, as given to -k, --hard-delete or --dedup-sort. */
struct path {
	char		*text;		/* as given */
	char		**part;		/* the names between the dots */
	size_t		 nparts;
	char		*column;	/* parts normalized, joined by "__" */
};

struct opts {
	enum format	 fmt;
	enum write_disposition wd;
	struct path	*key;		/* the primary key's fields */
	size_t		 nkey;
	struct path	*hard_delete;	/* NULL: none */
	struct path	*dedup_sort;	/* NULL: none */
	int		 dedup_desc;
	const char	*file;
	const char	*schema;
	const char	*journal;	/* of the commit: FILE.journal */
	int		 allow_empty;	/* a replace may empty FILE */
	int		 prune;		/* merge: delete keys the input lacks */
	const char	*run_id;	/* recorded in the sidecar, or NULL */
	int		 dry_run;
	int		 silent;
	size_t		 memory;	/* the budget, in bytes; 0: none */
	struct incr_run	*incr;		/* incremental loading, or NULL */
};

/* incr.c: a run of dlt's incremental loading. */
struct incr_run {
	const struct incremental *inc;
	const char	*resource;
	char		*path;		/* FILE.state.json */
	char		*start;		/* compact JSON, or NULL */
	struct incr_state old;		/* the state read */
	int		 had;		/* 1: there was one */
	struct jpath	*cursor;
	struct strtab	 seen;		/* the old boundary records' hashes */
	char		*last;		/* the last value so far */
	struct strtab	 bound;		/* the hashes of records at last */
	int		 dedup;		/* boundary records are deduplicated */
	int		 complete;	/* rest-paginate's end mark came */
	unsigned long	 skipped;	/* records out of the range */
};

/*
 * Start a run for resource's table file: its state read (unless
 * full_refresh), its start value settled.  Returns 0, or -1 with e set.
 */
int	incr_run_init(struct incr_run *, const struct incremental *,
	    const char *resource, const char *file, int full_refresh,
	    struct err *e);

/*
 * 1 if line is rest-paginate's end mark (the input is whole), 0 if it is
 * not one, -1 with e set (EX_DATAERR) if it started from another value.
 */
int	incr_mark(struct incr_run *, const char *line, size_t len,
	    const char *where, unsigned long lineno, struct err *e);

/*
 * Whether to keep the record j (key: its key identity, or keylen 0):
 * 1, 0 if it is outside the range or a boundary record seen before, -1
 * with e set (EX_DATAERR) for a cursor missing or of another type.
 */
int	incr_keep(struct incr_run *, const struct json *j, const char *key,
	    size_t keylen, const char *where, unsigned long lineno,
	    struct err *e);

/* 1 if the run commits a new state: its input was whole, with no end. */
int	incr_writes(const struct incr_run *);

void	incr_run_write(const struct incr_run *, FILE *);
void	incr_run_free(struct incr_run *);

/* lines.c: the lines of a file descriptor, read in big blocks. */
struct lines {
	int		 fd;
	const char	*name;		/* "<stdin>" or a file name */
	char		*buf;
	size_t		 cap, start, end;
	unsigned long	 lineno;	/* of the line last returned */
	int		 nl;		/* it ended with a newline */
	int		 eof;
};

void	lines_init(struct lines *, int fd, const char *name);

/*
 * Point *line at the next line, without its newline, valid until the next
 * call; returns 1, or 0 at the end; or -1 with e set: EX_DATAERR for a
 * line longer than MAX_LINE, EX_IOERR for a read error.
 */
int	lines_next(struct lines *, const char **line, size_t *len,
	    struct err *e);

void	lines_free(struct lines *);

/* 1 if s[0..n) holds only JSON whitespace. */
int	blank(const char *s, size_t n);

/* key.c: field paths, key identities, dedup order. */

/*
 * Split a dotted path, keeping a copy of text; returns 0, or -1 if a name
 * in it is empty.
 */
int	path_parse(struct path *, const char *text);
void	path_free(struct path *);

/* The token p names in record j (an object at token 0), or -1. */
int	path_get(const struct path *, const struct json *);

/* Why key_of() refused a record. */
enum keyfault { KEY_OK, KEY_MISSING, KEY_NULL, KEY_NESTED };

/*
 * Append record j's key identity to b: each key value's compact JSON text
 * (jsonl), or its text as a cell (csv, tsv); a compound key is a tuple.
 * Returns KEY_OK, or the fault with *which set to the key's index.
 */
enum keyfault key_of(const struct opts *, const struct json *,
	    struct buf *b, size_t *which);

/*
 * Append the key identity of the jsonl row s[0..n) to b, as key_of()
 * would, reading only what lies on the way to the key: rows of FILE are
 * not checked.  Returns 0, or -1 if the row needs record_parse() and
 * record_key() to find its key, or to say what is wrong with it.
 */
int	key_scan(const struct opts *, const char *s, size_t n, struct buf *b);

/* Append one component of an identity of nkey components to b. */
void	key_part(struct buf *b, size_t nkey, const char *s, size_t n);

/*
 * Compare two dedup-sort values in compact JSON text (n == 0: none):
 * null and none below false below true below numbers below strings below
 * the rest.  Returns <0, 0 or >0.
 */
int	sort_cmp(const char *a, size_t an, const char *b, size_t bn);

/* schema.c: columns, their types, and the sidecar file. */
enum ctype { T_NONE, T_BIGINT, T_DOUBLE, T_BOOL, T_TIMESTAMP, T_TEXT,
	T_JSON };

struct column {
	enum ctype	 type;		/* of this run's values */
	enum ctype	 old;		/* in the sidecar; T_NONE: absent */
	int		 old_nullable;
	size_t		 seen;		/* records of this run with a value */
	size_t		 stamp;		/* the record last counted in seen */
	long long	 order;		/* sorts columns for the sidecar */
};

struct schema {
	enum format	 fmt;
	struct strtab	 names;		/* column names: id = index in col */
	struct column	*col;
	size_t		 ncol, cap;
	struct strtab	 paths;		/* member paths in raw JSON text */
	long		*pathcol;	/* path id -> column id */
	size_t		 typed;		/* records typed */
	const char	*where;		/* of the record being typed */
	unsigned long	 line;
	int		 loaded;	/* a sidecar was read */
	struct path	*pk;		/* the sidecar's primary key */
	char		*last_id;	/* the sidecar's last_run, or NULL */
	char		*last_at;
	size_t		 npk;
	long		 shape[SHAPE];	/* leaf i of the last record: path id */
	size_t		 leaf;		/* leaves of this record so far */
	struct buf	 path, name;	/* scratch */
	int		 stack[JSON_MAX_DEPTH];
};

void	schema_init(struct schema *, enum format);
void	schema_free(struct schema *);

/* The id of column name[0..n), created if new. */
size_t	schema_column(struct schema *, const char *name, size_t n);

/*
 * Count record j (token 0) and widen its columns' types.  Returns 0, or
 * -1 with e set (EX_DATAERR) if a member name gives no column name.
 */
int	schema_record(struct schema *, const struct json *, struct err *e);

/*
 * Set cells[c] to the token holding column c's value in record j (csv,
 * tsv), for c < ncells; the other cells are left alone.  Returns 0, or -1
 * as schema_record() does, for a record it did not count.
 */
int	schema_cells(struct schema *, const struct json *, int *cells,
	    size_t ncells, struct err *e);

/*
 * Read the sidecar at path into the schema; returns 1, or 0 if there is
 * none; or -1 with e set: EX_NOINPUT or EX_IOERR if it cannot be read,
 * EX_DATAERR if it is malformed, EX_CONFIG if it names a primary key
 * other than opts's.
 */
int	schema_load(struct schema *, const struct opts *, const char *path,
	    struct err *e);

/* Say on stderr which columns' types the data widened. */
void	schema_report(const struct schema *, const char *file);

/* Mark the columns of FILE's old rows nullable: they lack the new ones. */
void	schema_kept_rows(struct schema *);

/* Write the sidecar as JSON to fp. */
void	schema_write(const struct schema *, const struct opts *, FILE *fp);

/* batch.c: the input records, held in memory and indexed by key. */
struct rec {			/* 16 bytes: a million take 16 MB */
	size_t		 off;		/* compact text in batch.text */
	uint32_t	 len;
	unsigned	 slen : 30;	/* 0: no value, or null */
	unsigned	 del : 1;	/* a hard delete */
	unsigned	 done : 1;	/* FILE held the key */
};

struct batch {
	struct buf	 text;		/* the records, compact, back to back */
	struct buf	 sort;		/* their dedup-sort values */
	size_t		*soff;		/* record i's in sort; NULL: none */
	struct strtab	 keys;		/* merge: key id = index in rec */
	struct rec	*rec;
	size_t		 n, cap, scap;
};

struct spill;

void	batch_init(struct batch *);
void	batch_free(struct batch *);

/* The bytes the batch holds, its buffers' unused room included. */
size_t	batch_memory(const struct batch *);

/* A new record at the end of the batch, its fields for the caller. */
struct rec *batch_new(struct batch *);

/*
 * The record a record of key[0..klen), with dedup-sort value sv[0..slen),
 * is to be kept in, its sort value set: a new one if the key is new (or
 * without merge), *added set; else the key's, if the record wins over it;
 * else NULL.  The caller sets del, off and len.
 */
struct rec *batch_claim(struct batch *, const struct opts *,
	    const char *key, size_t klen, const char *sv, size_t slen,
	    int *added);

/*
 * Read JSON Lines from stdin: check every record, type it into s, and
 * keep it (merge: only the winner of each key, in first-seen order of
 * the keys).  With sp, past sp's budget the records kept go to sp's
 * file, and all of them once one has.  Returns 0; or -1 with e set,
 * EX_DATAERR naming the line of a bad record (or EX_IOERR for a read
 * error, or a failed write of sp's); a last line cut short after a
 * deferred signal (stop.h) is skipped with a warning instead.
 */
int	batch_read(struct batch *, const struct opts *, struct schema *s,
	    struct spill *sp, struct err *e);

/*
 * Parse line number lineno of where as a record: a JSON object.  nl says
 * whether the line ended with a newline.  Returns 0, or -1 with e set
 * (EX_DATAERR) if it is none.
 */
int	record_parse(struct json *, const char *where, unsigned long lineno,
	    int nl, const char *text, size_t len, struct err *e);

/*
 * Append the key identity of record j to b; returns 0, or -1 as
 * record_parse() does, naming the key that is missing or unfit.
 */
int	record_key(const struct opts *, const struct json *j, struct buf *b,
	    const char *where, unsigned long lineno, struct err *e);

/*
 * spill.c, join.c: a merge past the memory budget, through one temporary
 * file beside FILE (see spill.c for how).  The calls come in this order:
 * spill_init(); spill_batch() for each batch the input fills; with -w
 * merge, spill_row() for the key of each row of FILE that stream.c looks
 * up; spill_join(); then spill_find() as FILE's rows are read again, in
 * the same order; then spill_new() to the end.  The functions that return
 * int return 0 (spill_new(): 1, or 0 at the end), or -1 with e set:
 * EX_IOERR when the temporary file cannot be made, written or read.
 */
#define SPILL_BUCKETS	4096		/* key buckets; parts take a range */

struct spool {			/* entries of a kind, by key bucket */
	uint64_t	*table;		/* flush i's bucket table is here */
	size_t		 nflush;
	uint64_t	*bytes;		/* bucket b's bytes, over the flushes */
};

struct src {			/* a sorted run, read back */
	uint64_t	 off, end;	/* what is left of it in the file */
	char		*buf;
	size_t		 pos, len, cap;
	uint64_t	 no;		/* its head: row or place, */
	int		 del;		/* whether it deletes, */
	struct buf	 text;		/* and its record */
};

struct runs {			/* sorted runs, merged by number */
	struct src	*src;
	size_t		 n;
	size_t		*heap;		/* sources with a head, least first */
	size_t		 nheap;
};

struct spill {
	const struct opts *o;
	size_t		 budget;	/* bytes of memory */
	int		 fd;		/* the temporary file, or -1 */
	uint64_t	 written;	/* its size */
	struct buf	 w;		/* bytes not written yet */
	size_t		 wmax;
	size_t		 nbucket;	/* SPILL_BUCKETS, or 1 without merge */
	struct spool	 in;		/* the input's records */
	struct spool	 keys;		/* FILE's keys */
	uint64_t	 nrec;		/* records written */
	uint64_t	 nrow;		/* rows of FILE keyed */
	uint64_t	 looked;	/* rows of FILE looked up again */
	struct buf	 rows;		/* FILE's keys not yet written */
	size_t		*rowoff;
	uint16_t	*rowbucket;
	size_t		 nrows, rowcap;
	struct runs	 hits;		/* rows of FILE that change */
	struct runs	 news;		/* the new records */
	struct buf	 out;		/* what spill_new() returned */
	int		 spooled;	/* the batch's text is in the file */
	uint64_t	 spool;		/* where its text starts there */
	struct buf	 win;		/* the text read back */
	uint64_t	 wbase, wlast;	/* win's offset; the last text's end */
	size_t		 wlen, wnext;	/* win's text; the next read's size */
};

void	spill_init(struct spill *, const struct opts *, size_t budget);

/* Close the file and free the memory; the spill is unused again. */
void	spill_free(struct spill *);

/*
 * Write the batch's records out as a flush of the hash join and empty it
 * (its text read back from the file if spooled).
 */
int	spill_batch(struct spill *, struct batch *, struct err *e);

/*
 * The batch passed the budget: spool its text to the file, keeping its
 * index, if that is the first time; else spill_batch().
 */
int	spill_over(struct spill *, struct batch *, struct err *e);

/* The memory the spool's buffers take while the batch is spooled. */
size_t	spill_memory(const struct spill *);

/*
 * While spooled: the buffer a record's text is to be appended to, and
 * the offset in the file its first byte stands for; then
 * spill_text_done() once it is there.
 */
struct buf *spill_text_buf(struct spill *, uint64_t *base);
int	spill_text_done(struct spill *, struct err *e);

/*
 * The text at off..off+len of a spooled batch, valid until the next
 * call, or NULL with e set.  Read ahead when offsets ascend.
 */
const char *spill_text(struct spill *, uint64_t off, size_t len,
	    struct err *e);

/* Write out the key of the next row of FILE. */
int	spill_row(struct spill *, const char *key, size_t n, struct err *e);

/* Join the records written with the keys, for what follows. */
int	spill_join(struct spill *, struct err *e);

/*
 * Look up the next n rows of FILE: ids[i] is the record of b that row i
 * becomes (a delete if its del is set), or -1 if the input lacks its key.
 * b is emptied first.
 */
int	spill_find(struct spill *, struct batch *b, size_t n, long *ids,
	    struct err *e);

/* Point *text at the next new record, in the input's order of keys. */
int	spill_new(struct spill *, const char **text, size_t *len,
	    struct err *e);

/*
 * Remove the temporary file if a signal comes in the moment it has a
 * name.  Async-signal-safe: call it from the handler.
 */
void	spill_forget(void);

/* flat.c: csv and tsv. */

struct row {
	struct buf	 raw;		/* the row's bytes, without newline */
	struct buf	 text;		/* the cells' text, back to back */
	size_t		*end;		/* cell i's text ends at end[i] */
	size_t		 ncell, cap;
	unsigned long	 line;		/* where the row starts */
};

void	row_init(struct row *);
void	row_free(struct row *);

/* The text of cell i of r. */
const char *row_cell(const struct row *, size_t i, size_t *n);

/*
 * Read the next row of a csv or tsv file: 1, or 0 at the end; or -1 with
 * e set, as lines_next() or for a csv quote out of place (EX_DATAERR).
 */
int	row_next(struct row *, struct lines *, enum format, struct err *e);

/* Write cell s[0..n) as fmt needs it; null writes an empty cell. */
void	cell_write(FILE *, enum format, const char *s, size_t n, int null);

/* Append cell s[0..n) to b as fmt needs it. */
void	cell_add(struct buf *, enum format, const char *s, size_t n);

/* The separator and the line end of fmt. */
const char *fmt_sep(enum format);
const char *fmt_eol(enum format);

#endif
