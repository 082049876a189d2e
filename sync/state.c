/*
 * state.c: the state of a run that the next one resumes, in
 * DIR/.TABLE.sync/: "state", key=value lines replaced by rename(2) when
 * a run begins and when its pages are all in, and "pages", a log that
 * gets a line per page as it arrives, appended: a write(2) where a
 * rename would cost a journal commit.  And the lock that keeps two runs
 * off one table.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/durable.h"
#include "base/file.h"
#include "json/wire.h"
#include "sync.h"

#define STATE_FORMAT	"restpipe sync state "	/* and its version: */
#define STATE_MAGIC	STATE_FORMAT "2"	/* 2: four-lane checksums */
#define STATE_MAX	65536

int
phase_may_commit(const struct run_facts *f)
{
	int fetched = f->fetched || (f->paginate == STAGE_OK &&
	    f->paginate_end);

	return fetched && f->whole && !f->signalled && !f->failed &&
	    f->select == STAGE_OK && f->select_end &&
	    f->merge == STAGE_RUNNING;
}

enum phase
phase_after(const struct run_facts *f, int marked)
{
	if (marked && f->merge == STAGE_OK && f->merge_end)
		return PHASE_COMMITTED;
	if (marked || f->fetched)
		return PHASE_FETCHED;
	return f->pages > 0 ? PHASE_FETCHING : PHASE_NONE;
}

void
state_free(struct state *st)
{
	free(st->fingerprint);
	free(st->run_id);
	free(st->position);
	free(st->started);
	memset(st, 0, sizeof(*st));
}

/* A position as lib/json/wire.h defines it, not too long. */
static int
valid_position(const char *s)
{
	struct wire_pos p;

	return strlen(s) <= WIRE_POSITION_MAX && wire_pos_parse(s, &p) == 0;
}

static int
parse_u64(const char *s, uint64_t *v, int base)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, base);
	return *s != '\0' && *end == '\0' && errno == 0 && *s != '-' ? 0 : -1;
}

static int
take(struct state *st, const char *key, const char *v)
{
	uint64_t n;

	if (strcmp(key, "fingerprint") == 0 && st->fingerprint == NULL)
		st->fingerprint = xstrdup(v);
	else if (strcmp(key, "run_id") == 0 && st->run_id == NULL &&
	    *v != '\0')
		st->run_id = xstrdup(v);
	else if (strcmp(key, "started") == 0 && st->started == NULL)
		st->started = xstrdup(v);
	else if (strcmp(key, "phase") == 0 && (strcmp(v, "fetching") == 0 ||
	    strcmp(v, "fetched") == 0))
		st->fetched = strcmp(v, "fetched") == 0;
	else if (strcmp(key, "position") == 0 && st->position == NULL &&
	    valid_position(v))
		st->position = xstrdup(v);
	else if (strcmp(key, "pages") == 0 && parse_u64(v, &n, 10) == 0 &&
	    n < (uint64_t)1 << 40)
		st->pages = (long)n;
	else if (strcmp(key, "length") == 0 && parse_u64(v, &n, 10) == 0)
		st->length = n;
	else if (strcmp(key, "sum") == 0 && parse_u64(v, &n, 16) == 0)
		st->sum = n;
	else
		return -1;
	return 0;
}

/*
 * Take from the page log the last of its whole lines that follow each
 * other from the first page: "N LENGTH SUM POSITION".  A line cut short
 * or garbled ends it there, never wrong, only shorter.
 */
static void
read_log(struct state *st, int dir, const char *where)
{
	struct err e = { 0 };
	struct buf text;
	char *line, *next, *pos;
	unsigned long long len;
	uint64_t sum;
	long n;
	int at;

	buf_init(&text, 0);
	if (durable_read(dir, where, "pages", STATE_MAX * 1024, &text,
	    &e) == -1) {
		err_free(&e);
		buf_free(&text);
		return;
	}
	for (line = buf_str(&text); (next = strchr(line, '\n')) != NULL;
	    line = next + 1) {
		*next = '\0';
		at = 0;
		/* The position is the rest of the line. */
		if (sscanf(line, "%ld %llu %" SCNx64 " %n", &n, &len, &sum,
		    &at) != 3 || at == 0 || n != st->pages + 1 ||
		    !valid_position(pos = line + at))
			break;
		st->pages = n;
		st->length = len;
		st->sum = sum;
		free(st->position);
		st->position = xstrdup(pos);
		st->logend = (uint64_t)(next + 1 - text.data);
	}
	buf_free(&text);
}

int
state_read(struct state *st, int dir, const char *where, struct err *e)
{
	struct buf text;
	char *line, *next, *eq;
	int rc = 1, lineno = 0, other = 0;

	memset(st, 0, sizeof(*st));
	buf_init(&text, 0);
	if (dir < 0 || durable_read(dir, where, "state", STATE_MAX, &text,
	    e) == -1) {
		rc = dir < 0 || errno == ENOENT ? 0 : -1;
		if (rc == 0)
			err_free(e);
		buf_free(&text);
		return rc;
	}
	for (line = buf_str(&text); rc == 1 && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL) {
			rc = -1;
			break;
		}
		*next++ = '\0';
		if (lineno++ == 0) {
			if (strcmp(line, STATE_MAGIC) != 0)
				rc = -1;
			other = rc == -1 && strncmp(line, STATE_FORMAT,
			    strlen(STATE_FORMAT)) == 0;
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			rc = -1;
			break;
		}
		*eq = '\0';
		if (take(st, line, eq + 1) == -1)
			rc = -1;
	}
	buf_free(&text);
	if (rc == 1 && (lineno == 0 || st->fingerprint == NULL ||
	    st->run_id == NULL || (st->pages > 0 && st->position == NULL)))
		rc = -1;
	if (rc == -1 && other) {
		state_free(st);
		err_set(e, EX_DATAERR, "%s/state: a state another version of "
		    "rest-sync wrote", where);
	} else if (rc == -1) {
		state_free(st);
		err_set(e, EX_DATAERR, "%s/state: not a state rest-sync wrote",
		    where);
	} else if (!st->fetched)
		read_log(st, dir, where);
	return rc;
}

void
state_log(const struct state *st, struct buf *b)
{
	buf_printf(b, "%ld %" PRIu64 " %016" PRIx64 " %s\n", st->pages,
	    st->length, st->sum, st->position);
}

int
state_write(const struct state *st, int dir, const char *where, int sync,
    struct err *e)
{
	struct buf text;
	int rc;

	buf_init(&text, 0);
	buf_printf(&text, "%s\nfingerprint=%s\nrun_id=%s\nstarted=%s\n"
	    "phase=%s\npages=%ld\n", STATE_MAGIC, st->fingerprint, st->run_id,
	    st->started != NULL ? st->started : "", st->fetched ? "fetched" :
	    "fetching", st->pages);
	if (st->position != NULL)
		buf_printf(&text, "position=%s\n", st->position);
	buf_printf(&text, "length=%" PRIu64 "\nsum=%016" PRIx64 "\n",
	    st->length, st->sum);
	rc = durable_put(dir, where, "state", text.data, text.len, sync, e);
	buf_free(&text);
	return rc;
}

void
state_describe(const struct state *st, struct buf *b)
{
	const char *s = st->pages == 1 ? "" : "s";

	if (st->fetched)
		buf_printf(b, "all %ld page%s fetched, not yet committed",
		    st->pages, s);
	else if (st->position != NULL)
		buf_printf(b, "%ld page%s fetched, to resume with %s",
		    st->pages, s, state_shown(st->position));
	else
		buf_adds(b, "no page fetched");
}

const char *
state_shown(const char *pos)
{
	static char s[96];
	struct wire_pos p;
	struct buf b;

	if (wire_pos_parse(pos, &p) == -1 || (p.kind != POS_NEXT_URL &&
	    p.kind != POS_CURSOR))
		return pos;
	/* A child's: which parent, and the option alone. */
	buf_init(&b, 0);
	if (p.parent)
		wire_pos_parent(&b, p.parent_n, p.parent_hash, p.hashed, NULL);
	buf_printf(&b, "%s%s, not shown", p.parent ? " " : "",
	    wire_pos_option(p.kind));
	snprintf(s, sizeof(s), "%s", buf_str(&b));
	buf_free(&b);
	return s;
}

int
state_resume_args(const struct state *st, int dir, const char *where,
    struct buf *opt, struct buf *val, struct err *e)
{
	struct wire_pos p;
	struct buf v, line;
	int rc = 0;

	buf_reset(opt);
	buf_reset(val);
	if (st->position == NULL || wire_pos_parse(st->position, &p) == -1)
		return err_set(e, EX_SOFTWARE, "%s/state: no position to "
		    "resume from", where);
	buf_init(&v, 0);
	if (p.kind == POS_OFFSET || p.kind == POS_PAGE)
		buf_printf(&v, "%lld", p.n);
	else if (p.kind != POS_NONE) {
		/* A link or a cursor goes through a file: it may hold the key. */
		buf_init(&line, 0);
		buf_printf(&line, "%s\n", p.ref);
		rc = durable_put(dir, where, "position", line.data, line.len, 0,
		    e);
		buf_printf(&v, "@%s/position", where);
		buf_free(&line);
	}
	if (!p.parent) {
		buf_adds(opt, wire_pos_option(p.kind));
		buf_add(val, v.data, v.len);
	} else {
		/*
		 * "--parent-start" "N[:HASH]"; with a position in parent N,
		 * two words that getopt takes whole: "--parent-start=N"
		 * "--offset=M".
		 */
		buf_init(&line, 0);
		buf_printf(&line, "%lld", p.parent_n);
		if (p.hashed)
			buf_printf(&line, ":%016" PRIx64, p.parent_hash);
		if (p.kind == POS_NONE) {
			buf_adds(opt, "--parent-start");
			buf_add(val, line.data, line.len);
		} else {
			buf_printf(opt, "--parent-start=%s", buf_str(&line));
			buf_printf(val, "%s=%s", wire_pos_option(p.kind),
			    buf_str(&v));
		}
		buf_free(&line);
	}
	buf_str(opt);
	buf_str(val);
	buf_free(&v);
	return rc;
}

const char *
utc_now(void)
{
	static char s[32];
	struct tm tm;
	time_t t = time(NULL);

	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	return s;
}

const char *
new_run_id(void)
{
	static char s[80];
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", gmtime_r(&ts.tv_sec,
	    &tm));
	snprintf(s, sizeof(s), "%s-%ld-%09ld", when, (long)getpid(),
	    (long)ts.tv_nsec);
	return s;
}

/* Replace rundir/name with text, made durably; 0 or -1 (said). */
static int
put_record(const char *rundir, const char *name, const struct buf *text)
{
	struct err e = { 0 };
	int dir, rc = -1;

	if ((dir = durable_dir(rundir, 1, &e)) != -1) {
		rc = durable_put(dir, rundir, name, text->data, text->len, 1,
		    &e);
		close(dir);
	}
	if (rc == -1) {
		warnmsg("%s", e.msg);
		err_free(&e);
	}
	return rc;
}

/* Read rundir/name's key=value lines into b; 1, or 0 if none. */
static int
get_record(const char *rundir, const char *name, struct buf *b)
{
	struct err e = { 0 };
	int dir, rc;

	if ((dir = durable_dir(rundir, 0, &e)) == -1) {
		err_free(&e);
		return 0;
	}
	rc = durable_read(dir, rundir, name, STATE_MAX, b, &e) == 0;
	err_free(&e);
	close(dir);
	return rc;
}

/* The value of key in the key=value lines of text, a new string or NULL. */
static char *
value_of(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p, *nl;

	for (p = text; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 :
	    NULL) {
		nl = strchr(p, '\n');
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return xstrndup(p + n + 1, nl != NULL ?
			    (size_t)(nl - p - n - 1) : strlen(p + n + 1));
	}
	return NULL;
}

/* A value on one line: line breaks become spaces. */
static void
add_line(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s=", key);
	for (; v != NULL && *v != '\0'; v++)
		buf_addc(b, *v == '\n' || *v == '\r' ? ' ' : *v);
	buf_addc(b, '\n');
}

int
lastrun_write(const char *rundir, const struct lastrun *lr)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, "restpipe last run 1\n");
	add_line(&b, "started", lr->started);
	add_line(&b, "ended", lr->ended);
	buf_printf(&b, "status=%d\n", lr->status);
	rc = put_record(rundir, "last-run", &b);
	buf_free(&b);
	return rc;
}

int
lastfail_write(const char *rundir, const char *file,
    const struct lastfail *lf)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, "restpipe last failure 1\n");
	add_line(&b, "at", lf->at);
	buf_printf(&b, "status=%d\n", lf->status);
	add_line(&b, "stage", lf->stage);
	add_line(&b, "message", lf->message);
	rc = put_record(rundir, file, &b);
	buf_free(&b);
	return rc;
}

int
lastrun_read(const char *rundir, struct lastrun *lr)
{
	struct buf b;
	char *status;

	memset(lr, 0, sizeof(*lr));
	buf_init(&b, 0);
	if (!get_record(rundir, "last-run", &b) ||
	    strncmp(buf_str(&b), "restpipe last run 1\n", 20) != 0) {
		buf_free(&b);
		return 0;
	}
	lr->started = value_of(b.data, "started");
	lr->ended = value_of(b.data, "ended");
	status = value_of(b.data, "status");
	lr->status = status != NULL ? atoi(status) : 0;
	free(status);
	buf_free(&b);
	if (lr->started == NULL || lr->ended == NULL) {
		lastrun_free(lr);
		return 0;
	}
	return 1;
}

int
lastfail_read(const char *rundir, const char *file, struct lastfail *lf)
{
	struct buf b;
	char *status;

	memset(lf, 0, sizeof(*lf));
	buf_init(&b, 0);
	if (!get_record(rundir, file, &b) || strncmp(buf_str(&b),
	    "restpipe last failure 1\n", 24) != 0) {
		buf_free(&b);
		return 0;
	}
	lf->at = value_of(b.data, "at");
	lf->stage = value_of(b.data, "stage");
	lf->message = value_of(b.data, "message");
	status = value_of(b.data, "status");
	lf->status = status != NULL ? atoi(status) : 0;
	free(status);
	buf_free(&b);
	if (lf->at == NULL) {
		lastfail_free(lf);
		return 0;
	}
	return 1;
}

void
lastrun_free(struct lastrun *lr)
{
	free(lr->started);
	free(lr->ended);
	memset(lr, 0, sizeof(*lr));
}

void
lastfail_free(struct lastfail *lf)
{
	free(lf->at);
	free(lf->stage);
	free(lf->message);
	memset(lf, 0, sizeof(*lf));
}
