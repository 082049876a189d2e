/*
 * auth.h: the ways a request carries the secret, as dlt names them.  No
 * libcurl here: the configuration reader uses these too.
 */
#ifndef AUTH_H
#define AUTH_H

#include "base/opt.h"

enum auth_type {
	AUTH_NONE, AUTH_API_KEY, AUTH_BEARER, AUTH_BASIC, AUTH_OAUTH2
};
enum key_location { KEY_HEADER, KEY_QUERY, KEY_COOKIE };

/*
 * The names of the auth types: api_key, bearer, http_basic,
 * oauth2_client_credentials.
 */
extern const struct name auth_names[];

/* The names of the key locations: header, query (or param), cookie. */
extern const struct name key_location_names[];

#endif
