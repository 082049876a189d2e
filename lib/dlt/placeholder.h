/*
 * placeholder.h: the str.format placeholders dlt writes into a path, a
 * parameter or a body: "users/{id}", "{resources.users.id}", with "{{"
 * and "}}" for literal braces.  Only plain names are placeholders here:
 * a format spec, a conversion or an index is refused, not ignored.
 */
#ifndef PLACEHOLDER_H
#define PLACEHOLDER_H

#include <stddef.h>

/* What placeholder_next() found. */
enum ph_kind { PH_END, PH_TEXT, PH_FIELD, PH_ERROR };

/* A scan of a string of n bytes, started with pos 0. */
struct ph_scan {
	const char	*s;
	size_t		 n;
	size_t		 pos;
};

/*
 * The next piece of the scan: PH_TEXT with *p and *len the literal bytes
 * (an escaped brace ends a piece and counts once), PH_FIELD with the name
 * between the braces, PH_END, or PH_ERROR with *p a static message (and
 * *len 0).  Pieces point into the scanned string.
 */
enum ph_kind	placeholder_next(struct ph_scan *, const char **p,
	    size_t *len);

/*
 * 1 if the n bytes at s hold a placeholder or an escaped brace (so that
 * the text as sent differs from the text as written), 0 if not, -1 if
 * they are not a valid format string.
 */
int	placeholder_any(const char *s, size_t n);

#endif
