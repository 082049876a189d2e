/* libFuzzer: the JSON layer and rest-select's selection on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "jpath.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const selectors[] = {
		"$", "data", "$.data[*]", "a[0].b", "a[-1]", "$['odd.key']"
	};
	struct json_error err;
	struct jpath *jp;
	struct json js;
	struct buf out;
	const char *why;
	size_t i, line, col;
	int t;

	json_init(&js);
	buf_init(&out, 0);
	if (json_parse(&js, (const char *)data, size, &err) == -1) {
		json_linecol((const char *)data, err.off, &line, &col);
		if (err.off > size || err.msg == NULL)
			__builtin_trap();
		json_free(&js);
		return 0;
	}
	for (i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++) {
		if ((jp = jpath_compile(selectors[i], &why)) == NULL)
			__builtin_trap();
		if ((t = jpath_eval(jp, &js, 0)) >= 0) {
			buf_reset(&out);
			json_compact(&js, t, &out);
		}
		jpath_free(jp);
	}
	/* Every string unescapes; the compact form parses again. */
	for (t = 0; t < js.ntok; t++) {
		if (json_is_string(&js, t)) {
			buf_reset(&out);
			json_unescape(&js, t, &out);
		}
	}
	buf_reset(&out);
	json_compact(&js, 0, &out);
	{
		struct json again;

		json_init(&again);
		if (json_parse(&again, out.data, out.len, &err) == -1 ||
		    again.ntok != js.ntok)
			__builtin_trap();
		json_free(&again);
	}
	buf_free(&out);
	json_free(&js);
	return 0;
}
