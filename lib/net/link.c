#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "net/link.h"

struct scan {
	const char	*p, *end;
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
skip_space(struct scan *s)
{
	while (s->p < s->end && is_space((unsigned char)*s->p))
		s->p++;
}

/* Skip to just past the next comma outside <...> and quotes, or the end. */
static void
skip_link(struct scan *s)
{
	int quoted = 0, angle = 0;

	for (; s->p < s->end; s->p++) {
		if (quoted && *s->p == '\\' && s->p + 1 < s->end)
			s->p++;
		else if (*s->p == '"' && !angle)
			quoted = !quoted;
		else if (!quoted && *s->p == '<')
			angle = 1;
		else if (!quoted && *s->p == '>')
			angle = 0;
		else if (!quoted && !angle && *s->p == ',') {
			s->p++;
			return;
		}
	}
}

/*
 * Read a parameter's value (a token or a quoted string) into v, without
 * the quotes and with its escapes undone.  Returns 0, or -1 for an
 * unterminated quoted string.
 */
static int
param_value(struct scan *s, struct buf *v)
{
	if (s->p < s->end && *s->p == '"') {
		for (s->p++; s->p < s->end && *s->p != '"'; s->p++) {
			if (*s->p == '\\' && s->p + 1 < s->end)
				s->p++;
			buf_addc(v, *s->p);
		}
		if (s->p == s->end)
			return -1;
		s->p++;
		return 0;
	}
	while (s->p < s->end && *s->p != ';' && *s->p != ',' &&
	    !is_space((unsigned char)*s->p))
		buf_addc(v, *s->p++);
	return 0;
}

/* 1 if the space-separated list v names rel, in any case. */
static int
names_rel(const struct buf *v, const char *rel)
{
	size_t n = strlen(rel), i = 0, j;

	while (i < v->len) {
		while (i < v->len && is_space((unsigned char)v->data[i]))
			i++;
		for (j = i; j < v->len && !is_space((unsigned char)v->data[j]);
		    j++)
			;
		if (j > i && j - i == n && strncasecmp(v->data + i, rel, n) == 0)
			return 1;
		i = j;
	}
	return 0;
}

/*
 * Read the parameters of a link up to its end; 1 if one is a rel that
 * names rel, 0 if not, -1 if they cannot be read.
 */
static int
link_params(struct scan *s, const char *rel)
{
	struct buf name, value;
	int found = 0, rc = 0;

	buf_init(&name, 0);
	buf_init(&value, 0);
	for (;;) {
		skip_space(s);
		if (s->p == s->end || *s->p == ',')
			break;
		if (*s->p != ';') {
			rc = -1;
			break;
		}
		s->p++;
		skip_space(s);
		buf_reset(&name);
		buf_reset(&value);
		while (s->p < s->end && *s->p != '=' && *s->p != ';' &&
		    *s->p != ',' && !is_space((unsigned char)*s->p))
			buf_addc(&name, *s->p++);
		skip_space(s);
		if (s->p < s->end && *s->p == '=') {
			s->p++;
			skip_space(s);
			if (param_value(s, &value) == -1) {
				rc = -1;
				break;
			}
		}
		/* The first rel counts (RFC 8288, 3.3). */
		if (name.len == 3 && strncasecmp(name.data, "rel", 3) == 0 &&
		    found == 0)
			found = names_rel(&value, rel) ? 1 : 2;
	}
	buf_free(&name);
	buf_free(&value);
	return rc == -1 ? -1 : found == 1;
}

int
link_find(const char *text, size_t n, const char *rel, struct buf *out)
{
	struct scan s = { text, text + n };
	const char *target, *close;
	size_t len;
	int rc;

	while (s.p < s.end) {
		skip_space(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		if (s.p == s.end)
			break;
		if (*s.p != '<' || (close = memchr(s.p, '>',
		    (size_t)(s.end - s.p))) == NULL) {
			skip_link(&s);
			continue;
		}
		target = s.p + 1;
		len = (size_t)(close - target);
		s.p = close + 1;
		if ((rc = link_params(&s, rel)) == -1) {
			skip_link(&s);
			continue;
		}
		if (rc == 1) {
			while (len > 0 && is_space((unsigned char)*target)) {
				target++;
				len--;
			}
			while (len > 0 && is_space((unsigned char)target[len - 1]))
				len--;
			buf_add(out, target, len);
			return 1;
		}
	}
	return 0;
}
