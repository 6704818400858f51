/* District e-Service points: the public profile of each district's point
 * (one per district unit) and its status history. See
 * docs/modules/catalogue.md. */
#ifndef OSSPOINT_DB_POINTS_H
#define OSSPOINT_DB_POINTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/eservice.h"

struct db;

/* Provinces that have points, in code order, with counts:
 * [{code, name_th, name_en, region_th, points, open}] (points: number of
 * points; open: those whose status is 'open'). Only units in the programme.
 * NULL on error. */
json_t *db_point_provinces(struct db *db);

/* Points, in district code order; province_code NULL or "" = all:
 * [{unit_code, district_th, district_en, province_code, province_th,
 *   name_th, address, lat, lon, hours, phone, opened_on, status, updated_at,
 *   version}]
 * (lat/lon: "" when unknown; opened_on: ISO day or ""). Only units in the
 * programme. NULL on error. */
json_t *db_points(struct db *db, const char *province_code);

/* One point as above plus "history": [{status, since, note, at, user_name}]
 * newest first and "scheduled": [{since, status, note, at, user_name}] (the
 * status changes announced ahead, by day), or NULL (found = false when
 * there is no such point). */
json_t *db_point_get(struct db *db, const char *unit_code, bool *found);

/* Saves a point's profile (every field of p) when its version is
 * expected_version (0: any); bumps the version. When p->status differs from
 * the stored one, adds a status-history row (status, since = p->status_since
 * or today's ISO day given in `today`, note = p->status_note). When
 * p->scheduled (status_since after today) the status is not changed now:
 * the change (status, since, note) is stored as announced, replacing one
 * announced for the same day, and takes effect on its day
 * (db_points_apply_scheduled); the other fields are saved as usual. cancel
 * (NULL-terminated ISO days, may be NULL) drops the announcements of those
 * days. Announcements alone do not bump the version. Writes an
 * audit-log row 'point.edit' (target the unit, detail {"version": new,
 * "changed": {field: [before, after]}}). A save that changes no field writes
 * nothing (no version, history or audit row) and returns DB_OK. Returns
 * DB_OK, DB_NOT_FOUND (no point for this unit, or the unit is outside the
 * programme), DB_CONFLICT (version moved on; checked before anything else)
 * or a negative db_rc. */
int db_point_update(struct db *db, const char *unit_code, const struct point_profile *p,
                    int64_t expected_version, const char *today, int64_t user_id, int64_t now,
                    const char *const *cancel);

#define THAI_DAY_TEXT 11 /* "YYYY-MM-DD" and its NUL */

/* Applies every announced status change whose day is today (ISO, Bangkok)
 * or earlier, in one transaction: the point takes the status (version + 1,
 * updated_at now), a status-history row records it (its since, note and
 * the user who announced it), an audit row 'point.scheduled_applied', and
 * the announcement goes; a point already in that status only loses the
 * announcement. Several due for one point apply in the order of their days.
 * The portal generation moves when anything was due. Safe to run from
 * several nodes at once (the rows are claimed by deleting them). *applied
 * (may be NULL) gets how many points changed. Returns DB_OK or a negative
 * db_rc. */
int db_points_apply_scheduled(struct db *db, const char *today, int64_t now, int *applied);
/* The earliest day of an announced change into out ("" when none).
 * Returns DB_OK or a negative db_rc. */
int db_point_next_scheduled(struct db *db, char out[THAI_DAY_TEXT]);

#endif
