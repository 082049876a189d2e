#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int
err_set(struct err *e, int status, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(fmt), len;
	int saved = errno, r;

	e->status = status;
	va_start(ap, fmt);
	r = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	len = r < 0 ? 0 : (size_t)r;
	if (len < sizeof(e->msg) && n > 0 && fmt[n - 1] == ':')
		snprintf(e->msg + len, sizeof(e->msg) - len, " %s",
		    strerror(saved));
	errno = saved;
	return -1;
}
