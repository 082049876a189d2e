/*
 * lib/net/http.h: http_retry_after() reads delta seconds and the three HTTP
 * date formats of RFC 9110, and refuses the rest with -1.
 */
#include <stddef.h>

#include "net/http.h"
#include "unit.h"

/* Tue, 14 Nov 2023 22:13:20 GMT. */
#define NOW	1700000000LL

static const struct {
	const char	*value;
	long long	 now;
	double		 want;
} rows[] = {
	/* Delta seconds. */
	{ "120", NOW, 120 },
	{ "1", NOW, 1 },
	{ "007", NOW, 7 },
	{ "99999999999", NOW, 99999999999.0 },
	{ "0", NOW, -1 },		/* not positive */
	{ "00", NOW, -1 },
	/* White space around. */
	{ " 5", NOW, 5 },
	{ "\t5", NOW, 5 },
	{ "5 ", NOW, 5 },
	{ "5\r\n", NOW, 5 },
	{ " \t7\t ", NOW, 7 },
	/* Not delta seconds, and no date either. */
	{ "-5", NOW, -1 },
	{ "+5", NOW, -1 },
	{ "-0", NOW, -1 },
	{ "5s", NOW, -1 },
	{ "1.5", NOW, -1 },
	{ "1e3", NOW, -1 },
	{ "0x10", NOW, -1 },
	{ "5 6", NOW, -1 },
	{ "5,6", NOW, -1 },
	{ "", NOW, -1 },
	{ "   ", NOW, -1 },
	{ "\t", NOW, -1 },
	{ "abc", NOW, -1 },
	{ "garbage date", NOW, -1 },
	{ "soon", NOW, -1 },
	/* The three formats, two minutes ahead. */
	{ "Tue, 14 Nov 2023 22:15:20 GMT", NOW, 120 },
	{ "Tuesday, 14-Nov-23 22:15:20 GMT", NOW, 120 },
	{ "Tue Nov 14 22:15:20 2023", NOW, 120 },
	/* Days ahead, and a day of one digit in asctime's format. */
	{ "Wed, 15 Nov 2023 22:13:20 GMT", NOW, 86400 },
	{ "Thu Nov 16 22:13:20 2023", NOW, 172800 },
	{ "Fri Dec  1 00:00:00 2023", NOW, 1388800 },
	{ "Fri, 01 Jan 2100 00:00:00 GMT", NOW, 2402444800.0 },
	/* White space around a date. */
	{ "  Tue, 14 Nov 2023 22:15:20 GMT", NOW, 120 },
	{ "Tue, 14 Nov 2023 22:15:20 GMT\r\n", NOW, 120 },
	{ "\tTue Nov 14 22:15:20 2023 ", NOW, 120 },
	/* Now, a second either side, and the past. */
	{ "Tue, 14 Nov 2023 22:13:20 GMT", NOW, -1 },
	{ "Tue, 14 Nov 2023 22:13:21 GMT", NOW, 1 },
	{ "Tue, 14 Nov 2023 22:13:19 GMT", NOW, -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", NOW, -1 },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", NOW, -1 },
	{ "Sun Nov  6 08:49:37 1994", NOW, -1 },
	/* The same date is ahead of an earlier clock. */
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111717LL, 60 },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", 784111717LL, 60 },
	{ "Sun Nov  6 08:49:37 1994", 784111777LL, -1 },
	/* An offset moves the date; an hour ahead of GMT is in the past. */
	{ "Tue, 14 Nov 2023 22:15:20 +0100", NOW, -1 },
	{ "Tue, 14 Nov 2023 22:15:20 PST", NOW, 28920 },
	/* Dates that are not. */
	{ "Tue, 32 Nov 2023 22:15:20 GMT", NOW, -1 },
	{ "Tue, 14 Nov 2023 25:15:20 GMT", NOW, -1 },
	{ "Tue, 14 Foo 2023 22:15:20 GMT", NOW, -1 },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		unit_double(http_retry_after(rows[i].value, rows[i].now),
		    rows[i].want, "http_retry_after(%s, %lld) is %.0f",
		    unit_quotes(rows[i].value), rows[i].now, rows[i].want);
	unit_double(http_retry_after(NULL, NOW), -1,
	    "http_retry_after(NULL) is -1");
	return unit_done();
}
