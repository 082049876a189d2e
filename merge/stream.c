/*
 * stream.c: FILE's rows through the merge.  FILE is read once (twice past
 * the memory budget, the first time for its keys alone), a row at a time:
 * each row whose key the input holds is looked up (jsonl rows in groups)
 * and replaced by its record or deleted; the others are copied as they
 * are, or pruned; then the new records follow, in csv and tsv under the
 * output's header.
 */
#define _GNU_SOURCE		/* sync_file_range() */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"
#include "json/json.h"
#include "merge.h"
#include "run.h"

#define GROUP	32		/* rows of FILE looked up at once */
#define BEHIND	((size_t)16 << 20)	/* bytes written between writebacks */

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
		die_err(&e);
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
		die_err(&e);
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
			die_err(&e);
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
			die_err(&e);
		return;
	}
	for (i = 0; i < n; i++) {
		if (spill_row(&r->sp, key[i], len[i], &e) == -1)
			die_err(&e);
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
			die_err(&e);
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
				die_err(&e);
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
		die_err(&e);
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
			die_err(&e);
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

void
stream_file(struct run *r, int fd)
{
	if (r->o->fmt == FMT_JSONL)
		stream_jsonl(r, fd);
	else
		stream_flat(r, fd);
}

void
stream_collect(struct run *r, int fd)
{
	FILE *out = r->out;

	if ((r->out = fopen("/dev/null", "w")) == NULL)
		die(EX_OSERR, "/dev/null: cannot open:");
	r->collecting = 1;
	stream_file(r, fd);
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
