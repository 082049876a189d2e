/*
 * json_int.h: private to lib/json, not part of its API (that is json.h).
 * The byte classes and the small inline helpers that the validator
 * (json.c), the readers of its tokens (json_value.c) and the scanner
 * (json_scan.c) share.  They are static, so each file keeps its own copy
 * of the table and inlines the helpers into its hot loops as before.
 */
#ifndef JSON_INT_H
#define JSON_INT_H

#include <stdint.h>


/* Byte classes, one table lookup per byte in the hot loops. */
#define WS	0x01	/* whitespace between tokens */
#define ST	0x02	/* ends a run of plain bytes in a string */
#define WD	0x04	/* may not directly follow a number or literal */
#define DG	0x08	/* decimal digit */
#define HX	0x10	/* hexadecimal digit */
#define NUM	(WD | DG | HX)
#define HEX	(WD | HX)

static const unsigned char cls[256] = {
	ST, ST, ST, ST, ST, ST, ST, ST,
	ST, WS|ST, WS|ST, ST, ST, WS|ST, ST, ST,
	ST, ST, ST, ST, ST, ST, ST, ST,
	ST, ST, ST, ST, ST, ST, ST, ST,
	WS, 0, ST, 0, 0, 0, 0, 0,		/* ' ' to '\'' */
	0, 0, 0, WD, 0, WD, WD, 0,		/* '(' to '/' */
	NUM, NUM, NUM, NUM, NUM, NUM, NUM, NUM,	/* '0' to '7' */
	NUM, NUM, 0, 0, 0, 0, 0, 0,		/* '8' to '?' */
	0, HEX, HEX, HEX, HEX, HEX, HEX, WD,	/* '@' to 'G' */
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, 0, ST, 0, 0, WD,		/* 'X' to '_' */
	0, HEX, HEX, HEX, HEX, HEX, HEX, WD,	/* '`' to 'g' */
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, 0, 0, 0, 0, 0,		/* 'x' to DEL */
};

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Nonzero when some byte of x is less than n (n at most 128). */
static inline uint64_t
below(uint64_t x, unsigned int n)
{
	return (x - ONES * n) & ~x & HIGHS;
}

/* The first byte at or after p that is not whitespace, or end. */
static inline const unsigned char *
skip_space(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (cls[*p] & WS))
		p++;
	return p;
}

#endif /* JSON_INT_H */
