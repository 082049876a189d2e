/*
 * libFuzzer: the configuration reader.  It reports faults with die(), so
 * die_hook jumps back here instead of exiting; what it had allocated then
 * leaks, which is why run.sh turns leak detection off for this harness.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static jmp_buf back;

static void
jump_back(int status)
{
	longjmp(back, status);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4096];
	static int fd = -1;
	const char *dir = getenv("TMPDIR");
	struct config c;

	if (fd == -1) {
		snprintf(path, sizeof(path), "%s/restpipe-fuzz-XXXXXX",
		    dir != NULL ? dir : P_tmpdir);
		if ((fd = mkstemp(path)) == -1)
			abort();
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	die_hook = jump_back;
	if (setjmp(back) == 0) {
		config_load(&c, path, NULL, CONFIG_REQUEST | CONFIG_PAGER |
		    CONFIG_SELECT | CONFIG_TABLE);
		config_free(&c);
	}
	return 0;
}
