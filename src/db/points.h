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
 * newest first, or NULL (found = false when there is no such point). */
json_t *db_point_get(struct db *db, const char *unit_code, bool *found);

/* Saves a point's profile (every field of p) when its version is
 * expected_version (0: any); bumps the version. When p->status differs from
 * the stored one, adds a status-history row (status, since = p->status_since
 * or today's ISO day given in `today`, note = p->status_note). Writes an
 * audit-log row 'point.edit' (target the unit, detail {"version": new,
 * "changed": {field: [before, after]}}). A save that changes no field writes
 * nothing (no version, history or audit row) and returns DB_OK. Returns
 * DB_OK, DB_NOT_FOUND (no point for this unit, or the unit is outside the
 * programme), DB_CONFLICT (version moved on; checked before anything else)
 * or a negative db_rc. */
int db_point_update(struct db *db, const char *unit_code, const struct point_profile *p,
                    int64_t expected_version, const char *today, int64_t user_id, int64_t now);

#endif
