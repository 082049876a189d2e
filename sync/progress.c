/*
 * progress.c: what a person watching a long sync sees.  On a terminal,
 * a block redrawn in place, a line per resource running (its records and
 * pages, the rate, an ETA when the API gave a total, a retry waiting) and
 * a total line; off a terminal (--progress), the same lines now and then.
 * The lines the workers say go through here, so that none is drawn over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/file.h"
#include "json/json.h"
#include "sync.h"

#define REDRAW		0.25	/* seconds between redraws on a terminal */
#define PLAIN_EVERY	10.0	/* and between plain lines off one */

void
progress_init(struct progress *p, const struct sync_opts *o,
    const struct resource *r, size_t n)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO);
	p->on = !o->silent && !o->quiet && (o->progress || p->tty);
	p->rows = xcalloc(n, sizeof(*p->rows));
	p->n = n;
	p->started = clock_now();
	for (i = 0; i < n; i++) {
		p->rows[i].name = r[i].name;
		p->rows[i].total = -1;
	}
}

void
progress_free(struct progress *p)
{
	free(p->rows);
	buf_free(&p->line);
}

/* Erase the block drawn last, leaving the cursor where it began. */
static void
erase(struct progress *p, struct buf *b)
{
	if (p->on && p->tty && p->drawn > 0)
		buf_printf(b, "\r\033[%dA\033[J", p->drawn);
	p->drawn = 0;
}

/* "1.2k", "34.5M": n in few characters. */
static void
human(struct buf *b, double n)
{
	if (n >= 1e6)
		buf_printf(b, "%.1fM", n / 1e6);
	else if (n >= 1e4)
		buf_printf(b, "%.1fk", n / 1e3);
	else
		buf_printf(b, "%.0f", n);
}

/* The line of row w into b. */
static void
row_line(const struct progress *p, const struct prog_row *w, double now,
    struct buf *b)
{
	double t = now - w->started, rate = t > 0 ? w->records / t : 0;
	long left;

	buf_printf(b, "rest-sync: %s: ", w->name);
	human(b, (double)w->records);
	buf_printf(b, " records, %lld page%s, ", w->pages, w->pages == 1 ?
	    "" : "s");
	human(b, rate);
	buf_adds(b, " records/s");
	if (w->total > 0 && rate > 0 && w->records < w->total) {
		left = (long)((double)(w->total - w->records) / rate);
		buf_printf(b, ", %lld%%, ETA %ld:%02ld", w->records * 100 /
		    w->total, left / 60, left % 60);
	}
	if (w->waiting > now)
		buf_printf(b, ", retry in %.0f s", w->waiting - now);
	(void)p;
	buf_addc(b, '\n');
}

void
progress_draw(struct progress *p, int force)
{
	double now = clock_now(), records = 0;
	struct buf b;
	size_t i, running = 0, done = 0;

	if (!p->on || (!force && now - p->shown_at < (p->tty ? REDRAW :
	    PLAIN_EVERY)))
		return;
	p->shown_at = now;
	buf_init(&b, 0);
	erase(p, &b);
	for (i = 0; i < p->n; i++) {
		records += (double)p->rows[i].records;
		done += p->rows[i].done;
		if (!p->rows[i].running)
			continue;
		running++;
		row_line(p, &p->rows[i], now, &b);
		p->drawn++;
	}
	buf_printf(&b, "rest-sync: %zu of %zu done, %zu running, ", done,
	    p->n, running);
	human(&b, records);
	buf_printf(&b, " records, %.0f s\n", now - p->started);
	p->drawn++;
	(void)fd_write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}

void
progress_update(struct progress *p, size_t k, const char *line, size_t n)
{
	struct json_error je;
	struct json js;
	long long v;
	int o, i;

	json_init(&js);
	if (json_parse(&js, line, n, &je) == -1 || (o = json_get(&js, 0,
	    "progress", 8)) < 0) {
		json_free(&js);
		return;
	}
	if ((i = json_get(&js, o, "records", 7)) >= 0 &&
	    json_long(&js, i, &v) == 0)
		p->rows[k].records = v;
	if ((i = json_get(&js, o, "pages", 5)) >= 0 &&
	    json_long(&js, i, &v) == 0)
		p->rows[k].pages = v;
	if ((i = json_get(&js, o, "total", 5)) >= 0 &&
	    json_long(&js, i, &v) == 0)
		p->rows[k].total = v;
	if ((i = json_get(&js, o, "wait", 4)) >= 0 &&
	    json_long(&js, i, &v) == 0)
		p->rows[k].waiting = clock_now() + (double)v;
	json_free(&js);
	progress_draw(p, 0);
}

void
progress_start(struct progress *p, size_t k)
{
	p->rows[k].running = 1;
	p->rows[k].started = clock_now();
}

void
progress_done(struct progress *p, size_t k)
{
	p->rows[k].running = 0;
	p->rows[k].done = 1;
}

void
progress_say(struct progress *p, const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	erase(p, &b);
	buf_add(&b, s, n);
	(void)fd_write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
	/* The block again below the line, at once: it was erased. */
	if (p->on && p->tty)
		progress_draw(p, 1);
}

void
progress_end(struct progress *p)
{
	struct buf b;

	if (!p->on || !p->tty)
		return;
	buf_init(&b, 0);
	erase(p, &b);
	(void)fd_write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}
