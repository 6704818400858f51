/* Registry entries (ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์): storage queries.
 *
 * One row in `visits` per citizen helped, its e-services in `visit_services`,
 * every change in `visit_history`, daily counters in `rollup_visits` and
 * `rollup_services` (docs/modules/visits.md). Invariants kept here:
 *  - running numbers (seq) per (unit, B.E. year of the entry's day) are
 *    1, 2, 3, ... without gaps: taken from `visit_counters` in the entry's own
 *    transaction. A number never changes, even when an edit moves the entry to
 *    another year;
 *  - the roll-ups equal what the active (not void) entries add up to, because
 *    create, edit and void adjust them in the same transaction (checked by
 *    db_rollups_check);
 *  - the clear Thai ID never reaches the database: only its keyed hash, its
 *    sealed form and its last four digits (visit_input.cid is ignored).
 *
 * Rules about who may edit are the caller's. The one rule a write depends on,
 * "the period is open", is checked here, inside the write's own transaction
 * (struct visit_period_rule), so a period that closes or is attested between
 * a handler's check and the commit cannot be written. A refusal is decided
 * before anything is written (so the group commit need not roll the batch
 * back for it). Strings are borrowed. JSON results are owned by the caller.
 * Negative returns are db_rc failures (db.h). */
#ifndef OSSPOINT_DB_VISITS_H
#define OSSPOINT_DB_VISITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/registry.h"

struct db;

/* Distinct refusals of create, edit and void (positive, beside DB_OK /
 * DB_DONE); each is decided before anything is written. */
#define VISIT_RC_VOID   10 /* the entry is void: it cannot be edited or voided again */
#define VISIT_RC_PURGED 11 /* the entry's personal data was purged: it cannot be edited */
#define VISIT_RC_CLOSED 12 /* a period the write touches is closed (core/period) */
#define VISIT_RC_STALE  13 /* the entry's version is not the one the caller read */

/* The open-period rule of core/period, applied inside the transaction: the
 * period's attestation is read there, and period_is_open decides on `now`'s
 * Bangkok day (a new entry: the day of max(now, visited_at), as
 * registry_validate judges it). */
struct visit_period_rule {
	int cutoff_day; /* 1..28 */
	int grace_days;
	int64_t now; /* UTC epoch seconds */
};

#define VISIT_LIST_DEFAULT   50    /* page size when the filter's limit is 0 */
#define VISIT_LIST_MAX       10000 /* largest page (a busy district's month); export by pages */
#define VISIT_CHECK_MAX      100   /* differences listed by db_rollups_check */
#define VISIT_PURGE_BATCH    1000  /* entries purged per transaction */
#define VISIT_FIND_CID_MAX   20    /* entries returned by db_visits_find_by_cid */
#define VISIT_CID_LAST4_SIZE 5
#define VISIT_NUMBER_SIZE    32 /* "seq/year_be" + NUL */

struct visit_create {
	const struct visit_input *v; /* checked entry (core/registry.h); v->cid is not read */
	const char *unit_code;       /* the district that helped */
	int64_t officer_id;          /* users.id of the officer on duty */
	/* The Thai ID in its stored forms, all three NULL when none was given. */
	const char *cid_hash, *cid_sealed, *cid_last4;
	int64_t now; /* created_at, history time */
	/* NULL: no period check (an import of history with --allow-closed). */
	const struct visit_period_rule *rule;
};

struct visit_created {
	int64_t id;
	int64_t seq;   /* running number within (unit, year_be) */
	int year_be;   /* the number's year: "seq/year_be" */
	bool existing; /* true: an entry with this idempotency key existed, nothing was written */
};

/* Creates an entry in one transaction: the next running number for
 * (unit_code, v->year_be), the row (visit_day = ISO of v->day, period =
 * "YYYY-MM" of v->period), its services, +1 on the roll-ups, and a history row
 * 'create' (by officer_id) whose after-snapshot holds only the last four
 * digits of the ID.
 * When v->idempotency_key is set and (unit_code, key) is already taken, that
 * entry is returned with out->existing = true and nothing is written (also
 * when a concurrent request with the same key won the race).
 * Returns DB_OK (out filled), VISIT_RC_CLOSED (in->rule says the entry's
 * period is closed; nothing written), DB_CONSTRAINT (unknown unit, officer or
 * e-service code), or another negative db_rc. */
int db_visit_create(struct db *db, const struct visit_create *in, struct visit_created *out);

/* Creates n entries in ONE transaction (an import: all or nothing). Entries
 * whose idempotency key is already taken are skipped (counted in *existing),
 * so importing the same rows again adds nothing. progress, if not NULL, is
 * called every 100 rows and at the end (from inside the transaction; on a
 * retry it starts again). Each item's rule (may be NULL) is checked inside
 * the transaction; *closed (may be NULL) gets the index of the first item
 * whose period is closed. Returns DB_OK (*added, *existing set),
 * VISIT_RC_CLOSED, or a negative db_rc, with nothing stored unless DB_OK. */
int db_visits_import(struct db *db, const struct visit_create *items, size_t n, size_t *added,
                     size_t *existing, size_t *closed, void (*progress)(size_t done, size_t total, void *ctx),
                     void *ctx);
/* db_visits_import, and in the same transaction, once the rows are written,
 * recompute->fn with the distinct periods of the rows it added (the
 * statistics' snapshots of closed periods, db/stats.h). A negative return
 * undoes the whole import. */
struct dbc;
struct visit_import_recompute {
	int (*fn)(struct dbc *c, const char *const *periods, size_t n, void *ctx);
	void *ctx;
};
int db_visits_import_recompute(struct db *db, const struct visit_create *items, size_t n, size_t *added,
                               size_t *existing, size_t *closed,
                               void (*progress)(size_t done, size_t total, void *ctx), void *ctx,
                               const struct visit_import_recompute *recompute);

/* The statement that finds a period closed for a unit inside a write's
 * transaction: its report attested, or the period closed for everyone
 * (period_closings, migration 010). Binds (unit, period, period). */
#define VISIT_PERIOD_CLOSED_SQL                                                                              \
	"SELECT 1 FROM period_attestations WHERE unit_code = ? AND period = ? "                              \
	"UNION ALL SELECT 1 FROM period_closings WHERE period = ?"

/* Each district's period totals (rollup_period_units, migration 015)
 * recomputed from the entries and the responses, in the table's column
 * order: what `osspoint check` compares the table with, and what a test
 * that writes rows directly rebuilds it from. */
#define VISIT_PERIOD_UNITS_SQL                                                                               \
	"SELECT unit_code, period, SUM(users) AS users, SUM(transactions) AS transactions, "                 \
	"SUM(survey_n) AS survey_n, SUM(survey_point_n) AS survey_point_n, "                                 \
	"SUM(survey_visit_n) AS survey_visit_n, SUM(survey_sum) AS survey_sum, "                             \
	"SUM(active_days) AS active_days FROM ("                                                             \
	"SELECT unit_code, period, COUNT(*) AS users, 0 AS transactions, 0 AS survey_n, "                    \
	"0 AS survey_point_n, 0 AS survey_visit_n, 0 AS survey_sum, 0 AS active_days FROM visits "           \
	"WHERE status = 'active' GROUP BY unit_code, period "                                                \
	"UNION ALL SELECT v.unit_code, v.period, 0, COUNT(*), 0, 0, 0, 0, 0 FROM visit_services s "          \
	"JOIN visits v ON v.id = s.visit_id WHERE v.status = 'active' GROUP BY v.unit_code, v.period "       \
	"UNION ALL SELECT unit_code, period, 0, 0, COUNT(*), "                                               \
	"SUM(CASE WHEN source = 'point' THEN 1 ELSE 0 END), SUM(CASE WHEN source = 'visit' THEN 1 ELSE 0 "   \
	"END), SUM(overall), 0 FROM survey_responses GROUP BY unit_code, period "                            \
	"UNION ALL SELECT unit_code, period, 0, 0, 0, 0, 0, 0, SUM(b) FROM (SELECT DISTINCT unit_code, "     \
	"period, CAST(1 AS BIGINT) << (CAST(substr(visit_day, 9, 2) AS INTEGER) - 1) AS b FROM visits "      \
	"WHERE status = 'active') d GROUP BY unit_code, period) x GROUP BY unit_code, period"

/* The entry model, or NULL when there is no such entry (or on error):
 * {id, unit_code, number ("seq/year_be"), seq, year_be, visited_at, visit_day,
 *  period, visitor_name, cid_last4 (null when none), has_cid, phone, sex,
 *  age_band, channel, remarks, officer_id, officer_name, status ("active" |
 *  "void"), void_reason, voided_at (null while active), purged (bool),
 *  created_at, updated_at, version (1, +1 per change), services: [{code,
 *  name_th, outcome}] in catalogue order}. Times are UTC epoch seconds. */
json_t *db_visit_get(struct db *db, int64_t id);
/* The same, telling a missing entry from a failed read: *rc = DB_ROW
 * (found), DB_DONE (no such entry) or a negative db_rc. */
json_t *db_visit_load(struct db *db, int64_t id, int *rc);

/* The district that owns entry id, into unit (cap bytes): DB_ROW, DB_DONE
 * (no such entry), or a negative db_rc. (The scope resolver of /registry/{id}.) */
int db_visit_unit(struct db *db, int64_t id, char *unit, size_t cap);

enum visit_cid_change {
	VISIT_CID_KEEP = 0, /* leave the stored ID as it is */
	VISIT_CID_SET,      /* replace it with cid_hash / cid_sealed / cid_last4 */
	VISIT_CID_CLEAR,    /* remove it */
};

struct visit_update {
	const struct visit_input *v; /* new fields and services; v->year_be, v->cid and
	                                v->idempotency_key are not read */
	enum visit_cid_change cid;
	const char *cid_hash, *cid_sealed, *cid_last4; /* VISIT_CID_SET only */
	int64_t officer_id;                            /* 0 = keep the entry's officer */
	int64_t user_id;                               /* who edits (history) */
	int64_t now;                                   /* updated_at, history time */
	int64_t version;                               /* the version the caller read; 0 = any */
	const struct visit_period_rule *rule;          /* NULL = no period check */
};

/* Replaces an active entry's fields and services in one transaction, moves
 * the roll-ups by the difference (old day and services -1, new +1; nothing
 * when unchanged) and writes a history row 'edit' with before/after
 * snapshots, and adds one to the version. The running number (seq, year_be)
 * never changes. Refusals, in this order, with nothing written: DB_DONE (no
 * such entry), VISIT_RC_VOID, VISIT_RC_PURGED, VISIT_RC_STALE (in->version
 * given and not the stored one), VISIT_RC_CLOSED (the entry's period, or the
 * period it would move to, is closed by in->rule). Else DB_OK, DB_CONSTRAINT
 * (unknown e-service or officer) or another negative db_rc. */
int db_visit_update(struct db *db, int64_t id, const struct visit_update *in);

/* Voids an active entry: status 'void' with reason, time and user (0 = the
 * system: voided_by and the history's user stay NULL), its day
 * and services -1 on the roll-ups, history row 'void', version + 1. The row
 * and its number stay (the number is not reused).
 * Refusals, with nothing written: DB_DONE (no such entry), VISIT_RC_VOID
 * (already void), VISIT_RC_STALE (version given and not the stored one),
 * VISIT_RC_CLOSED (its period is closed by rule). Else DB_OK or a negative
 * db_rc. version 0 and rule NULL skip those checks. */
int db_visit_void(struct db *db, int64_t id, const char *reason, int64_t user_id, int64_t now,
                  int64_t version, const struct visit_period_rule *rule);

/* The entry's history, oldest first:
 * [{at, user_id (null for the system), user_name, action ("create" | "edit" |
 *   "void" | "purge"), before, after}] where before/after are the parsed
 * snapshots ({visited_at, visit_day, period, visitor_name, cid_last4, phone,
 * sex, age_band, channel, remarks, officer_id, status, void_reason,
 * services: [{code, outcome}]}) or null. [] for an unknown id; NULL on error. */
json_t *db_visit_history(struct db *db, int64_t id);

struct visit_filter {
	const char *unit_code;         /* required: one district */
	const char *from_day, *to_day; /* "YYYY-MM-DD", inclusive; NULL or "" = open */
	const char *period;            /* "YYYY-MM": the stored period column; NULL or "" = any */
	const char *service_code;      /* NULL or "" = any */
	const char *outcome;           /* outcome name ("completed", ...); NULL or "" = any; with
	                                  service_code: that service's outcome */
	int64_t officer_id;            /* 0 = any */
	const char *name_query;        /* substring of visitor_name, case-insensitive, taken
	                                  literally (% and _ are not wildcards); NULL or "" = any */
	bool include_void;             /* list void entries too */
	int64_t limit;                 /* 0 = VISIT_LIST_DEFAULT; at most VISIT_LIST_MAX */
	int64_t offset;
};

/* One page of entries, newest first (visited_at, then id, descending):
 * {entries: [entry model as db_visit_get],
 *  total: entries matching the filter (with void ones when include_void),
 *  totals: {entries: active entries matching, void: void entries matching,
 *           services: service rows of the active entries matching (only those of
 *           service_code / outcome when filtered), by_outcome: {completed,
 *           self_completed, referred, not_completed}}}.
 * With only unit and a day range the totals come from the roll-ups; otherwise
 * they are counted over the index range. NULL on error or when the filter is
 * not valid (no unit, a malformed day, an unknown outcome name). */
json_t *db_visits_list(struct db *db, const struct visit_filter *f);

/* The registry book of a district's period: every entry, void ones included,
 * in the book's order (B.E. year, then running number, ascending: a period
 * can span the turn of the year), read by ONE statement, so the book is a
 * snapshot: an entry saved while it is read is either wholly in it or not
 * (never duplicated or dropped, as paging by LIMIT/OFFSET could). *out = the
 * array of entry models (as db_visit_get), at most VISIT_BOOK_MAX.
 * Returns DB_OK, DB_ERROR when the period holds more than VISIT_BOOK_MAX
 * entries (logged), or a negative db_rc (*out = NULL). */
#define VISIT_BOOK_MAX 200000
int db_visits_book(struct db *db, const char *unit_code, const char *period_iso, json_t **out);

/* The registry at a glance for a province or national user: one row per
 * district in the programme below parent_code (a province "PP"; or "0" for
 * every district of every province), for the days first_day..last_day (ISO,
 * a period's range): *out = [{code, name_th, province_code, entries (active
 * entries, from the roll-ups), services (their service rows), void (void
 * entries of those days), last_entry_at (the latest visit ever, epoch
 * seconds, or null)}] in code order. Reads O(districts x days) roll-up rows
 * and one index lookup per district, never the entries. Returns DB_OK or a
 * negative db_rc (*out = NULL). */
int db_registry_overview(struct db *db, const char *parent_code, const char *first_day, const char *last_day,
                         json_t **out);

/* *n = active entries of unit on the days first_day..last_day (ISO), from the
 * roll-ups. Returns DB_OK or a negative db_rc. */
int db_visits_count_days(struct db *db, const char *unit_code, const char *first_day, const char *last_day,
                         int64_t *n);

/* Entries of unit edited or voided at or after `since` (epoch seconds),
 * newest change first, at most `limit`: *out = [{id, number, status
 * ("active" | "void"), version, updated_at, visitor_name}]. (A new entry is
 * version 1 and not listed.) Returns DB_OK or a negative db_rc (*out = NULL). */
int db_visits_changed_since(struct db *db, const char *unit_code, int64_t since, int64_t limit, json_t **out);

/* Attests the unit's report for period "YYYY-MM" (closes the period at
 * once; issue 10's monthly report builds on this). In one transaction with
 * what a caller's fn reads: db_write. Returns DB_OK (also when already
 * attested) or a negative db_rc. */
int db_period_attest(struct db *db, const char *unit_code, const char *period_iso, int64_t user_id,
                     int64_t now);

/* Recomputes both roll-up tables from the active entries and compares them
 * with the stored ones (a missing row counts as 0). Returns the number of
 * keys that differ (0 = consistent) or a negative db_rc. When diffs is not
 * NULL, *diffs gets the first VISIT_CHECK_MAX of them:
 * [{table ("rollup_visits" | "rollup_services"), unit_code, day, service_code,
 *   outcome (both null for rollup_visits), stored, recomputed}], and for
 * rollup_visit_attrs {table, unit_code, period, channel, sex, age_band,
 * stored, recomputed} and rollup_period_services {table, unit_code, period,
 * service_code, outcome, stored, recomputed}.
 * Reads the whole registry: for `osspoint check`, not for requests. */
int db_rollups_check(struct db *db, json_t **diffs);

/* Erases the personal fields of entries with visited_at < older_than not yet
 * purged: visitor_name, phone, remarks and void_reason become "", the three
 * cid columns and idempotency_key NULL; purged_at = now. Their history
 * snapshots lose the same fields (and gain "purged": true), a history row
 * 'purge' is added, and the audit rows 'registry.void' of these entries lose
 * their detail (the reason). Counts, services, numbers, statuses and roll-ups
 * stay. Runs in transactions of VISIT_PURGE_BATCH entries, so writers wait at
 * most one batch. Then (always, so a flush that failed is done by the next
 * run) the old bytes are flushed from the files: db_checkpoint (SQLite: WAL
 * truncated; the main file's freed space is zeroed by secure_delete) and, on
 * PostgreSQL, VACUUM of visits, visit_history and audit_log. *erased (may be NULL) gets the number of
 * entries purged, also those of the batches committed before a failure.
 * Returns DB_OK or a negative db_rc (a failed flush too: DB_BUSY when a
 * reader held the WAL; the rows stay erased). */
int db_visits_purge(struct db *db, int64_t older_than, int64_t now, int64_t *erased);
/* The same, stopping between two batches once *stop is set (the server's
 * shutdown: a first purge of years of entries is thousands of batches); what
 * is left is purged by the next run. stop may be NULL. */
int db_visits_purge_until(struct db *db, int64_t older_than, int64_t now, int64_t *erased,
                          const atomic_int *stop);

/* Imports made before migration 005 stored idempotency keys of the form
 * "import-" + 40 lowercase hex: an unkeyed hash of the row's cells, the
 * clear Thai ID among them, so the ID could be recovered by trying every
 * valid one. db_visits_rekey_legacy_imports replaces each such key by
 * rekey(old) (the caller's keyed value, at most VISIT_KEY_MAX characters and
 * not itself of that form), in transactions of VISIT_PURGE_BATCH rows, then
 * flushes the old bytes from the files as db_visits_purge does. Other keys
 * are left alone. Safe to run again (it finds nothing). *changed (may be
 * NULL) gets the number of keys replaced. Returns DB_OK or a negative db_rc.
 * db_visits_legacy_imports counts such keys (*n; 0 on error). Both read the
 * partial index visits_legacy_key (migration 005), which holds only
 * candidates. */
int db_visits_rekey_legacy_imports(struct db *db, void (*rekey)(char out[VISIT_KEY_MAX + 1], const char *old),
                                   int64_t *changed);
int db_visits_legacy_imports(struct db *db, int64_t *n);

/* The idempotency keys of one unit that begin with prefix (taken literally,
 * case-sensitive), as a set: *out = {key: true, ...} (caller decrefs).
 * Returns DB_OK, or a negative db_rc with *out = NULL. */
int db_visits_keys_with_prefix(struct db *db, const char *unit_code, const char *prefix, json_t **out);

/* *attested = whether the unit's report for the period "YYYY-MM" is attested.
 * Returns DB_OK or a negative db_rc (*attested = false). */
int db_period_attested(struct db *db, const char *unit_code, const char *period_iso, bool *attested);

/* Copies the sealed Thai ID of an entry into out (for the audited reveal).
 * Returns DB_OK, DB_DONE when the entry does not exist or has no ID (out =
 * ""), DB_ERROR when it does not fit in cap, or a negative db_rc. */
int db_visit_cid_sealed(struct db *db, int64_t id, char *out, size_t cap);

/* Earlier active entries of a returning visitor in this unit, newest first,
 * at most VISIT_FIND_CID_MAX: *out = [{id, number, seq, year_be, visit_day,
 * visited_at, services: [{code, name_th, outcome}]}].
 * Returns DB_OK or a negative db_rc (*out = NULL). */
int db_visits_find_by_cid(struct db *db, const char *unit_code, const char *cid_hash, json_t **out);

#endif
