/*
 * hash.h: string tables.  Each distinct byte string added gets the next
 * number (0, 1, 2, ...), so the numbers also say in which order the strings
 * were first seen.  Memory grows with the strings, not with the lookups.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct strtab {
	struct buf	 bytes;	/* the strings, back to back */
	size_t		*end;	/* string id -> its end offset in bytes */
	struct slot {
		uint32_t id;	/* string id + 1; 0: empty */
		uint32_t hash;
	}		*slot;
	size_t		 n;	/* strings */
	size_t		 nslot;	/* a power of two, at least 2 * n */
};

/* A 64-bit hash of s[0..n): FNV-1a, its bits mixed. */
uint64_t hash_bytes(const void *s, size_t n);

/*
 * A running 64-bit checksum of a stream fed in pieces of any size: the
 * same bytes give the same value however they are split.  Four lanes of
 * eight bytes each, for speed (some 10 GB/s); not for adversaries.
 */
struct sum {
	uint64_t	 h[4];
	uint64_t	 n;		/* bytes so far */
	unsigned char	 tail[32];	/* the last n % 32 of them */
};

void	sum_init(struct sum *);
void	sum_add(struct sum *, const void *, size_t);
uint64_t sum_value(const struct sum *);

/* Prepare an empty table; no memory is allocated yet. */
void	strtab_init(struct strtab *);

/* Free the table's memory; it is empty and reusable afterwards. */
void	strtab_free(struct strtab *);

/* The id of s[0..n), or -1 if the table does not hold it. */
long	strtab_find(const struct strtab *, const void *s, size_t n);

/*
 * Look up n strings at once: ids[i] = strtab_find(t, s[i], len[i]).  The
 * memory fetches of the lookups overlap, so a large table answers a group
 * several times faster than one string at a time.
 */
void	strtab_find_many(const struct strtab *, const char *const *s,
	    const size_t *len, size_t n, long *ids);

/* Start fetching the memory a strtab_add() of s[0..n) will touch. */
void	strtab_prefetch(const struct strtab *, const void *s, size_t n);

/*
 * The id of s[0..n), adding the string first if the table does not hold
 * it; *added (when not NULL) says which.  Exits with EX_OSERR when memory
 * runs out or the table is full (2^32 - 1 strings).
 */
size_t	strtab_add(struct strtab *, const void *s, size_t n, int *added);

/*
 * The bytes of string id and their length; owned by the table and valid
 * until the next strtab_add().
 */
const char *strtab_str(const struct strtab *, size_t id, size_t *n);

#endif
