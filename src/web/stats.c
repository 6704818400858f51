/* The statistics (issue 10): /stats/{unit} for staff, /statistics for the
 * public. One model (docs/API.md "Statistics"): the numbers from db/stats
 * (snapshot of a closed period, roll-ups of an open one), the rules from
 * core/stats. Aggregate numbers hold no personal data, so every staff user
 * reads every unit's (scope_any_unit); no survey comments here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "core/period.h"
#include "core/registry.h"
#include "core/stats.h"
#include "db/db.h"
#include "db/external.h"
#include "db/roster.h"
#include "db/stats.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "lib/thai.h"
#include "render/chart.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/table_export.h"
#include "web/web.h"

/* "1,671" */
static json_t *grouped(int64_t v)
{
	char raw[32], out[48];
	snprintf(raw, sizeof raw, "%lld", (long long)(v < 0 ? -v : v));
	size_t n = strlen(raw), k = 0;
	if (v < 0)
		out[k++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = raw[i];
	}
	out[k] = '\0';
	return json_string(out);
}

static json_t *decimal_or_null(int (*fn)(int64_t, int64_t, char *), int64_t a, int64_t b)
{
	char s[STATS_DEC_SIZE];
	return b > 0 && fn(a, b, s) == 0 ? json_string(s) : json_null();
}

static json_t *survey_model(const struct stats_num *x)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o}", "n", (json_int_t)x->survey_n, "point_n",
	                 (json_int_t)x->survey_point_n, "score",
	                 decimal_or_null(stats_score, x->survey_sum, x->survey_n), "percent",
	                 decimal_or_null(stats_percent, x->survey_sum, x->survey_n), "response_rate",
	                 decimal_or_null(stats_rate, x->survey_visit_n, x->users));
}

/* The units of one level under one parent, in the programme, ranked once
 * (every ranking): the siblings of the unit shown, or its children. */
struct rankset {
	size_t n;
	const struct stats_row **rows;
	int *pos[STATS_RANK__COUNT];
	size_t of[STATS_RANK__COUNT];
};

static void rankset_build(struct rankset *rs, const struct stats_table *t, const char *parent, int level,
                          int64_t min_resp)
{
	memset(rs, 0, sizeof *rs);
	if (!t || level == 0)
		return;
	rs->rows = xcalloc(t->n ? t->n : 1, sizeof *rs->rows);
	for (size_t i = 0; i < t->n; i++) {
		const struct stats_row *s = &t->rows[i];
		if (s->level == level && s->in_programme && !strcmp(s->parent, parent))
			rs->rows[rs->n++] = s;
	}
	struct stats_num *nums = xcalloc(rs->n ? rs->n : 1, sizeof *nums);
	for (size_t i = 0; i < rs->n; i++)
		nums[i] = rs->rows[i]->num;
	for (int k = 0; k < STATS_RANK__COUNT; k++) {
		rs->pos[k] = xcalloc(rs->n ? rs->n : 1, sizeof *rs->pos[k]);
		rs->of[k] = stats_rank(nums, rs->n, (enum stats_ranking)k, min_resp, rs->pos[k]);
	}
	free(nums);
}

static void rankset_free(struct rankset *rs)
{
	for (int k = 0; k < STATS_RANK__COUNT; k++)
		free(rs->pos[k]);
	free(rs->rows);
	memset(rs, 0, sizeof *rs);
}

/* The index of code in the set, or -1. */
static long rankset_find(const struct rankset *rs, const char *code)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->rows[i]->code, code))
			return (long)i;
	return -1;
}

/* rank, rank_satisfaction, rank_per_day and their _reason keys into o, for
 * row r of the set cur (prev: the same set in the previous closed period). */
static void rankings_into(json_t *o, const struct rankset *cur, const struct rankset *prev,
                          const struct stats_row *r, int64_t min_resp)
{
	long i = r->level > 0 && r->in_programme ? rankset_find(cur, r->code) : -1;
	long pi = prev ? rankset_find(prev, r->code) : -1;
	for (int k = 0; k < STATS_RANK__COUNT; k++) {
		const char *key = stats_ranking_key((enum stats_ranking)k);
		char rkey[64], why[256];
		snprintf(rkey, sizeof rkey, "%s_reason", key);
		int pos = i >= 0 ? cur->pos[k][i] : 0;
		if (pos > 0) {
			bool has;
			int mv = stats_movement(pi >= 0 ? prev->pos[k][pi] : 0, pos, &has);
			json_object_set_new(o, key,
			                    json_pack("{s:i, s:I, s:o}", "position", pos, "of",
			                              (json_int_t)cur->of[k], "movement",
			                              has ? json_integer(mv) : json_null()));
			json_object_set_new(o, rkey, json_null());
			continue;
		}
		json_object_set_new(o, key, json_null());
		if (r->level == 0)
			snprintf(why, sizeof why, "ระดับประเทศไม่มีหน่วยงานระดับเดียวกันให้เทียบ จึงไม่จัดอันดับ");
		else if (!r->in_programme)
			snprintf(why, sizeof why, "หน่วยงานนี้ไม่อยู่ในโครงการ จึงไม่จัดอันดับ");
		else
			stats_unranked_reason((enum stats_ranking)k, &r->num, min_resp, why, sizeof why);
		json_object_set_new(o, rkey, json_string(why));
	}
}

static int bd_item_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t nx = json_integer_value(json_object_get(x, "n")),
	           ny = json_integer_value(json_object_get(y, "n"));
	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(web_str(x, "key"), web_str(y, "key"));
}

static const char *label_of(const char *dim, const char *key, json_t *services)
{
	const char *l = NULL;
	if (!strcmp(dim, "service"))
		l = web_str(json_object_get(services, key), "name_th");
	else if (!strcmp(dim, "agency"))
		l = key;
	else if (!strcmp(dim, "channel"))
		l = channel_label_th(channel_from_name(key));
	else if (!strcmp(dim, "outcome"))
		l = outcome_label_th(outcome_from_name(key));
	else if (!strcmp(dim, "sex"))
		l = registry_sex_label_th(key);
	else if (!strcmp(dim, "age_band"))
		l = registry_age_band_label_th(key);
	return l && *l ? l : !strcmp(key, "unknown") ? "ไม่ระบุ" : key;
}

/* {service: [{key, label_th, n, n_fmt}], …}, each largest first. */
static json_t *breakdowns_model(const json_t *bd, json_t *services)
{
	static const char *const dims[] = {"service", "agency", "channel", "outcome", "sex", "age_band"};
	json_t *out = json_object();
	for (size_t d = 0; d < sizeof dims / sizeof *dims; d++) {
		json_t *src = json_object_get(bd, dims[d]);
		size_t n = json_object_size(src), i = 0;
		json_t **items = xcalloc(n ? n : 1, sizeof *items);
		const char *key;
		json_t *v;
		json_object_foreach(src, key, v)
		{
			if (json_integer_value(v) == 0)
				continue;
			items[i++] = json_pack(
			    "{s:s, s:s, s:I, s:o}", "key", key, "label_th", label_of(dims[d], key, services),
			    "n", (json_int_t)json_integer_value(v), "n_fmt", grouped(json_integer_value(v)));
		}
		qsort(items, i, sizeof *items, bd_item_cmp);
		json_t *arr = json_array();
		for (size_t k = 0; k < i; k++)
			json_array_append_new(arr, items[k]);
		free(items);
		json_object_set_new(out, dims[d], arr);
	}
	return out;
}

/* What the period or fiscal year asked for is. */
struct span {
	bool fy;
	int fy_be;
	struct period p; /* !fy */
};

static void day_fields(json_t *o, const char *key, struct civil_day d)
{
	char iso[THAI_ISO_DAY_SIZE];
	thai_day_iso(d, iso);
	json_object_set_new(o, key, json_string(iso));
	struct buf b;
	buf_init(&b, 128);
	thai_date_format(&b, d.y, d.m, d.d, THAI_DATE_FULL, false);
	char k2[32];
	snprintf(k2, sizeof k2, "%s_th", key);
	json_object_set_new(o, k2, json_string(buf_str(&b)));
	buf_cleanup(&b);
}

/* The numbers of a span: one period's table, or the sum of a fiscal
 * year's twelve. *all_closed: every period of it is closed. */
static int span_table(const struct span *s, const char *unit, bool bd, struct stats_table *out,
                      bool *all_closed)
{
	int cutoff = app->cfg->cutoff_day;
	if (!s->fy) {
		int rc = db_stats_period_for(app->db, s->p, cutoff, unit, bd, out);
		*all_closed = rc == DB_OK && out->closed;
		return rc;
	}
	struct period ps[12];
	if (period_fiscal_periods(s->fy_be, ps) != 0)
		return DB_ERROR;
	*all_closed = true;
	memset(out, 0, sizeof *out);
	for (int i = 0; i < 12; i++) {
		struct stats_table t;
		int rc = db_stats_period_for(app->db, ps[i], cutoff, unit, bd, &t);
		if (rc != DB_OK) {
			stats_table_free(out);
			return rc;
		}
		*all_closed = *all_closed && t.closed;
		if (i == 0)
			*out = t;
		else {
			stats_table_add(out, &t);
			stats_table_free(&t);
		}
	}
	out->closed = *all_closed;
	return DB_OK;
}

static json_t *period_model(const struct span *s, bool closed)
{
	int cutoff = app->cfg->cutoff_day;
	struct civil_day first, last;
	json_t *o = json_object();
	struct buf label;
	buf_init(&label, 128);
	char id[32];
	if (s->fy) {
		snprintf(id, sizeof id, "FY%d", s->fy_be);
		buf_printf(&label, "ปีงบประมาณ พ.ศ. %d", s->fy_be);
		period_fiscal_range(s->fy_be, cutoff, &first, &last);
	} else {
		period_iso(s->p, id);
		period_label(&label, s->p, PERIOD_LABEL_FULL_MONTH);
		period_range(s->p, cutoff, &first, &last);
	}
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "label_th", json_string(buf_str(&label)));
	day_fields(o, "start", first);
	day_fields(o, "end", last);
	json_object_set_new(o, "closed", json_boolean(closed));
	buf_cleanup(&label);
	return o;
}

static json_t *unit_numbers(const struct stats_row *r)
{
	return json_pack("{s:I, s:o, s:I, s:o, s:o, s:I, s:I, s:s}", "users", (json_int_t)r->num.users,
	                 "users_fmt", grouped(r->num.users), "transactions", (json_int_t)r->num.transactions,
	                 "transactions_fmt", grouped(r->num.transactions), "survey", survey_model(&r->num),
	                 "open_days", (json_int_t)r->num.open_days, "staffed_days",
	                 (json_int_t)r->num.staffed_days, "per_day_basis",
	                 stats_uses_staffed_days(&r->num) ? "staffed" : "open");
}

/* Users per staffed day (issue 10): the roster's staffed days of the
 * districts that are ranked per day beside unit (its sibling districts, or
 * a province's districts) into their rows; districts without a roster keep
 * 0 (open days). Provinces and the nation keep open days. */
static void staffed_into(struct stats_table *t, int level, const char *parent, const char *code,
                         const struct span *s)
{
	const char *under = level == 2 ? parent : level == 1 ? code : NULL;
	if (!under)
		return;
	struct civil_day first, last;
	if (s->fy)
		period_fiscal_range(s->fy_be, app->cfg->cutoff_day, &first, &last);
	else
		period_range(s->p, app->cfg->cutoff_day, &first, &last);
	char a[THAI_ISO_DAY_SIZE], b[THAI_ISO_DAY_SIZE];
	thai_day_iso(first, a);
	thai_day_iso(last, b);
	json_t *days = NULL;
	if (db_roster_staffed_days_under(app->db, under, a, b, &days) != DB_OK)
		return;
	for (size_t i = 0; i < t->n; i++) {
		struct stats_row *r = &t->rows[i];
		json_t *d = json_object_get(days, r->code);
		if (r->level == 2 && !strcmp(r->parent, under) && json_is_integer(d))
			r->num.staffed_days = json_integer_value(d);
	}
	json_decref(days);
}

/* The previous span to measure movement against: the latest closed period
 * before p (none: no movement), or the previous fiscal year. */
static bool prev_span(const struct span *s, struct span *prev)
{
	*prev = *s;
	if (s->fy) {
		prev->fy_be = s->fy_be - 1;
		return true;
	}
	char iso[PERIOD_ISO_SIZE], prev_iso[PERIOD_ISO_SIZE];
	bool found = false;
	if (period_iso(s->p, iso) != 0 || db_stats_prev_closed(app->db, iso, prev_iso, &found) != DB_OK ||
	    !found)
		return false;
	return period_parse(prev_iso, &prev->p) == 0;
}

/* The whole model, or NULL with the error replied. */
static json_t *stats_model(struct req *r, const char *unit, const struct span *s, bool public_page)
{
	struct stats_table t, prev = {0};
	bool closed = false, pclosed = false;
	if (span_table(s, unit, true, &t, &closed) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return NULL;
	}
	if (public_page && !closed) {
		stats_table_free(&t);
		reply_error(r, ERR_STATS_NOT_CLOSED, "period", NULL);
		return NULL;
	}
	struct span ps;
	bool have_prev = prev_span(s, &ps) && span_table(&ps, unit, false, &prev, &pclosed) == DB_OK;
	if (have_prev && !pclosed) { /* movement is against a closed period only */
		stats_table_free(&prev);
		have_prev = false;
	}
	struct stats_row *row = stats_table_find(&t, unit);
	if (row) {
		staffed_into(&t, row->level, row->parent, row->code, s);
		if (have_prev)
			staffed_into(&prev, row->level, row->parent, row->code, &ps);
	}
	json_t *services = NULL;
	if (!row || db_stats_services(app->db, &services) != DB_OK) {
		stats_table_free(&t);
		stats_table_free(&prev);
		reply_error(r, row ? ERR_UNAVAILABLE : ERR_STATS_UNIT_NOT_FOUND, "unit", NULL);
		return NULL;
	}
	int64_t min_resp = app->cfg->rank_min_responses;
	json_t *m = unit_numbers(row);
	json_object_set_new(m, "unit",
	                    json_pack("{s:s, s:s, s:i, s:s, s:s, s:b}", "code", row->code, "name_th",
	                              row->name_th, "level", row->level, "level_label",
	                              web_level_label(row->level, row->code), "parent_code", row->parent,
	                              "in_programme", row->in_programme));
	json_object_set_new(m, "period", period_model(s, closed));
	json_object_set_new(m, "fy", s->fy ? json_integer(s->fy_be) : json_null());
	json_object_set_new(m, "breakdowns", breakdowns_model(row->bd, services));
	struct rankset sib, psib, kids, pkids;
	rankset_build(&sib, &t, row->parent, row->level, min_resp);
	rankset_build(&psib, have_prev ? &prev : NULL, row->parent, row->level, min_resp);
	rankset_build(&kids, &t, row->code, row->level + 1, min_resp);
	rankset_build(&pkids, have_prev ? &prev : NULL, row->code, row->level + 1, min_resp);
	rankings_into(m, &sib, have_prev ? &psib : NULL, row, min_resp);
	json_object_set_new(m, "rank_min_responses", json_integer(min_resp));
	json_t *explain = json_array();
	static const char *const titles[] = {"อันดับตามจำนวนผู้มารับบริการ", "อันดับตามความพึงพอใจ",
	                                     "อันดับตามผู้รับบริการต่อวันเปิดให้บริการ"};
	for (int k = 0; k < STATS_RANK__COUNT; k++) {
		json_t *rk = json_object_get(m, stats_ranking_key((enum stats_ranking)k));
		char rkey[64];
		snprintf(rkey, sizeof rkey, "%s_reason", stats_ranking_key((enum stats_ranking)k));
		char ex[1024];
		snprintf(ex, sizeof ex, "%s", stats_ranking_explain((enum stats_ranking)k));
		if (k == STATS_RANK_PER_DAY) {
			bool any = false;
			for (size_t i = 0; i < sib.n && !any; i++)
				any = stats_uses_staffed_days(&sib.rows[i]->num);
			for (size_t i = 0; i < kids.n && !any; i++)
				any = stats_uses_staffed_days(&kids.rows[i]->num);
			if (stats_uses_staffed_days(&row->num))
				snprintf(ex + strlen(ex), sizeof ex - strlen(ex),
				         " อำเภอนี้มีทะเบียนเวร จึงนับต่อวันที่มีเจ้าหน้าที่ปฏิบัติหน้าที่ตามทะเบียนเวร (%lld วัน) "
				         "แทนวันเปิดให้บริการ",
				         (long long)row->num.staffed_days);
			else if (any)
				snprintf(
				    ex + strlen(ex), sizeof ex - strlen(ex),
				    " อำเภอที่มีทะเบียนเวรนับต่อวันที่มีเจ้าหน้าที่ปฏิบัติหน้าที่ตามทะเบียนเวรแทนวันเปิดให้บริการ");
		}
		json_array_append_new(explain, json_pack("{s:s, s:s, s:s, s:O, s:O}", "key",
		                                         stats_ranking_key((enum stats_ranking)k), "title_th",
		                                         titles[k], "explain_th", ex, "rank", rk, "reason",
		                                         json_object_get(m, rkey)));
	}
	json_object_set_new(m, "rankings", explain);
	json_t *children = json_array();
	for (size_t i = 0; i < t.n; i++) {
		const struct stats_row *c = &t.rows[i];
		if (strcmp(c->parent, row->code) != 0 || c->level != row->level + 1 || !c->in_programme)
			continue;
		json_t *o = unit_numbers(c);
		json_object_set_new(o, "code", json_string(c->code));
		json_object_set_new(o, "name_th", json_string(c->name_th));
		rankings_into(o, &kids, have_prev ? &pkids : NULL, c, min_resp);
		char href[96];
		snprintf(href, sizeof href, "%s%s%s", public_page ? "/statistics?unit=" : "/stats/", c->code,
		         "");
		json_object_set_new(o, "href", json_string(href));
		json_array_append_new(children, o);
	}
	json_object_set_new(m, "children", children);
	json_object_set_new(m, "has_children", json_boolean(json_array_size(children) > 0));
	json_object_set_new(m, "children_label", json_string(row->level == 0 ? "จังหวัด" : "อำเภอ"));
	rankset_free(&sib);
	rankset_free(&psib);
	rankset_free(&kids);
	rankset_free(&pkids);
	json_decref(services);
	stats_table_free(&t);
	stats_table_free(&prev);
	return m;
}

/* period= or fy= (neither: the current period; public: the latest closed). */
static bool parse_span(struct req *r, struct span *s, bool latest_closed)
{
	memset(s, 0, sizeof *s);
	const char *pq = req_query(r, "period"), *fq = req_query(r, "fy");
	bool hp = pq && *pq, hf = fq && *fq;
	if (hp && hf) {
		reply_error(r, ERR_STATS_BAD_PERIOD, "period", NULL);
		return false;
	}
	if (hf) {
		char *end;
		long y = strtol(fq, &end, 10);
		struct period ps[12];
		if (*end || y < 2400 || y > 3000 || period_fiscal_periods((int)y, ps) != 0) {
			reply_error(r, ERR_STATS_BAD_PERIOD, "fy", NULL);
			return false;
		}
		s->fy = true;
		s->fy_be = (int)y;
		return true;
	}
	if (hp) {
		if (period_parse(pq, &s->p) != 0) {
			reply_error(r, ERR_STATS_BAD_PERIOD, "period", NULL);
			return false;
		}
		return true;
	}
	if (latest_closed) {
		json_t *list = NULL;
		if (db_stats_closed_list(app->db, 1, &list) != DB_OK) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return false;
		}
		const char *iso = web_str(json_array_get(list, 0), "period");
		bool ok = *iso && period_parse(iso, &s->p) == 0;
		json_decref(list);
		if (!ok) {
			reply_error(r, ERR_STATS_NOT_CLOSED, "period", "ยังไม่มีรอบสถิติที่ปิดแล้ว");
			return false;
		}
		return true;
	}
	struct civil_day today;
	if (thai_epoch_day((int64_t)time(NULL), &today) != 0 ||
	    period_of_day(today.y, today.m, today.d, app->cfg->cutoff_day, &s->p) != 0) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return false;
	}
	return true;
}

static void nav_links(json_t *m, const struct span *s, const char *base, const char *unit)
{
	char href[128], iso[PERIOD_ISO_SIZE];
	const char *sep = strchr(base, '?') ? "&" : "?";
	if (s->fy) {
		snprintf(href, sizeof href, "%s%s%sfy=%d", base, unit, sep, s->fy_be - 1);
		json_object_set_new(m, "prev_href", json_string(href));
		snprintf(href, sizeof href, "%s%s%sfy=%d", base, unit, sep, s->fy_be + 1);
		json_object_set_new(m, "next_href", json_string(href));
		return;
	}
	period_iso(period_add(s->p, -1), iso);
	snprintf(href, sizeof href, "%s%s%speriod=%s", base, unit, sep, iso);
	json_object_set_new(m, "prev_href", json_string(href));
	period_iso(period_add(s->p, 1), iso);
	snprintf(href, sizeof href, "%s%s%speriod=%s", base, unit, sep, iso);
	json_object_set_new(m, "next_href", json_string(href));
	snprintf(href, sizeof href, "%s%s%sfy=%d", base, unit, sep, period_fiscal_year(s->p));
	json_object_set_new(m, "fy_href", json_string(href));
}

/* ---- dashboards (issue 10 "Dashboards") -------------------------------- */

static json_t *col(const char *key, const char *label, const char *type, int decimals)
{
	json_t *c = json_pack("{s:s, s:s, s:s}", "key", key, "label", label, "type", type);
	if (decimals >= 0)
		json_object_set_new(c, "decimals", json_integer(decimals));
	return c;
}

static json_t *chart_obj(const char *kind, const char *id, const char *title, const char *desc,
                         const char *unit, json_t *points)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "chart", kind, "id", id, "title", title, "desc",
	                 desc, "unit", unit, "points", points);
}

/* model.trend: one row per period (13: this one and the last twelve, or
 * the fiscal year's 12), oldest first; the charts of users, score and
 * response rate into dash. Returns false on a database error. */
static bool trend_into(json_t *m, json_t *dash, const char *unit, const struct span *s)
{
	struct period ps[13];
	size_t n = 0;
	if (s->fy) {
		if (period_fiscal_periods(s->fy_be, ps) != 0)
			return false;
		n = 12;
	} else {
		for (int i = 0; i < 13; i++)
			ps[i] = period_add(s->p, i - 12);
		n = 13;
	}
	struct stats_num nums[13];
	bool closed[13];
	if (db_stats_unit_periods(app->db, unit, ps, n, nums, closed) != DB_OK)
		return false;
	json_t *rows = json_array(), *pu = json_array(), *psc = json_array(), *prr = json_array();
	const char *cur_label = "", *cur_users = "", *cur_score = NULL, *cur_rate = NULL;
	for (size_t i = 0; i < n; i++) {
		struct stats_num x = nums[i];
		char iso[PERIOD_ISO_SIZE], lab[CHART_LABEL_SIZE];
		period_iso(ps[i], iso);
		chart_period_label(ps[i], lab);
		bool hl = !s->fy && i == n - 1;
		json_t *sv = survey_model(&x);
		json_t *o = json_pack(
		    "{s:s, s:s, s:I, s:o, s:I, s:I, s:O, s:O, s:O, s:b, s:b}", "period", iso, "label", lab,
		    "users", (json_int_t)x.users, "users_fmt", grouped(x.users), "transactions",
		    (json_int_t)x.transactions, "responses", (json_int_t)x.survey_n, "score",
		    json_object_get(sv, "score"), "percent", json_object_get(sv, "percent"), "response_rate",
		    json_object_get(sv, "response_rate"), "closed", closed[i], "current", hl);
		json_decref(sv);
		json_array_append_new(rows, o);
		json_t *a =
		    json_pack("{s:s, s:I, s:b}", "label", lab, "value", (json_int_t)x.users, "highlight", hl);
		json_array_append_new(pu, a);
		json_array_append_new(psc, json_pack("{s:s, s:O, s:b, s:s}", "label", lab, "value",
		                                     json_object_get(o, "score"), "highlight", hl, "note",
		                                     "ไม่มีผู้ตอบ"));
		json_array_append_new(prr, json_pack("{s:s, s:O, s:b, s:s}", "label", lab, "value",
		                                     json_object_get(o, "response_rate"), "highlight", hl,
		                                     "note", "ไม่มีข้อมูล"));
		if (hl) {
			cur_label = web_str(o, "label");
			cur_users = web_str(o, "users_fmt");
			cur_score = json_string_value(json_object_get(o, "score"));
			cur_rate = json_string_value(json_object_get(o, "response_rate"));
		}
	}
	const char *span_th = s->fy ? "ตลอดปีงบประมาณ" : "13 งวดล่าสุด";
	char title[160], desc[320];
	snprintf(title, sizeof title, "ผู้มารับบริการ %s", span_th);
	if (s->fy)
		snprintf(desc, sizeof desc, "จำนวนผู้มารับบริการรายงวด 12 งวดของปีงบประมาณ พ.ศ. %d", s->fy_be);
	else
		snprintf(desc, sizeof desc, "งวด %s มีผู้มารับบริการ %s ราย เทียบกับ 12 งวดก่อนหน้า", cur_label,
		         cur_users);
	json_t *c = chart_obj("trend", "users-trend", title, desc, "ราย", pu);
	json_object_set_new(c, "label_header", json_string("งวด"));
	json_object_set_new(dash, "users_trend", c);
	snprintf(title, sizeof title, "คะแนนความพึงพอใจ (เต็ม 10) %s", span_th);
	if (s->fy)
		snprintf(desc, sizeof desc, "คะแนนความพึงพอใจเฉลี่ยรายงวดของปีงบประมาณ พ.ศ. %d", s->fy_be);
	else
		snprintf(desc, sizeof desc, "งวด %s คะแนน %s เทียบกับ 12 งวดก่อนหน้า", cur_label,
		         cur_score ? cur_score : "ไม่มีผู้ตอบ");
	c = chart_obj("trend", "score-trend", title, desc, "คะแนน", psc);
	json_object_set_new(c, "style", json_string("line"));
	json_object_set_new(c, "decimals", json_integer(2));
	json_object_set_new(c, "label_header", json_string("งวด"));
	json_object_set_new(c, "value_header", json_string("คะแนน (เต็ม 10)"));
	json_object_set_new(dash, "score_trend", c);
	snprintf(title, sizeof title, "อัตราการตอบแบบสำรวจ (ร้อยละ) %s", span_th);
	if (s->fy)
		snprintf(desc, sizeof desc, "อัตราการตอบแบบสำรวจรายงวดของปีงบประมาณ พ.ศ. %d", s->fy_be);
	else
		snprintf(desc, sizeof desc, "งวด %s อัตราการตอบร้อยละ %s เทียบกับ 12 งวดก่อนหน้า", cur_label,
		         cur_rate ? cur_rate : "-");
	c = chart_obj("trend", "rate-trend", title, desc, "%", prr);
	json_object_set_new(c, "style", json_string("line"));
	json_object_set_new(c, "decimals", json_integer(2));
	json_object_set_new(c, "label_header", json_string("งวด"));
	json_object_set_new(c, "value_header", json_string("ร้อยละ"));
	json_object_set_new(dash, "rate_trend", c);
	json_object_set_new(m, "trend", rows);
	return true;
}

static int child_rank_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t px = json_integer_value(json_object_get(json_object_get(x, "rank"), "position")),
	           py = json_integer_value(json_object_get(json_object_get(y, "rank"), "position"));
	if (!px != !py)
		return px ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(web_str(x, "code"), web_str(y, "code"));
}

/* The ranking of the units below (bars by users, ranked order) and the
 * service mix (top services by transactions) into dash. */
static void ranking_into(json_t *m, json_t *dash, const char *own_unit)
{
	json_t *children = json_object_get(m, "children");
	const char *uname = web_str(json_object_get(m, "unit"), "name_th");
	const char *plabel = web_str(json_object_get(m, "period"), "label_th");
	char title[200], desc[400];
	if (json_array_size(children) > 0) {
		size_t n = json_array_size(children);
		json_t **v = xcalloc(n, sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = json_array_get(children, i);
		qsort(v, n, sizeof *v, child_rank_cmp);
		json_t *pts = json_array();
		for (size_t i = 0; i < n; i++) {
			json_int_t pos =
			    json_integer_value(json_object_get(json_object_get(v[i], "rank"), "position"));
			char lab[256];
			if (pos > 0)
				snprintf(lab, sizeof lab, "%lld. %s", (long long)pos,
				         web_str(v[i], "name_th"));
			else
				snprintf(lab, sizeof lab, "%s", web_str(v[i], "name_th"));
			/* the reader's own unit: their district, or the province it is in */
			const char *cc = web_str(v[i], "code");
			bool own = *own_unit && *cc && !strncmp(own_unit, cc, strlen(cc));
			json_array_append_new(pts,
			                      json_pack("{s:s, s:O, s:b}", "label", lab, "value",
			                                json_object_get(v[i], "users"), "highlight", own));
		}
		const char *top = n ? web_str(v[0], "name_th") : "";
		free(v);
		snprintf(title, sizeof title, "อันดับ%sตามจำนวนผู้มารับบริการ", web_str(m, "children_label"));
		snprintf(desc, sizeof desc, "%sใน%s %s เรียงตามจำนวนผู้มารับบริการ อันดับ 1 คือ %s",
		         web_str(m, "children_label"), uname, plabel, top);
		json_t *c = chart_obj("bars", "children-bars", title, desc, "ราย", pts);
		json_object_set_new(c, "label_header", json_string(web_str(m, "children_label")));
		json_object_set_new(dash, "children_bars", c);
	}
	json_t *svc = json_object_get(json_object_get(m, "breakdowns"), "service");
	if (json_array_size(svc) > 0) {
		json_t *pts = json_array();
		size_t i;
		json_t *e;
		json_array_foreach(svc, i, e)
		{
			if (i >= 10)
				break;
			char lab[300];
			snprintf(lab, sizeof lab, "%zu. %s", i + 1, web_str(e, "label_th"));
			json_array_append_new(
			    pts, json_pack("{s:s, s:O}", "label", lab, "value", json_object_get(e, "n")));
		}
		snprintf(title, sizeof title, "บริการที่ใช้มากที่สุด (ครั้ง)");
		snprintf(desc, sizeof desc, "บริการ e-Service ของ%s %s เรียงตามจำนวนครั้ง สูงสุด 10 บริการ", uname,
		         plabel);
		json_t *c = chart_obj("bars", "services-bars", title, desc, "ครั้ง", pts);
		json_object_set_new(c, "label_header", json_string("บริการ"));
		json_object_set_new(dash, "services_bars", c);
	}
}

/* model.tables: trend, children, services (web/table_export.h). */
static json_t *dashboard_tables(json_t *m)
{
	json_t *t = json_object();
	json_object_set_new(
	    t, "trend",
	    json_pack("{s:s, s:[o,o,o,o,o,o,o], s:s}", "title", "แนวโน้มรายงวด", "columns",
	              col("period", "งวด", "period", -1), col("users", "ผู้มารับบริการ", "int", -1),
	              col("transactions", "บริการ", "int", -1), col("responses", "ผู้ตอบแบบสำรวจ", "int", -1),
	              col("score", "คะแนน (เต็ม 10)", "number", 2),
	              col("percent", "ร้อยละความพึงพอใจ", "number", 2),
	              col("response_rate", "อัตราการตอบ (ร้อยละ)", "number", 2), "rows", "trend"));
	json_object_set_new(t, "children",
	                    json_pack("{s:s, s:[o,o,o,o,o,o,o,o], s:s}", "title",
	                              web_str(m, "children_label"), "columns", col("code", "รหัส", "text", -1),
	                              col("name_th", web_str(m, "children_label"), "text", -1),
	                              col("users", "ผู้มารับบริการ", "int", -1),
	                              col("transactions", "บริการ", "int", -1),
	                              col("survey.n", "ผู้ตอบแบบสำรวจ", "int", -1),
	                              col("survey.score", "คะแนน (เต็ม 10)", "number", 2),
	                              col("survey.percent", "ร้อยละความพึงพอใจ", "number", 2),
	                              col("rank.position", "อันดับผู้รับบริการ", "int", -1), "rows", "children"));
	json_object_set_new(t, "services",
	                    json_pack("{s:s, s:[o,o,o], s:s}", "title", "บริการ e-Service", "columns",
	                              col("key", "รหัสบริการ", "text", -1),
	                              col("label_th", "บริการ", "text", -1),
	                              col("n", "จำนวน (ครั้ง)", "int", -1), "rows", "breakdowns.service"));
	return t;
}

/* The dashboard of the staff page: trend, ranking, service mix, tables
 * and their export links. Returns false on a database error. */
static bool dashboard_into(json_t *m, const char *unit, const struct span *s, const char *base,
                           const char *own_unit)
{
	json_t *dash = json_object();
	if (!trend_into(m, dash, unit, s)) {
		json_decref(dash);
		return false;
	}
	ranking_into(m, dash, own_unit);
	static const char *const link[][2] = {{"users_trend", "trend"},
	                                      {"score_trend", "trend"},
	                                      {"rate_trend", "trend"},
	                                      {"children_bars", "children"},
	                                      {"services_bars", "services"}};
	for (size_t i = 0; i < sizeof link / sizeof *link; i++) {
		json_t *c = json_object_get(dash, link[i][0]);
		if (c)
			json_object_set_new(c, "export", web_table_links(base, link[i][1]));
	}
	/* Official figures beside osspoint's own, never mixed into them. */
	json_t *ext = NULL;
	char iso[PERIOD_ISO_SIZE] = "";
	if (!s->fy)
		period_iso(s->p, iso);
	if (!s->fy && db_external_for(app->db, unit, iso, &ext) != DB_OK)
		ext = NULL;
	if (!ext)
		ext = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(ext, i, e)
	{
		json_t *u = json_object_get(e, "users");
		json_object_set_new(e, "users_fmt",
		                    json_is_integer(u) ? grouped(json_integer_value(u)) : json_null());
		char h[300];
		snprintf(h, sizeof h, "ตัวเลขจากแหล่งภายนอก: %s", web_str(e, "source"));
		json_object_set_new(e, "heading_th", json_string(h));
	}
	json_object_set_new(m, "has_external", json_boolean(json_array_size(ext) > 0));
	json_object_set_new(m, "external", ext);
	json_object_set_new(m, "dashboard", dash);
	json_object_set_new(m, "tables", dashboard_tables(m));
	return true;
}

/* The home page's glance (web/home.c): the letter's numbers of unit for
 * period p (users served, score, percent, rank among its siblings), linking
 * to its dashboard, into m.stats_glance. Nothing on a database error. */
void stats_home(json_t *m, const char *unit, struct period p)
{
	struct stats_table t;
	if (db_stats_period_for(app->db, p, app->cfg->cutoff_day, unit, false, &t) != DB_OK)
		return;
	const struct stats_row *row = stats_table_find(&t, unit);
	if (!row) {
		stats_table_free(&t);
		return;
	}
	int64_t min_resp = app->cfg->rank_min_responses;
	struct rankset sib;
	rankset_build(&sib, &t, row->parent, row->level, min_resp);
	json_t *g = unit_numbers(row);
	rankings_into(g, &sib, NULL, row, min_resp);
	char iso[PERIOD_ISO_SIZE], href[96];
	period_iso(p, iso);
	snprintf(href, sizeof href, "/stats/%s?period=%s", unit, iso);
	struct buf b;
	buf_init(&b, 128);
	period_label(&b, p, PERIOD_LABEL_FULL_MONTH);
	json_object_set_new(g, "period", json_string(iso));
	json_object_set_new(g, "period_label_th", json_string(buf_str(&b)));
	json_object_set_new(g, "name_th", json_string(row->name_th));
	json_object_set_new(g, "href", json_string(href));
	json_object_set_new(g, "rank_scope_th", json_string(row->level == 1 ? "ในประเทศ" : "ในจังหวัด"));
	buf_cleanup(&b);
	rankset_free(&sib);
	stats_table_free(&t);
	json_object_set_new(m, "stats_glance", g);
}

static void stats_show(struct req *r)
{
	const char *unit = web_scope_unit(r);
	struct span s;
	if (!parse_span(r, &s, false))
		return;
	json_t *m = stats_model(r, unit, &s, false);
	if (!m)
		return;
	char title[256];
	snprintf(title, sizeof title, "สถิติ %s", web_str(json_object_get(m, "unit"), "name_th"));
	json_object_set_new(m, "page_title", json_string(title));
	nav_links(m, &s, "/stats/", unit);
	const char *parent = web_str(json_object_get(m, "unit"), "parent_code");
	if (*parent) {
		char href[64];
		snprintf(href, sizeof href, "/stats/%s", parent);
		json_object_set_new(m, "parent_href", json_string(href));
	}
	char base[96], stem[96];
	if (s.fy) {
		snprintf(base, sizeof base, "/stats/%s?fy=%d", unit, s.fy_be);
		snprintf(stem, sizeof stem, "stats-%s-FY%d", unit, s.fy_be);
	} else {
		char iso[PERIOD_ISO_SIZE];
		period_iso(s.p, iso);
		snprintf(base, sizeof base, "/stats/%s?period=%s", unit, iso);
		snprintf(stem, sizeof stem, "stats-%s-%s", unit, iso);
	}
	const struct session_user *me = web_user(r);
	if (!dashboard_into(m, unit, &s, base, me ? me->unit_code : "")) {
		json_decref(m);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	reply_header(r, "Cache-Control", "private, no-store");
	if (web_table_export(r, m, stem)) {
		json_decref(m);
		return;
	}
	reply_model(r, 200, "stats", m);
}

static void statistics_public(struct req *r)
{
	const char *unit = req_query(r, "unit");
	if (!unit || !*unit)
		unit = UNIT_CODE_NATIONAL;
	if (!unit_code_valid(unit)) {
		reply_error(r, ERR_STATS_UNIT_NOT_FOUND, "unit", NULL);
		return;
	}
	struct span s;
	if (!parse_span(r, &s, true))
		return;
	json_t *m = stats_model(r, unit, &s, true);
	if (!m)
		return;
	char title[256];
	snprintf(title, sizeof title, "สถิติการให้บริการ %s", web_str(json_object_get(m, "unit"), "name_th"));
	json_object_set_new(m, "page_title", json_string(title));
	json_object_set_new(m, "public", json_true());
	char desc[512];
	snprintf(desc, sizeof desc,
	         "สถิติจุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) %s %s: ผู้มารับบริการ %s คน ความพึงพอใจ %s",
	         web_str(json_object_get(m, "unit"), "name_th"),
	         web_str(json_object_get(m, "period"), "label_th"), web_str(m, "users_fmt"),
	         json_is_string(json_object_get(json_object_get(m, "survey"), "percent"))
	             ? web_str(json_object_get(m, "survey"), "percent")
	             : "-");
	json_object_set_new(m, "meta_description", json_string(desc));
	char base[64];
	snprintf(base, sizeof base, "/statistics?unit=");
	nav_links(m, &s, base, unit);
	json_t *list = NULL;
	if (db_stats_closed_list(app->db, 36, &list) == DB_OK) {
		size_t i;
		json_t *e;
		json_array_foreach(list, i, e)
		{
			struct period p;
			if (period_parse(web_str(e, "period"), &p) != 0)
				continue;
			struct buf b;
			buf_init(&b, 128);
			period_label(&b, p, PERIOD_LABEL_FULL_MONTH);
			json_object_set_new(e, "label_th", json_string(buf_str(&b)));
			buf_cleanup(&b);
			json_object_set_new(
			    e, "selected",
			    json_boolean(!s.fy && !strcmp(web_str(e, "period"),
			                                  web_str(json_object_get(m, "period"), "id"))));
			json_object_del(e, "closed_at");
		}
		json_object_set_new(m, "closed_periods", list);
	}
	const char *parent = web_str(json_object_get(m, "unit"), "parent_code");
	if (*parent) {
		char href[64];
		snprintf(href, sizeof href, "/statistics?unit=%s", parent);
		json_object_set_new(m, "parent_href", json_string(href));
	}
	reply_header(r, "Cache-Control", "public, max-age=300");
	reply_model(r, 200, "statistics", m);
}

const struct route stats_routes[] = {
    {HTTP_GET, "/stats/{unit}", ROLE_OFFICER, 0, stats_show, "stats.show", &scope_any_unit},
    {HTTP_GET, "/statistics", 0, ROUTE_PUBLIC, statistics_public, "stats.public", &scope_none},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
