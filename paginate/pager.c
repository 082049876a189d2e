/*
 * pager.c: the driver of rest-paginate's paging.  It asks the family of
 * paginators in use (struct paginator: numbers.c, single.c, links.c)
 * for each request, keeps up to --parallel in flight where the family
 * says the pages exist, and takes the responses in order: each page
 * parsed (page.c) and checked by the family, then written on one line
 * to stdout, counted, and the position that resumes after it told to
 * --position-fd and the report; then the family says whether to go on.
 * An "auto" paginator's first response settles it (detect.c), and the
 * family found takes that response on, as dlt's client does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/file.h"
#include "json/jpath.h"
#include "json/json.h"
#include "json/wire.h"
#include "net/detect.h"
#include "net/http.h"
#include "pager.h"

/* The family that pages as o now says: an "auto" one settles so. */
static const struct paginator *
family_of(const struct pager *pg)
{
	const struct pager_opts *o = pg->o;

	if (o->ref != PAGER_NONE)
		return &links_paginator;
	/*
	 * dlt's single_page paginator adds no paging parameters, nor does
	 * its first request before the paginator is detected.
	 */
	if (o->single || (pg->settle != NULL && o->page_param == NULL))
		return &single_paginator;
	return &numbers_paginator;
}

static void
show_progress(struct pager *pg, int last)
{
	double t = clock_now(), rate, pos, speed;
	char pct[48] = "", eta[32] = "";

	if (!last && t - pg->shown_at < 0.2)
		return;
	pg->shown_at = t;
	/*
	 * A total counts records, or pages when paging by page number; the
	 * next offset (or page) says how far paging is, also after a resume.
	 */
	pos = pg->pos - pg->o->base;
	speed = t > pg->started ? (pg->pos - pg->first) / (t - pg->started) :
	    0;
	if (pg->known_total > 0) {
		if (pos > pg->known_total)
			pos = pg->known_total;
		snprintf(pct, sizeof(pct), ", %.0f%% of %ld%s",
		    100.0 * pos / pg->known_total, pg->known_total,
		    pg->o->page_param != NULL ? " pages" : "");
		if (speed > 0 && !last)
			snprintf(eta, sizeof(eta), ", ETA %.0f s",
			    (pg->known_total - pos) / speed);
	}
	rate = t > pg->started ? pg->nrecords / (t - pg->started) : 0;
	fprintf(stderr, "%s: %ld page%s, %ld records%s, %.0f records/s%s%s",
	    getprog(), pg->pages, pg->pages == 1 ? "" : "s", pg->nrecords,
	    pct, rate, eta,
	    isatty(STDERR_FILENO) ? (last ? "\033[K\n" : "\033[K\r") : "\n");
	fflush(stderr);
}

/*
 * Tell --position-fd and the report how to resume after the page just
 * written, which held count records: position, "--offset N" or a link,
 * on a line, and the counts so far in a "page" record.
 */
static void
told(struct pager *pg, const char *position, long count)
{
	const struct pager_opts *o = pg->o;
	struct wire w;
	struct buf b;

	/* A link or cursor with a line break: no line can hold it. */
	if (strpbrk(position, "\r\n") != NULL)
		position = NULL;
	if (o->position_fd >= 0 && position != NULL) {
		buf_init(&b, 0);
		buf_printf(&b, "%s\n", position);
		if (write(o->position_fd, b.data, b.len) != (ssize_t)b.len) {
			warnmsg("--position-fd %d: write failed:",
			    o->position_fd);
			exit(EX_IOERR);
		}
		buf_free(&b);
	}
	if (!wire_sink_on(&o->report))
		return;
	wire_init(&w, WIRE_PAGE, NULL);
	w.position = (char *)position;
	w.pages = pg->pages + 1;
	w.records = pg->nrecords + count;
	if (pg->http != NULL)
		w.requests = http_stats(pg->http)->requests;
	if (o->page_param == NULL && o->ref == PAGER_NONE &&
	    pg->known_total >= 0)
		w.total = pg->known_total;
	else if (pg->header_total >= 0)
		w.total = pg->header_total;
	if (wire_send(&o->report, &w) == -1) {
		warnmsg("--report: write failed:");
		exit(EX_IOERR);
	}
}

/*
 * Write the page in body on one line, with a child resource's
 * include_from_parent columns added to its records.  Returns 0, or EOF.
 */
static int
put_page(const struct pager *pg, const struct buf *body)
{
	struct buf out;
	int rc = 0;

	if (pg->o->columns.len == 0)
		return fwrite(body->data, 1, body->len, stdout) != body->len ?
		    EOF : 0;
	buf_init(&out, 0);
	parents_add_columns(&pg->json, pg->rec_tok, &pg->o->columns, &out);
	if (fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = EOF;
	buf_free(&out);
	return rc;
}

/*
 * Write the page in body, flattened to one line, holding count records,
 * then make position (an option and its value: "--offset 100") the one
 * a signal, a failure, --position-fd and the report say to resume with;
 * safe 0 prints none.  A signal waits until the page is whole on stdout.
 */
static void
write_page(struct pager *pg, const struct buf *body, const char *position,
    int safe, long count)
{
	sigset_t saved;

	hold_stops(&saved);
	if (put_page(pg, body) == EOF ||
	    putchar('\n') == EOF || fflush(stdout) == EOF) {
		/* A reader gone needs no resume line; a full disk does. */
		int gone = errno == EPIPE, status = finish_stdout();

		if (gone)
			exit(status);
		fail(pg, status);
	}
	set_resume_ref(pg, position, safe);
	told(pg, position, count);
	release_stops(&saved);
}

/*
 * Take response r, of the page at pg->pos: check it, write it and count
 * it, or pass over it when it was ignored.  A page fetched ahead that
 * failed counts only once it is the next to write: paging may stop
 * before it.  Returns 1 to go on, 0 to stop.
 */
static int
take(struct pager *pg, struct http_req *r, long *scheduled)
{
	const struct paginator *fam;
	long count;
	int safe = 1;

	if (r->result != EX_OK)
		fail(pg, failed_request(r));
	if (r->ignored != NULL)
		return pg->fam->ignored(pg, r);
	count = parse_page(pg, r);
	/* An "auto" paginator settled: its family takes this page on. */
	if ((fam = family_of(pg)) != pg->fam) {
		pg->fam = fam;
		(void)fam->init(pg);	/* it has a page: this one */
		*scheduled = pg->pos + pg->step;
	}
	buf_reset(&pg->position);
	pg->fam->check(pg, r, count, &pg->position, &safe);
	write_page(pg, &r->body, buf_str(&pg->position), safe, count);
	pg->pages++;
	pg->nrecords += count;
	return pg->fam->update(pg, r, count);
}

/*
 * Page from pg->pos until the family says to stop, or no response is
 * left: up to --parallel pages in flight, but ahead of the page to take
 * next only where the family says they exist.
 */
static void
page_all(struct pager *pg)
{
	const struct pager_opts *o = pg->o;
	/*
	 * Static: fail() exits from inside, and what these hold is then no
	 * leak to a leak checker.
	 */
	static struct http_req **window, *r;
	long scheduled = pg->pos, slot;
	struct err e = { 0 };
	int go = 1, status;

	window = pg->window = xcalloc((size_t)o->parallel, sizeof(*window));
	pg->started = pg->shown_at = clock_now();
	pg->first = pg->pos;
	while (go) {
		while (scheduled < pg->pos + o->parallel * pg->step &&
		    (scheduled == pg->pos || pg->fam->ahead(pg, scheduled))) {
			http_submit(pg->http, pg->fam->request(pg, scheduled));
			scheduled += pg->step;
		}
		if ((status = http_next(pg->http, &r, &e)) == -1)
			die_err(&e);
		if (status == 0)
			break;
		slot = ((intptr_t)r->udata - pg->pos) / pg->step;
		window[slot] = r;
		while (go && window[0] != NULL) {
			r = window[0];
			memmove(window, window + 1,
			    (size_t)(o->parallel - 1) * sizeof(*window));
			window[o->parallel - 1] = NULL;
			go = take(pg, r, &scheduled);
			http_req_free(r);
			r = NULL;
			pg->pos += pg->step;
			if (o->progress)
				show_progress(pg, !go);
		}
	}
	for (slot = 0; slot < o->parallel; slot++)
		http_req_free(window[slot]);
	free(window);
	pg->window = window = NULL;
}

void
end_counts(const struct pager *pg, struct wire *w)
{
	size_t i;

	wire_init(w, WIRE_END, NULL);
	w->pages = pg->pages;
	w->records = pg->nrecords;
	w->requests = pg->stats.requests;
	for (i = 0; i < pg->stats.nsent; i++)
		w->sent[i] = pg->stats.sent[i];
	w->nsent = pg->stats.nsent;
	for (i = 0; i < pg->stats.nretries; i++)
		w->retries[i] = pg->stats.retries[i];
	w->nretries = pg->stats.nretries;
	w->longest_wait = pg->stats.longest_wait;
}

/* A retry the client decided, for the report. */
static void
on_retry(void *arg, const char *cause, int attempt, long attempts,
    double wait, const char *shown)
{
	const struct pager *pg = arg;
	struct wire w;

	wire_init(&w, WIRE_RETRY, NULL);
	w.cause = (char *)cause;
	w.attempt = attempt;
	w.attempts = attempts;
	w.wait = wait;
	w.url = (char *)shown;
	(void)wire_send(&pg->o->report, &w);
}

/* Keep what the client counted, and free it. */
static void
end_client(struct pager *pg, struct http *h)
{
	pg->stats = *http_stats(h);
	pg->http = NULL;
	http_free(h);
}

void
run(struct pager *pg)
{
	const struct http_opts *o = &pg->o->req.http;
	struct err e = { 0 };
	struct http_req *r;
	struct http *h;

	if ((h = http_new(o, &e)) == NULL)
		die_err(&e);
	pg->http = h;
	http_on_retry(h, on_retry, pg);
	pg->fam = family_of(pg);
	if (!pg->fam->init(pg))
		;	/* no page to ask for */
	else if (o->dry_run) {
		r = pg->fam->request(pg, pg->pos);
		http_req_describe(h, r, stdout);
		http_req_free(r);
	} else
		page_all(pg);
	end_client(pg, h);
}

void
pager_init(struct pager *pg, struct pager_opts *o)
{
	memset(pg, 0, sizeof(*pg));
	pg->o = o;
	pg->step = o->page_param != NULL ? 1 : o->limit;
	pg->detected.kind = DETECT_SINGLE;
	if (o->autodetect != AUTO_OFF) {
		pg->settle = o;
		pg->step = 1;
	}
	pg->pos = o->start;
	if (o->page_param != NULL && o->page >= 0)
		pg->pos = o->page;
	else if (o->page_param != NULL && o->start < o->base)
		pg->pos = o->base;
	pg->known_total = -1;
	pg->header_total = -1;
	pg->short_offset = -1;
	pg->first_count = -1;
	buf_init(&pg->prev, 0);
	json_init(&pg->json);
	if (o->data_selector != NULL)
		pg->records = compile("--data-selector", o->data_selector);
	if (o->total_path != NULL)
		pg->total = compile("--total-path", o->total_path);
	if (o->has_more_path != NULL)
		pg->has_more = compile("--has-more-path", o->has_more_path);
	strtab_init(&pg->seen);
	buf_init(&pg->resume, 0);
	buf_init(&pg->resume_base, 0);
	buf_init(&pg->ref_json, 0);
	buf_init(&pg->ref_body, 0);
	buf_init(&pg->origin, 0);
	buf_init(&pg->position, 0);
	/* What a stop says before the first page: from the start. */
	if (o->ref == PAGER_NONE)
		wire_pos_number(&pg->position, o->page_param != NULL ?
		    POS_PAGE : POS_OFFSET, pg->pos);
	set_resume_ref(pg, o->ref == PAGER_NONE ? buf_str(&pg->position) :
	    NULL, 1);
	if (o->ref == PAGER_JSON_LINK)
		pg->ref_path = compile("--next-url-path", o->next_url_path);
	else if (o->ref == PAGER_CURSOR)
		pg->ref_path = compile("--cursor-path", o->cursor_path);
}

void
pager_free(struct pager *pg)
{
	json_free(&pg->json);
	buf_free(&pg->prev);
	jpath_free(pg->records);
	jpath_free(pg->total);
	jpath_free(pg->has_more);
	jpath_free(pg->ref_path);
	strtab_free(&pg->seen);
	buf_free(&pg->resume);
	buf_free(&pg->resume_base);
	free(pg->ref_now);
	free(pg->ref_next);
	buf_free(&pg->ref_json);
	buf_free(&pg->ref_body);
	buf_free(&pg->origin);
	buf_free(&pg->position);
	free(pg->found_selector);
	detected_free(&pg->detected);
}
