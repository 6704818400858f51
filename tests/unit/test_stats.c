/* Unit tests for src/core/stats.c: exact survey arithmetic, competition
 * rankings, movement and open days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/stats.h"
#include "lib/thai.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_letter_numbers(void **state)
{
	char s[STATS_DEC_SIZE];
	/* The letter: Σ = 9,173 over n = 1,000. */
	assert_int_equal(stats_score(9173, 1000, s), 0);
	assert_string_equal(s, "9.17");
	assert_int_equal(stats_percent(9173, 1000, s), 0);
	assert_string_equal(s, "91.73");
	/* 9.173 × 1,671 is not an integer: the nearest Σ still gives the letter. */
	assert_int_equal(stats_score(15328, 1671, s), 0);
	assert_string_equal(s, "9.17");
	assert_int_equal(stats_percent(15328, 1671, s), 0);
	assert_string_equal(s, "91.73");
}

static void test_rounding_half_up_exact(void **state)
{
	static const struct {
		int64_t num, den;
		const char *want;
	} t[] = {
	    {0, 1, "0.00"},
	    {10, 1, "10.00"},
	    {1, 3, "0.33"},
	    {2, 3, "0.67"},
	    {1, 8, "0.13"}, /* 0.125 → half up */
	    {5, 1000, "0.01"},
	    {4, 1000, "0.00"},
	    {4999, 1000, "5.00"},
	    {9995, 1000, "10.00"},
	    {9994, 1000, "9.99"},
	    {91735, 1000, "91.74"},
	    {917349, 10000, "91.73"},
	    {7, 7, "1.00"},
	    /* Binary floating point gets 1.005 wrong (1.00); the fraction does not. */
	    {1005, 1000, "1.01"},
	    {INT64_MAX / 100, 1, "92233720368547758.00"},
	};
	char s[STATS_DEC_SIZE];
	for (size_t i = 0; i < N(t); i++) {
		assert_int_equal(stats_decimal2(t[i].num, t[i].den, s), 0);
		assert_string_equal(s, t[i].want);
	}
	assert_int_equal(stats_decimal2(1, 0, s), -1);
	assert_string_equal(s, "");
	assert_int_equal(stats_decimal2(-1, 3, s), -1);
	assert_int_equal(stats_score(0, 0, s), -1); /* n = 0: no score (null in the model) */
	assert_int_equal(stats_rate(0, 0, s), -1);
	assert_int_equal(stats_rate(1, 3, s), 0);
	assert_string_equal(s, "33.33");
	assert_int_equal(stats_rate(2, 3, s), 0);
	assert_string_equal(s, "66.67");
}

/* Against a reference: round(num×100/den) half up by long division on
 * decimal digits. */
static void test_rounding_random(void **state)
{
	srand(12345);
	char s[STATS_DEC_SIZE], want[STATS_DEC_SIZE];
	for (int i = 0; i < 20000; i++) {
		int64_t den = 1 + rand() % 5000, num = rand() % (den * 11);
		int64_t q = num * 100 / den, r = num * 100 % den;
		if (2 * r >= den)
			q++;
		snprintf(want, sizeof want, "%lld.%02lld", (long long)(q / 100), (long long)(q % 100));
		assert_int_equal(stats_decimal2(num, den, s), 0);
		assert_string_equal(s, want);
	}
}

static struct stats_num users(int64_t u)
{
	struct stats_num n = {0};
	n.users = u;
	return n;
}

static void test_competition_ranking(void **state)
{
	struct stats_num v[] = {users(10), users(20), users(20), users(5), users(20), users(0)};
	int pos[N(v)];
	assert_int_equal(stats_rank(v, N(v), STATS_RANK_USERS, 30, pos), N(v));
	int want[] = {4, 1, 1, 5, 1, 6};
	for (size_t i = 0; i < N(v); i++)
		assert_int_equal(pos[i], want[i]);
	/* The 1, 2, 2, 4. */
	struct stats_num w[] = {users(9), users(7), users(7), users(3)};
	int p2[4];
	stats_rank(w, 4, STATS_RANK_USERS, 30, p2);
	assert_int_equal(p2[0], 1);
	assert_int_equal(p2[1], 2);
	assert_int_equal(p2[2], 2);
	assert_int_equal(p2[3], 4);
}

static void test_satisfaction_ranking_needs_min_responses(void **state)
{
	struct stats_num v[4] = {{0}};
	v[0].survey_n = 1000, v[0].survey_sum = 9173;  /* 9.173 */
	v[1].survey_n = 29, v[1].survey_sum = 290;     /* 10.0 but too few */
	v[2].survey_n = 30, v[2].survey_sum = 276;     /* 9.2 */
	v[3].survey_n = 2000, v[3].survey_sum = 18346; /* 9.173, the same fraction as v[0] */
	int pos[4];
	assert_int_equal(stats_rank(v, 4, STATS_RANK_SATISFACTION, 30, pos), 3);
	assert_int_equal(pos[0], 2);
	assert_int_equal(pos[1], 0);
	assert_int_equal(pos[2], 1);
	assert_int_equal(pos[3], 2);
	char why[256];
	stats_unranked_reason(STATS_RANK_SATISFACTION, &v[1], 30, why, sizeof why);
	assert_non_null(strstr(why, "29"));
	assert_non_null(strstr(why, "30"));
	/* With min 0, a unit without responses is still not ranked. */
	struct stats_num z[2] = {{0}};
	z[1].survey_n = 1, z[1].survey_sum = 5;
	assert_int_equal(stats_rank(z, 2, STATS_RANK_SATISFACTION, 0, pos), 1);
	assert_int_equal(pos[0], 0);
	assert_int_equal(pos[1], 1);
}

static void test_per_day_ranking(void **state)
{
	struct stats_num v[3] = {{0}};
	v[0].users = 100, v[0].open_days = 20; /* 5 a day */
	v[1].users = 60, v[1].open_days = 10;  /* 6 a day: first though fewer users */
	v[2].users = 50, v[2].open_days = 0;   /* never open: not ranked */
	int pos[3];
	assert_int_equal(stats_rank(v, 3, STATS_RANK_PER_DAY, 30, pos), 2);
	assert_int_equal(pos[0], 2);
	assert_int_equal(pos[1], 1);
	assert_int_equal(pos[2], 0);
	assert_string_equal(stats_ranking_key(STATS_RANK_PER_DAY), "rank_per_day");
	assert_true(strlen(stats_ranking_explain(STATS_RANK_PER_DAY)) > 0);
}

static void test_per_staffed_day_ranking(void **state)
{
	(void)state;
	/* A district with a roster is counted per staffed day, one without per open day. */
	struct stats_num v[3] = {{0}};
	v[0].users = 100, v[0].open_days = 20;                        /* 5 a day (no roster) */
	v[1].users = 60, v[1].open_days = 20, v[1].staffed_days = 10; /* 6 a staffed day: first */
	v[2].users = 50, v[2].open_days = 0, v[2].staffed_days = 5;   /* staffed though never "open": 10 */
	assert_int_equal(stats_day_basis(&v[0]), 20);
	assert_int_equal(stats_day_basis(&v[1]), 10);
	assert_false(stats_uses_staffed_days(&v[0]));
	assert_true(stats_uses_staffed_days(&v[1]));
	int pos[3];
	assert_int_equal(stats_rank(v, 3, STATS_RANK_PER_DAY, 30, pos), 3);
	assert_int_equal(pos[0], 3);
	assert_int_equal(pos[1], 2);
	assert_int_equal(pos[2], 1);
	struct stats_num a = v[0];
	stats_num_add(&a, &v[1]);
	assert_int_equal(a.staffed_days, 10);
}

static void test_movement(void **state)
{
	bool has;
	assert_int_equal(stats_movement(3, 1, &has), 2);
	assert_true(has);
	assert_int_equal(stats_movement(1, 4, &has), -3);
	assert_int_equal(stats_movement(0, 4, &has), 0);
	assert_false(has);
	assert_int_equal(stats_movement(2, 0, &has), 0);
	assert_false(has);
}

static int64_t dn(int y, int m, int d)
{
	return thai_days_from_civil(y, m, d);
}

static void test_open_days(void **state)
{
	/* Period 2024-02: 2024-01-26 (Fri) … 2024-02-25 (Sun): 31 days, 9
	 * weekend days (Jan 27, 28; Feb 3, 4, 10, 11, 17, 18, 24, 25 = 10). */
	int64_t first = dn(2024, 1, 26), last = dn(2024, 2, 25);
	assert_int_equal(stats_open_days(first, last, true, NULL, 0, NULL, 0, NULL, 0), 21);
	/* Makha Bucha (2024-02-24 is a Saturday; 2024-02-26 the substitute, out
	 * of range); a weekday holiday: 2024-02-12 (Mon) for the test. */
	int64_t hol[] = {dn(2023, 12, 31), dn(2024, 2, 12), dn(2024, 2, 24)};
	assert_int_equal(stats_open_days(first, last, true, NULL, 0, hol, 3, NULL, 0), 20);
	/* Served people on a Saturday and on the holiday: both count. */
	int64_t act[] = {dn(2024, 1, 29), dn(2024, 2, 3), dn(2024, 2, 12)};
	assert_int_equal(stats_open_days(first, last, true, NULL, 0, hol, 3, act, 3), 22);
	/* Closed from Feb 1 (Thu), open again from Feb 19 (Mon). */
	struct stats_status_change ch[] = {
	    {dn(2023, 5, 1), true}, {dn(2024, 2, 1), false}, {dn(2024, 2, 19), true}};
	/* Open: Jan 26, 29, 30, 31 (4) + Feb 19..23 (5) = 9 working days. */
	assert_int_equal(stats_open_days(first, last, false, ch, 3, NULL, 0, NULL, 0), 9);
	/* Not open before its first change. */
	struct stats_status_change later[] = {{dn(2024, 2, 19), true}};
	assert_int_equal(stats_open_days(first, last, false, later, 1, NULL, 0, NULL, 0), 5);
	assert_int_equal(stats_open_days(last, first, true, NULL, 0, NULL, 0, NULL, 0), 0);
}

static void test_num_add_is_respondent_weighted(void **state)
{
	/* Two districts: 9.0 over 10 and 10.0 over 990 → 9.99 (an average of
	 * averages would say 9.50). */
	struct stats_num a = {0}, b = {0}, sum = {0};
	a.survey_n = 10, a.survey_sum = 90;
	b.survey_n = 990, b.survey_sum = 9900;
	stats_num_add(&sum, &a);
	stats_num_add(&sum, &b);
	char s[STATS_DEC_SIZE];
	stats_score(sum.survey_sum, sum.survey_n, s);
	assert_string_equal(s, "9.99");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_letter_numbers),
	    cmocka_unit_test(test_rounding_half_up_exact),
	    cmocka_unit_test(test_rounding_random),
	    cmocka_unit_test(test_competition_ranking),
	    cmocka_unit_test(test_satisfaction_ranking_needs_min_responses),
	    cmocka_unit_test(test_per_day_ranking),
	    cmocka_unit_test(test_per_staffed_day_ranking),
	    cmocka_unit_test(test_movement),
	    cmocka_unit_test(test_open_days),
	    cmocka_unit_test(test_num_add_is_respondent_weighted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
