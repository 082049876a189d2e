#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"

#define FIND_MANY	64	/* lookups whose memory fetches overlap */
#define HUGE_PAGE	((size_t)2 << 20)
#define HUGE_MIN	((size_t)4 << 20)	/* slots past this: huge pages */

uint64_t
hash_bytes(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	/* FNV's low bits vary little over keys like "1001", "1002", ... */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* A multiplier with good bit spread (the golden ratio's). */
#define MIX	UINT64_C(0x9e3779b97f4a7c15)

static inline uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX;
	return h ^ h >> 29;
}

/* One block of 32 bytes, a word to each lane: four chains, not one. */
static inline void
sum_block(struct sum *s, const unsigned char *b)
{
	uint64_t w[4];

	memcpy(w, b, sizeof(w));
	s->h[0] = mix(s->h[0], w[0]);
	s->h[1] = mix(s->h[1], w[1]);
	s->h[2] = mix(s->h[2], w[2]);
	s->h[3] = mix(s->h[3], w[3]);
}

void
sum_init(struct sum *s)
{
	memset(s, 0, sizeof(*s));
	s->h[0] = UINT64_C(0xcbf29ce484222325);
	s->h[1] = s->h[0] + 1;
	s->h[2] = s->h[0] + 2;
	s->h[3] = s->h[0] + 3;
}

void
sum_add(struct sum *s, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t have = s->n % 32, k;

	s->n += n;
	if (have > 0) {
		k = n < 32 - have ? n : 32 - have;
		memcpy(s->tail + have, b, k);
		if (have + k < 32)
			return;
		sum_block(s, s->tail);
		b += k;
		n -= k;
	}
	for (; n >= 32; b += 32, n -= 32)
		sum_block(s, b);
	memcpy(s->tail, b, n);
}

uint64_t
sum_value(const struct sum *s)
{
	struct sum t = *s;
	size_t have = t.n % 32;
	uint64_t h;

	/* The count tells a zero padding from zeros that came. */
	memset(t.tail + have, 0, 32 - have);
	sum_block(&t, t.tail);
	h = mix(mix(mix(t.h[0], t.h[1]), t.h[2]), t.h[3]);
	return mix(h, t.n);
}

void
strtab_init(struct strtab *t)
{
	buf_init(&t->bytes, 0);
	t->end = NULL;
	t->slot = NULL;
	t->n = t->nslot = 0;
}

void
strtab_free(struct strtab *t)
{
	buf_free(&t->bytes);
	free(t->end);
	free(t->slot);
	strtab_init(t);
}

const char *
strtab_str(const struct strtab *t, size_t id, size_t *n)
{
	size_t start = id == 0 ? 0 : t->end[id - 1];

	*n = t->end[id] - start;
	return t->bytes.data + start;
}

/* The slot that holds s, or the empty slot where it would go. */
static struct slot *
probe(const struct strtab *t, const void *s, size_t n, uint32_t h)
{
	size_t mask = t->nslot - 1, i = h & mask, len;
	struct slot *sl;
	const char *p;

	for (;; i = (i + 1) & mask) {
		sl = &t->slot[i];
		if (sl->id == 0)
			return sl;
		if (sl->hash != h)
			continue;
		p = strtab_str(t, sl->id - 1, &len);
		if (len == n && memcmp(p, s, n) == 0)
			return sl;
	}
}

long
strtab_find(const struct strtab *t, const void *s, size_t n)
{
	struct slot *sl;

	if (t->n == 0)
		return -1;
	sl = probe(t, s, n, (uint32_t)hash_bytes(s, n));
	return sl->id == 0 ? -1 : (long)sl->id - 1;
}

/* strtab_find_many() for at most FIND_MANY strings. */
static void
find_some(const struct strtab *t, const char *const *s, const size_t *len,
    size_t n, long *ids)
{
	size_t i, j, k, mask = t->nslot - 1;
	uint32_t h[FIND_MANY];
	const char *p;

	/* Each step for the whole group, prefetching what the next reads. */
	for (i = 0; i < n; i++) {
		h[i] = (uint32_t)hash_bytes(s[i], len[i]);
		__builtin_prefetch(&t->slot[h[i] & mask]);
	}
	for (i = 0; i < n; i++) {
		for (j = h[i] & mask; t->slot[j].id != 0 &&
		    t->slot[j].hash != h[i]; j = (j + 1) & mask)
			;
		ids[i] = (long)t->slot[j].id - 1;
		if (ids[i] >= 0)
			__builtin_prefetch(&t->end[ids[i]]);
	}
	for (i = 0; i < n; i++)
		if (ids[i] > 0)
			__builtin_prefetch(t->bytes.data + t->end[ids[i] - 1]);
	for (i = 0; i < n; i++) {
		if (ids[i] < 0)
			continue;
		p = strtab_str(t, (size_t)ids[i], &k);
		/* The first slot with the hash may hold another string. */
		if (k != len[i] || (k > 0 && memcmp(p, s[i], k) != 0))
			ids[i] = strtab_find(t, s[i], len[i]);
	}
}

void
strtab_find_many(const struct strtab *t, const char *const *s,
    const size_t *len, size_t n, long *ids)
{
	size_t i, m;

	if (t->n == 0) {
		for (i = 0; i < n; i++)
			ids[i] = -1;
		return;
	}
	for (i = 0; i < n; i += m) {
		m = n - i < FIND_MANY ? n - i : FIND_MANY;
		find_some(t, s + i, len + i, m, ids + i);
	}
}

void
strtab_prefetch(const struct strtab *t, const void *s, size_t n)
{
	if (t->nslot > 0)
		__builtin_prefetch(&t->slot[(uint32_t)hash_bytes(s, n) &
		    (t->nslot - 1)]);
}

/*
 * n empty slots.  Past a few MiB, lookups miss the TLB more than the
 * cache: such tables are aligned to, and asked for in, huge pages.
 */
static struct slot *
slots(size_t n)
{
	size_t size = n * sizeof(struct slot);
	void *p;

	if (size < HUGE_MIN)
		return xcalloc(n, sizeof(struct slot));
	if (posix_memalign(&p, HUGE_PAGE, size) != 0)
		die(EX_OSERR, "out of memory");
#ifdef MADV_HUGEPAGE
	(void)madvise(p, size, MADV_HUGEPAGE);
#endif
	memset(p, 0, size);
	return p;
}

/* Double the slots (at least 16) and put every string back. */
static void
rehash(struct strtab *t)
{
	size_t nslot = t->nslot ? t->nslot * 2 : 16, i, mask = nslot - 1;
	struct slot *old = t->slot;

	t->slot = slots(nslot);
	for (i = 0; i < t->nslot; i++) {
		size_t j = old[i].hash & mask;

		if (old[i].id == 0)
			continue;
		while (t->slot[j].id != 0)
			j = (j + 1) & mask;
		t->slot[j] = old[i];
	}
	free(old);
	t->nslot = nslot;
}

size_t
strtab_add(struct strtab *t, const void *s, size_t n, int *added)
{
	uint32_t h = (uint32_t)hash_bytes(s, n);
	struct slot *sl;

	if (t->n >= UINT32_MAX - 1)
		die(EX_OSERR, "too many distinct strings");
	if (2 * (t->n + 1) > t->nslot) {
		rehash(t);
		/* end[] grows with the slots, so it always has room. */
		t->end = xrealloc(t->end, t->nslot / 2 * sizeof(*t->end));
	}
	sl = probe(t, s, n, h);
	if (added != NULL)
		*added = sl->id == 0;
	if (sl->id != 0)
		return sl->id - 1;
	if (buf_add(&t->bytes, s, n) == -1)
		die(EX_OSERR, "out of memory");
	t->end[t->n] = t->bytes.len;
	sl->id = (uint32_t)++t->n;
	sl->hash = h;
	return t->n - 1;
}
