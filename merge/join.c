/*
 * join.c: the spill's file read back (see spill.c for how it is laid
 * out).  Each part of the key buckets is merged in memory and joined with
 * FILE's keys of it, which writes its two sorted runs (spill_join()); the
 * runs are then merged by number as FILE is read again (spill_find(),
 * spill_new()).
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

/* Read the next n bytes of s into p. */
static int
src_get(const struct spill *sp, struct src *s, void *p, size_t n,
    struct err *e)
{
	char *d = p;
	size_t k;
	ssize_t r;

	while (n > 0) {
		if (s->pos == s->len) {
			k = s->end - s->off < s->cap ?
			    (size_t)(s->end - s->off) : s->cap;
			do
				r = k > 0 ? pread(sp->fd, s->buf, k,
				    (off_t)s->off) : 0;
			while (r == -1 && errno == EINTR);
			if (r == -1)
				return err_set(e, EX_IOERR, "%s: temporary "
				    "file beside it: read error:", sp->o->file);
			if (r == 0)
				return err_set(e, EX_SOFTWARE, "%s: temporary "
				    "file beside it: cut short", sp->o->file);
			s->off += (uint64_t)r;
			s->pos = 0;
			s->len = (size_t)r;
		}
		k = n < s->len - s->pos ? n : s->len - s->pos;
		memcpy(d, s->buf + s->pos, k);
		s->pos += k;
		d += k;
		n -= k;
	}
	return 0;
}

/* Read the next n bytes of s into b, replacing what it held. */
static int
src_text(const struct spill *sp, struct src *s, struct buf *b, size_t n,
    struct err *e)
{
	buf_reset(b);
	if (buf_grow(b, n) == -1)
		die(EX_OSERR, "out of memory");
	b->len = n;
	return src_get(sp, s, b->data, n, e);
}

static int
src_more(const struct src *s)
{
	return s->pos < s->len || s->off < s->end;
}

/* Point s at off..end of the file, with a buffer of cap bytes. */
static void
src_open(struct src *s, uint64_t off, uint64_t end, size_t cap)
{
	s->off = off;
	s->end = end;
	s->pos = s->len = 0;
	if (s->cap != cap) {
		free(s->buf);
		s->buf = xmalloc(cap);
		s->cap = cap;
	}
}

/* Read the head entry of a run into s. */
static int
src_item(const struct spill *sp, struct src *s, struct err *e)
{
	uint32_t len;
	unsigned char del;

	if (src_get(sp, s, &s->no, sizeof(s->no), e) == -1 ||
	    src_get(sp, s, &len, sizeof(len), e) == -1 ||
	    src_get(sp, s, &del, 1, e) == -1)
		return -1;
	s->del = del;
	return src_text(sp, s, &s->text, len, e);
}

/* Read the number at off. */
static int
read_u64(const struct spill *sp, uint64_t off, uint64_t *v, struct err *e)
{
	ssize_t r;

	do
		r = pread(sp->fd, v, sizeof(*v), (off_t)off);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return err_set(e, EX_IOERR, "%s: temporary file beside it: "
		    "read error:", sp->o->file);
	if (r != sizeof(*v))
		return err_set(e, EX_SOFTWARE, "%s: temporary file beside it: "
		    "cut short", sp->o->file);
	return 0;
}

/* Point s at buckets [a, b) of flush f of spool p. */
static int
src_range(const struct spill *sp, struct src *s, const struct spool *p,
    size_t f, size_t a, size_t b, struct err *e)
{
	uint64_t off, end;

	if (read_u64(sp, p->table[f] + a * sizeof(off), &off, e) == -1 ||
	    read_u64(sp, p->table[f] + b * sizeof(end), &end, e) == -1)
		return -1;
	src_open(s, off, end, s->cap > 0 ? s->cap : sp->wmax);
	return 0;
}

static struct hit *
add_hit(struct hit *hit, size_t *n, size_t *cap, uint64_t no, size_t id,
    int del)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		hit = xrealloc(hit, *cap * sizeof(*hit));
	}
	hit[*n].no = no;
	hit[*n].id = id;
	hit[(*n)++].del = del;
	return hit;
}

/* The records of buckets [a, b), merged in bt; seq[id] their places. */
static int
load_part(struct spill *sp, struct batch *bt, uint64_t **seq, size_t a,
    size_t b, struct src *s, struct err *e)
{
	struct buf key, sv;
	struct rec *r;
	uint64_t no;
	uint32_t klen, slen, tlen;
	unsigned char del;
	size_t f, cap = 0;
	int added, status = -1;

	buf_init(&key, 0);
	buf_init(&sv, 0);
	for (f = 0; f < sp->in.nflush; f++) {
		if (src_range(sp, s, &sp->in, f, a, b, e) == -1)
			goto out;
		while (src_more(s)) {
			if (src_get(sp, s, &no, sizeof(no), e) == -1 ||
			    src_get(sp, s, &klen, sizeof(klen), e) == -1 ||
			    src_get(sp, s, &slen, sizeof(slen), e) == -1 ||
			    src_get(sp, s, &tlen, sizeof(tlen), e) == -1 ||
			    src_get(sp, s, &del, 1, e) == -1 ||
			    src_text(sp, s, &key, klen, e) == -1 ||
			    src_text(sp, s, &sv, slen, e) == -1)
				goto out;
			r = batch_claim(bt, sp->o, key.data, klen, sv.data,
			    slen, &added);
			if (r == NULL) {
				/* It lost: its record is read and dropped. */
				if (src_text(sp, s, &key, tlen, e) == -1)
					goto out;
				continue;
			}
			if (added) {
				if (bt->n > cap) {
					cap = cap ? cap * 2 : 1024;
					*seq = xrealloc(*seq, cap *
					    sizeof(**seq));
				}
				(*seq)[bt->n - 1] = no;
			}
			r->del = del;
			r->off = bt->text.len;
			r->len = tlen;
			if (buf_grow(&bt->text, tlen) == -1)
				die(EX_OSERR, "out of memory");
			if (src_get(sp, s, bt->text.data + bt->text.len, tlen,
			    e) == -1)
				goto out;
			bt->text.len += tlen;
		}
	}
	status = 0;
out:
	buf_free(&key);
	buf_free(&sv);
	return status;
}

/*
 * Merge buckets [a, b): look up FILE's keys of them in their records, and
 * write the rows that change and the records that are new as two runs.
 */
static int
join_part(struct spill *sp, size_t a, size_t b, struct err *e)
{
	struct src s = { 0 };
	struct batch bt;
	struct buf key;
	struct hit *hit = NULL;
	struct rec *r;
	uint64_t *seq = NULL, row;
	uint32_t klen;
	size_t f, id, n = 0, cap = 0;
	long found;
	int status = -1;

	batch_init(&bt);
	buf_init(&key, 0);
	if (load_part(sp, &bt, &seq, a, b, &s, e) == -1)
		goto out;
	for (f = 0; f < sp->keys.nflush; f++) {
		if (src_range(sp, &s, &sp->keys, f, a, b, e) == -1)
			goto out;
		while (src_more(&s)) {
			if (src_get(sp, &s, &row, sizeof(row), e) == -1 ||
			    src_get(sp, &s, &klen, sizeof(klen), e) == -1 ||
			    src_text(sp, &s, &key, klen, e) == -1)
				goto out;
			if ((found = strtab_find(&bt.keys, key.data,
			    klen)) == -1)
				continue;
			/*
			 * As hit() in stream.c does in memory: a key
			 * twice, one row.
			 */
			r = &bt.rec[found];
			hit = add_hit(hit, &n, &cap, row, (size_t)found,
			    r->done || r->del);
			r->done = 1;
		}
	}
	if (spill_write_run(sp, &sp->hits, &bt, hit, n, e) == -1)
		goto out;
	n = 0;
	for (id = 0; id < bt.n; id++)
		if (!bt.rec[id].done && !bt.rec[id].del)
			hit = add_hit(hit, &n, &cap, seq[id], id, 0);
	if (spill_write_run(sp, &sp->news, &bt, hit, n, e) == -1)
		goto out;
	status = 0;
out:
	batch_free(&bt);
	buf_free(&key);
	free(s.buf);
	free(seq);
	free(hit);
	return status;
}

/* The heap of r's sources by their head's number: sift slot i down. */
static void
sift(struct runs *r, size_t i)
{
	size_t c, t;

	for (;;) {
		c = 2 * i + 1;
		if (c >= r->nheap)
			return;
		if (c + 1 < r->nheap &&
		    r->src[r->heap[c + 1]].no < r->src[r->heap[c]].no)
			c++;
		if (r->src[r->heap[i]].no <= r->src[r->heap[c]].no)
			return;
		t = r->heap[i];
		r->heap[i] = r->heap[c];
		r->heap[c] = t;
		i = c;
	}
}

/* Give each source of r a buffer and its head, and heap them. */
static int
start_runs(struct spill *sp, struct runs *r, size_t cap, struct err *e)
{
	struct src *s;
	size_t i;

	r->heap = xcalloc(r->n, sizeof(*r->heap));
	for (i = 0; i < r->n; i++) {
		s = &r->src[i];
		src_open(s, s->off, s->end, cap);
		if (src_item(sp, s, e) == -1)
			return -1;
		r->heap[r->nheap++] = i;
	}
	for (i = r->nheap / 2; i-- > 0;)
		sift(r, i);
	return 0;
}

/* Move past the head of the heap: the next entry of its run, or none. */
static int
advance(struct spill *sp, struct runs *r, struct err *e)
{
	struct src *s = &r->src[r->heap[0]];

	if (src_more(s)) {
		if (src_item(sp, s, e) == -1)
			return -1;
	} else
		r->heap[0] = r->heap[--r->nheap];
	sift(r, 0);
	return 0;
}

int
spill_join(struct spill *sp, struct err *e)
{
	uint64_t size, off, end;
	size_t a, b, f, cap;

	if (sp->nrows > 0 && spill_flush_rows(sp, e) == -1)
		return -1;
	if (spill_drain(sp, e) == -1)
		return -1;
	for (a = 0; sp->nbucket > 1 && a < sp->nbucket; a = b) {
		size = 0;
		for (b = a; b < sp->nbucket && (b == a ||
		    size + sp->in.bytes[b] <= sp->budget / 2); b++)
			size += sp->in.bytes[b];
		if (size > 0 && join_part(sp, a, b, e) == -1)
			return -1;
	}
	/* Without keys, each flush is a run of new records. */
	for (f = 0; sp->nbucket == 1 && f < sp->in.nflush; f++) {
		if (read_u64(sp, sp->in.table[f], &off, e) == -1 ||
		    read_u64(sp, sp->in.table[f] + sizeof(off), &end, e) == -1)
			return -1;
		spill_add_run(&sp->news, off, end);
	}
	if (spill_drain(sp, e) == -1)
		return -1;
	a = sp->hits.n + sp->news.n;
	cap = sp->budget / 2 / (a > 0 ? a : 1);
	cap = cap < RUN_BUF_MIN ? RUN_BUF_MIN : cap > RUN_BUF_MAX ?
	    RUN_BUF_MAX : cap;
	if (start_runs(sp, &sp->hits, cap, e) == -1 ||
	    start_runs(sp, &sp->news, cap, e) == -1)
		return -1;
	return 0;
}

int
spill_find(struct spill *sp, struct batch *b, size_t n, long *ids,
    struct err *e)
{
	struct runs *r = &sp->hits;
	struct src *s;
	struct rec *rec;
	size_t i;

	b->n = 0;
	buf_reset(&b->text);
	for (i = 0; i < n; i++) {
		ids[i] = -1;
		sp->looked++;
		if (r->nheap == 0 || r->src[r->heap[0]].no != sp->looked - 1)
			continue;
		s = &r->src[r->heap[0]];
		rec = batch_new(b);
		rec->off = b->text.len;
		rec->len = (uint32_t)s->text.len;
		rec->del = (unsigned char)s->del;
		rec->slen = 0;
		buf_add(&b->text, s->text.data, s->text.len);
		ids[i] = (long)(b->n - 1);
		if (advance(sp, r, e) == -1)
			return -1;
	}
	return 0;
}

int
spill_new(struct spill *sp, const char **text, size_t *len, struct err *e)
{
	struct runs *r = &sp->news;
	struct src *s;
	int del;

	do {
		if (r->nheap == 0)
			return 0;
		s = &r->src[r->heap[0]];
		del = s->del;
		buf_reset(&sp->out);
		buf_add(&sp->out, s->text.data, s->text.len);
		if (advance(sp, r, e) == -1)
			return -1;
	} while (del);
	*text = sp->out.data;
	*len = sp->out.len;
	return 1;
}
