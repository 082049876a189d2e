/*
 * auth.h: the ways a request carries the secret, as dlt names them.  No
 * libcurl here: the configuration reader uses these too.
 */
#ifndef AUTH_H
#define AUTH_H

enum auth_type { AUTH_NONE, AUTH_API_KEY, AUTH_BEARER, AUTH_BASIC };
enum key_location { KEY_HEADER, KEY_QUERY, KEY_COOKIE };

#endif
