/* Statistics queries (issue 10): the numbers of every unit in a period, from
 * the roll-ups while the period is open and from stats_snapshots once it is
 * closed; closing a period (the snapshot, in one transaction, under a
 * database lock); recomputing the snapshots of closed periods an import
 * touched. Rules (arithmetic, rankings, open days) are core/stats.
 *
 * A district's numbers come from rollup_visits (users, and the days it served
 * someone), rollup_services (transactions; e-service, agency and outcome),
 * rollup_visit_attrs (channel, sex, age band), rollup_survey (responses and
 * Σ overall by source), point_status_history + public_holidays (open days).
 * A province's and the nation's are the sums of their districts' (Σ over Σn:
 * respondent-weighted). */
#ifndef OSSPOINT_DB_STATS_H
#define OSSPOINT_DB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/perm.h"
#include "core/period.h"
#include "core/stats.h"

struct db;
struct dbc;

struct stats_row {
	char code[UNIT_CODE_SIZE];
	char parent[UNIT_CODE_SIZE];
	int level; /* 0, 1, 2 */
	bool in_programme;
	char *name_th;
	struct stats_num num;
	/* {service, agency, channel, outcome, sex, age_band}: key → count, or
	 * NULL when not asked for. */
	json_t *bd;
};

/* Every unit (national, provinces, districts), ordered by code. */
struct stats_table {
	struct stats_row *rows;
	size_t n;
	bool closed;       /* read from the snapshot */
	int64_t closed_at; /* when it was closed (0: open) */
};

void stats_table_free(struct stats_table *t);
/* The row of code, or NULL. */
struct stats_row *stats_table_find(const struct stats_table *t, const char *code);
/* a += b row by row (same units; FY sums), breakdowns included. */
void stats_table_add(struct stats_table *a, const struct stats_table *b);

/* The numbers of period p with the given cut-off. A closed period
 * (period_closings) is read from its snapshot. bd_unit: the unit whose
 * breakdowns are wanted (its row's bd), "*" for every unit, NULL for none.
 * Returns DB_OK or a negative db_rc (*out empty). */
int db_stats_period(struct db *db, struct period p, int cutoff, const char *bd_unit, struct stats_table *out);
/* The same from the roll-ups whatever the period's state (tests, the bench,
 * the closing). */
int db_stats_period_live(struct db *db, struct period p, int cutoff, const char *bd_unit,
                         struct stats_table *out);
/* On an open connection (inside a caller's transaction). */
int dbc_stats_live(struct dbc *c, struct period p, int cutoff, const char *bd_unit, struct stats_table *out);

/* What one unit's model needs, as db_stats_period: unit's row (with its
 * breakdowns when asked), its siblings and the units below it. A district
 * reads only its province and its districts (no other row, not the
 * nation's); a province or the nation reads every unit. */
int db_stats_period_for(struct db *db, struct period p, int cutoff, const char *unit, bool breakdowns,
                        struct stats_table *out);
/* One unit's numbers in each of the n periods ps (the dashboard's trend),
 * in one read of two statements: a closed period's from its snapshot row, an
 * open one's summed from its districts' period totals (rollup_period_units).
 * Without open days (0) and breakdowns. out[i], closed[i]. */
int db_stats_unit_periods(struct db *db, const char *unit, const struct period *ps, size_t n,
                          struct stats_num *out, bool *closed);
/* The latest closed period before period_iso: *found, out. */
int db_stats_prev_closed(struct db *db, const char *period_iso, char out[PERIOD_ISO_SIZE], bool *found);

/* *closed = whether p is closed for everyone (period_closings). */
int db_stats_is_closed(struct db *db, const char *period_iso, bool *closed);

struct stats_close {
	const char *period_iso;
	int cutoff;
	int64_t user_id;   /* 0: the job */
	const char *actor; /* "job", "cli" */
	int64_t now;
	/* out */
	bool already; /* closed before (nothing written) */
	bool busy;    /* another node holds the closing lock (nothing written) */
	size_t units;
	int64_t elapsed_ms;
};
/* Closes the period for everyone in one transaction, under the closing lock
 * (PostgreSQL: an advisory transaction lock; SQLite: the write lock): the
 * snapshot of every unit, the period_closings row, the log row. Returns DB_OK
 * (also when already closed or busy: see the flags) or a negative db_rc. */
int db_stats_close_period(struct db *db, struct stats_close *c);

/* For db_visits_import_recompute: recomputes, in the import's transaction,
 * the snapshots of those of the periods that are closed, and logs who and
 * why. ctx is a struct stats_recompute. */
struct stats_recompute {
	int cutoff;
	int64_t user_id;
	const char *reason;
	int64_t now;
	size_t recomputed; /* out: closed periods recomputed */
};
int dbc_stats_recompute(struct dbc *c, const char *const *periods, size_t n, void *ctx);

/* The periods that the closing job should close on Bangkok day `today`:
 * those from the first period that holds an entry or a response up to the
 * last whose grace days are over, not yet closed; oldest first, at most max.
 * Returns how many were written to out (ISO), or a negative db_rc. */
int db_stats_due_periods(struct db *db, int cutoff, int grace_days, struct civil_day today,
                         char (*out)[PERIOD_ISO_SIZE], int max);

/* The closed periods, newest first, at most max: [{period, closed_at}]. */
int db_stats_closed_list(struct db *db, int max, json_t **out);

/* eservices code → {name_th, agency_th} for labels. */
int db_stats_services(struct db *db, json_t **out);

#endif
