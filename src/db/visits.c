#include "db/visits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/period.h"
#include "db/db.h"
#include "db/rollup.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"

/* Create, edit and void run through WRITE_TX, so moving them to another
 * transaction runner with db_tx's contract (group commit) is a one-word
 * change. The purge stays on db_tx: its batches are large. */
#define WRITE_TX db_write

#define UNIT_CODE_MAX 16
#define OUTCOME_MAX   16

static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

static void number_format(char out[VISIT_NUMBER_SIZE], int64_t seq, int64_t year_be)
{
	snprintf(out, VISIT_NUMBER_SIZE, "%lld/%lld", (long long)seq, (long long)year_be);
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* The end of a read that collects rows into arr: on DB_DONE the rows are
 * the answer (*out = arr, DB_OK); otherwise arr is dropped and the failure
 * returned. */
static int rows_done(int rc, json_t *arr, json_t **out)
{
	if (rc != DB_DONE) {
		json_decref(arr);
		return rc < 0 ? rc : DB_ERROR;
	}
	*out = arr;
	return DB_OK;
}

/* Runs fn by db_read and hands over what it left in *slot: *out = the
 * result on DB_OK, NULL (and the result freed) otherwise. */
static int read_json(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg, json_t **slot,
                     json_t **out)
{
	int rc = db_read(db, fn, arg);
	if (rc != DB_OK) {
		json_decref(*slot);
		*slot = NULL;
	}
	*out = *slot;
	return rc == DB_OK ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* ---- services and snapshots ---- */

struct svc {
	char code[VISIT_CODE_MAX];
	char outcome[OUTCOME_MAX];
};

static int svc_cmp(const void *a, const void *b)
{
	const struct svc *x = a, *y = b;
	int d = strcmp(x->code, y->code);
	return d ? d : strcmp(x->outcome, y->outcome);
}

/* The services of an input, sorted by code (snapshots compare as text, and
 * the database's collation may order codes differently from strcmp). */
static size_t svc_from_input(const struct visit_input *v, struct svc out[VISIT_MAX_SERVICES])
{
	size_t n = v->nservices < VISIT_MAX_SERVICES ? v->nservices : VISIT_MAX_SERVICES;
	for (size_t i = 0; i < n; i++) {
		const char *o = outcome_name(v->services[i].outcome);
		copy(out[i].code, sizeof out[i].code, v->services[i].code);
		copy(out[i].outcome, sizeof out[i].outcome, o ? o : "");
	}
	qsort(out, n, sizeof *out, svc_cmp);
	return n;
}

static bool svc_has(const struct svc *s, size_t n, const struct svc *x)
{
	for (size_t i = 0; i < n; i++)
		if (svc_cmp(&s[i], x) == 0)
			return true;
	return false;
}

static json_t *svc_json(const struct svc *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "code", s[i].code, "outcome", s[i].outcome));
	return a;
}

/* A history snapshot: the entry's fields as the registry shows them, never
 * the clear Thai ID. Both the snapshot built from an input and the one read
 * back from the row go through here, so they compare equal as text. */
struct snapshot {
	int64_t visited_at, officer_id;
	const char *day, *period, *visitor_name, *cid_last4, *phone, *sex, *age_band, *channel, *remarks;
	const char *status, *void_reason;
	const struct svc *svc;
	size_t nsvc;
};

static json_t *snapshot_json(const struct snapshot *s)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o}",
	                 "visited_at", (json_int_t)s->visited_at, "visit_day", s->day, "period", s->period,
	                 "visitor_name", s->visitor_name, "cid_last4", s->cid_last4, "phone", s->phone, "sex",
	                 s->sex, "age_band", s->age_band, "channel", s->channel, "remarks", s->remarks,
	                 "officer_id", (json_int_t)s->officer_id, "status", s->status, "void_reason",
	                 s->void_reason, "services", svc_json(s->svc, s->nsvc));
}

static char *json_text(const json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!s)
		s = xstrdup("");
	return s;
}

/* The day and period columns of an input. Returns 0 or -1 (not valid). */
static int input_day_period(const struct visit_input *v, char day[THAI_ISO_DAY_SIZE],
                            char period[PERIOD_ISO_SIZE])
{
	if (thai_day_iso(v->day, day) != 0 || period_iso(v->period, period) != 0)
		return -1;
	return 0;
}

/* Snapshot text of an active entry as given by an input. */
static char *snapshot_of_input(const struct visit_input *v, const char *day, const char *period,
                               const char *cid_last4, int64_t officer_id)
{
	struct svc svc[VISIT_MAX_SERVICES];
	size_t n = svc_from_input(v, svc);
	const char *ch = channel_name(v->channel);
	struct snapshot s = {v->visited_at, officer_id, day,    period,      v->visitor_name,
	                     cid_last4,     v->phone,   v->sex, v->age_band, ch ? ch : "",
	                     v->remarks,    "active",   "",     svc,         n};
	json_t *j = snapshot_json(&s);
	char *text = json_text(j);
	json_decref(j);
	return text;
}

/* An entry as stored, read inside a write transaction. */
struct stored {
	json_t *snap; /* its history snapshot (owned) */
	char unit_code[UNIT_CODE_MAX];
	char day[THAI_ISO_DAY_SIZE];
	char period[PERIOD_ISO_SIZE];
	int64_t officer_id, version;
	bool active, purged;
	char sex[16], age_band[16], channel[16]; /* for rollup_visit_attrs */
	size_t nsvc;
	struct svc svc[VISIT_MAX_SERVICES];
};

/* Returns DB_ROW (o filled; free o->snap), DB_DONE (no such entry) or a
 * negative db_rc. */
static int stored_load(struct dbc *c, int64_t id, struct stored *o)
{
	memset(o, 0, sizeof *o);
	struct db_stmt *st =
	    db_prepare(c, "SELECT service_code, outcome FROM visit_services WHERE visit_id = ?");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (o->nsvc == VISIT_MAX_SERVICES) {
			log_bug("visits: entry %lld has more than %d services", (long long)id,
			        VISIT_MAX_SERVICES);
			rc = DB_ERROR;
			break;
		}
		copy(o->svc[o->nsvc].code, sizeof o->svc[o->nsvc].code, db_col_text(st, 0));
		copy(o->svc[o->nsvc].outcome, sizeof o->svc[o->nsvc].outcome, db_col_text(st, 1));
		o->nsvc++;
	}
	db_finish(st);
	if (rc != DB_DONE)
		return rc;
	qsort(o->svc, o->nsvc, sizeof *o->svc, svc_cmp);

	st = db_prepare(
	    c, "SELECT visited_at, visit_day, period, visitor_name, cid_last4, phone, sex, age_band, "
	       "channel, remarks, officer_id, status, void_reason, unit_code, "
	       "CASE WHEN purged_at IS NULL THEN 0 ELSE 1 END AS purged, version FROM visits WHERE id = ?");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		struct snapshot s = {db_col_int(st, 0),
		                     db_col_int(st, 10),
		                     db_col_text(st, 1),
		                     db_col_text(st, 2),
		                     db_col_text(st, 3),
		                     db_col_null(st, 4) ? NULL : db_col_text(st, 4),
		                     db_col_text(st, 5),
		                     db_col_text(st, 6),
		                     db_col_text(st, 7),
		                     db_col_text(st, 8),
		                     db_col_text(st, 9),
		                     db_col_text(st, 11),
		                     db_col_text(st, 12),
		                     o->svc,
		                     o->nsvc};
		o->snap = snapshot_json(&s);
		o->officer_id = s.officer_id;
		o->active = strcmp(s.status, "active") == 0;
		copy(o->unit_code, sizeof o->unit_code, db_col_text(st, 13));
		copy(o->day, sizeof o->day, s.day);
		o->purged = db_col_int(st, 14) != 0;
		o->version = db_col_int(st, 15);
		copy(o->period, sizeof o->period, s.period);
		copy(o->sex, sizeof o->sex, s.sex);
		copy(o->age_band, sizeof o->age_band, s.age_band);
		copy(o->channel, sizeof o->channel, s.channel);
	}
	db_finish(st);
	return rc;
}

/* ---- the open-period rule, inside the transaction ---- */

/* DB_OK when rule leaves the unit's period (ISO "YYYY-MM") open on the
 * Bangkok day of `at`, VISIT_RC_CLOSED when it is closed (past its grace
 * days, not yet begun, or attested: the attestation is read here, in the
 * write's transaction), or a negative db_rc. A NULL rule checks nothing. */
static int period_check(struct dbc *c, const struct visit_period_rule *rule, const char *unit,
                        const char *period_iso, int64_t at)
{
	if (!rule)
		return DB_OK;
	struct period p;
	struct civil_day today;
	if (period_parse(period_iso, &p) != 0 || thai_epoch_day(at, &today) != 0)
		return VISIT_RC_CLOSED;
	int64_t one = 0;
	int rc = db_query_int(c, &one, VISIT_PERIOD_CLOSED_SQL, "ttt", unit, period_iso, period_iso);
	if (rc < 0)
		return rc;
	return period_is_open(p, rule->cutoff_day, today, rule->grace_days, rc == DB_ROW) ? DB_OK
	                                                                                  : VISIT_RC_CLOSED;
}

/* period_check without the attestation: DB_OK when the dates leave the
 * period open (an attestation may still close it), VISIT_RC_CLOSED. */
static int period_dates_check(const struct visit_period_rule *rule, const char *period_iso, int64_t at)
{
	if (!rule)
		return DB_OK;
	struct period p;
	struct civil_day today;
	if (period_parse(period_iso, &p) != 0 || thai_epoch_day(at, &today) != 0)
		return VISIT_RC_CLOSED;
	return period_is_open(p, rule->cutoff_day, today, rule->grace_days, false) ? DB_OK : VISIT_RC_CLOSED;
}

/* A new or moved entry's period is judged on the day of max(now, visited_at),
 * as registry_validate does. */
static int64_t judged_at(const struct visit_period_rule *rule, int64_t visited_at)
{
	return rule && rule->now > visited_at ? rule->now : visited_at;
}

/* ---- roll-ups ---- */

/* Roll-ups are written through db/rollup.h: summed per row and written
 * before COMMIT or before any statement on a roll-up table. */
static int rollup_visit(struct dbc *c, const char *unit, const char *day, int64_t delta)
{
	return rollup_add(c, &ROLLUP_VISITS, (const char *[]){unit, day}, (int64_t[]){delta});
}

/* A service on day, and in its period (rollup_period_services, migration
 * 010: the statistics read a period's services without its days). */
static int rollup_service(struct dbc *c, const char *unit, const char *day, const char *period,
                          const struct svc *s, int64_t delta)
{
	int rc = rollup_add(c, &ROLLUP_SERVICES, (const char *[]){unit, day, s->code, s->outcome},
	                    (int64_t[]){delta});
	if (rc == DB_OK)
		rc = rollup_add(c, &ROLLUP_PERIOD_SERVICES,
		                (const char *[]){unit, period, s->code, s->outcome}, (int64_t[]){delta});
	return rc;
}

/* Users served by channel, sex and age band per period (migration 010). */
static int rollup_attrs(struct dbc *c, const char *unit, const char *period, const char *channel,
                        const char *sex, const char *age_band, int64_t delta)
{
	return rollup_add(c, &ROLLUP_VISIT_ATTRS, (const char *[]){unit, period, channel, sex, age_band},
	                  (int64_t[]){delta});
}

/* The day's bit in rollup_period_units.active_days (migration 015). */
static int64_t day_bit(const char *day)
{
	int dom = (day[8] - '0') * 10 + (day[9] - '0');
	return dom >= 1 && dom <= 31 ? (int64_t)1 << (dom - 1) : 0;
}

/* The district's period totals (migration 015): users and transactions by
 * delta; day's bit set by an entry added, cleared when the last entry of
 * the day is taken away (rollup_visits, already adjusted, says so). */
/* rollup_period_units.version: a new random number with every write (never
 * 0, which marks rows built by SQL). */
static int64_t new_version(void)
{
	uint64_t v = 0;
	while (!(v >> 1))
		randombytes_buf(&v, sizeof v);
	return (int64_t)(v >> 1);
}

static int rollup_period_unit(struct dbc *c, const char *unit, const char *day, const char *period,
                              int64_t users, int64_t transactions)
{
	int rc = rollup_add(
	    c, &ROLLUP_PERIOD_UNITS, (const char *[]){unit, period},
	    (int64_t[]){users, transactions, users > 0 ? day_bit(day) : 0, new_version(), 0, 0, 0, 0});
	if (rc != DB_OK || users >= 0)
		return rc;
	/* Reading rollup_visits writes the increments so far (the entry's -1
	 * on the day included). */
	int64_t left = 0;
	rc = db_query_int(c, &left, "SELECT visits FROM rollup_visits WHERE unit_code = ? AND day = ?", "tt",
	                  unit, day);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW && left > 0)
		return DB_OK;
	return db_exec(c,
	               "UPDATE rollup_period_units SET active_days = active_days & ? WHERE period = ? AND "
	               "unit_code = ?",
	               "itt", ~day_bit(day), period, unit);
}

/* Adds delta for the entry and each of its services on day (in period). */
static int rollup_entry(struct dbc *c, const char *unit, const char *day, const char *period,
                        const struct svc *s, size_t n, int64_t delta)
{
	int rc = rollup_visit(c, unit, day, delta);
	for (size_t i = 0; i < n && rc == DB_OK; i++)
		rc = rollup_service(c, unit, day, period, &s[i], delta);
	if (rc == DB_OK)
		rc = rollup_period_unit(c, unit, day, period, delta, (int64_t)n * delta);
	return rc;
}

static int history_add(struct dbc *c, int64_t visit_id, int64_t at, int64_t user_id, const char *action,
                       const char *before, const char *after)
{
	struct db_stmt *st =
	    db_prepare(c, "INSERT INTO visit_history (visit_id, at, user_id, action, before_json, "
	                  "after_json) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, visit_id);
	db_bind_int(st, 2, at);
	if (user_id)
		db_bind_int(st, 3, user_id);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, action);
	db_bind_text(st, 5, before);
	db_bind_text(st, 6, after);
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int services_insert(struct dbc *c, int64_t visit_id, const struct svc *s, size_t n)
{
	int rc = DB_OK;
	for (size_t i = 0; i < n && rc == DB_OK; i++)
		rc = db_exec(c,
		             "INSERT INTO visit_services (visit_id, service_code, outcome) VALUES (?, ?, ?)",
		             "itt", visit_id, s[i].code, s[i].outcome);
	return rc;
}

/* ---- create ---- */

struct create {
	const struct visit_create *in;
	const char *key; /* idempotency key or NULL */
	bool lookup_key; /* look the key up first (an import skips the rows it has) */
	char day[THAI_ISO_DAY_SIZE];
	char period[PERIOD_ISO_SIZE];
	struct svc svc[VISIT_MAX_SERVICES];
	size_t nsvc;
	char *after; /* history snapshot, built once before the transaction */
	struct visit_created out;
};

/* DB_ROW with out filled when (unit, key) is taken, DB_DONE, or negative. */
static int find_key(struct dbc *c, const char *unit, const char *key, struct visit_created *out)
{
	struct db_stmt *st =
	    db_prepare(c, "SELECT id, seq, year_be FROM visits WHERE unit_code = ? AND idempotency_key = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->seq = db_col_int(st, 1);
		out->year_be = (int)db_col_int(st, 2);
		out->existing = true;
	}
	db_finish(st);
	return rc;
}

/* PostgreSQL: the whole create as one statement (data-modifying CTEs), one
 * round trip instead of seven, since the writer's one session spends its time
 * waiting for the server (measured in bench/RESULTS.md). It does exactly what
 * the statements of create_fn below do, in the same order of effect:
 *   - the period's attestation and closing (period_closings, migration 010)
 *     are read in the statement (the dates were judged before); attested or
 *     closed, the counter is not touched and no row comes back:
 *     VISIT_RC_CLOSED, nothing written;
 *   - the counter row, then the entry with its number, its services and the
 *     history row; the roll-ups are added after it as create_fn adds them
 *     (db/rollup.h: written once per row for the whole transaction).
 * PostgreSQL checks the foreign keys of visit_services and visit_history at
 * the end of the statement, when the entry exists. One text per number of
 * services (1..VISIT_MAX_SERVICES), each prepared once per session.
 * Any change to create_fn's writes must be made here too: the database
 * suite runs the same tests on both (tests/db/test_visits.c). */
static int create_pg(struct dbc *c, struct create *a)
{
	const struct visit_create *in = a->in;
	const struct visit_input *v = in->v;
	struct buf sql;
	buf_init(&sql, 0);
	buf_puts(&sql,
	         "WITH ctr AS (INSERT INTO visit_counters (unit_code, year_be, last_seq) "
	         "SELECT ?::text, ?::bigint, 1 "
	         "WHERE NOT EXISTS (SELECT 1 FROM period_attestations WHERE unit_code = ? AND period = ?) "
	         "AND NOT EXISTS (SELECT 1 FROM period_closings WHERE period = ?) "
	         "ON CONFLICT (unit_code, year_be) DO UPDATE SET last_seq = visit_counters.last_seq + 1 "
	         "RETURNING last_seq), "
	         "v AS (INSERT INTO visits (unit_code, year_be, seq, visited_at, visit_day, period, "
	         "visitor_name, cid_hash, cid_sealed, cid_last4, phone, sex, age_band, channel, remarks, "
	         "officer_id, idempotency_key, created_at, updated_at) "
	         "SELECT ?::text, ?::bigint, ctr.last_seq, ?::bigint, ?::text, ?::text, ?::text, ?::text, "
	         "?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::bigint, ?::text, "
	         "?::bigint, ?::bigint FROM ctr "
	         "RETURNING id, seq), "
	         "x (code, outcome) AS (VALUES ");
	for (size_t i = 0; i < a->nsvc; i++)
		buf_puts(&sql, i ? ", (?::text, ?::text)" : "(?::text, ?::text)");
	buf_puts(&sql,
	         "), s AS (INSERT INTO visit_services (visit_id, service_code, outcome) "
	         "SELECT v.id, x.code, x.outcome FROM v, x), "
	         "h AS (INSERT INTO visit_history (visit_id, at, user_id, action, before_json, after_json) "
	         "SELECT v.id, ?::bigint, ?::bigint, 'create', '', ?::text FROM v) "
	         "SELECT id, seq FROM v");
	struct db_stmt *st = db_prepare(c, sql.data);
	buf_cleanup(&sql);
	if (!st)
		return DB_ERROR;
	int k = 1;
	const char *ch = channel_name(v->channel);
	db_bind_text(st, k++, in->unit_code);
	db_bind_int(st, k++, v->year_be);
	db_bind_text(st, k++, in->unit_code);
	db_bind_text(st, k++, a->period);
	db_bind_text(st, k++, a->period);
	db_bind_text(st, k++, in->unit_code);
	db_bind_int(st, k++, v->year_be);
	db_bind_int(st, k++, v->visited_at);
	db_bind_text(st, k++, a->day);
	db_bind_text(st, k++, a->period);
	db_bind_text(st, k++, v->visitor_name);
	db_bind_text(st, k++, in->cid_hash);
	db_bind_text(st, k++, in->cid_sealed);
	db_bind_text(st, k++, in->cid_last4);
	db_bind_text(st, k++, v->phone);
	db_bind_text(st, k++, v->sex);
	db_bind_text(st, k++, v->age_band);
	db_bind_text(st, k++, ch);
	db_bind_text(st, k++, v->remarks);
	db_bind_int(st, k++, in->officer_id);
	db_bind_text(st, k++, a->key);
	db_bind_int(st, k++, in->now);
	db_bind_int(st, k++, in->now);
	for (size_t i = 0; i < a->nsvc; i++) {
		db_bind_text(st, k++, a->svc[i].code);
		db_bind_text(st, k++, a->svc[i].outcome);
	}
	db_bind_int(st, k++, in->now);
	if (in->officer_id)
		db_bind_int(st, k++, in->officer_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, a->after);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		a->out.id = db_col_int(st, 0);
		a->out.seq = db_col_int(st, 1);
		a->out.year_be = v->year_be;
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = VISIT_RC_CLOSED; /* attested: the statement wrote nothing */
	}
	db_finish(st);
	if (rc == DB_OK)
		rc = rollup_entry(c, in->unit_code, a->day, a->period, a->svc, a->nsvc, 1);
	if (rc == DB_OK)
		rc = rollup_attrs(c, in->unit_code, a->period, ch, v->sex, v->age_band, 1);
	return rc;
}

static int create_fn(struct dbc *c, void *arg)
{
	struct create *a = arg;
	const struct visit_create *in = a->in;
	const struct visit_input *v = in->v;
	memset(&a->out, 0, sizeof a->out);
	int rc;
	if (dbc_dialect(c) == DB_POSTGRES && in->rule && !a->lookup_key && a->nsvc > 0) {
		/* The dates are judged here; the attestation in the statement. */
		rc = period_dates_check(in->rule, a->period, judged_at(in->rule, v->visited_at));
		return rc != DB_OK ? rc : create_pg(c, a);
	}
	/* A single create does not look its key up first: a repeated key is
	 * rare, and the entry's insert then fails on UNIQUE (unit_code,
	 * idempotency_key), which undoes this work, number included
	 * (db_visit_create answers with the stored entry). An import must skip
	 * the rows it already has inside its one transaction, so it looks. */
	if (a->key && a->lookup_key) {
		rc = find_key(c, in->unit_code, a->key, &a->out);
		if (rc != DB_DONE)
			return rc == DB_ROW ? DB_OK : rc;
	}
	/* Before anything is written: a refusal leaves the batch untouched. */
	rc = period_check(c, in->rule, in->unit_code, a->period, judged_at(in->rule, v->visited_at));
	if (rc != DB_OK)
		return rc;
	/* The counter row is written first: concurrent creates in one unit and
	 * year queue on it (SQLite: one writer anyway), so numbers are gap-free. */
	int64_t seq = 0;
	rc = db_query_int(
	    c, &seq,
	    "INSERT INTO visit_counters (unit_code, year_be, last_seq) VALUES (?, ?, 1) "
	    "ON CONFLICT (unit_code, year_be) DO UPDATE SET last_seq = visit_counters.last_seq + 1 "
	    "RETURNING last_seq",
	    "ti", in->unit_code, (int64_t)v->year_be);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERROR;
	const char *ch = channel_name(v->channel);
	int64_t id = 0;
	rc = db_insert_id(
	    c, &id,
	    "INSERT INTO visits (unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, "
	    "cid_hash, cid_sealed, cid_last4, phone, sex, age_band, channel, remarks, officer_id, "
	    "idempotency_key, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "tiiitttttttttttitii", in->unit_code, (int64_t)v->year_be, seq, v->visited_at, a->day, a->period,
	    v->visitor_name, in->cid_hash, in->cid_sealed, in->cid_last4, v->phone, v->sex, v->age_band, ch,
	    v->remarks, in->officer_id, a->key, in->now, in->now);
	if (rc != DB_OK)
		return rc == DB_DONE ? DB_ERROR : rc;
	rc = services_insert(c, id, a->svc, a->nsvc);
	if (rc == DB_OK)
		rc = rollup_entry(c, in->unit_code, a->day, a->period, a->svc, a->nsvc, 1);
	if (rc == DB_OK)
		rc = rollup_attrs(c, in->unit_code, a->period, ch, v->sex, v->age_band, 1);
	if (rc == DB_OK)
		rc = history_add(c, id, in->now, in->officer_id, "create", "", a->after);
	if (rc == DB_OK) {
		a->out.id = id;
		a->out.seq = seq;
		a->out.year_be = v->year_be;
	}
	return rc;
}

static int find_key_fn(struct dbc *c, void *arg)
{
	struct create *a = arg;
	memset(&a->out, 0, sizeof a->out);
	return find_key(c, a->in->unit_code, a->key, &a->out);
}

int db_visit_create(struct db *db, const struct visit_create *in, struct visit_created *out)
{
	memset(out, 0, sizeof *out);
	struct create a = {.in = in, .key = opt(in->v->idempotency_key)};
	if (input_day_period(in->v, a.day, a.period) != 0) {
		log_bug("visits: create with an invalid day or period");
		return DB_ERROR;
	}
	a.nsvc = svc_from_input(in->v, a.svc);
	a.after = snapshot_of_input(in->v, a.day, a.period, in->cid_last4, in->officer_id);
	int rc = WRITE_TX(db, create_fn, &a);
	if (rc == DB_CONSTRAINT && a.key) {
		/* The key is taken (a resubmission, or a concurrent request with
		 * the same key that committed first): it is the same entry, so
		 * answer with it. Any other constraint failure finds nothing. */
		int r = db_read(db, find_key_fn, &a);
		if (r == DB_ROW)
			rc = DB_OK;
	}
	free(a.after);
	if (rc == DB_OK)
		*out = a.out;
	return rc;
}

/* ---- the entry model ---- */

/* The columns every entry query selects, in this order (read by entry_new),
 * then one row per service. */
#define ENTRY_COLS                                                                                           \
	"v.id, v.unit_code, v.seq, v.year_be, v.visited_at, v.visit_day, v.period, v.visitor_name, "         \
	"v.cid_last4, "                                                                                      \
	"CASE WHEN v.cid_hash IS NULL THEN 0 ELSE 1 END AS has_cid, v.phone, v.sex, v.age_band, v.channel, " \
	"v.remarks, v.officer_id, u.display_name AS officer_name, v.status, v.void_reason, v.voided_at, "    \
	"CASE WHEN v.purged_at IS NULL THEN 0 ELSE 1 END AS purged, v.created_at, v.updated_at, v.version, " \
	"v.survey_answered, s.service_code, e.name_th AS service_name, s.outcome"
#define ENTRY_JOINS                                                                                          \
	" LEFT JOIN users u ON u.id = v.officer_id LEFT JOIN visit_services s ON s.visit_id = v.id"          \
	" LEFT JOIN eservices e ON e.code = s.service_code"
#define ENTRY_ORDER " ORDER BY v.visited_at DESC, v.id DESC, e.sort_order, s.service_code"

enum { COL_SERVICE = 25 };

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_col_null(st, col) ? json_null() : json_string(db_col_text(st, col));
}

static json_t *entry_new(struct db_stmt *st)
{
	char number[VISIT_NUMBER_SIZE];
	number_format(number, db_col_int(st, 2), db_col_int(st, 3));
	json_t *e = json_object();
	json_object_set_new(e, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(e, "unit_code", json_string(db_col_text(st, 1)));
	json_object_set_new(e, "number", json_string(number));
	json_object_set_new(e, "seq", json_integer(db_col_int(st, 2)));
	json_object_set_new(e, "year_be", json_integer(db_col_int(st, 3)));
	json_object_set_new(e, "visited_at", json_integer(db_col_int(st, 4)));
	json_object_set_new(e, "visit_day", json_string(db_col_text(st, 5)));
	json_object_set_new(e, "period", json_string(db_col_text(st, 6)));
	json_object_set_new(e, "visitor_name", json_string(db_col_text(st, 7)));
	json_object_set_new(e, "cid_last4", text_or_null(st, 8));
	json_object_set_new(e, "has_cid", json_boolean(db_col_int(st, 9)));
	json_object_set_new(e, "phone", json_string(db_col_text(st, 10)));
	json_object_set_new(e, "sex", json_string(db_col_text(st, 11)));
	json_object_set_new(e, "age_band", json_string(db_col_text(st, 12)));
	json_object_set_new(e, "channel", json_string(db_col_text(st, 13)));
	json_object_set_new(e, "remarks", json_string(db_col_text(st, 14)));
	json_object_set_new(e, "officer_id", json_integer(db_col_int(st, 15)));
	json_object_set_new(e, "officer_name", json_string(db_col_text(st, 16)));
	json_object_set_new(e, "status", json_string(db_col_text(st, 17)));
	json_object_set_new(e, "void_reason", json_string(db_col_text(st, 18)));
	json_object_set_new(e, "voided_at",
	                    db_col_null(st, 19) ? json_null() : json_integer(db_col_int(st, 19)));
	json_object_set_new(e, "purged", json_boolean(db_col_int(st, 20)));
	json_object_set_new(e, "created_at", json_integer(db_col_int(st, 21)));
	json_object_set_new(e, "updated_at", json_integer(db_col_int(st, 22)));
	json_object_set_new(e, "version", json_integer(db_col_int(st, 23)));
	/* Whether the entry's survey was answered: a flag with no time and no
	 * link to the response (docs/survey.md). */
	json_object_set_new(e, "survey_answered", json_boolean(db_col_int(st, 24)));
	json_object_set_new(e, "services", json_array());
	return e;
}

/* Steps st to the end, appending one entry per id (rows of one entry are
 * adjacent) with its services. Returns DB_OK or a negative db_rc. */
static int entries_read(struct db_stmt *st, json_t *arr)
{
	json_t *cur = NULL;
	int64_t cur_id = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_col_int(st, 0);
		if (!cur || id != cur_id) {
			cur = entry_new(st);
			cur_id = id;
			json_array_append_new(arr, cur);
		}
		if (!db_col_null(st, COL_SERVICE))
			json_array_append_new(json_object_get(cur, "services"),
			                      json_pack("{s:s, s:s, s:s}", "code",
			                                db_col_text(st, COL_SERVICE), "name_th",
			                                db_col_text(st, COL_SERVICE + 1), "outcome",
			                                db_col_text(st, COL_SERVICE + 2)));
	}
	return rc == DB_DONE ? DB_OK : rc;
}

struct get {
	int64_t id;
	json_t *out;
};

static int get_fn(struct dbc *c, void *arg)
{
	struct get *g = arg;
	json_decref(g->out);
	g->out = NULL;
	struct db_stmt *st = db_prepare(c, "SELECT " ENTRY_COLS " FROM visits v" ENTRY_JOINS " WHERE v.id = ?"
	                                   " ORDER BY e.sort_order, s.service_code");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, g->id);
	json_t *arr = json_array();
	int rc = entries_read(st, arr);
	db_finish(st);
	if (rc == DB_OK && json_array_size(arr) == 1)
		g->out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return rc;
}

json_t *db_visit_load(struct db *db, int64_t id, int *rc)
{
	struct get g = {id, NULL};
	int r = db_read(db, get_fn, &g);
	if (r != DB_OK) {
		json_decref(g.out);
		g.out = NULL;
	}
	*rc = g.out ? DB_ROW : r == DB_OK || r == DB_DONE ? DB_DONE : r < 0 ? r : DB_ERROR;
	return g.out;
}

json_t *db_visit_get(struct db *db, int64_t id)
{
	int rc;
	return db_visit_load(db, id, &rc);
}

/* ---- edit ---- */

struct update {
	int64_t id;
	const struct visit_update *in;
	char day[THAI_ISO_DAY_SIZE];
	char period[PERIOD_ISO_SIZE];
	struct svc svc[VISIT_MAX_SERVICES];
	size_t nsvc;
};

/* Moves the roll-ups from the stored entry to the new day and services,
 * touching only the keys that change. */
static int rollup_move(struct dbc *c, const struct stored *old, const char *day, const char *period,
                       const struct svc *svc, size_t n, const struct visit_input *v)
{
	const char *ch = channel_name(v->channel);
	int rc = DB_OK;
	if (strcmp(old->period, period) != 0 || strcmp(old->channel, ch) != 0 ||
	    strcmp(old->sex, v->sex) != 0 || strcmp(old->age_band, v->age_band) != 0) {
		rc = rollup_attrs(c, old->unit_code, old->period, old->channel, old->sex, old->age_band, -1);
		if (rc == DB_OK)
			rc = rollup_attrs(c, old->unit_code, period, ch, v->sex, v->age_band, 1);
		if (rc != DB_OK)
			return rc;
	}
	if (strcmp(old->day, day) != 0) {
		rc = rollup_entry(c, old->unit_code, old->day, old->period, old->svc, old->nsvc, -1);
		if (rc == DB_OK)
			rc = rollup_entry(c, old->unit_code, day, period, svc, n, 1);
		return rc;
	}
	/* The same day is the same period. */
	for (size_t i = 0; i < old->nsvc && rc == DB_OK; i++)
		if (!svc_has(svc, n, &old->svc[i]))
			rc = rollup_service(c, old->unit_code, day, period, &old->svc[i], -1);
	for (size_t i = 0; i < n && rc == DB_OK; i++)
		if (!svc_has(old->svc, old->nsvc, &svc[i]))
			rc = rollup_service(c, old->unit_code, day, period, &svc[i], 1);
	/* Always: the channel, sex or age band may have changed (a new version). */
	if (rc == DB_OK)
		rc = rollup_period_unit(c, old->unit_code, day, period, 0, (int64_t)n - (int64_t)old->nsvc);
	return rc;
}

static int update_fn(struct dbc *c, void *arg)
{
	struct update *a = arg;
	const struct visit_update *in = a->in;
	const struct visit_input *v = in->v;
	struct stored old;
	int rc = stored_load(c, a->id, &old);
	if (rc != DB_ROW)
		return rc;
	char *before = NULL, *after = NULL;
	if (!old.active) {
		rc = VISIT_RC_VOID;
		goto out;
	}
	if (old.purged) {
		rc = VISIT_RC_PURGED;
		goto out;
	}
	if (in->version && in->version != old.version) {
		rc = VISIT_RC_STALE;
		goto out;
	}
	/* Both the period the entry is in and the one it would move to. */
	rc = period_check(c, in->rule, old.unit_code, old.period, in->rule ? in->rule->now : 0);
	if (rc == DB_OK && strcmp(old.period, a->period) != 0)
		rc = period_check(c, in->rule, old.unit_code, a->period, judged_at(in->rule, v->visited_at));
	if (rc != DB_OK)
		goto out;
	int64_t officer = in->officer_id ? in->officer_id : old.officer_id;
	const char *last4 = in->cid == VISIT_CID_SET ? in->cid_last4
	                    : in->cid == VISIT_CID_CLEAR
	                        ? NULL
	                        : json_string_value(json_object_get(old.snap, "cid_last4"));
	before = json_text(old.snap);
	after = snapshot_of_input(v, a->day, a->period, last4, officer);

	rc = rollup_move(c, &old, a->day, a->period, a->svc, a->nsvc, v);
	if (rc != DB_OK)
		goto out;
	const char *ch = channel_name(v->channel);
	rc = db_exec(
	    c,
	    "UPDATE visits SET visited_at = ?, visit_day = ?, period = ?, visitor_name = ?, phone = ?, "
	    "sex = ?, age_band = ?, channel = ?, remarks = ?, officer_id = ?, updated_at = ?, "
	    "version = version + 1 WHERE id = ?",
	    "ittttttttiii", v->visited_at, a->day, a->period, v->visitor_name, v->phone, v->sex, v->age_band,
	    ch, v->remarks, officer, in->now, a->id);
	if (rc == DB_OK && in->cid == VISIT_CID_SET)
		rc = db_exec(c, "UPDATE visits SET cid_hash = ?, cid_sealed = ?, cid_last4 = ? WHERE id = ?",
		             "ttti", in->cid_hash, in->cid_sealed, in->cid_last4, a->id);
	else if (rc == DB_OK && in->cid == VISIT_CID_CLEAR)
		rc = db_exec(
		    c, "UPDATE visits SET cid_hash = NULL, cid_sealed = NULL, cid_last4 = NULL WHERE id = ?",
		    "i", a->id);
	if (rc == DB_OK)
		rc = db_exec(c, "DELETE FROM visit_services WHERE visit_id = ?", "i", a->id);
	if (rc == DB_OK)
		rc = services_insert(c, a->id, a->svc, a->nsvc);
	if (rc == DB_OK)
		rc = history_add(c, a->id, in->now, in->user_id, "edit", before, after);
out:
	free(before);
	free(after);
	json_decref(old.snap);
	return rc;
}

int db_visit_update(struct db *db, int64_t id, const struct visit_update *in)
{
	struct update a = {.id = id, .in = in};
	if (input_day_period(in->v, a.day, a.period) != 0) {
		log_bug("visits: update with an invalid day or period");
		return DB_ERROR;
	}
	a.nsvc = svc_from_input(in->v, a.svc);
	return WRITE_TX(db, update_fn, &a);
}

/* ---- void ---- */

struct voiding {
	int64_t id, user_id, now, version;
	const char *reason;
	const struct visit_period_rule *rule;
};

static int void_fn(struct dbc *c, void *arg)
{
	struct voiding *a = arg;
	struct stored old;
	int rc = stored_load(c, a->id, &old);
	if (rc != DB_ROW)
		return rc;
	char *before = NULL, *after = NULL;
	if (!old.active) {
		rc = VISIT_RC_VOID;
		goto out;
	}
	if (a->version && a->version != old.version) {
		rc = VISIT_RC_STALE;
		goto out;
	}
	rc = period_check(c, a->rule, old.unit_code, old.period, a->rule ? a->rule->now : 0);
	if (rc != DB_OK)
		goto out;
	before = json_text(old.snap);
	json_object_set_new(old.snap, "status", json_string("void"));
	json_object_set_new(old.snap, "void_reason", json_string(a->reason));
	after = json_text(old.snap);
	rc = rollup_entry(c, old.unit_code, old.day, old.period, old.svc, old.nsvc, -1);
	if (rc == DB_OK)
		rc = rollup_attrs(c, old.unit_code, old.period, old.channel, old.sex, old.age_band, -1);
	if (rc == DB_OK && a->user_id)
		rc = db_exec(
		    c,
		    "UPDATE visits SET status = 'void', void_reason = ?, voided_at = ?, voided_by = ?, "
		    "updated_at = ?, version = version + 1 WHERE id = ?",
		    "tiiii", a->reason, a->now, a->user_id, a->now, a->id);
	else if (rc == DB_OK)
		rc = db_exec(
		    c,
		    "UPDATE visits SET status = 'void', void_reason = ?, voided_at = ?, voided_by = NULL, "
		    "updated_at = ?, version = version + 1 WHERE id = ?",
		    "tiii", a->reason, a->now, a->now, a->id);
	if (rc == DB_OK)
		rc = history_add(c, a->id, a->now, a->user_id, "void", before, after);
out:
	free(before);
	free(after);
	json_decref(old.snap);
	return rc;
}

int db_visit_void(struct db *db, int64_t id, const char *reason, int64_t user_id, int64_t now,
                  int64_t version, const struct visit_period_rule *rule)
{
	struct voiding a = {id, user_id, now, version, reason ? reason : "", rule};
	return WRITE_TX(db, void_fn, &a);
}

/* ---- history ---- */

static json_t *parse_or_null(const char *s)
{
	json_t *j = *s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_null();
}

struct history {
	int64_t id;
	json_t *out;
};

static int history_fn(struct dbc *c, void *arg)
{
	struct history *h = arg;
	json_decref(h->out);
	h->out = NULL;
	struct db_stmt *st =
	    db_prepare(c, "SELECT h.at, h.user_id, u.display_name AS user_name, h.action, h.before_json, "
	                  "h.after_json FROM visit_history h LEFT JOIN users u ON u.id = h.user_id "
	                  "WHERE h.visit_id = ? ORDER BY h.id");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, h->id);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *r = json_object();
		json_object_set_new(r, "at", json_integer(db_col_int(st, 0)));
		json_object_set_new(r, "user_id",
		                    db_col_null(st, 1) ? json_null() : json_integer(db_col_int(st, 1)));
		json_object_set_new(r, "user_name", text_or_null(st, 2));
		json_object_set_new(r, "action", json_string(db_col_text(st, 3)));
		json_object_set_new(r, "before", parse_or_null(db_col_text(st, 4)));
		json_object_set_new(r, "after", parse_or_null(db_col_text(st, 5)));
		json_array_append_new(arr, r);
	}
	db_finish(st);
	return rows_done(rc, arr, &h->out);
}

json_t *db_visit_history(struct db *db, int64_t id)
{
	struct history h = {id, NULL};
	if (db_read(db, history_fn, &h) != DB_OK) {
		json_decref(h.out);
		return NULL;
	}
	return h.out;
}

/* ---- list ---- */

/* Parameters of a statement built from optional filter clauses. */
#define BINDS_MAX 16
struct binds {
	int n;
	struct {
		bool is_int;
		int64_t i;
		const char *t;
	} v[BINDS_MAX];
};

static void bind_i(struct binds *b, int64_t i)
{
	if (b->n < BINDS_MAX)
		b->v[b->n].is_int = true, b->v[b->n++].i = i;
}

static void bind_t(struct binds *b, const char *t)
{
	if (b->n < BINDS_MAX)
		b->v[b->n].is_int = false, b->v[b->n++].t = t;
}

static struct db_stmt *prepare_bound(struct dbc *c, const char *sql, const struct binds *b)
{
	struct db_stmt *st = db_prepare(c, sql);
	if (!st)
		return NULL;
	for (int i = 0; i < b->n; i++) {
		if (b->v[i].is_int)
			db_bind_int(st, i + 1, b->v[i].i);
		else
			db_bind_text(st, i + 1, b->v[i].t);
	}
	return st;
}

/* A checked filter. */
struct list_q {
	const char *unit, *from_day, *to_day, *period, *service, *outcome, *q;
	int64_t t_from, t_to; /* visited_at range [t_from, t_to) of the day range */
	int64_t officer, limit, offset;
	bool include_void;
	char like[4 * VISIT_NAME_MAX + 3]; /* q escaped for LIKE, in % */
};

/* Bangkok midnight starting day (plus `plus` days). Returns 0 or -1. */
static int day_start(const char *iso, int plus, int64_t *out)
{
	struct civil_day d;
	if (thai_day_parse(iso, &d) != 0 || thai_day_add(&d, plus) != 0)
		return -1;
	struct civil_time t = {d.y, d.m, d.d, 0, 0, 0};
	return thai_local_to_epoch(&t, out);
}

static int list_q_init(struct list_q *q, const struct visit_filter *f)
{
	memset(q, 0, sizeof *q);
	q->unit = opt(f->unit_code);
	q->from_day = opt(f->from_day);
	q->to_day = opt(f->to_day);
	q->period = opt(f->period);
	q->service = opt(f->service_code);
	q->outcome = opt(f->outcome);
	q->q = opt(f->name_query);
	q->officer = f->officer_id;
	q->include_void = f->include_void;
	q->limit = f->limit <= 0 ? VISIT_LIST_DEFAULT : f->limit > VISIT_LIST_MAX ? VISIT_LIST_MAX : f->limit;
	q->offset = f->offset > 0 ? f->offset : 0;
	if (!q->unit || (q->outcome && outcome_from_name(q->outcome) == OUTCOME_NONE))
		return -1;
	if (q->from_day && day_start(q->from_day, 0, &q->t_from) != 0)
		return -1;
	if (q->to_day && day_start(q->to_day, 1, &q->t_to) != 0)
		return -1;
	if (q->q) {
		/* LIKE with ESCAPE '\': the user's %, _ and \ are literal. */
		size_t j = 0;
		q->like[j++] = '%';
		for (const char *p = q->q; *p && j + 3 < sizeof q->like; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				q->like[j++] = '\\';
			q->like[j++] = *p;
		}
		q->like[j++] = '%';
		q->like[j] = '\0';
	}
	return 0;
}

enum status_cond {
	STATUS_LISTED, /* active, or all when include_void */
	STATUS_ANY,
	STATUS_ACTIVE,
};

/* Appends the WHERE conditions on `visits v`. With svc_exists, service and
 * outcome are tested by EXISTS; otherwise the caller joins them. The day
 * range is also given as a visited_at range so the (unit, visited_at) index
 * serves it in list order; visit_day is the Bangkok day of visited_at, so the
 * two agree. */
static void where_build(struct buf *sql, struct binds *b, const struct list_q *q, enum status_cond status,
                        bool svc_exists)
{
	buf_puts(sql, " WHERE v.unit_code = ?");
	bind_t(b, q->unit);
	if (q->from_day) {
		buf_puts(sql, " AND v.visit_day >= ? AND v.visited_at >= ?");
		bind_t(b, q->from_day);
		bind_i(b, q->t_from);
	}
	if (q->to_day) {
		buf_puts(sql, " AND v.visit_day <= ? AND v.visited_at < ?");
		bind_t(b, q->to_day);
		bind_i(b, q->t_to);
	}
	if (q->period) {
		buf_puts(sql, " AND v.period = ?");
		bind_t(b, q->period);
	}
	if (q->officer) {
		buf_puts(sql, " AND v.officer_id = ?");
		bind_i(b, q->officer);
	}
	if (q->q) {
		buf_puts(sql, " AND LOWER(v.visitor_name) LIKE LOWER(?) ESCAPE '\\'");
		bind_t(b, q->like);
	}
	if (svc_exists && (q->service || q->outcome)) {
		buf_puts(sql, " AND EXISTS (SELECT 1 FROM visit_services x WHERE x.visit_id = v.id");
		if (q->service) {
			buf_puts(sql, " AND x.service_code = ?");
			bind_t(b, q->service);
		}
		if (q->outcome) {
			buf_puts(sql, " AND x.outcome = ?");
			bind_t(b, q->outcome);
		}
		buf_puts(sql, ")");
	}
	if (status == STATUS_ACTIVE || (status == STATUS_LISTED && !q->include_void))
		buf_puts(sql, " AND v.status = 'active'");
}

/* Day-range conditions on a roll-up table (no alias). */
static void where_rollup(struct buf *sql, struct binds *b, const struct list_q *q)
{
	buf_puts(sql, " WHERE unit_code = ?");
	bind_t(b, q->unit);
	if (q->from_day) {
		buf_puts(sql, " AND day >= ?");
		bind_t(b, q->from_day);
	}
	if (q->to_day) {
		buf_puts(sql, " AND day <= ?");
		bind_t(b, q->to_day);
	}
}

struct stmt_text {
	struct buf sql;
	struct binds b;
};

struct list {
	struct list_q q;
	bool from_rollups;
	struct stmt_text page, count, outcomes;
	json_t *out;
};

static void list_build(struct list *l)
{
	const struct list_q *q = &l->q;
	struct stmt_text *s = &l->page;
	buf_puts(&s->sql, "SELECT " ENTRY_COLS " FROM (SELECT v.id FROM visits v");
	where_build(&s->sql, &s->b, q, STATUS_LISTED, true);
	buf_puts(&s->sql, " ORDER BY v.visited_at DESC, v.id DESC LIMIT ? OFFSET ?) p"
	                  " JOIN visits v ON v.id = p.id" ENTRY_JOINS ENTRY_ORDER);
	bind_i(&s->b, q->limit);
	bind_i(&s->b, q->offset);

	l->from_rollups = !q->period && !q->service && !q->outcome && !q->officer && !q->q;
	s = &l->count;
	if (l->from_rollups) {
		/* Active entries from the roll-ups; the few void ones by their
		 * partial index (visits_void). */
		buf_puts(&s->sql, "SELECT (SELECT COALESCE(SUM(visits), 0) FROM rollup_visits");
		where_rollup(&s->sql, &s->b, q);
		buf_puts(&s->sql,
		         ") AS n, (SELECT COUNT(*) FROM visits WHERE unit_code = ? AND status = 'void'");
		bind_t(&s->b, q->unit);
		if (q->from_day) {
			buf_puts(&s->sql, " AND visit_day >= ?");
			bind_t(&s->b, q->from_day);
		}
		if (q->to_day) {
			buf_puts(&s->sql, " AND visit_day <= ?");
			bind_t(&s->b, q->to_day);
		}
		buf_puts(&s->sql, ") AS nvoid");
		s = &l->outcomes;
		buf_puts(&s->sql, "SELECT outcome, COALESCE(SUM(n), 0) AS n FROM rollup_services");
		where_rollup(&s->sql, &s->b, q);
		buf_puts(&s->sql, " GROUP BY outcome");
		return;
	}
	buf_puts(&s->sql,
	         "SELECT COALESCE(SUM(CASE WHEN v.status = 'active' THEN 1 ELSE 0 END), 0) AS n, "
	         "COALESCE(SUM(CASE WHEN v.status = 'void' THEN 1 ELSE 0 END), 0) AS nvoid FROM visits v");
	where_build(&s->sql, &s->b, q, STATUS_ANY, true);
	s = &l->outcomes;
	/* CROSS JOIN: SQLite keeps this join order. Driven from visits (the
	 * unit's range); otherwise, with a service filter, SQLite (no ANALYZE)
	 * starts from visit_services_code and reads every row of that service
	 * nationwide (measured: 0.7 s instead of 4 ms at 1M entries).
	 * PostgreSQL plans CROSS JOIN like any inner join. */
	buf_puts(&s->sql, "SELECT s.outcome, COUNT(*) AS n FROM visits v CROSS JOIN visit_services s");
	where_build(&s->sql, &s->b, q, STATUS_ACTIVE, false);
	buf_puts(&s->sql, " AND s.visit_id = v.id");
	if (q->service) {
		buf_puts(&s->sql, " AND s.service_code = ?");
		bind_t(&s->b, q->service);
	}
	if (q->outcome) {
		buf_puts(&s->sql, " AND s.outcome = ?");
		bind_t(&s->b, q->outcome);
	}
	buf_puts(&s->sql, " GROUP BY s.outcome");
}

/* The page, then the totals: separate statements, so under concurrent writes
 * the totals may count an entry the page does not show yet (or the reverse). */
static int list_fn(struct dbc *c, void *arg)
{
	struct list *l = arg;
	json_decref(l->out);
	l->out = NULL;
	json_t *entries = json_array();
	int64_t active = 0, nvoid = 0, nservices = 0;
	json_t *by = json_object();
	for (int o = OUTCOME_COMPLETED; o <= OUTCOME_NOT_COMPLETED; o++)
		json_object_set_new(by, outcome_name((enum outcome)o), json_integer(0));

	int rc = DB_ERROR;
	struct db_stmt *st = prepare_bound(c, buf_str(&l->page.sql), &l->page.b);
	if (!st)
		goto out;
	rc = entries_read(st, entries);
	db_finish(st);
	if (rc != DB_OK)
		goto out;

	rc = DB_ERROR;
	st = prepare_bound(c, buf_str(&l->count.sql), &l->count.b);
	if (!st)
		goto out;
	rc = db_step(st);
	if (rc == DB_ROW) {
		active = db_col_int(st, 0);
		nvoid = db_col_int(st, 1);
		rc = DB_OK;
	}
	db_finish(st);
	if (rc != DB_OK)
		goto out;

	rc = DB_ERROR;
	st = prepare_bound(c, buf_str(&l->outcomes.sql), &l->outcomes.b);
	if (!st)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t n = db_col_int(st, 1);
		const char *name = db_col_text(st, 0);
		json_t *prev = json_object_get(by, name);
		json_object_set_new(by, name, json_integer(json_integer_value(prev) + n));
		nservices += n;
	}
	db_finish(st);
	if (rc != DB_DONE)
		goto out;
	rc = DB_OK;
	l->out = json_pack("{s:o, s:I, s:{s:I, s:I, s:O, s:I}}", "entries", entries, "total",
	                   (json_int_t)(active + (l->q.include_void ? nvoid : 0)), "totals", "entries",
	                   (json_int_t)active, "services", (json_int_t)nservices, "by_outcome", by, "void",
	                   (json_int_t)nvoid);
	entries = NULL;
out:
	json_decref(entries);
	json_decref(by);
	return rc;
}

json_t *db_visits_list(struct db *db, const struct visit_filter *f)
{
	struct list *l = xcalloc(1, sizeof *l);
	if (list_q_init(&l->q, f) != 0) {
		free(l);
		return NULL;
	}
	buf_init(&l->page.sql, 0);
	buf_init(&l->count.sql, 0);
	buf_init(&l->outcomes.sql, 0);
	list_build(l);
	json_t *out = NULL;
	if (db_read(db, list_fn, l) == DB_OK)
		out = l->out;
	else
		json_decref(l->out);
	buf_cleanup(&l->page.sql);
	buf_cleanup(&l->count.sql);
	buf_cleanup(&l->outcomes.sql);
	free(l);
	return out;
}

/* ---- roll-up check ---- */

/* Stored and recomputed side by side (a missing row is 0), differing keys
 * only. Each is one statement, so it sees one consistent state. */
static const char CHECK_VISITS[] =
    "SELECT unit_code, day, SUM(stored) AS stored, SUM(re) AS recomputed FROM ("
    "SELECT unit_code, day, visits AS stored, 0 AS re FROM rollup_visits UNION ALL "
    "SELECT unit_code, visit_day, 0, COUNT(*) FROM visits WHERE status = 'active' GROUP BY unit_code, "
    "visit_day"
    ") x GROUP BY unit_code, day HAVING SUM(stored) <> SUM(re) ORDER BY unit_code, day";
static const char CHECK_SERVICES[] =
    "SELECT unit_code, day, service_code, outcome, SUM(stored) AS stored, SUM(re) AS recomputed FROM ("
    "SELECT unit_code, day, service_code, outcome, n AS stored, 0 AS re FROM rollup_services UNION ALL "
    "SELECT v.unit_code, v.visit_day, s.service_code, s.outcome, 0, COUNT(*) FROM visit_services s "
    "JOIN visits v ON v.id = s.visit_id WHERE v.status = 'active' "
    "GROUP BY v.unit_code, v.visit_day, s.service_code, s.outcome"
    ") x GROUP BY unit_code, day, service_code, outcome HAVING SUM(stored) <> SUM(re) "
    "ORDER BY unit_code, day, service_code, outcome";

static const char CHECK_ATTRS[] =
    "SELECT unit_code, period, channel, sex, age_band, SUM(stored) AS stored, SUM(re) AS recomputed FROM ("
    "SELECT unit_code, period, channel, sex, age_band, n AS stored, 0 AS re FROM rollup_visit_attrs UNION "
    "ALL "
    "SELECT unit_code, period, channel, sex, age_band, 0, COUNT(*) FROM visits WHERE status = 'active' "
    "GROUP BY unit_code, period, channel, sex, age_band"
    ") x GROUP BY unit_code, period, channel, sex, age_band HAVING SUM(stored) <> SUM(re) "
    "ORDER BY unit_code, period, channel, sex, age_band";
static const char CHECK_PERIOD_SERVICES[] =
    "SELECT unit_code, period, service_code, outcome, SUM(stored) AS stored, SUM(re) AS recomputed FROM ("
    "SELECT unit_code, period, service_code, outcome, n AS stored, 0 AS re FROM rollup_period_services "
    "UNION ALL "
    "SELECT v.unit_code, v.period, s.service_code, s.outcome, 0, COUNT(*) FROM visit_services s "
    "JOIN visits v ON v.id = s.visit_id WHERE v.status = 'active' "
    "GROUP BY v.unit_code, v.period, s.service_code, s.outcome"
    ") x GROUP BY unit_code, period, service_code, outcome HAVING SUM(stored) <> SUM(re) "
    "ORDER BY unit_code, period, service_code, outcome";

struct check {
	int n;
	json_t *diffs;
};

/* rollup_period_units (migration 015) against VISIT_PERIOD_UNITS_SQL:
 * {table, unit_code, period, column, stored, recomputed}. */
static int check_period_units(struct dbc *c, struct check *k)
{
	static const char *const cols[] = {"users",          "transactions", "survey_n",   "survey_point_n",
	                                   "survey_visit_n", "survey_sum",   "active_days"};
	struct db_stmt *st = db_prepare(
	    c, "SELECT COALESCE(s.unit_code, r.unit_code), COALESCE(s.period, r.period), "
	       "s.users, s.transactions, s.survey_n, s.survey_point_n, s.survey_visit_n, s.survey_sum, "
	       "s.active_days, r.users, r.transactions, r.survey_n, r.survey_point_n, r.survey_visit_n, "
	       "r.survey_sum, r.active_days FROM rollup_period_units s FULL JOIN (" VISIT_PERIOD_UNITS_SQL
	       ") r ON r.unit_code = s.unit_code AND r.period = s.period ORDER BY 1, 2");
	if (!st)
		return DB_ERROR;
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		for (int i = 0; i < 7; i++) {
			int64_t a = db_col_int(st, 2 + i), b = db_col_int(st, 9 + i);
			if (a == b)
				continue;
			if (k->n++ >= VISIT_CHECK_MAX)
				continue;
			json_array_append_new(
			    k->diffs,
			    json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "table", "rollup_period_units",
			              "unit_code", db_col_text(st, 0), "period", db_col_text(st, 1), "column",
			              cols[i], "stored", (json_int_t)a, "recomputed", (json_int_t)b));
		}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* rollup_visit_attrs and rollup_period_services (migration 010) against
 * the entries: {table, unit_code, period, the key's columns, stored,
 * recomputed}. */
static int check_period(struct dbc *c, struct check *k, bool services)
{
	struct db_stmt *st = db_prepare(c, services ? CHECK_PERIOD_SERVICES : CHECK_ATTRS);
	if (!st)
		return DB_ERROR;
	int rc, last = services ? 5 : 6;
	while ((rc = db_step(st)) == DB_ROW) {
		if (k->n++ >= VISIT_CHECK_MAX)
			continue;
		json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:I}", "table",
		                      services ? "rollup_period_services" : "rollup_visit_attrs", "unit_code",
		                      db_col_text(st, 0), "period", db_col_text(st, 1), "stored",
		                      (json_int_t)db_col_int(st, last - 1), "recomputed",
		                      (json_int_t)db_col_int(st, last));
		static const char *const skeys[] = {"service_code", "outcome"};
		static const char *const akeys[] = {"channel", "sex", "age_band"};
		for (int i = 0; i < (services ? 2 : 3); i++)
			json_object_set_new(d, services ? skeys[i] : akeys[i],
			                    json_string(db_col_text(st, 2 + i)));
		json_array_append_new(k->diffs, d);
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int check_one(struct dbc *c, struct check *k, bool services)
{
	struct db_stmt *st = db_prepare(c, services ? CHECK_SERVICES : CHECK_VISITS);
	if (!st)
		return DB_ERROR;
	int rc;
	int last = services ? 5 : 3;
	while ((rc = db_step(st)) == DB_ROW) {
		if (k->n++ >= VISIT_CHECK_MAX)
			continue;
		json_array_append_new(
		    k->diffs, json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I}", "table",
		                        services ? "rollup_services" : "rollup_visits", "unit_code",
		                        db_col_text(st, 0), "day", db_col_text(st, 1), "service_code",
		                        services ? json_string(db_col_text(st, 2)) : json_null(), "outcome",
		                        services ? json_string(db_col_text(st, 3)) : json_null(), "stored",
		                        (json_int_t)db_col_int(st, last - 1), "recomputed",
		                        (json_int_t)db_col_int(st, last)));
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int check_fn(struct dbc *c, void *arg)
{
	struct check *k = arg;
	k->n = 0;
	json_array_clear(k->diffs);
	int rc = check_one(c, k, false);
	if (rc == DB_OK)
		rc = check_one(c, k, true);
	if (rc == DB_OK)
		rc = check_period(c, k, false);
	if (rc == DB_OK)
		rc = check_period(c, k, true);
	return rc == DB_OK ? check_period_units(c, k) : rc;
}

int db_rollups_check(struct db *db, json_t **diffs)
{
	struct check k = {0, json_array()};
	int rc = db_read(db, check_fn, &k);
	if (diffs)
		*diffs = rc == DB_OK ? json_incref(k.diffs) : NULL;
	json_decref(k.diffs);
	return rc == DB_OK ? k.n : rc;
}

/* ---- purge ---- */

/* The next batch: the oldest entries not yet purged. The same text in each
 * statement of the transaction selects the same rows (one snapshot / the
 * write lock, and the order is total). */
#define PURGE_BATCH_SQL                                                                                      \
	"SELECT id FROM visits WHERE purged_at IS NULL AND visited_at < ? ORDER BY visited_at, id LIMIT ?"

/* Free text is personal data as much as a name: a remark or a void reason
 * may name the visitor. */
static const char *const personal_keys[] = {"visitor_name", "phone", "remarks", "void_reason"};

/* A history snapshot without its personal fields, or NULL to leave it. */
static char *snapshot_scrub(const char *text)
{
	json_t *j = *text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	for (size_t i = 0; i < sizeof personal_keys / sizeof *personal_keys; i++)
		if (json_object_get(j, personal_keys[i]))
			json_object_set_new(j, personal_keys[i], json_string(""));
	if (json_object_get(j, "cid_last4"))
		json_object_set_new(j, "cid_last4", json_null());
	json_object_set_new(j, "purged", json_true());
	char *s = json_text(j);
	json_decref(j);
	return s;
}

struct scrubbed {
	int64_t id;
	char *before, *after; /* NULL: unchanged */
};

/* What one batch of an erasure did: done = rows erased; full = the batch
 * was full, so there may be more. First member of each batch's arg. */
struct batch {
	int64_t done;
	bool full;
};

struct purge {
	struct batch b;
	int64_t older, now;
};

static int purge_fn(struct dbc *c, void *arg)
{
	struct purge *p = arg;
	p->b = (struct batch){0, false};
	struct scrubbed *rows = NULL;
	size_t n = 0, cap = 0;
	int rc = DB_ERROR;
	struct db_stmt *st =
	    db_prepare(c, "SELECT id, before_json, after_json FROM visit_history WHERE visit_id IN "
	                  "(" PURGE_BATCH_SQL ")");
	if (!st)
		goto out;
	db_bind_int(st, 1, p->older);
	db_bind_int(st, 2, VISIT_PURGE_BATCH);
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		rows[n].id = db_col_int(st, 0);
		rows[n].before = snapshot_scrub(db_col_text(st, 1));
		rows[n].after = snapshot_scrub(db_col_text(st, 2));
		n++;
	}
	db_finish(st);
	if (rc != DB_DONE)
		goto out;
	rc = DB_OK;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		if (rows[i].before)
			rc = db_exec(c, "UPDATE visit_history SET before_json = ? WHERE id = ?", "ti",
			             rows[i].before, rows[i].id);
		if (rc == DB_OK && rows[i].after)
			rc = db_exec(c, "UPDATE visit_history SET after_json = ? WHERE id = ?", "ti",
			             rows[i].after, rows[i].id);
	}
	if (rc == DB_OK)
		rc = db_exec(
		    c,
		    "INSERT INTO visit_history (visit_id, at, user_id, action, before_json, after_json) "
		    "SELECT id, CAST(? AS BIGINT), CAST(NULL AS BIGINT), 'purge', '', '{\"purged\":true}' "
		    "FROM (" PURGE_BATCH_SQL ") b",
		    "iii", p->now, p->older, (int64_t)VISIT_PURGE_BATCH);
	/* The audit trail keeps who voided an entry and when, not the reason
	 * (the same free text as void_reason). */
	if (rc == DB_OK)
		rc = db_exec(
		    c,
		    "UPDATE audit_log SET detail = '' WHERE action = 'registry.void' AND detail <> '' "
		    "AND target IN (SELECT 'visit:' || CAST(id AS TEXT) FROM (" PURGE_BATCH_SQL ") b)",
		    "ii", p->older, (int64_t)VISIT_PURGE_BATCH);
	if (rc != DB_OK)
		goto out;
	rc = DB_ERROR;
	/* The idempotency key goes too: an imported row's key is derived from
	 * its cells (the keyed Thai-ID hash among them), and once the entry is
	 * purged nothing may be matched against it. */
	st = db_prepare(c, "UPDATE visits SET visitor_name = '', cid_hash = NULL, cid_sealed = NULL, "
	                   "cid_last4 = NULL, phone = '', remarks = '', void_reason = '', "
	                   "idempotency_key = NULL, purged_at = ? WHERE id IN (" PURGE_BATCH_SQL ")");
	if (!st)
		goto out;
	db_bind_int(st, 1, p->now);
	db_bind_int(st, 2, p->older);
	db_bind_int(st, 3, VISIT_PURGE_BATCH);
	rc = db_step(st);
	if (rc == DB_DONE) {
		p->b.done = db_changes(st);
		p->b.full = p->b.done == VISIT_PURGE_BATCH;
		rc = DB_OK;
	}
	db_finish(st);
out:
	for (size_t i = 0; i < n; i++) {
		free(rows[i].before);
		free(rows[i].after);
	}
	free(rows);
	return rc;
}

static int vacuum_fn(struct dbc *c, void *arg)
{
	return db_exec_script(c, "VACUUM visits, visit_history, audit_log");
}

/* Erased values must leave the files, not only the rows. SQLite: the old
 * pages sit in the WAL until a truncating checkpoint (the freed space of the
 * main file is zeroed by secure_delete). PostgreSQL: the old row versions are
 * dead tuples until VACUUM makes their space reusable; what VACUUM does not
 * erase is written in docs/modules/visits.md. */
static int erase_flush(struct db *db)
{
	int rc = db_checkpoint(db);
	if (rc == DB_OK && db_dialect(db) == DB_POSTGRES)
		rc = db_read(db, vacuum_fn, NULL);
	if (rc != DB_OK)
		log_error("visits: erased data could not be flushed from the database files (%d)", rc);
	return rc;
}

/* Runs fn (whose arg starts with a struct batch) in transactions until a
 * batch is not full, then flushes the files (always: also after a failed
 * batch, for what the committed ones erased, and when nothing was left, so a
 * flush that failed last time is done now). *total gets the rows of the
 * committed batches. */
static int erase_batches(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg, int64_t *total,
                         const atomic_int *stop)
{
	struct batch *b = arg;
	int64_t sum = 0;
	int rc;
	do {
		rc = db_tx(db, fn, arg);
		if (rc == DB_OK)
			sum += b->done;
	} while (rc == DB_OK && b->full && !(stop && atomic_load(stop)));
	if (total)
		*total = sum;
	int f = erase_flush(db);
	return rc == DB_OK ? f : rc;
}

int db_visits_purge_until(struct db *db, int64_t older_than, int64_t now, int64_t *erased,
                          const atomic_int *stop)
{
	struct purge p = {.older = older_than, .now = now};
	return erase_batches(db, purge_fn, &p, erased, stop);
}

int db_visits_purge(struct db *db, int64_t older_than, int64_t now, int64_t *erased)
{
	return db_visits_purge_until(db, older_than, now, erased, NULL);
}

/* ---- re-keying imports of before migration 005 ---- */

/* The old form: "import-" + 40 lowercase hex digits. */
static bool legacy_import_key(const char *k)
{
	if (strncmp(k, "import-", 7) != 0 || strlen(k) != 47)
		return false;
	for (const char *p = k + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

struct rekey {
	struct batch b; /* done: keys replaced; full: a full batch was read */
	void (*fn)(char out[VISIT_KEY_MAX + 1], const char *old);
	int64_t after;
};

/* The next VISIT_PURGE_BATCH candidates by id (the partial index
 * visits_legacy_key holds only them), each old-form key replaced. */
static int rekey_fn(struct dbc *c, void *arg)
{
	struct rekey *k = arg;
	struct {
		int64_t id;
		char key[VISIT_KEY_MAX + 1];
	} *rows = xcalloc(VISIT_PURGE_BATCH, sizeof *rows);
	size_t n = 0;
	int64_t last = k->after;
	int64_t seen = 0;
	k->b = (struct batch){0, false};
	struct db_stmt *st =
	    db_prepare(c, "SELECT id, idempotency_key FROM visits WHERE idempotency_key LIKE "
	                  "'import-%' AND id > ? ORDER BY id LIMIT ?");
	int rc = DB_ERROR;
	if (!st)
		goto out;
	db_bind_int(st, 1, k->after);
	db_bind_int(st, 2, VISIT_PURGE_BATCH);
	while ((rc = db_step(st)) == DB_ROW) {
		last = db_col_int(st, 0);
		seen++;
		const char *old = db_col_text(st, 1);
		if (!legacy_import_key(old))
			continue; /* a key given in a file that merely looks alike */
		rows[n].id = last;
		k->fn(rows[n].key, old);
		n++;
	}
	db_finish(st);
	if (rc != DB_DONE)
		goto out;
	rc = DB_OK;
	for (size_t i = 0; i < n && rc == DB_OK; i++)
		rc = db_exec(c, "UPDATE visits SET idempotency_key = ? WHERE id = ?", "ti", rows[i].key,
		             rows[i].id);
	if (rc == DB_OK)
		k->b = (struct batch){(int64_t)n, seen == VISIT_PURGE_BATCH};
out:
	if (rc == DB_OK)
		k->after = last;
	free(rows);
	return rc;
}

int db_visits_rekey_legacy_imports(struct db *db, void (*rekey)(char out[VISIT_KEY_MAX + 1], const char *old),
                                   int64_t *changed)
{
	struct rekey k = {.fn = rekey};
	return erase_batches(db, rekey_fn, &k, changed, NULL);
}

struct legacy_count {
	int64_t n;
};

static int legacy_count_fn(struct dbc *c, void *arg)
{
	struct legacy_count *a = arg;
	a->n = 0;
	struct db_stmt *st = db_prepare(
	    c, "SELECT idempotency_key FROM visits WHERE idempotency_key LIKE 'import-%' ORDER BY id");
	if (!st)
		return DB_ERROR;
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		if (legacy_import_key(db_col_text(st, 0)))
			a->n++;
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_visits_legacy_imports(struct db *db, int64_t *n)
{
	struct legacy_count a = {0};
	int rc = db_read(db, legacy_count_fn, &a);
	*n = rc == DB_OK ? a.n : 0;
	return rc;
}

struct with_prefix {
	const char *unit, *prefix;
	json_t *out;
};

/* Sets a->out only when the whole set was read, so a failed run leaves
 * nothing behind (and a retried one starts from NULL). */
static int with_prefix_fn(struct dbc *c, void *arg)
{
	struct with_prefix *a = arg;
	json_t *set = json_object();
	char *like = xasprintf("%s%%", a->prefix);
	int rc = DB_ERROR;
	struct db_stmt *st = db_prepare(
	    c, "SELECT idempotency_key FROM visits WHERE unit_code = ? AND idempotency_key LIKE ?");
	if (st) {
		db_bind_text(st, 1, a->unit);
		db_bind_text(st, 2, like);
		size_t plen = strlen(a->prefix);
		while ((rc = db_step(st)) == DB_ROW) {
			const char *k = db_col_text(st, 0);
			if (strncmp(k, a->prefix, plen) == 0) /* SQLite's LIKE ignores ASCII case */
				json_object_set_new(set, k, json_true());
		}
		db_finish(st);
	}
	free(like);
	if (rc != DB_DONE) {
		json_decref(set);
		return rc;
	}
	a->out = set;
	return DB_OK;
}

int db_visits_keys_with_prefix(struct db *db, const char *unit_code, const char *prefix, json_t **out)
{
	struct with_prefix a = {unit_code, prefix, NULL};
	int rc = db_read(db, with_prefix_fn, &a);
	*out = a.out; /* NULL unless DB_OK */
	return rc;
}

/* ---- small lookups ---- */

struct attested {
	const char *unit, *period;
	bool yes;
};

static int attested_fn(struct dbc *c, void *arg)
{
	struct attested *a = arg;
	int64_t one = 0;
	int rc = db_query_int(c, &one, VISIT_PERIOD_CLOSED_SQL, "ttt", a->unit, a->period, a->period);
	a->yes = rc == DB_ROW;
	return rc < 0 ? rc : DB_OK;
}

int db_period_attested(struct db *db, const char *unit_code, const char *period_iso, bool *attested)
{
	struct attested a = {unit_code, period_iso, false};
	int rc = db_read(db, attested_fn, &a);
	*attested = rc == DB_OK && a.yes;
	return rc;
}

struct sealed {
	int64_t id;
	char *out;
	size_t cap;
};

static int sealed_fn(struct dbc *c, void *arg)
{
	struct sealed *s = arg;
	if (s->cap)
		s->out[0] = '\0';
	struct db_stmt *st =
	    db_prepare(c, "SELECT cid_sealed FROM visits WHERE id = ? AND cid_sealed IS NOT NULL");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, s->id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *v = db_col_text(st, 0);
		if (strlen(v) < s->cap) {
			memcpy(s->out, v, strlen(v) + 1);
			rc = DB_OK;
		} else {
			rc = DB_ERROR;
		}
	}
	db_finish(st);
	return rc;
}

int db_visit_cid_sealed(struct db *db, int64_t id, char *out, size_t cap)
{
	struct sealed s = {id, out, cap};
	return db_read(db, sealed_fn, &s);
}

struct by_cid {
	const char *unit, *hash;
	json_t *out;
};

static int by_cid_fn(struct dbc *c, void *arg)
{
	struct by_cid *a = arg;
	json_decref(a->out);
	a->out = NULL;
	struct db_stmt *st = db_prepare(
	    c,
	    "SELECT v.id, v.seq, v.year_be, v.visit_day, v.visited_at, s.service_code, e.name_th, s.outcome "
	    "FROM (SELECT id FROM visits WHERE unit_code = ? AND cid_hash = ? AND status = 'active' "
	    "ORDER BY visited_at DESC, id DESC LIMIT ?) p JOIN visits v ON v.id = p.id "
	    "LEFT JOIN visit_services s ON s.visit_id = v.id LEFT JOIN eservices e ON e.code = "
	    "s.service_code "
	    "ORDER BY v.visited_at DESC, v.id DESC, e.sort_order, s.service_code");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->unit);
	db_bind_text(st, 2, a->hash);
	db_bind_int(st, 3, VISIT_FIND_CID_MAX);
	json_t *arr = json_array(), *cur = NULL;
	int64_t cur_id = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_col_int(st, 0);
		if (!cur || id != cur_id) {
			char number[VISIT_NUMBER_SIZE];
			number_format(number, db_col_int(st, 1), db_col_int(st, 2));
			cur = json_pack("{s:I, s:s, s:I, s:I, s:s, s:I, s:[]}", "id", (json_int_t)id,
			                "number", number, "seq", (json_int_t)db_col_int(st, 1), "year_be",
			                (json_int_t)db_col_int(st, 2), "visit_day", db_col_text(st, 3),
			                "visited_at", (json_int_t)db_col_int(st, 4), "services");
			cur_id = id;
			json_array_append_new(arr, cur);
		}
		if (!db_col_null(st, 5))
			json_array_append_new(json_object_get(cur, "services"),
			                      json_pack("{s:s, s:s, s:s}", "code", db_col_text(st, 5),
			                                "name_th", db_col_text(st, 6), "outcome",
			                                db_col_text(st, 7)));
	}
	db_finish(st);
	return rows_done(rc, arr, &a->out);
}

int db_visits_find_by_cid(struct db *db, const char *unit_code, const char *cid_hash, json_t **out)
{
	struct by_cid a = {unit_code, cid_hash, NULL};
	return read_json(db, by_cid_fn, &a, &a.out, out);
}

/* ---- import: many entries in one transaction ---- */

struct import {
	struct create *items;
	size_t n, added, existing, closed;
	void (*progress)(size_t done, size_t total, void *ctx);
	void *ctx;
	const struct visit_import_recompute *recompute;
};

/* The distinct periods of the rows the import added, for the recompute hook. */
static int import_recompute(struct dbc *c, struct import *im)
{
	if (!im->recompute || !im->recompute->fn)
		return DB_OK;
	const char **periods = xcalloc(im->n ? im->n : 1, sizeof *periods);
	size_t np = 0;
	for (size_t i = 0; i < im->n; i++) {
		if (im->items[i].out.existing)
			continue;
		size_t j = 0;
		while (j < np && strcmp(periods[j], im->items[i].period) != 0)
			j++;
		if (j == np)
			periods[np++] = im->items[i].period;
	}
	int rc = np ? im->recompute->fn(c, periods, np, im->recompute->ctx) : DB_OK;
	free(periods);
	return rc;
}

static int import_fn(struct dbc *c, void *arg)
{
	struct import *im = arg;
	im->added = im->existing = 0;
	for (size_t i = 0; i < im->n; i++) {
		int rc = create_fn(c, &im->items[i]);
		if (rc == VISIT_RC_CLOSED)
			im->closed = i;
		if (rc != DB_OK)
			return rc;
		if (im->items[i].out.existing)
			im->existing++;
		else
			im->added++;
		if (im->progress && (i % 100 == 99 || i + 1 == im->n))
			im->progress(i + 1, im->n, im->ctx);
	}
	return import_recompute(c, im);
}

int db_visits_import(struct db *db, const struct visit_create *items, size_t n, size_t *added,
                     size_t *existing, size_t *closed, void (*progress)(size_t done, size_t total, void *ctx),
                     void *ctx)
{
	return db_visits_import_recompute(db, items, n, added, existing, closed, progress, ctx, NULL);
}

int db_visits_import_recompute(struct db *db, const struct visit_create *items, size_t n, size_t *added,
                               size_t *existing, size_t *closed,
                               void (*progress)(size_t done, size_t total, void *ctx), void *ctx,
                               const struct visit_import_recompute *recompute)
{
	struct import im = {.n = n, .progress = progress, .ctx = ctx, .recompute = recompute};
	im.items = xcalloc(n ? n : 1, sizeof *im.items);
	int rc = DB_OK;
	for (size_t i = 0; i < n; i++) {
		struct create *a = &im.items[i];
		a->in = &items[i];
		a->key = opt(items[i].v->idempotency_key);
		a->lookup_key = true;
		if (input_day_period(items[i].v, a->day, a->period) != 0) {
			log_bug("visits: import with an invalid day or period");
			rc = DB_ERROR;
			n = i;
			goto out;
		}
		a->nsvc = svc_from_input(items[i].v, a->svc);
		a->after =
		    snapshot_of_input(items[i].v, a->day, a->period, items[i].cid_last4, items[i].officer_id);
	}
	/* All or nothing: one transaction (not the group-commit writer, which
	 * is for short requests). */
	rc = db_tx(db, import_fn, &im);
out:
	for (size_t i = 0; i < n; i++)
		free(im.items[i].after);
	free(im.items);
	if (rc == DB_OK) {
		*added = im.added;
		*existing = im.existing;
	}
	if (rc == VISIT_RC_CLOSED && closed)
		*closed = im.closed;
	return rc;
}

/* ---- scope, book, attestation ---- */

struct unit_of {
	int64_t id;
	char *unit;
	size_t cap;
};

static int unit_of_fn(struct dbc *c, void *arg)
{
	struct unit_of *u = arg;
	struct db_stmt *st = db_prepare(c, "SELECT unit_code FROM visits WHERE id = ?");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, u->id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *code = db_col_text(st, 0);
		if (strlen(code) < u->cap)
			memcpy(u->unit, code, strlen(code) + 1);
		else
			rc = DB_ERROR;
	}
	db_finish(st);
	return rc;
}

int db_visit_unit(struct db *db, int64_t id, char *unit, size_t cap)
{
	struct unit_of u = {id, unit, cap};
	if (cap)
		unit[0] = '\0';
	return db_read(db, unit_of_fn, &u);
}

struct book {
	const char *unit, *period;
	json_t *out;
};

static int book_fn(struct dbc *c, void *arg)
{
	struct book *b = arg;
	json_decref(b->out);
	b->out = NULL;
	/* One statement: it reads one snapshot on both backends. */
	struct db_stmt *st = db_prepare(c, "SELECT " ENTRY_COLS " FROM visits v" ENTRY_JOINS
	                                   " WHERE v.unit_code = ? AND v.period = ?"
	                                   " ORDER BY v.year_be, v.seq, e.sort_order, s.service_code");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, b->unit);
	db_bind_text(st, 2, b->period);
	json_t *arr = json_array();
	int rc = entries_read(st, arr);
	db_finish(st);
	if (rc == DB_OK && json_array_size(arr) > VISIT_BOOK_MAX) {
		log_error("visits: the book of %s %s holds more than %d entries", b->unit, b->period,
		          VISIT_BOOK_MAX);
		rc = DB_ERROR;
	}
	if (rc != DB_OK) {
		json_decref(arr);
		return rc;
	}
	b->out = arr;
	return DB_OK;
}

int db_visits_book(struct db *db, const char *unit_code, const char *period_iso, json_t **out)
{
	struct book b = {unit_code, period_iso, NULL};
	return read_json(db, book_fn, &b, &b.out, out);
}

struct attest {
	const char *unit, *period;
	int64_t user_id, now;
};

static int attest_fn(struct dbc *c, void *arg)
{
	struct attest *a = arg;
	if (a->user_id)
		return db_exec(
		    c,
		    "INSERT INTO period_attestations (unit_code, period, attested_at, attested_by) "
		    "VALUES (?, ?, ?, ?) ON CONFLICT (unit_code, period) DO NOTHING",
		    "ttii", a->unit, a->period, a->now, a->user_id);
	return db_exec(c,
	               "INSERT INTO period_attestations (unit_code, period, attested_at) VALUES (?, ?, ?) "
	               "ON CONFLICT (unit_code, period) DO NOTHING",
	               "tti", a->unit, a->period, a->now);
}

int db_period_attest(struct db *db, const char *unit_code, const char *period_iso, int64_t user_id,
                     int64_t now)
{
	struct attest a = {unit_code, period_iso, user_id, now};
	return WRITE_TX(db, attest_fn, &a);
}

struct overview {
	const char *parent, *first, *last;
	json_t *out;
};

static int overview_fn(struct dbc *c, void *arg)
{
	struct overview *o = arg;
	json_decref(o->out);
	o->out = NULL;
	bool all = strcmp(o->parent, "0") == 0;
	/* Correlated subqueries: each is a range of a roll-up's primary key,
	 * of the partial index of void entries, or one step of the
	 * (unit_code, visited_at) index (MAX), per district. */
	struct db_stmt *st = db_prepare(
	    c, all ? "SELECT u.code, u.name_th, u.parent_code, "
	             "COALESCE((SELECT SUM(r.visits) FROM rollup_visits r WHERE r.unit_code = u.code AND "
	             "r.day >= ? "
	             "AND r.day <= ?), 0) AS entries, "
	             "COALESCE((SELECT SUM(s.n) FROM rollup_services s WHERE s.unit_code = u.code AND s.day "
	             ">= ? "
	             "AND s.day <= ?), 0) AS services, "
	             "(SELECT COUNT(*) FROM visits v WHERE v.unit_code = u.code AND v.status = 'void' AND "
	             "v.visit_day >= ? AND v.visit_day <= ?) AS nvoid, "
	             "(SELECT MAX(v.visited_at) FROM visits v WHERE v.unit_code = u.code) AS last_at "
	             "FROM units u WHERE u.level = 2 AND u.in_programme = 1 ORDER BY u.code"
	           : "SELECT u.code, u.name_th, u.parent_code, "
	             "COALESCE((SELECT SUM(r.visits) FROM rollup_visits r WHERE r.unit_code = u.code AND "
	             "r.day >= ? "
	             "AND r.day <= ?), 0) AS entries, "
	             "COALESCE((SELECT SUM(s.n) FROM rollup_services s WHERE s.unit_code = u.code AND s.day "
	             ">= ? "
	             "AND s.day <= ?), 0) AS services, "
	             "(SELECT COUNT(*) FROM visits v WHERE v.unit_code = u.code AND v.status = 'void' AND "
	             "v.visit_day >= ? AND v.visit_day <= ?) AS nvoid, "
	             "(SELECT MAX(v.visited_at) FROM visits v WHERE v.unit_code = u.code) AS last_at "
	             "FROM units u WHERE u.level = 2 AND u.in_programme = 1 AND u.parent_code = ? ORDER BY "
	             "u.code");
	if (!st)
		return DB_ERROR;
	for (int i = 0; i < 3; i++) {
		db_bind_text(st, 2 * i + 1, o->first);
		db_bind_text(st, 2 * i + 2, o->last);
	}
	if (!all)
		db_bind_text(st, 7, o->parent);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "code", db_col_text(st, 0), "name_th",
		              db_col_text(st, 1), "province_code", db_col_text(st, 2), "entries",
		              (json_int_t)db_col_int(st, 3), "services", (json_int_t)db_col_int(st, 4),
		              "void", (json_int_t)db_col_int(st, 5), "last_entry_at",
		              db_col_null(st, 6) ? json_null() : json_integer(db_col_int(st, 6))));
	db_finish(st);
	return rows_done(rc, arr, &o->out);
}

int db_registry_overview(struct db *db, const char *parent_code, const char *first_day, const char *last_day,
                         json_t **out)
{
	struct overview o = {parent_code, first_day, last_day, NULL};
	return read_json(db, overview_fn, &o, &o.out, out);
}

struct count_days {
	const char *unit, *first, *last;
	int64_t n;
};

static int count_days_fn(struct dbc *c, void *arg)
{
	struct count_days *a = arg;
	a->n = 0;
	int rc = db_query_int(
	    c, &a->n,
	    "SELECT COALESCE(SUM(visits), 0) AS n FROM rollup_visits WHERE unit_code = ? AND day >= ? "
	    "AND day <= ?",
	    "ttt", a->unit, a->first, a->last);
	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

int db_visits_count_days(struct db *db, const char *unit_code, const char *first_day, const char *last_day,
                         int64_t *n)
{
	struct count_days a = {unit_code, first_day, last_day, 0};
	int rc = db_read(db, count_days_fn, &a);
	*n = rc == DB_OK ? a.n : 0;
	return rc;
}

struct changed {
	const char *unit;
	int64_t since, limit;
	json_t *out;
};

static int changed_fn(struct dbc *c, void *arg)
{
	struct changed *a = arg;
	json_decref(a->out);
	a->out = NULL;
	struct db_stmt *st = db_prepare(
	    c, "SELECT id, seq, year_be, status, version, updated_at, visitor_name FROM visits "
	       "WHERE unit_code = ? AND updated_at >= ? AND version > 1 ORDER BY updated_at DESC, id DESC "
	       "LIMIT ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->unit);
	db_bind_int(st, 2, a->since);
	db_bind_int(st, 3, a->limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char number[VISIT_NUMBER_SIZE];
		number_format(number, db_col_int(st, 1), db_col_int(st, 2));
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)db_col_int(st, 0),
		                   "number", number, "status", db_col_text(st, 3), "version",
		                   (json_int_t)db_col_int(st, 4), "updated_at", (json_int_t)db_col_int(st, 5),
		                   "visitor_name", db_col_text(st, 6)));
	}
	db_finish(st);
	return rows_done(rc, arr, &a->out);
}

int db_visits_changed_since(struct db *db, const char *unit_code, int64_t since, int64_t limit, json_t **out)
{
	struct changed a = {unit_code, since, limit, NULL};
	return read_json(db, changed_fn, &a, &a.out, out);
}
