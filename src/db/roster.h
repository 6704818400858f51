/* The duty roster's queries (migration 011): people, the weekly pattern,
 * duties with their history, shift times, and the national list of public
 * holidays. Every function that names a unit acts on that district only: a
 * person or duty id of another district is DB_NOT_FOUND. actor is the
 * signed-in user's id (0: none). Rules (shifts, times, generation) are
 * core/roster's; these functions check again inside their transaction what
 * they depend on (the person belongs to the district, the slot is free).
 * Writes of duties (add, change, a generation that added any) move the
 * portal generation in their transaction, since the public point page
 * shows today's duty: every node's page cache is then emptied. */
#ifndef OSSPOINT_DB_ROSTER_H
#define OSSPOINT_DB_ROSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/roster.h"

struct db;

/* The month's roster of district unit (first..last ISO days):
 * {people: [{id, user_id, name_th, position_th, phone, active}],
 *  pattern: [{weekday, shift, person_id}],
 *  duties: [{id, day, shift, person_id, status, source, note, updated_at}],
 *  times: {morning: [start, end], afternoon: …, full: …},
 *  holidays: [{day, name_th}]} (the month's). NULL on failure. */
json_t *db_roster_month(struct db *db, const char *unit, const char *first, const char *last);

/* Adds a person: with user_id > 0 an account of the district (name and
 * position default to the account's display name and ""), else name given.
 * Returns DB_OK with *id, DB_NOT_FOUND (no such account in the district),
 * DB_CONSTRAINT (the account is on the roster already) or negative. */
int db_roster_person_add(struct db *db, const char *unit, int64_t user_id, const char *name,
                         const char *position, const char *phone, int64_t actor, int64_t *id);
/* Changes a person's name, position, phone and active flag (NULL: kept).
 * DB_OK, DB_NOT_FOUND or negative. */
int db_roster_person_update(struct db *db, const char *unit, int64_t id, const char *name,
                            const char *position, const char *phone, int active, int64_t actor);

/* Replaces the weekly pattern (n lines). DB_OK, DB_NOT_FOUND (a person not
 * of the district) or negative. History: one "pattern" row. */
int db_roster_pattern_set(struct db *db, const char *unit, const struct roster_pattern_line *lines, size_t n,
                          int64_t actor);

/* Fills month (y, m) from the pattern (core roster_generate): holidays and
 * days that already hold a duty are skipped. *added gets the number of
 * duties written. History: one "generate" row. DB_OK or negative. */
int db_roster_generate(struct db *db, const char *unit, int y, int m, int64_t actor, int *added);

/* Adds a duty (source 'manual'). DB_OK with *id, DB_NOT_FOUND (person),
 * DB_CONSTRAINT (already on that shift) or negative. */
int db_roster_duty_add(struct db *db, const char *unit, const char *day, enum roster_shift shift,
                       int64_t person, const char *note, int64_t actor, int64_t *id);

enum roster_change { ROSTER_REMOVE, ROSTER_LEAVE, ROSTER_RESTORE, ROSTER_SWAP };
/* Changes duty id: remove it, mark its person on leave, put them back on
 * duty, or swap: the duty goes to person `other` (source 'manual'). Every
 * change writes a history row (who, when, the people). DB_OK, DB_NOT_FOUND
 * (duty or other person), DB_CONSTRAINT (other is on that shift already) or
 * negative. */
int db_roster_duty_change(struct db *db, const char *unit, int64_t id, enum roster_change what, int64_t other,
                          const char *note, int64_t actor);

/* The history of days first..last (and the pattern's and people's changes
 * made in that time when with_undated): [{at, action, day, shift,
 * person, other_person, detail, user}], newest first. */
json_t *db_roster_history(struct db *db, const char *unit, const char *first, const char *last);

/* Sets the shift times (times[shift][0..1], "HH:MM"). DB_OK or negative. */
int db_roster_times_set(struct db *db, const char *unit, const char *const times[ROSTER_NSHIFTS][2],
                        int64_t actor);

/* Who is on duty on day (status 'on'): [{shift, name_th, position_th,
 * phone, user_id}] by shift then name. NULL on failure. */
json_t *db_roster_day(struct db *db, const char *unit, const char *day);
/* Whether account user_id is on duty in unit on day (*on), and whether the
 * district keeps a roster at all (*in_use: it has active people). */
int db_roster_user_on_duty(struct db *db, const char *unit, const char *day, int64_t user_id, bool *on,
                           bool *in_use);

/* Staffed days, for the statistics ("users per staffed day"): the number of
 * (district, day) pairs from first_day to last_day (ISO, inclusive) on which
 * at least one person was on duty (status 'on') in a district of unit: the
 * district itself, a province's districts, or every district for "0".
 * A district without a roster counts 0. Returns DB_OK or negative. */
int db_roster_staffed_days(struct db *db, const char *unit, const char *first_day, const char *last_day,
                           int *days);
/* The same per district for every district of a province (under = its
 * code) in one statement: *out {district code: days}, districts without a
 * roster left out. */
int db_roster_staffed_days_under(struct db *db, const char *under, const char *first_day,
                                 const char *last_day, json_t **out);

/* ---- public holidays ---- */

/* [{day, name_th}] of C.E. year y (0: all), by day. */
json_t *db_holidays_list(struct db *db, int y);
/* Adds or renames the holiday on day. DB_OK or negative. */
int db_holiday_put(struct db *db, const char *day, const char *name, int64_t actor);
/* DB_OK or DB_NOT_FOUND. */
int db_holiday_delete(struct db *db, const char *day);
/* Adds or renames every holiday of the list in one transaction; *added and
 * *renamed count them. DB_OK or negative. */
int db_holidays_import(struct db *db, const struct roster_holiday *h, size_t n, int64_t actor, int *added,
                       int *renamed);

#endif
