/* Statistics rules: see core/stats.h. */
#include "core/stats.h"

#include <stdio.h>
#include <string.h>

int stats_decimal2(int64_t num, int64_t den, char out[STATS_DEC_SIZE])
{
	out[0] = '\0';
	if (num < 0 || den <= 0)
		return -1;
	/* num/den × 100 = whole×100 + (rem×100)/den, exact in 128 bits. */
	__int128 scaled = (__int128)num * 100;
	__int128 q = scaled / den, r = scaled % den;
	/* Half up: the dropped part r/den is at least 1/2. */
	if (r >= (__int128)den - r)
		q++;
	snprintf(out, STATS_DEC_SIZE, "%lld.%02lld", (long long)(q / 100), (long long)(q % 100));
	return 0;
}

int stats_score(int64_t sum, int64_t n, char out[STATS_DEC_SIZE])
{
	return stats_decimal2(sum, n, out);
}

int stats_percent(int64_t sum, int64_t n, char out[STATS_DEC_SIZE])
{
	if (sum > INT64_MAX / 10) {
		out[0] = '\0';
		return -1;
	}
	return stats_decimal2(sum * 10, n, out);
}

int stats_rate(int64_t part, int64_t whole, char out[STATS_DEC_SIZE])
{
	if (part > INT64_MAX / 100) {
		out[0] = '\0';
		return -1;
	}
	return stats_decimal2(part * 100, whole, out);
}

void stats_num_add(struct stats_num *a, const struct stats_num *b)
{
	a->users += b->users;
	a->transactions += b->transactions;
	a->survey_n += b->survey_n;
	a->survey_point_n += b->survey_point_n;
	a->survey_visit_n += b->survey_visit_n;
	a->survey_sum += b->survey_sum;
	a->open_days += b->open_days;
	a->staffed_days += b->staffed_days;
}

int stats_frac_cmp(int64_t num_a, int64_t den_a, int64_t num_b, int64_t den_b)
{
	__int128 l = (__int128)num_a * den_b, r = (__int128)num_b * den_a; /* exact */
	return l < r ? -1 : l > r;
}

int64_t stats_day_basis(const struct stats_num *x)
{
	return x->staffed_days > 0 ? x->staffed_days : x->open_days;
}

bool stats_uses_staffed_days(const struct stats_num *x)
{
	return x->staffed_days > 0;
}

static bool eligible(const struct stats_num *x, enum stats_ranking how, int64_t min_responses)
{
	switch (how) {
	case STATS_RANK_USERS: return true;
	case STATS_RANK_SATISFACTION: return x->survey_n > 0 && x->survey_n >= min_responses;
	case STATS_RANK_PER_DAY: return stats_day_basis(x) > 0;
	default: return false;
	}
}

/* >0 when a is above b in the ranking. */
static int above(const struct stats_num *a, const struct stats_num *b, enum stats_ranking how)
{
	switch (how) {
	case STATS_RANK_USERS: return a->users > b->users ? 1 : a->users < b->users ? -1 : 0;
	case STATS_RANK_SATISFACTION:
		return stats_frac_cmp(a->survey_sum, a->survey_n, b->survey_sum, b->survey_n);
	case STATS_RANK_PER_DAY:
		return stats_frac_cmp(a->users, stats_day_basis(a), b->users, stats_day_basis(b));
	default: return 0;
	}
}

size_t stats_rank(const struct stats_num *nums, size_t n, enum stats_ranking how, int64_t min_responses,
                  int *pos)
{
	size_t of = 0;
	for (size_t i = 0; i < n; i++) {
		if (!eligible(&nums[i], how, min_responses)) {
			pos[i] = 0;
			continue;
		}
		of++;
		int p = 1;
		for (size_t j = 0; j < n; j++)
			if (j != i && eligible(&nums[j], how, min_responses) &&
			    above(&nums[j], &nums[i], how) > 0)
				p++;
		pos[i] = p;
	}
	return of;
}

void stats_unranked_reason(enum stats_ranking how, const struct stats_num *num, int64_t min_responses,
                           char *out, size_t cap)
{
	switch (how) {
	case STATS_RANK_SATISFACTION:
		snprintf(out, cap, "มีผู้ตอบแบบสำรวจ %lld คน น้อยกว่าเกณฑ์ %lld คน จึงยังไม่จัดอันดับความพึงพอใจ",
		         (long long)num->survey_n, (long long)min_responses);
		break;
	case STATS_RANK_PER_DAY: snprintf(out, cap, "ไม่มีวันเปิดให้บริการในช่วงนี้ จึงไม่จัดอันดับผู้รับบริการต่อวัน"); break;
	default: snprintf(out, cap, "ไม่จัดอันดับ"); break;
	}
}

const char *stats_ranking_explain(enum stats_ranking how)
{
	switch (how) {
	case STATS_RANK_USERS: return "อันดับตามจำนวนผู้มารับบริการ เทียบกับหน่วยงานระดับเดียวกัน จำนวนเท่ากันได้อันดับเท่ากัน";
	case STATS_RANK_SATISFACTION:
		return "อันดับตามคะแนนความพึงพอใจเฉลี่ย เฉพาะหน่วยงานที่มีผู้ตอบแบบสำรวจถึงเกณฑ์ขั้นต่ำ";
	case STATS_RANK_PER_DAY:
		return "อันดับตามผู้มารับบริการต่อวันเปิดให้บริการ (ไม่นับเสาร์ อาทิตย์ และวันหยุดราชการ "
		       "เว้นแต่เปิดให้บริการจริง) เป็นธรรมกับจุดที่เปิดให้บริการน้อยวัน";
	default: return "";
	}
}

const char *stats_ranking_key(enum stats_ranking how)
{
	static const char *const keys[] = {"rank", "rank_satisfaction", "rank_per_day"};
	return (int)how >= 0 && how < STATS_RANK__COUNT ? keys[how] : "";
}

int stats_movement(int prev_pos, int pos, bool *has)
{
	*has = prev_pos > 0 && pos > 0;
	return *has ? prev_pos - pos : 0;
}

static bool sorted_has(const int64_t *a, size_t n, size_t *k, int64_t day)
{
	while (*k < n && a[*k] < day)
		(*k)++;
	return *k < n && a[*k] == day;
}

int64_t stats_open_days(int64_t first, int64_t last, bool initial_open,
                        const struct stats_status_change *changes, size_t nchanges, const int64_t *holidays,
                        size_t nholidays, const int64_t *active, size_t nactive)
{
	int64_t count = 0;
	bool open = initial_open;
	size_t c = 0, h = 0, a = 0;
	for (int64_t d = first; d <= last; d++) {
		while (c < nchanges && changes[c].since <= d)
			open = changes[c++].open;
		if (!open)
			continue;
		/* 1970-01-01 was a Thursday: weekday = (d + 4) mod 7, 0 = Sunday. */
		int wd = (int)(((d % 7) + 7 + 4) % 7);
		bool off = wd == 0 || wd == 6 || sorted_has(holidays, nholidays, &h, d);
		if (!off || sorted_has(active, nactive, &a, d))
			count++;
	}
	return count;
}
