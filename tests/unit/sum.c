/*
 * lib/base/hash.h: the running checksum rest-sync keeps of its spool.  It is
 * fed in pieces as the pipe gives them and checked again, on a resume,
 * in pieces of another size: every split of the same bytes must give the
 * same value, and a byte changed, moved, cut or added a different one.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/hash.h"
#include "unit.h"

#define LEN	300

static unsigned char	data[LEN];

/*
 * The sum of s[0..n) fed in pieces of step bytes (the last shorter), or
 * with a seed, of the sizes below step a pseudo-random walk picks (an
 * empty piece too).
 */
static uint64_t
sum_split(const unsigned char *s, size_t n, size_t step, uint32_t seed)
{
	struct sum sum;
	size_t i, k;

	sum_init(&sum);
	for (i = 0; i < n; i += k) {
		k = step;
		if (seed != 0) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 16) % step;
		}
		if (k > n - i)
			k = n - i;
		sum_add(&sum, s + i, k);
	}
	return sum_value(&sum);
}

static uint64_t
sum_by(const unsigned char *s, size_t n, size_t step)
{
	return sum_split(s, n, step, 0);
}

int
main(void)
{
	static const size_t steps[] = { 1, 2, 7, 8, 31, 32, 33, 64, 65, 299 };
	unsigned char copy[LEN + 1];
	uint64_t whole, v;
	size_t i, j, n, bad;

	for (i = 0; i < LEN; i++)
		data[i] = (unsigned char)(i * 7 + 3);

	/* Every split gives the value of the whole, at every length. */
	for (n = 0; n <= LEN; n += n < 70 ? 1 : 23) {
		whole = sum_by(data, n, LEN);
		bad = 0;
		for (j = 0; j < sizeof(steps) / sizeof(steps[0]); j++)
			bad += sum_by(data, n, steps[j]) != whole;
		for (j = 0; j < 20; j++)
			bad += sum_split(data, n, 70, (uint32_t)j + 1) != whole;
		unit_check(bad == 0, "%zu bytes: 30 splits, one value (%zu "
		    "differ)", n, bad);
	}

	whole = sum_by(data, LEN, LEN);
	/* Any one byte changed, in any lane and in the tail. */
	bad = 0;
	for (i = 0; i < LEN; i++) {
		memcpy(copy, data, LEN);
		copy[i] ^= 1;
		bad += sum_by(copy, LEN, 13) == whole;
	}
	unit_check(bad == 0, "a bit flipped at each of %d places changes the "
	    "sum (%zu do not)", LEN, bad);

	/* Words moved from one lane to the next, or to the next block. */
	memcpy(copy, data, LEN);
	memcpy(copy, data + 8, 8);
	memcpy(copy + 8, data, 8);
	unit_check(sum_by(copy, LEN, LEN) != whole, "two words swapped "
	    "between lanes change the sum");
	memcpy(copy, data, LEN);
	memcpy(copy, data + 32, 32);
	memcpy(copy + 32, data, 32);
	unit_check(sum_by(copy, LEN, LEN) != whole, "two blocks swapped "
	    "change the sum");

	/* Zeros added at the end are bytes, not padding. */
	memset(copy, 0, sizeof(copy));
	v = sum_by(copy, 0, 1);
	bad = 0;
	for (n = 1; n <= 65; n++) {
		bad += sum_by(copy, n, 5) == v;
		v = sum_by(copy, n, 5);
	}
	unit_check(bad == 0, "0 to 65 zero bytes: each length its own sum "
	    "(%zu do not)", bad);
	memcpy(copy, data, LEN);
	copy[LEN] = 0;
	unit_check(sum_by(copy, LEN + 1, 32) != whole, "a zero byte appended "
	    "changes the sum");
	unit_check(sum_by(data, LEN - 1, 32) != whole, "the last byte cut "
	    "changes the sum");

	return unit_done();
}
