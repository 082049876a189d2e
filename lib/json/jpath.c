/*
 * jpath.c: dlt's data_selector, compiled to a list of steps (a key or an
 * index) and evaluated by walking the tokens.  A trailing [*] or .* adds
 * no step: selecting an array already yields every element.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "json/jpath.h"
#include "json/json.h"

const char jpath_syntax[] =
    "data, $.data, $.data[*], $, a.b, a[0].b, a[-1], $['odd.key'], "
    "@odata.nextLink";

struct step {
	const char	*key;	/* NULL for an index step */
	size_t		 len;
	long		 index;
};

struct jpath {
	struct step	*step;
	size_t		 nstep;
	char		*keys;	/* the unescaped keys, back to back */
};

static int
namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c >= 0x80;
}

/* Parse a bare name at *pp into out; returns its length (0: none). */
static size_t
bare_name(const char **pp, char *out)
{
	const unsigned char *p = (const unsigned char *)*pp;
	size_t n = 0;

	while (namechar(*p))
		out[n++] = (char)*p++;
	*pp = (const char *)p;
	return n;
}

/*
 * Parse the quoted key at *pp (on its quote) into out, with \' \" and \\
 * unescaped; returns its length, or -1 with *err set.
 */
static long
quoted_key(const char **pp, char *out, const char **err)
{
	const char *p = *pp;
	char quote = *p++;
	long n = 0;

	for (; *p != quote; p++) {
		if (*p == '\0') {
			*err = "unterminated quoted key";
			return -1;
		}
		if (*p == '\\') {
			p++;
			if (*p != '\'' && *p != '"' && *p != '\\') {
				*err = "invalid escape in quoted key "
				    "(only \\' \\\" \\\\)";
				return -1;
			}
		}
		out[n++] = *p;
	}
	*pp = p + 1;
	return n;
}

/* Parse the integer index at *pp; returns 0, or -1 with *err set. */
static int
index_of(const char **pp, long *index, const char **err)
{
	const char *p = *pp;
	int neg = *p == '-';
	long v = 0;

	if (neg)
		p++;
	if (*p < '0' || *p > '9') {
		*err = "expected an index, a quoted key or '*'";
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (LONG_MAX - (*p - '0')) / 10) {
			*err = "index out of range";
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	*index = neg ? -v : v;
	*pp = p;
	return 0;
}

/* What is wrong with the bracket that starts at p (after the '['). */
static const char *
bad_bracket(const char *p)
{
	if (*p == '?')
		return "filters are not supported";
	if (*p == '(')
		return "script expressions are not supported";
	if (*p == '\0')
		return "unterminated bracket";
	return "expected an index, a quoted key or '*'";
}

/* What is wrong after the content of a bracket, at p. */
static const char *
bad_close(const char *p)
{
	if (*p == ':')
		return "slices are not supported";
	if (*p == ',')
		return "unions are not supported";
	if (*p == '\0')
		return "unterminated bracket";
	return "expected ']'";
}

/* Compile one bracket step at *pp (after the '['); -1 with *err set. */
static int
bracket(const char **pp, struct step *s, char **out, int *wild,
    const char **err)
{
	const char *p = *pp;
	long n;

	if (*p == '*') {
		p++;
		*wild = 1;
	} else if (*p == '\'' || *p == '"') {
		if ((n = quoted_key(&p, *out, err)) == -1)
			return -1;
		s->key = *out;
		s->len = (size_t)n;
		*out += n;
	} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
		if (index_of(&p, &s->index, err) == -1)
			return -1;
	} else {
		*err = bad_bracket(p);
		return -1;
	}
	if (*p != ']') {
		*err = bad_close(p);
		return -1;
	}
	*pp = p + 1;
	return 0;
}

/* Compile one dot step at *pp (after the '.'); -1 with *err set. */
static int
dot(const char **pp, struct step *s, char **out, int *wild, const char **err)
{
	const char *p = *pp;

	if (*p == '*') {
		*pp = p + 1;
		*wild = 1;
		return 0;
	}
	if (*p == '.') {
		*err = "recursive descent '..' is not supported";
		return -1;
	}
	if ((s->len = bare_name(&p, *out)) == 0) {
		*err = *p == '\0' ? "empty name" :
		    "a name holds only letters, digits, '_' and '-'; "
		    "quote others as ['...']";
		return -1;
	}
	s->key = *out;
	*out += s->len;
	*pp = p;
	return 0;
}

struct jpath *
jpath_compile(const char *selector, const char **err)
{
	const char *p = selector;
	size_t n = strlen(selector);
	struct jpath *jp;
	struct step *s;
	char *out;
	int wild = 0;

	if (n == 0) {
		*err = "empty selector";
		return NULL;
	}
	jp = xmalloc(sizeof(*jp));
	jp->step = xcalloc(n, sizeof(*jp->step));
	jp->nstep = 0;
	jp->keys = out = xmalloc(n);

	/* OData's annotations ("@odata.nextLink") are one key, dots and all. */
	if (*p == '@' && namechar((unsigned char)p[1])) {
		memcpy(out, p, n);
		jp->step[0].key = out;
		jp->step[0].len = n;
		jp->nstep = 1;
		return jp;
	}
	if (*p == '$')
		p++;
	else if (*p == '*') {
		p++;
		wild = 1;
	} else if (*p != '[') {
		s = &jp->step[jp->nstep];
		if ((s->len = bare_name(&p, out)) == 0) {
			*err = "a selector starts with '$', a name or '['";
			goto bad;
		}
		s->key = out;
		out += s->len;
		jp->nstep++;
	}
	while (*p != '\0') {
		if (wild) {
			*err = "a wildcard may only be the last step";
			goto bad;
		}
		s = &jp->step[jp->nstep];
		if (*p == '[') {
			p++;
			if (bracket(&p, s, &out, &wild, err) == -1)
				goto bad;
		} else if (*p == '.') {
			p++;
			if (dot(&p, s, &out, &wild, err) == -1)
				goto bad;
		} else {
			*err = "expected '.' or '['";
			goto bad;
		}
		if (!wild)
			jp->nstep++;
	}
	return jp;
bad:
	jpath_free(jp);
	return NULL;
}

int
jpath_eval(const struct jpath *jp, const struct json *j, int root)
{
	const struct step *s;
	size_t k;
	int t = root;

	for (k = 0; k < jp->nstep && t != -1; k++) {
		s = &jp->step[k];
		if (s->key != NULL)
			t = json_get(j, t, s->key, s->len);
		else
			t = json_index(j, t, s->index);
	}
	return t;
}

size_t
jpath_depth(const struct jpath *jp)
{
	return jp->nstep;
}

int
jpath_is_root(const struct jpath *jp)
{
	return jp->nstep == 0;
}

void
jpath_free(struct jpath *jp)
{
	if (jp == NULL)
		return;
	free(jp->step);
	free(jp->keys);
	free(jp);
}
