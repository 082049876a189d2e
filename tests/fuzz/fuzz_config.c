/*
 * libFuzzer: the configuration reader, checked for what it reads.
 *
 * Each input is used twice.  As a configuration file, whatever it is:
 * either the reader stops with a documented status, or what it read keeps
 * the invariants of struct config (a name, a URL and a table; a limit of
 * 1 or more for the offset paginator; no paginator's fields without it;
 * one source for a secret; valid names and values...).  Then its bytes
 * steer a generator that writes a configuration with known values in
 * every part (client, resource_defaults, several resources, strings with
 * escapes, values shadowed by the level dlt prefers) and sometimes one
 * planted fault; the reader must return exactly those values, or stop
 * with EX_CONFIG when a fault was planted.  A configuration that loads is
 * also turned into request options, whose query must be its parameters
 * encoded as libcurl encodes them.
 *
 * The reader returns its errors, and frees what it read: leak detection
 * is on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/json.h"
#include "net/http.h"
#include "dlt/config.h"
#include "dlt/reqopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define PARTS \
	(CONFIG_REQUEST | CONFIG_PAGER | CONFIG_SELECT | CONFIG_TABLE)

/* The generated configuration, shown when a check fails. */
static const char *shown;

static void
fail(int line)
{
	fprintf(stderr, "fuzz_config: check at line %d failed\n", line);
	if (shown != NULL)
		fprintf(stderr, "fuzz_config: generated: %s\n", shown);
	__builtin_trap();
}

#define check(ok)	((ok) ? (void)0 : fail(__LINE__))

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static int
one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Write n bytes to a file of our own, whose path is returned. */
static const char *
put_file(int which, const void *data, size_t n)
{
	static char path[2][4096];
	static int fd[2] = { -1, -1 };
	const char *dir = getenv("TMPDIR");

	if (fd[which] == -1) {
		snprintf(path[which], sizeof(path[which]),
		    "%s/restpipe-fuzz-XXXXXX", dir != NULL ? dir : P_tmpdir);
		if ((fd[which] = mkstemp(path[which])) == -1)
			abort();
	}
	if (ftruncate(fd[which], 0) == -1 ||
	    pwrite(fd[which], data, n, 0) != (ssize_t)n)
		abort();
	return path[which];
}

/*
 * Load file for resource; returns 0, or the status of the error.  Only
 * the documented statuses are allowed, each with a message; c is left
 * empty on an error.
 */
static int
load(struct config *c, const char *file, const char *resource)
{
	static const struct config empty;
	struct err e = { 0 };
	int status = 0;

	if (config_load(c, file, resource, PARTS, &e) == -1) {
		status = e.status;
		check(status == EX_CONFIG || status == EX_USAGE ||
		    status == EX_NOINPUT);
		check(e.msg != NULL && *e.msg != '\0' &&
		    strchr(e.msg, '\n') == NULL);
		check(memcmp(c, &empty, sizeof(*c)) == 0);
		err_free(&e);
	} else {
		check(e.msg == NULL);
	}
	return status;
}

/* What any configuration that loads must satisfy. */
static void
check_invariants(const struct config *c)
{
	static const char *const dispositions[] = {
		"merge", "append", "replace", NULL
	};
	static const char *const orders[] = { "asc", "desc", NULL };
	struct json_error err;
	struct json js;
	size_t k;
	int i;

	check(c->name != NULL && c->url != NULL && c->table != NULL);
	check(c->nparams == 0 || c->params != NULL);
	for (k = 0; k < c->nparams; k++)
		check(c->params[k].name != NULL && c->params[k].value != NULL);
	if (c->json != NULL) {
		json_init(&js);
		check(json_parse(&js, c->json, strlen(c->json), &err) == 0);
		check(json_is_object(&js, 0));
		json_free(&js);
	}
	check(c->nheaders == 0 || c->headers != NULL);
	for (k = 0; k < c->nheaders; k++) {
		const struct pair *h = &c->headers[k];

		check(h->namelen > 0 && h->namelen == strlen(h->name));
		check(strpbrk(h->name, ": \t\r\n") == NULL);
		check(h->valuelen == strlen(h->value));
		check(strpbrk(h->value, "\r\n") == NULL);
	}

	/* A secret comes from one place, and only with an auth type. */
	if (c->auth == -1 || c->auth == AUTH_NONE) {
		check(c->key_name == NULL && c->key_location == -1);
		check(c->secret == NULL && c->secret_env == NULL);
		check(c->secret_key == NULL && c->username == NULL);
	} else {
		check(c->auth == AUTH_API_KEY || c->auth == AUTH_BEARER ||
		    c->auth == AUTH_BASIC || c->auth == AUTH_OAUTH2);
		check((c->secret == NULL) != (c->secret_env == NULL));
		check(c->secret_key != NULL);
		check(c->username == NULL || c->auth == AUTH_BASIC);
		check(c->auth == AUTH_OAUTH2 || (c->token_url == NULL &&
		    c->client_id == NULL && c->ntoken_data == 0 &&
		    c->token_expiration == -1));
		check(c->auth == AUTH_API_KEY || (c->key_name == NULL &&
		    c->key_location == -1));
		check(c->key_location == -1 || c->key_location == KEY_HEADER ||
		    c->key_location == KEY_QUERY ||
		    c->key_location == KEY_COOKIE);
	}

	/* Numbers are -1 or counts; each paginator has only its fields. */
	check(c->limit >= -1 && c->offset >= -1 && c->maximum >= -1);
	check(c->base_page >= -1 && c->page >= -1);
	check(c->stop_after_empty >= -1 && c->stop_after_empty <= 1);
	check(c->total_path == NULL || c->total_path_set);
	if (c->pager == PAGER_OFFSET)
		check(c->limit >= 1);
	else
		check(c->limit == -1 && c->offset == -1 &&
		    c->offset_param == NULL && c->limit_param == NULL);
	if (c->pager != PAGER_PAGE_NUMBER)
		check(c->base_page == -1 && c->page == -1 &&
		    c->page_param == NULL);
	if (c->pager == PAGER_NONE || c->pager == PAGER_SINGLE)
		check(c->maximum == -1 && !c->total_path_set &&
		    c->stop_after_empty == -1 && c->has_more_path == NULL);

	check(c->nprimary_key >= 0);
	check(c->nprimary_key == 0 || c->primary_key != NULL);
	for (i = 0; i < c->nprimary_key; i++)
		check(c->primary_key[i] != NULL);
	check(c->write_disposition == NULL ||
	    one_of(c->write_disposition, dispositions));
	check((c->dedup_sort == NULL) == (c->dedup_order == NULL));
	check(c->dedup_order == NULL || one_of(c->dedup_order, orders));
}

/*
 * The generator.  It reads its choices from the input's bytes (zeros
 * past the end) and writes JSON text while it notes what the reader must
 * make of it.
 */
struct gen {
	const uint8_t	*p;
	size_t		 n, i;
	int		 fault;		/* to plant; F_NONE: none */
	int		 planted;	/* 1 once it is in the text */
	int		 quiet;		/* 1: writing what is not read */
};

enum {
	F_NONE, F_LIMIT_0, F_TOO_BIG, F_NEGATIVE, F_FRACTION, F_NUL,
	F_DISPOSITION, F_STRATEGY, F_ORDER, F_LOCATION, F_HEADER_BREAK,
	F_HARD_DELETE, F_PAGINATOR, NFAULTS
};

static unsigned
pick(struct gen *g, unsigned n)
{
	unsigned b = g->i < g->n ? g->p[g->i++] : 0;

	return b % n;
}

/* Whether to plant fault f here, where it would be read. */
static int
plant(struct gen *g, int f)
{
	if (g->fault != f || g->planted || g->quiet)
		return 0;
	g->planted = 1;
	return 1;
}

struct glyph {
	const char	*text;	/* in JSON */
	const char	*value;	/* what it stands for */
};

/* Characters of strings, some escaped, some the same two ways. */
static const struct glyph text_glyphs[] = {
	{ "a", "a" }, { "Z", "Z" }, { "7", "7" }, { " ", " " },
	{ "\\\"", "\"" }, { "\\\\", "\\" }, { "\\/", "/" }, { "/", "/" },
	{ "\\u00e9", "\xc3\xa9" }, { "\xc3\xa9", "\xc3\xa9" },
	{ "\\u0041", "A" }, { "%", "%" }, { "&", "&" }, { "=", "=" },
	{ "~", "~" }, { "-", "-" }, { ":", ":" }, { "\\t", "\t" },
	{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80" }, { ".", "." },
	{ "$", "$" }, { "(", "(" }, { ")", ")" }, { "_", "_" },
};

#define NGLYPHS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A string of min to max characters from set, written to b as JSON.
 * Returns its value, which the caller frees.
 */
static char *
gen_chars(struct gen *g, struct buf *b, const char *set, size_t min,
    size_t max)
{
	size_t n = min + pick(g, (unsigned)(max - min) + 1), i;
	struct buf v;

	buf_init(&v, 0);
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		char c = set[pick(g, (unsigned)strlen(set))];

		buf_addc(b, c);
		buf_addc(&v, c);
	}
	buf_addc(b, '"');
	return buf_str(&v);
}

static char *
gen_text(struct gen *g, struct buf *b, size_t max)
{
	size_t n = pick(g, (unsigned)max + 1), i;
	struct buf v;

	buf_init(&v, 0);
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		const struct glyph *gl = &text_glyphs[pick(g,
		    NGLYPHS(text_glyphs))];

		buf_adds(b, gl->text);
		buf_adds(&v, gl->value);
	}
	buf_addc(b, '"');
	return buf_str(&v);
}

#define LOWER	"abcdefghijklmnopqrstuvwxyz"

/* A name dlt's naming leaves as it is: a letter, then letters, digits. */
static char *
gen_name(struct gen *g, struct buf *b, const char *suffix)
{
	struct buf v;
	size_t n = 1 + pick(g, 6), i;

	buf_init(&v, 0);
	for (i = 0; i < n; i++)
		buf_addc(&v, i == 0 ? LOWER[pick(g, 26)] :
		    LOWER "0123456789"[pick(g, 36)]);
	buf_adds(&v, suffix);
	buf_addc(b, '"');
	buf_adds(b, buf_str(&v));
	buf_addc(b, '"');
	return v.data;
}

/* A count: small, or the largest allowed; the faults are not counts. */
static long
gen_count(struct gen *g, struct buf *b, int least)
{
	char text[32];
	long v;

	if (plant(g, F_TOO_BIG)) {
		buf_adds(b, "1000000000001");
		return -1;
	}
	if (plant(g, F_NEGATIVE)) {
		buf_adds(b, "-1");
		return -1;
	}
	if (plant(g, F_FRACTION)) {
		buf_adds(b, "2.0");
		return -1;
	}
	v = pick(g, 8) == 0 ? 1000000000000L : least + (long)pick(g, 200);
	snprintf(text, sizeof(text), "%ld", v);
	buf_adds(b, text);
	return v;
}

static void
member(struct buf *b, const char *name)
{
	if (b->len > 0 && b->data[b->len - 1] != '{')
		buf_addc(b, ',');
	buf_addc(b, '"');
	buf_adds(b, name);
	buf_adds(b, "\":");
}

/* A string member, or a NUL in it as a fault. */
static char *
gen_string_member(struct gen *g, struct buf *b, const char *name)
{
	member(b, name);
	if (plant(g, F_NUL)) {
		buf_adds(b, "\"a\\u0000b\"");
		return NULL;
	}
	return gen_text(g, b, 8);
}

/*
 * A paginator, in *w's pager fields.  Objects and strings, every field
 * or none, a total_path or has_more_path of null.
 */
static void
gen_pager(struct gen *g, struct buf *b, struct config *w)
{
	unsigned form = pick(g, 6);

	if (plant(g, F_PAGINATOR)) {
		buf_adds(b, pick(g, 2) ? "\"offset\"" :
		    "{\"type\":\"scroll\"}");
		return;
	}
	if (form == 4 || form == 5) {
		buf_adds(b, form == 4 ? "\"page_number\"" : "\"single_page\"");
		w->pager = form == 4 ? PAGER_PAGE_NUMBER : PAGER_SINGLE;
		return;
	}
	if (form == 3) {
		/* The other fields of a single page are not read. */
		buf_adds(b, "{\"type\":\"single_page\",\"limit\":0}");
		w->pager = PAGER_SINGLE;
		return;
	}
	buf_addc(b, '{');
	if (form == 0 || form == 1) {
		w->pager = PAGER_OFFSET;
		member(b, "type");
		buf_adds(b, "\"offset\"");
		member(b, "limit");
		if (plant(g, F_LIMIT_0))
			buf_adds(b, "0");
		else
			w->limit = gen_count(g, b, 1);
		if (pick(g, 2)) {
			member(b, "offset");
			w->offset = gen_count(g, b, 0);
		}
		if (pick(g, 2))
			w->offset_param = gen_string_member(g, b,
			    "offset_param");
		if (pick(g, 2))
			w->limit_param = gen_string_member(g, b, "limit_param");
		if (pick(g, 2)) {
			member(b, "maximum_offset");
			w->maximum = gen_count(g, b, 0);
		}
	} else {
		w->pager = PAGER_PAGE_NUMBER;
		member(b, "type");
		buf_adds(b, "\"page_number\"");
		if (pick(g, 2)) {
			member(b, "base_page");
			w->base_page = gen_count(g, b, 0);
		}
		if (pick(g, 2)) {
			member(b, "page");
			w->page = gen_count(g, b, 0);
		}
		if (pick(g, 2))
			w->page_param = gen_string_member(g, b, "page_param");
		if (pick(g, 2)) {
			member(b, "maximum_page");
			w->maximum = gen_count(g, b, 0);
		}
	}
	switch (pick(g, 3)) {
	case 0:
		break;
	case 1:
		member(b, "total_path");
		buf_adds(b, "null");
		w->total_path_set = 1;
		break;
	default:
		w->total_path = gen_string_member(g, b, "total_path");
		w->total_path_set = 1;
		break;
	}
	if (pick(g, 2)) {
		member(b, "stop_after_empty_page");
		w->stop_after_empty = (int)pick(g, 2);
		/* Without a total or a maximum, false would never stop. */
		if (w->total_path_set && (w->total_path == NULL ||
		    *w->total_path == '\0') && w->maximum < 0)
			w->stop_after_empty = 1;
		buf_adds(b, w->stop_after_empty ? "true" : "false");
	}
	if (pick(g, 3) == 1) {
		member(b, "has_more_path");
		buf_adds(b, "null");
	} else if (pick(g, 2)) {
		w->has_more_path = gen_string_member(g, b, "has_more_path");
	}
	buf_addc(b, '}');
}

/* Member names of params and json: a key may come spelled two ways. */
static const struct glyph member_keys[] = {
	{ "\"a\"", "a" }, { "\"b\"", "b" }, { "\"q r\"", "q r" },
	{ "\"\\u00e9\"", "\xc3\xa9" }, { "\"\xc3\xa9\"", "\xc3\xa9" },
	{ "\"\\u0061\"", "a" },
};

/* Values of json members, and their compact text. */
static const struct glyph json_values[] = {
	{ "[1, \"a b\"]", "[1,\"a b\"]" },
	{ "{ \"k\" : null }", "{\"k\":null}" },
	{ "\"x\\u00e9\"", "\"x\\u00e9\"" }, { "-0.5e3", "-0.5e3" },
	{ "true", "true" }, { "null", "null" },
};

/* One generated member of params or json. */
struct gmember {
	const char	*key;		/* its value */
	const char	*keytext;	/* as written */
	char		*query;		/* params: the value, or NULL */
	const char	*json;		/* json: the value, compact */
};

struct gobject {
	struct gmember	 m[4];
	int		 n;
	int		 present;
};


/*
 * An object of up to 4 members with distinct keys (a key spelled two
 * ways is one key), as params (scalars and null) or json (any value).
 */
static void
gen_members(struct gen *g, struct buf *b, struct gobject *o, int params)
{
	static const int ident[] = { 0, 1, 2, 3, 3, 0 };
	static const char *const numbers[] = { "1", "-2.5", "1e3", "0" };
	int want = (int)pick(g, 5), used[4] = { 0 }, i, k;

	o->present = 1;
	o->n = 0;
	buf_addc(b, '{');
	for (i = 0; i < want; i++) {
		struct gmember *m;

		k = (int)pick(g, NGLYPHS(member_keys));
		if (used[ident[k]])
			continue;
		used[ident[k]] = 1;
		m = &o->m[o->n];
		if (o->n++ > 0)
			buf_addc(b, ',');
		m->key = member_keys[k].value;
		m->keytext = member_keys[k].text;
		m->query = NULL;
		m->json = NULL;
		buf_adds(b, m->keytext);
		buf_addc(b, ':');
		if (!params) {
			k = (int)pick(g, NGLYPHS(json_values));
			buf_adds(b, json_values[k].text);
			m->json = json_values[k].value;
			continue;
		}
		switch (pick(g, 5)) {
		case 0:
			buf_adds(b, "null");
			break;
		case 1:
			m->query = xstrdup(pick(g, 2) ? "true" : "false");
			buf_adds(b, m->query);
			break;
		case 2:
			m->query = xstrdup(numbers[pick(g, 4)]);
			buf_adds(b, m->query);
			break;
		default:
			m->query = gen_text(g, b, 6);
			break;
		}
	}
	buf_addc(b, '}');
}

/* Add a copy of name and value (C strings) to the n pairs of v. */
static void
add_pair(struct pair **v, size_t *n, const char *name, const char *value)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].namelen = strlen(name);
	(*v)[*n].value = xstrdup(value);
	(*v)[*n].valuelen = strlen(value);
	(*n)++;
}

static void
free_pairs(struct pair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static void
free_members(struct gobject *o)
{
	int i;

	for (i = 0; i < o->n; i++)
		free(o->m[i].query);
}

/*
 * What curl_easy_escape() makes of s, n bytes: all but A-Z a-z 0-9 - . _ ~
 * as %XX.
 */
static void
query_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	for (; p < end; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			buf_addc(b, *p);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

static int
has_key(const struct gobject *o, const char *key)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->m[i].key, key) == 0)
			return 1;
	return 0;
}

/*
 * The defaults' members merged with the resource's as dlt merges them:
 * key by key, the resource's winning, in first-seen order; as the pairs
 * of w's params (null dropped), or else as a compact object, returned,
 * NULL when there are none.
 */
static char *
merged(const struct gobject *def, const struct gobject *res,
    struct config *w)
{
	const struct gobject *o[2] = { def, res };
	int query = w != NULL;
	struct buf b;
	int i, j;

	buf_init(&b, 0);
	for (i = 0; i < 2; i++) {
		for (j = 0; o[i]->present && j < o[i]->n; j++) {
			const struct gmember *m = &o[i]->m[j];

			if (i == 0 && res->present && has_key(res, m->key))
				continue;
			if (query && m->query == NULL)
				continue;
			if (query) {
				add_pair(&w->params, &w->nparams, m->key,
				    m->query);
			} else {
				buf_addc(&b, b.len == 0 ? '{' : ',');
				buf_adds(&b, m->keytext);
				buf_addc(&b, ':');
				buf_adds(&b, m->json);
			}
		}
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	buf_addc(&b, '}');
	return buf_str(&b);
}

/* Headers: names of letters and '-', values of any text but breaks. */
static void
gen_headers(struct gen *g, struct buf *b, struct pair **v, size_t *nv)
{
	int n = (int)pick(g, 3), i;
	char *name, *value;

	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		name = gen_chars(g, b, "abcXYZ-", 1, 5);
		buf_addc(b, ':');
		if (plant(g, F_HEADER_BREAK)) {
			buf_adds(b, "\"a\\r\\nb\"");
			free(name);
			continue;
		}
		value = gen_text(g, b, 6);
		add_pair(v, nv, name, value);
		free(name);
		free(value);
	}
	buf_addc(b, '}');
}

/* A secret "${VAR}" names a variable; anything else is the secret. */
static void
expect_secret(struct config *w, char *v)
{
	size_t n = strlen(v);

	if (n > 3 && strncmp(v, "${", 2) == 0 && v[n - 1] == '}') {
		w->secret_env = xstrndup(v + 2, n - 3);
		free(v);
	} else {
		w->secret = v;
	}
}

static void
gen_auth(struct gen *g, struct buf *b, struct config *w)
{
	static const char *const locations[] = {
		"header", "query", "param", "cookie"
	};
	static const int location_of[] = {
		KEY_HEADER, KEY_QUERY, KEY_QUERY, KEY_COOKIE
	};
	unsigned type = pick(g, 4), k;
	const char *field;

	member(b, "auth");
	buf_addc(b, '{');
	switch (type) {
	case 0:
	case 1:
		/* Without a type, bearer. */
		if (type == 1) {
			member(b, "type");
			buf_adds(b, "\"bearer\"");
		}
		w->auth = AUTH_BEARER;
		field = "token";
		break;
	case 2:
		member(b, "type");
		buf_adds(b, "\"api_key\"");
		w->auth = AUTH_API_KEY;
		field = "api_key";
		if (pick(g, 2))
			w->key_name = gen_string_member(g, b, "name");
		if (pick(g, 2)) {
			member(b, "location");
			if (plant(g, F_LOCATION)) {
				buf_adds(b, "\"body\"");
			} else {
				k = pick(g, 4);
				buf_addc(b, '"');
				buf_adds(b, locations[k]);
				buf_addc(b, '"');
				w->key_location = location_of[k];
			}
		}
		break;
	default:
		member(b, "type");
		buf_adds(b, "\"http_basic\"");
		w->auth = AUTH_BASIC;
		field = "password";
		w->username = gen_string_member(g, b, "username");
		break;
	}
	w->secret_key = field;
	switch (pick(g, 3)) {
	case 0:
		/* Left out: the variable named after the field. */
		w->secret_env = xstrdup(w->auth == AUTH_BEARER ? "TOKEN" :
		    w->auth == AUTH_BASIC ? "PASSWORD" : "API_KEY");
		break;
	case 1: {
		/* "${VAR}", and "${}", which is no variable. */
		size_t n = pick(g, 7), i;
		struct buf v;

		buf_init(&v, 0);
		buf_adds(&v, "${");
		for (i = 0; i < n; i++)
			buf_addc(&v, "ABZ_"[pick(g, 4)]);
		buf_addc(&v, '}');
		member(b, field);
		buf_addc(b, '"');
		buf_adds(b, buf_str(&v));
		buf_addc(b, '"');
		expect_secret(w, v.data);
		break;
	}
	default:
		member(b, field);
		expect_secret(w, gen_text(g, b, 8));
		break;
	}
	buf_addc(b, '}');
}

/* An endpoint object: the resource's, or the defaults'. */
struct gendpoint {
	int			 present;
	char			*path;
	int			 has_path;
	char			*method;
	int			 has_method;
	char			*selector;
	int			 has_selector;
	struct pair		*headers;
	size_t			 nheaders;
	int			 has_headers;
	struct config		 pager;
	int			 has_pager;
	struct gobject		 params, json;
};

/* The pager fields of a struct config as config_load() starts them. */
static void
pager_init(struct config *c)
{
	c->pager = PAGER_NONE;
	c->limit = c->offset = c->maximum = c->base_page = c->page = -1;
	c->stop_after_empty = -1;
	c->total_path_set = 0;
	c->offset_param = c->limit_param = c->page_param = NULL;
	c->total_path = c->has_more_path = NULL;
}

/*
 * An endpoint.  Members of the defaults' that the resource's endpoint
 * over has too are never read: no fault goes there.
 */
static void
gen_endpoint(struct gen *g, struct buf *b, struct gendpoint *e,
    const struct gendpoint *over)
{
	int quiet = g->quiet;

	memset(e, 0, sizeof(*e));
	pager_init(&e->pager);
	e->present = 1;
	buf_addc(b, '{');
	if (over == NULL && pick(g, 2)) {
		e->has_path = 1;
		e->path = gen_string_member(g, b, "path");
	}
	if (pick(g, 2)) {
		e->has_method = 1;
		g->quiet = quiet || (over != NULL && over->has_method);
		member(b, "method");
		e->method = xstrdup(pick(g, 2) ? "GET" : "POST");
		buf_addc(b, '"');
		buf_adds(b, e->method);
		buf_addc(b, '"');
	}
	if (pick(g, 2)) {
		e->has_selector = 1;
		g->quiet = quiet || (over != NULL && over->has_selector);
		e->selector = gen_string_member(g, b, "data_selector");
	}
	if (pick(g, 2)) {
		e->has_headers = 1;
		g->quiet = quiet || (over != NULL && over->has_headers);
		member(b, "headers");
		gen_headers(g, b, &e->headers, &e->nheaders);
	}
	if (pick(g, 2)) {
		e->has_pager = 1;
		g->quiet = quiet || (over != NULL && over->has_pager);
		member(b, "paginator");
		gen_pager(g, b, &e->pager);
	}
	g->quiet = quiet;
	if (pick(g, 2)) {
		member(b, "params");
		gen_members(g, b, &e->params, 1);
	}
	if (pick(g, 2)) {
		member(b, "json");
		gen_members(g, b, &e->json, 0);
	}
	buf_addc(b, '}');
}

/* Columns with hints, from a pool of four names. */
struct gcolumns {
	int		 present;
	int		 n;
	struct {
		const char	*name;
		int		 sort;	/* 0: none, 1: asc, 2: desc */
		int		 hard;	/* 0: none, 1: true, 2: false */
	} c[4];
};

static void
gen_columns(struct gen *g, struct buf *b, struct gcolumns *cs)
{
	static const char *const names[] = { "ts", "upd", "gone", "del" };
	int used[4] = { 0 }, want = (int)pick(g, 5), i, k;

	cs->present = 1;
	cs->n = 0;
	member(b, "columns");
	buf_addc(b, '{');
	for (i = 0; i < want; i++) {
		if (used[k = (int)pick(g, 4)])
			continue;
		used[k] = 1;
		cs->c[cs->n].name = names[k];
		member(b, names[k]);
		buf_addc(b, '{');
		if ((cs->c[cs->n].sort = (int)pick(g, 3)) != 0) {
			member(b, "dedup_sort");
			buf_adds(b, plant(g, F_ORDER) ? "\"up\"" :
			    cs->c[cs->n].sort == 1 ? "\"asc\"" : "\"desc\"");
		}
		if ((cs->c[cs->n].hard = (int)pick(g, 3)) != 0) {
			member(b, "hard_delete");
			buf_adds(b, plant(g, F_HARD_DELETE) ? "\"yes\"" :
			    cs->c[cs->n].hard == 1 ? "true" : "false");
		}
		buf_addc(b, '}');
		cs->n++;
	}
	buf_addc(b, '}');
}

static int
own_hint(const struct gcolumns *res, const char *name, int sort)
{
	int i;

	for (i = 0; res->present && i < res->n; i++)
		if (strcmp(res->c[i].name, name) == 0)
			return sort ? res->c[i].sort != 0 : res->c[i].hard != 0;
	return 0;
}

/*
 * dedup_sort and hard_delete: the first column of the resource's, then
 * of the defaults', with the hint set; a hint of the resource's, even
 * false, hides the defaults' for its column.
 */
static void
expect_columns(struct config *w, const struct gcolumns *res,
    const struct gcolumns *def)
{
	const struct gcolumns *side[2] = { res, def };
	int s, i;

	for (s = 0; s < 2; s++) {
		for (i = 0; side[s]->present && i < side[s]->n; i++) {
			const char *name = side[s]->c[i].name;
			int sort = side[s]->c[i].sort;
			int hard = side[s]->c[i].hard;

			if (sort != 0 && w->dedup_sort == NULL &&
			    (s == 0 || !own_hint(res, name, 1))) {
				w->dedup_sort = xstrdup(name);
				w->dedup_order = xstrdup(sort == 1 ? "asc" :
				    "desc");
			}
			if (hard != 0 && w->hard_delete == NULL &&
			    (s == 0 || !own_hint(res, name, 0)) && hard == 1)
				w->hard_delete = xstrdup(name);
		}
	}
}

/* Table settings: primary_key, write_disposition, table_name. */
struct gtable {
	char	**pk;
	int	  npk, has_pk;
	char	 *disposition;
	int	  has_disposition;
	char	 *table;
	int	  has_table;
};

static void
gen_table(struct gen *g, struct buf *b, struct gtable *t,
    const struct gtable *over)
{
	static const char *const dispositions[] = {
		"merge", "append", "replace"
	};
	static const char *const strategies[] = { "upsert", "delete-insert" };
	int quiet = g->quiet, i;

	memset(t, 0, sizeof(*t));
	if (pick(g, 2)) {
		t->has_pk = 1;
		g->quiet = quiet || (over != NULL && over->has_pk);
		member(b, "primary_key");
		t->pk = xcalloc(3, sizeof(char *));
		if (pick(g, 2)) {
			t->pk[t->npk++] = gen_text(g, b, 5);
		} else {
			int n = (int)pick(g, 4);

			buf_addc(b, '[');
			for (i = 0; i < n; i++) {
				if (i > 0)
					buf_addc(b, ',');
				t->pk[t->npk++] = gen_text(g, b, 5);
			}
			buf_addc(b, ']');
		}
	}
	if (pick(g, 2)) {
		const char *d = dispositions[pick(g, 3)];

		t->has_disposition = 1;
		g->quiet = quiet || (over != NULL && over->has_disposition);
		member(b, "write_disposition");
		if (plant(g, F_DISPOSITION))
			d = "upsert";
		else
			t->disposition = xstrdup(d);
		if (pick(g, 2)) {
			buf_addc(b, '"');
			buf_adds(b, d);
			buf_addc(b, '"');
		} else {
			buf_adds(b, "{\"disposition\":\"");
			buf_adds(b, d);
			buf_addc(b, '"');
			if (plant(g, F_STRATEGY)) {
				buf_adds(b, ",\"strategy\":\"scd2\"");
			} else if (pick(g, 2)) {
				buf_adds(b, ",\"strategy\":\"");
				buf_adds(b, strategies[pick(g, 2)]);
				buf_addc(b, '"');
			}
			buf_addc(b, '}');
		}
	}
	if (pick(g, 2)) {
		t->has_table = 1;
		g->quiet = quiet || (over != NULL && over->has_table);
		member(b, "table_name");
		t->table = gen_name(g, b, "");
	}
	g->quiet = quiet;
}

/* base_url joined with path as dlt joins them. */
static char *
expect_url(const char *base, const char *path)
{
	struct buf u;
	size_t n = strlen(base);

	if (strstr(path, "://") != NULL)
		return xstrdup(path);
	if (*path == '\0')
		return xstrdup(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_init(&u, 0);
	buf_add(&u, base, n);
	buf_addc(&u, '/');
	while (*path == '/')
		path++;
	buf_adds(&u, path);
	return buf_str(&u);
}

static void
copy_pairs(struct pair **v, size_t *n, const struct pair *from, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		add_pair(v, n, from[i].name, from[i].value);
}

static void
take_pager(struct config *w, const struct config *p)
{
	w->pager = p->pager;
	w->limit = p->limit;
	w->offset = p->offset;
	w->maximum = p->maximum;
	w->base_page = p->base_page;
	w->page = p->page;
	w->stop_after_empty = p->stop_after_empty;
	w->total_path_set = p->total_path_set;
	w->offset_param = p->offset_param != NULL ?
	    xstrdup(p->offset_param) : NULL;
	w->limit_param = p->limit_param != NULL ?
	    xstrdup(p->limit_param) : NULL;
	w->page_param = p->page_param != NULL ? xstrdup(p->page_param) : NULL;
	w->total_path = p->total_path != NULL ? xstrdup(p->total_path) : NULL;
	w->has_more_path = p->has_more_path != NULL ?
	    xstrdup(p->has_more_path) : NULL;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
free_endpoint(struct gendpoint *e)
{
	free(e->path);
	free(e->method);
	free(e->selector);
	free_pairs(e->headers, e->nheaders);
	config_free(&e->pager);
	free_members(&e->params);
	free_members(&e->json);
}

static void
free_table(struct gtable *t)
{
	int i;

	for (i = 0; i < t->npk; i++)
		free(t->pk[i]);
	free(t->pk);
	free(t->disposition);
	free(t->table);
}

/*
 * Write a whole configuration to text, and what config_load() must make
 * of it for resource *want (NULL: the only one) to w.
 */
static void
gen_config(struct gen *g, struct buf *text, struct config *w, char **want)
{
	static const char *const bases[] = { "", "/", "/v1", "/v1/", "//" };
	struct buf client, defs, res;
	struct gendpoint rep, dep;
	struct gcolumns rcols, dcols;
	struct gtable rt, dt;
	struct config cpager;
	const char *base = bases[pick(g, 5)];
	unsigned nres = 1 + pick(g, 3), chosen = pick(g, nres), i;
	int res_object = pick(g, 4) != 0, ep_form = (int)pick(g, 4);
	int has_cpager = pick(g, 2), has_dep = pick(g, 4) != 0;
	char suffix[2] = { (char)('0' + chosen), '\0' };
	char *base_url, *path;

	memset(w, 0, sizeof(*w));
	w->auth = -1;
	w->key_location = -1;
	pager_init(w);
	memset(&rep, 0, sizeof(rep));
	memset(&dep, 0, sizeof(dep));
	memset(&rcols, 0, sizeof(rcols));
	memset(&dcols, 0, sizeof(dcols));
	memset(&rt, 0, sizeof(rt));
	memset(&cpager, 0, sizeof(cpager));
	pager_init(&cpager);
	if (!res_object)
		ep_form = 0;
	buf_init(&client, 0);
	buf_init(&defs, 0);
	buf_init(&res, 0);

	/* The resource: a name, or an object; its endpoint a path or one. */
	if (!res_object) {
		w->name = gen_name(g, &res, suffix);
	} else {
		buf_addc(&res, '{');
		member(&res, "name");
		w->name = gen_name(g, &res, suffix);
		gen_table(g, &res, &rt, NULL);
		if (ep_form == 1) {
			rep.path = gen_string_member(g, &res, "endpoint");
		} else if (ep_form >= 2) {
			member(&res, "endpoint");
			gen_endpoint(g, &res, &rep, NULL);
		}
		if (pick(g, 2))
			gen_columns(g, &res, &rcols);
		buf_addc(&res, '}');
	}

	/* The defaults, shadowed where the resource has its own. */
	buf_addc(&defs, '{');
	gen_table(g, &defs, &dt, &rt);
	if (has_dep) {
		member(&defs, "endpoint");
		gen_endpoint(g, &defs, &dep, &rep);
	}
	if (pick(g, 2)) {
		int quiet = g->quiet;

		/* Faults go into the resource's columns only. */
		g->quiet = 1;
		gen_columns(g, &defs, &dcols);
		g->quiet = quiet;
	}
	buf_addc(&defs, '}');

	/* The client. */
	buf_addc(&client, '{');
	member(&client, "base_url");
	buf_adds(&client, "\"http://h");
	buf_adds(&client, base);
	buf_addc(&client, '"');
	base_url = xmalloc(strlen("http://h") + strlen(base) + 1);
	strcpy(base_url, "http://h");
	strcat(base_url, base);
	if (pick(g, 2)) {
		member(&client, "headers");
		gen_headers(g, &client, &w->headers, &w->nheaders);
	}
	if (pick(g, 3) != 0)
		gen_auth(g, &client, w);
	if (has_cpager) {
		int quiet = g->quiet;

		g->quiet = quiet || rep.has_pager || dep.has_pager;
		member(&client, "paginator");
		gen_pager(g, &client, &cpager);
		g->quiet = quiet;
	}
	buf_addc(&client, '}');

	/* The whole file. */
	buf_adds(text, "{\"client\":");
	buf_add(text, client.data, client.len);
	buf_adds(text, ",\"resource_defaults\":");
	buf_add(text, defs.data, defs.len);
	buf_adds(text, ",\"resources\":[");
	for (i = 0; i < nres; i++) {
		char other[16];

		if (i > 0)
			buf_addc(text, ',');
		if (i == chosen) {
			buf_add(text, res.data, res.len);
			continue;
		}
		snprintf(other, sizeof(other), i % 2 ? "\"o%u\"" :
		    "{\"name\":\"o%u\"}", i);
		buf_adds(text, other);
	}
	buf_adds(text, "]}");
	*want = nres > 1 || pick(g, 2) ? xstrdup(w->name) : NULL;

	/* What the reader must make of it. */
	path = ep_form == 1 ? dup_or_null(rep.path) :
	    ep_form >= 2 && rep.has_path ? dup_or_null(rep.path) :
	    xstrdup(w->name);
	w->url = path != NULL ? expect_url(base_url, path) : NULL;
	free(path);
	free(base_url);
	w->method = dup_or_null(rep.has_method ? rep.method : dep.method);
	if (rep.has_headers)
		copy_pairs(&w->headers, &w->nheaders, rep.headers,
		    rep.nheaders);
	else
		copy_pairs(&w->headers, &w->nheaders, dep.headers,
		    dep.nheaders);
	merged(&dep.params, &rep.params, w);
	w->json = merged(&dep.json, &rep.json, NULL);
	/* dlt's method, GET, even with a body. */
	if (w->method == NULL && w->json != NULL)
		w->method = xstrdup("GET");
	take_pager(w, rep.has_pager ? &rep.pager : dep.has_pager ?
	    &dep.pager : &cpager);
	w->data_selector = dup_or_null(rep.has_selector ? rep.selector :
	    dep.selector);
	{
		const struct gtable *pk = rt.has_pk ? &rt : &dt;

		w->nprimary_key = pk->npk;
		w->primary_key = pk->has_pk ? xcalloc(3, sizeof(char *)) :
		    NULL;
		for (i = 0; i < (unsigned)pk->npk; i++)
			w->primary_key[i] = xstrdup(pk->pk[i]);
	}
	w->write_disposition = dup_or_null(rt.has_disposition ?
	    rt.disposition : dt.disposition);
	w->table = xstrdup(rt.has_table ? rt.table : dt.has_table ?
	    dt.table : w->name);
	expect_columns(w, &rcols, &dcols);

	free_endpoint(&rep);
	free_endpoint(&dep);
	config_free(&cpager);
	free_table(&rt);
	free_table(&dt);
	buf_free(&client);
	buf_free(&defs);
	buf_free(&res);
}

/* FNV-1a. */
static uint64_t
hash(const uint8_t *data, size_t size)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * UINT64_C(1099511628211);
	return h;
}

static int
same_pairs(const struct pair *a, size_t n, const struct pair *b, size_t m)
{
	size_t i;

	if (n != m)
		return 0;
	for (i = 0; i < n; i++)
		if (a[i].namelen != b[i].namelen ||
		    a[i].valuelen != b[i].valuelen ||
		    memcmp(a[i].name, b[i].name, a[i].namelen) != 0 ||
		    memcmp(a[i].value, b[i].value, a[i].valuelen) != 0)
			return 0;
	return 1;
}

/*
 * The request options the configuration makes: its headers as lines, a
 * Content-Type for a JSON body, its parameters encoded as libcurl does.
 */
static void
check_request(const struct config *c)
{
	const struct curl_slist *l;
	struct http_opts *o;
	struct reqopt ro;
	struct buf want;
	size_t i;

	reqopt_init(&ro);
	reqopt_config(&ro, c);
	o = &ro.http;
	buf_init(&want, 0);
	for (i = 0; i < c->nparams; i++) {
		if (i > 0)
			buf_addc(&want, '&');
		query_escape(&want, c->params[i].name, c->params[i].namelen);
		buf_addc(&want, '=');
		query_escape(&want, c->params[i].value, c->params[i].valuelen);
	}
	check(c->nparams == 0 ? o->query == NULL :
	    strcmp(o->query, buf_str(&want)) == 0);
	l = o->headers;
	for (i = 0; i < c->nheaders; i++, l = l->next) {
		buf_reset(&want);
		buf_adds(&want, c->headers[i].name);
		buf_adds(&want, ": ");
		buf_adds(&want, c->headers[i].value);
		check(l != NULL && strcmp(l->data, buf_str(&want)) == 0);
	}
	if (c->json != NULL) {
		check(l != NULL &&
		    strcmp(l->data, "Content-Type: application/json") == 0);
		l = l->next;
		check(o->bodylen == strlen(c->json) &&
		    strcmp(o->body, c->json) == 0);
	}
	if (c->data != NULL) {
		check(c->json == NULL);
		check(l != NULL && strcmp(l->data, c->data_form ?
		    "Content-Type: application/x-www-form-urlencoded" :
		    "Content-Type:") == 0);
		l = l->next;
		check(o->bodylen == strlen(c->data) &&
		    strcmp(o->body, c->data) == 0);
	}
	check(l == NULL);
	check(o->nignore == c->nactions);
	for (i = 0; i < c->nactions; i++)
		check(o->ignore[i].status == c->actions[i].status &&
		    o->ignore[i].content == c->actions[i].content &&
		    (c->actions[i].status != 0 ||
		    c->actions[i].content != NULL));
	check(same(o->method, c->method));
	/* Where the secret will come from, as the configuration says. */
	check(ro.secret.literal == c->secret &&
	    ro.secret.toml_key == c->secret_key &&
	    ro.secret.username == c->username);
	check(same(ro.secret.env, c->secret_env != NULL ? c->secret_env :
	    "API_KEY"));
	check(ro.secret.file == NULL && !ro.secret.env_given);
	buf_free(&want);
	reqopt_free(&ro);
}

/* Every field config_load() fills in, against what was written. */
static void
check_same(const struct config *c, const struct config *w)
{
	int i;

	check(same(c->name, w->name));
	check(same(c->url, w->url));
	check(same(c->method, w->method));
	check(same_pairs(c->headers, c->nheaders, w->headers, w->nheaders));
	check(same_pairs(c->params, c->nparams, w->params, w->nparams));
	check(same(c->json, w->json));
	check(c->auth == w->auth);
	check(same(c->key_name, w->key_name));
	check(c->key_location == w->key_location);
	check(same(c->secret, w->secret));
	check(same(c->secret_env, w->secret_env));
	check(same(c->secret_key, w->secret_key));
	check(same(c->username, w->username));
	check(c->pager == w->pager);
	check(c->limit == w->limit && c->offset == w->offset);
	check(c->maximum == w->maximum);
	check(c->base_page == w->base_page && c->page == w->page);
	check(same(c->offset_param, w->offset_param));
	check(same(c->limit_param, w->limit_param));
	check(same(c->page_param, w->page_param));
	check(same(c->total_path, w->total_path));
	check(c->total_path_set == w->total_path_set);
	check(c->stop_after_empty == w->stop_after_empty);
	check(same(c->has_more_path, w->has_more_path));
	check(same(c->data_selector, w->data_selector));
	check(c->nprimary_key == w->nprimary_key);
	for (i = 0; i < c->nprimary_key; i++)
		check(same(c->primary_key[i], w->primary_key[i]));
	check(same(c->write_disposition, w->write_disposition));
	check(same(c->dedup_sort, w->dedup_sort));
	check(same(c->dedup_order, w->dedup_order));
	check(same(c->hard_delete, w->hard_delete));
	check(same(c->table, w->table));
}

/*
 * Fill the {incremental.*} placeholders with the initial value, as the
 * first run does: no mark may be left, or an error says which value is
 * missing.  Returns 0, or -1 (c then only to be freed).
 */
static int
bind_incremental(struct config *c)
{
	struct err e = { 0 };
	size_t k;

	if (c->incr == NULL)
		return 0;
	if (config_bind_incremental(c, c->incr->initial, &e) == -1) {
		check(e.status == EX_CONFIG || e.status == EX_DATAERR);
		check(e.msg != NULL && strchr(e.msg, '\n') == NULL);
		check(c->incr->placeholders);
		err_free(&e);
		return -1;
	}
	check(strchr(c->url, INCR_PLACEHOLDER) == NULL);
	check(c->json == NULL || strchr(c->json, INCR_PLACEHOLDER) == NULL);
	check(c->data == NULL || strchr(c->data, INCR_PLACEHOLDER) == NULL);
	for (k = 0; k < c->nparams; k++)
		check(memchr(c->params[k].value, INCR_PLACEHOLDER,
		    c->params[k].valuelen) == NULL);
	for (k = 0; k < c->nheaders; k++)
		check(strchr(c->headers[k].value, INCR_PLACEHOLDER) == NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen g = { .p = data, .n = size };
	struct config c, w;
	struct buf text;
	char *want;
	int status;

	/* The input as it is. */
	if (load(&c, put_file(0, data, size), NULL) == 0) {
		if (bind_incremental(&c) == 0) {
			check_invariants(&c);
			check_request(&c);
		}
		config_free(&c);
	}

	/*
	 * A configuration it steers, with a fault in one of four, chosen by
	 * a hash of the whole input so that every mutation may change it.
	 */
	g.fault = (int)(hash(data, size) % (4 * NFAULTS));
	if (g.fault >= NFAULTS)
		g.fault = F_NONE;
	buf_init(&text, 0);
	gen_config(&g, &text, &w, &want);
	shown = buf_str(&text);
	/* FUZZ_SHOW=1 fuzz/fuzz_config FILE: what FILE makes. */
	if (getenv("FUZZ_SHOW") != NULL)
		fprintf(stderr, "fuzz_config: fault %d: %s\n", g.fault, shown);
	status = load(&c, put_file(1, text.data, text.len), want);
	if (g.planted) {
		check(status == EX_CONFIG);
	} else {
		check(status == 0);
		check_invariants(&c);
		check_request(&c);
		check_same(&c, &w);
		config_free(&c);
	}
	shown = NULL;
	w.secret_key = NULL;
	config_free(&w);
	free(want);
	buf_free(&text);
	return 0;
}
