/* core/roster: shifts, times, months, generation from the weekly pattern
 * (holidays and edited days skipped), who may edit, the holiday list parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/perm.h"
#include "core/roster.h"

static void test_shifts_and_times(void **state)
{
	assert_int_equal(roster_shift_parse("morning"), ROSTER_MORNING);
	assert_int_equal(roster_shift_parse("full"), ROSTER_FULL);
	assert_int_equal(roster_shift_parse("night"), -1);
	assert_string_equal(roster_shift_label(ROSTER_AFTERNOON), "เวรบ่าย");
	assert_true(roster_time_valid("08:30"));
	assert_false(roster_time_valid("24:00"));
	assert_false(roster_time_valid("8:30"));
	assert_true(roster_span_valid("08:30", "12:00"));
	assert_false(roster_span_valid("13:00", "12:00"));
	int y, m;
	assert_int_equal(roster_month_parse("2026-12", &y, &m), 0);
	assert_int_equal(y * 100 + m, 202612);
	assert_int_equal(roster_month_parse("2026-13", &y, &m), -1);
	assert_int_equal(roster_month_parse("2569-1", &y, &m), -1);
}

static void test_may_edit(void **state)
{
	assert_true(roster_may_edit(ROLE_DISTRICT_ADMIN, "4701", "4701"));
	assert_false(roster_may_edit(ROLE_DISTRICT_ADMIN, "4702", "4701"));
	assert_false(roster_may_edit(ROLE_OFFICER, "4701", "4701"));
	assert_false(roster_may_edit(ROLE_PROVINCE_ADMIN, "47", "4701"));
}

static void test_generate(void **state)
{
	/* Weekdays: person 1 mornings, person 2 afternoons. December 2026: 23
	 * weekdays; 10 Dec (Thursday) a holiday, 11 Dec already edited. */
	struct roster_pattern_line p[10];
	for (int d = 1; d <= 5; d++) {
		p[2 * (d - 1)] = (struct roster_pattern_line){d, ROSTER_MORNING, 1};
		p[2 * (d - 1) + 1] = (struct roster_pattern_line){d, ROSTER_AFTERNOON, 2};
	}
	const char *hol[] = {"2026-12-10", "2026-12-05"}, *skip[] = {"2026-12-11"};
	struct roster_slot out[100];
	int n = roster_generate(2026, 12, p, 10, hol, 2, skip, 1, out, 100);
	assert_int_equal(n, 42);
	assert_string_equal(out[0].day, "2026-12-01"); /* a Tuesday */
	assert_int_equal(out[0].shift, ROSTER_MORNING);
	assert_int_equal(out[1].person, 2);
	for (int i = 0; i < n; i++) {
		assert_string_not_equal(out[i].day, "2026-12-10");
		assert_string_not_equal(out[i].day, "2026-12-11");
	}
	/* Fewer slots than duties: the count is still all of them. */
	assert_int_equal(roster_generate(2026, 12, p, 10, NULL, 0, NULL, 0, out, 3), 46);
	p[0].weekday = 7;
	assert_int_equal(roster_generate(2026, 12, p, 10, NULL, 0, NULL, 0, out, 100), -1);
	assert_int_equal(roster_generate(2026, 13, p, 0, NULL, 0, NULL, 0, out, 100), -1);
}

static void test_holidays_parse(void **state)
{
	struct roster_holiday h[8];
	struct roster_parse_error e = {0, NULL};
	const char *ok =
	    "\xEF\xBB\xBFวันที่,ชื่อวันหยุด\n# comment\n\n5/12/2569,วันพ่อแห่งชาติ\r\n10 ธันวาคม 2569\t วันรัฐธรรมนูญ \n"
	    "๓๑/๑๒/๒๕๖๙,วันสิ้นปี";
	assert_int_equal(roster_holidays_parse(ok, strlen(ok), h, 8, &e), 3);
	assert_string_equal(h[0].day, "2026-12-05");
	assert_string_equal(h[1].name, "วันรัฐธรรมนูญ");
	assert_string_equal(h[2].day, "2026-12-31");
	static const struct {
		const char *text;
		int line;
	} bad[] = {
	    {"5/12/2569 วันพ่อ", 1},           /* no separator */
	    {"31/2/2569,x", 1},              /* no such day */
	    {"5/12/2569,", 1},               /* no name */
	    {"5/12/2569,a\n5/12/2569,b", 2}, /* twice */
	    {"5/12/2569 10:00,x", 1},        /* a time */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(roster_holidays_parse(bad[i].text, strlen(bad[i].text), h, 8, &e), -1);
		assert_int_equal(e.line, bad[i].line);
		assert_non_null(e.why);
	}
	const char nul[] = "5/12/2569,a\0b";
	assert_int_equal(roster_holidays_parse(nul, sizeof nul - 1, h, 8, &e), -1);
	const char *three = "1/1/2570,a\n2/1/2570,b\n3/1/2570,c";
	assert_int_equal(roster_holidays_parse(three, strlen(three), h, 2, &e), -1);
	assert_int_equal(e.line, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shifts_and_times),
	    cmocka_unit_test(test_may_edit),
	    cmocka_unit_test(test_generate),
	    cmocka_unit_test(test_holidays_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
