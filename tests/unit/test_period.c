/* Unit tests for src/core/period.c: period of a day, ranges, parsing, labels,
 * fiscal years and the open/closed rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/period.h"
#include "lib/buf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct civil_day day(int y, int m, int d)
{
	struct civil_day c = {y, m, d};
	return c;
}

static struct period per(int y, int m)
{
	struct period p = {y, m};
	return p;
}

static void test_of_day_table(void **state)
{
	static const struct {
		int y, m, d, cutoff;
		int rc, py, pm;
	} rows[] = {
	    /* the brief's edges, cut-off 25 */
	    {2024, 1, 25, 25, 0, 2024, 1},
	    {2024, 1, 26, 25, 0, 2024, 2},
	    {2023, 12, 25, 25, 0, 2023, 12},
	    {2023, 12, 26, 25, 0, 2024, 1},
	    {2023, 12, 31, 25, 0, 2024, 1},
	    {2024, 1, 1, 25, 0, 2024, 1},
	    {2024, 2, 25, 25, 0, 2024, 2},
	    {2024, 2, 26, 25, 0, 2024, 3},
	    {2024, 2, 29, 25, 0, 2024, 3}, /* leap day */
	    {2023, 2, 28, 25, 0, 2023, 3},
	    {2024, 12, 25, 25, 0, 2024, 12},
	    {2024, 12, 26, 25, 0, 2025, 1},
	    /* cut-off 1: a period is the 2nd of one month … the 1st of the next */
	    {2024, 1, 1, 1, 0, 2024, 1},
	    {2024, 1, 2, 1, 0, 2024, 2},
	    {2024, 2, 1, 1, 0, 2024, 2},
	    {2024, 2, 29, 1, 0, 2024, 3},
	    {2023, 12, 2, 1, 0, 2024, 1},
	    {2023, 12, 1, 1, 0, 2023, 12},
	    /* cut-off 28 */
	    {2024, 2, 28, 28, 0, 2024, 2},
	    {2024, 2, 29, 28, 0, 2024, 3},
	    {2023, 2, 28, 28, 0, 2023, 2},
	    {2023, 3, 1, 28, 0, 2023, 3},
	    {2024, 3, 28, 28, 0, 2024, 3},
	    {2024, 3, 29, 28, 0, 2024, 4},
	    {2024, 12, 29, 28, 0, 2025, 1},
	    /* invalid */
	    {2023, 2, 29, 25, -1, 0, 0},
	    {2024, 13, 1, 25, -1, 0, 0},
	    {2024, 1, 1, 0, -1, 0, 0},
	    {2024, 1, 1, 29, -1, 0, 0},
	    {2024, 1, 1, -5, -1, 0, 0},
	    {9999, 12, 26, 25, -1, 0, 0}, /* would be 10000-01 */
	    {9999, 12, 25, 25, 0, 9999, 12},
	    {1, 1, 1, 25, 0, 1, 1},
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct period p = {0, 0};
		int rc = period_of_day(rows[i].y, rows[i].m, rows[i].d, rows[i].cutoff, &p);
		if (rc != rows[i].rc || p.year != rows[i].py || p.month != rows[i].pm)
			fail_msg("row %zu: %04d-%02d-%02d c=%d → rc=%d %04d-%02d", i, rows[i].y, rows[i].m,
			         rows[i].d, rows[i].cutoff, rc, p.year, p.month);
	}
}

/* Every month boundary of 2023–2025 for the default cut-off: the 1st and
 * the cut-off day belong to the month's own period; the day after the cut-off
 * and the month's last day belong to the next one. */
static void test_of_day_every_month(void **state)
{
	for (int y = 2023; y <= 2025; y++)
		for (int m = 1; m <= 12; m++) {
			struct period p, next = period_add(per(y, m), 1);
			assert_int_equal(period_of_day(y, m, 25, 25, &p), 0);
			assert_int_equal(period_cmp(p, per(y, m)), 0);
			assert_int_equal(period_of_day(y, m, 26, 25, &p), 0);
			assert_int_equal(period_cmp(p, next), 0);
			assert_int_equal(period_of_day(y, m, thai_month_days(y, m), 25, &p), 0);
			assert_int_equal(period_cmp(p, next), 0);
			assert_int_equal(period_of_day(y, m, 1, 25, &p), 0);
			assert_int_equal(period_cmp(p, per(y, m)), 0);
		}
}

static void test_range_table(void **state)
{
	static const struct {
		int py, pm, cutoff;
		int rc;
		struct civil_day first, last;
	} rows[] = {
	    {2024, 2, 25, 0, {2024, 1, 26}, {2024, 2, 25}},
	    {2024, 1, 25, 0, {2023, 12, 26}, {2024, 1, 25}},
	    {2024, 3, 25, 0, {2024, 2, 26}, {2024, 3, 25}},
	    {2024, 12, 25, 0, {2024, 11, 26}, {2024, 12, 25}},
	    {2024, 2, 1, 0, {2024, 1, 2}, {2024, 2, 1}},
	    {2024, 3, 1, 0, {2024, 2, 2}, {2024, 3, 1}},
	    {2024, 1, 1, 0, {2023, 12, 2}, {2024, 1, 1}},
	    {2023, 3, 28, 0, {2023, 3, 1}, {2023, 3, 28}}, /* no 2023-02-29 */
	    {2024, 3, 28, 0, {2024, 2, 29}, {2024, 3, 28}},
	    {2024, 2, 28, 0, {2024, 1, 29}, {2024, 2, 28}},
	    {2025, 1, 28, 0, {2024, 12, 29}, {2025, 1, 28}},
	    {2024, 0, 25, -1, {0, 0, 0}, {0, 0, 0}},
	    {2024, 13, 25, -1, {0, 0, 0}, {0, 0, 0}},
	    {2024, 2, 0, -1, {0, 0, 0}, {0, 0, 0}},
	    {2024, 2, 29, -1, {0, 0, 0}, {0, 0, 0}},
	    {1, 1, 25, -1, {0, 0, 0}, {0, 0, 0}}, /* would start in year 0 */
	    {1, 2, 25, 0, {1, 1, 26}, {1, 2, 25}},
	    {9999, 12, 25, 0, {9999, 11, 26}, {9999, 12, 25}},
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct civil_day f = {0, 0, 0}, l = {0, 0, 0};
		int rc = period_range(per(rows[i].py, rows[i].pm), rows[i].cutoff, &f, &l);
		if (rc != rows[i].rc || thai_day_cmp(f, rows[i].first) || thai_day_cmp(l, rows[i].last))
			fail_msg("row %zu: rc=%d %04d-%02d-%02d … %04d-%02d-%02d", i, rc, f.y, f.m, f.d, l.y,
			         l.m, l.d);
	}
	struct civil_day f;
	assert_int_equal(period_range(per(2024, 2), 25, &f, NULL), 0);
	assert_int_equal(thai_day_cmp(f, day(2024, 1, 26)), 0);
	assert_int_equal(period_range(per(2024, 2), 25, NULL, NULL), 0);
}

/* For every cut-off 1..28 and every day of 2000–2030: the day lies in the
 * range of its period, and consecutive periods tile the calendar with no gap
 * and no overlap, each 28..31 days long. */
static void test_tiling_all_cutoffs(void **state)
{
	for (int c = PERIOD_CUTOFF_MIN; c <= PERIOD_CUTOFF_MAX; c++) {
		struct civil_day d = day(2000, 1, 1);
		while (d.y <= 2030) {
			struct period p;
			struct civil_day f, l;
			assert_int_equal(period_of_day(d.y, d.m, d.d, c, &p), 0);
			assert_int_equal(period_range(p, c, &f, &l), 0);
			if (thai_day_cmp(f, d) > 0 || thai_day_cmp(d, l) > 0)
				fail_msg("c=%d %04d-%02d-%02d outside its period", c, d.y, d.m, d.d);
			assert_int_equal(thai_day_add(&d, 1), 0);
		}
		for (struct period p = per(2000, 1); p.year <= 2030; p = period_add(p, 1)) {
			struct civil_day f, l, nf;
			assert_int_equal(period_range(p, c, &f, &l), 0);
			assert_int_equal(period_range(period_add(p, 1), c, &nf, NULL), 0);
			assert_int_equal(thai_day_add(&l, 1), 0);
			if (thai_day_cmp(l, nf) != 0)
				fail_msg("c=%d gap/overlap after %04d-%02d", c, p.year, p.month);
			int64_t len =
			    thai_days_from_civil(nf.y, nf.m, nf.d) - thai_days_from_civil(f.y, f.m, f.d);
			if (len < 28 || len > 31)
				fail_msg("c=%d period %04d-%02d has %lld days", c, p.year, p.month,
				         (long long)len);
		}
	}
}

static void test_parse(void **state)
{
	static const struct {
		const char *s;
		int y, m;
	} good[] = {
	    {"2024-02", 2024, 2},  {"2024-12", 2024, 12}, {"2023-01", 2023, 1},  {"0001-01", 1, 1},
	    {"9999-12", 9999, 12}, {"๒๐๒๔-๐๒", 2024, 2},  {"2๐24-1๒", 2024, 12},
	};
	for (size_t i = 0; i < N(good); i++) {
		struct period p = {0, 0};
		if (period_parse(good[i].s, &p) != 0 || p.year != good[i].y || p.month != good[i].m)
			fail_msg("%s", good[i].s);
	}
	static const char *const bad[] = {
	    "2024-00",  "2024-13",  "2024-2",  "24-02",     "2024-002", "2024/02", "202402", "2024-02-25",
	    "2024-02 ", " 2024-02", "0000-01", "",          "-",        "2024-",   "-02",    "2024-0x",
	    "+2024-02", "2024-1a",  "2024--2", "2024-02\n", "๒๐๒๔-๐",   "๒๕๖๗-๑๓",
	};
	for (size_t i = 0; i < N(bad); i++) {
		struct period p = {7, 7};
		if (period_parse(bad[i], &p) != -1 || p.year != 7 || p.month != 7)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_iso(void **state)
{
	char out[PERIOD_ISO_SIZE];
	assert_int_equal(period_iso(per(2024, 2), out), 0);
	assert_string_equal(out, "2024-02");
	assert_int_equal(period_iso(per(1, 12), out), 0);
	assert_string_equal(out, "0001-12");
	assert_int_equal(period_iso(per(2024, 13), out), -1);
	assert_string_equal(out, "");
	assert_int_equal(period_iso(per(10000, 1), out), -1);
	/* iso ∘ parse round trip */
	for (struct period p = per(1999, 1); p.year < 2031; p = period_add(p, 1)) {
		struct period back;
		assert_int_equal(period_iso(p, out), 0);
		assert_int_equal(period_parse(out, &back), 0);
		assert_int_equal(period_cmp(p, back), 0);
	}
}

static void test_label(void **state)
{
	static const struct {
		int y, m;
		unsigned flags;
		const char *want;
	} rows[] = {
	    {2024, 2, PERIOD_LABEL_THAI_DIGITS, "ก.พ. ๒๕๖๗"},
	    {2024, 2, 0, "ก.พ. 2567"},
	    {2024, 2, PERIOD_LABEL_FULL_MONTH, "กุมภาพันธ์ 2567"},
	    {2024, 2, PERIOD_LABEL_FULL_MONTH | PERIOD_LABEL_THAI_DIGITS, "กุมภาพันธ์ ๒๕๖๗"},
	    {2023, 10, PERIOD_LABEL_THAI_DIGITS, "ต.ค. ๒๕๖๖"},
	    {2024, 1, 0, "ม.ค. 2567"},
	    {2024, 12, 0, "ธ.ค. 2567"},
	};
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < N(rows); i++) {
		buf_reset(&b);
		assert_int_equal(period_label(&b, per(rows[i].y, rows[i].m), rows[i].flags), 0);
		assert_string_equal(buf_str(&b), rows[i].want);
	}
	for (int m = 1; m <= 12; m++) {
		char want[64];
		buf_reset(&b);
		assert_int_equal(period_label(&b, per(2024, m), 0), 0);
		snprintf(want, sizeof want, "%s 2567", thai_month_abbr(m));
		assert_string_equal(buf_str(&b), want);
	}
	buf_reset(&b);
	assert_int_equal(period_label(&b, per(2024, 0), 0), -1);
	assert_int_equal(period_label(&b, per(0, 1), 0), -1);
	assert_int_equal(b.len, 0);
	buf_cleanup(&b);
	buf_init(&b, 8);
	assert_int_equal(period_label(&b, per(2024, 2), PERIOD_LABEL_THAI_DIGITS), -1);
	assert_int_equal(b.len, 0);
	buf_cleanup(&b);
}

static void test_add_cmp(void **state)
{
	static const struct {
		int y, m, n, ry, rm;
	} rows[] = {
	    {2024, 1, 1, 2024, 2},   {2024, 12, 1, 2025, 1},   {2024, 1, -1, 2023, 12},
	    {2024, 1, -12, 2023, 1}, {2024, 1, -13, 2022, 12}, {2024, 6, 0, 2024, 6},
	    {2024, 6, 18, 2025, 12}, {2024, 6, 19, 2026, 1},   {2024, 6, -6, 2023, 12},
	    {2024, 6, -5, 2024, 1},  {1, 1, -1, 0, 12},        {2024, 1, 1200, 2124, 1},
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct period r = period_add(per(rows[i].y, rows[i].m), rows[i].n);
		if (r.year != rows[i].ry || r.month != rows[i].rm)
			fail_msg("row %zu: %d-%d", i, r.year, r.month);
	}
	assert_false(period_valid(period_add(per(1, 1), -1)));
	assert_true(period_cmp(per(2024, 1), per(2024, 2)) < 0);
	assert_true(period_cmp(per(2024, 1), per(2023, 12)) > 0);
	assert_true(period_cmp(per(2024, 5), per(2024, 5)) == 0);
	assert_true(period_cutoff_valid(1));
	assert_true(period_cutoff_valid(28));
	assert_false(period_cutoff_valid(0));
	assert_false(period_cutoff_valid(29));
	assert_false(period_cutoff_valid(31));
}

static void test_fiscal_year(void **state)
{
	static const struct {
		int y, m, fy;
	} rows[] = {
	    {2023, 9, 2566}, {2023, 10, 2567}, {2023, 11, 2567}, {2023, 12, 2567}, {2024, 1, 2567},
	    {2024, 2, 2567}, {2024, 9, 2567},  {2024, 10, 2568}, {2024, 12, 2568}, {2025, 9, 2568},
	    {2024, 0, 0},    {2024, 13, 0},    {0, 10, 0},
	};
	for (size_t i = 0; i < N(rows); i++)
		if (period_fiscal_year(per(rows[i].y, rows[i].m)) != rows[i].fy)
			fail_msg("%04d-%02d", rows[i].y, rows[i].m);

	/* Every period of a fiscal year maps back to it, in order. */
	for (int fy = 2560; fy <= 2580; fy++) {
		struct period ps[12];
		assert_int_equal(period_fiscal_periods(fy, ps), 0);
		assert_int_equal(ps[0].year, thai_year_ce(fy) - 1);
		assert_int_equal(ps[0].month, 10);
		assert_int_equal(ps[11].year, thai_year_ce(fy));
		assert_int_equal(ps[11].month, 9);
		for (int i = 0; i < 12; i++) {
			assert_int_equal(period_fiscal_year(ps[i]), fy);
			if (i)
				assert_int_equal(period_cmp(period_add(ps[i - 1], 1), ps[i]), 0);
		}
	}
	struct period ps[12];
	assert_int_equal(period_fiscal_periods(2567, ps), 0);
	assert_int_equal(period_cmp(ps[0], per(2023, 10)), 0);
	assert_int_equal(period_cmp(ps[3], per(2024, 1)), 0);
	assert_int_equal(period_cmp(ps[11], per(2024, 9)), 0);
	assert_int_equal(period_fiscal_periods(thai_year_be(0), ps), -1); /* Oct of year -1 */
	assert_int_equal(period_fiscal_periods(thai_year_be(10000), ps), -1);
	assert_int_equal(period_fiscal_periods(thai_year_be(9999), ps), 0);
}

static void test_fiscal_range(void **state)
{
	static const struct {
		int fy, cutoff, rc;
		struct civil_day first, last;
	} rows[] = {
	    {2567, 25, 0, {2023, 9, 26}, {2024, 9, 25}}, {2568, 25, 0, {2024, 9, 26}, {2025, 9, 25}},
	    {2567, 1, 0, {2023, 9, 2}, {2024, 9, 1}},    {2567, 28, 0, {2023, 9, 29}, {2024, 9, 28}},
	    {2567, 29, -1, {0, 0, 0}, {0, 0, 0}},        {543, 25, -1, {0, 0, 0}, {0, 0, 0}},
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct civil_day f = {0, 0, 0}, l = {0, 0, 0};
		int rc = period_fiscal_range(rows[i].fy, rows[i].cutoff, &f, &l);
		if (rc != rows[i].rc || thai_day_cmp(f, rows[i].first) || thai_day_cmp(l, rows[i].last))
			fail_msg("row %zu", i);
	}
	/* A day's fiscal year through its period: with cut-off 25,
	 * 2023-09-25 is FY2566 and 2023-09-26 FY2567. */
	struct period p;
	assert_int_equal(period_of_day(2023, 9, 25, 25, &p), 0);
	assert_int_equal(period_fiscal_year(p), 2566);
	assert_int_equal(period_of_day(2023, 9, 26, 25, &p), 0);
	assert_int_equal(period_fiscal_year(p), 2567);
	assert_int_equal(period_of_day(2024, 9, 25, 25, &p), 0);
	assert_int_equal(period_fiscal_year(p), 2567);
	assert_int_equal(period_of_day(2024, 9, 26, 25, &p), 0);
	assert_int_equal(period_fiscal_year(p), 2568);
}

static void test_state(void **state)
{
	static const struct {
		int py, pm, cutoff;
		struct civil_day today;
		int grace;
		bool attested;
		enum period_state want;
		bool can_attest;
	} rows[] = {
	    /* 2024-02, cut-off 25, grace 3: open 2024-01-26 … 2024-02-28 */
	    {2024, 2, 25, {2024, 1, 25}, 3, false, PERIOD_FUTURE, false},
	    {2024, 2, 25, {2024, 1, 26}, 3, false, PERIOD_CURRENT, false},
	    {2024, 2, 25, {2024, 2, 24}, 3, false, PERIOD_CURRENT, false},
	    {2024, 2, 25, {2024, 2, 25}, 3, false, PERIOD_CURRENT, true},
	    {2024, 2, 25, {2024, 2, 26}, 3, false, PERIOD_GRACE, true},
	    {2024, 2, 25, {2024, 2, 28}, 3, false, PERIOD_GRACE, true},
	    {2024, 2, 25, {2024, 2, 29}, 3, false, PERIOD_CLOSED, false},
	    {2024, 2, 25, {2024, 3, 1}, 3, false, PERIOD_CLOSED, false},
	    {2025, 2, 25, {2025, 2, 28}, 3, false, PERIOD_GRACE, true},
	    {2025, 2, 25, {2025, 3, 1}, 3, false, PERIOD_CLOSED, false},
	    /* attested closes at once, whatever the day */
	    {2024, 2, 25, {2024, 2, 25}, 3, true, PERIOD_CLOSED, false},
	    {2024, 2, 25, {2024, 2, 26}, 3, true, PERIOD_CLOSED, false},
	    {2024, 2, 25, {2024, 2, 1}, 3, true, PERIOD_CLOSED, false},
	    {2024, 2, 25, {2024, 1, 1}, 3, true, PERIOD_CLOSED, false},
	    /* grace 0 closes the day after the cut-off; negative counts as 0 */
	    {2024, 2, 25, {2024, 2, 25}, 0, false, PERIOD_CURRENT, true},
	    {2024, 2, 25, {2024, 2, 26}, 0, false, PERIOD_CLOSED, false},
	    {2024, 2, 25, {2024, 2, 26}, -4, false, PERIOD_CLOSED, false},
	    /* grace crossing a month and a year end */
	    {2024, 12, 28, {2024, 12, 29}, 5, false, PERIOD_GRACE, true},
	    {2024, 12, 28, {2025, 1, 2}, 5, false, PERIOD_GRACE, true},
	    {2024, 12, 28, {2025, 1, 3}, 5, false, PERIOD_CLOSED, false},
	    /* cut-off 1 */
	    {2024, 3, 1, {2024, 2, 2}, 3, false, PERIOD_CURRENT, false},
	    {2024, 3, 1, {2024, 3, 4}, 3, false, PERIOD_GRACE, true},
	    {2024, 3, 1, {2024, 3, 5}, 3, false, PERIOD_CLOSED, false},
	    /* invalid input fails closed */
	    {2024, 13, 25, {2024, 2, 1}, 3, false, PERIOD_CLOSED, false},
	    {2024, 2, 29, {2024, 2, 1}, 3, false, PERIOD_CLOSED, false},
	    {2024, 2, 25, {2023, 2, 29}, 3, false, PERIOD_CLOSED, false},
	    {2024, 2, 25, {0, 0, 0}, 3, false, PERIOD_CLOSED, false},
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct period p = per(rows[i].py, rows[i].pm);
		enum period_state s =
		    period_state(p, rows[i].cutoff, rows[i].today, rows[i].grace, rows[i].attested);
		bool open = period_is_open(p, rows[i].cutoff, rows[i].today, rows[i].grace, rows[i].attested);
		bool att =
		    period_can_attest(p, rows[i].cutoff, rows[i].today, rows[i].grace, rows[i].attested);
		if (s != rows[i].want)
			fail_msg("row %zu: state %d", i, s);
		if (open != (rows[i].want == PERIOD_CURRENT || rows[i].want == PERIOD_GRACE))
			fail_msg("row %zu: open %d", i, open);
		if (att != rows[i].can_attest)
			fail_msg("row %zu: can_attest %d", i, att);
	}
}

static void test_last_open_day(void **state)
{
	struct civil_day d;
	assert_int_equal(period_last_open_day(per(2024, 2), 25, 3, &d), 0);
	assert_int_equal(thai_day_cmp(d, day(2024, 2, 28)), 0);
	assert_int_equal(period_last_open_day(per(2024, 2), 28, 3, &d), 0);
	assert_int_equal(thai_day_cmp(d, day(2024, 3, 2)), 0);
	assert_int_equal(period_last_open_day(per(2024, 2), 25, 0, &d), 0);
	assert_int_equal(thai_day_cmp(d, day(2024, 2, 25)), 0);
	assert_int_equal(period_last_open_day(per(2024, 2), 25, -1, &d), 0);
	assert_int_equal(thai_day_cmp(d, day(2024, 2, 25)), 0);
	assert_int_equal(period_last_open_day(per(2024, 2), 30, 3, &d), -1);
	assert_int_equal(period_last_open_day(per(9999, 12), 28, 4, &d), -1);
}

/* The whole life of each period of 2024 with the defaults: closed exactly
 * PERIOD_GRACE_DEFAULT days after the cut-off day. */
static void test_state_walk(void **state)
{
	for (int m = 1; m <= 12; m++) {
		struct period p = per(2024, m);
		struct civil_day first, last, d;
		assert_int_equal(period_range(p, PERIOD_CUTOFF_DEFAULT, &first, &last), 0);
		d = first;
		assert_int_equal(thai_day_add(&d, -1), 0);
		assert_int_equal(period_state(p, PERIOD_CUTOFF_DEFAULT, d, PERIOD_GRACE_DEFAULT, false),
		                 PERIOD_FUTURE);
		for (d = first; thai_day_cmp(d, last) <= 0; thai_day_add(&d, 1))
			assert_int_equal(
			    period_state(p, PERIOD_CUTOFF_DEFAULT, d, PERIOD_GRACE_DEFAULT, false),
			    PERIOD_CURRENT);
		for (int g = 1; g <= PERIOD_GRACE_DEFAULT; g++, thai_day_add(&d, 1))
			assert_int_equal(
			    period_state(p, PERIOD_CUTOFF_DEFAULT, d, PERIOD_GRACE_DEFAULT, false),
			    PERIOD_GRACE);
		assert_int_equal(period_state(p, PERIOD_CUTOFF_DEFAULT, d, PERIOD_GRACE_DEFAULT, false),
		                 PERIOD_CLOSED);
	}
}

/* The window of the last n working days, today included when it is one. */
static void test_working_days(void **state)
{
	(void)state;
	static const struct {
		struct civil_day today;
		int n;
		struct civil_day first;
	} t[] = {
	    {{2026, 12, 2}, 3, {2026, 11, 30}},  /* Wed: Mon */
	    {{2026, 11, 30}, 3, {2026, 11, 26}}, /* Mon: Thu before */
	    {{2026, 12, 5}, 3, {2026, 12, 2}},   /* Sat: Wed */
	    {{2026, 12, 6}, 3, {2026, 12, 2}},   /* Sun: Wed */
	    {{2026, 12, 4}, 1, {2026, 12, 4}},   /* Fri, n = 1: itself */
	    {{2027, 1, 1}, 3, {2026, 12, 30}},   /* over the turn of the year */
	    {{2024, 3, 4}, 5, {2024, 2, 27}},    /* over the end of a leap February */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct civil_day f;
		assert_int_equal(period_working_days_from(t[i].today, t[i].n, &f), 0);
		assert_int_equal(f.y, t[i].first.y);
		assert_int_equal(f.m, t[i].first.m);
		assert_int_equal(f.d, t[i].first.d);
	}
	struct civil_day f;
	assert_int_equal(period_working_days_from((struct civil_day){2026, 12, 2}, 0, &f), -1);
	assert_int_equal(period_working_days_from((struct civil_day){2026, 2, 30}, 3, &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_of_day_table), cmocka_unit_test(test_of_day_every_month),
	    cmocka_unit_test(test_range_table),  cmocka_unit_test(test_tiling_all_cutoffs),
	    cmocka_unit_test(test_parse),        cmocka_unit_test(test_iso),
	    cmocka_unit_test(test_label),        cmocka_unit_test(test_add_cmp),
	    cmocka_unit_test(test_fiscal_year),  cmocka_unit_test(test_fiscal_range),
	    cmocka_unit_test(test_state),        cmocka_unit_test(test_last_open_day),
	    cmocka_unit_test(test_state_walk),   cmocka_unit_test(test_working_days),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
