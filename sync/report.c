/*
 * report.c: what a run tells, to a person and to --json: the retries of
 * a resource summed up; what a worker tells rest-sync (its progress now
 * and then, and its result as a JSON line) and the summary it says of
 * its resource; and the recap at the end, a row per resource and, for
 * each failure, its reason and the command that resumes or fixes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/proc.h"
#include "base/stop.h"
#include "json/json.h"
#include "json/wire.h"
#include "sync.h"

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

/*
 * Tell the parent how far the fetch is, for its progress block: now and
 * then, or at once with a retry's wait.
 */
void
report_progress(struct run *run, const struct wire *w)
{
	const struct wire *last = &run->heard[0].last;
	struct buf b;

	if (w->kind != WIRE_RETRY && clock_now() - run->told_at < 0.2)
		return;
	run->told_at = clock_now();
	buf_init(&b, 0);
	buf_printf(&b, "{\"progress\":{\"records\":%lld,\"pages\":%lld",
	    last->records > 0 ? last->records : 0, (last->pages > 0 ?
	    last->pages : 0) + run->resumed_pages);
	if (last->total >= 0)
		buf_printf(&b, ",\"total\":%lld", last->total);
	if (w->kind == WIRE_RETRY && w->wait > 0)
		buf_printf(&b, ",\"wait\":%.0f", w->wait);
	buf_adds(&b, "}}\n");
	(void)fd_write(run->resultfd, b.data, b.len);
	buf_free(&b);
}

/*
 * The pages, requests and records of the run as the API gave them, the
 * end line left out: it came from the pages fetched by this run, or
 * with those of a run resumed.
 */
static void
counts(const struct run *run, long *fetched, long *pages, long *requests,
    unsigned long *records)
{
	const struct heard *pg = &run->heard[0];
	int mark = spool_end_marked(run);

	/* What rest-paginate said it fetched, sent and counted. */
	*fetched = pg->end.pages >= 0 ? (long)pg->end.pages : pg->pages;
	*pages = run->resumed_pages + run->fetched_pages - mark;
	if (pg->end.requests >= 0)
		*requests = (long)pg->end.requests;
	else if (pg->failed.requests >= 0)
		*requests = (long)pg->failed.requests;
	else
		*requests = pg->last.requests >= 0 ? (long)pg->last.requests :
		    0;
	*records = run->heard[1].end.records >= 0 ?
	    (unsigned long)run->heard[1].end.records : 0;
}

/*
 * Why the run failed with status: the failing stage's own report of it,
 * or rest-sync's reason; *url that of the request that failed, or NULL.
 * Static storage, or NULL when nothing was said.
 */
static const char *
why_failed(const struct run *run, int status, const char **url)
{
	static char killed[64];
	const struct wire *f = NULL;
	int k;

	for (k = 0; k < 3; k++)
		if (run->failed != NULL && strcmp(run->failed,
		    stage_names[k]) == 0 && run->heard[k].failed.kind ==
		    WIRE_FAIL)
			f = &run->heard[k].failed;
	*url = f != NULL ? f->url : NULL;
	if (f != NULL)
		return f->reason;
	if (run->reason != NULL)
		return run->reason;
	if (status > 128) {
		snprintf(killed, sizeof(killed), "%s by signal %d",
		    stop_requested() ? "stopped" : "killed", status - 128);
		return killed;
	}
	return NULL;
}

/*
 * Keep, for --status, the last failure of the resource, or forget it
 * once it succeeded.
 */
void
report_remember(const struct run *run, int status)
{
	struct lastfail lf;
	struct buf path;
	const char *url;

	if (status == 0) {
		buf_init(&path, 0);
		buf_printf(&path, "%s/%s", run->r->rundir, run->r->failfile);
		unlink(path.data);
		buf_free(&path);
		return;
	}
	lf.at = (char *)utc_now();
	lf.status = status;
	lf.stage = (char *)(run->failed != NULL ? run->failed : "rest-sync");
	lf.message = (char *)why_failed(run, status, &url);
	(void)lastfail_write(run->r->rundir, run->r->failfile, &lf);
}

/* The failure of the run: the stage's own report of it, or rest-sync's. */
static void
add_error(struct buf *b, const struct run *run, int status)
{
	const char *url, *msg = why_failed(run, status, &url);
	const char *stage = run->failed != NULL ? run->failed : "rest-sync";

	buf_adds(b, ",\"error\":{\"stage\":");
	json_quote(b, stage, strlen(stage));
	buf_printf(b, ",\"status\":%d,\"message\":", status);
	if (msg != NULL)
		json_quote(b, msg, strlen(msg));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"url\":");
	if (url != NULL)
		json_quote(b, url, strlen(url));
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
}

/* The result as a JSON object, to the parent and into --json. */
void
report_result(struct run *run, int status, int resultfd)
{
	const struct wire *m = &run->heard[2].end;
	const struct heard *pg = &run->heard[0];
	const struct wire *sent = pg->end.kind == WIRE_END ? &pg->end :
	    &pg->failed;
	int counted = m->kind == WIRE_END && !m->already;
	unsigned long records;
	long fetched, pages, requests;
	const char *outcome, *pending;
	struct buf b;
	ssize_t w;

	counts(run, &fetched, &pages, &requests, &records);
	if (status == 0)
		outcome = run->resumed ? "resumed" : "ok";
	else
		outcome = status > 128 && stop_requested() ? "interrupted" :
		    "failed";
	buf_init(&b, 0);
	buf_adds(&b, "{\"resource\":");
	json_quote(&b, run->r->name, strlen(run->r->name));
	buf_adds(&b, ",\"table\":");
	json_quote(&b, run->r->table, strlen(run->r->table));
	buf_adds(&b, ",\"file\":");
	json_quote(&b, run->r->file, strlen(run->r->file));
	buf_printf(&b, ",\"status\":%d,\"outcome\":\"%s\",\"pages\":%ld,"
	    "\"records\":", status, outcome, fetched);
	if (run->committing)
		buf_printf(&b, "%lu", records);
	else
		buf_adds(&b, "null");
	if (counted)
		buf_printf(&b, ",\"inserted\":%lld,\"updated\":%lld,"
		    "\"unchanged\":%lld,\"deleted\":%lld,\"rows\":%lld",
		    m->inserted, m->updated, m->unchanged, m->deleted, m->rows);
	else
		buf_adds(&b, ",\"inserted\":null,\"updated\":null,"
		    "\"unchanged\":null,\"deleted\":null,\"rows\":null");
	buf_printf(&b, ",\"requests\":%ld,\"sent\":", requests);
	wire_tallies_json(&b, sent->sent, sent->nsent);
	buf_printf(&b, ",\"retries\":%ld,\"retry_causes\":", run->rt.count);
	wire_tallies_json(&b, run->rt.by, run->rt.nby);
	buf_printf(&b, ",\"longest_wait\":%g,\"seconds\":%.3f,\"resumed\":",
	    run->rt.longest, clock_now() - run->started);
	/* Where this run took up an earlier one: its pages and position. */
	if (run->resumed) {
		buf_printf(&b, "{\"pages\":%ld,\"from\":", run->resumed_pages);
		pending = run->resumed_from != NULL ? run->resumed_from :
		    "commit";
		json_quote(&b, pending, strlen(pending));
		buf_addc(&b, '}');
	} else
		buf_adds(&b, "null");
	buf_adds(&b, ",\"pending\":");
	if (status != 0 && run->st.run_id != NULL &&
	    access(run->statepath, F_OK) == 0) {
		pending = run->st.fetched ? "commit" : run->st.position !=
		    NULL ? state_shown(run->st.position) : "start";
		json_quote(&b, pending, strlen(pending));
	} else
		buf_adds(&b, "null");
	if (status != 0)
		add_error(&b, run, status);
	else
		buf_adds(&b, ",\"error\":null");
	buf_adds(&b, "}\n");
	while ((w = write(resultfd, b.data, b.len)) == -1 && errno == EINTR)
		;
	buf_free(&b);
}

/*
 * One line on what became of the resource: a summary unless --json or
 * -s, or what failed and what the next run does.
 */
void
report_summary(struct run *run, int status)
{
	const struct state *st = &run->st;
	const struct wire *m = &run->heard[2].end;
	unsigned long records;
	long fetched, pages, requests, logged;
	struct buf why, next;
	const char *p, *nl;

	counts(run, &fetched, &pages, &requests, &records);

	if (status == 0 && m->already) {
		warnmsg("%s: the run %s had committed it already",
		    run->r->file, st->run_id);
		return;
	}
	if (status == 0) {
		if (run->rt.count > 0 && !run->o->json && !run->o->silent) {
			buf_init(&why, 0);
			retries_describe(&run->rt, &why);
			warnmsg("%s", buf_str(&why));
			buf_free(&why);
		}
		if (!run->o->json && !run->o->silent)
			warnmsg("%s: %lu records from %ld page%s (%ld "
			    "request%s): %lu inserted, %lu updated, %lu "
			    "deleted, %lu unchanged, %lu rows; %.2f s",
			    run->r->file, records, pages, pages == 1 ?
			    "" : "s", requests, requests == 1 ? "" : "s",
			    (unsigned long)m->inserted,
			    (unsigned long)m->updated,
			    (unsigned long)m->deleted,
			    (unsigned long)m->unchanged,
			    (unsigned long)m->rows, clock_now() -
			    run->started);
		return;
	}
	/* A failure: the retries that led to it, unless said already. */
	if (run->rt.nlines > 0 && !run->o->verbose && !run->o->silent)
		for (p = run->rt.lines.data; (nl = memchr(p, '\n',
		    (size_t)(run->rt.lines.data + run->rt.lines.len - p))) !=
		    NULL; p = nl + 1)
			warnmsg("%.*s", (int)(nl - p), p);
	buf_init(&why, 0);
	buf_init(&next, 0);
	if (status > 128 && stop_requested())
		buf_adds(&why, "interrupted");
	else
		buf_printf(&why, "not synced (%s exit %d)", run->failed !=
		    NULL ? run->failed : "rest-sync", status);
	if (st->run_id != NULL && access(run->statepath, F_OK) == 0) {
		/* Only a run fetched whole has the end line. */
		logged = st->pages - (st->fetched && spool_end_marked(run));
		if (logged == 1)
			buf_printf(&next, "; the next run %s the page fetched",
			    st->fetched ? "commits" : "resumes after");
		else
			buf_printf(&next, "; the next run %s the %ld pages "
			    "fetched", st->fetched ? "commits" :
			    "resumes after", logged);
		if (!st->fetched)
			buf_printf(&next, " (%s)", state_shown(st->position));
	}
	warnmsg("%s: %s left as it was%s", buf_str(&why), run->r->file,
	    buf_str(&next));
	buf_free(&why);
	buf_free(&next);
}

/* The command that syncs resource name again, as this run was given. */
static void
command(const struct sync_opts *o, const char *name, struct buf *b)
{
	buf_adds(b, "rest-sync -c ");
	buf_shell_word(b, o->config);
	if (strcmp(o->dir, ".") != 0) {
		buf_adds(b, " -C ");
		buf_shell_word(b, o->dir);
	}
	if (strcmp(o->ext, "jsonl") != 0)
		buf_printf(b, " --format %s", o->ext);
	buf_adds(b, " -r ");
	buf_shell_word(b, name);
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
