/* A route scope for test route tables: the route acts on no unit (the
 * app's own resolvers are web/scope.c's). Header-only, for the unit tests
 * and fuzz targets that build routers of their own. */
#ifndef OSSPOINT_TESTS_ANY_SCOPE_H
#define OSSPOINT_TESTS_ANY_SCOPE_H

#include "http/http.h"

static enum err any_scope_resolve(struct req *r, char *unit, size_t cap)
{
	(void)r;
	if (cap)
		unit[0] = '\0';
	return ERR_OK;
}

static const struct route_scope any_scope = {"none", any_scope_resolve};

#endif
