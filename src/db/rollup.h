/* Roll-up increments, gathered per transaction and written once per row.
 *
 * Every create, edit and void of an entry and every survey answer adds to a
 * handful of roll-up rows (the district's day, its period, each service, the
 * visitor's channel, sex and age band, …). Written one statement at a time,
 * a group commit of 64 answers of one district updates the same rows 64 times
 * each in one transaction: on PostgreSQL every update of a row leaves a new
 * version of it that the next update must find at the end of the chain.
 * Instead a write adds its increments here (rollup_add), and they are summed
 * per row and written by one multi-row upsert per table, in key order (so two
 * nodes' transactions take the rows' locks in the same order):
 *   - before COMMIT (db_tx, and the group commit of db_write);
 *   - before any statement whose text names a roll-up table ("rollup_"), so a
 *     read or write of roll-ups inside the transaction sees every increment
 *     (db_prepare calls rollup_flush_for);
 *   - when ROLLUP_LOG_MAX increments are pending (a long import).
 * A rollback discards them with the transaction. Internal to src/db. */
#ifndef OSSPOINT_DB_ROLLUP_H
#define OSSPOINT_DB_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define ROLLUP_KEYS_MAX 6
#define ROLLUP_COLS_MAX 8
#define ROLLUP_LOG_MAX  4096

enum rollup_op {
	ROLLUP_ADD, /* column = column + Σ deltas */
	ROLLUP_OR,  /* column = column | (OR of the values) */
	ROLLUP_SET, /* column = the last non-zero value added (0: unchanged) */
};

/* A roll-up table: its text key columns (the conflict target, a unique key)
 * and the integer columns an increment carries, each with its operation. A
 * new row gets the summed values (columns not named keep their DEFAULT). */
struct rollup_kind {
	const char *table;
	const char *keys[ROLLUP_KEYS_MAX + 1]; /* NULL-terminated */
	const char *cols[ROLLUP_COLS_MAX + 1]; /* NULL-terminated */
	enum rollup_op ops[ROLLUP_COLS_MAX];
};

/* The roll-up tables (migrations 003, 009, 010, 015), declared once. */
extern const struct rollup_kind ROLLUP_VISITS;          /* unit, day: visits */
extern const struct rollup_kind ROLLUP_SERVICES;        /* unit, day, service, outcome: n */
extern const struct rollup_kind ROLLUP_PERIOD_SERVICES; /* unit, period, service, outcome: n */
extern const struct rollup_kind ROLLUP_VISIT_ATTRS;     /* unit, period, channel, sex, age band: n */
extern const struct rollup_kind ROLLUP_SURVEY;          /* unit, day, source: n, sum_overall */
extern const struct rollup_kind ROLLUP_SURVEY_ITEMS;    /* unit, day, item: n, sum */
/* unit, period: users, transactions, active_days (OR), version (the last
 * non-zero), survey_n, survey_point_n, survey_visit_n, survey_sum. */
extern const struct rollup_kind ROLLUP_PERIOD_UNITS;

/* Adds one increment: keys[] one text per key column, vals[] one integer per
 * column. Returns DB_OK, or < 0 when an early flush (ROLLUP_LOG_MAX) failed. */
int rollup_add(struct dbc *c, const struct rollup_kind *k, const char *const *keys, const int64_t *vals);

/* Writes every pending increment. DB_OK or < 0 (the transaction's failure). */
int rollup_flush(struct dbc *c);

/* db_prepare: flushes first when sql names a roll-up table and increments
 * are pending (not while the flush itself prepares its statements). */
int rollup_flush_for(struct dbc *c, const char *sql);

/* The number of pending increments; rollup_truncate drops those added after
 * such a mark (a request of a group commit that refused without writing). */
size_t rollup_pending(const struct dbc *c);
void rollup_truncate(struct dbc *c, size_t mark);

/* Drops every pending increment (rollback, a new transaction). */
void rollup_discard(struct dbc *c);

/* Frees c's log (the connection is closed). */
void rollup_free(struct dbc *c);

#endif
