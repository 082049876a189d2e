/* rest-merge: merge JSON Lines records into a flat file by primary key. */
#define _GNU_SOURCE		/* sync_file_range() */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/buf.h"
#include "dlt/cli.h"
#include "dlt/config.h"
#include "base/diag.h"
#include "json/json.h"
#include "merge.h"
#include "base/stop.h"
#include "json/wire.h"

#define GROUP	32		/* rows of FILE looked up at once */
#define BEHIND	((size_t)16 << 20)	/* bytes written between writebacks */

#define MEMORY		((size_t)64 << 20)	/* the default budget */
#define MEMORY_MIN	((size_t)64 << 10)

enum { OPT_ALLOW_EMPTY = OPT_PROGRAM, OPT_DEDUP_SORT, OPT_HARD_DELETE,
	OPT_MEMORY, OPT_PRUNE, OPT_RUN_ID, OPT_SCHEMA, OPT_FULL_REFRESH };

/* The formats, as -f and FILE's extension name them. */
static const struct name formats[] = {
	{ "jsonl",	FMT_JSONL },
	{ "csv",	FMT_CSV },
	{ "tsv",	FMT_TSV },
	{ NULL,		0 }
};

struct run {
	const struct opts *o;
	struct batch	 b;
	struct spill	 sp;		/* the input past the budget */
	int		 spilled;	/* the input went there */
	int		 collecting;	/* the first of two reads of FILE */
	struct schema	 s;
	FILE		*out;
	struct json	 j;
	struct buf	 key, cell;
	struct buf	 line, old;	/* a row of FILE, new and old */
	unsigned long	 inserted, updated, deleted, unchanged;
	unsigned long	 kept;		/* rows of FILE the input lacks */
	size_t		*hdr;		/* the output's columns (csv, tsv) */
	size_t		 nhdr, nold;	/* of them, in FILE's header */
	size_t		*keypos;	/* the key columns' places in FILE */
	int		*cells;		/* column id -> value token */
	size_t		 ncells;
	const char	*eol;
	int		 warn_schema;	/* FILE kept rows the sidecar lacks */
	int		 already;	/* --run-id committed FILE before */
	size_t		 behind;	/* bytes written since the last writeback */
};

/* The command line: the options, and the names made for them. */
struct cmdline {
	struct opts	 o;
	const char	*format;	/* -f, or NULL: FILE's extension's */
	int		 config_keys;	/* o.key holds the configuration's */
	char		*table, *schema, *journal;
	const struct incremental *incr;	/* the configuration's, or NULL */
	const char	*resource;
	int		 full_refresh;
	struct incr_run	 ir;
	struct wire_args wire;		/* --report-fd, --report */
	struct wire_sink report;
};

/*
 * What a signal handler says when a signal ends the run, built before
 * any signal is caught: write(2) is all it may use.
 */
static char	*said_once, *said_twice;
static size_t	 said_once_len, said_twice_len;
static int	 deferring;		/* SIGINT and SIGTERM end the input */
static volatile sig_atomic_t committed;

/* Exit with the error one of rest-merge's other files returned. */
static noreturn void
fail(const struct err *e)
{
	die_err(e);
}

/* The format FILE's name implies; exits with EX_USAGE if none. */
static enum format
format_of(const char *file)
{
	const char *dot = strrchr(file, '.');
	const struct name *t;
	struct buf list;

	if (dot != NULL && strchr(dot, '/') == NULL) {
		/* .ndjson is jsonl too, as an extension only. */
		if (strcasecmp(dot, ".ndjson") == 0)
			return FMT_JSONL;
		for (t = formats; t->name != NULL; t++)
			if (strcasecmp(dot + 1, t->name) == 0)
				return (enum format)t->value;
	}
	buf_init(&list, 0);
	name_list(formats, &list);
	die(EX_USAGE, "%s: unknown file extension: use -f %s", file,
	    buf_str(&list));
}

static struct path *
new_path(const char *opt, const char *text)
{
	struct path p, *q;

	if (path_parse(&p, text) == -1)
		die(EX_CONFIG, "%s: '%s' is not a field path", opt, text);
	q = xmalloc(sizeof(*q));
	*q = p;
	return q;
}

static void
add_key(struct opts *o, const char *text)
{
	struct path *p = new_path("-k", text);

	o->key = xrealloc(o->key, (o->nkey + 1) * sizeof(*o->key));
	o->key[o->nkey++] = *p;
	free(p);
}

/* A configuration's table settings, before the command line's. */
static void
config(void *cmdline, const struct config *c)
{
	struct cmdline *cl = cmdline;
	struct opts *o = &cl->o;
	int i;

	for (i = 0; i < c->nprimary_key; i++)
		add_key(o, c->primary_key[i]);
	cl->config_keys = 1;
	cl->incr = c->incr;
	cl->resource = c->name;
	/* A resource without write_disposition appends, as in dlt. */
	o->wd = c->write_disposition == NULL ? WRITE_APPEND :
	    (enum write_disposition)name_value(write_dispositions,
	    c->write_disposition);
	if (c->hard_delete != NULL)
		o->hard_delete = new_path("--hard-delete", c->hard_delete);
	if (c->dedup_sort != NULL) {
		o->dedup_sort = new_path("--dedup-sort", c->dedup_sort);
		o->dedup_desc = name_value(sort_orders, c->dedup_order) ==
		    SORT_DESC;
	}
}

/* FIELD[:asc|:desc], split at the last colon. */
static int
set_dedup_sort(struct opts *o, const char *arg, struct err *e)
{
	const char *colon = strrchr(arg, ':');
	struct buf list;
	char *field;
	int order = SORT_DESC;

	if (colon != NULL &&
	    (order = name_value(sort_orders, colon + 1)) == -1) {
		buf_init(&list, 0);
		name_list(sort_orders, &list);
		err_set(e, EX_CONFIG, "--dedup-sort: '%s': the order is %s",
		    arg, buf_str(&list));
		buf_free(&list);
		return -1;
	}
	o->dedup_desc = order == SORT_DESC;
	field = colon != NULL ? xstrndup(arg, (size_t)(colon - arg)) :
	    xstrdup(arg);
	o->dedup_sort = new_path("--dedup-sort", field);
	free(field);
	return 0;
}

static void
free_path(struct path *p)
{
	if (p != NULL) {
		path_free(p);
		free(p);
	}
}

/* Append the record text[0..len) to out as a row of FILE, with its line end. */
static void
render_text(struct run *r, const char *text, size_t len, struct buf *out)
{
	const jsmntok_t *t;
	struct json_error err;
	struct err e = { 0 };
	size_t i;
	int v;

	if (r->o->fmt == FMT_JSONL) {
		buf_add(out, text, len);
		buf_addc(out, '\n');
		return;
	}
	if (json_parse_shallow(&r->j, text, len, JSON_ALL_LEVELS,
	    &err) == -1)
		die(EX_SOFTWARE, "a record kept went bad: %s", err.msg);
	for (i = 0; i < r->ncells; i++)
		r->cells[i] = -1;
	if (schema_cells(&r->s, &r->j, r->cells, r->ncells, &e) == -1)
		fail(&e);
	for (i = 0; i < r->nhdr; i++) {
		if (i > 0)
			buf_adds(out, fmt_sep(r->o->fmt));
		if ((v = r->cells[r->hdr[i]]) == -1)
			continue;
		t = &r->j.tok[v];
		buf_reset(&r->cell);
		if (json_is_string(&r->j, v) || json_is_array(&r->j, v))
			json_unescape(&r->j, v, &r->cell);
		else
			buf_add(&r->cell, text + t->start,
			    (size_t)(t->end - t->start));
		cell_add(out, r->o->fmt, r->cell.data, r->cell.len);
	}
	buf_adds(out, r->eol);
}

/* The compact text of record rec, valid until the next call. */
static const char *
rec_text(struct run *r, const struct rec *rec)
{
	struct err e = { 0 };
	const char *text;

	if (!r->sp.spooled)
		return r->b.text.data + rec->off;
	if ((text = spill_text(&r->sp, rec->off, rec->len, &e)) == NULL)
		fail(&e);
	return text;
}

/*
 * n more bytes went to the new FILE: every BEHIND of them, start writing
 * them to the disk, so that the fsync of the commit finds little to do.
 */
static void
wrote(struct run *r, size_t n)
{
	if ((r->behind += n) < BEHIND)
		return;
	r->behind = 0;
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fileno(r->out), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

/*
 * Write the row of the record text[0..len); with old, say whether it is
 * the row old[0..n), newline included.
 */
static int
put_row(struct run *r, const char *text, size_t len, const char *old,
    size_t n)
{
	int same;

	/* A jsonl row is the text itself: written without a copy. */
	if (r->o->fmt == FMT_JSONL) {
		same = old != NULL && n == len + 1 && memcmp(text, old,
		    len) == 0 && old[len] == '\n';
		fwrite(text, 1, len, r->out);
		putc('\n', r->out);
		wrote(r, len + 1);
		return same;
	}
	buf_reset(&r->line);
	render_text(r, text, len, &r->line);
	same = old != NULL && r->line.len == n && memcmp(r->line.data, old,
	    n) == 0;
	fwrite(r->line.data, 1, r->line.len, r->out);
	wrote(r, r->line.len);
	return same;
}

/*
 * A row of FILE whose key the input holds, old[0..n) as it would be
 * copied: the record replaces it (unchanged if it writes the same bytes),
 * or it goes.
 */
static void
hit(struct run *r, size_t id, const char *old, size_t n)
{
	struct rec *rec = &r->b.rec[id];

	/* FILE may hold a key twice; like SQL's merge, one row remains. */
	if (rec->done || rec->del) {
		r->deleted++;
		rec->done = 1;
		return;
	}
	rec->done = 1;
	if (put_row(r, rec_text(r, rec), rec->len, old, n))
		r->unchanged++;
	else
		r->updated++;
}

static void
write_new(struct run *r)
{
	struct err e = { 0 };
	const char *text;
	size_t i, len;
	int more;

	if (r->collecting)
		return;
	while (r->spilled && (more = spill_new(&r->sp, &text, &len, &e)) != 0) {
		if (more == -1)
			fail(&e);
		put_row(r, text, len, NULL, 0);
		r->inserted++;
	}
	for (i = 0; !r->spilled && i < r->b.n; i++)
		if (!r->b.rec[i].done && !r->b.rec[i].del) {
			put_row(r, rec_text(r, &r->b.rec[i]), r->b.rec[i].len,
			    NULL, 0);
			r->inserted++;
		}
}

static void
copy_line(struct run *r, const char *line, size_t len)
{
	fwrite(line, 1, len, r->out);
	putc('\n', r->out);
	wrote(r, len + 1);
}

/*
 * Rows of FILE (with their newlines) looked up in the batch at once, then
 * written in order.
 */
struct group {
	struct buf	 rows, keys;
	size_t		 roff[GROUP + 1], koff[GROUP + 1];
	size_t		 n;
};

/*
 * Look up the keys of n rows of FILE: ids[i] is the record of the batch
 * that row i becomes, or -1.  Past the budget, FILE is read twice: the
 * first time its keys are only collected (the ids are -1), the second
 * they are found in the order they were collected.
 */
static void
lookup(struct run *r, const char *const *key, const size_t *len, size_t n,
    long *ids)
{
	struct err e = { 0 };
	size_t i;

	if (!r->spilled) {
		strtab_find_many(&r->b.keys, key, len, n, ids);
		return;
	}
	if (!r->collecting) {
		if (spill_find(&r->sp, &r->b, n, ids, &e) == -1)
			fail(&e);
		return;
	}
	for (i = 0; i < n; i++) {
		if (spill_row(&r->sp, key[i], len[i], &e) == -1)
			fail(&e);
		ids[i] = -1;
	}
}

static void
flush_group(struct run *r, struct group *g)
{
	const char *key[GROUP];
	size_t len[GROUP], i;
	long id[GROUP];

	for (i = 0; i < g->n; i++) {
		key[i] = g->keys.data + g->koff[i];
		len[i] = g->koff[i + 1] - g->koff[i];
	}
	lookup(r, key, len, g->n, id);
	for (i = 0; i < g->n && !r->collecting; i++)
		if (id[i] != -1)
			hit(r, (size_t)id[i], g->rows.data + g->roff[i],
			    g->roff[i + 1] - g->roff[i]);
		else if (r->o->prune)
			r->deleted++;
		else {
			fwrite(g->rows.data + g->roff[i], 1,
			    g->roff[i + 1] - g->roff[i], r->out);
			wrote(r, g->roff[i + 1] - g->roff[i]);
			r->kept++;
		}
	g->n = 0;
	buf_reset(&g->rows);
	buf_reset(&g->keys);
}

static void
stream_jsonl(struct run *r, int fd)
{
	const struct opts *o = r->o;
	struct group g;
	struct lines l;
	struct err e = { 0 };
	const char *line;
	size_t len;
	int empty, more;

	lines_init(&l, fd, o->file);
	buf_init(&g.rows, 0);
	buf_init(&g.keys, 0);
	g.n = 0;
	while (fd != -1 && (more = lines_next(&l, &line, &len, &e)) != 0) {
		if (more == -1)
			fail(&e);
		empty = blank(line, len);
		if (o->wd == WRITE_REPLACE) {
			r->deleted += !empty;
			continue;
		}
		if (empty || o->wd == WRITE_APPEND) {
			flush_group(r, &g);
			copy_line(r, line, len);
			r->kept += !empty;
			continue;
		}
		g.koff[g.n] = g.keys.len;
		if (key_scan(o, line, len, &g.keys) == -1) {
			g.keys.len = g.koff[g.n];
			if (record_parse(&r->j, o->file, l.lineno, 1, line, len,
			    &e) == -1 || record_key(o, &r->j, &g.keys, o->file,
			    l.lineno, &e) == -1)
				fail(&e);
		}
		g.koff[g.n + 1] = g.keys.len;
		g.roff[g.n] = g.rows.len;
		buf_add(&g.rows, line, len);
		buf_addc(&g.rows, '\n');
		g.roff[g.n + 1] = g.rows.len;
		if (++g.n == GROUP)
			flush_group(r, &g);
	}
	flush_group(r, &g);
	buf_free(&g.rows);
	buf_free(&g.keys);
	lines_free(&l);
	write_new(r);
}

/*
 * Set r->old to a row of FILE as it is copied: with empty cells for the
 * columns new to it, and its line end.
 */
static void
render_row(struct run *r, const struct row *row)
{
	const char *raw = row->raw.data;
	size_t len = row->raw.len, i;
	int cr = len > 0 && raw[len - 1] == '\r' && r->o->fmt == FMT_CSV;

	buf_reset(&r->old);
	buf_add(&r->old, raw, len - cr);
	for (i = r->nold; i < r->nhdr; i++)
		buf_adds(&r->old, fmt_sep(r->o->fmt));
	buf_adds(&r->old, cr ? "\r\n" : "\n");
}

static void
copy_row(struct run *r, const struct row *row)
{
	render_row(r, row);
	fwrite(r->old.data, 1, r->old.len, r->out);
}

/*
 * The output's columns: FILE's header, then the columns new in this run
 * in the order first seen.  A column of the header that the sidecar does
 * not know is typed text: its old cells could hold anything.
 */
static void
set_columns(struct run *r, const struct row *header)
{
	const struct opts *o = r->o;
	unsigned char *have;
	const char *name;
	struct column *c;
	size_t i, k, n, id, ncol;
	long kid;

	r->hdr = xcalloc(header->ncell + r->s.ncol, sizeof(*r->hdr));
	for (i = 0; i < header->ncell; i++) {
		name = row_cell(header, i, &n);
		id = schema_column(&r->s, name, n);
		c = &r->s.col[id];
		if (c->old == T_NONE) {
			c->old = T_TEXT;
			c->old_nullable = 1;
			c->order = ((long long)1 << 32) + (long long)i;
		}
		r->hdr[r->nhdr++] = id;
	}
	r->nold = r->nhdr;
	ncol = r->s.ncol;
	have = xcalloc(ncol, 1);
	for (i = 0; i < r->nhdr; i++)
		have[r->hdr[i]] = 1;
	for (id = 0; id < ncol; id++)
		if (!have[id] && r->s.col[id].seen > 0)
			r->hdr[r->nhdr++] = id;
	free(have);
	r->cells = xcalloc(ncol, sizeof(*r->cells));
	r->ncells = ncol;

	if (o->wd != WRITE_MERGE || header->ncell == 0)
		return;
	r->keypos = xcalloc(o->nkey, sizeof(*r->keypos));
	for (k = 0; k < o->nkey; k++) {
		kid = strtab_find(&r->s.names, o->key[k].column,
		    strlen(o->key[k].column));
		for (i = 0; i < r->nold && (long)r->hdr[i] != kid; i++)
			;
		if (i == r->nold)
			die(EX_DATAERR, "%s: no column '%s' for primary key "
			    "'%s'", o->file, o->key[k].column, o->key[k].text);
		r->keypos[k] = i;
	}
}

static void
write_header(struct run *r, const struct row *header)
{
	const char *name;
	size_t i, n;

	if (header->ncell > 0 && r->nhdr == r->nold) {
		copy_row(r, header);
		return;
	}
	if (r->nhdr == 0)
		return;
	for (i = 0; i < r->nhdr; i++) {
		if (i > 0)
			fputs(fmt_sep(r->o->fmt), r->out);
		name = strtab_str(&r->s.names, r->hdr[i], &n);
		cell_write(r->out, r->o->fmt, name, n, 0);
	}
	fputs(r->eol, r->out);
}

static void
stream_flat(struct run *r, int fd)
{
	const struct opts *o = r->o;
	struct row header, row;
	struct lines l;
	struct err e = { 0 };
	const char *cell;
	size_t k, n;
	long id;
	int more = 0;

	lines_init(&l, fd, o->file);
	row_init(&header);
	row_init(&row);
	/* The first row that is not blank is the header. */
	while (fd != -1 && (more = row_next(&header, &l, o->fmt, &e)) == 1 &&
	    header.ncell == 0)
		;
	if (more == -1)
		fail(&e);
	if (o->wd == WRITE_REPLACE)
		header.ncell = 0;
	/* New rows end their lines as FILE's header does. */
	r->eol = fmt_eol(o->fmt);
	if (header.ncell > 0 && o->fmt == FMT_CSV && (header.raw.len == 0 ||
	    header.raw.data[header.raw.len - 1] != '\r'))
		r->eol = "\n";
	set_columns(r, &header);
	write_header(r, &header);

	while (fd != -1 && (more = row_next(&row, &l, o->fmt, &e)) != 0) {
		if (more == -1)
			fail(&e);
		if (row.ncell == 0) {
			if (o->wd != WRITE_REPLACE)
				copy_line(r, row.raw.data, row.raw.len);
			continue;
		}
		if (o->wd == WRITE_REPLACE) {
			r->deleted++;
			continue;
		}
		if (row.ncell != r->nold)
			die(EX_DATAERR, "%s:%lu: %zu fields, the header has "
			    "%zu", o->file, row.line, row.ncell, r->nold);
		if (o->wd == WRITE_MERGE) {
			buf_reset(&r->key);
			for (k = 0; k < o->nkey; k++) {
				cell = row_cell(&row, r->keypos[k], &n);
				key_part(&r->key, o->nkey, cell, n);
			}
			lookup(r, (const char *const *)&r->key.data,
			    &r->key.len, 1, &id);
			if (id != -1) {
				render_row(r, &row);
				hit(r, (size_t)id, r->old.data, r->old.len);
				continue;
			}
			if (o->prune) {
				r->deleted++;
				continue;
			}
		}
		copy_row(r, &row);
		r->kept++;
	}
	row_free(&header);
	row_free(&row);
	lines_free(&l);
	write_new(r);
}

/* Refuse to replace a directory, a device or the like. */
static void
check_regular(const char *file)
{
	struct stat st;

	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode))
		die(EX_NOINPUT, "%s: not a regular file", file);
}

/* FILE open for reading, or -1 if it does not exist yet. */
static int
open_file(const char *file)
{
	int fd;

	check_regular(file);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return -1;
		die(EX_NOINPUT, "%s: cannot open:", file);
	}
	return fd;
}

static void
run_free(struct run *r)
{
	batch_free(&r->b);
	spill_free(&r->sp);
	schema_free(&r->s);
	json_free(&r->j);
	buf_free(&r->key);
	buf_free(&r->cell);
	buf_free(&r->line);
	buf_free(&r->old);
	free(r->hdr);
	free(r->keypos);
	free(r->cells);
}

/*
 * Remove the temporary files that a run killed as it wrote (SIGKILL, a
 * crash) left beside FILE, its sidecar, its state and its journal: each
 * may be as large as FILE, and no later run would remove them otherwise.
 * One that stays costs only space, so it is said once, and the run goes
 * on.
 */
static void
clean(const struct opts *o)
{
	char *state = incr_state_file(o->file);
	const char *path[] = { o->file, o->schema, state, o->journal };
	size_t i;
	int said = 0;

	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		if (atomic_clean(path[i]) == -1 && !said) {
			warnmsg("%s: cannot remove the temporary files an "
			    "earlier run left beside it:", path[i]);
			said = 1;
		}
	free(state);
}

/*
 * Take FILE's lock, then finish a commit an earlier run left half done,
 * and only then, the journal's files renamed, remove the temporary files
 * left: holding the lock, no other run is writing one.
 */
static void
lock(const struct opts *o)
{
	switch (atomic_lock(o->file)) {
	case -1:
		die(EX_IOERR, "%s.lock: cannot lock:", o->file);
	case -2:
		die(EX_IOERR, "%s.lock: not a regular file; will not lock "
		    "through it", o->file);
	}
	switch (atomic_recover(o->journal)) {
	case -1:
		die(EX_IOERR, "%s: cannot finish the commit an earlier run "
		    "left in %s:", o->file, o->journal);
	case 1:
		warnmsg("%s: finished the commit an earlier run left in %s",
		    o->file, o->journal);
	}
	clean(o);
}

/*
 * Whether the sidecar records this --run-id as the run that last
 * committed FILE: a run started again after its commit then changes
 * nothing, so that an append is never made twice.
 */
static int
committed_before(const struct run *r)
{
	const struct opts *o = r->o;
	struct err e = { 0 };
	struct schema s;
	int same;

	if (o->run_id == NULL)
		return 0;
	if (o->wd != WRITE_REPLACE)
		return r->s.last_id != NULL &&
		    strcmp(r->s.last_id, o->run_id) == 0;
	schema_init(&s, o->fmt);
	if (schema_load(&s, o, o->schema, &e) == -1)
		fail(&e);
	same = s.last_id != NULL && strcmp(s.last_id, o->run_id) == 0;
	schema_free(&s);
	return same;
}

/*
 * Read FILE a first time past the budget, as the second read will, for
 * the keys of its rows alone; then rewind it.
 */
static void
collect(struct run *r, int fd)
{
	FILE *out = r->out;

	if ((r->out = fopen("/dev/null", "w")) == NULL)
		die(EX_OSERR, "/dev/null: cannot open:");
	r->collecting = 1;
	if (r->o->fmt == FMT_JSONL)
		stream_jsonl(r, fd);
	else
		stream_flat(r, fd);
	r->collecting = 0;
	fclose(r->out);
	r->out = out;
	r->inserted = r->updated = r->deleted = r->unchanged = r->kept = 0;
	free(r->hdr);
	free(r->keypos);
	free(r->cells);
	r->hdr = r->keypos = NULL;
	r->cells = NULL;
	r->nhdr = r->nold = r->ncells = 0;
	if (lseek(fd, 0, SEEK_SET) == -1)
		die(EX_IOERR, "%s: cannot read it again:", r->o->file);
}

/* Write FILE and the sidecar; with -n, only go through the motions. */
static void
merge(struct run *r)
{
	const struct opts *o = r->o;
	struct atomic file, side, state, *both[3];
	struct err e = { 0 };
	int fd, had_schema = 0, nfile = 2;

	if (!o->dry_run)
		lock(o);
	else if (access(o->journal, F_OK) == 0)
		warnmsg("%s: %s holds a commit the next run finishes; the dry "
		    "run reads the files as they are", o->file, o->journal);
	check_regular(o->schema);
	if (o->wd != WRITE_REPLACE &&
	    (had_schema = schema_load(&r->s, o, o->schema, &e)) == -1)
		fail(&e);
	if ((r->already = committed_before(r)))
		return;
	fd = open_file(o->file);
	if (o->dry_run)
		r->out = fopen("/dev/null", "w");
	else if (atomic_open(&file, o->file) == 0)
		r->out = file.fp;
	else
		r->out = NULL;
	if (r->out == NULL)
		die(EX_IOERR, "%s: cannot create a temporary file:", o->file);

	if (r->spilled && o->wd == WRITE_MERGE && fd != -1)
		collect(r, fd);
	if (r->spilled && spill_join(&r->sp, &e) == -1)
		fail(&e);
	if (o->fmt == FMT_JSONL)
		stream_jsonl(r, fd);
	else
		stream_flat(r, fd);
	if (fd != -1)
		close(fd);
	spill_free(&r->sp);
	if (r->kept > 0)
		schema_kept_rows(&r->s);
	r->warn_schema = r->kept > 0 && !had_schema;

	if (o->dry_run) {
		fclose(r->out);
		return;
	}
	if (atomic_open(&side, o->schema) == -1) {
		atomic_abort(&file);
		die(EX_IOERR, "%s: cannot create a temporary file:", o->schema);
	}
	schema_write(&r->s, o, side.fp);
	if (atomic_close(&file) == -1) {
		atomic_abort(&file);
		atomic_abort(&side);
		die(EX_IOERR, "%s: write failed:", o->file);
	}
	if (atomic_close(&side) == -1) {
		atomic_abort(&file);
		atomic_abort(&side);
		die(EX_IOERR, "%s: write failed:", o->schema);
	}
	both[0] = &side;
	both[1] = &file;
	if (o->incr != NULL && incr_writes(o->incr)) {
		if (atomic_open(&state, o->incr->path) == -1) {
			atomic_abort(&file);
			atomic_abort(&side);
			die(EX_IOERR, "%s: cannot create a temporary file:",
			    o->incr->path);
		}
		incr_run_write(o->incr, state.fp);
		if (atomic_close(&state) == -1) {
			atomic_abort(&file);
			atomic_abort(&side);
			atomic_abort(&state);
			die(EX_IOERR, "%s: write failed:", o->incr->path);
		}
		both[nfile++] = &state;
	}
	switch (atomic_commit_all(both, (size_t)nfile, o->journal)) {
	case -1:
		die(EX_IOERR, "%s: cannot commit:", o->file);
	case 1:
		die(EX_IOERR, "%s: the commit stopped half way; the next run "
		    "finishes it from %s:", o->file, o->journal);
	}
	committed = 1;
}

/* dlt's table name, normalized, as a file in the current directory. */
static char *
table_file(const char *table)
{
	struct buf b;
	char *file;

	buf_init(&b, 0);
	if (normalize(table, strlen(table), &b) == -1)
		die(EX_CONFIG, "table name '%s' gives no file name", table);
	buf_adds(&b, ".jsonl");
	file = xstrdup(buf_str(&b));
	buf_free(&b);
	return file;
}

/* Without -k, merge on the primary key the sidecar records. */
static void
key_from_schema(struct opts *o)
{
	struct schema s;
	struct err e = { 0 };
	size_t i;
	int loaded;

	check_regular(o->schema);
	schema_init(&s, o->fmt);
	if ((loaded = schema_load(&s, o, o->schema, &e)) == -1)
		fail(&e);
	for (i = 0; i < s.npk; i++)
		add_key(o, s.pk[i].text);
	schema_free(&s);
	if (o->nkey > 0)
		return;
	if (loaded)
		die(EX_USAGE, "-w merge needs a primary key: -k FIELD (%s "
		    "records none)", o->schema);
	die(EX_USAGE, "-w merge needs a primary key: -k FIELD");
}

/* A new string from a format, and its length. */
static char *
format(size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EX_SOFTWARE, "cannot format a message:");
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len = (size_t)n;
	return s;
}

/* Say, in a signal handler, what the signal that ends the run left. */
static void
on_kill(void)
{
	const char *s = said_once;
	size_t n = said_once_len;
	ssize_t w;

	spill_forget();
	if (committed)
		return;
	if (stop_requested()) {
		s = said_twice;
		n = said_twice_len;
	}
	while (n > 0 && (w = write(STDERR_FILENO, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/*
 * Reading a pipe, with merge or append, SIGINT and SIGTERM end the input:
 * what the stage before wrote is committed, so that the offset it says to
 * resume from leaves no gap.  A replace never commits part of an input:
 * a signal stops it at once, as it does any run not reading a pipe.
 */
static void
catch_signals(const struct opts *o)
{
	int sig;

	said_once = format(&said_once_len, "%s: interrupted: %s left as it "
	    "was%s; rerun from the start\n", getprog(), o->file,
	    o->wd == WRITE_REPLACE ? " (a replace commits only a whole input)" :
	    "");
	said_twice = format(&said_twice_len, "%s: interrupted again: %s left "
	    "as it was, so a resume offset printed before does not apply; "
	    "rerun from the start\n", getprog(), o->file);
	deferring = o->wd != WRITE_REPLACE && stop_is_pipe(STDIN_FILENO);
	sig = deferring ? 0 : stop_cancel();
	atomic_handlers(on_kill);
	if (sig != 0)
		raise(sig);
}

/* What the summary adds when a signal ended the input, deferred. */
static const char *
interrupted(const struct opts *o)
{
	sigset_t set;

	if (!deferring)
		return "";
	/* Come during the commit, it is still pending. */
	if (stop_requested() == 0 && (sigpending(&set) == -1 ||
	    (sigismember(&set, SIGINT) != 1 &&
	    sigismember(&set, SIGTERM) != 1)))
		return "";
	return o->dry_run ? " (interrupted: counted the records read before "
	    "the input ended)" : " (interrupted: committed the records read "
	    "before the input ended)";
}

/* What became of the incremental state. */
static void
incr_report(const struct opts *o)
{
	const struct incr_run *ir = o->incr;

	if (ir->inc->end != NULL)
		return;
	if (!ir->complete)
		warnmsg("%s: the input did not end with rest-paginate's end "
		    "of a whole run: the incremental state stays at %s",
		    o->file, ir->had && ir->old.last != NULL ? ir->old.last :
		    "its start");
	else if (!o->silent && !o->dry_run)
		warnmsg("%s: incremental state: last %s %s", o->file,
		    ir->inc->cursor_path, ir->last != NULL ? ir->last : "null");
}

/*
 * What the run did, for the report: the counts in an "end" record, after
 * the incremental state committed in a "cursor" one.  Returns the exit
 * status.
 */
static int
report_end(const struct run *r, const struct cmdline *cl, int status)
{
	const struct incr_run *ir = r->o->incr;
	struct wire w;
	int rc = 0;

	if (status != EX_OK || !wire_sink_on(&cl->report))
		return status;
	if (ir != NULL && ir->inc->end == NULL && ir->complete &&
	    !r->already && !r->o->dry_run) {
		wire_init(&w, WIRE_CURSOR, NULL);
		w.cursor_path = (char *)ir->inc->cursor_path;
		w.value = ir->last != NULL ? ir->last : "null";
		rc |= wire_send(&cl->report, &w);
	}
	wire_init(&w, WIRE_END, NULL);
	if (r->already)
		w.already = 1;
	else {
		w.inserted = (long long)r->inserted;
		w.updated = (long long)r->updated;
		w.unchanged = (long long)r->unchanged;
		w.deleted = (long long)r->deleted;
		w.rows = (long long)(r->inserted + r->updated + r->unchanged +
		    r->kept);
	}
	rc |= wire_send(&cl->report, &w);
	if (rc != 0) {
		warnmsg("--report: write failed:");
		return EX_IOERR;
	}
	return status;
}

/* What the run did, on stderr: the schema's news and the summary. */
static void
report(const struct run *r)
{
	const struct opts *o = r->o;

	if (r->already) {
		if (!o->silent)
			warnmsg("%s: run %s committed it already; nothing "
			    "changed", o->file, o->run_id);
		return;
	}
	if (r->warn_schema)
		warnmsg("%s: no schema %s: the types describe only this run's "
		    "records", o->file, o->schema);
	schema_report(&r->s, o->file);
	if (o->incr != NULL)
		incr_report(o);
	if (!o->silent)
		warnmsg("%s: %lu inserted, %lu updated, %lu deleted, "
		    "%lu unchanged, %lu rows%s", o->file, r->inserted,
		    r->updated, r->deleted, r->unchanged,
		    r->inserted + r->updated + r->unchanged + r->kept,
		    interrupted(o));
}

/*
 * Parse s as a size in bytes, with K, M or G for KiB, MiB or GiB, of at
 * least min.  Returns 0, or -1 with e set to EX_CONFIG.
 */
static int
parse_size(const char *opt, const char *s, size_t min, size_t *v,
    struct err *e)
{
	static const char units[] = "KMG";
	const char *u;
	unsigned long long n;
	char *end;
	int shift = 0;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end != '\0' && end[1] == '\0' &&
	    (u = strchr(units, toupper((unsigned char)*end))) != NULL) {
		shift = 10 * (int)(u - units + 1);
		end++;
	}
	if (*s < '0' || *s > '9' || *end != '\0' || errno == ERANGE ||
	    n > (SIZE_MAX >> 2) >> shift)
		return err_set(e, EX_CONFIG, "%s: '%s' is not a size (bytes, "
		    "or a number with K, M or G)", opt, s);
	*v = (size_t)n << shift;
	if (*v < min)
		return err_set(e, EX_CONFIG, "%s: %s is less than the least "
		    "budget, %zuK", opt, s, min >> 10);
	return 0;
}

static int
option(void *cmdline, int opt, const char *arg, struct err *e)
{
	struct cmdline *cl = cmdline;
	struct opts *o = &cl->o;
	int v;

	switch (opt) {
	case 'f':
		cl->format = arg;
		break;
	case 'k':
		/* Keys on the command line replace the file's. */
		for (; cl->config_keys && o->nkey > 0; o->nkey--)
			path_free(&o->key[o->nkey - 1]);
		cl->config_keys = 0;
		add_key(o, arg);
		break;
	case 'n':
		o->dry_run = 1;
		break;
	case 's':
		o->silent = 1;
		break;
	case 'w':
		if (parse_name("-w", arg, write_dispositions, &v, e) == -1)
			return -1;
		o->wd = (enum write_disposition)v;
		break;
	case OPT_ALLOW_EMPTY:
		o->allow_empty = 1;
		break;
	case OPT_PRUNE:
		o->prune = 1;
		break;
	case OPT_FULL_REFRESH:
		cl->full_refresh = 1;
		break;
	case OPT_RUN_ID:
		if (*arg == '\0' || strpbrk(arg, "\r\n") != NULL)
			return err_set(e, EX_CONFIG, "--run-id: '%s' is not an "
			    "id", arg);
		o->run_id = arg;
		break;
	case OPT_DEDUP_SORT:
		free_path(o->dedup_sort);
		o->dedup_sort = NULL;
		return set_dedup_sort(o, arg, e) == -1 ? -1 : 1;
	case OPT_HARD_DELETE:
		free_path(o->hard_delete);
		o->hard_delete = new_path("--hard-delete", arg);
		break;
	case OPT_MEMORY:
		return parse_size("--memory", arg, MEMORY_MIN, &o->memory, e) ==
		    -1 ? -1 : 1;
	case OPT_SCHEMA:
		o->schema = arg;
		break;
	default:
		return wire_option(&cl->wire, opt, arg, e);
	}
	return 1;
}

static const struct option own[] = {
	{ "allow-empty",	no_argument,	   NULL, OPT_ALLOW_EMPTY },
	{ "dedup-sort",		required_argument, NULL, OPT_DEDUP_SORT },
	{ "dry-run",		no_argument,	   NULL, 'n' },
	{ "format",		required_argument, NULL, 'f' },
	{ "full-refresh",	no_argument,	   NULL, OPT_FULL_REFRESH },
	{ "hard-delete",	required_argument, NULL, OPT_HARD_DELETE },
	{ "memory",		required_argument, NULL, OPT_MEMORY },
	{ "primary-key",	required_argument, NULL, 'k' },
	{ "prune",		no_argument,	   NULL, OPT_PRUNE },
	{ "run-id",		required_argument, NULL, OPT_RUN_ID },
	{ "schema",		required_argument, NULL, OPT_SCHEMA },
	{ "silent",		no_argument,	   NULL, 's' },
	{ "write-disposition",	required_argument, NULL, 'w' },
	{ NULL,			0,		   NULL, 0 }
};
static const struct option *const longopts[] = { own, wire_longopts, NULL };

static const struct cli program = {
	.name = "rest-merge",
	.flags = CLI_DEFER_STOP,
	.synopsis = "usage: rest-merge [-hns] [--allow-empty] "
	    "[--dedup-sort field[:asc|:desc]]\n"
	    "                  [-f format] [--hard-delete field] [-k field] "
	    "[--memory size]\n"
	    "                  [--full-refresh] [--prune] [--report file] "
	    "[--report-fd fd]\n"
	    "                  [--run-id id] [--schema file] [--version] "
	    "[-w disposition] FILE\n"
	    "       rest-merge -c config [-r resource] [options] [FILE]\n",
	.help = "  -k, --primary-key FIELD    primary key field; repeat for a "
	    "compound key\n"
	    "  -w, --write-disposition WD merge (default), append or "
	    "replace\n"
	    "  -f, --format FORMAT        jsonl, csv or tsv (FILE's "
	    "extension)\n"
	    "      --allow-empty          let a replace with no records "
	    "empty FILE\n"
	    "      --hard-delete FIELD    a record with FIELD true or set "
	    "deletes its key\n"
	    "      --full-refresh         ignore the incremental state "
	    "(start over)\n"
	    "      --dedup-sort FIELD[:asc|:desc]\n"
	    "                             of one key's records keep the "
	    "highest (desc)\n"
	    "      --memory SIZE          hold at most SIZE (K, M, G) of the "
	    "input; spill the\n"
	    "                             rest beside FILE (64M)\n"
	    "      --prune                merge: delete the rows whose key "
	    "the input lacks\n"
	    "      --run-id ID            record the run in the sidecar; a "
	    "run already\n"
	    "                             recorded there changes nothing\n"
	    "      --schema FILE          schema sidecar (FILE.schema.json)\n"
	    "  -n, --dry-run              print the summary, change nothing\n"
	    "  -s, --silent               no summary line\n"
	    WIRE_USAGE
	    CLI_CONFIG_USAGE,
	.shortopts = "f:k:nsw:",
	.longopts = longopts,
	.parts = CONFIG_TABLE,
	.config = config,
	.option = option
};

/* A new string: s with suffix appended. */
static char *
suffixed(const char *s, const char *suffix)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s%s", s, suffix);
	return buf_str(&b);
}

/*
 * Take FILE (the operand, else the configuration's table) and check the
 * options together; name the sidecar and the journal; without -k, take
 * the sidecar's key.
 */
static void
settle(struct cmdline *cl, int argc, char *argv[], const struct config *c)
{
	struct opts *o = &cl->o;
	struct err e = { 0 };
	int v;

	if (argc == 0 && c->table != NULL)
		o->file = cl->table = table_file(c->table);
	else if (argc == 1)
		o->file = argv[0];
	else
		cli_usage(&program, EX_USAGE);
	if (cl->format == NULL)
		o->fmt = format_of(o->file);
	else if (parse_name("-f", cl->format, formats, &v, &e) == -1)
		die_err(&e);
	else
		o->fmt = (enum format)v;
	if (o->wd != WRITE_MERGE && o->hard_delete != NULL)
		die(EX_USAGE, "--hard-delete needs -w merge");
	if (o->wd != WRITE_MERGE && o->dedup_sort != NULL)
		die(EX_USAGE, "--dedup-sort needs -w merge");
	if (o->wd != WRITE_MERGE && o->prune)
		die(EX_USAGE, "--prune needs -w merge");
	if (o->schema == NULL)
		o->schema = cl->schema = suffixed(o->file, ".schema.json");
	else if (strcmp(o->schema, o->file) == 0)
		die(EX_USAGE, "--schema: '%s' is FILE itself", o->schema);
	if (o->wd == WRITE_MERGE && o->nkey == 0)
		key_from_schema(o);
	o->journal = cl->journal = suffixed(o->file, ".journal");
	if (cl->incr == NULL && cl->full_refresh)
		die(EX_USAGE, "--full-refresh: the resource loads no "
		    "increments");
	if (cl->incr != NULL) {
		if (incr_run_init(&cl->ir, cl->incr, cl->resource, o->file,
		    cl->full_refresh, &e) == -1)
			die_err(&e);
		o->incr = &cl->ir;
	}
}

static void
run_init(struct run *r, const struct opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	batch_init(&r->b);
	spill_init(&r->sp, o, o->memory);
	schema_init(&r->s, o->fmt);
	json_init(&r->j);
	buf_init(&r->key, 0);
	buf_init(&r->cell, 0);
	buf_init(&r->line, 0);
	buf_init(&r->old, 0);
}

static void
cmdline_free(struct cmdline *cl)
{
	size_t i;

	for (i = 0; i < cl->o.nkey; i++)
		path_free(&cl->o.key[i]);
	free(cl->o.key);
	free_path(cl->o.hard_delete);
	free_path(cl->o.dedup_sort);
	free(cl->table);
	free(cl->schema);
	free(cl->journal);
	if (cl->o.incr != NULL)
		incr_run_free(cl->o.incr);
}

int
main(int argc, char *argv[])
{
	struct cmdline cl = { .o = { .wd = WRITE_MERGE, .fmt = FMT_JSONL,
	    .memory = MEMORY }, .wire = { .fd = -1 } };
	const struct opts *o = &cl.o;
	struct config cfg;
	struct err e = { 0 };
	struct run r;
	int status;

	cli_start(&program, &argc, &argv, &cfg, &cl);
	if (wire_sink_open(&cl.report, program.name, (int)cl.wire.fd,
	    cl.wire.file, &e) == -1)
		die_err(&e);
	wire_catch_die(&cl.report);
	settle(&cl, argc, argv, &cfg);
	catch_signals(o);
	run_init(&r, o);
	if (batch_read(&r.b, o, &r.s, &r.sp, &e) == -1)
		fail(&e);
	r.spilled = r.sp.in.nflush > 0;
	if (o->wd == WRITE_REPLACE && r.b.n == 0 && r.sp.nrec == 0 &&
	    !o->allow_empty)
		die(EX_DATAERR, "%s: no records in the input: a replace would "
		    "empty it; --allow-empty allows that", o->file);
	merge(&r);
	report(&r);
	status = report_end(&r, &cl, finish_stdout());

	run_free(&r);
	cmdline_free(&cl);
	config_free(&cfg);
	/* A signal that came during the commit ends the run only now. */
	atomic_unblock();
	if (status == EX_OK)
		stop_finish();
	return status;
}
