/*
 * incr.c: dlt's incremental loading (dlt/extract/incremental): values,
 * the lag (lag.py) and the state kept beside the table.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "base/buf.h"
#include "base/file.h"
#include "json/json.h"
#include "dlt/incr.h"

#define MAX_STATE	(64L * 1024 * 1024)

void
incr_free(struct incremental *inc)
{
	if (inc == NULL)
		return;
	free(inc->cursor_path);
	free(inc->initial);
	free(inc->end);
	free(inc->start_param);
	free(inc->end_param);
	free(inc->lag);
	free(inc);
}

int
incr_plain_path(const char *s)
{
	const char *p;
	int start = 1;

	if (*s == '\0')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (start)
				return 0;
			start = 1;
			continue;
		}
		if (strchr("$[]*?@()'\"{}, \t\\", *p) != NULL ||
		    (unsigned char)*p < ' ')
			return 0;
		start = 0;
	}
	return !start;
}

/* The string v (compact JSON in quotes) unescaped into b. */
static int
unquote(const char *v, struct buf *b)
{
	struct json j;
	struct json_error err;
	int rc = -1;

	json_init(&j);
	if (json_parse(&j, v, strlen(v), &err) == 0 && json_is_string(&j, 0))
		rc = json_unescape(&j, 0, b);
	json_free(&j);
	return rc;
}

int
incr_cmp(const char *a, const char *b, int *cmp)
{
	struct buf x, y;
	long double u, v;
	size_t n;
	int rc = 0;

	if ((*a == '"') != (*b == '"'))
		return -1;
	if (*a != '"') {
		if (strcmp(a, "true") == 0 || strcmp(a, "false") == 0 ||
		    strcmp(b, "true") == 0 || strcmp(b, "false") == 0 ||
		    *a == '{' || *a == '[' || *b == '{' || *b == '[')
			return strcmp(a, b) == 0 ? (*cmp = 0) : -1;
		u = strtold(a, NULL);
		v = strtold(b, NULL);
		*cmp = u < v ? -1 : u > v;
		return 0;
	}
	buf_init(&x, 0);
	buf_init(&y, 0);
	if (unquote(a, &x) == -1 || unquote(b, &y) == -1) {
		rc = -1;
	} else {
		n = x.len < y.len ? x.len : y.len;
		*cmp = n > 0 ? memcmp(x.data, y.data, n) : 0;
		if (*cmp == 0)
			*cmp = x.len < y.len ? -1 : x.len > y.len;
	}
	buf_free(&x);
	buf_free(&y);
	return rc;
}

int
incr_later(const struct incremental *inc, const char *a, const char *b)
{
	int c;

	if (incr_cmp(a, b, &c) == -1)
		return 0;
	return inc->min ? c < 0 : c > 0;
}

char *
incr_state_file(const char *table)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s.state.json", table);
	return buf_str(&b);
}

void
incr_state_free(struct incr_state *st)
{
	size_t i;

	free(st->last);
	for (i = 0; i < st->nhash; i++)
		free(st->hashes[i]);
	free(st->hashes);
	memset(st, 0, sizeof(*st));
}

/* The string token i, unescaped, as a new string. */
static char *
token_str(const struct json *j, int i)
{
	struct buf b;

	buf_init(&b, 0);
	json_unescape(j, i, &b);
	return buf_str(&b);
}

int
incr_state_load(struct incr_state *st, const char *path, const char *resource,
    const struct incremental *inc, struct err *e)
{
	struct buf text, v;
	struct json j;
	struct json_error err;
	int rc = 0, t, h, end, i;

	memset(st, 0, sizeof(*st));
	buf_init(&text, 0);
	json_init(&j);
	if (file_read(path, MAX_STATE, &text, e) == -1) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (json_parse(&j, text.data != NULL ? text.data : "", text.len,
	    &err) == -1 || !json_is_object(&j, 0)) {
		rc = err_set(e, EX_DATAERR, "%s: not a state file rest-merge "
		    "wrote", path);
		goto out;
	}
	if ((t = json_get(&j, 0, "resource", 8)) < 0 ||
	    !json_streq(&j, t, resource, strlen(resource)) ||
	    (t = json_get(&j, 0, "cursor_path", 11)) < 0 ||
	    !json_streq(&j, t, inc->cursor_path, strlen(inc->cursor_path)))
		goto out;
	if ((t = json_get(&j, 0, "last_value", 10)) >= 0 &&
	    !json_is_null(&j, t)) {
		buf_init(&v, 0);
		json_compact(&j, t, &v);
		st->last = buf_str(&v);
	}
	if ((h = json_get(&j, 0, "unique_hashes", 13)) >= 0 &&
	    json_is_array(&j, h)) {
		end = json_skip(&j, h);
		for (i = h + 1; i < end; i = json_skip(&j, i)) {
			if (!json_is_string(&j, i))
				continue;
			st->hashes = xrealloc(st->hashes, (st->nhash + 1) *
			    sizeof(*st->hashes));
			st->hashes[st->nhash++] = token_str(&j, i);
		}
	}
	rc = 1;
out:
	if (rc == 0) {
		/* No file is no state: not an error. */
		err_free(e);
		incr_state_free(st);
	}
	json_free(&j);
	buf_free(&text);
	return rc;
}

void
incr_state_write(FILE *fp, const char *resource, const struct incremental *inc,
    const struct incr_state *st)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_adds(&b, "{\"resource\":");
	json_quote(&b, resource, strlen(resource));
	buf_adds(&b, ",\"cursor_path\":");
	json_quote(&b, inc->cursor_path, strlen(inc->cursor_path));
	buf_adds(&b, ",\"last_value\":");
	buf_adds(&b, st->last != NULL ? st->last : "null");
	buf_adds(&b, ",\"unique_hashes\":[");
	for (i = 0; i < st->nhash; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		json_quote(&b, st->hashes[i], strlen(st->hashes[i]));
	}
	buf_adds(&b, "]}\n");
	fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}

/* Parse n digits at s into *v; 0, or -1. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * Apply lag (seconds, or days to a date) to the ISO 8601 date or datetime
 * s, as dlt's lag.py does, sign already applied; the result keeps s's
 * format (its fraction digits and zone as written).  -1 if s is neither.
 */
static int
lag_date(const char *s, double lag, struct buf *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, nfrac = 0, date_only;
	long frac = 0, scale = 1, i;
	double t, whole;
	const char *p, *zone = "";
	time_t tt;
	char sep = 'T';

	size_t n = strlen(s);

	if (n < 10 || digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1)
		return -1;
	date_only = n == 10;
	if (!date_only) {
		sep = s[10];
		if ((sep != 'T' && sep != ' ') || n < 19 ||
		    digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
		    digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
		    digits(s + 17, 2, &sec) == -1)
			return -1;
		p = s + 19;
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9' && nfrac < 9; p++) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
				nfrac++;
			}
			if (nfrac == 0)
				return -1;
		}
		zone = p;
		if (!(*p == '\0' || strcmp(p, "Z") == 0 ||
		    ((*p == '+' || *p == '-') && strlen(p) == 6 &&
		    p[3] == ':')))
			return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	tt = timegm(&tm);
	t = (double)tt + (double)frac / (double)scale +
	    (date_only ? lag * 86400 : lag);
	whole = floor(t);
	tt = (time_t)whole;
	i = lround((t - whole) * (double)scale);
	if (i >= scale) {
		tt++;
		i -= scale;
	}
	if (gmtime_r(&tt, &tm) == NULL)
		return -1;
	if (date_only) {
		buf_printf(out, "\"%04d-%02d-%02d\"", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
		return 0;
	}
	buf_printf(out, "\"%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, sep, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (nfrac > 0)
		buf_printf(out, ".%0*ld", nfrac, i);
	buf_printf(out, "%s\"", zone);
	return 0;
}

/* The value v moved back by the lag (forward with min) into out. */
static int
apply_lag(const struct incremental *inc, const char *v, struct buf *out,
    struct err *e)
{
	double lag = strtod(inc->lag, NULL), x;
	struct buf s;
	int rc;

	if (!inc->min)
		lag = -lag;
	if (*v == '"') {
		buf_init(&s, 0);
		rc = unquote(v, &s) == -1 ? -1 : lag_date(buf_str(&s), lag,
		    out);
		buf_free(&s);
		if (rc == -1)
			return err_set(e, EX_DATAERR, "lag: the cursor value %s "
			    "is neither a number nor an ISO 8601 date or "
			    "datetime", v);
		return 0;
	}
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
	    *v == '{' || *v == '[')
		return err_set(e, EX_DATAERR, "lag: the cursor value %s is "
		    "not a number or a date", v);
	x = strtod(v, NULL) + lag;
	/* An integer stays one, truncated as Python's int() does. */
	if (strpbrk(v, ".eE") == NULL)
		buf_printf(out, "%.0f", trunc(x));
	else
		buf_printf(out, "%.17g", x);
	return 0;
}

int
incr_start(const struct incremental *inc, const struct incr_state *st,
    char **start, struct err *e)
{
	struct buf b;

	*start = NULL;
	if (inc->end != NULL || st == NULL || st->last == NULL) {
		if (inc->initial != NULL)
			*start = xstrdup(inc->initial);
		return 0;
	}
	if (inc->lag == NULL || strtod(inc->lag, NULL) == 0) {
		*start = xstrdup(st->last);
		return 0;
	}
	buf_init(&b, 0);
	if (apply_lag(inc, st->last, &b, e) == -1) {
		buf_free(&b);
		return -1;
	}
	*start = buf_str(&b);
	/* The lag never goes back past the initial value. */
	if (inc->initial != NULL && !incr_later(inc, *start, inc->initial)) {
		free(*start);
		*start = xstrdup(inc->initial);
	}
	return 0;
}

void
incr_param_value(const char *v, struct buf *b)
{
	if (*v == '"')
		unquote(v, b);
	else
		buf_adds(b, v);
}
