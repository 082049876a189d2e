/*
 * lib/dlt/config.h: config_resources() lists a configuration's resources in
 * order, or says why it cannot, as config_load() would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "dlt/config.h"
#include "unit.h"

static const struct {
	const char	*json;
	const char	*want;		/* names joined by ','; NULL: error */
	int		 status;	/* of the error */
	const char	*msg;		/* its message, after "FILE: " */
} rows[] = {
	{ "{\"resources\":[\"a\"]}", "a", 0, NULL },
	{ "{\"resources\":[\"a\",{\"name\":\"b\"},\"c\"]}", "a,b,c", 0,
	    NULL },
	{ "{\"resources\":[{\"name\":\"x\",\"table_name\":\"t\"}]}", "x", 0,
	    NULL },
	{ "{\"resources\":[]}", NULL, EX_CONFIG,
	    "$.resources: no resources" },
	{ "{}", NULL, EX_CONFIG, "$: no resources" },
	{ "{\"resources\":{}}", NULL, EX_CONFIG,
	    "$.resources: expected an array" },
	{ "{\"resources\":[{\"path\":\"p\"}]}", NULL, EX_CONFIG,
	    "$.resources[0]: a resource needs a name" },
	{ "{\"resources\":[1]}", NULL, EX_CONFIG,
	    "$.resources[0]: expected an object or a string" },
	{ "[", NULL, EX_CONFIG, "1:2: " },
};

int
main(void)
{
	char file[] = "resources.json", **names, got[256];
	struct err e = { 0 };
	size_t i, n, k;
	FILE *fp;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if ((fp = fopen(file, "w")) == NULL)
			return 2;
		fputs(rows[i].json, fp);
		fclose(fp);
		rc = config_resources(file, &names, &n, &e);
		if (rows[i].want == NULL) {
			unit_long(rc, -1, "%s fails", unit_quotes(rows[i].json));
			unit_long(e.status, rows[i].status, "%s: status",
			    unit_quotes(rows[i].json));
			unit_check(e.msg != NULL && strncmp(e.msg, file,
			    strlen(file)) == 0 && strstr(e.msg,
			    rows[i].msg) != NULL, "%s: message %s",
			    unit_quotes(rows[i].json), unit_quotes(e.msg));
			unit_check(names == NULL && n == 0, "%s: no names",
			    unit_quotes(rows[i].json));
			err_free(&e);
			continue;
		}
		got[0] = '\0';
		for (k = 0; k < n; k++) {
			if (k > 0)
				strcat(got, ",");
			strncat(got, names[k], sizeof(got) - strlen(got) - 2);
			free(names[k]);
		}
		free(names);
		unit_long(rc, 0, "%s loads", unit_quotes(rows[i].json));
		unit_str(got, rows[i].want, "%s names",
		    unit_quotes(rows[i].json));
	}
	remove(file);
	return unit_done();
}
