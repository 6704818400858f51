/* The e-service catalogue (issue 4): services with versioned changes, the
 * categories, and the services a district point hides. Validation of the
 * fields is core/eservice's job; this file stores what it is given.
 * See docs/modules/catalogue.md. */
#ifndef OSSPOINT_DB_CATALOGUE_H
#define OSSPOINT_DB_CATALOGUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/eservice.h"

struct db;
struct dbc;

/* Every category in sort order: [{code, name_th, name_en, sort_order}].
 * NULL on error. */
json_t *db_categories(struct db *db);

/* Every service (retired included) in catalogue order (sort_order, code):
 * [{code, name_th, name_en, agency_th, agency_en, agency_type, category,
 *   category_th, channel, url, description, steps: [..], documents: [..],
 *   fees, status, sort_order, source, note, version, updated_at}]
 * steps and documents are arrays of strings (stored one per line).
 * NULL on error. */
json_t *db_services_all(struct db *db);

/* One service as above, or NULL (not found or error; *found tells which
 * when found is not NULL). */
json_t *db_service_get(struct db *db, const char *code, bool *found);

/* Creates a service (version 1) and its first history row ('create', by
 * user_id, after = the stored service). sort_order ESVC_SORT_AUTO puts it
 * last (the next multiple of 10 after the highest). user_id 0 is stored as
 * no user. Returns DB_OK, DB_CONSTRAINT when the code is taken or the
 * category unknown (nothing stored), or another negative db_rc. */
int db_service_create(struct db *db, const struct eservice *s, int64_t user_id, int64_t now);

/* Replaces every field of service `code` but the code itself (s->code is
 * not read; sort_order ESVC_SORT_AUTO keeps the stored one), when its
 * current version is expected_version (0: any). Adds a history row ('edit',
 * or 'retire' / 'restore' when the status changes to or from retired;
 * before and after snapshots) and bumps the version. A change of nothing
 * writes nothing and returns DB_OK. Returns DB_OK, DB_NOT_FOUND (no such
 * service), DB_CONFLICT (version moved on: someone else saved first),
 * DB_CONSTRAINT (unknown category), or another negative db_rc. */
int db_service_update(struct db *db, const char *code, const struct eservice *s, int64_t expected_version,
                      int64_t user_id, int64_t now);

/* Moves a service one place up (dir < 0) or down (dir > 0) in the catalogue
 * order among all services, renumbering sort_order 10, 20, 30, ... ; each
 * service whose sort_order changed gets version + 1 and one history row
 * ('reorder', before/after {sort_order}). At the top/bottom already (or
 * dir 0): nothing changes, DB_OK. Returns DB_OK, DB_NOT_FOUND, or a
 * negative db_rc. */
int db_service_move(struct db *db, const char *code, int dir, int64_t user_id, int64_t now);

/* The history of one service, newest first: [{version, at, user_id,
 * user_name, action, before: {...} | null, after: {...} | null}]
 * (before/after parsed back to JSON objects; user_id null for the seed).
 * Snapshots of seed/create/edit/retire/restore hold every stored field:
 * {code, name_th, name_en, agency_th, agency_en, agency_type, category,
 * channel, url, description, steps, documents, fees, status, sort_order,
 * source, note}, steps and documents as stored (text, one item per line);
 * 'reorder' snapshots hold {sort_order} only. before is null for 'create'
 * and for the 'seed' that added the service. NULL on error; [] for an
 * unknown code. */
json_t *db_service_history(struct db *db, const char *code);

/* Codes a unit hides: ["code", ...] sorted. NULL on error. */
json_t *db_unit_hidden_services(struct db *db, const char *unit_code);
/* Sets exactly which services unit_code hides (codes: NULL-terminated
 * array, NULL = none; repeats ignored; unknown codes or unit: DB_CONSTRAINT
 * and nothing changes). Writes an audit-log row 'point.services' (target
 * the unit, detail {"added": [..], "removed": [..]}); the same set again
 * writes nothing. Returns DB_OK or a negative db_rc. */
int db_unit_set_hidden(struct db *db, const char *unit_code, const char *const *codes, int64_t user_id,
                       int64_t now);

/* The search vocabulary admins edit (migration 007, seeded from
 * data/search_synonyms.csv; docs/modules/search.md): {synonyms: [{word,
 * term}] (an everyday word for a term of the catalogue), phrases: [{phrase,
 * service_code}] (an everyday phrasing of what a service is for), both
 * sorted; edited_at (epoch s, null: no person saved it yet), edited_by
 * (display name or null)}. NULL on error. */
json_t *db_search_terms(struct db *db);
/* Replaces the whole vocabulary with synonyms [{word, term}] and phrases
 * [{phrase, service_code}] (checked by the caller; repeats ignored): what
 * left it is deleted, what joined is inserted. An unknown service code fails
 * its foreign key: DB_CONSTRAINT and nothing changes. When anything
 * changed: records the person and time (from then on the seed leaves the
 * vocabulary alone), writes an audit row 'search.terms' ({synonyms,
 * phrases: {added, removed}}) and moves the portal generation; the same
 * vocabulary again writes nothing (DB_OK). Returns DB_OK or a negative
 * db_rc. */
int db_search_terms_set(struct db *db, const json_t *synonyms, const json_t *phrases, int64_t user_id,
                        int64_t now);

/* A number that changes whenever the catalogue, a category, a point
 * profile or a unit's hidden list changes (portal_meta.generation, +1 in
 * the transaction of each change), read cheaply: web servers on other nodes
 * poll it to drop their page caches. Reads never move it. -1 on error. */
int64_t db_portal_generation(struct db *db);

/* ---- for the other query files of src/db, inside their transaction ---- */

/* Adds 1 to the portal generation. Returns DB_OK or a negative db_rc. */
int db_portal_bump(struct dbc *c);
/* Appends an audit-log row (user_id 0: none; no address). */
int db_audit_row(struct dbc *c, int64_t now, int64_t user_id, const char *action, const char *target,
                 const char *detail);
/* osspoint seed: stores s as the data files describe it. A new service is
 * inserted (status and sort_order from s) at version 1 with a 'seed'
 * history row. An existing one that no person has changed (its history has
 * only 'seed' rows) gets s's fields but keeps its status and sort_order; if
 * that changes anything (or the row predates the history, version 0), the
 * version goes up with a 'seed' history row. A service a person changed is
 * left alone. *changed tells whether anything was written (the caller bumps
 * the generation). Returns DB_OK, DB_CONSTRAINT (unknown category) or a
 * negative db_rc. */
int db_service_seed(struct dbc *c, const struct eservice *s, int64_t now, bool *changed);
/* osspoint seed: makes the vocabulary the data file's (as db_search_terms_set,
 * without audit, person or generation step: the seed bumps once), unless a
 * person has saved it (then nothing). *changed tells whether anything was
 * written. Returns DB_OK, DB_CONSTRAINT (unknown service) or a negative
 * db_rc. */
int db_search_terms_seed(struct dbc *c, const json_t *synonyms, const json_t *phrases, bool *changed);

#endif
