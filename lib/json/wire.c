/*
 * wire.c: the records programs pass each other (wire.h), and the one
 * grammar of a resume position.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/opt.h"
#include "json/json.h"
#include "json/wire.h"

static const char *const kinds[] = {
	[WIRE_PAGE] = "page", [WIRE_RETRY] = "retry", [WIRE_END] = "end",
	[WIRE_CURSOR] = "cursor", [WIRE_FAIL] = "fail"
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* The members that are counts, by name and place in struct wire. */
#define COUNT(m)	{ #m, offsetof(struct wire, m) }
static const struct {
	const char	*name;
	size_t		 off;
} counts[] = {
	COUNT(pages), COUNT(requests), COUNT(records), COUNT(values),
	COUNT(total), COUNT(inserted), COUNT(updated), COUNT(unchanged),
	COUNT(deleted), COUNT(rows), COUNT(attempt), COUNT(attempts)
};
#define NCOUNTS	(sizeof(counts) / sizeof(counts[0]))

/* The members that are strings. */
#define TEXT(m)		{ #m, offsetof(struct wire, m) }
static const struct {
	const char	*name;
	size_t		 off;
} texts[] = {
	TEXT(position), TEXT(cause), TEXT(url), TEXT(cursor_path),
	TEXT(value), TEXT(reason)
};
#define NTEXTS	(sizeof(texts) / sizeof(texts[0]))

#define COUNT_AT(w, i)	((long long *)((char *)(w) + counts[i].off))
#define TEXT_AT(w, i)	((char **)((char *)(w) + texts[i].off))

void
wire_init(struct wire *w, enum wire_kind kind, const char *stage)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->stage = (char *)stage;
	for (i = 0; i < NCOUNTS; i++)
		*COUNT_AT(w, i) = -1;
	w->wait = w->longest_wait = -1;
	w->status = -1;
}

void
wire_free(struct wire *w)
{
	size_t i;

	free(w->stage);
	for (i = 0; i < NTEXTS; i++)
		free(*TEXT_AT(w, i));
	wire_init(w, WIRE_PAGE, NULL);
}

const char *
wire_kind_name(enum wire_kind k)
{
	return (size_t)k < NKINDS ? kinds[k] : NULL;
}

int
wire_tally_add(struct wire_tally *t, size_t *nt, const char *name,
    long long n)
{
	size_t i;

	for (i = 0; i < *nt; i++)
		if (strcmp(t[i].name, name) == 0) {
			t[i].n += n;
			return 0;
		}
	if (*nt == WIRE_TALLIES || strlen(name) >= sizeof(t[0].name))
		return -1;
	snprintf(t[*nt].name, sizeof(t[0].name), "%s", name);
	t[(*nt)++].n = n;
	return 0;
}

long long
wire_tally_get(const struct wire_tally *t, size_t nt, const char *name)
{
	size_t i;

	for (i = 0; i < nt; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].n;
	return 0;
}

static void
add_key(struct buf *b, const char *key)
{
	buf_addc(b, ',');
	json_quote(b, key, strlen(key));
	buf_addc(b, ':');
}

void
wire_tallies_json(struct buf *b, const struct wire_tally *t, size_t n)
{
	size_t i;

	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		json_quote(b, t[i].name, strlen(t[i].name));
		buf_printf(b, ":%lld", t[i].n);
	}
	buf_addc(b, '}');
}

/* The member key of tallies t, left out when there are none. */
static void
add_tallies(struct buf *b, const char *key, const struct wire_tally *t,
    size_t n)
{
	if (n == 0)
		return;
	add_key(b, key);
	wire_tallies_json(b, t, n);
}

void
wire_format(const struct wire *w, struct buf *b)
{
	const char *s;
	size_t i;

	buf_printf(b, "{\"wire\":%d,\"kind\":\"%s\"", WIRE_VERSION,
	    kinds[w->kind]);
	if (w->stage != NULL) {
		add_key(b, "stage");
		json_quote(b, w->stage, strlen(w->stage));
	}
	for (i = 0; i < NTEXTS; i++)
		if ((s = *TEXT_AT(w, i)) != NULL) {
			add_key(b, texts[i].name);
			json_quote(b, s, strlen(s));
		}
	for (i = 0; i < NCOUNTS; i++)
		if (*COUNT_AT(w, i) >= 0) {
			add_key(b, counts[i].name);
			buf_printf(b, "%lld", *COUNT_AT(w, i));
		}
	if (w->already)
		buf_adds(b, ",\"already\":true");
	if (w->wait >= 0) {
		add_key(b, "wait");
		buf_printf(b, "%.3f", w->wait);
	}
	if (w->longest_wait >= 0) {
		add_key(b, "longest_wait");
		buf_printf(b, "%.3f", w->longest_wait);
	}
	if (w->status >= 0) {
		add_key(b, "status");
		buf_printf(b, "%d", w->status);
	}
	add_tallies(b, "sent", w->sent, w->nsent);
	add_tallies(b, "retries", w->retries, w->nretries);
	buf_adds(b, "}\n");
}

/* The place in counts[] of the member named key, or NCOUNTS. */
static size_t
count_index(const char *key)
{
	size_t i;

	for (i = 0; i < NCOUNTS; i++)
		if (strcmp(key, counts[i].name) == 0)
			break;
	return i;
}

/* The place in texts[] of the member named key, or NTEXTS. */
static size_t
text_index(const char *key)
{
	size_t i;

	for (i = 0; i < NTEXTS; i++)
		if (strcmp(key, texts[i].name) == 0)
			break;
	return i;
}

/* The string member key, value v: texts[i], or the stage if i is NTEXTS. */
static int
take_text(struct wire *w, const struct json *js, const char *key, size_t i,
    int v, struct err *e)
{
	char **to = i < NTEXTS ? TEXT_AT(w, i) : &w->stage;
	struct buf val;

	if (!json_is_string(js, v))
		return err_set(e, EX_DATAERR, "wire: '%s' is not a string",
		    key);
	buf_init(&val, 0);
	json_unescape(js, v, &val);
	free(*to);
	*to = xstrndup(val.data != NULL ? val.data : "", val.len);
	buf_free(&val);
	return 0;
}

/* The member key, value v: "wait", "longest_wait" or "status". */
static int
take_number(struct wire *w, const struct json *js, const char *key, int v,
    struct err *e)
{
	struct buf val;
	char *endp;
	double d;
	int rc = 0;

	buf_init(&val, 0);
	json_unescape(js, v, &val);
	errno = 0;
	d = json_is_number(js, v) ? strtod(buf_str(&val), &endp) : -1;
	if (!json_is_number(js, v) || errno != 0 || d < 0 ||
	    (key[0] == 's' && (d > 255 || d != (int)d)))
		rc = err_set(e, EX_DATAERR, "wire: '%s' is not a %s", key,
		    key[0] == 's' ? "status" : "number of seconds");
	else if (key[0] == 's')
		w->status = (int)d;
	else if (key[0] == 'w')
		w->wait = d;
	else
		w->longest_wait = d;
	buf_free(&val);
	return rc;
}

/* The member key, value v: the counts by name "sent" or "retries". */
static int
take_tallies(struct wire *w, const struct json *js, const char *key, int v,
    struct err *e)
{
	struct wire_tally *t = key[0] == 's' ? w->sent : w->retries;
	size_t *ntp = key[0] == 's' ? &w->nsent : &w->nretries;
	struct buf name;
	long long n;
	int j, end, rc = 0;

	if (!json_is_object(js, v))
		return err_set(e, EX_DATAERR, "wire: '%s' is not an object",
		    key);
	buf_init(&name, 0);
	end = json_skip(js, v);
	for (j = v + 1; j < end && rc == 0; j = json_skip(js, j + 1)) {
		buf_reset(&name);
		json_unescape(js, j, &name);
		if (json_long(js, j + 1, &n) == -1 || n < 0 ||
		    wire_tally_add(t, ntp, buf_str(&name), n) == -1)
			rc = err_set(e, EX_DATAERR, "wire: '%s': a count by "
			    "name expected", key);
	}
	buf_free(&name);
	return rc;
}

/* A member of the object, by its key k (token) and value v. */
static int
take_member(struct wire *w, const struct json *js, int k, int v,
    struct err *e)
{
	struct buf key;
	long long n;
	size_t i;
	int rc = 0, flag;

	buf_init(&key, 0);
	json_unescape(js, k, &key);
	buf_str(&key);
	if ((i = count_index(key.data)) < NCOUNTS) {
		if (json_long(js, v, &n) == -1 || n < 0)
			rc = err_set(e, EX_DATAERR, "wire: '%s' is not a count",
			    key.data);
		else
			*COUNT_AT(w, i) = n;
	} else if ((i = text_index(key.data)) < NTEXTS ||
	    strcmp(key.data, "stage") == 0)
		rc = take_text(w, js, key.data, i, v, e);
	else if (strcmp(key.data, "already") == 0) {
		if (!json_is_bool(js, v, &flag))
			rc = err_set(e, EX_DATAERR, "wire: 'already' is not "
			    "true or false");
		else
			w->already = flag;
	} else if (strcmp(key.data, "wait") == 0 ||
	    strcmp(key.data, "longest_wait") == 0 ||
	    strcmp(key.data, "status") == 0)
		rc = take_number(w, js, key.data, v, e);
	else if (strcmp(key.data, "sent") == 0 ||
	    strcmp(key.data, "retries") == 0)
		rc = take_tallies(w, js, key.data, v, e);
	/* Any other member is one a later version added: not ours to read. */
	buf_free(&key);
	return rc;
}

int
wire_parse(const char *line, size_t n, struct wire *w, struct err *e)
{
	struct json_error je;
	struct json js;
	long long version;
	size_t i;
	int v, k, end, rc = 0;

	wire_init(w, WIRE_PAGE, NULL);
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > WIRE_LINE_MAX)
		return err_set(e, EX_DATAERR, "wire: a record longer than "
		    "%d bytes", WIRE_LINE_MAX);
	if (memchr(line, '\n', n) != NULL)
		return err_set(e, EX_DATAERR, "wire: not a record: more than "
		    "one line");
	json_init(&js);
	if (json_parse(&js, line, n, &je) == -1) {
		json_free(&js);
		return err_set(e, EX_DATAERR, "wire: not a record: %s",
		    je.msg);
	}
	if (!json_is_object(&js, 0)) {
		json_free(&js);
		return err_set(e, EX_DATAERR, "wire: not a record: not an "
		    "object");
	}
	if ((v = json_get(&js, 0, "wire", 4)) == -1 ||
	    json_long(&js, v, &version) == -1)
		rc = err_set(e, EX_DATAERR, "wire: not a record: no version");
	else if (version != WIRE_VERSION)
		rc = err_set(e, EX_DATAERR, "wire: version %lld; this "
		    "program reads version %d", version, WIRE_VERSION);
	if (rc == 0) {
		v = json_get(&js, 0, "kind", 4);
		for (i = 0; v != -1 && i < NKINDS; i++)
			if (json_streq(&js, v, kinds[i], strlen(kinds[i])))
				break;
		if (v == -1 || i == NKINDS)
			rc = err_set(e, EX_DATAERR, "wire: a record of no "
			    "kind this program knows");
		else
			w->kind = (enum wire_kind)i;
	}
	end = json_skip(&js, 0);
	for (k = 1; rc == 0 && k < end; k = json_skip(&js, k + 1)) {
		if (json_streq(&js, k, "wire", 4) ||
		    json_streq(&js, k, "kind", 4))
			continue;
		rc = take_member(w, &js, k, k + 1, e);
	}
	json_free(&js);
	if (rc == -1)
		wire_free(w);
	return rc;
}

int
wire_sink_open(struct wire_sink *s, const char *stage, int fd,
    const char *path, struct err *e)
{
	s->stage = stage;
	s->fd = s->file = -1;
	if (fd >= 0 && fcntl(fd, F_GETFD) == -1)
		return err_set(e, EX_USAGE, "--report-fd: %d is not open", fd);
	s->fd = fd;
	if (path == NULL)
		return 0;
	s->file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC, 0600);
	if (s->file == -1)
		return err_set(e, EX_CANTCREAT, "--report: %s: cannot create:",
		    path);
	return 0;
}

int
wire_sink_on(const struct wire_sink *s)
{
	return s->fd >= 0 || s->file >= 0;
}

int
wire_send(const struct wire_sink *s, const struct wire *w)
{
	struct wire copy = *w;
	struct buf b;
	int rc = 0;

	if (!wire_sink_on(s))
		return 0;
	if (copy.stage == NULL)
		copy.stage = (char *)s->stage;
	buf_init(&b, 0);
	wire_format(&copy, &b);
	if (s->fd >= 0 && fd_write(s->fd, b.data, b.len) == -1)
		rc = -1;
	if (s->file >= 0 && fd_write(s->file, b.data, b.len) == -1)
		rc = -1;
	buf_free(&b);
	return rc;
}

static void
on_die(void *sink, int status, const char *msg)
{
	struct wire w;

	wire_init(&w, WIRE_FAIL, NULL);
	w.status = status;
	w.reason = (char *)msg;
	(void)wire_send(sink, &w);
}

void
wire_catch_die(const struct wire_sink *s)
{
	diag_on_die(s != NULL ? on_die : NULL, (void *)s);
}

const struct option wire_longopts[] = {
	{ "report",	required_argument, NULL, WIRE_OPT_REPORT },
	{ "report-fd",	required_argument, NULL, WIRE_OPT_REPORT_FD },
	{ NULL,		0,		   NULL, 0 }
};

int
wire_option(struct wire_args *a, int opt, const char *arg, struct err *e)
{
	if (opt == WIRE_OPT_REPORT) {
		a->file = arg;
		return 1;
	}
	if (opt != WIRE_OPT_REPORT_FD)
		return 0;
	return parse_long("--report-fd", arg, 3, 1023, &a->fd, e) == -1 ? -1 :
	    1;
}

/* The position grammar. */

static const char *const pos_options[] = {
	[POS_NONE] = NULL, [POS_OFFSET] = "--offset", [POS_PAGE] = "--page",
	[POS_NEXT_URL] = "--next-url", [POS_CURSOR] = "--cursor"
};

const char *
wire_pos_option(enum wire_pos_kind k)
{
	return (size_t)k < sizeof(pos_options) / sizeof(pos_options[0]) ?
	    pos_options[k] : NULL;
}

/* Up to 18 digits, the whole of s[0..n): 0 with *v set, else -1. */
static int
digits(const char *s, size_t n, long long *v)
{
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

size_t
wire_parent_start(const char *s, long long *n, uint64_t *hash, int *hashed)
{
	size_t len = strspn(s, "0123456789"), i;
	int d;

	*hash = 0;
	*hashed = 0;
	if (digits(s, len, n) == -1)
		return 0;
	if (s[len] != ':')
		return len;
	for (i = 1; i <= 16; i++) {
		if ((d = json_hexval(s[len + i])) == -1 ||
		    (s[len + i] >= 'A' && s[len + i] <= 'F'))
			return 0;
		*hash = *hash << 4 | (uint64_t)d;
	}
	*hashed = 1;
	return len + 17;
}

/* The part of a position after any --parent-start. */
static int
pos_inner(const char *s, struct wire_pos *p)
{
	size_t i, len;

	for (i = POS_OFFSET; i <= POS_CURSOR; i++) {
		len = strlen(pos_options[i]);
		if (strncmp(s, pos_options[i], len) == 0 && s[len] == ' ')
			break;
	}
	if (i > POS_CURSOR)
		return -1;
	p->kind = (enum wire_pos_kind)i;
	s += len + 1;
	if (p->kind == POS_NEXT_URL || p->kind == POS_CURSOR) {
		p->ref = s;
		return strlen(s) + len + 1 <= WIRE_POSITION_MAX &&
		    strpbrk(s, "\r\n") == NULL ? 0 : -1;
	}
	return digits(s, strlen(s), &p->n);
}

int
wire_pos_parse(const char *s, struct wire_pos *p)
{
	static const char ps[] = "--parent-start ";
	size_t len;

	memset(p, 0, sizeof(*p));
	if (strncmp(s, ps, sizeof(ps) - 1) != 0)
		return pos_inner(s, p);
	s += sizeof(ps) - 1;
	if ((len = wire_parent_start(s, &p->parent_n, &p->parent_hash,
	    &p->hashed)) == 0)
		return -1;
	p->parent = 1;
	if (s[len] == '\0')
		return 0;
	return s[len] == ' ' ? pos_inner(s + len + 1, p) : -1;
}

void
wire_pos_number(struct buf *b, enum wire_pos_kind kind, long long n)
{
	buf_printf(b, "%s %lld", pos_options[kind], n);
}

void
wire_pos_ref(struct buf *b, enum wire_pos_kind kind, const char *ref)
{
	buf_printf(b, "%s %s", pos_options[kind], ref != NULL ? ref : "");
}

void
wire_pos_parent(struct buf *b, long long n, uint64_t hash, int hashed,
    const char *inner)
{
	buf_printf(b, "--parent-start %lld", n);
	if (hashed)
		buf_printf(b, ":%016" PRIx64, hash);
	if (inner != NULL)
		buf_printf(b, " %s", inner);
}
