/* Statistics queries: see db/stats.h. */
#include "db/stats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "db/db.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"

/* ---- tables ---- */

void stats_table_free(struct stats_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->rows[i].name_th);
		json_decref(t->rows[i].bd);
	}
	free(t->rows);
	memset(t, 0, sizeof *t);
}

static int row_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct stats_row *)elem)->code);
}

struct stats_row *stats_table_find(const struct stats_table *t, const char *code)
{
	if (!t->rows || !code)
		return NULL;
	return bsearch(code, t->rows, t->n, sizeof *t->rows, row_cmp);
}

static const char *const BD_DIMS[] = {"service", "agency", "channel", "outcome", "sex", "age_band"};
#define NDIMS (sizeof BD_DIMS / sizeof *BD_DIMS)

static json_t *bd_new(void)
{
	json_t *bd = json_object();
	for (size_t i = 0; i < NDIMS; i++)
		json_object_set_new(bd, BD_DIMS[i], json_object());
	return bd;
}

static void bd_add(json_t *bd, const char *dim, const char *key, int64_t n)
{
	json_t *d = json_object_get(bd, dim);
	if (!d) {
		d = json_object();
		json_object_set_new(bd, dim, d);
	}
	json_t *v = json_object_get(d, key);
	json_object_set_new(d, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

static void bd_merge(json_t **into, const json_t *from)
{
	if (!from)
		return;
	if (!*into)
		*into = bd_new();
	const char *dim;
	json_t *d;
	json_object_foreach((json_t *)from, dim, d)
	{
		const char *key;
		json_t *v;
		json_object_foreach(d, key, v) bd_add(*into, dim, key, json_integer_value(v));
	}
}

void stats_table_add(struct stats_table *a, const struct stats_table *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct stats_row *r = stats_table_find(a, b->rows[i].code);
		if (!r)
			continue;
		stats_num_add(&r->num, &b->rows[i].num);
		bd_merge(&r->bd, b->rows[i].bd);
	}
}

static char *dup(const char *s)
{
	return xstrdup(s ? s : "");
}

/* The units with a code in [lo, hi), ordered by code (as strcmp orders:
 * the bsearch's order). */
static int load_units(struct dbc *c, struct stats_table *t, const char *lo, const char *hi)
{
	struct db_stmt *st = db_prepare(
	    c,
	    "SELECT code, COALESCE(parent_code, ''), level, name_th, in_programme FROM units WHERE code >= "
	    "? AND code < ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, lo);
	db_bind_text(st, 2, hi);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *code = db_col_text(st, 0), *parent = db_col_text(st, 1);
		if (strlen(code) >= UNIT_CODE_SIZE || strlen(parent) >= UNIT_CODE_SIZE)
			continue;
		if (t->n == cap) {
			cap = cap ? cap * 2 : 1024;
			t->rows = xrealloc(t->rows, cap * sizeof *t->rows);
		}
		struct stats_row *r = &t->rows[t->n++];
		memset(r, 0, sizeof *r);
		memcpy(r->code, code, strlen(code) + 1);
		memcpy(r->parent, parent, strlen(parent) + 1);
		r->level = (int)db_col_int(st, 2);
		r->name_th = dup(db_col_text(st, 3));
		r->in_programme = db_col_int(st, 4) != 0;
	}
	db_finish(st);
	if (rc != DB_DONE)
		return rc;
	qsort(t->rows, t->n, sizeof *t->rows, (int (*)(const void *, const void *))strcmp);
	return DB_OK;
}

/* ---- live numbers, from the roll-ups ---- */

struct district_days {
	int64_t *active; /* days it served someone, ascending */
	size_t n, cap;
};

struct live {
	struct stats_table *t;
	char first[THAI_ISO_DAY_SIZE], last[THAI_ISO_DAY_SIZE];
	char period[PERIOD_ISO_SIZE]; /* the period roll-ups' key (visits.period) */
	int64_t dfirst, dlast;
	const char *bd_unit;
	char bd_lo[UNIT_CODE_SIZE + 1], bd_hi[UNIT_CODE_SIZE + 1]; /* breakdown unit range */
	char num_lo[UNIT_CODE_SIZE + 1],
	    num_hi[UNIT_CODE_SIZE + 1]; /* the districts whose numbers are read */
	struct district_days *days;     /* per row */
	int64_t *version;               /* per row: rollup_period_units.version, -1 without a row */
	json_t *agency;                 /* service code → agency_th */
};

/* The codes in [lo, hi) are unit and the units below it. */
static void subtree_range(const char *unit, char *lo, char *hi)
{
	if (!unit || !strcmp(unit, "*") || !strcmp(unit, UNIT_CODE_NATIONAL)) {
		lo[0] = '\0';
		snprintf(hi, UNIT_CODE_SIZE + 1, "~");
		return;
	}
	size_t n = strlen(unit);
	memcpy(lo, unit, n + 1);
	memcpy(hi, unit, n + 1);
	hi[n - 1]++; /* "47" → "48", "4701" → "4702"; digits only */
}

/* The units a model of focus reads: a district's province (itself and its
 * siblings; not the nation's row, which it does not show), or every unit. */
static void focus_range(const char *focus, char *lo, char *hi)
{
	char parent[UNIT_CODE_SIZE];
	if (focus && unit_level_of_code(focus) == UNIT_LEVEL_DISTRICT && unit_parent_code(focus, parent) == 0)
		subtree_range(parent, lo, hi);
	else
		subtree_range(NULL, lo, hi);
}

static struct stats_row *district_row(struct live *l, const char *code, size_t *idx)
{
	struct stats_row *r = stats_table_find(l->t, code);
	if (!r || r->level != 2)
		return NULL;
	*idx = (size_t)(r - l->t->rows);
	return r;
}

/* Each district's totals of the period (rollup_period_units, migration
 * 015): one row per district, whatever its number of days and services. */
static int live_totals(struct dbc *c, struct live *l)
{
	struct db_stmt *st = db_prepare(
	    c, "SELECT unit_code, users, transactions, survey_n, survey_point_n, survey_visit_n, survey_sum, "
	       "active_days, version FROM rollup_period_units WHERE period = ? AND unit_code >= ? AND "
	       "unit_code < ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, l->period);
	db_bind_text(st, 2, l->num_lo);
	db_bind_text(st, 3, l->num_hi);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		size_t i;
		struct stats_row *r = district_row(l, db_col_text(st, 0), &i);
		if (!r)
			continue;
		r->num.users += db_col_int(st, 1);
		r->num.transactions += db_col_int(st, 2);
		r->num.survey_n += db_col_int(st, 3);
		r->num.survey_point_n += db_col_int(st, 4);
		r->num.survey_visit_n += db_col_int(st, 5);
		r->num.survey_sum += db_col_int(st, 6);
		l->version[i] = db_col_int(st, 8);
		uint64_t mask = (uint64_t)db_col_int(st, 7);
		if (!mask)
			continue;
		/* The days of the period it served someone, ascending. */
		struct district_days *dd = &l->days[i];
		for (int64_t d = l->dfirst; d <= l->dlast; d++) {
			struct civil_day cd = thai_civil_from_days(d);
			if (!(mask >> (cd.d - 1) & 1))
				continue;
			if (dd->n == dd->cap) {
				dd->cap = dd->cap ? dd->cap * 2 : 32;
				dd->active = xrealloc(dd->active, dd->cap * sizeof *dd->active);
			}
			dd->active[dd->n++] = d;
		}
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static void bd_services_add(struct live *l, json_t *bd, const char *svc, const char *outcome, int64_t n)
{
	bd_add(bd, "service", svc, n);
	bd_add(bd, "outcome", outcome, n);
	const char *ag = json_string_value(json_object_get(l->agency, svc));
	bd_add(bd, "agency", ag && *ag ? ag : "ไม่ระบุหน่วยงาน", n);
}

static void bd_attrs_add(json_t *bd, const char *channel, const char *sex, const char *age_band, int64_t n)
{
	bd_add(bd, "channel", channel, n);
	bd_add(bd, "sex", *sex ? sex : "unknown", n);
	bd_add(bd, "age_band", *age_band ? age_band : "unknown", n);
}

/* The breakdowns. Every unit's (the closing): each district's rows into its
 * own row (roll_up adds them up the tree). One unit's: its subtree summed by
 * the database, one row per key. */
static int live_breakdowns(struct dbc *c, struct live *l, bool services)
{
	if (!l->bd_unit)
		return DB_OK;
	bool every = !strcmp(l->bd_unit, "*");
	static const char *const sql[2][2] = {
	    {"SELECT unit_code, channel, sex, age_band, n FROM rollup_visit_attrs WHERE period = ? AND "
	     "unit_code >= ? AND unit_code < ? AND n <> 0",
	     "SELECT '', channel, sex, age_band, SUM(n) FROM rollup_visit_attrs WHERE period = ? AND "
	     "unit_code >= ? AND unit_code < ? GROUP BY channel, sex, age_band"},
	    {"SELECT unit_code, service_code, outcome, n FROM rollup_period_services WHERE period = ? AND "
	     "unit_code >= ? AND unit_code < ? AND n <> 0",
	     "SELECT '', service_code, outcome, SUM(n) FROM rollup_period_services WHERE period = ? AND "
	     "unit_code >= ? AND unit_code < ? GROUP BY service_code, outcome"}};
	struct db_stmt *st = db_prepare(c, sql[services][!every]);
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, l->period);
	db_bind_text(st, 2, l->bd_lo);
	db_bind_text(st, 3, l->bd_hi);
	struct stats_row *one = every ? NULL : stats_table_find(l->t, l->bd_unit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct stats_row *r = one;
		size_t i;
		if (every)
			r = district_row(l, db_col_text(st, 0), &i);
		int64_t n = db_col_int(st, services ? 3 : 4);
		if (!r || !n)
			continue;
		if (!r->bd)
			r->bd = bd_new();
		if (services)
			bd_services_add(l, r->bd, db_col_text(st, 1), db_col_text(st, 2), n);
		else
			bd_attrs_add(r->bd, db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3), n);
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* ---- breakdowns held in memory ----
 *
 * A province's or the nation's breakdowns of an open period are the sums of
 * their districts' (the nation: ~100 rows per district, ~90k in all). Each
 * district's are held here per period with the version of its totals row
 * (rollup_period_units.version, a new random number with every create, edit
 * and void of the district's entries of the period, in the same
 * transaction): a district whose version moved, or that is not held yet, is
 * read again, the others are summed from memory. So the answer is what the
 * database holds, on every node, and a request reads only the districts
 * written since the last one. A row built by SQL (version 0) is never held.
 * The versions are read before the breakdowns: a breakdown newer than its
 * version is read again next time, never the other way round. */

enum { HB_SERVICE, HB_OUTCOME, HB_CHANNEL, HB_SEX, HB_AGE, HB__N };
static const char *const hb_dim[HB__N] = {"service", "outcome", "channel", "sex", "age_band"};
#define HB_PERIODS 4  /* periods held (the open one or two, and spares) */
#define HB_BATCH   32 /* past this many districts to read, one statement for all */

struct hb_item {
	uint32_t dim, key;
	int64_t n;
};
struct hb_dist {
	char code[UNIT_CODE_SIZE];
	int64_t version;
	struct hb_item *items;
	size_t n;
};
struct hb_period {
	char period[PERIOD_ISO_SIZE];
	struct hb_dist *d; /* by code */
	size_t n, cap;
	uint64_t used;
};
static struct {
	pthread_mutex_t mu; /* p, tick; taken before kmu */
	struct hb_period p[HB_PERIODS];
	uint64_t tick;
	pthread_mutex_t kmu;      /* the keys: they only grow */
	json_t *key_index[HB__N]; /* key → index */
	char **keys[HB__N];       /* index → key */
	size_t nkeys[HB__N], capkeys[HB__N];
} hb = {.mu = PTHREAD_MUTEX_INITIALIZER, .kmu = PTHREAD_MUTEX_INITIALIZER};

/* Under hb.kmu. */
static uint32_t hb_key(int dim, const char *key)
{
	if (!hb.key_index[dim])
		hb.key_index[dim] = json_object();
	json_t *v = json_object_get(hb.key_index[dim], key);
	if (v)
		return (uint32_t)json_integer_value(v);
	if (hb.nkeys[dim] == hb.capkeys[dim]) {
		hb.capkeys[dim] = hb.capkeys[dim] ? hb.capkeys[dim] * 2 : 64;
		hb.keys[dim] = xrealloc(hb.keys[dim], hb.capkeys[dim] * sizeof *hb.keys[dim]);
	}
	hb.keys[dim][hb.nkeys[dim]] = xstrdup(key);
	json_object_set_new(hb.key_index[dim], key, json_integer((json_int_t)hb.nkeys[dim]));
	return (uint32_t)hb.nkeys[dim]++;
}

static int hb_dist_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hb_dist *)a)->code, ((const struct hb_dist *)b)->code);
}

static struct hb_period *hb_period_of(const char *period)
{
	struct hb_period *old = &hb.p[0];
	for (int i = 0; i < HB_PERIODS; i++) {
		if (!strcmp(hb.p[i].period, period)) {
			hb.p[i].used = ++hb.tick;
			return &hb.p[i];
		}
		if (hb.p[i].used < old->used)
			old = &hb.p[i];
	}
	for (size_t i = 0; i < old->n; i++)
		free(old->d[i].items);
	free(old->d);
	memset(old, 0, sizeof *old);
	snprintf(old->period, sizeof old->period, "%s", period);
	old->used = ++hb.tick;
	return old;
}

static struct hb_dist *hb_find(struct hb_period *p, const char *code)
{
	struct hb_dist k;
	snprintf(k.code, sizeof k.code, "%s", code);
	return p->n ? bsearch(&k, p->d, p->n, sizeof *p->d, hb_dist_cmp) : NULL;
}

/* Under hb.mu: d replaces the held one (or is added); d's items move. */
static void hb_put(struct hb_period *p, struct hb_dist *d)
{
	struct hb_dist *h = hb_find(p, d->code);
	if (h) {
		free(h->items);
		*h = *d;
	} else {
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 1024;
			p->d = xrealloc(p->d, p->cap * sizeof *p->d);
		}
		p->d[p->n++] = *d;
		qsort(p->d, p->n, sizeof *p->d, hb_dist_cmp);
	}
	d->items = NULL;
	d->n = 0;
}

static void hb_item_add(struct hb_dist *d, size_t *cap, int dim, const char *key, int64_t n)
{
	pthread_mutex_lock(&hb.kmu);
	uint32_t k = hb_key(dim, key);
	pthread_mutex_unlock(&hb.kmu);
	for (size_t i = 0; i < d->n; i++)
		if (d->items[i].dim == (uint32_t)dim && d->items[i].key == k) {
			d->items[i].n += n;
			return;
		}
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->items = xrealloc(d->items, *cap * sizeof *d->items);
	}
	d->items[d->n++] = (struct hb_item){(uint32_t)dim, k, n};
}

/* The national or a province's breakdowns come from the held districts. */
static bool held_breakdowns(const struct live *l)
{
	return l->bd_unit && strcmp(l->bd_unit, "*") != 0 &&
	       unit_level_of_code(l->bd_unit) != UNIT_LEVEL_DISTRICT;
}

/* Reads the breakdown rows of [lo, hi) into fresh[i] for the rows i marked
 * in want (both statements; rows of other districts are skipped). */
static int hb_read(struct dbc *c, struct live *l, const char *lo, const char *hi, const bool *want,
                   struct hb_dist *fresh, size_t *caps)
{
	static const char *const sql[2] = {
	    "SELECT unit_code, service_code, outcome, n FROM rollup_period_services WHERE period = ? AND "
	    "unit_code >= ? AND unit_code < ? AND n <> 0",
	    "SELECT unit_code, channel, sex, age_band, n FROM rollup_visit_attrs WHERE period = ? AND "
	    "unit_code >= ? AND unit_code < ? AND n <> 0"};
	for (int q = 0; q < 2; q++) {
		struct db_stmt *st = db_prepare(c, sql[q]);
		if (!st)
			return DB_ERROR;
		db_bind_text(st, 1, l->period);
		db_bind_text(st, 2, lo);
		db_bind_text(st, 3, hi);
		int rc;
		while ((rc = db_step(st)) == DB_ROW) {
			size_t i;
			if (!district_row(l, db_col_text(st, 0), &i) || !want[i])
				continue;
			if (q == 0) {
				int64_t n = db_col_int(st, 3);
				hb_item_add(&fresh[i], &caps[i], HB_SERVICE, db_col_text(st, 1), n);
				hb_item_add(&fresh[i], &caps[i], HB_OUTCOME, db_col_text(st, 2), n);
			} else {
				int64_t n = db_col_int(st, 4);
				const char *sex = db_col_text(st, 2), *age = db_col_text(st, 3);
				hb_item_add(&fresh[i], &caps[i], HB_CHANNEL, db_col_text(st, 1), n);
				hb_item_add(&fresh[i], &caps[i], HB_SEX, *sex ? sex : "unknown", n);
				hb_item_add(&fresh[i], &caps[i], HB_AGE, *age ? age : "unknown", n);
			}
		}
		db_finish(st);
		if (rc != DB_DONE)
			return rc;
	}
	return DB_OK;
}

/* One try: DB_OK, DB_DONE when a district held at the start was gone at the
 * end (another period took its place meanwhile: try again), or negative. */
static int held_once(struct dbc *c, struct live *l)
{
	size_t n = l->t->n, nwant = 0;
	bool *want = xcalloc(n ? n : 1, sizeof *want);
	struct hb_dist *fresh = xcalloc(n ? n : 1, sizeof *fresh);
	size_t *caps = xcalloc(n ? n : 1, sizeof *caps);
	/* Which districts of the unit are to be read: not held, or moved. */
	pthread_mutex_lock(&hb.mu);
	struct hb_period *p = hb_period_of(l->period);
	for (size_t i = 0; i < n; i++) {
		const struct stats_row *r = &l->t->rows[i];
		if (r->level != 2 || l->version[i] < 0 || strcmp(r->code, l->bd_lo) < 0 ||
		    strcmp(r->code, l->bd_hi) >= 0)
			continue;
		const struct hb_dist *h = l->version[i] ? hb_find(p, r->code) : NULL;
		if (!h || h->version != l->version[i]) {
			want[i] = true;
			nwant++;
		}
	}
	pthread_mutex_unlock(&hb.mu);
	int rc = DB_OK;
	if (nwant > HB_BATCH)
		rc = hb_read(c, l, l->bd_lo, l->bd_hi, want, fresh, caps);
	else
		for (size_t i = 0; i < n && rc == DB_OK; i++)
			if (want[i]) {
				char lo[UNIT_CODE_SIZE + 1], hi[UNIT_CODE_SIZE + 1];
				subtree_range(l->t->rows[i].code, lo, hi);
				rc = hb_read(c, l, lo, hi, want, fresh, caps);
			}
	if (rc == DB_OK) {
		pthread_mutex_lock(&hb.mu);
		pthread_mutex_lock(&hb.kmu);
		p = hb_period_of(l->period); /* may have been replaced meanwhile */
		int64_t *sum[HB__N];
		for (int d = 0; d < HB__N; d++)
			sum[d] = xcalloc(hb.nkeys[d] ? hb.nkeys[d] : 1, sizeof *sum[d]);
		for (size_t i = 0; i < n; i++) {
			const struct stats_row *r = &l->t->rows[i];
			if (r->level != 2 || l->version[i] < 0 || strcmp(r->code, l->bd_lo) < 0 ||
			    strcmp(r->code, l->bd_hi) >= 0)
				continue;
			const struct hb_dist *h = &fresh[i];
			if (want[i] && l->version[i]) {
				snprintf(fresh[i].code, sizeof fresh[i].code, "%s", r->code);
				fresh[i].version = l->version[i];
				hb_put(p, &fresh[i]);
			}
			if (!want[i] || l->version[i])
				h = hb_find(p, r->code);
			if (!h) { /* dropped with its period meanwhile */
				rc = DB_DONE;
				break;
			}
			for (size_t k = 0; k < h->n; k++)
				sum[h->items[k].dim][h->items[k].key] += h->items[k].n;
		}
		struct stats_row *u = stats_table_find(l->t, l->bd_unit);
		if (u && rc == DB_OK) {
			if (!u->bd)
				u->bd = bd_new();
			for (int d = 0; d < HB__N; d++)
				for (size_t k = 0; k < hb.nkeys[d]; k++) {
					if (!sum[d][k])
						continue;
					bd_add(u->bd, hb_dim[d], hb.keys[d][k], sum[d][k]);
					if (d == HB_SERVICE) {
						const char *ag = json_string_value(
						    json_object_get(l->agency, hb.keys[d][k]));
						bd_add(u->bd, "agency", ag && *ag ? ag : "ไม่ระบุหน่วยงาน",
						       sum[d][k]);
					}
				}
		}
		for (int d = 0; d < HB__N; d++)
			free(sum[d]);
		pthread_mutex_unlock(&hb.kmu);
		pthread_mutex_unlock(&hb.mu);
	}
	for (size_t i = 0; i < n; i++)
		free(fresh[i].items);
	free(fresh);
	free(caps);
	free(want);
	return rc;
}

static int live_breakdowns_held(struct dbc *c, struct live *l)
{
	int rc = DB_DONE;
	for (int i = 0; i < 3 && rc == DB_DONE; i++)
		rc = held_once(c, l);
	if (rc != DB_DONE)
		return rc;
	/* Periods kept changing hands: straight from the database. */
	rc = live_breakdowns(c, l, true);
	return rc == DB_OK ? live_breakdowns(c, l, false) : rc;
}

static int64_t day_number(const char *iso, int64_t dflt)
{
	struct civil_day d;
	return thai_day_parse(iso, &d) == 0 ? thai_days_from_civil(d.y, d.m, d.d) : dflt;
}

/* Open days: every district of the programme; a point's status history in
 * the order it took effect (a district without a point row or history:
 * open throughout, as the seed makes every point 'open'). */
static int live_open_days(struct dbc *c, struct live *l)
{
	int64_t *hol = NULL;
	size_t nh = 0, caph = 0;
	struct db_stmt *st =
	    db_prepare(c, "SELECT day FROM public_holidays WHERE day >= ? AND day <= ? ORDER BY day");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, l->first);
	db_bind_text(st, 2, l->last);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t d = day_number(db_col_text(st, 0), INT64_MIN);
		if (d == INT64_MIN)
			continue;
		if (nh == caph) {
			caph = caph ? caph * 2 : 32;
			hol = xrealloc(hol, caph * sizeof *hol);
		}
		hol[nh++] = d;
	}
	db_finish(st);
	if (rc != DB_DONE) {
		free(hol);
		return rc;
	}
	/* Changes per district, in effect order. */
	size_t n = l->t->n;
	struct stats_status_change **ch = xcalloc(n ? n : 1, sizeof *ch);
	size_t *nch = xcalloc(n ? n : 1, sizeof *nch), *capc = xcalloc(n ? n : 1, sizeof *capc);
	st = db_prepare(c, "SELECT unit_code, status, since FROM point_status_history WHERE since <= ? "
	                   "AND unit_code >= ? AND unit_code < ? ORDER BY unit_code, since, id");
	if (!st) {
		rc = DB_ERROR;
		goto out;
	}
	db_bind_text(st, 1, l->last);
	db_bind_text(st, 2, l->num_lo);
	db_bind_text(st, 3, l->num_hi);
	while ((rc = db_step(st)) == DB_ROW) {
		size_t i;
		if (!district_row(l, db_col_text(st, 0), &i))
			continue;
		if (nch[i] == capc[i]) {
			capc[i] = capc[i] ? capc[i] * 2 : 4;
			ch[i] = xrealloc(ch[i], capc[i] * sizeof *ch[i]);
		}
		ch[i][nch[i]].since = day_number(db_col_text(st, 2), INT64_MIN / 2);
		ch[i][nch[i]].open = !strcmp(db_col_text(st, 1), "open");
		nch[i]++;
	}
	db_finish(st);
	if (rc != DB_DONE)
		goto out;
	rc = DB_OK;
	for (size_t i = 0; i < n; i++) {
		struct stats_row *r = &l->t->rows[i];
		if (r->level != 2 || !r->in_programme || strcmp(r->code, l->num_lo) < 0 ||
		    strcmp(r->code, l->num_hi) >= 0)
			continue;
		r->num.open_days = stats_open_days(l->dfirst, l->dlast, true, ch[i], nch[i], hol, nh,
		                                   l->days[i].active, l->days[i].n);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(ch[i]);
	free(ch);
	free(nch);
	free(capc);
	free(hol);
	return rc;
}

static int load_agencies(struct dbc *c, struct live *l)
{
	l->agency = json_object();
	struct db_stmt *st = db_prepare(c, "SELECT code, agency_th FROM eservices");
	if (!st)
		return DB_ERROR;
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_object_set_new(l->agency, db_col_text(st, 0), json_string(db_col_text(st, 1)));
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Districts' numbers added into their province and the nation (in code
 * order a district comes after its province, so go by parent lookups). */
static void roll_up(struct stats_table *t, bool bd)
{
	struct stats_row *nat = stats_table_find(t, UNIT_CODE_NATIONAL);
	for (int level = 2; level >= 1; level--)
		for (size_t i = 0; i < t->n; i++) {
			struct stats_row *r = &t->rows[i];
			if (r->level != level)
				continue;
			struct stats_row *p = level == 2 ? stats_table_find(t, r->parent) : nat;
			if (!p)
				continue;
			stats_num_add(&p->num, &r->num);
			if (bd)
				bd_merge(&p->bd, r->bd);
		}
}

/* focus: NULL reads every district; a district code reads its province's
 * districts only (what its model needs: itself and its siblings). */
static int live_read(struct dbc *c, struct period p, int cutoff, const char *bd_unit, const char *focus,
                     struct stats_table *out)
{
	memset(out, 0, sizeof *out);
	struct civil_day first, last;
	if (period_range(p, cutoff, &first, &last) != 0)
		return DB_ERROR;
	struct live l = {.t = out, .bd_unit = bd_unit};
	thai_day_iso(first, l.first);
	period_iso(p, l.period);
	thai_day_iso(last, l.last);
	l.dfirst = thai_days_from_civil(first.y, first.m, first.d);
	l.dlast = thai_days_from_civil(last.y, last.m, last.d);
	subtree_range(bd_unit, l.bd_lo, l.bd_hi);
	focus_range(focus, l.num_lo, l.num_hi);
	int rc = load_units(c, out, l.num_lo, l.num_hi);
	if (rc == DB_OK) {
		l.days = xcalloc(out->n ? out->n : 1, sizeof *l.days);
		l.version = xcalloc(out->n ? out->n : 1, sizeof *l.version);
		for (size_t i = 0; i < out->n; i++)
			l.version[i] = -1;
		rc = load_agencies(c, &l);
	}
	if (rc == DB_OK)
		rc = live_totals(c, &l);
	if (rc == DB_OK && held_breakdowns(&l))
		rc = live_breakdowns_held(c, &l);
	else if (rc == DB_OK)
		rc = live_breakdowns(c, &l, true);
	if (rc == DB_OK && !held_breakdowns(&l))
		rc = live_breakdowns(c, &l, false);
	if (rc == DB_OK)
		rc = live_open_days(c, &l);
	if (l.days)
		for (size_t i = 0; i < out->n; i++)
			free(l.days[i].active);
	free(l.days);
	free(l.version);
	json_decref(l.agency);
	if (rc != DB_OK) {
		stats_table_free(out);
		return rc;
	}
	roll_up(out, bd_unit && !strcmp(bd_unit, "*"));
	/* A unit asked for that has no entries still answers empty breakdowns. */
	if (bd_unit && strcmp(bd_unit, "*")) {
		struct stats_row *r = stats_table_find(out, bd_unit);
		if (r && !r->bd)
			r->bd = bd_new();
	} else if (bd_unit) {
		for (size_t i = 0; i < out->n; i++)
			if (!out->rows[i].bd)
				out->rows[i].bd = bd_new();
	}
	return DB_OK;
}

int dbc_stats_live(struct dbc *c, struct period p, int cutoff, const char *bd_unit, struct stats_table *out)
{
	return live_read(c, p, cutoff, bd_unit, NULL, out);
}

/* ---- snapshot reads ---- */

static int closed_at(struct dbc *c, const char *period_iso, int64_t *at)
{
	*at = 0;
	int rc =
	    db_query_int(c, at, "SELECT closed_at FROM period_closings WHERE period = ?", "t", period_iso);
	return rc;
}

/* focus as for live_read: a district's model reads its province's rows. */
static int snapshot_read(struct dbc *c, const char *period_iso, const char *bd_unit, const char *focus,
                         struct stats_table *out)
{
	char lo[UNIT_CODE_SIZE + 1], hi[UNIT_CODE_SIZE + 1];
	focus_range(focus, lo, hi);
	int rc = load_units(c, out, lo, hi);
	if (rc != DB_OK)
		return rc;
	/* The breakdowns' JSON only of the unit asked for: PostgreSQL would
	 * send every unit's (megabytes at national scale). */
	struct db_stmt *st = db_prepare(
	    c,
	    "SELECT unit_code, users, transactions, survey_n, survey_point_n, survey_visit_n, survey_sum, "
	    "open_days, CASE WHEN CAST(? AS TEXT) = '*' OR unit_code = CAST(? AS TEXT) THEN breakdown_json "
	    "ELSE '' END FROM stats_snapshots WHERE period = ? AND unit_code >= ? AND unit_code < ?");
	if (!st)
		return DB_ERROR;
	const char *want = bd_unit ? bd_unit : "";
	db_bind_text(st, 1, want);
	db_bind_text(st, 2, want);
	db_bind_text(st, 3, period_iso);
	db_bind_text(st, 4, lo);
	db_bind_text(st, 5, hi);
	while ((rc = db_step(st)) == DB_ROW) {
		struct stats_row *r = stats_table_find(out, db_col_text(st, 0));
		if (!r)
			continue;
		r->num.users = db_col_int(st, 1);
		r->num.transactions = db_col_int(st, 2);
		r->num.survey_n = db_col_int(st, 3);
		r->num.survey_point_n = db_col_int(st, 4);
		r->num.survey_visit_n = db_col_int(st, 5);
		r->num.survey_sum = db_col_int(st, 6);
		r->num.open_days = db_col_int(st, 7);
		if (bd_unit && (!strcmp(bd_unit, "*") || !strcmp(bd_unit, r->code))) {
			json_t *bd = json_loads(db_col_text(st, 8), 0, NULL);
			r->bd = json_is_object(bd) ? bd : bd_new();
			if (!json_is_object(bd))
				json_decref(bd);
		}
	}
	db_finish(st);
	if (rc != DB_DONE)
		return rc;
	if (bd_unit)
		for (size_t i = 0; i < out->n; i++)
			if (!out->rows[i].bd &&
			    (!strcmp(bd_unit, "*") || !strcmp(bd_unit, out->rows[i].code)))
				out->rows[i].bd = bd_new();
	return DB_OK;
}

struct period_read {
	struct period p;
	int cutoff;
	const char *bd_unit;
	bool live_only;
	struct stats_table *out;
	const char *focus;
};

static int period_fn(struct dbc *c, void *arg)
{
	struct period_read *a = arg;
	stats_table_free(a->out);
	char iso[PERIOD_ISO_SIZE];
	if (period_iso(a->p, iso) != 0)
		return DB_ERROR;
	int64_t at = 0;
	int rc = a->live_only ? DB_DONE : closed_at(c, iso, &at);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW) {
		rc = snapshot_read(c, iso, a->bd_unit, a->focus, a->out);
		a->out->closed = true;
		a->out->closed_at = at;
		return rc;
	}
	return live_read(c, a->p, a->cutoff, a->bd_unit, a->focus, a->out);
}

int db_stats_period(struct db *db, struct period p, int cutoff, const char *bd_unit, struct stats_table *out)
{
	memset(out, 0, sizeof *out);
	struct period_read a = {p, cutoff, bd_unit, false, out, NULL};
	/* Without a transaction (db_tx would take SQLite's write lock, and on
	 * PostgreSQL a serializable reader's predicate locks make writers
	 * retry): the closing row and the snapshot are committed together, so
	 * a reader that sees the one sees the other. */
	int rc = db_read(db, period_fn, &a);
	if (rc != DB_OK)
		stats_table_free(out);
	return rc;
}

int db_stats_period_live(struct db *db, struct period p, int cutoff, const char *bd_unit,
                         struct stats_table *out)
{
	memset(out, 0, sizeof *out);
	struct period_read a = {p, cutoff, bd_unit, true, out, NULL};
	int rc = db_read(db, period_fn, &a);
	if (rc != DB_OK)
		stats_table_free(out);
	return rc;
}

int db_stats_period_for(struct db *db, struct period p, int cutoff, const char *unit, bool breakdowns,
                        struct stats_table *out)
{
	memset(out, 0, sizeof *out);
	struct period_read a = {p, cutoff, breakdowns ? unit : NULL, false, out, unit};
	int rc = db_read(db, period_fn, &a);
	if (rc != DB_OK)
		stats_table_free(out);
	return rc;
}

struct unit_periods {
	const char *unit;
	const struct period *ps;
	size_t n;
	struct stats_num *out;
	bool *closed;
};

/* users, transactions, survey_n, survey_point_n, survey_visit_n, survey_sum
 * from columns col.. of st. */
static void six_counts(struct db_stmt *st, int col, struct stats_num *x)
{
	x->users = db_col_int(st, col);
	x->transactions = db_col_int(st, col + 1);
	x->survey_n = db_col_int(st, col + 2);
	x->survey_point_n = db_col_int(st, col + 3);
	x->survey_visit_n = db_col_int(st, col + 4);
	x->survey_sum = db_col_int(st, col + 5);
}

/* Two statements whatever the number of periods: every closing in the
 * range with the unit's snapshot row, then the open ones' sums. */
static int unit_periods_fn(struct dbc *c, void *arg)
{
	struct unit_periods *a = arg;
	if (!a->n)
		return DB_OK;
	char lo[UNIT_CODE_SIZE + 1], hi[UNIT_CODE_SIZE + 1];
	subtree_range(a->unit, lo, hi);
	char(*iso)[PERIOD_ISO_SIZE] = xcalloc(a->n, sizeof *iso);
	size_t first = 0, last = 0;
	for (size_t i = 0; i < a->n; i++) {
		memset(&a->out[i], 0, sizeof a->out[i]);
		a->closed[i] = false;
		if (period_iso(a->ps[i], iso[i]) != 0) {
			free(iso);
			return DB_ERROR;
		}
		if (strcmp(iso[i], iso[first]) < 0)
			first = i;
		if (strcmp(iso[i], iso[last]) > 0)
			last = i;
	}
	struct db_stmt *st = db_prepare(
	    c, "SELECT c.period, s.users, s.transactions, s.survey_n, s.survey_point_n, s.survey_visit_n, "
	       "s.survey_sum FROM period_closings c LEFT JOIN stats_snapshots s ON s.period = c.period AND "
	       "s.unit_code = ? WHERE c.period >= ? AND c.period <= ?");
	if (!st) {
		free(iso);
		return DB_ERROR;
	}
	db_bind_text(st, 1, a->unit);
	db_bind_text(st, 2, iso[first]);
	db_bind_text(st, 3, iso[last]);
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		for (size_t i = 0; i < a->n; i++) {
			if (strcmp(iso[i], db_col_text(st, 0)))
				continue;
			a->closed[i] = true;
			six_counts(st, 1, &a->out[i]); /* NULL (no snapshot row): 0 */
		}
	db_finish(st);
	/* The open periods' range (usually the current one alone). */
	const char *olo = NULL, *ohi = NULL;
	for (size_t i = 0; rc == DB_DONE && i < a->n; i++) {
		if (a->closed[i])
			continue;
		if (!olo || strcmp(iso[i], olo) < 0)
			olo = iso[i];
		if (!ohi || strcmp(iso[i], ohi) > 0)
			ohi = iso[i];
	}
	if (rc == DB_DONE && olo) {
		/* One open period (the usual case): a seek on (period, unit_code);
		 * a range of them is a scan of their rows. */
		st =
		    db_prepare(c, strcmp(olo, ohi)
		                      ? "SELECT period, SUM(users), SUM(transactions), SUM(survey_n), "
		                        "SUM(survey_point_n), SUM(survey_visit_n), SUM(survey_sum) FROM "
		                        "rollup_period_units WHERE period >= ? AND period <= ? AND unit_code "
		                        ">= ? AND unit_code < ? GROUP BY period"
		                      : "SELECT MIN(period), SUM(users), SUM(transactions), SUM(survey_n), "
		                        "SUM(survey_point_n), SUM(survey_visit_n), SUM(survey_sum) FROM "
		                        "rollup_period_units WHERE period >= ? AND period = ? AND unit_code "
		                        ">= ? AND unit_code < ?");
		if (!st) {
			free(iso);
			return DB_ERROR;
		}
		db_bind_text(st, 1, olo);
		db_bind_text(st, 2, ohi);
		db_bind_text(st, 3, lo);
		db_bind_text(st, 4, hi);
		while ((rc = db_step(st)) == DB_ROW)
			for (size_t i = 0; i < a->n; i++) {
				if (a->closed[i] || strcmp(iso[i], db_col_text(st, 0)))
					continue;
				six_counts(st, 1, &a->out[i]);
			}
		db_finish(st);
	}
	free(iso);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_stats_unit_periods(struct db *db, const char *unit, const struct period *ps, size_t n,
                          struct stats_num *out, bool *closed)
{
	struct unit_periods a = {unit, ps, n, out, closed};
	return db_read(db, unit_periods_fn, &a);
}

struct prev_closed {
	const char *iso;
	char *out;
	bool found;
};

static int prev_closed_fn(struct dbc *c, void *arg)
{
	struct prev_closed *a = arg;
	int rc = DB_OK;
	json_t *row = db_query_row(c, &rc, "SELECT MAX(period) AS p FROM period_closings WHERE period < ?",
	                           "t", a->iso);
	if (rc < 0)
		return rc;
	const char *p = json_string_value(json_object_get(row, "p"));
	a->found = p && strlen(p) < PERIOD_ISO_SIZE;
	if (a->found)
		memcpy(a->out, p, strlen(p) + 1);
	json_decref(row);
	return DB_OK;
}

int db_stats_prev_closed(struct db *db, const char *period_iso, char out[PERIOD_ISO_SIZE], bool *found)
{
	struct prev_closed a = {period_iso, out, false};
	int rc = db_read(db, prev_closed_fn, &a);
	*found = rc == DB_OK && a.found;
	return rc;
}

struct is_closed {
	const char *iso;
	bool yes;
};

static int is_closed_fn(struct dbc *c, void *arg)
{
	struct is_closed *a = arg;
	int64_t at;
	int rc = closed_at(c, a->iso, &at);
	a->yes = rc == DB_ROW;
	return rc < 0 ? rc : DB_OK;
}

int db_stats_is_closed(struct db *db, const char *period_iso, bool *closed)
{
	struct is_closed a = {period_iso, false};
	int rc = db_read(db, is_closed_fn, &a);
	*closed = a.yes;
	return rc;
}

/* ---- writing snapshots ---- */

static int snapshot_write(struct dbc *c, const char *iso, int cutoff, int64_t now, size_t *units)
{
	struct period p;
	if (period_parse(iso, &p) != 0)
		return DB_ERROR;
	struct stats_table t;
	int rc = dbc_stats_live(c, p, cutoff, "*", &t);
	if (rc != DB_OK)
		return rc;
	rc = db_exec(c, "DELETE FROM stats_snapshots WHERE period = ?", "t", iso);
	for (size_t i = 0; rc == DB_OK && i < t.n; i++) {
		const struct stats_row *r = &t.rows[i];
		struct db_stmt *st = db_prepare(
		    c, "INSERT INTO stats_snapshots (period, unit_code, users, transactions, survey_n, "
		       "survey_point_n, survey_visit_n, survey_sum, open_days, breakdown_json, "
		       "computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		if (!st) {
			rc = DB_ERROR;
			break;
		}
		char *bd = json_dumps(r->bd, JSON_COMPACT | JSON_SORT_KEYS);
		db_bind_text(st, 1, iso);
		db_bind_text(st, 2, r->code);
		db_bind_int(st, 3, r->num.users);
		db_bind_int(st, 4, r->num.transactions);
		db_bind_int(st, 5, r->num.survey_n);
		db_bind_int(st, 6, r->num.survey_point_n);
		db_bind_int(st, 7, r->num.survey_visit_n);
		db_bind_int(st, 8, r->num.survey_sum);
		db_bind_int(st, 9, r->num.open_days);
		db_bind_text(st, 10, bd ? bd : "{}");
		db_bind_int(st, 11, now);
		rc = db_step(st);
		rc = rc == DB_DONE ? DB_OK : rc;
		free(bd);
		db_finish(st);
	}
	if (units)
		*units = t.n;
	stats_table_free(&t);
	return rc;
}

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int log_add(struct dbc *c, const char *iso, const char *action, int64_t at, int64_t user_id,
                   const char *actor, const char *reason, size_t units, int64_t ms)
{
	struct db_stmt *st =
	    db_prepare(c, "INSERT INTO period_closing_log (period, action, at, user_id, actor, reason, "
	                  "units, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, iso);
	db_bind_text(st, 2, action);
	db_bind_int(st, 3, at);
	if (user_id)
		db_bind_int(st, 4, user_id);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, actor);
	db_bind_text(st, 6, reason ? reason : "");
	db_bind_int(st, 7, (int64_t)units);
	db_bind_int(st, 8, ms);
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* The closing lock: with several nodes exactly one closes. PostgreSQL: a
 * transaction-scoped advisory lock taken without waiting (a node that does
 * not get it leaves the closing to the one that has it); being the
 * transaction's first statement, a node that gets it after another's
 * commit sees that commit. SQLite: BEGIN IMMEDIATE already holds the one
 * write lock. DB_ROW when held, DB_DONE when another node holds it. */
#define CLOSE_LOCK_KEY 7010010
static int close_lock(struct dbc *c)
{
	if (dbc_dialect(c) != DB_POSTGRES)
		return DB_ROW;
	/* Writers of entries and answers wait while a period closes (under a
	 * second at national scale, once a month) instead of the closing being
	 * the one SERIALIZABLE aborts: it reads what they write and they read
	 * period_closings, so each committed write made it start over, and a
	 * steady stream of short writes could outlast db_tx's retries (seen: 20
	 * aborts of one closing against four writers). The lock is the first
	 * statement, before the snapshot is taken, so the snapshot sees every
	 * write committed before it; SHARE does not conflict with itself, so a
	 * second node's closing gets here and finds the advisory lock taken.
	 * The order is the writers' own (an answer updates its entry first). */
	int rc = db_exec(c, "LOCK TABLE visits, survey_responses IN SHARE MODE", "");
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_ERROR;
	int64_t got = 0;
	rc = db_query_int(c, &got, "SELECT CASE WHEN pg_try_advisory_xact_lock(?) THEN 1 ELSE 0 END", "i",
	                  (int64_t)CLOSE_LOCK_KEY);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERROR;
	return got ? DB_ROW : DB_DONE;
}

static int close_fn(struct dbc *c, void *arg)
{
	struct stats_close *a = arg;
	a->already = a->busy = false;
	a->units = 0;
	int64_t t0 = ms_now();
	int rc = close_lock(c);
	if (rc == DB_DONE) {
		a->busy = true;
		return DB_OK;
	}
	if (rc != DB_ROW)
		return rc;
	int64_t at;
	rc = closed_at(c, a->period_iso, &at);
	if (rc == DB_ROW) {
		a->already = true;
		return DB_OK;
	}
	if (rc < 0)
		return rc;
	rc = snapshot_write(c, a->period_iso, a->cutoff, a->now, &a->units);
	if (rc != DB_OK)
		return rc;
	struct db_stmt *st = db_prepare(c, "INSERT INTO period_closings (period, cutoff_day, closed_at, "
	                                   "closed_by, how) VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->period_iso);
	db_bind_int(st, 2, a->cutoff);
	db_bind_int(st, 3, a->now);
	if (a->user_id)
		db_bind_int(st, 4, a->user_id);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, a->actor);
	rc = db_step(st);
	db_finish(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_ERROR;
	a->elapsed_ms = ms_now() - t0;
	return log_add(c, a->period_iso, "close", a->now, a->user_id, a->actor, "", a->units, a->elapsed_ms);
}

int db_stats_close_period(struct db *db, struct stats_close *a)
{
	struct period p;
	if (period_parse(a->period_iso, &p) != 0 || !period_cutoff_valid(a->cutoff))
		return DB_ERROR;
	return db_tx(db, close_fn, a);
}

int dbc_stats_recompute(struct dbc *c, const char *const *periods, size_t n, void *ctx)
{
	struct stats_recompute *a = ctx;
	a->recomputed = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t at;
		int cutoff = a->cutoff;
		int64_t cut = 0;
		int rc = closed_at(c, periods[i], &at);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			continue;
		/* The cut-off the period was closed with. */
		if (db_query_int(c, &cut, "SELECT cutoff_day FROM period_closings WHERE period = ?", "t",
		                 periods[i]) == DB_ROW &&
		    period_cutoff_valid((int)cut))
			cutoff = (int)cut;
		int64_t t0 = ms_now();
		size_t units = 0;
		rc = snapshot_write(c, periods[i], cutoff, a->now, &units);
		if (rc == DB_OK)
			rc = log_add(c, periods[i], "recompute", a->now, a->user_id, "import", a->reason,
			             units, ms_now() - t0);
		if (rc != DB_OK)
			return rc;
		a->recomputed++;
	}
	return DB_OK;
}

/* ---- the closing job's list ---- */

struct due {
	int cutoff, grace, max, n;
	struct civil_day today;
	char (*out)[PERIOD_ISO_SIZE];
};

static int due_fn(struct dbc *c, void *arg)
{
	struct due *a = arg;
	a->n = 0;
	json_t *row = NULL;
	int rc = DB_OK;
	/* Once something was closed, look back from the latest closing (24
	 * periods: what a late first start or a stopped job may have left);
	 * before that, from the first period with data (read once: it scans). */
	row = db_query_row(c, &rc, "SELECT MAX(period) AS v, MAX(period) AS s FROM period_closings", "");
	if (rc < 0)
		return rc;
	if (json_is_string(json_object_get(row, "v"))) {
		struct period last;
		char from_iso[PERIOD_ISO_SIZE];
		if (period_parse(json_string_value(json_object_get(row, "v")), &last) == 0 &&
		    period_iso(period_add(last, -24), from_iso) == 0) {
			json_object_set_new(row, "v", json_string(from_iso));
			json_object_set_new(row, "s", json_string(from_iso));
		}
	} else {
		json_decref(row);
		row = db_query_row(c, &rc,
		                   "SELECT (SELECT MIN(period) FROM visits) AS v, (SELECT MIN(period) FROM "
		                   "survey_responses) AS s",
		                   "");
		if (rc < 0)
			return rc;
	}
	const char *v = json_string_value(json_object_get(row, "v")),
	           *s = json_string_value(json_object_get(row, "s"));
	const char *from = v && s ? (strcmp(v, s) < 0 ? v : s) : v ? v : s;
	struct period p;
	if (!from || period_parse(from, &p) != 0) {
		json_decref(row);
		return DB_OK;
	}
	json_decref(row);
	for (int guard = 0; guard < 12 * 200 && a->n < a->max; guard++, p = period_add(p, 1)) {
		if (!period_valid(p))
			break;
		if (period_state(p, a->cutoff, a->today, a->grace, false) != PERIOD_CLOSED)
			break;
		char iso[PERIOD_ISO_SIZE];
		period_iso(p, iso);
		int64_t at;
		rc = closed_at(c, iso, &at);
		if (rc < 0)
			return rc;
		if (rc == DB_ROW)
			continue;
		memcpy(a->out[a->n++], iso, PERIOD_ISO_SIZE);
	}
	return DB_OK;
}

int db_stats_due_periods(struct db *db, int cutoff, int grace_days, struct civil_day today,
                         char (*out)[PERIOD_ISO_SIZE], int max)
{
	struct due a = {cutoff, grace_days, max, 0, today, out};
	int rc = db_read(db, due_fn, &a);
	return rc == DB_OK ? a.n : rc;
}

struct closed_list {
	int max;
	json_t *out;
};

static int closed_list_fn(struct dbc *c, void *arg)
{
	struct closed_list *a = arg;
	json_decref(a->out);
	a->out =
	    db_query_json(c, "SELECT period, closed_at FROM period_closings ORDER BY period DESC LIMIT ?",
	                  "i", (int64_t)a->max);
	return a->out ? DB_OK : DB_ERROR;
}

int db_stats_closed_list(struct db *db, int max, json_t **out)
{
	struct closed_list a = {max, NULL};
	int rc = db_read(db, closed_list_fn, &a);
	*out = rc == DB_OK ? a.out : NULL;
	if (rc != DB_OK)
		json_decref(a.out);
	return rc;
}

struct services {
	json_t *out;
};

static int services_fn(struct dbc *c, void *arg)
{
	struct services *a = arg;
	json_decref(a->out);
	a->out = json_object();
	struct db_stmt *st = db_prepare(c, "SELECT code, name_th, agency_th FROM eservices");
	if (!st)
		return DB_ERROR;
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_object_set_new(
		    a->out, db_col_text(st, 0),
		    json_pack("{s:s, s:s}", "name_th", db_col_text(st, 1), "agency_th", db_col_text(st, 2)));
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_stats_services(struct db *db, json_t **out)
{
	struct services a = {NULL};
	int rc = db_read(db, services_fn, &a);
	*out = rc == DB_OK ? a.out : NULL;
	if (rc != DB_OK)
		json_decref(a.out);
	return rc;
}
