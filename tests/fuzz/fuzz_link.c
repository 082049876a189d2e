/*
 * libFuzzer: Link header values.
 *
 * Each input is read twice.  As a header value, with any rel, link_find()
 * must not crash, and what it finds must be a part of the input, with no
 * '<' or '>' in it.  Then the input is cut into link targets and rels,
 * written as a header the way servers write it (quoted or bare rels,
 * several values, other parameters, spaces), and the first link whose
 * rel holds "next" must be found, exactly.
 */
#define _GNU_SOURCE	/* memmem() */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "net/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* Keep only bytes a target may hold: printable, no <, >, space. */
static void
add_target(struct buf *b, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '<' && s[i] != '>')
			buf_addc(b, s[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char	*rel;
		int		 next;
	} rels[] = {
		{ "next", 1 }, { "prev", 0 }, { "last", 0 }, { "next last", 1 },
		{ "first  next", 1 }, { "nextish", 0 }, { "NEXT", 1 }
	};
	struct buf out, hdr, want;
	const uint8_t *p = data, *end = data + size;
	size_t take;
	int found = 0, k = 0;

	buf_init(&out, 0);
	if (link_find((const char *)data, size, "next", &out)) {
		check(out.len <= size);
		check(memchr(out.data, '>', out.len) == NULL);
		check(out.len == 0 ||
		    memmem(data, size, out.data, out.len) != NULL);
	}

	buf_init(&hdr, 0);
	buf_init(&want, 0);
	while (p < end && k < 8) {
		uint8_t c = *p++;
		const char *rel = rels[c % 7].rel;
		size_t tstart;

		take = (size_t)(end - p) < (size_t)(c >> 3) ? (size_t)(end - p) :
		    (size_t)(c >> 3);
		if (k++ > 0)
			buf_adds(&hdr, c & 0x40 ? " , " : ",");
		buf_adds(&hdr, "<");
		tstart = hdr.len;
		add_target(&hdr, p, take);
		if (!found && rels[c % 7].next) {
			found = 1;
			buf_add(&want, hdr.data + tstart, hdr.len - tstart);
		}
		p += take;
		buf_adds(&hdr, ">");
		if (c & 0x80)
			buf_adds(&hdr, "; title=\"a, <b>; rel=next\"");
		/* A bare rel holds one value; several are quoted. */
		buf_printf(&hdr, (c & 0x20) || strchr(rel, ' ') != NULL ?
		    "; rel=\"%s\"" : " ;rel=%s", rel);
	}
	buf_reset(&out);
	check(link_find(hdr.data != NULL ? hdr.data : "", hdr.len, "next",
	    &out) == found);
	if (found)
		check(out.len == want.len && (out.len == 0 ||
		    memcmp(out.data, want.data, out.len) == 0));
	buf_free(&out);
	buf_free(&hdr);
	buf_free(&want);
	return 0;
}
