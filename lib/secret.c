#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "diag.h"
#include "secret.h"

char *
secret_load(const char *env, const char *file)
{
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	if (file == NULL) {
		s = getenv(env);
		return s == NULL || *s == '\0' ? NULL : xstrdup(s);
	}
	if ((fp = fopen(file, "r")) == NULL)
		die(EX_NOINPUT, "%s:", file);
	n = getline(&line, &cap, fp);
	fclose(fp);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n <= 0) {
		free(line);
		die(EX_CONFIG, "%s: the first line holds no secret", file);
	}
	return line;
}

/* Replace each occurrence of pat in s by "***"; s only shrinks. */
static void
redact_one(char *s, const char *pat)
{
	size_t n = strlen(pat);
	char *p;

	if (n == 0)
		return;
	while ((p = strstr(s, pat)) != NULL) {
		if (n < 3) {
			/* Too short to hide by shrinking; mask in place. */
			memset(p, '*', n);
			s = p + n;
			continue;
		}
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
		s = p + 3;
	}
}

char *
secret_redact(char *s, const char *secret)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *q;
	struct buf enc;

	if (s == NULL || secret == NULL || *secret == '\0')
		return s;
	redact_one(s, secret);
	buf_init(&enc, 0);
	for (q = (const unsigned char *)secret; *q != '\0'; q++) {
		if (isalnum(*q) || strchr("-._~", *q) != NULL) {
			buf_addc(&enc, *q);
		} else {
			buf_addc(&enc, '%');
			buf_addc(&enc, hex[*q >> 4]);
			buf_addc(&enc, hex[*q & 15]);
		}
	}
	redact_one(s, buf_str(&enc));
	/* And as a JSON string may escape it: \/, \" and \\. */
	buf_reset(&enc);
	for (q = (const unsigned char *)secret; *q != '\0'; q++) {
		if (*q == '/' || *q == '"' || *q == '\\')
			buf_addc(&enc, '\\');
		buf_addc(&enc, *q);
	}
	redact_one(s, buf_str(&enc));
	buf_free(&enc);
	return s;
}
