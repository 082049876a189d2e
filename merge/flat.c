/* flat.c: csv and tsv: rows read into cells, cells written quoted as needed. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "merge.h"

void
row_init(struct row *r)
{
	buf_init(&r->raw, 0);
	buf_init(&r->text, 0);
	r->end = NULL;
	r->ncell = r->cap = 0;
	r->line = 0;
}

void
row_free(struct row *r)
{
	buf_free(&r->raw);
	buf_free(&r->text);
	free(r->end);
	row_init(r);
}

const char *
row_cell(const struct row *r, size_t i, size_t *n)
{
	size_t start = i == 0 ? 0 : r->end[i - 1];

	*n = r->end[i] - start;
	/* Cells all empty leave text without memory: no null pointer sum. */
	return r->text.data != NULL ? r->text.data + start : "";
}

static void
end_cell(struct row *r)
{
	if (r->ncell == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->end = xrealloc(r->end, r->cap * sizeof(*r->end));
	}
	r->end[r->ncell++] = r->text.len;
}

/* Split a tsv line at tabs and undo the escapes of tab, newline, CR, \. */
static void
split_tsv(struct row *r)
{
	const char *p = r->raw.data, *end = p + r->raw.len;
	char c;

	for (; p < end; p++) {
		if (*p == '\t') {
			end_cell(r);
			continue;
		}
		if (*p != '\\' || p + 1 == end) {
			buf_addc(&r->text, *p);
			continue;
		}
		switch (p[1]) {
		case 't':
			c = '\t';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case '\\':
			c = '\\';
			break;
		default:
			/* Not ours: keep it as it is. */
			buf_addc(&r->text, *p);
			continue;
		}
		buf_addc(&r->text, c);
		p++;
	}
	end_cell(r);
}

/*
 * Split a csv record as RFC 4180 writes it; a quoted field may hold line
 * breaks, so more lines are read into raw while a quote is open.  Returns
 * 0, or -1 with e set.
 */
static int
split_csv(struct row *r, struct lines *l, struct err *e)
{
	const char *line;
	size_t i = 0, len;
	int quoted = 0, start = 1, more;
	char c;

	for (;;) {
		if (i == r->raw.len) {
			if (!quoted)
				break;
			if ((more = lines_next(l, &line, &len, e)) == -1)
				return -1;
			if (more == 0)
				return err_set(e, EX_DATAERR, "%s:%lu: "
				    "unterminated quoted field", l->name,
				    r->line);
			/* The newline joins raw, and the loop copies it. */
			buf_addc(&r->raw, '\n');
			buf_add(&r->raw, line, len);
			continue;
		}
		c = r->raw.data[i++];
		if (start) {
			start = 0;
			if (c == '"') {
				quoted = 1;
				continue;
			}
		}
		if (quoted) {
			if (c != '"')
				buf_addc(&r->text, c);
			else if (i < r->raw.len && r->raw.data[i] == '"') {
				buf_addc(&r->text, c);
				i++;
			} else {
				quoted = 0;
				if (i < r->raw.len && r->raw.data[i] != ',' &&
				    !(r->raw.data[i] == '\r' &&
				    i + 1 == r->raw.len))
					return err_set(e, EX_DATAERR, "%s:%lu: "
					    "expected ',' after a quoted field",
					    l->name, l->lineno);
			}
		} else if (c == ',') {
			end_cell(r);
			start = 1;
		} else if (c == '"')
			return err_set(e, EX_DATAERR, "%s:%lu: quote in an "
			    "unquoted field", l->name, l->lineno);
		else if (c != '\r' || i < r->raw.len)
			buf_addc(&r->text, c);
	}
	end_cell(r);
	return 0;
}

int
row_next(struct row *r, struct lines *l, enum format fmt, struct err *e)
{
	const char *line;
	size_t len;
	int more;

	if ((more = lines_next(l, &line, &len, e)) != 1)
		return more;
	buf_reset(&r->raw);
	buf_reset(&r->text);
	r->ncell = 0;
	r->line = l->lineno;
	buf_add(&r->raw, line, len);
	/* In tsv a tab separates cells: a row of empty cells is no blank. */
	if (blank(line, len) && (fmt != FMT_TSV || memchr(line, '\t', len) ==
	    NULL))
		return 1;
	if (fmt == FMT_TSV)
		split_tsv(r);
	else if (split_csv(r, l, e) == -1)
		return -1;
	return 1;
}

const char *
fmt_sep(enum format fmt)
{
	return fmt == FMT_TSV ? "\t" : ",";
}

const char *
fmt_eol(enum format fmt)
{
	return fmt == FMT_TSV ? "\n" : "\r\n";
}

static void
csv_cell(struct buf *b, const char *s, size_t n)
{
	const char *p, *q, *end = s + n;

	/* An empty string is quoted, so it differs from a null. */
	if (n > 0) {
		for (p = s; p < end; p++)
			if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
				break;
		if (p == end) {
			buf_add(b, s, n);
			return;
		}
	}
	buf_addc(b, '"');
	for (p = s; (q = memchr(p, '"', (size_t)(end - p))) != NULL;
	    p = q + 1) {
		buf_add(b, p, (size_t)(q - p) + 1);
		buf_addc(b, '"');
	}
	buf_add(b, p, (size_t)(end - p));
	buf_addc(b, '"');
}

static void
tsv_cell(struct buf *b, const char *s, size_t n)
{
	const char *end = s + n;

	for (; s < end; s++)
		switch (*s) {
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		default:
			buf_addc(b, *s);
		}
}

void
cell_add(struct buf *b, enum format fmt, const char *s, size_t n)
{
	if (fmt == FMT_TSV)
		tsv_cell(b, s, n);
	else
		csv_cell(b, s, n);
}

void
cell_write(FILE *fp, enum format fmt, const char *s, size_t n, int null)
{
	struct buf b;

	if (null)
		return;
	buf_init(&b, 0);
	cell_add(&b, fmt, s, n);
	fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}
