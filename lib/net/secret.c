#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/json.h"
#include "net/secret.h"

char *
secret_dlt_env(const char *name)
{
	static const char *const forms[] = {
		"SOURCES__REST_API__REST_API__CREDENTIALS__",
		"SOURCES__REST_API__CREDENTIALS__", "SOURCES__CREDENTIALS__",
		"CREDENTIALS__", "SOURCES__REST_API__", "SOURCES__", NULL
	};
	const char *const *f;
	const char *v;
	struct buf var;
	size_t i, at;

	buf_init(&var, 0);
	for (f = forms; *f != NULL; f++) {
		buf_reset(&var);
		buf_adds(&var, *f);
		at = var.len;
		buf_adds(&var, name);
		for (i = at; i < var.len; i++)
			if (var.data[i] >= 'a' && var.data[i] <= 'z')
				var.data[i] = (char)(var.data[i] - 'a' + 'A');
		if ((v = getenv(buf_str(&var))) != NULL && *v != '\0') {
			buf_free(&var);
			return xstrdup(v);
		}
	}
	buf_free(&var);
	return NULL;
}

int
secret_load(const char *env, const char *file, char **secret, struct err *e)
{
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	*secret = NULL;
	if (file == NULL) {
		s = getenv(env);
		if (s != NULL && *s != '\0')
			*secret = xstrdup(s);
		return 0;
	}
	if ((fp = fopen(file, "r")) == NULL)
		return err_set(e, EX_NOINPUT, "%s:", file);
	n = getline(&line, &cap, fp);
	fclose(fp);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n <= 0) {
		free(line);
		return err_set(e, EX_CONFIG, "%s: the first line holds no "
		    "secret", file);
	}
	*secret = line;
	return 0;
}

/*
 * What secret_excerpt() looks for: a string to hide, or one of its base64
 * forms, in which '-' and '_' stand for '+' and '/' as well.
 */
struct pat {
	const unsigned char	*s;
	size_t			 n;
	int			 b64;
	char			*own;	/* s when allocated here */
};

/* The forms of one string: itself, base64 padded and not, two middles. */
#define FORMS	5

/*
 * The readings of the body a match follows at once, at most: a '%' or a
 * '\' may be the byte itself or start an escape.  Past it the reading
 * furthest into the body is dropped, never the one of raw bytes.
 */
#define NSTATE	64

/* A match in progress: pattern byte i is next, at body offset j. */
struct state {
	size_t	i, j;
};

struct run {
	struct state	st[NSTATE];
	size_t		n;
};

/* How far a match from one place went. */
struct span {
	size_t	n;	/* pattern bytes matched */
	size_t	end;	/* body offset after them */
	int	tail;	/* the body ended while the match could go on */
};

static const char b64digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6 bits at bit offset q of s (n bytes), zeros past its end. */
static int
bits6(const unsigned char *s, size_t n, size_t q)
{
	size_t at = q / 8;
	unsigned v = (unsigned)s[at] << 8;

	if (at + 1 < n)
		v |= s[at + 1];
	return (int)(v >> (10 - q % 8) & 63);
}

/*
 * s in base64 as it reads after a bytes of other data (0, 1 or 2): only
 * the digits that s alone decides, or with alone the whole encoding of s,
 * padded if pad.  The caller frees.
 */
static char *
base64_form(const unsigned char *s, size_t n, int a, int alone, int pad)
{
	size_t bits = 8 * n, q = (6 - 8 * (size_t)a % 6) % 6, k = 0;
	struct buf b;

	buf_init(&b, 0);
	for (; q + 6 <= bits || (alone && q < bits); q += 6, k++)
		buf_addc(&b, b64digits[bits6(s, n, q)]);
	while (pad && k++ % 4 != 0)
		buf_addc(&b, '=');
	return buf_str(&b);
}

/* Add a pattern: a string to hide, or a base64 form of one, to free. */
static void
add_pat(struct pat *p, size_t *np, const char *s, int b64)
{
	struct pat *t = &p[(*np)++];

	t->s = (const unsigned char *)s;
	t->n = strlen(s);
	t->b64 = b64;
	t->own = b64 ? (char *)s : NULL;
}

/* Fill p with the forms of the strings of hide; returns how many. */
static size_t
make_pats(struct pat *p, char *const hide[], size_t n)
{
	const unsigned char *s;
	size_t np = 0, i, m;

	for (i = 0; i < n; i++) {
		if (hide[i] == NULL || *hide[i] == '\0')
			continue;
		s = (const unsigned char *)hide[i];
		m = strlen(hide[i]);
		add_pat(p, &np, hide[i], 0);
		add_pat(p, &np, base64_form(s, m, 0, 1, 1), 1);
		if (m % 3 != 0)
			add_pat(p, &np, base64_form(s, m, 0, 1, 0), 1);
		if (m < 7)
			continue;
		add_pat(p, &np, base64_form(s, m, 1, 0, 0), 1);
		add_pat(p, &np, base64_form(s, m, 2, 0, 0), 1);
	}
	return np;
}

static void
free_pats(struct pat *p, size_t np)
{
	size_t i;

	for (i = 0; i < np; i++) {
		if (p[i].own != NULL) {
			explicit_bzero(p[i].own, p[i].n);
			free(p[i].own);
		}
	}
	free(p);
}

/* Whether v, decoded from the body, stands for pattern byte c. */
static int
same(const struct pat *pt, int c, int v)
{
	if (v == c)
		return 1;
	return pt->b64 && ((c == '+' && v == '-') || (c == '/' && v == '_'));
}

/*
 * Whether raw body byte v stands for c: a space may also be a '+', or a
 * control byte, since those are shown as spaces.
 */
static int
same_raw(const struct pat *pt, int c, int v)
{
	return same(pt, c, v) ||
	    (c == ' ' && (v == '+' || v < 0x20 || v == 0x7f));
}

/* The value of n hex digits at b, or -1. */
static long
hexn(const unsigned char *b, int n)
{
	long v = 0;
	int d;

	while (n-- > 0) {
		if ((d = json_hexval(*b++)) < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Add a state unless it is there; when full, forget the furthest one. */
static void
push(struct run *r, size_t i, size_t j)
{
	size_t x, far = 0;

	for (x = 0; x < r->n; x++)
		if (r->st[x].i == i && r->st[x].j == j)
			return;
	if (r->n < NSTATE) {
		r->st[r->n].i = i;
		r->st[r->n++].j = j;
		return;
	}
	for (x = 1; x < r->n; x++)
		if (r->st[x].j > r->st[far].j)
			far = x;
	if (j < r->st[far].j) {
		r->st[far].i = i;
		r->st[far].j = j;
	}
}

/* Take the state least far in the pattern. */
static struct state
pop(struct run *r)
{
	struct state s;
	size_t x, min = 0;

	for (x = 1; x < r->n; x++)
		if (r->st[x].i < r->st[min].i)
			min = x;
	s = r->st[min];
	r->st[min] = r->st[--r->n];
	return s;
}

/*
 * Follow a JSON escape at b[j] from state s, decoded by lib/json.  A
 * \u escape of a code point under 0x100 may also stand for that one byte
 * (a key that is not UTF-8, echoed as Latin-1 escapes).
 */
static void
step_json(struct run *r, const struct pat *pt, const unsigned char *b,
    size_t len, struct state s, int *tail)
{
	const char *p = (const char *)b + s.j, *end = (const char *)b + len;
	char out[4];
	size_t used, n;
	long cp;

	if (len - s.j < 2) {
		*tail = 1;
		return;
	}
	if (strchr("/\"\\bfnrtu", b[s.j + 1]) == NULL || b[s.j + 1] == '\0')
		return;
	if (b[s.j + 1] == 'u') {
		if (len - s.j < 6) {
			*tail = hexn(b + s.j + 2, (int)(len - s.j - 2)) >= 0;
			return;
		}
		if ((cp = hexn(b + s.j + 2, 4)) < 0)
			return;
		if (cp >= 0x80 && cp < 0x100 && same(pt, pt->s[s.i], (int)cp))
			push(r, s.i + 1, s.j + 6);
		/* A high surrogate: its low half may be in the next read. */
		if (cp >= 0xd800 && cp < 0xdc00 && len - s.j < 12) {
			*tail = 1;
			return;
		}
		/* A lone surrogate stands for no byte of a key. */
		if (cp >= 0xd800 && cp < 0xe000 && (cp >= 0xdc00 ||
		    hexn(b + s.j + 8, 4) < 0xdc00 || hexn(b + s.j + 8, 4) >=
		    0xe000 || b[s.j + 6] != '\\' || b[s.j + 7] != 'u'))
			return;
	}
	used = json_unescape_one(p, end, out, &n);
	if (n == 1 ? same(pt, pt->s[s.i], (unsigned char)out[0]) :
	    n <= pt->n - s.i && memcmp(pt->s + s.i, out, n) == 0)
		push(r, s.i + n, s.j + used);
}

/* Add the states that one more byte of the pattern leads to from s. */
static void
step(struct run *r, const struct pat *pt, const unsigned char *b,
    size_t len, struct state s, int *tail)
{
	int c = pt->s[s.i];
	long v;

	if (s.j == len) {
		*tail = 1;
		return;
	}
	if (same_raw(pt, c, b[s.j]))
		push(r, s.i + 1, s.j + 1);
	if (b[s.j] == '%') {
		if (len - s.j < 3)
			*tail = hexn(b + s.j + 1, (int)(len - s.j - 1)) >= 0;
		else if ((v = hexn(b + s.j + 1, 2)) >= 0 &&
		    same(pt, c, (int)v))
			push(r, s.i + 1, s.j + 3);
	}
	if (b[s.j] == '\\')
		step_json(r, pt, b, len, s, tail);
}

/* The longest match of pattern pt from its byte k at body offset p. */
static struct span
match_at(const struct pat *pt, size_t k, const unsigned char *b,
    size_t len, size_t p)
{
	struct span sp = { 0, p, 0 };
	struct run r;
	struct state s;

	r.n = 0;
	push(&r, k, p);
	while (r.n > 0) {
		s = pop(&r);
		if (s.i - k > sp.n || (s.i - k == sp.n && s.j > sp.end)) {
			sp.n = s.i - k;
			sp.end = s.j;
		}
		if (s.i < pt->n)
			step(&r, pt, b, len, s, &sp.tail);
	}
	return sp;
}

/* Whether body byte v may start a form of pattern byte c. */
static int
may_start(const struct pat *pt, int c, int v)
{
	return v == '%' || v == '\\' || same_raw(pt, c, v);
}

/*
 * The end of what must be hidden at body offset p: the furthest a match
 * of a whole pattern, of 8 bytes of one or more, or of a start of one up
 * to the end of the body (4 bytes of it or more) reaches; p if none does.
 */
static size_t
hidden_at(const struct pat *pats, size_t np, const unsigned char *b,
    size_t len, size_t p)
{
	const struct pat *pt;
	struct span sp;
	size_t end = p, k, last;

	for (pt = pats; pt < pats + np; pt++) {
		last = pt->n >= 8 ? pt->n - 8 : 0;
		for (k = 0; k <= last; k++) {
			if (!may_start(pt, pt->s[k], b[p]))
				continue;
			sp = match_at(pt, k, b, len, p);
			if (k == 0 && sp.tail && len - p >= 4)
				return len;
			if ((k == 0 && sp.n == pt->n) || sp.n >= 8)
				end = sp.end > end ? sp.end : end;
		}
	}
	return end;
}

int
secret_excerpt(struct buf *out, const char *s, size_t len,
    char *const hide[], size_t n, size_t max)
{
	const unsigned char *b = (const unsigned char *)s;
	struct pat *pats = xcalloc(n * FORMS, sizeof(*pats));
	size_t np = make_pats(pats, hide, n), p = 0, shown = 0, end;

	while (p < len) {
		if ((end = hidden_at(pats, np, b, len, p)) > p) {
			if (max > 0 && shown + 3 > max)
				break;
			buf_add(out, "***", 3);
			shown += 3;
			p = end;
			continue;
		}
		if (max > 0 && shown + 1 > max)
			break;
		buf_addc(out, b[p] < 0x20 || b[p] == 0x7f ? ' ' : b[p]);
		shown++;
		p++;
	}
	free_pats(pats, np);
	return p < len;
}

void
secret_nodump(void)
{
#ifdef PR_SET_DUMPABLE
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}
