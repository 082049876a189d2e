/*
 * libFuzzer: Retry-After values, checked against what they mean.
 *
 * Each input is used twice.  As a header value, it is checked against a
 * reference reading of RFC 9110: delta-seconds must give exactly that
 * number, and an HTTP-date in its canonical form (the text gmtime() and
 * strftime() make for the time strptime() reads from it) must give
 * exactly when - now, or -1 when that is not positive.  Other text may be
 * read by libcurl's lenient date parser, so it only has to give -1 or a
 * whole positive number of seconds.  Then the input's hash picks a time,
 * one of the three date formats and some white space around it, and the
 * date made from them must give exactly when - now, or -1.
 */
#define _GNU_SOURCE	/* timegm() */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The harness's clock: Tue, 14 Nov 2023 22:13:20 GMT. */
#define NOW		1700000000LL
#define NOW_YEAR	2023

/* The last second of 9999, the largest year the formats can write. */
#define MAX_WHEN	253402300799LL

enum { IMF, RFC850, ASCTIME };

static const char *const formats[] = {
	"%a, %d %b %Y %H:%M:%S GMT",	/* Sun, 06 Nov 1994 08:49:37 GMT */
	"%A, %d-%b-%y %H:%M:%S GMT",	/* Sunday, 06-Nov-94 08:49:37 GMT */
	"%a %b %e %H:%M:%S %Y",		/* Sun Nov  6 08:49:37 1994 */
};

static void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* What the delay must be for a date at when. */
static double
expect_date(long long when)
{
	return when > NOW ? (double)(when - NOW) : -1;
}

/*
 * The year RFC 9110 reads from a two-digit one: the one whose last two
 * digits they are that is not more than 50 years after now.
 */
static int
rfc_year(int yy)
{
	int year = NOW_YEAR - NOW_YEAR % 100 + yy;

	return year > NOW_YEAR + 50 ? year - 100 : year;
}

/*
 * Read s as an HTTP-date written in format f exactly as gmtime() and
 * strftime() would write it.  Returns 0 with *when and *year set, or -1.
 */
static int
canonical_date(const char *s, int f, long long *when, int *year)
{
	struct tm tm, back;
	const char *end;
	char text[128];
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, formats[f], &tm)) == NULL || *end != '\0')
		return -1;
	if (f == RFC850)
		tm.tm_year = rfc_year(tm.tm_year % 100) - 1900;
	if ((t = timegm(&tm)) == (time_t)-1 || t < 0 || t > MAX_WHEN)
		return -1;
	if (gmtime_r(&t, &back) == NULL ||
	    strftime(text, sizeof(text), formats[f], &back) == 0 ||
	    strcmp(text, s) != 0)
		return -1;
	*when = (long long)t;
	*year = back.tm_year + 1900;
	return 0;
}

/* Check the delay d that the header value v gave. */
static void
check_value(const char *v, double d)
{
	const char *p = v, *q;
	long long when;
	char *body;
	size_t n, i;
	int f, year;

	/* Any answer is -1 or a positive whole number of seconds. */
	check(d == -1 || (d > 0 && d == floor(d)));

	while (*p == ' ' || *p == '\t')
		p++;
	q = p + strlen(p);
	while (q > p && strchr(" \t\r\n", q[-1]) != NULL)
		q--;
	n = (size_t)(q - p);
	if (n == 0) {
		check(d == -1);
		return;
	}
	if (*p >= '0' && *p <= '9') {
		double secs;

		for (i = 0; i < n; i++)
			if (p[i] < '0' || p[i] > '9')
				break;
		if (i < n) {
			/* "5s", "1.5", "5 6": not delta-seconds. */
			check(d == -1);
			return;
		}
		body = xstrndup(p, n);
		secs = strtod(body, NULL);
		free(body);
		if (secs == 0)
			check(d == -1);
		else if (n <= 15)
			check(d == secs);	/* exact in a double */
		else	/* rounded, or past the largest double: inf */
			check(d == secs || fabs(d - secs) <= secs * 1e-12 ||
			    (d > 1e307 && secs > 1e307));
		return;
	}
	body = xstrndup(p, n);
	for (f = IMF; f <= ASCTIME; f++) {
		if (canonical_date(body, f, &when, &year) == -1)
			continue;
		/*
		 * libcurl reads a two-digit year in a fixed window,
		 * 1971-2070, where RFC 9110 slides one along with the clock:
		 * for 71-73 they differ (RFC 9110 says 2071-2073 now), and
		 * http_retry_after() follows libcurl.  Left unchecked.
		 */
		if (f == RFC850 && year >= 2071 && year <= 2073)
			break;
		check(d == expect_date(when));
		break;
	}
	free(body);
}

/* FNV-1a: the input's 64 bits that choose a date. */
static uint64_t
hash(const uint8_t *data, size_t size)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * UINT64_C(1099511628211);
	return h;
}

/* A date after the input's hash h, written and read back. */
static void
check_made_date(uint64_t h)
{
	static const char *const before[] = { "", " ", "\t ", "  " };
	static const char *const after[] = { "", " ", "\r\n", " \t" };
	long long when;
	char text[128], value[160];
	struct tm tm;
	time_t t;
	uint64_t v = h >> 16;
	int f = (int)(h % 3);

	switch (h >> 8 & 3) {
	case 0:		/* within two minutes of now, either side */
		when = NOW - 120 + (long long)(v % 241);
		break;
	case 1:		/* within about six months */
		when = NOW - (1LL << 24) + (long long)(v % (1ULL << 25));
		break;
	case 2:		/* up to 2069, which every format can write */
		when = (long long)(v % 3155760000ULL);
		break;
	default:	/* up to 9999 */
		when = (long long)(v % (MAX_WHEN + 1));
		break;
	}
	t = (time_t)when;
	if (gmtime_r(&t, &tm) == NULL)
		__builtin_trap();
	/* Two-digit years only where libcurl and RFC 9110 agree. */
	if (f == RFC850 && (tm.tm_year + 1900 < 1974 ||
	    tm.tm_year + 1900 > 2069))
		f = IMF;
	if (strftime(text, sizeof(text), formats[f], &tm) == 0)
		__builtin_trap();
	snprintf(value, sizeof(value), "%s%s%s", before[h >> 10 & 3], text,
	    after[h >> 12 & 3]);
	check(http_retry_after(value, NOW) == expect_date(when));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = xstrndup((const char *)data, size);

	check_value(value, http_retry_after(value, NOW));
	free(value);
	check_made_date(hash(data, size));
	return 0;
}
