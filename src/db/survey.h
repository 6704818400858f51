/* The satisfaction survey: storage queries (migration 009, docs/survey.md).
 *
 * Invariants kept here:
 *  - a response row holds no entry id, no time finer than the Bangkok day
 *    and a random key: nothing links it to the person or to the order of
 *    insertion (survey_responses is WITHOUT ROWID on SQLite);
 *  - a per-visit token counts once: the response's transaction sets
 *    visits.survey_answered with UPDATE … WHERE survey_answered = 0, and
 *    stores nothing when that changed no row;
 *  - rollup_survey and rollup_survey_items equal what the responses add up
 *    to, because every insert adjusts them in its own transaction (checked by
 *    db_survey_rollups_check);
 *  - every refusal is decided before anything is written (the group commit
 *    need not roll the batch back for it).
 * Strings are borrowed; JSON results are owned by the caller. Negative
 * returns are db_rc failures (db.h). */
#ifndef OSSPOINT_DB_SURVEY_H
#define OSSPOINT_DB_SURVEY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/survey.h"

struct db;

/* Refusals of db_survey_submit (positive, beside DB_OK / DB_DONE). */
#define SURVEY_RC_USED          20 /* the entry's survey was answered already */
#define SURVEY_RC_EXPIRED       21 /* the token's days are over (survey_token_days) */
#define SURVEY_RC_VOID          22 /* the entry was voided */
#define SURVEY_RC_ADDRESS_LIMIT 23 /* the point's per-address limit is reached */
#define SURVEY_RC_DEVICE_LIMIT  24 /* the point's per-device limit is reached */
#define SURVEY_RC_CLOSED        25 /* (paper) the day's period is closed */
#define SURVEY_RC_NO_QSET       26 /* no question set of that version */
#define SURVEY_RC_STALE         27 /* (question set edit) the set changed since it was read */

#define SURVEY_ID_LEN       33  /* 32 hex digits + NUL */
#define SURVEY_COMMENTS_MAX 500 /* comments listed per page */

/* ---- question sets ---- */

/* The highest version (*out), DB_ROW; DB_DONE when there is none; or < 0. */
int db_survey_qset_current(struct db *db, struct survey_qset *out);
/* Version `version` into *out: DB_ROW, DB_DONE (no such version) or < 0. */
int db_survey_qset_get(struct db *db, int64_t version, struct survey_qset *out);
/* Stores qs as the next version (current + 1) by user_id at now, in one
 * transaction that first checks the current version is base_version
 * (0 = any): else SURVEY_RC_STALE, nothing written. *version gets the new
 * number. Returns DB_OK, SURVEY_RC_STALE or < 0. */
int db_survey_qset_create(struct db *db, const struct survey_qset *qs, int64_t base_version, int64_t user_id,
                          int64_t now, int64_t *version);
/* Every version, newest first: [{version, created_at, created_by_name (""
 * for the migration's), items: [{key, label_th}], responses}] (responses:
 * rows that answered it). NULL on error. */
json_t *db_survey_qsets(struct db *db);

/* ---- settings (table settings: survey_official_url, survey_offer) ---- */

/* The official (ก.พ.ร.) survey's link into url ("" when none set) and the
 * offer (enum survey_offer; SURVEY_OFFER_BOTH when none set). DB_OK or < 0. */
int db_survey_settings_get(struct db *db, char *url, size_t cap, enum survey_offer *offer);
/* Stores both (url may be ""). DB_OK or < 0. */
int db_survey_settings_set(struct db *db, const char *url, enum survey_offer offer);

/* ---- what a form needs to know ---- */

struct survey_visit {
	char unit_code[8];
	int64_t visited_at;
	bool active;     /* status 'active' (not void) */
	bool answered;   /* visits.survey_answered */
	char number[32]; /* "seq/year_be" */
};
/* Entry id's facts: DB_ROW, DB_DONE (no such entry) or < 0. */
int db_survey_visit(struct db *db, int64_t visit_id, struct survey_visit *out);
/* The entry of unit with running number seq/year_be: *id, DB_ROW; DB_DONE;
 * or < 0. */
int db_survey_visit_by_number(struct db *db, const char *unit_code, int64_t seq, int64_t year_be,
                              int64_t *id);

/* The point of a district for the survey pages: {unit_code, name_th (the
 * point's, or "จุดให้บริการ e-Service อำเภอ…" when it has no profile),
 * district_th, province_th, in_programme (bool), level}, *rc = DB_ROW; NULL
 * with *rc = DB_DONE when code is no unit, or < 0. */
json_t *db_survey_point(struct db *db, const char *code, int *rc);

/* The counter tablet's list: unit's active entries of day (ISO) with their
 * survey state, newest first, at most 100: [{id, number, visited_at,
 * answered (bool)}]. NULL on error. No personal data. */
json_t *db_survey_counter_entries(struct db *db, const char *unit_code, const char *day);

/* ---- submitting ---- */

struct survey_submit {
	const char *id;           /* SURVEY_ID_LEN - 1 random hex digits (the caller's) */
	int64_t visit_id;         /* > 0: a per-visit response (source 'visit'); 0: the point's */
	const char *unit_code;    /* the point's district (visit_id 0); ignored otherwise */
	const char *mode;         /* "online" | "counter" | "paper" */
	const char *day, *period; /* the Bangkok day it counts on, "YYYY-MM-DD", and its period */
	int64_t qset_version;     /* the question set the form showed */
	const struct survey_answers *a;
	int64_t now;
	/* Per-visit: token validity in days from visited_at; 0 = not checked (paper). */
	int token_days;
	/* Paper: the day's period must be open (cut-off, grace days, attestation read
	 * in the transaction); cutoff 0 = not checked. */
	int cutoff_day, grace_days;
	/* The point's throttle (visit_id 0): keyed MACs of the address and of the
	 * device cookie, the window in seconds and the limits per window.
	 * address_key NULL: not throttled (staff keying in paper answers). */
	const char *address_key, *device_key;
	int64_t window, address_limit, device_limit;
};

struct survey_submitted {
	char unit_code[8];   /* the district it counted for */
	int64_t retry_after; /* SURVEY_RC_*_LIMIT: seconds until the window ends */
};

/* Stores one response in one transaction (db_write): the checks (entry
 * exists DB_DONE, SURVEY_RC_VOID, SURVEY_RC_USED, SURVEY_RC_EXPIRED; point
 * throttle SURVEY_RC_ADDRESS_LIMIT / _DEVICE_LIMIT; paper SURVEY_RC_CLOSED;
 * SURVEY_RC_NO_QSET), then visits.survey_answered (… WHERE survey_answered =
 * 0: SURVEY_RC_USED when another request won), the throttle counts, the row
 * (per visit: the entry's unit, channel and services, never its id) and +1
 * on rollup_survey (n, sum_overall) and rollup_survey_items (one per aspect
 * item answered). Returns DB_OK or a refusal (nothing written), DB_CONSTRAINT
 * (unknown unit) or < 0. */
int db_survey_submit(struct db *db, const struct survey_submit *in, struct survey_submitted *out);

/* ---- comments (personal data) ---- */

/* Comments of the responses of unit (a district, a province's districts, or
 * every unit for "0") on first_day..last_day (ISO), newest day first (within
 * a day in random key order: no insertion order), at most
 * SURVEY_COMMENTS_MAX: [{day, unit_code, unit_name, source, mode, overall,
 * comment}]. Purged comments are left out. *total = comments in the range.
 * Returns DB_OK or < 0 (*out = NULL). */
int db_survey_comments(struct db *db, const char *unit_code, const char *first_day, const char *last_day,
                       json_t **out, int64_t *total);

/* Erases the comments of responses answered before before_day (ISO): comment
 * '' and comment_purged 1; removes the throttle windows that ended before
 * throttle_before (epoch seconds); then flushes the old bytes from the files
 * (SQLite: truncating checkpoint; PostgreSQL: VACUUM survey_responses).
 * *erased (may be NULL) = comments erased. DB_OK or < 0. */
int db_survey_purge(struct db *db, const char *before_day, int64_t throttle_before, int64_t *erased);

/* Recomputes rollup_survey and rollup_survey_items from the responses and
 * compares: the number of keys that differ (0 = consistent) or < 0; *diffs
 * (may be NULL) gets the first 100 [{table, unit_code, day, key (source or
 * item key), stored: [n, sum], recomputed: [n, sum]}]. Reads every
 * response: for `osspoint check`. */
int db_survey_rollups_check(struct db *db, json_t **diffs);

#endif
