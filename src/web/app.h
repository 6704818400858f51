/* The running application: what every handler needs, set up once by main
 * (web_app_start) and read-only afterwards. */
#ifndef OSSPOINT_WEB_APP_H
#define OSSPOINT_WEB_APP_H

#include <jansson.h>

#include "http/http.h"
#include "core/throttle.h"
#include "db/sessions.h"
#include "lib/config.h"

struct db;
struct tpl_set;
struct manual_doc;

struct app {
	const struct config *cfg;
	struct db *db;
	struct tpl_set *tpl;
	struct router *router;
	json_t *public_stats; /* {provinces, districts_in_programme}, loaded at start */
	/* The usable e-services are the catalogue snapshot's: web_eservices(r)
	 * in web/portal_state.h (a counted reference held for the request). */
	const char *public_url; /* cfg->public_url or "http://" + the bound address; no trailing '/' */
};

/* The one instance (handlers take only a struct req). */
extern struct app *app;

/* Builds the router from every resource's route table. */
struct router *web_router_new(void);

/* http hooks */
enum err web_authorize(struct req *r, const struct route *route);
int web_render(struct req *r, const char *tpl, json_t *model, struct buf *out);

/* The logged-in user or NULL. */
const struct session_user *web_user(const struct req *r);
/* The unit the route's scope resolver found for this request (web/scope.h),
 * already checked against the user's scope; "" when the route acts on no
 * single unit (or before authorize). */
const char *web_scope_unit(const struct req *r);
/* Writes one audit-log row; detail may be NULL. Returns false (logged) when
 * it could not be written: a view or export of personal data must not be
 * answered then (the caller replies 503); other callers may go on. */
bool web_audit(struct req *r, const char *action, const char *target, const char *detail);

/* Per-resource route tables (each ended by a zeroed entry). */
extern const struct route home_routes[];
extern const struct route auth_routes[];
/* web/auth.c: the login throttling policy from the settings (the users page
 * shows locked accounts by it). */
struct throttle_policy auth_throttle_policy(void);
extern const struct route units_routes[];
extern const struct route users_routes[];
extern const struct route registry_routes[];
extern const struct route import_routes[];
extern const struct route portal_routes[];    /* web/portal.c: public pages and /api/v1 */
extern const struct route catalogue_routes[]; /* web/catalogue.c: /admin/services, /services edits */
extern const struct route points_routes[];
extern const struct route survey_routes[];
extern const struct route stats_routes[];   /* web/stats.c: /stats/{unit}, /statistics */
extern const struct route roster_routes[];  /* web/roster.c: the duty roster, public holidays */
extern const struct route orders_routes[];  /* web/orders.c: official orders (คำสั่ง) */
/* web/survey.c: the satisfaction survey */ /* web/points.c: a point's profile and hidden services */
/* Issue 11 (steps 7-9): web/help.c (the manual, published documents),
 * web/contacts.c (coordination channels, contacts), web/helpdesk.c (แจ้งปัญหา). */
extern const struct route help_routes[];
extern const struct route contacts_routes[];
extern const struct route helpdesk_routes[];
/* The help link of a staff page: path prefix → manual section, one table
 * (web/help.c), rendered by the base template. */
struct help_link {
	const char *prefix, *section;
};
extern const struct help_link help_links[];
/* {href, section, title} of the manual section about path, or NULL. */
json_t *web_help_link(const char *path);
/* The manual's sections (built once, read-only). */
const struct manual_doc *help_manual(void);
/* Adds what แจ้งปัญหา asks of the user to the home page's model (web/helpdesk.c). */
void helpdesk_home(json_t *m, const struct session_user *u);
/* Issue 10 dashboards: the statistics glance of a province or national admin (web/stats.c). */
struct period;
void stats_home(json_t *m, const char *unit, struct period p);
extern const struct route external_routes[]; /* web/external.c: /stats/external */
/* Waits for running import jobs and frees the finished ones (shutdown). */
void registry_import_jobs_wait(void);

#endif
