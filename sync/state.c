/*
 * state.c: the state of a run that the next one resumes, in
 * DIR/.TABLE.sync/: "state", key=value lines replaced by rename(2) when
 * a run begins and when its pages are all in, and "pages", a log that
 * gets a line per page as it arrives, appended: a write(2) where a
 * rename would cost a journal commit.  And the lock that keeps two runs
 * off one table.
 */
#include <sys/file.h>
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

#include "buf.h"
#include "diag.h"
#include "file.h"
#include "sync.h"

#define STATE_FORMAT	"restpipe sync state "	/* and its version: */
#define STATE_MAGIC	STATE_FORMAT "2"	/* 2: four-lane checksums */
#define STATE_MAX	65536
#define POSITION_MAX	32768	/* a link or a cursor, with its option */

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

/*
 * The length of the N or N:HASH (16 hex digits) that s starts with, as
 * rest-paginate's --parent-start takes it; 0 if it is neither.
 */
static size_t
parent_start_len(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 18)
		return 0;
	if (s[n] != ':')
		return n;
	if (strspn(s + n + 1, "0123456789abcdef") != 16)
		return 0;
	return n + 17;
}

/*
 * A position as rest-paginate --position-fd tells it.  A link or a
 * cursor is any text on one line, empty after the last page.  Of a child
 * resource, "--parent-start N" or "N:HASH", maybe followed by one of the
 * others.
 */
static int
valid_position(const char *s)
{
	const char *d;
	size_t n;

	if (strncmp(s, "--parent-start ", 15) == 0) {
		d = s + 15;
		if ((n = parent_start_len(d)) == 0)
			return 0;
		return d[n] == '\0' || (d[n] == ' ' &&
		    strncmp(d + n + 1, "--parent-start", 14) != 0 &&
		    valid_position(d + n + 1));
	}
	if (strncmp(s, "--next-url ", 11) == 0 ||
	    strncmp(s, "--cursor ", 9) == 0)
		return strlen(s) <= POSITION_MAX && strpbrk(s, "\r\n") == NULL;
	if (strncmp(s, "--offset ", 9) == 0)
		d = s + 9;
	else if (strncmp(s, "--page ", 7) == 0)
		d = s + 7;
	else
		return 0;
	if (*d == '\0' || strlen(d) > 18)
		return 0;
	return strspn(d, "0123456789") == strlen(d);
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
read_log(struct state *st, const char *path)
{
	struct err e = { 0 };
	struct buf text;
	char *line, *next, *pos;
	unsigned long long len;
	uint64_t sum;
	long n;
	int at;

	buf_init(&text, 0);
	if (file_read(path, STATE_MAX * 1024, &text, &e) == -1) {
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
state_read(struct state *st, const char *dir, struct err *e)
{
	struct buf text, path;
	char *line, *next, *eq;
	int rc = 1, lineno = 0, other = 0;

	memset(st, 0, sizeof(*st));
	buf_init(&path, 0);
	buf_printf(&path, "%s/state", dir);
	buf_init(&text, 0);
	if (file_read(path.data, STATE_MAX, &text, e) == -1) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc == 0)
			err_free(e);
		buf_free(&text);
		buf_free(&path);
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
		err_set(e, EX_DATAERR, "%s: a state another version of "
		    "rest-sync wrote", path.data);
	} else if (rc == -1) {
		state_free(st);
		err_set(e, EX_DATAERR, "%s: not a state rest-sync wrote",
		    path.data);
	} else if (!st->fetched) {
		buf_reset(&path);
		buf_printf(&path, "%s/pages", dir);
		read_log(st, path.data);
	}
	buf_free(&path);
	return rc;
}

void
state_log(const struct state *st, struct buf *b)
{
	buf_printf(b, "%ld %" PRIu64 " %016" PRIx64 " %s\n", st->pages,
	    st->length, st->sum, st->position);
}

/* fsync the directory path is in. */
static int
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc;

	dir = slash == NULL ? xstrdup(".") : xstrndup(path,
	    slash == path ? 1 : (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Write text[0..len) as DIR/NAME, mode 0600, by a temporary file renamed
 * over it; with sync, on the disk before and after the rename.  Returns
 * 0, or -1 with e set (EX_IOERR) and nothing left behind.
 */
static int
put_file(const char *dir, const char *name, const char *text, size_t len,
    int sync, struct buf *path, struct err *e)
{
	struct buf tmp;
	ssize_t w;
	int fd, rc = -1;

	buf_reset(path);
	buf_printf(path, "%s/%s", dir, name);
	buf_init(&tmp, 0);
	buf_printf(&tmp, "%s.tmp", path->data);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd != -1) {
		while ((w = write(fd, text, len)) == -1 && errno == EINTR)
			;
		if (w == (ssize_t)len && (!sync || fsync(fd) == 0) &&
		    close(fd) == 0) {
			fd = -1;
			if (rename(tmp.data, path->data) == 0 && (!sync ||
			    sync_dir(path->data) == 0))
				rc = 0;
		}
	}
	if (rc == -1) {
		err_set(e, EX_IOERR, "%s: cannot write:", path->data);
		if (fd != -1)
			close(fd);
		unlink(tmp.data);
	}
	buf_free(&tmp);
	return rc;
}

int
state_write(const struct state *st, const char *dir, int sync,
    struct err *e)
{
	struct buf text, path;
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
	buf_init(&path, 0);
	rc = put_file(dir, "state", text.data, text.len, sync, &path, e);
	buf_free(&path);
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
	if (strncmp(pos, "--next-url ", 11) == 0)
		return "--next-url, not shown";
	if (strncmp(pos, "--cursor ", 9) == 0)
		return "--cursor, not shown";
	return pos;
}

/*
 * Of a child resource, "--parent-start N" alone, or with the position in
 * parent N as two words that getopt takes whole: "--parent-start=N"
 * "--offset=M" (or "--next-url=@FILE").
 */
static int
parent_resume_args(const struct state *st, const char *dir, struct buf *opt,
    struct buf *val, struct err *e)
{
	const char *n = st->position + 15;
	size_t k = parent_start_len(n);
	struct state sub = *st;
	struct buf o2;

	buf_reset(opt);
	buf_reset(val);
	if (n[k] == '\0') {
		buf_adds(opt, "--parent-start");
		buf_add(val, n, k);
		buf_str(opt);
		buf_str(val);
		return 0;
	}
	sub.position = (char *)n + k + 1;
	buf_init(&o2, 0);
	if (state_resume_args(&sub, dir, &o2, val, e) == -1) {
		buf_free(&o2);
		return -1;
	}
	buf_printf(opt, "--parent-start=%.*s", (int)k, n);
	buf_adds(&o2, "=");
	buf_add(&o2, val->data, val->len);
	buf_reset(val);
	buf_add(val, o2.data, o2.len);
	buf_str(val);
	buf_free(&o2);
	return 0;
}

int
state_resume_args(const struct state *st, const char *dir, struct buf *opt,
    struct buf *val, struct err *e)
{
	const char *space = strchr(st->position, ' ');
	struct buf path, line;
	int rc;

	if (strncmp(st->position, "--parent-start ", 15) == 0)
		return parent_resume_args(st, dir, opt, val, e);
	buf_reset(opt);
	buf_reset(val);
	buf_add(opt, st->position, (size_t)(space - st->position));
	buf_str(opt);
	if (strcmp(opt->data, "--next-url") != 0 &&
	    strcmp(opt->data, "--cursor") != 0) {
		buf_adds(val, space + 1);
		buf_str(val);
		return 0;
	}
	buf_init(&path, 0);
	buf_init(&line, 0);
	buf_printf(&line, "%s\n", space + 1);
	if ((rc = put_file(dir, "position", line.data, line.len, 0, &path,
	    e)) == 0)
		buf_printf(val, "@%s", path.data);
	buf_str(val);
	buf_free(&line);
	buf_free(&path);
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

int
lock_take(const char *path, struct err *e)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0666);
	if (fd == -1 && errno == ELOOP)
		return err_set(e, EX_IOERR, "%s: a symbolic link; will not "
		    "lock through it", path);
	if (fd == -1)
		return err_set(e, EX_CANTCREAT, "%s: cannot create:", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, EX_IOERR, "%s: not a regular file; will not "
		    "lock through it", path);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return err_set(e, EX_TEMPFAIL, "%s: busy: another "
			    "rest-sync is syncing this table; try again later",
			    path);
		return err_set(e, EX_IOERR, "%s: cannot lock:", path);
	}
	return fd;
}
