/*
 * lib/net/link.h: link_find() reads Link headers as RFC 8288 writes them:
 * several links, quoted and bare parameters, a rel of several values.
 */
#include <stddef.h>
#include <string.h>

#include "base/buf.h"
#include "net/link.h"
#include "unit.h"

static const struct {
	const char	*value;
	const char	*rel;
	const char	*want;		/* NULL: not found */
} rows[] = {
	/* GitHub's. */
	{ "<https://a.example/r?page=2>; rel=\"next\", "
	  "<https://a.example/r?page=5>; rel=\"last\"", "next",
	  "https://a.example/r?page=2" },
	{ "<https://a.example/r?page=2>; rel=\"next\", "
	  "<https://a.example/r?page=5>; rel=\"last\"", "last",
	  "https://a.example/r?page=5" },
	{ "<https://a.example/r?page=1>; rel=\"prev\"", "next", NULL },
	/* A bare token, spaces, case. */
	{ "<https://a.example/2>;rel=next", "next", "https://a.example/2" },
	{ "  < https://a.example/2 >  ;  rel = next  ", "next",
	  "https://a.example/2" },
	{ "<https://a.example/2>; REL=\"NEXT\"", "next",
	  "https://a.example/2" },
	/* A rel of several values. */
	{ "<https://a.example/2>; rel=\"next last\"", "next",
	  "https://a.example/2" },
	{ "<https://a.example/2>; rel=\"last  next\"", "next",
	  "https://a.example/2" },
	{ "<https://a.example/2>; rel=\"nextpage\"", "next", NULL },
	{ "<https://a.example/2>; rel=\"prenext\"", "next", NULL },
	/* Commas and semicolons inside the target and quotes. */
	{ "<https://a.example/r?a=1,2;b=3>; rel=\"next\"", "next",
	  "https://a.example/r?a=1,2;b=3" },
	{ "<https://a.example/1>; title=\"a, b; rel=next\", "
	  "<https://a.example/2>; rel=next", "next", "https://a.example/2" },
	{ "<https://a.example/1>; title=\"say \\\"next\\\", rel=next\"; "
	  "rel=prev, <https://a.example/2>; rel=next", "next",
	  "https://a.example/2" },
	/* Other parameters before and after rel. */
	{ "<https://a.example/2>; type=\"text/html\"; rel=next; hreflang=de",
	  "next", "https://a.example/2" },
	/* Only the first rel counts. */
	{ "<https://a.example/2>; rel=prev; rel=next", "next", NULL },
	/* Two headers joined, the first next wins. */
	{ "<https://a.example/2>; rel=next, <https://a.example/3>; rel=next",
	  "next", "https://a.example/2" },
	/* Relative targets are given back as they are. */
	{ "</r?page=2>; rel=\"next\"", "next", "/r?page=2" },
	{ "<?page=2>; rel=next", "next", "?page=2" },
	/* Links that cannot be read are skipped. */
	{ "garbage, <https://a.example/2>; rel=next", "next",
	  "https://a.example/2" },
	{ "<https://a.example/1; rel=next", "next", NULL },
	{ "<https://a.example/1> rel=next, <https://a.example/2>; rel=next",
	  "next", "https://a.example/2" },
	{ "<https://a.example/1>; rel=\"next, <https://a.example/2>; "
	  "rel=next", "next", NULL },
	{ "<https://a.example/1>; rel", "next", NULL },
	{ "<https://a.example/1>; rel=", "next", NULL },
	{ "<https://a.example/1>; =next", "next", NULL },
	{ "<https://a.example/1>;;; rel=next", "next",
	  "https://a.example/1" },
	{ ",,, <https://a.example/1>; rel=next ,,", "next",
	  "https://a.example/1" },
	{ "", "next", NULL },
	{ "<>; rel=next", "next", "" },
	/* Another rel asked for. */
	{ "<https://a.example/2>; rel=\"next\", "
	  "<https://a.example/3>; rel=\"following\"", "following",
	  "https://a.example/3" },
};

int
main(void)
{
	struct buf out;
	size_t i;
	int found;

	buf_init(&out, 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		buf_adds(&out, "kept:");
		found = link_find(rows[i].value, strlen(rows[i].value),
		    rows[i].rel, &out);
		if (rows[i].want == NULL) {
			unit_check(found == 0 && out.len == 5,
			    "link_find(%s, %s) finds nothing",
			    unit_quotes(rows[i].value),
			    unit_quotes(rows[i].rel));
			continue;
		}
		unit_check(found == 1, "link_find(%s, %s) finds a link",
		    unit_quotes(rows[i].value), unit_quotes(rows[i].rel));
		unit_mem(out.data + 5, out.len - 5, rows[i].want,
		    strlen(rows[i].want), "link_find(%s, %s) is %s",
		    unit_quotes(rows[i].value), unit_quotes(rows[i].rel),
		    unit_quotes(rows[i].want));
	}
	buf_free(&out);
	return unit_done();
}
