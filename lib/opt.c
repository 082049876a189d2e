#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sysexits.h>

#include "diag.h"
#include "opt.h"

long
parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		die(EX_CONFIG, "%s: '%s' is not an integer", opt, s);
	if (v < min || v > max)
		die(EX_CONFIG, "%s: %s is out of range (%ld to %ld)", opt, s,
		    min, max);
	return v;
}

double
parse_double(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v))
		die(EX_CONFIG, "%s: '%s' is not a number", opt, s);
	if (v < min || v > max)
		die(EX_CONFIG, "%s: %s is out of range (%g to %g)", opt, s,
		    min, max);
	return v;
}
