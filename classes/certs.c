/* certs.c — certificates: the member's list, PDFs, the public verification, revocation. */
#include "classes/access.h"
#include "classes/classes.h"

const route cert_routes[] = {
	ROUTES_END,
};
