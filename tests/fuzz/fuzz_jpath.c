/* libFuzzer: the data_selector grammar, compiled and evaluated. */
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
	static const char doc[] = "{\"data\":[{\"a\":[1,{\"b\":2}]},3],"
	    "\"odd.key\":{\"x y\":[true,null]},\"a\\u0062\":\"c\"}";
	struct json_error err;
	struct jpath *jp;
	struct json js;
	const char *why;
	char *sel;

	sel = xstrndup((const char *)data, size);
	json_init(&js);
	if (json_parse(&js, doc, sizeof(doc) - 1, &err) == -1)
		__builtin_trap();
	if ((jp = jpath_compile(sel, &why)) != NULL) {
		int t = jpath_eval(jp, &js, 0);

		if (t >= js.ntok)
			__builtin_trap();
		jpath_is_root(jp);
		jpath_free(jp);
	} else if (why == NULL) {
		__builtin_trap();
	}
	json_free(&js);
	free(sel);
	return 0;
}
