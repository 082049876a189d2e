/*
 * placeholder.c: Python's str.format grammar, the part dlt's
 * configurations use: literal text, "{{" and "}}", and {name}.
 */
#include <string.h>

#include "dlt/placeholder.h"

enum ph_kind
placeholder_next(struct ph_scan *sc, const char **p, size_t *len)
{
	const char *s = sc->s + sc->pos, *end = sc->s + sc->n, *q;

	*p = s;
	*len = 0;
	if (s >= end)
		return PH_END;
	if (*s == '{' && s + 1 < end && s[1] == '{') {
		/* The first brace is the text; the second is skipped. */
		*len = 1;
		sc->pos += 2;
		return PH_TEXT;
	}
	if (*s == '}') {
		if (s + 1 < end && s[1] == '}') {
			*len = 1;
			sc->pos += 2;
			return PH_TEXT;
		}
		*p = "a single '}' (write '}}' for a brace)";
		return PH_ERROR;
	}
	if (*s != '{') {
		for (q = s; q < end && *q != '{' && *q != '}'; q++)
			;
		*len = (size_t)(q - s);
		sc->pos += *len;
		return PH_TEXT;
	}
	for (q = s + 1; q < end && *q != '}'; q++) {
		if (*q == '{') {
			*p = "a '{' inside a placeholder";
			return PH_ERROR;
		}
		if (*q == '!' || *q == ':' || *q == '[' || *q == ']') {
			*p = "only {name} placeholders are supported (no "
			    "conversion, format spec or index)";
			return PH_ERROR;
		}
	}
	if (q == end) {
		*p = "a '{' without its '}' (write '{{' for a brace)";
		return PH_ERROR;
	}
	if (q == s + 1) {
		*p = "an empty placeholder '{}'";
		return PH_ERROR;
	}
	*p = s + 1;
	*len = (size_t)(q - s - 1);
	sc->pos += *len + 2;
	return PH_FIELD;
}

int
placeholder_any(const char *s, size_t n)
{
	struct ph_scan sc = { s, n, 0 };
	const char *p;
	size_t len;
	enum ph_kind k;
	int any = 0;

	while ((k = placeholder_next(&sc, &p, &len)) != PH_END) {
		if (k == PH_ERROR)
			return -1;
		if (k == PH_FIELD || (len == 1 && (*p == '{' || *p == '}')))
			any = 1;
	}
	return any;
}
