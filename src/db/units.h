/* Queries on the org tree (units). Results are JSON models, caller owns. */
#ifndef OSSPOINT_DB_UNITS_H
#define OSSPOINT_DB_UNITS_H

#include <jansson.h>

struct db;

/* {code, parent_code, level, name_th, name_en, region_th, in_programme,
 *  parent: {code, name_th} | null}, or NULL when there is no such unit. */
json_t *db_unit_find(struct db *db, const char *code);
/* The units directly below `code`, by code: [{code, name_th, name_en, level,
 * in_programme, children_count}]. */
json_t *db_unit_children(struct db *db, const char *code);
/* {provinces, districts, districts_in_programme} */
json_t *db_unit_stats(struct db *db);
/* Every unit in the scope of `unit` (itself and below) as [{code, name_th}],
 * by code: for select lists. */
json_t *db_units_in_scope(struct db *db, const char *unit);

#endif
