/* External aggregates (migration 012): storing a checked batch of figures
 * from the national survey (core/external.h) and reading them back beside
 * osspoint's own numbers. Nothing else reads these tables: they are never
 * mixed into the statistics, the roll-ups or the rankings.
 * Strings are borrowed; JSON results are owned by the caller. Negative
 * returns are db_rc failures (db.h). */
#ifndef OSSPOINT_DB_EXTERNAL_H
#define OSSPOINT_DB_EXTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/external.h"

struct db;

/* Refusal of db_external_import (positive, beside DB_OK). */
#define EXTERNAL_RC_UNKNOWN_UNIT 30 /* a row names a unit that does not exist: errors */

struct external_import_result {
	int64_t import_id;
	size_t added, replaced; /* rows new, rows that replaced the same unit, period and source */
};

/* Stores every row of b in one transaction, or none: first checks that each
 * row's unit exists (else EXTERNAL_RC_UNKNOWN_UNIT, nothing written, and one
 * {line, column, field, message} per such row appended to b->errors; column
 * is unit_header, the header as the file writes it), then records the
 * import (file_name, user_id, now) and inserts each row, replacing a row of
 * the same unit, period and source. Returns DB_OK, EXTERNAL_RC_UNKNOWN_UNIT
 * or < 0. */
int db_external_import(struct db *db, struct external_batch *b, const char *unit_header,
                       const char *file_name, int64_t user_id, int64_t now,
                       struct external_import_result *res);

/* The external figures of one unit and period for a dashboard: *out gets
 * [{source, users, respondents, score_sum, score_mean, percent, rank,
 * rank_of, score, percent_shown, derived, imported_at}] ordered by source
 * (an empty array when there are none). users … rank_of are as imported
 * (null when the file left them empty; decimals as strings); score is
 * score_mean, or when only the sum was given Σ/respondents to two decimals
 * (rounded half up, exact); percent_shown is percent, or Σ×10/respondents,
 * or score_mean × 10, to two decimals; derived lists which of "score" and
 * "percent_shown" were computed. Returns DB_OK or < 0 (*out NULL). */
int db_external_for(struct db *db, const char *unit_code, const char *period_iso, json_t **out);

/* The list page: the rows of one period (period_iso, or NULL / "" for the
 * latest period that has any), units' names joined, ordered by unit code then
 * source, at most limit rows, as db_external_for's objects plus unit_code,
 * name_th, period; and the last 20 imports [{id, file_name, row_count,
 * created_at, created_by_name}]. *out = {period, rows, imports, periods}
 * (periods: every period that has rows, newest first, at most 36).
 * Returns DB_OK or < 0. */
int db_external_list(struct db *db, const char *period_iso, size_t limit, json_t **out);

#endif
