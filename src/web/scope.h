/* Scope resolvers: how each route finds the unit a request acts on.
 *
 * Every route of every table names one of these (struct route.scope); the one
 * authorize hook (web_authorize in app.c) runs it after the role and CSRF
 * checks and before the handler, and answers 403 (out-of-scope) when the unit
 * is not the user's own or one below it. A handler reads the resolved unit
 * with web_scope_unit and never checks scope itself. New routes get the check
 * by declaring their resolver; `osspoint routes` lists each route's scope by
 * name and the route-walk API test drives every route as users of another
 * district and of another province. */
#ifndef OSSPOINT_WEB_SCOPE_H
#define OSSPOINT_WEB_SCOPE_H

#include "http/http.h"

/* "none": the route acts on no single unit (public pages, login, health, the
 * national catalogue's read-only history). */
extern const struct route_scope scope_none;
/* "own unit": the user's own unit (their home page, their unit's lists). */
extern const struct route_scope scope_own;
/* "own district": the user's own unit, which must be a district (registry
 * entry, import); others get 403 district-only. */
extern const struct route_scope scope_own_district;
/* "national": the national unit "0" (catalogue administration): only
 * national users are in scope. */
extern const struct route_scope scope_national;
/* "{code}": the unit in the path parameter {code}. */
extern const struct route_scope scope_code;
/* "?unit= (default: own unit)": the unit in the query parameter unit, or the
 * user's own unit when it is absent or empty; a malformed code is 400 naming
 * "unit". */
extern const struct route_scope scope_unit_query;
/* "registry entry {id}": the district that owns registry entry {id}; 404
 * entry-not-found when there is none. */
extern const struct route_scope scope_visit;
/* "user {id}": the unit of user {id}; 404 when there is none. */
extern const struct route_scope scope_user;
/* "import job {job}": the district of import job {job}; 404 when unknown. */
extern const struct route_scope scope_import_job;

/* "any unit {unit} (statistics)": the unit in the path parameter {unit},
 * which must exist (404 stats-unit-not-found); every staff user is in scope
 * (aggregate numbers, no personal data: web/stats.c). web_authorize skips
 * the in-scope check for this resolver only. */
extern const struct route_scope scope_any_unit;
/* "{district}": the district in the path parameter {district} (a 4-digit
 * code; anything else is 404). The duty roster's routes. */
extern const struct route_scope scope_district;
/* "order {id}": the issuing office (district or province) of order {id};
 * 404 order-not-found when there is none. */
extern const struct route_scope scope_order;
/* Issue 11: "contact {id}" / "channel {id}": the unit the contact or
 * coordination channel belongs to (404 contact-not-found /
 * channel-not-found); "helpdesk thread {id}": the district that raised the
 * แจ้งปัญหา thread (its province and the nation are above it, so in scope);
 * 404 helpdesk-not-found. */
extern const struct route_scope scope_contact;
extern const struct route_scope scope_channel;
extern const struct route_scope scope_helpdesk;

/* Every resolver above, NULL-terminated (tests and docs). */
extern const struct route_scope *const scope_all[];

#endif
