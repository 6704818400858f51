/* Unit tests for src/lib/thai.c: Thai digits, names, civil-date math, Bangkok
 * time, parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/thai.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- digits --------------------------------------------------------- */

static void test_digit_scan(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		int k, v;
	} rows[] = {
	    {"0", 1, 1, 0},
	    {"9x", 2, 1, 9},
	    {"๐", 3, 3, 0},
	    {"๕", 3, 3, 5},
	    {"๙abc", 6, 3, 9},
	    {"๙", 2, 0, -1},            /* truncated by n */
	    {"\xE0\xB9", 2, 0, -1},     /* truncated sequence */
	    {"\xE0\xB9\x8F", 3, 0, -1}, /* U+0E4F ๏, just below ๐ */
	    {"\xE0\xB9\x9A", 3, 0, -1}, /* U+0E5A ๚, just above ๙ */
	    {"ก", 3, 0, -1},
	    {"a", 1, 0, -1},
	    {"/", 1, 0, -1},
	    {":", 1, 0, -1},
	    {"", 0, 0, -1},
	    {"5", 0, 0, -1},
	};
	for (size_t i = 0; i < N(rows); i++) {
		int v = -1;
		int k = thai_digit_scan(rows[i].s, rows[i].n, &v);
		if (k != rows[i].k || v != rows[i].v)
			fail_msg("row %zu: got k=%d v=%d", i, k, v);
	}
}

static void test_number_scan(void **state)
{
	static const struct {
		const char *s;
		int count, k, v;
	} rows[] = {
	    {"2024", 4, 4, 2024},           {"๒๕๖๗", 4, 12, 2567}, {"2๐2๔", 4, 8, 2024}, {"02", 2, 2, 2},
	    {"123456789", 9, 9, 123456789}, {"12", 3, -1, -1},     {"1a", 2, -1, -1},    {"12", 0, -1, -1},
	    {"1234567890", 10, -1, -1},
	};
	for (size_t i = 0; i < N(rows); i++) {
		int v = -1;
		int k = thai_number_scan(rows[i].s, strlen(rows[i].s), rows[i].count, &v);
		if (k != rows[i].k || v != rows[i].v)
			fail_msg("row %zu (%s): got k=%d v=%d", i, rows[i].s, k, v);
	}
}

static const struct {
	const char *ascii, *thai;
} digit_pairs[] = {
    {"0", "๐"},
    {"1", "๑"},
    {"2", "๒"},
    {"3", "๓"},
    {"4", "๔"},
    {"5", "๕"},
    {"6", "๖"},
    {"7", "๗"},
    {"8", "๘"},
    {"9", "๙"},
    {"0123456789", "๐๑๒๓๔๕๖๗๘๙"},
    {"", ""},
    {"no digits", "no digits"},
    {"ที่ 12/2567", "ที่ ๑๒/๒๕๖๗"},
    {"25 ก.พ. 2567 14:05 น.", "๒๕ ก.พ. ๒๕๖๗ ๑๔:๐๕ น."},
    {"a1b2c3", "a๑b๒c๓"},
};

static void test_digits_round_trip(void **state)
{
	char out[128];
	for (size_t i = 0; i < N(digit_pairs); i++) {
		const char *a = digit_pairs[i].ascii, *t = digit_pairs[i].thai;
		assert_int_equal(thai_digits_from_ascii(out, sizeof out, a), (int)strlen(t));
		assert_string_equal(out, t);
		assert_int_equal(thai_digits_to_ascii(out, sizeof out, t), (int)strlen(a));
		assert_string_equal(out, a);
		/* Thai → ASCII of ASCII text is the identity. */
		assert_int_equal(thai_digits_to_ascii(out, sizeof out, a), (int)strlen(a));
		assert_string_equal(out, a);
	}
}

static void test_digits_leave_other_bytes(void **state)
{
	char out[64];
	/* Near misses and a truncated sequence are copied as they are. */
	const char *s = "\xE0\xB9\x8F|\xE0\xB9\x9A|\xE0\xB9";
	assert_int_equal(thai_digits_to_ascii(out, sizeof out, s), (int)strlen(s));
	assert_string_equal(out, s);
	/* Mixed scripts come out all ASCII. */
	assert_int_equal(thai_digits_to_ascii(out, sizeof out, "๒0๒4-๐2-29"), 10);
	assert_string_equal(out, "2024-02-29");
}

static void test_digits_in_place(void **state)
{
	char s[64] = "ปี ๒๕๖๗ เดือน ๒";
	assert_int_equal(thai_digits_to_ascii(s, sizeof s, s), (int)strlen("ปี 2567 เดือน 2"));
	assert_string_equal(s, "ปี 2567 เดือน 2");
}

static void test_digits_cap(void **state)
{
	char out[16];
	/* Exactly enough: 3 bytes per Thai digit plus the NUL. */
	assert_int_equal(thai_digits_from_ascii(out, 7, "12"), 6);
	assert_string_equal(out, "๑๒");
	memset(out, 'z', sizeof out);
	assert_int_equal(thai_digits_from_ascii(out, 6, "12"), -1);
	assert_string_equal(out, "");
	assert_int_equal(thai_digits_from_ascii(out, 3, "ab"), 2);
	assert_int_equal(thai_digits_from_ascii(out, 2, "ab"), -1);
	assert_string_equal(out, "");
	assert_int_equal(thai_digits_from_ascii(out, 1, ""), 0);
	assert_int_equal(thai_digits_from_ascii(NULL, 0, ""), -1);

	assert_int_equal(thai_digits_to_ascii(out, 3, "๑๒"), 2);
	assert_string_equal(out, "12");
	memset(out, 'z', sizeof out);
	assert_int_equal(thai_digits_to_ascii(out, 2, "๑๒"), -1);
	assert_string_equal(out, "");
	assert_int_equal(thai_digits_to_ascii(NULL, 0, ""), -1);
	assert_int_equal(thai_digits_to_ascii(out, 1, ""), 0);
}

static void test_digits_buf(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "x=");
	assert_int_equal(thai_digits_from_ascii_buf(&b, "2567"), 0);
	assert_string_equal(buf_str(&b), "x=๒๕๖๗");
	assert_int_equal(thai_digits_to_ascii_buf(&b, " ๑๒a"), 0);
	assert_string_equal(buf_str(&b), "x=๒๕๖๗ 12a");
	assert_int_equal(thai_digits_to_ascii_buf(&b, ""), 0);
	assert_int_equal(thai_digits_from_ascii_buf(&b, ""), 0);
	assert_string_equal(buf_str(&b), "x=๒๕๖๗ 12a");
	buf_cleanup(&b);

	/* A capped buffer is left as it was when the result does not fit. */
	buf_init(&b, 8);
	buf_puts(&b, "ab");
	assert_int_equal(thai_digits_from_ascii_buf(&b, "1x2"), -1); /* needs 7 more */
	assert_string_equal(buf_str(&b), "ab");
	assert_int_equal(b.len, 2);
	assert_int_equal(thai_digits_from_ascii_buf(&b, "1x"), 0); /* 4 more: 6 */
	assert_string_equal(buf_str(&b), "ab๑x");
	assert_int_equal(thai_digits_to_ascii_buf(&b, "๑๒๓"), -1); /* 3 more: 9 */
	assert_string_equal(buf_str(&b), "ab๑x");
	assert_int_equal(thai_digits_to_ascii_buf(&b, "๑๒"), 0);
	assert_string_equal(buf_str(&b), "ab๑x12");
	buf_cleanup(&b);
}

/* ---- names and years ------------------------------------------------ */

static void test_month_names(void **state)
{
	static const char *const full[12] = {"มกราคม",  "กุมภาพันธ์", "มีนาคม",  "เมษายน", "พฤษภาคม",  "มิถุนายน",
	                                     "กรกฎาคม", "สิงหาคม",  "กันยายน", "ตุลาคม",  "พฤศจิกายน", "ธันวาคม"};
	static const char *const abbr[12] = {"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
	                                     "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",  "พ.ย.", "ธ.ค."};
	for (int m = 1; m <= 12; m++) {
		assert_string_equal(thai_month_name(m), full[m - 1]);
		assert_string_equal(thai_month_abbr(m), abbr[m - 1]);
	}
	static const int bad[] = {0, 13, -1, 100};
	for (size_t i = 0; i < N(bad); i++) {
		assert_null(thai_month_name(bad[i]));
		assert_null(thai_month_abbr(bad[i]));
	}
}

static void test_weekday_names(void **state)
{
	static const char *const names[7] = {"อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์"};
	for (int w = 0; w < 7; w++)
		assert_string_equal(thai_weekday_name(w), names[w]);
	assert_null(thai_weekday_name(-1));
	assert_null(thai_weekday_name(7));
}

static void test_year_be(void **state)
{
	assert_int_equal(thai_year_be(2024), 2567);
	assert_int_equal(thai_year_be(1970), 2513);
	assert_int_equal(thai_year_ce(2567), 2024);
	assert_int_equal(thai_year_ce(thai_year_be(1)), 1);
}

/* ---- civil dates ---------------------------------------------------- */

static void test_leap_years(void **state)
{
	static const struct {
		int y;
		bool leap;
	} rows[] = {
	    {1900, false}, {1996, true},  {2000, true}, {2023, false}, {2024, true},
	    {2025, false}, {2100, false}, {2400, true}, {4, true},     {1, false},
	};
	for (size_t i = 0; i < N(rows); i++)
		if (thai_year_is_leap(rows[i].y) != rows[i].leap)
			fail_msg("year %d", rows[i].y);
}

static void test_month_days(void **state)
{
	static const int y2023[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	static const int y2024[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	for (int m = 1; m <= 12; m++) {
		assert_int_equal(thai_month_days(2023, m), y2023[m - 1]);
		assert_int_equal(thai_month_days(2024, m), y2024[m - 1]);
	}
	assert_int_equal(thai_month_days(1900, 2), 28);
	assert_int_equal(thai_month_days(2000, 2), 29);
	assert_int_equal(thai_month_days(2024, 0), 0);
	assert_int_equal(thai_month_days(2024, 13), 0);
}

static void test_day_valid(void **state)
{
	static const struct {
		int y, m, d;
		bool ok;
	} rows[] = {
	    {2024, 2, 29, true},  {2023, 2, 29, false}, {1900, 2, 29, false}, {2000, 2, 29, true},
	    {2024, 2, 30, false}, {2024, 4, 30, true},  {2024, 4, 31, false}, {2024, 1, 31, true},
	    {2024, 1, 32, false}, {2024, 1, 0, false},  {2024, 0, 1, false},  {2024, 13, 1, false},
	    {2024, -1, 1, false}, {1, 1, 1, true},      {0, 12, 31, false},   {9999, 12, 31, true},
	    {10000, 1, 1, false}, {-1, 1, 1, false},    {2024, 12, 31, true}, {2024, 6, 31, false},
	};
	for (size_t i = 0; i < N(rows); i++)
		if (thai_day_valid(rows[i].y, rows[i].m, rows[i].d) != rows[i].ok)
			fail_msg("%04d-%02d-%02d", rows[i].y, rows[i].m, rows[i].d);
}

static void test_days_known(void **state)
{
	static const struct {
		int y, m, d;
		int64_t days;
		int wday;
	} rows[] = {
	    {1970, 1, 1, 0, 4},      {1969, 12, 31, -1, 3},   {2000, 1, 1, 10957, 6},
	    {2000, 3, 1, 11017, 3},  {2024, 2, 25, 19778, 0}, {2024, 2, 27, 19780, 2},
	    {2024, 2, 29, 19782, 4}, {1, 1, 1, -719162, 1},   {9999, 12, 31, 2932896, 5},
	    {1900, 3, 1, -25508, 4},
	};
	for (size_t i = 0; i < N(rows); i++) {
		assert_int_equal(thai_days_from_civil(rows[i].y, rows[i].m, rows[i].d), rows[i].days);
		struct civil_day c = thai_civil_from_days(rows[i].days);
		assert_int_equal(c.y, rows[i].y);
		assert_int_equal(c.m, rows[i].m);
		assert_int_equal(c.d, rows[i].d);
		assert_int_equal(thai_weekday(rows[i].y, rows[i].m, rows[i].d), rows[i].wday);
	}
}

/* Walks every day 0001-01-01 … 9999-12-31 with a naive calendar and checks
 * both conversions and the weekday against it. */
static void test_days_exhaustive(void **state)
{
	int y = 1, m = 1, d = 1, wday = 1; /* 0001-01-01 was a Monday (proleptic) */
	int64_t z = -719162;
	for (;;) {
		if (thai_days_from_civil(y, m, d) != z)
			fail_msg("days_from_civil %04d-%02d-%02d", y, m, d);
		struct civil_day c = thai_civil_from_days(z);
		if (c.y != y || c.m != m || c.d != d)
			fail_msg("civil_from_days %lld", (long long)z);
		if (thai_weekday(y, m, d) != wday)
			fail_msg("weekday %04d-%02d-%02d", y, m, d);
		if (y == 9999 && m == 12 && d == 31)
			break;
		z++;
		wday = (wday + 1) % 7;
		if (++d > thai_month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(z, 2932896);
}

static void test_day_add(void **state)
{
	static const struct {
		int y, m, d;
		int64_t n;
		int rc, ry, rm, rd;
	} rows[] = {
	    {2024, 2, 28, 1, 0, 2024, 2, 29},        {2023, 2, 28, 1, 0, 2023, 3, 1},
	    {2024, 2, 29, 1, 0, 2024, 3, 1},         {2024, 3, 1, -1, 0, 2024, 2, 29},
	    {2023, 12, 31, 1, 0, 2024, 1, 1},        {2024, 1, 1, -1, 0, 2023, 12, 31},
	    {2024, 1, 1, 366, 0, 2025, 1, 1},        {2023, 1, 1, 365, 0, 2024, 1, 1},
	    {2024, 1, 31, 30, 0, 2024, 3, 1},        {2024, 5, 15, 0, 0, 2024, 5, 15},
	    {2024, 2, 25, 3, 0, 2024, 2, 28},        {2024, 12, 25, 10, 0, 2025, 1, 4},
	    {9999, 12, 31, 1, -1, 9999, 12, 31},     {1, 1, 1, -1, -1, 1, 1, 1},
	    {9999, 12, 30, 1, 0, 9999, 12, 31},      {1, 1, 2, -1, 0, 1, 1, 1},
	    {2024, 2, 30, 1, -1, 2024, 2, 30},       {2024, 1, 1, INT64_MAX, -1, 2024, 1, 1},
	    {2024, 1, 1, INT64_MIN, -1, 2024, 1, 1}, {1, 1, 1, 3652058, 0, 9999, 12, 31},
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct civil_day c = {rows[i].y, rows[i].m, rows[i].d};
		int rc = thai_day_add(&c, rows[i].n);
		if (rc != rows[i].rc || c.y != rows[i].ry || c.m != rows[i].rm || c.d != rows[i].rd)
			fail_msg("row %zu: rc=%d %04d-%02d-%02d", i, rc, c.y, c.m, c.d);
	}
}

static void test_day_cmp(void **state)
{
	struct civil_day a = {2024, 2, 25}, b = {2024, 2, 26}, c = {2024, 3, 1}, d = {2025, 1, 1};
	assert_true(thai_day_cmp(a, a) == 0);
	assert_true(thai_day_cmp(a, b) < 0);
	assert_true(thai_day_cmp(b, a) > 0);
	assert_true(thai_day_cmp(b, c) < 0);
	assert_true(thai_day_cmp(d, c) > 0);
	assert_true(thai_day_cmp(c, d) < 0);
}

static void test_day_parse(void **state)
{
	static const struct {
		const char *s;
		int y, m, d;
	} good[] = {
	    {"2024-02-29", 2024, 2, 29}, {"2024-01-01", 2024, 1, 1},  {"2023-12-31", 2023, 12, 31},
	    {"2000-02-29", 2000, 2, 29}, {"0001-01-01", 1, 1, 1},     {"9999-12-31", 9999, 12, 31},
	    {"๒๐๒๔-๐๒-๒๙", 2024, 2, 29}, {"2๐24-0๒-2๕", 2024, 2, 25}, {"2024-04-30", 2024, 4, 30},
	};
	for (size_t i = 0; i < N(good); i++) {
		struct civil_day c = {0};
		if (thai_day_parse(good[i].s, &c) != 0 || c.y != good[i].y || c.m != good[i].m ||
		    c.d != good[i].d)
			fail_msg("%s", good[i].s);
	}
	static const char *const bad[] = {
	    "2023-02-29",
	    "1900-02-29",
	    "2024-02-30",
	    "2024-04-31",
	    "2024-13-01",
	    "2024-00-10",
	    "2024-01-00",
	    "2024-01-32",
	    "0000-01-01",
	    "2024-2-05",
	    "2024-02-5",
	    "24-02-05",
	    "20240-02-05",
	    "2024-02-05 ",
	    " 2024-02-05",
	    "2024/02/05",
	    "2024-02-05T00:00",
	    "20240205",
	    "+2024-02-05",
	    "2024-02-0x",
	    "",
	    "-",
	    "2024-02-",
	    "2024-02-0",
	    "๒๕๖๗-๐๒-๓๐",
	    "2024-02-05\n",
	    "2024-02-05Z",
	    "2024--02-05",
	    "๒๐๒๔-๐๒-๒\xE0\xB9",
	    "2024-\357\274\2202-05", /* fullwidth digit zero is not accepted */
	};
	for (size_t i = 0; i < N(bad); i++) {
		struct civil_day c = {7, 7, 7};
		if (thai_day_parse(bad[i], &c) != -1 || c.y != 7 || c.m != 7 || c.d != 7)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_day_iso(void **state)
{
	char out[THAI_ISO_DAY_SIZE];
	assert_int_equal(thai_day_iso((struct civil_day){2024, 2, 29}, out), 0);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(thai_day_iso((struct civil_day){1, 1, 1}, out), 0);
	assert_string_equal(out, "0001-01-01");
	assert_int_equal(thai_day_iso((struct civil_day){2023, 2, 29}, out), -1);
	assert_string_equal(out, "");
	/* parse ∘ iso round trip over a few years, every day. */
	struct civil_day c = {2022, 12, 1};
	for (int i = 0; i < 3 * 366; i++) {
		struct civil_day back;
		assert_int_equal(thai_day_iso(c, out), 0);
		assert_int_equal(thai_day_parse(out, &back), 0);
		assert_int_equal(thai_day_cmp(back, c), 0);
		assert_int_equal(thai_day_add(&c, 1), 0);
	}
}

/* ---- Bangkok time --------------------------------------------------- */

static const struct {
	int64_t t;
	struct civil_time lt;
} epoch_rows[] = {
    {0, {1970, 1, 1, 7, 0, 0}},
    {-1, {1970, 1, 1, 6, 59, 59}},
    {-25200, {1970, 1, 1, 0, 0, 0}},
    {-25201, {1969, 12, 31, 23, 59, 59}},
    {1708844700, {2024, 2, 25, 14, 5, 0}},
    {1708880399, {2024, 2, 25, 23, 59, 59}},
    {1708880400, {2024, 2, 26, 0, 0, 0}},
    {1709139600, {2024, 2, 29, 0, 0, 0}},
    {1735664400, {2025, 1, 1, 0, 0, 0}},
    {1735664399, {2024, 12, 31, 23, 59, 59}},
    {-62135596800 - 25200, {1, 1, 1, 0, 0, 0}},
    {253402300799 - 25200, {9999, 12, 31, 23, 59, 59}},
};

static void test_epoch_local(void **state)
{
	for (size_t i = 0; i < N(epoch_rows); i++) {
		struct civil_time lt;
		const struct civil_time *w = &epoch_rows[i].lt;
		assert_int_equal(thai_epoch_to_local(epoch_rows[i].t, &lt), 0);
		if (lt.y != w->y || lt.m != w->m || lt.d != w->d || lt.hour != w->hour || lt.min != w->min ||
		    lt.sec != w->sec)
			fail_msg("row %zu: %04d-%02d-%02d %02d:%02d:%02d", i, lt.y, lt.m, lt.d, lt.hour,
			         lt.min, lt.sec);
		int64_t t;
		assert_int_equal(thai_local_to_epoch(w, &t), 0);
		assert_int_equal(t, epoch_rows[i].t);
		struct civil_day day;
		assert_int_equal(thai_epoch_day(epoch_rows[i].t, &day), 0);
		assert_int_equal(day.y, w->y);
		assert_int_equal(day.m, w->m);
		assert_int_equal(day.d, w->d);
	}
	struct civil_time lt;
	struct civil_day day;
	assert_int_equal(thai_epoch_to_local(-62135596800 - 25200 - 1, &lt), -1);
	assert_int_equal(thai_epoch_to_local(253402300799 - 25200 + 1, &lt), -1);
	assert_int_equal(thai_epoch_to_local(INT64_MAX, &lt), -1);
	assert_int_equal(thai_epoch_to_local(INT64_MIN, &lt), -1);
	assert_int_equal(thai_epoch_day(INT64_MAX, &day), -1);
}

static void test_local_to_epoch_invalid(void **state)
{
	static const struct civil_time bad[] = {
	    {2023, 2, 29, 0, 0, 0}, {2024, 1, 1, 24, 0, 0}, {2024, 1, 1, 0, 60, 0}, {2024, 1, 1, 0, 0, 60},
	    {2024, 1, 1, -1, 0, 0}, {2024, 1, 1, 0, -1, 0}, {2024, 1, 1, 0, 0, -1}, {0, 1, 1, 0, 0, 0},
	};
	for (size_t i = 0; i < N(bad); i++) {
		int64_t t = 42;
		assert_int_equal(thai_local_to_epoch(&bad[i], &t), -1);
		assert_int_equal(t, 42);
	}
}

static void test_epoch_round_trip(void **state)
{
	/* Every 7 hours 13 minutes 17 seconds from 1900 to 2100. */
	for (int64_t t = -2208988800; t < 4102444800; t += 7 * 3600 + 13 * 60 + 17) {
		struct civil_time lt;
		int64_t back;
		assert_int_equal(thai_epoch_to_local(t, &lt), 0);
		assert_int_equal(thai_local_to_epoch(&lt, &back), 0);
		if (back != t)
			fail_msg("t=%lld", (long long)t);
	}
}

/* The process time zone must not matter: offsets are arithmetic. */
static void test_epoch_ignores_tz(void **state)
{
	struct civil_time lt;
	setenv("TZ", "America/New_York", 1);
	tzset();
	assert_int_equal(thai_epoch_to_local(1708844700, &lt), 0);
	assert_int_equal(lt.hour, 14);
	assert_int_equal(lt.d, 25);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(thai_epoch_to_local(1708844700, &lt), 0);
	assert_int_equal(lt.hour, 14);
	unsetenv("TZ");
	tzset();
}

static void test_datetime_parse(void **state)
{
	static const struct {
		const char *s;
		int64_t t;
	} good[] = {
	    {"2024-02-25T14:05", 1708844700},    {"2024-02-25T14:05:00", 1708844700},
	    {"2024-02-25T14:05:09", 1708844709}, {"2024-02-25T23:59:59", 1708880399},
	    {"2024-02-26T00:00", 1708880400},    {"1970-01-01T07:00", 0},
	    {"1970-01-01T00:00", -25200},        {"๒๐๒๔-๐๒-๒๕T๑๔:๐๕", 1708844700},
	    {"2024-02-29T12:00", 1709182800},
	};
	for (size_t i = 0; i < N(good); i++) {
		int64_t t = -42;
		if (thai_datetime_parse(good[i].s, &t) != 0 || t != good[i].t)
			fail_msg("%s → %lld", good[i].s, (long long)t);
	}
	static const char *const bad[] = {
	    "2024-02-25",
	    "2024-02-25T",
	    "2024-02-25T14",
	    "2024-02-25T14:5",
	    "2024-02-25T4:05",
	    "2024-02-25 14:05",
	    "2024-02-25t14:05",
	    "2024-02-25T24:00",
	    "2024-02-25T23:60",
	    "2024-02-25T23:59:60",
	    "2024-02-25T14:05:0",
	    "2024-02-25T14:05:00Z",
	    "2024-02-25T14:05+07:00",
	    "2024-02-25T14:05:00.000",
	    "2024-02-25T14:05:",
	    "2023-02-29T00:00",
	    "2024-02-25T14:05 ",
	    " 2024-02-25T14:05",
	    "2024-02-25T14-05",
	    "",
	    "T14:05",
	    "2024-02-25T14:05:00:00",
	};
	for (size_t i = 0; i < N(bad); i++) {
		int64_t t = -42;
		if (thai_datetime_parse(bad[i], &t) != -1 || t != -42)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

/* ---- formatting ----------------------------------------------------- */

static void test_date_format(void **state)
{
	static const struct {
		int y, m, d;
		enum thai_date_style style;
		bool td;
		const char *want;
	} rows[] = {
	    {2024, 2, 25, THAI_DATE_FULL, false, "25 กุมภาพันธ์ 2567"},
	    {2024, 2, 25, THAI_DATE_SHORT, false, "25 ก.พ. 2567"},
	    {2024, 2, 25, THAI_DATE_LONG, false, "วันอาทิตย์ที่ 25 กุมภาพันธ์ พ.ศ. 2567"},
	    {2024, 2, 27, THAI_DATE_LONG, false, "วันอังคารที่ 27 กุมภาพันธ์ พ.ศ. 2567"},
	    {2024, 2, 25, THAI_DATE_FULL, true, "๒๕ กุมภาพันธ์ ๒๕๖๗"},
	    {2024, 2, 25, THAI_DATE_SHORT, true, "๒๕ ก.พ. ๒๕๖๗"},
	    {2024, 2, 27, THAI_DATE_LONG, true, "วันอังคารที่ ๒๗ กุมภาพันธ์ พ.ศ. ๒๕๖๗"},
	    {2024, 1, 1, THAI_DATE_FULL, false, "1 มกราคม 2567"},
	    {2024, 1, 1, THAI_DATE_FULL, true, "๑ มกราคม ๒๕๖๗"},
	    {2024, 2, 29, THAI_DATE_SHORT, false, "29 ก.พ. 2567"},
	    {2023, 12, 31, THAI_DATE_SHORT, false, "31 ธ.ค. 2566"},
	    {2024, 1, 29, THAI_DATE_FULL, true, "๒๙ มกราคม ๒๕๖๗"}, /* the circular's date */
	    {2024, 6, 1, THAI_DATE_LONG, false, "วันเสาร์ที่ 1 มิถุนายน พ.ศ. 2567"},
	    {2024, 6, 3, THAI_DATE_LONG, false, "วันจันทร์ที่ 3 มิถุนายน พ.ศ. 2567"},
	    {2024, 6, 5, THAI_DATE_LONG, false, "วันพุธที่ 5 มิถุนายน พ.ศ. 2567"},
	    {2024, 6, 6, THAI_DATE_LONG, false, "วันพฤหัสบดีที่ 6 มิถุนายน พ.ศ. 2567"},
	    {2024, 6, 7, THAI_DATE_LONG, false, "วันศุกร์ที่ 7 มิถุนายน พ.ศ. 2567"},
	};
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < N(rows); i++) {
		buf_reset(&b);
		assert_int_equal(
		    thai_date_format(&b, rows[i].y, rows[i].m, rows[i].d, rows[i].style, rows[i].td), 0);
		assert_string_equal(buf_str(&b), rows[i].want);
	}
	/* Every month, both name forms. */
	for (int m = 1; m <= 12; m++) {
		char want[128];
		buf_reset(&b);
		assert_int_equal(thai_date_format(&b, 2024, m, 10, THAI_DATE_FULL, false), 0);
		snprintf(want, sizeof want, "10 %s 2567", thai_month_name(m));
		assert_string_equal(buf_str(&b), want);
		buf_reset(&b);
		assert_int_equal(thai_date_format(&b, 2024, m, 10, THAI_DATE_SHORT, false), 0);
		snprintf(want, sizeof want, "10 %s 2567", thai_month_abbr(m));
		assert_string_equal(buf_str(&b), want);
	}
	/* Appends; failures leave the buffer as it was. */
	buf_reset(&b);
	buf_puts(&b, "วันที่ ");
	assert_int_equal(thai_date_format(&b, 2024, 2, 25, THAI_DATE_SHORT, false), 0);
	assert_string_equal(buf_str(&b), "วันที่ 25 ก.พ. 2567");
	assert_int_equal(thai_date_format(&b, 2023, 2, 29, THAI_DATE_SHORT, false), -1);
	assert_int_equal(thai_date_format(&b, 2024, 13, 1, THAI_DATE_FULL, true), -1);
	assert_int_equal(thai_date_format(&b, 2024, 1, 1, (enum thai_date_style)99, false), -1);
	assert_string_equal(buf_str(&b), "วันที่ 25 ก.พ. 2567");
	buf_cleanup(&b);

	buf_init(&b, 10);
	assert_int_equal(thai_date_format(&b, 2024, 2, 25, THAI_DATE_FULL, false), -1);
	assert_int_equal(b.len, 0);
	buf_cleanup(&b);
}

/* thai_when_parse: the one parser of forms and imports. Each good row gives
 * the C.E. day and time it must read as. */
static void test_when_parse(void **state)
{
	static const struct {
		const char *s;
		int kind, y, m, d, hh, mm, ss;
	} good[] = {
	    /* B.E. day first, as officers write it */
	    {"27/11/2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27/11/69", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"1/2/2567", THAI_WHEN_DAY, 2024, 2, 1, 0, 0, 0},
	    {"01/02/2567", THAI_WHEN_DAY, 2024, 2, 1, 0, 0, 0},
	    {"27-11-2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27.11.2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"๒๗/๑๑/๒๕๖๙", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"2๗/1๑/๖9", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"29/2/2567", THAI_WHEN_DAY, 2024, 2, 29, 0, 0, 0},
	    /* C.E. years day first */
	    {"27/11/2026", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"29/2/2024", THAI_WHEN_DAY, 2024, 2, 29, 0, 0, 0},
	    {"1/1/2399", THAI_WHEN_DAY, 2399, 1, 1, 0, 0, 0},
	    {"1/1/2400", THAI_WHEN_DAY, 1857, 1, 1, 0, 0, 0},
	    /* Thai month names */
	    {"27 พ.ย. 2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27 พฤศจิกายน 2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27 พย 2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27 พ.ย. 69", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27พ.ย.2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"๒๗ พ.ย. ๒๕๖๙", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"3 มี.ค. 2567", THAI_WHEN_DAY, 2024, 3, 3, 0, 0, 0},
	    {"3 มีค 2567", THAI_WHEN_DAY, 2024, 3, 3, 0, 0, 0},
	    {"3 มีนาคม 2567", THAI_WHEN_DAY, 2024, 3, 3, 0, 0, 0},
	    {"3 มิ.ย. 2567", THAI_WHEN_DAY, 2024, 6, 3, 0, 0, 0},
	    {"3 ม.ค. 2567", THAI_WHEN_DAY, 2024, 1, 3, 0, 0, 0},
	    {"27 พฤศจิกายน พ.ศ. 2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27 พ.ย. ค.ศ. 2026", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"27 พ.ย. 2026", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"วันศุกร์ที่ 27 พฤศจิกายน พ.ศ. 2569", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    /* ISO, always C.E. */
	    {"2026-11-27", THAI_WHEN_DAY, 2026, 11, 27, 0, 0, 0},
	    {"2026-1-7", THAI_WHEN_DAY, 2026, 1, 7, 0, 0, 0},
	    {"2569-11-27", THAI_WHEN_DAY, 2569, 11, 27, 0, 0, 0},
	    {"2026-11-27T09:15", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"2026-11-27T09:15:30", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 30},
	    {"2026-11-27 09:15", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    /* with a time */
	    {"27/11/2569 09:15", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"27/11/2569 9:15", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"27/11/2569 9.15 น.", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"27/11/2569 09:15:59", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 59},
	    {"27/11/2569, 23:59", THAI_WHEN_TIME, 2026, 11, 27, 23, 59, 0},
	    {"27 พ.ย. 2569 09:15 น.", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"27 พ.ย. 2569 09:15น.", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"27 พ.ย. 2569 เวลา 09:15 น.", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"วันศุกร์ที่ 27 พฤศจิกายน พ.ศ. 2569 เวลา 00:00 น.", THAI_WHEN_TIME, 2026, 11, 27, 0, 0, 0},
	    {"๒๗/๑๑/๒๕๖๙ ๐๙:๑๕", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"  27/11/2569   09:15 \r\n", THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	    {"27/11/2569\xC2\xA0"
	     "09:15",
	     THAI_WHEN_TIME, 2026, 11, 27, 9, 15, 0},
	};
	for (size_t i = 0; i < N(good); i++) {
		struct civil_time t = {-1, -1, -1, -1, -1, -1};
		int k = thai_when_parse(good[i].s, &t);
		if (k != good[i].kind || t.y != good[i].y || t.m != good[i].m || t.d != good[i].d ||
		    t.hour != good[i].hh || t.min != good[i].mm || t.sec != good[i].ss)
			fail_msg("\"%s\" → %d: %04d-%02d-%02d %02d:%02d:%02d", good[i].s, k, t.y, t.m, t.d,
			         t.hour, t.min, t.sec);
	}
	static const char *const bad[] = {
	    "",
	    "   ",
	    "27/11",
	    "27/11/",
	    "27/11/569",   /* 3-digit year */
	    "27/11/25690", /* 5-digit year */
	    "27/11/2",     /* 1-digit year */
	    "27/13/2569",  /* month 13 */
	    "32/1/2569",   /* day 32 */
	    "0/1/2569",    /* day 0 */
	    "29/2/2568",   /* C.E. 2025 is no leap year */
	    "29/2/2025",
	    "27/11-2569",  /* mixed separators */
	    "127/11/2569", /* 3-digit day */
	    "27 พ.ย.",     /* no year */
	    "27 พฤศจิกา 2569",
	    "27 ค.ศ. 69", /* a 2-digit C.E. year */
	    "27/11/2569 24:00",
	    "27/11/2569 23:60",
	    "27/11/2569 09:15:60",
	    "27/11/2569 09:5",
	    "27/11/2569 09",
	    "27/11/2569 09:15 น. x",
	    "27/11/2569x",
	    "27/11/256909:15",
	    "2026-11-27T",
	    "2026-11-27X09:15",
	    "2026/11/27",
	    "2026-11",
	    "-27/11/2569",
	    "+27/11/2569",
	    "yesterday",
	    "วันศุกร์ที่",
	    "27/11/2569 09:15+07:00",
	    "0000-01-01",
	    "1/1/0543", /* B.E. 543 read as C.E. 543 is fine, but 0543 → 543 valid: see below */
	};
	for (size_t i = 0; i < N(bad); i++) {
		struct civil_time t = {1, 2, 3, 4, 5, 6};
		int k = thai_when_parse(bad[i], &t);
		if (i == N(bad) - 1) {
			/* 4 digits below 2400 are C.E.: 0543 is the year 543. */
			assert_int_equal(k, THAI_WHEN_DAY);
			assert_int_equal(t.y, 543);
			continue;
		}
		if (k != -1 || t.y != 1 || t.sec != 6)
			fail_msg("\"%s\" accepted (%d)", bad[i], k);
	}
}

/* Every style the system writes reads back to the same minute. */
static void test_when_round_trip(void **state)
{
	const enum thai_date_style styles[] = {THAI_DATE_FULL, THAI_DATE_SHORT, THAI_DATE_LONG,
	                                       THAI_DATE_NUMERIC};
	struct buf b;
	buf_init(&b, 0);
	for (int64_t t = 1700000000; t < 1700000000 + 400LL * 86400; t += 86400 * 3 + 3607) {
		struct civil_time want;
		assert_int_equal(thai_epoch_to_local(t, &want), 0);
		for (size_t s = 0; s < N(styles); s++)
			for (int td = 0; td < 2; td++) {
				struct civil_time got;
				buf_reset(&b);
				assert_int_equal(thai_epoch_format(&b, t, styles[s], td), 0);
				if (thai_when_parse(buf_str(&b), &got) != THAI_WHEN_TIME || got.y != want.y ||
				    got.m != want.m || got.d != want.d || got.hour != want.hour ||
				    got.min != want.min)
					fail_msg("\"%s\" does not read back", buf_str(&b));
				buf_reset(&b);
				assert_int_equal(thai_epoch_format_date(&b, t, styles[s], td), 0);
				if (thai_when_parse(buf_str(&b), &got) != THAI_WHEN_DAY || got.d != want.d)
					fail_msg("\"%s\" does not read back", buf_str(&b));
			}
	}
	buf_reset(&b);
	assert_int_equal(thai_epoch_format(&b, 1708844700, THAI_DATE_NUMERIC, false), 0);
	assert_string_equal(buf_str(&b), "25/2/2567 14:05");
	buf_cleanup(&b);
}

static void test_epoch_format(void **state)
{
	static const struct {
		int64_t t;
		enum thai_date_style style;
		bool td;
		const char *date, *datetime;
	} rows[] = {
	    {1708844700, THAI_DATE_SHORT, false, "25 ก.พ. 2567", "25 ก.พ. 2567 14:05 น."},
	    {1708844700, THAI_DATE_SHORT, true, "๒๕ ก.พ. ๒๕๖๗", "๒๕ ก.พ. ๒๕๖๗ ๑๔:๐๕ น."},
	    {1708844700, THAI_DATE_FULL, false, "25 กุมภาพันธ์ 2567", "25 กุมภาพันธ์ 2567 14:05 น."},
	    {1708844700, THAI_DATE_LONG, false, "วันอาทิตย์ที่ 25 กุมภาพันธ์ พ.ศ. 2567",
	     "วันอาทิตย์ที่ 25 กุมภาพันธ์ พ.ศ. 2567 เวลา 14:05 น."},
	    {1708844700, THAI_DATE_LONG, true, "วันอาทิตย์ที่ ๒๕ กุมภาพันธ์ พ.ศ. ๒๕๖๗",
	     "วันอาทิตย์ที่ ๒๕ กุมภาพันธ์ พ.ศ. ๒๕๖๗ เวลา ๑๔:๐๕ น."},
	    {1708880399, THAI_DATE_SHORT, false, "25 ก.พ. 2567", "25 ก.พ. 2567 23:59 น."},
	    {1708880400, THAI_DATE_SHORT, false, "26 ก.พ. 2567", "26 ก.พ. 2567 00:00 น."},
	    {0, THAI_DATE_SHORT, false, "1 ม.ค. 2513", "1 ม.ค. 2513 07:00 น."},
	    {-25201, THAI_DATE_SHORT, false, "31 ธ.ค. 2512", "31 ธ.ค. 2512 23:59 น."},
	    {1735664399, THAI_DATE_FULL, false, "31 ธันวาคม 2567", "31 ธันวาคม 2567 23:59 น."},
	    {1735664400, THAI_DATE_FULL, false, "1 มกราคม 2568", "1 มกราคม 2568 00:00 น."},
	};
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < N(rows); i++) {
		buf_reset(&b);
		assert_int_equal(thai_epoch_format_date(&b, rows[i].t, rows[i].style, rows[i].td), 0);
		assert_string_equal(buf_str(&b), rows[i].date);
		buf_reset(&b);
		assert_int_equal(thai_epoch_format(&b, rows[i].t, rows[i].style, rows[i].td), 0);
		assert_string_equal(buf_str(&b), rows[i].datetime);
	}
	buf_reset(&b);
	assert_int_equal(thai_epoch_format(&b, INT64_MAX, THAI_DATE_SHORT, false), -1);
	assert_int_equal(thai_epoch_format_date(&b, INT64_MIN, THAI_DATE_SHORT, false), -1);
	assert_int_equal(thai_epoch_format(&b, 0, (enum thai_date_style) - 1, false), -1);
	assert_int_equal(b.len, 0);
	buf_cleanup(&b);

	buf_init(&b, 20);
	assert_int_equal(thai_epoch_format(&b, 0, THAI_DATE_SHORT, false), -1);
	assert_int_equal(b.len, 0);
	buf_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digit_scan),
	    cmocka_unit_test(test_number_scan),
	    cmocka_unit_test(test_digits_round_trip),
	    cmocka_unit_test(test_digits_leave_other_bytes),
	    cmocka_unit_test(test_digits_in_place),
	    cmocka_unit_test(test_digits_cap),
	    cmocka_unit_test(test_digits_buf),
	    cmocka_unit_test(test_month_names),
	    cmocka_unit_test(test_weekday_names),
	    cmocka_unit_test(test_year_be),
	    cmocka_unit_test(test_leap_years),
	    cmocka_unit_test(test_month_days),
	    cmocka_unit_test(test_day_valid),
	    cmocka_unit_test(test_days_known),
	    cmocka_unit_test(test_days_exhaustive),
	    cmocka_unit_test(test_day_add),
	    cmocka_unit_test(test_day_cmp),
	    cmocka_unit_test(test_day_parse),
	    cmocka_unit_test(test_day_iso),
	    cmocka_unit_test(test_epoch_local),
	    cmocka_unit_test(test_local_to_epoch_invalid),
	    cmocka_unit_test(test_epoch_round_trip),
	    cmocka_unit_test(test_epoch_ignores_tz),
	    cmocka_unit_test(test_datetime_parse),
	    cmocka_unit_test(test_date_format),
	    cmocka_unit_test(test_epoch_format),
	    cmocka_unit_test(test_when_parse),
	    cmocka_unit_test(test_when_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
