#include <stddef.h>

#include "net/auth.h"

const struct name auth_names[] = {
	{ "api_key",	AUTH_API_KEY },
	{ "bearer",	AUTH_BEARER },
	{ "http_basic",	AUTH_BASIC },
	{ "oauth2_client_credentials", AUTH_OAUTH2 },
	{ NULL,		0 }
};

/* dlt spells the query location "param" too. */
const struct name key_location_names[] = {
	{ "header",	KEY_HEADER },
	{ "query",	KEY_QUERY },
	{ "param",	KEY_QUERY },
	{ "cookie",	KEY_COOKIE },
	{ NULL,		0 }
};
