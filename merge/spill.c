/*
 * A merge past the memory budget, through one temporary file beside
 * FILE, in two steps.
 *
 * First only the text of the records, which is what is big, leaves
 * memory: the batch's text is written to the file, and the text of the
 * records that follow is appended as they come, while the index (the
 * records' places, keys and dedup-sort values) stays in memory and the
 * merge goes on as in memory.  The last pass reads each record's text
 * back, through a window that reads further ahead while the offsets
 * ascend, as they mostly do, and a little at a time when they do not.
 *
 * Once the index itself passes the budget, the merge becomes a hash join.
 * The records held go out as flushes sorted by a bucket of their key
 * (SPILL_BUCKETS of them), each followed by a table of where each bucket
 * starts: the text written before is read back in stretches, in the
 * order of the file, each stretch a flush.  The records that follow are
 * held in memory and go out the same way each time they reach the budget.
 * FILE's keys, with their row numbers, go out likewise.  Then consecutive
 * buckets are taken together as parts small enough to hold in memory;
 * each part's records are merged as batch_read() merges them, its keys of
 * FILE looked up, and out go two sorted runs: the rows of FILE that
 * change, by row number, and the new records, by the place of their key
 * in the input.  The last pass reads FILE again and merges the runs in.
 * Every byte is written once and read once or twice, whatever the sizes
 * (the text, when it was spooled, once more).
 *
 * The file is unlinked as soon as it is made, so no exit, signal or crash
 * can leave it behind.
 *
 * spill.c writes the file: the spooled text, the flushes of the input and
 * of FILE's keys, and the sorted runs; join.c reads it back, for the join
 * of each part and for the merge of the runs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"
#include "merge.h"
#include "spill.h"

#define SPAN		8		/* a stretch read back: wmax * SPAN */

/* The temporary file's name while it has one, for spill_forget(). */
static char *volatile named;

static int
io_error(const struct spill *sp, struct err *e)
{
	return err_set(e, EX_IOERR, "%s: temporary file beside it: write "
	    "failed:", sp->o->file);
}

int
spill_drain(struct spill *sp, struct err *e)
{
	const char *p = sp->w.data;
	size_t n = sp->w.len;
	ssize_t k;

	while (n > 0) {
		if ((k = write(sp->fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return io_error(sp, e);
		}
		p += k;
		n -= (size_t)k;
	}
	sp->written += sp->w.len;
	buf_reset(&sp->w);
	return 0;
}

/* Where the next byte put goes. */
static uint64_t
here(const struct spill *sp)
{
	return sp->written + sp->w.len;
}

static int
put(struct spill *sp, const void *p, size_t n, struct err *e)
{
	if (buf_add(&sp->w, p, n) == -1)
		die(EX_OSERR, "out of memory");
	if (sp->w.len >= sp->wmax)
		return spill_drain(sp, e);
	return 0;
}

static int
put_u64(struct spill *sp, uint64_t v, struct err *e)
{
	return put(sp, &v, sizeof(v), e);
}

static int
put_u32(struct spill *sp, size_t v, struct err *e)
{
	uint32_t u = (uint32_t)v;

	return put(sp, &u, sizeof(u), e);
}

/* The head of an input entry: number, lengths, hard delete. */
#define HEAD	(8 + 4 + 4 + 4 + 1)

static void
put_head(char *p, uint64_t no, size_t klen, size_t slen, size_t tlen,
    int del)
{
	uint32_t u;

	memcpy(p, &no, 8);
	u = (uint32_t)klen;
	memcpy(p + 8, &u, 4);
	u = (uint32_t)slen;
	memcpy(p + 12, &u, 4);
	u = (uint32_t)tlen;
	memcpy(p + 16, &u, 4);
	p[20] = (char)del;
}

/* Make the temporary file beside FILE, already unlinked. */
static int
create(struct spill *sp, struct err *e)
{
	const char *file = sp->o->file, *slash = strrchr(file, '/');
	struct buf name;
	int saved;

	buf_init(&name, 0);
	if (slash != NULL)
		buf_add(&name, file, (size_t)(slash + 1 - file));
	buf_printf(&name, ".%s.spill.XXXXXX", slash != NULL ? slash + 1 :
	    file);
	buf_str(&name);
	named = name.data;
	sp->fd = mkstemp(name.data);
	saved = errno;
	if (sp->fd != -1)
		unlink(name.data);
	named = NULL;
	buf_free(&name);
	if (sp->fd == -1) {
		errno = saved;
		return err_set(e, EX_IOERR, "%s: cannot create a temporary "
		    "file beside it:", file);
	}
	return 0;
}

void
spill_forget(void)
{
	char *s = named;

	if (s != NULL)
		unlink(s);
}

void
spill_init(struct spill *sp, const struct opts *o, size_t budget)
{
	memset(sp, 0, sizeof(*sp));
	sp->o = o;
	sp->budget = budget;
	sp->fd = -1;
	sp->nbucket = o->wd == WRITE_MERGE ? SPILL_BUCKETS : 1;
	sp->wmax = budget / 8;
	if (sp->wmax < RUN_BUF_MIN)
		sp->wmax = RUN_BUF_MIN;
	if (sp->wmax > RUN_BUF_MAX)
		sp->wmax = RUN_BUF_MAX;
	buf_init(&sp->w, 0);
	buf_init(&sp->rows, 0);
	buf_init(&sp->out, 0);
	buf_init(&sp->win, 0);
	sp->in.bytes = xcalloc(sp->nbucket, sizeof(*sp->in.bytes));
	sp->keys.bytes = xcalloc(sp->nbucket, sizeof(*sp->keys.bytes));
}

static void
src_free(struct src *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].buf);
		buf_free(&s[i].text);
	}
	free(s);
}

void
spill_free(struct spill *sp)
{
	if (sp->fd != -1)
		close(sp->fd);
	sp->fd = -1;
	buf_free(&sp->w);
	buf_free(&sp->rows);
	buf_free(&sp->out);
	buf_free(&sp->win);
	free(sp->in.bytes);
	free(sp->in.table);
	free(sp->keys.bytes);
	free(sp->keys.table);
	free(sp->rowoff);
	free(sp->rowbucket);
	src_free(sp->hits.src, sp->hits.n);
	src_free(sp->news.src, sp->news.n);
	free(sp->hits.heap);
	free(sp->news.heap);
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
}

static size_t
bucket_of(const struct spill *sp, const char *key, size_t n)
{
	if (sp->nbucket == 1)
		return 0;
	/* The high bits: a part's string table hashes with the low ones. */
	return (size_t)(hash_bytes(key, n) >> 52) % sp->nbucket;
}

/*
 * Write n entries as one flush of s, in the order of their buckets (the
 * entries of a bucket in the order given), then the flush's table: the
 * offset where each bucket starts, and where the last one ends.
 * emit(sp, ctx, i, e) puts entry i, returning 0 or -1.
 */
static int
flush(struct spill *sp, struct spool *s, size_t n, const uint16_t *bucket,
    int (*emit)(struct spill *, void *, size_t, struct err *), void *ctx,
    struct err *e)
{
	uint64_t *pos, before;
	size_t *end, *order, i, b;
	int status = -1;

	if (sp->fd == -1 && create(sp, e) == -1)
		return -1;
	end = xcalloc(sp->nbucket + 1, sizeof(*end));
	order = xcalloc(n, sizeof(*order));
	pos = xcalloc(sp->nbucket + 1, sizeof(*pos));
	for (i = 0; i < n; i++)
		end[bucket[i] + 1]++;
	for (b = 0; b < sp->nbucket; b++)
		end[b + 1] += end[b];
	for (i = 0; i < n; i++)
		order[end[bucket[i]]++] = i;
	/* Each end[b] has moved from where bucket b starts to where it ends. */
	for (i = 0, b = 0; b < sp->nbucket; b++) {
		pos[b] = here(sp);
		for (; i < end[b]; i++) {
			before = here(sp);
			if (emit(sp, ctx, order[i], e) == -1)
				goto out;
			s->bytes[b] += here(sp) - before;
		}
	}
	pos[sp->nbucket] = here(sp);
	s->table = xrealloc(s->table, (s->nflush + 1) * sizeof(*s->table));
	s->table[s->nflush] = here(sp);
	if (put(sp, pos, (sp->nbucket + 1) * sizeof(*pos), e) == -1)
		goto out;
	s->nflush++;
	status = 0;
out:
	free(end);
	free(order);
	free(pos);
	return status;
}

/* An entry of a run: a number, whether it deletes, and a record. */
static int
put_item(struct spill *sp, uint64_t no, int del, const char *text,
    size_t len, struct err *e)
{
	unsigned char d = (unsigned char)del;

	if (put_u64(sp, no, e) == -1 || put_u32(sp, len, e) == -1 ||
	    put(sp, &d, 1, e) == -1)
		return -1;
	return put(sp, text, len, e);
}

/* The records of a batch a flush writes, and where their text is. */
struct ents {
	const struct batch *b;
	const uint32_t	*id;		/* entry i is record id[i]; NULL: i */
	const char	*text;		/* the text of offset from */
	uint64_t	 from;
};

/*
 * Entry i of a batch: with a key (merge), its number, the lengths, the
 * hard delete, the key, the dedup-sort value and the record; without,
 * as an entry of a run.
 */
static int
emit_rec(struct spill *sp, void *ctx, size_t i, struct err *e)
{
	const struct ents *x = ctx;
	const struct batch *b = x->b;
	const struct rec *r;
	const char *key, *text;
	size_t klen;
	char *p;

	if (x->id != NULL)
		i = x->id[i];
	r = &b->rec[i];
	text = x->text + (r->off - x->from);
	if (sp->nbucket == 1)
		return put_item(sp, sp->nrec + i, r->del, text, r->len, e);
	key = strtab_str(&b->keys, i, &klen);
	/* The head, as the join reads it, in one piece. */
	if (buf_grow(&sp->w, HEAD + klen + r->slen) == -1)
		die(EX_OSERR, "out of memory");
	p = sp->w.data + sp->w.len;
	put_head(p, sp->nrec + i, klen, r->slen, r->len, r->del);
	memcpy(p + HEAD, key, klen);
	if (r->slen > 0)
		memcpy(p + HEAD + klen, b->sort.data + b->soff[i], r->slen);
	sp->w.len += HEAD + klen + r->slen;
	return put(sp, text, r->len, e);
}

/* Write the n entries x names as one flush of the input. */
static int
flush_recs(struct spill *sp, struct ents *x, size_t n, struct err *e)
{
	uint16_t *bucket = xcalloc(n > 0 ? n : 1, sizeof(*bucket));
	const char *key;
	size_t i, id, klen;
	int status;

	for (i = 0; i < n && sp->nbucket > 1; i++) {
		id = x->id != NULL ? x->id[i] : i;
		key = strtab_str(&x->b->keys, id, &klen);
		bucket[i] = (uint16_t)bucket_of(sp, key, klen);
	}
	status = flush(sp, &sp->in, n, bucket, emit_rec, x, e);
	free(bucket);
	return status;
}

/* Read n bytes at off into p. */
static int
read_at(const struct spill *sp, void *p, size_t n, uint64_t off,
    struct err *e)
{
	char *d = p;
	ssize_t r;

	while (n > 0) {
		do
			r = pread(sp->fd, d, n, (off_t)off);
		while (r == -1 && errno == EINTR);
		if (r == -1)
			return err_set(e, EX_IOERR, "%s: temporary file beside "
			    "it: read error:", sp->o->file);
		if (r == 0)
			return err_set(e, EX_SOFTWARE, "%s: temporary file "
			    "beside it: cut short", sp->o->file);
		d += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * The records of a spooled batch, their text in the file: they go out in
 * flushes of the records whose text starts in one stretch of the file,
 * each stretch read once, in order.
 */
static int
flush_spooled(struct spill *sp, struct batch *b, struct err *e)
{
	struct ents x = { .b = b };
	uint64_t span = (uint64_t)sp->wmax * SPAN, from, to, *end;
	uint32_t *id;
	size_t *at, nc, c, i, n;
	int status = -1;

	if (spill_drain(sp, e) == -1)
		return -1;
	nc = (size_t)((sp->written - sp->spool + span - 1) / span);
	at = xcalloc(nc + 1, sizeof(*at));
	end = xcalloc(nc + 1, sizeof(*end));
	id = xcalloc(b->n > 0 ? b->n : 1, sizeof(*id));
	for (i = 0; i < b->n; i++) {
		c = (size_t)((b->rec[i].off - sp->spool) / span);
		at[c + 1]++;
		if (end[c] < b->rec[i].off + b->rec[i].len)
			end[c] = b->rec[i].off + b->rec[i].len;
	}
	for (c = 0; c < nc; c++)
		at[c + 1] += at[c];
	for (i = 0; i < b->n; i++) {
		c = (size_t)((b->rec[i].off - sp->spool) / span);
		id[at[c]++] = (uint32_t)i;
	}
	/* Each at[c] has moved from where stretch c starts to where it ends. */
	for (c = 0, i = 0; c < nc; i = at[c++]) {
		if ((n = at[c] - i) == 0)
			continue;
		from = sp->spool + c * span;
		to = end[c];
		buf_reset(&sp->win);
		if (buf_grow(&sp->win, (size_t)(to - from)) == -1)
			die(EX_OSERR, "out of memory");
		if (read_at(sp, sp->win.data, (size_t)(to - from), from,
		    e) == -1)
			goto out;
		x.id = id + i;
		x.text = sp->win.data;
		x.from = from;
		if (flush_recs(sp, &x, n, e) == -1)
			goto out;
	}
	status = 0;
out:
	buf_free(&sp->win);
	sp->wbase = sp->wlen = 0;
	free(at);
	free(end);
	free(id);
	return status;
}

int
spill_batch(struct spill *sp, struct batch *b, struct err *e)
{
	struct ents x = { .b = b, .text = b->text.data };
	int status;

	if (sp->spooled) {
		status = flush_spooled(sp, b, e);
		sp->spooled = 0;
	} else
		status = flush_recs(sp, &x, b->n, e);
	sp->nrec += b->n;
	batch_free(b);
	return status;
}

/*
 * The middle way: the batch's text, what is big, goes to the file, and
 * the text of the records that follow as they come; the index stays.
 */
static int
spool(struct spill *sp, struct batch *b, struct err *e)
{
	size_t i;

	if (sp->fd == -1 && create(sp, e) == -1)
		return -1;
	if (spill_drain(sp, e) == -1)
		return -1;
	sp->spool = sp->written;
	for (i = 0; i < b->n; i++)
		b->rec[i].off += sp->written;
	/* The text goes out straight from where it is. */
	free(sp->w.data);
	sp->w = b->text;
	buf_init(&b->text, 0);
	if (spill_drain(sp, e) == -1)
		return -1;
	buf_free(&sp->w);
	sp->spooled = 1;
	sp->wnext = RUN_BUF_MIN;
	return 0;
}

size_t
spill_memory(const struct spill *sp)
{
	return sp->spooled ? 2 * sp->wmax : 0;
}

int
spill_over(struct spill *sp, struct batch *b, struct err *e)
{
	if (!sp->spooled && sp->in.nflush == 0)
		return spool(sp, b, e);
	return spill_batch(sp, b, e);
}

struct buf *
spill_text_buf(struct spill *sp, uint64_t *base)
{
	*base = sp->written;
	return &sp->w;
}

int
spill_text_done(struct spill *sp, struct err *e)
{
	if (sp->w.len >= sp->wmax)
		return spill_drain(sp, e);
	return 0;
}

const char *
spill_text(struct spill *sp, uint64_t off, size_t len, struct err *e)
{
	uint64_t last = sp->wlast;
	size_t n;

	sp->wlast = off + len;
	if (off >= sp->wbase && off + len <= sp->wbase + sp->wlen)
		return sp->win.data + (off - sp->wbase);
	if (sp->w.len > 0 && spill_drain(sp, e) == -1)
		return NULL;
	/* Reading on from the last record: read further ahead each time. */
	if (off >= last && off - last <= sp->wnext)
		sp->wnext = sp->wnext * 2 < sp->wmax ? sp->wnext * 2 : sp->wmax;
	else
		sp->wnext = RUN_BUF_MIN;
	n = len > sp->wnext ? len : sp->wnext;
	if (n > sp->written - off)
		n = (size_t)(sp->written - off);
	buf_reset(&sp->win);
	if (buf_grow(&sp->win, n) == -1)
		die(EX_OSERR, "out of memory");
	sp->wbase = off;
	sp->wlen = 0;
	if (read_at(sp, sp->win.data, n, off, e) == -1)
		return NULL;
	sp->wlen = n;
	return sp->win.data;
}

static int
emit_row(struct spill *sp, void *ctx, size_t i, struct err *e)
{
	size_t end = i + 1 < sp->nrows ? sp->rowoff[i + 1] : sp->rows.len;

	(void)ctx;
	return put(sp, sp->rows.data + sp->rowoff[i], end - sp->rowoff[i], e);
}

int
spill_flush_rows(struct spill *sp, struct err *e)
{
	int status;

	status = flush(sp, &sp->keys, sp->nrows, sp->rowbucket, emit_row, NULL,
	    e);
	buf_reset(&sp->rows);
	sp->nrows = 0;
	return status;
}

int
spill_row(struct spill *sp, const char *key, size_t n, struct err *e)
{
	uint64_t row = sp->nrow++;
	uint32_t len = (uint32_t)n;

	if (sp->nrows == sp->rowcap) {
		sp->rowcap = sp->rowcap ? sp->rowcap * 2 : 1024;
		sp->rowoff = xrealloc(sp->rowoff, sp->rowcap *
		    sizeof(*sp->rowoff));
		sp->rowbucket = xrealloc(sp->rowbucket, sp->rowcap *
		    sizeof(*sp->rowbucket));
	}
	sp->rowoff[sp->nrows] = sp->rows.len;
	sp->rowbucket[sp->nrows++] = (uint16_t)bucket_of(sp, key, n);
	if (buf_add(&sp->rows, &row, sizeof(row)) == -1 ||
	    buf_add(&sp->rows, &len, sizeof(len)) == -1 ||
	    buf_add(&sp->rows, key, n) == -1)
		die(EX_OSERR, "out of memory");
	if (sp->rows.len + sp->nrows * (sizeof(size_t) + 2) >= sp->budget / 2)
		return spill_flush_rows(sp, e);
	return 0;
}

void
spill_add_run(struct runs *r, uint64_t start, uint64_t end)
{
	if (start == end)
		return;
	r->src = xrealloc(r->src, (r->n + 1) * sizeof(*r->src));
	memset(&r->src[r->n], 0, sizeof(r->src[r->n]));
	r->src[r->n].off = start;
	r->src[r->n].end = end;
	buf_init(&r->src[r->n].text, 0);
	r->n++;
}

static int
by_no(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	return (x->no > y->no) - (x->no < y->no);
}

int
spill_write_run(struct spill *sp, struct runs *r, const struct batch *bt,
    struct hit *hit, size_t n, struct err *e)
{
	const struct rec *rec;
	uint64_t start = here(sp);
	size_t i;

	if (n > 0)
		qsort(hit, n, sizeof(*hit), by_no);
	for (i = 0; i < n; i++) {
		rec = &bt->rec[hit[i].id];
		if (put_item(sp, hit[i].no, hit[i].del, hit[i].del ? "" :
		    bt->text.data + rec->off, hit[i].del ? 0 : rec->len,
		    e) == -1)
			return -1;
	}
	spill_add_run(r, start, here(sp));
	return 0;
}
