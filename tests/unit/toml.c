/*
 * lib/dlt/config.h: config_secrets_toml() finds a secret in .dlt/secrets.toml
 * of the current directory, the most specific table winning.  Each row
 * writes the file in a directory of its own under $TMPDIR.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlt/config.h"
#include "unit.h"

static const struct {
	const char	*toml;		/* NULL: no file */
	const char	*key;
	const char	*want;		/* NULL: not found */
} rows[] = {
	{ NULL, "api_key", NULL },
	{ "", "api_key", NULL },
	/* Where: top level, [sources], [sources.rest_api]. */
	{ "api_key = \"top\"\n", "api_key", "top" },
	{ "[sources]\napi_key = \"src\"\n", "api_key", "src" },
	{ "[sources.rest_api]\napi_key = \"rest\"\n", "api_key", "rest" },
	{ "api_key = \"top\"\n[sources]\napi_key = \"src\"\n",
	    "api_key", "src" },
	{ "[sources]\napi_key = \"src\"\n[sources.rest_api]\n"
	    "api_key = \"rest\"\n", "api_key", "rest" },
	{ "[sources.rest_api]\napi_key = \"rest\"\n[sources]\n"
	    "api_key = \"src\"\n", "api_key", "rest" },
	{ "[sources.rest_api]\napi_key = \"rest\"\n", "token", NULL },
	{ "api_key = \"one\"\napi_key = \"two\"\n", "api_key", "two" },
	/* Other tables are not looked in. */
	{ "[destination]\napi_key = \"no\"\n", "api_key", NULL },
	{ "[sources.github]\napi_key = \"no\"\n", "api_key", NULL },
	{ "[sources]\n[destination.postgres]\napi_key = \"no\"\n",
	    "api_key", NULL },
	{ "api_key = \"top\"\n[destination]\napi_key = \"no\"\n",
	    "api_key", "top" },
	{ "[ sources.rest_api ]\napi_key = \"spaced\"\n", "api_key",
	    "spaced" },
	/* The key, exactly. */
	{ "api_key_2 = \"no\"\ntoken = \"tok\"\npassword = \"pw\"\n",
	    "api_key", NULL },
	{ "api_key_2 = \"no\"\ntoken = \"tok\"\npassword = \"pw\"\n",
	    "token", "tok" },
	{ "api_key_2 = \"no\"\ntoken = \"tok\"\npassword = \"pw\"\n",
	    "password", "pw" },
	{ "API_KEY = \"no\"\n", "api_key", NULL },
	/* Values: basic, literal and bare strings, comments, space. */
	{ "api_key = \"a\\\"b\\\\c\"\n", "api_key", "a\"b\\c" },
	{ "api_key = 'a\"b\\c'\n", "api_key", "a\"b\\c" },
	{ "api_key = bare # a comment\n", "api_key", "bare" },
	{ "api_key = \"q#1\" # a comment\n", "api_key", "q#1" },
	{ "api_key = \"a=b\"\n", "api_key", "a=b" },
	{ "  api_key\t=   \"spaced\"   \n", "api_key", "spaced" },
	{ "api_key = \"crlf\"\r\n", "api_key", "crlf" },
	{ "api_key = \"last line\"", "api_key", "last line" },
	{ "api_key = \" inner \"\n", "api_key", " inner " },
	/* Nothing, or not a value: skipped, an earlier one kept. */
	{ "# api_key = \"commented\"\n", "api_key", NULL },
	{ "api_key = \"\"\n", "api_key", NULL },
	{ "api_key =\n", "api_key", NULL },
	{ "api_key\n", "api_key", NULL },
	{ "api_key = \"unterminated\n", "api_key", NULL },
	{ "api_key = \"kept\"\napi_key = \"unterminated\n", "api_key",
	    "kept" },
	{ "api_key = \"kept\"\napi_key = ''\n", "api_key", "kept" },
};

static int
write_file(const char *path, const char *text)
{
	FILE *fp;
	int r;

	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	r = fputs(text, fp) == EOF;
	return fclose(fp) == 0 && r == 0 ? 0 : -1;
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], *got;
	size_t i;

	if (tmp == NULL || *tmp == '\0')
		tmp = P_tmpdir;
	snprintf(dir, sizeof(dir), "%s/unit-toml.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL || chdir(dir) == -1 ||
	    mkdir(".dlt", 0700) == -1) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unlink(".dlt/secrets.toml");
		if (rows[i].toml != NULL &&
		    write_file(".dlt/secrets.toml", rows[i].toml) == -1) {
			perror(".dlt/secrets.toml");
			return 1;
		}
		got = config_secrets_toml(rows[i].key);
		unit_str(got, rows[i].want, "%s in %s is %s",
		    rows[i].key, unit_quotes(rows[i].toml),
		    unit_quotes(rows[i].want));
		free(got);
	}
	unlink(".dlt/secrets.toml");
	rmdir(".dlt");
	if (chdir("..") == 0)
		rmdir(dir);
	return unit_done();
}
