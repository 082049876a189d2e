/* libFuzzer: Retry-After values, delta seconds and HTTP dates. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = xstrndup((const char *)data, size);
	double d = http_retry_after(value, 1700000000LL);

	/* Either no wait, or a positive one. */
	if (!(d == -1 || d > 0))
		__builtin_trap();
	free(value);
	return 0;
}
