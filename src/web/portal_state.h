/* The catalogue snapshot of the public portal (issue 4): every service as
 * the public model, the categories, the search index and, on demand, the
 * services each point hides. Built from the database at start and rebuilt
 * after every change on this node (portal_changed) and whenever the portal
 * generation in the database moves (other nodes: a thread polls it every
 * 2 s). A snapshot is immutable once published and reference-counted, so a
 * rebuild never blocks or disturbs a request that is reading the old one.
 * See docs/portal.md. */
#ifndef OSSPOINT_WEB_PORTAL_STATE_H
#define OSSPOINT_WEB_PORTAL_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct search_index;

/* Read-only for handlers: never change these values (json_pack "O" to put
 * them into a model is fine; jansson's reference counts are atomic). */
struct portal_snap {
	int64_t generation;      /* db_portal_generation() when the snapshot was read */
	int64_t built_at;        /* when it was read (UTC epoch s): "data as of" on the PDFs, which
	                            stay in the page cache until the next change */
	char next_due[11];       /* the earliest day of an announced point status change ("" none):
	                            on that day (Bangkok) portal_state_tick applies it */
	json_t *categories;      /* [{code, name_th, name_en, sort_order, href}] in sort order */
	json_t *all;             /* every service, retired included, catalogue order: the public
	                            model plus source and note (the admin list) */
	json_t *by_code;         /* {code: public model}, retired included */
	json_t *services;        /* active and moving services, public models, catalogue order */
	json_t *groups;          /* categories that have services: [{code, name_th, name_en, href,
	                            services: [{code, name_th, agency_th, channel_label, href}]}] */
	json_t *provinces;       /* every province [{code, name_th}] by code (area lists) */
	json_t *province_names;  /* {code: name_th} */
	json_t *stats;           /* {provinces, points, districts_in_programme, districts}: provinces
	                            with points in the programme (76 with Bangkok outside it), those
	                            points (878, = districts_in_programme), every district (928) */
	json_t *usable;          /* [{code, name_th, channel}]: active and moving services, catalogue
	                            order (the registry's list: web_eservices) */
	struct search_index *ix; /* over `services` (document i = services[i]); NULL when libthai
	                            could not load its dictionary (search falls back to substrings) */
};

struct req;

/* Builds the first snapshot from app->db and starts the poll thread.
 * Returns 0, or -1 (logged) when the catalogue cannot be read. */
int portal_state_start(void);
/* Stops the poll thread and drops the current snapshot (after the HTTP
 * server and every background job that reads it have stopped). */
void portal_state_stop(void);

/* A reference to the current snapshot (never NULL after a successful start,
 * NULL before); give it back with portal_snap_put (NULL is a no-op). A
 * snapshot replaced meanwhile stays whole until its last reference goes,
 * and is freed then. */
struct portal_snap *portal_snap_get(void);
void portal_snap_put(struct portal_snap *s);

/* The snapshot this request holds: taken (portal_snap_get) on the first
 * call in the request and given back when the request ends (req_on_done),
 * so every call in one request sees the same snapshot and whatever a
 * handler borrows from it stays valid until its reply is sent. NULL before
 * the start. */
struct portal_snap *portal_snap_req(struct req *r);
/* The registry's list of usable e-services [{code, name_th, channel}] in
 * catalogue order (active and moving ones), borrowed from the request's
 * snapshot (portal_snap_req): valid until the request ends, whatever changes
 * meanwhile. NULL (an empty list to json_array_foreach) before the start. */
json_t *web_eservices(struct req *r);
/* For code that runs outside a request (rules callbacks of background
 * import jobs): whether code is a usable (active or moving) service of the
 * current catalogue. Takes and gives back a reference itself. */
bool portal_service_usable(const char *code);
/* The Thai name of service code (retired ones too) as a new reference to a
 * JSON string, or the code itself when unknown: safe to keep after the
 * catalogue changes (the caller decrefs, or packs it with "o"/"s:o"). */
json_t *portal_service_name(const char *code);
/* Snapshots built and not yet freed (the current one included): for tests
 * proving a replaced snapshot is freed once its last reader is done. */
int portal_state_live_snapshots(void);

/* Call after any change to the catalogue, a category, a point profile or a
 * hidden list was committed: rebuilds the snapshot, then empties the HTTP
 * page cache, so the next request sees the change. */
void portal_changed(void);
/* What the poll thread does every 2 s, with now as the time: rebuilds when
 * the portal generation moved (another node's change), and on the day of an
 * announced point status change (Asia/Bangkok; now >= that day's start)
 * applies it (db_points_apply_scheduled) and rebuilds, so the page cache
 * drops every page that still shows the old status within POLL_SECONDS of
 * midnight. Also run once by portal_state_start (a change due while the
 * server was down applies at once). Exposed for tests, which pass a time. */
void portal_state_tick(int64_t now);

/* The public model of one service (retired included), borrowed from s, or NULL. */
json_t *portal_snap_service(const struct portal_snap *s, const char *code);
/* The category object, borrowed from s, or NULL. */
json_t *portal_snap_category(const struct portal_snap *s, const char *code);
/* The codes unit_code hides (["code", ...], borrowed from s: valid while s is
 * held), read from the database the first time a snapshot is asked. NULL
 * when the database cannot be read. */
json_t *portal_snap_hidden(struct portal_snap *s, const char *unit_code);

/* The services offered at a district's point: the usable ones (s->services)
 * whose area serves its province, minus the point's hidden list, catalogue
 * order, as public service models. Borrowed from s (valid while s is held);
 * computed once per snapshot and unit. NULL when the hidden list cannot be
 * read. */
json_t *portal_snap_offered(struct portal_snap *s, const char *unit_code);
/* The services a district's officers can offer (the registry form's list,
 * the same as the point's page: area, then hidden list), from the request's
 * snapshot: portal_snap_offered(portal_snap_req(r), unit_code). Items have
 * code, name_th and channel like web_eservices' (they are public models).
 * Borrowed until the request ends; NULL before the start or on a database
 * error. */
json_t *web_unit_eservices(struct req *r, const char *unit_code);
/* portal_service_usable for one district: code is offered at unit_code's
 * point (area and hidden list). For rules callbacks outside a request. */
bool portal_service_usable_at(const char *unit_code, const char *code);
/* Whether the public service model svc serves the district (or province)
 * unit_code by its area (eservice_area_serves). */
bool portal_service_serves(json_t *svc, const char *unit_code);

/* A corrected query for a misspelt q (search_suggest) into out (cap
 * bytes): its length, or 0 and "" when there is none (or no index). */
size_t portal_snap_suggest(const struct portal_snap *s, const char *q, char *out, size_t cap);

/* Indexes (into s->services) of the services matching q, best first;
 * category (NULL or "" = any) keeps only that category. Returns how many
 * were written to out (at most max). */
size_t portal_snap_search(const struct portal_snap *s, const char *q, const char *category, size_t *out,
                          size_t max);

/* Builds the public model of a service from a db_services_all() row (new
 * object; source and note left out), with area, area_provinces (codes) and
 * area_th ("ทั่วประเทศ", "เฉพาะกรุงเทพมหานคร นนทบุรี และสมุทรปราการ", "ทั่วประเทศ
 * ยกเว้น…": names from province_names {code: name_th}, may be NULL). */
json_t *portal_service_model(json_t *row, json_t *province_names);
/* area_th of an area: area "all" | "only" | "except", codes "10 11 12". */
json_t *portal_area_th(const char *area, const char *codes, json_t *province_names);
/* "กรุงเทพมหานคร นนทบุรี และสมุทรปราการ" for "10 11 12" (new value). */
json_t *portal_provinces_th(const char *codes, json_t *province_names);

/* ---- shared by the portal pages (web/portal.c) and the staff pages ---- */

/* The point model from a db_points() / db_point_get() row (new object;
 * "history" is not copied): lat, lon, phone and opened_on are null when
 * unknown, plus opened_on_th, status_label, href, poster, qr_svg and
 * map_href (null without lat/lon). */
json_t *portal_point_model(json_t *row);
/* A point's status history or its announced changes ([{status, since,
 * note, at, user_name}] rows of db_point_get) as the pages show them: [{status,
 * status_label, since, since_th, note}], plus at_th and user_name for staff
 * (the public pages leave out who made a change). New array. */
json_t *portal_status_changes(json_t *rows, bool staff);
/* The length of the longest prefix of s of at most max bytes that does not
 * cut a UTF-8 sequence (for "%.*s" of text from a request). */
int portal_utf8_prefix(const char *s, size_t max);
/* Every value of the repeated form field `name` (checkboxes) of an
 * urlencoded or multipart body, appended to out as strings (the request API
 * gives the first only). */
void portal_form_values(struct req *r, const char *name, json_t *out);
/* "25 พฤศจิกายน 2569" for an ISO day; JSON null for "" or a bad day (new value). */
json_t *portal_day_th(const char *iso);
/* "25 พ.ย. 2569 14:05 น." for epoch seconds; null for a non-integer (new value). */
json_t *portal_time_th(json_t *epoch);

#endif
