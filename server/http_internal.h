/* http_internal.h — between the files of the HTTP core (http.c: the daemon and the request's life;
   route.c: router and guard; reply.c: replies and static files; body.c: the JSON body). No module
   includes it: modules use http.h. */
#ifndef DX_HTTP_INTERNAL_H
#define DX_HTTP_INTERNAL_H
#include "http.h"

/* A route's body limit when it declares none. */
#define DEFAULT_BODY_MAX (64 * 1024)

/* Finds the route of r (r->rt), or answers 404 / 405 (route.c). */
void route_request(req *r);
/* The guard: session, role, content type, same origin, CSRF, body limit, the route's resource;
   answers a refusal itself (route.c). */
void http_guard(req *r);
/* The session of the request (Bearer token or cookie), into r->u and r->by_cookie (route.c). */
void find_session(req *r);
/* Fingerprints the static assets under root, once at start-up (reply.c). */
void static_init(const char *root);
#endif
