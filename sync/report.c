/*
 * report.c: what a person reads of a run: the retries of a resource
 * summed up, and the recap at the end, a row per resource and, for each
 * failure, its reason and the command that resumes or fixes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/json.h"
#include "base/proc.h"
#include "sync.h"
#include "json/wire.h"

void
retries_add(struct retries *r, const struct wire *w)
{
	const char *line = retry_line(w), *nl;

	r->count++;
	(void)wire_tally_add(r->by, &r->nby, w->cause != NULL ? w->cause :
	    "transport", 1);
	if (w->wait > r->longest)
		r->longest = w->wait;
	/* The last RETRY_LINES: the first goes when one more comes. */
	if (r->nlines == RETRY_LINES &&
	    (nl = memchr(r->lines.data, '\n', r->lines.len)) != NULL) {
		memmove(r->lines.data, nl + 1, r->lines.len -
		    (size_t)(nl + 1 - r->lines.data));
		r->lines.len -= (size_t)(nl + 1 - r->lines.data);
		r->nlines--;
	}
	buf_printf(&r->lines, "%s\n", line);
	r->nlines++;
}

void
retries_free(struct retries *r)
{
	buf_free(&r->lines);
}

const char *
retry_line(const struct wire *w)
{
	static char s[4096];

	snprintf(s, sizeof(s), "retry %lld of %lld after %s: %s; waited %g s",
	    w->attempt, w->attempts > 0 ? w->attempts - 1 : 0,
	    w->cause != NULL ? w->cause : "a failure",
	    w->url != NULL ? w->url : "a request", w->wait > 0 ? w->wait : 0);
	return s;
}

void
retries_describe(const struct retries *r, struct buf *b)
{
	size_t i;

	buf_printf(b, "%ld retr%s: ", r->count, r->count == 1 ? "y" : "ies");
	for (i = 0; i < r->nby; i++)
		buf_printf(b, "%s%lldx %s", i > 0 ? ", " : "", r->by[i].n,
		    r->by[i].name);
	buf_printf(b, ", longest wait %g s", r->longest);
}

/* Append s to b as one shell word, quoted unless it needs no quotes. */
static void
shell_word(struct buf *b, const char *s)
{
	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789-_./:=@%+,") == strlen(s)) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (; *s != '\0'; s++)
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	buf_addc(b, '\'');
}

/* The command that syncs resource name again, as this run was given. */
static void
command(const struct sync_opts *o, const char *name, struct buf *b)
{
	buf_adds(b, "rest-sync -c ");
	shell_word(b, o->config);
	if (strcmp(o->dir, ".") != 0) {
		buf_adds(b, " -C ");
		shell_word(b, o->dir);
	}
	if (strcmp(o->ext, "jsonl") != 0)
		buf_printf(b, " --format %s", o->ext);
	buf_adds(b, " -r ");
	shell_word(b, name);
}

/* What to do about a resource that ended with status, in words. */
static const char *
advice(int status)
{
	switch (status) {
	case EX_TEMPFAIL:
		return "a temporary failure; run again later";
	case EX_NOPERM:
		return "the credentials were refused: fix the secret, then run";
	case EX_CONFIG:
	case EX_USAGE:
		return "fix the configuration, then run";
	case EX_UNAVAILABLE:
		return "the server refused for good: fix the request, then run";
	case EX_DATAERR:
		return "the data is not what the configuration says: fix it, "
		    "then run";
	case EX_IOERR:
	case EX_CANTCREAT:
	case EX_NOINPUT:
		return "free space or fix the permissions of the directory, "
		    "then run";
	case EX_OSERR:
	case EX_SOFTWARE:
		return "check the installation of restpipe, then run";
	}
	return status > 128 ? "interrupted: to resume, run" :
	    "then run";
}

/* The member key of object 0 of js, as text into b (JSON's for a string). */
static const char *
member(const struct json *js, int obj, const char *key, struct buf *b)
{
	int i = json_get(js, obj, key, strlen(key));

	buf_reset(b);
	if (i < 0 || json_is_null(js, i))
		return NULL;
	json_unescape(js, i, b);
	return buf_str(b);
}

/* Append ", N things" (one, many) to b: N the text n, NULL for 0. */
static void
count(struct buf *b, const char *n, const char *one, const char *many)
{
	if (n == NULL)
		n = "0";
	buf_printf(b, ", %s %s", n, strcmp(n, "1") == 0 ? one : many);
}

/* One resource's rows of the recap, from its result line. */
static void
recap_one(const struct sync_opts *o, const struct resource *r,
    const char *line, size_t len)
{
	struct json_error je;
	struct json js;
	struct buf row, v, cmd;
	const char *outcome, *msg;
	int status, err;

	json_init(&js);
	if (len == 0 || json_parse(&js, line, len, &je) == -1) {
		json_free(&js);
		return;
	}
	buf_init(&row, 0);
	buf_init(&v, 0);
	buf_init(&cmd, 0);
	status = atoi(member(&js, 0, "status", &v) != NULL ? v.data : "70");
	outcome = member(&js, 0, "outcome", &v) != NULL ? v.data : "failed";
	buf_printf(&row, "%s", outcome);
	if (member(&js, 0, "rows", &v) != NULL) {
		buf_printf(&row, ", %s rows (", v.data);
		buf_printf(&row, "%s inserted", member(&js, 0, "inserted", &v));
		buf_printf(&row, ", %s updated", member(&js, 0, "updated", &v));
		buf_printf(&row, ", %s unchanged", member(&js, 0, "unchanged",
		    &v));
		buf_printf(&row, ", %s deleted)", member(&js, 0, "deleted",
		    &v));
	} else if (status != 0)
		buf_printf(&row, " (exit %d)", status);
	count(&row, member(&js, 0, "pages", &v), "page", "pages");
	count(&row, member(&js, 0, "requests", &v), "request", "requests");
	count(&row, member(&js, 0, "retries", &v), "retry", "retries");
	buf_printf(&row, ", %s s", member(&js, 0, "seconds", &v) != NULL ?
	    v.data : "0");
	proc_say("rest-sync: recap", "%s: %s", r->name, buf_str(&row));
	if (status != 0) {
		err = json_get(&js, 0, "error", 5);
		if (err >= 0 && json_is_object(&js, err) &&
		    (msg = member(&js, err, "message", &v)) != NULL)
			proc_say("rest-sync: recap", "%s: %s", r->name, msg);
		command(o, r->name, &cmd);
		proc_say("rest-sync: recap", "%s: %s: %s", r->name,
		    advice(status), buf_str(&cmd));
	}
	buf_free(&row);
	buf_free(&v);
	buf_free(&cmd);
	json_free(&js);
}

void
recap(const struct sync_opts *o, const struct resource *r, size_t n,
    const struct buf *results)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!r[i].drive_only)
			recap_one(o, &r[i], results[i].data, results[i].len);
}
