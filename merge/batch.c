/*
 * batch.c: the input records, held in memory and indexed by key: each
 * line of the standard input checked as a record, typed into the schema,
 * and kept (with -w merge, only the winner of each key); past the memory
 * budget, handed to the spill.
 */
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"
#include "base/stop.h"
#include "json/json.h"
#include "merge.h"

void
batch_init(struct batch *b)
{
	buf_init(&b->text, 0);
	buf_init(&b->sort, 0);
	strtab_init(&b->keys);
	b->rec = NULL;
	b->soff = NULL;
	b->n = b->cap = b->scap = 0;
}

void
batch_free(struct batch *b)
{
	buf_free(&b->text);
	buf_free(&b->sort);
	strtab_free(&b->keys);
	free(b->rec);
	free(b->soff);
	b->rec = NULL;
	b->soff = NULL;
	b->n = b->cap = b->scap = 0;
}

int
record_parse(struct json *j, const char *where, unsigned long lineno, int nl,
    const char *text, size_t len, struct err *e)
{
	struct json_error err;
	size_t line, col;

	if (json_parse_shallow(j, text, len, JSON_ALL_LEVELS, &err) == -1) {
		json_linecol(text, err.off, &line, &col);
		return err_set(e, EX_DATAERR, "%s:%lu:%zu: %s%s", where,
		    lineno, col, err.msg,
		    nl ? "" : " (the last line is truncated)");
	}
	if (!json_is_object(j, 0))
		return err_set(e, EX_DATAERR, "%s:%lu: not a JSON object",
		    where, lineno);
	return 0;
}

int
record_key(const struct opts *o, const struct json *j, struct buf *b,
    const char *where, unsigned long lineno, struct err *e)
{
	size_t k;

	switch (key_of(o, j, b, &k)) {
	case KEY_OK:
		break;
	case KEY_MISSING:
		return err_set(e, EX_DATAERR, "%s:%lu: no primary key '%s'",
		    where, lineno, o->key[k].text);
	case KEY_NULL:
		return err_set(e, EX_DATAERR, "%s:%lu: primary key '%s' is "
		    "null", where, lineno, o->key[k].text);
	case KEY_NESTED:
		return err_set(e, EX_DATAERR, "%s:%lu: primary key '%s' is "
		    "not a string, number or boolean", where, lineno,
		    o->key[k].text);
	}
	return 0;
}

/* A hard delete: the field is true, or (not a boolean) not null. */
static int
is_delete(const struct opts *o, const struct json *j)
{
	int t, v;

	if (o->hard_delete == NULL || (t = path_get(o->hard_delete, j)) == -1)
		return 0;
	if (json_is_bool(j, t, &v))
		return v;
	return !json_is_null(j, t);
}

/* Whether a record with dedup-sort value sv beats the one kept so far. */
static int
wins(const struct opts *o, const struct batch *b, size_t id,
    const char *sv, size_t slen)
{
	const struct rec *kept = &b->rec[id];
	int c;

	if (o->dedup_sort == NULL)
		return 1;
	/* A record without the value loses to one with it, either way. */
	if (slen == 0 || kept->slen == 0)
		return kept->slen == 0;
	c = sort_cmp(sv, slen, b->sort.data + b->soff[id], kept->slen);
	return o->dedup_desc ? c >= 0 : c <= 0;
}

size_t
batch_memory(const struct batch *b)
{
	return b->text.cap + b->sort.cap + b->keys.bytes.cap +
	    b->keys.nslot * (sizeof(*b->keys.slot) + sizeof(*b->keys.end) / 2) +
	    b->cap * sizeof(*b->rec) +
	    b->scap * sizeof(*b->soff);
}

struct rec *
batch_new(struct batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->rec = xrealloc(b->rec, b->cap * sizeof(*b->rec));
	}
	b->rec[b->n].done = 0;
	b->rec[b->n].slen = 0;
	return &b->rec[b->n++];
}

struct rec *
batch_claim(struct batch *b, const struct opts *o, const char *key,
    size_t klen, const char *sv, size_t slen, int *added)
{
	struct rec *r;
	size_t id;

	*added = 1;
	if (o->wd != WRITE_MERGE)
		r = batch_new(b);
	else {
		id = strtab_add(&b->keys, key, klen, added);
		if (*added)
			r = batch_new(b);
		else if (wins(o, b, id, sv, slen))
			r = &b->rec[id];
		else
			return NULL;
	}
	if (o->dedup_sort != NULL) {
		/* The offsets, only for a dedup sort, grow with rec. */
		if (b->scap < b->cap) {
			b->scap = b->cap;
			b->soff = xrealloc(b->soff, b->scap * sizeof(*b->soff));
		}
		b->soff[r - b->rec] = b->sort.len;
		buf_add(&b->sort, sv, slen);
	}
	r->slen = slen;
	return r;
}

/*
 * Whether the last line, without its newline, was cut short by the stage
 * before being stopped: a signal was deferred and it is not an object.
 */
static int
cut_short(struct json *j, const struct lines *in, const char *line,
    size_t len)
{
	struct json_error err;

	if (in->nl || !stop_requested())
		return 0;
	return json_parse_shallow(j, line, len, JSON_ALL_LEVELS, &err) == -1 ||
	    !json_is_object(j, 0);
}

/* What batch_read() reads with: its arguments, the input and scratch. */
struct reader {
	struct batch	*b;
	const struct opts *o;
	struct schema	*s;
	struct spill	*sp;
	struct lines	 in;
	struct json	 j;
	struct buf	 key, sv;	/* the record's key, dedup-sort value */
};

/*
 * Keep the text of record r, rd->j: in the batch, or while it is spooled
 * in the spill's file; then, past the budget, spill.  Returns 0, or -1
 * with e set.
 */
static int
keep_text(struct reader *rd, struct rec *r, struct err *e)
{
	struct batch *b = rd->b;
	struct spill *sp = rd->sp;
	struct buf *tb;
	uint64_t base;

	if (sp != NULL && sp->spooled) {
		tb = spill_text_buf(sp, &base);
		r->off = (size_t)base + tb->len;
		json_compact(&rd->j, 0, tb);
		r->len = (uint32_t)(tb->len - (r->off - base));
		if (spill_text_done(sp, e) == -1)
			return -1;
	} else {
		r->off = b->text.len;
		json_compact(&rd->j, 0, &b->text);
		r->len = (uint32_t)(b->text.len - r->off);
	}
	if (sp != NULL && batch_memory(b) + spill_memory(sp) > sp->budget &&
	    spill_over(sp, b, e) == -1)
		return -1;
	return 0;
}

/*
 * Read the record line[0..len) of the input: check it, type it, and keep
 * it unless the incremental range leaves it out or it loses to a record
 * of its key.  Returns 0, or -1 with e set.
 */
static int
take(struct reader *rd, const char *line, size_t len, struct err *e)
{
	const struct opts *o = rd->o;
	struct lines *in = &rd->in;
	struct json *j = &rd->j;
	struct rec *r;
	int t, del, added;

	if (record_parse(j, in->name, in->lineno, in->nl, line, len, e) == -1)
		return -1;
	buf_reset(&rd->key);
	if (o->nkey > 0 &&
	    record_key(o, j, &rd->key, in->name, in->lineno, e) == -1)
		return -1;
	if (o->incr != NULL && (t = incr_keep(o->incr, j, rd->key.data,
	    rd->key.len, in->name, in->lineno, e)) != 1)
		return t;
	if (o->wd == WRITE_MERGE)
		strtab_prefetch(&rd->b->keys, rd->key.data, rd->key.len);
	buf_reset(&rd->sv);
	if (o->dedup_sort != NULL && (t = path_get(o->dedup_sort, j)) != -1 &&
	    !json_is_null(j, t))
		json_compact(j, t, &rd->sv);
	del = is_delete(o, j);
	if (!del) {
		rd->s->line = in->lineno;
		if (schema_record(rd->s, j, e) == -1)
			return -1;
	}
	if ((r = batch_claim(rd->b, o, rd->key.data, rd->key.len, rd->sv.data,
	    rd->sv.len, &added)) == NULL)
		return 0;
	r->del = (unsigned char)del;
	return keep_text(rd, r, e);
}

int
batch_read(struct batch *b, const struct opts *o, struct schema *s,
    struct spill *sp, struct err *e)
{
	struct reader rd = { .b = b, .o = o, .s = s, .sp = sp };
	const char *line;
	size_t len;
	int t, more, status = -1;

	lines_init(&rd.in, STDIN_FILENO, "<stdin>");
	json_init(&rd.j);
	buf_init(&rd.key, 0);
	buf_init(&rd.sv, 0);
	s->where = rd.in.name;
	while ((more = lines_next(&rd.in, &line, &len, e)) == 1) {
		if (blank(line, len))
			continue;
		if (cut_short(&rd.j, &rd.in, line, len)) {
			warnmsg("%s:%lu: interrupted: the last line is "
			    "incomplete; skipped", rd.in.name, rd.in.lineno);
			break;
		}
		if (o->incr != NULL && (t = incr_mark(o->incr, line, len,
		    rd.in.name, rd.in.lineno, e)) != 0) {
			if (t == -1)
				goto out;
			continue;
		}
		if (take(&rd, line, len, e) == -1)
			goto out;
	}
	if (more == -1)
		goto out;
	/* Once some records are out, all go: the join reads them there. */
	if (sp != NULL && sp->in.nflush > 0 && b->n > 0 &&
	    spill_batch(sp, b, e) == -1)
		goto out;
	status = 0;
out:
	buf_free(&rd.key);
	buf_free(&rd.sv);
	json_free(&rd.j);
	lines_free(&rd.in);
	return status;
}
