/*
 * unit.h: a small table checker for the C unit tests, in the spirit of
 * jsmn's test/tests.c.  Each check prints one TAP line, "ok N - name" or
 * "not ok N - name", a failed one followed by "# " lines saying what was
 * expected and what came.  main() ends with "return unit_done();", which
 * prints the plan and returns 1 if any check failed.  The functions are
 * static: include this header in one file of each test program only.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define UNIT_QUOTES	8	/* unit_quote() results alive at once */
#define UNIT_QUOTE_MAX	72	/* bytes of input shown, then "..." */

static int	unit_count, unit_failed;

/* Print the result line of one check; returns ok. */
static inline int
unit_vreport(int ok, const char *fmt, va_list ap)
{
	unit_count++;
	if (!ok)
		unit_failed++;
	printf("%sok %d - ", ok ? "" : "not ", unit_count);
	vprintf(fmt, ap);
	putchar('\n');
	return ok;
}

/*
 * s[0..n) as a C string literal, for names and diagnostics: static
 * storage, valid until UNIT_QUOTES more calls.  NULL shows as NULL.
 */
static inline const char *
unit_quote(const char *s, size_t n)
{
	static char ring[UNIT_QUOTES][4 * UNIT_QUOTE_MAX + 8];
	static int next;
	char *out = ring[next++ % UNIT_QUOTES], *w = out;
	unsigned char c;
	size_t i;

	if (s == NULL)
		return "NULL";
	*w++ = '"';
	for (i = 0; i < n && i < UNIT_QUOTE_MAX; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			w += sprintf(w, "\\%c", c);
		else if (c == '\n')
			w += sprintf(w, "\\n");
		else if (c == '\r')
			w += sprintf(w, "\\r");
		else if (c == '\t')
			w += sprintf(w, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			w += sprintf(w, "\\x%02x", c);
		else
			*w++ = (char)c;
	}
	*w++ = '"';
	if (i < n)
		w += sprintf(w, "...");
	*w = '\0';
	return out;
}

/* A NUL-terminated string, or NULL, quoted as unit_quote() does. */
static inline const char *
unit_quotes(const char *s)
{
	return unit_quote(s, s == NULL ? 0 : strlen(s));
}

/* A check that holds when ok is true; fmt names it.  Returns ok. */
static inline int
unit_check(int ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline int
unit_check(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_vreport(ok, fmt, ap);
	va_end(ap);
	return ok;
}

/* A check that got[0..gn) holds exactly want[0..wn); NULL only equals NULL. */
static inline int
unit_mem(const char *got, size_t gn, const char *want, size_t wn,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline int
unit_mem(const char *got, size_t gn, const char *want, size_t wn,
    const char *fmt, ...)
{
	va_list ap;
	int ok;

	if (got == NULL || want == NULL)
		ok = got == want;
	else
		ok = gn == wn && (gn == 0 || memcmp(got, want, gn) == 0);
	va_start(ap, fmt);
	unit_vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("#   expected %s\n", unit_quote(want, wn));
		printf("#        got %s\n", unit_quote(got, gn));
	}
	return ok;
}

/* The same for NUL-terminated strings. */
static inline int
unit_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int
unit_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int ok;

	ok = got == NULL || want == NULL ? got == want : strcmp(got, want) == 0;
	va_start(ap, fmt);
	unit_vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("#   expected %s\n", unit_quotes(want));
		printf("#        got %s\n", unit_quotes(got));
	}
	return ok;
}

/* A check that an integer came out as want. */
static inline int
unit_long(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int
unit_long(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_vreport(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   expected %lld\n#        got %lld\n", want, got);
	return got == want;
}

/* A check that a double came out exactly as want. */
static inline int
unit_double(double got, double want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int
unit_double(double got, double want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_vreport(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   expected %.17g\n#        got %.17g\n", want, got);
	return got == want;
}

/* Print the plan; returns the exit status: 0, or 1 if a check failed. */
static inline int
unit_done(void)
{
	printf("1..%d\n", unit_count);
	if (unit_failed > 0)
		printf("# %d of %d checks failed\n", unit_failed, unit_count);
	return fflush(stdout) != 0 || ferror(stdout) || unit_failed > 0;
}

#endif
